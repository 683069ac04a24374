//! K-Means as scikit-learn does it: greedy k-means++ seeding (2 + ln k local trials), Lloyd iterations
//! parallel over blocks of rows (rayon) with f64 accumulation, convergence when labels stop changing or the
//! squared centre shift falls below `tol × mean feature variance`, empty clusters refilled with the points
//! farthest from their centres, `n_init` restarts keeping the lowest inertia (a sum of squares, as
//! sklearn's `inertia_`). Deterministic for a seed whatever the thread count: blocks are fixed and reduced
//! in order.
//!
//! Why not linfa-clustering: its `inertia()` is a mean, memberships can come from the last init rather than
//! the best one, and it cannot be cancelled; see docs/decisions.md.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;

const BLOCK: usize = 4096;

/// K-Means settings (sklearn defaults).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KMeansParams {
    /// Number of clusters.
    pub k: usize,
    /// Restarts; the lowest inertia wins.
    pub n_init: usize,
    /// Iterations per restart.
    pub max_iter: usize,
    /// Relative tolerance on the squared centre shift.
    pub tol: f64,
    /// Random seed.
    pub seed: u64,
}

impl KMeansParams {
    /// sklearn's defaults for `k` clusters: 10 restarts, 300 iterations, tol 1e-4, seed 0.
    pub fn new(k: usize) -> Self {
        Self {
            k,
            n_init: 10,
            max_iter: 300,
            tol: 1e-4,
            seed: 0,
        }
    }

    /// Checks the parameters against a data size.
    pub fn check(&self, n_rows: usize) -> Result<()> {
        if self.k == 0 {
            return Err(Error::InvalidParameter("k must be at least 1".into()));
        }
        if self.k > n_rows {
            return Err(Error::InvalidParameter(format!(
                "k = {} is more than the {n_rows} rows; choose k ≤ {n_rows}",
                self.k
            )));
        }
        if self.n_init == 0 || self.max_iter == 0 {
            return Err(Error::InvalidParameter(
                "n_init and max_iter must be at least 1".into(),
            ));
        }
        if self.tol.is_nan() || self.tol < 0.0 {
            return Err(Error::InvalidParameter("tol must be ≥ 0".into()));
        }
        Ok(())
    }
}

/// A fitted k-means model.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    /// k × d centres.
    pub centroids: Array2<f64>,
    /// Cluster of each row (as found; see [`super::canonical_labels`] for display order).
    pub labels: Vec<usize>,
    /// Sum of squared distances of rows to their centre.
    pub inertia: f64,
    /// Lloyd iterations of the winning restart.
    pub n_iter: usize,
}

/// Fits k-means on the rows of `x` (no missing values).
pub fn kmeans(x: ArrayView2<f64>, params: &KMeansParams, progress: &Progress) -> Result<KMeans> {
    let (n, d) = x.dim();
    params.check(n)?;
    if d == 0 {
        return Err(Error::InvalidParameter("no features to cluster on".into()));
    }
    super::check_finite(x)?;
    let x = x.as_standard_layout();
    let data = x
        .as_slice()
        .ok_or_else(|| Error::InvalidParameter("internal: matrix is not contiguous".into()))?;
    let tol = mean_variance(data, n, d) * params.tol;
    progress.set_stage("k-means", params.n_init as u64);
    let mut rng = Rng::new(params.seed);
    let mut best: Option<KMeans> = None;
    for _ in 0..params.n_init {
        progress.check()?;
        let mut r = rng.fork();
        let init = kmeans_plus_plus(data, n, d, params.k, &mut r, progress)?;
        let run = lloyd(data, n, d, init, params.max_iter, tol, progress)?;
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
        progress.add(1);
    }
    best.ok_or(Error::InvalidParameter("n_init must be at least 1".into()))
}

/// Nearest centre of every row and the squared distance to it.
pub fn nearest_centroids(x: ArrayView2<f64>, centroids: ArrayView2<f64>) -> (Vec<usize>, Vec<f64>) {
    let x = x.as_standard_layout();
    let c = centroids.as_standard_layout();
    let d = x.ncols();
    let (Some(data), Some(cs)) = (x.as_slice(), c.as_slice()) else {
        return (Vec::new(), Vec::new());
    };
    data.par_chunks(d.max(1))
        .map(|row| nearest(row, cs, d))
        .unzip()
}

fn nearest(row: &[f64], centers: &[f64], d: usize) -> (usize, f64) {
    let mut best = (0usize, f64::INFINITY);
    for (j, c) in centers.chunks_exact(d).enumerate() {
        let dist = sq_dist(row, c);
        if dist < best.1 {
            best = (j, dist);
        }
    }
    best
}

