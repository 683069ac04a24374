// Length: ~430 lines of code; the rest is its unit tests, kept beside the code they pin.
//! t-SNE for display (a non-linear 2-D map of the prepared rows), on the `bhtsne` crate, set up to follow
//! scikit-learn's `TSNE` (1.x defaults): perplexity 30, 1000 iterations of which the first 250 exaggerate
//! the affinities 12× with momentum 0.5 (then 0.8), learning rate "auto" = max(n / 12 / 4, 50), gains
//! +0.2 / ×0.8 with a floor of 0.01, `min(n − 1, ⌊3·perplexity + 1⌋)` nearest neighbours per row with
//! squared Euclidean distances in the Gaussian kernels, Barnes-Hut with angle θ = 0.5, and PCA
//! initialisation scaled to a standard deviation of 1e-4 along the first axis.
//!
//! Three things differ in `bhtsne` and are translated here: its gradient lacks the constant factor 4
//! sklearn's has (`c = 2(ν + 1)/ν` for ν = 1), so the step handed over is 4× sklearn's; its phase switches
//! fire at the end of the named epoch, so "250 exaggerated epochs" is epoch 249; and it caps each
//! coordinate's adaptive gain at 2 where sklearn lets gains grow without bound, so with sklearn's step the
//! maps were less converged after 1000 epochs. The step is therefore [`STEP_BOOST`]× more again; measured
//! (trustworthiness, k = 10, 1×/2×/3×/4×): iris .986/.989/.987/.991, wine .957/.961/.953/.963, the sample
//! .9944/.9950/.9955/.9957 (sklearn: .988, .956, .9961); 20k blobs in docs/PERFORMANCE.md.
//!
//! Barnes-Hut at every size, as sklearn's default: `bhtsne`'s exact mode was measured and dropped. It sums
//! the n² normaliser with a parallel reduction each epoch, whose rounding changes with thread timing, and
//! t-SNE amplifies that: two runs with the same seed on wine ended up to 7 units apart (maps ~±30 wide);
//! it was also slower (iris 0.8 s against 0.15 s) and no more trustworthy.
//!
//! Determinism: the random initialisation comes from [`crate::rng`] and the nearest neighbours are computed
//! here (linfa-nn's k-d tree, ties broken by row number) rather than by `bhtsne`'s vantage-point tree, which
//! draws its vantage points from an unseeded generator. `bhtsne`'s Barnes-Hut loop still has order-free
//! parallel steps (the re-centring's parallel fold, the affinity normalisation, the tree's parallel
//! unstable sort), so up to [`SINGLE_THREAD_UP_TO`] rows the fit runs in a one-thread pool: the same seed
//! then gives the same map bit for bit. Above it the fit uses every core and the same seed gives the same
//! map to round-off amplified by the optimisation (measured: 3e-10 on the 3,000-row sample); setting
//! `RAYON_NUM_THREADS=1` makes it bit-identical at any size.
//!
//! Cancellation: `bhtsne`'s per-epoch callback cannot stop the loop, so when [`Progress::cancel`] was called
//! the callback unwinds with a private marker (`std::panic::resume_unwind`, which does not run the panic
//! hook, so nothing is printed); [`tsne`] catches exactly that marker and returns [`Error::Cancelled`].
//! The affinity step inside `bhtsne` (a fraction of a second at 20k rows) cannot be interrupted.
//!
//! (This file passes 600 lines only with its tests; the code is about 400.)

use std::collections::BTreeMap;

use linfa_nn::distance::L2Dist;
use linfa_nn::{KdTree, NearestNeighbour};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;

/// Up to this many rows the fit runs on one thread, bit-identical for a seed (see the module notes).
pub const SINGLE_THREAD_UP_TO: usize = 5_000;

/// Rows beyond which the app embeds a stratified sample ([`sample_rows_stratified`]) instead of all rows.
pub const MAX_ROWS: usize = 50_000;

/// Epochs with exaggerated affinities and the lower momentum (sklearn's `_EXPLORATION_MAX_ITER`).
pub const EXPLORATION_ITERATIONS: usize = 250;

/// Extra factor on the step for `bhtsne`'s capped gains (see the module notes).
pub const STEP_BOOST: f64 = 4.0;

