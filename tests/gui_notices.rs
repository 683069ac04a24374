//! Issue 11 item 12: notices that don't mislead. Errors clear when their cause is fixed, info notices are
//! toasts that expire without moving the layout, errors take one row at most and can all be dismissed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use segscope::app::SegscopeApp;
use segscope::app::explore::ExploreCommand;
use segscope::app::state::{BannerKind, Command};

mod common;
use common::{started, wait_for_load};

/// The top of the Data tab's size line ("3,000 rows × 10 columns"), which sits under the top bar.
fn size_line(h: &Harness<'static, SegscopeApp>) -> egui::Rect {
    h.get_by_label_contains("3,000 rows × 10").rect()
}

fn errors(h: &Harness<'static, SegscopeApp>) -> Vec<String> {
    h.state()
        .state()
        .banners()
        .iter()
        .filter(|b| b.kind == BannerKind::Error)
        .map(|b| b.text.clone())
        .collect()
}

fn command(h: &mut Harness<'static, SegscopeApp>, c: Command) {
    h.state_mut().push_command(c);
    h.step();
    wait_for_load(h);
}

/// Lets `seconds` of UI time pass in one frame, then settles.
fn later(h: &mut Harness<'static, SegscopeApp>, seconds: f64) {
    let now = h.ctx.input(|i| i.time);
    h.input_mut().time = Some(now + seconds);
    h.step();
    h.run();
}

#[test]
fn no_numeric_feature_error_goes_away_once_a_feature_is_ticked() {
    let (mut h, _) = started();
    let features = h.state().state().explorer.preparation.features.clone();
    assert!(features.len() >= 2, "{features:?}");
    for f in &features {
        command(
            &mut h,
            Command::Explore(ExploreCommand::SetFeature(f.clone(), false)),
        );
    }
    let shown = errors(&h);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].contains("no numeric feature selected"),
        "{shown:?}"
    );
    h.get_by_label_contains("no numeric feature selected");

    // The cause is fixed: the error is gone, from the state and from the screen.
    command(
        &mut h,
        Command::Explore(ExploreCommand::SetFeature(features[0].clone(), true)),
    );
    assert!(errors(&h).is_empty(), "{:?}", errors(&h));
    assert!(
        h.query_by_label_contains("no numeric feature selected")
            .is_none()
    );
    assert!(h.state().state().explorer.result().is_some());
}

#[test]
fn a_toast_does_not_move_the_layout_and_expires() {
    let (mut h, _) = started();
    let before = size_line(&h);
    let button = h.get_by_label("Open CSV…").rect();
    command(
        &mut h,
        Command::Notify("Wrote 3,000 rows to out.csv".into()),
    );
    let toast = h.get_by_label("Wrote 3,000 rows to out.csv").rect();
    assert_eq!(size_line(&h), before, "a notice moved the Data tab");
    assert_eq!(h.get_by_label("Open CSV…").rect(), button);
    // Bottom right, inside the window, above the status bar's line.
    let window = h.ctx.content_rect();
    assert!(window.contains_rect(toast), "{toast:?} in {window:?}");
    assert!(toast.center().x > window.center().x, "{toast:?}");
    assert!(toast.bottom() < window.bottom() - 20.0, "{toast:?}");

    // Still there after 3 s, gone after 7 s.
    later(&mut h, 3.0);
    h.get_by_label("Wrote 3,000 rows to out.csv");
    later(&mut h, 4.0);
    assert!(
        h.query_by_label("Wrote 3,000 rows to out.csv").is_none(),
        "the toast did not expire"
    );
    assert!(h.state().banner().is_none());
    assert_eq!(size_line(&h), before);
}

#[test]
fn errors_take_one_row_and_dismiss_all_clears_them() {
    let (mut h, _) = started();
    let before = size_line(&h);
    let long = "a long error message that goes on and on ".repeat(12);
    for i in 0..4 {
        command(&mut h, Command::Fail(format!("error {i}: {long}")));
    }
    assert_eq!(errors(&h).len(), 4);
    let after = size_line(&h);
    let moved = after.top() - before.top();
    let row = h.ctx.global_style().spacing.interact_size.y;
    assert!(
        moved > 0.0 && moved <= row + 12.0,
        "four errors moved the tab by {moved} px (one row is {row})"
    );
    // The newest on one line, the rest behind "3 more…".
    h.get_by_label("3 more…");
    let shown = h.get_by_label_contains("error 3:").rect();
    assert!(shown.height() <= row + 2.0, "{shown:?}");
    assert!(h.query_by_label_contains("error 0:").is_none());
    h.get_by_label("3 more…").click();
    h.run();
    h.get_by_label_contains("error 0:");
    h.key_press(egui::Key::Escape);
    h.run();

    h.get_by_label("Dismiss all").click();
    h.run();
    assert!(errors(&h).is_empty(), "{:?}", errors(&h));
    assert_eq!(size_line(&h), before);
}

#[test]
fn a_single_error_is_dismissed_with_its_cross() {
    let (mut h, _) = started();
    command(&mut h, Command::Fail("something went wrong".into()));
    assert!(h.query_by_label("Dismiss all").is_none());
    // The error row is the highest × (the Prepare panel has its own below it).
    h.query_all_by_label("×")
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap()
        .click();
    h.run();
    assert!(errors(&h).is_empty());
}
