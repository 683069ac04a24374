//! The explorer's state, without any drawing: the analyst's choices (a [`Recipe`] for the preparation, a
//! [`ModelChoice`] for the clustering, the picked K or cut height) and the chain of background jobs they
//! drive:
//!
//! ```text
//! table ─▶ prepare (recipe fit + transform + PCA) ─▶ sweep (k range, streamed row by row)
//!                                                 └▶ fit (picked K / cut height; silhouettes, profile)
//! ```
//!
//! Every change invalidates only what depends on it: a recipe change re-runs all three, a method or K
//! range change re-runs the sweep (and the fit), a K pick or a cut re-runs the fit only, and a cut of a
//! hierarchical method reuses the cached tree. Each slot carries a generation number; a result whose
//! generation is not the slot's current one was superseded and is dropped, never shown.

use std::sync::{Arc, Mutex};

use ndarray::Array2;

use crate::analysis::{
    FitOptions, Profile, Segmentation, Sweep, SweepRow, TreeCut, build_tree, fit, profile,
    run_sweep_streaming, segment_tree,
};
use crate::cluster::{Dendrogram, Method};
use crate::data::{ColumnKind, Table};
use crate::error::{Error, Result};
use crate::jobs::{Job, Progress};
use crate::metrics::{
    SampledSilhouette, calinski_harabasz_score, davies_bouldin_score, silhouette_sampled,
    silhouette_samples,
};
use crate::prep::{Fitted, Impute, Prepared, Recipe, Scale};
use crate::reduce::pca::{Pca, pca};

/// Most rows for which the fit computes every row's silhouette exactly (beyond: a sampled estimate).
pub const ROW_SILHOUETTE_LIMIT: usize = 30_000;

/// Rows in the silhouette sample beyond [`ROW_SILHOUETTE_LIMIT`].
const SILHOUETTE_SAMPLE: usize = 5_000;

/// Most principal components kept for the scatter's axis choice.
const MAX_COMPONENTS: usize = 10;

/// The clustering choices.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ModelChoice {
    /// Method.
    pub method: Method,
    /// Smallest K of the sweep (≥ 2).
    pub k_min: usize,
    /// Largest K of the sweep.
    pub k_max: usize,
    /// Random seed of k-means / GMM.
    pub seed: u64,
    /// Restarts of k-means / GMM.
    pub n_init: usize,
}

impl Default for ModelChoice {
    fn default() -> Self {
        Self {
            method: Method::Kmeans,
            k_min: 2,
            k_max: 10,
            seed: 0,
            n_init: 10,
        }
    }
}

impl ModelChoice {
    /// The K values of the sweep, limited to `n_rows - 1` (silhouette needs fewer segments than rows).
    pub fn ks(&self, n_rows: usize) -> Vec<usize> {
        let hi = self.k_max.min(n_rows.saturating_sub(1));
        (self.k_min.max(2)..=hi).collect()
    }

    /// Fit options for `n_rows` rows: restarts are reduced on large data so the GUI stays responsive
    /// (k-means 3, GMM 1 above 200,000 rows).
    pub fn fit_options(&self, n_rows: usize) -> FitOptions {
        let n_init = if n_rows > 200_000 {
            match self.method {
                Method::Gmm => 1,
                _ => self.n_init.min(3),
            }
        } else {
            self.n_init
        };
        FitOptions {
            method: self.method,
            seed: self.seed,
            n_init: n_init.max(1),
        }
    }
}

/// What the fit should produce.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// K segments.
    K(usize),
    /// A hierarchical tree cut at a height (the dendrogram's cut line).
    Height(f64),
}

/// The prepared matrix and what was learnt making it.
#[derive(Debug)]
pub struct PreparedData {
    /// The fitted recipe (statistics for inverse transforms and for re-use on new data).
    pub fitted: Fitted,
    /// The matrix, its column names and the input rows it covers.
    pub prepared: Prepared,
    /// PCA of the matrix (up to 10 components).
    pub pca: Pca,
    /// Every row's PCA scores (rows × components).
    pub scores: Array2<f64>,
}

