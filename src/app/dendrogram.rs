//! The Dendrogram tab: the merge tree in leaf order, coloured by the cut, with a draggable cut line.
//!
//! Large trees are truncated like scipy's `truncate_mode="lastp"`: only the last [`LASTP`] clusters are
//! drawn as leaves (each labelled with its row count), i.e. the top `LASTP − 1` merges. The truncated
//! tree and its layout are cached per result; the cut line's live preview (segment count and sizes while
//! dragging) is a cheap O(leaves) cut of the cached tree.

use std::sync::Arc;

use egui::{Align2, Color32, CursorIcon, Rect, RichText, Sense, Stroke, Ui, pos2, vec2};
use egui_plot::{HLine, Line, Plot, PlotPoint, PlotPoints, Text};

use super::View;
use super::explore::{ExploreCommand, SegResult, Target};
use super::format::{fmt_count, fmt_num, fmt_percent};
use super::scatter::chip;
use super::state::{AppState, Command};
use super::theme::{Palette, segment_color};
use crate::cluster::hierarchy::{DendrogramLayout, Truncated, truncate_lastp};
use crate::cluster::{
    Dendrogram, Linkage, Method, cut_height, height_for_k, node_positions, sizes_at_cut,
};

/// Most leaves drawn (scipy's `p` of `truncate_mode="lastp"`).
pub const LASTP: usize = 200;

/// Most segments the cut line or the K field may ask for (more are unreadable in every other tab).
pub const MAX_CUT_K: usize = 40;

/// Colour index of each drawn link at cut height `h`: the segment (under `leaf_labels`, a label per
/// ORIGINAL leaf) it lies in, or `None` above the cut.
pub fn link_segments(t: &Truncated, leaf_labels: &[usize], h: f64) -> Vec<Option<usize>> {
    let p = t.tree.n_leaves;
    t.tree
        .merges
        .iter()
        .enumerate()
        .map(|(i, m)| {
            (m.height <= h)
                .then(|| {
                    t.rep_leaf
                        .get(p + i)
                        .and_then(|&l| leaf_labels.get(l))
                        .copied()
                })
                .flatten()
        })
        .collect()
}

/// The y axis title for a linkage.
fn height_label(method: Linkage) -> String {
    match method {
        Linkage::Ward => "merge height (Ward distance)".to_owned(),
        other => format!("merge height ({other}-linkage distance)"),
    }
}

/// The cut heights the line may take: from the one giving [`MAX_CUT_K`] segments to just below the root.
pub fn cut_range(tree: &Dendrogram) -> (f64, f64) {
    let root = tree.root_height();
    let lo = height_for_k(tree, MAX_CUT_K.min(tree.n_leaves));
    let hi = root - 1e-9 * root.abs().max(1e-12);
    (lo.min(hi), hi)
}

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
    fn cut_at(&mut self, tree: &Dendrogram, h: f64) -> Option<(&[usize], &[usize])> {
        if self.cut.as_ref().is_none_or(|c| c.0 != h.to_bits()) {
            let labels = cut_height(tree, h).ok()?;
            let sizes = sizes_at_cut(tree, &labels);
            self.cut = Some((h.to_bits(), labels, sizes));
        }
        self.cut.as_ref().map(|c| (c.1.as_slice(), c.2.as_slice()))
    }
}

/// The Dendrogram tab: the merge tree in leaf order, coloured by the cut, with a draggable cut line.
#[derive(Debug, Default)]
pub struct DendrogramPanel {
    cache: Option<Cache>,
    /// The height under the pointer while the cut line is dragged.
    dragging: Option<f64>,
    /// The K field's value.
    k_field: usize,
    /// The result's K when the field was last synced to it.
    k_seen: usize,
}

