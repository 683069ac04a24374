//! The drift report of an apply, drawn (the numbers are the engine's [`DriftReport`], the same report
//! `segscope apply --drift` writes): the overall verdict in words, one PSI bar per feature coloured by
//! its verdict with the 0.1 / 0.25 thresholds marked, segment shares at training vs now as paired bars,
//! and the unseen levels, missing rates and out-of-range values listed.

use egui::{Align2, Color32, FontId, Rect, RichText, Sense, Stroke, Ui, pos2, vec2};

use super::format::{fmt_count, fmt_num};
use super::theme::{DriftPalette, drift_colors, segment_color};
use crate::model::apply::ApplySummary;
use crate::model::drift::{DriftReport, PSI_RETRAIN, PSI_STABLE, Verdict};

/// PSI at the right end of a bar (larger values fill the bar and are marked as beyond it).
const PSI_SCALE: f64 = 0.5;
/// Height of one PSI bar.
const BAR_HEIGHT: f32 = 14.0;

/// The colour of a verdict.
pub fn verdict_color(p: &DriftPalette, v: Verdict) -> Color32 {
    match v {
        Verdict::Stable => p.stable,
        Verdict::Watch => p.watch,
        Verdict::Retrain => p.retrain,
    }
}

/// The overall verdict in words, naming the features that drive it.
pub fn verdict_words(report: &DriftReport) -> String {
    let drivers = if report.drivers.is_empty() {
        format!(
            "the segment shares moved (PSI {})",
            fmt_psi(report.segment_psi)
        )
    } else {
        report.drivers.join(", ")
    };
    match report.verdict {
        Verdict::Stable => format!(
            "Stable: these customers look like the training customers (every PSI below {PSI_STABLE}); \
             the segments apply as they are."
        ),
        Verdict::Watch => format!(
            "Watch: some inputs have shifted (PSI {PSI_STABLE} to {PSI_RETRAIN}): {drivers}. The segments \
             still apply; keep an eye on the next files."
        ),
        Verdict::Retrain => format!(
            "Retrain: the customers have drifted (PSI above {PSI_RETRAIN}): {drivers}. The segments may \
             no longer describe them; fit again on recent data and save a new model."
        ),
    }
}

fn fmt_psi(psi: f64) -> String {
    format!("{psi:.3}")
}

fn fmt_pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Draws the report of `summary` (which must carry one) into `ui`.
pub fn drift_ui(ui: &mut Ui, summary: &ApplySummary, report: &DriftReport) {
    let palette = drift_colors(ui.visuals());
    let colour = verdict_color(&palette, report.verdict);
    ui.label(
        RichText::new(format!("Drift: {}", report.verdict.as_str()))
            .heading()
            .color(colour),
    );
    ui.add(egui::Label::new(verdict_words(report)).wrap());
    ui.weak(&report.thresholds);
    ui.add_space(8.0);

    ui.strong(format!(
        "Inputs: Population Stability Index against the training data ({} rows compared)",
        fmt_count(report.n_rows)
    ));
    feature_grid(ui, &palette, report);
    ui.add_space(8.0);

    ui.strong(format!(
        "Segment shares: training vs now (PSI {}, {})",
        fmt_psi(report.segment_psi),
        Verdict::of(report.segment_psi).as_str()
    ));
    segment_grid(ui, &palette, report);
    ui.add_space(8.0);

    lists_ui(ui, summary, report);
}

/// Width of the bar column: what is left beside the text columns, within reason.
fn bar_width(ui: &Ui, text_columns: f32) -> f32 {
    (ui.available_width() - text_columns).clamp(80.0, 300.0)
}

fn feature_grid(ui: &mut Ui, palette: &DriftPalette, report: &DriftReport) {
    let width = bar_width(ui, 420.0);
    egui::Grid::new("drift_features")
        .num_columns(5)
        .spacing(vec2(10.0, 4.0))
        .striped(true)
        .show(ui, |ui| {
            ui.weak("feature");
            ui.weak(format!("PSI (0 to {PSI_SCALE}+)"));
            ui.weak("PSI");
            ui.weak("verdict");
            ui.weak("missing: training to now");
            ui.end_row();
            for f in &report.features {
                ui.label(&f.name);
                let label = format!("{}: PSI {}, {}", f.name, fmt_psi(f.psi), f.verdict.as_str());
                psi_bar(ui, palette, f.psi, f.verdict, width, &label);
                ui.label(fmt_psi(f.psi));
                ui.label(
                    RichText::new(f.verdict.as_str())
                        .color(verdict_color(palette, f.verdict))
                        .strong(),
                );
                ui.label(format!(
                    "{} to {}",
                    fmt_pct(f.missing_rate_train),
                    fmt_pct(f.missing_rate_now)
                ));
                ui.end_row();
            }
        });
}

