// Length: ~830 lines of code in one file on purpose: the EM loop, E- and M-steps per covariance type and
// their Cholesky helpers share private model types; splitting would make them crate-visible for no reader's gain.
//! Gaussian mixtures fitted by EM exactly as scikit-learn's `GaussianMixture`: responsibilities initialised
//! from k-means labels (`init_params='kmeans'`: one k-means run, one-hot memberships) or from k-means++ seeds
//! (`'k-means++'`), or from labels / responsibilities given by the caller; the M-step of
//! `_estimate_gaussian_parameters` (`nk + 10 eps`, `reg_covar` added to the diagonal); the precision
//! Cholesky factors; the E-step as a log-sum-exp of weighted log densities; convergence when the change of
//! the mean log-likelihood (sklearn's lower bound) is below `tol`; `n_init` restarts keeping the highest
//! lower bound; a final E-step so that labels agree with the returned parameters.
//!
//! Covariance types `full`, `diag` and `spherical` (not `tied`). Work is parallel over fixed blocks of rows
//! (rayon) reduced in order, so results depend only on the seed, never on the thread count. The small
//! Cholesky factorisations are written here (no LAPACK).

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;

use super::kmeans::{KMeansParams, kmeans, kmeans_plus_plus_rows};

const BLOCK: usize = 2048;
const LN_2PI: f64 = 1.837_877_066_409_345_3;

/// Shape of the component covariances (sklearn's `covariance_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CovarianceType {
    /// One full d × d matrix per component.
    Full,
    /// One diagonal (a variance per feature) per component.
    Diag,
    /// One variance per component, shared by all features.
    Spherical,
}

impl CovarianceType {
    /// sklearn's name (`"full"`, `"diag"`, `"spherical"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Diag => "diag",
            Self::Spherical => "spherical",
        }
    }
}

/// How EM starts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum GmmInit {
    /// sklearn `init_params='kmeans'`: labels of one k-means run (seeded per restart) as one-hot
    /// responsibilities.
    KMeans,
    /// sklearn `init_params='k-means++'`: one-hot responsibilities on the k-means++ seed rows.
    KMeansPlusPlus,
    /// One-hot responsibilities from these labels (one per row, each `< k`); one run whatever `n_init`.
    Labels(Vec<usize>),
    /// Given n × k responsibilities (rows of non-negative weights); one run whatever `n_init`.
    Responsibilities(Vec<Vec<f64>>),
}

/// Gaussian-mixture settings (sklearn defaults, except that callers usually ask for `n_init = 10`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GmmParams {
    /// Number of components.
    pub k: usize,
    /// Covariance shape.
    pub covariance: CovarianceType,
    /// Restarts; the highest lower bound wins.
    pub n_init: usize,
    /// EM iterations per restart.
    pub max_iter: usize,
    /// Convergence threshold on the change of the mean log-likelihood per sample.
    pub tol: f64,
    /// Added to the diagonal of every covariance.
    pub reg_covar: f64,
    /// Random seed.
    pub seed: u64,
    /// Initialisation.
    pub init: GmmInit,
}

impl GmmParams {
    /// sklearn's defaults for `k` components: full covariances, 1 restart, 100 iterations, tol 1e-3,
    /// reg_covar 1e-6, k-means initialisation, seed 0.
    pub fn new(k: usize) -> Self {
        Self {
            k,
            covariance: CovarianceType::Full,
            n_init: 1,
            max_iter: 100,
            tol: 1e-3,
            reg_covar: 1e-6,
            seed: 0,
            init: GmmInit::KMeans,
        }
    }

