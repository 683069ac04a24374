//! The Silhouette tab: per-row silhouette bars sorted descending within each segment, segments stacked
//! (segment 0 on top), negative rows highlighted and counted, the average as a line, each segment's mean
//! and size on the side. Rows are aggregated into pixel-high buckets (min/max envelope per bucket) drawn
//! as one mesh, so the cost is bounded by the plot's height, not by the number of rows. Above the exact
//! silhouette limit the rows of the run API's stratified sample are drawn, labelled "sample of N rows".

use crate::analysis::silhouette_bands::{
    SegmentSilhouettes, bucket_envelopes, silhouettes_by_segment,
};
use std::fmt::Write as _;
use std::sync::Arc;

use egui::{Align2, FontId, Mesh, Pos2, Rect, RichText, Sense, Shape, Stroke, Ui, pos2, vec2};

use super::View;
use super::density_view::{color_of, segment_title, segments_text};
use super::explore::SegResult;
use super::format::{fmt_count, fmt_counted, fmt_num, fmt_percent};
use super::plot_export::{PlotKind, plot_export_menu, save_button};
use super::state::{AppState, Command};
use super::theme::ChartPalette;
use crate::analysis::silhouette_quality;

/// Smallest width of the segment names on the left (wider names widen it, up to [`MAX_SIDE`]).
const LEFT: f32 = 92.0;
/// Smallest width of the per-segment statistics on the right.
const RIGHT: f32 = 190.0;
/// Widest either side column gets: longer text is cut there, never drawn over the bars.
const MAX_SIDE: f32 = 320.0;
/// Height of one line of the side labels: a thinner band than this shares its label's line with the
/// previous band's label, so that label is skipped (the hover still names it).
const LABEL_LINE: f32 = 14.0;
/// Height of the x axis (ticks and title) below the bars.
const BOTTOM: f32 = 40.0;
/// Room above the bars for the average label.
const TOP: f32 = 18.0;
/// Vertical gap between segments.
const SEGMENT_GAP: f32 = 4.0;
/// Smallest height of a segment's band, however few rows it has.
const MIN_BAND: f32 = 3.0;

/// The Silhouette tab.
#[derive(Default)]
pub struct SilhouettePanel {
    cache: Option<SilhouetteCache>,
}

impl std::fmt::Debug for SilhouettePanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SilhouettePanel").finish_non_exhaustive()
    }
}

/// What the tab draws, derived once per result.
struct SilhouetteCache {
    result: Arc<SegResult>,
    segments: Vec<SegmentSilhouettes>,
    rows: usize,
    negatives: usize,
    mean: Option<f64>,
    min: f64,
    /// Rows of the data when the bars are a sample of them (`rows` is then the sample's size).
    sampled_from: Option<usize>,
}

impl SilhouetteCache {
    fn new(result: &Arc<SegResult>, labels: &[usize], silhouette: &[f64]) -> Self {
        let segments = silhouettes_by_segment(labels, silhouette, result.seg.k.max(1));
        let rows = segments.iter().map(|s| s.values.len()).sum();
        let negatives = segments.iter().map(|s| s.negatives).sum();
        let min = segments
            .iter()
            .filter_map(|s| s.values.last().copied())
            .fold(0.0, f64::min);
        Self {
            result: Arc::clone(result),
            segments,
            rows,
            negatives,
            mean: result.silhouette_mean,
            min,
            sampled_from: None,
        }
    }

    /// The bars of the sampled rows (above the exact limit), or `None` without a sample.
    fn sampled(result: &Arc<SegResult>) -> Option<Self> {
        let sample = result.silhouette_sample.as_ref()?;
        let labels: Vec<usize> = sample
            .rows
            .iter()
            .filter_map(|&r| result.seg.labels.get(r).copied())
            .collect();
        if labels.len() != sample.values.len() || labels.is_empty() {
            return None;
        }
        let mut cache = Self::new(result, &labels, &sample.values);
        cache.sampled_from = Some(result.seg.labels.len());
        Some(cache)
    }
}

