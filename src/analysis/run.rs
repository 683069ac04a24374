// Length: ~650 lines of code (the whole run API on purpose: one place to read a run end to end); the rest is unit tests.
//! The run API: the one code path from a loaded table to a segmentation that the app's job slots and
//! every CLI subcommand call, so the two can never drift apart.
//!
//! ```text
//! Table ─▶ prepare (preparation fit + transform [+ PCA]) ─▶ PreparedData
//!                     ├─▶ sweep (k range, policy, streamed rows) ─▶ Sweep (+ tree)
//!                     └─▶ fit_segments (k or cut height, policy) ─▶ SegResult
//!                                         (labels, silhouettes exact or sampled, DB, CH, profile)
//! SegResult ─▶ recipe (preparation + model as used + centres); export/ writes it out
//! ```
//!
//! Every large-data choice (sampled silhouettes, lowered restarts, approximate trees) is made here by the
//! one [`Policy`] and recorded as a [`Decision`] on the result.

use ndarray::{Array2, ArrayView2};

use super::describe::{SegmentDescription, describe_segments};
use super::fit::{FitOptions, Segmentation, TreeCut, build_tree, fit, segment_tree};
use super::gap::{GapOptions, gap_statistic};
use super::profile::{Profile, profile};
use super::recipe::{FittedModel, Recipe};
use super::recommend::recommend_with;
use super::spec::{Decision, ModelSpec, Policy};
use super::stability::{Reference, Stability, StabilityOptions, stability_of, stability_of_labels};
use super::sweep::{RowStability, Sweep, SweepRow, run_sweep_keeping};
use super::tendency::{DEFAULT_SEED as TENDENCY_SEED, tendency};
use crate::cluster::{CovarianceType, Dendrogram, Method, height_for_k};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::metrics::{
    SampledSilhouette, Scores, calinski_harabasz_score, davies_bouldin_score,
    silhouette_sampled_rows, silhouette_samples,
};
use crate::prep::{Fitted, Preparation, Prepared};
use crate::reduce::pca::{Pca, pca};

/// The prepared matrix and what was learnt making it.
#[derive(Debug)]
pub struct PreparedData {
    /// The fitted preparation (statistics for inverse transforms and for re-use on new data).
    pub fitted: Fitted,
    /// The matrix, its column names and the input rows it covers.
    pub prepared: Prepared,
    /// PCA of the matrix, when asked for.
    pub pca: Option<Pca>,
    /// Every row's PCA scores (rows × components), when asked for.
    pub scores: Option<Array2<f64>>,
}

impl PreparedData {
    /// Rows in the matrix.
    pub fn n_rows(&self) -> usize {
        self.prepared.matrix.nrows()
    }

    /// The prepared matrix.
    pub fn x(&self) -> ArrayView2<'_, f64> {
        self.prepared.matrix.view()
    }
}

/// Prepares `table` with `preparation`; with `pca_components > 0` also projects it on up to that many
/// principal components (the app's scatter).
pub fn prepare(
    table: &Table,
    preparation: &Preparation,
    pca_components: usize,
    progress: &Progress,
) -> Result<PreparedData> {
    progress.set_stage("preparing features", 0);
    let (fitted, prepared) = preparation.fit_transform(table, progress)?;
    if prepared.matrix.nrows() == 0 {
        return Err(Error::Input {
            source_name: table.source_name.clone(),
            message: "no row is left to cluster: every row has a missing value in a feature whose \
                      missing values are dropped; impute them instead"
                .into(),
        });
    }
    progress.check()?;
    let (pca, scores) = if pca_components > 0 && prepared.matrix.nrows() >= 2 {
        progress.set_stage("PCA", 0);
        let c = pca_components
            .min(prepared.matrix.ncols())
            .min(prepared.matrix.nrows());
        let p = pca(prepared.matrix.view(), c, progress)?;
        let s = p.transform(prepared.matrix.view());
        (Some(p), Some(s))
    } else {
        (None, None)
    };
    Ok(PreparedData {
        fitted,
        prepared,
        pca,
        scores,
    })
}

/// What a fit produces: K segments, or a hierarchical tree cut at a height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// K segments.
    K(usize),
    /// A hierarchical tree cut at a height (the dendrogram's cut line).
    Height(f64),
    /// A density method's own settings (the spec's eps, min_samples, xi): no k.
    Density,
}

