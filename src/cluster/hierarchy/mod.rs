//! Agglomerative hierarchical clustering with scipy's conventions.
//!
//! The result is a [`Dendrogram`] whose merges read like a scipy linkage matrix `[a, b, distance, size]`:
//! leaves are `0..n`, merge `i` creates cluster `n + i`, `a < b`, merges sorted by height (stable), Ward
//! heights are scipy's (Euclidean, not squared).
//!
//! * [`linkage`] is exact: a condensed Euclidean distance matrix (computed in parallel, cancellable) fed
//!   to kodama (Müllner's algorithms, the same as scipy/fastcluster). Ward needs no matrix: it runs the
//!   nearest-neighbour chain on centroids (`ward_vector.rs`, fastcluster's `linkage_vector`), O(n·d)
//!   memory and a parallel search. It refuses more than [`EXACT_MAX_ROWS`] rows before allocating
//!   anything, naming the memory the matrix would need.
//! * [`linkage_approx`] summarises the rows into micro-clusters (k-means on a sample, then every row
//!   assigned to its nearest centre) and clusters the micro-cluster centroids with size-weighted linkage
//!   (weighted Ward: the Lance–Williams recurrence started from the micro-cluster sizes). The dendrogram is
//!   flagged `approximate`; its leaves are micro-clusters and [`labels_for_rows`] maps leaf labels to rows.
//! * [`auto_linkage`] picks exact up to [`EXACT_MAX_ROWS`] rows, approximate beyond.
//! * Cuts ([`cut_k`], [`cut_height`]), [`height_for_k`], [`leaf_order`] (scipy's `leaves_list`) and
//!   [`node_positions`] for drawing live in `cut.rs`; a drawn tree's cut ([`link_segments`],
//!   [`cut_range`]) in `cut_view.rs`, scipy's `truncate_mode="lastp"` ([`truncate_lastp`]) in `truncate.rs`.

mod approx;
mod cut;
mod cut_view;
mod nnchain;
mod truncate;
mod ward_vector;

use std::fmt;
use std::str::FromStr;

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::error::{Error, Result, human_bytes};
use crate::jobs::Progress;

pub use approx::{DEFAULT_MICRO_CLUSTERS, linkage_approx};
pub use cut::{
    DendrogramLayout, cut_height, cut_k, height_for_k, labels_for_rows, leaf_order, node_positions,
    sizes_at_cut,
};
pub use cut_view::{cut_range, link_segments};
pub use truncate::{Truncated, truncate_lastp};

/// Largest number of rows clustered exactly (the condensed matrix then takes about 1.5 GiB).
pub const EXACT_MAX_ROWS: usize = 20_000;

/// How the distance between two clusters is measured.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Linkage {
    /// Nearest pair of members.
    Single,
    /// Farthest pair of members.
    Complete,
    /// Mean distance over all pairs (UPGMA).
    Average,
    /// Increase in within-cluster sum of squares (scipy's heights: Euclidean, not squared).
    #[default]
    Ward,
}

impl Linkage {
    /// All methods, for menus.
    pub const ALL: [Linkage; 4] = [
        Linkage::Ward,
        Linkage::Average,
        Linkage::Complete,
        Linkage::Single,
    ];

    /// The lower-case name used by the CLI and recipes.
    pub fn name(self) -> &'static str {
        match self {
            Linkage::Single => "single",
            Linkage::Complete => "complete",
            Linkage::Average => "average",
            Linkage::Ward => "ward",
        }
    }

    fn kodama(self) -> kodama::Method {
        match self {
            Linkage::Single => kodama::Method::Single,
            Linkage::Complete => kodama::Method::Complete,
            Linkage::Average => kodama::Method::Average,
            Linkage::Ward => kodama::Method::Ward,
        }
    }
}

impl fmt::Display for Linkage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Linkage {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "single" => Ok(Linkage::Single),
            "complete" => Ok(Linkage::Complete),
            "average" => Ok(Linkage::Average),
            "ward" => Ok(Linkage::Ward),
            other => Err(Error::InvalidParameter(format!(
                "unknown linkage '{other}'; choose ward, average, complete or single"
            ))),
        }
    }
}

/// One merge of two clusters: a row of a scipy linkage matrix.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Merge {
    /// The smaller id of the two merged clusters (leaf `< n_leaves`, or `n_leaves + merge index`).
    pub a: usize,
    /// The larger id.
    pub b: usize,
    /// Linkage distance between `a` and `b`.
    pub height: f64,
    /// Rows in the new cluster (in approximate mode: rows, i.e. the sum of leaf weights).
    pub size: usize,
}

