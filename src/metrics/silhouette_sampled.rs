//! A sampled silhouette estimate for data too large for the exact O(n²) computation.
//!
//! Rows are drawn per segment (stratified, proportional allocation with at least two rows from every
//! segment that has them), and each drawn row's silhouette is computed exactly against **all** rows, so
//! the only error is sampling error. The mean is the stratified estimator `Σ_h W_h ȳ_h` (`W_h` = share of
//! rows in segment h) and the 95% confidence interval uses the normal approximation with the stratified
//! variance `Σ_h W_h² (1 − n_h/N_h) s_h² / n_h`. The result type says it is sampled; when the sample
//! covers every row the value is exact and the interval has zero width.

use ndarray::ArrayView2;

use super::cells::Cells;
use super::silhouette::silhouettes_of_rows;
use super::{Encoded, check_k, validate_x};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;
use crate::simd::Kernels;

/// 97.5% quantile of the standard normal distribution.
const Z_975: f64 = 1.959_963_984_540_054;

/// A **sampled** estimate of the mean silhouette with its 95% confidence interval (not the exact score:
/// see [`super::silhouette_score`] for that).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SampledSilhouette {
    /// Estimated mean silhouette (stratified by segment).
    pub mean: f64,
    /// Lower end of the 95% confidence interval (normal approximation, clamped to -1).
    pub ci_low: f64,
    /// Upper end of the 95% confidence interval (normal approximation, clamped to 1).
    pub ci_high: f64,
    /// Rows actually scored (may exceed the requested size by the two-per-segment minimum).
    pub sample_size: usize,
    /// Rows in the data set.
    pub n_rows: usize,
}

impl SampledSilhouette {
    /// Whether every row was scored (then `mean` is the exact silhouette and the interval is a point).
    pub fn is_exact(&self) -> bool {
        self.sample_size == self.n_rows
    }
}

/// Estimates the mean silhouette of `labels` on `x` from about `sample_size` rows drawn per segment with
/// the seeded generator `seed` (same seed, same sample, same result).
///
/// Errors as for [`super::silhouette_samples`], plus `sample_size == 0`.
pub fn silhouette_sampled(
    x: ArrayView2<f64>,
    labels: &[usize],
    sample_size: usize,
    seed: u64,
    progress: &Progress,
) -> Result<SampledSilhouette> {
    silhouette_sampled_rows(x, labels, sample_size, seed, progress).map(|(est, _, _)| est)
}

/// As [`silhouette_sampled`], also returning the rows scored (grouped by segment, ascending within
/// each) and their silhouettes (in the same order): the sample the app draws above the exact limit.
pub fn silhouette_sampled_rows(
    x: ArrayView2<f64>,
    labels: &[usize],
    sample_size: usize,
    seed: u64,
    progress: &Progress,
) -> Result<(SampledSilhouette, Vec<usize>, Vec<f64>)> {
    validate_x(x, labels.len())?;
    if sample_size == 0 {
        return Err(Error::InvalidParameter(
            "the silhouette sample size must be at least 1".into(),
        ));
    }
    let n = x.nrows();
    let enc = Encoded::new(labels);
    check_k("silhouette", enc.k(), n)?;

    let alloc = allocate(&enc.sizes, sample_size);
    let mut members: Vec<Vec<usize>> = enc.sizes.iter().map(|&s| Vec::with_capacity(s)).collect();
    for (i, &c) in enc.codes.iter().enumerate() {
        members[c as usize].push(i);
    }
    let mut rng = Rng::new(seed);
    let mut strata: Vec<Vec<usize>> = Vec::with_capacity(enc.k());
    for (m, &take) in members.iter_mut().zip(&alloc) {
        // Partial Fisher-Yates: the first `take` entries become a uniform sample without replacement.
        for t in 0..take {
            let pick = t + rng.below(m.len() - t);
            m.swap(t, pick);
        }
        let mut chosen = m[..take].to_vec();
        chosen.sort_unstable();
        strata.push(chosen);
    }
    let rows: Vec<usize> = strata.iter().flatten().copied().collect();
    let encs = std::slice::from_ref(&enc);
    let cells = Cells::new(x, encs);
    let s = silhouettes_of_rows(&cells, &rows, encs, Kernels::current(), progress)?
        .pop()
        .unwrap_or_default();

    let (mut mean, mut var, mut offset) = (0.0, 0.0, 0);
    for (stratum, &big_n) in strata.iter().zip(&enc.sizes) {
        let nh = stratum.len();
        let ys = &s[offset..offset + nh];
        offset += nh;
        let w = big_n as f64 / n as f64;
        let m = ys.iter().sum::<f64>() / nh as f64;
        mean += w * m;
        if nh >= 2 && nh < big_n {
            let s2 = ys.iter().map(|y| (y - m) * (y - m)).sum::<f64>() / (nh - 1) as f64;
            var += w * w * (1.0 - nh as f64 / big_n as f64) * s2 / nh as f64;
        }
    }
    let half = Z_975 * var.sqrt();
    let est = SampledSilhouette {
        mean,
        ci_low: (mean - half).max(-1.0),
        ci_high: (mean + half).min(1.0),
        sample_size: rows.len(),
        n_rows: n,
    };
    Ok((est, rows, s))
}

