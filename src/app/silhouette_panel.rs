//! The Silhouette tab: per-row silhouette bars sorted within each segment.

use egui::Ui;

use super::View;
use super::state::{AppState, Command};

/// The Silhouette tab: per-row silhouette bars sorted within each segment.
#[derive(Debug, Default)]
pub struct SilhouettePanel {}

impl View for SilhouettePanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        let _ = state;
        ui.label("SilhouettePanel");
    }
}
