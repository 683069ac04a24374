//! PCA against scikit-learn (tests/fixtures/pca_expected.json from scripts/make_pca_fixtures.py).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use ndarray::Array2;
use segscope::jobs::Progress;
use segscope::reduce::pca;
use serde_json::Value;

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let (n, d) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, d), rows.into_iter().flatten().collect()).unwrap()
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
        "{what}: {a} vs sklearn {b}"
    );
}

#[test]
fn pca_equals_sklearn() {
    let text = std::fs::read_to_string("tests/fixtures/pca_expected.json").unwrap();
    let fx: Value = serde_json::from_str(&text).unwrap();
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = matrix(&case["x"]);
        let d = x.ncols();
        let p = pca(x.view(), d, &Progress::new()).unwrap();
        let ev: Vec<f64> = serde_json::from_value(case["explained_variance"].clone()).unwrap();
        let evr: Vec<f64> =
            serde_json::from_value(case["explained_variance_ratio"].clone()).unwrap();
        for i in 0..d {
            close(
                p.explained_variance[i],
                ev[i],
                &format!("{name} variance {i}"),
            );
            close(
                p.explained_variance_ratio[i],
                evr[i],
                &format!("{name} ratio {i}"),
            );
        }
        let comps = matrix(&case["components"]);
        for ((i, j), &c) in comps.indexed_iter() {
            close(
                p.components[[i, j]],
                c,
                &format!("{name} component {i},{j}"),
            );
        }
        let head = matrix(&case["scores_head"]);
        let scores = p.transform(x.view());
        for ((i, j), &s) in head.indexed_iter() {
            close(scores[[i, j]], s, &format!("{name} score {i},{j}"));
        }
    }
}