impl View for DendrogramPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        let ex = &state.explorer;
        if !ex.model.method.is_hierarchical() {
            self.cache = None;
            not_hierarchical_ui(ui, ex.model.method, commands);
            return;
        }
        let Some((result, tree)) = ex
            .result()
            .and_then(|r| r.seg.dendrogram.as_ref().map(|t| (r, t)))
            .filter(|(r, _)| r.seg.method == ex.model.method)
        else {
            self.cache = None;
            waiting_ui(ui, state);
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
            let truncated = truncate_lastp(tree, LASTP);
            let layout = node_positions(&truncated.tree);
            self.cache = Some(Cache {
                result: Arc::clone(result),
                truncated,
                layout,
                cut: None,
            });
        }
        let committed_h = match ex.picked {
            Some(Target::Height(h)) => h,
            _ => height_for_k(tree, result.seg.k),
        };
        let (lo, hi) = cut_range(tree);
        let shown_h = self.dragging.unwrap_or(committed_h).clamp(lo, hi.max(lo));
        let max_k = MAX_CUT_K.min(tree.n_leaves);
        if self.k_seen != result.seg.k {
            self.k_seen = result.seg.k;
            self.k_field = result.seg.k;
        }

        // Header: what is shown, the cut, K controls.
        let palette = Palette::of(ui.visuals());
        let Some(cache) = self.cache.as_mut() else {
            return;
        };
        let sizes: Vec<usize> = cache
            .cut_at(tree, shown_h)
            .map(|(_, s)| s.to_vec())
            .unwrap_or_default();
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{} linkage", capitalized(tree.method.name()))).strong());
            ui.label(format!("· {} rows", fmt_count(tree.n_rows())));
            if tree.approximate {
                ui.label(
                    RichText::new(format!(
                        "· approximate: {} on {} k-means micro-clusters of {} rows",
                        capitalized(tree.method.name()),
                        fmt_count(tree.n_leaves),
                        fmt_count(tree.n_rows())
                    ))
                    .color(palette.warn_text),
                )
                .on_hover_text(
                    "Too many rows for an exact tree: rows were first grouped into micro-clusters by \
                     k-means, and the tree merges those (weighted by their rows). Cuts are close to, \
                     but not exactly, the exact tree's.",
                );
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("Segments:");
            let ks: Vec<usize> = ex
                .sweep()
                .map(|s| s.ks.clone())
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| (2..=10).collect());
            let recommended = ex
                .sweep()
                .and_then(|s| s.done.as_ref())
                .and_then(|d| d.recommended_k);
            for k in ks.into_iter().filter(|&k| k <= max_k) {
                let text = if Some(k) == recommended {
                    RichText::new(k.to_string()).strong().underline()
                } else {
                    RichText::new(k.to_string())
                };
                let mut r = ui.selectable_label(result.seg.k == k && self.dragging.is_none(), text);
                if Some(k) == recommended {
                    r = r.on_hover_text(format!(
                        "{k} segments: recommended by the K sweep (underlined)"
                    ));
                } else {
                    r = r.on_hover_text(format!("Cut the tree into {k} segments"));
                }
                if r.clicked() {
                    self.k_field = k;
                    commands.push(Command::Explore(ExploreCommand::PickK(k)));
                }
            }
            ui.separator();
            ui.label("K");
            let r = ui
                .add(egui::DragValue::new(&mut self.k_field).range(1..=max_k))
                .on_hover_text(format!(
                    "Any number of segments from 1 to {max_k}; the cut line snaps to it"
                ));
            let commit = r.lost_focus()
                || r.drag_stopped()
                || (r.changed() && !r.has_focus() && !r.dragged());
            if commit && self.k_field != result.seg.k {
                commands.push(Command::Explore(ExploreCommand::PickK(self.k_field)));
            }
            if ex.is_fitting() {
                ui.spinner();
                ui.label(RichText::new("fitting…").weak());
            }
        });
        ui.horizontal_wrapped(|ui| {
            let total: usize = sizes.iter().sum();
            let lead = if self.dragging.is_some() {
                format!(
                    "Release to cut at {} into {} segments:",
                    fmt_num(shown_h),
                    sizes.len()
                )
            } else {
                format!(
                    "Cut at height {} · {} segments:",
                    fmt_num(shown_h),
                    sizes.len()
                )
            };
            ui.label(RichText::new(lead).strong());
            for (s, &size) in sizes.iter().enumerate().take(12) {
                chip(ui, segment_color(s));
                ui.label(format!(
                    "{} ({})",
                    fmt_count(size),
                    fmt_percent(size, total)
                ))
                .on_hover_text(format!("Segment {s}: {} rows", fmt_count(size)));
            }
            if sizes.len() > 12 {
                ui.label(format!("… {} more", sizes.len() - 12));
            }
        });
        if cache.truncated.collapsed {
            ui.label(
                RichText::new(format!(
                    "Showing the top {} merges; leaves marked (n) are collapsed subtrees of n rows. \
                     Drag the red line to cut; scroll or drag elsewhere to pan, Ctrl+scroll to zoom.",
                    cache.truncated.tree.merges.len()
                ))
                .weak(),
            );
        } else {
            ui.label(
                RichText::new(
                    "Drag the red line to cut; scroll or drag elsewhere to pan, Ctrl+scroll to zoom.",
                )
                .weak(),
            );
        }

        let link_colors: Vec<Color32> = {
            let labels = cache.cut_at(tree, shown_h).map(|(l, _)| l.to_vec());
            let segs = labels.map_or_else(
                || vec![None; cache.truncated.tree.merges.len()],
                |l| link_segments(&cache.truncated, &l, shown_h),
            );
            segs.into_iter()
                .map(|s| s.map_or(palette.link_neutral, segment_color))
                .collect()
        };
        let leaf_labels: Vec<String> = (0..cache.truncated.tree.n_leaves)
            .map(|leaf| {
                let rows = cache
                    .truncated
                    .tree
                    .leaf_weights
                    .as_ref()
                    .and_then(|w| w.get(leaf).copied())
                    .unwrap_or(1);
                if cache.truncated.leaf_members[leaf] > 1 || tree.approximate {
                    format!("({})", fmt_count(rows))
                } else {
                    // A single row: its input row number (1-based), like the Data tab.
                    let m = cache.truncated.rep_leaf[leaf];
                    let row = ex
                        .prepared()
                        .and_then(|p| p.prepared.kept_rows.get(m).copied())
                        .unwrap_or(m);
                    format!("{}", row + 1)
                }
            })
            .collect();
        let layout = &cache.layout;
        let root = tree.root_height();
        let n_leaves = cache.truncated.tree.n_leaves;
        let dragging = self.dragging.is_some();
        let plot = Plot::new("dendrogram_plot")
            .y_axis_label(height_label(tree.method))
            .show_axes([false, true])
            .show_grid([false, true])
            .show_x(false)
            .show_y(false)
            .include_y(0.0)
            .include_y(root * 1.05)
            .include_x(-0.5)
            .include_x(n_leaves as f64 - 0.5)
            .allow_boxed_zoom(false)
            .allow_drag(!dragging)
            .min_size(vec2(200.0, 200.0));
        let cut_color = palette.cut_line;
        let response = plot.show(ui, |plot_ui| {
            for ((xs, ys), color) in layout.links.iter().zip(&link_colors) {
                let pts: Vec<[f64; 2]> = (0..4).map(|j| [xs[j], ys[j]]).collect();
                plot_ui.line(
                    Line::new("", PlotPoints::new(pts))
                        .color(*color)
                        .width(1.5)
                        .allow_band(false)
                        .allow_hover(false),
                );
            }
            let t = *plot_ui.transform();
            let spacing = 1.0 / t.dvalue_dpos()[0].abs().max(1e-12);
            if spacing >= 34.0 {
                let dy = 4.0 * t.dvalue_dpos()[1].abs();
                for (pos, &leaf) in layout.order.iter().enumerate() {
                    plot_ui.text(
                        Text::new(
                            "",
                            PlotPoint::new(pos as f64, -dy),
                            RichText::new(&leaf_labels[leaf]).small(),
                        )
                        .anchor(Align2::CENTER_TOP)
                        .allow_hover(false),
                    );
                }
            }
            plot_ui.hline(
                HLine::new("cut", shown_h)
                    .color(cut_color)
                    .width(if dragging { 3.0 } else { 2.0 }),
            );
        });

        // The cut line's grab area, on top of the plot: dragging it moves the cut.
        let transform = response.transform;
        let frame = *transform.frame();
        let y = transform.position_from_point_y(shown_h);
        if (frame.top()..=frame.bottom()).contains(&y) {
            let grab = Rect::from_x_y_ranges(frame.x_range(), (y - 5.0)..=(y + 5.0));
            let r = ui
                .interact(
                    grab,
                    ui.scope_id().with("dendrogram_cut_line"),
                    Sense::drag(),
                )
                .on_hover_cursor(CursorIcon::ResizeVertical);
            r.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Slider, true, "Cut line (drag to cut)")
            });
            let r = if self.dragging.is_none() {
                r.on_hover_text("Drag up for fewer, larger segments; down for more, smaller ones.")
            } else {
                r
            };
            // A handle at the right end, so the line reads as draggable.
            let handle = Rect::from_center_size(pos2(frame.right() - 28.0, y), vec2(44.0, 16.0));
            let painter = ui.painter_at(frame);
            painter.rect_filled(handle, 4.0, cut_color);
            painter.text(
                handle.center(),
                Align2::CENTER_CENTER,
                "cut",
                egui::FontId::proportional(11.0),
                Color32::WHITE,
            );
            if r.hovered() || r.dragged() {
                painter.line_segment(
                    [pos2(frame.left(), y), pos2(frame.right(), y)],
                    Stroke::new(3.0, cut_color),
                );
            }
            if r.drag_started() {
                self.dragging = Some(shown_h);
            }
            if (r.dragged() || r.drag_started())
                && let Some(p) = r.interact_pointer_pos()
            {
                let h = transform.value_from_position(p).y;
                self.dragging = Some(h.clamp(lo, hi.max(lo)));
                ui.ctx().request_repaint();
            }
            if r.drag_stopped()
                && let Some(h) = self.dragging.take()
            {
                commands.push(Command::Explore(ExploreCommand::CutHeight(h)));
            }
        } else if self.dragging.is_some() && !ui.input(|i| i.pointer.any_down()) {
            self.dragging = None;
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

fn not_hierarchical_ui(ui: &mut Ui, method: Method, commands: &mut Vec<Command>) {
    ui.add_space(40.0);
    ui.vertical_centered(|ui| {
        ui.label(RichText::new("No tree for this method").strong().size(16.0));
        ui.label(format!(
            "The dendrogram shows how hierarchical methods merge rows step by step. {} does not build \
             a tree.",
            match method {
                Method::Kmeans => "K-means",
                Method::Gmm => "A Gaussian mixture",
                _ => "This method",
            }
        ));
        ui.add_space(8.0);
        if ui
            .button("Switch to Ward")
            .on_hover_text(
                "Ward linkage merges the two groups whose union adds the least within-segment \
                 variance: compact segments, comparable to k-means, with a tree you can cut anywhere.",
            )
            .clicked()
        {
            commands.push(Command::Explore(ExploreCommand::SetMethod(Method::Ward)));
        }
    });
}

fn waiting_ui(ui: &mut Ui, state: &AppState) {
    ui.add_space(40.0);
    ui.vertical_centered(|ui| {
        if let Some(a) = state.explorer.activity() {
            ui.spinner();
            ui.label(format!("{}… ({})", a.what, a.stage));
            ui.label("The tree appears once it is built.");
        } else if state.dataset().is_none() {
            ui.label("Open a CSV to see its merge tree here.");
        } else {
            ui.label("No tree yet: choose at least one feature in the Prepare panel on the left.");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Merge;

    fn m(a: usize, b: usize, height: f64, size: usize) -> Merge {
        Merge { a, b, height, size }
    }

    /// 6 leaves: (0,1)@1→6, (2,3)@2→7, (6,4)@3→8, (7,5)@4→9, (8,9)@10→10.
    fn tree() -> Dendrogram {
        Dendrogram {
            n_leaves: 6,
            merges: vec![
                m(0, 1, 1.0, 2),
                m(2, 3, 2.0, 2),
                m(4, 6, 3.0, 3),
                m(5, 7, 4.0, 3),
                m(8, 9, 10.0, 6),
            ],
            method: Linkage::Ward,
            approximate: false,
            leaf_weights: None,
            leaf_of_row: None,
            leaf_centres: None,
        }
    }

    #[test]
    fn links_are_coloured_by_their_segment_below_the_cut() {
        let d = tree();
        let t = truncate_lastp(&d, 6);
        let labels = cut_height(&d, 5.0).unwrap();
        let segs = link_segments(&t, &labels, 5.0);
        assert_eq!(segs.len(), 5);
        assert_eq!(segs[4], None, "the root is above the cut");
        assert_eq!(segs[0], Some(labels[0]));
        assert_eq!(segs[1], Some(labels[2]));
        assert_ne!(segs[2], segs[3], "two segments, two colours");
    }

    #[test]
    fn cut_range_stays_below_the_root_and_caps_segments() {
        let d = tree();
        let (lo, hi) = cut_range(&d);
        assert!(hi < 10.0 && hi > 4.0);
        assert_eq!(lo, height_for_k(&d, 6));
        assert_eq!(cut_height(&d, hi).unwrap().iter().max(), Some(&1));
    }
}
