//! The Scatter tab: PCA scores coloured by segment, centroids, loadings arrows, hover and box-select.
//!
//! Large data stays fluid: the plot draws a deterministic per-segment sample (at most [`SAMPLE_CAP`]
//! points, small segments kept whole or at [`MIN_PER_SEGMENT`] rows) as ONE mesh, while hover and
//! box-select query every row through a uniform grid index. Both are built once per result (and per pair
//! of axes), keyed by the result's identity, never per frame.

use std::ops::RangeInclusive;
use std::sync::Arc;

use egui::{Align2, Color32, Mesh, RichText, Shape, Stroke, Ui, Vec2b};
use egui_plot::{
    Arrows, MarkerShape, Plot, PlotBounds, PlotGeometry, PlotItem, PlotItemBase, PlotPoint,
    PlotPoints, PlotTransform, Points, Polygon, Text,
};

use super::View;
use super::explore::{PreparedData, SegResult};
use super::format::{fmt_count, fmt_num, fmt_percent, fmt_stat};
use super::state::{AppState, Command};
use super::theme::{Palette, segment_color};
use crate::analysis::profile::{ColumnStat, column_stat};
use crate::data::{ColumnData, ColumnKind, Table};
use crate::jobs::Job;
use crate::rng::Rng;

/// Most points drawn.
pub const SAMPLE_CAP: usize = 20_000;

/// Rows of each segment always drawn (or all of them, if fewer), so small segments stay visible.
pub const MIN_PER_SEGMENT: usize = 500;

/// Seed of the drawing sample (fixed: the same data always shows the same points).
const SAMPLE_SEED: u64 = 0x5ca7_7e12;

/// Cells per side of the hover / box-select grid.
const GRID_CELLS: usize = 256;

/// Results up to this many rows get their drawing cache in the frame (a few ms); larger ones on a worker.
const SYNC_CACHE_ROWS: usize = 100_000;

/// Hover reach around the pointer, in points.
const HOVER_RADIUS: f32 = 8.0;

/// Feature values listed in the hover tooltip.
const TOOLTIP_FEATURES: usize = 12;

/// How many rows of each segment to draw: proportional to its size (shares preserved), but at least
/// `min(size, min_keep)` (lowered to `cap / segments` when needed), and never more than `cap` in total.
pub fn segment_quotas(sizes: &[usize], cap: usize, min_keep: usize) -> Vec<usize> {
    let n: usize = sizes.iter().sum();
    if n <= cap {
        return sizes.to_vec();
    }
    let present = sizes.iter().filter(|&&s| s > 0).count().max(1);
    let floor_keep = min_keep.min(cap / present);
    let mut quota = vec![0usize; sizes.len()];
    let mut fixed = vec![false; sizes.len()];
    loop {
        let fixed_total: usize = (0..sizes.len())
            .filter(|&s| fixed[s])
            .map(|s| quota[s])
            .sum();
        let free: usize = (0..sizes.len())
            .filter(|&s| !fixed[s])
            .map(|s| sizes[s])
            .sum();
        let budget = cap.saturating_sub(fixed_total);
        let share = |s: usize| {
            if free == 0 {
                0
            } else {
                ((sizes[s] as u128 * budget as u128) / free as u128) as usize
            }
        };
        let mut changed = false;
        for s in 0..sizes.len() {
            let keep = sizes[s].min(floor_keep);
            if !fixed[s] && share(s) < keep {
                quota[s] = keep;
                fixed[s] = true;
                changed = true;
            }
        }
        if !changed {
            for s in 0..sizes.len() {
                if !fixed[s] {
                    quota[s] = share(s).min(sizes[s]);
                }
            }
            return quota;
        }
    }
}

/// Rows to draw (ascending): [`segment_quotas`] rows of each segment, chosen uniformly at random with a
/// fixed seed (selection sampling, so the same labels always give the same sample).
pub fn sample_per_segment(labels: &[usize], cap: usize, min_keep: usize) -> Vec<usize> {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut sizes = vec![0usize; k];
    for &l in labels {
        sizes[l] += 1;
    }
    let mut need = segment_quotas(&sizes, cap, min_keep);
    if need == sizes {
        return (0..labels.len()).collect();
    }
    let mut left = sizes;
    let mut rng = Rng::new(SAMPLE_SEED);
    let mut out = Vec::with_capacity(need.iter().sum());
    for (i, &l) in labels.iter().enumerate() {
        if need[l] > 0 && rng.below(left[l]) < need[l] {
            out.push(i);
            need[l] -= 1;
        }
        left[l] -= 1;
    }
    out
}

/// A uniform grid over 2-D points for nearest-point and rectangle queries on every row.
#[derive(Debug, Clone)]
pub struct GridIndex {
    x0: f64,
    y0: f64,
    cw: f64,
    ch: f64,
    nx: usize,
    ny: usize,
    /// Cell `c` holds `rows[start[c]..start[c + 1]]`.
    start: Vec<u32>,
    rows: Vec<u32>,
    xs: Vec<f32>,
    ys: Vec<f32>,
}

