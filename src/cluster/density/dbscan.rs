//! DBSCAN as scikit-learn's `DBSCAN(eps, min_samples)` does it: every row's neighbourhood within `eps`
//! (itself included, distance ≤ eps) on linfa-nn's k-d tree, core rows have at least `min_samples`
//! neighbours, then sklearn's `dbscan_inner` labelling: rows are scanned in order, each unlabelled core
//! row starts a cluster, and a depth-first search labels every core row reachable from it and their
//! unlabelled neighbours. So a border row within `eps` of core rows of two clusters joins the cluster
//! discovered first, i.e. the one whose lowest-numbered core row comes first (sklearn's rule; the
//! fidelity test checks labels equal sklearn's, border rows included).
//!
//! Neighbourhoods are found in parallel blocks of rows (progress and cancellation between blocks) and kept
//! for core rows only, as `u32` row numbers. Their total size is O(n²) when eps is large, so it is
//! estimated from a sample of rows before any is stored and checked against the memory budget
//! ([`crate::budget`]), and checked again as blocks complete. Building the tree is a single linfa-nn call
//! that cannot be cancelled.
//!
//! [`dbscan_linfa`] runs linfa-clustering's own `Dbscan` on the same index. Its labels agree (same
//! scan-order rule), but it returns no core rows, refuses `min_samples = 1`, cannot report progress or be
//! cancelled, queries serially and asks for many rows' neighbourhoods twice; docs/decisions.md has the
//! measurement.

use linfa::ParamGuard;
use linfa::traits::Transformer;
use ndarray::ArrayView2;
use rayon::prelude::*;

use super::DensityResult;
use super::index::{BLOCK, Index, Rows, Space, index_bytes};
use crate::budget;
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// Rows sampled to estimate the neighbourhood memory.
const SAMPLE: usize = 256;

/// DBSCAN settings (sklearn's names; sklearn's defaults are `eps = 0.5`, `min_samples = 5`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DbscanParams {
    /// Neighbourhood radius (Euclidean, in prepared units); rows at distance ≤ eps are neighbours.
    pub eps: f64,
    /// Neighbours (the row itself included) a row needs to be a core row; ≥ 1.
    pub min_samples: usize,
}

impl Default for DbscanParams {
    fn default() -> Self {
        Self {
            eps: 0.5,
            min_samples: 5,
        }
    }
}

impl DbscanParams {
    /// Settings with the given radius and core size.
    pub fn new(eps: f64, min_samples: usize) -> Self {
        Self { eps, min_samples }
    }

    /// Checks the parameters (no data needed; the GUI can call it each frame).
    pub fn check(&self) -> Result<()> {
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return Err(Error::InvalidParameter(format!(
                "eps = {} is not a positive distance; pick one from the k-distance curve",
                self.eps
            )));
        }
        if self.min_samples == 0 {
            return Err(Error::InvalidParameter(
                "min_samples must be at least 1 (the row itself counts)".into(),
            ));
        }
        Ok(())
    }
}

/// Clusters the rows of `x` (prepared features, no missing values) with DBSCAN.
pub fn dbscan(
    x: ArrayView2<f64>,
    params: &DbscanParams,
    progress: &Progress,
) -> Result<DensityResult> {
    params.check()?;
    let rows = Rows::new(x, "DBSCAN")?;
    let n = rows.n();
    progress.set_stage("DBSCAN: building the neighbour index", 0);
    progress.check()?;
    let space = Space::new(&rows, "DBSCAN", core_bytes(n))?;
    let index = Index::build(&space, "DBSCAN")?;
    progress.check()?;
    let (offsets, neighbours, core) = neighbourhoods(&index, &space, params, progress)?;
    progress.set_stage("DBSCAN: labelling", n as u64);
    let raw = label(&offsets, &neighbours, &core, |i| space.position(i));
    progress.set_done(n as u64);
    let core_rows = (0..n).filter(|&i| core[i]).collect();
    Ok(DensityResult::from_raw(&raw, core_rows))
}

/// Bytes of the per-row arrays besides the neighbourhoods: offsets, core flags, labels and the stack.
fn core_bytes(n: usize) -> u64 {
    (n as u64).saturating_mul(8 + 1 + 8 + 4)
}

