//! Davies-Bouldin index (sklearn `davies_bouldin_score`): the mean over segments of the worst ratio
//! `(s_i + s_j) / d(c_i, c_j)`, where `s_i` is the mean Euclidean distance of segment `i`'s rows to its
//! centroid and `d` the distance between centroids. Lower is better; 0 is the best.
//!
//! sklearn conventions kept: the score is 0 when every `s_i` or every centroid distance is close to 0
//! (`isclose(v, 0)`: `|v| <= 1e-8`), and a zero distance between two distinct centroids is treated as
//! infinite (the pair contributes 0). Distances are computed directly, not by the dot-product expansion.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use super::{Encoded, check_k, validate_x};
use crate::error::Result;

/// numpy `isclose(v, 0)` with its default tolerances (atol 1e-8; rtol has no effect against 0).
const ISCLOSE_ATOL: f64 = 1e-8;

/// Davies-Bouldin index of `labels` on `x` (rows × features).
///
/// Errors ([`crate::Error::InvalidParameter`]): empty `x`, label count ≠ row count, NaN/inf values, fewer
/// than 2 or as many segments as rows.
pub fn davies_bouldin_score(x: ArrayView2<f64>, labels: &[usize]) -> Result<f64> {
    validate_x(x, labels.len())?;
    let enc = Encoded::new(labels);
    let (n, d) = x.dim();
    let k = enc.k();
    check_k("Davies-Bouldin", k, n)?;

    let centroids = segment_means(x, &enc);
    let mut intra = Array1::<f64>::zeros(k);
    for (row, &c) in x.rows().into_iter().zip(&enc.codes) {
        intra[c as usize] += distance(row, centroids.row(c as usize));
    }
    for (s, &size) in intra.iter_mut().zip(&enc.sizes) {
        *s /= size as f64;
    }
    let mut cdist = Array2::<f64>::zeros((k, k));
    for i in 0..k {
        for j in 0..k {
            if i != j {
                cdist[[i, j]] = distance(centroids.row(i), centroids.row(j));
            }
        }
    }
    debug_assert_eq!(centroids.ncols(), d);
    if intra.iter().all(|v| v.abs() <= ISCLOSE_ATOL)
        || cdist.iter().all(|v| v.abs() <= ISCLOSE_ATOL)
    {
        return Ok(0.0);
    }
    let mut total = 0.0;
    for i in 0..k {
        let worst = (0..k)
            .map(|j| {
                let dij = if cdist[[i, j]] == 0.0 {
                    f64::INFINITY
                } else {
                    cdist[[i, j]]
                };
                (intra[i] + intra[j]) / dij
            })
            .fold(f64::NEG_INFINITY, f64::max);
        total += worst;
    }
    Ok(total / k as f64)
}

/// Mean of each segment's rows (rows summed in order, then divided by the count, as numpy does).
pub(crate) fn segment_means(x: ArrayView2<f64>, enc: &Encoded) -> Array2<f64> {
    let mut m = Array2::<f64>::zeros((enc.k(), x.ncols()));
    for (row, &c) in x.rows().into_iter().zip(&enc.codes) {
        let mut target = m.row_mut(c as usize);
        target += &row;
    }
    for (mut row, &size) in m.rows_mut().into_iter().zip(&enc.sizes) {
        row /= size as f64;
    }
    m
}

/// Euclidean distance computed from the differences.
fn distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (p - q) * (p - q))
        .sum::<f64>()
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_segments_by_hand() {
        // segment 0: {0, 2} centroid 1, s=1; segment 1: {10, 14} centroid 12, s=2; d = 11
        let x = array![[0.0], [2.0], [10.0], [14.0]];
        let db = davies_bouldin_score(x.view(), &[0, 0, 1, 1]).unwrap();
        assert!((db - 3.0 / 11.0).abs() < 1e-15);
    }

    #[test]
    fn identical_rows_score_zero() {
        let x = Array2::from_elem((4, 2), 3.0);
        assert_eq!(davies_bouldin_score(x.view(), &[0, 0, 1, 1]).unwrap(), 0.0);
    }

    #[test]
    fn k_equal_n_is_an_error() {
        let x = array![[0.0], [1.0]];
        assert!(davies_bouldin_score(x.view(), &[0, 1]).is_err());
    }
}
