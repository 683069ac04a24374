//! Approximate hierarchical clustering for large data: micro-clusters, then weighted linkage.
//!
//! 1. A random sample of `25 × n_micro` rows (at least 50,000, at most all rows) is summarised by
//!    `n_micro` k-means centres: random distinct sample rows as seeds, then 10 Lloyd iterations.
//! 2. Every row is assigned to its nearest centre (parallel, in cancellable blocks); micro-cluster
//!    centroids are recomputed as the means of their rows; empty ones are dropped.
//! 3. The centroids are clustered with size-weighted linkage (see `nnchain.rs`).
//!
//! Memory: O(n) for the assignment plus O(m²) for the micro-cluster distances (2,000 → 16 MB).

use ndarray::{Array2, ArrayView2, Axis, Slice};

use super::{Dendrogram, Linkage, check_input, linkage, nnchain};
use crate::cluster::nearest_centroids;
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;

/// Default number of micro-clusters.
pub const DEFAULT_MICRO_CLUSTERS: usize = 2000;

const LLOYD_ITERS: usize = 10;
const BLOCK: usize = 16_384;

/// Approximate linkage: `n_micro` k-means micro-clusters, then `method` on their size-weighted centroids.
/// With no more rows than `n_micro`, this is the exact [`linkage`] (not flagged approximate).
pub fn linkage_approx(
    x: ArrayView2<f64>,
    method: Linkage,
    n_micro: usize,
    seed: u64,
    progress: &Progress,
) -> Result<Dendrogram> {
    check_input(x)?;
    if n_micro < 2 {
        return Err(Error::InvalidParameter(format!(
            "the approximate mode needs at least 2 micro-clusters, got {n_micro}"
        )));
    }
    let (n, d) = x.dim();
    if n <= n_micro {
        return linkage(x, method, progress);
    }
    crate::cluster::check_finite(x)?;
    let mut rng = Rng::new(seed);

    // 1. Sample and seed.
    let sample_n = (n_micro * 25).max(50_000).min(n);
    let mut idx: Vec<usize> = (0..n).collect();
    for i in 0..sample_n {
        let j = i + rng.below(n - i);
        idx.swap(i, j);
    }
    idx.truncate(sample_n);
    let mut sample = Array2::<f64>::zeros((sample_n, d));
    for (r, &i) in idx.iter().enumerate() {
        sample.row_mut(r).assign(&x.row(i));
    }
    drop(idx);
    let mut centres = sample
        .slice_axis(Axis(0), Slice::from(0..n_micro))
        .to_owned();
    progress.set_stage("micro-clusters", LLOYD_ITERS as u64);
    for _ in 0..LLOYD_ITERS {
        progress.check()?;
        let (labels, _) = nearest_centroids(sample.view(), centres.view());
        let changed = recompute(sample.view(), &labels, &mut centres);
        progress.add(1);
        if !changed {
            break;
        }
    }

    // 2. Assign every row.
    progress.set_stage("assigning rows to micro-clusters", n as u64);
    let mut labels = Vec::with_capacity(n);
    let mut start = 0;
    while start < n {
        progress.check()?;
        let end = (start + BLOCK).min(n);
        let (l, _) = nearest_centroids(
            x.slice_axis(Axis(0), Slice::from(start..end)),
            centres.view(),
        );
        labels.extend(l);
        progress.add((end - start) as u64);
        start = end;
    }
    let assign_centres = centres.clone();
    recompute(x, &labels, &mut centres);
    let mut counts = vec![0usize; n_micro];
    for &l in &labels {
        counts[l] += 1;
    }
    // Drop empty micro-clusters and renumber.
    let mut new_id = vec![usize::MAX; n_micro];
    let mut weights = Vec::new();
    let mut points = Vec::new();
    let mut assigned_to = Vec::new();
    for (c, &cnt) in counts.iter().enumerate() {
        if cnt > 0 {
            new_id[c] = weights.len();
            weights.push(cnt);
            points.extend(centres.row(c).iter().copied());
            assigned_to.extend(assign_centres.row(c).iter().copied());
        }
    }
    for l in &mut labels {
        *l = new_id[*l];
    }
    progress.check()?;

    // 3. Weighted linkage on the centroids.
    progress.set_stage("linkage of micro-clusters", 0);
    let w: Vec<f64> = weights.iter().map(|&c| c as f64).collect();
    let merges = nnchain::weighted_linkage(&points, d, &w, method, progress)?;
    Ok(Dendrogram {
        n_leaves: weights.len(),
        merges,
        method,
        approximate: true,
        leaf_weights: Some(weights),
        leaf_of_row: Some(labels),
        leaf_centres: Some(assigned_to),
    })
}

