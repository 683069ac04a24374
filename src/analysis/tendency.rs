//! Does the data have any cluster structure at all? Checked before a K is recommended, so a sweep over
//! noise is not sold as segments:
//!
//! - the **Hopkins statistic** H, with factoextra's `get_clust_tendency` convention: H near 0.5 means the
//!   rows are spread like uniform random points, values near 1 mean they bunch into clusters (and near 0
//!   a regular grid). `H = Σu / (Σu + Σw)`, where `u` are the distances from `m` points drawn uniformly in
//!   the data's bounding box (each column between its min and max) to their nearest row, and `w` the
//!   distances from `m` sampled rows to their nearest *other* row (rows identical to it are skipped, as
//!   factoextra does). Distances are Euclidean on the prepared (scaled) matrix and are not raised to the
//!   dimension. H ≥ [`HOPKINS_CLUSTERED`] (0.75) is read as a clustering tendency (Lawson & Jurs 1990's
//!   usual cut); note a single Gaussian blob gives about 0.65–0.8, so a high H says "not uniform", not
//!   "several segments".
//!
//!   Sample: `m = min(max(n / 10, 50), 500, n)` rows (10% of the rows, at least 50, at most 500) drawn
//!   without replacement with the seeded generator (same seed, same H). Nearest neighbours are searched
//!   among all rows up to [`REFERENCE_ROWS`] rows, beyond that among a seeded sample of that many rows
//!   (both `u` and `w` are measured against the same sample, so H keeps its meaning; this bounds the cost
//!   at `2 · m · 20,000 · d` distance terms).
//! - for one-feature data, the **bimodality coefficient** of that feature (SAS; Pfister et al. 2013):
//!   `BC = (g² + 1) / (κ + 3(n−1)² / ((n−2)(n−3)))` with the bias-corrected sample skewness `g` and excess
//!   kurtosis `κ` (scipy's `skew` / `kurtosis` with `bias=False`). BC ≤ 5/9 (the uniform distribution's
//!   value) means one hump: a normal sample gives about 1/3.
//! - the number of **distinct rows** (exact, counted up to [`DISTINCT_CAP`]): K at or above it puts
//!   identical rows in segments of their own and makes the indices degenerate (silhouette 1, huge
//!   Calinski-Harabasz).

use std::collections::HashSet;

use ndarray::ArrayView2;

use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;

/// Hopkins statistic from which the rows are read as clustered.
pub const HOPKINS_CLUSTERED: f64 = 0.75;
/// Bimodality coefficient above which one feature is read as having more than one hump (5/9).
pub const BIMODAL: f64 = 5.0 / 9.0;
/// Most rows nearest neighbours are searched among (a seeded sample beyond).
pub const REFERENCE_ROWS: usize = 20_000;
/// Distinct rows are counted exactly up to this many (then "more than").
pub const DISTINCT_CAP: usize = 10_000;
/// Seed of the Hopkins sample (factoextra's default seed).
pub const DEFAULT_SEED: u64 = 123;

/// How clusterable the rows look.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tendency {
    /// Rows of the data.
    pub n_rows: usize,
    /// Features (columns) of the data.
    pub n_features: usize,
    /// Hopkins statistic (0.5 uniform, near 1 clustered); `None` with fewer than 2 distinct rows.
    pub hopkins: Option<f64>,
    /// Points in each half of the Hopkins sample (`m`).
    pub hopkins_sample: usize,
    /// Bimodality coefficient of the only feature (one-feature data with at least 4 rows), else `None`.
    pub bimodality: Option<f64>,
    /// Distinct rows, counted up to [`DISTINCT_CAP`].
    pub distinct_rows: usize,
    /// Whether there are more distinct rows than [`DISTINCT_CAP`] (then `distinct_rows` is the cap).
    pub distinct_capped: bool,
}

impl Tendency {
    /// Whether the data show a cluster tendency: Hopkins at least [`HOPKINS_CLUSTERED`], and for one
    /// feature also more than one hump (bimodality coefficient above [`BIMODAL`]).
    pub fn has_structure(&self) -> bool {
        let hopkins = self.hopkins.is_some_and(|h| h >= HOPKINS_CLUSTERED);
        let humps = self.bimodality.is_none_or(|b| b > BIMODAL);
        hopkins && humps
    }

