//! Helpers shared by the GUI test files: the real app driven headless by egui_kittest (no window, no GPU)
//! with scripted file dialogs. Jobs run on worker threads, so tests step the harness until the app is idle,
//! with a deadline instead of fixed sleeps.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test file uses a subset

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use segscope::app::{ScriptedDialogs, SegscopeApp};

pub const DEADLINE: Duration = Duration::from_mins(5);

pub fn harness(app: SegscopeApp) -> Harness<'static, SegscopeApp> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut SegscopeApp| app.ui_frame(ui), app)
}

/// An app on the embedded sample, fully loaded, plus the handle that scripts its dialogs.
pub fn started() -> (Harness<'static, SegscopeApp>, ScriptedDialogs) {
    let dialogs = ScriptedDialogs::new();
    let mut h = harness(SegscopeApp::new(Box::new(dialogs.clone()), None));
    wait_for_load(&mut h);
    (h, dialogs)
}

/// Steps until no load or analysis job runs (bounded by [`DEADLINE`]), then lets the UI settle.
pub fn wait_for_load(h: &mut Harness<'_, SegscopeApp>) {
    let start = Instant::now();
    loop {
        h.step();
        if !h.state().is_busy() {
            break;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "the load and analysis did not finish in time"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    // A few frames for the result to be drawn (grids size themselves on their first frame).
    h.run();
}

pub fn write_csv(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