/// A binary merge tree over `n_leaves` leaves (rows, or micro-clusters in approximate mode).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Dendrogram {
    /// Number of leaves.
    pub n_leaves: usize,
    /// `n_leaves - 1` merges sorted by height; merge `i` creates cluster `n_leaves + i`.
    pub merges: Vec<Merge>,
    /// The method used.
    pub method: Linkage,
    /// True when leaves are micro-clusters rather than rows.
    pub approximate: bool,
    /// Approximate mode: rows in each leaf (micro-cluster).
    pub leaf_weights: Option<Vec<usize>>,
    /// Approximate mode: leaf (micro-cluster) of every row.
    pub leaf_of_row: Option<Vec<usize>>,
    /// Approximate mode: the centre each row was assigned to (nearest), one per leaf, flat (leaves × d):
    /// what scores a new row exactly as the training rows were assigned.
    pub leaf_centres: Option<Vec<f64>>,
}

impl Dendrogram {
    /// The scipy linkage matrix: one `[a, b, distance, size]` row per merge.
    pub fn to_linkage_matrix(&self) -> Vec<[f64; 4]> {
        self.merges
            .iter()
            .map(|m| [m.a as f64, m.b as f64, m.height, m.size as f64])
            .collect()
    }

    /// Height of the last merge (0 for a single leaf).
    pub fn root_height(&self) -> f64 {
        self.merges.last().map_or(0.0, |m| m.height)
    }

    /// Number of rows the tree describes (leaves, or the sum of leaf weights in approximate mode).
    pub fn n_rows(&self) -> usize {
        self.leaf_of_row.as_ref().map_or(self.n_leaves, Vec::len)
    }
}

/// Bytes of the condensed distance matrix for `n` rows.
pub fn exact_memory_bytes(n: usize) -> u64 {
    let n = n as u64;
    n * n.saturating_sub(1) / 2 * 8
}

fn check_input(x: ArrayView2<f64>) -> Result<()> {
    let (n, d) = x.dim();
    if n < 2 {
        return Err(Error::InvalidParameter(format!(
            "hierarchical clustering needs at least 2 rows, found {n}"
        )));
    }
    if d == 0 {
        return Err(Error::InvalidParameter("no features to cluster on".into()));
    }
    Ok(())
}

/// Exact hierarchical clustering of the rows of `x` (Euclidean distances), up to [`EXACT_MAX_ROWS`] rows.
pub fn linkage(x: ArrayView2<f64>, method: Linkage, progress: &Progress) -> Result<Dendrogram> {
    let n = x.nrows();
    if n > EXACT_MAX_ROWS {
        return Err(Error::InvalidParameter(format!(
            "exact hierarchical clustering of {n} rows needs a {} distance matrix (n(n-1)/2 × 8 bytes); \
             the exact limit is {EXACT_MAX_ROWS} rows ({}). Use the approximate mode \
             (micro-clusters, then linkage on their weighted centroids) for data this large",
            human_bytes(exact_memory_bytes(n)),
            human_bytes(exact_memory_bytes(EXACT_MAX_ROWS)),
        )));
    }
    check_input(x)?;
    super::check_finite(x)?;
    if method == Linkage::Ward
        && let Some(merges) = ward_on_centroids(x, progress)?
    {
        return Ok(Dendrogram {
            n_leaves: n,
            merges,
            method,
            approximate: false,
            leaf_weights: None,
            leaf_of_row: None,
            leaf_centres: None,
        });
    }
    let mut condensed = condensed_distances(x, progress)?;
    if let Some(v) = condensed
        .iter()
        .find(|v| !v.is_finite() || (method == Linkage::Ward && !(*v * *v).is_finite()))
    {
        return Err(Error::InvalidParameter(format!(
            "a distance between rows overflows ({v}); scale the features before clustering"
        )));
    }
    progress.check()?;
    progress.set_stage("linkage", 0);
    let dend = kodama::linkage(&mut condensed, n, method.kodama());
    progress.check()?;
    let merges = dend
        .steps()
        .iter()
        .map(|s| Merge {
            a: s.cluster1.min(s.cluster2),
            b: s.cluster1.max(s.cluster2),
            height: s.dissimilarity,
            size: s.size,
        })
        .collect();
    Ok(Dendrogram {
        n_leaves: n,
        merges,
        method,
        approximate: false,
        leaf_weights: None,
        leaf_of_row: None,
        leaf_centres: None,
    })
}

