//! Trustworthiness of an embedding (sklearn.manifold.trustworthiness, Euclidean): how far, in the original
//! space, the `k` nearest neighbours of each row in the embedding are.
//!
//! `T(k) = 1 − 2 / (n k (2n − 3k − 1)) · Σᵢ Σ_{j ∈ Nᵢᵏ(low)} max(0, r(i, j) − k)` where `r(i, j)` is the
//! rank of `j` among `i`'s neighbours in the original space (1 = nearest). Ranks are counted here
//! without the `n × n` rank matrix sklearn builds: one row of original distances at a time (O(n) memory
//! per thread, O(n² d) time). Ties in distance are broken by row number in both spaces (sklearn's
//! `argsort` and k-d tree leave the order of exact ties unspecified).

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// sklearn's `trustworthiness(x_high, x_low, n_neighbors=k)`, in [0, 1] (1 = every map neighbour is a
/// true neighbour). Needs `1 ≤ k < n / 2`, the same rows in both, finite values.
pub fn trustworthiness(x_high: ArrayView2<f64>, x_low: ArrayView2<f64>, k: usize) -> Result<f64> {
    let n = x_high.nrows();
    if x_low.nrows() != n {
        return Err(Error::InvalidParameter(format!(
            "trustworthiness: the embedding has {} rows, the data {n}",
            x_low.nrows()
        )));
    }
    if k == 0 || 2 * k >= n {
        return Err(Error::InvalidParameter(format!(
            "trustworthiness needs 1 ≤ k < n / 2 neighbours; got k = {k} for {n} rows"
        )));
    }
    crate::cluster::check_finite(x_high)?;
    crate::cluster::check_finite(x_low)?;
    let penalty: u64 = (0..n)
        .into_par_iter()
        .map(|i| {
            let high = distances_from(x_high, i);
            let low = distances_from(x_low, i);
            let before = |d: &[f64], a: usize, b: usize| d[a].total_cmp(&d[b]).then(a.cmp(&b));
            // The k nearest in the embedding, itself excluded.
            let mut others: Vec<usize> = (0..n).filter(|&j| j != i).collect();
            others.select_nth_unstable_by(k - 1, |&a, &b| before(&low, a, b));
            others[..k]
                .iter()
                .map(|&j| {
                    // Rank of j in the original space: 1 + rows before it (itself excluded).
                    let rank = 1
                        + (0..n)
                            .filter(|&m| m != i && before(&high, m, j).is_lt())
                            .count();
                    rank.saturating_sub(k) as u64
                })
                .sum::<u64>()
        })
        .sum();
    let (n, k) = (n as f64, k as f64);
    Ok(1.0 - penalty as f64 * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0))))
}

/// Squared Euclidean distances from row `i` to every row (order-preserving, so ranks are the same).
fn distances_from(x: ArrayView2<f64>, i: usize) -> Vec<f64> {
    let a = x.row(i);
    x.rows()
        .into_iter()
        .map(|b| a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn identical_embedding_is_fully_trustworthy() {
        let x = array![
            [0.0, 0.0],
            [1.0, 0.1],
            [3.0, 0.3],
            [6.0, 0.2],
            [10.0, 0.0],
            [15.0, 1.0]
        ];
        assert_eq!(trustworthiness(x.view(), x.view(), 2).unwrap(), 1.0);
    }

    #[test]
    fn hand_computed_value() {
        // Points on a line at 0, 1, 3, 7, 12 (no tied distances); the embedding moves row 2 to 20.
        // Original ranks (1 = nearest): row 2: 1 (1), 0 (2), 3 (3), 4 (4); row 3: 2 (1), 4 (2), 1 (3), 0 (4).
        // Map nearest with k = 1: 0→1 (rank 1), 1→0 (1), 2→4 (|20 − 12| = 8 < 13: rank 4), 3→4 (rank 2),
        // 4→3 (1). Penalty Σ max(0, r − k) = 3 + 1 = 4; T = 1 − 4 · 2 / (5 · 1 · (10 − 3 − 1)) = 11/15,
        // which is what sklearn 1.9.1 prints (0.7333333333333334).
        let high = array![[0.0], [1.0], [3.0], [7.0], [12.0]];
        let low = array![[0.0], [1.0], [20.0], [7.0], [12.0]];
        let t = trustworthiness(high.view(), low.view(), 1).unwrap();
        assert!((t - 11.0 / 15.0).abs() < 1e-15, "{t}");
    }

    #[test]
    fn refuses_bad_arguments() {
        let x = array![[0.0], [1.0], [2.0], [3.0]];
        assert!(trustworthiness(x.view(), x.view(), 2).is_err());
        assert!(trustworthiness(x.view(), x.view(), 0).is_err());
        let short = array![[0.0], [1.0]];
        assert!(trustworthiness(x.view(), short.view(), 1).is_err());
        let nan = array![[0.0], [f64::NAN], [2.0], [3.0]];
        assert!(trustworthiness(nan.view(), x.view(), 1).is_err());
    }
}
