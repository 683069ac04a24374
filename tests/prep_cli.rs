//! `segscope prepare` and `segscope rfm` end to end: the acceptance commands, and bad inputs that must
//! fail with a clear message, exit 1 and leave no output file behind.
#![allow(clippy::expect_used, clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> String {
    root().join(rel).display().to_string()
}

fn segscope() -> Command {
    Command::cargo_bin("segscope").unwrap()
}

/// Runs segscope with `args` (plus `-o OUT` in a fresh temp dir) and expects failure with exit code 1, a
/// message containing `needle`, and an empty folder afterwards.
fn fails(args: &[&str], needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let assert = segscope()
        .args(args)
        .arg("-o")
        .arg(&out)
        .current_dir(dir.path())
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("error: "), "{stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn acceptance_rfm_then_prepare() {
    let dir = tempfile::tempdir().unwrap();
    segscope()
        .current_dir(dir.path())
        .args(["rfm", &fixture("assets/sample_transactions.csv")])
        .args([
            "--customer",
            "customer_id",
            "--date",
            "date",
            "--amount",
            "amount",
        ])
        .args(["-o", "rfm.csv"])
        .assert()
        .success();
    let (header, rows) = read_csv(&dir.path().join("rfm.csv"));
    assert_eq!(
        header,
        [
            "customer_id",
            "recency_days",
            "frequency",
            "monetary",
            "r_score",
            "f_score",
            "m_score"
        ]
    );
    assert_eq!(rows.len(), 3000);
    for r in &rows {
        for s in &r[4..7] {
            assert!(["1", "2", "3", "4", "5"].contains(&s.as_str()), "{r:?}");
        }
    }
    segscope()
        .current_dir(dir.path())
        .args([
            "prepare",
            "rfm.csv",
            "--features",
            "recency_days,frequency,monetary",
        ])
        .args(["--log1p", "frequency,monetary", "-o", "p.csv"])
        .assert()
        .success();
    let (header, rows) = read_csv(&dir.path().join("p.csv"));
    assert_eq!(header, ["recency_days", "frequency", "monetary"]);
    assert_eq!(rows.len(), 3000);
    // standardised: each column has mean ~0
    for j in 0..3 {
        let mean: f64 = rows
            .iter()
            .map(|r| r[j].parse::<f64>().unwrap())
            .sum::<f64>()
            / 3000.0;
        assert!(mean.abs() < 1e-9, "column {j} mean {mean}");
    }
}

#[test]
fn acceptance_tips_minmax() {
    let dir = tempfile::tempdir().unwrap();
    segscope()
        .current_dir(dir.path())
        .args(["prepare", &fixture("tests/fixtures/tips.csv")])
        .args([
            "--features",
            "total_bill,tip,sex,day",
            "--scale",
            "minmax",
            "-o",
            "t.csv",
        ])
        .assert()
        .success();
    let (header, rows) = read_csv(&dir.path().join("t.csv"));
    assert_eq!(
        header,
        [
            "total_bill",
            "tip",
            "sex=Female",
            "sex=Male",
            "day=Fri",
            "day=Sat",
            "day=Sun",
            "day=Thur"
        ]
    );
    assert_eq!(rows.len(), 244);
    for r in &rows {
        for s in r {
            let x: f64 = s.parse().unwrap();
            assert!((0.0..=1.0).contains(&x), "{r:?}");
        }
    }
}

#[test]
fn drop_keeps_one_row_per_kept_input_row() {
    let dir = tempfile::tempdir().unwrap();
    segscope()
        .current_dir(dir.path())
        .args([
            "prepare",
            &fixture("tests/fixtures/messy.csv"),
            "--impute",
            "drop",
        ])
        .args(["-o", "m.csv"])
        .assert()
        .success();
    let (header, rows) = read_csv(&dir.path().join("m.csv"));
    assert_eq!(header, ["score", "visits", "ratio", "count"]);
    // 200 rows, 16 missing score, 14 missing/invalid visits (some overlap)
    assert!(rows.len() < 200 - 16 && rows.len() > 150, "{}", rows.len());
}

#[test]
fn recipe_file_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let recipe = write(
        dir.path(),
        "r.json",
        r#"{"version":1,"features":["score","segment"],"scale":"none","missing_category":"level"}"#,
    );
    segscope()
        .current_dir(dir.path())
        .args([
            "prepare",
            &fixture("tests/fixtures/messy.csv"),
            "--recipe",
            &recipe,
        ])
        .args(["-o", "m.csv"])
        .assert()
        .success();
    let (header, _) = read_csv(&dir.path().join("m.csv"));
    assert_eq!(header.last().unwrap(), "segment=<missing>");
}

