//! The Dendrogram tab's header rows: what is shown, the K controls, the segment sizes at the cut and the
//! how-to hint.

use egui::{RichText, Ui};

use super::{DendrogramPanel, MAX_CUT_K};
use crate::app::explore::ExploreCommand;
use crate::app::format::{fmt_count, fmt_num, fmt_percent};
use crate::app::scatter::chip;
use crate::app::state::{AppState, Command};
use crate::app::theme::{Palette, segment_color};
use crate::cluster::Dendrogram;
use crate::cluster::hierarchy::Truncated;

/// Segment sizes listed after the cut; more are summarised.
const SIZES_LISTED: usize = 12;

/// The how-to line under the header: cutting, panning, zooming, resetting.
pub const HINT: &str = "Drag the red line (or near it) to cut; drag elsewhere or scroll to pan, \
                        Ctrl+scroll to zoom, double-click to reset the view.";

/// "Ward linkage · 3,000 rows", and a warning when the tree is approximate.
pub(super) fn title_ui(ui: &mut Ui, tree: &Dendrogram, palette: &Palette) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{} linkage", capitalized(tree.method.name()))).strong());
        ui.label(format!("· {} rows", fmt_count(tree.n_rows())));
        if tree.approximate {
            ui.label(
                RichText::new(format!(
                    "· approximate: {} on {} k-means micro-clusters of {} rows",
                    capitalized(tree.method.name()),
                    fmt_count(tree.n_leaves),
                    fmt_count(tree.n_rows())
                ))
                .color(palette.warn_text),
            )
            .on_hover_text(
                "Too many rows for an exact tree: rows were first grouped into micro-clusters by \
                 k-means, and the tree merges those (weighted by their rows). Cuts are close to, \
                 but not exactly, the exact tree's.",
            );
        }
    });
}

/// One button per swept K (the recommended one underlined) and a K field.
pub(super) fn k_controls_ui(
    ui: &mut Ui,
    panel: &mut DendrogramPanel,
    state: &AppState,
    k: usize,
    tree: &Dendrogram,
    commands: &mut Vec<Command>,
) {
    let ex = &state.explorer;
    let max_k = MAX_CUT_K.min(tree.n_leaves);
    let dragging = panel.dragging().is_some();
    ui.horizontal_wrapped(|ui| {
        ui.label("Segments:");
        let ks: Vec<usize> = ex
            .sweep()
            .map(|s| s.ks.clone())
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| (2..=10).collect());
        let recommended = ex
            .sweep()
            .and_then(|s| s.done.as_ref())
            .and_then(|d| d.recommended_k);
        for cand in ks.into_iter().filter(|&c| c <= max_k) {
            let text = if Some(cand) == recommended {
                RichText::new(cand.to_string()).strong().underline()
            } else {
                RichText::new(cand.to_string())
            };
            let mut r = ui.selectable_label(k == cand && !dragging, text);
            if Some(cand) == recommended {
                r = r.on_hover_text(format!(
                    "{cand} segments: recommended by the K sweep (underlined)"
                ));
            } else {
                r = r.on_hover_text(format!("Cut the tree into {cand} segments"));
            }
            if r.clicked() {
                panel.k_field = cand;
                commands.push(Command::Explore(ExploreCommand::PickK(cand)));
            }
        }
        ui.separator();
        ui.label("K");
        let r = ui
            .add(egui::DragValue::new(&mut panel.k_field).range(1..=max_k))
            .on_hover_text(format!(
                "Any number of segments from 1 to {max_k}; the cut line snaps to it"
            ));
        let commit =
            r.lost_focus() || r.drag_stopped() || (r.changed() && !r.has_focus() && !r.dragged());
        if commit && panel.k_field != k {
            commands.push(Command::Explore(ExploreCommand::PickK(panel.k_field)));
        }
        if ex.is_fitting() {
            ui.spinner();
            ui.label(RichText::new("fitting…").weak());
        }
        ui.separator();
        crate::app::plot_export::save_button(
            ui,
            crate::app::plot_export::PlotKind::Dendrogram,
            commands,
        );
    });
}

/// "Cut at height 12.3 · 4 segments:" (or "Release to cut at …" while dragging) and the sizes.
pub(super) fn sizes_ui(ui: &mut Ui, sizes: &[usize], shown_h: f64, dragging: bool) {
    ui.horizontal_wrapped(|ui| {
        let total: usize = sizes.iter().sum();
        let lead = if dragging {
            format!(
                "Release to cut at {} into {} segments:",
                fmt_num(shown_h),
                sizes.len()
            )
        } else {
            format!(
                "Cut at height {} · {} segments:",
                fmt_num(shown_h),
                sizes.len()
            )
        };
        ui.label(RichText::new(lead).strong());
        for (s, &size) in sizes.iter().enumerate().take(SIZES_LISTED) {
            chip(ui, segment_color(s));
            ui.label(format!(
                "{} ({})",
                fmt_count(size),
                fmt_percent(size, total)
            ))
            .on_hover_text(format!("Segment {s}: {} rows", fmt_count(size)));
        }
        if sizes.len() > SIZES_LISTED {
            ui.label(format!("… {} more", sizes.len() - SIZES_LISTED));
        }
    });
}

/// The truncation note (if the tree is truncated) and [`HINT`].
pub(super) fn hint_ui(ui: &mut Ui, truncated: &Truncated) {
    let text = if truncated.collapsed {
        format!(
            "Showing the top {} merges; leaves marked (n) are collapsed subtrees of n rows. {HINT}",
            truncated.tree.merges.len()
        )
    } else {
        HINT.to_owned()
    };
    ui.label(RichText::new(text).weak());
}

/// "ward" → "Ward".
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}
