//! The grid of sweep curves of the Choose K tab: one plot per metric, integer K ticks, at least three
//! y ticks, bounds set from the data on every frame (so a new K range or method rescales at once).

use std::fmt::Write as _;

use crate::app::axis_marks::{px_per_unit, value_marks};
use crate::app::plot_export::PlotKind;

use egui::{Align2, Color32, Id, RichText, Ui, vec2};
use egui_plot::{
    AxisHints, GridInput, GridMark, HoverPosition, Line, LineStyle, MarkerShape, Plot, PlotBounds,
    PlotPoint, Points, Span, Text, VLine,
};

use super::super::explore::{ExploreCommand, SweepView};
use super::super::format::{fmt_compact, fmt_num};
use super::super::state::{AppState, Command};
use super::super::theme::ChartPalette;
use crate::analysis::SweepRow;
use crate::analysis::recommend::SILHOUETTE_BANDS;
use crate::cluster::Method;

/// Space between plots of the grid.
const GAP: f32 = 10.0;
/// Narrowest plot cell (fewer columns below that).
const MIN_CELL_W: f32 = 220.0;
/// Lowest plot cell (the grid scrolls below that).
const MIN_CELL_H: f32 = 140.0;
/// Fewest pixels between two y tick labels.
const Y_TICK_PX: f64 = 22.0;
/// Fewest pixels between two K tick labels.
const X_TICK_PX: f64 = 24.0;

/// One curve of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Metric {
    Silhouette,
    DaviesBouldin,
    CalinskiHarabasz,
    Inertia,
    Bic,
    /// Bootstrap stability (mean ARI with its 5–95% band), when the sweep computed it.
    Stability,
    /// Gap statistic, when the sweep computed it.
    Gap,
}

impl Metric {
    pub(super) fn title(self) -> &'static str {
        match self {
            Metric::Silhouette => "Silhouette",
            Metric::DaviesBouldin => "Davies-Bouldin",
            Metric::CalinskiHarabasz => "Calinski-Harabasz",
            Metric::Inertia => "Inertia",
            Metric::Bic => "BIC",
            Metric::Stability => "Stability (ARI)",
            Metric::Gap => "Gap statistic",
        }
    }

    /// The y axis label: short, so it fits the height of a small plot.
    fn axis_name(self) -> &'static str {
        match self {
            Metric::Silhouette => "silhouette",
            Metric::DaviesBouldin => "DB index",
            Metric::CalinskiHarabasz => "CH index",
            Metric::Inertia => "inertia",
            Metric::Bic => "BIC",
            Metric::Stability => "ARI",
            Metric::Gap => "gap",
        }
    }

    fn better(self) -> &'static str {
        match self {
            Metric::Silhouette | Metric::CalinskiHarabasz | Metric::Stability => "higher is better",
            Metric::Gap => "first K within 1 SE of the next",
            Metric::DaviesBouldin | Metric::Bic => "lower is better",
            Metric::Inertia => "look for the knee",
        }
    }

    pub(super) fn help(self) -> String {
        match self {
            Metric::Silhouette => format!("Silhouette: {SILHOUETTE_BANDS} Higher is better."),
            Metric::DaviesBouldin => "Davies-Bouldin: how much each segment overlaps its most \
                 similar neighbour, relative to their spread. Lower is better: 0 means no overlap, \
                 below about 1 is good."
                .to_owned(),
            Metric::CalinskiHarabasz => "Calinski-Harabasz: spread between segments relative to \
                 spread within them. Higher is better; it has no absolute scale, so compare K values \
                 with each other only."
                .to_owned(),
            Metric::Inertia => "Inertia: total squared distance of rows to their segment centre. It \
                 always falls as K grows; the knee (marked) is where one more segment stops paying \
                 off."
                .to_owned(),
            Metric::Bic => "BIC (Gaussian mixture): how well the mixture fits, penalised by its \
                 number of parameters. Lower is better, and the lowest BIC is the recommended K for \
                 mixtures; a drop of more than 10 is strong evidence for the larger K."
                .to_owned(),
            Metric::Stability => "Stability: the rows are resampled (bootstrap) and clustered again \
                 with the same method; the curve is the mean adjusted Rand index between the resampled \
                 and the full-data segments, the dashed lines its 5–95% band. Near 1: the same segments \
                 come back on another sample of customers; below about 0.6 they dissolve (Hennig's \
                 clusterboot)."
                .to_owned(),
            Metric::Gap => "Gap statistic (Tibshirani, Walther & Hastie 2001): how much tighter the \
                 segments are than on uniform reference data. The chosen K is the first K whose gap is \
                 at least the next K's gap minus its standard error."
                .to_owned(),
        }
    }

    pub(super) fn value(self, r: &SweepRow) -> Option<f64> {
        let v = match self {
            Metric::Silhouette => r.silhouette,
            Metric::DaviesBouldin => r.davies_bouldin,
            Metric::CalinskiHarabasz => r.calinski_harabasz,
            Metric::Inertia => r.inertia,
            Metric::Bic => r.bic,
            Metric::Stability => r.stability.as_ref().map(|s| s.ari_mean),
            Metric::Gap => r.gap,
        };
        v.filter(|x| x.is_finite())
    }
}

