// Length: ~520 lines of code; the rest is its unit tests, kept beside the code they pin.
//! K-Means as scikit-learn does it: greedy k-means++ seeding (2 + ln k local trials), Lloyd iterations
//! parallel over blocks of rows (rayon) with f64 accumulation, convergence when labels stop changing or the
//! squared centre shift falls below `tol × mean feature variance`, empty clusters refilled with the points
//! farthest from their centres, `n_init` restarts keeping the lowest inertia (a sum of squares, as
//! sklearn's `inertia_`). Deterministic for a seed whatever the thread count: blocks are fixed and reduced
//! in order.
//!
//! Speed: distances are exact `Σ (x - c)²` (no `‖x‖² − 2x·c + ‖c‖²` cancellation), computed against
//! centres packed feature by feature in groups of `LANES` so the compiler keeps one row's distances to
//! several centres in SIMD registers. Each k-means++ step is a single pass over the rows: every local
//! trial is scored in that pass, and the winner's distances are folded into the running minimum at the
//! start of the next one. When the last Lloyd step leaves the centres bit-for-bit unchanged, its labels and
//! inertia are the final E-step's, which is then skipped (as sklearn does on strict convergence).
//!
//! After Lloyd, an optional Hartigan–Wong style pass ([`Refine`], in `refine.rs`) moves single points while
//! a move lowers the total inertia, centre shifts included: never worse than Lloyd, often better than
//! sklearn's best restart. The best restart is then improved by centre swaps (`swap.rs`: remove the
//! cheapest centre, add one where the data are worst served, settle again, keep it only if the inertia
//! drops). [`KMeansParams::new`] keeps sklearn's plain Lloyd; segscope's fits
//! (`analysis::FitOptions`) refine by default.
//!
//! Why not linfa-clustering: its `inertia()` is a mean, memberships can come from the last init rather than
//! the best one, and it cannot be cancelled; see docs/decisions.md.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;

mod refine;
mod swap;
pub use refine::Refine;

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
    /// What follows Lloyd's iterations of each restart.
    #[serde(default = "no_refine")]
    pub refine: Refine,
}

fn no_refine() -> Refine {
    Refine::None
}

impl KMeansParams {
    /// sklearn's defaults for `k` clusters: 10 restarts, 300 iterations, tol 1e-4, seed 0, plain Lloyd
    /// (no refinement).
    pub fn new(k: usize) -> Self {
        Self {
            k,
            n_init: 10,
            max_iter: 300,
            tol: 1e-4,
            seed: 0,
            refine: Refine::None,
        }
    }

    /// Checks the parameters against a data size.
    pub fn check(&self, n_rows: usize) -> Result<()> {
        super::check_iterative("k", self.k, n_rows, self.n_init, self.max_iter, self.tol)?;
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
    super::check_matrix(x)?;
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
        let mut run = lloyd(data, n, d, init, params.max_iter, tol, progress)?;
        if params.refine == Refine::HartiganWong {
            run = refined(data, d, run, params.max_iter, progress)?;
        }
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
        progress.add(1);
    }
    let best = best.ok_or(Error::InvalidParameter("n_init must be at least 1".into()))?;
    if params.refine != Refine::HartiganWong {
        return Ok(best);
    }
    // Centre swaps on the best restart (its own generator, so the restarts are those of plain Lloyd).
    progress.set_stage("k-means centre swaps", swap::MAX_TRIES as u64);
    let settle = swap::Settle {
        max_iter: params.max_iter,
        tol,
    };
    swap::improve(data, n, d, best, settle, &mut rng.fork(), progress)
}

/// A Lloyd solution after the Hartigan–Wong pass, with labels and inertia from a last assignment to the
/// refined centres (as Lloyd's own result).
fn refined(
    data: &[f64],
    d: usize,
    run: KMeans,
    max_rounds: usize,
    progress: &Progress,
) -> Result<KMeans> {
    let k = run.centroids.nrows();
    let start = run.centroids.as_standard_layout().into_owned();
    let mut centers: Vec<f64> = start.iter().copied().collect();
    let mut labels = run.labels;
    let moved = refine::hartigan_wong(data, d, &mut centers, &mut labels, max_rounds, progress)?;
    let same = centers
        .iter()
        .zip(start.iter())
        .all(|(a, b)| a.to_bits() == b.to_bits());
    if moved == 0 && same {
        return Ok(KMeans { labels, ..run });
    }
    let inertia = assign(data, d, &centers, &mut labels).inertia;
    let centroids = Array2::from_shape_vec((k, d), centers)
        .map_err(|e| Error::InvalidParameter(format!("internal: {e}")))?;
    Ok(KMeans {
        centroids,
        labels,
        inertia,
        n_iter: run.n_iter,
    })
}