impl PreparedData {
    /// Rows in the matrix.
    pub fn n_rows(&self) -> usize {
        self.prepared.matrix.nrows()
    }
}

/// Prepares `table` with `recipe` and projects it on its principal components.
pub fn prepare(table: &Table, recipe: &Recipe, progress: &Progress) -> Result<PreparedData> {
    progress.set_stage("preparing", 0);
    let (fitted, prepared) = recipe.fit_transform(table, progress)?;
    if prepared.matrix.nrows() == 0 {
        return Err(Error::InvalidParameter(format!(
            "no row of {} is left to cluster: every row has a missing value in a feature imputed by \
             `drop`",
            table.source_name
        )));
    }
    progress.check()?;
    progress.set_stage("PCA", 0);
    let c = prepared.matrix.ncols().min(MAX_COMPONENTS);
    let pca = pca(prepared.matrix.view(), c, progress)?;
    let scores = pca.transform(prepared.matrix.view());
    Ok(PreparedData {
        fitted,
        prepared,
        pca,
        scores,
    })
}

/// A fitted segmentation with everything the tabs show about it.
#[derive(Debug)]
pub struct SegResult {
    /// What was asked for.
    pub target: Target,
    /// Labels, centres, tree, probabilities.
    pub seg: Segmentation,
    /// Each row's silhouette (exact, up to [`ROW_SILHOUETTE_LIMIT`] rows and 2 ≤ k < n).
    pub silhouette: Option<Vec<f64>>,
    /// Mean silhouette (exact or sampled).
    pub silhouette_mean: Option<f64>,
    /// The sampled estimate, when the data is too large for exact silhouettes.
    pub silhouette_sampled: Option<SampledSilhouette>,
    /// Davies-Bouldin index.
    pub davies_bouldin: Option<f64>,
    /// Calinski-Harabasz index.
    pub calinski_harabasz: Option<f64>,
    /// Per-segment profile in original units.
    pub profile: Profile,
    /// Segment centres projected on the principal components (k × components).
    pub centroid_scores: Array2<f64>,
}

impl SegResult {
    /// Rows per segment.
    pub fn sizes(&self) -> Vec<usize> {
        self.seg.sizes()
    }
}

/// Fits `target` on the prepared data and computes silhouettes, indices, the profile and the centres'
/// PCA scores. A hierarchical fit cuts `tree` when given, else builds one (returned in `seg.dendrogram`).
pub fn fit_segments(
    table: &Table,
    data: &PreparedData,
    opts: FitOptions,
    target: Target,
    tree: Option<Dendrogram>,
    progress: &Progress,
) -> Result<SegResult> {
    let x = data.prepared.matrix.view();
    let n = x.nrows();
    progress.set_stage("fitting", 0);
    let seg = match (opts.method.is_hierarchical(), target) {
        (true, _) => {
            let tree = match tree {
                Some(t) => t,
                None => build_tree(x, opts.method, progress)?,
            };
            let cut = match target {
                Target::K(k) => TreeCut::K(k),
                Target::Height(h) => TreeCut::Height(h),
            };
            segment_tree(x, opts.method, tree, cut)?
        }
        (false, Target::K(k)) => fit(x, k, opts, progress)?,
        (false, Target::Height(_)) => {
            return Err(Error::InvalidParameter(format!(
                "a cut height needs a hierarchical method, not {}",
                opts.method
            )));
        }
    };
    progress.check()?;
    let used = seg.sizes().iter().filter(|&&s| s > 0).count();
    let scorable = (2..n).contains(&used);
    let (mut silhouette, mut silhouette_mean, mut sampled) = (None, None, None);
    if scorable {
        progress.set_stage("silhouette", 0);
        if n <= ROW_SILHOUETTE_LIMIT {
            let s = silhouette_samples(x, &seg.labels, progress)?;
            silhouette_mean = Some(s.iter().sum::<f64>() / s.len() as f64);
            silhouette = Some(s);
        } else {
            let est = silhouette_sampled(x, &seg.labels, SILHOUETTE_SAMPLE, opts.seed, progress)?;
            silhouette_mean = Some(est.mean);
            sampled = Some(est);
        }
    }
    let finite = |v: f64| v.is_finite().then_some(v);
    let (davies_bouldin, calinski_harabasz) = if scorable {
        (
            finite(davies_bouldin_score(x, &seg.labels)?),
            finite(calinski_harabasz_score(x, &seg.labels)?),
        )
    } else {
        (None, None)
    };
    progress.check()?;
    progress.set_stage("profiling", 0);
    let prof = profile(
        table,
        &data.fitted.recipe.features,
        &data.prepared.kept_rows,
        &seg.labels,
        seg.k,
    )?;
    let centroid_scores = data.pca.transform(seg.centroids.view());
    Ok(SegResult {
        target,
        seg,
        silhouette,
        silhouette_mean: silhouette_mean.and_then(finite),
        silhouette_sampled: sampled,
        davies_bouldin,
        calinski_harabasz,
        profile: prof,
        centroid_scores,
    })
}

