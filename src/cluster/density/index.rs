//! The neighbour index shared by DBSCAN, OPTICS and the k-distance curve: linfa-nn's k-d tree over the
//! rows of a validated, contiguous matrix, with radius and k-nearest queries behind the engine's error
//! type, and distances computed exactly as scikit-learn's k-d tree and scipy's `cdist` do (a sequential
//! `Σ (a − b)²`, then `√`; checked bit for bit against both when the fixtures were made).
//!
//! linfa-nn panics on rows that are not contiguous or not finite and on a zero-dimensional matrix;
//! [`Rows::new`] rules all three out before an index is built. Building the tree is one call into
//! linfa-nn and cannot be cancelled; queries are cheap and run in parallel blocks by the callers.

use linfa_nn::distance::L2Dist;
use linfa_nn::{KdTree, NearestNeighbour, NearestNeighbourIndex};
use ndarray::{ArrayView1, ArrayView2, CowArray, Ix2};
use rayon::prelude::*;

use crate::budget;
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// Rows per block of parallel queries (progress and cancellation happen between blocks).
pub(crate) const BLOCK: usize = 2048;

/// Points per leaf of the k-d tree.
const LEAF_SIZE: usize = 16;

/// A validated matrix: at least one row and one feature, every value finite, standard layout.
pub(crate) struct Rows<'a> {
    x: CowArray<'a, f64, Ix2>,
}

impl<'a> Rows<'a> {
    /// Validates `x` for `what` (the method name used in messages).
    pub(crate) fn new(x: ArrayView2<'a, f64>, what: &str) -> Result<Self> {
        if x.nrows() == 0 {
            return Err(Error::InvalidParameter(format!(
                "{what} needs at least one row; the prepared data is empty"
            )));
        }
        crate::cluster::check_matrix(x)?;
        if u32::try_from(x.nrows()).is_err() {
            return Err(Error::InvalidParameter(format!(
                "{what} handles at most {} rows; sample the data first",
                u32::MAX
            )));
        }
        if !x.is_standard_layout() {
            budget::check(
                budget::f64s(x.len() as u128),
                &format!(
                    "a contiguous copy of the {} × {} matrix for {what}",
                    x.nrows(),
                    x.ncols()
                ),
                "prepare fewer rows or features",
            )?;
        }
        let x = if x.is_standard_layout() {
            CowArray::from(x)
        } else {
            CowArray::from(x.as_standard_layout().into_owned())
        };
        Ok(Self { x })
    }

    /// Number of rows.
    pub(crate) fn n(&self) -> usize {
        self.x.nrows()
    }

    /// The matrix (standard layout).
    pub(crate) fn view(&self) -> ArrayView2<'_, f64> {
        self.x.view()
    }

    /// Row `i` as a slice.
    pub(crate) fn row(&self, i: usize) -> &[f64] {
        let d = self.x.ncols();
        // Standard layout is checked in `new`, so the whole matrix is one slice.
        self.x
            .as_slice()
            .map_or(&[][..], |s| &s[i * d..(i + 1) * d])
    }
}

/// Estimated bytes of linfa-nn's k-d tree over `n` rows of `d` features: per row a slice reference and
/// an `(ArrayView1, usize)` entry (48 bytes, ×2 for vector growth), plus about one node per 4 rows
/// holding two `d`-wide bounding-box corners and ~160 bytes of pointers and vectors.
pub(crate) fn index_bytes(n: usize, d: usize) -> u64 {
    let per_row = 96 + (16 * d as u64 + 160) / 4;
    (n as u64).saturating_mul(per_row)
}

/// linfa-nn's k-d tree over validated rows.
pub(crate) struct Index<'r, 'a> {
    rows: &'r Rows<'a>,
    nn: Box<dyn NearestNeighbourIndex<f64> + Send + Sync + 'r>,
}

impl<'r, 'a> Index<'r, 'a> {
    /// Builds the tree after checking its memory estimate (plus `extra_bytes` the caller will need)
    /// against the budget; `what` names the method in messages.
    pub(crate) fn build(rows: &'r Rows<'a>, what: &str, extra_bytes: u64) -> Result<Self> {
        let (n, d) = rows.x.dim();
        budget::check(
            index_bytes(n, d).saturating_add(extra_bytes),
            &format!("the {what} neighbour index over {n} rows × {d} features"),
            "sample fewer rows or use k-means",
        )?;
        let nn = KdTree
            .from_batch_with_leaf_size(&rows.x, LEAF_SIZE, L2Dist)
            .map_err(|e| Error::InvalidParameter(format!("{what}: neighbour index: {e}")))?;
        Ok(Self { rows, nn })
    }

