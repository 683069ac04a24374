// Length: ~655 lines of code: the linked curve plots share one layout, axis and picking code; the rest is unit tests.
//! The Choose K tab: the sweep curves (silhouette, Davies-Bouldin, Calinski-Harabasz, inertia with its
//! knee, BIC for GMM) drawn as rows arrive, the recommended K with its reason, and K picking.

use std::fmt::Write as _;

use egui::{Align2, Color32, Id, RichText, Ui, vec2};
use egui_plot::{
    GridInput, GridMark, HoverPosition, Line, LineStyle, MarkerShape, Plot, PlotPoint, Points,
    Span, Text, VLine,
};

use super::View;
use super::explore::{ExploreCommand, SweepView};
use super::format::{fmt_compact, fmt_num, method_label};
use super::state::{AppState, Command};
use super::theme::ChartPalette;
use crate::analysis::SweepRow;
use crate::cluster::Method;

/// Smallest and largest K the range editors accept.
const K_LIMITS: (usize, usize) = (2, 50);

/// Space between plots of the grid.
const GAP: f32 = 10.0;

/// The Choose K tab.
#[derive(Debug, Default)]
pub struct ChooseKPanel {
    /// K range being dragged (sent when the drag ends, so a drag does not restart the sweep each frame).
    pending_range: Option<(usize, usize)>,
}

/// One curve of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    Silhouette,
    DaviesBouldin,
    CalinskiHarabasz,
    Inertia,
    Bic,
}

impl Metric {
    fn title(self) -> &'static str {
        match self {
            Metric::Silhouette => "Silhouette",
            Metric::DaviesBouldin => "Davies-Bouldin",
            Metric::CalinskiHarabasz => "Calinski-Harabasz",
            Metric::Inertia => "Inertia",
            Metric::Bic => "BIC",
        }
    }

    fn better(self) -> &'static str {
        match self {
            Metric::Silhouette | Metric::CalinskiHarabasz => "higher is better",
            Metric::DaviesBouldin | Metric::Bic => "lower is better",
            Metric::Inertia => "look for the knee",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Metric::Silhouette => {
                concat!(
                    "Silhouette: how much closer rows are to their own segment than to the next. ",
                    "Above 0.70 strong structure, 0.51–0.70 reasonable, 0.26–0.50 weak (could be ",
                    "artificial), 0.25 or less no substantial structure (Kaufman & Rousseeuw). ",
                    "Higher is better."
                )
            }
            Metric::DaviesBouldin => {
                "Davies-Bouldin: how much each segment overlaps its most similar neighbour, relative to \
                 their spread. Lower is better: 0 means no overlap, below about 1 is good."
            }
            Metric::CalinskiHarabasz => {
                "Calinski-Harabasz: spread between segments relative to spread within them. Higher is \
                 better; it has no absolute scale, so compare K values with each other only."
            }
            Metric::Inertia => {
                "Inertia: total squared distance of rows to their segment centre. It always falls as K \
                 grows; the knee (marked) is where one more segment stops paying off."
            }
            Metric::Bic => {
                "BIC (Gaussian mixture): how well the mixture fits, penalised by its number of \
                 parameters. Lower is better; a drop of more than 10 is strong evidence for the larger K."
            }
        }
    }

    fn value(self, r: &SweepRow) -> Option<f64> {
        let v = match self {
            Metric::Silhouette => r.silhouette,
            Metric::DaviesBouldin => r.davies_bouldin,
            Metric::CalinskiHarabasz => r.calinski_harabasz,
            Metric::Inertia => r.inertia,
            Metric::Bic => r.bic,
        };
        v.filter(|x| x.is_finite())
    }
}

/// The metrics plotted for `method` (BIC only for Gaussian mixtures).
fn metrics_for(method: Method) -> Vec<Metric> {
    let mut m = vec![
        Metric::Silhouette,
        Metric::DaviesBouldin,
        Metric::CalinskiHarabasz,
        Metric::Inertia,
    ];
    if method == Method::Gmm {
        m.push(Metric::Bic);
    }
    m
}

