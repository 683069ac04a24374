//! Exact Ward linkage without a distance matrix: the nearest-neighbour chain on cluster centroids, as
//! fastcluster's `linkage_vector(X, method="ward")` does. O(n·d) memory instead of the n(n-1)/2 × 8 bytes
//! of the condensed matrix, O(n²·d) time at worst. Each nearest-neighbour search is pruned: clusters are
//! stored in a k-d tree order of the input rows with a bounding box per block, a box whose distance
//! already exceeds the best candidate is skipped, and the rest is scored [`LANES`] candidates at a time
//! (features stored column by column, so the sums stay in SIMD registers) with early exit on partial
//! sums. Box bounds are computed [`GAP_CHUNK`] boxes at a time, vectorised over boxes. Each search runs
//! with the instruction set read at the start ([`crate::simd`]: AVX-512, AVX2 + FMA or portable code);
//! within a level every candidate's squared distance is the same sequence of roundings, so ties are
//! seen as ties. One thread: the searches are too short to share (each is tens of microseconds).
//!
//! The squared Ward distance between clusters `a` and `b` (sizes `sₐ`, `s_b`, centroids `cₐ`, `c_b`) is
//! `2·sₐ·s_b/(sₐ+s_b)·‖cₐ − c_b‖²`, the Lance–Williams recurrence's closed form; heights are its square
//! root (scipy's convention, so two rows merge at their Euclidean distance). The chain follows scipy's
//! `nn_chain` rules exactly: start at the lowest live cluster, take the lowest-index nearest neighbour,
//! keep the previous chain element on ties, the merged cluster takes the larger index. Results equal the
//! matrix algorithm's up to rounding (heights within ~1e-15 relative).

#![allow(
    clippy::inline_always,
    reason = "kernels must inline into pulp's #[target_feature] functions to get the instruction set"
)]

use super::Merge;
use super::nnchain::relabel;
use crate::error::Result;
use crate::jobs::Progress;
use crate::simd::{Isa, Kernel, Kernels, mul_add};

/// Candidates whose running sums stay in registers together.
const LANES: usize = 8;
/// Positions per bounding box (a multiple of [`LANES`]).
const BOX: usize = 64;
/// Slightly below 1: `min(sₐ, s) · LOWER · sq` stays below the rounded Ward distance.
const LOWER: f64 = 1.0 - 1e-9;
/// Features summed between two pruning checks.
const PRUNE_EVERY: usize = 5;
/// No cluster id.
const NONE: usize = usize::MAX;
/// Boxes whose lower bounds are computed together in a search (a multiple of every vector width).
const GAP_CHUNK: usize = 64;

/// Squared Ward distance between clusters of sizes `sa`, `sb` whose centroids are `sq` apart (squared).
/// Symmetric bit for bit in `sa`, `sb`.
#[inline]
fn ward_d2(sa: f64, sb: f64, sq: f64) -> f64 {
    2.0 * (sa * sb) / (sa + sb) * sq
}

/// Live clusters stored by position in a k-d tree order of the input points (so that consecutive
/// positions are close in space), with a bounding box per [`BOX`] positions; dead positions are
/// compacted away from time to time.
struct State {
    kernels: Kernels,
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
    /// Position of a cluster id ([`NONE`] once merged away).
    pos: Vec<usize>,
    /// Per feature `j` and box `b`: `lo[j * nbc + b] ≤` feature `j` of every cluster in the box
    /// `≤ hi[..]` (boxes past the last one hold `+∞` and `−∞`).
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// Stride between features in `lo` and `hi`: the box count of `cap` positions, rounded up to
    /// [`GAP_CHUNK`].
    nbc: usize,
    /// Smallest weight of any cluster (weights only grow).
    wmin: f64,
    dead: usize,
    /// No live cluster has an id below this.
    first: usize,
}

