//! The scatter plot itself: the point mesh, centroids, loadings arrows, hover and the box-select drag.

use std::sync::Arc;

use egui::{Align2, Color32, RichText, Stroke, Ui, Vec2b};
use egui_plot::{Arrows, MarkerShape, Plot, PlotPoint, PlotPoints, Points, Text};

use super::cache::select;
use super::items::{PointCloud, ordered, rect_polygon};
use super::side::hover_ui;
use super::{ScatterPanel, axis_label};
use crate::app::theme::{Palette, segment_color};

/// Hover reach around the pointer, in points.
const HOVER_RADIUS: f32 = 8.0;

impl ScatterPanel {
    pub(super) fn plot_ui(&mut self, ui: &mut Ui, palette: &Palette) {
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
                    let [px, py] = grid.point(i);
                    let pos = [f64::from(px), f64::from(py)];
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
