//! K-nearest-neighbour imputation, as sklearn's `KNNImputer(metric="nan_euclidean", weights="uniform")`.
//!
//! The distance between two rows uses the numeric features present in both:
//! `sqrt(n_features / n_present * Σ (x_i - y_i)²)` (sklearn `nan_euclidean_distances`); rows with no
//! coordinate in common are at distance NaN. For a missing cell of feature `j`, the donors are the
//! reference rows that have `j`; the `K` nearest (stable sort by distance, NaN last, ties by row order)
//! are averaged, NaN-distance donors with weight 0. If every donor is at NaN distance, the reference mean of
//! `j` is used. sklearn picks neighbours with `argpartition`, whose choice among exactly tied distances at
//! the K-th place is unspecified; we document the stable order instead.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::jobs::Progress;

/// The reference rows a fitted KNN imputer searches (row-major, `None` = missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnnModel {
    /// Number of numeric features (columns of `reference`).
    pub n_features: usize,
    /// Reference rows, row-major.
    pub reference: Vec<Option<f64>>,
    /// Mean of each feature over the reference rows (fallback when no donor is comparable).
    pub means: Vec<f64>,
}

/// Receivers handled between two cancellation checks.
const BLOCK: usize = 256;

impl KnnModel {
    /// Keeps `rows` (row-major, NaN = missing, `n_features` wide) as the reference.
    pub fn new(rows: &[f64], n_features: usize) -> Self {
        let n = rows.len().checked_div(n_features).unwrap_or(0);
        let means = (0..n_features)
            .map(|j| super::stats::mean_present((0..n).map(|i| rows[i * n_features + j])))
            .collect();
        Self {
            n_features,
            reference: rows.iter().map(|&x| (!x.is_nan()).then_some(x)).collect(),
            means,
        }
    }

    /// Number of reference rows.
    pub fn n_rows(&self) -> usize {
        self.reference
            .len()
            .checked_div(self.n_features)
            .unwrap_or(0)
    }

    /// Number of reference rows with every feature present.
    pub fn complete_rows(&self) -> usize {
        self.reference
            .chunks(self.n_features.max(1))
            .filter(|r| r.iter().all(Option::is_some))
            .count()
    }

    fn distance(&self, row: &[f64], r: usize) -> f64 {
        let other = &self.reference[r * self.n_features..(r + 1) * self.n_features];
        let (mut sum, mut present) = (0.0, 0usize);
        for (x, y) in row.iter().zip(other) {
            if let (false, Some(y)) = (x.is_nan(), y) {
                let d = x - y;
                sum += d * d;
                present += 1;
            }
        }
        if present == 0 {
            f64::NAN
        } else {
            (sum * (self.n_features as f64 / present as f64)).sqrt()
        }
    }

    /// The value for feature `j` of `row` (which lacks it) from `k` neighbours, given distances to every
    /// reference row.
    fn fill(&self, dist: &[f64], j: usize, k: usize, order: &mut Vec<usize>) -> f64 {
        order.clear();
        order.extend(
            (0..self.n_rows()).filter(|&r| self.reference[r * self.n_features + j].is_some()),
        );
        if order.iter().all(|&r| dist[r].is_nan()) {
            return self.means[j];
        }
        // Stable: equal distances keep row order; NaN sorts last.
        order.sort_by(|&a, &b| dist[a].total_cmp(&dist[b]));
        let (mut sum, mut w) = (0.0, 0.0);
        for &r in order.iter().take(k) {
            if !dist[r].is_nan() {
                sum += self.reference[r * self.n_features + j].unwrap_or(0.0);
                w += 1.0;
            }
        }
        sum / w
    }

    /// Fills the cells of `data` (row-major, NaN = missing, `n_features` wide) that are missing in the
    /// features flagged in `targets`, from the `k` nearest reference rows. Returns the filled count per
    /// feature.
    pub fn impute(
        &self,
        data: &mut [f64],
        targets: &[bool],
        k: usize,
        progress: &Progress,
    ) -> Result<Vec<usize>> {
        let d = self.n_features;
        let receivers: Vec<usize> = (0..data.len() / d.max(1))
            .filter(|&i| (0..d).any(|j| targets[j] && data[i * d + j].is_nan()))
            .collect();
        progress.set_stage("imputing with nearest neighbours", receivers.len() as u64);
        let mut filled = vec![0usize; d];
        for block in receivers.chunks(BLOCK) {
            progress.check()?;
            let source: &[f64] = data;
            let results: Vec<(usize, Vec<(usize, f64)>)> = block
                .par_iter()
                .map(|&i| {
                    let row = &source[i * d..(i + 1) * d];
                    let dist: Vec<f64> =
                        (0..self.n_rows()).map(|r| self.distance(row, r)).collect();
                    let mut order = Vec::new();
                    let fills = (0..d)
                        .filter(|&j| targets[j] && row[j].is_nan())
                        .map(|j| (j, self.fill(&dist, j, k, &mut order)))
                        .collect();
                    (i, fills)
                })
                .collect();
            for (i, fills) in results {
                for (j, v) in fills {
                    data[i * d + j] = v;
                    filled[j] += 1;
                }
            }
            progress.add(block.len() as u64);
        }
        Ok(filled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: f64 = f64::NAN;

    #[test]
    fn nan_euclidean_matches_sklearn() {
        // sklearn: nan_euclidean_distances([[3, nan, nan]], [[1, nan, 3]]) = sqrt(3/1 * 4) = sqrt(12)
        let m = KnnModel::new(&[1.0, N, 3.0], 3);
        assert!((m.distance(&[3.0, N, N], 0) - 12f64.sqrt()).abs() < 1e-15);
        assert!(m.distance(&[N, 2.0, N], 0).is_nan());
    }

    #[test]
    fn sklearn_doc_example() {
        // sklearn KNNImputer(n_neighbors=2) docstring example.
        let x = [1.0, 2.0, N, 3.0, 4.0, 3.0, N, 6.0, 5.0, 8.0, 8.0, 7.0];
        let m = KnnModel::new(&x, 3);
        let mut data = x;
        let filled = m
            .impute(&mut data, &[true, true, true], 2, &Progress::new())
            .unwrap();
        assert_eq!(
            data,
            [1.0, 2.0, 4.0, 3.0, 4.0, 3.0, 5.5, 6.0, 5.0, 8.0, 8.0, 7.0]
        );
        assert_eq!(filled, [1, 0, 1]);
    }

    #[test]
    fn no_comparable_donor_uses_the_mean() {
        let m = KnnModel::new(&[1.0, N, 3.0, N, N, 5.0], 2);
        let mut data = [N, 7.0];
        m.impute(&mut data, &[true, false], 1, &Progress::new())
            .unwrap();
        assert_eq!(data[0], 2.0);
        assert_eq!(m.complete_rows(), 0);
    }
}
