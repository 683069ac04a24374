//! The Data tab: which file is loaded, its size, loader notes, and one row per column with kind, missing
//! share, distinct count, min/mean/max and a tiny distribution (histogram sparkline or the most common level).

use egui::{RichText, Ui, vec2};

use super::View;
use super::format::{count, fmt_count, fmt_stat};
use super::state::{AppState, Command, Dataset};
use super::theme::Palette;
use super::widgets::{SPARKLINE_SIZE, kind_badge_ui, missing_ui, sparkline_ui};
use crate::data::{ColumnKind, ColumnSummary};

/// The Data tab.
#[derive(Debug, Default)]
pub struct DataPanel {
    /// The raw rows instead of the per-column summary.
    rows: bool,
}

impl View for DataPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, _commands: &mut Vec<Command>) {
        match state.dataset() {
            Some(d) => dataset_ui(ui, d, &mut self.rows),
            None => empty_ui(ui, state.is_loading()),
        }
    }
}

fn empty_ui(ui: &mut Ui, loading: bool) {
    ui.centered_and_justified(|ui| {
        if loading {
            ui.label("Loading…");
        } else {
            ui.label("No data loaded. Open a CSV (Ctrl+O) or drop one onto the window.");
        }
    });
}

fn dataset_ui(ui: &mut Ui, d: &Dataset, show_rows: &mut bool) {
    let palette = Palette::of(ui.visuals());
    let table = &d.table;
    ui.horizontal(|ui| {
        let title = ui.heading(d.display_name());
        if let Some(path) = &d.path {
            title.on_hover_text(path.display().to_string());
        }
    });
    ui.horizontal(|ui| {
        ui.label(format!(
            "{} × {}",
            count(table.n_rows(), "row"),
            count(table.n_cols(), "column")
        ));
        ui.weak(format!(
            "· delimiter {} · {}",
            delimiter_name(table.delimiter),
            if table.has_header {
                "header row"
            } else {
                "no header row"
            }
        ));
    });
    if !table.warnings.is_empty() {
        warnings_ui(ui, &table.warnings, &palette);
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.selectable_value(show_rows, false, "Columns")
            .on_hover_text("One line per column: kind, missing share, distinct values, range");
        ui.selectable_value(show_rows, true, "Rows")
            .on_hover_text("The rows as loaded, every one, scrolled both ways");
    });
    if *show_rows {
        super::rows_view::rows_ui(ui, table);
        return;
    }
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| summary_grid_ui(ui, &d.summaries, &palette));
}

fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b',' => "comma".to_owned(),
        b';' => "semicolon".to_owned(),
        b'\t' => "tab".to_owned(),
        b'|' => "pipe".to_owned(),
        other => format!("'{}'", char::from(other)),
    }
}

fn warnings_ui(ui: &mut Ui, warnings: &[String], palette: &Palette) {
    crate::app::widgets::warning_box(ui, palette, |ui| {
        let n = warnings.len();
        let title = if n == 1 {
            "1 note from loading".to_owned()
        } else {
            format!("{n} notes from loading")
        };
        egui::CollapsingHeader::new(title)
            .id_salt("loader_notes")
            .default_open(false)
            .show(ui, |ui| {
                for w in warnings {
                    ui.label(w);
                }
            });
    });
}

fn summary_grid_ui(ui: &mut Ui, summaries: &[ColumnSummary], palette: &Palette) {
    egui::Grid::new("column_summary")
        .striped(true)
        .num_columns(8)
        .spacing(vec2(16.0, 6.0))
        .show(ui, |ui| {
            for h in [
                "Column",
                "Kind",
                "Missing",
                "Distinct",
                "Min",
                "Mean",
                "Max",
                "Distribution",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for s in summaries {
                summary_row_ui(ui, s, palette);
                ui.end_row();
            }
        });
}

fn summary_row_ui(ui: &mut Ui, s: &ColumnSummary, palette: &Palette) {
    ui.label(RichText::new(&s.name).monospace());
    kind_badge_ui(ui, s.kind, palette);
    missing_ui(ui, s, palette, true);
    ui.label(fmt_count(s.distinct));
    ui.label(fmt_stat(s.kind, s.min));
    ui.label(fmt_stat(s.kind, s.mean));
    ui.label(fmt_stat(s.kind, s.max));
    match (&s.histogram, &s.mode) {
        (Some(h), _) if s.kind == ColumnKind::Numeric => {
            sparkline_ui(ui, h, SPARKLINE_SIZE, palette).on_hover_text(format!(
                "{} bins from {} to {}; tallest bin: {} rows",
                h.len(),
                fmt_stat(s.kind, s.min),
                fmt_stat(s.kind, s.max),
                fmt_count(h.iter().copied().max().unwrap_or(0) as usize)
            ));
        }
        (_, Some(_)) if s.count > 1 && s.distinct == s.count => {
            // Extend: a grid cell would otherwise cut the text at the column width of the sparklines.
            ui.add(egui::Label::new(RichText::new("all values distinct").weak()).extend())
                .on_hover_text("every non-missing value occurs once (an id?)");
        }
        (_, Some(mode)) => {
            ui.add(egui::Label::new(format!("{mode} ({})", fmt_count(s.mode_count))).extend())
                .on_hover_text("most common value (rows)");
        }
        _ => {
            ui.weak("—");
        }
    }
}
