//! OPTICS as scikit-learn's `compute_optics_graph` does it, and its eps extraction
//! (`cluster_optics_dbscan`, linear in the rows, for live re-cuts of the reachability plot).
//!
//! Conventions (sklearn's, checked by tests/density_fidelity.rs): a row's core distance is the distance
//! to its `min_samples`-th nearest row counting itself, `inf` above `max_eps`; both core and reachability
//! distances are rounded with numpy's `np.around(·, 15)`; the next row is the unprocessed one with the
//! smallest reachability, ties (including `inf`) to the lowest row number; a row's reachability is only
//! lowered by a strictly smaller value, and its predecessor is the row that lowered it last. So each seed
//! row (first of the ordering, and every row reached from no core row) has reachability `inf` and no
//! predecessor.
//!
//! Core distances are k-nearest queries on linfa-nn's k-d tree in parallel blocks. The ordering loop is
//! serial, as in every OPTICS; a min-heap keyed by (reachability, row) replaces sklearn's scan of all
//! unprocessed rows. With `max_eps = inf` (sklearn's default) or a `max_eps` above the data's diameter
//! every unprocessed row is a neighbour, so they are scanned directly (in parallel chunks), O(n²) time
//! and O(n) memory; otherwise neighbours come from radius queries on the tree. Progress and cancellation
//! every [`CHECK_EVERY`] rows of the ordering.
//!
//! [`optics_linfa`] runs linfa-clustering's `Optics` for comparison. It gives no predecessors (so no
//! predecessor correction for xi), breaks reachability ties in an unstable-sort order rather than by
//! row, gives the first row of each dense region its core distance instead of `inf`, and re-sorts its
//! seed list after every row (O(n² log n) with `max_eps = inf`); docs/decisions.md has the test.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use linfa::ParamGuard;
use linfa::traits::Transformer;
use ndarray::ArrayView2;
use rayon::prelude::*;

use super::index::{Index, Rows, Space, dist, index_bytes};
use super::{DensityResult, round15};
use crate::budget;
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// Rows of the ordering between progress updates and cancellation checks.
const CHECK_EVERY: usize = 256;

/// Unprocessed rows per parallel chunk in the all-rows scan.
const SCAN_CHUNK: usize = 4096;

/// Rows of the ordering between sweeps of processed rows out of the all-rows scan list.
const COMPACT_EVERY: usize = 64;

/// OPTICS settings (sklearn's names and defaults: `min_samples = 5`, `max_eps = inf`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpticsParams {
    /// Neighbours (the row itself included) within the core distance; ≥ 2.
    pub min_samples: usize,
    /// Largest neighbourhood radius considered (`inf`: all scales; smaller is faster).
    pub max_eps: f64,
}

impl Default for OpticsParams {
    fn default() -> Self {
        Self {
            min_samples: 5,
            max_eps: f64::INFINITY,
        }
    }
}

impl OpticsParams {
    /// Settings with the given core size and `max_eps = inf`.
    pub fn new(min_samples: usize) -> Self {
        Self {
            min_samples,
            ..Self::default()
        }
    }

    /// Checks the parameters against the number of rows.
    pub fn check(&self, n_rows: usize) -> Result<()> {
        if self.min_samples < 2 {
            return Err(Error::InvalidParameter(
                "OPTICS needs min_samples ≥ 2 (the row itself counts)".into(),
            ));
        }
        if self.min_samples > n_rows {
            return Err(Error::InvalidParameter(format!(
                "min_samples = {} is more than the {n_rows} rows; choose min_samples ≤ {n_rows}",
                self.min_samples
            )));
        }
        if self.max_eps.is_nan() || self.max_eps <= 0.0 {
            return Err(Error::InvalidParameter(format!(
                "max_eps = {} must be a positive distance (or inf for all scales)",
                self.max_eps
            )));
        }
        Ok(())
    }
}

/// The OPTICS graph: per-row arrays indexed by row number, plus the ordering.
#[derive(Debug, Clone, PartialEq)]
pub struct Optics {
    /// Rows in processing order (the x axis of the reachability plot).
    pub ordering: Vec<usize>,
    /// Reachability distance of each row; `inf` for seed rows (sklearn's `reachability_`).
    pub reachability: Vec<f64>,
    /// Core distance of each row; `inf` when it is above `max_eps` (sklearn's `core_distances_`).
    pub core_distances: Vec<f64>,
    /// The row each row was reached from; `None` for seed rows (sklearn's `predecessor_`, −1 there).
    pub predecessor: Vec<Option<usize>>,
    /// The `min_samples` used.
    pub min_samples: usize,
    /// The `max_eps` used.
    pub max_eps: f64,
}

