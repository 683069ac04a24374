//! Small drawing helpers shared by several panels: the column-kind badge, the histogram sparkline and
//! the warning box, the top bar's file name (cut in the middle to fit).

use egui::{CornerRadius, Rect, RichText, Sense, Stroke, Ui, pos2, vec2};

use super::format::{fmt_count, fmt_percent, middle_ellipsis};
use super::state::{AppState, Dataset};
use super::theme::{Palette, kind_badge, kind_color};
use crate::data::{ColumnKind, ColumnSummary};

/// Size of a histogram sparkline in the Data tab.
pub const SPARKLINE_SIZE: egui::Vec2 = vec2(80.0, 18.0);

/// A small rounded badge naming a column kind ("num", "cat", ...), with the full kind on hover.
pub fn kind_badge_ui(ui: &mut Ui, kind: ColumnKind, palette: &Palette) -> egui::Response {
    egui::Frame::new()
        .fill(kind_color(kind))
        .corner_radius(CornerRadius::same(6))
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| {
            ui.label(
                RichText::new(kind_badge(kind))
                    .small()
                    .color(palette.badge_text),
            );
        })
        .response
        .on_hover_text(kind.as_str())
}

/// Draws `counts` as bars in a small box of `size`.
pub fn sparkline_ui(
    ui: &mut Ui,
    counts: &[u32],
    size: egui::Vec2,
    palette: &Palette,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    if ui.is_rect_visible(rect) && !counts.is_empty() {
        let painter = ui.painter_at(rect);
        for bar in sparkline_bars(counts, rect) {
            painter.rect_filled(bar, 0.0, palette.histogram);
        }
        painter.line_segment(
            [rect.left_bottom(), rect.right_bottom()],
            Stroke::new(1.0, palette.histogram_base),
        );
    }
    response
}

/// The bars of a sparkline of `counts` in `rect`: one per non-empty bin, the tallest filling the height,
/// none shorter than one pixel.
pub fn sparkline_bars(counts: &[u32], rect: Rect) -> Vec<Rect> {
    if counts.is_empty() {
        return Vec::new();
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f32;
    let w = rect.width() / counts.len() as f32;
    counts
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c > 0)
        .map(|(i, &c)| {
            let h = (c as f32 / max * rect.height()).max(1.0);
            let x0 = rect.left() + i as f32 * w;
            Rect::from_min_max(
                pos2(x0 + 0.5, rect.bottom() - h),
                pos2(x0 + w - 0.5, rect.bottom()),
            )
        })
        .collect()
}

/// The missing share of a column (highlighted when above zero; `strong` makes it bold), with counts and
/// invalid cells on hover.
pub fn missing_ui(ui: &mut Ui, s: &ColumnSummary, palette: &Palette, strong: bool) {
    let total = s.count + s.missing;
    let text = fmt_percent(s.missing, total);
    let invalid = if s.invalid > 0 {
        format!(
            "; {} of them could not be read as {} and count as missing",
            fmt_count(s.invalid),
            s.kind
        )
    } else {
        String::new()
    };
    let hover = format!(
        "{} of {} cells missing{invalid}",
        fmt_count(s.missing),
        fmt_count(total)
    );
    if s.missing == 0 {
        ui.weak(text)
    } else {
        let text = RichText::new(text).color(palette.missing);
        ui.label(if strong { text.strong() } else { text })
    }
    .on_hover_text(hover);
}

/// The centred placeholder of a tab that shows a segmentation when there is none yet; `purpose` ends the
/// "No data loaded" sentence (e.g. "to profile its segments").
pub fn no_result_ui(ui: &mut Ui, state: &AppState, purpose: &str) {
    ui.centered_and_justified(|ui| {
        if state.dataset().is_none() {
            ui.label(format!("No data loaded. Open a CSV (Ctrl+O) {purpose}."));
        } else if state.explorer.is_busy() {
            ui.label("Fitting the segments…");
        } else {
            ui.label(
                "No segmentation yet: choose features in the Prepare panel and a K in Choose K.",
            );
        }
    });
}

/// A rounded box in the theme's warning colours around `add_contents`.
pub fn warning_box(ui: &mut Ui, palette: &Palette, add_contents: impl FnOnce(&mut Ui)) {
    egui::Frame::new()
        .fill(palette.warn_fill)
        .corner_radius(4.0)
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.visuals_mut().override_text_color = Some(palette.warn_text);
            add_contents(ui);
        });
}

/// The open file's name in the top bar: cut in the middle ("…") to the room left (the loading status keeps
/// its room while a load runs), the full path on hover.
pub fn file_name_label(ui: &mut Ui, d: &Dataset, loading: bool) {
    let name = d.display_name();
    let full = d
        .path
        .as_ref()
        .map_or_else(|| name.clone(), |p| p.display().to_string());
    let room = ui.available_width() - if loading { 480.0 } else { 8.0 };
    let shown = fit_middle(ui, &name, room);
    ui.add(egui::Label::new(shown).truncate())
        .on_hover_text(full);
}

/// `text` cut in the middle ("…", see [`middle_ellipsis`]) to the longest form whose width in the body
/// font is at most `room` points (at least 4 characters stay). A binary search: a handful of layouts, not
/// one per character.
pub fn fit_middle(ui: &Ui, text: &str, room: f32) -> String {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let width = |t: &str| {
        ui.painter()
            .layout_no_wrap(t.to_owned(), font.clone(), egui::Color32::WHITE)
            .size()
            .x
    };
    let n = text.chars().count();
    if n <= 4 || width(text) <= room {
        return text.to_owned();
    }
    // The longest cut that fits lies in [4, n - 1].
    let (mut lo, mut hi) = (4, n - 1);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if width(&middle_ellipsis(text, mid)) <= room {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    middle_ellipsis(text, lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_bars_scale_to_the_tallest_and_skip_empty_bins() {
        let rect = Rect::from_min_size(pos2(0.0, 0.0), vec2(40.0, 20.0));
        let bars = sparkline_bars(&[0, 5, 10, 1], rect);
        assert_eq!(bars.len(), 3);
        assert!((bars[1].height() - 20.0).abs() < 1e-4, "tallest fills");
        assert!((bars[0].height() - 10.0).abs() < 1e-4);
        assert!(bars[2].height() >= 1.0);
        assert!(bars.iter().all(|b| rect.contains_rect(*b)));
        assert!(sparkline_bars(&[], rect).is_empty());
        assert_eq!(sparkline_bars(&[0, 0], rect).len(), 0);
    }
}
