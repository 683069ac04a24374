//! The explorer's state, without any drawing: the analyst's choices (a [`Preparation`], a [`ModelChoice`]
//! for the clustering, the picked K or cut height) and the chain of background jobs they drive, each a
//! call into the engine's run API ([`crate::analysis::run`]), the same calls the CLI makes:
//!
//! ```text
//! table ─▶ prepare (run::prepare with PCA) ─▶ sweep (run::sweep, rows streamed K by K)
//!                                        └▶ fit (run::fit_segments for the picked K / cut height)
//! ```
//!
//! Every change invalidates only what depends on it: a preparation change re-runs all three, a method or
//! K range change re-runs the sweep (and the fit), a K pick or a cut re-runs the fit only, and a cut of a
//! hierarchical method reuses the cached tree. Starting a job in a `Slot` cancels the one it supersedes.
//! Every edit is undoable (Ctrl+Z / Ctrl+Shift+Z); Cancel puts the controls back to what the results shown
//! were computed with.
//!
//! Files: `mod.rs` (the choices, commands and the explorer's read accessors), `edit.rs` (applying edits,
//! undo / redo, Cancel), `pipeline.rs` (starting, polling and recording the jobs), `slot.rs` (one
//! cancellable job slot), `tests.rs`.

mod apply_job;
mod density_jobs;
mod edit;
mod embed_job;
mod keep;
mod pipeline;
mod slot;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};

pub use apply_job::{ApplyJob, ApplyOutcome};
pub use embed_job::{Embedding, LiveMap};
pub use keep::KeptFit;
use slot::Slot;

use crate::analysis::run::SweepExtras;
use crate::analysis::{ModelSpec, Policy, Recipe, Sweep, SweepRow};
pub use crate::analysis::{PreparedData, SegResult, Target};
use crate::cluster::{CovarianceType, Dendrogram, Method};
use crate::data::Table;
use crate::jobs::Progress;
use crate::prep::select::select_features;
use crate::prep::{Impute, Preparation, Scale};

/// Most principal components kept for the scatter's axis choice.
const MAX_COMPONENTS: usize = 10;
/// Most PCA score values kept for the scatter (160 MB): beyond, fewer components are kept.
const SCORE_CELLS: usize = 20_000_000;

/// Principal components whose scores the app keeps for `rows` rows: up to [`MAX_COMPONENTS`] while
/// they take at most [`SCORE_CELLS`] values, never fewer than the scatter's two axes (at 10M rows PC1
/// and PC2 only: ten would be a second copy of a 10-feature matrix).
fn score_components(rows: usize) -> usize {
    (SCORE_CELLS / rows.max(1)).clamp(2, MAX_COMPONENTS)
}

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
    /// Restarts of k-means / GMM; `None` lets the engine's policy choose (10, fewer on large data).
    pub n_init: Option<usize>,
    /// Covariance type of Gaussian mixtures.
    pub covariance: CovarianceType,
    /// Density methods: the core size (the row itself counts; sklearn's `min_samples`).
    pub min_samples: usize,
    /// Density methods: the radius (DBSCAN) or the reachability cut (OPTICS); `None`: DBSCAN at the
    /// k-distance knee, OPTICS by xi.
    pub eps: Option<f64>,
    /// OPTICS: the xi steepness used when no eps cut is set.
    pub xi: f64,
}

impl Default for ModelChoice {
    fn default() -> Self {
        Self {
            method: Method::Kmeans,
            k_min: 2,
            k_max: 10,
            seed: 0,
            n_init: None,
            covariance: CovarianceType::Full,
            min_samples: crate::analysis::density::DEFAULT_MIN_SAMPLES,
            eps: None,
            xi: crate::analysis::density::DEFAULT_XI,
        }
    }
}

impl ModelChoice {
    /// The K values of the sweep, limited to `n_rows - 1` (silhouette needs fewer segments than rows).
    pub fn ks(&self, n_rows: usize) -> Vec<usize> {
        let hi = self.k_max.min(n_rows.saturating_sub(1));
        (self.k_min.max(2)..=hi).collect()
    }

    /// The engine's model spec for these choices (k or height comes from the pick).
    pub fn spec(&self) -> ModelSpec {
        ModelSpec {
            method: self.method,
            k: None,
            height: None,
            seed: self.seed,
            n_init: self.n_init,
            covariance: self.covariance,
            eps: self.method.is_density().then_some(self.eps).flatten(),
            min_samples: self.method.is_density().then_some(self.min_samples),
            xi: (self.method == Method::Optics && self.eps.is_none()).then_some(self.xi),
            refine: crate::cluster::kmeans::Refine::default(),
        }
    }
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

/// The stage a message belongs to (a banner of a stage clears when that stage next succeeds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Preparing the features.
    Prepare,
    /// The K sweep.
    Sweep,
    /// The fit of the picked K.
    Fit,
}

