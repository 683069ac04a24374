//! The neighbour index shared by DBSCAN, OPTICS and the k-distance curve: linfa-nn's k-d tree over the
//! rows of a validated, contiguous matrix, with radius and k-nearest queries behind the engine's error
//! type, and distances computed exactly as scikit-learn's k-d tree and scipy's `cdist` do (a sequential
//! `Σ (a − b)²`, then `√`; checked bit for bit against both when the fixtures were made).
//!
//! linfa-nn panics on rows that are not contiguous or not finite and on a zero-dimensional matrix;
//! [`Rows::new`] rules all three out before an index is built. The tree is built over a copy of the rows
//! in a spatially coherent order ([`Space`]), which halves the cost of the queries; every query takes and
//! returns original row numbers. Building the tree is one call into linfa-nn and cannot be cancelled;
//! queries are cheap and run in parallel blocks, in spatial order, by the callers.

use linfa_nn::distance::L2Dist;
use linfa_nn::{KdTree, NearestNeighbour, NearestNeighbourIndex};
use ndarray::{Array2, ArrayView1, ArrayView2, Axis, CowArray, Ix2};
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

/// Rows in a spatially coherent order (the leaves of a median-split k-d tree), copied contiguously.
///
/// Queried in row order, neighbouring queries land in unrelated parts of the tree and the rows they
/// touch are scattered over the matrix, so most of the time goes to cache misses. Ordered this way,
/// consecutive queries (and each thread's block of them) touch the same leaves and rows: measured on
/// 30,000 × 10 blobs, the DBSCAN neighbourhood pass takes about half the CPU time. Results are unchanged:
/// every query and answer is translated back to original row numbers.
pub(crate) struct Space {
    x: Array2<f64>,
    /// Position in `x` → original row.
    order: Vec<usize>,
    /// Original row → position in `x`.
    position: Vec<usize>,
}

/// Rows per leaf of the ordering.
const ORDER_LEAF: usize = 32;

impl Space {
    /// Orders and copies `rows` after checking the memory of the copy, linfa-nn's tree over it and
    /// `extra_bytes` the caller will need against the budget; `what` names the method in messages.
    pub(crate) fn new(rows: &Rows<'_>, what: &str, extra_bytes: u64) -> Result<Self> {
        let (n, d) = rows.x.dim();
        let copy = budget::f64s((n * d) as u128).saturating_add((n as u64).saturating_mul(16));
        budget::check(
            index_bytes(n, d)
                .saturating_add(copy)
                .saturating_add(extra_bytes),
            &format!("the {what} neighbour index over {n} rows × {d} features"),
            "sample fewer rows or use k-means",
        )?;
        let order = kd_order(rows.view());
        let x = rows.x.select(Axis(0), &order);
        let mut position = vec![0usize; n];
        for (at, &i) in order.iter().enumerate() {
            position[i] = at;
        }
        Ok(Self { x, order, position })
    }

    /// Number of rows.
    pub(crate) fn n(&self) -> usize {
        self.order.len()
    }

    /// Original rows in spatial order (iterate queries in this order).
    pub(crate) fn order(&self) -> &[usize] {
        &self.order
    }

    /// Position of original row `i` in [`Space::order`].
    pub(crate) fn position(&self, i: usize) -> usize {
        self.position[i]
    }

    /// Original row `i` as a slice.
    pub(crate) fn row(&self, i: usize) -> &[f64] {
        let d = self.x.ncols();
        let at = self.position[i];
        // `select` returns a fresh standard-layout array, so the whole matrix is one slice.
        self.x
            .as_slice()
            .map_or(&[][..], |s| &s[at * d..(at + 1) * d])
    }
}

/// The order of the leaves of a k-d tree that splits at the median of the widest feature down to
/// [`ORDER_LEAF`] rows (deterministic: `select_nth_unstable` on a fixed input).
fn kd_order(x: ArrayView2<'_, f64>) -> Vec<usize> {
    let n = x.nrows();
    let mut idx: Vec<usize> = (0..n).collect();
    let mut stack = vec![(0usize, n)];
    while let Some((lo, hi)) = stack.pop() {
        if hi - lo <= ORDER_LEAF {
            continue;
        }
        let part = &mut idx[lo..hi];
        let mut widest = (0.0f64, 0usize);
        for (j, col) in x.columns().into_iter().enumerate() {
            let (a, b) = part
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &i| {
                    (a.min(col[i]), b.max(col[i]))
                });
            if b - a > widest.0 {
                widest = (b - a, j);
            }
        }
        if widest.0 <= 0.0 {
            continue;
        }
        let col = x.column(widest.1);
        let mid = part.len() / 2;
        part.select_nth_unstable_by(mid, |&a, &b| col[a].total_cmp(&col[b]));
        stack.push((lo + mid, hi));
        stack.push((lo, lo + mid));
    }
    idx
}