    fn point(&self, i: usize) -> ArrayView1<'_, f64> {
        self.rows.x.row(i)
    }

    /// Rows within `radius` of row `i` (distance ≤ radius), itself included, in no particular order.
    pub(crate) fn within(&self, i: usize, radius: f64) -> Result<Vec<usize>> {
        let found = self
            .nn
            .within_range(self.point(i), radius)
            .map_err(|e| Error::InvalidParameter(format!("neighbour query: {e}")))?;
        Ok(found.into_iter().map(|(_, j)| j).collect())
    }

    /// Distance from row `i` to its `k`-th nearest row, counting itself (sklearn's
    /// `kneighbors(X, k)[0][:, -1]`). `1 ≤ k ≤ n` is the caller's check.
    pub(crate) fn kth_distance(&self, i: usize, k: usize) -> Result<f64> {
        let found = self
            .nn
            .k_nearest(self.point(i), k)
            .map_err(|e| Error::InvalidParameter(format!("neighbour query: {e}")))?;
        let a = self.rows.row(i);
        // linfa-nn returns the k nearest sorted by distance; the k-th distance is the largest one (taken
        // as a maximum so the order of equal distances does not matter).
        Ok(found
            .iter()
            .map(|&(_, j)| dist(a, self.rows.row(j)))
            .fold(0.0, f64::max))
    }

    /// [`Index::kth_distance`] for every row, in parallel blocks with progress and cancellation.
    pub(crate) fn kth_distances(&self, k: usize, progress: &Progress) -> Result<Vec<f64>> {
        let n = self.rows.n();
        let mut out = Vec::with_capacity(n);
        for start in (0..n).step_by(BLOCK) {
            progress.check()?;
            let end = (start + BLOCK).min(n);
            let block: Vec<f64> = (start..end)
                .into_par_iter()
                .map(|i| self.kth_distance(i, k))
                .collect::<Result<_>>()?;
            out.extend(block);
            progress.add((end - start) as u64);
        }
        Ok(out)
    }
}

/// Euclidean distance as sklearn's k-d tree and scipy's `cdist` compute it: a sequential sum of squared
/// differences, then the square root.
pub(crate) fn dist(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        let t = x - y;
        s += t * t;
    }
    s.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn rows_refuse_bad_input() {
        let empty = ndarray::Array2::<f64>::zeros((0, 2));
        assert!(Rows::new(empty.view(), "DBSCAN").is_err());
        let no_cols = ndarray::Array2::<f64>::zeros((3, 0));
        assert!(Rows::new(no_cols.view(), "DBSCAN").is_err());
        let nan = array![[0.0, 1.0], [f64::NAN, 2.0]];
        let e = Rows::new(nan.view(), "DBSCAN").err().map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("row 2 feature 1")));
    }

    #[test]
    fn transposed_rows_are_copied_contiguous() {
        let x = array![[0.0, 1.0, 2.0], [0.0, 0.0, 5.0]];
        let t = x.t();
        let rows = Rows::new(t, "OPTICS").unwrap();
        assert_eq!(rows.row(2), [2.0, 5.0]);
        let idx = Index::build(&rows, "OPTICS", 0).unwrap();
        let mut near = idx.within(0, 1.0).unwrap();
        near.sort_unstable();
        assert_eq!(near, [0, 1]);
        assert_eq!(idx.kth_distance(0, 1).unwrap(), 0.0);
        assert_eq!(idx.kth_distance(0, 3).unwrap(), 29f64.sqrt());
    }

    #[test]
    fn radius_is_inclusive() {
        let x = array![[0.0], [1.0], [2.0], [3.5]];
        let rows = Rows::new(x.view(), "DBSCAN").unwrap();
        let idx = Index::build(&rows, "DBSCAN", 0).unwrap();
        let mut near = idx.within(1, 1.0).unwrap();
        near.sort_unstable();
        assert_eq!(near, [0, 1, 2]);
    }
}
