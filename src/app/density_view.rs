//! The Choose K tab for the density methods, which have no K: the method and its settings (min_samples,
//! eps, xi), what the fit found (segments, outliers left out of the indices), and the plot eps is chosen
//! on — DBSCAN's k-distance curve (each row's distance to its min_samples-th neighbour, sorted; the knee
//! marked; a click or drag sets eps) or OPTICS's reachability plot (rows in OPTICS order, coloured by
//! segment; dragging the horizontal threshold re-cuts the segments live from the fitted graph). Every
//! number comes from the engine ([`crate::cluster::density`], [`crate::analysis::density`]).
//!
//! Also the outliers' colour and name, shared by every plot that colours segments.

use egui::{Color32, CursorIcon, RichText, Sense, Stroke, Ui};
use egui_plot::{HLine, Line, MarkerShape, Plot, PlotPoints, Points, VLine};

use super::explore::ExploreCommand;
use super::format::{count, fmt_count, fmt_num, fmt_percent, method_label};
use super::state::{AppState, Command};
use super::theme::{ChartPalette, outlier_color, segment_color};
use crate::analysis::Segmentation;
use crate::cluster::Method;

/// Grab half-height of the threshold line, in points.
const GRAB: f32 = 6.0;

/// The colour of segment `s` of `seg`: grey for a density method's outliers, else the segment colour.
pub(crate) fn color_of(seg: &Segmentation, s: usize) -> Color32 {
    if seg.noise_segment() == Some(s) {
        outlier_color()
    } else {
        segment_color(s)
    }
}

/// "Segment 2", or "Outliers" for a density method's outliers.
pub(crate) fn segment_title(seg: &Segmentation, s: usize) -> String {
    if seg.noise_segment() == Some(s) {
        "Outliers".to_owned()
    } else {
        format!("Segment {s}")
    }
}

/// "3 segments", "1 segment + outliers": a density method's outliers are not a segment.
pub(crate) fn segments_text(seg: &Segmentation) -> String {
    let text = super::format::fmt_counted(seg.n_clusters(), "segment", "segments");
    if seg.noise_segment().is_some() {
        format!("{text} + outliers")
    } else {
        text
    }
}

/// What is being dragged on the plot (kept in egui's memory between frames).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Drag {
    eps: f64,
}

/// Draws the density view of the Choose K tab.
pub fn ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    controls_ui(ui, state, commands);
    ui.separator();
    summary_ui(ui, state);
    ui.add_space(4.0);
    match state.explorer.model.method {
        Method::Optics => reachability_ui(ui, state, commands),
        _ => k_distance_ui(ui, state, commands),
    }
}

