//! K-Means against scikit-learn (tests/fixtures/kmeans_expected.json from scripts/make_kmeans_fixtures.py):
//! our best-of-10 inertia is at most sklearn's × 1.001 (plain Lloyd and with the Hartigan–Wong pass), and
//! on well separated data the segments agree (ARI ≥ 0.99). With the refinement (pass + centre swaps), the mean over 20 seeds reaches
//! sklearn's best of 50 restarts + 0.05% (tests/fixtures/kmeans_refine_expected.json).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use ndarray::Array2;
use segscope::cluster::kmeans::Refine;
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
            // The refined fit keeps the direction: no worse than sklearn, nor than plain Lloyd, and its
            // labels are still the nearest centres.
            let hw = KMeansParams {
                refine: Refine::HartiganWong,
                ..KMeansParams::new(k)
            };
            let r = kmeans(x.view(), &hw, &Progress::new()).unwrap();
            assert!(
                r.inertia <= sk * 1.001 && r.inertia <= m.inertia * (1.0 + 1e-12),
                "{name} k={k}: refined inertia {} vs sklearn {sk}, lloyd {}",
                r.inertia,
                m.inertia
            );
            let (r_labels, r_d2) = nearest_centroids(x.view(), r.centroids.view());
            assert_eq!(r_labels, r.labels, "{name} k={k}: refined labels");
            let r_sum: f64 = r_d2.iter().sum();
            assert!((r_sum - r.inertia).abs() <= 1e-9 * (1.0 + r_sum));
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

/// Mean inertia over seeds 0..20 at the default restarts, with the given refinement.
fn mean_inertia(x: &Array2<f64>, k: usize, refine: Refine) -> f64 {
    let seeds = 0..20u64;
    let total: f64 = seeds
        .clone()
        .map(|seed| {
            let p = KMeansParams {
                seed,
                refine,
                ..KMeansParams::new(k)
            };
            kmeans(x.view(), &p, &Progress::new()).unwrap().inertia
        })
        .sum();
    total / seeds.count() as f64
}

/// Issue 15 §3 (tests/fixtures/kmeans_refine_expected.json from scripts/make_kmeans_refine_fixtures.py):
/// with the refinement (Hartigan–Wong pass after each restart, centre swaps on the best), the mean inertia over 20 seeds at the default 10 restarts is at most
/// sklearn's best of 50 restarts + 0.05%, for every data set and k = 2..8. Plain Lloyd's worst gap is
/// printed for comparison (run with `--nocapture`).
#[test]
fn hartigan_wong_reaches_sklearn_best_of_50() {
    let text = std::fs::read_to_string("tests/fixtures/kmeans_refine_expected.json").unwrap();
    let fx: Value = serde_json::from_str(&text).unwrap();
    let mut misses = Vec::new();
    let (mut worst_hw, mut worst_lloyd) = (
        (f64::NEG_INFINITY, String::new()),
        (f64::NEG_INFINITY, String::new()),
    );
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = matrix(&case["x"]);
        for run in case["runs"].as_array().unwrap() {
            let k = run["k"].as_u64().unwrap() as usize;
            let best = run["best50"].as_f64().unwrap();
            let hw = mean_inertia(&x, k, Refine::HartiganWong);
            let lloyd = mean_inertia(&x, k, Refine::None);
            let (g_hw, g_lloyd) = (hw / best - 1.0, lloyd / best - 1.0);
            eprintln!(
                "{name:>18} k={k}: hartigan-wong {:+.4}%  lloyd {:+.4}%  (sklearn n_init 10: {:+.4}%)",
                100.0 * g_hw,
                100.0 * g_lloyd,
                100.0 * (run["mean20"].as_f64().unwrap() / best - 1.0)
            );
            // The pass never makes a restart worse, so neither can it make the mean worse.
            assert!(hw <= lloyd * (1.0 + 1e-12), "{name} k={k}: {hw} > {lloyd}");
            if g_hw > worst_hw.0 {
                worst_hw = (g_hw, format!("{name} k={k}"));
            }
            if g_lloyd > worst_lloyd.0 {
                worst_lloyd = (g_lloyd, format!("{name} k={k}"));
            }
            if g_hw > 5e-4 {
                misses.push(format!("{name} k={k}: {:+.4}%", 100.0 * g_hw));
            }
        }
    }
    eprintln!(
        "worst gap to sklearn best-of-50: hartigan-wong {:+.4}% ({}), plain lloyd {:+.4}% ({})",
        100.0 * worst_hw.0,
        worst_hw.1,
        100.0 * worst_lloyd.0,
        worst_lloyd.1
    );
    // Issue 15's target: every case within +0.05%. Measured 2026-12-03 with the centre swaps: no miss,
    // worst +0.0158% (blobs k = 2, the one local optimum every seed and plain Lloyd reach; sklearn's best of
    // 50 found a slightly lower one); before the swaps 10 of 56 missed (worst +0.89%).
    eprintln!("cases above best-of-50 + 0.05%: {misses:?}");
    assert!(
        misses.is_empty(),
        "cases above best-of-50 + 0.05%: {misses:?}"
    );
    assert!(
        worst_hw.0 < 2e-4 && worst_hw.0 < worst_lloyd.0,
        "worst {worst_hw:?}"
    );
}

/// Plain Lloyd against the full refinement (Hartigan–Wong pass + centre swaps) on synthetic overlapping
/// blobs, `REFINE_TIME_ROWS` × 10 (default 1,000,000), k = 8, n_init 1, same seed; prints both times and
/// inertias. Run: `REFINE_TIME_ROWS=1000000 cargo test --release --test kmeans_fidelity -- --ignored
/// --nocapture refine_time`.
#[test]
#[ignore = "timing; run by hand"]
fn refine_time() {
    use segscope::rng::Rng;
    use std::time::Instant;
    let n: usize = std::env::var("REFINE_TIME_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (d, k) = (10, 8);
    // Eight centres in a cube of side 4, unit noise (as bench_engine's refine case): overlapping groups,
    // so both the pass and the swaps have work to do.
    let mut rng = Rng::new(3);
    let centres: Vec<f64> = (0..k * d).map(|_| rng.uniform() * 4.0).collect();
    let groups: Vec<usize> = (0..n).map(|_| rng.below(k)).collect();
    let x = Array2::from_shape_fn((n, d), |(i, j)| centres[groups[i] * d + j] + rng.normal());
    let plain = KMeansParams {
        n_init: 1,
        refine: Refine::None,
        ..KMeansParams::new(k)
    };
    let refined = KMeansParams {
        refine: Refine::HartiganWong,
        ..plain.clone()
    };
    let t = Instant::now();
    let m0 = kmeans(x.view(), &plain, &Progress::new()).unwrap();
    let t0 = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let m1 = kmeans(x.view(), &refined, &Progress::new()).unwrap();
    let t1 = t.elapsed().as_secs_f64();
    eprintln!(
        "refine_time {n} x {d}, k = {k}, n_init 1: plain lloyd {t0:.3} s (inertia {:.6e}, {} iterations); \
         refined {t1:.3} s (inertia {:.6e}, {:+.4}%); ratio {:.2}",
        m0.inertia,
        m0.n_iter,
        m1.inertia,
        100.0 * (m1.inertia / m0.inertia - 1.0),
        t1 / t0
    );
    assert!(m1.inertia <= m0.inertia * (1.0 + 1e-12));
}
