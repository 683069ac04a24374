//! The Map tab: a t-SNE map of the prepared rows (a non-linear 2-D picture: rows that are alike sit
//! together), computed on a worker by [`crate::reduce::tsne`] and drawn with the Scatter tab's point
//! cloud, legend, hover and box-select ([`ScatterPanel::for_map`]). The points move while the
//! optimisation runs (the explorer copies each few epochs' positions for the panel); Cancel stops it.
//! Above [`MAX_ROWS`] prepared rows a stratified sample per segment is embedded, and the plot says so.
//!
//! The map starts by itself the first time the tab shows new prepared data; "Run" re-runs it with the
//! perplexity, iterations and seed of the controls.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::View;
use super::explore::ExploreCommand;
use super::format::fmt_count;
use super::scatter::ScatterPanel;
use super::state::{AppState, Command};
use crate::reduce::tsne::{EXPLORATION_ITERATIONS, MAX_ROWS, TsneParams};

/// The Map tab.
#[derive(Debug)]
pub struct MapPanel {
    params: TsneParams,
    points: ScatterPanel,
}

impl Default for MapPanel {
    fn default() -> Self {
        Self {
            params: TsneParams::default(),
            points: ScatterPanel::for_map(),
        }
    }
}

impl MapPanel {
    fn controls_ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        let ex = &state.explorer;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Perplexity");
            ui.add(
                egui::DragValue::new(&mut self.params.perplexity)
                    .range(2.0..=100.0)
                    .speed(0.5),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "Roughly how many neighbours each customer keeps close on the map. Small values show \
                 fine local groups; large values (30–50) show the broader layout. Needs more than 3 × \
                 perplexity rows.",
            );
            let label = ui.label("Iterations");
            ui.add(
                egui::DragValue::new(&mut self.params.iterations)
                    .range(EXPLORATION_ITERATIONS..=5000)
                    .speed(10),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "How long the map is refined. The first 250 spread the groups apart; more iterations \
                 settle the points (1000 is usually enough).",
            );
            let label = ui.label("Seed");
            ui.add(egui::DragValue::new(&mut self.params.seed))
                .labelled_by(label.id)
                .on_hover_text(
                    "The map starts from the first two principal components; the same seed and \
                     settings give the same map.",
                );
            ui.separator();
            if ex.is_embedding() {
                if ui.button("Cancel map").on_hover_text("Stop the t-SNE map.").clicked() {
                    commands.push(Command::Explore(ExploreCommand::CancelEmbed));
                }
            } else if ui
                .add_enabled(ex.prepared().is_some(), egui::Button::new("Run"))
                .on_hover_text("Compute the map with these settings.")
                .clicked()
            {
                commands.push(Command::Explore(ExploreCommand::Embed(self.params)));
            }
        });
    }
}

impl View for MapPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        let ex = &state.explorer;
        let Some(prepared) = ex.prepared() else {
            ui.add_space(40.0);
            ui.vertical_centered(|ui| match ex.activity() {
                Some(a) => {
                    ui.spinner();
                    ui.label(format!("{}… ({})", a.what, a.stage));
                }
                None if state.dataset().is_none() => {
                    ui.label("Open a CSV to see its map here.");
                }
                None => {
                    ui.label("Choose at least one feature in the Prepare panel on the left.");
                }
            });
            return;
        };
        if !ex.embed_attempted() && !ex.is_embedding() && ex.result().is_some() {
            commands.push(Command::Explore(ExploreCommand::Embed(self.params)));
        }
        self.controls_ui(ui, state, commands);
        if let Some(e) = ex.embed_error() {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let n = prepared.n_rows();
        let (rows, xy, note) = if let Some(live) = ex.live_map() {
            let note = format!(
                "t-SNE running: epoch {} of {}{}",
                live.epoch,
                live.iterations,
                sampled_note(live.rows.len(), live.n_total)
            );
            (live.rows, live.xy, note)
        } else if let Some(e) = ex.embedding() {
            let note = format!(
                "t-SNE map, perplexity {}, {} iterations, seed {}{}; rows that are alike sit \
                 together, but distances between far groups mean little",
                e.params.perplexity,
                e.params.iterations,
                e.params.seed,
                sampled_note(e.rows.len(), e.n_total)
            );
            (Arc::clone(&e.rows), Arc::clone(&e.xy), note)
        } else {
            ui.add_space(40.0);
            ui.vertical_centered(|ui| {
                if ex.result().is_none() {
                    ui.spinner();
                    ui.label("The map appears once the segments are fitted.");
                } else {
                    ui.label(format!(
                        "No map yet: press Run to embed the {} rows.",
                        fmt_count(n)
                    ));
                }
            });
            return;
        };
        if xy.is_empty() {
            ui.add_space(40.0);
            ui.vertical_centered(|ui| {
                ui.spinner();
                ui.label("Finding each row's neighbours…");
            });
            return;
        }
        if !self.points.map_ui(ui, state, commands, &rows, &xy, &note) {
            ui.label(RichText::new("The map appears once the segments are fitted.").weak());
        }
    }
}

/// "; a stratified sample of 50,000 of 120,000 rows (per segment)" when sampled.
fn sampled_note(shown: usize, total: usize) -> String {
    if shown < total {
        format!(
            "; a stratified sample of {} of {} rows (kept per segment; above {} rows the map is \
             sampled)",
            fmt_count(shown),
            fmt_count(total),
            fmt_count(MAX_ROWS)
        )
    } else {
        format!("; all {} rows", fmt_count(total))
    }
}
