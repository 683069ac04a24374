//! segscope::metrics against scikit-learn: tests/fixtures/metrics_expected.json (made by
//! scripts/make_cluster_fixtures.py) holds X, labellings and sklearn's silhouette (mean and per row),
//! Davies-Bouldin, Calinski-Harabasz and adjusted Rand index; every value must agree to 1e-9 (absolute or
//! relative). Davies-Bouldin is held to the direct-distance reference in the fixture, because sklearn's
//! dot-product distances add ~1e-8 of rounding on segments of one row. Also: error cases, cancellation, `silhouette_many` = separate calls, sampled CI coverage.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use ndarray::Array2;
use segscope::Error;
use segscope::jobs::Progress;
use segscope::metrics::{
    adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, score_all, silhouette_many,
    silhouette_sampled, silhouette_samples, silhouette_score,
};
use serde_json::Value;

const TOL: f64 = 1e-9;

fn fixtures() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metrics_expected.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows = v.as_array().unwrap();
    let d = rows[0].as_array().unwrap().len();
    let flat: Vec<f64> = rows
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
        .collect();
    Array2::from_shape_vec((rows.len(), d), flat).unwrap()
}

fn labels(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| usize::try_from(x.as_u64().unwrap()).unwrap())
        .collect()
}

/// Absolute difference, or relative when the expected value is large; records the worst absolute gap.
fn close(got: f64, want: f64, what: &str, worst: &mut f64) {
    let diff = (got - want).abs();
    *worst = worst.max(diff);
    assert!(
        diff <= TOL || diff <= TOL * want.abs(),
        "{what}: got {got}, sklearn {want} (diff {diff:e})"
    );
}

#[test]
fn metrics_match_sklearn() {
    let fx = fixtures();
    let p = Progress::new();
    let mut worst = 0.0f64;
    let mut worst_db_sklearn = 0.0f64;
    let mut checked = 0;
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = matrix(&case["x"]);
        let mut by_name = std::collections::HashMap::new();
        for l in case["labelings"].as_array().unwrap() {
            let lname = l["name"].as_str().unwrap();
            let lab = labels(&l["labels"]);
            let what = format!("{name}/{lname}");
            match l["silhouette_score"].as_f64() {
                Some(want) => {
                    let got = silhouette_score(x.view(), &lab, &p).unwrap();
                    close(got, want, &format!("{what} silhouette"), &mut worst);
                    let samples = silhouette_samples(x.view(), &lab, &p).unwrap();
                    let want_s = l["silhouette_samples"].as_array().unwrap();
                    assert_eq!(samples.len(), want_s.len());
                    for (i, (g, w)) in samples.iter().zip(want_s).enumerate() {
                        close(
                            *g,
                            w.as_f64().unwrap(),
                            &format!("{what} sample {i}"),
                            &mut worst,
                        );
                    }
                }
                None => assert!(silhouette_score(x.view(), &lab, &p).is_err(), "{what}"),
            }
            match l["davies_bouldin_score"].as_f64() {
                Some(want) => {
                    let got = davies_bouldin_score(x.view(), &lab).unwrap();
                    // sklearn's dot-product distances turn a zero distance (a singleton and its
                    // centroid) into ~1e-7; we must equal the direct-distance value to 1e-9 and may
                    // differ from sklearn only by that documented gap.
                    let direct = l["davies_bouldin_direct"].as_f64().unwrap();
                    close(
                        got,
                        direct,
                        &format!("{what} davies_bouldin (direct)"),
                        &mut worst,
                    );
                    let gap = (want - direct).abs();
                    let diff = (got - want).abs();
                    worst_db_sklearn = worst_db_sklearn.max(diff);
                    assert!(
                        diff <= gap + TOL * want.abs().max(1.0),
                        "{what} davies_bouldin: got {got}, sklearn {want}"
                    );
                }
                None => assert!(davies_bouldin_score(x.view(), &lab).is_err(), "{what}"),
            }
            match l["calinski_harabasz_score"].as_f64() {
                Some(want) => {
                    let got = calinski_harabasz_score(x.view(), &lab).unwrap();
                    close(got, want, &format!("{what} calinski_harabasz"), &mut worst);
                }
                None => assert!(calinski_harabasz_score(x.view(), &lab).is_err(), "{what}"),
            }
            let all = score_all(x.view(), &lab, &p).unwrap();
            assert_eq!(
                all.silhouette.is_some(),
                l["silhouette_score"].is_f64(),
                "{what}"
            );
            checked += 1;
            by_name.insert(lname.to_owned(), lab);
        }
        for pair in case["ari"].as_array().unwrap() {
            let a = &by_name[pair["a"].as_str().unwrap()];
            let b = &by_name[pair["b"].as_str().unwrap()];
            let got = adjusted_rand_score(a, b).unwrap();
            close(
                got,
                pair["value"].as_f64().unwrap(),
                &format!("{name} ari"),
                &mut worst,
            );
        }
    }
    for pair in fx["ari_pairs"].as_array().unwrap() {
        let a = labels(&pair["a"]);
        let b = labels(&pair["b"]);
        let got = adjusted_rand_score(&a, &b).unwrap();
        close(got, pair["value"].as_f64().unwrap(), "ari pair", &mut worst);
    }
    assert!(checked >= 12, "only {checked} labellings checked");
    println!(
        "max abs diff: {worst:e} (sklearn; direct-distance Davies-Bouldin); \
         Davies-Bouldin vs sklearn itself: {worst_db_sklearn:e}"
    );
}

