//! The silhouette plot: every row's silhouette as a horizontal bar, sorted within its segment (as in
//! scikit-learn's example), negative values red, the mean as a dashed line. Above [`MAX_BARS`] rows
//! each segment's sorted run is drawn as bucket envelopes (the engine's `bucket_envelopes`).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{INK, MUTED, NEGATIVE, OUTLIER, segment_colour};
use super::{DrawResult, Figure, rgb, segment_label, text, tick};
use crate::analysis::silhouette_bands::{bucket_envelopes, silhouettes_by_segment};

/// Most bars drawn (rows beyond are bucketed).
pub const MAX_BARS: usize = 1_000;

/// Per-row silhouettes grouped by segment.
#[derive(Debug, Clone)]
pub struct SilhouettePlot<'a> {
    /// Segment of every row.
    pub labels: &'a [usize],
    /// Silhouette of every row (non-finite values, e.g. outliers', are left out).
    pub silhouette: &'a [f64],
    /// Number of segments.
    pub k: usize,
    /// The outliers' segment (not scored, not drawn), if any.
    pub noise: Option<usize>,
    /// Segment names (legend).
    pub names: &'a [String],
    /// The mean silhouette (dashed line).
    pub mean: Option<f64>,
    /// Title.
    pub title: String,
}

/// One drawn bar: segment, bar index from the bottom, and its extent `(from, to)` along x.
pub type Bar = (usize, usize, f64, f64);

impl SilhouettePlot<'_> {
    /// The bars, bottom to top, and the `(first bar, bars)` block of each drawn segment. A row draws as
    /// one bar from 0 to its value; a bucket of rows as a bar to its largest value and, when it has
    /// negative values, a second one to its smallest.
    pub fn bars(&self) -> (Vec<Bar>, Vec<(usize, usize, usize)>) {
        let groups = silhouettes_by_segment(self.labels, self.silhouette, self.k);
        let total: usize = groups
            .iter()
            .enumerate()
            .filter(|(s, _)| Some(*s) != self.noise)
            .map(|(_, g)| g.values.len())
            .sum();
        let gap = (total / 60).max(2);
        let mut bars = Vec::new();
        let mut blocks = Vec::new();
        let mut y = 0usize;
        for (s, g) in groups.iter().enumerate() {
            if Some(s) == self.noise || g.values.is_empty() {
                continue;
            }
            let buckets = if total <= MAX_BARS {
                g.values.len()
            } else {
                (g.values.len() * MAX_BARS).div_ceil(total).max(1)
            };
            let start = y;
            // Lowest values at the bottom of the block, highest at its top.
            for (lo, hi) in bucket_envelopes(&g.values, buckets).into_iter().rev() {
                if hi > 0.0 {
                    bars.push((s, y, 0.0, hi));
                }
                if lo < 0.0 || hi <= 0.0 {
                    bars.push((s, y, 0.0, lo.min(0.0)));
                }
                y += 1;
            }
            blocks.push((s, start, y - start));
            y += gap;
        }
        (bars, blocks)
    }
}

impl Figure for SilhouettePlot<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (bars, blocks) = self.bars();
        let height = blocks.last().map_or(1, |b| b.1 + b.2).max(1) as f64;
        let x_lo = bars.iter().map(|b| b.3).fold(-0.1f64, f64::min).max(-1.0) - 0.02;
        let mut sizes = vec![0usize; self.k.max(1)];
        for &l in self.labels {
            if let Some(s) = sizes.get_mut(l) {
                *s += 1;
            }
        }
        // The legend has its own column right of the bars (inside the plot it would cover the top
        // segment's longest bars), as wide as its longest label.
        let entries: Vec<(String, Option<RGBColor>)> = blocks
            .iter()
            .map(|&(s, _, _)| {
                let label = segment_label(s, self.names, sizes[s], self.noise);
                (label, Some(rgb(segment_colour(s, self.noise))))
            })
            .chain(
                // Outliers have no silhouette (no bars), but the legend says how many were left out.
                self.noise
                    .filter(|&z| sizes.get(z).is_some_and(|&n| n > 0))
                    .map(|z| {
                        let label = segment_label(z, self.names, sizes[z], self.noise);
                        (format!("{label}, not scored"), Some(rgb(OUTLIER)))
                    }),
            )
            .chain(
                self.mean
                    .filter(|m| m.is_finite())
                    .map(|m| (format!("mean {m:.3}"), None)),
            )
            .collect();
        let style = text(12);
        let (w, _) = root.dim_in_pixel();
        let widest = entries
            .iter()
            .filter_map(|(l, _)| root.estimate_text_size(l, &style).ok())
            .map(|(tw, _)| tw)
            .max()
            .unwrap_or(0);
        let legend_w = (widest + 40).min(w / 3);
        let (plot_area, legend_area) = root.split_horizontally(w.saturating_sub(legend_w));
        for (i, (label, colour)) in entries.iter().enumerate() {
            let y = 60 + 20 * i as i32;
            match colour {
                Some(c) => {
                    legend_area.draw(&Rectangle::new([(8, y - 5), (18, y + 5)], c.filled()))?;
                }
                None => legend_area.draw(&PathElement::new(vec![(5, y), (21, y)], rgb(INK)))?,
            }
            legend_area.draw(&Text::new(
                label.clone(),
                (26, y),
                style.pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(self.title.as_str(), text(20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(30)
            .build_cartesian_2d(x_lo..1.0, 0.0..height)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc("silhouette (−1: closer to another segment, 1: well inside its own)")
            .y_desc("rows, sorted within each segment")
            .x_label_formatter(&|v| tick(*v))
            .label_style(text(12))
            .axis_desc_style(text(14))
            .light_line_style(rgb(MUTED).mix(0.1))
            .bold_line_style(rgb(MUTED).mix(0.2))
            .draw()?;
        for &(s, _, _) in &blocks {
            let colour = rgb(segment_colour(s, self.noise));
            let seg_bars = bars.iter().filter(|b| b.0 == s).map(|&(_, y, a, b)| {
                let c = if b < 0.0 { rgb(NEGATIVE) } else { colour };
                let yf = y as f64;
                Rectangle::new([(a.min(b), yf), (a.max(b), yf + 0.9)], c.filled())
            });
            chart.draw_series(seg_bars)?;
        }
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (0.0, height)],
            rgb(INK).stroke_width(1),
        ))?;
        if let Some(m) = self.mean.filter(|m| m.is_finite()) {
            chart.draw_series(DashedLineSeries::new(
                [(m, 0.0), (m, height)],
                8,
                5,
                rgb(INK).stroke_width(1),
            ))?;
        }
        Ok(())
    }
}
