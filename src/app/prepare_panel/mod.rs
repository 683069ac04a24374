//! The left "Prepare" panel: which columns are features (kind, missing share, distribution), per-feature
//! options (missing values, log1p; levels of categoricals), the scaler, what the preparation did, recipe
//! load/save and the RFM builder.
//!
//! Files: `mod.rs` (the panel, the column list and per-feature options), `footer.rs` (level guard,
//! scaler, preparation report, buttons).

use egui::{RichText, Ui, vec2};

mod footer;

use super::View;
use super::explore::ExploreCommand;
use super::format::{count, fmt_count, fmt_num};
use super::state::{AppState, Command};
use super::theme::Palette;
use super::widgets::{self, fit_middle, kind_badge_ui, sparkline_ui};
use crate::data::{ColumnKind, ColumnSummary};
use crate::prep::recipe::DEFAULT_KNN_K;
use crate::prep::{Impute, Preparation, Scale};
use footer::{buttons_ui, category_guard_ui, report_ui, scaler_ui};

/// Levels kept by the "keep top N + other" guard of categoricals with too many levels.
pub const TOP_LEVELS_SUGGESTION: usize = 20;

/// Size of the sparklines in the column list.
const SPARKLINE: egui::Vec2 = vec2(56.0, 16.0);

/// Height kept below the column list for a feature's options, the scaler, the report and the buttons.
const OPTIONS_HEIGHT: f32 = 260.0;

/// Least height of the column list (about seven rows) when the window is small.
const LIST_MIN_HEIGHT: f32 = 160.0;

/// Spacing between the cells of the column list.
const LIST_SPACING: egui::Vec2 = vec2(6.0, 4.0);

/// The scalers offered, with their names for people.
pub const SCALERS: [(Scale, &str); 4] = [
    (Scale::Standard, "Standard (z-score)"),
    (Scale::Minmax, "Min–max [0,1]"),
    (Scale::Robust, "Robust (median, IQR)"),
    (Scale::None, "None"),
];

/// The left Prepare panel.
#[derive(Debug, Default)]
pub struct PreparePanel {
    /// The column whose options are shown.
    selected: Option<String>,
    /// The text of a constant fill being typed.
    constant: String,
}

impl View for PreparePanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        // The panel keeps the width it was given (or dragged to): a panel takes its content's width, and
        // the column names below are cut to the room left, so without this the two would shrink together.
        ui.set_min_width(ui.available_width());
        ui.add_space(4.0);
        ui.heading("Prepare");
        let Some(dataset) = state.dataset() else {
            ui.add_space(8.0);
            if state.is_loading() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Loading…");
                });
            } else {
                ui.label("Open a CSV (Ctrl+O) to choose features.");
            }
            ui.add_space(8.0);
            buttons_ui(ui, state, commands);
            return;
        };
        let palette = Palette::of(ui.visuals());
        let recipe = &state.explorer.preparation;
        ui.label(RichText::new(dataset.display_name()).strong())
            .on_hover_text(dataset.path.as_ref().map_or_else(
                || dataset.table.source_name.clone(),
                |p| p.display().to_string(),
            ));
        ui.weak(format!(
            "{} · {}",
            count(dataset.table.n_rows(), "row"),
            count(dataset.table.n_cols(), "column")
        ));
        ui.add_space(6.0);
        ui.label("Use as feature:")
            .on_hover_text("Ticked columns are the features the segments are built on.");
        // The panel's width, taken outside the scroll area: inside, a vertical scroll area offers the
        // width of its last content, which would let the names' room grow with the names.
        let width = ui.available_width();
        egui::ScrollArea::vertical()
            .id_salt("prepare_columns")
            .max_height(list_height(ui.available_height()))
            .auto_shrink([false, true])
            .show(ui, |ui| {
                self.columns_ui(ui, width, &dataset.summaries, recipe, &palette, commands);
            });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("prepare_options")
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if let Some(s) = self
                    .selected
                    .as_ref()
                    .and_then(|n| dataset.summaries.iter().find(|s| s.name == *n))
                {
                    self.feature_options_ui(ui, s, recipe, commands);
                    apply_to_all_ui(ui, s, &dataset.summaries, recipe, commands);
                    ui.separator();
                } else {
                    ui.weak("… on a feature: its missing values and log1p.");
                }
                category_guard_ui(ui, &dataset.summaries, recipe, &palette, commands);
                scaler_ui(ui, recipe, commands);
                ui.add_space(6.0);
                report_ui(ui, state, &palette);
                ui.add_space(8.0);
                buttons_ui(ui, state, commands);
            });
    }
}

