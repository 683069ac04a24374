//! Issue 11's remaining items, each pinned by a test: the tendency-aware recommendation on one code path
//! (app and CLI), the 40-colour segment palette, the sampled silhouette plot, dialogs that do not block,
//! toasts, the light theme and tab shortcuts, and the defaults of the Data and Prepare panels.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use std::fmt::Write as _;

use assert_cmd::Command;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::SegscopeApp;

mod common;
use common::{wait_for_load, write_csv};

/// Clicks a tab in the top bar (the highest node with that label: plots may repeat the name).
fn open_tab(h: &mut Harness<'static, SegscopeApp>, title: &str) {
    h.query_all_by_label(title)
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap_or_else(|| panic!("no {title} tab"))
        .click();
    h.run();
}

/// Every label text of the UI that contains `part`.
fn labels_containing(h: &Harness<'static, SegscopeApp>, part: &str) -> Vec<String> {
    h.query_all_by_label_contains(part)
        .filter_map(|n| {
            let a = n.accesskit_node();
            a.value().or_else(|| a.label())
        })
        .collect()
}

/// 200 N(0, 1) values (Box-Muller on a xorshift generator), one column.
fn normal_column() -> String {
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text = String::from("value\n");
    for _ in 0..200 {
        let (u1, u2) = (1.0 - uniform(), uniform());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let _ = writeln!(text, "{z}");
    }
    text
}

/// A single 7-level code, 140 rows.
fn seven_levels() -> String {
    let mut text = String::from("level\n");
    for i in 0..140 {
        let _ = writeln!(text, "{}.5", 10 * (i % 7));
    }
    text
}

fn opened(dir: &std::path::Path, text: &str) -> Harness<'static, SegscopeApp> {
    let path = write_csv(dir, "data.csv", text);
    let mut h = common::harness(SegscopeApp::new(
        Box::new(segscope::app::ScriptedDialogs::new()),
        Some(path),
    ));
    wait_for_load(&mut h);
    h
}