/// The default recipe for a table: every numeric column (never text, dates or categoricals), median
/// imputation, standard scaling. Columns that look like row ids (integers, all distinct, as many as rows)
/// are left out too.
pub fn default_recipe(table: &Table) -> Recipe {
    let features = table
        .columns
        .iter()
        .filter(|c| c.kind() == ColumnKind::Numeric && !looks_like_id(c.name.as_str(), c))
        .map(|c| c.name.clone())
        .collect();
    Recipe::new(features)
}

fn looks_like_id(name: &str, c: &crate::data::Column) -> bool {
    let lower = name.to_ascii_lowercase();
    let named = lower == "id" || lower.ends_with("_id") || lower.ends_with(" id");
    let Some(values) = c.as_numeric() else {
        return false;
    };
    let integers = values.iter().all(|v| v.is_nan() || v.fract() == 0.0);
    if !(named && integers) {
        return false;
    }
    let mut seen: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    seen.sort_unstable_by(f64::total_cmp);
    seen.dedup();
    seen.len() == values.len()
}

/// Edits the analyst makes; each invalidates what depends on it.
#[derive(Debug, Clone, PartialEq)]
pub enum ExploreCommand {
    /// Use (or stop using) a column as a feature.
    SetFeature(String, bool),
    /// Missing-value handling of one feature.
    SetImpute(String, Impute),
    /// `log1p` on a numeric feature.
    SetLog1p(String, bool),
    /// The scaler for all features.
    SetScale(Scale),
    /// The per-column level limit of categorical features.
    SetMaxCategories(usize),
    /// Keep only the top-N levels (+ "other") of categorical features.
    SetTopLevels(Option<usize>),
    /// Replace the whole recipe (loaded from JSON).
    SetRecipe(Box<Recipe>),
    /// The clustering method.
    SetMethod(Method),
    /// The K range of the sweep.
    SetKRange(usize, usize),
    /// Pick K (refits).
    PickK(usize),
    /// Cut the tree at a height (hierarchical methods; refits from the cached tree).
    CutHeight(f64),
    /// Stop every running job; results shown stay.
    Cancel,
}

/// The state of one background slot.
struct Running<T> {
    job: Job<T>,
    generation: u64,
}

/// A sweep in progress: rows arrive one K at a time.
#[derive(Debug, Clone, Default)]
pub struct SweepView {
    /// The method swept.
    pub method: Method,
    /// The K values asked for.
    pub ks: Vec<usize>,
    /// Rows scored so far, ascending K.
    pub rows: Vec<SweepRow>,
    /// The finished sweep (with its recommendation), once done.
    pub done: Option<Sweep>,
}

/// What a running job is doing, for the status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// "Preparing", "Sweeping K = 2..10", "Fitting K = 5"...
    pub what: String,
    /// The engine's stage.
    pub stage: String,
    /// Fraction done, when known.
    pub fraction: Option<f32>,
}