impl GridIndex {
    /// Indexes the points `(xs[i], ys[i])` (non-finite points are left out).
    pub fn build(xs: Vec<f32>, ys: Vec<f32>, cells: usize) -> Self {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (&x, &y) in xs.iter().zip(&ys) {
            if x.is_finite() && y.is_finite() {
                x0 = x0.min(f64::from(x));
                x1 = x1.max(f64::from(x));
                y0 = y0.min(f64::from(y));
                y1 = y1.max(f64::from(y));
            }
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
        }
        let nx = cells.max(1);
        let ny = cells.max(1);
        let cw = ((x1 - x0) / nx as f64).max(1e-12);
        let ch = ((y1 - y0) / ny as f64).max(1e-12);
        let mut g = Self {
            x0,
            y0,
            cw,
            ch,
            nx,
            ny,
            start: vec![0; nx * ny + 1],
            rows: Vec::new(),
            xs,
            ys,
        };
        let cell_of: Vec<Option<usize>> =
            g.xs.iter()
                .zip(&g.ys)
                .map(|(&x, &y)| {
                    (x.is_finite() && y.is_finite()).then(|| {
                        let (cx, cy) = g.cell(f64::from(x), f64::from(y));
                        cy * nx + cx
                    })
                })
                .collect();
        for c in cell_of.iter().flatten() {
            g.start[c + 1] += 1;
        }
        for c in 0..nx * ny {
            g.start[c + 1] += g.start[c];
        }
        let mut fill: Vec<u32> = g.start[..nx * ny].to_vec();
        g.rows = vec![0; g.start[nx * ny] as usize];
        for (i, c) in cell_of.iter().enumerate() {
            if let Some(c) = c {
                g.rows[fill[*c] as usize] = i as u32;
                fill[*c] += 1;
            }
        }
        g
    }

    fn cell(&self, x: f64, y: f64) -> (usize, usize) {
        let cx = ((x - self.x0) / self.cw)
            .floor()
            .clamp(0.0, (self.nx - 1) as f64) as usize;
        let cy = ((y - self.y0) / self.ch)
            .floor()
            .clamp(0.0, (self.ny - 1) as f64) as usize;
        (cx, cy)
    }

    /// Smallest and largest coordinates, `[[x0, y0], [x1, y1]]`.
    pub fn bounds(&self) -> [[f64; 2]; 2] {
        [
            [self.x0, self.y0],
            [
                self.x0 + self.cw * self.nx as f64,
                self.y0 + self.ch * self.ny as f64,
            ],
        ]
    }

    fn for_cells_in(&self, lo: [f64; 2], hi: [f64; 2], mut f: impl FnMut(usize)) {
        let [gx0, gy0] = self.bounds()[0];
        let [gx1, gy1] = self.bounds()[1];
        if hi[0] < gx0 || lo[0] > gx1 || hi[1] < gy0 || lo[1] > gy1 {
            return;
        }
        let (cx0, cy0) = self.cell(lo[0], lo[1]);
        let (cx1, cy1) = self.cell(hi[0], hi[1]);
        for cy in cy0..=cy1 {
            for cx in cx0..=cx1 {
                let c = cy * self.nx + cx;
                for &r in &self.rows[self.start[c] as usize..self.start[c + 1] as usize] {
                    f(r as usize);
                }
            }
        }
    }

    /// The point nearest to `(x, y)` within the ellipse of radii `(rx, ry)` (plot units) among those
    /// `keep` accepts.
    pub fn nearest(
        &self,
        x: f64,
        y: f64,
        rx: f64,
        ry: f64,
        keep: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let (rx, ry) = (rx.abs().max(1e-300), ry.abs().max(1e-300));
        let mut best: Option<(f64, usize)> = None;
        self.for_cells_in([x - rx, y - ry], [x + rx, y + ry], |i| {
            let dx = (f64::from(self.xs[i]) - x) / rx;
            let dy = (f64::from(self.ys[i]) - y) / ry;
            let d = dx * dx + dy * dy;
            if d <= 1.0 && best.is_none_or(|(b, _)| d < b) && keep(i) {
                best = Some((d, i));
            }
        });
        best.map(|(_, i)| i)
    }

    /// Every point inside the rectangle `[lo, hi]` that `keep` accepts, ascending.
    pub fn in_rect(&self, lo: [f64; 2], hi: [f64; 2], keep: impl Fn(usize) -> bool) -> Vec<usize> {
        let mut out = Vec::new();
        self.for_cells_in(lo, hi, |i| {
            let (x, y) = (f64::from(self.xs[i]), f64::from(self.ys[i]));
            if (lo[0]..=hi[0]).contains(&x) && (lo[1]..=hi[1]).contains(&y) && keep(i) {
                out.push(i);
            }
        });
        out.sort_unstable();
        out
    }
}

/// The drawn points as one mesh of small discs (one shape for the whole sample).
struct PointCloud {
    base: PlotItemBase,
    points: Arc<Vec<[f32; 2]>>,
    colors: Vec<Color32>,
    radius: f32,
    bounds: PlotBounds,
}