/// Rows to draw per segment: proportional to size (largest remainders), at least `min(2, size)` each,
/// never more than the segment has.
fn allocate(sizes: &[usize], sample_size: usize) -> Vec<usize> {
    let n: usize = sizes.iter().sum();
    let target = sample_size.min(n);
    let quota: Vec<f64> = sizes
        .iter()
        .map(|&s| target as f64 * s as f64 / n as f64)
        .collect();
    let mut alloc: Vec<usize> = sizes
        .iter()
        .zip(&quota)
        .map(|(&s, &q)| (q.floor() as usize).max(s.min(2)).min(s))
        .collect();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = quota[a] - quota[a].floor();
        let rb = quota[b] - quota[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let mut assigned: usize = alloc.iter().sum();
    while assigned < target {
        let before = assigned;
        for &c in &order {
            if assigned < target && alloc[c] < sizes[c] {
                alloc[c] += 1;
                assigned += 1;
            }
        }
        if assigned == before {
            break;
        }
    }
    alloc
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn allocation_is_proportional_with_minimum() {
        assert_eq!(allocate(&[80, 19, 1], 10), vec![8, 2, 1]);
        assert_eq!(allocate(&[5, 5], 100), vec![5, 5]);
        assert_eq!(allocate(&[50, 50], 11).iter().sum::<usize>(), 11);
    }

    #[test]
    fn full_sample_is_exact() {
        let x = Array2::from_shape_fn((40, 2), |(i, j)| ((i * 31 + j * 7) % 11) as f64);
        let labels: Vec<usize> = (0..40).map(|i| i % 3).collect();
        let p = Progress::new();
        let est = silhouette_sampled(x.view(), &labels, 1000, 1, &p).unwrap();
        let exact = super::super::silhouette_score(x.view(), &labels, &p).unwrap();
        assert!(est.is_exact());
        assert!((est.mean - exact).abs() < 1e-12);
        assert!((est.ci_high - est.ci_low).abs() < 1e-12);
    }

    #[test]
    fn same_seed_same_result() {
        let x = Array2::from_shape_fn((300, 2), |(i, j)| ((i * 17 + j * 5) % 23) as f64);
        let labels: Vec<usize> = (0..300).map(|i| i % 4).collect();
        let p = Progress::new();
        let a = silhouette_sampled(x.view(), &labels, 50, 9, &p).unwrap();
        let b = silhouette_sampled(x.view(), &labels, 50, 9, &p).unwrap();
        assert_eq!(a, b);
        assert!(a.ci_low <= a.mean && a.mean <= a.ci_high);
    }
}
