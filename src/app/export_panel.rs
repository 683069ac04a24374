//! The Export tab: the labelled CSV (the input unchanged plus segment columns), the profile CSV, the
//! recipe JSON, the HTML report and the segment model (the scoring side, "Apply model to a file…" and its drift report, is
//! drawn by [`model_panel`]). Each goes through a save dialog and is written on a worker, atomically (a temp file renamed
//! over the target), exactly as `segscope cluster` writes them.
//!
//! Each plot saves itself as PNG or SVG (its right-click menu and "Save plot…" button, `plot_export`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui, vec2};

use super::format::{fmt_count, fmt_num, method_label};
use super::state::{AppState, Command, Dataset, ExportColumns, FileAction, FileWork, Tab};
use super::{View, model_panel};
use crate::analysis::{Recipe, SegResult};
use crate::cluster::Method;
use crate::export::write::write_file;
use crate::export::{
    added_column_names, io_err, segment_columns, write_labelled_table, write_profile_csv,
};
use crate::jobs::Progress;

/// Ctrl+E (Cmd+E on macOS): export the labelled CSV.
pub const EXPORT_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::E);

/// The Export tab.
#[derive(Debug, Default)]
pub struct ExportPanel {
    /// The optional columns of the labelled CSV.
    pub columns: ExportColumns,
}

impl View for ExportPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.heading("Export");
                ui.add_space(4.0);
                match state.explorer.result() {
                    Some(result) => self.result_ui(ui, state, result, commands),
                    None => empty_ui(ui, state, commands),
                }
                ui.add_space(12.0);
                ui.separator();
                model_panel::apply_ui(ui, state, commands);
            });
    }
}

impl ExportPanel {
    /// The exports of a fitted result.
    fn result_ui(
        &mut self,
        ui: &mut Ui,
        state: &AppState,
        result: &SegResult,
        commands: &mut Vec<Command>,
    ) {
        let method = result.seg.method;
        let n_rows = state.dataset().map_or(0, |d| d.table.n_rows());
        ui.label(format!(
            "{} with K = {} on {} rows{}",
            method_label(method),
            result.seg.k,
            fmt_count(n_rows),
            result
                .silhouette_mean
                .map_or_else(String::new, |s| format!(" · silhouette {}", fmt_num(s)))
        ));
        ui.add_space(8.0);
        // The description column gets the room left of the buttons, so its text wraps instead of
        // widening the tab past the window (at 900×600 and with a wide Prepare panel).
        let text_width = (ui.available_width() - 140.0 - 16.0 - 12.0).max(160.0);
        egui::Grid::new("export_grid")
            .num_columns(2)
            .spacing(vec2(16.0, 10.0))
            .min_col_width(140.0)
            .show(ui, |ui| {
                let shortcut = ui.ctx().format_shortcut(&EXPORT_SHORTCUT);
                let button = ui
                    .add_sized(vec2(140.0, 24.0), egui::Button::new("Labelled CSV…"))
                    .on_hover_text(format!("Save the input with segment columns ({shortcut})"));
                if button.clicked() {
                    commands.push(Command::File(FileAction::ExportLabelled(self.columns)));
                }
                ui.vertical(|ui| {
                    ui.set_max_width(text_width);
                    ui.add(
                        egui::Label::new(
                            "Every row of the input, unchanged, plus a segment column (0 = largest \
                             segment). Rows left out by \"drop\" imputation get empty cells.",
                        )
                        .wrap(),
                    );
                    self.columns_ui(ui, method, result.silhouette.is_some());
                    ui.weak(format!(
                        "Adds: {}",
                        added_column_names(result, self.columns).join(", ")
                    ));
                    // What the silhouette column will hold, before the click (one wording with the
                    // Silhouette tab's: `export_silhouette_note`).
                    if self.columns.silhouette
                        && let Some(note) = super::export_silhouette_note(
                            result,
                            state.explorer.policy.exact_silhouette_rows,
                        )
                    {
                        ui.weak(note);
                    }
                });
                ui.end_row();

                if ui
                    .add_sized(vec2(140.0, 24.0), egui::Button::new("Profile CSV…"))
                    .on_hover_text("Save the per-segment profile")
                    .clicked()
                {
                    commands.push(Command::File(FileAction::ExportProfile));
                }
                ui.vertical(|ui| {
                    ui.set_max_width(text_width);
                    ui.add(
                        egui::Label::new(
                            "One line per segment: size, share, and each feature's mean, median or \
                             level shares in original units (as the Profiles tab shows).",
                        )
                        .wrap(),
                    );
                });
                ui.end_row();

                if ui
                    .add_sized(vec2(140.0, 24.0), egui::Button::new("Recipe JSON…"))
                    .on_hover_text("Save the preparation and clustering choices")
                    .clicked()
                {
                    commands.push(Command::File(FileAction::ExportRecipe));
                }
                ui.vertical(|ui| {
                    ui.set_max_width(text_width);
                    ui.add(
                        egui::Label::new(
                            "The preparation (features, imputation, log1p, scaling) with the \
                             method, K or cut height, seed and restarts: reproduce this run with",
                        )
                        .wrap(),
                    );
                    ui.add(
                        egui::Label::new(
                            RichText::new("segscope cluster FILE --recipe R.json -o out.csv")
                                .monospace(),
                        )
                        .wrap(),
                    );
                });
                ui.end_row();

                if ui
                    .add_sized(vec2(140.0, 24.0), egui::Button::new("Export report…"))
                    .on_hover_text("Save one self-contained HTML report of this run")
                    .clicked()
                {
                    commands.push(Command::File(FileAction::ExportReport));
                }
                ui.vertical(|ui| {
                    ui.set_max_width(text_width);
                    ui.add(
                        egui::Label::new(
                            "One self-contained HTML file: plots, profiles and the recipe \
                             (segscope report).",
                        )
                        .wrap(),
                    );
                });
                ui.end_row();

                model_panel::save_row(ui, commands, text_width);
            });
    }