/// What the labelled CSV's `silhouette` column will hold for `result`, in words, when it is not every
/// row's exact silhouette (`exact_rows`: the policy's exact limit); `None` when it is complete. For the
/// Export tab, to say it before the click.
pub fn export_silhouette_note(result: &SegResult, exact_rows: usize) -> Option<String> {
    let n = result.seg.labels.len();
    if let Some(est) = &result.silhouette_sampled {
        return Some(format!(
            "silhouette column empty: {} rows > the exact limit of {} (the average {} is estimated \
             from a sample of {} rows)",
            fmt_count(n),
            fmt_count(exact_rows),
            fmt_num(est.mean),
            fmt_count(est.sample_size)
        ));
    }
    if result.silhouette.is_none() {
        return Some(
            "silhouette column empty: the silhouette is undefined for this segmentation (it needs \
             at least 2 segments with rows, and fewer segments than rows)"
                .to_owned(),
        );
    }
    let outliers = result
        .seg
        .noise_segment()
        .map_or(0, |s| result.sizes().get(s).copied().unwrap_or(0));
    (outliers > 0).then(|| {
        format!(
            "silhouette column empty for the {} outlier rows (not scored)",
            fmt_count(outliers)
        )
    })
}

/// Heights of the segment bands: proportional to their rows, at least [`MIN_BAND`], filling `total`.
fn band_heights(sizes: &[usize], total: f32) -> Vec<f32> {
    let n: usize = sizes.iter().sum();
    if n == 0 || sizes.is_empty() {
        return vec![0.0; sizes.len()];
    }
    let raw: Vec<f32> = sizes
        .iter()
        .map(|&s| (total * s as f32 / n as f32).max(MIN_BAND))
        .collect();
    let sum: f32 = raw.iter().sum();
    let scale = if sum > total { total / sum } else { 1.0 };
    raw.into_iter().map(|h| h * scale).collect()
}

impl View for SilhouettePanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        let explorer = &state.explorer;
        let Some(result) = explorer.result() else {
            self.cache = None;
            super::widgets::no_result_ui(ui, state, "to see how well rows fit their segment");
            return;
        };
        let stale = self
            .cache
            .as_ref()
            .is_none_or(|c| !Arc::ptr_eq(&c.result, result));
        if result.silhouette.is_none() && stale {
            self.cache = SilhouetteCache::sampled(result);
        }
        if result.silhouette.is_none() && self.cache.is_some() {
            if let Some(cache) = &self.cache {
                header_ui(ui, cache, explorer.is_fitting(), commands);
                ui.add_space(6.0);
                bars_ui(ui, cache, commands);
            }
            return;
        }
        let Some(silhouette) = result.silhouette.as_deref() else {
            self.cache = None;
            undefined_ui(
                ui,
                result,
                explorer.prepared().map(|p| p.n_rows()),
                explorer.policy.exact_silhouette_rows,
            );
            return;
        };
        if self
            .cache
            .as_ref()
            .is_none_or(|c| !Arc::ptr_eq(&c.result, result))
        {
            self.cache = Some(SilhouetteCache::new(result, &result.seg.labels, silhouette));
        }
        let Some(cache) = &self.cache else {
            return;
        };
        header_ui(ui, cache, explorer.is_fitting(), commands);
        ui.add_space(6.0);
        bars_ui(ui, cache, commands);
    }
}

fn undefined_ui(ui: &mut Ui, result: &SegResult, n_rows: Option<usize>, exact_rows: usize) {
    ui.add_space(20.0);
    ui.vertical_centered(|ui| {
        ui.set_max_width(640.0);
        if let Some(est) = &result.silhouette_sampled {
            ui.heading(format!(
                "Average silhouette about {} ({})",
                fmt_num(est.mean),
                silhouette_quality(est.mean)
            ));
            ui.label(format!(
                "95% confidence interval {} to {}, estimated from a sample of {} of {} rows.",
                fmt_num(est.ci_low),
                fmt_num(est.ci_high),
                fmt_count(est.sample_size),
                fmt_count(est.n_rows)
            ));
            ui.add_space(6.0);
            ui.label(
                RichText::new(format!(
                    "Per-row silhouettes are drawn for up to {} rows; this data has {} rows, so only \
                     the sampled average is shown.",
                    fmt_count(exact_rows),
                    fmt_count(n_rows.unwrap_or(est.n_rows))
                ))
                .weak(),
            );
        } else if result.seg.k <= 1 || result.sizes().iter().filter(|&&s| s > 0).count() < 2 {
            ui.heading(format!(
                "The silhouette is undefined for K = {}",
                result.seg.k
            ));
            ui.label(
                "It compares each row's distance to its own segment with the distance to the next \
                 segment, so it needs at least two non-empty segments. Pick a larger K in Choose K.",
            );
        } else {
            ui.heading("The silhouette is undefined here");
            ui.label(
                "It needs fewer segments than rows. Pick a smaller K in Choose K, or use more rows.",
            );
        }
    });
}