/// Longest estimated wall time of one fit or sweep before it is refused (15 minutes).
pub const TIME_BUDGET_SECS: f64 = 900.0;

/// Estimated wall seconds of a Gaussian mixture fit with `k` components on `n` rows × `d` features, for
/// every restart: about 20 EM iterations, each ~1.5 ns per n·k·d² (the Mahalanobis terms), 20 ns per n·k
/// (log-sum-exp) and 1 ns per k·d³ (Cholesky and inverse), measured on this class of machine. Full
/// covariances only; diagonal and spherical ones cost n·k·d.
pub fn gmm_secs(covariance: CovarianceType, n: usize, d: usize, k: usize, n_init: usize) -> f64 {
    let (n, d, k) = (n as f64, d as f64, k as f64);
    let per_iter = match covariance {
        CovarianceType::Full => 1.5e-9 * n * k * d * d + 20e-9 * n * k + 1e-9 * k * d * d * d,
        CovarianceType::Diag | CovarianceType::Spherical => 3e-9 * n * k * d + 20e-9 * n * k,
    };
    20.0 * n_init.max(1) as f64 * per_iter
}

/// Refuses work whose cost is out of reach before it starts (Gaussian mixtures on wide data or long k
/// ranges): memory against the budget, time against [`TIME_BUDGET_SECS`]. Returns the estimate.
fn check_cost(opts: &FitOptions, n: usize, d: usize, ks: &[usize]) -> Result<f64> {
    if opts.method != Method::Gmm {
        return Ok(0.0);
    }
    let k_max = ks.iter().copied().max().unwrap_or(1).max(1);
    if opts.covariance == CovarianceType::Full {
        let (nf, df, kf) = (n as f64, d as f64, k_max as f64);
        // Covariances, their Cholesky factors and precisions: k · d² values each, plus an n × k
        // responsibility matrix.
        let bytes = (3.0 * kf * df * df + nf * kf) * 8.0;
        crate::budget::check(
            bytes as u64,
            &format!("a full-covariance Gaussian mixture with {k_max} components on {d} features"),
            "use diagonal or spherical covariances, or cluster on fewer features (e.g. principal \
             components)",
        )?;
    }
    let secs: f64 = ks
        .iter()
        .map(|&k| gmm_secs(opts.covariance, n, d, k, opts.n_init))
        .sum();
    if secs > TIME_BUDGET_SECS {
        let what = if ks.len() > 1 {
            format!(
                "a {}-covariance Gaussian mixture sweep of k = {}..{k_max} on {n} rows × {d} features",
                opts.covariance.name(),
                ks.first().copied().unwrap_or(k_max)
            )
        } else {
            format!(
                "a {}-covariance Gaussian mixture with {k_max} components on {n} rows × {d} features",
                opts.covariance.name()
            )
        };
        let way_out = if opts.covariance == CovarianceType::Full {
            "use diagonal or spherical covariances, fewer restarts, a shorter k range, or cluster on \
             fewer features (e.g. principal components)"
        } else {
            "use fewer restarts, a shorter k range, or cluster on fewer features"
        };
        return Err(Error::TooSlow {
            what,
            estimate_secs: secs,
            way_out: way_out.into(),
        });
    }
    Ok(secs)
}

/// The estimated wall seconds of fitting `ks` with `spec` on the prepared data (0 where no estimate is
/// needed), or the refusal [`sweep`] and [`fit_segments`] would give: for messages before long work.
pub fn cost_estimate(
    data: &PreparedData,
    ks: &[usize],
    spec: &ModelSpec,
    policy: &Policy,
) -> Result<f64> {
    let (opts, _) = policy.fit_options(spec, data.n_rows());
    check_cost(&opts, data.n_rows(), data.x().ncols(), ks)
}

/// What a sweep adds to the indices: bootstrap stability and the gap statistic (each off at 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SweepExtras {
    /// Bootstrap resamples per k for stability (0 = off).
    pub stability: usize,
    /// Reference sets of the gap statistic (0 = off).
    pub gap: usize,
}