/// Nearest centre of every row and the squared distance to it.
pub fn nearest_centroids(x: ArrayView2<f64>, centroids: ArrayView2<f64>) -> (Vec<usize>, Vec<f64>) {
    let x = x.as_standard_layout();
    let c = centroids.as_standard_layout();
    let d = x.ncols();
    let (Some(data), Some(cs)) = (x.as_slice(), c.as_slice()) else {
        return (Vec::new(), Vec::new());
    };
    if d == 0 {
        return (Vec::new(), Vec::new());
    }
    let n = data.len() / d;
    let packed = Packed::new(cs, d);
    let mut labels = vec![0usize; n];
    let mut dists = vec![0.0f64; n];
    data.par_chunks(BLOCK * d)
        .zip(labels.par_chunks_mut(BLOCK))
        .zip(dists.par_chunks_mut(BLOCK))
        .for_each(|((rows, labs), ds)| {
            for ((row, l), dist) in rows.chunks_exact(d).zip(labs).zip(ds) {
                (*l, *dist) = packed.nearest(row);
            }
        });
    (labels, dists)
}

/// Centres per SIMD group in [`Packed`].
const LANES: usize = 4;

/// Centres stored feature by feature in groups of [`LANES`]: `groups[g * d + j][l]` is feature `j` of
/// centre `g * LANES + l`. Missing centres of the last group are +∞, so they are never nearest.
struct Packed {
    groups: Vec<[f64; LANES]>,
    d: usize,
}

impl Packed {
    fn new(centers: &[f64], d: usize) -> Self {
        let k = centers.len() / d;
        let mut groups = vec![[f64::INFINITY; LANES]; k.div_ceil(LANES) * d];
        for (c, centre) in centers.chunks_exact(d).enumerate() {
            for (j, &v) in centre.iter().enumerate() {
                groups[(c / LANES) * d + j][c % LANES] = v;
            }
        }
        Self { groups, d }
    }

    /// Squared distances from `row` to the centres of group `g`, summed feature by feature in order
    /// (bit-for-bit [`sq_dist`]).
    #[inline]
    fn group(&self, g: &[[f64; LANES]], row: &[f64]) -> [f64; LANES] {
        debug_assert_eq!(g.len(), self.d);
        let mut acc = [0.0f64; LANES];
        for (c, &v) in g.iter().zip(row) {
            for (a, &cv) in acc.iter_mut().zip(c) {
                let diff = v - cv;
                *a += diff * diff;
            }
        }
        acc
    }

    /// Nearest centre and its squared distance; the first centre wins ties, as [`nearest`].
    #[inline]
    fn nearest(&self, row: &[f64]) -> (usize, f64) {
        let mut best = (0usize, f64::INFINITY);
        for (gi, g) in self.groups.chunks_exact(self.d).enumerate() {
            let acc = self.group(g, row);
            for (l, &dist) in acc.iter().enumerate() {
                if dist < best.1 {
                    best = (gi * LANES + l, dist);
                }
            }
        }
        best
    }

    /// Squared distances to every centre (and +∞ for the padding) into `out`.
    #[inline]
    fn distances(&self, row: &[f64], out: &mut [f64]) {
        for (g, o) in self
            .groups
            .chunks_exact(self.d)
            .zip(out.chunks_exact_mut(LANES))
        {
            o.copy_from_slice(&self.group(g, row));
        }
    }

    fn padded_len(&self) -> usize {
        self.groups.len() / self.d * LANES
    }
}

#[cfg(test)]
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