/// The finite values of `metric` as polyline pieces: a row whose value is undefined breaks the line
/// (never drawn as 0).
fn curve_pieces(rows: &[SweepRow], metric: Metric) -> Vec<Vec<[f64; 2]>> {
    let mut pieces = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    for r in rows {
        if let Some(v) = metric.value(r) {
            current.push([r.k as f64, v]);
        } else if !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// The K of `ks` nearest to `x` (ties to the smaller K).
fn nearest_k(ks: &[usize], x: f64) -> Option<usize> {
    ks.iter()
        .copied()
        .min_by(|a, b| (*a as f64 - x).abs().total_cmp(&(*b as f64 - x).abs()))
}

/// Integer tick step so labels at least ~30 px apart fit (`base_step` is 8 px in plot units).
fn integer_step(base_step: f64) -> i64 {
    let min_step = base_step * 4.0;
    [1, 2, 5, 10, 20, 50]
        .into_iter()
        .find(|&s| s as f64 >= min_step)
        .unwrap_or(100)
}

fn integer_marks(input: &GridInput) -> Vec<GridMark> {
    let step = integer_step(input.base_step_size);
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 10_000.0 {
        return Vec::new();
    }
    let (first, last) = (lo.ceil() as i64, hi.floor() as i64);
    (first..=last)
        .filter(|k| k % step == 0)
        .map(|k| GridMark {
            value: k as f64,
            step_size: step as f64,
        })
        .collect()
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
        recommendation_ui(ui, state, sweep);
        k_picker_ui(ui, state, sweep, commands);
        ui.add_space(4.0);
        legend_ui(ui);
        ui.add_space(2.0);
        plots_ui(ui, state, sweep, commands);
    }
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
                    for m in Method::ALL {
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

fn recommendation_ui(ui: &mut Ui, state: &AppState, sweep: &SweepView) {
    let explorer = &state.explorer;
    let Some(done) = &sweep.done else {
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
    let rec = &done.recommendation;
    ui.horizontal_wrapped(|ui| {
        match rec.k {
            Some(k) => ui.label(RichText::new(format!("Recommended: K = {k}")).strong()),
            None => ui.label(RichText::new("No recommendation").strong()),
        };
        ui.label(sentence(&rec.reason));
    });
    let mut notes = Vec::new();
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

fn k_picker_ui(ui: &mut Ui, state: &AppState, sweep: &SweepView, commands: &mut Vec<Command>) {
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
            if Some(k) == sweep.done.as_ref().and_then(|d| d.recommendation.k) {
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
        ui.weak("· Click a plot to show the nearest K. Hover a title for what is good.");
    });
}

fn plots_ui(ui: &mut Ui, state: &AppState, sweep: &SweepView, commands: &mut Vec<Command>) {
    let metrics = metrics_for(sweep.method);
    let cols = if metrics.len() > 4 { 3 } else { 2 };
    let rows = metrics.len().div_ceil(cols);
    let avail = ui.available_size();
    let cell_w = ((avail.x - GAP * (cols - 1) as f32) / cols as f32).max(220.0);
    let cell_h = ((avail.y - 4.0 - GAP * (rows - 1) as f32) / rows as f32).max(180.0);
    let sampled = sweep.done.as_ref().map_or_else(
        || {
            state
                .explorer
                .prepared()
                .is_some_and(|p| !state.explorer.policy.exact_silhouette(p.n_rows()))
        },
        |d| d.silhouette_sampled,
    );
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing = vec2(GAP, GAP);
            for chunk in metrics.chunks(cols) {
                ui.horizontal(|ui| {
                    for &metric in chunk {
                        ui.allocate_ui(vec2(cell_w, cell_h), |ui| {
                            ui.set_width(cell_w);
                            ui.vertical(|ui| {
                                ui.spacing_mut().item_spacing = vec2(6.0, 2.0);
                                metric_plot_ui(
                                    ui,
                                    state,
                                    sweep,
                                    metric,
                                    vec2(cell_w, cell_h),
                                    sampled,
                                    commands,
                                );
                            });
                        });
                    }
                });
            }
        });
}

fn metric_plot_ui(
    ui: &mut Ui,
    state: &AppState,
    sweep: &SweepView,
    metric: Metric,
    size: egui::Vec2,
    sampled: bool,
    commands: &mut Vec<Command>,
) {
    let chart = ChartPalette::of(ui.visuals());
    let explorer = &state.explorer;
    let title = if metric == Metric::Silhouette && sampled {
        "Silhouette (sampled)".to_owned()
    } else {
        metric.title().to_owned()
    };
    let title_h = ui
        .horizontal(|ui| {
            let mut help = metric.help().to_owned();
            if metric == Metric::Silhouette && sampled {
                let _ = write!(
                    help,
                    "\n\nEstimated from a sample of rows: the data has more than {} rows, too many \
                     for exact silhouettes at every K.",
                    crate::app::format::fmt_count(state.explorer.policy.exact_silhouette_rows)
                );
            }
            ui.label(RichText::new(title).strong()).on_hover_text(&help);
            ui.label(RichText::new(format!("({})", metric.better())).weak())
                .on_hover_text(&help);
            if sweep.done.is_none() && explorer.is_sweeping() {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(
                        RichText::new(format!(
                            "Sweeping… {} of {}",
                            sweep.rows.len(),
                            sweep.ks.len()
                        ))
                        .weak(),
                    );
                    ui.spinner();
                });
            }
        })
        .response
        .rect
        .height();

    let pieces = curve_pieces(&sweep.rows, metric);
    let has_values = pieces.iter().any(|p| !p.is_empty());
    let (k_lo, k_hi) = (
        sweep.ks.first().copied().unwrap_or(2) as f64,
        sweep.ks.last().copied().unwrap_or(10) as f64,
    );
    let recommended = sweep.done.as_ref().and_then(|d| d.recommendation.k);
    let knee = sweep.done.as_ref().and_then(|d| d.recommendation.knee_k);
    let current = explorer.current_k();
    let value_at = |k: usize| {
        sweep
            .rows
            .iter()
            .find(|r| r.k == k)
            .and_then(|r| metric.value(r))
    };
    let y_name = metric.title();
    let plot_h = (size.y - title_h - 6.0).max(120.0);
    let mut plot = Plot::new(("choose_k_plot", metric.title()))
        .width(size.x)
        .height(plot_h)
        .x_axis_label("K")
        .y_axis_label(y_name)
        .x_grid_spacer(|input| integer_marks(&input))
        .x_axis_formatter(|mark, _| {
            if mark.value.fract() == 0.0 && mark.value >= 1.0 {
                format!("{}", mark.value as i64)
            } else {
                String::new()
            }
        })
        .y_axis_formatter(|mark, _| fmt_compact(mark.value))
        .y_axis_min_width(36.0)
        .default_x_bounds(k_lo - 0.5, k_hi + 0.5)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_crosshair(false)
        .link_cursor(Id::unique("choose_k_cursor"), [true, false])
        .label_formatter(move |pos| match pos {
            HoverPosition::NearDataPoint { position, .. } => Some(format!(
                "K = {}\n{y_name} = {}",
                position.x.round(),
                fmt_num(position.y)
            )),
            HoverPosition::Elsewhere { .. } => None,
        });
    if !has_values {
        plot = plot.default_y_bounds(0.0, 1.0);
    }
    let response = plot.show(ui, |plot_ui| {
        if let Some(k) = current {
            plot_ui.span(
                Span::new("", (k as f64 - 0.35)..=(k as f64 + 0.35)).fill(chart.current_band),
            );
        }
        if let Some(k) = recommended {
            plot_ui.vline(
                VLine::new("recommended K", k as f64)
                    .color(chart.recommended)
                    .width(1.5)
                    .style(LineStyle::dashed_loose()),
            );
        }
        for (i, piece) in pieces.iter().enumerate() {
            plot_ui.line(
                Line::new(format!("{y_name} {i}"), piece.clone())
                    .name(y_name)
                    .color(chart.curve)
                    .width(2.0),
            );
            plot_ui.points(
                Points::new(y_name, piece.clone())
                    .color(chart.curve)
                    .radius(3.0)
                    .shape(MarkerShape::Circle),
            );
        }
        if let Some(k) = current
            && let Some(v) = value_at(k)
        {
            plot_ui.points(
                Points::new("K shown", vec![[k as f64, v]])
                    .color(chart.current)
                    .radius(6.0)
                    .shape(MarkerShape::Circle),
            );
        }
        if metric == Metric::Inertia
            && let Some(k) = knee
            && let Some(v) = value_at(k)
        {
            plot_ui.points(
                Points::new("knee", vec![[k as f64, v]])
                    .color(chart.knee)
                    .radius(7.0)
                    .filled(false)
                    .shape(MarkerShape::Diamond),
            );
            plot_ui.text(
                Text::new(
                    "knee label",
                    PlotPoint::new(k as f64, v),
                    RichText::new("   knee").size(13.0),
                )
                .color(chart.knee)
                .anchor(Align2::LEFT_BOTTOM),
            );
        }
        if !has_values {
            let note = if sweep.done.is_some() || !explorer.is_sweeping() {
                "Not defined for these K"
            } else {
                "Waiting for the first K…"
            };
            plot_ui.text(
                Text::new("note", PlotPoint::new(f64::midpoint(k_lo, k_hi), 0.5), note)
                    .color(ui_weak(plot_ui.ctx())),
            );
        }
    });
    let r = response.response.on_hover_text(metric.help());
    if r.clicked()
        && let Some(pos) = r.interact_pointer_pos()
    {
        let x = response.transform.value_from_position(pos).x;
        if let Some(k) = nearest_k(&sweep.ks, x)
            && current != Some(k)
        {
            commands.push(Command::Explore(ExploreCommand::PickK(k)));
        }
    }
}

