//! The Profiles tab: segments × features in original units with z-score colouring and ANOVA F.

use egui::Ui;

use super::View;
use super::state::{AppState, Command};

/// The Profiles tab: segments × features in original units with z-score colouring and ANOVA F.
#[derive(Debug, Default)]
pub struct ProfilesPanel {}

impl View for ProfilesPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        let _ = state;
        ui.label("ProfilesPanel");
    }
}