/// Rows per block of neighbour queries (cancellation and progress between blocks).
const KNN_BLOCK: usize = 2048;

/// How the map starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum TsneInit {
    /// The first two principal components, scaled to std 1e-4 on the first (stable layouts; sklearn's
    /// default).
    #[default]
    Pca,
    /// Gaussian noise with std 1e-4 from the seed.
    Random,
}

/// t-SNE settings; [`Default`] is sklearn's.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TsneParams {
    /// Effective number of neighbours each row keeps (5–50 is usual); needs more than 3 × perplexity rows.
    pub perplexity: f64,
    /// Total optimisation epochs, at least [`EXPLORATION_ITERATIONS`].
    pub iterations: usize,
    /// Seed of the random initialisation (and of nothing else).
    pub seed: u64,
    /// Step size in sklearn's units; `None` = "auto", max(n / early_exaggeration / 4, 50).
    pub learning_rate: Option<f64>,
    /// Factor on the affinities during the first [`EXPLORATION_ITERATIONS`] epochs (≥ 1).
    pub early_exaggeration: f64,
    /// Barnes-Hut angle in (0, 1]; smaller is more accurate and slower.
    pub theta: f64,
    /// Initialisation.
    pub init: TsneInit,
}

impl Default for TsneParams {
    fn default() -> Self {
        Self {
            perplexity: 30.0,
            iterations: 1000,
            seed: 0,
            learning_rate: None,
            early_exaggeration: 12.0,
            theta: 0.5,
            init: TsneInit::Pca,
        }
    }
}

impl TsneParams {
    /// Neighbours per row (sklearn's `min(n − 1, int(3 · perplexity + 1))`).
    pub fn n_neighbors(&self, n: usize) -> usize {
        ((3.0 * self.perplexity + 1.0) as usize).min(n.saturating_sub(1))
    }

    /// The learning rate in sklearn's units for `n` rows.
    pub fn learning_rate_for(&self, n: usize) -> f64 {
        self.learning_rate
            .unwrap_or_else(|| (n as f64 / self.early_exaggeration / 4.0).max(50.0))
    }

    /// `Err` naming the first setting that cannot work for `n` rows.
    pub fn validate(&self, n: usize) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidParameter(m));
        if !(self.perplexity.is_finite() && self.perplexity > 0.0) {
            return bad(format!(
                "t-SNE perplexity must be a positive number; got {}",
                self.perplexity
            ));
        }
        // bhtsne (and the neighbour count) need n − 1 ≥ 3 × perplexity.
        let need = (3.0 * self.perplexity).ceil() as usize + 1;
        if n < need.max(4) {
            return bad(format!(
                "t-SNE with perplexity {} needs at least {} rows (more than 3 × perplexity); got {n}; \
                 lower the perplexity",
                self.perplexity,
                need.max(4)
            ));
        }
        if self.iterations < EXPLORATION_ITERATIONS {
            return bad(format!(
                "t-SNE needs at least {EXPLORATION_ITERATIONS} iterations (the exaggeration phase); got {}",
                self.iterations
            ));
        }
        if let Some(lr) = self.learning_rate
            && !(lr.is_finite() && lr > 0.0)
        {
            return bad(format!(
                "t-SNE learning rate must be a positive number; got {lr}"
            ));
        }
        if !(self.early_exaggeration.is_finite() && self.early_exaggeration >= 1.0) {
            return bad(format!(
                "t-SNE early exaggeration must be at least 1; got {}",
                self.early_exaggeration
            ));
        }
        if !(self.theta > 0.0 && self.theta <= 1.0) {
            return bad(format!(
                "t-SNE angle (theta) must be in (0, 1]; got {}",
                self.theta
            ));
        }
        Ok(())
    }
}

/// Bytes t-SNE of `n × d` allocates at its peak (the input excluded): the neighbour lists, the sparse
/// symmetric affinities (at most twice the neighbour entries), the map with its velocities, gains and
/// forces, the tree, and a contiguous copy of the input.
pub fn memory_needed(n: usize, d: usize, params: &TsneParams) -> u64 {
    let (nn, dd) = (n as u128, d as u128);
    let k = params.n_neighbors(n) as u128;
    // Neighbour (16) + distance (8) + p (8) + column (4) per entry, then 2 × (8 + 4) symmetric.
    let affinities = nn * k * (16 + 8 + 8 + 4 + 24);
    // y, uy, gains, positive, negative forces (2 values each) + the tree (~8 nodes of 64 bytes).
    let map = nn * (5 * 2 * 8 + 8 * 64);
    u64::try_from(affinities + map + 8 * nn * dd).unwrap_or(u64::MAX)
}

