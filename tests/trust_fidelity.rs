//! Trusting segments: the gap statistic against numpy on the same reference draws and labels
//! (tests/fixtures/gap_expected.json from scripts/make_gap_fixtures.py), and segment descriptions and
//! stability on the bundled sample's planted personas (scripts/make_sample.py).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use std::path::Path;

use ndarray::Array2;
use segscope::analysis::describe::describe_segments;
use segscope::analysis::gap::{GapRule, ReferenceBox, ReferenceSpace, gap_from_labels, max_se};
use segscope::analysis::stability::{StabilityOptions, Verdict, stability_of};
use segscope::analysis::{FitOptions, fit, profile};
use segscope::cluster::Method;
use segscope::data::{LoadOptions, load_path};
use segscope::jobs::Progress;
use segscope::metrics::adjusted_rand_score;
use segscope::prep::Preparation;
use segscope::prep::select::select_features;
use serde_json::Value;

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let (n, d) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, d), rows.into_iter().flatten().collect()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).unwrap()
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
        "{what}: {a} vs numpy {b}"
    );
}

#[test]
fn gap_statistic_equals_numpy_on_the_same_draws_and_labels() {
    let text = std::fs::read_to_string("tests/fixtures/gap_expected.json").unwrap();
    let fx: Value = serde_json::from_str(&text).unwrap();
    let x = matrix(&fx["data"]);
    let d_power = fx["d_power"].as_f64().unwrap();
    let b = fx["b"].as_u64().unwrap() as usize;
    let data_labels: Vec<Vec<usize>> = serde_json::from_value(fx["data_labels"].clone()).unwrap();
    let units: Vec<Array2<f64>> = fx["unit"].as_array().unwrap().iter().map(matrix).collect();
    let log_w = floats(&fx["log_w"]);
    for (name, space) in [
        ("original", ReferenceSpace::Original),
        ("scaled_pca", ReferenceSpace::ScaledPca),
    ] {
        let case = &fx["cases"][name];
        let draws: Vec<Array2<f64>> = case["draws"]
            .as_array()
            .unwrap()
            .iter()
            .map(matrix)
            .collect();
        assert_eq!(draws.len(), b);
        // Our box maps numpy's unit draws onto numpy's reference rows.
        let reference_box = ReferenceBox::new(x.view(), space).unwrap();
        for (i, (u, z)) in units.iter().zip(&draws).enumerate() {
            let ours = reference_box.from_unit(u.view()).unwrap();
            for (a, e) in ours.iter().zip(z.iter()) {
                close(*a, *e, &format!("{name} draw {i}"));
            }
        }
        let labels: Vec<Vec<Vec<usize>>> =
            serde_json::from_value(case["reference_labels"].clone()).unwrap();
        let g = gap_from_labels(x.view(), &data_labels, &draws, &labels, d_power, space).unwrap();
        let k_max = fx["k_max"].as_u64().unwrap() as usize;
        assert_eq!(g.ks, (1..=k_max).collect::<Vec<_>>());
        for (field, ours, expected) in [
            ("log_w", &g.log_w, log_w.clone()),
            ("e_log_w", &g.e_log_w, floats(&case["e_log_w"])),
            ("gap", &g.gap, floats(&case["gap"])),
            ("s_k", &g.s_k, floats(&case["s_k"])),
        ] {
            assert_eq!(ours.len(), expected.len(), "{name} {field}");
            for (k, (a, e)) in ours.iter().zip(&expected).enumerate() {
                close(*a, *e, &format!("{name} {field} k={}", k + 1));
            }
        }
        let k = &case["k"];
        let want = |rule: &str| k[rule].as_u64().unwrap() as usize;
        assert_eq!(g.recommended_k, want("firstSEmax"), "{name}");
        assert_eq!(g.k_tibs2001, want("Tibs2001SEmax"), "{name}");
        assert_eq!(g.k_global_max, want("globalmax"), "{name}");
        for (rule, r) in [
            ("globalSEmax", GapRule::GlobalSeMax),
            ("firstmax", GapRule::FirstMax),
        ] {
            assert_eq!(max_se(&g.gap, &g.s_k, r, 1.0), want(rule), "{name} {rule}");
        }
    }
}

