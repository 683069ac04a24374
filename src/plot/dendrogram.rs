//! The merge tree in leaf order with its cut: links below the cut coloured by the segment they lie in,
//! links above it grey, the cut height as a dashed line. Large trees are drawn like scipy's
//! `truncate_mode="lastp"` (the engine's [`truncate_lastp`]).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::{INK, MUTED, segment_colour};
use super::{DrawResult, Figure, rgb, text, tick};
use crate::cluster::Dendrogram;
use crate::cluster::hierarchy::{Truncated, link_segments, truncate_lastp};
use crate::cluster::node_positions;

/// Most leaves drawn.
pub const LASTP: usize = 60;

/// A dendrogram cut at a height.
#[derive(Debug, Clone)]
pub struct DendrogramPlot<'a> {
    /// The tree (rows or micro-clusters as leaves).
    pub tree: &'a Dendrogram,
    /// Segment of every row (colours the links below the cut).
    pub labels: &'a [usize],
    /// The cut height.
    pub cut: f64,
    /// Title.
    pub title: String,
}

impl DendrogramPlot<'_> {
    /// The drawn tree: truncated to [`LASTP`] leaves.
    pub fn truncated(&self) -> Truncated {
        truncate_lastp(self.tree, LASTP)
    }

    /// Segment of every original leaf: the row's segment, or (micro-cluster leaves) the segment of its
    /// first row.
    fn leaf_segments(&self) -> Vec<usize> {
        let n = self.tree.n_leaves;
        match &self.tree.leaf_of_row {
            Some(leaf_of_row) => {
                let mut seg = vec![0usize; n];
                let mut set = vec![false; n];
                for (&leaf, &label) in leaf_of_row.iter().zip(self.labels) {
                    if leaf < n && !set[leaf] {
                        seg[leaf] = label;
                        set[leaf] = true;
                    }
                }
                seg
            }
            None => (0..n)
                .map(|i| self.labels.get(i).copied().unwrap_or(0))
                .collect(),
        }
    }
}

impl Figure for DendrogramPlot<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let t = self.truncated();
        let layout = node_positions(&t.tree);
        let segs = link_segments(&t, &self.leaf_segments(), self.cut);
        let p = t.tree.n_leaves.max(1);
        let top = t
            .tree
            .merges
            .iter()
            .map(|m| m.height)
            .filter(|h| h.is_finite())
            .fold(self.cut.max(0.0), f64::max);
        let top = if top > 0.0 { top * 1.05 } else { 1.0 };
        let title = if t.collapsed {
            format!(
                "{} (last {p} clusters of {} leaves drawn)",
                self.title, self.tree.n_leaves
            )
        } else {
            self.title.clone()
        };
        let mut chart = ChartBuilder::on(root)
            .caption(title, text(20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5..(p as f64 - 0.5), 0.0..top)?;
        let x_desc = if t.collapsed {
            "leaves in tree order (each a collapsed subtree)"
        } else {
            "leaves in tree order"
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .x_desc(x_desc)
            .y_desc("merge height")
            .y_label_formatter(&|v| tick(*v))
            .label_style(text(12))
            .axis_desc_style(text(14))
            .light_line_style(rgb(MUTED).mix(0.1))
            .bold_line_style(rgb(MUTED).mix(0.2))
            .draw()?;
        chart.draw_series(layout.links.iter().zip(&segs).map(|((xs, ys), seg)| {
            let colour = seg.map_or(rgb(MUTED), |s| rgb(segment_colour(s, None)));
            PathElement::new(
                xs.iter().zip(ys).map(|(&x, &y)| (x, y)).collect::<Vec<_>>(),
                colour.stroke_width(2),
            )
        }))?;
        chart
            .draw_series(DashedLineSeries::new(
                [(-0.5, self.cut), (p as f64 - 0.5, self.cut)],
                8,
                5,
                rgb(INK).stroke_width(1),
            ))?
            .label(format!("cut at height {}", tick(self.cut)))
            .legend(|(x, y)| PathElement::new(vec![(x - 8, y), (x + 8, y)], rgb(INK)));
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
