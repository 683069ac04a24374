//! The Choose K tab: the sweep curves (silhouette, Davies-Bouldin, Calinski-Harabasz, inertia with its
//! knee, BIC for GMM) drawn as rows arrive, the recommended K with its reason, and K picking.

use egui::Ui;

use super::View;
use super::state::{AppState, Command};

/// The Choose K tab: the sweep curves (silhouette, Davies-Bouldin, Calinski-Harabasz, inertia with its
#[derive(Debug, Default)]
pub struct ChooseKPanel {}

impl View for ChooseKPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        let _ = state;
        ui.label("ChooseKPanel");
    }
}
