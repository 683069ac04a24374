//! What the Dendrogram tab shows without a tree: a method that builds none, or no result yet.

use egui::{RichText, Ui};

use crate::app::explore::ExploreCommand;
use crate::app::state::{AppState, Command};
use crate::cluster::Method;

/// The method builds no tree: say so and offer Ward.
pub(super) fn not_hierarchical_ui(ui: &mut Ui, method: Method, commands: &mut Vec<Command>) {
    ui.add_space(40.0);
    ui.vertical_centered(|ui| {
        ui.label(RichText::new("No tree for this method").strong().size(16.0));
        ui.label(format!(
            "The dendrogram shows how hierarchical methods merge rows step by step. {} does not build \
             a tree.",
            match method {
                Method::Kmeans => "K-means",
                Method::Gmm => "A Gaussian mixture",
                _ => "This method",
            }
        ));
        ui.add_space(8.0);
        if ui
            .button("Switch to Ward")
            .on_hover_text(
                "Ward linkage merges the two groups whose union adds the least within-segment \
                 variance: compact segments, comparable to k-means, with a tree you can cut anywhere.",
            )
            .clicked()
        {
            commands.push(Command::Explore(ExploreCommand::SetMethod(Method::Ward)));
        }
    });
}

/// A hierarchical method without a tree yet: building, no file, or no feature.
pub(super) fn waiting_ui(ui: &mut Ui, state: &AppState) {
    ui.add_space(40.0);
    ui.vertical_centered(|ui| {
        if let Some(a) = state.explorer.activity() {
            ui.spinner();
            ui.label(format!("{}… ({})", a.what, a.stage));
            ui.label("The tree appears once it is built.");
        } else if state.dataset().is_none() {
            ui.label("Open a CSV to see its merge tree here.");
        } else {
            ui.label("No tree yet: choose at least one feature in the Prepare panel on the left.");
        }
    });
}