/// Embeds the rows of `x` in 2-D. `on_epoch(epoch, xy)` receives each epoch's map (row-major `x, y`
/// pairs, `n × 2` values) for live display; `progress` counts epochs and cancels between them.
pub fn tsne(
    x: ArrayView2<f64>,
    params: &TsneParams,
    progress: &Progress,
    mut on_epoch: impl FnMut(usize, &[f64]) + Send,
) -> Result<Array2<f64>> {
    let (n, d) = x.dim();
    if d == 0 {
        return Err(Error::InvalidParameter(
            "t-SNE needs at least one feature".into(),
        ));
    }
    params.validate(n)?;
    crate::budget::check(
        memory_needed(n, d, params),
        &format!("t-SNE of {n} rows"),
        "embed a sample of the rows",
    )?;
    crate::cluster::check_finite(x)?;
    let x = x.as_standard_layout();
    progress.check()?;

    let init = initial_map(x.view(), params, progress)?;
    let rows: Vec<&[f64]> = x
        .as_slice()
        .map(|s| s.chunks(d).collect())
        .unwrap_or_default();
    let neighbors = nearest_neighbors(x.view(), params.n_neighbors(n), progress)?;
    progress.check()?;

    progress.set_stage("t-SNE: affinities", 0);
    let epochs = params.iterations;
    let mut started = false;
    let callback = |epoch: usize, y: &[f64]| {
        if !started {
            started = true;
            progress.set_stage("t-SNE: optimising", epochs as u64);
        }
        progress.set_done(epoch as u64 + 1);
        on_epoch(epoch, y);
        if progress.is_cancelled() {
            std::panic::resume_unwind(Box::new(CancelMarker));
        }
    };
    let fit = || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut t = bhtsne::tSNE::<f64, &[f64], 2>::new(&rows);
            t.perplexity(params.perplexity)
                .epochs(epochs)
                .learning_rate(4.0 * STEP_BOOST * params.learning_rate_for(n))
                .early_exaggeration(params.early_exaggeration)
                .stop_lying_epoch(EXPLORATION_ITERATIONS - 1)
                .momentum_switch_epoch(EXPLORATION_ITERATIONS - 1)
                .initial_embedding(init)
                .epoch_callback(callback);
            t.barnes_hut_with_neighbors(params.theta, &neighbors);
            t.embedding()
        }))
    };
    let run = if n <= SINGLE_THREAD_UP_TO {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "t-SNE".to_owned())
            .build()
            .map_err(|e| Error::InvalidParameter(format!("t-SNE: cannot start its thread: {e}")))?
            .install(fit)
    } else {
        fit()
    };
    let y = match run {
        Ok(y) => y,
        Err(payload) if payload.is::<CancelMarker>() => return Err(Error::Cancelled),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            return Err(Error::WorkerPanic(format!("t-SNE: {msg}")));
        }
    };
    if y.len() != 2 * n || y.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter(
            "t-SNE diverged (the map has non-finite coordinates); lower the learning rate".into(),
        ));
    }
    Array2::from_shape_vec((n, 2), y)
        .map_err(|e| Error::InvalidParameter(format!("t-SNE result: {e}")))
}

/// The payload a cancelled epoch unwinds with.
struct CancelMarker;

fn euclidean(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (p - q) * (p - q))
        .sum::<f64>()
        .sqrt()
}

