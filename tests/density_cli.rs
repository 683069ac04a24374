//! DBSCAN and OPTICS through the real binary: `cluster --method dbscan|optics` writes outliers as
//! `outlier` (JSON −1 and "noise"), scores only the clustered rows (checked against `segscope score` on
//! those rows), reproduces itself byte for byte from its recipe, saves a model whose `apply` gives every
//! core row its label and every outlier `outlier` (core rows computed here by brute force), refuses SQL;
//! `kdist` prints the knee and writes the curve; flag mistakes are usage errors (exit 2); a neighbourhood
//! beyond the memory budget is refused with the estimate.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const EPS: f64 = 0.5;
const MIN_SAMPLES: usize = 5;
const SPREAD: f64 = 0.8;

fn segscope() -> Command {
    Command::cargo_bin("segscope").unwrap()
}

fn run(args: &[&str]) -> std::process::Output {
    segscope().args(args).output().unwrap()
}

fn ok(args: &[&str]) -> std::process::Output {
    let o = run(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn json(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Three blobs (150, 100, 60 rows, sd about 0.45, so their fringes have border rows) and 15 rows scattered far from them and from each other,
/// shuffled by a fixed permutation; returns the path and the rows.
fn blobs_with_noise(dir: &Path) -> (PathBuf, Vec<[f64; 2]>) {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut rows = Vec::new();
    for (cx, cy, n) in [(0.0, 0.0, 150), (6.0, 0.0, 100), (0.0, 6.0, 60)] {
        for _ in 0..n {
            // Sum of uniforms: roughly normal, bounded.
            let dx: f64 = (0..4).map(|_| uniform() - 0.5).sum::<f64>() * SPREAD;
            let dy: f64 = (0..4).map(|_| uniform() - 0.5).sum::<f64>() * SPREAD;
            rows.push([cx + dx, cy + dy]);
        }
    }
    for i in 0..15u8 {
        let a = f64::from(i) * 0.9;
        rows.push([
            12.0 + 3.0 * a.cos() * (1.0 + f64::from(i)),
            -8.0 + 3.0 * a.sin() * (1.0 + f64::from(i)),
        ]);
    }
    let n = rows.len();
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (uniform() * (i + 1) as f64) as usize;
        order.swap(i, j.min(i));
    }
    let rows: Vec<[f64; 2]> = order.iter().map(|&i| rows[i]).collect();
    let mut text = String::from("id,x,y\n");
    for (i, r) in rows.iter().enumerate() {
        writeln!(text, "c{i},{},{}", r[0], r[1]).unwrap();
    }
    let path = dir.join("blobs.csv");
    std::fs::write(&path, text).unwrap();
    (path, rows)
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

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const RAW: [&str; 4] = ["--features", "x,y", "--scale", "none"];

#[test]
fn dbscan_writes_outliers_and_scores_the_clustered_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    let (data, rows) = blobs_with_noise(dir.path());
    let out = dir.path().join("out.csv");
    let eps = EPS.to_string();
    let ms = MIN_SAMPLES.to_string();
    let mut args = vec!["cluster", s(&data), "--method", "dbscan", "--eps", &eps];
    args.extend(["--min-samples", &ms, "-o", s(&out)]);
    args.extend(RAW);
    args.push("--json");
    let o = ok(&args);
    let v = json(&o);
    assert_eq!(v["method"], "dbscan");
    assert_eq!(v["k"], 3);
    assert_eq!(v["eps"], EPS);
    assert_eq!(v["min_samples"], MIN_SAMPLES);
    let noise = v["noise"].as_u64().unwrap() as usize;
    assert!((15..60).contains(&noise), "{noise}");
    let sizes: Vec<usize> = serde_json::from_value(v["sizes"].clone()).unwrap();
    assert_eq!(sizes.len(), 3);
    assert_eq!(sizes.iter().sum::<usize>() + noise, rows.len());
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    let segs = v["segments"].as_array().unwrap();
    assert_eq!(segs.len(), 4);
    assert_eq!(segs[3]["segment"], -1);
    assert_eq!(segs[3]["name"], "outlier");
    assert_eq!(segs[3]["size"], noise);
    let summary = ok(&args[..args.len() - 1]);
    let stderr = String::from_utf8_lossy(&summary.stderr);
    assert!(
        stderr.contains(&format!("3 segments (dbscan) + {noise} outliers")),
        "{stderr}"
    );

    // The CSV: `outlier` in segment and segment_name, no silhouette for them.
    let seg = column(&out, "segment");
    let names = column(&out, "segment_name");
    let sil = column(&out, "silhouette");
    assert_eq!(seg.iter().filter(|s| *s == "outlier").count(), noise);
    for ((s, n), h) in seg.iter().zip(&names).zip(&sil) {
        assert_eq!(s == "outlier", n == "outlier");
        assert_eq!(s == "outlier", h.is_empty(), "{s} {h}");
        if s != "outlier" {
            assert!(s.parse::<usize>().unwrap() < 3);
        }
    }

    // The indices are those of the clustered rows alone: `segscope score` on them agrees.
    let mut text = String::from("x,y,label\n");
    for (r, l) in rows.iter().zip(&seg).filter(|(_, l)| *l != "outlier") {
        writeln!(text, "{},{},{l}", r[0], r[1]).unwrap();
    }
    let clustered = dir.path().join("clustered.csv");
    std::fs::write(&clustered, text).unwrap();
    let mut args = vec!["score", s(&clustered), "--labels", "label", "--json"];
    args.extend(RAW);
    let sc = json(&ok(&args));
    for key in ["silhouette", "davies_bouldin", "calinski_harabasz"] {
        let (a, b) = (v[key].as_f64().unwrap(), sc[key].as_f64().unwrap());
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{key}: {a} vs {b}"
        );
    }
    // The per-row silhouettes are the exact ones of the clustered rows (mean = the summary).
    let mean: f64 = sil
        .iter()
        .filter(|h| !h.is_empty())
        .map(|h| h.parse::<f64>().unwrap())
        .sum::<f64>()
        / (rows.len() - noise) as f64;
    assert!((mean - v["silhouette"].as_f64().unwrap()).abs() < 1e-12);
}

/// Rows with at least `MIN_SAMPLES` rows (themselves included) within `EPS`: sklearn's core samples.
fn core_rows(rows: &[[f64; 2]]) -> Vec<bool> {
    rows.iter()
        .map(|a| {
            rows.iter()
                .filter(|b| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt() <= EPS)
                .count()
                >= MIN_SAMPLES
        })
        .collect()
}

#[test]
fn a_saved_density_model_gives_core_rows_their_label_and_outliers_outlier() {
    let dir = tempfile::tempdir().unwrap();
    let (data, rows) = blobs_with_noise(dir.path());
    let (out, model, applied) = (
        dir.path().join("out.csv"),
        dir.path().join("m.json"),
        dir.path().join("applied.csv"),
    );
    let eps = EPS.to_string();
    let ms = MIN_SAMPLES.to_string();
    let mut args = vec!["cluster", s(&data), "--method", "dbscan", "--eps", &eps];
    args.extend([
        "--min-samples",
        &ms,
        "-o",
        s(&out),
        "--save-model",
        s(&model),
    ]);
    args.extend(RAW);
    ok(&args);
    let o = ok(&["apply", s(&model), s(&data), "-o", s(&applied), "--json"]);
    let fit = column(&out, "segment");
    let got = column(&applied, "segment");
    let core = core_rows(&rows);
    assert!(core.iter().filter(|&&c| c).count() > 250);
    let mut border = 0;
    for i in 0..rows.len() {
        if core[i] || fit[i] == "outlier" {
            assert_eq!(got[i], fit[i], "row {i} (core: {})", core[i]);
        } else {
            border += 1;
        }
    }
    assert!(border > 0, "the data should have border rows");
    assert_eq!(
        column(&applied, "segment_name")
            .iter()
            .filter(|n| *n == "outlier")
            .count(),
        got.iter().filter(|s| *s == "outlier").count()
    );
    // A new row far from every core row is an outlier; one at a blob's centre joins it.
    let fresh = dir.path().join("fresh.csv");
    std::fs::write(&fresh, "id,x,y\nn1,100,100\nn2,0,0\n").unwrap();
    let fresh_out = dir.path().join("fresh_out.csv");
    ok(&["apply", s(&model), s(&fresh), "-o", s(&fresh_out)]);
    let f = column(&fresh_out, "segment");
    assert_eq!(f[0], "outlier");
    assert_eq!(f[1], "0");
    let v = json(&o);
    assert_eq!(v["sizes"].as_array().unwrap().len(), 4);
    // SQL cannot express the rule: refused with the way out.
    let sql = run(&["sql", s(&model), "--dialect", "sqlite"]);
    assert!(!sql.status.success());
    let e = String::from_utf8_lossy(&sql.stderr);
    assert!(e.contains("apply") && e.contains("eps"), "{e}");
}

#[test]
fn recipes_reproduce_density_runs_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = blobs_with_noise(dir.path());
    let eps = EPS.to_string();
    for method in [
        &["--method", "dbscan", "--eps", &eps, "--min-samples", "4"][..],
        &["--method", "optics", "--min-samples", "6"],
        &["--method", "optics", "--min-samples", "5", "--xi", "0.1"],
        &["--method", "optics", "--eps", "0.6"],
    ] {
        let (a, b, r) = (
            dir.path().join("a.csv"),
            dir.path().join("b.csv"),
            dir.path().join("r.json"),
        );
        let mut args = vec!["cluster", s(&data), "-o", s(&a), "--save-recipe", s(&r)];
        args.extend_from_slice(method);
        args.extend(RAW);
        ok(&args);
        let recipe: Value = serde_json::from_str(&std::fs::read_to_string(&r).unwrap()).unwrap();
        assert_eq!(recipe["version"], 1);
        assert!(recipe.get("k").is_none(), "{method:?}: {recipe}");
        assert!(recipe["min_samples"].is_u64(), "{method:?}");
        let is_xi = method.contains(&"optics") && !method.contains(&"--eps");
        assert_eq!(recipe["xi"].is_f64(), is_xi, "{method:?}");
        assert_eq!(recipe["eps"].is_f64(), !is_xi, "{method:?}");
        ok(&["cluster", s(&data), "--recipe", s(&r), "-o", s(&b)]);
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{method:?}"
        );
        assert!(
            column(&a, "segment").iter().any(|s| s == "outlier"),
            "{method:?}"
        );
    }
    // Default xi is recorded as used.
    let r = dir.path().join("r.json");
    let recipe: Value = {
        let mut args = vec!["cluster", s(&data), "-o"];
        let a = dir.path().join("a.csv");
        args.extend([s(&a), "--save-recipe", s(&r), "--method", "optics"]);
        args.extend(RAW);
        ok(&args);
        serde_json::from_str(&std::fs::read_to_string(&r).unwrap()).unwrap()
    };
    assert_eq!(recipe["xi"], 0.05);
    assert_eq!(recipe["min_samples"], 5);
}

