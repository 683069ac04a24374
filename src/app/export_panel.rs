//! The Export tab: labelled CSV, profile CSV, recipe JSON, plot PNG.

use egui::Ui;

use super::View;
use super::state::{AppState, Command};

/// The Export tab: labelled CSV, profile CSV, recipe JSON, plot PNG.
#[derive(Debug, Default)]
pub struct ExportPanel {}

impl View for ExportPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        let _ = state;
        ui.label("ExportPanel");
    }
}