/// Sweeps `ks` with `spec`'s method on the prepared data, following `policy`; `on_row` receives each row
/// as it is scored. With `extras`, each row also gets its bootstrap stability and gap statistic, and the
/// recommendation weighs them. Returns the sweep (with the policy's decisions) and the tree of
/// hierarchical methods.
#[expect(
    clippy::too_many_arguments,
    reason = "the run API's one sweep entry point: data, range, model, policy, extras, cached tree, \
              progress and the row callback are all independent inputs"
)]
pub fn sweep(
    data: &PreparedData,
    ks: &[usize],
    spec: &ModelSpec,
    policy: &Policy,
    extras: SweepExtras,
    tree: Option<Dendrogram>,
    progress: &Progress,
    on_row: Option<&mut dyn FnMut(&SweepRow)>,
) -> Result<(Sweep, Option<Dendrogram>)> {
    let x = data.x();
    let (opts, decisions) = policy.fit_options(spec, x.nrows());
    if opts.method.is_density() {
        return Err(Error::InvalidParameter(format!(
            "{} does not take a number of segments k, so there is no k to sweep: its segments and \
             outliers follow from eps and min_samples; choose eps at the knee of the k-distance curve",
            opts.method
        )));
    }
    check_cost(&opts, x.nrows(), x.ncols(), ks)?;
    // The sweep's own labels are what stability compares its resamples with: no second full fit.
    let (mut s, tree, kept) = run_sweep_keeping(
        x,
        ks,
        opts,
        policy,
        tree,
        progress,
        on_row,
        extras.stability > 0,
    )?;
    s.decisions.splice(0..0, decisions);
    let scored: Vec<usize> = s
        .results
        .iter()
        .filter(|r| r.inertia.is_some() && r.k >= 2)
        .map(|r| r.k)
        .collect();
    if extras.stability > 0 && !scored.is_empty() {
        progress.set_context("stability");
        let references: Vec<Reference<'_>> = kept
            .iter()
            .filter(|(k, _)| scored.contains(k))
            .map(|(k, labels)| Reference {
                k: *k,
                labels: labels.as_labels(),
            })
            .collect();
        let st = stability_of_labels(
            x,
            &references,
            opts,
            &StabilityOptions {
                resamples: extras.stability,
                ..StabilityOptions::default()
            },
            progress,
        );
        let st = optional(st, "stability", &mut s.decisions)?.unwrap_or_default();
        for (r, st) in s
            .results
            .iter_mut()
            .filter(|r| scored.contains(&r.k))
            .zip(st)
        {
            r.stability = Some(RowStability {
                ari_mean: st.ari_mean,
                ari_p05: st.ari_p05,
                ari_p95: st.ari_p95,
                all_stable: st.jaccard.iter().all(|&j| j >= STABLE_JACCARD),
                jaccard: st.jaccard,
            });
        }
    }
    let k_max = ks.iter().copied().max().unwrap_or(1);
    if extras.gap > 0 && k_max >= 2 && k_max < x.nrows() {
        progress.set_context("gap statistic");
        let gap = gap_statistic(
            x,
            opts,
            &GapOptions {
                b: extras.gap,
                ..GapOptions::new(k_max)
            },
            progress,
        );
        if let Some(gap) = optional(gap, "the gap statistic", &mut s.decisions)? {
            for r in &mut s.results {
                if let Some(i) = gap.ks.iter().position(|&k| k == r.k) {
                    r.gap = Some(gap.gap[i]);
                    r.gap_se = Some(gap.s_k[i]);
                }
            }
            s.gap_k = Some(gap.recommended_k);
        }
    }
    // The data's cluster tendency (Hopkins, distinct rows): the recommendation leaves out K ≥ distinct
    // rows and gives no "structure" reading to unstructured data, for the app and the CLI alike.
    progress.set_context("cluster tendency");
    let t = tendency(x, TENDENCY_SEED, progress);
    s.tendency = optional(t, "the cluster tendency", &mut s.decisions)?;
    progress.set_context("");
    s.recommendation = recommend_with(&s.results, opts.method, s.gap_k, s.tendency.as_ref());
    s.recommended_k = s.recommendation.k;
    Ok((s, tree))
}