/// The starting map, row-major `n × 2`: sklearn's `pca / std(pca[:, 0]) * 1e-4` or `1e-4 · N(0, 1)`.
fn initial_map(x: ArrayView2<f64>, params: &TsneParams, progress: &Progress) -> Result<Vec<f64>> {
    let n = x.nrows();
    let mut rng = Rng::new(params.seed);
    let mut y: Vec<f64> = (0..2 * n).map(|_| 1e-4 * rng.normal()).collect();
    if params.init == TsneInit::Random {
        return Ok(y);
    }
    let comps = x.ncols().min(2);
    let p = super::pca(x, comps, progress)?;
    let scores = p.transform(x);
    let first = scores.column(0);
    let mean = first.sum() / n as f64;
    let std = (first.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    if std > 0.0 && std.is_finite() {
        // A single feature keeps the random second coordinate.
        for (i, row) in scores.rows().into_iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                y[2 * i + j] = v / std * 1e-4;
            }
        }
    }
    Ok(y)
}

/// The `k` nearest other rows of each row, by distance then row number (linfa-nn's k-d tree; distances
/// recomputed as a sequential sum of squares so they do not depend on the tree).
fn nearest_neighbors(
    x: ArrayView2<f64>,
    k: usize,
    progress: &Progress,
) -> Result<Vec<Vec<bhtsne::Neighbor<f64>>>> {
    let n = x.nrows();
    progress.set_stage("t-SNE: nearest neighbours", n as u64);
    let index = KdTree
        .from_batch(&x, L2Dist)
        .map_err(|e| Error::InvalidParameter(format!("t-SNE neighbour index: {e}")))?;
    let row = |i: usize| x.row(i).to_slice().unwrap_or_default().to_vec();
    let mut out = Vec::with_capacity(n);
    for start in (0..n).step_by(KNN_BLOCK) {
        progress.check()?;
        let end = (start + KNN_BLOCK).min(n);
        let block: Vec<Vec<bhtsne::Neighbor<f64>>> = (start..end)
            .into_par_iter()
            .map(|i| {
                let found = index
                    .k_nearest(x.row(i), k + 1)
                    .map_err(|e| Error::InvalidParameter(format!("t-SNE neighbour query: {e}")))?;
                let a = row(i);
                let mut list: Vec<bhtsne::Neighbor<f64>> = found
                    .into_iter()
                    .filter(|&(_, j)| j != i)
                    .map(|(p, j)| bhtsne::Neighbor {
                        index: j,
                        distance: euclidean(&a, p.as_slice().unwrap_or(&row(j))),
                    })
                    .collect();
                list.sort_by(|p, q| {
                    p.distance
                        .total_cmp(&q.distance)
                        .then(p.index.cmp(&q.index))
                });
                list.truncate(k);
                Ok(list)
            })
            .collect::<Result<_>>()?;
        out.extend(block);
        progress.set_done(end as u64);
    }
    if out.iter().any(|l| l.len() != k) {
        return Err(Error::InvalidParameter(
            "t-SNE: the neighbour index returned too few neighbours".into(),
        ));
    }
    Ok(out)
}

/// Row numbers (sorted, in input order) of a sample of at most `max` rows that keeps each segment's
/// share: quotas by largest remainder (ties to the smaller label), every non-empty segment at least one
/// row when `max` allows, rows drawn uniformly within a segment from `seed`. All rows when
/// `labels.len() <= max`.
pub fn sample_rows_stratified<L: Ord + Copy>(labels: &[L], max: usize, seed: u64) -> Vec<usize> {
    let n = labels.len();
    if n <= max {
        return (0..n).collect();
    }
    let mut groups: BTreeMap<L, Vec<usize>> = BTreeMap::new();
    for (i, &l) in labels.iter().enumerate() {
        groups.entry(l).or_default().push(i);
    }
    let sizes: Vec<usize> = groups.values().map(Vec::len).collect();
    let quotas = stratified_quotas(&sizes, max);
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(max);
    for (rows, quota) in groups.into_values().zip(quotas) {
        let mut rows = rows;
        // Partial Fisher-Yates: the first `quota` entries are a uniform sample.
        for i in 0..quota.min(rows.len()) {
            let j = i + rng.below(rows.len() - i);
            rows.swap(i, j);
        }
        out.extend_from_slice(&rows[..quota.min(rows.len())]);
    }
    out.sort_unstable();
    out
}