/// One PSI bar with the stable / retrain thresholds marked; `label` is what screen readers (and tests)
/// read.
fn psi_bar(
    ui: &mut Ui,
    palette: &DriftPalette,
    psi: f64,
    verdict: Verdict,
    width: f32,
    label: &str,
) {
    let (rect, response) = ui.allocate_exact_size(vec2(width, BAR_HEIGHT), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, palette.track);
    let frac = (psi / PSI_SCALE).clamp(0.0, 1.0) as f32;
    let fill = Rect::from_min_size(rect.min, vec2(rect.width() * frac, rect.height()));
    painter.rect_filled(fill, 2.0, verdict_color(palette, verdict));
    let ink = ui.visuals().text_color();
    for t in [PSI_STABLE, PSI_RETRAIN] {
        let x = rect.left() + rect.width() * (t / PSI_SCALE) as f32;
        painter.line_segment(
            [pos2(x, rect.top()), pos2(x, rect.bottom())],
            Stroke::new(1.0, ink),
        );
    }
    if psi > PSI_SCALE {
        painter.text(
            rect.right_center() - vec2(3.0, 0.0),
            Align2::RIGHT_CENTER,
            ">",
            FontId::proportional(BAR_HEIGHT - 1.0),
            ink,
        );
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Meter, true, label));
    response.on_hover_text(format!(
        "{label} (marks at {PSI_STABLE} and {PSI_RETRAIN}; the bar is full from {PSI_SCALE})"
    ));
}

fn segment_grid(ui: &mut Ui, palette: &DriftPalette, report: &DriftReport) {
    let width = bar_width(ui, 400.0);
    let top = report
        .segments
        .iter()
        .map(|s| s.share_train.max(s.share_now))
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    egui::Grid::new("drift_segments")
        .num_columns(4)
        .spacing(vec2(10.0, 4.0))
        .striped(true)
        .show(ui, |ui| {
            ui.weak("segment");
            ui.weak("share: training (grey) / now");
            ui.weak("training to now");
            ui.weak("mean distance to centre: training to now");
            ui.end_row();
            for s in &report.segments {
                ui.label(format!("{} {}", s.segment, s.name));
                let label = format!(
                    "{}: share {} at training, {} now",
                    s.name,
                    fmt_pct(s.share_train),
                    fmt_pct(s.share_now)
                );
                paired_bars(
                    ui,
                    [
                        (s.share_train / top, palette.then),
                        (s.share_now / top, segment_color(s.segment)),
                    ],
                    width,
                    palette.track,
                    &label,
                );
                ui.label(format!(
                    "{} to {}",
                    fmt_pct(s.share_train),
                    fmt_pct(s.share_now)
                ));
                ui.label(format!(
                    "{} to {}",
                    fmt_num(s.mean_distance_train),
                    s.mean_distance_now.map_or_else(|| "-".to_owned(), fmt_num)
                ));
                ui.end_row();
            }
        });
}

/// Two thin bars one above the other (fractions of `width`).
fn paired_bars(ui: &mut Ui, bars: [(f64, Color32); 2], width: f32, track: Color32, label: &str) {
    let h = BAR_HEIGHT / 2.0;
    let (rect, response) = ui.allocate_exact_size(vec2(width, BAR_HEIGHT + 2.0), Sense::hover());
    let painter = ui.painter_at(rect);
    for (i, (frac, colour)) in bars.into_iter().enumerate() {
        let top = rect.top() + i as f32 * (h + 2.0);
        let full = Rect::from_min_size(pos2(rect.left(), top), vec2(width, h));
        painter.rect_filled(full, 1.0, track);
        let w = width * frac.clamp(0.0, 1.0) as f32;
        painter.rect_filled(Rect::from_min_size(full.min, vec2(w, h)), 1.0, colour);
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Meter, true, label));
    response.on_hover_text(label);
}

fn lists_ui(ui: &mut Ui, summary: &ApplySummary, report: &DriftReport) {
    ui.strong("Unseen levels");
    if summary.unseen_levels.is_empty() {
        ui.weak("None: every category level was seen at training.");
    } else {
        for (column, n) in &summary.unseen_levels {
            ui.label(format!(
                "{column}: {} cell(s) with a level not seen at training (scored as none of the levels)",
                fmt_count(*n)
            ));
        }
    }
    ui.add_space(4.0);
    ui.strong("Missing values");
    let changed: Vec<_> = report
        .features
        .iter()
        .filter(|f| f.missing_rate_train > 0.0 || f.missing_rate_now > 0.0)
        .collect();
    if changed.is_empty() {
        ui.weak("None, at training or now.");
    } else {
        for f in changed {
            ui.label(format!(
                "{}: {} missing at training, {} now",
                f.name,
                fmt_pct(f.missing_rate_train),
                fmt_pct(f.missing_rate_now)
            ));
        }
    }
    ui.add_space(4.0);
    ui.strong("Outside the training range");
    if summary.out_of_range.is_empty() {
        ui.weak("None: every number lies within the training range.");
    } else {
        for (column, n) in &summary.out_of_range {
            let share = report
                .features
                .iter()
                .find(|f| f.name == *column)
                .map_or_else(String::new, |f| {
                    format!(" ({})", fmt_pct(f.out_of_range_share))
                });
            ui.label(format!("{column}: {} value(s){share}", fmt_count(*n)));
        }
    }
}