fn cli(dir: &std::path::Path, text: &str, json: bool) -> String {
    let path = write_csv(dir, "cli.csv", text);
    let mut cmd = Command::cargo_bin("segscope").unwrap();
    cmd.arg("sweep").arg(&path);
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

// ---- A. item 5: the tendency-aware recommendation on the run API's one path ----

#[test]
fn cli_sweep_reports_the_tendency_and_never_calls_noise_separated() {
    let dir = tempfile::tempdir().unwrap();
    let text = cli(dir.path(), &normal_column(), false);
    assert!(
        text.contains("cluster tendency: no clear cluster structure"),
        "{text}"
    );
    let rec = text
        .lines()
        .find(|l| l.starts_with("recommended:"))
        .unwrap();
    for words in ["separated", "strong structure", "reasonable structure"] {
        assert!(!rec.contains(words), "{rec}");
    }
    assert!(
        rec.contains("but the data show no clear cluster structure"),
        "{rec}"
    );

    let v: serde_json::Value =
        serde_json::from_str(&cli(dir.path(), &normal_column(), true)).unwrap();
    let t = &v["tendency"];
    // A single Gaussian hump: the bimodality coefficient reads one hump (Hopkins alone says "not
    // uniform" for a blob).
    assert!(t["hopkins"].as_f64().is_some(), "{t}");
    assert!(t["bimodality"].as_f64().unwrap() <= 5.0 / 9.0, "{t}");
    assert_eq!(t["distinct_rows"], 200);
    assert_eq!(t["has_structure"], false);
    // The existing keys stay.
    for key in [
        "method",
        "results",
        "recommended_k",
        "reason",
        "knee_k",
        "decisions",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn cli_sweep_names_k_at_or_above_the_distinct_rows() {
    let dir = tempfile::tempdir().unwrap();
    let text = cli(dir.path(), &seven_levels(), false);
    assert!(text.contains("· 7 distinct rows"), "{text}");
    let rec = text
        .lines()
        .find(|l| l.starts_with("recommended:"))
        .unwrap();
    assert!(rec.contains("k = 7..10 left out"), "{rec}");
    assert!(rec.contains("K ≥ 7 puts identical rows"), "{rec}");
    let v: serde_json::Value =
        serde_json::from_str(&cli(dir.path(), &seven_levels(), true)).unwrap();
    assert_eq!(v["tendency"]["distinct_rows"], 7);
    assert!(v["recommended_k"].as_u64().unwrap() < 7, "{v}");
}

#[test]
fn app_fits_the_same_tendency_aware_k_the_cli_recommends() {
    let dir = tempfile::tempdir().unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&cli(dir.path(), &seven_levels(), true)).unwrap();
    let cli_k = v["recommended_k"].as_u64().unwrap() as usize;
    let mut h = opened(dir.path(), &seven_levels());
    open_tab(&mut h, "Choose K");
    let line = labels_containing(&h, "Cluster tendency:");
    assert!(
        line.len() == 1 && line[0].contains("· 7 distinct rows"),
        "{line:?}"
    );
    let reason = labels_containing(&h, "K ≥ 7 puts identical rows");
    assert_eq!(reason.len(), 1, "{reason:?}");
    let rec = labels_containing(&h, "Recommended: K =");
    let k: usize = rec[0]
        .trim_start_matches("Recommended: K = ")
        .parse()
        .unwrap();
    assert_eq!(k, cli_k);
    // The segmentation shown (Profiles, Silhouette, Export) is that K, not the degenerate one.
    assert_eq!(h.state().state().explorer.result().unwrap().seg.k, cli_k);
}

#[test]
fn app_says_noise_has_no_clear_structure() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = opened(dir.path(), &normal_column());
    open_tab(&mut h, "Choose K");
    let line = labels_containing(&h, "Cluster tendency:");
    assert!(
        line.len() == 1 && line[0].contains("no clear cluster structure"),
        "{line:?}"
    );
    let reason = labels_containing(&h, "has the highest silhouette");
    assert_eq!(reason.len(), 1, "{reason:?}");
    assert!(!reason[0].contains("separated"), "{reason:?}");
}

// ---- C. item 16: the sampled silhouette is drawn above the exact limit, and the export says so ----

#[test]
fn above_the_exact_limit_the_silhouette_tab_draws_the_sample() {
    // 31,000 rows (the exact limit is 30,000) in three blobs.
    let mut text = String::from("x,y\n");
    for i in 0..31_000_u32 {
        let c = f64::from(i % 3) * 6.0;
        let jitter = f64::from((i * 7919) % 1000) / 1000.0;
        let _ = writeln!(text, "{},{}", c + jitter, c - jitter * 0.5);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut h = opened(dir.path(), &text);
    let result = h.state().state().explorer.result().unwrap().clone();
    assert!(
        result.silhouette.is_none(),
        "above the limit: no exact per-row silhouettes"
    );
    let sample = result.silhouette_sample.as_ref().expect("the sampled rows");
    assert_eq!(sample.rows.len(), sample.values.len());
    assert_eq!(
        sample.rows.len(),
        result.silhouette_sampled.unwrap().sample_size
    );
    assert!(sample.rows.iter().all(|&r| r < 31_000));
    assert!(sample.values.iter().all(|v| (-1.0..=1.0).contains(v)));

    open_tab(&mut h, "Silhouette");
    let label = labels_containing(&h, "sample of ");
    assert!(
        label.iter().any(|l| l.contains(&format!(
            "sample of {} rows (of 31,000)",
            segscope::app::format::fmt_count(sample.rows.len())
        ))),
        "{label:?}"
    );

    let note = segscope::app::export_silhouette_note(&result, 30_000).unwrap();
    assert!(
        note.starts_with("silhouette column empty: 31,000 rows > the exact limit of 30,000"),
        "{note}"
    );
}

#[test]
fn the_export_note_is_empty_when_every_row_has_its_silhouette() {
    let (h, _) = common::started();
    let result = h.state().state().explorer.result().unwrap().clone();
    assert!(result.silhouette.is_some());
    assert_eq!(segscope::app::export_silhouette_note(&result, 30_000), None);
}

// ---- D. item 13: a native dialog does not block the UI thread ----

/// Dialogs that block like native ones until the test answers, recording the thread that asked.
struct BlockingDialogs {
    answers: std::sync::Mutex<std::sync::mpsc::Receiver<Option<std::path::PathBuf>>>,
    asked_on: std::sync::Arc<std::sync::Mutex<Option<std::thread::ThreadId>>>,
}

impl segscope::app::FileDialogs for BlockingDialogs {
    fn pick_csv(&mut self) -> Option<std::path::PathBuf> {
        *self.asked_on.lock().unwrap() = Some(std::thread::current().id());
        let rx = self.answers.lock().unwrap();
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .ok()
            .flatten()
    }
    fn save_csv(&mut self, _: &str) -> Option<std::path::PathBuf> {
        None
    }
    fn pick_json(&mut self) -> Option<std::path::PathBuf> {
        None
    }
    fn save_json(&mut self, _: &str) -> Option<std::path::PathBuf> {
        None
    }
}

#[test]
fn the_ui_keeps_drawing_while_a_native_dialog_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "picked.csv", &seven_levels());
    let (tx, rx) = std::sync::mpsc::channel();
    let asked_on = std::sync::Arc::new(std::sync::Mutex::new(None));
    let dialogs = BlockingDialogs {
        answers: std::sync::Mutex::new(rx),
        asked_on: std::sync::Arc::clone(&asked_on),
    };
    let mut h = common::harness(SegscopeApp::new(Box::new(dialogs), None));
    wait_for_load(&mut h);
    let started = std::time::Instant::now();
    h.state_mut()
        .push_command(segscope::app::state::Command::OpenDialog);
    // Frames keep coming while the dialog waits for its answer.
    for _ in 0..20 {
        h.step();
    }
    while asked_on.lock().unwrap().is_none()
        && started.elapsed() < std::time::Duration::from_secs(5)
    {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the frames waited for the dialog"
    );
    assert!(h.state().is_dialog_open());
    let asker = asked_on.lock().unwrap().expect("the dialog was shown");
    assert_ne!(asker, std::thread::current().id(), "asked on the UI thread");
    tx.send(Some(path)).unwrap();
    wait_for_load(&mut h);
    assert!(!h.state().is_dialog_open());
    assert!(
        h.state()
            .table()
            .unwrap()
            .source_name
            .contains("picked.csv"),
        "{}",
        h.state().table().unwrap().source_name
    );
}

