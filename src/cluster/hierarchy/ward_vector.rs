//! Exact Ward linkage without a distance matrix: the nearest-neighbour chain on cluster centroids, as
//! fastcluster's `linkage_vector(X, method="ward")` does. O(n·d) memory instead of the n(n-1)/2 × 8 bytes
//! of the condensed matrix, O(n²·d) time, with each nearest-neighbour search vectorised (features stored
//! column by column) and split over the rayon pool.
//!
//! The squared Ward distance between clusters `a` and `b` (sizes `sₐ`, `s_b`, centroids `cₐ`, `c_b`) is
//! `2·sₐ·s_b/(sₐ+s_b)·‖cₐ − c_b‖²`, the Lance–Williams recurrence's closed form; heights are its square
//! root (scipy's convention, so two rows merge at their Euclidean distance). The chain follows scipy's
//! `nn_chain` rules exactly: start at the lowest live cluster, take the lowest-index nearest neighbour,
//! keep the previous chain element on ties, the merged cluster takes the larger index. Results equal the
//! matrix algorithm's up to rounding (heights within ~1e-15 relative).

use rayon::prelude::*;

use super::Merge;
use super::nnchain::relabel;
use crate::error::Result;
use crate::jobs::Progress;

/// Candidates whose running sums stay in registers together.
const LANES: usize = 8;
/// Slightly below 1: `min(sₐ, s) · LOWER · sq` stays below the rounded Ward distance.
const LOWER: f64 = 1.0 - 1e-9;
/// Features summed between two pruning checks.
const PRUNE_EVERY: usize = 5;
/// Fewest positions per parallel part of the search, and fewest positions before compacting.
const CHUNK: usize = 256;
/// Live clusters below which the search stays on one thread.
const PARALLEL_MIN: usize = 4096;

/// Squared Ward distance between clusters of sizes `sa`, `sb` whose centroids are `sq` apart (squared).
/// Symmetric bit for bit in `sa`, `sb`.
#[inline]
fn ward_d2(sa: f64, sb: f64, sq: f64) -> f64 {
    2.0 * (sa * sb) / (sa + sb) * sq
}

/// Live clusters, stored by position (ascending cluster id); compacted as clusters die.
struct State {
    d: usize,
    /// Stride between features in `cols` (the capacity in positions).
    cap: usize,
    /// Positions in use (live or dead).
    len: usize,
    /// Feature `j` of the cluster at position `p` is `cols[j * cap + p]`.
    cols: Vec<f64>,
    /// Size (weight) of the cluster at a position; 0 once it is merged away.
    size: Vec<f64>,
    /// Cluster id at a position.
    ids: Vec<usize>,
    /// Position of a cluster id.
    pos: Vec<usize>,
    dead: usize,
}

impl State {
    fn new(points: &[f64], d: usize, w: &[f64]) -> Self {
        let m = w.len();
        let mut cols = vec![0.0; m * d];
        for (p, row) in points.chunks_exact(d).enumerate() {
            for (j, &v) in row.iter().enumerate() {
                cols[j * m + p] = v;
            }
        }
        Self {
            d,
            cap: m,
            len: m,
            cols,
            size: w.to_vec(),
            ids: (0..m).collect(),
            pos: (0..m).collect(),
            dead: 0,
        }
    }

    fn features(&self, p: usize) -> Vec<f64> {
        (0..self.d).map(|j| self.cols[j * self.cap + p]).collect()
    }

    /// Squared Ward distance between positions `pa` (features `xa`) and `pb`: the same sums in the same
    /// order as [`State::scan`].
    fn d2(&self, xa: &[f64], pa: usize, pb: usize) -> f64 {
        let mut sq = 0.0;
        for (j, &x) in xa.iter().enumerate() {
            let diff = x - self.cols[j * self.cap + pb];
            sq += diff * diff;
        }
        ward_d2(self.size[pa], self.size[pb], sq)
    }