    fn columns_ui(&mut self, ui: &mut Ui, method: Method, row_silhouettes: bool) {
        ui.horizontal_wrapped(|ui| {
            let sil = ui.checkbox(&mut self.columns.silhouette, "silhouette");
            if row_silhouettes {
                sil.on_hover_text(
                    "How well each row fits its segment, from -1 (closer to another segment) to 1 \
                     (well inside its own).",
                );
            } else {
                sil.on_hover_text(
                    "Too many rows for exact per-row silhouettes: the column is written with empty \
                     cells.",
                );
            }
            ui.add_enabled(
                method == Method::Kmeans,
                egui::Checkbox::new(&mut self.columns.distance, "distance to centre"),
            )
            .on_hover_text(
                "Euclidean distance of each row to its segment's centre, in prepared units.",
            )
            .on_disabled_hover_text("Only for K-Means (other methods have no fitted centres).");
            ui.add_enabled(
                method == Method::Gmm,
                egui::Checkbox::new(&mut self.columns.probabilities, "GMM probabilities"),
            )
            .on_hover_text("One column p_0, p_1, … per segment: the row's membership probability.")
            .on_disabled_hover_text("Only for Gaussian mixtures (GMM).");
        });
    }
}

fn empty_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.add_space(24.0);
    ui.vertical_centered(|ui| {
        if state.is_busy() {
            ui.spinner();
            ui.label("Nothing to export yet: the segments appear once the fit finishes.");
        } else if state.dataset().is_none() {
            ui.label("No data loaded. Open a CSV (Ctrl+O) or drop one onto the window.");
        } else {
            ui.label("Nothing to export: no segmentation was fitted. Pick K in the Choose K tab.");
            if ui.button("Go to Choose K").clicked() {
                commands.push(Command::SelectTab(Tab::ChooseK));
            }
        }
    });
}

/// The file-name stem of exports: `customers` for `customers.csv`, `sample_customers` for the sample.
pub fn export_stem(dataset: Option<&Dataset>) -> String {
    let Some(d) = dataset else {
        return "segments".to_owned();
    };
    let name = if let Some(p) = &d.path {
        p.file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    } else {
        let first = d.table.source_name.split_whitespace().next().unwrap_or("");
        Path::new(first)
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    };
    if name.is_empty() {
        "segments".to_owned()
    } else {
        name
    }
}

/// The work that writes the labelled CSV of the current result to `out`, or why there is nothing to write.
pub fn labelled_work(
    state: &AppState,
    cols: ExportColumns,
    out: PathBuf,
) -> std::result::Result<FileWork, String> {
    let (dataset, prepared, result) = current(state)?;
    let table = Arc::clone(&dataset.table);
    let path = dataset.path.clone();
    let prepared = Arc::clone(prepared);
    let result = Arc::clone(result);
    Ok(Box::new(move |p: &Progress| {
        p.set_stage("labelling", 0);
        let extra = segment_columns(&result, &prepared, table.n_rows(), cols);
        p.check()?;
        let inputs: Vec<&Path> = path.as_deref().into_iter().collect();
        // The original text streams again from the table's source (the file, or the bytes it was
        // loaded from).
        write_file(&out, &inputs, "the labelled CSV", |w| {
            write_labelled_table(&table, &extra, w, p)
        })?;
        Ok(format!(
            "Wrote {} rows to {}",
            fmt_count(table.n_rows()),
            out.display()
        ))
    }))
}

