//! Tests of the segment model: applying a model to its training data gives the labels the fit gave (every
//! method, with imputation and one-hot encoding), rows are scored on their own, drift is stable on a
//! same-distribution half and "retrain" on a shifted column, and damaged inputs are clear errors.

use std::fmt::Write as _;

use super::*;
use crate::analysis::{ModelSpec, Policy, Target, fit_segments, prepare};
use crate::cluster::CovarianceType;
use crate::data::{LoadOptions, load_bytes};
use crate::jobs::Progress;
use crate::model::apply::apply;
use crate::prep::{Impute, Preparation};

fn table(csv: &str) -> Table {
    load_bytes(
        csv.as_bytes().to_vec(),
        "train.csv",
        &LoadOptions::default(),
        &Progress::new(),
    )
    .unwrap()
}

/// Three groups, a categorical column with a missing cell now and then, a numeric column with gaps.
fn csv(n: usize, seed: u64, scale_b: f64) -> String {
    let mut r = crate::rng::Rng::new(seed);
    let mut s = String::from("id,a,b,region\n");
    for i in 0..n {
        let c = (i % 3) as f64 * 6.0;
        let a = if i % 17 == 0 {
            String::new()
        } else {
            format!("{:.4}", c + r.normal())
        };
        let region = match i % 11 {
            0 => "",
            k if k < 5 => "north",
            _ => "south",
        };
        writeln!(s, "{i},{a},{:.4},{region}", (-c + r.normal()) * scale_b).unwrap();
    }
    s
}

fn fitted(text: &str, spec: &ModelSpec, k: usize) -> (Table, PreparedData, SegResult) {
    let t = table(text);
    let mut prep = Preparation::new(vec!["a".into(), "b".into(), "region".into()]);
    prep.impute_columns.insert("a".into(), Impute::Mean);
    let data = prepare(&t, &prep, 0, &Progress::new()).unwrap();
    let r = fit_segments(
        &t,
        &data,
        spec,
        Target::K(k),
        &Policy::default(),
        None,
        &Progress::new(),
    )
    .unwrap();
    (t, data, r)
}

fn applied(model: &SegmentModel, text: &str) -> (Vec<String>, apply::ApplySummary) {
    let mut out = Vec::new();
    let summary = apply(
        model,
        text.as_bytes(),
        "new.csv",
        &mut out,
        true,
        &Progress::new(),
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "segment")
        .unwrap();
    let labels = rdr
        .records()
        .map(|r| r.unwrap().get(col).unwrap().to_owned())
        .collect();
    (labels, summary)
}

#[test]
fn applying_a_model_to_its_training_data_gives_the_fit_labels() {
    let text = csv(600, 3, 1.0);
    for (spec, k) in [
        (ModelSpec::default(), 3),
        (
            ModelSpec {
                method: Method::Gmm,
                seed: 2,
                ..ModelSpec::default()
            },
            3,
        ),
        (
            ModelSpec {
                method: Method::Gmm,
                covariance: CovarianceType::Diag,
                ..ModelSpec::default()
            },
            4,
        ),
        (
            ModelSpec {
                method: Method::Ward,
                ..ModelSpec::default()
            },
            5,
        ),
        (
            ModelSpec {
                method: Method::Average,
                ..ModelSpec::default()
            },
            3,
        ),
    ] {
        let (t, data, r) = fitted(&text, &spec, k);
        let model = SegmentModel::from_result(&t, &data, &r).unwrap();
        let model = SegmentModel::from_json(&model.to_json().unwrap(), "m.json").unwrap();
        let (labels, summary) = applied(&model, &text);
        let expected: Vec<String> = r.seg.labels.iter().map(ToString::to_string).collect();
        assert_eq!(labels, expected, "{:?}", spec.method);
        assert_eq!(summary.sizes, r.sizes());
        let drift = summary.drift.unwrap();
        assert_eq!(drift.verdict, drift::Verdict::Stable);
        assert!(drift.segment_psi.abs() < 1e-12);
    }
}

#[test]
fn a_tree_on_micro_clusters_scores_like_its_training_rows() {
    // Above the exact limit the tree is built on micro-clusters: rows are scored by the nearest one.
    let text = csv(21_000, 8, 1.0);
    let spec = ModelSpec {
        method: Method::Ward,
        ..ModelSpec::default()
    };
    let (t, data, r) = fitted(&text, &spec, 3);
    assert!(r.seg.approximate);
    let model = SegmentModel::from_result(&t, &data, &r).unwrap();
    assert!(matches!(model.scorer, Scorer::NearestLeaf { .. }));
    let (labels, _) = applied(&model, &text);
    let expected: Vec<String> = r.seg.labels.iter().map(ToString::to_string).collect();
    assert_eq!(labels, expected);
}