fn usage_error(args: &[&str], needles: &[&str]) {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    let e = String::from_utf8_lossy(&o.stderr);
    for n in needles {
        assert!(e.contains(n), "{args:?}: {e}");
    }
}

#[test]
fn flag_mistakes_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = blobs_with_noise(dir.path());
    let out = dir.path().join("out.csv");
    let (d, o) = (s(&data), s(&out));
    usage_error(
        &[
            "cluster", d, "--method", "dbscan", "--eps", "0.5", "--k", "3", "-o", o,
        ],
        &["--k", "dbscan"],
    );
    usage_error(
        &["cluster", d, "--method", "optics", "--height", "2", "-o", o],
        &["--height"],
    );
    usage_error(
        &[
            "cluster",
            d,
            "--method",
            "dbscan",
            "--min-samples",
            "7",
            "-o",
            o,
        ],
        &["--eps", "segscope kdist", "--min-samples 7"],
    );
    usage_error(
        &["cluster", d, "--k", "3", "--eps", "0.5", "-o", o],
        &["--eps", "kmeans"],
    );
    usage_error(
        &[
            "cluster",
            d,
            "--method",
            "dbscan",
            "--eps",
            "0.5",
            "--stability",
            "5",
            "-o",
            o,
        ],
        &["--stability"],
    );
    usage_error(
        &["sweep", d, "--method", "dbscan"],
        &["segscope kdist", "k"],
    );
    // clap's own: --xi and --eps together.
    usage_error(
        &[
            "cluster", d, "--method", "optics", "--xi", "0.1", "--eps", "1", "-o", o,
        ],
        &["--xi"],
    );
    assert!(!out.exists());
    // Out-of-range values are errors (exit 1) with the engine's message.
    let e = run(&["cluster", d, "--method", "dbscan", "--eps=-1", "-o", o]);
    assert_eq!(e.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&e.stderr).contains("eps"));
}

