//! Density-based segmentation: DBSCAN, OPTICS (with scikit-learn's eps and xi extractions) and the
//! k-distance curve used to choose eps. Unlike k-means, these leave customers that fit no segment as
//! *noise* (label −1), which is often the interesting part (fraud, VIPs, data errors).
//!
//! Every entry point validates its input first (at least one feature, every value finite, rows made
//! contiguous, parameters in range) and returns [`crate::Error`]; the neighbour index is linfa-nn's k-d
//! tree (`index.rs`), whose panics on non-finite or non-contiguous rows are therefore unreachable.
//! Conventions are scikit-learn's: a row's neighbourhood includes the row itself (`min_samples` counts
//! it), distances are Euclidean with `≤ eps`, OPTICS reachability of each seed point is `inf` and its
//! predecessor is none. Clusters are renumbered by size (largest = 0, ties by first row), as
//! [`crate::cluster::canonical_labels`] does for the other methods.
//!
//! * [`dbscan`]: sklearn's `DBSCAN` (parallel neighbourhoods on linfa-nn's index, then sklearn's
//!   labelling). [`dbscan_linfa`] runs linfa-clustering's `Dbscan` for comparison (see
//!   docs/decisions.md for why it is not the main path).
//! * [`optics`]: sklearn's `compute_optics_graph`; [`Optics::cut`] is `cluster_optics_dbscan` (linear,
//!   for live re-cuts), [`Optics::xi`] is `cluster_optics_xi` (in `xi.rs`). [`optics_linfa`] runs
//!   linfa-clustering's `Optics` for comparison.
//! * [`nearest_within`]: a saved model's rule for new rows (the nearest core row within its radius,
//!   else outlier).
//! * [`k_distance`]: each row's distance to its `min_samples`-th neighbour, sorted, with a suggested eps
//!   at its knee.

mod dbscan;
mod index;
mod kdistance;
mod optics;
mod predict;
mod xi;

pub use dbscan::{DbscanParams, dbscan, dbscan_linfa};
pub use kdistance::{KDistance, increasing_knee, k_distance};
pub use optics::{LinfaOptics, Optics, OpticsParams, optics, optics_linfa};
pub use predict::nearest_within;
pub use xi::{XiParams, XiResult};

/// Labels of a density-based clustering: clusters `0..n_clusters` by size, noise −1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DensityResult {
    /// One label per row: `-1` = noise, else the cluster (0 = largest; ties by first row).
    pub labels: Vec<i64>,
    /// Number of clusters (noise not counted).
    pub n_clusters: usize,
    /// Number of noise rows.
    pub n_noise: usize,
    /// Rows per cluster, in label order (so decreasing).
    pub sizes: Vec<usize>,
    /// Rows that are core points, ascending. DBSCAN: sklearn's `core_sample_indices_`. An OPTICS cut at
    /// `eps`: rows whose core distance is ≤ `eps` (DBSCAN's core points at that eps). OPTICS xi: rows
    /// whose core distance is finite (core at `max_eps`).
    pub core_sample_indices: Vec<usize>,
}

impl DensityResult {
    /// Builds a result from raw labels (any negative value = noise; cluster ids in any order, gaps
    /// allowed), renumbering the clusters canonically.
    pub fn from_raw(raw: &[i64], core_sample_indices: Vec<usize>) -> Self {
        let mut ids: Vec<i64> = raw.iter().copied().filter(|&l| l >= 0).collect();
        ids.sort_unstable();
        ids.dedup();
        // Dense ids 0..k in raw-id order, then sizes and first rows.
        let dense = |l: i64| ids.binary_search(&l).ok();
        let k = ids.len();
        let mut size = vec![0usize; k];
        let mut first = vec![usize::MAX; k];
        for (i, &l) in raw.iter().enumerate() {
            if let Some(c) = (l >= 0).then(|| dense(l)).flatten() {
                size[c] += 1;
                first[c] = first[c].min(i);
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(first[a].cmp(&first[b])));
        let mut old_to_new = vec![0i64; k];
        for (new, &old) in order.iter().enumerate() {
            old_to_new[old] = new as i64;
        }
        let labels: Vec<i64> = raw
            .iter()
            .map(|&l| {
                (l >= 0)
                    .then(|| dense(l))
                    .flatten()
                    .map_or(-1, |c| old_to_new[c])
            })
            .collect();
        let n_noise = labels.iter().filter(|&&l| l < 0).count();
        Self {
            labels,
            n_clusters: k,
            n_noise,
            sizes: order.iter().map(|&c| size[c]).collect(),
            core_sample_indices,
        }
    }

    /// The labels as options (`None` = noise).
    pub fn as_options(&self) -> Vec<Option<usize>> {
        self.labels
            .iter()
            .map(|&l| usize::try_from(l).ok())
            .collect()
    }
}

/// numpy's `np.around(x, 15)` (the rounding sklearn's OPTICS applies to core and reachability
/// distances so that ties break the same way on every platform): `rint(x · 10¹⁵) / 10¹⁵`.
pub(crate) fn round15(x: f64) -> f64 {
    (x * 1e15).round_ties_even() / 1e15
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renumbers_by_size_keeping_noise() {
        let r = DensityResult::from_raw(&[5, -1, 2, 2, 5, 9, 2, -3], vec![0, 2]);
        assert_eq!(r.labels, [1, -1, 0, 0, 1, 2, 0, -1]);
        assert_eq!((r.n_clusters, r.n_noise), (3, 2));
        assert_eq!(r.sizes, [3, 2, 1]);
        assert_eq!(r.as_options()[..3], [Some(1), None, Some(0)]);
    }

    #[test]
    fn ties_go_to_the_first_row() {
        let r = DensityResult::from_raw(&[1, 0, 0, 1], vec![]);
        assert_eq!(r.labels, [0, 1, 1, 0]);
        let all_noise = DensityResult::from_raw(&[-1, -1], vec![]);
        assert_eq!((all_noise.n_clusters, all_noise.n_noise), (0, 2));
        assert!(all_noise.sizes.is_empty());
    }

    #[test]
    fn round15_is_numpy_around() {
        // Values checked with numpy 2: np.around(x, 15).
        assert_eq!(round15(0.1 + 0.2), 0.3);
        assert_eq!(round15(1.234_567_890_123_456_7), 1.234_567_890_123_457);
        assert_eq!(round15(f64::INFINITY), f64::INFINITY);
        assert_eq!(round15(0.0), 0.0);
    }
}