impl PreparePanel {
    fn columns_ui(
        &mut self,
        ui: &mut Ui,
        width: f32,
        summaries: &[ColumnSummary],
        recipe: &Preparation,
        palette: &Palette,
        commands: &mut Vec<Command>,
    ) {
        // Names are cut to the room the other cells leave, so a long name never widens the panel.
        let name_room = (width - other_cells_width(ui, summaries)).max(48.0);
        egui::Grid::new("prepare_columns_grid")
            .num_columns(5)
            .striped(true)
            .spacing(LIST_SPACING)
            .show(ui, |ui| {
                for s in summaries {
                    let used = recipe.features.contains(&s.name);
                    let usable = matches!(s.kind, ColumnKind::Numeric | ColumnKind::Categorical);
                    let mut on = used;
                    let enabled = usable || used;
                    let shown = fit_middle(ui, &s.name, name_room);
                    let check = ui.add_enabled(enabled, egui::Checkbox::new(&mut on, shown));
                    // The accessible name says what the box does (and differs from the Data tab's
                    // column names).
                    check.widget_info(|| {
                        egui::WidgetInfo::selected(
                            egui::Role::CheckBox,
                            enabled,
                            on,
                            feature_checkbox_label(&s.name),
                        )
                    });
                    let check = match s.kind {
                        ColumnKind::Text => check.on_disabled_hover_text(format!(
                            "{}: free text (almost every value differs): it cannot be a feature. \
                             Build features from it first.",
                            s.name
                        )),
                        ColumnKind::Date => check.on_disabled_hover_text(format!(
                            "{}: dates cannot be features directly; derive e.g. days since the \
                             last order (Build RFM features…).",
                            s.name
                        )),
                        _ => check.on_hover_text(feature_hover(s, used)),
                    };
                    if check.changed() {
                        commands.push(Command::Explore(ExploreCommand::SetFeature(
                            s.name.clone(),
                            on,
                        )));
                    }
                    kind_badge_ui(ui, s.kind, palette);
                    widgets::missing_ui(ui, s, palette, false);
                    distribution_ui(ui, s, palette);
                    if usable {
                        let selected = self.selected.as_deref() == Some(s.name.as_str());
                        // A dot marks a column with choices of its own (imputation, log1p).
                        let own = recipe.has_own_choices(&s.name);
                        let b = ui
                            .selectable_label(selected, if own { "•…" } else { "…" })
                            .on_hover_text(if own {
                                format!(
                                    "Options for {}: {}",
                                    s.name,
                                    own_choices_text(recipe, &s.name, s.kind)
                                )
                            } else {
                                format!("Options for {}", s.name)
                            });
                        if b.clicked() {
                            self.selected = if selected { None } else { Some(s.name.clone()) };
                            self.constant.clear();
                        }
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
    }

    fn feature_options_ui(
        &mut self,
        ui: &mut Ui,
        s: &ColumnSummary,
        recipe: &Preparation,
        commands: &mut Vec<Command>,
    ) {
        ui.horizontal(|ui| {
            ui.strong(&s.name);
            ui.weak(s.kind.as_str());
            if ui
                .small_button("×")
                .on_hover_text("Close the options")
                .clicked()
            {
                self.selected = None;
            }
        });
        if !recipe.features.contains(&s.name) {
            ui.weak("Not a feature: tick it to use these options.");
        }
        let name = &s.name;
        let impute = recipe.effective_impute(name, s.kind == ColumnKind::Numeric);
        egui::Grid::new("feature_options")
            .num_columns(2)
            .spacing(vec2(8.0, 6.0))
            .show(ui, |ui| {
                let label = ui.label("Missing values").on_hover_text(format!(
                    "{} of {} cells are missing",
                    fmt_count(s.missing),
                    fmt_count(s.count + s.missing)
                ));
                ui.horizontal(|ui| {
                    self.impute_ui(ui, s, &impute, label.id, commands);
                });
                ui.end_row();
                if s.kind == ColumnKind::Numeric {
                    ui.label("Transform");
                    let mut on = recipe.log1p.contains(name);
                    let min = s.min.unwrap_or(0.0);
                    let allowed = log1p_allowed(s);
                    let r = ui
                        .add_enabled(allowed, egui::Checkbox::new(&mut on, "log1p"))
                        .on_hover_text(
                            "ln(1 + x): tames long right tails (spend, counts) so a few large \
                             values do not dominate the distances.",
                        )
                        .on_disabled_hover_text(format!(
                            "log1p needs every value above -1; the smallest is {}.",
                            fmt_num(min)
                        ));
                    if r.changed() {
                        commands.push(Command::Explore(ExploreCommand::SetLog1p(name.clone(), on)));
                    }
                    ui.end_row();
                } else {
                    ui.label("Levels");
                    ui.label(fmt_count(s.distinct)).on_hover_text(
                        "Distinct values; each becomes a 0/1 column (one-hot encoding).",
                    );
                    ui.end_row();
                }
            });
    }

    fn impute_ui(
        &mut self,
        ui: &mut Ui,
        s: &ColumnSummary,
        current: &Impute,
        label: egui::Id,
        commands: &mut Vec<Command>,
    ) {
        let name = &s.name;
        let numeric = s.kind == ColumnKind::Numeric;
        let mut choice = current.clone();
        let fill_default = if numeric {
            s.median.map_or_else(|| "0".to_owned(), fmt_num)
        } else {
            s.mode.clone().unwrap_or_default()
        };
        let mut options = vec![Impute::Median, Impute::Mean, Impute::Mode];
        if !numeric {
            options = vec![Impute::Mode];
        }
        options.push(Impute::Drop);
        if numeric {
            options.push(Impute::Knn(DEFAULT_KNN_K));
        }
        options.push(Impute::Constant(fill_default.clone()));
        egui::ComboBox::from_id_salt(("impute", name.as_str()))
            .selected_text(impute_label(current))
            .width(110.0)
            .show_ui(ui, |ui| {
                for o in &options {
                    let same = std::mem::discriminant(o) == std::mem::discriminant(current);
                    if ui.selectable_label(same, impute_label(o)).clicked() && !same {
                        choice = o.clone();
                    }
                }
            })
            .response
            .labelled_by(label)
            .on_hover_text(impute_help(current));
        match current {
            Impute::Knn(k) => {
                let mut k = *k;
                let r = ui
                    .add(egui::DragValue::new(&mut k).range(1..=50).prefix("k = "))
                    .on_hover_text("Neighbours averaged for each missing cell");
                if r.changed() {
                    choice = Impute::Knn(k);
                }
            }
            Impute::Constant(v) => {
                if self.constant.is_empty() {
                    self.constant.clone_from(v);
                }
                let r = ui
                    .add(egui::TextEdit::singleline(&mut self.constant).desired_width(60.0))
                    .labelled_by(label);
                let committed = r.lost_focus() || ui.input(|i| i.key_pressed(egui::Key::Enter));
                if committed && self.constant != *v {
                    if numeric && self.constant.trim().parse::<f64>().is_err() {
                        commands.push(Command::FailBecause(
                            crate::app::state::Cause::Input,
                            format!("'{}' is not a number; {name} is numeric", self.constant),
                        ));
                        self.constant.clone_from(v);
                    } else {
                        choice = Impute::Constant(self.constant.trim().to_owned());
                    }
                }
            }
            _ => {}
        }
        if choice != *current {
            if let Impute::Constant(v) = &choice {
                self.constant.clone_from(v);
            }
            commands.push(Command::Explore(ExploreCommand::SetImpute(
                name.clone(),
                choice,
            )));
        }
    }
}

/// What column `name` has of its own, in words ("missing: mean, log1p").
fn own_choices_text(recipe: &Preparation, name: &str, kind: ColumnKind) -> String {
    let mut parts = Vec::new();
    if recipe.impute_columns.contains_key(name) {
        let i = recipe.effective_impute(name, kind == ColumnKind::Numeric);
        parts.push(format!("missing: {}", impute_label(&i)));
    }
    if recipe.log1p.iter().any(|c| c == name) {
        parts.push("log1p".to_owned());
    }
    parts.join(", ")
}

/// The preparation with `s`'s missing-value rule given to every feature of its kind (numeric or
/// categorical); `None` when nothing would change.
pub fn impute_for_all(
    s: &ColumnSummary,
    summaries: &[ColumnSummary],
    recipe: &Preparation,
) -> Option<Preparation> {
    let numeric = s.kind == ColumnKind::Numeric;
    let rule = recipe.effective_impute(&s.name, numeric);
    let mut next = recipe.clone();
    for other in summaries
        .iter()
        .filter(|o| o.kind == s.kind && recipe.features.contains(&o.name))
    {
        // A constant is a value of this column's kind; the rule as chosen here is what "the same"
        // means, so it is copied as is.
        next.impute_columns.insert(other.name.clone(), rule.clone());
    }
    (next != *recipe).then_some(next)
}

/// The preparation with log1p on (`on`) for every numeric feature that allows it, or off for all.
pub fn log1p_for_all(
    summaries: &[ColumnSummary],
    recipe: &Preparation,
    on: bool,
) -> Option<Preparation> {
    let mut next = recipe.clone();
    if on {
        for s in summaries.iter().filter(|s| {
            s.kind == ColumnKind::Numeric && log1p_allowed(s) && recipe.features.contains(&s.name)
        }) {
            if !next.log1p.contains(&s.name) {
                next.log1p.push(s.name.clone());
            }
        }
    } else {
        next.log1p.clear();
    }
    (next != *recipe).then_some(next)
}

/// "Apply to all features" under a feature's options: its missing-value rule, and log1p, for every
/// feature of its kind, each as one undoable edit.
fn apply_to_all_ui(
    ui: &mut Ui,
    s: &ColumnSummary,
    summaries: &[ColumnSummary],
    recipe: &Preparation,
    commands: &mut Vec<Command>,
) {
    if !recipe.features.contains(&s.name) {
        return;
    }
    let numeric = s.kind == ColumnKind::Numeric;
    let kind = if numeric { "numeric" } else { "categorical" };
    ui.horizontal_wrapped(|ui| {
        ui.weak("Apply to all:");
        let rule = impute_label(&recipe.effective_impute(&s.name, numeric));
        let next = impute_for_all(s, summaries, recipe);
        if ui
            .add_enabled(next.is_some(), egui::Button::new(format!("missing: {rule}")).small())
            .on_hover_text(format!(
                "Give every {kind} feature this column's missing-value rule ({rule}). Ctrl+Z undoes it."
            ))
            .clicked()
            && let Some(next) = next
        {
            commands.push(Command::Explore(ExploreCommand::SetPreparation(Box::new(next))));
        }
        if numeric {
            let on = log1p_for_all(summaries, recipe, true);
            if ui
                .add_enabled(on.is_some(), egui::Button::new("log1p on").small())
                .on_hover_text(
                    "log1p on every numeric feature whose values allow it (all above -1). Ctrl+Z \
                     undoes it.",
                )
                .clicked()
                && let Some(next) = on
            {
                commands.push(Command::Explore(ExploreCommand::SetPreparation(Box::new(next))));
            }
            let off = log1p_for_all(summaries, recipe, false);
            if ui
                .add_enabled(off.is_some(), egui::Button::new("log1p off").small())
                .on_hover_text("log1p off on every feature.")
                .clicked()
                && let Some(next) = off
            {
                commands.push(Command::Explore(ExploreCommand::SetPreparation(Box::new(next))));
            }
        }
    });
}

/// The accessible name of a column's "use as feature" checkbox.
pub fn feature_checkbox_label(name: &str) -> String {
    format!("Use {name} as a feature")
}

/// Whether `log1p` can apply to a column: every value above -1.
pub fn log1p_allowed(s: &ColumnSummary) -> bool {
    s.kind == ColumnKind::Numeric && s.min.is_none_or(|m| m > -1.0)
}

fn feature_hover(s: &ColumnSummary, used: bool) -> String {
    let what = if used { "used" } else { "not used" };
    let name = &s.name;
    match s.kind {
        ColumnKind::Categorical => format!(
            "{name}: {what} as a feature; {} levels, each a 0/1 column",
            fmt_count(s.distinct)
        ),
        _ => format!("{name}: {what} as a feature"),
    }
}

/// The name of an imputation in the combo.
pub fn impute_label(i: &Impute) -> String {
    match i {
        Impute::Median => "median".into(),
        Impute::Mean => "mean".into(),
        Impute::Mode => "mode".into(),
        Impute::Drop => "drop rows".into(),
        Impute::Knn(_) => "k nearest rows".into(),
        Impute::Constant(_) => "constant".into(),
    }
}

fn impute_help(i: &Impute) -> &'static str {
    match i {
        Impute::Median => "Fill missing cells with the column's median (robust to outliers).",
        Impute::Mean => "Fill missing cells with the column's mean.",
        Impute::Mode => "Fill missing cells with the most frequent value.",
        Impute::Drop => {
            "Leave rows with a missing value out of the segmentation (their segment stays empty on \
             export)."
        }
        Impute::Knn(_) => {
            "Fill with the mean of the k most similar rows (like sklearn's KNNImputer)."
        }
        Impute::Constant(_) => "Fill missing cells with a fixed value.",
    }
}

/// The widest a column row can be beside its name's text: the checkbox's box, the kind badge, the missing
/// share, the sparkline or level count, the options button, the spacing between them and the scroll bar.
/// Measured from the widest text each cell can hold (not from the last frame's layout, which would let
/// the names' room and the panel's width feed each other).
fn other_cells_width(ui: &Ui, summaries: &[ColumnSummary]) -> f32 {
    let width = |text: &str, style: egui::TextStyle| {
        ui.painter()
            .layout_no_wrap(
                text.to_owned(),
                style.resolve(ui.style()),
                egui::Color32::WHITE,
            )
            .size()
            .x
    };
    let spacing = ui.spacing();
    let icon = spacing.icon_width + spacing.icon_spacing;
    let badge = ["num", "cat", "date", "text"]
        .iter()
        .map(|t| width(t, egui::TextStyle::Small))
        .fold(0.0, f32::max)
        + 12.0;
    let missing = width("100.0%", egui::TextStyle::Body).max(width("<0.1%", egui::TextStyle::Body));
    let most_levels = summaries
        .iter()
        .filter(|s| s.kind == ColumnKind::Categorical)
        .map(|s| s.distinct)
        .max();
    let distribution = most_levels.map_or(SPARKLINE.x, |n| {
        SPARKLINE.x.max(width(
            &format!("{} levels", fmt_count(n)),
            egui::TextStyle::Body,
        ))
    });
    let options = width("•…", egui::TextStyle::Button) + 2.0 * spacing.button_padding.x;
    // A grid column is at least `interact_size.x` wide (egui's default `min_col_width`).
    let cell = |w: f32| w.max(spacing.interact_size.x);
    icon + cell(badge)
        + cell(missing)
        + cell(distribution)
        + cell(options)
        + 4.0 * LIST_SPACING.x
        + spacing.scroll.allocated_width()
        + 2.0
}

/// Most height of the column list: what is left above the options, but at least 62% of the panel (the
/// options scroll on their own) and never less than [`LIST_MIN_HEIGHT`].
fn list_height(available: f32) -> f32 {
    (available - OPTIONS_HEIGHT)
        .max(available * 0.62)
        .max(LIST_MIN_HEIGHT)
}

fn distribution_ui(ui: &mut Ui, s: &ColumnSummary, palette: &Palette) {
    match (&s.histogram, s.kind) {
        (Some(h), ColumnKind::Numeric) => {
            sparkline_ui(ui, h, SPARKLINE, palette).on_hover_text(format!(
                "from {} to {}, median {}",
                s.min.map_or_else(|| "—".into(), fmt_num),
                s.max.map_or_else(|| "—".into(), fmt_num),
                s.median.map_or_else(|| "—".into(), fmt_num),
            ));
        }
        (_, ColumnKind::Categorical) => {
            ui.weak(format!("{} levels", fmt_count(s.distinct)));
        }
        _ => {
            ui.weak("—");
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(super) fn summary(kind: ColumnKind, min: Option<f64>, distinct: usize) -> ColumnSummary {
        ColumnSummary {
            name: "c".into(),
            kind,
            count: 10,
            missing: 0,
            invalid: 0,
            distinct,
            min,
            max: None,
            mean: None,
            median: None,
            std: None,
            mode: None,
            mode_count: 0,
            histogram: None,
        }
    }

    #[test]
    fn log1p_needs_values_above_minus_one() {
        assert!(log1p_allowed(&summary(ColumnKind::Numeric, Some(0.0), 5)));
        assert!(log1p_allowed(&summary(ColumnKind::Numeric, Some(-0.5), 5)));
        assert!(!log1p_allowed(&summary(ColumnKind::Numeric, Some(-1.0), 5)));
        assert!(!log1p_allowed(&summary(ColumnKind::Categorical, None, 5)));
    }

    fn named(name: &str, kind: ColumnKind, min: Option<f64>) -> ColumnSummary {
        ColumnSummary {
            name: name.into(),
            ..summary(kind, min, 5)
        }
    }

    #[test]
    fn apply_to_all_covers_features_of_the_same_kind_only() {
        let cols = [
            named("spend", ColumnKind::Numeric, Some(0.0)),
            named("delta", ColumnKind::Numeric, Some(-5.0)),
            named("visits", ColumnKind::Numeric, Some(1.0)),
            named("region", ColumnKind::Categorical, None),
            named("unused", ColumnKind::Numeric, Some(0.0)),
        ];
        let mut recipe = Preparation::new(vec![
            "spend".into(),
            "delta".into(),
            "visits".into(),
            "region".into(),
        ]);
        recipe.impute_columns.insert("spend".into(), Impute::Mean);
        let next = impute_for_all(&cols[0], &cols, &recipe).unwrap();
        for c in ["spend", "delta", "visits"] {
            assert_eq!(next.impute_for(c), &Impute::Mean, "{c}");
        }
        assert!(!next.impute_columns.contains_key("region"));
        assert!(!next.impute_columns.contains_key("unused"), "not a feature");
        // Applying it again changes nothing: no edit.
        assert_eq!(impute_for_all(&cols[0], &cols, &next), None);
        // A categorical's inherited median is its mode, and that is what spreads.
        let cat = impute_for_all(&cols[3], &cols, &recipe).unwrap();
        assert_eq!(cat.impute_for("region"), &Impute::Mode);
        assert_eq!(recipe.effective_impute("region", false), Impute::Mode);
        // log1p where allowed (not below -1), and off for all.
        let on = log1p_for_all(&cols, &recipe, true).unwrap();
        assert_eq!(on.log1p, ["spend", "visits"]);
        assert!(on.has_own_choices("visits") && !on.has_own_choices("delta"));
        assert_eq!(log1p_for_all(&cols, &on, true), None);
        assert!(log1p_for_all(&cols, &on, false).unwrap().log1p.is_empty());
        assert_eq!(
            own_choices_text(&next, "spend", ColumnKind::Numeric),
            format!("missing: {}", impute_label(&Impute::Mean))
        );
    }
}