#[test]
fn each_row_is_scored_on_its_own_and_lines_keep_their_bytes() {
    let text = csv(300, 5, 1.0);
    let (t, data, r) = fitted(&text, &ModelSpec::default(), 3);
    let model = SegmentModel::from_result(&t, &data, &r).unwrap();
    let (all, _) = applied(&model, &text);
    let lines: Vec<&str> = text.lines().collect();
    for i in [1usize, 7, 100, 299] {
        let one = format!("{}\n{}\n", lines[0], lines[i]);
        let (labels, _) = applied(&model, &one);
        assert_eq!(labels, [all[i - 1].clone()], "row {i}");
    }
    // CRLF endings, a blank line and a quoted line break survive byte for byte; extra columns are ignored.
    let input = "extra,id,a,b,region\r\n\"x\ny\",1,0.5,0.2,north\r\n\r\nz,2,6.1,-5.9,south\r\n";
    let mut out = Vec::new();
    let s = apply(
        &model,
        input.as_bytes(),
        "n.csv",
        &mut out,
        false,
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(s.n_rows, 2);
    let out = String::from_utf8(out).unwrap();
    let out_lines: Vec<&str> = out.split_inclusive('\n').collect();
    assert!(
        out_lines[0].starts_with("extra,id,a,b,region,segment,segment_name,distance_to_centre")
    );
    assert!(out_lines[0].ends_with("\r\n"));
    assert!(out.contains("\"x\ny\",1,0.5,0.2,north,"), "{out}");
    assert!(out.contains("\r\n\r\nz,2,6.1,-5.9,south,"), "{out}");
}

#[test]
fn drift_is_stable_on_a_same_distribution_half_and_retrain_on_a_shifted_column() {
    let text = std::fs::read_to_string("assets/sample_customers.csv").unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let (mut train, mut test) = (format!("{header}\n"), format!("{header}\n"));
    let mut r = crate::rng::Rng::new(42);
    for l in lines {
        if r.uniform() < 0.5 {
            writeln!(train, "{l}").unwrap();
        } else {
            writeln!(test, "{l}").unwrap();
        }
    }
    let t = table(&train);
    let prep = Preparation::new(crate::prep::select::select_features(&t, &[], &[]).unwrap());
    let data = prepare(&t, &prep, 0, &Progress::new()).unwrap();
    let res = fit_segments(
        &t,
        &data,
        &ModelSpec::default(),
        Target::K(5),
        &Policy::default(),
        None,
        &Progress::new(),
    )
    .unwrap();
    let model = SegmentModel::from_result(&t, &data, &res).unwrap();
    let (_, s) = applied(&model, &test);
    let d = s.drift.unwrap();
    assert_eq!(d.verdict, drift::Verdict::Stable, "{d:#?}");
    assert!(
        d.features
            .iter()
            .all(|f| f.verdict == drift::Verdict::Stable)
    );
    // The same half with total_spent multiplied by 1.5.
    let col = header.split(',').position(|h| h == "total_spent").unwrap();
    let mut shifted = format!("{header}\n");
    for l in test.lines().skip(1) {
        let mut cells: Vec<String> = l.split(',').map(str::to_owned).collect();
        if let Ok(v) = cells[col].parse::<f64>() {
            cells[col] = format!("{:.2}", v * 1.5);
        }
        writeln!(shifted, "{}", cells.join(",")).unwrap();
    }
    let (_, s) = applied(&model, &shifted);
    let d = s.drift.unwrap();
    assert_eq!(d.verdict, drift::Verdict::Retrain, "{d:#?}");
    assert_eq!(d.drivers.first().map(String::as_str), Some("total_spent"));
    let ts = d.features.iter().find(|f| f.name == "total_spent").unwrap();
    assert_eq!(ts.verdict, drift::Verdict::Retrain);
    assert!(s.out_of_range.contains_key("total_spent"));
}

#[test]
fn unseen_levels_and_out_of_range_values_are_counted_not_fatal() {
    let text = csv(300, 5, 1.0);
    let (t, data, r) = fitted(&text, &ModelSpec::default(), 3);
    let model = SegmentModel::from_result(&t, &data, &r).unwrap();
    let (labels, s) = applied(&model, "id,a,b,region\n1,500,0,east\n2,0.1,0.1,north\n");
    assert_eq!(labels.len(), 2);
    assert_eq!(s.unseen_levels.get("region"), Some(&1));
    assert_eq!(s.out_of_range.get("a"), Some(&1));
}

#[test]
fn bad_inputs_are_clear_errors() {
    let text = csv(200, 5, 1.0);
    let (t, data, r) = fitted(&text, &ModelSpec::default(), 3);
    let model = SegmentModel::from_result(&t, &data, &r).unwrap();
    let json = model.to_json().unwrap();
    let future = json.replacen("\"version\":1", "\"version\":9", 1);
    let e = SegmentModel::from_json(&future, "m.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("newer"), "{e}");
    let e = SegmentModel::from_json(&json[..json.len() / 2], "m.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("truncated") && e.contains("m.json"), "{e}");
    let e = SegmentModel::from_json(r#"{"version":1,"features":["a"]}"#, "r.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("looks like a recipe"), "{e}");
    let run = |input: &str| {
        apply(
            &model,
            input.as_bytes(),
            "new.csv",
            &mut Vec::new(),
            false,
            &Progress::new(),
        )
        .unwrap_err()
        .to_string()
    };
    let e = run("id,a,region\n1,2,north\n");
    assert!(e.contains("lacks column(s) the model needs: b"), "{e}");
    let mut wrong = String::from("id,a,b,region\n");
    for i in 0..20 {
        writeln!(wrong, "{i},word{i},1.0,north").unwrap();
    }
    let e = run(&wrong);
    assert!(e.contains("column 'a'") && e.contains("not numbers"), "{e}");
    assert!(run("").contains("empty"));
    assert!(run("id,a,b,region\n").contains("no data rows"));
}

#[test]
fn an_older_model_file_still_loads_and_scores() {
    // Written by version 1 of the format (tests/fixtures/model_v1.json); later versions must read it.
    let m = SegmentModel::from_path(std::path::Path::new("tests/fixtures/model_v1.json")).unwrap();
    assert_eq!(m.version, 1);
    let (labels, s) = applied(&m, "id,a,b,region\n1,0.1,0.2,north\n2,12.0,-11.8,south\n");
    assert_eq!(labels.len(), 2);
    assert_eq!(s.sizes.iter().sum::<usize>(), 2);
}

#[test]
fn a_density_model_reproduces_core_rows_and_sends_the_rest_to_outlier() {
    let text = csv(600, 3, 1.0);
    for (spec, expect_noise) in [
        (
            ModelSpec {
                method: Method::Dbscan,
                eps: Some(0.3),
                min_samples: Some(5),
                ..ModelSpec::default()
            },
            true,
        ),
        // So wide that every row is in a cluster: the model still has an outlier segment.
        (
            ModelSpec {
                method: Method::Dbscan,
                eps: Some(50.0),
                min_samples: Some(2),
                ..ModelSpec::default()
            },
            false,
        ),
        (
            ModelSpec {
                method: Method::Optics,
                min_samples: Some(8),
                ..ModelSpec::default()
            },
            true,
        ),
    ] {
        let (t, data, r) = fitted(&text, &spec, 0);
        let dens = r.seg.density.as_ref().unwrap();
        assert_eq!(dens.n_noise > 0, expect_noise, "{spec:?}");
        let model = SegmentModel::from_result(&t, &data, &r).unwrap();
        let model = SegmentModel::from_json(&model.to_json().unwrap(), "m.json").unwrap();
        let outlier = model.outlier_segment().unwrap();
        assert_eq!(outlier + 1, model.info.k);
        assert_eq!(model.segments[outlier].name, "outlier");
        assert_eq!(model.info.k, dens.n_clusters + 1);
        assert_eq!(model.info.min_samples, spec.min_samples);
        let (labels, summary) = applied(&model, &text);
        let expected = |i: usize| {
            let l = r.seg.labels[i];
            if r.seg.noise_segment() == Some(l) {
                "outlier".to_owned()
            } else {
                l.to_string()
            }
        };
        for &i in &dens.core_rows {
            assert_eq!(labels[i], expected(i), "core row {i}");
        }
        for (i, &l) in r.seg.labels.iter().enumerate() {
            if r.seg.noise_segment() == Some(l) {
                assert_eq!(labels[i], "outlier", "noise row {i}");
            }
        }
        assert_eq!(
            summary.sizes[outlier],
            labels.iter().filter(|l| *l == "outlier").count()
        );
        // A customer far from every core row is an outlier.
        let (far, _) = applied(&model, "id,a,b,region\n1,500,-500,north\n");
        assert_eq!(far, ["outlier"], "{spec:?}");
        let e = crate::model::sql::to_sql(&model, crate::model::sql::Dialect::Sqlite, "t");
        assert!(e.unwrap_err().to_string().contains("eps"));
    }
}

#[test]
fn a_damaged_density_scorer_is_refused() {
    let good = Scorer::NearestCore {
        rows: vec![vec![0.0, 1.0]],
        labels: vec![0],
        eps: Some(0.5),
        radii: Vec::new(),
        outlier: 1,
    };
    assert!(good.check(2, 2).is_ok());
    let bad = |s: Scorer| assert!(s.check(2, 2).is_err(), "{s:?}");
    let Scorer::NearestCore {
        rows,
        labels,
        eps,
        radii,
        outlier,
    } = good
    else {
        unreachable!()
    };
    bad(Scorer::NearestCore {
        rows: rows.clone(),
        labels: labels.clone(),
        eps: None,
        radii: radii.clone(),
        outlier,
    });
    bad(Scorer::NearestCore {
        rows: rows.clone(),
        labels: vec![2],
        eps,
        radii: radii.clone(),
        outlier,
    });
    bad(Scorer::NearestCore {
        rows: rows.clone(),
        labels: labels.clone(),
        eps: Some(f64::NAN),
        radii: radii.clone(),
        outlier,
    });
    bad(Scorer::NearestCore {
        rows,
        labels,
        eps,
        radii,
        outlier: 0,
    });
}
