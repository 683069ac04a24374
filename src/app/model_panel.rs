//! The model part of the Export tab: "Save model…" (the current fit as the model file
//! `segscope cluster --save-model` writes), "Apply model to a file…" (pick a model, a CSV and an output;
//! scored on a worker by the engine's `apply_files`, the code path of `segscope apply --drift`) and,
//! after an apply, its outcome: progress with Cancel while it runs, the error, or the summary with the
//! drift report ([`super::drift_view`]).

use std::path::Path;

use egui::{RichText, Ui, vec2};

use super::drift_view::drift_ui;
use super::explore::ApplyOutcome;
use super::format::{fmt_count, method_label};
use super::state::{AppState, Command, FileAction, file_name};
use crate::model::run::{Applied, ApplyRequest};

/// Width of the action buttons (as the export rows).
const BUTTON: egui::Vec2 = vec2(160.0, 24.0);

/// The "Save model…" row of the export grid (a fit exists).
/// `text_width`: the room of the description column (its text wraps to it).
pub fn save_row(ui: &mut Ui, commands: &mut Vec<Command>, text_width: f32) {
    if ui
        .add_sized(BUTTON, egui::Button::new("Save model…"))
        .on_hover_text("Save this segmentation as a model that scores new customers")
        .clicked()
    {
        commands.push(Command::File(FileAction::SaveModel));
    }
    ui.vertical(|ui| {
        ui.set_max_width(text_width);
        ui.add(
            egui::Label::new(
                "Everything needed to score new customers the same way, with no refit: the fitted \
                 preparation, the segments (centres, mixture or tree cut) with their names, and a \
                 training profile for drift. Use it below, or with",
            )
            .wrap(),
        );
        ui.add(
            egui::Label::new(
                RichText::new("segscope apply M.json FILE -o OUT.csv --drift D.json").monospace(),
            )
            .wrap(),
        );
    });
    ui.end_row();
}

/// The suggested name of the scored CSV of `input`: `<stem>_scored.csv`.
pub fn scored_name(input: &std::path::Path) -> String {
    let stem = input.file_stem().map_or_else(
        || "customers".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    format!("{stem}_scored.csv")
}

/// The apply job for a picked model, CSV and output, with the drift report.
pub fn apply_request(
    model: std::path::PathBuf,
    input: std::path::PathBuf,
    output: std::path::PathBuf,
) -> ApplyRequest {
    ApplyRequest {
        model,
        input,
        output,
        drift_output: None,
        drift: true,
    }
}

/// The "Apply model to a file…" section: button, running apply, last outcome with its drift report.
pub fn apply_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let job = &state.explorer.apply;
    ui.strong("Score new customers with a saved model");
    ui.add_space(4.0);
    ui.horizontal_top(|ui| {
        let button = ui
            .add_enabled(
                !job.is_running(),
                egui::Button::new("Apply model to a file…").min_size(BUTTON),
            )
            .on_hover_text("Pick a model, a CSV of customers and where to write the scored CSV")
            .on_disabled_hover_text("An apply is running; wait or cancel it");
        if button.clicked() {
            commands.push(Command::File(FileAction::ApplyModel));
        }
        ui.add(
            egui::Label::new(
                "Pick a model file, a CSV and where to write the scored CSV: every line unchanged \
                 plus segment and segment_name (as segscope apply writes it). Each row is scored \
                 on its own, with no refit; then a drift report compares the file with the \
                 training data.",
            )
            .wrap(),
        );
    });
    ui.add_space(8.0);
    if let Some(request) = job.running() {
        running_ui(ui, request, job.rows_done().unwrap_or(0), commands);
        return;
    }
    match job.outcome() {
        None => {}
        Some(ApplyOutcome::Cancelled { request }) => {
            ui.label(format!(
                "Applying {} to {} was cancelled; nothing was written.",
                file_name(&request.model),
                file_name(&request.input)
            ));
        }
        Some(ApplyOutcome::Failed { message, .. }) => {
            ui.add(
                egui::Label::new(RichText::new(message).color(ui.visuals().error_fg_color)).wrap(),
            );
            ui.weak("Nothing was written.");
        }
        Some(ApplyOutcome::Done { request, applied }) => done_ui(ui, request, applied),
    }
}

fn running_ui(ui: &mut Ui, request: &ApplyRequest, rows: u64, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(format!(
            "Scoring {} with {}: {} rows so far",
            file_name(&request.input),
            file_name(&request.model),
            fmt_count(usize::try_from(rows).unwrap_or(usize::MAX))
        ));
        if ui
            .button("Cancel")
            .on_hover_text("Stop scoring; no file is left behind")
            .clicked()
        {
            commands.push(Command::CancelFileJobs);
        }
    });
}

fn done_ui(ui: &mut Ui, request: &ApplyRequest, applied: &Applied) {
    let Applied { model, summary } = applied;
    ui.add(
        egui::Label::new(format!(
            "Scored {} rows of {} with {} ({}, {} segments, trained on {}) into {}",
            fmt_count(summary.n_rows),
            file_name(&request.input),
            file_name(&request.model),
            method_label(model.info.method),
            model.info.k,
            model.source,
            shown_path(&request.output)
        ))
        .wrap(),
    );
    let sizes: Vec<String> = summary
        .sizes
        .iter()
        .zip(&model.segments)
        .map(|(n, s)| format!("{} {}: {}", s.segment, s.name, fmt_count(*n)))
        .collect();
    ui.add(egui::Label::new(format!("Rows per segment: {}", sizes.join(" · "))).wrap());
    if summary.unscored > 0 {
        ui.label(format!(
            "{} rows left unscored (a missing value the preparation drops).",
            fmt_count(summary.unscored)
        ));
    }
    ui.add_space(8.0);
    if let Some(report) = &summary.drift {
        drift_ui(ui, summary, report);
    }
}

fn shown_path(path: &Path) -> String {
    path.display().to_string()
}
