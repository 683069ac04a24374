//! The Scatter tab: PCA scores coloured by segment, centroids, loadings arrows, hover and box-select.
//!
//! Large data stays fluid: the plot draws a deterministic per-segment sample (at most [`SAMPLE_CAP`]
//! points, small segments kept whole or at [`MIN_PER_SEGMENT`] rows) as ONE mesh, while hover and
//! box-select query every row through a uniform grid index. Both are built once per result (and per pair
//! of axes), keyed by the result's identity, never per frame.

//!
//! Files: `mod.rs` (the panel: controls, layout, building the cache), `sample.rs` (the drawing sample),
//! `grid.rs` (the hover / box-select index), `cache.rs` (what is derived per result, the box-select
//! profile), `items.rs` (the point mesh and rectangle items), `plot.rs` (the plot and its interactions),
//! `side.rs` (legend, selection and loadings lists, hover tooltip).

mod cache;
mod grid;
mod items;
mod plot;
mod sample;
mod side;

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_plot::PlotPoint;

use super::View;
use super::explore::{ExploreCommand, PreparedData, SegResult};
use super::format::{count, fmt_count};
use super::state::{AppState, Command};
use super::theme::Palette;
use crate::data::Table;
use crate::jobs::Job;
use cache::{Cache, Selection};
pub use side::chip;
use side::{legend_ui, loadings_ui, selection_ui};

/// Most points drawn.
pub const SAMPLE_CAP: usize = 20_000;

/// Rows of each segment always drawn (or all of them, if fewer), so small segments stay visible.
pub const MIN_PER_SEGMENT: usize = 500;

/// Cells per side of the hover / box-select grid.
const GRID_CELLS: usize = 256;

/// Results up to this many rows get their drawing cache in the frame (a few ms); larger ones on a worker.
const SYNC_CACHE_ROWS: usize = 100_000;

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
    /// Draws a 2-D map (the Map tab) instead of PCA scores: no axis choice, centroids or loadings.
    map: bool,
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
            map: false,
        }
    }
}

impl ScatterPanel {
    /// The point cloud of the Map tab: the same legend, hover and box-select, on map positions.
    pub fn for_map() -> Self {
        Self {
            map: true,
            ..Self::default()
        }
    }

    /// Draws the map `xy` of the prepared `rows` (the Map tab), with `note` under the controls. Returns
    /// `false` (drawing nothing) when there is no segmentation of the prepared rows to colour it with.
    pub fn map_ui(
        &mut self,
        ui: &mut Ui,
        state: &AppState,
        commands: &mut Vec<Command>,
        rows: &Arc<Vec<usize>>,
        xy: &Arc<Vec<[f32; 2]>>,
        note: &str,
    ) -> bool {
        let ex = &state.explorer;
        let (Some(prepared), Some(result), Some(table)) = (ex.prepared(), ex.result(), ex.table())
        else {
            self.cache = None;
            return false;
        };
        if result.seg.labels.len() != prepared.n_rows() {
            return false;
        }
        if !self
            .cache
            .as_ref()
            .is_some_and(|c| c.matches(result, prepared, table))
        {
            let Some(cache) = self.new_cache(ui, result, prepared, table) else {
                return true;
            };
            self.cache = Some(cache);
            self.selection = None;
            if self.hidden.len() != result.seg.k {
                self.hidden = vec![false; result.seg.k];
            }
        }
        if let Some(cache) = self.cache.as_mut()
            && !cache.shows_map(xy)
        {
            cache.set_map(Arc::clone(rows), Arc::clone(xy));
        }
        ui.horizontal(|ui| {
            self.select_controls_ui(ui);
            super::plot_export::save_button(ui, super::plot_export::PlotKind::Map, commands);
        });
        ui.label(RichText::new(note).weak());
        self.body_ui(ui, prepared, commands);
        true
    }

    /// The box-select toggle and Clear selection.
    fn select_controls_ui(&mut self, ui: &mut Ui) {
        ui.checkbox(&mut self.select_mode, "Select box")
            .on_hover_text(
                "Drag a box to profile the rows inside it (or hold Shift while dragging). \
             Without it, dragging pans and scrolling zooms.",
            );
        if self.selection.is_some() && ui.button("Clear selection").clicked() {
            self.selection = None;
        }
    }