impl PointCloud {
    fn new(points: Arc<Vec<[f32; 2]>>, colors: Vec<Color32>, radius: f32) -> Self {
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
    fn mesh(&self, transform: &PlotTransform) -> Mesh {
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

/// A feature's summary over all rows, for comparing a selection with.
#[derive(Debug, Clone)]
struct FeatureOverall {
    name: String,
    column: Option<usize>,
    text: String,
}

/// Everything derived from one result: the sample, and per pair of axes the positions and the grid.
#[derive(Debug)]
struct Cache {
    table: Arc<Table>,
    result: Arc<SegResult>,
    prepared: Arc<PreparedData>,
    sizes: Vec<usize>,
    sample: Vec<usize>,
    id_column: Option<usize>,
    features: Vec<FeatureOverall>,
    axes: (usize, usize),
    points: Arc<Vec<[f32; 2]>>,
    grid: GridIndex,
}

impl Cache {
    fn new(
        result: &Arc<SegResult>,
        prepared: &Arc<PreparedData>,
        table: &Arc<Table>,
        axes: (usize, usize),
    ) -> Self {
        let labels = &result.seg.labels;
        let sample = sample_per_segment(labels, SAMPLE_CAP, MIN_PER_SEGMENT);
        let id_column = table
            .columns
            .iter()
            .position(|c| c.kind() == ColumnKind::Text);
        let kept = &prepared.prepared.kept_rows;
        let features = prepared
            .fitted
            .preparation
            .features
            .iter()
            .map(|name| {
                let column = table.columns.iter().position(|c| c.name == *name);
                let text = column.map_or_else(String::new, |c| {
                    summarize(&table.columns[c].data, kept.iter().copied())
                });
                FeatureOverall {
                    name: name.clone(),
                    column,
                    text,
                }
            })
            .collect();
        let mut cache = Self {
            table: Arc::clone(table),
            result: Arc::clone(result),
            prepared: Arc::clone(prepared),
            sizes: result.sizes(),
            sample,
            id_column,
            features,
            axes,
            points: Arc::new(Vec::new()),
            grid: GridIndex::build(Vec::new(), Vec::new(), 1),
        };
        cache.set_axes(axes);
        cache
    }

    fn set_axes(&mut self, axes: (usize, usize)) {
        let Some(s) = self.prepared.scores.as_ref() else {
            return;
        };
        let column = |c: usize| -> Vec<f32> { s.column(c).iter().map(|&v| v as f32).collect() };
        let (xs, ys) = (column(axes.0), column(axes.1));
        self.points = Arc::new(self.sample.iter().map(|&i| [xs[i], ys[i]]).collect());
        self.grid = GridIndex::build(xs, ys, GRID_CELLS);
        self.axes = axes;
    }

    fn matches(
        &self,
        result: &Arc<SegResult>,
        prepared: &Arc<PreparedData>,
        table: &Arc<Table>,
    ) -> bool {
        Arc::ptr_eq(&self.result, result)
            && Arc::ptr_eq(&self.prepared, prepared)
            && Arc::ptr_eq(&self.table, table)
    }
}

/// A value summary of `rows` of a column: the mean for numbers and dates, the most common level and its
/// share for categories.
fn summarize(data: &ColumnData, rows: impl Iterator<Item = usize>) -> String {
    match column_stat(data, rows) {
        ColumnStat::Mean(m) => fmt_stat(data.kind(), m),
        ColumnStat::Mode {
            level: Some(level),
            count,
            present,
        } => format!("{level} ({})", fmt_percent(count, present)),
        ColumnStat::Mode { level: None, .. } => "—".to_owned(),
    }
}

/// What a box-select found.
#[derive(Debug, Clone)]
struct Selection {
    lo: [f64; 2],
    hi: [f64; 2],
    axes: (usize, usize),
    count: usize,
    per_segment: Vec<usize>,
    features: Vec<(String, String, String)>,
}

/// The Scatter tab: PCA scores coloured by segment, centroids, loadings arrows, hover and box-select.
#[derive(Debug)]
pub struct ScatterPanel {
    axes: (usize, usize),
    hidden: Vec<bool>,
    show_loadings: bool,
    select_mode: bool,
    cache: Option<Cache>,
    /// A cache being built on a worker (large results), with the result it is for.
    pending: Option<(Arc<SegResult>, Job<Cache>)>,
    drag_from: Option<PlotPoint>,
    drag_to: Option<PlotPoint>,
    selection: Option<Selection>,
}

impl Default for ScatterPanel {
    fn default() -> Self {
        Self {
            axes: (0, 1),
            hidden: Vec::new(),
            show_loadings: false,
            select_mode: false,
            cache: None,
            pending: None,
            drag_from: None,
            drag_to: None,
            selection: None,
        }
    }
}

impl ScatterPanel {
    /// The cache for a new result: built at once for up to [`SYNC_CACHE_ROWS`] rows, else on a worker
    /// (sampling and indexing a million rows takes longer than a frame) while a spinner shows; `None` until
    /// it is ready.
    fn new_cache(
        &mut self,
        ui: &mut Ui,
        result: &Arc<SegResult>,
        prepared: &Arc<PreparedData>,
        table: &Arc<Table>,
    ) -> Option<Cache> {
        let n = result.seg.labels.len();
        if n <= SYNC_CACHE_ROWS {
            return Some(Cache::new(result, prepared, table, self.axes));
        }
        if let Some((r, job)) = &mut self.pending
            && Arc::ptr_eq(r, result)
        {
            if let Some(done) = job.poll() {
                self.pending = None;
                // A worker that failed (it cannot, short of a bug) falls back to building here.
                return Some(
                    done.unwrap_or_else(|_| Cache::new(result, prepared, table, self.axes)),
                );
            }
        } else {
            let (r, p, t, axes) = (
                Arc::clone(result),
                Arc::clone(prepared),
                Arc::clone(table),
                self.axes,
            );
            match Job::spawn("segscope-scatter", move |_| {
                Ok(Cache::new(&r, &p, &t, axes))
            }) {
                Ok(job) => self.pending = Some((Arc::clone(result), job)),
                Err(_) => return Some(Cache::new(result, prepared, table, self.axes)),
            }
        }
        ui.add_space(40.0);
        ui.vertical_centered(|ui| {
            ui.spinner();
            ui.label(format!("Preparing the scatter of {} rows…", fmt_count(n)));
        });
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(30));
        None
    }
}

/// "PC1 (41.2% of variance)".
pub fn axis_label(pc: usize, ratios: &[f64]) -> String {
    match ratios.get(pc) {
        Some(r) if r.is_finite() => format!("PC{} ({:.1}% of variance)", pc + 1, r * 100.0),
        _ => format!("PC{}", pc + 1),
    }
}

fn empty_state(ui: &mut Ui, state: &AppState) {
    ui.add_space(40.0);
    ui.vertical_centered(|ui| {
        let ex = &state.explorer;
        if let Some(a) = ex.activity() {
            ui.spinner();
            ui.label(format!("{}… ({})", a.what, a.stage));
            ui.label("The scatter appears once the segments are fitted.");
        } else if state.dataset().is_none() {
            ui.label("Open a CSV to see its segments here.");
        } else {
            ui.label("No segmentation yet.");
            ui.label("Choose at least one feature in the Prepare panel on the left.");
        }
    });
}

impl View for ScatterPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        let ex = &state.explorer;
        let (Some(prepared), Some(result), Some(table)) = (ex.prepared(), ex.result(), ex.table())
        else {
            self.cache = None;
            empty_state(ui, state);
            return;
        };
        let n_pcs = prepared.scores.as_ref().map_or(0, ndarray::Array2::ncols);
        if result.seg.labels.len() != prepared.n_rows() || prepared.n_rows() == 0 {
            empty_state(ui, state);
            return;
        }
        if n_pcs < 2 {
            ui.add_space(40.0);
            ui.vertical_centered(|ui| {
                ui.label(
                    "The scatter needs two principal components, and the data has one feature.",
                );
                ui.label("Add a feature in the Prepare panel on the left.");
            });
            return;
        }
        self.axes = (self.axes.0.min(n_pcs - 1), self.axes.1.min(n_pcs - 1));
        if !self
            .cache
            .as_ref()
            .is_some_and(|c| c.matches(result, prepared, table))
        {
            let Some(cache) = self.new_cache(ui, result, prepared, table) else {
                return;
            };
            self.cache = Some(cache);
            self.selection = None;
            if self.hidden.len() != result.seg.k {
                self.hidden = vec![false; result.seg.k];
            }
        }
        let Some(cache) = self.cache.as_mut() else {
            return;
        };
        if cache.axes != self.axes {
            cache.set_axes(self.axes);
        }
        let ratios: &[f64] = prepared
            .pca
            .as_ref()
            .map_or(&[], |p| &p.explained_variance_ratio);

        // Controls.
        ui.horizontal(|ui| {
            pc_combo(ui, "X axis", &mut self.axes.0, n_pcs, ratios);
            pc_combo(ui, "Y axis", &mut self.axes.1, n_pcs, ratios);
            ui.separator();
            ui.checkbox(&mut self.show_loadings, "Loadings arrows").on_hover_text(
                "Biplot: one arrow per feature. An arrow pointing right means rows with high values \
                 of that feature lie to the right. Longer arrows = features that shape these two axes more.",
            );
            ui.checkbox(&mut self.select_mode, "Select box").on_hover_text(
                "Drag a box to profile the rows inside it (or hold Shift while dragging). \
                 Without it, dragging pans and scrolling zooms.",
            );
            if self.selection.is_some() && ui.button("Clear selection").clicked() {
                self.selection = None;
            }
        });
        let n = prepared.n_rows();
        let shown = cache.sample.len();
        let note = if shown < n {
            format!(
                "showing {} of {} rows (sampled per segment); hover and selection use every row",
                fmt_count(shown),
                fmt_count(n)
            )
        } else {
            format!("showing all {} rows", fmt_count(n))
        };
        ui.label(RichText::new(note).weak());

        let palette = Palette::of(ui.visuals());
        let cache = &*cache;
        let mut toggled = None;
        egui::Panel::right("scatter_side")
            .resizable(true)
            .default_size(280.0)
            .min_size(220.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    toggled = legend_ui(ui, cache, &self.hidden);
                    if let Some(sel) = &self.selection {
                        ui.separator();
                        selection_ui(ui, sel, cache);
                    } else {
                        ui.separator();
                        ui.label(RichText::new("Selection").strong());
                        ui.label(
                            RichText::new(
                                "Turn on Select box (or hold Shift) and drag a box to profile the rows in it.",
                            )
                            .weak(),
                        );
                    }
                    if self.show_loadings {
                        ui.separator();
                        loadings_ui(ui, prepared, self.axes);
                    }
                });
            });
        if let Some(s) = toggled
            && let Some(h) = self.hidden.get_mut(s)
        {
            *h = !*h;
        }

        self.plot_ui(ui, &palette);
    }
}