/// Optional evidence: its value, or `None` with a decision saying why it is missing (cancellation stays an
/// error).
fn optional<T>(r: Result<T>, what: &str, decisions: &mut Vec<Decision>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Cancelled) => Err(Error::Cancelled),
        Err(e) => {
            decisions.push(Decision::NotComputed {
                what: what.to_owned(),
                reason: e.to_string(),
            });
            Ok(None)
        }
    }
}

/// Mean Jaccard at or above which Hennig (2007) calls a segment stable.
pub const STABLE_JACCARD: f64 = 0.85;

/// A fitted segmentation with everything the app's tabs and the CLI show about it.
#[derive(Debug, Clone)]
pub struct SegResult {
    /// What was asked for.
    pub target: Target,
    /// The options actually used (after the policy).
    pub options: FitOptions,
    /// Labels, centres, tree, probabilities.
    pub seg: Segmentation,
    /// Each row's silhouette, when computed exactly (2 ≤ used segments < rows, within the policy).
    pub silhouette: Option<Vec<f64>>,
    /// Mean silhouette (exact or sampled).
    pub silhouette_mean: Option<f64>,
    /// The sampled estimate, when the data is too large for exact silhouettes.
    pub silhouette_sampled: Option<SampledSilhouette>,
    /// The rows of that sample and their silhouettes (what the Silhouette tab draws above the exact
    /// limit), when sampled.
    pub silhouette_sample: Option<SilhouetteSample>,
    /// Davies-Bouldin index.
    pub davies_bouldin: Option<f64>,
    /// Calinski-Harabasz index.
    pub calinski_harabasz: Option<f64>,
    /// Per-segment profile in original units.
    pub profile: Profile,
    /// Segment centres projected on the principal components (k × components), when PCA was made.
    pub centroid_scores: Option<Array2<f64>>,
    /// Each segment explained in words, with its suggested name (in segment order).
    pub descriptions: Vec<SegmentDescription>,
    /// The name of each segment: suggested from its description, or given by the analyst (a recipe's
    /// names when the segmentation has the same shape).
    pub names: Vec<String>,
    /// Bootstrap stability of the segmentation, when asked for.
    pub stability: Option<Stability>,
    /// What the large-data policy decided, and notes (names dropped, ...).
    pub decisions: Vec<Decision>,
}

/// Silhouette, Davies-Bouldin and Calinski-Harabasz of labels under the policy, with per-row silhouettes
/// when they are exact.
#[derive(Debug, Clone)]
pub struct LabelScores {
    /// The three indices (`None` where undefined).
    pub scores: Scores,
    /// Each row's silhouette, when exact.
    pub per_row: Option<Vec<f64>>,
    /// The sampled estimate, beyond the policy's exact limit.
    pub sampled: Option<SampledSilhouette>,
    /// The rows of that sample (indices into `x`) and their silhouettes.
    pub sample: Option<SilhouetteSample>,
    /// What the policy decided.
    pub decisions: Vec<Decision>,
}

/// The rows a sampled silhouette scored and their values, in the same order (grouped by segment,
/// ascending row within each).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SilhouetteSample {
    /// Row indices (into the prepared rows).
    pub rows: Vec<usize>,
    /// The silhouette of each of those rows.
    pub values: Vec<f64>,
}