/// Exact Ward by the nearest-neighbour chain on centroids, or `None` when squared Ward distances could
/// overflow (the matrix path then reports the offending distance).
fn ward_on_centroids(x: ArrayView2<f64>, progress: &Progress) -> Result<Option<Vec<Merge>>> {
    let (n, d) = x.dim();
    // Any squared Ward distance is at most n/2 × Σ_j (range of feature j)².
    let spread: f64 = x
        .columns()
        .into_iter()
        .map(|c| {
            let (lo, hi) = c
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            (hi - lo) * (hi - lo)
        })
        .sum();
    if !(spread * n as f64).is_finite() {
        return Ok(None);
    }
    let x = x.as_standard_layout();
    let data = x
        .as_slice()
        .ok_or_else(|| Error::InvalidParameter("internal: matrix is not contiguous".into()))?;
    ward_vector::ward_linkage(data, d, &vec![1.0; n], progress).map(Some)
}

/// Exact up to [`EXACT_MAX_ROWS`] rows, else [`linkage_approx`] with [`DEFAULT_MICRO_CLUSTERS`] and seed 0.
pub fn auto_linkage(
    x: ArrayView2<f64>,
    method: Linkage,
    progress: &Progress,
) -> Result<Dendrogram> {
    if x.nrows() <= EXACT_MAX_ROWS {
        linkage(x, method, progress)
    } else {
        linkage_approx(x, method, DEFAULT_MICRO_CLUSTERS, 0, progress)
    }
}

/// Condensed (upper triangle, row-major) Euclidean distance matrix, in parallel, checking for
/// cancellation between blocks of rows.
fn condensed_distances(x: ArrayView2<f64>, progress: &Progress) -> Result<Vec<f64>> {
    let (n, d) = x.dim();
    let x = x.as_standard_layout();
    let data = x
        .as_slice()
        .ok_or_else(|| Error::InvalidParameter("internal: matrix is not contiguous".into()))?;
    let len = n * (n - 1) / 2;
    let mut out = vec![0.0f64; len];
    progress.set_stage("pairwise distances", len as u64);
    // Split into per-row slices: row i holds distances to rows i+1..n.
    let mut rows: Vec<(usize, &mut [f64])> = Vec::with_capacity(n);
    let mut rest = out.as_mut_slice();
    for i in 0..n.saturating_sub(1) {
        let (head, tail) = rest.split_at_mut(n - 1 - i);
        rows.push((i, head));
        rest = tail;
    }
    // Blocks of roughly equal work (~4M distances each).
    let mut start = 0;
    while start < rows.len() {
        progress.check()?;
        let mut work = 0usize;
        let mut end = start;
        while end < rows.len() && work < 4_000_000 {
            work += rows[end].1.len();
            end += 1;
        }
        rows[start..end].par_iter_mut().for_each(|(i, dst)| {
            let a = &data[*i * d..(*i + 1) * d];
            for (k, slot) in dst.iter_mut().enumerate() {
                let j = *i + 1 + k;
                let b = &data[j * d..(j + 1) * d];
                *slot = a
                    .iter()
                    .zip(b)
                    .map(|(p, q)| (p - q) * (p - q))
                    .sum::<f64>()
                    .sqrt();
            }
        });
        progress.add(work as u64);
        start = end;
    }
    progress.check()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn names_round_trip() {
        for m in Linkage::ALL {
            assert_eq!(m.to_string().parse::<Linkage>().unwrap(), m);
            let j = serde_json::to_string(&m).unwrap();
            assert_eq!(j, format!("\"{m}\""));
        }
        assert!("centroid".parse::<Linkage>().is_err());
        assert_eq!(" Ward ".parse::<Linkage>().unwrap(), Linkage::Ward);
    }

    #[test]
    fn small_ward_matches_hand_computation() {
        // 0 and 1 at distance 1, 2 far away: first merge (0,1) at 1, then Ward height
        // sqrt(2*2*1/3)*|centroid(0,1) - x2| = sqrt(4/3)*9.5.
        let x = array![[0.0], [1.0], [10.0]];
        let d = linkage(x.view(), Linkage::Ward, &Progress::new()).unwrap();
        assert_eq!(d.merges[0].a, 0);
        assert_eq!(d.merges[0].b, 1);
        assert!((d.merges[0].height - 1.0).abs() < 1e-12);
        assert_eq!(d.merges[1].a, 2);
        assert_eq!(d.merges[1].b, 3);
        assert!((d.merges[1].height - (4.0f64 / 3.0).sqrt() * 9.5).abs() < 1e-12);
        assert_eq!(d.merges[1].size, 3);
        assert_eq!(
            d.to_linkage_matrix()[1],
            [2.0, 3.0, d.merges[1].height, 3.0]
        );
    }

    #[test]
    fn refuses_tiny_and_empty_inputs() {
        let p = Progress::new();
        assert!(linkage(array![[1.0]].view(), Linkage::Ward, &p).is_err());
        let nan = array![[1.0], [f64::NAN]];
        assert!(linkage(nan.view(), Linkage::Ward, &p).is_err());
    }
}
