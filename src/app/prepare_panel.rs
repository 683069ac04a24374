//! The left panel: the feature list (use as feature, impute, log1p per column), the scaler, categorical
//! options, and the clustering method.

use egui::Ui;

use super::View;
use super::state::{AppState, Command};

/// The left Data & Prepare panel.
#[derive(Debug, Default)]
pub struct PreparePanel {}

impl View for PreparePanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        ui.heading("Prepare");
        ui.label(format!("{} features", state.explorer.recipe.features.len()));
    }
}