/// Scores `labels` of the rows of `x` following `policy` (exact silhouettes up to its limit, else a
/// seeded stratified sample with a 95% confidence interval). Indices undefined for the labels (fewer than
/// 2 used segments, or as many as rows) are `None`.
pub fn score_labels(
    x: ArrayView2<f64>,
    labels: &[usize],
    policy: &Policy,
    seed: u64,
    progress: &Progress,
) -> Result<LabelScores> {
    crate::metrics::validate_labels(x, labels)?;
    let n = x.nrows();
    let used = {
        let mut ids = labels.to_vec();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let mut out = LabelScores {
        scores: Scores {
            silhouette: None,
            davies_bouldin: None,
            calinski_harabasz: None,
        },
        per_row: None,
        sampled: None,
        sample: None,
        decisions: Vec::new(),
    };
    if !(2..n).contains(&used) {
        return Ok(out);
    }
    let finite = |v: f64| v.is_finite().then_some(v);
    // The silhouette keeps a sum per row and segment (and the indices a centre per segment).
    crate::budget::check(
        crate::budget::f64s(2 * n as u128 * used as u128),
        &format!("scoring {used} segments of {n} rows"),
        "score fewer segments (a labels column holds segment ids, not row ids)",
    )?;
    progress.set_stage("silhouette", 0);
    if policy.exact_silhouette(n) {
        let s = silhouette_samples(x, labels, progress)?;
        out.scores.silhouette = finite(s.iter().sum::<f64>() / s.len() as f64);
        out.per_row = Some(s);
    } else {
        let sample = policy.silhouette_sample(n);
        let (est, rows, values) = silhouette_sampled_rows(x, labels, sample, seed, progress)?;
        out.scores.silhouette = finite(est.mean);
        out.sampled = Some(est);
        out.sample = Some(SilhouetteSample { rows, values });
        out.decisions.push(Decision::SilhouetteSampled {
            sample: est.sample_size,
            rows: n,
        });
    }
    progress.check()?;
    progress.set_stage("Davies-Bouldin and Calinski-Harabasz", 0);
    out.scores.davies_bouldin = finite(davies_bouldin_score(x, labels)?);
    out.scores.calinski_harabasz = finite(calinski_harabasz_score(x, labels)?);
    Ok(out)
}

/// The k-distance curve of the prepared rows for `min_samples` (each row's distance to its
/// `min_samples`-th nearest row, itself counted, sorted ascending) and its knee: the suggested DBSCAN eps.
pub fn k_distance_curve(
    data: &PreparedData,
    min_samples: usize,
    progress: &Progress,
) -> Result<crate::cluster::density::KDistance> {
    crate::cluster::density::k_distance(data.x(), min_samples, progress)
}

/// Fits `target` on the prepared data and computes silhouettes (per the policy), indices, the profile and
/// the centres' PCA scores. A hierarchical fit cuts `tree` when given, else builds one (returned in
/// `seg.dendrogram`).
pub fn fit_segments(
    table: &Table,
    data: &PreparedData,
    spec: &ModelSpec,
    target: Target,
    policy: &Policy,
    tree: Option<Dendrogram>,
    progress: &Progress,
) -> Result<SegResult> {
    fit_segments_reusing(table, data, spec, target, policy, tree, None, progress)
}

/// [`fit_segments`] that re-cuts `optics` (an OPTICS graph of the same prepared rows and min_samples,
/// e.g. the previous fit's `seg.density.optics`) instead of recomputing it: an OPTICS fit then costs a
/// linear cut plus the scoring, so the app can re-cut live while a threshold is dragged. A graph made
/// with another min_samples or row count is ignored (OPTICS runs afresh).
#[allow(clippy::too_many_arguments)]
pub fn fit_segments_reusing(
    table: &Table,
    data: &PreparedData,
    spec: &ModelSpec,
    target: Target,
    policy: &Policy,
    tree: Option<Dendrogram>,
    optics: Option<&crate::cluster::density::Optics>,
    progress: &Progress,
) -> Result<SegResult> {
    let x = data.x();
    let n = x.nrows();
    let (opts, mut decisions) = policy.fit_options(spec, n);
    progress.set_stage("fitting", 0);
    let seg = match (opts.method.is_hierarchical(), target) {
        _ if opts.method.is_density() => {
            super::density::fit_density_reusing(x, &opts, optics, progress)?
        }
        (false, Target::Density) => {
            return Err(Error::InvalidParameter(format!(
                "{} takes a number of segments k; eps and min_samples are for dbscan and optics",
                opts.method
            )));
        }
        (true, _) => {
            let tree = match tree {
                Some(t) => t,
                None => build_tree(x, opts.method, progress)?,
            };
            let cut = match target {
                Target::K(k) => TreeCut::K(k),
                Target::Height(h) => TreeCut::Height(h),
                Target::Density => {
                    return Err(Error::InvalidParameter(format!(
                        "{} needs a number of segments k or a cut height",
                        opts.method
                    )));
                }
            };
            segment_tree(x, opts.method, tree, cut)?
        }
        (false, Target::K(k)) => {
            check_cost(&opts, n, x.ncols(), &[k])?;
            fit(x, k, opts, progress)?
        }
        (false, Target::Height(_)) => {
            return Err(Error::InvalidParameter(format!(
                "a cut height needs a hierarchical method (ward, average, complete, single), not {}",
                opts.method
            )));
        }
    };
    if seg.approximate {
        decisions.push(Decision::ApproximateTree { rows: n });
    }
    progress.check()?;
    let scored = match seg.noise_segment() {
        None => score_labels(x, &seg.labels, policy, opts.seed, progress)?,
        Some(noise) => {
            super::density::score_clustered(x, &seg.labels, noise, policy, opts.seed, progress)?
        }
    };
    assemble(table, data, target, opts, seg, scored, decisions, progress)
}

/// The result of a fit from its segmentation and scores: profiles, the centres' PCA scores,
/// descriptions and names (outliers named so), and the decisions with the scoring's own. The one place a
/// [`SegResult`] is put together, for a fit and for a segment made from a selection.
#[allow(clippy::too_many_arguments)]
pub(super) fn assemble(
    table: &Table,
    data: &PreparedData,
    target: Target,
    options: FitOptions,
    seg: Segmentation,
    scored: LabelScores,
    mut decisions: Vec<Decision>,
    progress: &Progress,
) -> Result<SegResult> {
    decisions.extend(scored.decisions);
    progress.check()?;
    progress.set_stage("profiling", 0);
    let prof = profile(
        table,
        &data.fitted.preparation.features,
        &data.prepared.kept_rows,
        &seg.labels,
        seg.k,
    )?;
    let centroid_scores = data.pca.as_ref().map(|p| p.transform(seg.centroids.view()));
    let mut descriptions = describe_segments(table, &data.prepared.kept_rows, &seg.labels, &prof)?;
    if let Some(d) = seg.noise_segment().and_then(|s| descriptions.get_mut(s)) {
        d.description = d
            .description
            .replacen(&format!("Segment {}", d.segment), "Outliers", 1);
        super::density::OUTLIER.clone_into(&mut d.name);
    }
    let names: Vec<String> = descriptions.iter().map(|d| d.name.clone()).collect();
    Ok(SegResult {
        target,
        options,
        seg,
        silhouette: scored.per_row,
        silhouette_mean: scored.scores.silhouette,
        silhouette_sampled: scored.sampled,
        silhouette_sample: scored.sample,
        davies_bouldin: scored.scores.davies_bouldin,
        calinski_harabasz: scored.scores.calinski_harabasz,
        profile: prof,
        centroid_scores,
        descriptions,
        names,
        stability: None,
        decisions,
    })
}

impl SegResult {
    /// The names and ranked features the profile CSV carries next to the profile.
    pub fn profile_words(&self) -> crate::export::ProfileWords<'_> {
        crate::export::ProfileWords {
            names: &self.names,
            descriptions: &self.descriptions,
        }
    }

    /// Rows per segment.
    pub fn sizes(&self) -> Vec<usize> {
        self.seg.sizes()
    }

    /// Adds the bootstrap stability of this segmentation (B resamples refitted with the same method and
    /// settings; per-segment Jaccard), following `options`.
    pub fn assess_stability(
        &mut self,
        data: &PreparedData,
        options: &StabilityOptions,
        progress: &Progress,
    ) -> Result<()> {
        if self.options.method.is_density() {
            return Err(Error::InvalidParameter(format!(
                "bootstrap stability is not available for {}: resampled rows repeat, which changes the \
                 density that defines its segments",
                self.options.method
            )));
        }
        self.stability = Some(stability_of(
            data.x(),
            &self.seg,
            self.options,
            options,
            progress,
        )?);
        Ok(())
    }

    /// [`Self::assess_stability`] with `resamples` as optional evidence (the app's default): density
    /// methods and failures leave the result without it and say why in `decisions`; only Cancel is an
    /// error.
    pub fn try_assess_stability(
        &mut self,
        data: &PreparedData,
        resamples: usize,
        progress: &Progress,
    ) -> Result<()> {
        if resamples == 0 || self.options.method.is_density() {
            return Ok(());
        }
        progress.set_stage("stability", 0);
        let options = StabilityOptions {
            resamples,
            ..StabilityOptions::default()
        };
        let r = self.assess_stability(data, &options, progress);
        optional(r, "stability", &mut self.decisions).map(|_| ())
    }

    /// Uses `names` (a recipe's, or the analyst's) when they fit this segmentation: as many names as
    /// segments and, when `sizes` are given (the segmentation they were made for), the same sizes. Else
    /// keeps the suggested names and records why.
    pub fn adopt_names(&mut self, names: &[String], sizes: Option<&[usize]>) {
        let same_shape = names.len() == self.seg.k && sizes.is_none_or(|s| s == self.sizes());
        if same_shape {
            self.names = names.to_vec();
        } else {
            self.decisions.push(Decision::NamesDropped {
                reason: format!(
                    "the names were given for {} segments{}, this segmentation has {} of sizes {:?}",
                    names.len(),
                    sizes.map_or_else(String::new, |s| format!(" of sizes {s:?}")),
                    self.seg.k,
                    self.sizes()
                ),
            });
        }
    }

    /// The model part of the recipe as actually used.
    pub fn model_spec(&self) -> ModelSpec {
        let (k, height) = match self.target {
            _ if self.options.method.is_density() => (None, None),
            Target::K(k) => (Some(k), None),
            Target::Height(h) => (None, Some(h)),
            Target::Density => (None, None),
        };
        let m = self.options.method;
        let cut = self.seg.density.as_ref().map(|d| d.cut);
        ModelSpec {
            method: m,
            k,
            height,
            seed: self.options.seed,
            n_init: (!m.is_hierarchical() && !m.is_density()).then_some(self.options.n_init),
            covariance: self.options.covariance,
            eps: cut.and_then(|c| c.eps()),
            min_samples: cut.map(|c| c.min_samples()),
            xi: cut.and_then(|c| c.xi()),
            refine: self.options.refine,
        }
    }

    /// The recipe that reproduces this result: the preparation, the model as actually used, and the
    /// fitted centres (in prepared and original units).
    pub fn recipe(&self, data: &PreparedData) -> Result<Recipe> {
        let centres: Vec<Vec<f64>> = self
            .seg
            .centroids
            .outer_iter()
            .map(|r| r.to_vec())
            .collect();
        let centres_original = centres
            .iter()
            .map(|c| data.fitted.inverse_transform(c))
            .collect::<Result<Vec<_>>>()?;
        let cut_height = self.seg.dendrogram.as_ref().and_then(|t| {
            (self.seg.k >= 1 && self.seg.k <= t.n_leaves).then(|| height_for_k(t, self.seg.k))
        });
        Ok(Recipe {
            preparation: data.fitted.preparation.clone(),
            model: Some(self.model_spec()),
            fitted: Some(FittedModel {
                feature_names: data.prepared.feature_names.clone(),
                sizes: self.sizes(),
                centres,
                centres_original,
                cut_height,
                names: self.names.clone(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::data::{LoadOptions, load_bytes};

    fn table(n: usize) -> Table {
        let mut r = crate::rng::Rng::new(3);
        let mut s = String::from("id,a,b,region\n");
        for i in 0..n {
            let c = (i % 3) as f64 * 10.0;
            let region = ["N", "S"][i % 2];
            writeln!(s, "{i},{},{},{region}", c + r.normal(), -c + r.normal()).unwrap();
        }
        load_bytes(
            s.into_bytes(),
            "t.csv",
            &LoadOptions::default(),
            &Progress::new(),
        )
        .unwrap()
    }

    #[test]
    fn sweep_stability_reuses_the_sweep_labels_with_the_figures_of_a_fresh_fit() {
        let t = table(180);
        let prep = Preparation::new(vec!["a".into(), "b".into()]);
        let data = prepare(&t, &prep, 2, &Progress::new()).unwrap();
        let ks = [2, 3, 4];
        for method in [Method::Kmeans, Method::Ward] {
            let spec = ModelSpec {
                method,
                seed: 9,
                ..ModelSpec::default()
            };
            let p = Policy::default();
            let extras = SweepExtras {
                stability: 6,
                gap: 0,
            };
            let (s, _) =
                sweep(&data, &ks, &spec, &p, extras, None, &Progress::new(), None).unwrap();
            // The independent path: refit the full data for every k, then resample.
            let (opts, _) = p.fit_options(&spec, data.n_rows());
            let so = StabilityOptions {
                resamples: 6,
                ..StabilityOptions::default()
            };
            let fresh = super::super::stability::stability_sweep(
                data.x(),
                &ks,
                opts,
                &so,
                &Progress::new(),
            )
            .unwrap();
            for (row, f) in s.results.iter().zip(&fresh) {
                let st = row.stability.as_ref().unwrap();
                assert_eq!(row.k, f.k);
                assert_eq!(
                    (st.ari_mean, st.ari_p05, st.ari_p95),
                    (f.ari_mean, f.ari_p05, f.ari_p95),
                    "{method} k = {}",
                    row.k
                );
                assert_eq!(st.jaccard, f.jaccard);
            }
            assert_eq!(s.results[1].stability.as_ref().unwrap().ari_mean, 1.0);
        }
    }

    #[test]
    fn fit_scores_profiles_and_records_the_model_as_used() {
        let t = table(150);
        let prep = Preparation::new(vec!["a".into(), "b".into()]);
        let data = prepare(&t, &prep, 2, &Progress::new()).unwrap();
        assert_eq!(data.scores.as_ref().unwrap().dim(), (150, 2));
        let spec = ModelSpec {
            seed: 4,
            ..ModelSpec::default()
        };
        let p = Policy::default();
        let r = fit_segments(&t, &data, &spec, Target::K(3), &p, None, &Progress::new()).unwrap();
        assert_eq!(r.sizes(), [50, 50, 50]);
        assert!(r.silhouette_mean.unwrap() > 0.8);
        assert_eq!(r.silhouette.as_ref().unwrap().len(), 150);
        assert_eq!(r.centroid_scores.as_ref().unwrap().dim(), (3, 2));
        let recipe = r.recipe(&data).unwrap();
        let m = recipe.model.unwrap();
        assert_eq!((m.k, m.seed, m.n_init), (Some(3), 4, Some(10)));
        assert_eq!(recipe.fitted.unwrap().sizes, [50, 50, 50]);
    }

    #[test]
    fn large_data_samples_the_silhouette_and_says_so() {
        let t = table(400);
        let prep = Preparation::new(vec!["a".into(), "b".into()]);
        let data = prepare(&t, &prep, 0, &Progress::new()).unwrap();
        let small = Policy {
            exact_silhouette_rows: 100,
            ..Policy::default()
        };
        let r = fit_segments(
            &t,
            &data,
            &ModelSpec::default(),
            Target::K(3),
            &small,
            None,
            &Progress::new(),
        )
        .unwrap();
        assert!(r.silhouette.is_none());
        let est = r.silhouette_sampled.unwrap();
        assert!(est.ci_low <= est.mean && est.mean <= est.ci_high);
        assert!(matches!(r.decisions[0], Decision::SilhouetteSampled { .. }));
        let exact = score_labels(
            data.x(),
            &r.seg.labels,
            &Policy::default(),
            0,
            &Progress::new(),
        )
        .unwrap();
        let s = exact.scores.silhouette.unwrap();
        assert!((s - est.mean).abs() < 0.05, "{s} vs {}", est.mean);
    }

    #[test]
    fn full_covariance_on_wide_data_is_refused_up_front() {
        let opts = FitOptions {
            method: Method::Gmm,
            ..FitOptions::default()
        };
        let e = check_cost(&opts, 3_000, 5_000, &[10])
            .unwrap_err()
            .to_string();
        assert!(e.contains("diagonal"), "{e}");
        let diag = FitOptions {
            covariance: CovarianceType::Diag,
            ..opts
        };
        assert!(check_cost(&diag, 3_000, 5_000, &[10]).is_ok());
        // The sample's 8 features, k = 2..60: a couple of minutes, allowed (with per-k progress).
        let long: Vec<usize> = (2..=60).collect();
        let secs = check_cost(&opts, 3_000, 8, &long).unwrap();
        assert!((30.0..TIME_BUDGET_SECS).contains(&secs), "{secs}");
        // 60 rows × 2,000 features, k = 2..10: refused with the figure.
        let ks: Vec<usize> = (2..=10).collect();
        assert!(check_cost(&opts, 60, 2_000, &ks).is_err());
    }
}