/// Means of the rows of each label into `centres` (empty clusters keep their centre). Returns whether any
/// centre moved.
fn recompute(x: ArrayView2<f64>, labels: &[usize], centres: &mut Array2<f64>) -> bool {
    let (k, d) = centres.dim();
    let mut sum = vec![0.0f64; k * d];
    let mut cnt = vec![0usize; k];
    for (row, &l) in x.outer_iter().zip(labels) {
        cnt[l] += 1;
        for (s, v) in sum[l * d..(l + 1) * d].iter_mut().zip(row.iter()) {
            *s += v;
        }
    }
    let mut changed = false;
    for c in 0..k {
        if cnt[c] == 0 {
            continue;
        }
        for j in 0..d {
            let v = sum[c * d + j] / cnt[c] as f64;
            if v != centres[[c, j]] {
                changed = true;
                centres[[c, j]] = v;
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::hierarchy::{cut_k, labels_for_rows, sizes_at_cut};

    fn blobs(n: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let centres = [
            [0.0, 0.0, 0.0],
            [20.0, 0.0, 0.0],
            [0.0, 20.0, 0.0],
            [0.0, 0.0, 20.0],
        ];
        let sizes = [0.4, 0.3, 0.2, 0.1];
        let mut rng = Rng::new(seed);
        let mut truth = Vec::with_capacity(n);
        let x = Array2::from_shape_fn((n, 3), |(i, j)| {
            let f = i as f64 / n as f64;
            let mut acc = 0.0;
            let mut b = 0;
            for (c, s) in sizes.iter().enumerate() {
                acc += s;
                if f < acc {
                    b = c;
                    break;
                }
            }
            if j == 0 {
                truth.push(b);
            }
            centres[b][j] + rng.normal()
        });
        (x, truth)
    }

    #[test]
    fn blobs_are_recovered() {
        let (x, truth) = blobs(50_000, 3);
        for method in [Linkage::Ward, Linkage::Average] {
            let d = linkage_approx(x.view(), method, 500, 1, &Progress::new()).unwrap();
            assert!(d.approximate);
            assert_eq!(d.merges.len(), d.n_leaves - 1);
            assert_eq!(d.merges.last().unwrap().size, 50_000);
            let leaf = cut_k(&d, 4).unwrap();
            let rows = labels_for_rows(&d, &leaf).unwrap();
            // canonical: blob sizes 40/30/20/10 % -> labels equal the blob index
            assert_eq!(rows, truth, "{method}");
            assert_eq!(sizes_at_cut(&d, &leaf), vec![20_000, 15_000, 10_000, 5_000]);
        }
    }

    #[test]
    fn cancellation_is_honoured() {
        let (x, _) = blobs(60_000, 4);
        let p = Progress::new();
        p.cancel();
        let r = linkage_approx(x.view(), Linkage::Ward, 200, 0, &p);
        assert!(matches!(r, Err(Error::Cancelled)));
    }

    #[test]
    fn small_inputs_fall_back_to_exact() {
        let (x, _) = blobs(300, 5);
        let d = linkage_approx(x.view(), Linkage::Ward, 2000, 0, &Progress::new()).unwrap();
        assert!(!d.approximate);
        assert!(linkage_approx(x.view(), Linkage::Ward, 1, 0, &Progress::new()).is_err());
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// `cargo test --release --no-default-features --lib timing_1m -- --ignored --nocapture`
    #[test]
    #[ignore = "slow: 1M × 10 timing"]
    fn timing_1m_x10() {
        let mut rng = Rng::new(9);
        let x = Array2::from_shape_fn((1_000_000, 10), |(i, _)| {
            (i % 5) as f64 * 10.0 + rng.normal()
        });
        let t = std::time::Instant::now();
        let d = linkage_approx(
            x.view(),
            Linkage::Ward,
            DEFAULT_MICRO_CLUSTERS,
            0,
            &Progress::new(),
        )
        .unwrap();
        eprintln!(
            "1M x 10 approximate Ward: {:?}, {} leaves",
            t.elapsed(),
            d.n_leaves
        );
    }
}
