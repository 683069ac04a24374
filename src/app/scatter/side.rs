//! The scatter's side panel (legend, selection profile, loadings) and the hover tooltip.

use egui::{Color32, RichText, Ui};

use super::cache::{Cache, Selection};
use crate::app::density_view::{color_of, segment_title};
use crate::app::explore::PreparedData;
use crate::app::format::{count, fmt_count, fmt_num, fmt_percent};

/// Feature values listed in the hover tooltip.
const TOOLTIP_FEATURES: usize = 12;

/// The legend; returns the segment clicked (to toggle).
pub(super) fn legend_ui(ui: &mut Ui, cache: &Cache, hidden: &[bool]) -> Option<usize> {
    let mut clicked = None;
    let total: usize = cache.sizes.iter().sum();
    ui.label(RichText::new("Segments").strong())
        .on_hover_text("Click a segment to hide or show it.");
    let seg = &cache.result.seg;
    for (s, &size) in cache.sizes.iter().enumerate() {
        let off = hidden.get(s).copied().unwrap_or(false);
        let text = format!(
            "{} · {} rows · {}",
            segment_title(seg, s),
            fmt_count(size),
            fmt_percent(size, total)
        );
        let r = ui
            .horizontal(|ui| {
                chip(
                    ui,
                    if off {
                        color_of(seg, s).gamma_multiply(0.25)
                    } else {
                        color_of(seg, s)
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

pub(super) fn selection_ui(ui: &mut Ui, sel: &Selection, cache: &Cache) {
    let total: usize = cache.sizes.iter().sum();
    ui.label(RichText::new("Selection").strong());
    ui.label(format!(
        "{} ({} of all) in the box",
        count(sel.count, "row"),
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
                    chip(ui, color_of(&cache.result.seg, s));
                    ui.label(segment_title(&cache.result.seg, s));
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

pub(super) fn loadings_ui(ui: &mut Ui, prepared: &PreparedData, axes: (usize, usize)) {
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

/// The tooltip of point `i` (a grid index).
pub(super) fn hover_ui(ui: &mut Ui, cache: &Cache, i: usize) {
    let table = &cache.table;
    let prepared_row = cache.row(i);
    let row = cache
        .prepared
        .prepared
        .kept_rows
        .get(prepared_row)
        .copied()
        .unwrap_or(prepared_row);
    let s = cache.label(i);
    let seg = &cache.result.seg;
    let id = cache.id_column.map_or_else(
        || format!("row {}", row + 1),
        |c| table.columns[c].data.display(row),
    );
    ui.horizontal(|ui| {
        ui.label(RichText::new(id).strong());
        ui.label(
            RichText::new(segment_title(seg, s))
                .color(color_of(seg, s))
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
    let p = cache.grid.point(i);
    let (a, b) = match cache.source {
        super::cache::Source::Pca => (
            format!("PC{}", cache.axes.0 + 1),
            format!("PC{}", cache.axes.1 + 1),
        ),
        super::cache::Source::Map { .. } => ("t-SNE 1".to_owned(), "t-SNE 2".to_owned()),
    };
    ui.label(
        RichText::new(format!(
            "{a} = {}, {b} = {}",
            fmt_num(f64::from(p[0])),
            fmt_num(f64::from(p[1]))
        ))
        .weak()
        .small(),
    );
}
