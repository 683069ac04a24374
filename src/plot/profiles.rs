//! The profiles heatmap: one row per feature (numeric features, then categorical levels), one column
//! per segment; a cell's colour is the segment's standardised difference from all rows (orange above,
//! blue below, white alike) and its text the value. Numeric features use the profile's z (segment mean
//! − overall mean, in overall standard deviations); a level uses the same z of its 0/1 indicator,
//! (segment share − overall share) / √(p(1 − p)).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::diverging;
use super::{DrawResult, Figure, rgb, segment_label, text};
use crate::analysis::Profile;

/// Most feature rows drawn (numeric features first).
pub const MAX_ROWS: usize = 40;

/// A profiles heatmap.
#[derive(Debug, Clone)]
pub struct ProfilesPlot<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Segment names (column labels).
    pub names: &'a [String],
    /// The outliers' segment, if any.
    pub noise: Option<usize>,
    /// Title.
    pub title: String,
}

impl ProfilesPlot<'_> {
    /// The heatmap's rows: a label and one standardised difference per segment (`None` where undefined).
    pub fn rows(&self) -> Vec<(String, Vec<Option<f64>>)> {
        let mut rows: Vec<(String, Vec<Option<f64>>)> = self
            .profile
            .numeric
            .iter()
            .map(|f| (f.name.clone(), f.z.clone()))
            .collect();
        for c in &self.profile.categorical {
            for (j, level) in c.levels.iter().enumerate() {
                let p = c.overall.get(j).copied().unwrap_or(0.0);
                let sd = (p * (1.0 - p)).sqrt();
                let z = c
                    .shares
                    .iter()
                    .map(|s| {
                        s.get(j)
                            .filter(|_| sd > 0.0)
                            .map(|&q| (q - p) / sd)
                            .filter(|v| v.is_finite())
                    })
                    .collect();
                rows.push((format!("{}={level}", c.name), z));
            }
        }
        rows.truncate(MAX_ROWS);
        rows
    }
}

impl Figure for ProfilesPlot<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = self.rows().len().max(1) as u32;
        let k = self.profile.sizes.len().max(1) as u32;
        (
            (260 + 90 * k).clamp(640, 1800),
            (150 + 28 * rows).clamp(300, 1400),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let rows = self.rows();
        let k = self.profile.sizes.len().max(1);
        let f = rows.len().max(1);
        let z_max = rows
            .iter()
            .flat_map(|r| r.1.iter().flatten())
            .fold(1.0f64, |m, z| m.max(z.abs()))
            .min(3.0);
        let longest = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(4);
        let y_area = (longest as u32 * 7 + 16).clamp(60, 260);
        let column_px =
            f64::from(root.dim_in_pixel().0.saturating_sub(y_area + 24)) / k.max(1) as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(self.title.as_str(), text(20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(y_area)
            .build_cartesian_2d(
                (0..k.saturating_sub(1)).into_segmented(),
                (0..f.saturating_sub(1)).into_segmented(),
            )?;
        let sizes = &self.profile.sizes;
        let names = self.names;
        let noise = self.noise;
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(k)
            .y_labels(f)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(s) => {
                    let size = sizes.get(*s).copied().unwrap_or(0);
                    let full = segment_label(*s, names, size, noise);
                    // A name wider than its column would run into the next: the number and size only
                    // (the names are in the scatter legend and the report's cards).
                    if full.chars().count() as f64 * 6.5 <= column_px {
                        full
                    } else if Some(*s) == noise {
                        format!("outliers ({size})")
                    } else {
                        format!("{s} ({size})")
                    }
                }
                _ => String::new(),
            })
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => f
                    .checked_sub(1 + *i)
                    .and_then(|j| labels.get(j))
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc("segment (rows)")
            .label_style(text(12))
            .axis_desc_style(text(14))
            .draw()?;
        // Feature 0 at the top.
        let cell = |s: usize, i: usize| {
            let y = f - 1 - i;
            [
                (SegmentValue::Exact(s), SegmentValue::Exact(y)),
                (SegmentValue::Exact(s + 1), SegmentValue::Exact(y + 1)),
            ]
        };
        chart.draw_series(rows.iter().enumerate().flat_map(|(i, (_, z))| {
            (0..k).map(move |s| {
                let colour = z
                    .get(s)
                    .copied()
                    .flatten()
                    .map_or(RGBColor(0xee, 0xee, 0xee), |v| rgb(diverging(v, z_max)));
                Rectangle::new(cell(s, i), colour.filled())
            })
        }))?;
        chart.draw_series(rows.iter().enumerate().flat_map(|(i, (_, z))| {
            (0..k).map(move |s| {
                let label = z
                    .get(s)
                    .copied()
                    .flatten()
                    .map_or_else(|| "–".to_owned(), |v| format!("{v:+.2}"));
                let style = text(12).pos(Pos::new(HPos::Center, VPos::Center));
                let y = f - 1 - i;
                Text::new(
                    label,
                    (SegmentValue::CenterOf(s), SegmentValue::CenterOf(y)),
                    style,
                )
            })
        }))?;
        Ok(())
    }
}