/// The explorer: choices, results and the jobs between them.
pub struct Explorer {
    table: Option<Arc<Table>>,
    /// The preparation choices.
    pub recipe: Recipe,
    /// The clustering choices.
    pub model: ModelChoice,
    /// K picked by the analyst (`None`: the sweep's recommendation).
    pub picked: Option<Target>,
    prepared: Option<Arc<PreparedData>>,
    prepare_job: Option<Running<PreparedData>>,
    prepare_generation: u64,
    sweep: Option<SweepView>,
    sweep_rows: Arc<Mutex<Vec<SweepRow>>>,
    sweep_job: Option<Running<(Sweep, Option<Dendrogram>)>>,
    sweep_generation: u64,
    result: Option<Arc<SegResult>>,
    fit_job: Option<Running<SegResult>>,
    fit_generation: u64,
    /// The tree of (prepare generation, method), reused by cuts.
    tree: Option<(u64, Method, Dendrogram)>,
    /// Errors of the latest jobs, to show in a banner (taken by the app).
    errors: Vec<String>,
}

impl Default for Explorer {
    fn default() -> Self {
        Self::new(ModelChoice::default())
    }
}

impl std::fmt::Debug for Explorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explorer")
            .field("recipe", &self.recipe)
            .field("model", &self.model)
            .field("picked", &self.picked)
            .finish_non_exhaustive()
    }
}

impl Explorer {
    /// No data yet; `model` are the remembered clustering choices.
    pub fn new(model: ModelChoice) -> Self {
        Self {
            table: None,
            recipe: Recipe::new(Vec::new()),
            model,
            picked: None,
            prepared: None,
            prepare_job: None,
            prepare_generation: 0,
            sweep: None,
            sweep_rows: Arc::new(Mutex::new(Vec::new())),
            sweep_job: None,
            sweep_generation: 0,
            result: None,
            fit_job: None,
            fit_generation: 0,
            tree: None,
            errors: Vec::new(),
        }
    }

    /// A new table: default recipe, no pick, and the whole chain starts.
    pub fn set_table(&mut self, table: Arc<Table>) {
        self.recipe = default_recipe(&table);
        self.table = Some(table);
        self.picked = None;
        self.restart_prepare();
    }

    /// The table explored.
    pub fn table(&self) -> Option<&Arc<Table>> {
        self.table.as_ref()
    }

    /// The prepared data of the current recipe, once ready.
    pub fn prepared(&self) -> Option<&Arc<PreparedData>> {
        self.prepared.as_ref()
    }

    /// The sweep shown (rows so far, recommendation once done).
    pub fn sweep(&self) -> Option<&SweepView> {
        self.sweep.as_ref()
    }

    /// The current segmentation, once fitted.
    pub fn result(&self) -> Option<&Arc<SegResult>> {
        self.result.as_ref()
    }

    /// The K the fit shows or is computing: the pick, else the recommendation.
    pub fn current_k(&self) -> Option<usize> {
        match self.picked {
            Some(Target::K(k)) => Some(k),
            Some(Target::Height(_)) => self.result.as_ref().map(|r| r.seg.k),
            None => self
                .sweep
                .as_ref()
                .and_then(|s| s.done.as_ref())
                .and_then(|d| d.recommended_k)
                .or_else(|| self.result.as_ref().map(|r| r.seg.k)),
        }
    }

    /// Whether any job runs.
    pub fn is_busy(&self) -> bool {
        self.prepare_job.is_some() || self.sweep_job.is_some() || self.fit_job.is_some()
    }

    /// Whether the fit is running.
    pub fn is_fitting(&self) -> bool {
        self.fit_job.is_some()
    }

    /// Whether the sweep is running.
    pub fn is_sweeping(&self) -> bool {
        self.sweep_job.is_some()
    }

    /// Whether the preparation is running.
    pub fn is_preparing(&self) -> bool {
        self.prepare_job.is_some()
    }