fn header_ui(ui: &mut Ui, cache: &SilhouetteCache, fitting: bool, commands: &mut Vec<Command>) {
    let chart = ChartPalette::of(ui.visuals());
    ui.horizontal_wrapped(|ui| {
        if let Some(mean) = cache.mean {
            ui.label(
                RichText::new(format!(
                    "Average silhouette {} ({})",
                    fmt_num(mean),
                    silhouette_quality(mean)
                ))
                .strong(),
            )
            .on_hover_text(crate::analysis::recommend::SILHOUETTE_BANDS);
        }
        match cache.sampled_from {
            Some(n) => {
                ui.label(format!(
                    "· {} · sample of {} (of {})",
                    segments_text(&cache.result.seg),
                    fmt_counted(cache.rows, "row", "rows"),
                    fmt_count(n)
                ))
                .on_hover_text(
                    "Above the exact limit, per-row silhouettes are computed for a stratified \
                     random sample of rows (each segment in proportion to its size); the bars show \
                     those rows and the average is the sample's stratified estimate.",
                );
            }
            None => {
                ui.label(format!(
                    "· {} · {}",
                    segments_text(&cache.result.seg),
                    fmt_counted(cache.rows, "row", "rows")
                ));
            }
        }
        if fitting {
            ui.spinner();
            ui.weak("refitting…");
        }
        ui.separator();
        save_button(ui, PlotKind::Silhouette, commands);
    });
    if cache.negatives > 0 {
        ui.label(
            RichText::new(format!(
                "{} ({}) {} a negative silhouette: {} closer to another segment",
                fmt_counted(cache.negatives, "row", "rows"),
                fmt_percent(cache.negatives, cache.rows),
                if cache.negatives == 1 { "has" } else { "have" },
                if cache.negatives == 1 {
                    "it sits"
                } else {
                    "they sit"
                }
            ))
            .color(chart.negative),
        )
        .on_hover_text(
            "Negative bars (highlighted in red) are rows that are on average nearer to the rows of \
             another segment than to their own: likely misassigned or between segments.",
        );
    } else {
        ui.label("No row has a negative silhouette: every row is closer to its own segment than to any other.");
    }
}

/// Screen geometry of the bars.
struct Layout {
    plot: Rect,
    x_min: f64,
    x_max: f64,
}

impl Layout {
    fn x(&self, v: f64) -> f32 {
        let t = (v - self.x_min) / (self.x_max - self.x_min);
        self.plot.left() + self.plot.width() * t as f32
    }
}

/// Each band's name (left) and statistics (right).
fn side_texts(cache: &SilhouetteCache) -> Vec<(String, String)> {
    let seg = &cache.result.seg;
    cache
        .segments
        .iter()
        .enumerate()
        .map(|(s, values)| {
            // Outliers are not scored (the labelled CSV leaves their silhouette empty).
            let mut stats = if seg.noise_segment() == Some(s) {
                let n = seg.labels.iter().filter(|&&l| l == s).count();
                return (
                    segment_title(seg, s),
                    format!("n = {} · not scored", fmt_count(n)),
                );
            } else {
                format!(
                    "n = {} · mean {}",
                    fmt_count(values.values.len()),
                    values.mean.map_or("—".to_owned(), fmt_num)
                )
            };
            if values.negatives > 0 {
                let _ = write!(stats, " · {} < 0", fmt_count(values.negatives));
            }
            (segment_title(seg, s), stats)
        })
        .collect()
}