fn pc_combo(ui: &mut Ui, label: &str, pc: &mut usize, n_pcs: usize, ratios: &[f64]) {
    let label = ui.label(label);
    egui::ComboBox::from_id_salt(label.id)
        .selected_text(axis_label(*pc, ratios))
        .width(200.0)
        .show_ui(ui, |ui| {
            for c in 0..n_pcs {
                ui.selectable_value(pc, c, axis_label(c, ratios));
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text(
            "Principal components: directions of largest spread in the prepared features",
        );
}

/// The legend; returns the segment clicked (to toggle).
fn legend_ui(ui: &mut Ui, cache: &Cache, hidden: &[bool]) -> Option<usize> {
    let mut clicked = None;
    let total: usize = cache.sizes.iter().sum();
    ui.label(RichText::new("Segments").strong())
        .on_hover_text("Click a segment to hide or show it.");
    for (s, &size) in cache.sizes.iter().enumerate() {
        let off = hidden.get(s).copied().unwrap_or(false);
        let text = format!(
            "Segment {s} · {} rows · {}",
            fmt_count(size),
            fmt_percent(size, total)
        );
        let r = ui
            .horizontal(|ui| {
                chip(
                    ui,
                    if off {
                        segment_color(s).gamma_multiply(0.25)
                    } else {
                        segment_color(s)
                    },
                );
                let label = if off {
                    RichText::new(text).weak().strikethrough()
                } else {
                    RichText::new(text)
                };
                ui.add(egui::Button::new(label).selected(!off).frame(false))
            })
            .inner;
        let r = r.on_hover_text(if off {
            "Hidden: click to show"
        } else {
            "Click to hide"
        });
        if r.clicked() {
            clicked = Some(s);
        }
    }
    clicked
}

/// A small square of `color`, like a legend key.
pub fn chip(ui: &mut Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
}

fn selection_ui(ui: &mut Ui, sel: &Selection, cache: &Cache) {
    let total: usize = cache.sizes.iter().sum();
    ui.label(RichText::new("Selection").strong());
    ui.label(format!(
        "{} rows ({} of all) in the box",
        fmt_count(sel.count),
        fmt_percent(sel.count, total)
    ));
    if sel.count == 0 {
        ui.label(RichText::new("No visible row in the box.").weak());
        return;
    }
    egui::Grid::new("selection_segments")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (s, &c) in sel.per_segment.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                ui.horizontal(|ui| {
                    chip(ui, segment_color(s));
                    ui.label(format!("Segment {s}"));
                });
                ui.label(format!("{} · {}", fmt_count(c), fmt_percent(c, sel.count)));
                ui.end_row();
            }
        });
    ui.add_space(4.0);
    egui::Grid::new("selection_features")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("feature").weak());
            ui.label(RichText::new("selection").weak())
                .on_hover_text("Mean (numbers, dates) or most common value (categories)");
            ui.label(RichText::new("all rows").weak());
            ui.end_row();
            for (name, inside, all) in &sel.features {
                ui.label(name);
                ui.label(RichText::new(inside).strong());
                ui.label(all);
                ui.end_row();
            }
        });
}