/// Neighbourhoods of the core rows as CSR in spatial order (`offsets[p]..offsets[p + 1]` into
/// `neighbours` for the row at position `p` of [`Space::order`]; empty for non-core rows) and the core
/// flag of each row.
fn neighbourhoods(
    index: &Index<'_>,
    space: &Space,
    params: &DbscanParams,
    progress: &Progress,
) -> Result<(Vec<usize>, Vec<u32>, Vec<bool>)> {
    let n = space.n();
    progress.set_stage("DBSCAN: finding neighbourhoods", n as u64);
    // Estimate Σ |N(i)| from evenly spaced rows before storing any.
    let step = n.div_ceil(SAMPLE).max(1);
    let sample: Vec<usize> = (0..n).step_by(step).collect();
    // Small batches first, so a hopeless eps is refused after a few queries rather than 256.
    let (mut seen, mut total) = (0usize, 0usize);
    for batch in sample.chunks(16) {
        progress.check()?;
        let counts: Vec<usize> = batch
            .par_iter()
            .map(|&i| index.within(i, params.eps).map(|v| v.len()))
            .collect::<Result<_>>()?;
        seen += counts.len();
        total += counts.iter().sum::<usize>();
        check_neighbourhood_memory(total as f64 / seen as f64 * n as f64, n, params)?;
    }

    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0usize);
    let mut neighbours: Vec<u32> = Vec::new();
    let mut core = vec![false; n];
    let mut done = 0usize;
    for block in space.order().chunks(BLOCK) {
        progress.check()?;
        let found: Vec<(bool, Vec<u32>)> = block
            .par_iter()
            .map(|&i| {
                let near = index.within(i, params.eps)?;
                let is_core = near.len() >= params.min_samples;
                // Row numbers fit u32: `Rows::new` refuses more rows.
                let kept = if is_core {
                    near.into_iter().map(|j| j as u32).collect()
                } else {
                    Vec::new()
                };
                Ok((is_core, kept))
            })
            .collect::<Result<_>>()?;
        for (&i, (is_core, near)) in block.iter().zip(found) {
            core[i] = is_core;
            neighbours.extend_from_slice(&near);
            offsets.push(neighbours.len());
        }
        done += block.len();
        progress.add(block.len() as u64);
        // Project the total from what has been stored so far and refuse early if it will not fit.
        let projected = neighbours.len() as f64 * n as f64 / done as f64;
        check_neighbourhood_memory(projected, n, params)?;
    }
    Ok((offsets, neighbours, core))
}

fn check_neighbourhood_memory(
    total_neighbours: f64,
    n: usize,
    params: &DbscanParams,
) -> Result<()> {
    let bytes = (total_neighbours * 4.0).min(u64::MAX as f64) as u64;
    budget::check(
        bytes,
        &format!(
            "DBSCAN neighbourhoods at eps = {} (about {:.0} neighbours per row over {n} rows)",
            params.eps,
            total_neighbours / n.max(1) as f64
        ),
        "use a smaller eps (see the k-distance curve) or sample the rows",
    )
}

