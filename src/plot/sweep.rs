//! The K-choice curves: inertia, silhouette, Davies-Bouldin, Calinski-Harabasz (and BIC for mixtures)
//! against k, one panel each, with the recommended k marked on every panel.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::{INK, MUTED, SEGMENT_COLOURS};
use super::{DrawResult, Figure, padded_range, rgb, text, tick};
use crate::analysis::{Sweep, SweepRow};

/// The sweep curves of a [`Sweep`].
#[derive(Debug, Clone, Copy)]
pub struct SweepPlot<'a> {
    /// The sweep.
    pub sweep: &'a Sweep,
    /// The k the analyst chose, marked when it differs from the recommendation.
    pub chosen_k: Option<usize>,
}

/// One panel: its title, how to read it, and its value per row.
type Panel = (&'static str, &'static str, fn(&SweepRow) -> Option<f64>);

const PANELS: [Panel; 5] = [
    ("Inertia", "lower; look for the elbow", |r| r.inertia),
    ("Silhouette", "higher is better", |r| r.silhouette),
    ("Davies-Bouldin", "lower is better", |r| r.davies_bouldin),
    ("Calinski-Harabasz", "higher is better", |r| {
        r.calinski_harabasz
    }),
    ("BIC", "lower is better", |r| r.bic),
];

/// One curve panel: its metric name, how to read it, and its `(k, value)` points.
pub type PanelPoints = (&'static str, &'static str, Vec<(usize, f64)>);

impl SweepPlot<'_> {
    /// The panels with at least one value, each with its `(k, value)` points.
    pub fn panels(&self) -> Vec<PanelPoints> {
        PANELS
            .iter()
            .map(|&(name, how, get)| {
                let pts: Vec<(usize, f64)> = self
                    .sweep
                    .results
                    .iter()
                    .filter_map(|r| get(r).filter(|v| v.is_finite()).map(|v| (r.k, v)))
                    .collect();
                (name, how, pts)
            })
            .filter(|(_, _, pts)| !pts.is_empty())
            .collect()
    }
}

impl Figure for SweepPlot<'_> {
    fn size(&self) -> (u32, u32) {
        (960, 640)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let title = match self.sweep.recommended_k {
            Some(k) => format!(
                "Choosing k ({}, {} rows): recommended k = {k}",
                self.sweep.method, self.sweep.n_rows
            ),
            None => format!(
                "Choosing k ({}, {} rows): no recommendation",
                self.sweep.method, self.sweep.n_rows
            ),
        };
        let area = root.titled(&title, text(20))?;
        let panels = self.panels();
        let cols = if panels.len() > 4 { 3 } else { 2 };
        let rows = panels.len().div_ceil(cols).max(1);
        let cells = area.split_evenly((rows, cols));
        let ks: Vec<usize> = self.sweep.results.iter().map(|r| r.k).collect();
        let (k_lo, k_hi) = (
            ks.iter().copied().min().unwrap_or(1),
            ks.iter().copied().max().unwrap_or(2),
        );
        let x_range = (k_lo as f64 - 0.5)..(k_hi as f64 + 0.5);
        for (i, ((name, how, pts), cell)) in panels.iter().zip(cells.iter()).enumerate() {
            let (lo, hi) = padded_range(pts.iter().map(|p| p.1), 0.1);
            let colour = rgb(SEGMENT_COLOURS[i % SEGMENT_COLOURS.len()]);
            let mut chart = ChartBuilder::on(cell)
                .caption(format!("{name} ({how})"), text(15))
                .margin(8)
                .x_label_area_size(34)
                .y_label_area_size(62)
                .build_cartesian_2d(x_range.clone(), lo..hi)?;
            let n_ticks = (k_hi - k_lo + 1).min(12);
            chart
                .configure_mesh()
                .x_desc("k (number of segments)")
                .x_labels(n_ticks)
                .x_label_formatter(&|v| {
                    if (v - v.round()).abs() < 1e-9 {
                        format!("{}", v.round() as i64)
                    } else {
                        String::new()
                    }
                })
                .y_labels(5)
                .y_label_formatter(&|v| tick(*v))
                .label_style(text(12))
                .axis_desc_style(text(13))
                .light_line_style(rgb(MUTED).mix(0.12))
                .bold_line_style(rgb(MUTED).mix(0.25))
                .draw()?;
            if let Some(k) = self.sweep.recommended_k {
                let kf = k as f64;
                chart.draw_series(DashedLineSeries::new(
                    [(kf, lo), (kf, hi)],
                    6,
                    4,
                    rgb(INK).stroke_width(1),
                ))?;
            }
            if let Some(k) = self
                .chosen_k
                .filter(|&k| Some(k) != self.sweep.recommended_k)
            {
                let kf = k as f64;
                chart.draw_series(LineSeries::new(
                    [(kf, lo), (kf, hi)],
                    rgb(MUTED).stroke_width(1),
                ))?;
            }
            chart.draw_series(LineSeries::new(
                pts.iter().map(|&(k, v)| (k as f64, v)),
                colour.stroke_width(2),
            ))?;
            let rec = self.sweep.recommended_k;
            chart.draw_series(pts.iter().map(|&(k, v)| {
                let r = if Some(k) == rec { 6 } else { 3 };
                Circle::new((k as f64, v), r, colour.filled())
            }))?;
        }
        Ok(())
    }
}
