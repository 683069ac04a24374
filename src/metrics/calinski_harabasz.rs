//! Calinski-Harabasz index (sklearn `calinski_harabasz_score`, the variance ratio criterion):
//! `[B / (k - 1)] / [W / (n - k)]` with `B` the between-segment dispersion (segment size × squared
//! distance of the segment mean to the overall mean) and `W` the within-segment sum of squares. Higher is
//! better. As in sklearn, the score is exactly 1.0 when `W` is 0 (every segment is a single point).

use ndarray::ArrayView2;

use super::davies_bouldin::segment_means;
use super::{Encoded, check_k, validate_x};
use crate::error::Result;

/// Calinski-Harabasz index of `labels` on `x` (rows × features).
///
/// Errors ([`crate::Error::InvalidParameter`]): empty `x`, label count ≠ row count, NaN/inf values, fewer
/// than 2 or as many segments as rows.
pub fn calinski_harabasz_score(x: ArrayView2<f64>, labels: &[usize]) -> Result<f64> {
    validate_x(x, labels.len())?;
    let enc = Encoded::new(labels);
    let (n, d) = x.dim();
    let k = enc.k();
    check_k("Calinski-Harabasz", k, n)?;

    let mut overall = vec![0.0; d];
    for row in x.rows() {
        for (m, v) in overall.iter_mut().zip(row) {
            *m += v;
        }
    }
    for m in &mut overall {
        *m /= n as f64;
    }
    let means = segment_means(x, &enc);
    let mut extra = 0.0;
    for (mk, &size) in means.rows().into_iter().zip(&enc.sizes) {
        let sq: f64 = mk
            .iter()
            .zip(&overall)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        extra += size as f64 * sq;
    }
    // Within-segment dispersion, summed segment by segment as sklearn does.
    let mut per_segment = vec![0.0; k];
    for (row, &c) in x.rows().into_iter().zip(&enc.codes) {
        let mk = means.row(c as usize);
        per_segment[c as usize] += row
            .iter()
            .zip(mk)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>();
    }
    let intra: f64 = per_segment.iter().sum();
    if intra == 0.0 {
        return Ok(1.0);
    }
    Ok(extra * (n - k) as f64 / (intra * (k as f64 - 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn by_hand() {
        // means 1 and 12, overall 6.5: B = 2*5.5^2*2 = 121; W = 1+1+4+4 = 10; CH = 121*2/(10*1)
        let x = array![[0.0], [2.0], [10.0], [14.0]];
        let ch = calinski_harabasz_score(x.view(), &[0, 0, 1, 1]).unwrap();
        assert!((ch - 24.2).abs() < 1e-12);
    }

    #[test]
    fn zero_within_dispersion_is_one() {
        let x = array![[0.0], [0.0], [3.0]];
        assert_eq!(calinski_harabasz_score(x.view(), &[0, 0, 1]).unwrap(), 1.0);
    }
}
