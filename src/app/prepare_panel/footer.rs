//! The lower part of the Prepare panel: the level guard of categoricals, the scaler, what the
//! preparation did, and the recipe / RFM buttons.

use std::fmt::Write as _;

use egui::{RichText, Ui};

use super::{SCALERS, TOP_LEVELS_SUGGESTION};
use crate::app::explore::ExploreCommand;
use crate::app::format::{count, fmt_count};
use crate::app::state::{AppState, Command, FileAction};
use crate::app::theme::Palette;
use crate::data::{ColumnKind, ColumnSummary};
use crate::prep::{PrepReport, Preparation};

/// Features (categorical) with more levels than `recipe.max_categories`: (name, levels).
pub fn too_many_levels<'a>(
    summaries: &'a [ColumnSummary],
    recipe: &Preparation,
) -> Vec<(&'a str, usize)> {
    summaries
        .iter()
        .filter(|s| {
            s.kind == ColumnKind::Categorical
                && s.distinct > recipe.max_categories
                && recipe.features.contains(&s.name)
        })
        .map(|s| (s.name.as_str(), s.distinct))
        .collect()
}

pub(super) fn category_guard_ui(
    ui: &mut Ui,
    summaries: &[ColumnSummary],
    recipe: &Preparation,
    palette: &Palette,
    commands: &mut Vec<Command>,
) {
    if let Some(top) = recipe.top_levels {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "Categoricals keep their top {top} levels; the rest become \"other\"."
            ));
            if ui.small_button("Keep all").clicked() {
                commands.push(Command::Explore(ExploreCommand::SetTopLevels(None)));
            }
        });
        ui.add_space(4.0);
        return;
    }
    for (name, levels) in too_many_levels(summaries, recipe) {
        crate::app::widgets::warning_box(ui, palette, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "{name} has {levels} levels > {}: keep top {TOP_LEVELS_SUGGESTION} + other?",
                    recipe.max_categories
                ));
                if ui
                    .button(format!("Keep top {TOP_LEVELS_SUGGESTION}"))
                    .on_hover_text(
                        "Keep the most frequent levels of every categorical feature; the rest \
                         are grouped as \"other\".",
                    )
                    .clicked()
                {
                    commands.push(Command::Explore(ExploreCommand::SetTopLevels(Some(
                        TOP_LEVELS_SUGGESTION,
                    ))));
                }
            });
        });
        ui.add_space(4.0);
    }
}

pub(super) fn scaler_ui(ui: &mut Ui, recipe: &Preparation, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label("Scaling").on_hover_text(
            "Puts features on comparable scales so no single unit (dollars vs. visits) dominates \
             the distances.",
        );
        let current = SCALERS
            .iter()
            .find(|(s, _)| *s == recipe.scale)
            .map_or("?", |(_, n)| n);
        egui::ComboBox::from_id_salt("scaler")
            .selected_text(current)
            .width(170.0)
            .show_ui(ui, |ui| {
                for (scale, name) in SCALERS {
                    if ui.selectable_label(recipe.scale == scale, name).clicked()
                        && recipe.scale != scale
                    {
                        commands.push(Command::Explore(ExploreCommand::SetScale(scale)));
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
}

/// "Prepared: 3,000 rows × 9 features; 87 cells filled".
pub fn report_line(n_rows: usize, n_features: usize, report: &PrepReport) -> String {
    let filled: usize = report.filled.iter().map(|(_, n)| n).sum();
    let mut s = format!(
        "Prepared: {} × {}",
        count(n_rows, "row"),
        count(n_features, "feature")
    );
    if filled > 0 {
        let _ = write!(s, "; {} cells filled", fmt_count(filled));
    }
    let dropped = report.n_input_rows.saturating_sub(n_rows);
    if dropped > 0 {
        let _ = write!(s, "; {} rows dropped", fmt_count(dropped));
    }
    s
}

pub(super) fn report_ui(ui: &mut Ui, state: &AppState, palette: &Palette) {
    let explorer = &state.explorer;
    if explorer.is_preparing() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Preparing…");
        });
        return;
    }
    let Some(p) = explorer.prepared() else {
        if explorer.preparation.features.is_empty() {
            ui.label("Tick at least one column to use as a feature.");
        } else if state.dataset().is_some() {
            ui.label("Not prepared: see the message above.");
        }
        return;
    };
    let report = &p.prepared.report;
    let line = ui.label(report_line(
        p.n_rows(),
        p.prepared.feature_names.len(),
        report,
    ));
    if !report.filled.is_empty() {
        line.on_hover_ui(|ui| {
            ui.strong("Cells filled per column");
            egui::Grid::new("filled_per_column").show(ui, |ui| {
                for (name, n) in &report.filled {
                    ui.label(name);
                    ui.label(fmt_count(*n));
                    ui.end_row();
                }
            });
        });
    }
    for w in &report.warnings {
        ui.label(
            RichText::new(format!("Note: {w}"))
                .small()
                .color(palette.missing),
        );
    }
}

pub(super) fn buttons_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let loaded = state.dataset().is_some();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(loaded, egui::Button::new("Load recipe…"))
            .on_hover_text("Use the preparation saved in a recipe JSON")
            .clicked()
        {
            commands.push(Command::File(FileAction::LoadRecipe));
        }
        if ui
            .add_enabled(loaded, egui::Button::new("Save recipe…"))
            .on_hover_text("Save these preparation choices as JSON (re-usable with the CLI)")
            .clicked()
        {
            commands.push(Command::File(FileAction::SaveRecipe));
        }
    });
    if ui
        .button("Build RFM features…")
        .on_hover_text(
            "Turn a transactions file (customer, date, amount) into one row per customer: recency, \
             frequency, monetary",
        )
        .clicked()
    {
        commands.push(Command::OpenRfm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::prepare_panel::tests::summary;
    use crate::data::ColumnKind;

    #[test]
    fn level_guard_lists_used_categoricals_above_the_limit() {
        let mut many = summary(ColumnKind::Categorical, None, 73);
        many.name = "region".into();
        let few = summary(ColumnKind::Categorical, None, 3);
        let summaries = [many, few];
        let mut r = Preparation::new(vec!["region".into(), "c".into()]);
        assert_eq!(too_many_levels(&summaries, &r), [("region", 73)]);
        r.features = vec!["c".into()];
        assert!(too_many_levels(&summaries, &r).is_empty());
    }

    #[test]
    fn report_line_counts_filled_and_dropped() {
        let report = PrepReport {
            n_input_rows: 3000,
            filled: vec![("a".into(), 80), ("b".into(), 7)],
            ..PrepReport::default()
        };
        assert_eq!(
            report_line(3000, 9, &report),
            "Prepared: 3,000 rows × 9 features; 87 cells filled"
        );
        let report = PrepReport {
            n_input_rows: 3000,
            ..PrepReport::default()
        };
        assert_eq!(
            report_line(2990, 2, &report),
            "Prepared: 2,990 rows × 2 features; 10 rows dropped"
        );
    }
}
