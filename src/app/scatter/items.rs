//! Plot items of the scatter: every drawn point as one mesh, and the selection rectangle.

use std::ops::RangeInclusive;
use std::sync::Arc;

use egui::{Color32, Mesh, Shape, Stroke, Ui};
use egui_plot::{
    PlotBounds, PlotGeometry, PlotItem, PlotItemBase, PlotPoint, PlotPoints, PlotTransform, Polygon,
};

/// The drawn points as one mesh of small discs (one shape for the whole sample).
pub(super) struct PointCloud {
    base: PlotItemBase,
    points: Arc<Vec<[f32; 2]>>,
    colors: Vec<Color32>,
    radius: f32,
    bounds: PlotBounds,
}

impl PointCloud {
    pub(super) fn new(points: Arc<Vec<[f32; 2]>>, colors: Vec<Color32>, radius: f32) -> Self {
        let mut bounds = PlotBounds::NOTHING;
        for p in points.iter() {
            bounds.extend_with(&PlotPoint::new(p[0], p[1]));
        }
        let base = PlotItemBase::new("rows".to_owned());
        Self {
            base,
            points,
            colors,
            radius,
            bounds,
        }
    }

    /// The mesh of the points on screen through `transform`; transparent points are skipped.
    pub(super) fn mesh(&self, transform: &PlotTransform) -> Mesh {
        const SIDES: usize = 6;
        let frame = transform.frame().expand(self.radius);
        let ring: Vec<egui::Vec2> = (0..SIDES)
            .map(|s| {
                let a = s as f32 * std::f32::consts::TAU / SIDES as f32;
                egui::vec2(a.cos(), a.sin()) * self.radius
            })
            .collect();
        let mut mesh = Mesh::default();
        mesh.reserve_vertices(self.points.len() * (SIDES + 1));
        mesh.reserve_triangles(self.points.len() * SIDES);
        for (p, &color) in self.points.iter().zip(&self.colors) {
            if color.a() == 0 {
                continue;
            }
            let c = transform.position_from_point(&PlotPoint::new(p[0], p[1]));
            if !frame.contains(c) {
                continue;
            }
            let base = mesh.vertices.len() as u32;
            mesh.colored_vertex(c, color);
            for v in &ring {
                mesh.colored_vertex(c + *v, color);
            }
            for s in 0..SIDES as u32 {
                mesh.add_triangle(base, base + 1 + s, base + 1 + (s + 1) % SIDES as u32);
            }
        }
        mesh
    }
}

impl PlotItem for PointCloud {
    fn shapes(&self, _ui: &Ui, transform: &PlotTransform, shapes: &mut Vec<Shape>) {
        shapes.push(Shape::mesh(self.mesh(transform)));
    }

    fn initialize(&mut self, _x_range: RangeInclusive<f64>) {}

    fn color(&self) -> Color32 {
        Color32::GRAY
    }

    fn geometry(&self) -> PlotGeometry<'_> {
        PlotGeometry::None
    }

    fn bounds(&self) -> PlotBounds {
        self.bounds
    }

    fn base(&self) -> &PlotItemBase {
        &self.base
    }

    fn base_mut(&mut self) -> &mut PlotItemBase {
        &mut self.base
    }
}

pub(super) fn ordered(a: PlotPoint, b: PlotPoint) -> ([f64; 2], [f64; 2]) {
    ([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)])
}

pub(super) fn rect_polygon(
    name: &str,
    lo: [f64; 2],
    hi: [f64; 2],
    color: Color32,
) -> Polygon<'static> {
    Polygon::new(
        name,
        PlotPoints::new(vec![lo, [hi[0], lo[1]], hi, [lo[0], hi[1]]]),
    )
    .fill_color(color.gamma_multiply(0.15))
    .stroke(Stroke::new(1.5, color))
    .allow_hover(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::scatter::grid::GridIndex;
    use crate::app::scatter::sample::sample_per_segment;
    use crate::app::scatter::sample::tests::labels_1m;
    use crate::app::scatter::{GRID_CELLS, MIN_PER_SEGMENT, SAMPLE_CAP};
    use crate::app::theme::segment_color;
    use crate::rng::Rng;

    /// The per-frame work with 1,000,000 rows: the 20,000-point mesh and a hover query over every row.
    /// Prints the timings; the bound is loose because test builds are not optimised like release.
    #[test]
    fn a_million_rows_stay_fluid() {
        let labels = labels_1m();
        let mut r = Rng::new(2);
        let xs: Vec<f32> = (0..labels.len())
            .map(|i| labels[i] as f32 * 3.0 + r.normal() as f32)
            .collect();
        let ys: Vec<f32> = (0..labels.len()).map(|_| r.normal() as f32).collect();
        let t0 = std::time::Instant::now();
        let sample = sample_per_segment(&labels, SAMPLE_CAP, MIN_PER_SEGMENT);
        let points: Vec<[f32; 2]> = sample.iter().map(|&i| [xs[i], ys[i]]).collect();
        let grid = GridIndex::build(xs, ys, GRID_CELLS);
        let build = t0.elapsed();
        let colors: Vec<Color32> = sample.iter().map(|&i| segment_color(labels[i])).collect();
        let frame = egui::Rect::from_min_size(egui::pos2(0.0, 0.0), egui::vec2(1000.0, 700.0));
        let transform = PlotTransform::new(
            frame,
            PlotBounds::from_min_max([-4.0, -4.0], [10.0, 4.0]),
            false,
        );
        let t1 = std::time::Instant::now();
        let cloud = PointCloud::new(Arc::new(points), colors, 2.0);
        let mesh = cloud.mesh(&transform);
        let [dx, dy] = transform.dvalue_dpos();
        let hit = grid.nearest(0.0, 0.0, dx * 8.0, dy * 8.0, |_| true);
        let frame_time = t1.elapsed();
        eprintln!("1M rows: cache build {build:?}, per-frame mesh + hover {frame_time:?}");
        assert!(mesh.vertices.len() > 7 * 19_000);
        assert!(hit.is_some());
        assert!(frame_time.as_millis() < 50, "{frame_time:?}");
    }
}
