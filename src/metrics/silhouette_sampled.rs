//! A sampled silhouette estimate for data too large for the exact O(n²) computation.
//!
//! Rows are drawn per segment (stratified, proportional allocation with at least two rows from every
//! segment that has them). Each drawn row's mean distances to the segments (`a` and `b` of its
//! silhouette) are computed against a **reference sample**: every row of a segment of at most
//! [`REFERENCE_ROWS`] rows, else a uniform random [`REFERENCE_ROWS`] of them (drawn independently of
//! the scored rows, so that the two errors are independent and their variances add). The mean is the stratified estimator `Σ_h W_h ȳ_h` (`W_h` = share of rows in segment
//! h), and the 95% confidence interval (normal approximation) adds two variances: the stratified sampling
//! variance `Σ_h W_h² (1 − n_h/N_h) s_h² / n_h`, and the reference sample's, by a delete-a-group
//! jackknife over [`GROUPS`] random groups of each partial reference (the estimate recomputed with each
//! group left out). Scoring against references costs `sample × k × REFERENCE_ROWS` distances instead of
//! `sample × n`: 1M rows in 8 segments take 40 times fewer. Where every segment is its own reference the
//! silhouettes of the drawn rows are exact (only sampling error remains), and when the sample covers
//! every row the value is the exact silhouette with an interval of zero width.

use ndarray::ArrayView2;

use super::cells::Cells;
use super::silhouette::{nan_to_num, segment_sums_of_rows};
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
/// each) and their silhouettes (in the same order, each estimated against the reference sample): the
/// sample the app draws above the exact limit.
pub fn silhouette_sampled_rows(
    x: ArrayView2<f64>,
    labels: &[usize],
    sample_size: usize,
    seed: u64,
    progress: &Progress,
) -> Result<(SampledSilhouette, Vec<usize>, Vec<f64>)> {
    sampled_with_reference(x, labels, sample_size, REFERENCE_ROWS, seed, progress)
}

/// Rows per segment a sampled row's mean distances are computed against (all rows of a smaller
/// segment). With 4,096 rows the relative error of a mean distance is about 1/64 of the distances'
/// coefficient of variation, and the jackknife puts it in the interval.
pub const REFERENCE_ROWS: usize = 4_096;

/// Jackknife groups of a partial reference sample.
const GROUPS: usize = 16;

/// One segment's part of the sample: the rows drawn, and the reference they are scored against.
struct Stratum {
    /// Rows drawn (ascending).
    rows: Vec<usize>,
    /// Rows in the segment.
    size: usize,
    /// Reference rows (the whole segment when `partial` is false).
    reference: usize,
    /// Whether the reference is a subsample (then its rows are split into [`GROUPS`] groups).
    partial: bool,
}

