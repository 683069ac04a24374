//! K-Means against scikit-learn (tests/fixtures/kmeans_expected.json from scripts/make_kmeans_fixtures.py):
//! our best-of-10 inertia is at most sklearn's × 1.001, and on well separated data the segments agree
//! (ARI ≥ 0.99).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use ndarray::Array2;
use segscope::cluster::{KMeansParams, kmeans, nearest_centroids};
use segscope::jobs::Progress;
use segscope::metrics::adjusted_rand_score;
use serde_json::Value;

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let (n, d) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, d), rows.into_iter().flatten().collect()).unwrap()
}

#[test]
fn inertia_no_worse_than_sklearn() {
    let text = std::fs::read_to_string("tests/fixtures/kmeans_expected.json").unwrap();
    let fx: Value = serde_json::from_str(&text).unwrap();
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = matrix(&case["x"]);
        for run in case["runs"].as_array().unwrap() {
            let k = run["k"].as_u64().unwrap() as usize;
            let sk = run["inertia"].as_f64().unwrap();
            let m = kmeans(x.view(), &KMeansParams::new(k), &Progress::new()).unwrap();
            assert!(
                m.inertia <= sk * 1.001,
                "{name} k={k}: inertia {} vs sklearn {sk}",
                m.inertia
            );
            // The reported inertia is the sum of squared distances to the assigned centres.
            let (labels, d2) = nearest_centroids(x.view(), m.centroids.view());
            assert_eq!(
                labels, m.labels,
                "{name} k={k}: labels are the nearest centres"
            );
            let sum: f64 = d2.iter().sum();
            assert!((sum - m.inertia).abs() <= 1e-9 * (1.0 + sum));
            if case["separated"].as_bool().unwrap() {
                let sk_labels: Vec<usize> = serde_json::from_value(run["labels"].clone()).unwrap();
                let ari = adjusted_rand_score(&m.labels, &sk_labels).unwrap();
                assert!(ari >= 0.99, "{name} k={k}: ARI {ari}");
            }
        }
    }
}
