//! Gaussian mixtures against scikit-learn 1.9 (tests/fixtures/gmm_expected.json from
//! scripts/make_gmm_fixtures.py). Both sides start from the same k-means labels, so the EM paths coincide.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use ndarray::Array2;
use segscope::Error;
use segscope::cluster::gmm::{CovarianceType, GmmInit, GmmParams, gmm, n_parameters};
use segscope::jobs::Progress;
use serde_json::Value;

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let (n, d) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, d), rows.into_iter().flatten().collect()).unwrap()
}

fn fixture() -> Value {
    let text = std::fs::read_to_string("tests/fixtures/gmm_expected.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

fn cov_type(s: &str) -> CovarianceType {
    match s {
        "full" => CovarianceType::Full,
        "diag" => CovarianceType::Diag,
        "spherical" => CovarianceType::Spherical,
        other => panic!("unknown covariance type {other}"),
    }
}

#[test]
fn gmm_equals_sklearn_from_the_same_labels() {
    let fx = fixture();
    let mut worst_param = 0.0f64;
    let mut worst_score = 0.0f64;
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 18);
    for case in cases {
        let name = format!(
            "{} k={} {}",
            case["name"].as_str().unwrap(),
            case["k"],
            case["covariance"].as_str().unwrap()
        );
        let x = matrix(&fx["data"][case["name"].as_str().unwrap()]);
        let (n, d) = x.dim();
        let k = case["k"].as_u64().unwrap() as usize;
        let cov = cov_type(case["covariance"].as_str().unwrap());
        let labels: Vec<usize> = serde_json::from_value(case["init_labels"].clone()).unwrap();
        let p = GmmParams {
            covariance: cov,
            init: GmmInit::Labels(labels),
            ..GmmParams::new(k)
        };
        let g = gmm(x.view(), &p, &Progress::new()).unwrap();

        let score = case["score"].as_f64().unwrap();
        assert!(
            g.score() >= score - 1e-6,
            "{name}: score {} < sklearn {score}",
            g.score()
        );
        worst_score = worst_score.max((g.score() - score).abs());
        assert_eq!(
            g.n_iter as u64,
            case["n_iter"].as_u64().unwrap(),
            "{name}: n_iter"
        );
        assert_eq!(g.converged, case["converged"].as_bool().unwrap(), "{name}");
        let lb = case["lower_bound"].as_f64().unwrap();
        assert!(
            (g.lower_bound - lb).abs() < 1e-9,
            "{name}: lower bound {} vs {lb}",
            g.lower_bound
        );

        let w: Vec<f64> = serde_json::from_value(case["weights"].clone()).unwrap();
        for (a, b) in g.weights.iter().zip(&w) {
            worst_param = worst_param.max((a - b).abs());
            assert!((a - b).abs() < 1e-6, "{name}: weight {a} vs {b}");
        }
        let means = matrix(&case["means"]);
        for ((i, j), &m) in means.indexed_iter() {
            let ours = g.means[[i, j]];
            worst_param = worst_param.max((ours - m).abs());
            assert!(
                (ours - m).abs() < 1e-6,
                "{name}: mean {i},{j} {ours} vs {m}"
            );
        }
        let head = matrix(&case["proba_head"]);
        for ((i, j), &v) in head.indexed_iter() {
            assert!(
                (g.probabilities[[i, j]] - v).abs() < 1e-6,
                "{name}: proba {i},{j}"
            );
        }
        let sk_labels: Vec<usize> = serde_json::from_value(case["labels"].clone()).unwrap();
        assert_eq!(g.labels, sk_labels, "{name}: labels");

        // Information criteria: same formula as sklearn.
        let np = case["n_parameters"].as_u64().unwrap() as usize;
        assert_eq!(n_parameters(cov, k, d), np, "{name}");
        assert_eq!(g.n_parameters(d), np, "{name}");
        let (bic, aic) = (case["bic"].as_f64().unwrap(), case["aic"].as_f64().unwrap());
        let nf = n as f64;
        // sklearn's formula on sklearn's own score reproduces its values ...
        let sk_bic = -2.0 * score * nf + np as f64 * nf.ln();
        let sk_aic = -2.0 * score * nf + 2.0 * np as f64;
        assert!(
            (sk_bic - bic).abs() <= 1e-9 * bic.abs().max(1.0),
            "{name}: bic formula"
        );
        assert!(
            (sk_aic - aic).abs() <= 1e-9 * aic.abs().max(1.0),
            "{name}: aic formula"
        );
        // ... and ours is the same formula on our own log-likelihood.
        let own_bic = -2.0 * g.score() * nf + np as f64 * nf.ln();
        let own_aic = -2.0 * g.score() * nf + 2.0 * np as f64;
        assert!(
            (g.bic(n, d) - own_bic).abs() <= 1e-9 * own_bic.abs().max(1.0),
            "{name}"
        );
        assert!(
            (g.aic(n, d) - own_aic).abs() <= 1e-9 * own_aic.abs().max(1.0),
            "{name}"
        );
        // Same path, so the criteria agree with sklearn's too.
        assert!(
            (g.bic(n, d) - bic).abs() < 1e-5 * nf,
            "{name}: bic {} vs {bic}",
            g.bic(n, d)
        );
        assert!(
            (g.aic(n, d) - aic).abs() < 1e-5 * nf,
            "{name}: aic {} vs {aic}",
            g.aic(n, d)
        );
    }
    eprintln!("worst |score diff| {worst_score:e}, worst |weight/mean diff| {worst_param:e}");
}

#[test]
fn kmeans_init_with_restarts_reaches_sklearn_quality() {
    // Our own k-means init with 10 restarts: not the same path, but on iris it must reach at least
    // the likelihood sklearn reaches from its k-means labels (within a tolerance: different optimum possible).
    let fx = fixture();
    let x = matrix(&fx["data"]["iris"]);
    for case in fx["cases"].as_array().unwrap() {
        if case["name"] != "blobs" {
            continue;
        }
        let k = case["k"].as_u64().unwrap() as usize;
        if k != 3 {
            continue;
        }
        let xb = matrix(&fx["data"]["blobs"]);
        let p = GmmParams {
            covariance: cov_type(case["covariance"].as_str().unwrap()),
            n_init: 10,
            ..GmmParams::new(k)
        };
        let g = gmm(xb.view(), &p, &Progress::new()).unwrap();
        let score = case["score"].as_f64().unwrap();
        assert!(
            g.score() >= score - 1e-6,
            "{}: {} vs {score}",
            case["covariance"],
            g.score()
        );
    }
    let g = gmm(
        x.view(),
        &GmmParams {
            n_init: 10,
            ..GmmParams::new(3)
        },
        &Progress::new(),
    )
    .unwrap();
    assert!(g.converged && g.score().is_finite());
}

#[test]
fn bad_inputs_and_cancellation() {
    let fx = fixture();
    let x = matrix(&fx["data"]["iris"]);
    let pr = Progress::new();
    let e = gmm(x.view(), &GmmParams::new(0), &pr).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter(_)), "{e}");
    let e = gmm(x.view(), &GmmParams::new(151), &pr).unwrap_err();
    assert!(e.to_string().contains("151"), "{e}");
    let mut y = x.clone();
    y[[10, 2]] = f64::NAN;
    let e = gmm(y.view(), &GmmParams::new(2), &pr).unwrap_err();
    assert!(e.to_string().contains("row 11 feature 3"), "{e}");
    // Duplicated column and no regularisation: full covariances are singular.
    let mut z = Array2::zeros((150, 2));
    z.column_mut(0).assign(&x.column(0));
    z.column_mut(1).assign(&x.column(0));
    let p = GmmParams {
        reg_covar: 0.0,
        ..GmmParams::new(2)
    };
    let e = gmm(z.view(), &p, &pr).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("singular") && msg.contains("reg_covar") && msg.contains("fewer"),
        "{msg}"
    );
    // With the default reg_covar it fits.
    assert!(gmm(z.view(), &GmmParams::new(2), &pr).is_ok());
    // Wrong width for predict_proba.
    let g = gmm(x.view(), &GmmParams::new(2), &pr).unwrap();
    assert!(g.predict_proba(z.view()).is_err());
    // Cancellation before and during a fit.
    let cancelled = Progress::new();
    cancelled.cancel();
    assert!(matches!(
        gmm(x.view(), &GmmParams::new(3), &cancelled),
        Err(Error::Cancelled)
    ));
    let p = std::sync::Arc::new(Progress::new());
    let p2 = std::sync::Arc::clone(&p);
    let big = Array2::from_shape_fn((200_000, 4), |(i, j)| ((i * 7 + j * 13) % 101) as f64);
    let h = std::thread::spawn(move || {
        gmm(
            big.view(),
            &GmmParams {
                n_init: 50,
                ..GmmParams::new(8)
            },
            &p2,
        )
    });
    std::thread::sleep(std::time::Duration::from_millis(50));
    p.cancel();
    assert!(matches!(h.join().unwrap(), Err(Error::Cancelled)));
}
