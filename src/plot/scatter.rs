//! The 2-D map of the rows (PCA scores or a t-SNE map) coloured by segment, with a legend of segment
//! names and sizes. Above [`MAX_POINTS`] rows every m-th row of each segment is drawn, and the title
//! says so.

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::{MUTED, segment_colour};
use super::{DrawResult, Figure, padded_range, rgb, segment_label, text, tick};

/// Most points drawn; more rows are thinned per segment (an SVG of 20 000 circles is ~1.5 MB).
pub const MAX_POINTS: usize = 20_000;

/// A scatter of 2-D coordinates coloured by segment.
#[derive(Debug, Clone)]
pub struct ScatterPlot<'a> {
    /// One `(x, y)` row per data row (rows × ≥ 2; the first two columns are drawn).
    pub xy: ArrayView2<'a, f64>,
    /// Segment of every row.
    pub labels: &'a [usize],
    /// Number of segments.
    pub k: usize,
    /// The outliers' segment (drawn grey, under the others), if any.
    pub noise: Option<usize>,
    /// Segment names (legend).
    pub names: &'a [String],
    /// Title, and the two axis titles.
    pub title: String,
    /// The x axis title.
    pub x_title: String,
    /// The y axis title.
    pub y_title: String,
}

impl ScatterPlot<'_> {
    /// The rows drawn: every row up to [`MAX_POINTS`], else every
    /// m-th row of each segment.
    pub fn drawn_rows(&self) -> Vec<usize> {
        let n = self.labels.len().min(self.xy.nrows());
        let step = n.div_ceil(MAX_POINTS).max(1);
        let mut seen = vec![0usize; self.k.max(1) + 1];
        let rows: Vec<usize> = (0..n)
            .filter(|&i| {
                let s = self.labels[i].min(self.k);
                let keep = seen[s].is_multiple_of(step);
                seen[s] += 1;
                keep && self.xy[[i, 0]].is_finite() && self.xy[[i, 1]].is_finite()
            })
            .collect();
        rows
    }
}

impl Figure for ScatterPlot<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let rows = self.drawn_rows();
        let n = self.labels.len().min(self.xy.nrows());
        let title = if rows.len() < n {
            format!("{} ({} of {n} rows drawn)", self.title, rows.len())
        } else {
            self.title.clone()
        };
        let (x0, x1) = padded_range(rows.iter().map(|&i| self.xy[[i, 0]]), 0.05);
        let (y0, y1) = padded_range(rows.iter().map(|&i| self.xy[[i, 1]]), 0.05);
        let mut chart = ChartBuilder::on(root)
            .caption(title, text(20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc(self.x_title.as_str())
            .y_desc(self.y_title.as_str())
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .label_style(text(12))
            .axis_desc_style(text(14))
            .light_line_style(rgb(MUTED).mix(0.1))
            .bold_line_style(rgb(MUTED).mix(0.2))
            .draw()?;
        let mut sizes = vec![0usize; self.k.max(1)];
        for &l in self.labels {
            if let Some(s) = sizes.get_mut(l) {
                *s += 1;
            }
        }
        // Outliers first, so the segments draw over them.
        let order = self
            .noise
            .into_iter()
            .chain((0..self.k).filter(|&s| Some(s) != self.noise));
        for s in order {
            let colour = rgb(segment_colour(s, self.noise));
            let pts = rows
                .iter()
                .filter(|&&i| self.labels[i] == s)
                .map(|&i| Circle::new((self.xy[[i, 0]], self.xy[[i, 1]]), 2, colour.filled()));
            chart
                .draw_series(pts)?
                .label(segment_label(s, self.names, sizes[s], self.noise))
                .legend(move |(x, y)| Circle::new((x, y), 4, colour.filled()));
        }
        chart
            .configure_series_labels()
            .label_font(text(12))
            .background_style(WHITE.mix(0.85))
            .border_style(rgb(MUTED))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        Ok(())
    }
}