#[test]
fn kdist_prints_the_knee_and_writes_the_curve() {
    let dir = tempfile::tempdir().unwrap();
    let (data, rows) = blobs_with_noise(dir.path());
    let curve = dir.path().join("curve.csv");
    let mut args = vec!["kdist", s(&data), "--min-samples", "5", "-o", s(&curve)];
    args.extend(RAW);
    let o = ok(&args);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("suggested eps") && text.contains("--method dbscan"),
        "{text}"
    );
    let d: Vec<f64> = column(&curve, "distance")
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(d.len(), rows.len());
    assert!(d.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(column(&curve, "rank")[0], "1");
    let mut args = vec!["kdist", s(&data), "--json"];
    args.extend(RAW);
    let v = json(&ok(&args));
    assert_eq!(v["min_samples"], 5);
    assert_eq!(v["n_rows"], rows.len());
    let eps = v["suggested_eps"].as_f64().unwrap();
    // The knee sits between the blobs' spacing and the outliers' distances.
    assert!((0.05..3.0).contains(&eps), "{eps}");
    assert_eq!(d.last().copied(), v["max"].as_f64());
    let bad = run(&["kdist", s(&data), "--min-samples", "0", "--features", "x,y"]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn neighbourhoods_beyond_the_memory_budget_are_refused_with_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    // 3,000 rows all within eps of each other: 9 million neighbours, about 34 MiB.
    let args = [
        "--memory-limit",
        "16M",
        "cluster",
        "assets/sample_customers.csv",
        "--method",
        "dbscan",
        "--eps",
        "1000",
        "-o",
        s(&out),
    ];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("DBSCAN neighbourhoods") && e.contains("needs about 34"),
        "{e}"
    );
    assert!(!out.exists());
}