    /// What runs now (the first of prepare, sweep, fit), for the status bar.
    pub fn activity(&self) -> Option<Activity> {
        let describe = |what: String, p: &Progress| Activity {
            what,
            stage: p.stage(),
            fraction: p.fraction(),
        };
        if let Some(r) = &self.prepare_job {
            return Some(describe("Preparing features".into(), r.job.progress()));
        }
        if let Some(r) = &self.sweep_job {
            let (lo, hi, done, total) = self.sweep.as_ref().map_or((0, 0, 0, 0), |s| {
                (
                    s.ks.first().copied().unwrap_or(0),
                    s.ks.last().copied().unwrap_or(0),
                    s.rows.len(),
                    s.ks.len(),
                )
            });
            let mut a = describe(
                format!("Sweeping K = {lo}..{hi} ({done} of {total})"),
                r.job.progress(),
            );
            if total > 0 {
                a.fraction = Some(done as f32 / total as f32);
            }
            return Some(a);
        }
        if let Some(r) = &self.fit_job {
            let what = match self.picked {
                Some(Target::Height(h)) => format!("Cutting the tree at {h:.3}"),
                _ => format!(
                    "Fitting {} with K = {}",
                    self.model.method,
                    self.current_k().unwrap_or(0)
                ),
            };
            return Some(describe(what, r.job.progress()));
        }
        None
    }

    /// Takes the error messages of finished jobs (shown once as banners).
    pub fn take_errors(&mut self) -> Vec<String> {
        std::mem::take(&mut self.errors)
    }

    /// Applies an edit.
    pub fn apply(&mut self, cmd: ExploreCommand) {
        match cmd {
            ExploreCommand::SetFeature(name, on) => {
                let present = self.recipe.features.contains(&name);
                if on && !present {
                    self.recipe.features.push(name);
                    self.order_features();
                } else if !on && present {
                    self.recipe.features.retain(|f| *f != name);
                } else {
                    return;
                }
                self.restart_prepare();
            }
            ExploreCommand::SetImpute(name, impute) => {
                if self.recipe.impute_for(&name) == &impute {
                    return;
                }
                self.recipe.impute_columns.insert(name, impute);
                self.restart_prepare();
            }
            ExploreCommand::SetLog1p(name, on) => {
                let present = self.recipe.log1p.contains(&name);
                if on == present {
                    return;
                }
                if on {
                    self.recipe.log1p.push(name);
                } else {
                    self.recipe.log1p.retain(|f| *f != name);
                }
                self.restart_prepare();
            }
            ExploreCommand::SetScale(scale) => {
                if self.recipe.scale != scale {
                    self.recipe.scale = scale;
                    self.restart_prepare();
                }
            }
            ExploreCommand::SetMaxCategories(m) => {
                if self.recipe.max_categories != m {
                    self.recipe.max_categories = m;
                    self.restart_prepare();
                }
            }
            ExploreCommand::SetTopLevels(t) => {
                if self.recipe.top_levels != t {
                    self.recipe.top_levels = t;
                    self.restart_prepare();
                }
            }
            ExploreCommand::SetRecipe(r) => {
                self.recipe = *r;
                self.restart_prepare();
            }
            ExploreCommand::SetMethod(m) => {
                if self.model.method == m {
                    return;
                }
                self.model.method = m;
                if matches!(self.picked, Some(Target::Height(_))) {
                    self.picked = None;
                }
                self.restart_sweep();
            }
            ExploreCommand::SetKRange(lo, hi) => {
                let (lo, hi) = (lo.max(2), hi.max(lo.max(2)));
                if (self.model.k_min, self.model.k_max) != (lo, hi) {
                    self.model.k_min = lo;
                    self.model.k_max = hi;
                    self.restart_sweep();
                }
            }
            ExploreCommand::PickK(k) => {
                self.picked = Some(Target::K(k));
                self.restart_fit();
            }
            ExploreCommand::CutHeight(h) => {
                if !self.model.method.is_hierarchical() {
                    return;
                }
                self.picked = Some(Target::Height(h));
                self.restart_fit();
            }
            ExploreCommand::Cancel => self.cancel(),
        }
    }

    /// Keeps features in table column order.
    fn order_features(&mut self) {
        if let Some(t) = &self.table {
            let pos = |f: &String| t.columns.iter().position(|c| c.name == *f);
            self.recipe.features.sort_by_key(pos);
        }
    }

