//! Snapshot tests of the Choose K tab on the embedded sample at the default window size (1280×800) and
//! at 900×600, rendered by egui_kittest's wgpu renderer (software rendering works headless), so a
//! regression in axes or layout fails. Update with `UPDATE_SNAPSHOTS=1 cargo test --test gui_snapshots`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use segscope::app::{ScriptedDialogs, SegscopeApp};

mod common;
use common::wait_for_load;

fn rendered(size: egui::Vec2) -> Harness<'static, SegscopeApp> {
    let dialogs = ScriptedDialogs::new();
    let mut h = Harness::builder().with_size(size).wgpu().build_ui_state(
        |ui, app: &mut SegscopeApp| app.ui_frame(ui),
        SegscopeApp::new(Box::new(dialogs), None),
    );
    wait_for_load(&mut h);
    h.query_all_by_label("Choose K")
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap()
        .click();
    h.run();
    wait_for_load(&mut h);
    h
}

#[test]
fn choose_k_at_1280x800() {
    let mut h = rendered(egui::vec2(1280.0, 800.0));
    h.snapshot("choose_k_1280x800");
}

#[test]
fn choose_k_at_900x600() {
    let mut h = rendered(egui::vec2(900.0, 600.0));
    h.snapshot("choose_k_900x600");
}
