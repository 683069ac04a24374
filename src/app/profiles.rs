//! The Profiles tab: segments (columns) × features (rows, sorted by ANOVA F) with each segment's mean in
//! original units on a background coloured by its z-score, categorical features as level shares, and for
//! Gaussian mixtures a histogram of each row's highest membership probability.

use std::sync::Arc;

use egui::{Align2, Color32, CornerRadius, FontId, RichText, Sense, Stroke, Ui, pos2, vec2};
use egui_plot::{Bar, BarChart, Plot};

use super::View;
use super::explore::SegResult;
use super::format::{fmt_count, fmt_num, fmt_percent, fmt_stat};
use super::state::{AppState, Command};
use super::theme::{ChartPalette, Z_CLAMP, segment_color, text_on, z_color};
use crate::analysis::profile_readout::{
    AMBIGUOUS_P, max_membership, membership_histogram, order_by_f,
};
use crate::data::{ColumnKind, Table};

/// Size of a value cell.
const CELL: egui::Vec2 = vec2(112.0, 24.0);
/// Bins of the membership histogram over [0, 1].
const MEMBERSHIP_BINS: usize = 20;
/// A level share this far from the overall share (in share points) gets the full colour.
const SHARE_SPAN: f64 = 0.2;

/// The Profiles tab.
#[derive(Default)]
pub struct ProfilesPanel {
    cache: Option<ProfileCache>,
}

impl std::fmt::Debug for ProfilesPanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfilesPanel").finish_non_exhaustive()
    }
}

/// What the tab draws, derived once per result.
struct ProfileCache {
    result: Arc<SegResult>,
    /// Numeric features by ANOVA F, highest first (undefined F last).
    order: Vec<usize>,
    /// GMM: rows per bin of the highest membership probability, and the ambiguous count.
    membership: Option<(Vec<usize>, usize)>,
}

impl ProfileCache {
    fn new(result: &Arc<SegResult>) -> Self {
        let p = &result.profile;
        Self {
            result: Arc::clone(result),
            order: order_by_f(p),
            membership: result.seg.probabilities.as_ref().map(|probs| {
                membership_histogram(max_membership(probs).into_iter(), MEMBERSHIP_BINS)
            }),
        }
    }
}

impl View for ProfilesPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        let explorer = &state.explorer;
        let Some(result) = explorer.result() else {
            self.cache = None;
            super::widgets::no_result_ui(ui, state, "to profile its segments");
            return;
        };
        if self
            .cache
            .as_ref()
            .is_none_or(|c| !Arc::ptr_eq(&c.result, result))
        {
            self.cache = Some(ProfileCache::new(result));
        }
        let Some(cache) = &self.cache else {
            return;
        };
        let table = state.dataset().map(|d| Arc::clone(&d.table));
        header_ui(ui, cache, explorer.is_fitting());
        ui.add_space(4.0);
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                table_ui(ui, cache, table.as_deref());
                if let Some((counts, ambiguous)) = &cache.membership {
                    ui.add_space(16.0);
                    membership_ui(ui, counts, *ambiguous, cache.result.seg.labels.len());
                }
            });
    }
}

fn header_ui(ui: &mut Ui, cache: &ProfileCache, fitting: bool) {
    let p = &cache.result.profile;
    let rows: usize = p.sizes.iter().sum();
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "{} segments · {} rows",
                p.sizes.len(),
                fmt_count(rows)
            ))
            .strong(),
        );
        ui.weak(format!(
            "({})",
            super::format::method_label(cache.result.seg.method)
        ));
        if fitting {
            ui.spinner();
            ui.weak("refitting…");
        }
        ui.separator();
        legend_ui(ui);
    });
}