fn bars_ui(ui: &mut Ui, cache: &SilhouetteCache, commands: &mut Vec<Command>) {
    let chart = ChartPalette::of(ui.visuals());
    let text_color = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let size = vec2(ui.available_width(), ui.available_height().max(200.0));
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let menu_open = plot_export_menu(ui, &response, PlotKind::Silhouette, commands);
    let font = FontId::proportional(12.0);
    let texts = side_texts(cache);
    // The side columns are as wide as their widest text (measured), so no label reaches the bars.
    let width_of = |t: &str| {
        ui.fonts_mut(|f| f.layout_no_wrap(t.to_owned(), font.clone(), text_color))
            .size()
            .x
    };
    let widest = |f: &dyn Fn(&(String, String)) -> f32| texts.iter().map(f).fold(0.0, f32::max);
    let left = (widest(&|t| width_of(&t.0)) + 28.0).clamp(LEFT, MAX_SIDE);
    let right = (widest(&|t| width_of(&t.1)) + 16.0).clamp(RIGHT, MAX_SIDE);
    let plot = Rect::from_min_max(
        pos2(rect.left() + left, rect.top() + TOP),
        pos2(rect.right() - right, rect.bottom() - BOTTOM),
    );
    if plot.width() < 40.0 || plot.height() < 20.0 {
        return;
    }
    let x_min = ((cache.min * 4.0).floor() / 4.0).clamp(-1.0, -0.25);
    let layout = Layout {
        plot,
        x_min,
        x_max: 1.0,
    };
    let painter = ui.painter_at(rect);
    let gaps = SEGMENT_GAP * cache.segments.len().saturating_sub(1) as f32;
    let sizes: Vec<usize> = cache.segments.iter().map(|s| s.values.len()).collect();
    let heights = band_heights(&sizes, (plot.height() - gaps).max(0.0));

    // Grid lines and x axis.
    let mut tick = (x_min * 4.0).round() / 4.0;
    while tick <= 1.0 + 1e-9 {
        let x = layout.x(tick);
        painter.line_segment(
            [pos2(x, plot.top()), pos2(x, plot.bottom())],
            Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color),
        );
        painter.text(
            pos2(x, plot.bottom() + 3.0),
            Align2::CENTER_TOP,
            fmt_num(tick),
            font.clone(),
            weak,
        );
        tick += 0.25;
    }
    painter.text(
        pos2(plot.center().x, plot.bottom() + 20.0),
        Align2::CENTER_TOP,
        "Silhouette of each row (-1: closer to another segment, 1: deep inside its own)",
        font.clone(),
        text_color,
    );

    // Bars: one mesh, one rectangle per pixel-high bucket.
    let mut mesh = Mesh::default();
    let zero = layout.x(0.0);
    let mut bands = Vec::with_capacity(cache.segments.len());
    let mut top = plot.top();
    let mut last_label = f32::NEG_INFINITY;
    for (s, (seg, &h)) in cache.segments.iter().zip(&heights).enumerate() {
        let band = Rect::from_min_max(pos2(plot.left(), top), pos2(plot.right(), top + h));
        bands.push(band);
        top += h + SEGMENT_GAP;
        let color = color_of(&cache.result.seg, s);
        let buckets = bucket_envelopes(&seg.values, h.floor().max(1.0) as usize);
        let bh = h / buckets.len().max(1) as f32;
        for (i, &(lo, hi)) in buckets.iter().enumerate() {
            let y0 = band.top() + i as f32 * bh;
            let y1 = (y0 + bh).max(y0 + 1.0);
            if hi > 0.0 {
                mesh.add_colored_rect(
                    Rect::from_min_max(pos2(zero, y0), pos2(layout.x(hi), y1)),
                    color,
                );
            }
            if lo < 0.0 {
                mesh.add_colored_rect(
                    Rect::from_min_max(pos2(layout.x(lo), y0), pos2(zero, y1)),
                    chart.negative,
                );
                // A tick in the left gutter so even a few negative rows stand out.
                mesh.add_colored_rect(
                    Rect::from_min_max(pos2(plot.left() - 6.0, y0), pos2(plot.left() - 2.0, y1)),
                    chart.negative,
                );
            }
        }
        // Name on the left, statistics on the right, each clipped to its column; a band too thin for
        // its own line leaves its label out rather than drawing over the previous one.
        let mid = band.center().y;
        if mid - last_label < LABEL_LINE {
            continue;
        }
        last_label = mid;
        painter.circle_filled(pos2(rect.left() + 8.0, mid), 5.0, color);
        let (name, stats) = &texts[s];
        let name_clip = Rect::from_x_y_ranges(rect.left()..=plot.left() - 8.0, rect.y_range());
        ui.painter_at(name_clip).text(
            pos2(rect.left() + 18.0, mid),
            Align2::LEFT_CENTER,
            name,
            font.clone(),
            text_color,
        );
        let stats_clip = Rect::from_x_y_ranges(plot.right() + 4.0..=rect.right(), rect.y_range());
        ui.painter_at(stats_clip).text(
            pos2(plot.right() + 10.0, mid),
            Align2::LEFT_CENTER,
            stats,
            font.clone(),
            text_color,
        );
    }
    painter.add(Shape::mesh(mesh));
    painter.line_segment(
        [pos2(zero, plot.top()), pos2(zero, plot.bottom())],
        Stroke::new(1.0, chart.reference),
    );
    if let Some(mean) = cache.mean {
        let x = layout.x(mean);
        painter.add(Shape::dashed_line(
            &[pos2(x, plot.top() - 2.0), pos2(x, plot.bottom())],
            Stroke::new(1.5, chart.reference),
            6.0,
            4.0,
        ));
        painter.text(
            pos2(x, plot.top() - 3.0),
            Align2::CENTER_BOTTOM,
            format!("average {}", fmt_num(mean)),
            font,
            text_color,
        );
    }

    // Hover: which rows are under the pointer.
    if let Some(pos) = response.hover_pos().filter(|_| !menu_open) {
        hover_ui(ui, &response, cache, &bands, &layout, pos);
    }
}