/// The work that writes the profile CSV of the current result to `out`.
pub fn profile_work(state: &AppState, out: PathBuf) -> std::result::Result<FileWork, String> {
    let (dataset, _, result) = current(state)?;
    let result = Arc::clone(result);
    let input = dataset.path.clone();
    Ok(Box::new(move |p: &Progress| {
        p.set_stage("writing", 0);
        let inputs: Vec<&Path> = input.as_deref().into_iter().collect();
        write_file(&out, &inputs, "the profile", |w| {
            write_profile_csv(&result.profile, result.profile_words(), w)?;
            p.check()
        })?;
        Ok(format!(
            "Wrote the profile of {} segments to {}",
            result.seg.k,
            out.display()
        ))
    }))
}

/// The work that writes the current fit as a segment model to `out`: the model JSON that
/// `segscope cluster --save-model` writes ([`crate::model::run::model_json`]), built on the worker and
/// written atomically, never over the data file.
pub fn model_work(state: &AppState, out: PathBuf) -> std::result::Result<FileWork, String> {
    let (dataset, prepared, result) = current(state)?;
    let table = Arc::clone(&dataset.table);
    let input = dataset.path.clone();
    let prepared = Arc::clone(prepared);
    let result = Arc::clone(result);
    Ok(Box::new(move |p: &Progress| {
        p.set_stage("building the model", 0);
        let json = crate::model::run::model_json(&table, &prepared, &result)?;
        p.check()?;
        let inputs: Vec<&Path> = input.as_deref().into_iter().collect();
        write_file(&out, &inputs, "the model", |w| {
            w.write_all(json.as_bytes()).map_err(io_err)?;
            p.check()
        })?;
        Ok(format!(
            "Saved the model ({} segments) to {}; score new files with segscope apply {} FILE -o OUT.csv",
            result.seg.k,
            out.display(),
            out.display()
        ))
    }))
}

/// The work that writes the self-contained HTML report of the current result to `out`
/// ([`crate::report::write_report`], as `segscope report` writes it; the finished K sweep of the same
/// method goes in), atomically: a cancelled or failed run leaves no file and no temp file.
pub fn report_work(state: &AppState, out: PathBuf) -> std::result::Result<FileWork, String> {
    let (dataset, prepared, result) = current(state)?;
    let table = Arc::clone(&dataset.table);
    let input = dataset.path.clone();
    let prepared = Arc::clone(prepared);
    let result = Arc::clone(result);
    let sweep = state
        .explorer
        .sweep()
        .filter(|v| !result.seg.method.is_density() && v.method == result.seg.method)
        .and_then(|v| v.done.clone());
    Ok(Box::new(move |p: &Progress| {
        p.set_stage("writing the report", 0);
        let report = crate::report::ReportInput {
            table: &table,
            data: &prepared,
            result: &result,
            sweep: sweep.as_ref(),
            map: None,
        };
        let inputs: Vec<&Path> = input.as_deref().into_iter().collect();
        write_file(&out, &inputs, "the report", |w| {
            crate::report::write_report(w, &report, p)?;
            p.check()
        })?;
        Ok(format!("Wrote the report to {}", out.display()))
    }))
}

/// The recipe of the current result, with the model as actually used (the engine's
/// [`SegResult::recipe`], which `segscope cluster --save-recipe` writes too).
pub fn full_recipe(state: &AppState) -> std::result::Result<Recipe, String> {
    let (_, prepared, result) = current(state)?;
    result.recipe(prepared).map_err(|e| e.to_string())
}

/// The work that writes `recipe` as JSON to `out` (never over `input`, the data file).
pub fn recipe_work(
    recipe: &Recipe,
    input: Option<PathBuf>,
    out: PathBuf,
) -> std::result::Result<FileWork, String> {
    let json = recipe.to_json().map_err(|e| e.to_string())?;
    Ok(Box::new(move |p: &Progress| {
        p.set_stage("writing", 0);
        let inputs: Vec<&Path> = input.as_deref().into_iter().collect();
        write_file(&out, &inputs, "the recipe", |w| {
            w.write_all(json.as_bytes()).map_err(io_err)?;
            p.check()
        })?;
        Ok(format!("Wrote the recipe to {}", out.display()))
    }))
}

type Current<'a> = (
    &'a Dataset,
    &'a Arc<super::explore::PreparedData>,
    &'a Arc<super::explore::SegResult>,
);

/// The data set, prepared data and result to export, when they belong together.
fn current(state: &AppState) -> std::result::Result<Current<'_>, String> {
    let none = || "Nothing to export yet: the segments are still being computed.".to_owned();
    let dataset = state.dataset().ok_or_else(none)?;
    let prepared = state.explorer.prepared().ok_or_else(none)?;
    let result = state.explorer.result().ok_or_else(none)?;
    let same_table = state
        .explorer
        .table()
        .is_some_and(|t| Arc::ptr_eq(t, &dataset.table));
    if !same_table {
        return Err(none());
    }
    Ok((dataset, prepared, result))
}