impl Optics {
    /// Reachability in ordering order (the bars of the reachability plot); `inf` where undefined.
    pub fn reachability_plot(&self) -> Vec<f64> {
        self.ordering
            .iter()
            .map(|&i| self.reachability[i])
            .collect()
    }

    /// The largest finite reachability or core distance (a scale for plots and eps sliders), 0 if none.
    pub fn max_finite(&self) -> f64 {
        self.reachability
            .iter()
            .chain(&self.core_distances)
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    }

    /// DBSCAN-like clusters at `eps` (sklearn's `cluster_optics_dbscan`): walking the ordering, a row
    /// whose reachability is above `eps` starts a new cluster if its core distance is ≤ `eps`, else it
    /// is noise; other rows join the current cluster. Linear in the rows, so the GUI can re-cut while a
    /// threshold is dragged. Needs `0 ≤ eps ≤ max_eps`.
    pub fn cut(&self, eps: f64) -> Result<DensityResult> {
        if eps.is_nan() || eps < 0.0 {
            return Err(Error::InvalidParameter(format!(
                "eps = {eps} must be a distance ≥ 0"
            )));
        }
        if eps > self.max_eps {
            return Err(Error::InvalidParameter(format!(
                "eps = {eps} is above the max_eps = {} OPTICS ran with; cut lower or rerun OPTICS with a \
                 larger max_eps",
                self.max_eps
            )));
        }
        let n = self.ordering.len();
        let mut raw = vec![0i64; n];
        let mut current = -1i64;
        for &i in &self.ordering {
            let far = self.reachability[i] > eps;
            let near_core = self.core_distances[i] <= eps;
            if far && near_core {
                current += 1;
            }
            raw[i] = if far && !near_core { -1 } else { current };
        }
        let core = (0..n).filter(|&i| self.core_distances[i] <= eps).collect();
        Ok(DensityResult::from_raw(&raw, core))
    }
}

/// Runs OPTICS on the rows of `x` (prepared features, no missing values).
pub fn optics(x: ArrayView2<f64>, params: &OpticsParams, progress: &Progress) -> Result<Optics> {
    let rows = Rows::new(x, "OPTICS")?;
    let n = rows.n();
    params.check(n)?;
    progress.set_stage("OPTICS: building the neighbour index", 0);
    progress.check()?;
    // Per row: reachability, core distance, predecessor, processed flag, ordering, heap entries (≈ 2).
    let working = (n as u64).saturating_mul(8 + 8 + 16 + 1 + 8 + 2 * 16 + 8);
    let space = Space::new(&rows, "OPTICS", working)?;
    let index = Index::build(&space, "OPTICS")?;

    progress.set_stage("OPTICS: core distances", n as u64);
    let mut core = index.kth_distances(params.min_samples, progress)?;
    for c in &mut core {
        if *c > params.max_eps {
            *c = f64::INFINITY;
        }
        *c = round15(*c);
    }

    progress.set_stage("OPTICS: ordering", n as u64);
    let scan_all = params.max_eps >= diameter(&rows) * (1.0 + 1e-9);
    let mut state = State::new(n);
    // Ascending, so the scan reads the matrix in order; processed rows are skipped and swept out
    // every COMPACT_EVERY rows.
    let mut unprocessed: Vec<usize> = if scan_all {
        (0..n).collect()
    } else {
        Vec::new()
    };
    for step in 0..n {
        if step % CHECK_EVERY == 0 {
            progress.check()?;
            progress.set_done(step as u64);
        }
        if scan_all && step % COMPACT_EVERY == 0 {
            unprocessed.retain(|&o| !state.processed[o]);
        }
        let p = state.next();
        state.processed[p] = true;
        state.ordering.push(p);
        let cp = core[p];
        if cp.is_infinite() {
            continue;
        }
        let a = rows.row(p);
        let reach_of = |o: usize| round15(dist(a, rows.row(o)).max(cp));
        let improved: Vec<(usize, f64)> = if scan_all {
            if unprocessed.len() > SCAN_CHUNK {
                unprocessed
                    .par_chunks(SCAN_CHUNK)
                    .flat_map_iter(|chunk| {
                        chunk.iter().filter_map(|&o| {
                            if state.processed[o] {
                                return None;
                            }
                            let rd = reach_of(o);
                            (rd < state.reachability[o]).then_some((o, rd))
                        })
                    })
                    .collect()
            } else {
                unprocessed
                    .iter()
                    .filter(|&&o| !state.processed[o])
                    .filter_map(|&o| {
                        let rd = reach_of(o);
                        (rd < state.reachability[o]).then_some((o, rd))
                    })
                    .collect()
            }
        } else {
            index
                .within(p, params.max_eps)?
                .into_iter()
                .filter(|&o| !state.processed[o])
                .filter_map(|o| {
                    let rd = reach_of(o);
                    (rd < state.reachability[o]).then_some((o, rd))
                })
                .collect()
        };
        for (o, rd) in improved {
            state.lower(o, rd, p);
        }
    }
    progress.set_done(n as u64);
    Ok(Optics {
        ordering: state.ordering,
        reachability: state.reachability,
        core_distances: core,
        predecessor: state.predecessor,
        min_samples: params.min_samples,
        max_eps: params.max_eps,
    })
}

