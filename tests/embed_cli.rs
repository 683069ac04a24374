//! `segscope embed` run as a user would (assert_cmd): the `x,y` shape, one row per kept input row in input
//! order, the same map for the same seed, outputs that would overwrite an input refused, and the sample
//! prepared by default exactly as scripts/make_tsne_fixtures.py prepared it for the fidelity bar.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ndarray::Array2;
use segscope::metrics::trustworthiness;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn segscope(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("segscope")
        .expect("the segscope binary")
        .current_dir(root())
        .args(args)
        .output()
        .expect("run segscope")
}

fn ok(args: &[&str]) -> String {
    let out = segscope(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A CSV of numbers with a header, as (header, matrix).
fn read(path: &Path) -> (Vec<String>, Array2<f64>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let values: Vec<f64> = lines
        .flat_map(|l| l.split(',').map(|c| c.parse::<f64>().unwrap()))
        .collect();
    let d = header.len();
    (
        header,
        Array2::from_shape_vec((values.len() / d, d), values).unwrap(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn tsne_map_has_one_row_per_kept_row_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let xy = dir.path().join("xy.csv");
    let prepared = dir.path().join("prepared.csv");
    let iris = "tests/fixtures/iris_named.csv";
    ok(&["embed", iris, "-q", "-o", s(&xy)]);
    ok(&["prepare", iris, "-q", "-o", s(&prepared)]);
    let (header, map) = read(&xy);
    let (_, x) = read(&prepared);
    assert_eq!(header, ["x", "y"]);
    assert_eq!(map.dim(), (150, 2));
    assert!(map.iter().all(|v| v.is_finite()));
    // In input order: the map keeps the prepared rows' neighbourhoods (a shuffled map scores ~0.5).
    let t = trustworthiness(x.view(), map.view(), 10).unwrap();
    assert!(t > 0.97, "trustworthiness {t}");
    // Rows dropped by the preparation are not mapped.
    let messy = "tests/fixtures/prep_iris_missing.csv";
    let dropped = dir.path().join("dropped.csv");
    let dropped_prepared = dir.path().join("dropped_prepared.csv");
    ok(&["embed", messy, "-q", "--impute", "drop", "-o", s(&dropped)]);
    ok(&[
        "prepare",
        messy,
        "-q",
        "--impute",
        "drop",
        "-o",
        s(&dropped_prepared),
    ]);
    let (_, m) = read(&dropped);
    let (_, p) = read(&dropped_prepared);
    assert_eq!(m.nrows(), p.nrows());
    let input_rows = std::fs::read_to_string(root().join(messy))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(m.nrows() < input_rows, "{} of {input_rows}", m.nrows());
}

#[test]
fn pca_map_equals_the_pca_scores() {
    let dir = tempfile::tempdir().unwrap();
    let xy = dir.path().join("xy.csv");
    let scores = dir.path().join("scores.csv");
    let iris = "tests/fixtures/iris_named.csv";
    ok(&["embed", iris, "-q", "--method", "pca", "-o", s(&xy)]);
    ok(&["pca", iris, "-q", "-o", s(&scores)]);
    let (h, a) = read(&xy);
    let (_, b) = read(&scores);
    assert_eq!(h, ["x", "y"]);
    assert_eq!(a, b);
}

#[test]
fn same_seed_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let [a, b, c] = ["a.csv", "b.csv", "c.csv"].map(|f| dir.path().join(f));
    let wine_like = "tests/fixtures/USArrests.csv";
    let args = |out: &Path, seed: &str| {
        ok(&[
            "embed",
            wine_like,
            "-q",
            "--perplexity",
            "10",
            "--iterations",
            "400",
            "--seed",
            seed,
            "-o",
            s(out),
        ]);
        std::fs::read(out).unwrap()
    };
    let first = args(&a, "3");
    assert_eq!(first, args(&b, "3"));
    // The seed only matters for a random start; with the PCA start the map is the same for any seed.
    assert_eq!(first, args(&c, "4"));
}

#[test]
fn refuses_to_overwrite_the_input_and_bad_settings() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::copy(root().join("tests/fixtures/iris_named.csv"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let out = segscope(&["embed", s(&input), "-o", s(&input)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write the map"), "{err}");
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // Perplexity too large for 150 rows: a clear error, no file.
    let xy = dir.path().join("xy.csv");
    let out = segscope(&["embed", s(&input), "--perplexity", "60", "-o", s(&xy)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("lower the perplexity"), "{err}");
    assert!(!xy.exists());
    let out = segscope(&["embed", s(&input), "--iterations", "10", "-o", s(&xy)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!xy.exists());
}

#[test]
fn sample_is_prepared_as_the_fidelity_fixture_says() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = dir.path().join("prepared.csv");
    ok(&[
        "prepare",
        "assets/sample_customers.csv",
        "-q",
        "-o",
        s(&prepared),
    ]);
    let (header, x) = read(&prepared);
    let text = std::fs::read_to_string(root().join("tests/fixtures/tsne_expected.json")).unwrap();
    let f: serde_json::Value = serde_json::from_str(&text).unwrap();
    let columns: Vec<String> = serde_json::from_value(f["sample_columns"].clone()).unwrap();
    assert_eq!(header, columns);
    let want: Vec<Vec<f64>> = serde_json::from_value(f["datasets"]["sample"]["x"].clone()).unwrap();
    assert_eq!(x.nrows(), want.len());
    for (row, w) in x.rows().into_iter().zip(&want) {
        for (a, b) in row.iter().zip(w) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }
}