/// `a` and `b` are the same labelling up to renaming clusters, with the same noise (−1) rows.
fn same_partition(a: &[i64], b: &[i64]) -> bool {
    let mut ab = std::collections::HashMap::new();
    let mut ba = std::collections::HashMap::new();
    a.len() == b.len()
        && a.iter().zip(b).all(|(&x, &y)| {
            (x < 0) == (y < 0)
                && (x < 0 || (*ab.entry(x).or_insert(y) == y && *ba.entry(y).or_insert(x) == x))
        })
}

#[test]
fn the_cli_gives_sklearns_labels_on_the_fixture_data() {
    // tests/fixtures/density_expected.json (scripts/make_density_fixtures.py): the prepared matrices and
    // sklearn's DBSCAN / OPTICS labels. Written with --scale none, the CLI clusters the same numbers.
    let fx: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/density_expected.json").unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ints = |v: &Value| -> Vec<i64> { serde_json::from_value(v.clone()).unwrap() };
    let mut cases = 0;
    for (name, ds) in fx["datasets"].as_object().unwrap() {
        let x: Vec<Vec<f64>> = serde_json::from_value(ds["x"].clone()).unwrap();
        let d = x[0].len();
        let cols: Vec<String> = (0..d).map(|j| format!("f{j}")).collect();
        let mut text = cols.join(",") + "\n";
        for r in &x {
            let cells: Vec<String> = r.iter().map(ToString::to_string).collect();
            writeln!(text, "{}", cells.join(",")).unwrap();
        }
        let data = dir.path().join(format!("{name}.csv"));
        std::fs::write(&data, text).unwrap();
        let features = cols.join(",");
        let out = dir.path().join("out.csv");
        let labels = |extra: &[&str]| -> Vec<i64> {
            let mut args = vec!["cluster", s(&data), "-o", s(&out), "--features", &features];
            args.extend(["--scale", "none"]);
            args.extend_from_slice(extra);
            ok(&args);
            column(&out, "segment")
                .iter()
                .map(|v| {
                    if v == "outlier" {
                        -1
                    } else {
                        v.parse().unwrap()
                    }
                })
                .collect()
        };
        for case in ds["dbscan"].as_array().unwrap() {
            let eps = case["eps"].to_string();
            let ms = case["min_samples"].to_string();
            let got = labels(&["--method", "dbscan", "--eps", &eps, "--min-samples", &ms]);
            assert!(
                same_partition(&got, &ints(&case["labels"])),
                "{name} dbscan eps {eps} min_samples {ms}"
            );
            cases += 1;
        }
        for case in ds["optics"].as_array().unwrap() {
            // The CLI runs OPTICS over all scales with xi's default minimum cluster size.
            if !case["max_eps"].is_null() || !case["min_cluster_size"].is_null() {
                continue;
            }
            let ms = case["min_samples"].to_string();
            let xi = case["xi"].to_string();
            let got = labels(&["--method", "optics", "--min-samples", &ms, "--xi", &xi]);
            assert!(
                same_partition(&got, &ints(&case["xi_labels"])),
                "{name} optics xi {xi} min_samples {ms}"
            );
            for cut in case["cuts"].as_array().unwrap() {
                let eps = cut["eps"].to_string();
                let got = labels(&["--method", "optics", "--min-samples", &ms, "--eps", &eps]);
                assert!(
                    same_partition(&got, &ints(&cut["labels"])),
                    "{name} optics cut {eps} min_samples {ms}"
                );
            }
            cases += 1;
        }
    }
    assert!(cases >= 15, "{cases}");
}
