//! Adjusted Rand index (sklearn `adjusted_rand_score`): agreement of two labellings of the same rows,
//! corrected for chance. 1 for identical partitions (whatever the ids), about 0 for independent ones,
//! negative for worse than chance. Pair counts are exact integers (i128); only the final ratio is f64,
//! rounded as Python does it, so results equal sklearn's bit for bit in ordinary cases.

use super::Encoded;
use crate::error::{Error, Result};

/// Adjusted Rand index between labellings `a` and `b` (arbitrary ids, same length).
///
/// As in sklearn, it is 1.0 when no pair of rows is split by one labelling and joined by the other
/// (identical partitions, empty input, a single row, or both labellings all-singletons / all-one-segment).
/// Errors with [`Error::InvalidParameter`] when the lengths differ.
pub fn adjusted_rand_score(a: &[usize], b: &[usize]) -> Result<f64> {
    if a.len() != b.len() {
        return Err(Error::InvalidParameter(format!(
            "cannot compare labellings of different lengths: {} and {} rows",
            a.len(),
            b.len()
        )));
    }
    let ea = Encoded::new(a);
    let eb = Encoded::new(b);
    // Contingency table as sorted (code_a, code_b) runs.
    let mut pairs: Vec<(u32, u32)> = ea
        .codes
        .iter()
        .copied()
        .zip(eb.codes.iter().copied())
        .collect();
    pairs.sort_unstable();
    let n = a.len() as i128;
    let (mut sum_squares, mut dot_rows, mut dot_cols) = (0i128, 0i128, 0i128);
    let mut start = 0;
    while start < pairs.len() {
        let mut end = start + 1;
        while end < pairs.len() && pairs[end] == pairs[start] {
            end += 1;
        }
        let nij = (end - start) as i128;
        let (i, j) = pairs[start];
        sum_squares += nij * nij;
        dot_cols += nij * eb.sizes[j as usize] as i128;
        dot_rows += nij * ea.sizes[i as usize] as i128;
        start = end;
    }
    // sklearn pair_confusion_matrix: C[1,1] = tp, C[0,1] = fp, C[1,0] = fn, C[0,0] = tn.
    let tp = sum_squares - n;
    let fp = dot_cols - sum_squares;
    let fn_ = dot_rows - sum_squares;
    let tn = n * n - fp - fn_ - sum_squares;
    if fn_ == 0 && fp == 0 {
        return Ok(1.0);
    }
    let num = tp * tn - fn_ * fp;
    let den = (tp + fn_) * (fn_ + tn) + (tp + fp) * (fp + tn);
    Ok(2.0 * num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sklearn_doc_examples() {
        assert_eq!(
            adjusted_rand_score(&[0, 0, 1, 1], &[1, 1, 0, 0]).unwrap(),
            1.0
        );
        let v = adjusted_rand_score(&[0, 0, 1, 2], &[0, 0, 1, 1]).unwrap();
        assert!((v - 0.571_428_571_428_571_4).abs() < 1e-15);
        assert_eq!(
            adjusted_rand_score(&[0, 0, 0, 0], &[0, 1, 2, 3]).unwrap(),
            0.0
        );
        assert_eq!(
            adjusted_rand_score(&[0, 0, 1, 1], &[0, 1, 0, 1]).unwrap(),
            -0.5
        );
        assert_eq!(adjusted_rand_score(&[], &[]).unwrap(), 1.0);
    }

    #[test]
    fn length_mismatch_is_an_error() {
        assert!(adjusted_rand_score(&[0, 1], &[0]).is_err());
    }
}