    /// The distinct rows when fewer than the cap (so a K can reach them), else `None`.
    pub fn distinct_limit(&self) -> Option<usize> {
        (!self.distinct_capped).then_some(self.distinct_rows)
    }

    /// A few words for a status line: "clustering tendency (Hopkins 0.91)", "no clear cluster structure
    /// (Hopkins 0.62, below 0.75)"...
    pub fn headline(&self) -> String {
        let h = self
            .hopkins
            .map_or_else(|| "undefined".to_owned(), |h| format!("{h:.2}"));
        if self.has_structure() {
            return format!("clustering tendency (Hopkins {h})");
        }
        match (self.bimodality, self.hopkins) {
            (Some(b), _) if b <= BIMODAL => {
                format!("no clear cluster structure: one hump (bimodality {b:.2}, Hopkins {h})")
            }
            (_, None) => "no cluster structure: all rows are identical".to_owned(),
            _ => format!("no clear cluster structure (Hopkins {h}, below 0.75)"),
        }
    }

    /// One sentence on the tendency: "the rows show a clustering tendency (Hopkins 0.91)" or why not.
    pub fn summary(&self) -> String {
        let h = self
            .hopkins
            .map_or_else(|| "undefined".to_owned(), |h| format!("{h:.2}"));
        if self.has_structure() {
            return format!(
                "the rows show a clustering tendency (Hopkins statistic {h}; 0.5 is uniform noise, \
                 near 1 clustered)"
            );
        }
        match (self.bimodality, self.hopkins) {
            (Some(b), _) if b <= BIMODAL => format!(
                "no clear cluster structure: the one feature has a single hump (bimodality \
                 coefficient {b:.2}, at most 0.56 for one hump; Hopkins statistic {h})"
            ),
            (_, None) => "no cluster structure: all rows are identical".to_owned(),
            _ => format!(
                "no clear cluster structure: Hopkins statistic {h}, below 0.75 (0.5 is uniform \
                 noise, near 1 clustered)"
            ),
        }
    }
}

/// The cluster tendency of the rows of `x` (see the module documentation), seeded by `seed`.
///
/// Errors: non-finite values, or a cancelled `progress`.
pub fn tendency(x: ArrayView2<f64>, seed: u64, progress: &Progress) -> Result<Tendency> {
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter(
            "the cluster tendency needs finite values".into(),
        ));
    }
    let (n, d) = x.dim();
    let (distinct_rows, distinct_capped) = count_distinct_rows(x, DISTINCT_CAP);
    let hopkins_sample = hopkins_sample_size(n);
    let hopkins = if distinct_rows >= 2 && d > 0 {
        hopkins(x, hopkins_sample, seed, progress)?
    } else {
        None
    };
    let bimodality = if d == 1 {
        bimodality_coefficient(&x.column(0).to_vec())
    } else {
        None
    };
    Ok(Tendency {
        n_rows: n,
        n_features: d,
        hopkins,
        hopkins_sample,
        bimodality,
        distinct_rows,
        distinct_capped,
    })
}

/// `m = min(max(n / 10, 50), 500, n)`.
pub fn hopkins_sample_size(n: usize) -> usize {
    (n / 10).clamp(50, 500).min(n)
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}