    /// Checks the parameters against a data size.
    pub fn check(&self, n_rows: usize) -> Result<()> {
        super::check_iterative(
            "the number of mixture components k",
            self.k,
            n_rows,
            self.n_init,
            self.max_iter,
            self.tol,
        )?;
        if !self.reg_covar.is_finite() || self.reg_covar < 0.0 {
            return Err(Error::InvalidParameter(
                "reg_covar must be a finite number ≥ 0".into(),
            ));
        }
        match &self.init {
            GmmInit::Labels(l) => {
                if l.len() != n_rows {
                    return Err(Error::InvalidParameter(format!(
                        "{} initial labels given for {n_rows} rows",
                        l.len()
                    )));
                }
                if let Some((i, &v)) = l.iter().enumerate().find(|(_, v)| **v >= self.k) {
                    return Err(Error::InvalidParameter(format!(
                        "initial label {v} of row {} is not below k = {}",
                        i + 1,
                        self.k
                    )));
                }
            }
            GmmInit::Responsibilities(r) => {
                if r.len() != n_rows {
                    return Err(Error::InvalidParameter(format!(
                        "{} rows of initial responsibilities given for {n_rows} rows",
                        r.len()
                    )));
                }
                for (i, row) in r.iter().enumerate() {
                    if row.len() != self.k || row.iter().any(|v| !v.is_finite() || *v < 0.0) {
                        return Err(Error::InvalidParameter(format!(
                            "initial responsibilities of row {} must be {} finite values ≥ 0",
                            i + 1,
                            self.k
                        )));
                    }
                }
            }
            GmmInit::KMeans | GmmInit::KMeansPlusPlus => {}
        }
        Ok(())
    }
}

/// Fitted covariances.
#[derive(Debug, Clone, PartialEq)]
pub enum Covariances {
    /// k matrices d × d.
    Full(Vec<Array2<f64>>),
    /// k × d variances.
    Diag(Array2<f64>),
    /// k variances.
    Spherical(Vec<f64>),
}

/// Precision Cholesky factors, stored so that densities are cheap.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Prec {
    /// Per component, `L⁻¹` (lower triangular, row-major d × d) where `L Lᵀ` is the covariance; sklearn's
    /// `precisions_cholesky_` is its transpose.
    Full(Vec<f64>),
    /// k × d values `1 / sqrt(var)`.
    Diag(Vec<f64>),
    /// k values `1 / sqrt(var)`.
    Spherical(Vec<f64>),
}

/// One set of mixture parameters (flat storage).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Model {
    weights: Vec<f64>,
    means: Vec<f64>,
    cov: Vec<f64>,
    prec: Prec,
    /// log det of the precision Cholesky factor, per component.
    log_det: Vec<f64>,
}

/// A fitted Gaussian mixture.
#[derive(Debug, Clone, PartialEq)]
pub struct Gmm {
    /// Covariance shape.
    pub covariance_type: CovarianceType,
    /// Mixing weights (sum to 1).
    pub weights: Vec<f64>,
    /// k × d component means.
    pub means: Array2<f64>,
    /// Component covariances (with `reg_covar` added).
    pub covariances: Covariances,
    /// Total log-likelihood of the training rows under the returned parameters (sklearn `score(X) * n`).
    pub log_likelihood: f64,
    /// sklearn's `lower_bound_` of the winning restart (mean log-likelihood before its last M-step).
    pub lower_bound: f64,
    /// n × k membership probabilities of the training rows.
    pub probabilities: Array2<f64>,
    /// Most probable component of each row (first on ties, as numpy's argmax).
    pub labels: Vec<usize>,
    /// EM iterations of the winning restart.
    pub n_iter: usize,
    /// Whether the winning restart converged within `max_iter`.
    pub converged: bool,
    model: Model,
}

/// sklearn's `_n_parameters`: free parameters of a mixture of `k` components in `d` dimensions.
pub fn n_parameters(covariance: CovarianceType, k: usize, d: usize) -> usize {
    let cov = match covariance {
        CovarianceType::Full => k * d * (d + 1) / 2,
        CovarianceType::Diag => k * d,
        CovarianceType::Spherical => k,
    };
    cov + k * d + k - 1
}

impl Gmm {
    /// Number of components.
    pub fn k(&self) -> usize {
        self.weights.len()
    }

    /// Mean log-likelihood per training row (sklearn `score(X)`).
    pub fn score(&self) -> f64 {
        self.log_likelihood / self.probabilities.nrows().max(1) as f64
    }

    /// Free parameters (sklearn `_n_parameters`) for `d` features.
    pub fn n_parameters(&self, d: usize) -> usize {
        n_parameters(self.covariance_type, self.k(), d)
    }

