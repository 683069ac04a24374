//! The clustering subcommands end to end: `sweep`, `cluster`, `score`, `pca`, `linkage` — JSON shapes of the
//! CLI contract, outputs, and bad inputs (clear error, exit 1, no output file left behind).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use assert_cmd::Command;
use serde_json::Value;

fn segscope() -> Command {
    Command::cargo_bin("segscope").unwrap()
}

fn json_of(args: &[&str]) -> Value {
    let out = segscope().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fails_with(args: &[&str], needle: &str) {
    let out = segscope().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error:") && err.contains(needle),
        "{args:?}: {err}"
    );
}

#[test]
fn sweep_json_shape_and_recommendation_on_sample() {
    let v = json_of(&[
        "sweep",
        "assets/sample_customers.csv",
        "--k",
        "2..7",
        "--json",
    ]);
    assert_eq!(v["method"], "kmeans");
    assert_eq!(v["n_rows"], 3000);
    let rows = v["results"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    for key in [
        "k",
        "inertia",
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
        "bic",
    ] {
        assert!(rows[0].get(key).is_some(), "missing {key}");
    }
    // Five planted personas.
    assert_eq!(v["recommended_k"], 5);
}

#[test]
fn sweep_gmm_has_bic_and_ward_reuses_one_tree() {
    let v = json_of(&[
        "sweep",
        "tests/fixtures/iris_named.csv",
        "--exclude",
        "target",
        "--k",
        "2..4",
        "--method",
        "gmm",
        "--json",
    ]);
    assert!(v["results"][0]["bic"].as_f64().is_some());
    let v = json_of(&[
        "sweep",
        "tests/fixtures/iris_named.csv",
        "--exclude",
        "target",
        "--k",
        "2..4",
        "--method",
        "ward",
        "--json",
    ]);
    assert!(v["results"][0]["bic"].is_null());
    assert_eq!(v["method"], "ward");
}

#[test]
fn cluster_writes_labelled_csv_profile_and_recipe() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labelled.csv");
    let prof = dir.path().join("profile.csv");
    let rec = dir.path().join("recipe.json");
    let v = json_of(&[
        "cluster",
        "assets/sample_customers.csv",
        "--k",
        "5",
        "-o",
        out.to_str().unwrap(),
        "--profile",
        prof.to_str().unwrap(),
        "--save-recipe",
        rec.to_str().unwrap(),
        "--json",
    ]);
    for key in [
        "method",
        "k",
        "n_rows",
        "inertia",
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
        "sizes",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let sizes: Vec<usize> = serde_json::from_value(v["sizes"].clone()).unwrap();
    assert_eq!(sizes.iter().sum::<usize>(), 3000);
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "segments are numbered by size: {sizes:?}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let original = std::fs::read_to_string("assets/sample_customers.csv").unwrap();
    let (h, o) = (
        text.lines().next().unwrap(),
        original.lines().next().unwrap(),
    );
    assert_eq!(
        h,
        format!("{o},segment,segment_name,silhouette,distance_to_centre")
    );
    // Original text kept byte for byte, one output line per input line.
    for (a, b) in text.lines().zip(original.lines()).skip(1).take(50) {
        assert!(a.starts_with(b), "{a} vs {b}");
    }
    assert_eq!(text.lines().count(), original.lines().count());
    let p = std::fs::read_to_string(&prof).unwrap();
    assert!(p.starts_with(
        "feature,statistic,segment_0,segment_1,segment_2,segment_3,segment_4,overall,anova_f"
    ));
    // The names (those of the labelled CSV) under the header, and each segment's ranking: exactly one
    // feature ranked 1 per segment, with a non-zero effect on the row above it.
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(p.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows[0][..2], ["(all)", "name"]);
    let labelled = std::fs::read_to_string(&out).unwrap();
    for name in &rows[0][2..7] {
        assert!(
            !name.is_empty() && labelled.contains(&format!(",{name},")),
            "{name}"
        );
    }
    for s in 2..7 {
        let firsts: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i][1] == "rank" && rows[i][s] == "1")
            .collect();
        assert_eq!(firsts.len(), 1, "segment column {s}: {firsts:?}");
        let i = firsts[0];
        assert_eq!(rows[i - 1][1], "effect");
        assert_eq!(rows[i - 1][0], rows[i][0]);
        assert!(rows[i - 1][s].parse::<f64>().unwrap().abs() >= 0.2);
    }
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    assert_eq!(r["k"], 5);
    assert_eq!(r["method"], "kmeans");
    let model = &r["model"];
    assert_eq!(model["centres"].as_array().unwrap().len(), 5);
    assert_eq!(model["sizes"], v["sizes"]);
    let names = model["feature_names"].as_array().unwrap();
    assert_eq!(model["centres"][0].as_array().unwrap().len(), names.len());
    // Original-unit centres are plausible customers: a non-negative order count.
    let orders = names.iter().position(|n| n == "orders_12m").unwrap();
    for c in model["centres_original"].as_array().unwrap() {
        assert!(c[orders].as_f64().unwrap() >= 0.0, "{c}");
    }
    // The recipe reproduces the run.
    let out2 = dir.path().join("again.csv");
    let v2 = json_of(&[
        "cluster",
        "assets/sample_customers.csv",
        "--recipe",
        rec.to_str().unwrap(),
        "--k",
        "5",
        "-o",
        out2.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v2["sizes"], v["sizes"]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&out2).unwrap());
}

