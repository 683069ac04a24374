//! The tree plot: links coloured by the cut, leaf labels, the cut line, and the pointer gestures.
//!
//! The plot does no dragging of its own; this file decides what a drag does, from where it was pressed
//! relative to the line as drawn (not from the previous frame's widget rectangles, which lag behind
//! while the view settles after the tab opens): a drag pressed within [`GRAB`] points of the cut line
//! always moves the cut; any other drag, and scrolling, pans the view, never below the view's reset
//! bottom (height 0 and room for the leaf labels). Double-click resets the view; the y axis never
//! labels a negative height.

use egui::{Align2, Color32, CursorIcon, Rect, RichText, Sense, Stroke, Ui, Vec2, pos2, vec2};
use egui_plot::{GridMark, HLine, Line, Plot, PlotPoint, PlotPoints, PlotUi, Text};

use super::{Cache, Gesture};
use crate::app::format::fmt_count;
use crate::app::theme::{Palette, segment_color};
use crate::cluster::hierarchy::link_segments;
use crate::cluster::{Dendrogram, Linkage};

/// A press this close to the cut line (in points, above or below) grabs it.
pub const GRAB: f32 = 8.0;

/// The view's reset bottom, as a share of the root height below 0: room for the leaf labels.
pub const FLOOR_SHARE: f64 = 0.07;

/// Leaf labels are drawn when leaves are at least this far apart (points).
const LABEL_SPACING: f64 = 34.0;

/// What the plot shows.
pub(super) struct TreeView<'a> {
    pub(super) tree: &'a Dendrogram,
    /// The cut line's height (the committed cut, or the one being dragged to).
    pub(super) shown_h: f64,
    /// The heights the cut line may take.
    pub(super) range: (f64, f64),
    pub(super) palette: &'a Palette,
}

/// The y axis title for a linkage.
fn height_label(method: Linkage) -> String {
    match method {
        Linkage::Ward => "merge height (Ward distance)".to_owned(),
        other => format!("merge height ({other}-linkage distance)"),
    }
}

/// The default tick label of egui_plot, blank for negative heights (below the leaves there is none).
fn height_tick(mark: GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    if mark.value < -1e-9 * mark.step_size.abs() {
        return String::new();
    }
    let decimals = (-mark.step_size.log10().round()).max(0.0) as usize;
    egui::emath::format_with_decimals_in_range(mark.value.max(0.0), decimals..=decimals)
}

/// Each drawn leaf's label: "(rows)" for a collapsed subtree (or a micro-cluster), else the row's
/// 1-based input row number (like the Data tab).
fn leaf_labels(cache: &Cache, tree: &Dendrogram, kept_rows: Option<&[usize]>) -> Vec<String> {
    let t = &cache.truncated;
    (0..t.tree.n_leaves)
        .map(|leaf| {
            if t.leaf_members[leaf] > 1 || tree.approximate {
                let rows = t
                    .tree
                    .leaf_weights
                    .as_ref()
                    .and_then(|w| w.get(leaf).copied())
                    .unwrap_or(1);
                format!("({})", fmt_count(rows))
            } else {
                let m = t.rep_leaf[leaf];
                let row = kept_rows.and_then(|k| k.get(m).copied()).unwrap_or(m);
                format!("{}", row + 1)
            }
        })
        .collect()
}

/// Draws the plot and runs the gestures; returns a cut height to commit when a cut drag ends.
pub(super) fn plot_ui(
    ui: &mut Ui,
    cache: &mut Cache,
    view: &TreeView<'_>,
    kept_rows: Option<&[usize]>,
    gesture: &mut Option<Gesture>,
    commands: &mut Vec<crate::app::state::Command>,
) -> Option<f64> {
    let (tree, shown_h, palette) = (view.tree, view.shown_h, view.palette);
    let (lo, hi) = (view.range.0, view.range.1.max(view.range.0));
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
    let labels = leaf_labels(cache, tree, kept_rows);
    let layout = &cache.layout;
    let root = tree.root_height();
    let floor = -FLOOR_SHARE * root.abs().max(1e-12);
    let n_leaves = cache.truncated.tree.n_leaves;
    let cutting = matches!(gesture, Some(Gesture::Cut(_)));
    let plot = Plot::new("dendrogram_plot")
        .y_axis_label(height_label(tree.method))
        .y_axis_formatter(height_tick)
        .show_axes([false, true])
        .show_grid([false, true])
        .show_x(false)
        .show_y(false)
        .set_margin_fraction(vec2(0.05, 0.0))
        .include_y(floor)
        .include_y(root * 1.05)
        .include_x(-0.5)
        .include_x(n_leaves as f64 - 0.5)
        .allow_boxed_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_double_click_reset(true)
        .min_size(vec2(200.0, 200.0));
    let cut_color = palette.cut_line;
    let before = ui.cursor().min;
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
        if spacing >= LABEL_SPACING {
            let dy = 4.0 * t.dvalue_dpos()[1].abs();
            for (pos, &leaf) in layout.order.iter().enumerate() {
                plot_ui.text(
                    Text::new(
                        "",
                        PlotPoint::new(pos as f64, -dy),
                        RichText::new(&labels[leaf]).small(),
                    )
                    .anchor(Align2::CENTER_TOP)
                    .allow_hover(false),
                );
            }
        }
        plot_ui.hline(
            HLine::new("cut", shown_h)
                .color(cut_color)
                .width(if cutting { 3.0 } else { 2.0 }),
        );
        gestures(plot_ui, shown_h, (lo, hi), floor, gesture)
    });
    crate::app::plot_export::egui_plot_menu(
        ui,
        before,
        &response.response,
        crate::app::plot_export::PlotKind::Dendrogram,
        commands,
    );
    cut_line_ui(ui, &response.transform, shown_h, *gesture, cut_color);
    response.inner
}