/// sklearn's `dbscan_inner`: raw labels (−1 = noise) in order of discovery; row `i`'s neighbourhood is
/// slot `slot(i)` of the CSR arrays.
fn label(
    offsets: &[usize],
    neighbours: &[u32],
    core: &[bool],
    slot: impl Fn(usize) -> usize,
) -> Vec<i64> {
    let n = core.len();
    let mut labels = vec![-1i64; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0i64;
    for seed in 0..n {
        if labels[seed] != -1 || !core[seed] {
            continue;
        }
        let mut i = seed;
        loop {
            if labels[i] == -1 {
                labels[i] = next;
                if core[i] {
                    let p = slot(i);
                    for &v in &neighbours[offsets[p]..offsets[p + 1]] {
                        if labels[v as usize] == -1 {
                            stack.push(v as usize);
                        }
                    }
                }
            }
            match stack.pop() {
                Some(j) => i = j,
                None => break,
            }
        }
        next += 1;
    }
    labels
}

/// linfa-clustering's `Dbscan` (k-d tree, `tolerance = eps`, `min_points = min_samples`) on validated
/// input, its labels renumbered canonically. It finds no core rows (`core_sample_indices` is empty),
/// needs `min_samples ≥ 2`, and cannot report progress or be cancelled; kept to compare with [`dbscan`].
pub fn dbscan_linfa(x: ArrayView2<f64>, params: &DbscanParams) -> Result<DensityResult> {
    params.check()?;
    if params.min_samples < 2 {
        return Err(Error::InvalidParameter(
            "linfa's DBSCAN needs min_samples ≥ 2".into(),
        ));
    }
    let rows = Rows::new(x, "DBSCAN")?;
    let (n, d) = rows.view().dim();
    budget::check(
        index_bytes(n, d).saturating_add(core_bytes(n)),
        &format!("the DBSCAN neighbour index over {n} rows × {d} features"),
        "sample fewer rows or use k-means",
    )?;
    let valid = linfa_clustering::Dbscan::params(params.min_samples)
        .tolerance(params.eps)
        .check()
        .map_err(|e| Error::InvalidParameter(format!("linfa DBSCAN: {e}")))?;
    let memberships = valid.transform(&rows.view());
    let raw: Vec<i64> = memberships
        .iter()
        .map(|m| m.map_or(-1, |c| c as i64))
        .collect();
    Ok(DensityResult::from_raw(&raw, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    fn two_lines() -> Array2<f64> {
        // Two groups of 5 on a line (spacing 1), a bridge row between them, and a far outlier.
        let mut v: Vec<f64> = (0..5).map(f64::from).collect();
        v.extend((0..5).map(|i| 10.0 + f64::from(i)));
        v.push(5.5);
        v.push(100.0);
        Array2::from_shape_vec((12, 1), v).unwrap()
    }

    #[test]
    fn finds_clusters_and_noise() {
        let x = two_lines();
        let r = dbscan(x.view(), &DbscanParams::new(1.0, 3), &Progress::new()).unwrap();
        // Row 10 (5.5) is 1.5 from its nearest row and row 11 (100) far from all: both noise.
        assert_eq!(r.labels, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, -1, -1]);
        assert_eq!((r.n_clusters, r.n_noise), (2, 2));
        assert_eq!(r.sizes, [5, 5]);
        // Ends of each line have 2 neighbours (themselves + one): border, not core.
        assert_eq!(r.core_sample_indices, [1, 2, 3, 6, 7, 8]);
        let l = dbscan_linfa(x.view(), &DbscanParams::new(1.0, 3)).unwrap();
        assert_eq!(l.labels, r.labels);
    }

    #[test]
    fn border_row_joins_the_first_discovered_cluster() {
        // Row 5 (x = 0) is within eps of core rows of both groups but has only 3 neighbours, so it is a
        // border row. Group B (rows 0-4) has the first core row, so sklearn gives row 5 to B.
        let x = array![
            [1.0],
            [1.05],
            [1.1],
            [1.15],
            [1.2],
            [0.0],
            [-1.0],
            [-1.05],
            [-1.1],
            [-1.15],
            [-1.2]
        ];
        let p = DbscanParams::new(1.0, 4);
        let r = dbscan(x.view(), &p, &Progress::new()).unwrap();
        assert_eq!(r.labels, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
        assert!(!r.core_sample_indices.contains(&5));
        assert_eq!(dbscan_linfa(x.view(), &p).unwrap().labels, r.labels);
        // Reversed row order: now group A is found first and takes the border row.
        let rev = x.slice(ndarray::s![..;-1, ..]).to_owned();
        let r = dbscan(rev.view(), &p, &Progress::new()).unwrap();
        assert_eq!(r.labels, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn min_samples_one_makes_every_row_core() {
        let x = two_lines();
        let r = dbscan(x.view(), &DbscanParams::new(1.0, 1), &Progress::new()).unwrap();
        assert_eq!(r.n_noise, 0);
        assert_eq!(r.core_sample_indices.len(), 12);
        assert_eq!(r.n_clusters, 4);
        assert!(dbscan_linfa(x.view(), &DbscanParams::new(1.0, 1)).is_err());
    }

    #[test]
    fn refuses_bad_parameters_and_values() {
        let x = two_lines();
        let p = Progress::new();
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                dbscan(x.view(), &DbscanParams::new(bad, 3), &p),
                Err(Error::InvalidParameter(_))
            ));
        }
        assert!(dbscan(x.view(), &DbscanParams::new(1.0, 0), &p).is_err());
        let mut y = x.clone();
        y[[4, 0]] = f64::INFINITY;
        assert!(dbscan(y.view(), &DbscanParams::new(1.0, 3), &p).is_err());
        assert!(dbscan_linfa(y.view(), &DbscanParams::new(1.0, 3)).is_err());
    }

    #[test]
    fn cancelled_before_work() {
        let x = two_lines();
        let p = Progress::new();
        p.cancel();
        assert!(matches!(
            dbscan(x.view(), &DbscanParams::default(), &p),
            Err(Error::Cancelled)
        ));
    }

    #[test]
    fn huge_eps_is_refused_by_the_budget() {
        // 200,000 identical rows: every neighbourhood is every row (4 × 10¹⁰ entries, 160 GB), refused
        // after the first sampled queries. (The process-wide limit is left alone: other tests share it.)
        let x = Array2::<f64>::zeros((200_000, 1));
        let r = dbscan(x.view(), &DbscanParams::new(1.0, 5), &Progress::new());
        assert!(
            matches!(r, Err(Error::TooLarge { ref what, .. }) if what.contains("neighbourhoods")),
            "{r:?}"
        );
    }
}