/// The Hopkins statistic of the rows of `x` with `m` points in each half of the sample (see the module
/// documentation); `None` when undefined (fewer than 2 rows, `m = 0`, or every sampled row has no other
/// distinct row).
pub fn hopkins(
    x: ArrayView2<f64>,
    m: usize,
    seed: u64,
    progress: &Progress,
) -> Result<Option<f64>> {
    let (n, d) = x.dim();
    if n < 2 || m == 0 || d == 0 {
        return Ok(None);
    }
    let mut rng = Rng::new(seed);
    let reference: Vec<usize> = if n > REFERENCE_ROWS {
        rng.sample_indices(n, REFERENCE_ROWS)
    } else {
        (0..n).collect()
    };
    let rows: Vec<Vec<f64>> = reference.iter().map(|&i| x.row(i).to_vec()).collect();
    let (lo, hi): (Vec<f64>, Vec<f64>) = x
        .columns()
        .into_iter()
        .map(|c| {
            c.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                })
        })
        .unzip();
    let m = m.min(n);
    // Uniform points in the bounding box, then the sampled rows (drawn after, from the same generator).
    let uniform: Vec<Vec<f64>> = (0..m)
        .map(|_| {
            lo.iter()
                .zip(&hi)
                .map(|(&l, &h)| l + (h - l) * rng.uniform())
                .collect()
        })
        .collect();
    let sampled = rng.sample_indices(n, m);
    progress.set_stage("cluster tendency", (2 * m) as u64);
    let nearest = |p: &[f64], skip_equal: bool| -> Option<f64> {
        rows.iter()
            .map(|r| squared_distance(p, r))
            .filter(|&s| !(skip_equal && s == 0.0))
            .min_by(f64::total_cmp)
            .map(f64::sqrt)
    };
    let mut sum_u = 0.0;
    for p in &uniform {
        progress.check()?;
        sum_u += nearest(p, false).unwrap_or(0.0);
        progress.add(1);
    }
    let mut sum_w = 0.0;
    for &i in &sampled {
        progress.check()?;
        let q = x.row(i).to_vec();
        sum_w += nearest(&q, true).unwrap_or(0.0);
        progress.add(1);
    }
    let total = sum_u + sum_w;
    Ok((total > 0.0 && total.is_finite()).then(|| sum_u / total))
}

/// Distinct rows of `x` (bit-exact, with -0 equal to 0), counted up to `cap`: `(count, more_than_cap)`.
/// Memory is bounded by `cap` rows.
pub fn count_distinct_rows(x: ArrayView2<f64>, cap: usize) -> (usize, bool) {
    let mut seen: HashSet<Box<[u64]>, foldhash::fast::RandomState> = HashSet::default();
    for row in x.rows() {
        let key: Box<[u64]> = row
            .iter()
            .map(|&v| if v == 0.0 { 0 } else { v.to_bits() })
            .collect();
        seen.insert(key);
        if seen.len() > cap {
            return (cap, true);
        }
    }
    (seen.len(), false)
}

