//! From exploration to production, through the real binary: `cluster --save-model` then `apply` gives the
//! same segments (k-means, GMM, Ward), the generated SQL executed in a real SQL engine (SQLite, bundled)
//! gives `apply`'s labels on three data sets, `apply` sits in a shell pipeline (`-` in and out), and bad
//! models and inputs are clear errors with no output file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const SAMPLE: &str = "assets/sample_customers.csv";

fn segscope() -> Command {
    Command::cargo_bin("segscope").unwrap()
}

fn ok(args: &[&str]) -> std::process::Output {
    let o = segscope().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn column(path: &Path, name: &str) -> Vec<String> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let i = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {}", path.display()));
    rdr.records().map(|r| r.unwrap()[i].to_owned()).collect()
}

#[test]
fn apply_gives_the_segments_cluster_wrote() {
    let dir = tempfile::tempdir().unwrap();
    for method in [
        &["--method", "kmeans", "--k", "5"][..],
        &["--method", "gmm", "--k", "4"],
        &["--method", "ward", "--k", "5"],
    ] {
        let (a, b, m) = (
            dir.path().join("a.csv"),
            dir.path().join("b.csv"),
            dir.path().join("m.json"),
        );
        let mut args = vec![
            "cluster",
            SAMPLE,
            "-o",
            a.to_str().unwrap(),
            "--save-model",
            m.to_str().unwrap(),
        ];
        args.extend_from_slice(method);
        ok(&args);
        let o = ok(&[
            "apply",
            m.to_str().unwrap(),
            SAMPLE,
            "-o",
            b.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(column(&a, "segment"), column(&b, "segment"), "{method:?}");
        assert_eq!(column(&a, "segment_name"), column(&b, "segment_name"));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["n_rows"], 3000);
        for key in ["sizes", "unseen_levels", "out_of_range"] {
            assert!(v.get(key).is_some(), "{key}");
        }
    }
}

#[test]
fn apply_sits_in_a_pipeline_and_writes_the_drift_report() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.json");
    let a = dir.path().join("a.csv");
    ok(&[
        "cluster",
        SAMPLE,
        "--k",
        "5",
        "-o",
        a.to_str().unwrap(),
        "--save-model",
        m.to_str().unwrap(),
    ]);
    let drift = dir.path().join("d.json");
    let o = segscope()
        .args(["apply", m.to_str().unwrap(), "-", "-o", "-", "--drift"])
        .arg(&drift)
        .write_stdin(std::fs::read(SAMPLE).unwrap())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), 3001);
    let d: Value = serde_json::from_str(&std::fs::read_to_string(&drift).unwrap()).unwrap();
    assert_eq!(d["verdict"], "stable");
    let f = &d["features"][0];
    for key in [
        "name",
        "psi",
        "verdict",
        "missing_rate_train",
        "missing_rate_now",
        "unseen_levels",
    ] {
        assert!(f.get(key).is_some(), "{key}");
    }
    for key in ["segment", "share_train", "share_now"] {
        assert!(d["segments"][0].get(key).is_some(), "{key}");
    }
    assert!(d["segment_psi"].is_number());
}

#[test]
fn bad_models_and_inputs_are_clear_errors_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.json");
    let a = dir.path().join("a.csv");
    ok(&[
        "cluster",
        SAMPLE,
        "--k",
        "3",
        "-o",
        a.to_str().unwrap(),
        "--save-model",
        m.to_str().unwrap(),
    ]);
    let json = std::fs::read_to_string(&m).unwrap();
    let future = dir.path().join("future.json");
    std::fs::write(&future, json.replacen("\"version\":1", "\"version\":2", 1)).unwrap();
    let truncated = dir.path().join("trunc.json");
    std::fs::write(&truncated, &json[..json.len() / 3]).unwrap();
    let no_col = dir.path().join("nocol.csv");
    std::fs::write(&no_col, "customer_id,age\nC1,30\n").unwrap();
    let wrong = dir.path().join("wrong.csv");
    let mut w = String::from(
        "customer_id,age,region,channel,tenure_months,orders_12m,avg_order_value,days_since_last_order,total_spent,email_open_rate\n",
    );
    for i in 0..30 {
        writeln!(w, "C{i},old,North,web,1,2,3,4,5,0.5").unwrap();
    }
    std::fs::write(&wrong, w).unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let out = dir.path().join("out.csv");
    let cases: [(&Path, &Path, &str); 5] = [
        (&future, Path::new(SAMPLE), "newer"),
        (&truncated, Path::new(SAMPLE), "truncated"),
        (&m, &no_col, "lacks column(s) the model needs"),
        (&m, &wrong, "not numbers"),
        (&m, &empty, "empty"),
    ];
    for (model, file, needle) in cases {
        let o = segscope()
            .args([
                "apply",
                model.to_str().unwrap(),
                file.to_str().unwrap(),
                "-o",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{needle}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{needle}: {err}");
        assert!(!out.exists(), "{needle}: an output was left");
    }
}

/// Loads a CSV into an SQLite table `input` (missing tokens as NULL, numbers as REAL, the rest TEXT).
fn load_sqlite(db: &rusqlite::Connection, path: &Path) {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let missing = |s: &str| {
        matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "" | "na" | "n/a" | "nan" | "null" | "?"
        )
    };
    let numeric: Vec<bool> = (0..headers.len())
        .map(|j| {
            rows.iter()
                .all(|r| missing(&r[j]) || r[j].trim().parse::<f64>().is_ok())
        })
        .collect();
    let cols: Vec<String> = headers
        .iter()
        .zip(&numeric)
        .map(|(h, &n)| format!("\"{h}\" {}", if n { "REAL" } else { "TEXT" }))
        .collect();
    db.execute_batch(&format!("CREATE TABLE input ({});", cols.join(", ")))
        .unwrap();
    let marks = vec!["?"; headers.len()].join(", ");
    let mut stmt = db
        .prepare(&format!("INSERT INTO input VALUES ({marks})"))
        .unwrap();
    for r in &rows {
        let values: Vec<rusqlite::types::Value> = r
            .iter()
            .zip(&numeric)
            .map(|(v, &n)| {
                if missing(v) {
                    rusqlite::types::Value::Null
                } else if n {
                    rusqlite::types::Value::Real(v.trim().parse().unwrap())
                } else {
                    rusqlite::types::Value::Text(v.trim().to_owned())
                }
            })
            .collect();
        stmt.execute(rusqlite::params_from_iter(values)).unwrap();
    }
}