/// The colour scale: a gradient from −2 to +2 standard deviations.
fn legend_ui(ui: &mut Ui) {
    let mid = ChartPalette::of(ui.visuals()).diverging_mid;
    ui.weak("Cell colour: segment mean vs overall mean");
    let (rect, _) = ui.allocate_exact_size(vec2(220.0, 30.0), Sense::hover());
    let bar = egui::Rect::from_min_size(rect.min, vec2(rect.width(), 12.0));
    let steps = 44;
    let w = bar.width() / steps as f32;
    for i in 0..steps {
        let z = -Z_CLAMP + 2.0 * Z_CLAMP * (f64::from(i) + 0.5) / f64::from(steps);
        let x = bar.left() + i as f32 * w;
        ui.painter().rect_filled(
            egui::Rect::from_min_size(pos2(x, bar.top()), vec2(w + 0.5, bar.height())),
            0.0,
            z_color(z, mid),
        );
    }
    ui.painter().rect_stroke(
        bar,
        0.0,
        Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color),
        egui::StrokeKind::Inside,
    );
    let font = FontId::proportional(10.5);
    let color = ui.visuals().weak_text_color();
    for (t, label, align) in [
        (0.0, "-2 SD (below)", Align2::LEFT_TOP),
        (0.5, "average", Align2::CENTER_TOP),
        (1.0, "+2 SD (above)", Align2::RIGHT_TOP),
    ] {
        ui.painter().text(
            pos2(bar.left() + bar.width() * t, bar.bottom() + 2.0),
            align,
            label,
            font.clone(),
            color,
        );
    }
}

/// Formats a segment mean in the feature's original units (dates as dates).
fn fmt_value(kind: ColumnKind, v: Option<f64>) -> String {
    fmt_stat(kind, v)
}

fn column_kind(table: Option<&Table>, name: &str) -> ColumnKind {
    table
        .and_then(|t| t.columns.iter().find(|c| c.name == name))
        .map_or(ColumnKind::Numeric, crate::data::Column::kind)
}

/// A value cell: `text` on `bg` with a readable text colour.
fn cell(ui: &mut Ui, text: &str, bg: Color32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(CELL, Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, CornerRadius::same(3), bg);
    painter.text(
        rect.center(),
        Align2::CENTER_CENTER,
        text,
        FontId::proportional(13.0),
        text_on(bg),
    );
    response
}

