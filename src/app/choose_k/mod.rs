//! The Choose K tab: the sweep curves (silhouette, Davies-Bouldin, Calinski-Harabasz, inertia with its
//! knee, BIC for GMM) drawn as rows arrive, the recommended K with its reason, the data's cluster
//! tendency (Hopkins statistic, distinct rows; measured by the run API's sweep with
//! [`crate::analysis::tendency`]),
//! and K picking. The plots are in [`plots`].

mod plots;

use egui::{Color32, RichText, Ui, vec2};

use super::View;
use super::explore::{ExploreCommand, SweepView};
use super::format::method_label;
use super::state::{AppState, Command};
use super::theme::ChartPalette;
use crate::analysis::recommend::Recommendation;
use crate::analysis::tendency::Tendency;
use crate::cluster::Method;

/// Smallest and largest K the range editors accept.
const K_LIMITS: (usize, usize) = (2, 50);

/// The Choose K tab.
#[derive(Debug, Default)]
pub struct ChooseKPanel {
    /// K range being dragged (sent when the drag ends, so a drag does not restart the sweep each frame).
    pending_range: Option<(usize, usize)>,
}

impl View for ChooseKPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        if state.dataset().is_none() {
            ui.centered_and_justified(|ui| {
                if state.is_loading() {
                    ui.label("Loading…");
                } else {
                    ui.label(
                        "No data loaded. Open a CSV (Ctrl+O) to choose the number of segments.",
                    );
                }
            });
            return;
        }
        if state.explorer.model.method.is_density() {
            return super::density_view::ui(ui, state, commands);
        }
        self.controls_ui(ui, state, commands);
        ui.separator();
        let explorer = &state.explorer;
        let Some(sweep) = explorer.sweep() else {
            ui.add_space(20.0);
            ui.vertical_centered(|ui| {
                if explorer.is_preparing() {
                    ui.spinner();
                    ui.label("Preparing the features…");
                } else if explorer.prepared().is_none() {
                    ui.label(
                        "Nothing to sweep yet: choose at least one feature in the Prepare panel.",
                    );
                } else {
                    ui.label(
                        "No sweep: the K range does not fit the data (K must be below the number of \
                         rows).",
                    );
                }
            });
            return;
        };
        // The run API's sweep measures the data's cluster tendency and its recommendation takes it
        // into account (K ≥ distinct rows left out, no "structure" reading on unstructured data): the
        // same recommendation as `segscope sweep`, and the K the fit uses.
        let tendency = sweep.done.as_ref().and_then(|d| d.tendency.as_ref());
        let rec: Option<&Recommendation> = sweep.done.as_ref().map(|d| &d.recommendation);
        recommendation_ui(ui, state, sweep, rec);
        tendency_ui(ui, tendency, sweep.done.is_none());
        k_picker_ui(ui, state, sweep, rec, commands);
        ui.add_space(4.0);
        legend_ui(ui);
        ui.add_space(2.0);
        let marks = plots::Marks {
            recommended: rec.and_then(|r| r.k),
            knee: rec.and_then(|r| r.knee_k),
            current: explorer.current_k(),
        };
        plots::plots_ui(ui, state, sweep, marks, commands);
    }
}

/// One line on the data's cluster tendency, with the conventions in the tooltip.
fn tendency_ui(ui: &mut Ui, tendency: Option<&Tendency>, running: bool) {
    let help = "Hopkins statistic (factoextra's get_clust_tendency convention): about 0.5 when the \
                rows are spread like uniform random points, near 1 when they bunch into clusters; 0.75 \
                or more is read as a clustering tendency. A single round blob also scores 0.65–0.8, so \
                a high value means \"not uniform\", not \"several segments\". For one feature, the \
                bimodality coefficient checks for more than one hump (above 0.56).";
    ui.horizontal_wrapped(|ui| {
        if let Some(t) = tendency {
            let mut text = super::format::fmt_count(t.distinct_rows);
            if t.distinct_capped {
                text = format!("more than {text}");
            }
            let line = format!("Cluster tendency: {} · {text} distinct rows", t.headline());
            let rich = RichText::new(line);
            let rich = if t.has_structure() {
                rich.weak()
            } else {
                rich.color(ui.visuals().warn_fg_color)
            };
            ui.label(rich)
                .on_hover_text(format!("{}\n\n{help}", sentence(&t.summary())));
        } else if running {
            ui.weak("Cluster tendency: measured when the sweep finishes");
        }
    });
}