    /// Bayesian information criterion on the training data of `n` rows and `d` features:
    /// `-2 · log_likelihood + n_parameters · ln n` (sklearn `bic(X)`); lower is better.
    pub fn bic(&self, n: usize, d: usize) -> f64 {
        -2.0 * self.log_likelihood + self.n_parameters(d) as f64 * (n as f64).ln()
    }

    /// Akaike information criterion on the training data (`d` features):
    /// `-2 · log_likelihood + 2 · n_parameters` (sklearn `aic(X)`); lower is better.
    pub fn aic(&self, _n: usize, d: usize) -> f64 {
        -2.0 * self.log_likelihood + 2.0 * self.n_parameters(d) as f64
    }

    /// Membership probabilities of new rows (sklearn `predict_proba`).
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let (n, k) = (x.nrows(), self.k());
        let (_, resp) = self.e_step_rows(x)?;
        Array2::from_shape_vec((n, k), resp).map_err(internal)
    }

    /// Most probable component of new rows (sklearn `predict`).
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        let (_, resp) = self.e_step_rows(x)?;
        Ok(argmax_rows(&resp, self.k()))
    }

    /// Per-row log-likelihood of new rows (sklearn `score_samples`).
    pub fn score_samples(&self, x: ArrayView2<f64>) -> Result<Vec<f64>> {
        let (lpn, _) = self.e_step_rows(x)?;
        Ok(lpn)
    }

    /// The fitted parameters alone, enough to score new rows exactly as this fit does (see
    /// [`MixtureParams`]).
    pub fn params(&self) -> MixtureParams {
        MixtureParams {
            covariance_type: self.covariance_type,
            d: self.means.ncols(),
            model: self.model.clone(),
        }
    }

    fn e_step_rows(&self, x: ArrayView2<f64>) -> Result<(Vec<f64>, Vec<f64>)> {
        self.params().e_step_rows(x)
    }
}

/// The parameters of a fitted mixture (weights, means, covariances and their precision factors), stored
/// exactly (serde JSON round-trips every f64), so that a saved model scores new rows bit for bit as the fit
/// scored its training rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MixtureParams {
    /// Covariance shape.
    pub covariance_type: CovarianceType,
    /// Features.
    pub d: usize,
    model: Model,
}

impl MixtureParams {
    /// Number of components.
    pub fn k(&self) -> usize {
        self.model.weights.len()
    }

    /// Mixing weights.
    pub fn weights(&self) -> &[f64] {
        &self.model.weights
    }

    /// Component means, k × d row-major.
    pub fn means(&self) -> &[f64] {
        &self.model.means
    }

    /// Component covariances, flat: full k·d·d (row-major), diagonal k·d, spherical k.
    pub fn covariances(&self) -> &[f64] {
        &self.model.cov
    }

    /// Log-determinant of each component's precision Cholesky factor.
    pub fn log_det(&self) -> &[f64] {
        &self.model.log_det
    }

    /// The precision factors, flat: full k·d·d lower-triangular `L⁻¹` (row-major), diagonal k·d and
    /// spherical k values `1/sqrt(var)`.
    pub fn precision_factors(&self) -> &[f64] {
        match &self.model.prec {
            Prec::Full(v) | Prec::Diag(v) | Prec::Spherical(v) => v,
        }
    }

    /// Checks that a deserialized set of parameters is consistent (lengths, finite values).
    pub fn check(&self) -> Result<()> {
        let (k, d) = (self.k(), self.d);
        let cov_len = match self.covariance_type {
            CovarianceType::Full => k * d * d,
            CovarianceType::Diag => k * d,
            CovarianceType::Spherical => k,
        };
        let ok = k > 0
            && self.model.means.len() == k * d
            && self.model.cov.len() == cov_len
            && self.precision_factors().len() == cov_len
            && self.model.log_det.len() == k
            && self
                .model
                .weights
                .iter()
                .chain(&self.model.means)
                .chain(self.precision_factors())
                .chain(&self.model.log_det)
                .all(|v| v.is_finite());
        let matches_type = matches!(
            (&self.model.prec, self.covariance_type),
            (Prec::Full(_), CovarianceType::Full)
                | (Prec::Diag(_), CovarianceType::Diag)
                | (Prec::Spherical(_), CovarianceType::Spherical)
        );
        if ok && matches_type {
            Ok(())
        } else {
            Err(Error::InvalidParameter(
                "the mixture parameters are inconsistent (lengths or values); the model file is \
                 damaged"
                    .into(),
            ))
        }
    }