/// An error of a finished job.
#[derive(Debug, Clone, PartialEq)]
pub struct StageError {
    /// Which stage failed.
    pub stage: Stage,
    /// The message for the user.
    pub message: String,
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
    /// Replace the whole preparation.
    SetPreparation(Box<Preparation>),
    /// Apply a recipe: its preparation and, when it has one, its model (method, seed, restarts,
    /// covariance, K or cut height), as one edit.
    ApplyRecipe(Box<Recipe>),
    /// The clustering method.
    SetMethod(Method),
    /// The K range of the sweep.
    SetKRange(usize, usize),
    /// The random seed.
    SetSeed(u64),
    /// Restarts (`None`: the engine's default).
    SetRestarts(Option<usize>),
    /// Covariance type of Gaussian mixtures.
    SetCovariance(CovarianceType),
    /// Pick K (refits).
    PickK(usize),
    /// Cut the tree at a height (hierarchical methods; refits from the cached tree).
    CutHeight(f64),
    /// Rename a segment of the fit shown (an empty name restores the suggested one); not an undoable
    /// choice: the name belongs to the fit and travels to refits of the same shape.
    RenameSegment(usize, String),
    /// Density methods: the radius (DBSCAN) or the reachability cut (OPTICS, re-cut from the cached
    /// graph); `None` goes back to the k-distance knee (DBSCAN) or xi (OPTICS).
    SetEps(Option<f64>),
    /// Density methods: min_samples.
    SetMinSamples(usize),
    /// OPTICS: xi (used when no eps cut is set).
    SetXi(f64),
    /// Embed the prepared rows with t-SNE (the Map tab).
    Embed(crate::reduce::tsne::TsneParams),
    /// Stop the running embedding (the map keeps the last finished one).
    CancelEmbed,
    /// Move these prepared rows (the scatter's box-select) into a new segment (id max + 1, named
    /// "selection"); the profiles, silhouettes and exports follow. Undoable; any other choice that refits
    /// drops the hand-made segments (undo brings them back).
    SegmentOfRows(Arc<[usize]>),
    /// Undo the last edit.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Stop every running job; the controls return to what the results shown were computed with.
    Cancel,
}

/// The choices an undo restores.
#[derive(Debug, Clone, PartialEq)]
struct Choices {
    preparation: Preparation,
    model: ModelChoice,
    picked: Option<Target>,
    /// Segments made from selections, applied in order after each fit.
    hand: Vec<Arc<[usize]>>,
    /// The segment names of the fit shown (empty without one): a rename is an edit like any other.
    names: Vec<String>,
}

/// What is shown, kept while newer work runs so that Cancel can put it back.
struct Shown {
    choices: Choices,
    prepared: Option<Arc<PreparedData>>,
    sweep: Option<SweepView>,
    result: Option<Arc<SegResult>>,
}

/// The explorer: choices, results and the jobs between them.
pub struct Explorer {
    table: Option<Arc<Table>>,
    /// The preparation choices.
    pub preparation: Preparation,
    /// The clustering choices.
    pub model: ModelChoice,
    /// K picked by the analyst (`None`: the sweep's recommendation).
    pub picked: Option<Target>,
    /// The one large-data policy (shared with the CLI).
    pub policy: Policy,
    /// What the sweep adds to the indices (stability on by default: resamples are capped at 5,000 rows,
    /// so it fits the time budget at any size; the gap statistic on request).
    pub extras: SweepExtras,
    prepared: Option<Arc<PreparedData>>,
    sweep: Option<SweepView>,
    sweep_rows: Arc<Mutex<Vec<SweepRow>>>,
    result: Option<Arc<SegResult>>,
    /// The tree of the current preparation and this method, reused by cuts and sweeps.
    tree: Option<(Method, Dendrogram)>,
    prepare_slot: Slot<PreparedData>,
    sweep_slot: Slot<(Sweep, Option<Dendrogram>)>,
    fit_slot: Slot<SegResult>,
    /// Density methods: the k-distance curve and the OPTICS graph (`density_jobs.rs`).
    density: density_jobs::DensityState,
    /// The t-SNE map (`embed_job.rs`).
    embed: embed_job::EmbedState,
    shown: Option<Shown>,
    undo: Vec<(Choices, String)>,
    redo: Vec<(Choices, String)>,
    errors: Vec<StageError>,
    succeeded: Vec<Stage>,
    /// The choices before the edit being applied (what Cancel returns to).
    before_edit: Option<Choices>,
    /// The analyst's segment names and the recent fits (compare with…).
    kept: keep::Kept,
    /// Segments made from selections (prepared rows), applied in order after each fit.
    hand: Vec<Arc<[usize]>>,
    /// "Apply model to a file…": its job and last outcome (independent of the analysis jobs).
    pub apply: ApplyJob,
}

impl Default for Explorer {
    fn default() -> Self {
        Self::new(ModelChoice::default())
    }
}

impl std::fmt::Debug for Explorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explorer")
            .field("preparation", &self.preparation)
            .field("model", &self.model)
            .field("picked", &self.picked)
            .finish_non_exhaustive()
    }
}

