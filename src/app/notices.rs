//! What the app tells the user, drawn so that it never moves what the user is about to click:
//! - info notices ("Wrote … rows to …") are toasts in an overlay at the bottom right, above the status bar;
//!   they fade out and expire after [`TOAST_SECONDS`] (hovering one keeps it);
//! - errors are one row under the top bar: the newest error on one line (the full text on hover), "N more…"
//!   opens the list of all of them, "Dismiss all" clears them. Errors also clear when their cause is fixed
//!   (see `state::Cause`), so the row only exists while something is wrong.

use egui::{Align, Align2, Id, Layout, Order, RichText, Ui};

use super::state::{AppState, Banner, BannerKind, Command};
use super::theme::Palette;

/// How long a toast is shown, in seconds.
pub const TOAST_SECONDS: f64 = 6.0;
/// The last part of a toast's life, in seconds, during which it fades out.
const FADE_SECONDS: f64 = 1.0;
/// The widest a toast gets, in points.
const TOAST_WIDTH: f32 = 380.0;

/// The error row under the top bar (nothing when there is no error).
pub fn errors_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let errors: Vec<&Banner> = state
        .banners()
        .iter()
        .filter(|b| b.kind == BannerKind::Error)
        .collect();
    let Some(newest) = errors.last() else {
        return;
    };
    let palette = Palette::of(ui.visuals());
    let frame = egui::Frame::side_top_panel(ui.style())
        .fill(palette.error_fill)
        .inner_margin(egui::Margin::symmetric(8, 3));
    egui::Panel::top("errors")
        .frame(frame)
        .resizable(false)
        .show(ui, |ui| {
            ui.visuals_mut().override_text_color = Some(palette.error_text);
            ui.horizontal(|ui| {
                if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                    commands.push(Command::DismissBanner(newest.id));
                }
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    if errors.len() > 1 {
                        if ui
                            .small_button("Dismiss all")
                            .on_hover_text("Remove every error")
                            .clicked()
                        {
                            commands.push(Command::DismissAll);
                        }
                        ui.menu_button(format!("{} more…", errors.len() - 1), |ui| {
                            all_errors_ui(ui, &errors, commands);
                        });
                    }
                    ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                        let first_line = newest.text.lines().next().unwrap_or_default();
                        ui.add(egui::Label::new(first_line).truncate())
                            .on_hover_text(&newest.text);
                    });
                });
            });
        });
}

/// The popup of "N more…": every error, newest first, wrapped, each with its own ×.
fn all_errors_ui(ui: &mut Ui, errors: &[&Banner], commands: &mut Vec<Command>) {
    ui.set_max_width(520.0);
    egui::ScrollArea::vertical()
        .max_height(360.0)
        .show(ui, |ui| {
            for banner in errors.iter().rev() {
                ui.horizontal(|ui| {
                    if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                        commands.push(Command::DismissBanner(banner.id));
                    }
                    ui.add(egui::Label::new(&banner.text).wrap());
                });
                ui.separator();
            }
        });
}

/// The toasts, bottom right above `bottom` (the top of the status bar); expired ones are dismissed.
pub fn toasts_ui(ctx: &egui::Context, bottom: f32, state: &AppState, commands: &mut Vec<Command>) {
    let toasts: Vec<&Banner> = state
        .banners()
        .iter()
        .filter(|b| b.kind == BannerKind::Info)
        .collect();
    if toasts.is_empty() {
        return;
    }
    let now = ctx.input(|i| i.time);
    let palette = Palette::of(&ctx.global_style().visuals);
    let margin = ctx.content_rect().bottom() - bottom + 8.0;
    let mut next_repaint = TOAST_SECONDS;
    egui::Area::new(Id::unique("segscope_toasts"))
        .order(Order::Foreground)
        .anchor(Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -margin))
        .show(ctx, |ui| {
            ui.set_max_width(TOAST_WIDTH);
            for banner in toasts {
                let shown_at = Id::unique(("segscope_toast_shown", banner.id));
                let since = ctx.data_mut(|d| *d.get_temp_mut_or_insert_with(shown_at, || now));
                let left = TOAST_SECONDS - (now - since);
                if left <= 0.0 {
                    commands.push(Command::DismissBanner(banner.id));
                    continue;
                }
                next_repaint = next_repaint.min(if left > FADE_SECONDS {
                    left - FADE_SECONDS
                } else {
                    1.0 / 30.0
                });
                ui.scope(|ui| {
                    ui.multiply_opacity((left / FADE_SECONDS).min(1.0) as f32);
                    let frame = egui::Frame::popup(ui.style())
                        .fill(palette.info_fill)
                        .inner_margin(egui::Margin::symmetric(10, 6));
                    let r = frame.show(ui, |ui| {
                        ui.visuals_mut().override_text_color = Some(palette.info_text);
                        ui.horizontal(|ui| {
                            ui.add(egui::Label::new(RichText::new(&banner.text)).wrap());
                            if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                                commands.push(Command::DismissBanner(banner.id));
                            }
                        });
                    });
                    if r.response.contains_pointer() {
                        // Hovered: keep it (fully shown) while the user reads it.
                        ctx.data_mut(|d| d.insert_temp(shown_at, now));
                    }
                });
                ui.add_space(6.0);
            }
        });
    ctx.request_repaint_after(std::time::Duration::from_secs_f64(next_repaint));
}
