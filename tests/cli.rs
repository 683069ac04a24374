//! The `segscope inspect` command line, run as a user would (assert_cmd), cross-checked against pandas
//! (`tests/fixtures/pandas_summary.json`).

// Helpers outside #[test] functions may panic with a message too: a failed expectation is a test failure.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn segscope() -> Command {
    let mut cmd = Command::cargo_bin("segscope").expect("the segscope binary");
    cmd.current_dir(root());
    cmd
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    let mut cmd = segscope();
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().expect("run segscope");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn inspect_json(args: &[&str], stdin: Option<Vec<u8>>) -> Value {
    let r = run(args, stdin);
    assert_eq!(r.code, Some(0), "{args:?} failed: {}", r.stderr);
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: output is not JSON ({e}):\n{}", r.stdout))
}

fn column<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["columns"]
        .as_array()
        .expect("columns is an array")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name} in {v}"))
}

fn pandas_file(rel: &str) -> Value {
    let text = std::fs::read_to_string(root().join("tests/fixtures/pandas_summary.json"))
        .expect("pandas_summary.json");
    let v: Value = serde_json::from_str(&text).expect("pandas_summary.json is JSON");
    v["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == rel)
        .cloned()
        .unwrap_or_else(|| panic!("{rel} not in pandas_summary.json"))
}

fn pandas_column<'a>(file: &'a Value, name: &str) -> &'a Value {
    file["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("pandas has no column {name}"))
}

fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300),
        _ => false,
    }
}

const SAMPLE: &str = "assets/sample_customers.csv";
const SAMPLE_COLUMNS: [&str; 10] = [
    "customer_id",
    "age",
    "region",
    "channel",
    "tenure_months",
    "orders_12m",
    "avg_order_value",
    "days_since_last_order",
    "total_spent",
    "email_open_rate",
];

#[test]
fn inspect_prints_a_readable_table() {
    let r = run(&["inspect", SAMPLE], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("3000 rows"), "{}", r.stdout);
    let first = r.stdout.lines().next().unwrap_or_default();
    assert!(
        first.contains(SAMPLE) && first.contains("10 columns"),
        "{first}"
    );
    for h in [
        "column", "kind", "missing", "distinct", "min", "mean", "median", "max", "mode",
    ] {
        assert!(r.stdout.contains(h), "header {h} missing:\n{}", r.stdout);
    }
    for name in SAMPLE_COLUMNS {
        let line = r
            .stdout
            .lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("no row for {name}:\n{}", r.stdout));
        let kind = if matches!(name, "customer_id") {
            "text"
        } else if matches!(name, "region" | "channel") {
            "categorical"
        } else {
            "numeric"
        };
        assert!(line.contains(kind), "{name} should be {kind}: {line}");
    }
    let age = r
        .stdout
        .lines()
        .find(|l| l.starts_with("age "))
        .unwrap_or_default();
    assert!(age.contains(" 88 ") && age.contains(" 67 "), "{age}");
}

