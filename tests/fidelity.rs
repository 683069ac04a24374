//! Column summaries checked against pandas (`tests/fixtures/pandas_summary.json`, made by
//! `scripts/make_fixtures.py`). pandas is the reference for the conventions: missing tokens, `None` in
//! numeric columns, invalid cells, ddof = 1, median of the two middle values, smallest mode.

// Helpers outside #[test] functions may panic with a message too: a failed expectation is a test failure.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use segscope::data::{Column, ColumnKind, ColumnSummary, LoadOptions, Table, load_path, summarize};
use segscope::jobs::Progress;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reference() -> Value {
    let path = root().join("tests/fixtures/pandas_summary.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()))
}

fn load(rel: &str) -> Table {
    let path = root().join(rel);
    load_path(&path, &LoadOptions::default(), &Progress::new())
        .unwrap_or_else(|e| panic!("loading {rel}: {e}"))
}

fn files(reference: &Value) -> &Vec<Value> {
    reference["files"].as_array().expect("files is an array")
}

fn as_usize(v: &Value, what: &str) -> usize {
    v.as_u64()
        .unwrap_or_else(|| panic!("{what}: expected an integer, got {v}")) as usize
}

fn as_f64(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, got {v}"))
}

/// `a` and `b` agree to 1e-12 relative (absolute near zero).
fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300)
}

fn check_stat(
    errors: &mut Vec<String>,
    place: &str,
    stat: &str,
    ours: Option<f64>,
    theirs: &Value,
) {
    let theirs = as_f64(theirs, &format!("{place} {stat}"));
    match ours {
        Some(v) if close(v, theirs) => {}
        other => errors.push(format!(
            "{place}: {stat} is {other:?}, pandas says {theirs}"
        )),
    }
}

/// Compares one of our summaries with pandas' column record; disagreements go to `errors`.
fn compare_column(errors: &mut Vec<String>, place: &str, s: &ColumnSummary, p: &Value) {
    let numeric = p["kind"] == "numeric";
    if (s.kind == ColumnKind::Numeric) != numeric {
        errors.push(format!(
            "{place}: kind is {}, pandas says {}",
            s.kind, p["kind"]
        ));
        return;
    }
    let missing_key = if numeric { "missing_total" } else { "missing" };
    let want_missing = as_usize(&p[missing_key], place);
    if s.missing != want_missing {
        errors.push(format!(
            "{place}: missing is {}, pandas {missing_key} is {want_missing}",
            s.missing
        ));
    }
    let want_invalid = if numeric {
        as_usize(&p["invalid"], place)
    } else {
        0
    };
    if s.invalid != want_invalid {
        errors.push(format!(
            "{place}: invalid is {}, pandas says {want_invalid}",
            s.invalid
        ));
    }
    let nunique = as_usize(&p["nunique"], place);
    if s.distinct != nunique {
        errors.push(format!(
            "{place}: distinct is {}, pandas nunique is {nunique}",
            s.distinct
        ));
    }
    let mode_count = as_usize(&p["mode_count"], place);
    if s.mode_count != mode_count {
        errors.push(format!(
            "{place}: mode_count is {}, pandas says {mode_count}",
            s.mode_count
        ));
    }
    if numeric {
        for stat in ["mean", "median", "std", "min", "max"] {
            let ours = match stat {
                "mean" => s.mean,
                "median" => s.median,
                "std" => s.std,
                "min" => s.min,
                _ => s.max,
            };
            check_stat(errors, place, stat, ours, &p[stat]);
        }
        let ours = s.mode.as_deref().and_then(|m| m.parse::<f64>().ok());
        check_stat(errors, place, "mode", ours, &p["mode"]);
    } else {
        let want = p["mode"].as_str().unwrap_or_default();
        if s.mode.as_deref() != Some(want) {
            errors.push(format!(
                "{place}: mode is {:?}, pandas says {want:?}",
                s.mode
            ));
        }
    }
}