impl ChooseKPanel {
    fn controls_ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        let model = state.explorer.model;
        ui.horizontal_wrapped(|ui| {
            let method_name = ui
                .label("Method")
                .on_hover_text("The clustering method swept over K.");
            let mut method = model.method;
            egui::ComboBox::from_id_salt("choose_k_method")
                .selected_text(method_label(method))
                .width(150.0)
                .show_ui(ui, |ui| {
                    for m in Method::ALL.into_iter().chain(Method::DENSITY) {
                        ui.selectable_value(&mut method, m, method_label(m))
                            .on_hover_text(method_help(m));
                    }
                })
                .response
                .labelled_by(method_name.id);
            if method != model.method {
                commands.push(Command::Explore(ExploreCommand::SetMethod(method)));
            }
            ui.separator();
            let (mut lo, mut hi) = self.pending_range.unwrap_or((model.k_min, model.k_max));
            let from = ui.label("K from");
            let r_lo = ui
                .add(egui::DragValue::new(&mut lo).range(K_LIMITS.0..=K_LIMITS.1))
                .labelled_by(from.id)
                .on_hover_text("Smallest number of segments tried.");
            let to = ui.label("to");
            let r_hi = ui
                .add(egui::DragValue::new(&mut hi).range(K_LIMITS.0..=K_LIMITS.1))
                .labelled_by(to.id)
                .on_hover_text("Largest number of segments tried.");
            if r_lo.changed() || r_hi.changed() {
                if lo > hi {
                    if r_lo.changed() {
                        hi = lo;
                    } else {
                        lo = hi;
                    }
                }
                self.pending_range = Some((lo, hi));
            }
            if !(r_lo.dragged() || r_hi.dragged() || r_lo.has_focus() || r_hi.has_focus())
                && let Some((lo, hi)) = self.pending_range.take()
                && (lo, hi) != (model.k_min, model.k_max)
            {
                commands.push(Command::Explore(ExploreCommand::SetKRange(lo, hi)));
            }
            ui.separator();
            super::plot_export::save_button(ui, super::plot_export::PlotKind::Curves, commands);
        });
    }
}

fn method_help(m: Method) -> &'static str {
    match m {
        Method::Kmeans => "Round, similar-sized segments; fast on large data.",
        Method::Gmm => {
            "Elliptical segments with a membership probability per row; scored by BIC as well."
        }
        Method::Ward => "Hierarchical: merges the pair that least increases within-segment spread.",
        Method::Average => "Hierarchical: merges by average distance between rows.",
        Method::Complete => "Hierarchical: merges by the farthest pair of rows (compact segments).",
        Method::Single => {
            "Hierarchical: merges by the nearest pair (follows chains; outliers split)."
        }
        Method::Dbscan | Method::Optics => {
            "Density-based: dense regions become segments; rows in no dense region are outliers."
        }
    }
}

fn recommendation_ui(
    ui: &mut Ui,
    state: &AppState,
    sweep: &SweepView,
    rec: Option<&Recommendation>,
) {
    let explorer = &state.explorer;
    let (Some(_), Some(rec)) = (&sweep.done, rec) else {
        ui.horizontal(|ui| {
            if explorer.is_sweeping() {
                ui.spinner();
                ui.label(format!(
                    "Sweeping… {} of {} ({} K = {}..{})",
                    sweep.rows.len(),
                    sweep.ks.len(),
                    method_label(sweep.method),
                    sweep.ks.first().copied().unwrap_or(0),
                    sweep.ks.last().copied().unwrap_or(0),
                ));
            } else {
                ui.label(
                    "The sweep stopped before it finished; the curves show the K values scored so far.",
                );
            }
        });
        return;
    };
    ui.horizontal_wrapped(|ui| {
        match rec.k {
            Some(k) => ui.label(RichText::new(format!("Recommended: K = {k}")).strong()),
            None => ui.label(RichText::new("No recommendation").strong()),
        };
        ui.label(sentence(&rec.reason));
    });
    let mut notes = Vec::new();
    if sweep.method == Method::Gmm
        && let Some(b) = rec.bic_k
    {
        notes.push(format!("Lowest BIC at K = {b}"));
    }
    if let Some(knee) = rec.knee_k {
        notes.push(format!("Knee of inertia at K = {knee}"));
    }
    let [s, d, c] = rec
        .best_by_index
        .map(|k| k.map_or("—".to_owned(), |k| k.to_string()));
    notes.push(format!(
        "Best K by silhouette {s}, Davies-Bouldin {d}, Calinski-Harabasz {c}"
    ));
    notes.push(match rec.majority_k {
        Some(m) => format!("Majority vote: K = {m}"),
        None => "No majority among the three indices".to_owned(),
    });
    ui.label(RichText::new(notes.join("  ·  ")).weak());
}

