//! The gap statistic (R. Tibshirani, G. Walther, T. Hastie, "Estimating the number of clusters in a data
//! set via the gap statistic", J. R. Statist. Soc. B 63, 2001, 411–423) as R's `cluster::clusGap` computes
//! it (and factoextra's `fviz_nbclust(method = "gap_stat")` on top of it):
//!
//! * `W_k = ½ Σ_r D_r / n_r` with `D_r` the sum over the unordered pairs of rows of segment `r` of their
//!   Euclidean distance to the power `d_power` (clusGap's `d.power`, default 1; with 2, `W_k` is half the
//!   within-segment sum of squares); k = 1 is all rows in one segment.
//! * `B` reference sets of n rows drawn uniformly over a box: the bounding box of the centred data
//!   (`spaceH0 = "original"`) or of its principal-component scores, rotated back (`"scaledPCA"`, clusGap's
//!   default), then the data mean added back. The components are those of [`crate::reduce::pca()`] (sklearn's
//!   sign rule); the sign of a component does not change the distribution of the draws.
//! * `gap(k) = mean_b log W*_kb − log W_k`, `s_k = sd_k · sqrt(1 + 1/B)` (sd with ddof 1, as R's `var`).
//! * The chosen k by R's `maxSE` rules ([`GapRule`]): `firstSEmax` (clusGap's and factoextra's default:
//!   the first local maximum of the gap, then the smallest k whose gap is within one `s` of it),
//!   `Tibs2001SEmax` (the paper's "smallest k with gap(k) ≥ gap(k+1) − s_{k+1}") and `globalmax`, among
//!   others.
//!
//! The clustering for k ≥ 2 is the sweep's method ([`super::fit()`], hierarchical methods cut one tree per
//! set). Every pairwise distance inside a segment is summed, O(n²) per set, so above
//! [`GapOptions::max_rows`] (5,000) rows the statistic is computed on a seeded uniform subset of the rows
//! and flagged [`Gap::subsampled`]. Reference sets are drawn from `(seed, set index)` only and fitted in
//! parallel, so the result is the same at any thread count. The reference draws and every labelling can
//! also be given ([`gap_from_labels`]), which is how the fixture test checks the arithmetic against numpy.

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

mod reference;

pub use reference::{ReferenceBox, within_dispersion};

use super::stability::{stream_seed, subset_rows};
use super::{FitOptions, TreeCut, build_tree, fit, segment_tree};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;

/// Reference sets unless told otherwise (clusGap's default is 100; 20 keeps a sweep in seconds, and `s_k`
/// accounts for the smaller B).
pub const DEFAULT_GAP_RESAMPLES: usize = 20;

/// Rows above which the gap statistic is computed on a subset.
pub const GAP_MAX_ROWS: usize = 5_000;

const STREAM_GAP_REFERENCE: u64 = 2;
const STREAM_GAP_SUBSET: u64 = 3;

/// Where the reference data are drawn (clusGap's `spaceH0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceSpace {
    /// The box spanned by the principal-component scores, rotated back (`"scaledPCA"`).
    #[default]
    ScaledPca,
    /// The bounding box of the features (`"original"`).
    Original,
}

/// R `cluster::maxSE` rules for choosing k from the gap curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapRule {
    /// The first local maximum, then the smallest k whose gap is within one `s` of it (`"firstSEmax"`).
    #[default]
    FirstSeMax,
    /// The smallest k with `gap(k) ≥ gap(k+1) − s_{k+1}` (`"Tibs2001SEmax"`).
    Tibs2001SeMax,
    /// The global maximum, then the smallest k whose gap is within one `s` of it (`"globalSEmax"`).
    GlobalSeMax,
    /// The first local maximum (`"firstmax"`).
    FirstMax,
    /// The global maximum (`"globalmax"`).
    GlobalMax,
}

/// Gap statistic settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GapOptions {
    /// Reference sets (`B`), at least 2.
    pub b: usize,
    /// Largest k (k runs from 1), at least 2 and below the row count.
    pub k_max: usize,
    /// Where reference data are drawn.
    pub space: ReferenceSpace,
    /// Power of the distances in `W_k` (clusGap's `d.power`), > 0.
    pub d_power: f64,
    /// Rows above which a seeded subset of this many rows is used.
    pub max_rows: usize,
}

impl GapOptions {
    /// clusGap's defaults (scaled PCA box, `d.power = 1`) with [`DEFAULT_GAP_RESAMPLES`] sets, up to
    /// `k_max`.
    pub fn new(k_max: usize) -> Self {
        Self {
            b: DEFAULT_GAP_RESAMPLES,
            k_max,
            space: ReferenceSpace::default(),
            d_power: 1.0,
            max_rows: GAP_MAX_ROWS,
        }
    }
}