#[test]
fn every_column_of_every_fixture_matches_pandas() {
    let reference = reference();
    let mut errors = Vec::new();
    let mut n_columns = 0;
    for f in files(&reference) {
        let rel = f["path"].as_str().expect("path is a string");
        let table = load(rel);
        let want_rows = as_usize(&f["n_rows"], rel);
        let cols = f["columns"].as_array().expect("columns is an array");
        assert_eq!(table.n_rows(), want_rows, "{rel}: rows");
        assert_eq!(table.n_cols(), cols.len(), "{rel}: columns");
        assert!(table.has_header, "{rel}: the header row was not detected");
        for p in cols {
            let pos = as_usize(&p["position"], rel);
            let col = &table.columns[pos];
            let place = format!(
                "{rel} column {pos} ('{}' / pandas '{}')",
                col.name, p["name"]
            );
            let pname = p["name"].as_str().unwrap_or_default();
            if pname.starts_with("Unnamed: ") {
                assert_eq!(col.name, format!("column_{}", pos + 1), "{place}");
            } else {
                assert_eq!(col.name, pname, "{place}");
            }
            let s = summarize(col);
            assert_eq!(s.count + s.missing, want_rows, "{place}: count + missing");
            compare_column(&mut errors, &place, &s, p);
            n_columns += 1;
        }
    }
    assert!(n_columns >= 30, "only {n_columns} columns compared");
    assert!(
        errors.is_empty(),
        "{} disagreement(s) with pandas:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn the_reference_covers_the_expected_files() {
    let reference = reference();
    let paths: Vec<&str> = files(&reference)
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    for rel in [
        "tests/fixtures/iris_named.csv",
        "tests/fixtures/USArrests.csv",
        "tests/fixtures/tips.csv",
        "assets/sample_customers.csv",
        "tests/fixtures/messy.csv",
    ] {
        assert!(paths.contains(&rel), "{rel} missing from the reference");
        assert!(Path::new(&root().join(rel)).is_file(), "{rel} missing");
    }
}

#[test]
fn usarrests_state_names_are_text() {
    let t = load("tests/fixtures/USArrests.csv");
    let c = &t.columns[0];
    assert_eq!(c.name, "column_1");
    assert_eq!(c.kind(), ColumnKind::Text);
    assert_eq!(c.data.display(0), "Alabama");
    assert!(
        t.warnings.iter().any(|w| w.contains("column_1")),
        "{:?}",
        t.warnings
    );
    for name in ["Murder", "Assault", "UrbanPop", "Rape"] {
        assert_eq!(
            t.column(name).map(Column::kind),
            Some(ColumnKind::Numeric),
            "{name}"
        );
    }
}

#[test]
fn tips_kinds() {
    let t = load("tests/fixtures/tips.csv");
    for name in ["sex", "smoker", "day", "time"] {
        assert_eq!(
            t.column(name).map(Column::kind),
            Some(ColumnKind::Categorical),
            "{name}"
        );
    }
    for name in ["total_bill", "tip", "size"] {
        assert_eq!(
            t.column(name).map(Column::kind),
            Some(ColumnKind::Numeric),
            "{name}"
        );
    }
}

#[test]
fn messy_conventions() {
    let t = load("tests/fixtures/messy.csv");
    // `None` is a level of the categorical `segment`, but missing in the numeric `score`.
    let seg = summarize(t.column("segment").expect("segment"));
    assert_eq!(seg.kind, ColumnKind::Categorical);
    match &t.column("segment").expect("segment").data {
        segscope::data::ColumnData::Categorical { levels, .. } => {
            assert!(levels.iter().any(|l| l == "None"), "{levels:?}");
        }
        other => panic!("segment: {other:?}"),
    }
    let visits = t.column("visits").expect("visits");
    assert_eq!(visits.kind(), ColumnKind::Numeric);
    assert_eq!(visits.invalid, 6);
    assert!(
        t.warnings
            .iter()
            .any(|w| w.contains("'visits'") && w.contains("not numbers")),
        "{:?}",
        t.warnings
    );
    assert_eq!(t.column("row_id").map(Column::kind), Some(ColumnKind::Text));
}