fn loadings_ui(ui: &mut Ui, prepared: &PreparedData, axes: (usize, usize)) {
    let Some(l) = prepared.pca.as_ref().map(crate::reduce::pca::Pca::loadings) else {
        return;
    };
    ui.label(RichText::new("Loadings").strong()).on_hover_text(
        "How much each feature moves along the two axes (component × √variance, in scaled units).",
    );
    egui::Grid::new("loadings_grid")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("feature").weak());
            ui.label(RichText::new(format!("PC{}", axes.0 + 1)).weak());
            ui.label(RichText::new(format!("PC{}", axes.1 + 1)).weak());
            ui.end_row();
            for (j, name) in prepared.prepared.feature_names.iter().enumerate() {
                if j >= l.nrows() {
                    break;
                }
                ui.label(name);
                ui.label(format!("{:+.2}", l[[j, axes.0]]));
                ui.label(format!("{:+.2}", l[[j, axes.1]]));
                ui.end_row();
            }
        });
}

impl ScatterPanel {
    fn plot_ui(&mut self, ui: &mut Ui, palette: &Palette) {
        let Some(cache) = self.cache.as_ref() else {
            return;
        };
        let result = &cache.result;
        let prepared = &cache.prepared;
        let labels = &result.seg.labels;
        let hidden = &self.hidden;
        let is_hidden = |s: usize| hidden.get(s).copied().unwrap_or(false);
        let ratios: &[f64] = prepared
            .pca
            .as_ref()
            .map_or(&[], |p| &p.explained_variance_ratio);
        let (ax, ay) = self.axes;
        let shift = ui.input(|i| i.modifiers.shift);
        let selecting = self.select_mode || shift || self.drag_from.is_some();

        let colors: Vec<Color32> = cache
            .sample
            .iter()
            .map(|&i| {
                let s = labels[i];
                if is_hidden(s) {
                    Color32::TRANSPARENT
                } else {
                    segment_color(s).gamma_multiply(0.8)
                }
            })
            .collect();
        let radius = if cache.sample.len() > 5_000 { 2.0 } else { 3.0 };
        let cloud = PointCloud::new(Arc::clone(&cache.points), colors, radius);

        let mut centroid_items = Vec::new();
        if let Some(cs) = &result.centroid_scores
            && ax < cs.ncols()
            && ay < cs.ncols()
        {
            for s in 0..cs.nrows() {
                if is_hidden(s) || cache.sizes.get(s).copied().unwrap_or(0) == 0 {
                    continue;
                }
                centroid_items.push((s, [cs[[s, ax]], cs[[s, ay]]]));
            }
        }

        let mut arrows = None;
        if self.show_loadings
            && let Some(l) = prepared.pca.as_ref().map(crate::reduce::pca::Pca::loadings)
        {
            let [[x0, y0], [x1, y1]] = cache.grid.bounds();
            let (ex, ey) = (x0.abs().max(x1.abs()), y0.abs().max(y1.abs()));
            let (mut mx, mut my) = (0.0f64, 0.0f64);
            for j in 0..l.nrows() {
                mx = mx.max(l[[j, ax]].abs());
                my = my.max(l[[j, ay]].abs());
            }
            let scale = 0.8 * (ex / mx.max(1e-12)).min(ey / my.max(1e-12));
            let tips: Vec<(String, [f64; 2])> = prepared
                .prepared
                .feature_names
                .iter()
                .enumerate()
                .filter(|&(j, _)| j < l.nrows())
                .map(|(j, name)| (name.clone(), [l[[j, ax]] * scale, l[[j, ay]] * scale]))
                .collect();
            arrows = Some(tips);
        }

        let drag_from = self.drag_from;
        let sel_rect = self
            .selection
            .as_ref()
            .filter(|s| s.axes == self.axes)
            .map(|s| (s.lo, s.hi));
        let text_color = ui.visuals().text_color();
        let bg = ui.visuals().extreme_bg_color;
        let plot = Plot::new("scatter_plot")
            .x_axis_label(axis_label(ax, ratios))
            .y_axis_label(axis_label(ay, ratios))
            .show_x(false)
            .show_y(false)
            .allow_drag(Vec2b::new(!selecting, !selecting))
            .allow_boxed_zoom(!selecting)
            .allow_double_click_reset(true)
            .min_size(egui::vec2(200.0, 200.0));
        let grid = &cache.grid;
        let response = plot.show(ui, |plot_ui| {
            plot_ui.add(cloud);
            if let Some(tips) = &arrows {
                let origins: Vec<[f64; 2]> = vec![[0.0, 0.0]; tips.len()];
                let ends: Vec<[f64; 2]> = tips.iter().map(|t| t.1).collect();
                plot_ui.arrows(
                    Arrows::new("loadings", PlotPoints::new(origins), PlotPoints::new(ends))
                        .color(palette.loading)
                        .tip_length(8.0)
                        .allow_hover(false),
                );
                for (name, [x, y]) in tips {
                    let anchor = match (*x >= 0.0, *y >= 0.0) {
                        (true, true) => Align2::LEFT_BOTTOM,
                        (true, false) => Align2::LEFT_TOP,
                        (false, true) => Align2::RIGHT_BOTTOM,
                        (false, false) => Align2::RIGHT_TOP,
                    };
                    plot_ui.text(
                        Text::new(
                            format!("loading {name}"),
                            PlotPoint::new(*x, *y),
                            RichText::new(name).color(palette.loading).strong(),
                        )
                        .anchor(anchor)
                        .allow_hover(false),
                    );
                }
            }
            if let Some((lo, hi)) = sel_rect {
                plot_ui.polygon(rect_polygon("selection", lo, hi, palette.selection));
            }
            let pointer = plot_ui.pointer_coordinate();
            let resp = plot_ui.response().clone();
            let mut hovered = None;
            let mut drag = None;
            if selecting {
                let origin = plot_ui
                    .ctx()
                    .input(|i| i.pointer.press_origin())
                    .map(|o| plot_ui.plot_from_screen(o));
                if resp.drag_started()
                    && let Some(p) = origin.or(pointer)
                {
                    drag = Some(DragEvent::Start(p, pointer.unwrap_or(p)));
                } else if resp.drag_stopped() {
                    drag = Some(DragEvent::End(pointer));
                } else if let (Some(from), Some(p)) = (drag_from, pointer) {
                    let (lo, hi) = ordered(from, p);
                    plot_ui.polygon(rect_polygon("dragging", lo, hi, palette.selection));
                    drag = Some(DragEvent::Move(p));
                }
            }
            if drag_from.is_none()
                && resp.hovered()
                && let Some(p) = pointer
            {
                let [dx, dy] = plot_ui.transform().dvalue_dpos();
                let r = f64::from(HOVER_RADIUS);
                hovered = grid.nearest(p.x, p.y, dx * r, dy * r, |i| !is_hidden(labels[i]));
                if let Some(i) = hovered {
                    let pos = [f64::from(grid.xs[i]), f64::from(grid.ys[i])];
                    plot_ui.points(
                        Points::new("hovered", PlotPoints::new(vec![pos]))
                            .shape(MarkerShape::Circle)
                            .radius(6.0)
                            .filled(false)
                            .color(text_color)
                            .allow_hover(false),
                    );
                }
            }
            (hovered, drag)
        });
        let (hovered, drag) = response.inner;
        // Segment centres on top of everything: an outlined disc with the segment number.
        let frame = *response.transform.frame();
        let painter = ui.painter_at(frame);
        for &(s, p) in &centroid_items {
            let c = response
                .transform
                .position_from_point(&PlotPoint::new(p[0], p[1]));
            if !frame.contains(c) {
                continue;
            }
            painter.circle(c, 11.0, segment_color(s), Stroke::new(2.5, bg));
            painter.circle_stroke(c, 13.0, Stroke::new(1.5, text_color));
            painter.text(
                c,
                Align2::CENTER_CENTER,
                s.to_string(),
                egui::FontId::proportional(13.0),
                Color32::BLACK,
            );
        }
        if let Some(i) = hovered {
            egui::Tooltip::for_widget(&response.response)
                .at_pointer()
                .gap(12.0)
                .show(|ui| hover_ui(ui, cache, i));
        }
        match drag {
            Some(DragEvent::Start(from, to)) => {
                self.drag_from = Some(from);
                self.drag_to = Some(to);
            }
            Some(DragEvent::Move(to)) => self.drag_to = Some(to),
            Some(DragEvent::End(to)) => {
                // The release may come with the pointer gone: the last position seen counts.
                if let (Some(from), Some(to)) = (self.drag_from.take(), to.or(self.drag_to)) {
                    let (lo, hi) = ordered(from, to);
                    self.selection = Some(select(cache, &self.hidden, self.axes, lo, hi));
                }
                self.drag_to = None;
            }
            None => {}
        }
        if self.drag_from.is_some() && !ui.input(|i| i.pointer.any_down()) {
            self.drag_from = None;
            self.drag_to = None;
        }
    }
}