    /// Membership probabilities of rows (n × k), as [`Gmm::predict_proba`].
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let (n, k) = (x.nrows(), self.k());
        let (_, resp) = self.e_step_rows(x)?;
        Array2::from_shape_vec((n, k), resp).map_err(internal)
    }

    /// Most probable component of each row (first on ties), as [`Gmm::predict`].
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        let (_, resp) = self.e_step_rows(x)?;
        Ok(argmax_rows(&resp, self.k()))
    }

    fn e_step_rows(&self, x: ArrayView2<f64>) -> Result<(Vec<f64>, Vec<f64>)> {
        let d = self.d;
        if x.ncols() != d {
            return Err(Error::InvalidParameter(format!(
                "the mixture was fitted on {d} features but the rows have {}",
                x.ncols()
            )));
        }
        super::check_finite(x)?;
        let x = x.as_standard_layout();
        let data = contiguous(x.as_slice())?;
        let n = x.nrows();
        let k = self.k();
        let mut resp = vec![0.0; n * k];
        let mut lpn = vec![0.0; n];
        if d > 0 {
            data.par_chunks(BLOCK * d)
                .zip(resp.par_chunks_mut(BLOCK * k))
                .zip(lpn.par_chunks_mut(BLOCK))
                .for_each(|((rows, r), l)| {
                    e_block(rows, d, &self.model, r, Some(l));
                });
        }
        Ok((lpn, resp))
    }
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::InvalidParameter(format!("internal: {e}"))
}

fn contiguous(s: Option<&[f64]>) -> Result<&[f64]> {
    s.ok_or_else(|| Error::InvalidParameter("internal: matrix is not contiguous".into()))
}

fn singular(j: usize, reg: f64) -> Error {
    Error::InvalidParameter(format!(
        "the covariance of mixture component {} is singular even after adding reg_covar = {reg:e}; \
         increase reg_covar (e.g. 1e-4), use fewer clusters, or scale/deduplicate the features",
        j + 1
    ))
}

/// Fits a Gaussian mixture on the rows of `x` (no missing values).
pub fn gmm(x: ArrayView2<f64>, params: &GmmParams, progress: &Progress) -> Result<Gmm> {
    let (n, d) = x.dim();
    params.check(n)?;
    super::check_matrix(x)?;
    let x = x.as_standard_layout();
    let data = contiguous(x.as_slice())?;
    let k = params.k;
    let runs = match params.init {
        GmmInit::Labels(_) | GmmInit::Responsibilities(_) => 1,
        GmmInit::KMeans | GmmInit::KMeansPlusPlus => params.n_init,
    };
    let stage = "Gaussian mixture";
    progress.set_stage(stage, runs as u64);
    let mut rng = Rng::new(params.seed);
    let mut best: Option<(f64, Model, usize, bool)> = None;
    let mut resp = vec![0.0; n * k];
    for run in 0..runs {
        progress.check()?;
        let init_resp = initial_resp(data, x.view(), params, &mut rng, progress)?;
        progress.set_stage(stage, runs as u64);
        progress.set_done(run as u64);
        let mut model = m_step(data, d, &init_resp, params, true)?;
        let mut lower_bound = f64::NEG_INFINITY;
        let mut converged = false;
        let mut n_iter = 0;
        for it in 1..=params.max_iter {
            progress.check()?;
            n_iter = it;
            let prev = lower_bound;
            let lpn = e_step(data, d, &model, &mut resp);
            model = m_step(data, d, &resp, params, false)?;
            lower_bound = lpn / n as f64;
            if (lower_bound - prev).abs() < params.tol {
                converged = true;
                break;
            }
        }
        if best
            .as_ref()
            .is_none_or(|b| lower_bound > b.0 || b.0 == f64::NEG_INFINITY)
        {
            best = Some((lower_bound, model, n_iter, converged));
        }
        progress.add(1);
    }
    let (lower_bound, model, n_iter, converged) =
        best.ok_or_else(|| Error::InvalidParameter("n_init must be at least 1".into()))?;
    progress.check()?;
    let total = e_step(data, d, &model, &mut resp);
    let labels = argmax_rows(&resp, k);
    let probabilities = Array2::from_shape_vec((n, k), resp).map_err(internal)?;
    let means = Array2::from_shape_vec((k, d), model.means.clone()).map_err(internal)?;
    let covariances = match params.covariance {
        CovarianceType::Full => Covariances::Full(
            model
                .cov
                .chunks_exact(d * d)
                .map(|c| Array2::from_shape_vec((d, d), c.to_vec()).map_err(internal))
                .collect::<Result<_>>()?,
        ),
        CovarianceType::Diag => {
            Covariances::Diag(Array2::from_shape_vec((k, d), model.cov.clone()).map_err(internal)?)
        }
        CovarianceType::Spherical => Covariances::Spherical(model.cov.clone()),
    };
    Ok(Gmm {
        covariance_type: params.covariance,
        weights: model.weights.clone(),
        means,
        covariances,
        log_likelihood: total,
        lower_bound,
        probabilities,
        labels,
        n_iter,
        converged,
        model,
    })
}