/// `reason` as a sentence: capital first letter, final full stop.
fn sentence(reason: &str) -> String {
    let reason = reason.replace("k = ", "K = ");
    let mut chars = reason.chars();
    let mut s: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !s.is_empty() && !s.ends_with('.') {
        s.push('.');
    }
    s
}

fn k_picker_ui(
    ui: &mut Ui,
    state: &AppState,
    sweep: &SweepView,
    rec: Option<&Recommendation>,
    commands: &mut Vec<Command>,
) {
    let explorer = &state.explorer;
    let current = explorer.current_k();
    let shown = explorer.result().map(|r| r.seg.k);
    ui.horizontal_wrapped(|ui| {
        match shown {
            Some(k) => ui.label(RichText::new(format!("Showing K = {k}")).strong()),
            None => ui.label(RichText::new("No segmentation yet").strong()),
        };
        if explorer.is_fitting() {
            ui.spinner();
            if let Some(k) = current {
                ui.label(format!("fitting K = {k}…"));
            }
        }
        ui.separator();
        let (Some(&lo), Some(&hi)) = (sweep.ks.first(), sweep.ks.last()) else {
            return;
        };
        let cur = current.unwrap_or(lo);
        if ui
            .add_enabled(cur > lo, egui::Button::new("<"))
            .on_hover_text("One segment fewer")
            .clicked()
        {
            commands.push(Command::Explore(ExploreCommand::PickK(cur - 1)));
        }
        ui.label("Pick K");
        for &k in &sweep.ks {
            let mut text = RichText::new(k.to_string());
            if Some(k) == rec.and_then(|r| r.k) {
                text = text.underline();
            }
            let r = ui
                .selectable_label(current == Some(k), text)
                .on_hover_text(format!("Show K = {k} segments in every tab"));
            if r.clicked() && current != Some(k) {
                commands.push(Command::Explore(ExploreCommand::PickK(k)));
            }
        }
        if ui
            .add_enabled(cur < hi, egui::Button::new(">"))
            .on_hover_text("One segment more")
            .clicked()
        {
            commands.push(Command::Explore(ExploreCommand::PickK(cur + 1)));
        }
    });
}

fn legend_ui(ui: &mut Ui) {
    let chart = ChartPalette::of(ui.visuals());
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        let swatch = |ui: &mut Ui, color: Color32, dashed: bool| {
            let (rect, _) = ui.allocate_exact_size(vec2(18.0, 12.0), egui::Sense::hover());
            let y = rect.center().y;
            if dashed {
                for i in 0..3 {
                    let x = rect.left() + i as f32 * 7.0;
                    ui.painter()
                        .line_segment([egui::pos2(x, y), egui::pos2(x + 4.0, y)], (2.0, color));
                }
            } else {
                ui.painter().circle_filled(rect.center(), 5.0, color);
            }
        };
        swatch(ui, chart.recommended, true);
        ui.weak("recommended K");
        ui.add_space(10.0);
        swatch(ui, chart.current, false);
        ui.weak("K shown");
        ui.add_space(10.0);
        swatch(ui, chart.knee, false);
        ui.weak("knee of inertia");
        ui.add_space(10.0);
        ui.weak("· click a plot to pick K")
            .on_hover_text("Click a plot to show the nearest K in every tab. Hover a plot's title for what is good.");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_sentences() {
        assert_eq!(
            sentence("k = 3 is best; bends at k = 4"),
            "K = 3 is best; bends at K = 4."
        );
        assert_eq!(sentence(""), "");
    }
}