fn ui_weak(ctx: &egui::Context) -> Color32 {
    ctx.global_style().visuals.weak_text_color()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(k: usize, sil: Option<f64>) -> SweepRow {
        SweepRow {
            k,
            inertia: Some(100.0 / k as f64),
            silhouette: sil,
            davies_bouldin: Some(1.0),
            calinski_harabasz: Some(f64::NAN),
            bic: None,
            skipped: None,
            stability: None,
            gap: None,
            gap_se: None,
        }
    }

    #[test]
    fn undefined_values_break_the_curve_instead_of_dropping_to_zero() {
        let rows = [
            row(2, Some(0.5)),
            row(3, None),
            row(4, Some(0.4)),
            row(5, Some(0.3)),
        ];
        let pieces = curve_pieces(&rows, Metric::Silhouette);
        assert_eq!(pieces, vec![vec![[2.0, 0.5]], vec![[4.0, 0.4], [5.0, 0.3]]]);
        assert!(
            curve_pieces(&rows, Metric::CalinskiHarabasz).is_empty(),
            "NaN skipped"
        );
        assert!(curve_pieces(&rows, Metric::Bic).is_empty());
        assert_eq!(curve_pieces(&rows, Metric::Inertia)[0].len(), 4);
    }

    #[test]
    fn clicks_pick_the_nearest_k_and_ticks_are_integers() {
        let ks = [2, 3, 4, 5];
        assert_eq!(nearest_k(&ks, 3.4), Some(3));
        assert_eq!(nearest_k(&ks, 3.6), Some(4));
        assert_eq!(nearest_k(&ks, -10.0), Some(2));
        assert_eq!(nearest_k(&ks, 99.0), Some(5));
        assert_eq!(nearest_k(&[], 3.0), None);
        let marks = integer_marks(&GridInput {
            bounds: (1.5, 10.5),
            base_step_size: 0.05,
        });
        let values: Vec<f64> = marks.iter().map(|m| m.value).collect();
        assert_eq!(values, (2..=10).map(f64::from).collect::<Vec<_>>());
        let sparse = integer_marks(&GridInput {
            bounds: (1.5, 50.5),
            base_step_size: 1.0,
        });
        assert!(sparse.iter().all(|m| m.value % 5.0 == 0.0), "{sparse:?}");
        assert_eq!(metrics_for(Method::Gmm).last(), Some(&Metric::Bic));
        assert!(!metrics_for(Method::Ward).contains(&Metric::Bic));
    }

    #[test]
    fn reasons_read_as_sentences() {
        assert_eq!(
            sentence("k = 3 is best; bends at k = 4"),
            "K = 3 is best; bends at K = 4."
        );
        assert_eq!(sentence(""), "");
    }
}