/// Mean over features of the (population) variance of each feature; blocks of rows in parallel,
/// reduced in order.
fn mean_variance(data: &[f64], n: usize, d: usize) -> f64 {
    let mean: Vec<f64> = column_sums(data, d, |_, v| v)
        .into_iter()
        .map(|s| s / n as f64)
        .collect();
    let var = column_sums(data, d, |j, v| (v - mean[j]) * (v - mean[j]));
    var.iter().map(|v| v / n as f64).sum::<f64>() / d as f64
}

/// `Σ_rows f(j, x[row, j])` for every feature `j`, over fixed blocks of rows reduced in order.
fn column_sums(data: &[f64], d: usize, f: impl Fn(usize, f64) -> f64 + Sync) -> Vec<f64> {
    let parts: Vec<Vec<f64>> = data
        .par_chunks(BLOCK * d)
        .map(|rows| {
            let mut s = vec![0.0f64; d];
            for row in rows.chunks_exact(d) {
                for (j, (a, &v)) in s.iter_mut().zip(row).enumerate() {
                    *a += f(j, v);
                }
            }
            s
        })
        .collect();
    let mut total = vec![0.0f64; d];
    for p in &parts {
        for (t, v) in total.iter_mut().zip(p) {
            *t += v;
        }
    }
    total
}

/// sklearn's greedy k-means++ seeding, as centre coordinates (`k × d`, row-major).
fn kmeans_plus_plus(
    data: &[f64],
    n: usize,
    d: usize,
    k: usize,
    rng: &mut Rng,
    progress: &Progress,
) -> Result<Vec<f64>> {
    let seeds = kmeans_plus_plus_rows(data, n, d, k, rng, progress)?;
    Ok(seeds
        .iter()
        .flat_map(|&i| data[i * d..(i + 1) * d].iter().copied())
        .collect())
}

/// sklearn's greedy k-means++: each new centre is the best (lowest potential) of `2 + ln k` rows drawn
/// with probability proportional to their squared distance to the nearest centre so far. Returns the
/// chosen rows, in order. The one k-means++ of the crate: k-means seeds its centres with it and the
/// Gaussian mixture's `init_params='k-means++'` its responsibilities.
///
/// One parallel pass over the rows per centre: it first folds the previous winner into `closest`, then
/// scores every trial. The potential is kept per block of rows so that drawing a row needs only the block
/// sums and one block.
pub(crate) fn kmeans_plus_plus_rows(
    data: &[f64],
    n: usize,
    d: usize,
    k: usize,
    rng: &mut Rng,
    progress: &Progress,
) -> Result<Vec<usize>> {
    let trials = 2 + (k as f64).ln() as usize;
    let first = rng.below(n);
    let mut seeds = Vec::with_capacity(k);
    seeds.push(first);
    let centers = &data[first * d..(first + 1) * d];
    let mut closest = vec![0.0f64; n];
    let mut block_sums: Vec<f64> = data
        .par_chunks(BLOCK * d)
        .zip(closest.par_chunks_mut(BLOCK))
        .map(|(rows, cl)| {
            let mut sum = 0.0;
            for (row, c) in rows.chunks_exact(d).zip(cl) {
                *c = sq_dist(row, centers);
                sum += *c;
            }
            sum
        })
        .collect();
    let mut pot: f64 = block_sums.iter().sum();
    // The last chosen centre, not yet folded into `closest`.
    let mut pending: Option<usize> = None;
    for _ in 1..k {
        progress.check()?;
        let pend = pending.map(|i| &data[i * d..(i + 1) * d]);
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let v = rng.uniform() * pot;
                draw(v, &block_sums, &closest, data, d, pend)
            })
            .collect();
        let cand: Vec<f64> = candidates
            .iter()
            .flat_map(|&c| data[c * d..(c + 1) * d].iter().copied())
            .collect();
        let packed = Packed::new(&cand, d);
        let parts: Vec<Vec<f64>> = data
            .par_chunks(BLOCK * d)
            .zip(closest.par_chunks_mut(BLOCK))
            .map(|(rows, cl)| {
                let mut pots = vec![0.0f64; trials];
                let mut dist = vec![0.0f64; packed.padded_len()];
                for (row, c) in rows.chunks_exact(d).zip(cl) {
                    if let Some(p) = pend {
                        *c = sq_dist(row, p).min(*c);
                    }
                    packed.distances(row, &mut dist);
                    for (p, &dc) in pots.iter_mut().zip(&dist) {
                        *p += dc.min(*c);
                    }
                }
                pots
            })
            .collect();
        let mut best: Option<(f64, usize)> = None;
        for t in 0..trials {
            let p: f64 = parts.iter().map(|b| b[t]).sum();
            if best.is_none_or(|b| p < b.0) {
                best = Some((p, t));
            }
        }
        if let Some((p, t)) = best {
            pot = p;
            block_sums = parts.iter().map(|b| b[t]).collect();
            pending = Some(candidates[t]);
            seeds.push(candidates[t]);
        }
    }
    Ok(seeds)
}