/// The gap curve for k = 1..=k_max and the k it points to.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Gap {
    /// 1, 2, ..., k_max.
    pub ks: Vec<usize>,
    /// `log W_k` of the data.
    pub log_w: Vec<f64>,
    /// Mean `log W_k` over the reference sets.
    pub e_log_w: Vec<f64>,
    /// `gap(k) = e_log_w − log_w`.
    pub gap: Vec<f64>,
    /// `s_k = sd · sqrt(1 + 1/B)` of the reference `log W_k`.
    pub s_k: Vec<f64>,
    /// The recommended k: R `maxSE` `"firstSEmax"` (clusGap's and factoextra's default).
    pub recommended_k: usize,
    /// The k by `"Tibs2001SEmax"` (the paper's rule).
    pub k_tibs2001: usize,
    /// The k with the largest gap (`"globalmax"`).
    pub k_global_max: usize,
    /// Reference sets.
    pub b: usize,
    /// Where the reference data were drawn.
    pub space: ReferenceSpace,
    /// Power of the distances.
    pub d_power: f64,
    /// Rows used.
    pub n_rows: usize,
    /// Whether `n_rows` is a subset of the data (large data).
    pub subsampled: bool,
}

/// R `cluster::maxSE`: the position (1-based, so the k when the curve starts at k = 1) chosen by `rule`
/// from the curve `f` and its standard errors `se` (times `se_factor`, 1 in clusGap).
pub fn max_se(f: &[f64], se: &[f64], rule: GapRule, se_factor: f64) -> usize {
    let k = f.len().min(se.len());
    if k == 0 {
        return 0;
    }
    let fse: Vec<f64> = se.iter().take(k).map(|s| s * se_factor).collect();
    let first_max = || (0..k - 1).find(|&i| f[i + 1] <= f[i]).map_or(k, |i| i + 1);
    let global_max = || (0..k).fold(0usize, |best, i| if f[i] > f[best] { i } else { best }) + 1;
    let back_off = |nc: usize| {
        (0..nc - 1)
            .find(|&i| f[i] >= f[nc - 1] - fse[nc - 1])
            .map_or(nc, |i| i + 1)
    };
    match rule {
        GapRule::FirstMax => first_max(),
        GapRule::GlobalMax => global_max(),
        GapRule::Tibs2001SeMax => (0..k - 1)
            .find(|&i| f[i] >= f[i + 1] - fse[i + 1])
            .map_or(k, |i| i + 1),
        GapRule::FirstSeMax => back_off(first_max()),
        GapRule::GlobalSeMax => back_off(global_max()),
    }
}

/// Assembles the curve from `log W_k` of the data and of each reference set (`reference[b][k − 1]`).
fn finish(
    log_w: Vec<f64>,
    reference: &[Vec<f64>],
    space: ReferenceSpace,
    d_power: f64,
    n_rows: usize,
    subsampled: bool,
) -> Result<Gap> {
    let b = reference.len();
    let k_max = log_w.len();
    if b < 2 {
        return Err(Error::InvalidParameter(format!(
            "the gap statistic needs at least 2 reference sets (B ≥ 2) for its standard error; got {b}"
        )));
    }
    let all_finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
    if let Some(k) = log_w.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter(format!(
            "the gap statistic is undefined at k = {}: the segments have no spread (fewer distinct rows \
             than segments); lower the largest k",
            k + 1
        )));
    }
    if reference.iter().any(|r| r.len() != k_max || !all_finite(r)) {
        return Err(Error::InvalidParameter(
            "internal: a reference set has no spread or a different k range".into(),
        ));
    }
    let e_log_w: Vec<f64> = (0..k_max)
        .map(|k| reference.iter().map(|r| r[k]).sum::<f64>() / b as f64)
        .collect();
    let s_k: Vec<f64> = (0..k_max)
        .map(|k| {
            let var = reference
                .iter()
                .map(|r| (r[k] - e_log_w[k]).powi(2))
                .sum::<f64>()
                / (b - 1) as f64;
            (var * (1.0 + 1.0 / b as f64)).sqrt()
        })
        .collect();
    let gap: Vec<f64> = e_log_w.iter().zip(&log_w).map(|(e, l)| e - l).collect();
    Ok(Gap {
        ks: (1..=k_max).collect(),
        recommended_k: max_se(&gap, &s_k, GapRule::FirstSeMax, 1.0),
        k_tibs2001: max_se(&gap, &s_k, GapRule::Tibs2001SeMax, 1.0),
        k_global_max: max_se(&gap, &s_k, GapRule::GlobalMax, 1.0),
        log_w,
        e_log_w,
        gap,
        s_k,
        b,
        space,
        d_power,
        n_rows,
        subsampled,
    })
}

fn check_d_power(d_power: f64) -> Result<()> {
    if d_power.is_finite() && d_power > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter(format!(
            "the distance power of the gap statistic must be a positive number (1 as clusGap); got \
             {d_power}"
        )))
    }
}

