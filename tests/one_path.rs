//! One engine path: a saved recipe reproduces its run byte for byte for every method, and the app and the
//! CLI give the same default features, labels and scores (the app driven headless by egui_kittest, the
//! CLI as a real process, both on the same files).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

mod common;

use std::fmt::Write as _;
use std::path::Path;

use assert_cmd::Command;
use common::{harness, wait_for_load};
use egui_kittest::kittest::Queryable;
use segscope::analysis::Recipe;
use segscope::app::{ScriptedDialogs, SegscopeApp};
use serde_json::Value;

fn segscope() -> Command {
    Command::cargo_bin("segscope").unwrap()
}

fn run_ok(args: &[&str]) -> std::process::Output {
    let out = segscope().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The `segment` column of a labelled CSV (last column named `segment`).
fn segments(path: &Path) -> Vec<String> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "segment")
        .unwrap();
    rdr.records()
        .map(|r| r.unwrap().get(col).unwrap().to_owned())
        .collect()
}

#[test]
fn a_saved_recipe_reproduces_the_run_byte_for_byte_for_every_method() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 8] = [
        &[
            "--method", "kmeans", "--k", "4", "--seed", "7", "--n-init", "3",
        ],
        &[
            "--method", "gmm", "--k", "3", "--seed", "5", "--n-init", "2",
        ],
        &[
            "--method",
            "gmm",
            "--k",
            "4",
            "--seed",
            "1",
            "--covariance",
            "diag",
        ],
        &["--method", "ward", "--k", "4", "--seed", "7"],
        &["--method", "average", "--k", "6"],
        &["--method", "complete", "--k", "3"],
        &["--method", "single", "--k", "2"],
        &["--method", "ward", "--height", "40"],
    ];
    for (i, case) in cases.iter().enumerate() {
        let a = dir.path().join(format!("a{i}.csv"));
        let b = dir.path().join(format!("b{i}.csv"));
        let r = dir.path().join(format!("r{i}.json"));
        let mut first = vec![
            "cluster",
            "assets/sample_customers.csv",
            "--log1p",
            "total_spent",
            "--impute",
            "mean,age=knn:3",
            "-o",
            a.to_str().unwrap(),
            "--save-recipe",
            r.to_str().unwrap(),
        ];
        first.extend_from_slice(case);
        run_ok(&first);
        let recipe = Recipe::from_path(&r).unwrap();
        let m = recipe.model.unwrap();
        assert_eq!(m.method.as_str(), case[1], "{case:?}");
        run_ok(&[
            "cluster",
            "assets/sample_customers.csv",
            "--recipe",
            r.to_str().unwrap(),
            "-o",
            b.to_str().unwrap(),
        ]);
        assert!(
            std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
            "{case:?}: the recipe did not reproduce the labelled output"
        );
    }
}

#[test]
fn a_flag_given_with_a_recipe_overrides_it_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("r.json");
    let a = dir.path().join("a.csv");
    run_ok(&[
        "cluster",
        "assets/sample_customers.csv",
        "--method",
        "ward",
        "--k",
        "4",
        "-o",
        a.to_str().unwrap(),
        "--save-recipe",
        r.to_str().unwrap(),
    ]);
    let out = run_ok(&[
        "cluster",
        "assets/sample_customers.csv",
        "--recipe",
        r.to_str().unwrap(),
        "--k",
        "5",
        "-o",
        a.to_str().unwrap(),
        "--json",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--k overrides the recipe (4 → 5)"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["method"].as_str(), v["k"].as_u64()),
        (Some("ward"), Some(5))
    );
}

/// The sample as an R export: an unnamed row-number column first and a `target` column last.
fn r_export(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string("assets/sample_customers.csv").unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            writeln!(out, "\"\",{line},target").unwrap();
        } else {
            writeln!(out, "\"{i}\",{line},{}", i % 3).unwrap();
        }
    }
    let path = dir.join("customers_r.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn app_and_cli_give_the_same_features_labels_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        std::path::PathBuf::from("assets/sample_customers.csv"),
        r_export(dir.path()),
    ];
    for (f, file) in files.iter().enumerate() {
        let dialogs = ScriptedDialogs::new();
        let mut h = harness(SegscopeApp::new(
            Box::new(dialogs.clone()),
            Some(file.clone()),
        ));
        wait_for_load(&mut h);
        let (features, labels, k, silhouette, db, ch) = {
            let e = &h.state().state().explorer;
            let r = e.result().expect("the app fitted the recommended K");
            (
                e.preparation.features.clone(),
                r.seg.labels.clone(),
                r.seg.k,
                r.silhouette_mean,
                r.davies_bouldin,
                r.calinski_harabasz,
            )
        };
        assert!(!features.iter().any(|c| c == "column_1" || c == "target"));
        // The CLI's defaults, with the app's K.
        let out = dir.path().join(format!("cli{f}.csv"));
        let o = run_ok(&[
            "cluster",
            file.to_str().unwrap(),
            "--k",
            &k.to_string(),
            "-o",
            out.to_str().unwrap(),
            "--json",
        ]);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let app_labels: Vec<String> = labels.iter().map(ToString::to_string).collect();
        assert_eq!(segments(&out), app_labels, "{}", file.display());
        let close = |a: Option<f64>, b: &Value| {
            let b = b.as_f64().unwrap();
            (a.unwrap() - b).abs() <= 1e-12 * b.abs().max(1.0)
        };
        assert!(close(silhouette, &v["silhouette"]), "{v}");
        assert!(close(db, &v["davies_bouldin"]), "{v}");
        assert!(close(ch, &v["calinski_harabasz"]), "{v}");
        if f == 1 {
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains("'column_1' looks like an ID"), "{err}");
            assert!(err.contains("'target' looks like a label"), "{err}");
        }
        // The app's exported recipe, run by the CLI, gives the app's labels.
        let recipe = dir.path().join(format!("app{f}.json"));
        dialogs.push_save(Some(recipe.clone()));
        h.get_by_label("Export").click();
        h.run();
        h.get_by_label("Recipe JSON…").click();
        h.step();
        wait_for_load(&mut h);
        let r = Recipe::from_path(&recipe).unwrap();
        assert_eq!(r.preparation.features, features);
        let out2 = dir.path().join(format!("recipe{f}.csv"));
        run_ok(&[
            "cluster",
            file.to_str().unwrap(),
            "--recipe",
            recipe.to_str().unwrap(),
            "-o",
            out2.to_str().unwrap(),
        ]);
        assert_eq!(segments(&out2), app_labels, "{}", file.display());
    }
}