fn hover_ui(
    ui: &Ui,
    response: &egui::Response,
    cache: &SilhouetteCache,
    bands: &[Rect],
    layout: &Layout,
    pos: Pos2,
) {
    let Some((s, band)) = bands
        .iter()
        .enumerate()
        .find(|(_, b)| b.top() <= pos.y && pos.y <= b.bottom())
    else {
        return;
    };
    let Some(seg) = cache.segments.get(s) else {
        return;
    };
    let n = seg.values.len();
    if n == 0 || band.height() <= 0.0 || !layout.plot.x_range().contains(pos.x) {
        return;
    }
    let t = ((pos.y - band.top()) / band.height()).clamp(0.0, 1.0);
    let buckets = band.height().floor().max(1.0) as usize;
    let b = buckets.min(n);
    let i = ((t * b as f32) as usize).min(b - 1);
    let (start, end) = (i * n / b, (i + 1) * n / b);
    let run = &seg.values[start..end];
    let (lo, hi) = (
        run.last().copied().unwrap_or(0.0),
        run.first().copied().unwrap_or(0.0),
    );
    let text = if end - start == 1 {
        format!(
            "{}, row {} of {} by silhouette: {}",
            segment_title(&cache.result.seg, s),
            fmt_count(start + 1),
            fmt_count(n),
            fmt_num(hi)
        )
    } else {
        format!(
            "{}, rows {}–{} of {} by silhouette: {} to {}",
            segment_title(&cache.result.seg, s),
            fmt_count(start + 1),
            fmt_count(end),
            fmt_count(n),
            fmt_num(lo),
            fmt_num(hi)
        )
    };
    let painter = ui.painter();
    painter.line_segment(
        [
            pos2(layout.plot.left(), pos.y),
            pos2(layout.plot.right(), pos.y),
        ],
        Stroke::new(1.0, ui.visuals().weak_text_color()),
    );
    response.clone().on_hover_text_at_pointer(text);
}

#[cfg(test)]
#[path = "silhouette_panel_tests.rs"]
mod tests;