// ---- F. item 20: tab shortcuts, undo keys, the light theme, all listed in Help ----

#[test]
fn ctrl_digits_show_the_tabs_and_help_lists_every_shortcut() {
    let (mut h, _) = common::started();
    for (i, tab) in segscope::app::state::Tab::ALL.into_iter().enumerate().rev() {
        let key = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
            egui::Key::Num6,
            egui::Key::Num7,
            egui::Key::Num8,
        ][i];
        h.key_press_modifiers(egui::Modifiers::COMMAND, key);
        // Steps, not run(): the Map tab starts its t-SNE job, whose spinner repaints.
        h.run_steps(3);
        assert_eq!(h.state().state().settings.tab, tab, "Ctrl+{}", i + 1);
    }
    h.get_by_label("Help").click();
    h.run_steps(3);
    for what in [
        "Show the tabs Data … Export",
        "Zoom in / out / reset",
        "Undo the last recipe or model change",
        "Redo",
        "Open a CSV file",
    ] {
        assert!(
            h.query_by_label(what).is_some(),
            "Help does not list {what:?}"
        );
    }
}

#[test]
fn the_light_theme_switch_is_applied_and_remembered() {
    let (mut h, _) = common::started();
    assert!(!h.state().state().settings.light_theme);
    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("Light theme").click();
    h.run();
    assert!(
        h.state().state().settings.light_theme,
        "remembered in the settings"
    );
    assert_eq!(
        h.ctx.theme(),
        egui::Theme::Light,
        "the light visuals are used"
    );
}

/// The Cars93-like fixture (an R export: unnamed row numbers first) with one column renamed to a long name.
fn cars93_with_a_long_name() -> (String, String) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cars93_like.csv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let long = "Fuel.tank.capacity.in.US.gallons.measured.at.the.factory.2024".to_owned();
    (
        text.replacen("\"Fuel.tank.capacity\"", &format!("\"{long}\""), 1),
        long,
    )
}

#[test]
fn the_prepare_list_keeps_its_width_and_uses_the_height() {
    let dir = tempfile::tempdir().unwrap();
    let (text, long) = cars93_with_a_long_name();
    let mut h = opened(dir.path(), &text);
    for _ in 0..30 {
        h.step();
    }
    // The row numbers R writes are not a feature; the text column cannot be one.
    let toggled = |h: &Harness<'static, SegscopeApp>, name: &str| {
        h.get_by_label(&format!("Use {name} as a feature"))
            .accesskit_node()
            .toggled()
    };
    assert_eq!(
        toggled(&h, "column_1"),
        Some(egui::accesskit::Toggled::False)
    );
    assert_eq!(toggled(&h, "Price"), Some(egui::accesskit::Toggled::True));
    // The long name is cut to the panel: its row ends inside the panel, and the main area starts where
    // the panel's default width ends (340 px), frame after frame.
    let long_row = h.get_by_label(&format!("Use {long} as a feature")).rect();
    let main_left = h.get_by_label("Columns").rect().left();
    assert!(main_left < 360.0, "main area starts at {main_left}");
    assert!(long_row.right() < main_left, "{long_row:?} vs {main_left}");
    let full = h.get_by_label(&long).rect(); // the Data tab's table shows the whole name
    assert!(
        long_row.width() < full.width(),
        "the long name is shown cut: {long_row:?} vs {full:?}"
    );
    // At 1280 x 800 the list shows at least 16 columns before it scrolls.
    let below = h
        .get_by_label_contains("on a feature: its missing values")
        .rect()
        .top();
    let shown = [
        "column_1",
        "Manufacturer",
        "Model",
        "Type",
        "Min.Price",
        "Price",
        "Max.Price",
        "MPG.city",
        "MPG.highway",
        "AirBags",
        "DriveTrain",
        "Cylinders",
        "EngineSize",
        "Horsepower",
        "RPM",
        "Rev.per.mile",
    ];
    for name in shown {
        let r = h.get_by_label(&format!("Use {name} as a feature")).rect();
        assert!(
            r.bottom() <= below,
            "{name} at {r:?} is below the list ({below})"
        );
    }
}