/// Rows per group summing to `max` (< Σ sizes): the proportional share rounded down, at least one per
/// group when `max` allows, then the largest remainders up (ties to the earlier group) or, when the
/// minimum of one overshot, one less from the largest quotas.
fn stratified_quotas(sizes: &[usize], max: usize) -> Vec<usize> {
    let n: usize = sizes.iter().sum();
    let floor_one = usize::from(max >= sizes.len());
    let shares: Vec<f64> = sizes
        .iter()
        .map(|&s| max as f64 * s as f64 / n as f64)
        .collect();
    let mut q: Vec<usize> = shares
        .iter()
        .zip(sizes)
        .map(|(sh, &s)| (sh.floor() as usize).max(floor_one).min(s))
        .collect();
    let mut given: usize = q.iter().sum();
    let mut by_remainder: Vec<usize> = (0..sizes.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        (shares[b] - shares[b].floor())
            .total_cmp(&(shares[a] - shares[a].floor()))
            .then(a.cmp(&b))
    });
    while given < max {
        let before = given;
        for &i in &by_remainder {
            if given < max && q[i] < sizes[i] {
                q[i] += 1;
                given += 1;
            }
        }
        if given == before {
            break;
        }
    }
    while given > max {
        let Some(i) = (0..q.len())
            .filter(|&i| q[i] > 1)
            .max_by(|&a, &b| q[a].cmp(&q[b]).then(b.cmp(&a)))
        else {
            break;
        };
        q[i] -= 1;
        given -= 1;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three well separated blobs of `per` rows in `d` dimensions.
    fn blobs(per: usize, d: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let mut r = Rng::new(seed);
        let x = Array2::from_shape_fn((3 * per, d), |(i, j)| {
            let c = i / per;
            r.normal() + if j == c % d { 10.0 } else { 0.0 }
        });
        (x, (0..3 * per).map(|i| i / per).collect())
    }

    fn fast(seed: u64) -> TsneParams {
        TsneParams {
            perplexity: 10.0,
            iterations: 300,
            seed,
            ..TsneParams::default()
        }
    }

    #[test]
    fn separates_blobs_and_reports_epochs() {
        let (x, labels) = blobs(40, 5, 1);
        let mut seen = 0;
        let p = Progress::new();
        // 300 epochs leave a few stragglers between blobs (50 epochs after the exaggeration); 1000 do not.
        let params = TsneParams {
            iterations: 1000,
            ..fast(0)
        };
        let y = tsne(x.view(), &params, &p, |e, xy| {
            assert_eq!(e, seen);
            assert_eq!(xy.len(), 240);
            seen += 1;
        })
        .unwrap();
        assert_eq!(seen, 1000);
        assert_eq!(p.counts(), (1000, 1000));
        assert_eq!(y.dim(), (120, 2));
        let t = crate::metrics::trustworthiness(x.view(), y.view(), 10).unwrap();
        // Within a blob the rows are isotropic noise in 5-D, which no 2-D map keeps exactly.
        assert!(t > 0.88, "{t}");
        // Each row's nearest map neighbour is in its own blob.
        for i in 0..120 {
            let nearest = (0..120)
                .filter(|&j| j != i)
                .min_by(|&a, &b| {
                    let da = (y[[i, 0]] - y[[a, 0]]).hypot(y[[i, 1]] - y[[a, 1]]);
                    let db = (y[[i, 0]] - y[[b, 0]]).hypot(y[[i, 1]] - y[[b, 1]]);
                    da.total_cmp(&db)
                })
                .unwrap();
            assert_eq!(labels[i], labels[nearest]);
        }
    }

    #[test]
    fn same_seed_same_map_bit_for_bit() {
        let (small, _) = blobs(30, 4, 2);
        let run =
            |x: &Array2<f64>, s| tsne(x.view(), &fast(s), &Progress::new(), |_, _| {}).unwrap();
        assert_eq!(run(&small, 3), run(&small, 3));
        let (big, _) = blobs(400, 4, 3);
        let a = run(&big, 3);
        assert_eq!(a, run(&big, 3));
        let random = TsneParams {
            init: TsneInit::Random,
            ..fast(4)
        };
        let r1 = tsne(big.view(), &random, &Progress::new(), |_, _| {}).unwrap();
        let r2 = tsne(
            big.view(),
            &TsneParams { seed: 5, ..random },
            &Progress::new(),
            |_, _| {},
        )
        .unwrap();
        assert_ne!(r1, r2);
    }

    #[test]
    fn cancel_stops_between_epochs() {
        let (x, _) = blobs(30, 3, 4);
        let p = Progress::new();
        let mut last = 0;
        let r = tsne(x.view(), &fast(0), &p, |e, _| {
            last = e;
            if e == 20 {
                p.cancel();
            }
        });
        assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
        assert_eq!(last, 20);
        // Cancelled before it starts.
        assert!(matches!(
            tsne(x.view(), &fast(0), &p, |_, _| {}),
            Err(Error::Cancelled)
        ));
    }

    #[test]
    fn refuses_bad_input_with_a_clear_error() {
        let (x, _) = blobs(20, 3, 5);
        let p = Progress::new();
        let e = tsne(x.view(), &TsneParams::default(), &p, |_, _| {}).unwrap_err();
        assert!(e.to_string().contains("needs at least 91 rows"), "{e}");
        for bad in [
            TsneParams {
                perplexity: f64::NAN,
                ..fast(0)
            },
            TsneParams {
                perplexity: 0.0,
                ..fast(0)
            },
            TsneParams {
                iterations: 100,
                ..fast(0)
            },
            TsneParams {
                learning_rate: Some(-1.0),
                ..fast(0)
            },
            TsneParams {
                early_exaggeration: 0.5,
                ..fast(0)
            },
            TsneParams {
                theta: 0.0,
                ..fast(0)
            },
        ] {
            let e = tsne(x.view(), &bad, &p, |_, _| {});
            assert!(
                matches!(e, Err(Error::InvalidParameter(_))),
                "{bad:?}: {e:?}"
            );
        }
        let mut nan = x.clone();
        nan[[3, 1]] = f64::NAN;
        assert!(tsne(nan.view(), &fast(0), &p, |_, _| {}).is_err());
        let empty = Array2::<f64>::zeros((30, 0));
        assert!(tsne(empty.view(), &fast(0), &p, |_, _| {}).is_err());
    }

    #[test]
    fn degenerate_data_gives_finite_maps() {
        let p = Progress::new();
        // All rows equal, one feature, duplicates.
        let same = Array2::from_elem((40, 3), 2.0);
        let y = tsne(same.view(), &fast(0), &p, |_, _| {}).unwrap();
        assert!(y.iter().all(|v| v.is_finite()));
        let one = Array2::from_shape_fn((50, 1), |(i, _)| (i % 5) as f64);
        let y = tsne(one.view(), &fast(0), &p, |_, _| {}).unwrap();
        assert!(y.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn memory_is_estimated_and_refused() {
        let p = TsneParams::default();
        assert!(memory_needed(20_000, 10, &p) < 300 << 20);
        let wider = TsneParams {
            perplexity: 50.0,
            ..p
        };
        assert!(memory_needed(20_000, 10, &wider) > memory_needed(20_000, 10, &p));
        let one = ndarray::Array1::<f64>::zeros(1);
        let huge = one.broadcast((2_000_000_000, 10)).unwrap();
        let e = tsne(huge, &p, &Progress::new(), |_, _| {}).unwrap_err();
        assert!(matches!(e, Error::TooLarge { .. }), "{e}");
    }

    #[test]
    fn stratified_sample_keeps_shares_and_order() {
        let labels: Vec<usize> = (0..1000)
            .map(|i| usize::from(i % 10 == 0) + 2 * usize::from(i == 7))
            .collect();
        let s = sample_rows_stratified(&labels, 100, 1);
        assert_eq!(s.len(), 100);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        let count = |l| s.iter().filter(|&&i| labels[i] == l).count();
        // 899, 100 and 1 rows: the singleton is kept, the rest in proportion.
        assert_eq!(count(2), 1);
        assert_eq!(count(1), 10);
        assert_eq!(count(0), 89);
        assert_eq!(s, sample_rows_stratified(&labels, 100, 1));
        assert_ne!(s, sample_rows_stratified(&labels, 100, 2));
        assert_eq!(
            sample_rows_stratified(&labels, 5000, 1),
            (0..1000).collect::<Vec<_>>()
        );
        // Fewer rows than segments.
        let many: Vec<i64> = (0..50).collect();
        assert_eq!(sample_rows_stratified(&many, 7, 0).len(), 7);
    }
}