impl State {
    fn new(points: &[f64], d: usize, w: &[f64], kernels: Kernels) -> Self {
        let m = w.len();
        let mut order: Vec<usize> = (0..m).collect();
        kd_order(points, d, &mut order);
        let mut cols = vec![0.0; m * d];
        let mut pos = vec![0; m];
        for (p, &i) in order.iter().enumerate() {
            for j in 0..d {
                cols[j * m + p] = points[i * d + j];
            }
            pos[i] = p;
        }
        let mut st = Self {
            kernels,
            d,
            cap: m,
            len: m,
            cols,
            size: order.iter().map(|&i| w[i]).collect(),
            ids: order,
            pos,
            lo: Vec::new(),
            hi: Vec::new(),
            nbc: m.div_ceil(BOX).next_multiple_of(GAP_CHUNK),
            wmin: w.iter().copied().fold(f64::INFINITY, f64::min),
            dead: 0,
            first: 0,
        };
        st.boxes();
        st
    }

    /// Recomputes every bounding box from the live positions.
    fn boxes(&mut self) {
        let (d, nbc) = (self.d, self.nbc);
        self.lo = vec![f64::INFINITY; nbc * d];
        self.hi = vec![f64::NEG_INFINITY; nbc * d];
        for p in 0..self.len {
            if self.size[p] > 0.0 {
                let b = p / BOX;
                for j in 0..d {
                    let v = self.cols[j * self.cap + p];
                    self.lo[j * nbc + b] = self.lo[j * nbc + b].min(v);
                    self.hi[j * nbc + b] = self.hi[j * nbc + b].max(v);
                }
            }
        }
    }

    fn features(&self, p: usize) -> Vec<f64> {
        (0..self.d).map(|j| self.cols[j * self.cap + p]).collect()
    }

    /// Squared Ward distance between positions `pa` (features `xa`) and `pb`: the same roundings as a
    /// lane of [`State::tile`].
    #[inline(always)]
    fn d2<S: Isa>(&self, xa: &[f64], pa: usize, pb: usize) -> f64 {
        let mut sq = 0.0;
        for (j, &x) in xa.iter().enumerate() {
            let diff = x - self.cols[j * self.cap + pb];
            sq = mul_add::<S>(diff, diff, sq);
        }
        ward_d2(self.size[pa], self.size[pb], sq)
    }

    /// Smallest squared Ward distance strictly below `bound` from position `pa` to a live cluster other
    /// than itself, and the lowest id reaching it (`(bound, NONE)` when none is below).
    ///
    /// The Ward factor `2·sₐ·s/(sₐ+s)` is at least `min(sₐ, s)`, so `min(sₐ, s) · (squared distance to
    /// a box, or a partial sum of squares)` bounds the distance from below: a box, or a register tile of
    /// [`LANES`] candidates, is skipped once that bound exceeds the best distance. Skipping only on a
    /// strict excess keeps ties, so the result is that of scoring every candidate.
    #[inline(always)]
    fn scan<S: Isa>(&self, simd: S, xa: &[f64], pa: usize, bound: f64) -> (f64, usize) {
        let sa = self.size[pa];
        let box_factor = sa.min(self.wmin) * LOWER;
        let mut best = (bound, NONE);
        let nb = self.len.div_ceil(BOX);
        let mut gaps = [0.0f64; GAP_CHUNK];
        let mut b0 = 0;
        while b0 < nb {
            self.box_gaps(simd, xa, b0, &mut gaps);
            for (b, &gap) in (b0..nb).zip(&gaps) {
                // An empty box has lo = +∞ > hi = −∞, so its gap is +∞.
                if box_factor * gap > best.0 {
                    continue;
                }
                let end = ((b + 1) * BOX).min(self.len);
                let mut p0 = b * BOX;
                while p0 < end {
                    let len = LANES.min(end - p0);
                    self.tile(simd, xa, pa, p0, len, &mut best);
                    p0 += len;
                }
            }
            b0 += GAP_CHUNK;
        }
        best
    }