#[inline]
fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn mean_variance(data: &[f64], n: usize, d: usize) -> f64 {
    let mut total = 0.0;
    for j in 0..d {
        let mean = data.iter().skip(j).step_by(d).sum::<f64>() / n as f64;
        let var = data
            .iter()
            .skip(j)
            .step_by(d)
            .map(|v| (v - mean) * (v - mean))
            .sum::<f64>()
            / n as f64;
        total += var;
    }
    total / d as f64
}

/// sklearn's greedy k-means++.
fn kmeans_plus_plus(
    data: &[f64],
    n: usize,
    d: usize,
    k: usize,
    rng: &mut Rng,
    progress: &Progress,
) -> Result<Vec<f64>> {
    let trials = 2 + (k as f64).ln() as usize;
    let mut centers = Vec::with_capacity(k * d);
    let first = rng.below(n);
    centers.extend_from_slice(&data[first * d..(first + 1) * d]);
    let mut closest: Vec<f64> = data
        .par_chunks(d)
        .map(|r| sq_dist(r, &centers[..d]))
        .collect();
    let mut pot: f64 = closest.iter().sum();
    for _ in 1..k {
        progress.check()?;
        let mut cum = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &c in &closest {
            acc += c;
            cum.push(acc);
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let v = rng.uniform() * pot;
                cum.partition_point(|&c| c < v).min(n - 1)
            })
            .collect();
        let mut best: Option<(f64, Vec<f64>, usize)> = None;
        for &cand in &candidates {
            let c = &data[cand * d..(cand + 1) * d];
            let dists: Vec<f64> = data
                .par_chunks(d)
                .zip(closest.par_iter())
                .map(|(r, &old)| sq_dist(r, c).min(old))
                .collect();
            let p: f64 = dists.iter().sum();
            if best.as_ref().is_none_or(|b| p < b.0) {
                best = Some((p, dists, cand));
            }
        }
        if let Some((p, dists, cand)) = best {
            pot = p;
            closest = dists;
            centers.extend_from_slice(&data[cand * d..(cand + 1) * d]);
        }
    }
    Ok(centers)
}

struct BlockStats {
    sums: Vec<f64>,
    counts: Vec<usize>,
    inertia: f64,
}

/// One assignment pass; returns per-cluster sums and counts, and the inertia.
fn assign(data: &[f64], d: usize, centers: &[f64], labels: &mut [usize]) -> BlockStats {
    let k = centers.len() / d;
    let parts: Vec<BlockStats> = data
        .par_chunks(BLOCK * d)
        .zip(labels.par_chunks_mut(BLOCK))
        .map(|(rows, labs)| {
            let mut s = BlockStats {
                sums: vec![0.0; k * d],
                counts: vec![0; k],
                inertia: 0.0,
            };
            for (row, lab) in rows.chunks_exact(d).zip(labs.iter_mut()) {
                let (j, dist) = nearest(row, centers, d);
                *lab = j;
                s.inertia += dist;
                s.counts[j] += 1;
                for (acc, v) in s.sums[j * d..(j + 1) * d].iter_mut().zip(row) {
                    *acc += v;
                }
            }
            s
        })
        .collect();
    let mut total = BlockStats {
        sums: vec![0.0; k * d],
        counts: vec![0; k],
        inertia: 0.0,
    };
    for p in parts {
        for (a, b) in total.sums.iter_mut().zip(&p.sums) {
            *a += b;
        }
        for (a, b) in total.counts.iter_mut().zip(&p.counts) {
            *a += b;
        }
        total.inertia += p.inertia;
    }
    total
}

fn lloyd(
    data: &[f64],
    n: usize,
    d: usize,
    mut centers: Vec<f64>,
    max_iter: usize,
    tol: f64,
    progress: &Progress,
) -> Result<KMeans> {
    let k = centers.len() / d;
    let mut labels = vec![usize::MAX; n];
    let mut old_labels = vec![usize::MAX; n];
    let mut n_iter = 0;
    for it in 0..max_iter {
        progress.check()?;
        n_iter = it + 1;
        let mut s = assign(data, d, &centers, &mut labels);
        relocate_empty(data, d, &centers, &labels, &mut s);
        let mut shift = 0.0;
        for j in 0..k {
            if s.counts[j] == 0 {
                continue;
            }
            let cnt = s.counts[j] as f64;
            for t in 0..d {
                let new = s.sums[j * d + t] / cnt;
                shift += (new - centers[j * d + t]).powi(2);
                centers[j * d + t] = new;
            }
        }
        if labels == old_labels {
            break;
        }
        if shift <= tol {
            break;
        }
        old_labels.copy_from_slice(&labels);
    }
    // Labels and inertia consistent with the final centres (sklearn's last E-step).
    let s = assign(data, d, &centers, &mut labels);
    let centroids = Array2::from_shape_vec((k, d), centers)
        .map_err(|e| Error::InvalidParameter(format!("internal: {e}")))?;
    Ok(KMeans {
        centroids,
        labels,
        inertia: s.inertia,
        n_iter,
    })
}