/// Length of the diagonal of the rows' bounding box: no two rows are farther apart.
fn diameter(rows: &Rows<'_>) -> f64 {
    let x = rows.view();
    let s: f64 = x
        .columns()
        .into_iter()
        .map(|c| {
            let (lo, hi) = c
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            (hi - lo) * (hi - lo)
        })
        .sum();
    s.sqrt()
}

/// A reachability as a heap key (finite, so `total_cmp` is the numeric order).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The ordering loop's state.
struct State {
    reachability: Vec<f64>,
    predecessor: Vec<Option<usize>>,
    processed: Vec<bool>,
    ordering: Vec<usize>,
    /// (reachability, row) of rows whose reachability was lowered; stale entries are skipped.
    heap: BinaryHeap<Reverse<(Key, usize)>>,
    /// No row below this one is unprocessed.
    lowest: usize,
}

impl State {
    fn new(n: usize) -> Self {
        Self {
            reachability: vec![f64::INFINITY; n],
            predecessor: vec![None; n],
            processed: vec![false; n],
            ordering: Vec::with_capacity(n),
            heap: BinaryHeap::new(),
            lowest: 0,
        }
    }

    /// sklearn's choice: the unprocessed row with the smallest reachability, ties to the lowest row
    /// (rows with finite reachability are in the heap; when it is empty every unprocessed row is at
    /// `inf` and the lowest one is taken). Only called while some row is unprocessed.
    fn next(&mut self) -> usize {
        while let Some(Reverse((_, i))) = self.heap.pop() {
            if !self.processed[i] {
                return i;
            }
        }
        while self.processed[self.lowest] {
            self.lowest += 1;
        }
        self.lowest
    }

    fn lower(&mut self, o: usize, rd: f64, from: usize) {
        self.reachability[o] = rd;
        self.predecessor[o] = Some(from);
        self.heap.push(Reverse((Key(rd), o)));
    }
}

/// What linfa-clustering's `Optics` returns, as per-row arrays (`inf` where linfa says `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct LinfaOptics {
    /// Rows in linfa's processing order.
    pub ordering: Vec<usize>,
    /// Reachability of each row.
    pub reachability: Vec<f64>,
    /// Core distance of each row.
    pub core_distances: Vec<f64>,
}

