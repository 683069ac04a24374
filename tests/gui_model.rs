//! GUI tests of the model side of the Export tab: "Save model…" writes the model `segscope apply` reads,
//! "Apply model to a file…" scores on a worker with Cancel and shows the drift report.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use std::io::Write;
use std::path::{Path, PathBuf};

use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::explore::ApplyOutcome;
use segscope::jobs::Progress;
use segscope::model::SegmentModel;
use segscope::model::apply::apply;

mod common;
use common::{started, wait_for_load};

fn sample_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample_customers.csv")
}

/// The `segment` cells of a scored CSV (the column named `segment`).
fn segments_of(text: &str) -> Vec<usize> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|c| *c == "segment").unwrap();
    lines
        .map(|l| l.split(',').nth(at).unwrap().parse().unwrap())
        .collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The sample with one column multiplied by `factor` (the drift tests' shifted copy).
fn shifted_sample(dir: &Path, column: &str, factor: f64) -> PathBuf {
    let text = std::fs::read_to_string(sample_path()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let at = header.split(',').position(|c| c == column).unwrap();
    let path = dir.join("shifted.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(w, "{header}").unwrap();
    for line in lines {
        let cells: Vec<String> = line
            .split(',')
            .enumerate()
            .map(|(i, c)| match (i == at, c.parse::<f64>()) {
                (true, Ok(x)) => format!("{}", x * factor),
                _ => c.to_owned(),
            })
            .collect();
        writeln!(w, "{}", cells.join(",")).unwrap();
    }
    w.flush().unwrap();
    path
}

#[test]
fn saved_model_scores_the_sample_like_the_fit_in_the_app_and_in_apply() {
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("m.json");
    let (mut h, dialogs) = started();
    h.get_by_label("Export").click();
    h.run();
    dialogs.push_save(Some(model_path.clone()));
    h.get_by_label("Save model…").click();
    h.step();
    wait_for_load(&mut h);
    assert_eq!(
        dialogs.save_requests(),
        ["sample_customers_model.json"],
        "the suggested name"
    );
    let labels = h
        .state()
        .state()
        .explorer
        .result()
        .unwrap()
        .seg
        .labels
        .clone();
    assert_eq!(labels.len(), 3000);

    // The file loads as `segscope apply` loads it and scores the sample exactly as the fit labelled it.
    let model = SegmentModel::from_path(&model_path).unwrap();
    let mut scored = Vec::new();
    let f = std::fs::File::open(sample_path()).unwrap();
    let summary = apply(
        &model,
        std::io::BufReader::new(f),
        "sample",
        &mut scored,
        false,
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(summary.n_rows, 3000);
    assert_eq!(segments_of(&String::from_utf8(scored).unwrap()), labels);

    // The app's "Apply model to a file…" does the same, and the drift panel says "stable".
    let out = dir.path().join("scored.csv");
    dialogs.push_pick(Some(model_path));
    dialogs.push_pick(Some(sample_path()));
    dialogs.push_save(Some(out.clone()));
    h.get_by_label("Apply model to a file…").click();
    h.step();
    wait_for_load(&mut h);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(segments_of(&text), labels);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(",segment,segment_name,distance_to_centre"),
        "{}",
        text.lines().next().unwrap()
    );
    h.get_by_label("Drift: stable");
    h.get_by_label_contains("Scored 3,000 rows of sample_customers.csv with m.json");
    h.get_by_label_contains("avg_order_value: PSI");
    assert_eq!(
        files_in(dir.path()),
        ["m.json", "scored.csv"],
        "no temp file"
    );
}

#[test]
fn a_shifted_copy_shows_retrain_naming_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("m.json");
    let (mut h, dialogs) = started();
    h.get_by_label("Export").click();
    h.run();
    dialogs.push_save(Some(model_path.clone()));
    h.get_by_label("Save model…").click();
    h.step();
    wait_for_load(&mut h);
    let shifted = shifted_sample(dir.path(), "avg_order_value", 1.5);
    let out = dir.path().join("scored.csv");
    dialogs.push_pick(Some(model_path));
    dialogs.push_pick(Some(shifted));
    dialogs.push_save(Some(out.clone()));
    h.get_by_label("Apply model to a file…").click();
    h.step();
    wait_for_load(&mut h);
    assert!(out.exists());
    h.get_by_label("Drift: retrain");
    let words = h.get_by_label_contains("Retrain: the customers have drifted");
    let words = words.accesskit_node();
    let words = words.label().or_else(|| words.value()).unwrap_or_default();
    assert!(words.contains("avg_order_value"), "{words}");
    let bar = h.get_by_label_contains("avg_order_value: PSI");
    let bar = bar.accesskit_node();
    let bar = bar.label().or_else(|| bar.value()).unwrap_or_default();
    assert!(
        bar.ends_with("retrain"),
        "the shifted feature's bar says retrain: {bar}"
    );
    // An untouched feature stays stable.
    let age = h.get_by_label_contains("age: PSI");
    let age = age.accesskit_node();
    let age = age.label().or_else(|| age.value()).unwrap_or_default();
    assert!(age.ends_with("stable"), "{age}");
}

#[test]
fn cancel_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("m.json");
    let (mut h, dialogs) = started();
    h.get_by_label("Export").click();
    h.run();
    dialogs.push_save(Some(model_path.clone()));
    h.get_by_label("Save model…").click();
    h.step();
    wait_for_load(&mut h);
    // A large input, so the apply is still running when Cancel is clicked.
    let big = dir.path().join("big.csv");
    {
        let text = std::fs::read_to_string(sample_path()).unwrap();
        let (header, body) = text.split_once('\n').unwrap();
        let mut w = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        writeln!(w, "{header}").unwrap();
        for _ in 0..400 {
            w.write_all(body.as_bytes()).unwrap();
        }
        w.flush().unwrap();
    }
    let out = dir.path().join("scored.csv");
    dialogs.push_pick(Some(model_path));
    dialogs.push_pick(Some(big));
    dialogs.push_save(Some(out.clone()));
    h.get_by_label("Apply model to a file…").click();
    h.step();
    h.step();
    assert!(
        h.state().state().explorer.apply.is_running(),
        "the apply finished too quickly"
    );
    h.get_by_label_contains("Scoring big.csv with m.json");
    h.get_all_by_label("Cancel").next().unwrap().click();
    h.step();
    wait_for_load(&mut h);
    assert!(matches!(
        h.state().state().explorer.apply.outcome(),
        Some(ApplyOutcome::Cancelled { .. })
    ));
    h.get_by_label_contains("was cancelled; nothing was written");
    assert!(!out.exists());
    // Cancel answers at once; the worker removes its temp file when it notices (bounded wait).
    let start = std::time::Instant::now();
    while files_in(dir.path()).len() > 2 && start.elapsed() < common::DEADLINE {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(files_in(dir.path()), ["big.csv", "m.json"], "no temp file");
}

#[test]
fn a_bad_model_file_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("broken.json");
    std::fs::write(
        &model_path,
        "{\"format\": \"segscope-model\", \"version\": 1, \"n_rows\"",
    )
    .unwrap();
    let (mut h, dialogs) = started();
    h.get_by_label("Export").click();
    h.run();
    let out = dir.path().join("scored.csv");
    dialogs.push_pick(Some(model_path.clone()));
    dialogs.push_pick(Some(sample_path()));
    dialogs.push_save(Some(out.clone()));
    h.get_by_label("Apply model to a file…").click();
    h.step();
    wait_for_load(&mut h);
    let Some(ApplyOutcome::Failed { message, .. }) = h.state().state().explorer.apply.outcome()
    else {
        panic!("the apply did not fail");
    };
    assert!(message.contains("broken.json"), "{message}");
    assert!(message.contains("truncated"), "{message}");
    let banner = h.state().banner().unwrap();
    assert!(banner.starts_with("Applying the model failed"), "{banner}");
    h.get_by_label("Nothing was written.");
    assert!(!out.exists());
    assert_eq!(files_in(dir.path()), ["broken.json"], "no temp file");

    // An output that is an input is refused before any work, like the CLI.
    dialogs.push_pick(Some(model_path.clone()));
    dialogs.push_pick(Some(model_path.clone()));
    dialogs.push_save(Some(model_path.clone()));
    h.get_by_label("Apply model to a file…").click();
    h.step();
    wait_for_load(&mut h);
    let Some(ApplyOutcome::Failed { message, .. }) = h.state().state().explorer.apply.outcome()
    else {
        panic!("the apply did not fail");
    };
    assert!(message.contains("same file as the input"), "{message}");
}