    /// The side panel (legend, selection, loadings) and the plot.
    fn body_ui(&mut self, ui: &mut Ui, prepared: &PreparedData, commands: &mut Vec<Command>) {
        let Some(cache) = self.cache.as_ref() else {
            return;
        };
        let palette = Palette::of(ui.visuals());
        let mut legend = side::LegendAction::default();
        let mut clear = false;
        let side_id = if self.map { "map_side" } else { "scatter_side" };
        // At most 40% of the tab, so the plot keeps the rest at any window size.
        let side_max = (ui.available_width() * 0.4).max(220.0);
        egui::Panel::right(side_id)
            .resizable(true)
            .default_size(280.0_f32.min(side_max))
            .min_size(220.0)
            .max_size(side_max)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    legend = legend_ui(ui, cache, &self.hidden);
                    if let Some(sel) = &self.selection {
                        ui.separator();
                        selection_ui(ui, sel, cache);
                        clear = selection_actions_ui(ui, sel, commands);
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
                    if self.show_loadings && !self.map {
                        ui.separator();
                        loadings_ui(ui, prepared, self.axes);
                    }
                });
            });
        if let Some((s, name)) = legend.renamed {
            commands.push(Command::Explore(
                crate::app::explore::ExploreCommand::RenameSegment(s, name),
            ));
        }
        if clear {
            self.selection = None;
        }
        if let Some(s) = legend.toggled
            && let Some(h) = self.hidden.get_mut(s)
        {
            *h = !*h;
        }
        self.plot_ui(ui, &palette, commands);
    }

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

/// "Export selected rows…" and "Make a segment of the selection" under the selection's profile; returns
/// whether the selection is used up (it became a segment).
fn selection_actions_ui(ui: &mut Ui, sel: &Selection, commands: &mut Vec<Command>) -> bool {
    if sel.count == 0 {
        return false;
    }
    ui.add_space(4.0);
    let rows = count(sel.count, "selected row");
    if ui
        .button("Export selected rows…")
        .on_hover_text(format!(
            "Write the {rows} to a CSV: the input columns and the segment columns of the Export tab"
        ))
        .clicked()
    {
        commands.push(Command::ExportRows(Arc::clone(&sel.rows)));
    }
    if ui
        .button("Make a segment of the selection")
        .on_hover_text(format!(
            "Move the {rows} into a new segment named \"selection\"; profiles, silhouettes and \
             exports follow. Undo with {}.",
            ui.ctx().format_shortcut(&egui::KeyboardShortcut::new(
                egui::Modifiers::COMMAND,
                egui::Key::Z
            ))
        ))
        .clicked()
    {
        commands.push(Command::Explore(ExploreCommand::SegmentOfRows(Arc::clone(
            &sel.rows,
        ))));
        return true;
    }
    false
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
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
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
        let shown = cache.sample.len();
        let ratios: &[f64] = prepared
            .pca
            .as_ref()
            .map_or(&[], |p| &p.explained_variance_ratio);

        // Controls (wrapped: at 900 px a single row would push the side panel out of the window).
        ui.horizontal_wrapped(|ui| {
            pc_combo(ui, "X axis", &mut self.axes.0, n_pcs, ratios);
            pc_combo(ui, "Y axis", &mut self.axes.1, n_pcs, ratios);
            ui.separator();
            ui.checkbox(&mut self.show_loadings, "Loadings arrows").on_hover_text(
                "Biplot: one arrow per feature. An arrow pointing right means rows with high values \
                 of that feature lie to the right. Longer arrows = features that shape these two axes more.",
            );
            self.select_controls_ui(ui);
            let (x, y) = self.axes;
            super::plot_export::save_button(
                ui,
                super::plot_export::PlotKind::Scatter { x, y },
                commands,
            );
        });
        let n = prepared.n_rows();
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
        self.body_ui(ui, prepared, commands);
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