#[test]
fn cluster_gmm_adds_probabilities_and_height_cut_works() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.csv");
    json_of(&[
        "cluster",
        "tests/fixtures/iris_named.csv",
        "--exclude",
        "target",
        "--k",
        "3",
        "--method",
        "gmm",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(",segment,segment_name,silhouette,p_0,p_1,p_2")
    );
    let out = dir.path().join("h.csv");
    let v = json_of(&[
        "cluster",
        "tests/fixtures/USArrests.csv",
        "--height",
        "5",
        "--method",
        "ward",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(v["k"].as_u64().unwrap() >= 2);
}

#[test]
fn score_pca_and_linkage() {
    let v = json_of(&[
        "score",
        "tests/fixtures/iris_named.csv",
        "--labels",
        "target",
        "--scale",
        "none",
        "--json",
    ]);
    assert_eq!(v["n_rows"], 150);
    assert_eq!(v["n_clusters"], 3);
    // sklearn silhouette_score(iris.data, iris.target) = 0.5034774406932966 (raw features)
    assert!(
        (v["silhouette"].as_f64().unwrap() - 0.503_477_440_693_296_6).abs() < 1e-9,
        "{v}"
    );
    let v = json_of(&[
        "pca",
        "tests/fixtures/iris_named.csv",
        "--exclude",
        "target",
        "--scale",
        "none",
        "--components",
        "2",
        "--json",
    ]);
    // sklearn PCA(2).fit(iris.data).explained_variance_ratio_[0] = 0.9246187232017271
    assert!(
        (v["explained_variance_ratio"][0].as_f64().unwrap() - 0.924_618_723_201_727_1).abs() < 1e-9,
        "{v}"
    );
    assert_eq!(v["components"].as_array().unwrap().len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("l.csv");
    segscope()
        .args([
            "linkage",
            "tests/fixtures/USArrests.csv",
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 50);
    assert!(text.starts_with("a,b,distance,size\n"));
}

#[test]
fn bad_parameters_are_clear_errors_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let o = out.to_str().unwrap();
    fails_with(
        &[
            "cluster",
            "tests/fixtures/USArrests.csv",
            "--k",
            "0",
            "-o",
            o,
        ],
        "k must be",
    );
    fails_with(
        &[
            "cluster",
            "tests/fixtures/USArrests.csv",
            "--k",
            "51",
            "-o",
            o,
        ],
        "k must be",
    );
    fails_with(
        &[
            "cluster",
            "tests/fixtures/USArrests.csv",
            "--height=-1",
            "--method",
            "ward",
            "-o",
            o,
        ],
        "height",
    );
    fails_with(
        &[
            "cluster",
            "tests/fixtures/USArrests.csv",
            "--height",
            "1e9",
            "--method",
            "ward",
            "-o",
            o,
        ],
        "height",
    );
    fails_with(
        &[
            "cluster",
            "tests/fixtures/USArrests.csv",
            "--height",
            "2",
            "-o",
            o,
        ],
        "hierarchical",
    );
    // A bad range is a usage error (exit 2), for sweep as for cluster.
    let usage = segscope()
        .args(["sweep", "tests/fixtures/USArrests.csv", "--k", "5..2"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("k range"));
    fails_with(
        &[
            "linkage",
            "tests/fixtures/USArrests.csv",
            "--method",
            "kmeans",
            "-o",
            o,
        ],
        "hierarchical",
    );
    assert!(!out.exists(), "no output file after a failed run");
    let one = dir.path().join("one.csv");
    std::fs::write(&one, "x,y,g\n1,2,a\n3,4,a\n5,6,a\n").unwrap();
    fails_with(
        &["score", one.to_str().unwrap(), "--labels", "g"],
        "at least 2 segments",
    );
    let gaps = dir.path().join("gaps.csv");
    std::fs::write(&gaps, "x,y,g\n1,2,a\n3,4,\n5,6,b\n7,1,b\n").unwrap();
    fails_with(
        &["score", gaps.to_str().unwrap(), "--labels", "g"],
        "line 3 has no label",
    );
}

#[test]
fn identical_rows_give_numbers_not_nan() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("same.csv");
    std::fs::write(&f, "x,y\n".to_owned() + &"1,2\n".repeat(20)).unwrap();
    let out = dir.path().join("o.csv");
    let v = json_of(&[
        "cluster",
        f.to_str().unwrap(),
        "--k",
        "2",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v["inertia"], 0.0);
    assert!(v["silhouette"].is_number() || v["silhouette"].is_null());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("NaN"));
}