#[test]
fn unknown_feature_suggests_closest() {
    fails(
        &[
            "prepare",
            &fixture("tests/fixtures/messy.csv"),
            "--features",
            "score,vists",
        ],
        "did you mean 'visits'",
    );
}

#[test]
fn no_numeric_feature() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "t.csv", "name,city\nann,Oslo\nbob,Rome\n");
    fails(&["prepare", &f], "no numeric feature selected");
    fails(
        &[
            "prepare",
            &fixture("tests/fixtures/USArrests.csv"),
            "--exclude",
            "Murder,Assault,UrbanPop,Rape",
        ],
        "no numeric feature selected",
    );
}

#[test]
fn all_missing_feature() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "t.csv", "a,b\n1,\n2,\n3,NA\n");
    fails(
        &["prepare", &f, "--features", "a,b"],
        "all 3 values are missing",
    );
}

#[test]
fn knn_needs_k_complete_rows() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "t.csv", "a,b\n1,2\n2,\n,3\n4,5\n5,1\n");
    fails(
        &["prepare", &f, "--impute", "knn"],
        "knn:5 needs at least 5 rows",
    );
}

#[test]
fn constant_text_on_numeric() {
    fails(
        &[
            "prepare",
            &fixture("tests/fixtures/messy.csv"),
            "--impute",
            "constant:abc",
        ],
        "cannot fill a numeric column with 'abc'",
    );
}

#[test]
fn log1p_below_minus_one() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "t.csv", "a,b\n1,2\n2,3\n-3,4\n");
    fails(&["prepare", &f, "--log1p", "a"], "line 4");
}

#[test]
fn recipe_malformed_or_wrong_columns() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"version":1,"features":["score""#,
    );
    let messy = fixture("tests/fixtures/messy.csv");
    fails(&["prepare", &messy, "--recipe", &bad], "malformed");
    let other = write(
        dir.path(),
        "other.json",
        r#"{"version":1,"features":["score","spend"]}"#,
    );
    fails(&["prepare", &messy, "--recipe", &other], "'spend'");
    let future = write(
        dir.path(),
        "future.json",
        r#"{"version":9,"features":["score"]}"#,
    );
    fails(&["prepare", &messy, "--recipe", &future], "newer");
}

#[test]
fn rfm_bad_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let tx = write(
        dir.path(),
        "tx.csv",
        "customer_id,date,amount\nc1,2024-01-01,10\nc2,2024-02-01,5\n",
    );
    let rfm = |c: &str, a: &str| {
        vec![
            "rfm".to_owned(),
            tx.clone(),
            "--customer".into(),
            c.into(),
            "--date".into(),
            "date".into(),
            "--amount".into(),
            a.into(),
        ]
    };
    let args = rfm("customer", "amount");
    fails(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        "did you mean 'customer_id'",
    );
    let args = rfm("customer_id", "amt");
    fails(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        "did you mean 'amount'",
    );
    let mut args = rfm("customer_id", "amount");
    args.extend(["--as-of".into(), "2024-01-15".into()]);
    fails(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        "after --as-of",
    );

    let text = write(
        dir.path(),
        "text.csv",
        "customer_id,date,amount\nc1,2024-01-01,ten\n",
    );
    fails(
        &[
            "rfm",
            &text,
            "--customer",
            "customer_id",
            "--date",
            "date",
            "--amount",
            "amount",
        ],
        "line 2",
    );
    let empty = write(dir.path(), "empty.csv", "");
    fails(
        &[
            "rfm",
            &empty,
            "--customer",
            "customer_id",
            "--date",
            "date",
            "--amount",
            "amount",
        ],
        "empty",
    );
    let header_only = write(dir.path(), "h.csv", "customer_id,date,amount\n");
    fails(
        &[
            "rfm",
            &header_only,
            "--customer",
            "customer_id",
            "--date",
            "date",
            "--amount",
            "amount",
        ],
        "no transactions",
    );
}

#[test]
fn rfm_skip_bad_rows_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let tx = write(
        dir.path(),
        "tx.csv",
        "customer_id,date,amount\nc1,2024-01-01,10\nc2,someday,5\nc2,2024-01-03,-1\n",
    );
    let assert = segscope()
        .current_dir(dir.path())
        .args([
            "rfm",
            &tx,
            "--customer",
            "customer_id",
            "--date",
            "date",
            "--amount",
            "amount",
        ])
        .args(["--skip-bad-rows", "-o", "r.csv"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("1 bad row(s) skipped"), "{stderr}");
    assert!(stderr.contains("negative amount"), "{stderr}");
    let (_, rows) = read_csv(&dir.path().join("r.csv"));
    assert_eq!(
        rows,
        [
            ["c1", "3", "1", "10", "1", "1", "5"],
            ["c2", "1", "1", "-1", "5", "5", "1"]
        ]
    );
}
