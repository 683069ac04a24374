//! The profile table: a sticky header row (segment colours, numbers and sizes stay in view while the
//! features scroll; Shift+wheel scrolls sideways), the features by ANOVA F, categorical levels with their
//! chi-square, the columns that were not features below them, and the GMM membership histogram.

use egui::{
    Align, Align2, Color32, CornerRadius, FontId, Layout, RichText, Sense, Stroke, Ui, pos2, vec2,
};
use egui_plot::{Bar, BarChart, Plot};

use super::super::density_view::{color_of, segment_title};
use super::super::format::{fmt_count, fmt_num, fmt_percent, fmt_stat};
use super::super::theme::{ChartPalette, Z_CLAMP, text_on, z_color};
use super::{Context, ProfileCache};
use crate::analysis::Profile;
use crate::analysis::profile_readout::AMBIGUOUS_P;
use crate::data::{ColumnKind, Table};

/// Width of the feature name column.
const FEATURE_W: f32 = 190.0;
/// Width of the F column.
const F_W: f32 = 70.0;
/// Space between columns.
const COL_GAP: f32 = 6.0;
/// Size of a value cell.
const CELL: egui::Vec2 = vec2(112.0, 24.0);
/// A level share this far from the overall share (in share points) gets the full colour.
const SHARE_SPAN: f64 = 0.2;

/// The colour scale: a gradient from −2 to +2 standard deviations.
pub(super) fn legend_ui(ui: &mut Ui) {
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

/// The F column's header help.
const F_HELP: &str = "F: how strongly a row separates the segments. For a numeric feature, the one-way \
    ANOVA F: the variance of the segment means relative to the spread within segments (about 1 when the \
    segments do not differ; larger separates more). Features are sorted by it. For a categorical level, \
    Pearson's chi-square of segment × (this level or not): 0 when every segment has the level's overall \
    share; larger means the level is concentrated in some segments.";

/// The table: the header row stays put while the body scrolls vertically; both scroll sideways together.
pub(super) fn table_ui(ui: &mut Ui, cache: &ProfileCache, table: Option<&Table>) {
    let p = &cache.result.profile;
    egui::ScrollArea::horizontal()
        .id_salt("profiles_h")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing = vec2(COL_GAP, 4.0);
                header_row(ui, p, &cache.result.seg);
                ui.separator();
                egui::ScrollArea::vertical()
                    .id_salt("profiles_v")
                    .auto_shrink([true, false])
                    .show(ui, |ui| {
                        ui.spacing_mut().item_spacing = vec2(COL_GAP, 4.0);
                        if p.numeric.is_empty() && p.categorical.is_empty() {
                            ui.label("No feature to profile.");
                        }
                        body_rows(ui, p, p, &cache.order, table, false);
                        match &cache.context {
                            Context::Ready(derived) => {
                                if let Some(ctx) = derived.profile.as_ref().filter(|ctx| {
                                    !ctx.numeric.is_empty() || !ctx.categorical.is_empty()
                                }) {
                                    ui.add_space(6.0);
                                    ui.label(
                                        RichText::new("Not used for the segmentation").strong(),
                                    )
                                    .on_hover_text(
                                        "Columns that were not features, profiled by segment for \
                                         context: they did not shape the segments, but tell how the \
                                         segments differ on them.",
                                    );
                                    body_rows(ui, ctx, p, &derived.order, table, true);
                                }
                            }
                            Context::Running(_) => {
                                ui.horizontal(|ui| {
                                    ui.spinner();
                                    ui.weak(
                                        "Profiling the columns that were not features and the \
                                         memberships…",
                                    );
                                });
                            }
                        }
                        if let Context::Ready(derived) = &cache.context
                            && let Some((counts, ambiguous)) = &derived.membership
                        {
                            ui.add_space(16.0);
                            membership_ui(ui, counts, *ambiguous, cache.result.seg.labels.len());
                        }
                    });
            });
        });
}

/// A cell of fixed width holding left-aligned content.
fn fixed<R>(ui: &mut Ui, w: f32, add: impl FnOnce(&mut Ui) -> R) -> R {
    ui.allocate_ui_with_layout(
        vec2(w, CELL.y),
        Layout::left_to_right(Align::Center),
        |ui| {
            ui.set_width(w);
            add(ui)
        },
    )
    .inner
}

