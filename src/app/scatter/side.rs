//! The scatter's side panel (legend, selection profile, loadings) and the hover tooltip.

use egui::{Color32, RichText, Ui};

use super::cache::{Cache, Selection};
use crate::app::density_view::{color_of, segment_title};
use crate::app::explore::PreparedData;
use crate::app::format::{count, fmt_count, fmt_num, fmt_percent};

/// Feature values listed in the hover tooltip.
const TOOLTIP_FEATURES: usize = 12;

/// What the analyst did in the legend this frame.
#[derive(Debug, Default)]
pub(super) struct LegendAction {
    /// The segment clicked (to hide or show).
    pub(super) toggled: Option<usize>,
    /// A new name typed for a segment (right-click → rename).
    pub(super) renamed: Option<(usize, String)>,
}

/// The legend: each segment's colour, name, size and share; the hover says the segment in words, a
/// click hides or shows it, a right-click renames it.
pub(super) fn legend_ui(ui: &mut Ui, cache: &Cache, hidden: &[bool]) -> LegendAction {
    let mut action = LegendAction::default();
    let total: usize = cache.sizes.iter().sum();
    ui.label(RichText::new("Segments").strong())
        .on_hover_text("Click a segment to hide or show it; right-click to rename it.");
    let result = &cache.result;
    let seg = &result.seg;
    for (s, &size) in cache.sizes.iter().enumerate() {
        let off = hidden.get(s).copied().unwrap_or(false);
        let name = result.names.get(s).filter(|n| !n.is_empty());
        let title = match name {
            Some(n) if seg.noise_segment() != Some(s) => format!("{s} · {n}"),
            _ => segment_title(seg, s),
        };
        let text = format!(
            "{title} · {} · {}",
            count(size, "row"),
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
                // Cut to the panel's width (the whole line is on hover), so a long name cannot widen
                // the side panel over the plot.
                ui.add(
                    egui::Button::new(label)
                        .selected(!off)
                        .frame(false)
                        .truncate(),
                )
            })
            .inner;
        let description = result
            .descriptions
            .iter()
            .find(|d| d.segment == s)
            .map(|d| d.description.as_str());
        let click = if off {
            "Hidden: click to show"
        } else {
            "Click to hide"
        };
        let r = r.on_hover_text(match description {
            Some(d) => format!("{d}\n\n{click}; right-click to rename."),
            None => format!("{click}; right-click to rename."),
        });
        if r.clicked() {
            action.toggled = Some(s);
        }
        if seg.noise_segment() != Some(s) {
            r.context_menu(|ui| {
                if let Some(new) = rename_ui(ui, s, name.map_or("", String::as_str)) {
                    action.renamed = Some((s, new));
                    ui.close();
                }
            });
        }
    }
    action
}

/// The rename field of a legend entry's menu; the new name once Enter is pressed (empty = the
/// suggested name back).
fn rename_ui(ui: &mut Ui, s: usize, current: &str) -> Option<String> {
    let id = egui::Id::unique(("legend_rename", s));
    let stored = ui.data_mut(|d| d.get_temp::<String>(id));
    let opened = stored.is_none();
    let mut text = stored.unwrap_or_else(|| current.to_owned());
    ui.label(format!("Name of segment {s}"));
    let field = ui.add(
        egui::TextEdit::singleline(&mut text)
            .id_salt(("legend_rename_field", s))
            .hint_text("empty = suggested name")
            .desired_width(220.0),
    );
    if opened {
        field.request_focus();
    }
    let done = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let apply = ui.button("Rename").clicked();
    if done || apply {
        ui.data_mut(|d| d.remove::<String>(id));
        Some(text)
    } else {
        ui.data_mut(|d| d.insert_temp(id, text));
        None
    }
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