/// Method, min_samples, eps and xi.
fn controls_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let model = state.explorer.model;
    ui.horizontal_wrapped(|ui| {
        let name = ui.label("Method").on_hover_text("The clustering method.");
        let mut method = model.method;
        egui::ComboBox::from_id_salt("density_method")
            .selected_text(method_label(method))
            .width(150.0)
            .show_ui(ui, |ui| {
                for m in Method::ALL.into_iter().chain(Method::DENSITY) {
                    ui.selectable_value(&mut method, m, method_label(m));
                }
            })
            .response
            .labelled_by(name.id);
        if method != model.method {
            commands.push(Command::Explore(ExploreCommand::SetMethod(method)));
        }
        ui.separator();
        let label = ui.label("min_samples");
        let mut m = model.min_samples;
        let r = ui
            .add(egui::DragValue::new(&mut m).range(2..=200))
            .labelled_by(label.id)
            .on_hover_text(
                "How many rows (the row itself included) must lie within eps for a row to be the \
                 core of a segment. Larger: only denser regions count, more outliers.",
            );
        if r.changed() && !r.dragged() || r.drag_stopped() {
            commands.push(Command::Explore(ExploreCommand::SetMinSamples(m)));
        }
        ui.separator();
        let eps_label = ui.label("eps");
        let shown = match model.method {
            Method::Dbscan => state.explorer.effective_eps(),
            _ => model.eps,
        };
        if let Some(mut eps) = shown {
            let r = ui
                .add(
                    egui::DragValue::new(&mut eps)
                        .range(1e-6..=1e9)
                        .speed(0.01)
                        .max_decimals(4),
                )
                .labelled_by(eps_label.id)
                .on_hover_text(
                    "The neighbourhood radius, in prepared (scaled) units: rows closer than eps are \
                     neighbours. Drag on the plot below to set it.",
                );
            if r.changed() && !r.dragged() || r.drag_stopped() {
                commands.push(Command::Explore(ExploreCommand::SetEps(Some(eps))));
            }
        } else {
            ui.weak(if model.method == Method::Optics {
                "by xi"
            } else {
                "at the knee"
            });
        }
        if model.eps.is_some() {
            let back = if model.method == Method::Optics {
                "Use xi"
            } else {
                "Use the knee"
            };
            if ui.button(back).clicked() {
                commands.push(Command::Explore(ExploreCommand::SetEps(None)));
            }
        }
        if model.method == Method::Optics && model.eps.is_none() {
            ui.separator();
            let label = ui.label("xi");
            let mut xi = model.xi;
            let r = ui
                .add(egui::DragValue::new(&mut xi).range(0.001..=0.999).speed(0.005))
                .labelled_by(label.id)
                .on_hover_text(
                    "How steep a drop in the reachability plot must be to start or end a segment \
                     (0.05 = 5%). Smaller: more, smaller segments.",
                );
            if r.changed() && !r.dragged() || r.drag_stopped() {
                commands.push(Command::Explore(ExploreCommand::SetXi(xi)));
            }
        }
    });
}

/// What the fit shows: segments, outliers (left out of the indices) and the silhouette.
fn summary_ui(ui: &mut Ui, state: &AppState) {
    let ex = &state.explorer;
    let Some(r) = ex.result().filter(|r| r.options.method == ex.model.method) else {
        ui.horizontal(|ui| {
            if ex.is_busy() {
                ui.spinner();
                ui.label(match ex.activity() {
                    Some(a) => format!("{}… ({})", a.what, a.stage),
                    None => "Working…".to_owned(),
                });
            } else if ex.prepared().is_none() {
                ui.label("Choose at least one feature in the Prepare panel.");
            } else {
                ui.label("No segmentation yet.");
            }
        });
        return;
    };
    let Some(d) = r.seg.density.as_ref() else {
        return;
    };
    let n = r.seg.labels.len();
    let settings = match d.cut.eps() {
        Some(eps) => format!("eps {} · min_samples {}", fmt_num(eps), d.cut.min_samples()),
        None => format!(
            "xi {} · min_samples {}",
            fmt_num(d.cut.xi().unwrap_or(0.0)),
            d.cut.min_samples()
        ),
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "{} · {} ({})",
                count(d.n_clusters, "segment"),
                count(d.n_noise, "outlier"),
                fmt_percent(d.n_noise, n)
            ))
            .strong(),
        );
        ui.label(format!("{} at {settings}.", method_label(r.options.method)));
        if ex.is_fitting() {
            ui.spinner();
        }
    });
    let sil = r
        .silhouette_mean
        .map_or_else(|| "—".to_owned(), |s| format!("{s:.3}"));
    ui.weak(format!(
        "Silhouette {sil} on the {} clustered rows: the {} outliers are left out of the silhouette, \
         Davies-Bouldin and Calinski-Harabasz.",
        fmt_count(n - d.n_noise),
        fmt_count(d.n_noise)
    ));
}

/// The drag state of the plot with `id`.
fn drag_of(ui: &Ui, id: egui::Id) -> Option<Drag> {
    ui.ctx().data(|d| d.get_temp::<Drag>(id))
}

fn set_drag(ui: &Ui, id: egui::Id, drag: Option<Drag>) {
    ui.ctx().data_mut(|d| match drag {
        Some(v) => {
            d.insert_temp(id, v);
        }
        None => {
            d.remove::<Drag>(id);
        }
    });
}