/// linfa-nn's k-d tree over the spatially ordered rows; queries take and return original row numbers.
pub(crate) struct Index<'s> {
    space: &'s Space,
    nn: Box<dyn NearestNeighbourIndex<f64> + Send + Sync + 's>,
}

impl<'s> Index<'s> {
    /// Builds the tree (the memory was checked by [`Space::new`]); `what` names the method in messages.
    pub(crate) fn build(space: &'s Space, what: &str) -> Result<Self> {
        let nn = KdTree
            .from_batch_with_leaf_size(&space.x, LEAF_SIZE, L2Dist)
            .map_err(|e| Error::InvalidParameter(format!("{what}: neighbour index: {e}")))?;
        Ok(Self { space, nn })
    }

    fn point(&self, i: usize) -> ArrayView1<'_, f64> {
        self.space.x.row(self.space.position[i])
    }

    /// Rows within `radius` of row `i` (distance ≤ radius), itself included, in no particular order.
    pub(crate) fn within(&self, i: usize, radius: f64) -> Result<Vec<usize>> {
        let found = self
            .nn
            .within_range(self.point(i), radius)
            .map_err(|e| Error::InvalidParameter(format!("neighbour query: {e}")))?;
        Ok(found
            .into_iter()
            .map(|(_, at)| self.space.order[at])
            .collect())
    }

    /// Rows within `radius` of the point `q` (distance ≤ radius), in no particular order. `q` must be
    /// finite and as wide as the rows (the caller's check).
    pub(crate) fn within_point(&self, q: ArrayView1<'_, f64>, radius: f64) -> Result<Vec<usize>> {
        let found = self
            .nn
            .within_range(q, radius)
            .map_err(|e| Error::InvalidParameter(format!("neighbour query: {e}")))?;
        Ok(found
            .into_iter()
            .map(|(_, at)| self.space.order[at])
            .collect())
    }

    /// Distance from row `i` to its `k`-th nearest row, counting itself (sklearn's
    /// `kneighbors(X, k)[0][:, -1]`). `1 ≤ k ≤ n` is the caller's check.
    pub(crate) fn kth_distance(&self, i: usize, k: usize) -> Result<f64> {
        let found = self
            .nn
            .k_nearest(self.point(i), k)
            .map_err(|e| Error::InvalidParameter(format!("neighbour query: {e}")))?;
        let a = self.space.row(i);
        // linfa-nn returns the k nearest sorted by distance; the k-th distance is the largest one (taken
        // as a maximum so the order of equal distances does not matter).
        Ok(found
            .iter()
            .map(|&(_, at)| dist(a, self.space.row(self.space.order[at])))
            .fold(0.0, f64::max))
    }

    /// [`Index::kth_distance`] for every row (indexed by original row), in parallel blocks taken in
    /// spatial order, with progress and cancellation between blocks.
    pub(crate) fn kth_distances(&self, k: usize, progress: &Progress) -> Result<Vec<f64>> {
        let n = self.space.n();
        let mut out = vec![0.0; n];
        for block in self.space.order.chunks(BLOCK) {
            progress.check()?;
            let found: Vec<f64> = block
                .par_iter()
                .map(|&i| self.kth_distance(i, k))
                .collect::<Result<_>>()?;
            for (&i, v) in block.iter().zip(found) {
                out[i] = v;
            }
            progress.add(block.len() as u64);
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
        let space = Space::new(&rows, "OPTICS", 0).unwrap();
        assert_eq!(space.row(2), [2.0, 5.0]);
        let idx = Index::build(&space, "OPTICS").unwrap();
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
        let space = Space::new(&rows, "DBSCAN", 0).unwrap();
        let idx = Index::build(&space, "DBSCAN").unwrap();
        let mut near = idx.within(1, 1.0).unwrap();
        near.sort_unstable();
        assert_eq!(near, [0, 1, 2]);
    }

    #[test]
    fn kd_order_is_a_permutation_grouping_near_rows() {
        // Two far groups interleaved by row: the ordering puts each group in one contiguous run.
        let n = 200;
        let x = ndarray::Array2::from_shape_fn((n, 2), |(i, j)| {
            (if i % 2 == 0 { 0.0 } else { 100.0 }) + (i * (j + 3) % 17) as f64 / 17.0
        });
        let order = kd_order(x.view());
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..n).collect::<Vec<_>>());
        let switches = order.windows(2).filter(|w| w[0] % 2 != w[1] % 2).count();
        assert_eq!(switches, 1);
        let rows = Rows::new(x.view(), "DBSCAN").unwrap();
        let space = Space::new(&rows, "DBSCAN", 0).unwrap();
        for i in 0..n {
            assert_eq!(space.row(i), rows.row(i));
        }
        // Identical rows (no spread) stay as they are.
        let same = ndarray::Array2::<f64>::zeros((100, 3));
        assert_eq!(kd_order(same.view()), (0..100).collect::<Vec<_>>());
    }
}