    /// `gaps[k]`: squared distance from `xa` to box `b0 + k` (0 inside it), vectorised over boxes.
    #[inline(always)]
    fn box_gaps<S: Isa>(&self, simd: S, xa: &[f64], b0: usize, gaps: &mut [f64; GAP_CHUNK]) {
        let zero = simd.splat_f64s(0.0);
        let (out, _) = S::as_mut_simd_f64s(gaps);
        let l = S::F64_LANES;
        for (v, o) in out.iter_mut().enumerate() {
            let mut acc = zero;
            for (j, &x) in xa.iter().enumerate() {
                let at = j * self.nbc + b0 + v * l;
                let lo = S::as_simd_f64s(&self.lo[at..at + l]).0[0];
                let hi = S::as_simd_f64s(&self.hi[at..at + l]).0[0];
                let x = simd.splat_f64s(x);
                let (below, above) = (simd.sub_f64s(lo, x), simd.sub_f64s(x, hi));
                let g = simd.select_f64s(simd.greater_than_f64s(below, above), below, above);
                let g = simd.select_f64s(simd.greater_than_f64s(g, zero), g, zero);
                acc = simd.madd(g, g, acc);
            }
            *o = acc;
        }
    }

    /// Scores the `len ≤ LANES` positions from `p0` against `best`.
    #[inline(always)]
    fn tile<S: Isa>(
        &self,
        simd: S,
        xa: &[f64],
        pa: usize,
        p0: usize,
        len: usize,
        best: &mut (f64, usize),
    ) {
        let (d, sa) = (self.d, self.size[pa]);
        let mut sizes = [0.0f64; LANES];
        sizes[..len].copy_from_slice(&self.size[p0..p0 + len]);
        // Lower bound of each lane's Ward factor; +∞ for dead lanes and the padding.
        let mut factor = [f64::INFINITY; LANES];
        for (f, &s) in factor.iter_mut().zip(&sizes) {
            if s > 0.0 {
                *f = sa.min(s) * LOWER;
            }
        }
        let mut acc = [0.0f64; LANES];
        if len == LANES {
            let l = S::F64_LANES;
            let nv = LANES / l;
            let (fv, _) = S::as_simd_f64s(&factor);
            let mut av = [simd.splat_f64s(0.0); LANES];
            let mut j = 0;
            while j < d {
                let stop = (j + PRUNE_EVERY).min(d);
                for (jj, &x) in xa.iter().enumerate().take(stop).skip(j) {
                    let base = jj * self.cap + p0;
                    let (col, _) = S::as_simd_f64s(&self.cols[base..base + LANES]);
                    let x = simd.splat_f64s(x);
                    for (a, &c) in av[..nv].iter_mut().zip(col) {
                        let diff = simd.sub_f64s(x, c);
                        *a = simd.madd(diff, diff, *a);
                    }
                }
                j = stop;
                let bv = simd.splat_f64s(best.0);
                let mut alive = false;
                for (&a, &f) in av[..nv].iter().zip(fv) {
                    alive |= simd.any_not_greater(simd.mul_f64s(f, a), bv);
                }
                if !alive {
                    return;
                }
            }
            let (dst, _) = S::as_mut_simd_f64s(&mut acc);
            dst.copy_from_slice(&av[..nv]);
        } else {
            for (j, &x) in xa.iter().enumerate() {
                let base = j * self.cap + p0;
                for (a, &c) in acc.iter_mut().zip(&self.cols[base..base + len]) {
                    let diff = x - c;
                    *a = mul_add::<S>(diff, diff, *a);
                }
            }
            if acc.iter().zip(&factor).all(|(&a, &f)| f * a > best.0) {
                return;
            }
        }
        for (t, (&a, &s)) in acc[..len].iter().zip(&sizes).enumerate() {
            let p = p0 + t;
            if s <= 0.0 || p == pa {
                continue;
            }
            let v = ward_d2(sa, s, a);
            let id = self.ids[p];
            if v < best.0 || (v == best.0 && best.1 != NONE && id < best.1) {
                *best = (v, id);
            }
        }
    }

    /// scipy's nearest neighbour of cluster `a` given the previous chain element: the lowest-id cluster
    /// at the smallest distance if that is strictly below the distance to `prev`, else `prev`.
    fn nearest(&self, a: usize, prev: Option<usize>) -> (usize, f64) {
        self.kernels.dispatch(Nearest { st: self, a, prev })
    }