#[test]
fn fixture_has_the_required_cases() {
    let fx = fixtures();
    let names: Vec<&str> = fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for want in ["iris", "singletons", "k_n_minus_1", "duplicates", "random"] {
        assert!(names.contains(&want), "missing case {want}");
    }
    assert!(fx["versions"]["scikit-learn"].is_string());
}

fn invalid(e: Error) -> String {
    match e {
        Error::InvalidParameter(m) => m,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

#[test]
fn k_out_of_range_is_an_error_everywhere() {
    let x = Array2::from_shape_fn((5, 2), |(i, j)| (i * 3 + j) as f64);
    let p = Progress::new();
    for lab in [vec![7; 5], vec![0, 1, 2, 3, 4]] {
        let m = invalid(silhouette_score(x.view(), &lab, &p).unwrap_err());
        assert!(
            m.contains("at least 2 segments and fewer segments than rows"),
            "{m}"
        );
        invalid(silhouette_samples(x.view(), &lab, &p).unwrap_err());
        invalid(davies_bouldin_score(x.view(), &lab).unwrap_err());
        invalid(calinski_harabasz_score(x.view(), &lab).unwrap_err());
        invalid(silhouette_sampled(x.view(), &lab, 3, 0, &p).unwrap_err());
        let s = score_all(x.view(), &lab, &p).unwrap();
        assert_eq!(
            (s.silhouette, s.davies_bouldin, s.calinski_harabasz),
            (None, None, None)
        );
    }
    let m = invalid(silhouette_score(x.view(), &[1; 5], &p).unwrap_err());
    assert!(m.contains("k=1"), "{m}");
}

#[test]
fn nan_row_is_named() {
    let mut x = Array2::from_shape_fn((20, 3), |(i, j)| (i + j) as f64);
    x[[12, 1]] = f64::NAN;
    let lab: Vec<usize> = (0..20).map(|i| i % 2).collect();
    let p = Progress::new();
    let m = invalid(silhouette_score(x.view(), &lab, &p).unwrap_err());
    assert!(
        m.contains("row 12 has a missing value") && m.contains("impute"),
        "{m}"
    );
    invalid(davies_bouldin_score(x.view(), &lab).unwrap_err());
    invalid(calinski_harabasz_score(x.view(), &lab).unwrap_err());
    invalid(score_all(x.view(), &lab, &p).unwrap_err());
    x[[12, 1]] = f64::INFINITY;
    let m = invalid(silhouette_score(x.view(), &lab, &p).unwrap_err());
    assert!(m.contains("row 12 has an infinite value"), "{m}");
}

#[test]
fn mismatched_lengths_and_empty_input() {
    let x = Array2::from_shape_fn((6, 2), |(i, j)| (i * j) as f64);
    let p = Progress::new();
    let m = invalid(silhouette_score(x.view(), &[0, 1, 0], &p).unwrap_err());
    assert!(m.contains("3 labels for 6 rows"), "{m}");
    invalid(davies_bouldin_score(x.view(), &[0, 1]).unwrap_err());
    invalid(calinski_harabasz_score(x.view(), &[0, 1]).unwrap_err());
    invalid(adjusted_rand_score(&[0, 1, 1], &[0, 1]).unwrap_err());
    invalid(silhouette_many(x.view(), &[&[0, 1, 0, 1, 0, 1], &[0, 1]], &p).unwrap_err());
    let empty = Array2::<f64>::zeros((0, 2));
    let m = invalid(silhouette_score(empty.view(), &[], &p).unwrap_err());
    assert!(m.contains("empty"), "{m}");
    invalid(score_all(empty.view(), &[], &p).unwrap_err());
}

/// Deterministic pseudo-random blobs: `k` centres, Gaussian-ish noise (sum of uniforms).
fn blobs(n: usize, d: usize, k: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut s = seed;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let centres: Vec<f64> = (0..k * d).map(|_| next() * 8.0).collect();
    let labels: Vec<usize> = (0..n).map(|_| (next() * k as f64) as usize).collect();
    let x = Array2::from_shape_fn((n, d), |(i, j)| {
        centres[labels[i] * d + j] + (next() + next() + next() - 1.5) * 2.0
    });
    (x, labels)
}

#[test]
fn cancelled_progress_stops_silhouette() {
    let (x, lab) = blobs(20_000, 4, 5, 7);
    let p = Progress::new();
    p.cancel();
    assert!(matches!(
        silhouette_score(x.view(), &lab, &p),
        Err(Error::Cancelled)
    ));
    assert!(matches!(
        silhouette_many(x.view(), &[&lab], &p),
        Err(Error::Cancelled)
    ));
    assert!(matches!(
        silhouette_sampled(x.view(), &lab, 500, 1, &p),
        Err(Error::Cancelled)
    ));
    assert!(matches!(
        score_all(x.view(), &lab, &p),
        Err(Error::Cancelled)
    ));
}

#[test]
fn silhouette_many_equals_separate_calls() {
    let (x, lab) = blobs(1_500, 3, 4, 11);
    let other: Vec<usize> = lab
        .iter()
        .enumerate()
        .map(|(i, &l)| (l + i % 3) * 10)
        .collect();
    let halves: Vec<usize> = (0..1_500).map(|i| usize::from(x[[i, 0]] > 4.0)).collect();
    let p = Progress::new();
    let many = silhouette_many(x.view(), &[&lab, &other, &halves], &p).unwrap();
    for (got, l) in many.iter().zip([&lab, &other, &halves]) {
        let want = silhouette_score(x.view(), l, &p).unwrap();
        assert!((got - want).abs() < 1e-14, "{got} vs {want}");
    }
    assert!(silhouette_many(x.view(), &[], &p).unwrap().is_empty());
}

#[test]
fn sampled_ci_contains_exact_on_20k_rows() {
    let (x, lab) = blobs(20_000, 3, 6, 3);
    let p = Progress::new();
    let exact = silhouette_score(x.view(), &lab, &p).unwrap();
    // A 95% interval misses now and then: require coverage for most of ten seeds, and no wild miss.
    let mut covered = 0;
    for seed in 0..10 {
        let est = silhouette_sampled(x.view(), &lab, 2_000, seed, &p).unwrap();
        assert!(!est.is_exact());
        assert!(est.sample_size >= 2_000 && est.n_rows == 20_000);
        assert!(est.ci_low < est.mean && est.mean < est.ci_high, "{est:?}");
        let half = (est.ci_high - est.ci_low) / 2.0;
        assert!(half < 0.02, "{est:?}");
        assert!(
            (est.mean - exact).abs() < 2.0 * half,
            "exact {exact}, {est:?}"
        );
        if est.ci_low <= exact && exact <= est.ci_high {
            covered += 1;
        }
    }
    assert!(
        covered >= 8,
        "the 95% CI covered the exact {exact} for {covered}/10 seeds"
    );
}