#[test]
fn inspect_json_has_the_documented_shape_and_pandas_values() {
    let v = inspect_json(&["inspect", SAMPLE, "--json"], None);
    assert_eq!(v["n_rows"], 3000);
    let cols = v["columns"].as_array().expect("columns");
    let names: Vec<&str> = cols.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, SAMPLE_COLUMNS);
    for c in cols {
        for key in [
            "name", "kind", "missing", "distinct", "min", "max", "mean", "median", "mode",
        ] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
    let pandas = pandas_file(SAMPLE);
    assert_eq!(pandas["n_rows"], v["n_rows"]);
    for name in ["age", "avg_order_value", "total_spent", "email_open_rate"] {
        let (ours, theirs) = (column(&v, name), pandas_column(&pandas, name));
        assert_eq!(ours["kind"], "numeric", "{name}");
        assert_eq!(ours["missing"], theirs["missing_total"], "{name}");
        assert_eq!(ours["distinct"], theirs["nunique"], "{name}");
        for stat in ["min", "max", "mean", "median"] {
            assert!(
                close(&ours[stat], &theirs[stat]),
                "{name} {stat}: {} vs {}",
                ours[stat],
                theirs[stat]
            );
        }
        let mode: Value = ours["mode"]
            .as_str()
            .and_then(|m| m.parse::<f64>().ok())
            .map_or(Value::Null, Value::from);
        assert!(
            close(&mode, &theirs["mode"]),
            "{name} mode: {} vs {}",
            ours["mode"],
            theirs["mode"]
        );
    }
    for name in ["region", "channel"] {
        let (ours, theirs) = (column(&v, name), pandas_column(&pandas, name));
        assert_eq!(ours["kind"], "categorical", "{name}");
        assert_eq!(ours["missing"], theirs["missing"], "{name}");
        assert_eq!(ours["distinct"], theirs["nunique"], "{name}");
        assert_eq!(ours["mode"], theirs["mode"], "{name}");
        assert_eq!(ours["mean"], Value::Null, "{name}");
        assert_eq!(ours["min"], Value::Null, "{name}");
    }
    assert_eq!(column(&v, "customer_id")["kind"], "text");
    assert_eq!(column(&v, "customer_id")["distinct"], 3000);
}

#[test]
fn inspect_reads_standard_input() {
    let bytes = std::fs::read(root().join(SAMPLE)).expect("sample");
    let v = inspect_json(&["inspect", "-", "--json"], Some(bytes));
    assert_eq!(v["n_rows"], 3000);
    assert_eq!(v["source"], "<stdin>");
    assert_eq!(column(&v, "age")["missing"], 88);
    let r = run(&["inspect", "-"], Some(b"a;b\n1;x\n2;y\n".to_vec()));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("<stdin>: 2 rows"), "{}", r.stdout);
}

#[test]
fn inspect_tips_kinds() {
    let v = inspect_json(&["inspect", "tests/fixtures/tips.csv", "--json"], None);
    assert_eq!(v["n_rows"], 244);
    for name in ["sex", "smoker", "day", "time"] {
        assert_eq!(column(&v, name)["kind"], "categorical", "{name}");
    }
    for name in ["total_bill", "tip", "size"] {
        assert_eq!(column(&v, name)["kind"], "numeric", "{name}");
    }
    assert_eq!(column(&v, "day")["mode"], "Sat");
    assert_eq!(column(&v, "day")["distinct"], 4);
}

#[test]
fn inspect_usarrests_first_column_is_text() {
    let v = inspect_json(&["inspect", "tests/fixtures/USArrests.csv", "--json"], None);
    assert_eq!(v["n_rows"], 50);
    let first = &v["columns"][0];
    assert_eq!(first["name"], "column_1");
    assert_eq!(first["kind"], "text");
    assert_eq!(first["distinct"], 50);
    assert_eq!(column(&v, "Murder")["kind"], "numeric");
}

#[test]
fn inspect_missing_file_exits_1_naming_the_path() {
    let r = run(&["inspect", "no/such/file.csv"], None);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(r.stderr.contains("no/such/file.csv"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn inspect_bad_file_exits_1_naming_the_line() {
    let r = run(&["inspect", "tests/fixtures/bad/ragged.csv"], None);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(r.stderr.contains("ragged.csv: line 3"), "{}", r.stderr);
}

#[test]
fn inspect_prints_warnings_to_stderr() {
    let r = run(
        &["inspect", "tests/fixtures/bad/latin1.csv", "--json"],
        None,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains("warning: ") && r.stderr.contains("Latin-1"),
        "{}",
        r.stderr
    );
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["n_rows"], 3);
}

#[test]
fn inspect_without_a_file_is_a_usage_error() {
    let r = run(&["inspect"], None);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.to_lowercase().contains("usage"), "{}", r.stderr);
    let r = run(&["inspect", SAMPLE, "--no-such-flag"], None);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}