fn argmax_rows(resp: &[f64], k: usize) -> Vec<usize> {
    resp.chunks_exact(k.max(1))
        .map(|r| {
            let mut best = 0;
            for (j, &v) in r.iter().enumerate() {
                if v > r[best] {
                    best = j;
                }
            }
            best
        })
        .collect()
}

/// Initial n × k responsibilities (row-major).
fn initial_resp(
    data: &[f64],
    x: ArrayView2<f64>,
    params: &GmmParams,
    rng: &mut Rng,
    progress: &Progress,
) -> Result<Vec<f64>> {
    let (n, d) = x.dim();
    let k = params.k;
    let mut resp = vec![0.0; n * k];
    match &params.init {
        GmmInit::KMeans => {
            let kp = KMeansParams {
                n_init: 1,
                seed: rng.next_u64(),
                ..KMeansParams::new(k)
            };
            let km = kmeans(x, &kp, progress)?;
            for (i, &l) in km.labels.iter().enumerate() {
                resp[i * k + l] = 1.0;
            }
        }
        GmmInit::KMeansPlusPlus => {
            // sklearn: one-hot responsibilities on the seed rows (means = those rows, covariances =
            // reg_covar), not a k-means run.
            let seeds = kmeans_plus_plus_rows(data, n, d, k, rng, progress)?;
            for (j, &i) in seeds.iter().enumerate() {
                resp[i * k + j] = 1.0;
            }
        }
        GmmInit::Labels(labels) => {
            for (i, &l) in labels.iter().enumerate() {
                resp[i * k + l] = 1.0;
            }
        }
        GmmInit::Responsibilities(r) => {
            for (dst, row) in resp.chunks_exact_mut(k).zip(r) {
                dst.copy_from_slice(row);
            }
        }
    }
    Ok(resp)
}

/// Weighted log density `log p(x | j) + log w_j` of one row for every component, into `out`.
#[inline]
fn weighted_log_prob(row: &[f64], m: &Model, diff: &mut [f64], out: &mut [f64]) {
    let d = row.len();
    let k = m.weights.len();
    for j in 0..k {
        let mu = &m.means[j * d..(j + 1) * d];
        for ((t, &x), &u) in diff.iter_mut().zip(row).zip(mu) {
            *t = x - u;
        }
        let maha = match &m.prec {
            Prec::Full(li) => {
                let li = &li[j * d * d..(j + 1) * d * d];
                let mut s = 0.0;
                for c in 0..d {
                    let y: f64 = li[c * d..=c * d + c]
                        .iter()
                        .zip(&diff[..=c])
                        .map(|(a, b)| a * b)
                        .sum();
                    s += y * y;
                }
                s
            }
            Prec::Diag(p) => diff
                .iter()
                .zip(&p[j * d..(j + 1) * d])
                .map(|(t, q)| (t * q) * (t * q))
                .sum(),
            Prec::Spherical(p) => diff.iter().map(|t| t * t).sum::<f64>() * p[j] * p[j],
        };
        out[j] = -0.5 * (d as f64 * LN_2PI + maha) + m.log_det[j] + m.weights[j].ln();
    }
}