/// DBSCAN: the k-distance curve, its knee, the eps line; a click or drag sets eps (on release).
fn k_distance_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let ex = &state.explorer;
    let Some(curve) = ex.k_distance() else {
        ui.add_space(20.0);
        ui.vertical_centered(|ui| {
            if ex.is_computing_k_distance() {
                ui.spinner();
                ui.label("Computing the k-distance curve…");
            } else {
                ui.label("The k-distance curve appears once the features are prepared.");
            }
        });
        return;
    };
    let chart = ChartPalette::of(ui.visuals());
    let id = egui::Id::unique("density_kdist_drag");
    let drag = drag_of(ui, id);
    let eps = drag.map(|d| d.eps).or_else(|| ex.effective_eps());
    ui.label(
        RichText::new(format!(
            "k-distance: each row's distance to its {}th nearest row (itself counted), sorted. Rows \
             left of the bend sit in dense regions; eps at the bend (the knee{}) separates them from \
             the outliers. Click or drag on the plot to set eps.",
            curve.min_samples,
            curve
                .suggested_eps
                .map_or_else(String::new, |e| format!(", {}", fmt_num(e)))
        ))
        .weak(),
    );
    let pts: Vec<[f64; 2]> = curve
        .distances
        .iter()
        .enumerate()
        .map(|(i, &d)| [i as f64, d])
        .collect();
    let knee = curve.knee.zip(curve.suggested_eps);
    let resp = Plot::new("kdistance_plot")
        .x_axis_label("rows, sorted by k-distance")
        .y_axis_label(format!("distance to the {}th neighbour", curve.min_samples))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .min_size(egui::vec2(200.0, 200.0))
        .show(ui, |plot_ui| {
            plot_ui.line(Line::new("k-distance", PlotPoints::new(pts)).color(chart.curve));
            if let Some((k, e)) = knee {
                plot_ui.vline(
                    VLine::new("knee", k as f64)
                        .color(chart.knee)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
                plot_ui.points(
                    Points::new("knee point", PlotPoints::new(vec![[k as f64, e]]))
                        .shape(MarkerShape::Circle)
                        .radius(5.0)
                        .color(chart.knee),
                );
            }
            if let Some(e) = eps {
                plot_ui.hline(HLine::new("eps", e).color(chart.current).width(2.0));
            }
            plot_ui.pointer_coordinate()
        });
    let pointer = resp.inner;
    let r = &resp.response;
    threshold_handle(
        ui,
        &resp.transform,
        eps,
        "eps line (drag to set eps)",
        chart.current,
    );
    let down = r.is_pointer_button_down_on() || r.dragged();
    if down && let Some(p) = pointer {
        set_drag(ui, id, Some(Drag { eps: p.y.max(1e-9) }));
    }
    if let Some(d) = drag
        && !down
    {
        set_drag(ui, id, None);
        commands.push(Command::Explore(ExploreCommand::SetEps(Some(d.eps))));
    }
    if drag.is_some() {
        ui.ctx().request_repaint();
    }
}

