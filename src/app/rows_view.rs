//! The Data tab's raw rows (issue 11 item 9): every row of the table as loaded, scrolled both ways,
//! drawn a screenful at a time (only the visible rows are laid out, so a million rows scroll as fast as
//! ten). Column widths come from the header and the first rows, so they do not jump while scrolling.

use egui::{RichText, Ui, vec2};

use super::format::fmt_count;
use crate::data::Table;

/// Rows measured for the column widths.
const MEASURE_ROWS: usize = 200;
/// Narrowest and widest a column is drawn (longer cells are cut with "…", full text on hover).
const MIN_COL_W: f32 = 48.0;
const MAX_COL_W: f32 = 220.0;
/// Width of the row-number column.
const ROW_NO_W: f32 = 64.0;

/// The width of each column: its header or its widest cell among the first rows, within the bounds.
pub fn column_widths(table: &Table, char_w: f32) -> Vec<f32> {
    let rows = table.n_rows().min(MEASURE_ROWS);
    table
        .columns
        .iter()
        .map(|c| {
            let widest = (0..rows)
                .map(|i| c.data.display(i).chars().count())
                .chain(std::iter::once(c.name.chars().count()))
                .max()
                .unwrap_or(0);
            (widest as f32 * char_w + 12.0).clamp(MIN_COL_W, MAX_COL_W)
        })
        .collect()
}

/// One cell in a fixed width: cut with "…" when it does not fit, the full text on hover.
fn cell(ui: &mut Ui, text: RichText, full: &str, width: f32) {
    let r = ui.add_sized(
        vec2(width, ui.spacing().interact_size.y),
        egui::Label::new(text).truncate(),
    );
    if r.hovered() && !full.is_empty() {
        r.on_hover_text(full);
    }
}

/// Draws the rows of `table` (line numbers as in the file: the header is line 1).
pub fn rows_ui(ui: &mut Ui, table: &Table) {
    let char_w =
        ui.fonts_mut(|f| f.glyph_width(&egui::TextStyle::Monospace.resolve(ui.style()), '0'));
    let widths = column_widths(table, char_w.max(6.0));
    let row_h = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    let total_w = ROW_NO_W + widths.iter().sum::<f32>() + widths.len() as f32 * 8.0;
    ui.weak(format!(
        "{} rows as loaded (missing cells blank); the line number is the file's",
        fmt_count(table.n_rows())
    ));
    egui::ScrollArea::horizontal()
        .id_salt("data_rows_h")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.set_min_width(total_w);
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 8.0;
                cell(ui, RichText::new("line").strong(), "", ROW_NO_W);
                for (c, &w) in table.columns.iter().zip(&widths) {
                    cell(ui, RichText::new(&c.name).strong(), &c.name, w);
                }
            });
            ui.separator();
            let first_line = if table.has_header { 2 } else { 1 };
            egui::ScrollArea::vertical()
                .id_salt("data_rows_v")
                .auto_shrink([false, false])
                .show_rows(ui, row_h, table.n_rows(), |ui, range| {
                    for i in range {
                        ui.horizontal(|ui| {
                            ui.spacing_mut().item_spacing.x = 8.0;
                            cell(
                                ui,
                                RichText::new(fmt_count(i + first_line)).weak().monospace(),
                                "",
                                ROW_NO_W,
                            );
                            for (c, &w) in table.columns.iter().zip(&widths) {
                                let text = c.data.display(i);
                                cell(ui, RichText::new(&text).monospace(), &text, w);
                            }
                        });
                    }
                });
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{LoadOptions, load_bytes};
    use crate::jobs::Progress;

    #[test]
    fn widths_follow_the_widest_of_header_and_first_rows_within_bounds() {
        let long = "x".repeat(300);
        let csv = format!("id,name,n\n1,{long},3\n2,b,4\n");
        let t = load_bytes(
            csv.into_bytes(),
            "t.csv",
            &LoadOptions::default(),
            &Progress::new(),
        )
        .unwrap();
        let w = column_widths(&t, 7.0);
        assert_eq!(w[0], MIN_COL_W, "narrow columns get the minimum");
        assert_eq!(w[1], MAX_COL_W, "long cells are capped (cut with …)");
        assert_eq!(w.len(), 3);
    }
}