    /// Stops every job; what is shown stays.
    pub fn cancel(&mut self) {
        if let Some(r) = self.prepare_job.take() {
            r.job.cancel();
        }
        if let Some(r) = self.sweep_job.take() {
            r.job.cancel();
        }
        if let Some(r) = self.fit_job.take() {
            r.job.cancel();
        }
    }

    fn restart_prepare(&mut self) {
        self.cancel();
        self.prepare_generation += 1;
        self.prepared = None;
        self.sweep = None;
        self.result = None;
        self.tree = None;
        let Some(table) = self.table.clone() else {
            return;
        };
        let recipe = self.recipe.clone();
        let generation = self.prepare_generation;
        match Job::spawn("segscope-prepare", move |p| prepare(&table, &recipe, p)) {
            Ok(job) => self.prepare_job = Some(Running { job, generation }),
            Err(e) => self.errors.push(e.to_string()),
        }
    }

    fn restart_sweep(&mut self) {
        if let Some(r) = self.sweep_job.take() {
            r.job.cancel();
        }
        self.sweep_generation += 1;
        self.sweep = None;
        let Some(data) = self.prepared.clone() else {
            return;
        };
        let n = data.n_rows();
        let ks = self.model.ks(n);
        if ks.is_empty() {
            self.errors.push(format!(
                "nothing to sweep: K from {} to {} on {n} rows (silhouette needs 2 ≤ K < rows)",
                self.model.k_min, self.model.k_max
            ));
            self.restart_fit();
            return;
        }
        let opts = self.model.fit_options(n);
        let tree = self.cached_tree();
        let rows = Arc::new(Mutex::new(Vec::new()));
        self.sweep_rows = Arc::clone(&rows);
        self.sweep = Some(SweepView {
            method: self.model.method,
            ks: ks.clone(),
            rows: Vec::new(),
            done: None,
        });
        let generation = self.sweep_generation;
        let work = move |p: &Progress| {
            let x = data.prepared.matrix.view();
            let built = match (opts.method.is_hierarchical(), tree) {
                (true, None) => Some(build_tree(x, opts.method, p)?),
                (_, t) => t,
            };
            let sweep = run_sweep_streaming(x, &ks, opts, built.as_ref(), p, &mut |row| {
                if let Ok(mut v) = rows.lock() {
                    v.push(row.clone());
                }
            })?;
            Ok((sweep, built))
        };
        match Job::spawn("segscope-sweep", work) {
            Ok(job) => self.sweep_job = Some(Running { job, generation }),
            Err(e) => self.errors.push(e.to_string()),
        }
        if self.picked.is_some() {
            self.restart_fit();
        } else {
            self.fit_generation += 1;
            if let Some(r) = self.fit_job.take() {
                r.job.cancel();
            }
        }
    }

    fn cached_tree(&self) -> Option<Dendrogram> {
        self.tree
            .as_ref()
            .filter(|(g, m, _)| *g == self.prepare_generation && *m == self.model.method)
            .map(|(_, _, t)| t.clone())
    }

    fn restart_fit(&mut self) {
        if let Some(r) = self.fit_job.take() {
            r.job.cancel();
        }
        self.fit_generation += 1;
        let (Some(table), Some(data)) = (self.table.clone(), self.prepared.clone()) else {
            return;
        };
        let Some(target) = self.picked.or_else(|| self.current_k().map(Target::K)) else {
            return;
        };
        let opts = self.model.fit_options(data.n_rows());
        let tree = if opts.method.is_hierarchical() {
            self.cached_tree()
        } else {
            None
        };
        let generation = self.fit_generation;
        let work = move |p: &Progress| fit_segments(&table, &data, opts, target, tree, p);
        match Job::spawn("segscope-fit", work) {
            Ok(job) => self.fit_job = Some(Running { job, generation }),
            Err(e) => self.errors.push(e.to_string()),
        }
    }

    fn keep_tree(&mut self, tree: Option<&Dendrogram>, method: Method) {
        if let Some(t) = tree {
            self.tree = Some((self.prepare_generation, method, t.clone()));
        }
    }