fn header_row(ui: &mut Ui, p: &Profile, seg: &crate::analysis::Segmentation) {
    let rows: usize = p.sizes.iter().sum();
    ui.horizontal(|ui| {
        fixed(ui, FEATURE_W, |ui| {
            ui.label(RichText::new("Feature").strong())
        });
        fixed(ui, F_W, |ui| {
            ui.label(RichText::new("F").strong()).on_hover_text(F_HELP)
        });
        for (s, &size) in p.sizes.iter().enumerate() {
            ui.vertical(|ui| {
                ui.set_width(CELL.x);
                ui.horizontal(|ui| {
                    let (r, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
                    ui.painter()
                        .rect_filled(r, CornerRadius::same(2), color_of(seg, s));
                    ui.label(RichText::new(segment_title(seg, s)).strong());
                });
                ui.label(format!("{} · {}", fmt_count(size), fmt_percent(size, rows)))
                    .on_hover_text(format!(
                        "{}, {} of the clustered rows",
                        super::super::format::fmt_counted(size, "row", "rows"),
                        fmt_percent(size, rows)
                    ));
            });
        }
    });
}

/// Why a segment has no value: every one of its rows is missing the column (or it has no rows).
pub(super) fn why_missing(name: &str, size: usize, missing: usize) -> String {
    if size == 0 {
        "this segment has no rows".to_owned()
    } else if missing >= size {
        if size == 1 {
            format!("the one row of this segment is missing {name}")
        } else {
            format!(
                "all {} rows of this segment are missing {name}",
                fmt_count(size)
            )
        }
    } else {
        format!("{name} is undefined here")
    }
}

/// The rows of profile `p` (numeric in `order`, then categorical levels); `sizes` come from the main
/// profile; `context` marks columns that were not features.
fn body_rows(
    ui: &mut Ui,
    p: &Profile,
    main: &Profile,
    order: &[usize],
    table: Option<&Table>,
    context: bool,
) {
    let k = main.sizes.len();
    let mid = ChartPalette::of(ui.visuals()).diverging_mid;
    let not_used = |name: &str| {
        if context {
            format!(
                "\n{name} was not a feature: profiled for context only, it did not shape the segments."
            )
        } else {
            String::new()
        }
    };
    let name_text = |t: String| {
        if context {
            RichText::new(t).weak()
        } else {
            RichText::new(t)
        }
    };
    for &i in order {
        let Some(f) = p.numeric.get(i) else {
            continue;
        };
        let kind = column_kind(table, &f.name);
        ui.horizontal(|ui| {
            fixed(ui, FEATURE_W, |ui| {
                ui.add(egui::Label::new(name_text(f.name.clone())).truncate())
                    .on_hover_text(format!(
                        "{}: overall mean {}{}",
                        f.name,
                        fmt_value(kind, f.overall_mean),
                        not_used(&f.name)
                    ));
            });
            fixed(ui, F_W, |ui| {
                ui.label(f.anova_f.map_or("—".to_owned(), fmt_num))
                    .on_hover_text(F_HELP);
            });
            for s in 0..k {
                let mean = f.mean.get(s).copied().flatten();
                let z = f.z.get(s).copied().flatten();
                let bg = z.map_or(mid, |z| z_color(z, mid));
                let median = f.median.get(s).copied().flatten();
                let tip = if mean.is_none() {
                    format!(
                        "— {}",
                        why_missing(
                            &f.name,
                            main.sizes.get(s).copied().unwrap_or(0),
                            f.missing.get(s).copied().unwrap_or(0)
                        )
                    )
                } else {
                    format!(
                        "{} in segment {s}\nmean {} · median {}\n{} (overall mean {})",
                        f.name,
                        fmt_value(kind, mean),
                        fmt_value(kind, median),
                        z.map_or("z undefined".to_owned(), |z| format!(
                            "{z:+.2} SD from the overall mean"
                        )),
                        fmt_value(kind, f.overall_mean)
                    )
                };
                cell(ui, &fmt_value(kind, mean), bg).on_hover_text(tip);
            }
        });
    }
    for c in &p.categorical {
        for (l, level) in c.levels.iter().enumerate() {
            let all = c.overall.get(l).copied().unwrap_or(0.0);
            ui.horizontal(|ui| {
                fixed(ui, FEATURE_W, |ui| {
                    ui.add(egui::Label::new(name_text(format!("{}={level}", c.name))).truncate())
                        .on_hover_text(format!(
                            "Share of each segment's rows with {} = {level} ({:.0}% overall){}{}",
                            c.name,
                            all * 100.0,
                            c.cramers_v.map_or(String::new(), |v| format!(
                                "\nCramér's V of {} across segments: {v:.2} (0: same mix in \
                                 every segment, 1: each level in one segment)",
                                c.name
                            )),
                            not_used(&c.name)
                        ));
                });
                let chi2 = c.level_chi2.get(l).copied().flatten();
                fixed(ui, F_W, |ui| {
                    ui.label(chi2.map_or("—".to_owned(), fmt_num))
                        .on_hover_text(F_HELP);
                });
                for s in 0..k {
                    let size = main.sizes.get(s).copied().unwrap_or(0);
                    let missing = c.missing.get(s).copied().unwrap_or(0);
                    let share = c.shares.get(s).and_then(|v| v.get(l)).copied();
                    let (text, bg, tip) = match share {
                        Some(v) if v.is_finite() && missing < size => (
                            format!("{:.0}%", v * 100.0),
                            z_color((v - all) / SHARE_SPAN * Z_CLAMP, mid),
                            format!(
                                "{:.0}% of segment {s} has {} = {level}, vs {:.0}% overall",
                                v * 100.0,
                                c.name,
                                all * 100.0
                            ),
                        ),
                        _ => (
                            "—".to_owned(),
                            mid,
                            format!("— {}", why_missing(&c.name, size, missing)),
                        ),
                    };
                    cell(ui, &text, bg).on_hover_text(tip);
                }
            });
        }
    }
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
