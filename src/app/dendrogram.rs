//! The Dendrogram tab: the merge tree in leaf order, coloured by the cut, with a draggable cut line.

use egui::Ui;

use super::View;
use super::state::{AppState, Command};

/// The Dendrogram tab: the merge tree in leaf order, coloured by the cut, with a draggable cut line.
#[derive(Debug, Default)]
pub struct DendrogramPanel {}

impl View for DendrogramPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        let _ = state;
        ui.label("DendrogramPanel");
    }
}