    fn record_error(&mut self, what: &str, e: &Error) {
        if !matches!(e, Error::Cancelled) {
            self.errors.push(format!("{what}: {e}"));
        }
    }

    /// Takes finished results; returns whether anything changed (the UI repaints then).
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        if let Some(result) = self.prepare_job.as_mut().and_then(|r| r.job.poll()) {
            let generation = self.prepare_job.take().map_or(0, |r| r.generation);
            changed = true;
            if generation == self.prepare_generation {
                match result {
                    Ok(data) => {
                        self.prepared = Some(Arc::new(data));
                        self.restart_sweep();
                    }
                    Err(e) => self.record_error("Preparing the features failed", &e),
                }
            }
        }
        if let Some(sweep) = &mut self.sweep
            && let Ok(rows) = self.sweep_rows.lock()
            && rows.len() != sweep.rows.len()
        {
            sweep.rows.clone_from(&rows);
            changed = true;
        }
        if let Some(result) = self.sweep_job.as_mut().and_then(|r| r.job.poll()) {
            let generation = self.sweep_job.take().map_or(0, |r| r.generation);
            changed = true;
            if generation == self.sweep_generation {
                match result {
                    Ok((sweep, tree)) => {
                        self.keep_tree(tree.as_ref(), self.model.method);
                        if let Some(view) = &mut self.sweep {
                            view.rows.clone_from(&sweep.results);
                            view.done = Some(sweep);
                        }
                        if self.picked.is_none() && self.fit_job.is_none() {
                            self.restart_fit();
                        }
                    }
                    Err(e) => {
                        self.record_error("The K sweep failed", &e);
                        if self.picked.is_none() && self.result.is_none() {
                            self.picked = Some(Target::K(self.model.k_min.max(2)));
                            self.restart_fit();
                        }
                    }
                }
            }
        }
        if let Some(result) = self.fit_job.as_mut().and_then(|r| r.job.poll()) {
            let generation = self.fit_job.take().map_or(0, |r| r.generation);
            changed = true;
            if generation == self.fit_generation {
                match result {
                    Ok(r) => {
                        self.keep_tree(r.seg.dendrogram.as_ref(), r.seg.method);
                        self.result = Some(Arc::new(r));
                    }
                    Err(e) => self.record_error("Fitting the segments failed", &e),
                }
            }
        }
        changed
    }

    /// Blocks until every job (and the ones they start) finished (tests and scripts).
    pub fn wait(&mut self) {
        loop {
            self.poll();
            if !self.is_busy() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::data::{LoadOptions, load_bytes};

    fn table(csv: &str) -> Arc<Table> {
        Arc::new(
            load_bytes(
                csv.as_bytes().to_vec(),
                "t.csv",
                &LoadOptions::default(),
                &Progress::new(),
            )
            .unwrap(),
        )
    }

    fn blobs_csv() -> String {
        let mut r = crate::rng::Rng::new(3);
        let mut s = String::from("id,a,b,region\n");
        for i in 0..150 {
            let c = (i % 3) as f64 * 10.0;
            let region = ["N", "S"][i % 2];
            let (a, b) = (c + r.normal(), -c + r.normal());
            writeln!(s, "{i},{a},{b},{region}").unwrap();
        }
        s
    }

    #[test]
    fn default_recipe_takes_numeric_columns_but_not_ids() {
        let t = table(&blobs_csv());
        assert_eq!(default_recipe(&t).features, ["a", "b"]);
        let t = table("customer_id,x\n1,2\n2,3\n3,4\n");
        assert_eq!(default_recipe(&t).features, ["x"]);
        let t = table("id,x\n1,2\n1,3\n");
        assert_eq!(
            default_recipe(&t).features,
            ["id", "x"],
            "repeated ids are data"
        );
    }

    #[test]
    fn chain_runs_prepare_sweep_then_fits_the_recommendation() {
        let mut e = Explorer::default();
        e.set_table(table(&blobs_csv()));
        assert!(e.is_preparing());
        e.wait();
        let sweep = e.sweep().unwrap();
        assert_eq!(sweep.ks, (2..=10).collect::<Vec<_>>());
        assert_eq!(sweep.rows.len(), 9);
        assert_eq!(sweep.done.as_ref().unwrap().recommended_k, Some(3));
        let r = e.result().unwrap();
        assert_eq!(r.seg.k, 3);
        assert_eq!(r.sizes(), [50, 50, 50]);
        assert!(r.silhouette_mean.unwrap() > 0.8);
        assert_eq!(r.silhouette.as_ref().unwrap().len(), 150);
        assert_eq!(r.centroid_scores.dim(), (3, 2));
        assert_eq!(e.prepared().unwrap().scores.dim(), (150, 2));
        assert!(e.take_errors().is_empty());
    }

    #[test]
    fn picking_k_refits_without_resweeping() {
        let mut e = Explorer::default();
        e.set_table(table(&blobs_csv()));
        e.wait();
        e.apply(ExploreCommand::PickK(5));
        assert!(e.is_fitting());
        assert!(!e.is_sweeping());
        e.wait();
        assert_eq!(e.result().unwrap().seg.k, 5);
        assert_eq!(e.sweep().unwrap().rows.len(), 9);
        assert_eq!(e.current_k(), Some(5));
    }

    #[test]
    fn toggling_a_feature_reprepares_and_resweeps() {
        let mut e = Explorer::default();
        e.set_table(table(&blobs_csv()));
        e.wait();
        e.apply(ExploreCommand::SetFeature("region".into(), true));
        assert_eq!(e.recipe.features, ["a", "b", "region"]);
        assert!(e.is_preparing());
        assert!(e.sweep().is_none() && e.result().is_none());
        e.wait();
        assert_eq!(
            e.prepared().unwrap().prepared.feature_names,
            ["a", "b", "region=N", "region=S"]
        );
        assert_eq!(e.sweep().unwrap().rows.len(), 9);
        e.apply(ExploreCommand::SetFeature("region".into(), true));
        assert!(!e.is_busy(), "no change, no work");
    }

    #[test]
    fn hierarchical_cut_reuses_the_tree() {
        let mut e = Explorer::default();
        e.set_table(table(&blobs_csv()));
        e.apply(ExploreCommand::SetMethod(Method::Ward));
        e.wait();
        let r = e.result().unwrap().clone();
        assert_eq!(r.seg.k, 3);
        let tree = r.seg.dendrogram.as_ref().unwrap();
        let h = crate::cluster::height_for_k(tree, 6);
        e.apply(ExploreCommand::CutHeight(h));
        e.wait();
        assert_eq!(e.result().unwrap().seg.k, 6);
        assert_eq!(e.current_k(), Some(6));
        e.apply(ExploreCommand::CutHeight(tree.root_height() * 3.0));
        e.wait();
        let errors = e.take_errors();
        assert!(errors[0].contains("root"), "{errors:?}");
        assert_eq!(e.result().unwrap().seg.k, 6, "the last good result stays");
    }

    #[test]
    fn stale_results_are_dropped_and_cancel_stops_everything() {
        let mut e = Explorer::default();
        e.set_table(table(&blobs_csv()));
        e.apply(ExploreCommand::SetScale(Scale::Minmax));
        e.apply(ExploreCommand::SetScale(Scale::Robust));
        e.wait();
        assert_eq!(e.prepared().unwrap().fitted.recipe.scale, Scale::Robust);
        e.apply(ExploreCommand::SetMethod(Method::Gmm));
        assert!(e.is_sweeping());
        e.apply(ExploreCommand::Cancel);
        assert!(!e.is_busy());
        e.wait();
        assert!(e.take_errors().is_empty(), "cancelling is not an error");
    }

    #[test]
    fn bad_recipe_is_an_error_not_a_panic() {
        let mut e = Explorer::default();
        e.set_table(table("a,b\nx,u\ny,v\nz,w\n"));
        e.wait();
        let errors = e.take_errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("numeric"), "{errors:?}");
        assert!(e.prepared().is_none());
    }
}