/// linfa-clustering's `Optics` (k-d tree, `tolerance = max_eps`) on validated input; no predecessors,
/// no progress, no cancellation, O(n² log n) with `max_eps = inf`. Kept to compare with [`optics`].
pub fn optics_linfa(x: ArrayView2<f64>, params: &OpticsParams) -> Result<LinfaOptics> {
    let rows = Rows::new(x, "OPTICS")?;
    let (n, d) = rows.view().dim();
    params.check(n)?;
    budget::check(
        index_bytes(n, d).saturating_add((n as u64).saturating_mul(64)),
        &format!("the OPTICS neighbour index over {n} rows × {d} features"),
        "sample fewer rows",
    )?;
    let valid = linfa_clustering::Optics::params(params.min_samples)
        .tolerance(params.max_eps)
        .check()
        .map_err(|e| Error::InvalidParameter(format!("linfa OPTICS: {e}")))?;
    let analysis = valid.transform(rows.view());
    let mut out = LinfaOptics {
        ordering: Vec::with_capacity(n),
        reachability: vec![f64::INFINITY; n],
        core_distances: vec![f64::INFINITY; n],
    };
    for s in analysis.iter() {
        out.ordering.push(s.index());
        out.reachability[s.index()] = s.reachability_distance().unwrap_or(f64::INFINITY);
        out.core_distances[s.index()] = s.core_distance().unwrap_or(f64::INFINITY);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    /// sklearn's docstring example (compute_optics_graph, min_samples = 2).
    fn docstring() -> Array2<f64> {
        array![[1., 2.], [2., 5.], [3., 6.], [8., 7.], [8., 8.], [7., 3.]]
    }

    #[test]
    fn equals_the_sklearn_docstring_example() {
        let o = optics(docstring().view(), &OpticsParams::new(2), &Progress::new()).unwrap();
        assert_eq!(o.ordering, [0, 1, 2, 5, 3, 4]);
        let core = [
            10f64.sqrt(),
            2f64.sqrt(),
            2f64.sqrt(),
            1.0,
            1.0,
            17f64.sqrt(),
        ];
        let reach = [
            f64::INFINITY,
            10f64.sqrt(),
            2f64.sqrt(),
            17f64.sqrt(),
            1.0,
            5.0,
        ];
        for i in 0..6 {
            assert!((o.core_distances[i] - core[i]).abs() < 1e-14, "core {i}");
            assert!(
                o.reachability[i] == reach[i] || (o.reachability[i] - reach[i]).abs() < 1e-14,
                "reach {i}"
            );
        }
        assert_eq!(
            o.predecessor,
            [None, Some(0), Some(1), Some(5), Some(3), Some(2)]
        );
        // cluster_optics_dbscan(eps = 4.5) -> [0, 0, 0, 1, 1, 1].
        let cut = o.cut(4.5).unwrap();
        assert_eq!(cut.labels, [0, 0, 0, 1, 1, 1]);
        assert_eq!(cut.n_noise, 0);
    }

    #[test]
    fn finite_max_eps_uses_radius_queries_and_marks_far_rows() {
        let x = array![[0.0], [0.1], [0.2], [0.3], [5.0], [5.1], [5.2], [20.0]];
        let p = OpticsParams {
            min_samples: 3,
            max_eps: 0.5,
        };
        let o = optics(x.view(), &p, &Progress::new()).unwrap();
        let all = optics(x.view(), &OpticsParams::new(3), &Progress::new()).unwrap();
        // Within each group the two runs agree; the isolated row is never core at 0.5.
        assert!(o.core_distances[7].is_infinite());
        assert!(o.reachability[4].is_infinite() && all.reachability[4].is_finite());
        assert_eq!(o.ordering[..4], all.ordering[..4]);
        let cut = o.cut(0.5).unwrap();
        assert_eq!(cut.labels, [0, 0, 0, 0, 1, 1, 1, -1]);
        assert!(o.cut(0.6).is_err());
        assert_eq!(cut.core_sample_indices, [0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn every_row_appears_once() {
        let mut rng = crate::rng::Rng::new(3);
        let x = Array2::from_shape_fn((700, 3), |_| rng.normal());
        let o = optics(x.view(), &OpticsParams::new(4), &Progress::new()).unwrap();
        let mut seen = o.ordering.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..700).collect::<Vec<_>>());
        assert!(o.reachability[o.ordering[0]].is_infinite());
        assert_eq!(o.predecessor[o.ordering[0]], None);
        assert_eq!(o.reachability_plot().len(), 700);
        assert!(o.max_finite() > 0.0 && o.max_finite().is_finite());
    }

    #[test]
    fn duplicate_rows_give_zero_distances_and_no_nan() {
        // 12 copies of one row (core distance 0, reachability 0: xi divides 0 by 0) and a spread group.
        let x = Array2::from_shape_fn((30, 2), |(i, j)| {
            if i < 12 {
                1.0
            } else {
                (i * (j + 2)) as f64 * 0.37
            }
        });
        let o = optics(x.view(), &OpticsParams::new(4), &Progress::new()).unwrap();
        assert!(o.core_distances[..12].iter().all(|&c| c == 0.0));
        assert!(o.reachability.iter().all(|r| !r.is_nan()));
        let xi = o.xi(&super::super::XiParams::default()).unwrap();
        assert_eq!(xi.labels.labels.len(), 30);
        let cut = o.cut(0.0).unwrap();
        assert_eq!(cut.sizes, [12]);
        let k = super::super::k_distance(x.view(), 4, &Progress::new()).unwrap();
        assert!(k.distances.iter().all(|d| d.is_finite()));
    }

    #[test]
    fn linfa_gives_the_first_row_a_finite_reachability() {
        // The semantic gap docs/decisions.md cites: sklearn (and `optics`) start at inf.
        let l = optics_linfa(docstring().view(), &OpticsParams::new(2)).unwrap();
        assert_eq!(l.ordering.len(), 6);
        assert!(l.reachability.iter().all(|r| r.is_finite()));
    }

    #[test]
    fn refuses_bad_parameters() {
        let x = docstring();
        let p = Progress::new();
        assert!(optics(x.view(), &OpticsParams::new(1), &p).is_err());
        assert!(optics(x.view(), &OpticsParams::new(7), &p).is_err());
        let bad = OpticsParams {
            min_samples: 2,
            max_eps: f64::NAN,
        };
        assert!(optics(x.view(), &bad, &p).is_err());
        let o = optics(x.view(), &OpticsParams::new(2), &p).unwrap();
        assert!(o.cut(-1.0).is_err() && o.cut(f64::NAN).is_err());
        p.cancel();
        assert!(matches!(
            optics(x.view(), &OpticsParams::new(2), &p),
            Err(Error::Cancelled)
        ));
    }
}