    /// Smallest squared Ward distance below `bound` from position `pa` to a live position `≠ pa` in
    /// `start..end`, and the first position reaching it (`(bound, usize::MAX)` when none is below).
    ///
    /// Register-tiled: the sums of [`LANES`] candidates stay in registers over the features. Since the
    /// Ward factor `2·sₐ·s/(sₐ+s)` is at least `min(sₐ, s)` and partial sums of squares only grow, a block
    /// is dropped as soon as `min(sₐ, s) · partial sum` reaches the best distance for every lane; the
    /// result is the same as scoring every candidate.
    fn scan(&self, xa: &[f64], pa: usize, start: usize, end: usize, bound: f64) -> (f64, usize) {
        let sa = self.size[pa];
        let d = self.d;
        let mut best = (bound, usize::MAX);
        let mut p0 = start;
        while p0 < end {
            let len = LANES.min(end - p0);
            let mut sizes = [0.0f64; LANES];
            sizes[..len].copy_from_slice(&self.size[p0..p0 + len]);
            // Lower bound of each lane's Ward factor; +∞ for dead lanes (and the padding).
            let mut factor = [f64::INFINITY; LANES];
            for (f, &s) in factor.iter_mut().zip(&sizes) {
                if s > 0.0 {
                    *f = sa.min(s) * LOWER;
                }
            }
            let hopeless = |acc: &[f64; LANES], best: f64| {
                acc.iter().zip(&factor).all(|(&a, &f)| f * a >= best)
            };
            let mut acc = [0.0f64; LANES];
            let mut dropped = false;
            if len == LANES {
                let mut j = 0;
                while j < d {
                    let stop = (j + PRUNE_EVERY).min(d);
                    for (jj, &x) in xa.iter().enumerate().take(stop).skip(j) {
                        let base = jj * self.cap + p0;
                        let col = &self.cols[base..base + LANES];
                        for (a, &c) in acc.iter_mut().zip(col) {
                            let diff = x - c;
                            *a += diff * diff;
                        }
                    }
                    j = stop;
                    if hopeless(&acc, best.0) {
                        dropped = true;
                        break;
                    }
                }
            } else {
                for (j, &x) in xa.iter().enumerate() {
                    let base = j * self.cap + p0;
                    for (a, &c) in acc.iter_mut().zip(&self.cols[base..base + len]) {
                        let diff = x - c;
                        *a += diff * diff;
                    }
                }
                dropped = hopeless(&acc, best.0);
            }
            if !dropped {
                for (a, &s) in acc.iter_mut().zip(&sizes) {
                    *a = if s > 0.0 {
                        ward_d2(sa, s, *a)
                    } else {
                        f64::INFINITY
                    };
                }
                if (p0..p0 + len).contains(&pa) {
                    acc[pa - p0] = f64::INFINITY;
                }
                for (t, &v) in acc[..len].iter().enumerate() {
                    if v < best.0 {
                        best = (v, p0 + t);
                    }
                }
            }
            p0 += len;
        }
        best
    }

    /// scipy's nearest neighbour of cluster `a` given the previous chain element: the lowest-id cluster
    /// at the smallest distance if that is strictly below the distance to `prev`, else `prev`.
    fn nearest(&self, a: usize, prev: Option<usize>) -> (usize, f64) {
        let pa = self.pos[a];
        let xa = self.features(pa);
        let (mut best, mut min) = match prev {
            Some(p) => (p, self.d2(&xa, pa, self.pos[p])),
            None => (usize::MAX, f64::INFINITY),
        };
        let live = self.len - self.dead;
        let (v, p) = if live >= PARALLEL_MIN {
            let parts = rayon::current_num_threads().max(1) * 4;
            let step = self.len.div_ceil(parts).max(CHUNK);
            let parts: Vec<(f64, usize)> = (0..self.len.div_ceil(step))
                .into_par_iter()
                .map(|c| self.scan(&xa, pa, c * step, ((c + 1) * step).min(self.len), min))
                .collect();
            // In position order, so the first position wins ties, as in one sequential scan.
            parts
                .into_iter()
                .fold((min, usize::MAX), |l, r| if r.0 < l.0 { r } else { l })
        } else {
            self.scan(&xa, pa, 0, self.len, min)
        };
        if p != usize::MAX && v < min {
            best = self.ids[p];
            min = v;
        }
        (best, min)
    }

    /// Merges cluster `lo` into `hi` (`lo < hi`): `hi` takes the size-weighted centroid.
    fn merge(&mut self, lo: usize, hi: usize) {
        let (pl, ph) = (self.pos[lo], self.pos[hi]);
        let (sl, sh) = (self.size[pl], self.size[ph]);
        let s = sl + sh;
        for j in 0..self.d {
            let base = j * self.cap;
            self.cols[base + ph] = (sl * self.cols[base + pl] + sh * self.cols[base + ph]) / s;
        }
        self.size[ph] = s;
        self.size[pl] = 0.0;
        self.pos[lo] = usize::MAX;
        self.dead += 1;
        if self.dead * 16 > self.len && self.len > CHUNK {
            self.compact();
        }
    }