/// The metrics plotted for `method` (BIC only for Gaussian mixtures).
pub(super) fn metrics_for(method: Method) -> Vec<Metric> {
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
pub(super) fn curve_pieces(rows: &[SweepRow], metric: Metric) -> Vec<Vec<[f64; 2]>> {
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
pub(super) fn nearest_k(ks: &[usize], x: f64) -> Option<usize> {
    ks.iter()
        .copied()
        .min_by(|a, b| (*a as f64 - x).abs().total_cmp(&(*b as f64 - x).abs()))
}

/// Integer tick step so K labels at least [`X_TICK_PX`] apart fit.
fn integer_step(px_per_k: f64) -> i64 {
    [1, 2, 5, 10, 20, 50]
        .into_iter()
        .find(|&s| s as f64 * px_per_k >= X_TICK_PX)
        .unwrap_or(100)
}

/// Integer K marks for the x axis.
pub(super) fn integer_marks(input: &GridInput) -> Vec<GridMark> {
    let step = integer_step(px_per_unit(input));
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

/// Y marks at multiples of the smallest nice step at least [`Y_TICK_PX`] apart, at least three
/// whenever the plot is tall enough.
pub(super) fn y_marks(input: &GridInput) -> Vec<GridMark> {
    value_marks(input, Y_TICK_PX)
}

/// Plot bounds for the K range `[k_lo, k_hi]` and the values of the curves: x half a K beyond the
/// ends, y the values' range with an 8% margin (a flat curve gets ±5% of its value, or ±0.5 at 0; no
/// value gives 0..1).
pub(super) fn plot_bounds(k_lo: f64, k_hi: f64, values: &[f64]) -> PlotBounds {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let (y0, y1) = if lo > hi {
        (0.0, 1.0)
    } else if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo == 0.0 { 0.5 } else { 0.05 * lo.abs() };
        (lo - pad, hi + pad)
    } else {
        let pad = 0.08 * (hi - lo);
        (lo - pad, hi + pad)
    };
    PlotBounds::from_min_max([k_lo - 0.5, y0], [k_hi.max(k_lo) + 0.5, y1])
}

/// What a plot marks: recommended K, K shown, knee.
#[derive(Debug, Clone, Copy)]
pub(super) struct Marks {
    pub recommended: Option<usize>,
    pub knee: Option<usize>,
    pub current: Option<usize>,
}

/// The grid of plots filling the rest of the tab.
pub(super) fn plots_ui(
    ui: &mut Ui,
    state: &AppState,
    sweep: &SweepView,
    marks: Marks,
    commands: &mut Vec<Command>,
) {
    let mut metrics = metrics_for(sweep.method);
    // The extras the sweep computes (stability on by default in the app), from the first frame.
    let extras = state.explorer.extras;
    if extras.stability > 0 && !sweep.method.is_density()
        || sweep.rows.iter().any(|r| r.stability.is_some())
    {
        metrics.push(Metric::Stability);
    }
    if extras.gap > 0 || sweep.rows.iter().any(|r| r.gap.is_some()) {
        metrics.push(Metric::Gap);
    }
    let avail = ui.available_size();
    let fit = ((avail.x + GAP) / (MIN_CELL_W + GAP)).floor().max(1.0) as usize;
    // Two columns: the extra curves (BIC, stability, gap) add rows that scroll rather than squeezing
    // every plot below readable tick spacing.
    let wanted = 2;
    let cols = wanted.min(fit).max(1);
    let rows = metrics.len().div_ceil(cols);
    let cell_w = ((avail.x - GAP * (cols - 1) as f32) / cols as f32).max(MIN_CELL_W.min(avail.x));
    // All rows fill the view, but never shorter than MIN_CELL_H (or two rows filling it, in a small
    // window): a third row (stability, gap) then scrolls instead of squeezing the ticks away.
    let two_rows = (avail.y - 4.0 - GAP) / 2.0;
    let cell_h =
        ((avail.y - 4.0 - GAP * (rows - 1) as f32) / rows as f32).max(MIN_CELL_H.min(two_rows));
    let sampled = sweep.done.as_ref().map_or_else(
        || {
            state
                .explorer
                .prepared()
                .is_some_and(|p| !state.explorer.policy.exact_silhouette(p.n_rows()))
        },
        |d| d.silhouette_sampled,
    );
    let shown = egui::ScrollArea::vertical()
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
                                    (sampled, marks),
                                    commands,
                                );
                            });
                        });
                    }
                });
            }
        });
    // The PNG of the curves is the visible part of the grid.
    crate::app::plot_export::record_rect(ui, shown.inner_rect, PlotKind::Curves);
}