/// The first row whose running sum of squared distances reaches `v` (as a search in the cumulative sum),
/// from the per-block sums; `pending` is a centre not yet folded into `closest`.
fn draw(
    v: f64,
    block_sums: &[f64],
    closest: &[f64],
    data: &[f64],
    d: usize,
    pending: Option<&[f64]>,
) -> usize {
    let n = closest.len();
    let mut acc = 0.0;
    for (b, &s) in block_sums.iter().enumerate() {
        if acc + s >= v {
            let local = v - acc;
            let (start, end) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            let mut run = 0.0;
            for i in start..end {
                let mut c = closest[i];
                if let Some(p) = pending {
                    c = sq_dist(&data[i * d..(i + 1) * d], p).min(c);
                }
                run += c;
                if run >= local {
                    return i;
                }
            }
            return end - 1;
        }
        acc += s;
    }
    n - 1
}

struct BlockStats {
    sums: Vec<f64>,
    counts: Vec<usize>,
    inertia: f64,
    /// Rows whose label changed in this pass.
    changed: usize,
}

/// One assignment pass; returns per-cluster sums and counts, the inertia and how many labels changed.
fn assign(data: &[f64], d: usize, centers: &[f64], labels: &mut [usize]) -> BlockStats {
    let k = centers.len() / d;
    let packed = Packed::new(centers, d);
    let parts: Vec<BlockStats> = data
        .par_chunks(BLOCK * d)
        .zip(labels.par_chunks_mut(BLOCK))
        .map(|(rows, labs)| {
            let mut s = BlockStats {
                sums: vec![0.0; k * d],
                counts: vec![0; k],
                inertia: 0.0,
                changed: 0,
            };
            for (row, lab) in rows.chunks_exact(d).zip(labs.iter_mut()) {
                let (j, dist) = packed.nearest(row);
                s.changed += usize::from(*lab != j);
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
        changed: 0,
    };
    for p in parts {
        for (a, b) in total.sums.iter_mut().zip(&p.sums) {
            *a += b;
        }
        for (a, b) in total.counts.iter_mut().zip(&p.counts) {
            *a += b;
        }
        total.inertia += p.inertia;
        total.changed += p.changed;
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
    let mut n_iter = 0;
    // Inertia of the last pass when the centres it produced equal the ones it used.
    let mut settled: Option<f64> = None;
    for it in 0..max_iter {
        progress.check()?;
        n_iter = it + 1;
        let mut s = assign(data, d, &centers, &mut labels);
        relocate_empty(data, d, &centers, &labels, &mut s);
        let mut shift = 0.0;
        let mut unchanged = true;
        for j in 0..k {
            if s.counts[j] == 0 {
                continue;
            }
            let cnt = s.counts[j] as f64;
            for t in 0..d {
                let new = s.sums[j * d + t] / cnt;
                shift += (new - centers[j * d + t]).powi(2);
                unchanged &= new.to_bits() == centers[j * d + t].to_bits();
                centers[j * d + t] = new;
            }
        }
        // Labels equal to the previous pass's (the first pass starts from none).
        let converged = s.changed == 0;
        if converged || shift <= tol {
            settled = unchanged.then_some(s.inertia);
            break;
        }
    }
    // Labels and inertia consistent with the final centres (sklearn's last E-step), unless the last pass
    // already used exactly these centres.
    let inertia = match settled {
        Some(inertia) => inertia,
        None => assign(data, d, &centers, &mut labels).inertia,
    };
    let centroids = Array2::from_shape_vec((k, d), centers)
        .map_err(|e| Error::InvalidParameter(format!("internal: {e}")))?;
    Ok(KMeans {
        centroids,
        labels,
        inertia,
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
    // Farthest first, ties by row: a total order, so selecting the first `empty.len()` and sorting
    // them gives what sorting every row gives, without sorting every row.
    let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let m = empty.len().min(far.len());
    if m < far.len() {
        far.select_nth_unstable_by(m, order);
        far.truncate(m);
    }
    far.sort_unstable_by(order);
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
    fn refined_fit_is_deterministic_consistent_and_no_worse() {
        // 12,000 rows: the centre swaps run on their 10k-row sample, then on all rows.
        let (x, _) = blobs(3000, 2);
        let plain = KMeansParams {
            n_init: 3,
            ..KMeansParams::new(7)
        };
        let p = KMeansParams {
            refine: Refine::HartiganWong,
            ..plain.clone()
        };
        let a = kmeans(x.view(), &p, &Progress::new()).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| kmeans(x.view(), &p, &Progress::new()).unwrap());
        assert_eq!(a, b);
        let m = kmeans(x.view(), &plain, &Progress::new()).unwrap();
        assert!(
            a.inertia <= m.inertia * (1.0 + 1e-12),
            "{} > {}",
            a.inertia,
            m.inertia
        );
        let (labels, d) = nearest_centroids(x.view(), a.centroids.view());
        assert_eq!(labels, a.labels);
        assert!((d.iter().sum::<f64>() - a.inertia).abs() < 1e-9 * a.inertia);
        assert!(a.inertia.is_finite() && a.centroids.iter().all(|v| v.is_finite()));
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
    fn packed_distances_equal_scalar_ones_bit_for_bit() {
        let mut r = Rng::new(11);
        for (k, d) in [(1, 3), (3, 1), (4, 10), (5, 7), (9, 2), (13, 10)] {
            let centers: Vec<f64> = (0..k * d).map(|_| r.normal() * 3.0).collect();
            let packed = Packed::new(&centers, d);
            let mut out = vec![0.0; packed.padded_len()];
            for _ in 0..200 {
                let row: Vec<f64> = (0..d).map(|_| r.normal() * 3.0).collect();
                let (j, dist) = packed.nearest(&row);
                let (j0, dist0) = nearest(&row, &centers, d);
                assert_eq!((j, dist.to_bits()), (j0, dist0.to_bits()), "k={k} d={d}");
                packed.distances(&row, &mut out);
                for (c, centre) in centers.chunks_exact(d).enumerate() {
                    assert_eq!(out[c].to_bits(), sq_dist(&row, centre).to_bits());
                }
                assert!(out[k..].iter().all(|v| *v == f64::INFINITY));
            }
        }
        // Ties go to the first centre.
        let packed = Packed::new(&[1.0, -1.0, 1.0, -1.0, 1.0], 1);
        assert_eq!(packed.nearest(&[0.0]), (0, 1.0));
    }

    #[test]
    fn final_labels_and_inertia_match_the_centres() {
        let (x, _) = blobs(2500, 3);
        for k in [2, 4, 7] {
            let m = kmeans(x.view(), &KMeansParams::new(k), &Progress::new()).unwrap();
            let (labels, d) = nearest_centroids(x.view(), m.centroids.view());
            assert_eq!(labels, m.labels);
            let data = x.as_slice().unwrap();
            let s = assign(
                data,
                2,
                m.centroids.as_slice().unwrap(),
                &mut labels.clone(),
            );
            assert_eq!(s.inertia.to_bits(), m.inertia.to_bits(), "k={k}");
            assert!((d.iter().sum::<f64>() - m.inertia).abs() < 1e-9 * m.inertia);
        }
    }

    #[test]
    fn identical_rows_give_zero_inertia() {
        let x = Array2::from_elem((10, 3), 2.5);
        let m = kmeans(x.view(), &KMeansParams::new(3), &Progress::new()).unwrap();
        assert_eq!(m.inertia, 0.0);
    }
}