/// [`silhouette_sampled_rows`] with `reference` rows per segment (tests use small references).
fn sampled_with_reference(
    x: ArrayView2<f64>,
    labels: &[usize],
    sample_size: usize,
    reference: usize,
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
    let reference = reference.max(GROUPS);

    let alloc = allocate(&enc.sizes, sample_size);
    let mut members: Vec<Vec<usize>> = enc.sizes.iter().map(|&s| Vec::with_capacity(s)).collect();
    for (i, &c) in enc.codes.iter().enumerate() {
        members[c as usize].push(i);
    }
    let mut rng = Rng::new(seed);
    // The reduced data set: each segment's reference rows, with the column of its segment sums (one per
    // whole segment, one per jackknife group of a partial one), and the drawn rows that are not in a
    // reference, whose sums go to a last column nobody reads.
    let mut strata: Vec<Stratum> = Vec::with_capacity(enc.k());
    let mut red_rows: Vec<usize> = Vec::new();
    let mut red_codes: Vec<u32> = Vec::new();
    let mut first_col: Vec<usize> = Vec::with_capacity(enc.k());
    let mut cols = 0usize;
    // Per drawn row (in the order of the strata's rows): its reference row's position in `red_rows`,
    // or none.
    let mut drawn_ref: Vec<Option<usize>> = Vec::new();
    for (m, &take) in members.iter_mut().zip(&alloc) {
        let size = m.len();
        let partial = size > reference;
        // Partial Fisher-Yates: the first `take` entries become a uniform sample without replacement.
        for t in 0..take {
            let pick = t + rng.below(size - t);
            m.swap(t, pick);
        }
        let mut chosen = m[..take].to_vec();
        chosen.sort_unstable();
        // A partial reference is a second uniform draw, independent of the sample (a reference that
        // contained the sample would make their errors add up beyond the variances computed here).
        let refn = if partial { reference } else { size };
        if partial {
            for t in 0..refn {
                let pick = t + rng.below(size - t);
                m.swap(t, pick);
            }
        }
        // Reference rows in ascending order with their group (by draw order, so groups are random).
        let mut refs: Vec<(usize, usize)> = m[..refn]
            .iter()
            .enumerate()
            .map(|(t, &i)| (i, if partial { t % GROUPS } else { 0 }))
            .collect();
        refs.sort_unstable();
        first_col.push(cols);
        let base = red_rows.len();
        for &(i, g) in &refs {
            red_rows.push(i);
            red_codes.push((cols + g) as u32);
        }
        for &i in &chosen {
            let found = refs.binary_search_by(|&(r, _)| r.cmp(&i)).ok();
            drawn_ref.push(found.map(|p| base + p));
        }
        cols += if partial { GROUPS } else { 1 };
        strata.push(Stratum {
            rows: chosen,
            size,
            reference: refn,
            partial,
        });
    }
    // Drawn rows outside the references join the reduced set under the unread column.
    let unread = cols;
    let mut drawn_at = Vec::with_capacity(drawn_ref.len());
    {
        let mut at = drawn_ref.iter();
        for st in &strata {
            for &i in &st.rows {
                if let Some(p) = at.next().copied().flatten() {
                    drawn_at.push(p);
                } else {
                    drawn_at.push(red_rows.len());
                    red_rows.push(i);
                    red_codes.push(unread as u32);
                }
            }
        }
    }
    progress.check()?;
    let kt = cols + 1;
    let red = x.select(ndarray::Axis(0), &red_rows);
    let mut sizes = vec![0usize; kt];
    for &c in &red_codes {
        sizes[c as usize] += 1;
    }
    let red_enc = Encoded {
        codes: red_codes,
        sizes,
    };
    let cells = Cells::new(red.view(), std::slice::from_ref(&red_enc));
    let sums = segment_sums_of_rows(&cells, &drawn_at, Kernels::current(), progress)?;

    // Silhouettes of the drawn rows with the whole references (`full`) and with each group of the
    // partial references left out (`left_out[g]`).
    let partial: Vec<usize> = (0..strata.len()).filter(|&h| strata[h].partial).collect();
    let mut full = Vec::with_capacity(drawn_at.len());
    let mut left_out: Vec<Vec<f64>> = (0..GROUPS)
        .map(|_| Vec::with_capacity(drawn_at.len()))
        .collect();
    let mut drawn = drawn_ref.iter().zip(sums.chunks_exact(kt));
    for (own, stratum) in strata.iter().enumerate() {
        for _ in &stratum.rows {
            let Some((&in_ref, row)) = drawn.next() else {
                break;
            };
            if stratum.size <= 1 {
                // sklearn: a row alone in its segment scores 0.
                full.push(0.0);
                for v in &mut left_out {
                    v.push(0.0);
                }
                continue;
            }
            let total = |h: usize| -> f64 {
                let c0 = first_col[h];
                row[c0..c0 + if strata[h].partial { GROUPS } else { 1 }]
                    .iter()
                    .sum()
            };
            let totals: Vec<f64> = (0..strata.len()).map(total).collect();
            // The row's own reference column, when it is one of its segment's reference rows.
            let own_col = in_ref.map(|p| red_enc.codes[p] as usize);
            // Mean distance to the other rows of the own segment's reference.
            let a = totals[own] / (stratum.reference - usize::from(own_col.is_some())) as f64;
            let mean_to = |h: usize| totals[h] / strata[h].reference as f64;
            let b = (0..strata.len())
                .filter(|&h| h != own)
                .map(mean_to)
                .fold(f64::INFINITY, f64::min);
            full.push(silhouette_of(a, b));
            if partial.is_empty() {
                continue;
            }
            // Whole references do not change with a group left out.
            let b_whole = (0..strata.len())
                .filter(|&h| h != own && !strata[h].partial)
                .map(mean_to)
                .fold(f64::INFINITY, f64::min);
            for (g, out) in left_out.iter_mut().enumerate() {
                let without = |h: usize| {
                    let col = first_col[h] + g;
                    (
                        totals[h] - row[col],
                        strata[h].reference - red_enc.sizes[col],
                    )
                };
                let a_g = if stratum.partial {
                    let (t, remaining) = without(own);
                    // The row itself is one of the remaining rows unless it left with its group.
                    let itself = own_col.is_some_and(|c| c != first_col[own] + g);
                    t / (remaining - usize::from(itself)) as f64
                } else {
                    a
                };
                let b_g = partial
                    .iter()
                    .filter(|&&h| h != own)
                    .map(|&h| {
                        let (t, remaining) = without(h);
                        t / remaining as f64
                    })
                    .fold(b_whole, f64::min);
                out.push(silhouette_of(a_g, b_g));
            }
        }
    }

    let n_f = n as f64;
    let stratified_mean = |values: &[f64]| {
        let mut offset = 0;
        let mut mean = 0.0;
        for st in &strata {
            let ys = &values[offset..offset + st.rows.len()];
            offset += st.rows.len();
            mean += st.size as f64 / n_f * ys.iter().sum::<f64>() / ys.len() as f64;
        }
        mean
    };
    let mean = stratified_mean(&full);
    let (mut var, mut offset) = (0.0, 0);
    for st in &strata {
        let nh = st.rows.len();
        let ys = &full[offset..offset + nh];
        offset += nh;
        let w = st.size as f64 / n_f;
        let m = ys.iter().sum::<f64>() / nh as f64;
        if nh >= 2 && nh < st.size {
            let s2 = ys.iter().map(|y| (y - m) * (y - m)).sum::<f64>() / (nh - 1) as f64;
            var += w * w * (1.0 - nh as f64 / st.size as f64) * s2 / nh as f64;
        }
    }
    if strata.iter().any(|st| st.partial) {
        let reps: Vec<f64> = left_out.iter().map(|v| stratified_mean(v)).collect();
        let rep_mean = reps.iter().sum::<f64>() / GROUPS as f64;
        let g = GROUPS as f64;
        var += (g - 1.0) / g * reps.iter().map(|r| (r - rep_mean).powi(2)).sum::<f64>();
    }
    let half = Z_975 * var.sqrt();
    let rows: Vec<usize> = strata
        .iter()
        .flat_map(|st| st.rows.iter().copied())
        .collect();
    let est = SampledSilhouette {
        mean,
        ci_low: (mean - half).max(-1.0),
        ci_high: (mean + half).min(1.0),
        sample_size: rows.len(),
        n_rows: n,
    };
    Ok((est, rows, full))
}