fn metric_plot_ui(
    ui: &mut Ui,
    state: &AppState,
    sweep: &SweepView,
    metric: Metric,
    size: egui::Vec2,
    (sampled, marks): (bool, Marks),
    commands: &mut Vec<Command>,
) {
    let chart = ChartPalette::of(ui.visuals());
    let explorer = &state.explorer;
    let title = if metric == Metric::Silhouette && sampled {
        "Silhouette (sampled)".to_owned()
    } else {
        metric.title().to_owned()
    };
    let mut help = metric.help();
    if metric == Metric::Silhouette && sampled {
        let _ = write!(
            help,
            "\n\nEstimated from a sample of rows: the data has more than {} rows, too many for exact \
             silhouettes at every K.",
            crate::app::format::fmt_count(state.explorer.policy.exact_silhouette_rows)
        );
    }
    // Title and "(higher is better)" only: the sweep's progress is shown once, above the grid, so
    // nothing here can overlap it.
    let title_h = ui
        .horizontal(|ui| {
            ui.label(RichText::new(title).strong()).on_hover_text(&help);
            ui.label(RichText::new(format!("({})", metric.better())).weak())
                .on_hover_text(&help);
        })
        .response
        .rect
        .height();

    let pieces = curve_pieces(&sweep.rows, metric);
    let mut values: Vec<f64> = pieces.iter().flatten().map(|p| p[1]).collect();
    // The stability band: 5th and 95th percentile of the ARI per K.
    let band: [Vec<[f64; 2]>; 2] = if metric == Metric::Stability {
        let of = |f: fn(&crate::analysis::sweep::RowStability) -> f64| {
            sweep
                .rows
                .iter()
                .filter_map(|r| r.stability.as_ref().map(|s| [r.k as f64, f(s)]))
                .filter(|p| p[1].is_finite())
                .collect()
        };
        [of(|s| s.ari_p05), of(|s| s.ari_p95)]
    } else {
        [Vec::new(), Vec::new()]
    };
    values.extend(band.iter().flatten().map(|p| p[1]));
    let (k_lo, k_hi) = (
        sweep.ks.first().copied().unwrap_or(2) as f64,
        sweep.ks.last().copied().unwrap_or(10) as f64,
    );
    let bounds = plot_bounds(k_lo, k_hi, &values);
    let value_at = |k: usize| {
        sweep
            .rows
            .iter()
            .find(|r| r.k == k)
            .and_then(|r| metric.value(r))
    };
    let y_name = metric.title();
    let plot_h = (size.y - title_h - 6.0).max(100.0);
    let x_axis = AxisHints::new_x()
        .label("K")
        .formatter(|mark, _| {
            if mark.value.fract() == 0.0 && mark.value >= 1.0 {
                format!("{}", mark.value as i64)
            } else {
                String::new()
            }
        })
        .label_spacing(18.0..=22.0)
        // Room for the tick labels and the axis title from the first frame (egui_plot sizes the axis
        // from the previous frame, so a new plot would draw "K" over its ticks once).
        .min_thickness(32.0);
    let y_axis = AxisHints::new_y()
        .label(metric.axis_name())
        .formatter(|mark, _| fmt_compact(mark.value))
        .label_spacing(16.0..=20.0)
        .min_thickness(58.0);
    let plot = Plot::new(("choose_k_plot", metric.title()))
        .width(size.x)
        .height(plot_h)
        .custom_x_axes(vec![x_axis])
        .custom_y_axes(vec![y_axis])
        .x_grid_spacer(|input| integer_marks(&input))
        .y_grid_spacer(|input| y_marks(&input))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(true)
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
    let response = plot.show(ui, |plot_ui| {
        // The data decide the bounds on every frame: a new K range or method rescales at once.
        plot_ui.set_plot_bounds(bounds);
        if let Some(k) = marks.current {
            plot_ui.span(
                Span::new("", (k as f64 - 0.35)..=(k as f64 + 0.35)).fill(chart.current_band),
            );
        }
        if let Some(k) = marks.recommended {
            plot_ui.vline(
                VLine::new("recommended K", k as f64)
                    .color(chart.recommended)
                    .width(1.5)
                    .style(LineStyle::dashed_loose()),
            );
        }
        for (i, edge) in band.iter().enumerate().filter(|(_, e)| !e.is_empty()) {
            plot_ui.line(
                Line::new(format!("ARI band {i}"), edge.clone())
                    .name(if i == 0 {
                        "ARI 5th percentile"
                    } else {
                        "ARI 95th percentile"
                    })
                    .color(chart.curve.gamma_multiply(0.6))
                    .width(1.0)
                    .style(LineStyle::dashed_dense()),
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
        if let Some(k) = marks.current
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
            && let Some(k) = marks.knee
            && let Some(v) = value_at(k)
        {
            plot_ui.points(
                Points::new("knee", vec![[k as f64, v]])
                    .color(chart.knee)
                    .radius(7.0)
                    .filled(false)
                    .shape(MarkerShape::Diamond),
            );
            // Above and to the right of the knee: the curve falls to the right and rises to the left,
            // so that corner is empty.
            let lift = 0.07 * (bounds.max()[1] - bounds.min()[1]);
            plot_ui.text(
                Text::new(
                    "knee label",
                    PlotPoint::new(k as f64 + 0.2, v + lift),
                    RichText::new("knee").size(13.0),
                )
                .color(chart.knee)
                .anchor(Align2::LEFT_BOTTOM),
            );
        }
        if values.is_empty() {
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
    crate::app::plot_export::context_menu(&r, PlotKind::Curves, commands);
    if r.clicked()
        && let Some(pos) = r.interact_pointer_pos()
    {
        let x = response.transform.value_from_position(pos).x;
        if let Some(k) = nearest_k(&sweep.ks, x)
            && marks.current != Some(k)
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
        // 9 K over 300 px: every K labelled.
        let marks = integer_marks(&GridInput {
            bounds: (1.5, 10.5),
            base_step_size: 8.0 * 9.0 / 300.0,
        });
        let values: Vec<f64> = marks.iter().map(|m| m.value).collect();
        assert_eq!(values, (2..=10).map(f64::from).collect::<Vec<_>>());
        // 49 K over 300 px: every 5th.
        let sparse = integer_marks(&GridInput {
            bounds: (1.5, 50.5),
            base_step_size: 8.0 * 49.0 / 300.0,
        });
        assert!(sparse.iter().all(|m| m.value % 5.0 == 0.0), "{sparse:?}");
        assert!(sparse.len() >= 9, "{sparse:?}");
        assert_eq!(metrics_for(Method::Gmm).last(), Some(&Metric::Bic));
        assert!(!metrics_for(Method::Ward).contains(&Metric::Bic));
    }

    #[test]
    fn at_least_three_y_ticks() {
        // (range low, high, pixels tall).
        for (lo, hi, px) in [
            (0.28, 0.45, 200.0),
            (0.8, 1.5, 110.0),
            (1480.0, 2220.0, 90.0),
            (3835.0, 5679.0, 300.0),
            (3500.0, 14_500.0, 200.0),
            (3500.0, 14_500.0, 80.0),
            (-0.02, 0.01, 120.0),
            (1.0e32, 8.6e32, 150.0),
        ] {
            let input = GridInput {
                bounds: (lo, hi),
                base_step_size: 8.0 * (hi - lo) / px,
            };
            let marks = y_marks(&input);
            assert!(marks.len() >= 3, "{lo}..{hi} at {px} px: {marks:?}");
            // Far enough apart for egui_plot to draw their labels (a row of text is 16 px).
            let gap = marks[0].step_size * px / (hi - lo);
            assert!(gap >= 16.0, "{lo}..{hi} at {px} px: {gap} px apart");
            assert!(marks.len() <= 12, "{lo}..{hi} at {px} px: {marks:?}");
            assert!(marks.iter().all(|m| (lo..=hi).contains(&m.value)));
        }
        assert!(
            y_marks(&GridInput {
                bounds: (1.0, 1.0),
                base_step_size: 0.0
            })
            .is_empty()
        );
    }

    #[test]
    fn bounds_follow_the_k_range_and_values() {
        let b = plot_bounds(2.0, 15.0, &[3835.0, 5679.0, 4100.0]);
        assert_eq!((b.min()[0], b.max()[0]), (1.5, 15.5));
        assert!(b.min()[1] < 3835.0 && b.max()[1] > 5679.0, "{b:?}");
        assert!(b.min()[1] > 3000.0, "{b:?}");
        let empty = plot_bounds(2.0, 10.0, &[]);
        assert_eq!((empty.min()[1], empty.max()[1]), (0.0, 1.0));
        let flat = plot_bounds(2.0, 2.0, &[7.0]);
        assert!(flat.is_valid(), "{flat:?}");
        assert!(flat.min()[1] < 7.0 && flat.max()[1] > 7.0);
        assert!(plot_bounds(2.0, 4.0, &[0.0, 0.0]).is_valid());
    }
}
