//! `segscope score FILE --labels a --compare b` (issue 13 §5), run as a user would: the adjusted Rand index
//! equals scikit-learn's `adjusted_rand_score` of the two columns, and the crosstab counts the rows.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Two labellings of 12 rows: `a` has 3 segments; `b` merges a's "x" and "y" and splits "z".
fn csv(dir: &std::path::Path) -> PathBuf {
    let a = ["x", "x", "x", "x", "y", "y", "y", "y", "z", "z", "z", "z"];
    let b = ["p", "p", "p", "p", "p", "p", "p", "p", "q", "q", "r", "r"];
    let mut text = String::from("v,w,a,b\n");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let _ = writeln!(text, "{i},{},{x},{y}", (i * 7) % 5);
    }
    let path = dir.join("two_labels.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn score_compare_prints_ari_and_the_crosstab() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(dir.path());
    let out = Command::cargo_bin("segscope")
        .unwrap()
        .current_dir(root())
        .args([
            "-q",
            "score",
            path.to_str().unwrap(),
            "--labels",
            "a",
            "--compare",
            "b",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["compare"];
    // sklearn.metrics.adjusted_rand_score(a, b) = 0.367816091954023
    let ari = c["ari"].as_f64().unwrap();
    assert!((ari - 0.367_816_091_954_023).abs() < 1e-9, "{ari}");
    assert_eq!(c["rows"], serde_json::json!(["x", "y", "z"]));
    assert_eq!(c["columns"], serde_json::json!(["p", "q", "r"]));
    assert_eq!(
        c["crosstab"],
        serde_json::json!([[4, 0, 0], [4, 0, 0], [0, 2, 2]])
    );
    assert_eq!(c["merges"][0]["from"], serde_json::json!(["x", "y"]));
    assert_eq!(c["merges"][0]["into"], "p");
    assert_eq!(c["splits"][0]["from"], "z");
    assert_eq!(c["splits"][0]["into"], serde_json::json!(["q", "r"]));
    // The silhouette and friends are still there (additions only).
    assert!(v["silhouette"].is_number());

    let text = Command::cargo_bin("segscope")
        .unwrap()
        .args([
            "-q",
            "score",
            path.to_str().unwrap(),
            "--labels",
            "a",
            "--compare",
            "b",
        ])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&text.stdout);
    assert!(s.contains("adjusted Rand index 0.3678"), "{s}");
    assert!(s.contains("merged: 'a' x + y → 'b' p"), "{s}");
    assert!(s.contains("4 (100%)"), "{s}");
    assert!(s.contains("split: 'a' z → 'b' q + r"), "{s}");

    let bad = Command::cargo_bin("segscope")
        .unwrap()
        .args([
            "-q",
            "score",
            path.to_str().unwrap(),
            "--labels",
            "a",
            "--compare",
            "nope",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nope"));
}
