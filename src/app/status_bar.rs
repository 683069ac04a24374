//! The bottom status bar: rows × features, method, K and silhouette on the left; the running job (what,
//! stage, progress, Cancel) on the right, and a note when a hierarchical tree is large.

use egui::{Align, Layout, RichText, Ui};

use super::explore::{Activity, ExploreCommand};
use super::format::{count, fmt_count, fmt_num, method_label};
use super::state::{AppState, Command};
use super::theme::Palette;
use crate::cluster::Method;
use crate::cluster::hierarchy::{EXACT_MAX_ROWS, exact_memory_bytes};
use crate::error::human_bytes;

/// Above this, the exact tree's memory is worth a note in the status bar.
const BIG_TREE_BYTES: u64 = 512 << 20;

/// Draws the status bar.
pub fn status_bar_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let palette = Palette::of(ui.visuals());
    ui.add_space(2.0);
    ui.horizontal(|ui| {
        ui.label(summary_text(state));
        let explorer = &state.explorer;
        if let Some(n) = explorer.prepared().map(|p| p.n_rows())
            && let Some(note) = tree_note(explorer.model.method, n)
        {
            ui.separator();
            ui.label(RichText::new(note.short).color(palette.missing))
                .on_hover_text(note.long);
        }
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            for a in state.file_activities() {
                if ui
                    .button("Cancel")
                    .on_hover_text("Stop writing; no file is left behind")
                    .clicked()
                {
                    commands.push(Command::CancelFileJobs);
                }
                activity_ui(ui, &a);
                ui.separator();
            }
            if let Some(a) = explorer.activity() {
                if ui
                    .button("Cancel")
                    .on_hover_text("Stop the running computation; what is shown stays")
                    .clicked()
                {
                    commands.push(Command::Explore(ExploreCommand::Cancel));
                }
                activity_ui(ui, &a);
            }
        });
    });
    ui.add_space(2.0);
}

/// Right to left: progress bar, then what and stage, then a spinner.
fn activity_ui(ui: &mut Ui, a: &Activity) {
    let bar = egui::ProgressBar::new(a.fraction.unwrap_or(0.0)).desired_width(120.0);
    let bar = match a.fraction {
        Some(f) => bar.text(format!("{:.0}%", f * 100.0)),
        None => bar.animate(true),
    };
    ui.add(bar);
    if a.stage.is_empty() {
        ui.label(&a.what);
    } else {
        ui.label(format!("{} · {}", a.what, a.stage));
    }
    ui.spinner();
}

/// "3,000 rows × 9 features · K-Means · K = 5 · silhouette 0.44", as far as it is known.
pub fn summary_text(state: &AppState) -> String {
    let explorer = &state.explorer;
    let mut parts = Vec::new();
    match (explorer.prepared(), state.dataset()) {
        (Some(p), _) => parts.push(format!(
            "{} × {}",
            count(p.n_rows(), "row"),
            count(p.prepared.feature_names.len(), "feature")
        )),
        (None, Some(d)) => parts.push(format!("{} rows", fmt_count(d.table.n_rows()))),
        (None, None) => return "No data".to_owned(),
    }
    let method = explorer
        .result()
        .map_or(explorer.model.method, |r| r.seg.method);
    parts.push(method_label(method).to_owned());
    if let Some(r) = explorer.result() {
        parts.push(format!("K = {}", r.seg.k));
        if let Some(s) = r.silhouette_mean {
            let sampled = if r.silhouette_sampled.is_some() {
                " (sampled)"
            } else {
                ""
            };
            parts.push(format!("silhouette {}{sampled}", fmt_num(s)));
        }
    }
    parts.join(" · ")
}

/// A note about the hierarchical tree's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNote {
    /// For the status bar.
    pub short: String,
    /// For the tooltip.
    pub long: String,
}

/// What to say about the tree of `method` on `n` rows: approximate above [`EXACT_MAX_ROWS`], the memory
/// of the exact tree when it is large, nothing otherwise (and nothing for k-means / GMM).
pub fn tree_note(method: Method, n: usize) -> Option<TreeNote> {
    if !method.is_hierarchical() {
        return None;
    }
    let name = method_label(method);
    let bytes = exact_memory_bytes(n);
    if n > EXACT_MAX_ROWS {
        Some(TreeNote {
            short: format!(
                "{name} on {} rows uses an approximate tree (micro-clusters)",
                fmt_count(n)
            ),
            long: format!(
                "An exact tree on {} rows would need {} of memory; above {} rows segscope merges \
                 micro-clusters instead. Segments are close to the exact ones, the dendrogram's \
                 leaves are micro-clusters.",
                fmt_count(n),
                human_bytes(bytes),
                fmt_count(EXACT_MAX_ROWS)
            ),
        })
    } else if bytes >= BIG_TREE_BYTES {
        Some(TreeNote {
            short: format!(
                "{name} on {} rows: the exact tree needs {}",
                fmt_count(n),
                human_bytes(bytes)
            ),
            long: "The exact tree keeps every pairwise distance in memory while it is built."
                .into(),
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_notes_by_size_and_method() {
        assert_eq!(tree_note(Method::Kmeans, 1_000_000), None);
        assert_eq!(tree_note(Method::Ward, 3_000), None);
        let big = tree_note(Method::Ward, 50_000).unwrap();
        assert_eq!(
            big.short,
            "Ward on 50,000 rows uses an approximate tree (micro-clusters)"
        );
        assert!(big.long.contains("GiB"), "{}", big.long);
        let mid = tree_note(Method::Average, 15_000).unwrap();
        assert!(mid.short.contains("MiB"), "{}", mid.short);
    }
}