/// OPTICS: the reachability plot coloured by segment, with the threshold line; dragging it re-cuts the
/// segments live (each move is a cut of the fitted graph).
fn reachability_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let ex = &state.explorer;
    let (Some(graph), Some(result)) = (ex.optics_graph(), ex.result()) else {
        ui.add_space(20.0);
        ui.vertical_centered(|ui| {
            if ex.is_busy() {
                ui.spinner();
                ui.label("Running OPTICS…");
            } else {
                ui.label("The reachability plot appears once OPTICS has run.");
            }
        });
        return;
    };
    let chart = ChartPalette::of(ui.visuals());
    let id = egui::Id::unique("density_reach_drag");
    let drag = drag_of(ui, id);
    let top = graph.max_finite().max(1e-9);
    let eps = drag.map(|d| d.eps).or(ex.model.eps);
    let live = drag.and_then(|d| graph.cut(d.eps).ok());
    ui.label(
        RichText::new(
            "Reachability: the rows in OPTICS order; valleys are dense regions (segments), peaks \
             separate them. Drag the threshold line (or click on the plot) to cut at that height: rows \
             below it join a segment, the rest are outliers.",
        )
        .weak(),
    );
    if let Some(c) = &live {
        ui.label(
            RichText::new(format!(
                "Cut at {}: {} · {}",
                fmt_num(eps.unwrap_or(0.0)),
                count(c.n_clusters, "segment"),
                count(c.n_noise, "outlier")
            ))
            .color(chart.current)
            .strong(),
        );
    }
    let seg = &result.seg;
    let labels = &seg.labels;
    let k = seg.k;
    let mut per_segment: Vec<Vec<[f64; 2]>> = vec![Vec::new(); k.max(1)];
    let mut outline = Vec::with_capacity(graph.ordering.len());
    for (pos, &row) in graph.ordering.iter().enumerate() {
        let r = graph.reachability[row];
        let y = if r.is_finite() { r } else { top * 1.05 };
        outline.push([pos as f64, y]);
        if let Some(v) = labels.get(row).and_then(|&s| per_segment.get_mut(s)) {
            v.push([pos as f64, y]);
        }
    }
    let resp = Plot::new("reachability_plot")
        .x_axis_label("rows in OPTICS order")
        .y_axis_label("reachability distance")
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .min_size(egui::vec2(200.0, 200.0))
        .show(ui, |plot_ui| {
            plot_ui.line(
                Line::new("reachability", PlotPoints::new(outline))
                    .color(chart.reference.gamma_multiply(0.35))
                    .width(1.0),
            );
            for (s, pts) in per_segment.into_iter().enumerate() {
                if pts.is_empty() {
                    continue;
                }
                plot_ui.points(
                    Points::new(segment_title(seg, s), PlotPoints::new(pts))
                        .shape(MarkerShape::Circle)
                        .radius(1.8)
                        .color(color_of(seg, s)),
                );
            }
            if let Some(e) = eps {
                plot_ui.hline(HLine::new("threshold", e).color(chart.current).width(2.0));
            }
            plot_ui.pointer_coordinate()
        });
    let pointer = resp.inner;
    let r = &resp.response;
    threshold_handle(
        ui,
        &resp.transform,
        eps,
        "Threshold line (drag to re-cut)",
        chart.current,
    );
    let down = r.is_pointer_button_down_on() || r.dragged();
    if down && let Some(p) = pointer {
        let e = p.y.clamp(1e-9, graph.max_eps.min(top * 1.05));
        if drag.is_none_or(|d| d.eps != e) {
            set_drag(ui, id, Some(Drag { eps: e }));
            // A cut of the fitted graph is linear: re-segment as the line moves.
            commands.push(Command::Explore(ExploreCommand::SetEps(Some(e))));
        }
    } else if drag.is_some() {
        set_drag(ui, id, None);
    }
    if drag.is_some() {
        ui.ctx().request_repaint();
    }
}

/// The threshold line's grab area (cursor, tooltip, accessibility label); the plot does the dragging.
fn threshold_handle(
    ui: &mut Ui,
    transform: &egui_plot::PlotTransform,
    value: Option<f64>,
    label: &'static str,
    color: Color32,
) {
    let Some(v) = value else {
        return;
    };
    let frame = *transform.frame();
    let y = transform.position_from_point_y(v);
    if !(frame.top()..=frame.bottom()).contains(&y) {
        return;
    }
    let grab = egui::Rect::from_x_y_ranges(frame.x_range(), (y - GRAB)..=(y + GRAB));
    let r = ui
        .interact(grab, egui::Id::unique(label), Sense::hover())
        .on_hover_cursor(CursorIcon::ResizeVertical);
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, label));
    if r.hovered() {
        ui.painter_at(frame).line_segment(
            [egui::pos2(frame.left(), y), egui::pos2(frame.right(), y)],
            Stroke::new(3.0, color),
        );
    }
}