/// SAS's bimodality coefficient of `v` (see the module documentation); `None` with fewer than 4 values
/// or no spread.
pub fn bimodality_coefficient(v: &[f64]) -> Option<f64> {
    let n = v.len();
    if n < 4 {
        return None;
    }
    let nf = n as f64;
    let mean = v.iter().sum::<f64>() / nf;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &x in v {
        let e = x - mean;
        let e2 = e * e;
        m2 += e2;
        m3 += e2 * e;
        m4 += e2 * e2;
    }
    let (m2, m3, m4) = (m2 / nf, m3 / nf, m4 / nf);
    if m2 <= 0.0 || !m2.is_finite() {
        return None;
    }
    // Bias-corrected skewness G1 and excess kurtosis G2 (scipy bias=False).
    let g1 = m3 / m2.powf(1.5);
    let skew = g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0);
    let g2 = m4 / (m2 * m2) - 3.0;
    let kurt = ((nf + 1.0) * g2 + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0));
    let bc = (skew * skew + 1.0) / (kurt + 3.0 * (nf - 1.0).powi(2) / ((nf - 2.0) * (nf - 3.0)));
    bc.is_finite().then_some(bc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn normal_1d(n: usize, seed: u64) -> Array2<f64> {
        let mut rng = Rng::new(seed);
        Array2::from_shape_fn((n, 1), |_| rng.normal())
    }

    fn blobs(seed: u64) -> Array2<f64> {
        let mut rng = Rng::new(seed);
        let centres = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]];
        Array2::from_shape_fn((400, 2), |(i, j)| centres[i / 100][j] + 0.5 * rng.normal())
    }

    #[test]
    fn noise_in_one_dimension_has_no_clear_structure() {
        for seed in 0..5 {
            let x = normal_1d(200, seed);
            let t = tendency(x.view(), DEFAULT_SEED, &Progress::new()).unwrap();
            assert!(!t.has_structure(), "seed {seed}: {t:?}");
            assert!(t.bimodality.unwrap() < BIMODAL, "{t:?}");
            assert!(
                t.summary().starts_with("no clear cluster structure"),
                "{}",
                t.summary()
            );
            assert_eq!((t.distinct_rows, t.distinct_capped), (200, false));
            assert_eq!(t.hopkins_sample, 50);
        }
    }

    #[test]
    fn separated_blobs_are_clustered() {
        for seed in 0..3 {
            let t = tendency(blobs(seed).view(), DEFAULT_SEED, &Progress::new()).unwrap();
            let h = t.hopkins.unwrap();
            assert!(h > 0.75, "seed {seed}: H = {h}");
            assert!(t.has_structure() && t.bimodality.is_none(), "{t:?}");
            assert!(
                t.summary().contains("clustering tendency"),
                "{}",
                t.summary()
            );
        }
    }

    #[test]
    fn uniform_rows_sit_near_one_half() {
        let mut rng = Rng::new(7);
        let x = Array2::from_shape_fn((2_000, 3), |_| rng.uniform());
        let h = hopkins(x.view(), 200, 1, &Progress::new())
            .unwrap()
            .unwrap();
        assert!((h - 0.5).abs() < 0.08, "H = {h}");
        let t = tendency(x.view(), 1, &Progress::new()).unwrap();
        assert!(!t.has_structure(), "{t:?}");
    }

    #[test]
    fn hopkins_is_seeded_and_bounded_on_large_data() {
        let mut rng = Rng::new(3);
        let x = Array2::from_shape_fn((REFERENCE_ROWS + 5_000, 2), |_| rng.normal());
        let p = Progress::new();
        let a = hopkins(x.view(), 100, 9, &p).unwrap();
        let b = hopkins(x.view(), 100, 9, &p).unwrap();
        assert_eq!(a, b, "same seed, same H");
        assert!(a.is_some_and(|h| (0.0..=1.0).contains(&h)));
        assert_eq!(p.counts(), (200, 200));
    }

    #[test]
    fn distinct_rows_are_counted_up_to_the_cap() {
        // A 7-level categorical coded 0..6 (as one column): 7 distinct rows.
        let x = Array2::from_shape_fn((700, 1), |(i, _)| (i % 7) as f64);
        assert_eq!(count_distinct_rows(x.view(), 100), (7, false));
        assert_eq!(count_distinct_rows(x.view(), 5), (5, true));
        let signed = Array2::from_shape_vec((2, 1), vec![0.0, -0.0]).unwrap();
        assert_eq!(count_distinct_rows(signed.view(), 10), (1, false));
        let t = tendency(x.view(), 1, &Progress::new()).unwrap();
        assert_eq!(t.distinct_limit(), Some(7));
        // Identical rows: no Hopkins, no structure, no panic.
        let same = Array2::from_elem((30, 2), 1.5);
        let t = tendency(same.view(), 1, &Progress::new()).unwrap();
        assert_eq!((t.hopkins, t.distinct_rows), (None, 1));
        assert!(!t.has_structure());
        assert!(t.summary().contains("identical"), "{}", t.summary());
    }

    #[test]
    fn bimodality_matches_scipy_formula() {
        // scipy.stats.skew / kurtosis (bias=False) of [1, 2, 3, 4, 10]: 1.697056, 3.152 → BC 0.347920.
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        let bc = bimodality_coefficient(&v).unwrap();
        assert!((bc - 0.347_919_655_667_144_94).abs() < 1e-12, "{bc}");
        // Two tight humps: clearly bimodal.
        let two: Vec<f64> = (0..100).map(|i| if i < 50 { 0.0 } else { 1.0 }).collect();
        assert!(bimodality_coefficient(&two).unwrap() > 0.9);
        assert_eq!(bimodality_coefficient(&[1.0, 2.0, 3.0]), None);
        assert_eq!(bimodality_coefficient(&[2.0; 10]), None);
        // Non-finite input is an error, not a panic.
        let bad = Array2::from_shape_vec((2, 1), vec![1.0, f64::NAN]).unwrap();
        assert!(tendency(bad.view(), 1, &Progress::new()).is_err());
    }
}