/// E-step over one block: responsibilities into `resp`, per-row log-likelihoods into `lpn` when asked;
/// returns the block's sum of log-likelihoods.
fn e_block(
    rows: &[f64],
    d: usize,
    m: &Model,
    resp: &mut [f64],
    mut lpn: Option<&mut [f64]>,
) -> f64 {
    let k = m.weights.len();
    let mut diff = vec![0.0; d];
    let mut total = 0.0;
    for (i, (row, r)) in rows
        .chunks_exact(d)
        .zip(resp.chunks_exact_mut(k))
        .enumerate()
    {
        weighted_log_prob(row, m, &mut diff, r);
        let max = r.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let norm = if max.is_finite() {
            max + r.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
        } else {
            max
        };
        for v in r.iter_mut() {
            *v = (*v - norm).exp();
        }
        total += norm;
        if let Some(l) = lpn.as_deref_mut() {
            l[i] = norm;
        }
    }
    total
}

/// Full E-step: fills `resp` (n × k) and returns the total log-likelihood.
fn e_step(data: &[f64], d: usize, m: &Model, resp: &mut [f64]) -> f64 {
    let k = m.weights.len();
    let parts: Vec<f64> = data
        .par_chunks(BLOCK * d)
        .zip(resp.par_chunks_mut(BLOCK * k))
        .map(|(rows, r)| e_block(rows, d, m, r, None))
        .collect();
    parts.iter().sum()
}