/// The CLI's default pipeline on the sample: every numeric column, median impute, standard scale,
/// k-means k = 5, seed 0. Returns the table, features, kept rows, prepared matrix and segmentation.
fn sample_segments() -> (
    segscope::data::Table,
    Vec<String>,
    Vec<usize>,
    Array2<f64>,
    segscope::analysis::Segmentation,
) {
    let p = Progress::new();
    let table = load_path(
        Path::new("assets/sample_customers.csv"),
        &LoadOptions::default(),
        &p,
    )
    .unwrap();
    let features = select_features(&table, &[], &[]).unwrap();
    let (_, prepared) = Preparation::new(features.clone())
        .fit_transform(&table, &p)
        .unwrap();
    let seg = fit(
        prepared.matrix.view(),
        5,
        FitOptions {
            method: Method::Kmeans,
            seed: 0,
            n_init: 10,
            ..FitOptions::default()
        },
        &p,
    )
    .unwrap();
    (
        table,
        features,
        prepared.kept_rows.to_vec(),
        prepared.matrix,
        seg,
    )
}

/// Persona of every input row of the sample (tests/fixtures/sample_personas.csv).
fn personas() -> Vec<String> {
    let text = std::fs::read_to_string("tests/fixtures/sample_personas.csv").unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_owned())
        .collect()
}

#[test]
fn loyal_high_spenders_are_described_by_spend_and_orders() {
    let (table, features, rows, _, seg) = sample_segments();
    let prof = profile(&table, &features, &rows, &seg.labels, seg.k).unwrap();
    let described = describe_segments(&table, &rows, &seg.labels, &prof).unwrap();
    assert_eq!(described.len(), 5);
    // The segment holding most loyal high spenders.
    let persona = personas();
    let mut loyal = vec![0usize; seg.k];
    for (&r, &l) in rows.iter().zip(&seg.labels) {
        if persona[r] == "loyal_high_spender" {
            loyal[l] += 1;
        }
    }
    let s = (0..seg.k).max_by_key(|&s| loyal[s]).unwrap();
    let d = &described[s];
    assert_eq!(d.segment, s);
    let find = |f: &str| {
        d.top_features
            .iter()
            .find(|t| t.feature == f)
            .unwrap_or_else(|| panic!("{f} not among {d:#?}"))
    };
    let spent = find("total_spent");
    assert_eq!(spent.direction, "high", "{d:#?}");
    assert!(spent.effect > 0.8 && spent.segment_value > 2.0 * spent.overall_value);
    let orders = find("orders_12m");
    assert_eq!(orders.direction, "frequent", "{d:#?}");
    assert!(orders.effect > 0.5, "{d:#?}");
    assert!(
        d.description.contains("high total spent"),
        "{}",
        d.description
    );
    // Every name differs; every listed feature passes the effect threshold.
    for (i, a) in described.iter().enumerate() {
        assert!(
            described[..i].iter().all(|b| b.name != a.name),
            "{described:#?}"
        );
        assert!(a.top_features.iter().all(|t| t.effect.abs() >= 0.2));
        assert!(a.description.starts_with(&format!("Segment {i} · ")));
    }
    let json = serde_json::to_value(&described).unwrap();
    for key in [
        "segment",
        "size",
        "share",
        "name",
        "description",
        "top_features",
    ] {
        assert!(json[0].get(key).is_some(), "{key}");
    }
    for key in [
        "feature",
        "direction",
        "segment_value",
        "overall_value",
        "effect",
    ] {
        assert!(json[s]["top_features"][0].get(key).is_some(), "{key}");
    }
}

#[test]
fn the_sample_segments_are_stable_and_match_the_personas() {
    let (_, _, rows, x, seg) = sample_segments();
    let persona = personas();
    let codes: Vec<usize> = rows
        .iter()
        .map(|&r| match persona[r].as_str() {
            "bargain_hunter" => 0,
            "lapsed" => 1,
            "loyal_high_spender" => 2,
            "new_customer" => 3,
            _ => 4,
        })
        .collect();
    assert!(adjusted_rand_score(&codes, &seg.labels).unwrap() > 0.8);
    let s = stability_of(
        x.view(),
        &seg,
        FitOptions {
            method: Method::Kmeans,
            seed: 0,
            n_init: 3,
            ..FitOptions::default()
        },
        &StabilityOptions {
            resamples: 10,
            ..StabilityOptions::default()
        },
        &Progress::new(),
    )
    .unwrap();
    assert!(!s.subsampled);
    assert!(s.ari_mean > 0.9, "{s:?}");
    assert!(
        s.verdicts
            .iter()
            .all(|v| matches!(v, Verdict::Stable | Verdict::Valid)),
        "{s:?}"
    );
}