/// The default preparation of a table: the engine's default features (numeric columns that are neither
/// ID-like nor label-like), median imputation, standard scaling — what the CLI uses without flags.
pub fn default_preparation(table: &Table) -> Preparation {
    Preparation::new(select_features(table, &[], &[]).unwrap_or_default())
}

impl Explorer {
    /// No data yet; `model` are the remembered clustering choices.
    pub fn new(model: ModelChoice) -> Self {
        Self {
            table: None,
            preparation: Preparation::new(Vec::new()),
            model,
            picked: None,
            policy: Policy::default(),
            extras: SweepExtras {
                stability: crate::analysis::stability::DEFAULT_RESAMPLES,
                gap: 0,
            },
            prepared: None,
            sweep: None,
            sweep_rows: Arc::new(Mutex::new(Vec::new())),
            result: None,
            tree: None,
            prepare_slot: Slot::new("segscope-prepare"),
            sweep_slot: Slot::new("segscope-sweep"),
            fit_slot: Slot::new("segscope-fit"),
            density: density_jobs::DensityState::default(),
            embed: embed_job::EmbedState::default(),
            shown: None,
            undo: Vec::new(),
            redo: Vec::new(),
            errors: Vec::new(),
            succeeded: Vec::new(),
            before_edit: None,
            kept: keep::Kept::default(),
            hand: Vec::new(),
            apply: ApplyJob::default(),
        }
    }

    /// A new table with the default preparation (or `preparation`, e.g. remembered for this file): no
    /// pick, no history, and the whole chain starts.
    pub fn set_table(&mut self, table: Arc<Table>, preparation: Option<Preparation>) {
        self.preparation = preparation.unwrap_or_else(|| default_preparation(&table));
        self.table = Some(table);
        self.picked = None;
        self.hand.clear();
        self.undo.clear();
        self.redo.clear();
        self.shown = None;
        self.restart_prepare();
    }

    /// The table explored.
    pub fn table(&self) -> Option<&Arc<Table>> {
        self.table.as_ref()
    }

    /// The prepared data of the current preparation, once ready.
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

    /// The edits that can be undone, oldest first (for the history list).
    pub fn history(&self) -> Vec<&str> {
        self.undo.iter().map(|(_, w)| w.as_str()).collect()
    }

    /// The edits that can be redone, next first.
    pub fn redo_list(&self) -> Vec<&str> {
        self.redo.iter().rev().map(|(_, w)| w.as_str()).collect()
    }

    /// The K the fit shows or is computing: the pick, else the recommendation.
    pub fn current_k(&self) -> Option<usize> {
        match self.picked {
            Some(Target::K(k)) => Some(k),
            Some(Target::Height(_) | Target::Density) => self.result.as_ref().map(|r| r.seg.k),
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
        self.prepare_slot.is_running()
            || self.sweep_slot.is_running()
            || self.fit_slot.is_running()
            || self.density.is_running()
            || self.embed.is_running()
    }

    /// Whether the fit is running.
    pub fn is_fitting(&self) -> bool {
        self.fit_slot.is_running()
    }

    /// Whether the sweep is running.
    pub fn is_sweeping(&self) -> bool {
        self.sweep_slot.is_running()
    }

    /// Whether the preparation is running.
    pub fn is_preparing(&self) -> bool {
        self.prepare_slot.is_running()
    }

    /// What runs now (the first of prepare, sweep, fit), for the status bar.
    pub fn activity(&self) -> Option<Activity> {
        let describe = |what: String, p: &Progress| Activity {
            what,
            stage: p.stage(),
            fraction: p.fraction(),
        };
        if let Some(p) = self.prepare_slot.progress() {
            return Some(describe("Preparing features".into(), p));
        }
        if let Some(p) = self.sweep_slot.progress() {
            let (lo, hi, done, total) = self.sweep.as_ref().map_or((0, 0, 0, 0), |s| {
                (
                    s.ks.first().copied().unwrap_or(0),
                    s.ks.last().copied().unwrap_or(0),
                    s.rows.len(),
                    s.ks.len(),
                )
            });
            let mut a = describe(format!("Sweeping K = {lo}..{hi} ({done} of {total})"), p);
            if total > 0 {
                a.fraction = Some(done as f32 / total as f32);
            }
            return Some(a);
        }
        if let Some(p) = self.fit_slot.progress() {
            let what = match self.picked {
                Some(Target::Height(h)) => format!("Cutting the tree at {h:.3}"),
                _ if self.model.method.is_density() => format!("Fitting {}", self.model.method),
                _ => format!(
                    "Fitting {} with K = {}",
                    self.model.method,
                    self.current_k().unwrap_or(0)
                ),
            };
            return Some(describe(what, p));
        }
        if let Some(a) = self.density.activity() {
            return Some(a);
        }
        self.embed.activity()
    }

    /// Takes the errors of finished jobs (shown once as banners).
    pub fn take_errors(&mut self) -> Vec<StageError> {
        std::mem::take(&mut self.errors)
    }

    /// Takes the stages that succeeded since the last call (their error banners are stale now).
    pub fn take_succeeded(&mut self) -> Vec<Stage> {
        std::mem::take(&mut self.succeeded)
    }
}