/// The gap curve from given data, reference sets and labellings: `data_labels[k − 1]` and
/// `reference_labels[b][k − 1]` label the rows for k = 1..=k_max. `space` is only recorded.
pub fn gap_from_labels(
    data: ArrayView2<f64>,
    data_labels: &[Vec<usize>],
    references: &[Array2<f64>],
    reference_labels: &[Vec<Vec<usize>>],
    d_power: f64,
    space: ReferenceSpace,
) -> Result<Gap> {
    check_d_power(d_power)?;
    if references.len() != reference_labels.len() {
        return Err(Error::InvalidParameter(format!(
            "{} reference sets but {} sets of labels",
            references.len(),
            reference_labels.len()
        )));
    }
    let log_w = data_labels
        .iter()
        .map(|l| within_dispersion(data, l, d_power).map(f64::ln))
        .collect::<Result<Vec<f64>>>()?;
    let reference = references
        .iter()
        .zip(reference_labels)
        .map(|(z, ls)| {
            ls.iter()
                .map(|l| within_dispersion(z.view(), l, d_power).map(f64::ln))
                .collect::<Result<Vec<f64>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    finish(log_w, &reference, space, d_power, data.nrows(), false)
}

/// `log W_k` for k = 1..=k_max of one set, clustered with `fit_opts`.
fn log_w_curve(
    z: ArrayView2<f64>,
    k_max: usize,
    fit_opts: FitOptions,
    d_power: f64,
    progress: &Progress,
) -> Result<Vec<f64>> {
    let inner = Progress::new();
    progress.check()?;
    let tree = if fit_opts.method.is_hierarchical() {
        Some(build_tree(z, fit_opts.method, &inner)?)
    } else {
        None
    };
    (1..=k_max)
        .map(|k| {
            progress.check()?;
            let labels = match (&tree, k) {
                (_, 1) => vec![0; z.nrows()],
                (Some(t), _) => segment_tree(z, fit_opts.method, t.clone(), TreeCut::K(k))?.labels,
                (None, _) => fit(z, k, fit_opts, &inner)?.labels,
            };
            Ok(within_dispersion(z, &labels, d_power)?.ln())
        })
        .collect()
}

/// The gap statistic of `x` for k = 1..=`opts.k_max`, clustering with `fit_opts` (the sweep's method),
/// with `opts.b` seeded reference sets (seed `fit_opts.seed`).
pub fn gap_statistic(
    x: ArrayView2<f64>,
    fit_opts: FitOptions,
    opts: &GapOptions,
    progress: &Progress,
) -> Result<Gap> {
    check_d_power(opts.d_power)?;
    if opts.b < 2 {
        return Err(Error::InvalidParameter(format!(
            "the gap statistic needs at least 2 reference sets (B ≥ 2; 20 is a good default); got {}",
            opts.b
        )));
    }
    if opts.max_rows < 2 {
        return Err(Error::InvalidParameter(format!(
            "the gap statistic needs a row limit of at least 2; got {}",
            opts.max_rows
        )));
    }
    let n_all = x.nrows();
    let subsampled = n_all > opts.max_rows;
    let data = if subsampled {
        let mut rng = Rng::new(stream_seed(fit_opts.seed, STREAM_GAP_SUBSET, 0));
        x.select(Axis(0), &subset_rows(n_all, opts.max_rows, &mut rng))
    } else {
        x.to_owned()
    };
    let n = data.nrows();
    if opts.k_max < 2 || opts.k_max >= n {
        return Err(Error::InvalidParameter(format!(
            "the largest k of the gap statistic must be at least 2 and below the number of rows ({n}); \
             got {}",
            opts.k_max
        )));
    }
    let reference_box = ReferenceBox::new(data.view(), opts.space)?;
    progress.set_stage("gap statistic (reference sets)", (opts.b + 1) as u64);
    let curves = (0..=opts.b)
        .into_par_iter()
        .map(|i| {
            let curve = if i == 0 {
                log_w_curve(data.view(), opts.k_max, fit_opts, opts.d_power, progress)?
            } else {
                let mut rng = Rng::new(stream_seed(fit_opts.seed, STREAM_GAP_REFERENCE, i as u64));
                let z = reference_box.sample(n, &mut rng)?;
                log_w_curve(z.view(), opts.k_max, fit_opts, opts.d_power, progress)?
            };
            progress.add(1);
            Ok(curve)
        })
        .collect::<Result<Vec<Vec<f64>>>>()?;
    let mut curves = curves.into_iter();
    let log_w = curves
        .next()
        .ok_or_else(|| Error::InvalidParameter("internal: no gap curve".into()))?;
    let reference: Vec<Vec<f64>> = curves.collect();
    finish(log_w, &reference, opts.space, opts.d_power, n, subsampled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Method;

    pub(super) fn blobs(seed: u64) -> Array2<f64> {
        let mut r = Rng::new(seed);
        let centres = [
            [0.0, 0.0, 0.0],
            [6.0, 0.0, 1.0],
            [0.0, 6.0, -1.0],
            [6.0, 6.0, 0.0],
        ];
        let mut x = Array2::zeros((200, 3));
        for i in 0..200 {
            let c = centres[i % 4];
            for j in 0..3 {
                x[[i, j]] = c[j] + 0.7 * r.normal();
            }
        }
        x
    }

    #[test]
    fn max_se_rules_as_r() {
        // f rises to a first local maximum at k = 3, a higher one at k = 6.
        let f = [0.1, 0.5, 0.62, 0.6, 0.7, 0.8, 0.75];
        let se = [0.05; 7];
        assert_eq!(max_se(&f, &se, GapRule::FirstMax, 1.0), 3);
        assert_eq!(max_se(&f, &se, GapRule::GlobalMax, 1.0), 6);
        // firstSEmax: f[2] within one SE of f[3] (0.5 < 0.62 - 0.05), so k = 3 stays.
        assert_eq!(max_se(&f, &se, GapRule::FirstSeMax, 1.0), 3);
        // Tibs2001: first k with f(k) >= f(k+1) - s(k+1): k = 3 (0.62 >= 0.55).
        assert_eq!(max_se(&f, &se, GapRule::Tibs2001SeMax, 1.0), 3);
        // globalSEmax: nothing before k = 6 reaches 0.8 - 0.05; with SE 0.15, f(5) = 0.7 does.
        assert_eq!(max_se(&f, &se, GapRule::GlobalSeMax, 1.0), 6);
        assert_eq!(max_se(&f, &[0.15; 7], GapRule::GlobalSeMax, 1.0), 5);
        // With a wide SE the rules back off to k = 1.
        assert_eq!(max_se(&f, &[1.0; 7], GapRule::FirstSeMax, 1.0), 1);
        // Increasing curve: K.
        assert_eq!(
            max_se(&[1.0, 2.0, 3.0], &[0.0; 3], GapRule::FirstSeMax, 1.0),
            3
        );
        assert_eq!(max_se(&[], &[], GapRule::FirstSeMax, 1.0), 0);
    }

    #[test]
    fn four_blobs_give_four_at_any_thread_count() {
        let x = blobs(3);
        let run = |threads: usize, method: Method| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    gap_statistic(
                        x.view(),
                        FitOptions {
                            method,
                            seed: 1,
                            n_init: 3,
                            ..FitOptions::default()
                        },
                        &GapOptions {
                            b: 10,
                            ..GapOptions::new(7)
                        },
                        &Progress::new(),
                    )
                    .unwrap()
                })
        };
        let g = run(1, Method::Kmeans);
        assert_eq!(g.recommended_k, 4, "{g:?}");
        assert_eq!(g.k_tibs2001, 4, "{g:?}");
        assert_eq!(g.ks, [1, 2, 3, 4, 5, 6, 7]);
        assert!(!g.subsampled && g.n_rows == 200 && g.b == 10);
        assert_eq!(g, run(3, Method::Kmeans));
        assert_eq!(run(2, Method::Ward).recommended_k, 4);
    }

    #[test]
    fn subsets_errors_and_cancel() {
        let x = blobs(4);
        let fo = FitOptions {
            n_init: 2,
            ..FitOptions::default()
        };
        let small = GapOptions {
            b: 3,
            max_rows: 80,
            ..GapOptions::new(3)
        };
        let g = gap_statistic(x.view(), fo, &small, &Progress::new()).unwrap();
        assert!(g.subsampled && g.n_rows == 80);
        let p = Progress::new();
        for bad in [
            GapOptions { b: 1, ..small },
            GapOptions { k_max: 1, ..small },
            GapOptions { k_max: 80, ..small },
            GapOptions {
                d_power: 0.0,
                ..small
            },
            GapOptions {
                max_rows: 1,
                ..small
            },
        ] {
            assert!(gap_statistic(x.view(), fo, &bad, &p).is_err(), "{bad:?}");
        }
        // Duplicated rows: W is zero once every segment is one point.
        let dup = Array2::from_shape_vec((6, 1), vec![0.0, 0.0, 1.0, 1.0, 2.0, 2.0]).unwrap();
        let e = gap_statistic(
            dup.view(),
            fo,
            &GapOptions {
                b: 3,
                ..GapOptions::new(4)
            },
            &p,
        )
        .unwrap_err();
        assert!(e.to_string().contains("k = 3"), "{e}");
        p.cancel();
        assert!(matches!(
            gap_statistic(x.view(), fo, &small, &p),
            Err(Error::Cancelled)
        ));
    }
}