/// `(b − a) / max(a, b)` with numpy's `nan_to_num` (0/0 → 0), as in the exact computation.
fn silhouette_of(a: f64, b: f64) -> f64 {
    nan_to_num((b - a) / a.max(b))
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

    /// Three overlapping blobs of `per` rows in 3 dimensions (labels = the generating blob).
    fn blobs(per: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let mut rng = Rng::new(seed);
        let x = Array2::from_shape_fn((3 * per, 3), |(i, j)| {
            let c = (i / per) as f64;
            let centre = if j == 0 { 2.0 * c } else { 0.0 };
            centre + rng.normal()
        });
        (x, (0..3 * per).map(|i| i / per).collect())
    }

    #[test]
    fn whole_references_score_drawn_rows_exactly() {
        // Segments of 300 rows and a reference of 4,096: every drawn row is scored against all rows.
        let (x, labels) = blobs(300, 3);
        let p = Progress::new();
        let (_, rows, values) = silhouette_sampled_rows(x.view(), &labels, 60, 5, &p).unwrap();
        let exact = super::super::silhouette_samples(x.view(), &labels, &p).unwrap();
        assert_eq!(rows.len(), 60);
        for (&i, v) in rows.iter().zip(&values) {
            assert!((v - exact[i]).abs() < 1e-12, "row {i}: {v} vs {}", exact[i]);
        }
    }

    #[test]
    fn partial_references_give_close_rows_and_an_interval_that_covers_the_exact_value() {
        // 3 × 1,500 rows, references of 150 rows: the reference error is a real part of the interval.
        let (x, labels) = blobs(1_500, 11);
        let p = Progress::new();
        let exact_rows = super::super::silhouette_samples(x.view(), &labels, &p).unwrap();
        let exact = exact_rows.iter().sum::<f64>() / exact_rows.len() as f64;
        let (mut covered, mut widths_with, mut widths_without) = (0, 0.0, 0.0);
        let seeds = 40;
        for seed in 0..seeds {
            let (est, rows, values) =
                sampled_with_reference(x.view(), &labels, 300, 150, seed, &p).unwrap();
            assert_eq!(est.sample_size, 300);
            assert!(!est.is_exact());
            if est.ci_low <= exact && exact <= est.ci_high {
                covered += 1;
            }
            widths_with += est.ci_high - est.ci_low;
            // Per-row estimates are near the exact values (mean distances from 150 of 1,500 rows).
            let worst = rows
                .iter()
                .zip(&values)
                .map(|(&i, v)| (v - exact_rows[i]).abs())
                .fold(0.0, f64::max);
            assert!(
                worst < 0.15,
                "seed {seed}: a row's estimate is off by {worst}"
            );
            // The same sample scored against whole segments has the sampling error only.
            let (whole, _, _) =
                sampled_with_reference(x.view(), &labels, 300, 1_500, seed, &p).unwrap();
            widths_without += whole.ci_high - whole.ci_low;
        }
        assert!(
            covered >= 34,
            "the 95% interval covered the exact {exact} in {covered} of {seeds} runs"
        );
        assert!(
            widths_with > widths_without,
            "the reference's error widens the interval: {widths_with} vs {widths_without}"
        );
    }

    #[test]
    fn a_row_alone_in_its_segment_scores_zero_with_partial_references() {
        let (x, mut labels) = blobs(400, 2);
        labels[0] = 7;
        let p = Progress::new();
        let (_, rows, values) = sampled_with_reference(x.view(), &labels, 100, 50, 1, &p).unwrap();
        let at = rows
            .iter()
            .position(|&i| i == 0)
            .expect("a singleton segment is always drawn");
        assert_eq!(values[at], 0.0);
        assert!(
            values
                .iter()
                .all(|v| v.is_finite() && (-1.0..=1.0).contains(v))
        );
    }
}
