//! Feature preparation and RFM against sklearn/pandas (tests/fixtures/prep_expected.json, written by
//! scripts/make_prep_fixtures.py), plus recipe round trips.
#![allow(clippy::expect_used, clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::Path;

use segscope::analysis::Recipe;
use segscope::data::{LoadOptions, Table, load_path};
use segscope::jobs::Progress;
use segscope::prep::rfm::{RfmOptions, quintile_scores, rfm_from_path};
use segscope::prep::{Fitted, MissingCategory, Preparation};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn expected() -> Value {
    let text = std::fs::read_to_string(root().join("tests/fixtures/prep_expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn load(rel: &str) -> Table {
    load_path(&root().join(rel), &LoadOptions::default(), &Progress::new()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn recipe_of(case: &Value) -> Preparation {
    let mut r = Preparation::new(strings(&case["features"]));
    r.impute = case["impute"].as_str().unwrap().parse().unwrap();
    r.scale = serde_json::from_value(case["scale"].clone()).unwrap();
    if case["missing_category"] == "level" {
        r.missing_category = MissingCategory::Level;
    }
    r
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn prepared_matrices_match_sklearn() {
    let exp = expected();
    let cases = exp["cases"].as_array().unwrap();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let table = load(case["path"].as_str().unwrap());
        let recipe = recipe_of(case);
        let (_, p) = recipe
            .fit_transform(&table, &Progress::new())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.feature_names, strings(&case["feature_names"]), "{name}");
        let m = case["matrix"].as_array().unwrap();
        assert_eq!(p.matrix.nrows(), m.len(), "{name}");
        assert_eq!(*p.kept_rows, *(0..m.len()).collect::<Vec<_>>(), "{name}");
        for (i, row) in m.iter().enumerate() {
            for (j, want) in row.as_array().unwrap().iter().enumerate() {
                let (got, want) = (p.matrix[[i, j]], want.as_f64().unwrap());
                assert!(
                    close(got, want),
                    "{name}: row {i} col {} got {got} want {want}",
                    p.feature_names[j]
                );
            }
        }
    }
}

#[test]
fn knn_cases_are_present() {
    let exp = expected();
    let knn = exp["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["impute"] == "knn:5")
        .count();
    // messy and prep_missing have missing cells; iris/USArrests/tips are trivial; iris_missing has ties
    assert!(knn >= 5, "{knn}");
}

#[test]
fn recipe_json_round_trip_gives_identical_transform() {
    let table = load("tests/fixtures/prep_missing.csv");
    let mut recipe = Preparation::new(
        ["a", "b", "c", "region"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    );
    recipe.impute = "knn:3".parse().unwrap();
    recipe
        .impute_columns
        .insert("c".into(), "mean".parse().unwrap());
    recipe.log1p.push("b".into());
    recipe.scale = segscope::prep::Scale::Robust;
    let file = Recipe::new(recipe.clone());
    let back = Recipe::from_json(&file.to_json().unwrap(), "mem")
        .unwrap()
        .preparation;
    assert_eq!(back, recipe);
    let (f1, p1) = recipe.fit_transform(&table, &Progress::new()).unwrap();
    let (_, p2) = back.fit_transform(&table, &Progress::new()).unwrap();
    assert_eq!(p1, p2);
    // Fitted state round-trips too and transforms without refitting.
    // (equal to 1e-12: without serde_json's `float_roundtrip` feature, parsing may be off by an ulp)
    let f2: Fitted = serde_json::from_str(&f1.to_json().unwrap()).unwrap();
    assert_eq!(f2.feature_names, f1.feature_names);
    let m2 = f2.transform(&table).unwrap().matrix;
    for (a, b) in m2.iter().zip(p1.matrix.iter()) {
        assert!(close(*a, *b), "{a} vs {b}");
    }
    // inverse_transform gives back original units for rows without missing values.
    let a = table.column("a").unwrap().as_numeric().unwrap();
    let b = table.column("b").unwrap().as_numeric().unwrap();
    for (i, &r) in p1.kept_rows.iter().enumerate().take(50) {
        let orig = f1
            .inverse_transform(p1.matrix.row(i).as_slice().unwrap())
            .unwrap();
        if !a[r].is_nan() {
            assert!((orig[0] - a[r]).abs() < 1e-9, "a row {r}");
        }
        if !b[r].is_nan() {
            assert!(
                (orig[1] - b[r]).abs() < 1e-9 * b[r].abs().max(1.0),
                "b row {r}"
            );
        }
    }
}

#[test]
fn rfm_matches_pandas_groupby() {
    let exp = expected();
    let rfm = &exp["rfm"];
    let opts = RfmOptions {
        customer: "customer_id".into(),
        date: "date".into(),
        amount: "amount".into(),
        ..RfmOptions::default()
    };
    let got = rfm_from_path(
        &root().join(rfm["path"].as_str().unwrap()),
        &opts,
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(
        segscope::data::format_date(got.as_of),
        rfm["as_of"].as_str().unwrap()
    );
    assert_eq!(got.n_transactions, rfm["n_transactions"].as_u64().unwrap());
    let rows = rfm["rows"].as_array().unwrap();
    assert_eq!(got.rows.len(), rows.len());
    assert_eq!(rows.len(), 3000);
    for (g, w) in got.rows.iter().zip(rows) {
        let w = w.as_array().unwrap();
        assert_eq!(g.customer, w[0].as_str().unwrap());
        assert_eq!(g.recency_days, w[1].as_i64().unwrap(), "{}", g.customer);
        assert_eq!(g.frequency, w[2].as_u64().unwrap(), "{}", g.customer);
        // exact: the fixture stores repr() text (serde_json's default float parsing is not round-trip)
        let want: f64 = w[3].as_str().unwrap().parse().unwrap();
        assert_eq!(g.monetary, want, "{}", g.customer);
        let scores = [g.r_score, g.f_score, g.m_score].map(u64::from);
        let want = [
            w[4].as_u64().unwrap(),
            w[5].as_u64().unwrap(),
            w[6].as_u64().unwrap(),
        ];
        assert_eq!(scores, want, "{}", g.customer);
    }
}

#[test]
fn quintiles_match_pandas_qcut() {
    let exp = expected();
    let q = &exp["qcut"];
    for (n, counts) in q["n"]
        .as_array()
        .unwrap()
        .iter()
        .zip(q["counts"].as_array().unwrap())
    {
        let n = n.as_u64().unwrap() as usize;
        let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let scores = quintile_scores(&values, false);
        let got: Vec<u64> = (1..=5u8)
            .map(|k| scores.iter().filter(|&&s| s == k).count() as u64)
            .collect();
        let want: Vec<u64> = counts
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect();
        assert_eq!(got, want, "n = {n}");
        assert!(scores.windows(2).all(|w| w[0] <= w[1]), "n = {n}");
    }
}