enum DragEvent {
    Start(PlotPoint, PlotPoint),
    Move(PlotPoint),
    End(Option<PlotPoint>),
}

fn ordered(a: PlotPoint, b: PlotPoint) -> ([f64; 2], [f64; 2]) {
    ([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)])
}

fn rect_polygon(name: &str, lo: [f64; 2], hi: [f64; 2], color: Color32) -> Polygon<'static> {
    Polygon::new(
        name,
        PlotPoints::new(vec![lo, [hi[0], lo[1]], hi, [lo[0], hi[1]]]),
    )
    .fill_color(color.gamma_multiply(0.15))
    .stroke(Stroke::new(1.5, color))
    .allow_hover(false)
}

/// Profiles the visible rows inside `[lo, hi]` (every row, not only the drawn sample).
fn select(
    cache: &Cache,
    hidden: &[bool],
    axes: (usize, usize),
    lo: [f64; 2],
    hi: [f64; 2],
) -> Selection {
    let labels = &cache.result.seg.labels;
    let rows = cache
        .grid
        .in_rect(lo, hi, |i| !hidden.get(labels[i]).copied().unwrap_or(false));
    let mut per_segment = vec![0usize; cache.sizes.len()];
    for &i in &rows {
        if let Some(c) = per_segment.get_mut(labels[i]) {
            *c += 1;
        }
    }
    let table = &cache.table;
    let kept = &cache.prepared.prepared.kept_rows;
    let features = cache
        .features
        .iter()
        .map(|f| {
            let inside = f.column.map_or_else(
                || "—".to_owned(),
                |c| summarize(&table.columns[c].data, rows.iter().map(|&i| kept[i])),
            );
            (f.name.clone(), inside, f.text.clone())
        })
        .collect();
    Selection {
        lo,
        hi,
        axes,
        count: rows.len(),
        per_segment,
        features,
    }
}

