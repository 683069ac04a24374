//! The Dendrogram tab: the merge tree in leaf order, coloured by the cut, with a draggable cut line.
//!
//! Large trees are truncated like scipy's `truncate_mode="lastp"` (in the engine,
//! [`truncate_lastp`]): only the last [`LASTP`] clusters are drawn as leaves (each labelled with its row
//! count), i.e. the top `LASTP − 1` merges. The truncated tree and its layout are cached per result; the
//! cut line's live preview (segment count and sizes while dragging) is a cheap O(leaves) cut of the
//! cached tree.
//!
//! Files: `mod.rs` (the panel and its cache), `header.rs` (title, K controls, sizes at the cut, hint),
//! `tree_plot.rs` (the plot, the cut line and the drag / pan gestures), `empty.rs` (no tree yet, or a
//! method without one).

mod empty;
mod header;
mod tree_plot;

use std::sync::Arc;

use egui::Ui;

use super::View;
use super::explore::{ExploreCommand, SegResult, Target};
use super::state::{AppState, Command};
use super::theme::Palette;
use crate::cluster::hierarchy::{DendrogramLayout, Truncated, cut_range, truncate_lastp};
use crate::cluster::{Dendrogram, cut_height, height_for_k, node_positions, sizes_at_cut};

/// Most leaves drawn (scipy's `p` of `truncate_mode="lastp"`).
pub const LASTP: usize = 200;

/// Most segments the cut line or the K field may ask for (more are unreadable in every other tab).
pub const MAX_CUT_K: usize = 40;

/// Drawing data derived from one result's tree.
#[derive(Debug)]
struct Cache {
    result: Arc<SegResult>,
    truncated: Truncated,
    layout: DendrogramLayout,
    /// Cut labels (per original leaf) and sizes at a height (bits of the f64).
    cut: Option<(u64, Vec<usize>, Vec<usize>)>,
}

impl Cache {
    fn new(result: &Arc<SegResult>, tree: &Dendrogram) -> Self {
        let truncated = truncate_lastp(tree, LASTP);
        let layout = node_positions(&truncated.tree);
        Self {
            result: Arc::clone(result),
            truncated,
            layout,
            cut: None,
        }
    }

    /// Labels per original leaf and segment sizes at cut height `h` (cached for the last height).
    fn cut_at(&mut self, tree: &Dendrogram, h: f64) -> Option<(&[usize], &[usize])> {
        if self.cut.as_ref().is_none_or(|c| c.0 != h.to_bits()) {
            let labels = cut_height(tree, h).ok()?;
            let sizes = sizes_at_cut(tree, &labels);
            self.cut = Some((h.to_bits(), labels, sizes));
        }
        self.cut.as_ref().map(|c| (c.1.as_slice(), c.2.as_slice()))
    }
}

/// What the pointer is doing on the plot.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Gesture {
    /// Moving the cut line; the height under the pointer (clamped to the cut range).
    Cut(f64),
    /// Panning the view.
    Pan,
}

/// The Dendrogram tab: the merge tree in leaf order, coloured by the cut, with a draggable cut line.
#[derive(Debug, Default)]
pub struct DendrogramPanel {
    cache: Option<Cache>,
    /// The drag in progress, if any.
    gesture: Option<Gesture>,
    /// The K field's value.
    k_field: usize,
    /// The result's K when the field was last synced to it.
    k_seen: usize,
}

impl DendrogramPanel {
    /// The height the cut line is being dragged to, if it is.
    fn dragging(&self) -> Option<f64> {
        match self.gesture {
            Some(Gesture::Cut(h)) => Some(h),
            _ => None,
        }
    }
}

impl View for DendrogramPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        let ex = &state.explorer;
        if !ex.model.method.is_hierarchical() {
            self.cache = None;
            empty::not_hierarchical_ui(ui, ex.model.method, commands);
            return;
        }
        let Some((result, tree)) = ex
            .result()
            .and_then(|r| r.seg.dendrogram.as_ref().map(|t| (r, t)))
            .filter(|(r, _)| r.seg.method == ex.model.method)
        else {
            self.cache = None;
            empty::waiting_ui(ui, state);
            return;
        };
        if tree.merges.is_empty() {
            ui.label("The tree has a single leaf: there is nothing to cut.");
            return;
        }
        if !self
            .cache
            .as_ref()
            .is_some_and(|c| Arc::ptr_eq(&c.result, result))
        {
            self.cache = Some(Cache::new(result, tree));
        }
        let committed_h = match ex.picked {
            Some(Target::Height(h)) => h,
            _ => height_for_k(tree, result.seg.k),
        };
        let range = cut_range(tree, MAX_CUT_K);
        let shown_h = self
            .dragging()
            .unwrap_or(committed_h)
            .clamp(range.0, range.1.max(range.0));
        if self.k_seen != result.seg.k {
            self.k_seen = result.seg.k;
            self.k_field = result.seg.k;
        }

        let palette = Palette::of(ui.visuals());
        header::title_ui(ui, tree, &palette);
        header::k_controls_ui(ui, self, state, result.seg.k, tree, commands);
        let Some(cache) = self.cache.as_mut() else {
            return;
        };
        let sizes: Vec<usize> = cache
            .cut_at(tree, shown_h)
            .map(|(_, s)| s.to_vec())
            .unwrap_or_default();
        let dragging = matches!(self.gesture, Some(Gesture::Cut(_)));
        header::sizes_ui(ui, &sizes, shown_h, dragging);
        header::hint_ui(ui, &cache.truncated);
        let view = tree_plot::TreeView {
            tree,
            shown_h,
            range,
            palette: &palette,
        };
        let kept_rows = ex.prepared().map(|p| &p.prepared.kept_rows[..]);
        if let Some(cut) =
            tree_plot::plot_ui(ui, cache, &view, kept_rows, &mut self.gesture, commands)
        {
            commands.push(Command::Explore(ExploreCommand::CutHeight(cut)));
        }
    }
}