    /// Merges cluster `lo` into `hi` (`lo < hi`): `hi` takes the size-weighted centroid.
    fn merge(&mut self, lo: usize, hi: usize) {
        let d = self.d;
        let (pl, ph) = (self.pos[lo], self.pos[hi]);
        let (sl, sh) = (self.size[pl], self.size[ph]);
        let s = sl + sh;
        let b = ph / BOX;
        for j in 0..d {
            let base = j * self.cap;
            let v = (sl * self.cols[base + pl] + sh * self.cols[base + ph]) / s;
            self.cols[base + ph] = v;
            let at = j * self.nbc + b;
            self.lo[at] = self.lo[at].min(v);
            self.hi[at] = self.hi[at].max(v);
        }
        self.size[ph] = s;
        self.size[pl] = 0.0;
        self.pos[lo] = NONE;
        self.dead += 1;
        if self.dead * 8 > self.len && self.len > BOX {
            self.compact();
        }
    }

    /// Drops dead positions (keeping the order of the live ones) and recomputes the boxes.
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
        self.boxes();
    }

    /// The live cluster with the lowest id.
    fn first_live(&mut self) -> Option<usize> {
        while self.first < self.pos.len() && self.pos[self.first] == NONE {
            self.first += 1;
        }
        (self.first < self.pos.len()).then_some(self.first)
    }
}

/// scipy's nearest neighbour of cluster `a` given the previous chain element: the lowest-id cluster at
/// the smallest distance if that is strictly below the distance to `prev`, else `prev`.
struct Nearest<'a> {
    st: &'a State,
    a: usize,
    prev: Option<usize>,
}

impl Kernel for Nearest<'_> {
    type Output = (usize, f64);

    #[inline(always)]
    fn run<S: Isa>(self, simd: S) -> (usize, f64) {
        let Self { st, a, prev } = self;
        let pa = st.pos[a];
        let xa = st.features(pa);
        let (best, min) = match prev {
            Some(p) => (p, st.d2::<S>(&xa, pa, st.pos[p])),
            None => (NONE, f64::INFINITY),
        };
        match st.scan(simd, &xa, pa, min) {
            (v, id) if id != NONE && v < min => (id, v),
            _ => (best, min),
        }
    }
}

/// Reorders `idx` (row indices of `points`) as the leaves of a k-d tree: split on the feature with the
/// widest range at the median, down to [`BOX`] rows, so that consecutive rows are close in space.
fn kd_order(points: &[f64], d: usize, idx: &mut [usize]) {
    if idx.len() <= BOX {
        return;
    }
    let mut widest = (0, f64::NEG_INFINITY);
    for j in 0..d {
        let (lo, hi) = idx
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                let v = points[i * d + j];
                (lo.min(v), hi.max(v))
            });
        if hi - lo > widest.1 {
            widest = (j, hi - lo);
        }
    }
    let j = widest.0;
    let mid = idx.len() / 2;
    idx.select_nth_unstable_by(mid, |&a, &b| {
        points[a * d + j]
            .total_cmp(&points[b * d + j])
            .then(a.cmp(&b))
    });
    let (left, right) = idx.split_at_mut(mid);
    kd_order(points, d, left);
    kd_order(points, d, right);
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
    let mut st = State::new(points, d, w, Kernels::current());
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
    fn scalar_and_dispatched_paths_agree() {
        use crate::simd::{Level, with_level};
        let mut rng = Rng::new(11);
        let pts: Vec<f64> = (0..3000 * 10)
            .map(|i| f64::from(i % 5) + rng.normal())
            .collect();
        let w = vec![1.0; 3000];
        let p = Progress::new();
        let fast = ward_linkage(&pts, 10, &w, &p).unwrap();
        let scalar = with_level(Level::Scalar, || ward_linkage(&pts, 10, &w, &p)).unwrap();
        for (a, b) in fast.iter().zip(&scalar) {
            assert_eq!((a.a, a.b, a.size), (b.a, b.b, b.size));
            assert!((a.height - b.height).abs() <= 1e-12 * (1.0 + b.height));
        }
    }

    #[test]
    fn cancelled() {
        let p = Progress::new();
        p.cancel();
        assert!(ward_linkage(&[0.0, 1.0, 2.0], 1, &[1.0; 3], &p).is_err());
    }
}
