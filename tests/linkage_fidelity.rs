//! Hierarchical clustering against scipy (tests/fixtures/linkage_expected.json from
//! scripts/make_linkage_fixtures.py): heights, flat cuts by k and by height, leaf order, errors.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures

use ndarray::Array2;
use segscope::cluster::canonical_labels;
use segscope::cluster::hierarchy::{
    EXACT_MAX_ROWS, Linkage, cut_height, cut_k, height_for_k, leaf_order, linkage,
};
use segscope::jobs::Progress;
use serde_json::Value;

fn fixtures() -> Value {
    let text = std::fs::read_to_string("tests/fixtures/linkage_expected.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let d = rows[0].len();
    Array2::from_shape_vec((rows.len(), d), rows.concat()).unwrap()
}

/// scipy's 1-based fcluster labels, renumbered canonically.
fn canon(v: &Value) -> Vec<usize> {
    let l: Vec<usize> = serde_json::from_value(v.clone()).unwrap();
    let l: Vec<usize> = l.iter().map(|x| x - 1).collect();
    let k = l.iter().max().unwrap() + 1;
    canonical_labels(&l, k).0
}

#[test]
fn matches_scipy() {
    let fx = fixtures();
    let mut max_diff = 0.0f64;
    for (name, set) in fx["datasets"].as_object().unwrap() {
        let x = matrix(&set["x"]);
        for (mname, expected) in set["methods"].as_object().unwrap() {
            let method: Linkage = mname.parse().unwrap();
            let d = linkage(x.view(), method, &Progress::new()).unwrap();
            let z = matrix(&expected["linkage"]);
            assert_eq!(d.merges.len(), z.nrows());
            let mut ours: Vec<f64> = d.merges.iter().map(|m| m.height).collect();
            let mut theirs: Vec<f64> = z.column(2).to_vec();
            ours.sort_by(f64::total_cmp);
            theirs.sort_by(f64::total_cmp);
            for (a, b) in ours.iter().zip(&theirs) {
                max_diff = max_diff.max((a - b).abs());
                assert!((a - b).abs() < 1e-9, "{name}/{mname}: height {a} vs {b}");
            }
            assert_eq!(d.merges.last().unwrap().size, x.nrows());
            for m in &d.merges {
                assert!(m.a < m.b);
            }
            for (k, labels) in expected["maxclust"].as_object().unwrap() {
                let k: usize = k.parse().unwrap();
                let ours = cut_k(&d, k).unwrap();
                assert_eq!(ours, canon(labels), "{name}/{mname}: cut_k({k})");
                let at = cut_height(&d, height_for_k(&d, k)).unwrap();
                assert_eq!(at, ours, "{name}/{mname}: height_for_k({k})");
            }
            for cut in expected["distance"].as_array().unwrap() {
                let h = cut["height"].as_f64().unwrap();
                assert_eq!(
                    cut_height(&d, h).unwrap(),
                    canon(&cut["labels"]),
                    "{name}/{mname}: cut_height({h})"
                );
            }
            if name == "random" {
                let leaves: Vec<usize> =
                    serde_json::from_value(expected["leaves"].clone()).unwrap();
                assert_eq!(leaf_order(&d), leaves, "{name}/{mname}: leaves_list");
                // No ties: the whole linkage matrix matches.
                for (m, row) in d.to_linkage_matrix().iter().zip(z.outer_iter()) {
                    assert_eq!(m[0], row[0], "{name}/{mname}");
                    assert_eq!(m[1], row[1], "{name}/{mname}");
                    assert_eq!(m[3], row[3], "{name}/{mname}");
                }
            }
        }
    }
    eprintln!("max height difference vs scipy: {max_diff:e}");
}

#[test]
fn bad_cuts_are_refused() {
    let fx = fixtures();
    let x = matrix(&fx["datasets"]["usarrests"]["x"]);
    let d = linkage(x.view(), Linkage::Ward, &Progress::new()).unwrap();
    assert!(cut_k(&d, 0).is_err());
    assert!(cut_k(&d, 51).unwrap_err().to_string().contains("50"));
    assert_eq!(cut_k(&d, 50).unwrap(), (0..50).collect::<Vec<_>>());
    assert!(cut_height(&d, -1.0).is_err());
    let root = d.merges.last().unwrap().height;
    let e = cut_height(&d, root + 1.0).unwrap_err().to_string();
    assert!(e.contains("root") && e.contains(&format!("{root}")), "{e}");
    assert_eq!(cut_height(&d, root).unwrap(), vec![0; 50]);
}

#[test]
fn too_many_rows_are_refused_before_allocating() {
    // 200k × 1 is 1.6 MB of input; the condensed matrix would be ~149 GiB. The check must come first.
    let x = Array2::<f64>::zeros((200_000, 1));
    let e = linkage(x.view(), Linkage::Ward, &Progress::new())
        .unwrap_err()
        .to_string();
    assert!(e.contains("149.0 GiB"), "{e}");
    assert!(e.contains("approximate"), "{e}");
    assert!(e.contains(&EXACT_MAX_ROWS.to_string()), "{e}");
}

#[test]
fn cancellation() {
    let x = Array2::from_shape_fn((3000, 4), |(i, j)| ((i * 31 + j * 17) % 101) as f64);
    let p = Progress::new();
    p.cancel();
    let r = linkage(x.view(), Linkage::Average, &p);
    assert!(matches!(r, Err(segscope::Error::Cancelled)));
}