fn table_ui(ui: &mut Ui, cache: &ProfileCache, table: Option<&Table>) {
    let p = &cache.result.profile;
    let k = p.sizes.len();
    let mid = ChartPalette::of(ui.visuals()).diverging_mid;
    let rows: usize = p.sizes.iter().sum();
    egui::Grid::new("profiles_grid")
        .spacing(vec2(6.0, 4.0))
        .min_col_width(40.0)
        .show(ui, |ui| {
            ui.label(RichText::new("Feature").strong());
            ui.label(RichText::new("F").strong()).on_hover_text(
                "ANOVA F: how much the feature's mean differs between segments, relative to its \
                 spread within them. Features are sorted by it: the top ones separate the segments \
                 most.",
            );
            for s in 0..k {
                ui.vertical(|ui| {
                    ui.set_min_width(CELL.x);
                    ui.horizontal(|ui| {
                        let (r, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
                        ui.painter()
                            .rect_filled(r, CornerRadius::same(2), segment_color(s));
                        ui.label(RichText::new(format!("Segment {s}")).strong());
                    });
                    let size = p.sizes.get(s).copied().unwrap_or(0);
                    ui.label(format!("{} · {}", fmt_count(size), fmt_percent(size, rows)))
                        .on_hover_text(format!(
                            "{} rows, {} of the clustered rows",
                            fmt_count(size),
                            fmt_percent(size, rows)
                        ));
                });
            }
            ui.end_row();

            if p.numeric.is_empty() && p.categorical.is_empty() {
                ui.label("No feature to profile.");
                ui.end_row();
            }
            for &i in &cache.order {
                let f = &p.numeric[i];
                let kind = column_kind(table, &f.name);
                ui.label(&f.name)
                    .on_hover_text(format!("Overall mean {}", fmt_value(kind, f.overall_mean)));
                ui.label(f.anova_f.map_or("—".to_owned(), fmt_num));
                for s in 0..k {
                    let mean = f.mean.get(s).copied().flatten();
                    let z = f.z.get(s).copied().flatten();
                    let bg = z.map_or(mid, |z| z_color(z, mid));
                    let median = f.median.get(s).copied().flatten();
                    cell(ui, &fmt_value(kind, mean), bg).on_hover_text(format!(
                        "{} in segment {s}\nmean {} · median {}\n{} (overall mean {})",
                        f.name,
                        fmt_value(kind, mean),
                        fmt_value(kind, median),
                        z.map_or("z undefined".to_owned(), |z| format!(
                            "{z:+.2} SD from the overall mean"
                        )),
                        fmt_value(kind, f.overall_mean)
                    ));
                }
                ui.end_row();
            }
            for c in &p.categorical {
                for (l, level) in c.levels.iter().enumerate() {
                    let all = c.overall.get(l).copied().unwrap_or(0.0);
                    ui.label(format!("{}={level}", c.name))
                        .on_hover_text(format!(
                            "Share of each segment's rows with {} = {level} ({:.0}% overall)",
                            c.name,
                            all * 100.0
                        ));
                    ui.label("");
                    for s in 0..k {
                        let share = c.shares.get(s).and_then(|v| v.get(l)).copied();
                        let (text, bg) = match share {
                            Some(v) if v.is_finite() => (
                                format!("{:.0}%", v * 100.0),
                                z_color((v - all) / SHARE_SPAN * Z_CLAMP, mid),
                            ),
                            _ => ("—".to_owned(), mid),
                        };
                        cell(ui, &text, bg).on_hover_text(format!(
                            "{text} of segment {s} has {} = {level}, vs {:.0}% overall",
                            c.name,
                            all * 100.0
                        ));
                    }
                    ui.end_row();
                }
            }
        });
}

fn membership_ui(ui: &mut Ui, counts: &[usize], ambiguous: usize, n: usize) {
    let chart = ChartPalette::of(ui.visuals());
    ui.label(RichText::new("Membership certainty (Gaussian mixture)").strong())
        .on_hover_text(
            "Each row's probability of belonging to its most likely segment. Near 1: clearly in \
             one segment; below 0.6: between segments (ambiguous).",
        );
    ui.label(format!(
        "{} rows ({}) are ambiguous: their most likely segment has p < {AMBIGUOUS_P}",
        fmt_count(ambiguous),
        fmt_percent(ambiguous, n)
    ));
    let width = 1.0 / counts.len() as f64;
    let bars: Vec<Bar> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let x = (i as f64 + 0.5) * width;
            let color = if x < AMBIGUOUS_P {
                chart.ambiguous
            } else {
                chart.curve
            };
            Bar::new(x, c as f64).width(width * 0.9).fill(color)
        })
        .collect();
    Plot::new("membership_histogram")
        .height(200.0)
        .width(ui.available_width().clamp(300.0, 720.0))
        .x_axis_label("Highest membership probability")
        .y_axis_label("Rows")
        .default_x_bounds(0.0, 1.0)
        .include_y(0.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show(ui, |plot_ui| {
            plot_ui.bar_chart(
                BarChart::new("rows", bars).element_formatter(Box::new(|bar, _| {
                    format!(
                        "p {:.2}–{:.2}: {} rows",
                        bar.argument - bar.bar_width / 2.0,
                        bar.argument + bar.bar_width / 2.0,
                        bar.value
                    )
                })),
            );
            plot_ui.vline(
                egui_plot::VLine::new("ambiguity threshold", AMBIGUOUS_P)
                    .color(chart.ambiguous)
                    .style(egui_plot::LineStyle::dashed_loose()),
            );
        });
}
