//! PCA against scikit-learn (tests/fixtures/pca_expected.json from scripts/make_pca_fixtures.py): iris and
//! USArrests, wide cases (n < d, the last eigenvalues ~0), exact rank 4, tall cases and a one-hot block.
//!
//! All min(n, d) components are fitted. Explained variance and its ratio equal sklearn's to 1e-9 relative
//! for every eigenvalue above 1e-12 of the largest (what an SVD of the data can resolve); below that, in
//! the null space, both sides hold round-off and are compared absolutely (1e-12 of the largest). Components
//! and the first rows of scores equal sklearn's to 1e-9 where the fixture marks the eigenvalue as
//! separated from its neighbours (a direction is defined only there); all components are orthonormal.
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

/// A fixture CSV: header, then numbers.
fn csv_matrix(file: &str) -> Array2<f64> {
    let text = std::fs::read_to_string(format!("tests/fixtures/{file}")).unwrap();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let d = lines.next().unwrap().split(',').count();
    let values: Vec<f64> = lines
        .flat_map(|l| l.split(',').map(|v| v.trim().parse::<f64>().unwrap()))
        .collect();
    Array2::from_shape_vec((values.len() / d, d), values).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).unwrap()
}

fn input(case: &Value) -> Array2<f64> {
    match case["x_csv"].as_str() {
        Some(file) => csv_matrix(file),
        None => matrix(&case["x"]),
    }
}

#[test]
fn pca_equals_sklearn() {
    let text = std::fs::read_to_string("tests/fixtures/pca_expected.json").unwrap();
    let fx: Value = serde_json::from_str(&text).unwrap();
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 7, "fixture has {} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let x = input(case);
        assert_eq!(
            x.dim(),
            (
                case["n_rows"].as_u64().unwrap() as usize,
                case["n_features"].as_u64().unwrap() as usize
            ),
            "{name}"
        );
        let k = x.nrows().min(x.ncols());
        let p = pca(x.view(), k, &Progress::new()).unwrap();
        let ev = floats(&case["explained_variance"]);
        let evr = floats(&case["explained_variance_ratio"]);
        assert_eq!(ev.len(), k, "{name}");
        let top = ev[0];
        let (mut worst_ev, mut worst_comp) = (0.0f64, 0.0f64);
        for i in 0..k {
            let (ours, theirs) = (p.explained_variance[i], ev[i]);
            let (ours_r, theirs_r) = (p.explained_variance_ratio[i], evr[i]);
            if theirs > 1e-12 * top {
                let rel = ((ours - theirs) / theirs).abs();
                worst_ev = worst_ev.max(rel);
                assert!(
                    rel <= 1e-9,
                    "{name} variance {i}: {ours} vs sklearn {theirs} (rel {rel:.1e})"
                );
                let rel = ((ours_r - theirs_r) / theirs_r).abs();
                assert!(
                    rel <= 1e-9,
                    "{name} ratio {i}: {ours_r} vs sklearn {theirs_r} (rel {rel:.1e})"
                );
            } else {
                assert!(
                    (ours - theirs).abs() <= 1e-12 * top && ours >= 0.0,
                    "{name} null variance {i}: {ours} vs sklearn {theirs}"
                );
                assert!(ours_r.abs() <= 1e-12, "{name} null ratio {i}: {ours_r}");
            }
        }
        let gram = p.components.dot(&p.components.t());
        let orth = (&gram - &Array2::<f64>::eye(k))
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(
            orth < 1e-10,
            "{name}: components not orthonormal ({orth:.1e})"
        );
        let comps = matrix(&case["components"]);
        let separated: Vec<bool> = serde_json::from_value(case["separated"].clone()).unwrap();
        let head = matrix(&case["scores_head"]);
        let scores = p.transform(x.view());
        let mut compared = 0;
        for (i, &sep) in separated.iter().enumerate() {
            if !sep {
                continue;
            }
            compared += 1;
            for j in 0..x.ncols() {
                let (a, b) = (p.components[[i, j]], comps[[i, j]]);
                worst_comp = worst_comp.max((a - b).abs());
                assert!(
                    (a - b).abs() <= 1e-9,
                    "{name} component {i},{j}: {a} vs sklearn {b}"
                );
            }
            for r in 0..head.nrows() {
                let (a, b) = (scores[[r, i]], head[[r, i]]);
                assert!(
                    (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
                    "{name} score {r},{i}: {a} vs sklearn {b}"
                );
            }
        }
        assert!(
            compared >= 4,
            "{name}: only {compared} separated components"
        );
        println!(
            "{name}: max rel variance error {worst_ev:.1e}, max component error {worst_comp:.1e} \
             ({compared} compared), orthonormality {orth:.1e}"
        );
    }
}