    /// Drops dead positions, keeping live clusters in ascending id order.
    fn compact(&mut self) {
        let mut w = 0;
        for p in 0..self.len {
            if self.size[p] > 0.0 {
                if w != p {
                    for j in 0..self.d {
                        let base = j * self.cap;
                        self.cols[base + w] = self.cols[base + p];
                    }
                    self.size[w] = self.size[p];
                    self.ids[w] = self.ids[p];
                }
                self.pos[self.ids[w]] = w;
                w += 1;
            }
        }
        self.len = w;
        self.dead = 0;
    }

    /// The live cluster with the lowest id.
    fn first_live(&self) -> Option<usize> {
        (0..self.len)
            .find(|&p| self.size[p] > 0.0)
            .map(|p| self.ids[p])
    }
}

/// Ward linkage of `m` points (`points` row-major, `d` columns) with weights `w` (all `> 0`). Returns
/// scipy-labelled merges sorted by height; `size` counts weights.
pub(super) fn ward_linkage(
    points: &[f64],
    d: usize,
    w: &[f64],
    progress: &Progress,
) -> Result<Vec<Merge>> {
    let m = w.len();
    if m < 2 {
        return Ok(Vec::new());
    }
    progress.set_stage("linkage", (m - 1) as u64);
    let mut st = State::new(points, d, w);
    let mut chain: Vec<usize> = Vec::with_capacity(m);
    let mut raw: Vec<(usize, usize, f64)> = Vec::with_capacity(m - 1);
    for step in 0..m - 1 {
        if step % 64 == 0 {
            progress.check()?;
            progress.set_done(step as u64);
        }
        if chain.is_empty()
            && let Some(first) = st.first_live()
        {
            chain.push(first);
        }
        let (a, b, h) = loop {
            let a = chain[chain.len() - 1];
            let prev = (chain.len() >= 2).then(|| chain[chain.len() - 2]);
            let (best, min) = st.nearest(a, prev);
            if Some(best) == prev {
                chain.pop();
                chain.pop();
                break (a, best, min);
            }
            chain.push(best);
        };
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        st.merge(lo, hi);
        raw.push((lo, hi, h.max(0.0).sqrt()));
    }
    progress.check()?;
    Ok(relabel(raw, m, w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::hierarchy::{Linkage, nnchain::weighted_linkage};
    use crate::rng::Rng;

    #[test]
    fn equals_the_matrix_algorithm() {
        let mut rng = Rng::new(3);
        for (m, d) in [(2, 1), (3, 2), (40, 3), (700, 4), (5000, 2)] {
            let pts: Vec<f64> = (0..m * d)
                .map(|i| (i % 7) as f64 * 3.0 + rng.normal())
                .collect();
            let w: Vec<f64> = (0..m).map(|i| 1.0 + (i % 3) as f64).collect();
            let p = Progress::new();
            let ours = ward_linkage(&pts, d, &w, &p).unwrap();
            let matrix = weighted_linkage(&pts, d, &w, Linkage::Ward, &p).unwrap();
            assert_eq!(ours.len(), m - 1);
            for (a, b) in ours.iter().zip(&matrix) {
                assert!(
                    (a.height - b.height).abs() <= 1e-9 * (1.0 + b.height),
                    "m={m}: {a:?} vs {b:?}"
                );
                assert_eq!((a.a, a.b, a.size), (b.a, b.b, b.size), "m={m}");
            }
        }
    }

    #[test]
    fn duplicates_merge_at_zero_first_lowest_ids() {
        let pts = [0.0, 5.0, 0.0, 5.0, 9.0];
        let w = [1.0; 5];
        let m = ward_linkage(&pts, 1, &w, &Progress::new()).unwrap();
        assert_eq!((m[0].a, m[0].b, m[0].height), (0, 2, 0.0));
        assert_eq!((m[1].a, m[1].b, m[1].height), (1, 3, 0.0));
        assert_eq!(m.last().unwrap().size, 5);
    }

    #[test]
    fn same_result_on_one_thread() {
        let mut rng = Rng::new(8);
        let pts: Vec<f64> = (0..6000 * 3).map(|_| rng.normal()).collect();
        let w = vec![1.0; 6000];
        let p = Progress::new();
        let many = ward_linkage(&pts, 3, &w, &p).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let one = pool.install(|| ward_linkage(&pts, 3, &w, &p).unwrap());
        assert_eq!(many, one);
    }

    #[test]
    fn cancelled() {
        let p = Progress::new();
        p.cancel();
        assert!(ward_linkage(&[0.0, 1.0, 2.0], 1, &[1.0; 3], &p).is_err());
    }
}