/// Starts, follows and ends the drag gestures and the scroll pan (inside the plot, with the transform
/// the plot was last drawn with); returns a cut height to commit.
fn gestures(
    plot_ui: &mut PlotUi<'_>,
    shown_h: f64,
    (lo, hi): (f64, f64),
    floor: f64,
    gesture: &mut Option<Gesture>,
) -> Option<f64> {
    let t = *plot_ui.transform();
    let resp = plot_ui.response().clone();
    let (press, latest, any_down, scroll) = plot_ui.ctx().input(|i| {
        (
            i.pointer.press_origin(),
            i.pointer.latest_pos(),
            i.pointer.any_down(),
            i.smooth_scroll_delta,
        )
    });
    if resp.drag_started() {
        let line_y = t.position_from_point_y(shown_h);
        let near = press
            .or(latest)
            .is_some_and(|p| (p.y - line_y).abs() <= GRAB);
        *gesture = Some(if near {
            Gesture::Cut(shown_h)
        } else {
            Gesture::Pan
        });
    }
    let mut panned = false;
    match *gesture {
        Some(Gesture::Cut(_)) => {
            if let Some(p) = resp.interact_pointer_pos().or(latest).filter(|_| any_down) {
                let h = t.value_from_position(p).y;
                *gesture = Some(Gesture::Cut(h.clamp(lo, hi)));
            }
            plot_ui.ctx().request_repaint();
        }
        Some(Gesture::Pan) if resp.dragged() => {
            pan(plot_ui, resp.drag_delta(), floor);
            panned = true;
        }
        _ => {}
    }
    if gesture.is_none() && resp.contains_pointer() && scroll != Vec2::ZERO {
        pan(plot_ui, scroll, floor);
        panned = true;
    }
    // A zoom out (Ctrl+scroll) may have shown negative heights: lift the view back to the floor.
    let b = plot_ui.plot_bounds();
    if !panned && !plot_ui.auto_bounds().y && b.min()[1] < floor - 1e-9 * floor.abs() {
        let span = b.max()[1] - b.min()[1];
        plot_ui.set_plot_bounds_y(floor..=floor + span);
    }
    if (resp.drag_stopped() || (gesture.is_some() && !any_down))
        && let Some(Gesture::Cut(h)) = gesture.take()
    {
        return Some(h);
    }
    None
}

/// Moves the view with the content by `screen_delta` points (as a drag does), never so far that its
/// bottom goes below `floor` (or below where it already is).
fn pan(plot_ui: &mut PlotUi<'_>, screen_delta: Vec2, floor: f64) {
    let t = *plot_ui.transform();
    let [ux, uy] = t.dvalue_dpos();
    let dx = -f64::from(screen_delta.x) * ux;
    let mut dy = -f64::from(screen_delta.y) * uy;
    let bottom = t.bounds().min()[1];
    let lowest = floor.min(bottom);
    if bottom + dy < lowest {
        dy = lowest - bottom;
    }
    if dx != 0.0 || dy != 0.0 {
        plot_ui.translate_bounds(Vec2::new(dx as f32, dy as f32));
    }
}

/// The cut line's grab area on top of the plot (cursor, tooltip, accessibility: it senses hover only,
/// the plot's gesture code does the dragging) and its "cut" handle.
fn cut_line_ui(
    ui: &mut Ui,
    transform: &egui_plot::PlotTransform,
    shown_h: f64,
    gesture: Option<Gesture>,
    cut_color: Color32,
) {
    let frame = *transform.frame();
    let y = transform.position_from_point_y(shown_h);
    if !(frame.top()..=frame.bottom()).contains(&y) {
        return;
    }
    let grab = Rect::from_x_y_ranges(frame.x_range(), (y - GRAB)..=(y + GRAB));
    let r = ui
        .interact(
            grab,
            ui.scope_id().with("dendrogram_cut_line"),
            Sense::hover(),
        )
        .on_hover_cursor(CursorIcon::ResizeVertical);
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, "Cut line (drag to cut)"));
    let cutting = matches!(gesture, Some(Gesture::Cut(_)));
    if cutting {
        ui.ctx().set_cursor_icon(CursorIcon::ResizeVertical);
    } else if matches!(gesture, Some(Gesture::Pan)) {
        ui.ctx().set_cursor_icon(CursorIcon::Grabbing);
    } else {
        r.clone()
            .on_hover_text("Drag up for fewer, larger segments; down for more, smaller ones.");
    }
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
    if r.hovered() || cutting {
        painter.line_segment(
            [pos2(frame.left(), y), pos2(frame.right(), y)],
            Stroke::new(3.0, cut_color),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tick(value: f64, step_size: f64) -> String {
        height_tick(GridMark { value, step_size }, &(0.0..=1.0))
    }

    #[test]
    fn the_height_axis_never_labels_a_negative_height() {
        assert_eq!(tick(-10.0, 10.0), "");
        assert_eq!(tick(-0.5, 0.5), "");
        assert_eq!(tick(0.0, 10.0), "0");
        assert_eq!(tick(20.0, 10.0), "20");
        assert_eq!(tick(0.3, 0.1), "0.3");
        assert_eq!(tick(-1e-14, 0.1), "0.0", "rounding noise at zero is zero");
    }
}
