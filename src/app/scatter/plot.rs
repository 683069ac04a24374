//! The scatter plot itself: the point mesh, centroids, loadings arrows, hover and the box-select drag.

use std::sync::Arc;

use egui::{Align2, Color32, RichText, Stroke, Ui, Vec2b};
use egui_plot::{
    Arrows, AxisHints, MarkerShape, Plot, PlotPoint, PlotPoints, PlotTransform, PlotUi, Points,
    Text,
};

use super::cache::{Cache, select};
use super::items::{PointCloud, ordered, rect_polygon};
use super::side::hover_ui;
use super::{ScatterPanel, axis_label};

use crate::analysis::biplot::biplot_tips;
use crate::app::axis_marks::{mark_label, value_marks};
use crate::app::density_view::color_of;
use crate::app::plot_export::{PlotKind, egui_plot_menu};
use crate::app::state::Command;
use crate::app::theme::Palette;

/// Fewest pixels between two x labels of the scatter and the map ("−0.25" and a gap); y labels stack
/// and need half.
const AXIS_LABEL_PX: f64 = 48.0;

/// Hover reach around the pointer, in points.
const HOVER_RADIUS: f32 = 8.0;

impl ScatterPanel {
    pub(super) fn plot_ui(&mut self, ui: &mut Ui, palette: &Palette, commands: &mut Vec<Command>) {
        let Some(cache) = self.cache.as_ref() else {
            return;
        };
        let hidden = &self.hidden;
        let is_hidden = |s: usize| hidden.get(s).copied().unwrap_or(false);
        let ratios: &[f64] = cache
            .prepared
            .pca
            .as_ref()
            .map_or(&[], |p| &p.explained_variance_ratio);
        let (ax, ay) = self.axes;
        let (x_label, y_label) = if self.map {
            ("t-SNE 1".to_owned(), "t-SNE 2".to_owned())
        } else {
            (axis_label(ax, ratios), axis_label(ay, ratios))
        };
        let shift = ui.input(|i| i.modifiers.shift);
        let selecting = self.select_mode || shift || self.drag_from.is_some();

        let cloud = point_cloud(cache, &is_hidden);
        let centroids = if self.map {
            Vec::new()
        } else {
            centroids(cache, self.axes, &is_hidden)
        };
        let arrows = if self.show_loadings && !self.map {
            loading_tips(cache, self.axes)
        } else {
            Vec::new()
        };
        let drag_from = self.drag_from;
        let sel_rect = self
            .selection
            .as_ref()
            .filter(|s| s.axes == self.axes)
            .map(|s| (s.lo, s.hi));
        let text_color = ui.visuals().text_color();
        let plot = Plot::new(if self.map { "map_plot" } else { "scatter_plot" })
            // Labels drawn at the spacing the marks are chosen for (egui_plot's default hides x
            // labels closer than 60 px, which left the narrow map with "0" alone).
            .custom_x_axes(vec![
                AxisHints::new_x()
                    .label(x_label)
                    .formatter(|mark, _| mark_label(mark))
                    .label_spacing(AXIS_LABEL_PX as f32 - 1.0..=AXIS_LABEL_PX as f32),
            ])
            .custom_y_axes(vec![
                AxisHints::new_y()
                    .label(y_label)
                    .formatter(|mark, _| mark_label(mark))
                    .label_spacing(AXIS_LABEL_PX as f32 / 2.0 - 1.0..=AXIS_LABEL_PX as f32 / 2.0),
            ])
            .show_x(false)
            .show_y(false)
            .x_grid_spacer(|input| value_marks(&input, AXIS_LABEL_PX))
            .y_grid_spacer(|input| value_marks(&input, AXIS_LABEL_PX / 2.0))
            .allow_drag(Vec2b::new(!selecting, !selecting))
            .allow_boxed_zoom(!selecting)
            .allow_double_click_reset(true)
            .min_size(egui::vec2(200.0, 200.0));
        let grid = &cache.grid;
        let before = ui.cursor().min;
        let response = plot.show(ui, |plot_ui| {
            plot_ui.add(cloud);
            arrows_ui(plot_ui, &arrows, palette);
            if let Some((lo, hi)) = sel_rect {
                plot_ui.polygon(rect_polygon("selection", lo, hi, palette.selection));
            }
            let pointer = plot_ui.pointer_coordinate();
            let drag = if selecting {
                box_drag(plot_ui, drag_from, pointer, palette)
            } else {
                None
            };
            let mut hovered = None;
            if drag_from.is_none()
                && plot_ui.response().hovered()
                && let Some(p) = pointer
            {
                let [dx, dy] = plot_ui.transform().dvalue_dpos();
                let r = f64::from(HOVER_RADIUS);
                hovered = grid.nearest(p.x, p.y, dx * r, dy * r, |i| !is_hidden(cache.label(i)));
                if let Some(i) = hovered {
                    let [px, py] = grid.point(i);
                    plot_ui.points(
                        Points::new(
                            "hovered",
                            PlotPoints::new(vec![[f64::from(px), f64::from(py)]]),
                        )
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
        let kind = if self.map {
            PlotKind::Map
        } else {
            PlotKind::Scatter { x: ax, y: ay }
        };
        let menu_open = egui_plot_menu(ui, before, &response.response, kind, commands);
        paint_centroids(ui, &response.transform, &centroids, &cache.result.seg);
        if let Some(i) = hovered.filter(|_| !menu_open) {
            egui::Tooltip::for_widget(&response.response)
                .at_pointer()
                .gap(12.0)
                .show(|ui| hover_ui(ui, cache, i));
        }
        self.apply_drag(ui, drag);
    }

    /// Follows the box-select drag; its release selects the rows in the box.
    fn apply_drag(&mut self, ui: &Ui, drag: Option<DragEvent>) {
        match drag {
            Some(DragEvent::Start(from, to)) => {
                self.drag_from = Some(from);
                self.drag_to = Some(to);
            }
            Some(DragEvent::Move(to)) => self.drag_to = Some(to),
            Some(DragEvent::End(to)) => {
                // The release may come with the pointer gone: the last position seen counts.
                if let (Some(from), Some(to), Some(cache)) = (
                    self.drag_from.take(),
                    to.or(self.drag_to),
                    self.cache.as_ref(),
                ) {
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

/// The drawn sample as one mesh, hidden segments transparent.
fn point_cloud(cache: &Cache, is_hidden: &dyn Fn(usize) -> bool) -> PointCloud {
    let seg = &cache.result.seg;
    let colors: Vec<Color32> = cache
        .sample
        .iter()
        .map(|&i| {
            let s = cache.label(i);
            if is_hidden(s) {
                Color32::TRANSPARENT
            } else {
                color_of(seg, s).gamma_multiply(0.8)
            }
        })
        .collect();
    let radius = if cache.sample.len() > 5_000 { 2.0 } else { 3.0 };
    PointCloud::new(Arc::clone(&cache.points), colors, radius)
}

/// Each visible, non-empty segment's centre on the two axes.
fn centroids(
    cache: &Cache,
    (ax, ay): (usize, usize),
    is_hidden: &dyn Fn(usize) -> bool,
) -> Vec<(usize, [f64; 2])> {
    let Some(cs) = &cache.result.centroid_scores else {
        return Vec::new();
    };
    if ax >= cs.ncols() || ay >= cs.ncols() {
        return Vec::new();
    }
    let noise = cache.result.seg.noise_segment();
    (0..cs.nrows())
        .filter(|&s| {
            !is_hidden(s) && Some(s) != noise && cache.sizes.get(s).copied().unwrap_or(0) > 0
        })
        .map(|s| (s, [cs[[s, ax]], cs[[s, ay]]]))
        .collect()
}

/// The loadings arrows' tips (the engine's biplot scaling), with the feature names.
fn loading_tips(cache: &Cache, axes: (usize, usize)) -> Vec<(String, [f64; 2])> {
    let prepared = &cache.prepared;
    let Some(l) = prepared.pca.as_ref().map(crate::reduce::pca::Pca::loadings) else {
        return Vec::new();
    };
    let [[x0, y0], [x1, y1]] = cache.grid.bounds();
    let extent = [x0.abs().max(x1.abs()), y0.abs().max(y1.abs())];
    prepared
        .prepared
        .feature_names
        .iter()
        .cloned()
        .zip(biplot_tips(&l, axes, extent))
        .collect()
}

/// The loadings arrows from the origin, each labelled at its tip (away from the origin).
fn arrows_ui(plot_ui: &mut PlotUi<'_>, tips: &[(String, [f64; 2])], palette: &Palette) {
    if tips.is_empty() {
        return;
    }
    let origins: Vec<[f64; 2]> = vec![[0.0, 0.0]; tips.len()];
    let ends: Vec<[f64; 2]> = tips.iter().map(|t| t.1).collect();
    plot_ui.arrows(
        Arrows::new("loadings", PlotPoints::new(origins), PlotPoints::new(ends))
            .color(palette.loading)
            .tip_length(8.0)
            .allow_hover(false),
    );
    // Each label sits beyond its tip (away from the origin), moved back inside the plot's frame when it
    // would cross an edge (a long name at the border used to be cut: "arget").
    let frame = *plot_ui.transform().frame();
    let font = egui::TextStyle::Body.resolve(&plot_ui.ctx().global_style());
    for (name, [x, y]) in tips {
        let size = plot_ui.ctx().fonts_mut(|f| {
            f.layout_no_wrap(name.clone(), font.clone(), egui::Color32::WHITE)
                .size()
        });
        let tip = plot_ui.screen_from_plot(PlotPoint::new(*x, *y));
        let left = if *x >= 0.0 { tip.x } else { tip.x - size.x };
        let top = if *y >= 0.0 { tip.y - size.y } else { tip.y };
        let inside = |v: f32, lo: f32, hi: f32, len: f32| v.min(hi - 4.0 - len).max(lo + 4.0);
        let corner = egui::pos2(
            inside(left, frame.left(), frame.right(), size.x),
            inside(top, frame.top(), frame.bottom(), size.y),
        );
        plot_ui.text(
            Text::new(
                format!("loading {name}"),
                plot_ui.plot_from_screen(corner),
                RichText::new(name).color(palette.loading).strong(),
            )
            .anchor(Align2::LEFT_TOP)
            .allow_hover(false),
        );
    }
}

/// The box-select drag inside the plot: its start, the box while it moves, its end.
fn box_drag(
    plot_ui: &mut PlotUi<'_>,
    drag_from: Option<PlotPoint>,
    pointer: Option<PlotPoint>,
    palette: &Palette,
) -> Option<DragEvent> {
    let resp = plot_ui.response().clone();
    let origin = plot_ui
        .ctx()
        .input(|i| i.pointer.press_origin())
        .map(|o| plot_ui.plot_from_screen(o));
    if resp.drag_started()
        && let Some(p) = origin.or(pointer)
    {
        Some(DragEvent::Start(p, pointer.unwrap_or(p)))
    } else if resp.drag_stopped() {
        Some(DragEvent::End(pointer))
    } else if let (Some(from), Some(p)) = (drag_from, pointer) {
        let (lo, hi) = ordered(from, p);
        plot_ui.polygon(rect_polygon("dragging", lo, hi, palette.selection));
        Some(DragEvent::Move(p))
    } else {
        None
    }
}

/// Segment centres on top of everything: an outlined disc with the segment number.
fn paint_centroids(
    ui: &Ui,
    transform: &PlotTransform,
    centroids: &[(usize, [f64; 2])],
    seg: &crate::analysis::Segmentation,
) {
    let frame = *transform.frame();
    let painter = ui.painter_at(frame);
    let text_color = ui.visuals().text_color();
    let bg = ui.visuals().extreme_bg_color;
    for &(s, p) in centroids {
        let c = transform.position_from_point(&PlotPoint::new(p[0], p[1]));
        if !frame.contains(c) {
            continue;
        }
        painter.circle(c, 11.0, color_of(seg, s), Stroke::new(2.5, bg));
        painter.circle_stroke(c, 13.0, Stroke::new(1.5, text_color));
        painter.text(
            c,
            Align2::CENTER_CENTER,
            s.to_string(),
            egui::FontId::proportional(13.0),
            Color32::BLACK,
        );
    }
}

/// A step of the box-select drag.
#[derive(Debug, Clone, Copy)]
enum DragEvent {
    Start(PlotPoint, PlotPoint),
    Move(PlotPoint),
    End(Option<PlotPoint>),
}
