//! The Scatter tab: PCA scores coloured by segment, centroids, loadings arrows, hover and box-select.

use egui::Ui;

use super::View;
use super::state::{AppState, Command};

/// The Scatter tab: PCA scores coloured by segment, centroids, loadings arrows, hover and box-select.
#[derive(Debug, Default)]
pub struct ScatterPanel {}

impl View for ScatterPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        let _ = state;
        ui.label("ScatterPanel");
    }
}