/// sklearn's `_relocate_empty_clusters`: each empty cluster takes one of the points farthest from their
/// centre.
fn relocate_empty(data: &[f64], d: usize, centers: &[f64], labels: &[usize], s: &mut BlockStats) {
    let empty: Vec<usize> = (0..s.counts.len()).filter(|&j| s.counts[j] == 0).collect();
    if empty.is_empty() {
        return;
    }
    let mut far: Vec<(f64, usize)> = data
        .chunks_exact(d)
        .zip(labels)
        .enumerate()
        .map(|(i, (row, &l))| (sq_dist(row, &centers[l * d..(l + 1) * d]), i))
        .collect();
    far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (&new, &(_, i)) in empty.iter().zip(&far) {
        let old = labels[i];
        if s.counts[old] <= 1 {
            continue;
        }
        let row = &data[i * d..(i + 1) * d];
        for (t, &v) in row.iter().enumerate() {
            s.sums[old * d + t] -= v;
            s.sums[new * d + t] = v;
        }
        s.counts[old] -= 1;
        s.counts[new] = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn blobs(n_per: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let centres = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]];
        let mut r = Rng::new(seed);
        let mut x = Array2::zeros((n_per * 4, 2));
        let mut truth = Vec::new();
        for (c, centre) in centres.iter().enumerate() {
            for i in 0..n_per {
                let row = c * n_per + i;
                x[[row, 0]] = centre[0] + r.normal();
                x[[row, 1]] = centre[1] + r.normal();
                truth.push(c);
            }
        }
        (x, truth)
    }

    #[test]
    fn recovers_separated_blobs() {
        let (x, truth) = blobs(200, 1);
        let m = kmeans(x.view(), &KMeansParams::new(4), &Progress::new()).unwrap();
        // Every true blob maps to exactly one cluster.
        for c in 0..4 {
            let labs: std::collections::HashSet<usize> = truth
                .iter()
                .zip(&m.labels)
                .filter(|(t, _)| **t == c)
                .map(|(_, l)| *l)
                .collect();
            assert_eq!(labs.len(), 1);
        }
        // Inertia is the sum of squared distances.
        let (_, d) = nearest_centroids(x.view(), m.centroids.view());
        assert!((d.iter().sum::<f64>() - m.inertia).abs() < 1e-9 * m.inertia);
    }

    #[test]
    fn deterministic_for_a_seed_and_thread_count() {
        let (x, _) = blobs(3000, 2);
        let p = KMeansParams {
            n_init: 3,
            ..KMeansParams::new(5)
        };
        let a = kmeans(x.view(), &p, &Progress::new()).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| kmeans(x.view(), &p, &Progress::new()).unwrap());
        assert_eq!(a, b);
    }

    #[test]
    fn bad_parameters_and_data() {
        let x = array![[0.0, 1.0], [2.0, 3.0]];
        let pr = Progress::new();
        assert!(kmeans(x.view(), &KMeansParams::new(0), &pr).is_err());
        let e = kmeans(x.view(), &KMeansParams::new(3), &pr).unwrap_err();
        assert!(e.to_string().contains("more than the 2 rows"), "{e}");
        let y = array![[0.0, f64::NAN], [2.0, 3.0]];
        let e = kmeans(y.view(), &KMeansParams::new(1), &pr).unwrap_err();
        assert!(e.to_string().contains("row 1 feature 2"), "{e}");
        pr.cancel();
        assert!(matches!(
            kmeans(x.view(), &KMeansParams::new(1), &pr),
            Err(Error::Cancelled)
        ));
    }

    #[test]
    fn identical_rows_give_zero_inertia() {
        let x = Array2::from_elem((10, 3), 2.5);
        let m = kmeans(x.view(), &KMeansParams::new(3), &Progress::new()).unwrap();
        assert_eq!(m.inertia, 0.0);
    }
}