fn sqlite_segments(sql: &str, csv: &Path) -> Vec<String> {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    if db
        .query_row("SELECT ln(2.0)", [], |r| r.get::<_, f64>(0))
        .is_err()
    {
        // rusqlite's bundled SQLite is built without SQLITE_ENABLE_MATH_FUNCTIONS (SQLite's own shell and
        // most distributions have them): register the three the statement uses, with the same f64 math.
        use rusqlite::functions::FunctionFlags;
        let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
        db.create_scalar_function("ln", 1, flags, |c| Ok(c.get::<f64>(0)?.ln()))
            .unwrap();
        db.create_scalar_function("sqrt", 1, flags, |c| Ok(c.get::<f64>(0)?.sqrt()))
            .unwrap();
        db.create_scalar_function("power", 2, flags, |c| {
            Ok(c.get::<f64>(0)?.powf(c.get::<f64>(1)?))
        })
        .unwrap();
    }
    load_sqlite(&db, csv);
    let query = format!(
        "SELECT segment FROM ({})",
        sql.trim()
            .trim_end_matches(';')
            .lines()
            .filter(|l| !l.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let mut stmt = db.prepare(&query).unwrap();
    stmt.query_map([], |r| r.get::<_, Option<i64>>(0))
        .unwrap()
        .map(|v| v.unwrap().map_or_else(String::new, |s| s.to_string()))
        .collect()
}

fn generated(dir: &Path) -> PathBuf {
    let mut r = segscope::rng::Rng::new(21);
    let mut s = String::from("x,y,z,kind\n");
    for i in 0..10_000 {
        let c = (i % 4) as f64 * 3.0;
        let kind = ["a", "b", "c"][i % 3];
        writeln!(
            s,
            "{:.5},{:.5},{:.5},{kind}",
            c + r.normal(),
            -c + r.normal(),
            r.normal() * 2.0
        )
        .unwrap();
    }
    let p = dir.join("gen.csv");
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn the_sql_statement_run_in_sqlite_gives_apply_labels() {
    let dir = tempfile::tempdir().unwrap();
    let generated_csv = generated(dir.path());
    let sample_args: &[&str] = &[
        "--features",
        "age,orders_12m,total_spent,email_open_rate,region,channel",
        "--log1p",
        "orders_12m,total_spent",
        "--impute",
        "mean,age=median",
    ];
    let iris_args: &[&str] = &["--exclude", "target"];
    let gen_args: &[&str] = &["--features", "x,y,z,kind", "--scale", "minmax"];
    let sets: [(&str, &[&str]); 3] = [
        (SAMPLE, sample_args),
        ("tests/fixtures/iris_named.csv", iris_args),
        (generated_csv.to_str().unwrap(), gen_args),
    ];
    for (file, prep) in sets {
        for method in [
            &["--method", "kmeans", "--k", "4"][..],
            &["--method", "gmm", "--k", "3", "--covariance", "diag"],
            &["--method", "gmm", "--k", "3", "--covariance", "full"],
        ] {
            let (a, m, b) = (
                dir.path().join("a.csv"),
                dir.path().join("m.json"),
                dir.path().join("b.csv"),
            );
            let mut args = vec!["cluster", file, "-o", a.to_str().unwrap(), "--save-model"];
            args.push(m.to_str().unwrap());
            args.extend_from_slice(prep);
            args.extend_from_slice(method);
            ok(&args);
            ok(&[
                "apply",
                m.to_str().unwrap(),
                file,
                "-o",
                b.to_str().unwrap(),
            ]);
            let sql =
                String::from_utf8(ok(&["sql", m.to_str().unwrap(), "--dialect", "sqlite"]).stdout)
                    .unwrap();
            let from_sql = sqlite_segments(&sql, Path::new(file));
            assert_eq!(from_sql, column(&b, "segment"), "{file} {method:?}");
            // Every dialect is generated from the same templates.
            for d in ["duckdb", "postgres", "bigquery", "snowflake", "spark"] {
                let o = ok(&[
                    "sql",
                    m.to_str().unwrap(),
                    "--dialect",
                    d,
                    "--table",
                    "crm.customers",
                ]);
                let text = String::from_utf8(o.stdout).unwrap();
                assert!(text.contains("AS segment"), "{d}");
                assert!(text.contains("crm") && text.contains("customers"), "{d}");
            }
        }
    }
    // A hierarchical model is refused with the way out.
    let m = dir.path().join("w.json");
    ok(&[
        "cluster",
        SAMPLE,
        "--method",
        "ward",
        "--k",
        "3",
        "-o",
        dir.path().join("w.csv").to_str().unwrap(),
        "--save-model",
        m.to_str().unwrap(),
    ]);
    let o = segscope()
        .args(["sql", m.to_str().unwrap(), "--dialect", "sqlite"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("fit k-means or a Gaussian mixture"));
}
