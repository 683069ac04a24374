//! The bottom status bar: rows × features, method and K, the running job with progress and Cancel.

use egui::Ui;

use super::explore::ExploreCommand;
use super::state::{AppState, Command};

/// Draws the status bar.
pub fn status_bar_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if let Some(a) = state.explorer.activity() {
            ui.spinner();
            ui.label(&a.what);
            if ui.button("Cancel").clicked() {
                commands.push(Command::Explore(ExploreCommand::Cancel));
            }
        }
    });
}