fn hover_ui(ui: &mut Ui, cache: &Cache, i: usize) {
    let table = &cache.table;
    let row = cache
        .prepared
        .prepared
        .kept_rows
        .get(i)
        .copied()
        .unwrap_or(i);
    let s = cache.result.seg.labels[i];
    let id = cache.id_column.map_or_else(
        || format!("row {}", row + 1),
        |c| table.columns[c].data.display(row),
    );
    ui.horizontal(|ui| {
        ui.label(RichText::new(id).strong());
        ui.label(
            RichText::new(format!("Segment {s}"))
                .color(segment_color(s))
                .strong(),
        );
    });
    egui::Grid::new("hover_values")
        .num_columns(2)
        .show(ui, |ui| {
            for f in cache.features.iter().take(TOOLTIP_FEATURES) {
                let Some(c) = f.column else {
                    continue;
                };
                ui.label(RichText::new(&f.name).weak());
                let v = table.columns[c].data.display(row);
                let v = if v.is_empty() {
                    "(missing)".to_owned()
                } else {
                    v
                };
                ui.label(v);
                ui.end_row();
            }
        });
    if cache.features.len() > TOOLTIP_FEATURES {
        ui.label(
            RichText::new(format!(
                "… and {} more features",
                cache.features.len() - TOOLTIP_FEATURES
            ))
            .weak(),
        );
    }
    let p = [cache.grid.xs[i], cache.grid.ys[i]];
    ui.label(
        RichText::new(format!(
            "PC{} = {}, PC{} = {}",
            cache.axes.0 + 1,
            fmt_num(f64::from(p[0])),
            cache.axes.1 + 1,
            fmt_num(f64::from(p[1]))
        ))
        .weak()
        .small(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1,000,000 rows: a segment of 950,000, one of 49,700 and one of 300.
    fn labels_1m() -> Vec<usize> {
        let mut r = Rng::new(1);
        (0..1_000_000)
            .map(|_| match r.below(1_000_000) {
                0..300 => 2,
                300..50_000 => 1,
                _ => 0,
            })
            .collect()
    }

    fn counts(labels: &[usize], rows: &[usize], k: usize) -> Vec<usize> {
        let mut c = vec![0; k];
        for &i in rows {
            c[labels[i]] += 1;
        }
        c
    }

    #[test]
    fn quotas_preserve_shares_keep_small_segments_and_cap_the_total() {
        assert_eq!(
            segment_quotas(&[10, 5], 100, 500),
            [10, 5],
            "small data: all rows"
        );
        let q = segment_quotas(&[900_000, 99_000, 1_000], 20_000, 500);
        assert!(q.iter().sum::<usize>() <= 20_000, "{q:?}");
        assert_eq!(q[2], 500, "the small segment keeps 500 rows");
        // The two large segments keep their relative shares.
        let ratio = q[0] as f64 / q[1] as f64;
        assert!((ratio - 900.0 / 99.0).abs() < 0.05, "{q:?}");
        assert!(
            q.iter().sum::<usize>() >= 19_990,
            "the budget is used: {q:?}"
        );
        let q = segment_quotas(&[900_000, 120, 0], 20_000, 500);
        assert_eq!(q[1], 120, "a segment under 500 rows is drawn whole");
        assert_eq!(q[2], 0);
        // Many segments: the floor drops so the cap holds.
        let sizes = vec![100_000; 100];
        let q = segment_quotas(&sizes, 20_000, 500);
        assert!(q.iter().sum::<usize>() <= 20_000);
        assert!(q.iter().all(|&x| x == 200), "{:?}", &q[..3]);
    }

    #[test]
    fn sample_is_deterministic_sorted_and_per_segment() {
        let labels = labels_1m();
        let a = sample_per_segment(&labels, SAMPLE_CAP, MIN_PER_SEGMENT);
        let b = sample_per_segment(&labels, SAMPLE_CAP, MIN_PER_SEGMENT);
        assert_eq!(a, b, "deterministic");
        assert!(a.len() <= SAMPLE_CAP && a.len() > SAMPLE_CAP - 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats");
        let sizes = counts(&labels, &(0..labels.len()).collect::<Vec<_>>(), 3);
        let got = counts(&labels, &a, 3);
        assert_eq!(got, segment_quotas(&sizes, SAMPLE_CAP, MIN_PER_SEGMENT));
        assert_eq!(
            got[2], sizes[2],
            "the smallest segment (< 500 rows) is drawn whole"
        );
        // Spread over the whole row range, not just the first rows.
        assert!(*a.last().unwrap() > 990_000 && a[0] < 10_000);
        let small: Vec<usize> = vec![0, 1, 1, 0];
        assert_eq!(sample_per_segment(&small, 10, 2), [0, 1, 2, 3]);
        assert!(sample_per_segment(&[], 10, 2).is_empty());
    }

    #[test]
    fn grid_finds_the_nearest_point_and_rectangles() {
        let xs = vec![0.0, 1.0, 2.0, 2.1, 10.0, f32::NAN];
        let ys = vec![0.0, 1.0, 2.0, 2.0, 10.0, 0.0];
        let g = GridIndex::build(xs, ys, 8);
        assert_eq!(g.nearest(2.04, 2.0, 0.5, 0.5, |_| true), Some(2));
        assert_eq!(g.nearest(2.04, 2.0, 0.5, 0.5, |i| i != 2), Some(3));
        assert_eq!(
            g.nearest(5.0, 5.0, 0.5, 0.5, |_| true),
            None,
            "nothing in reach"
        );
        assert_eq!(g.nearest(10.2, 10.0, 0.5, 0.5, |_| true), Some(4));
        assert_eq!(g.in_rect([0.5, 0.5], [2.05, 3.0], |_| true), [1, 2]);
        assert_eq!(
            g.in_rect([-1.0, -1.0], [20.0, 20.0], |i| i % 2 == 0),
            [0, 2, 4]
        );
        assert!(g.in_rect([30.0, 30.0], [40.0, 40.0], |_| true).is_empty());
        let empty = GridIndex::build(Vec::new(), Vec::new(), 8);
        assert_eq!(empty.nearest(0.0, 0.0, 1.0, 1.0, |_| true), None);
    }

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