/// Adds `b` into `a` element-wise.
fn add_into(a: &mut [f64], b: &[f64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// sklearn's `_estimate_gaussian_parameters` followed by `_compute_precision_cholesky`. `init` selects
/// `_initialize` (weights = nk / n) over `_m_step` (weights = nk / Σ nk).
fn m_step(data: &[f64], d: usize, resp: &[f64], params: &GmmParams, init: bool) -> Result<Model> {
    let k = params.k;
    let n = data.len() / d;
    // Pass 1: nk and Σ r x.
    let parts: Vec<(Vec<f64>, Vec<f64>)> = data
        .par_chunks(BLOCK * d)
        .zip(resp.par_chunks(BLOCK * k))
        .map(|(rows, r)| {
            let mut nk = vec![0.0; k];
            let mut sx = vec![0.0; k * d];
            for (row, rr) in rows.chunks_exact(d).zip(r.chunks_exact(k)) {
                for (j, &w) in rr.iter().enumerate() {
                    nk[j] += w;
                    for (s, &v) in sx[j * d..(j + 1) * d].iter_mut().zip(row) {
                        *s += w * v;
                    }
                }
            }
            (nk, sx)
        })
        .collect();
    let mut nk = vec![0.0; k];
    let mut means = vec![0.0; k * d];
    for (a, b) in &parts {
        add_into(&mut nk, a);
        add_into(&mut means, b);
    }
    for v in &mut nk {
        *v += 10.0 * f64::EPSILON;
    }
    for (j, &c) in nk.iter().enumerate() {
        for v in &mut means[j * d..(j + 1) * d] {
            *v /= c;
        }
    }
    // Pass 2: weighted scatter around the new means (lower triangle for full, diagonal otherwise).
    let full = params.covariance == CovarianceType::Full;
    let width = if full { d * d } else { d };
    let parts: Vec<Vec<f64>> = data
        .par_chunks(BLOCK * d)
        .zip(resp.par_chunks(BLOCK * k))
        .map(|(rows, r)| {
            let mut s = vec![0.0; k * width];
            let mut diff = vec![0.0; d];
            for (row, rr) in rows.chunks_exact(d).zip(r.chunks_exact(k)) {
                for (j, &w) in rr.iter().enumerate() {
                    if w == 0.0 {
                        continue;
                    }
                    for ((t, &x), &u) in diff.iter_mut().zip(row).zip(&means[j * d..(j + 1) * d]) {
                        *t = x - u;
                    }
                    let sj = &mut s[j * width..(j + 1) * width];
                    if full {
                        for a in 0..d {
                            let wa = w * diff[a];
                            for (acc, &db) in sj[a * d..=a * d + a].iter_mut().zip(&diff[..=a]) {
                                *acc += wa * db;
                            }
                        }
                    } else {
                        for (acc, &t) in sj.iter_mut().zip(&diff) {
                            *acc += w * t * t;
                        }
                    }
                }
            }
            s
        })
        .collect();
    let mut scatter = vec![0.0; k * width];
    for p in &parts {
        add_into(&mut scatter, p);
    }
    let reg = params.reg_covar;
    let mut log_det = vec![0.0; k];
    let (cov, prec) = match params.covariance {
        CovarianceType::Full => {
            let mut cov = vec![0.0; k * d * d];
            let mut inv = vec![0.0; k * d * d];
            for j in 0..k {
                let c = &mut cov[j * d * d..(j + 1) * d * d];
                let s = &scatter[j * d * d..(j + 1) * d * d];
                for a in 0..d {
                    for b in 0..=a {
                        let v = s[a * d + b] / nk[j];
                        c[a * d + b] = v;
                        c[b * d + a] = v;
                    }
                    c[a * d + a] += reg;
                }
                let l = cholesky(c, d).ok_or_else(|| singular(j, reg))?;
                let li = lower_inverse(&l, d);
                log_det[j] = (0..d).map(|a| li[a * d + a].ln()).sum();
                inv[j * d * d..(j + 1) * d * d].copy_from_slice(&li);
            }
            (cov, Prec::Full(inv))
        }
        CovarianceType::Diag => {
            let mut cov = vec![0.0; k * d];
            let mut p = vec![0.0; k * d];
            for j in 0..k {
                for a in 0..d {
                    let v = scatter[j * d + a] / nk[j] + reg;
                    if v.is_nan() || v <= 0.0 {
                        return Err(singular(j, reg));
                    }
                    cov[j * d + a] = v;
                    p[j * d + a] = 1.0 / v.sqrt();
                }
                log_det[j] = p[j * d..(j + 1) * d].iter().map(|v| v.ln()).sum();
            }
            (cov, Prec::Diag(p))
        }
        CovarianceType::Spherical => {
            let mut cov = vec![0.0; k];
            let mut p = vec![0.0; k];
            for j in 0..k {
                let v = scatter[j * d..(j + 1) * d]
                    .iter()
                    .map(|s| s / nk[j] + reg)
                    .sum::<f64>()
                    / d as f64;
                if v.is_nan() || v <= 0.0 {
                    return Err(singular(j, reg));
                }
                cov[j] = v;
                p[j] = 1.0 / v.sqrt();
                log_det[j] = d as f64 * p[j].ln();
            }
            (cov, Prec::Spherical(p))
        }
    };
    let weights = if init {
        nk.iter().map(|v| v / n as f64).collect()
    } else {
        let s: f64 = nk.iter().sum();
        nk.iter().map(|v| v / s).collect()
    };
    Ok(Model {
        weights,
        means,
        cov,
        prec,
        log_det,
    })
}

/// Lower Cholesky factor of a symmetric d × d matrix (row-major), `None` unless positive definite.
fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for j in 0..d {
        let s = a[j * d + j] - (0..j).map(|t| l[j * d + t] * l[j * d + t]).sum::<f64>();
        if s.is_nan() || s <= 0.0 {
            return None;
        }
        let ljj = s.sqrt();
        l[j * d + j] = ljj;
        for i in j + 1..d {
            let s = a[i * d + j] - (0..j).map(|t| l[i * d + t] * l[j * d + t]).sum::<f64>();
            l[i * d + j] = s / ljj;
        }
    }
    Some(l)
}

/// Inverse of a lower-triangular d × d matrix (row-major), itself lower triangular.
fn lower_inverse(l: &[f64], d: usize) -> Vec<f64> {
    let mut inv = vec![0.0; d * d];
    for c in 0..d {
        // Solve L z = e_c; z[i] = 0 for i < c.
        for i in c..d {
            let rhs = if i == c { 1.0 } else { 0.0 };
            let s: f64 = (c..i).map(|t| l[i * d + t] * inv[t * d + c]).sum();
            inv[i * d + c] = (rhs - s) / l[i * d + i];
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn blobs(n_per: usize, seed: u64) -> Array2<f64> {
        let centres = [[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]];
        let mut r = Rng::new(seed);
        let mut x = Array2::zeros((n_per * 3, 2));
        for (c, centre) in centres.iter().enumerate() {
            for i in 0..n_per {
                x[[c * n_per + i, 0]] = centre[0] + r.normal();
                x[[c * n_per + i, 1]] = centre[1] + (1.0 + c as f64) * r.normal();
            }
        }
        x
    }

    #[test]
    fn cholesky_and_inverse() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2).unwrap();
        let li = lower_inverse(&l, 2);
        // L · L⁻¹ = I
        let p = [l[0] * li[0], l[2] * li[0] + l[3] * li[2], l[3] * li[3]];
        assert!((p[0] - 1.0).abs() < 1e-15 && p[1].abs() < 1e-15 && (p[2] - 1.0).abs() < 1e-15);
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
    }

    #[test]
    fn fits_blobs_all_types_and_deterministic() {
        let x = blobs(400, 3);
        for cov in [
            CovarianceType::Full,
            CovarianceType::Diag,
            CovarianceType::Spherical,
        ] {
            let p = GmmParams {
                covariance: cov,
                n_init: 3,
                ..GmmParams::new(3)
            };
            let a = gmm(x.view(), &p, &Progress::new()).unwrap();
            assert!(a.converged);
            assert!((a.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            for w in &a.weights {
                assert!((w - 1.0 / 3.0).abs() < 0.05, "{cov:?} {w}");
            }
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .unwrap();
            let b = pool.install(|| gmm(x.view(), &p, &Progress::new()).unwrap());
            assert_eq!(a, b);
            let pp = a.predict_proba(x.view()).unwrap();
            assert!((&pp - &a.probabilities).iter().all(|v| v.abs() < 1e-12));
            assert_eq!(a.predict(x.view()).unwrap(), a.labels);
            let ll: f64 = a.score_samples(x.view()).unwrap().iter().sum();
            assert!((ll - a.log_likelihood).abs() < 1e-9 * ll.abs());
        }
    }

    #[test]
    fn kmeans_plus_plus_init_runs() {
        let x = blobs(100, 5);
        let p = GmmParams {
            init: GmmInit::KMeansPlusPlus,
            n_init: 2,
            ..GmmParams::new(3)
        };
        let g = gmm(x.view(), &p, &Progress::new()).unwrap();
        assert_eq!(g.labels.len(), 300);
        assert!(g.log_likelihood.is_finite());
    }

    #[test]
    fn errors() {
        let x = array![[0.0, 1.0], [2.0, 3.0], [1.0, 1.0]];
        let pr = Progress::new();
        assert!(gmm(x.view(), &GmmParams::new(0), &pr).is_err());
        let e = gmm(x.view(), &GmmParams::new(4), &pr).unwrap_err();
        assert!(e.to_string().contains("more than the 3 rows"), "{e}");
        let y = array![[0.0, f64::NAN], [2.0, 3.0]];
        let e = gmm(y.view(), &GmmParams::new(1), &pr).unwrap_err();
        assert!(e.to_string().contains("row 1 feature 2"), "{e}");
        let bad = GmmParams {
            init: GmmInit::Labels(vec![0, 5, 0]),
            ..GmmParams::new(2)
        };
        assert!(gmm(x.view(), &bad, &pr).is_err());
        // Collinear features and no regularisation: singular.
        let z = array![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        let p = GmmParams {
            reg_covar: 0.0,
            ..GmmParams::new(1)
        };
        let e = gmm(z.view(), &p, &pr).unwrap_err();
        assert!(e.to_string().contains("reg_covar"), "{e}");
        pr.cancel();
        assert!(matches!(
            gmm(x.view(), &GmmParams::new(1), &pr),
            Err(Error::Cancelled)
        ));
    }
}
