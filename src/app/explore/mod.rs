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
//! hierarchical method reuses the cached tree. Starting a job in a [`Slot`] cancels the one it supersedes.
//! Every edit is undoable (Ctrl+Z / Ctrl+Shift+Z); Cancel puts the controls back to what the results shown
//! were computed with.

mod slot;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};

use slot::Slot;

use crate::analysis::run::SweepExtras;
use crate::analysis::{
    ModelSpec, Policy, Recipe, Sweep, SweepRow, build_tree, fit_segments, prepare, sweep,
};
pub use crate::analysis::{PreparedData, SegResult, Target};
use crate::cluster::{CovarianceType, Dendrogram, Method};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::prep::select::select_features;
use crate::prep::{Impute, Preparation, Scale};

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
    /// Restarts of k-means / GMM; `None` lets the engine's policy choose (10, fewer on large data).
    pub n_init: Option<usize>,
    /// Covariance type of Gaussian mixtures.
    pub covariance: CovarianceType,
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
            ..ModelSpec::default()
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
    shown: Option<Shown>,
    undo: Vec<(Choices, String)>,
    redo: Vec<(Choices, String)>,
    errors: Vec<StageError>,
    succeeded: Vec<Stage>,
    /// The choices before the edit being applied (what Cancel returns to).
    before_edit: Option<Choices>,
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
            shown: None,
            undo: Vec::new(),
            redo: Vec::new(),
            errors: Vec::new(),
            succeeded: Vec::new(),
            before_edit: None,
        }
    }

    /// A new table with the default preparation (or `preparation`, e.g. remembered for this file): no
    /// pick, no history, and the whole chain starts.
    pub fn set_table(&mut self, table: Arc<Table>, preparation: Option<Preparation>) {
        self.preparation = preparation.unwrap_or_else(|| default_preparation(&table));
        self.table = Some(table);
        self.picked = None;
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
        self.prepare_slot.is_running() || self.sweep_slot.is_running() || self.fit_slot.is_running()
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
                _ => format!(
                    "Fitting {} with K = {}",
                    self.model.method,
                    self.current_k().unwrap_or(0)
                ),
            };
            return Some(describe(what, p));
        }
        None
    }

    /// Takes the errors of finished jobs (shown once as banners).
    pub fn take_errors(&mut self) -> Vec<StageError> {
        std::mem::take(&mut self.errors)
    }

    /// Takes the stages that succeeded since the last call (their error banners are stale now).
    pub fn take_succeeded(&mut self) -> Vec<Stage> {
        std::mem::take(&mut self.succeeded)
    }

    fn choices(&self) -> Choices {
        Choices {
            preparation: self.preparation.clone(),
            model: self.model,
            picked: self.picked,
        }
    }

    /// Applies an edit.
    pub fn apply(&mut self, cmd: ExploreCommand) {
        match cmd {
            ExploreCommand::Undo => return self.step_history(true),
            ExploreCommand::Redo => return self.step_history(false),
            ExploreCommand::Cancel => return self.cancel(),
            _ => {}
        }
        let before = self.choices();
        let what = describe(&cmd);
        self.before_edit = Some(before.clone());
        self.edit(cmd);
        self.before_edit = None;
        let after = self.choices();
        if after != before {
            // A drag of the cut line is one edit, not one per frame.
            let coalesce = matches!(
                (self.undo.last(), before.picked, after.picked),
                (Some((_, w)), Some(Target::Height(_)), Some(Target::Height(_))) if w.starts_with("cut")
            );
            if !coalesce {
                self.undo.push((before, what));
            }
            self.redo.clear();
        }
    }

    fn step_history(&mut self, back: bool) {
        let (from, to) = if back {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some((choices, what)) = from.pop() else {
            return;
        };
        let current = Choices {
            preparation: self.preparation.clone(),
            model: self.model,
            picked: self.picked,
        };
        to.push((current.clone(), what));
        self.before_edit = Some(current);
        self.restore(choices);
        self.before_edit = None;
    }

    /// Puts `c` in place and re-runs what differs.
    fn restore(&mut self, c: Choices) {
        let prep_changed = c.preparation != self.preparation;
        let model_changed = c.model != self.model;
        let pick_changed = c.picked != self.picked;
        self.preparation = c.preparation;
        self.model = c.model;
        self.picked = c.picked;
        if prep_changed {
            self.restart_prepare();
        } else if model_changed {
            self.restart_sweep();
        } else if pick_changed {
            self.restart_fit();
        }
    }

    fn edit(&mut self, cmd: ExploreCommand) {
        match cmd {
            ExploreCommand::SetFeature(name, on) => {
                let present = self.preparation.features.contains(&name);
                if on && !present {
                    self.preparation.features.push(name);
                    self.order_features();
                } else if !on && present {
                    self.preparation.features.retain(|f| *f != name);
                } else {
                    return;
                }
                self.restart_prepare();
            }
            ExploreCommand::SetImpute(name, impute) => {
                if self.preparation.impute_for(&name) == &impute {
                    return;
                }
                self.preparation.impute_columns.insert(name, impute);
                self.restart_prepare();
            }
            ExploreCommand::SetLog1p(name, on) => {
                let present = self.preparation.log1p.contains(&name);
                if on == present {
                    return;
                }
                if on {
                    self.preparation.log1p.push(name);
                } else {
                    self.preparation.log1p.retain(|f| *f != name);
                }
                self.restart_prepare();
            }
            ExploreCommand::SetScale(scale) => {
                if self.preparation.scale != scale {
                    self.preparation.scale = scale;
                    self.restart_prepare();
                }
            }
            ExploreCommand::SetMaxCategories(m) => {
                if self.preparation.max_categories != m {
                    self.preparation.max_categories = m;
                    self.restart_prepare();
                }
            }
            ExploreCommand::SetTopLevels(t) => {
                if self.preparation.top_levels != t {
                    self.preparation.top_levels = t;
                    self.restart_prepare();
                }
            }
            ExploreCommand::SetPreparation(p) => {
                if *p != self.preparation {
                    self.preparation = *p;
                    self.restart_prepare();
                }
            }
            ExploreCommand::ApplyRecipe(r) => {
                let r = *r;
                self.preparation = r.preparation;
                if let Some(m) = r.model {
                    self.model.method = m.method;
                    self.model.seed = m.seed;
                    self.model.n_init = m.n_init;
                    self.model.covariance = m.covariance;
                    self.picked = match (m.k, m.height) {
                        (_, Some(h)) if m.method.is_hierarchical() => Some(Target::Height(h)),
                        (Some(k), _) => Some(Target::K(k)),
                        _ => None,
                    };
                    if let Some(k) = m.k {
                        self.model.k_min = self.model.k_min.min(k.max(2));
                        self.model.k_max = self.model.k_max.max(k);
                    }
                }
                self.order_features();
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
            ExploreCommand::SetSeed(seed) => {
                if self.model.seed != seed {
                    self.model.seed = seed;
                    self.restart_sweep();
                }
            }
            ExploreCommand::SetRestarts(n) => {
                if self.model.n_init != n {
                    self.model.n_init = n;
                    self.restart_sweep();
                }
            }
            ExploreCommand::SetCovariance(c) => {
                if self.model.covariance != c {
                    self.model.covariance = c;
                    if self.model.method == Method::Gmm {
                        self.restart_sweep();
                    }
                }
            }
            ExploreCommand::PickK(k) => {
                if self.picked != Some(Target::K(k)) || self.result.is_none() {
                    self.picked = Some(Target::K(k));
                    self.restart_fit();
                }
            }
            ExploreCommand::CutHeight(h) => {
                if self.model.method.is_hierarchical() {
                    self.picked = Some(Target::Height(h));
                    self.restart_fit();
                }
            }
            ExploreCommand::Undo | ExploreCommand::Redo | ExploreCommand::Cancel => {}
        }
    }

    /// Keeps features in table column order.
    fn order_features(&mut self) {
        if let Some(t) = &self.table {
            let pos = |f: &String| t.columns.iter().position(|c| c.name == *f);
            self.preparation.features.sort_by_key(pos);
        }
    }

    /// Stops every job; the controls and results return to what was shown before the edits that started
    /// them.
    pub fn cancel(&mut self) {
        let was_busy = self.is_busy();
        self.prepare_slot.cancel();
        self.sweep_slot.cancel();
        self.fit_slot.cancel();
        if let (true, Some(shown)) = (was_busy, self.shown.take()) {
            if shown.prepared.as_ref().map(Arc::as_ptr) != self.prepared.as_ref().map(Arc::as_ptr) {
                self.tree = None;
            }
            self.preparation = shown.choices.preparation;
            self.model = shown.choices.model;
            self.picked = shown.choices.picked;
            self.prepared = shown.prepared;
            self.sweep = shown.sweep;
            self.result = shown.result;
        }
    }

    /// Keeps what is shown so that Cancel can put it back (once per burst of work).
    fn remember_shown(&mut self) {
        if self.shown.is_none() {
            // The choices before the edit that starts this work produced what is shown.
            let choices = self.before_edit.clone().unwrap_or_else(|| self.choices());
            self.shown = Some(Shown {
                choices,
                prepared: self.prepared.clone(),
                sweep: self.sweep.clone(),
                result: self.result.clone(),
            });
        }
    }

    fn restart_prepare(&mut self) {
        self.remember_shown();
        self.sweep_slot.cancel();
        self.fit_slot.cancel();
        self.prepared = None;
        self.sweep = None;
        self.result = None;
        self.tree = None;
        let Some(table) = self.table.clone() else {
            return;
        };
        let preparation = self.preparation.clone();
        let started = self
            .prepare_slot
            .start(move |p| prepare(&table, &preparation, MAX_COMPONENTS, p));
        self.record(Stage::Prepare, started);
    }

    fn restart_sweep(&mut self) {
        self.remember_shown();
        self.sweep = None;
        let Some(data) = self.prepared.clone() else {
            return;
        };
        let n = data.n_rows();
        let ks = self.model.ks(n);
        if ks.is_empty() {
            self.sweep_slot.cancel();
            self.errors.push(StageError {
                stage: Stage::Sweep,
                message: format!(
                    "nothing to sweep: K from {} to {} on {n} rows (silhouette needs 2 ≤ K < rows)",
                    self.model.k_min, self.model.k_max
                ),
            });
            self.restart_fit();
            return;
        }
        let spec = self.model.spec();
        let policy = self.policy;
        let extras = self.extras;
        let tree = self.cached_tree();
        let rows = Arc::new(Mutex::new(Vec::new()));
        self.sweep_rows = Arc::clone(&rows);
        self.sweep = Some(SweepView {
            method: self.model.method,
            ks: ks.clone(),
            rows: Vec::new(),
            done: None,
        });
        let work = move |p: &Progress| {
            let tree = match (spec.method.is_hierarchical(), tree) {
                (true, None) => Some(build_tree(data.x(), spec.method, p)?),
                (_, t) => t,
            };
            let mut push = |row: &SweepRow| {
                if let Ok(mut v) = rows.lock() {
                    v.push(row.clone());
                }
            };
            sweep(&data, &ks, &spec, &policy, extras, tree, p, Some(&mut push))
        };
        let started = self.sweep_slot.start(work);
        self.record(Stage::Sweep, started);
        if self.picked.is_some() {
            self.restart_fit();
        } else {
            self.fit_slot.cancel();
        }
    }

    fn cached_tree(&self) -> Option<Dendrogram> {
        self.tree
            .as_ref()
            .filter(|(m, _)| *m == self.model.method)
            .map(|(_, t)| t.clone())
    }

    fn restart_fit(&mut self) {
        self.remember_shown();
        self.fit_slot.cancel();
        let (Some(table), Some(data)) = (self.table.clone(), self.prepared.clone()) else {
            return;
        };
        let Some(target) = self.picked.or_else(|| self.current_k().map(Target::K)) else {
            return;
        };
        let spec = self.model.spec();
        let policy = self.policy;
        let tree = if spec.method.is_hierarchical() {
            self.cached_tree()
        } else {
            None
        };
        let started = self
            .fit_slot
            .start(move |p| fit_segments(&table, &data, &spec, target, &policy, tree, p));
        self.record(Stage::Fit, started);
    }

    fn record(&mut self, stage: Stage, r: Result<()>) {
        if let Err(e) = r {
            self.record_error(stage, &e);
        }
    }

    fn keep_tree(&mut self, tree: Option<&Dendrogram>, method: Method) {
        if let Some(t) = tree {
            self.tree = Some((method, t.clone()));
        }
    }

    fn record_error(&mut self, stage: Stage, e: &Error) {
        if !matches!(e, Error::Cancelled) {
            let what = match stage {
                Stage::Prepare => "Preparing the features failed",
                Stage::Sweep => "The K sweep failed",
                Stage::Fit => "Fitting the segments failed",
            };
            self.errors.push(StageError {
                stage,
                message: format!("{what}: {e}"),
            });
        }
    }

    /// Takes finished results; returns whether anything changed (the UI repaints then).
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        if let Some(result) = self.prepare_slot.poll() {
            changed = true;
            match result {
                Ok(data) => {
                    self.prepared = Some(Arc::new(data));
                    self.succeeded.push(Stage::Prepare);
                    self.restart_sweep();
                }
                Err(e) => self.record_error(Stage::Prepare, &e),
            }
        }
        if let Some(sweep) = &mut self.sweep
            && let Ok(rows) = self.sweep_rows.lock()
            && rows.len() != sweep.rows.len()
        {
            sweep.rows.clone_from(&rows);
            changed = true;
        }
        if let Some(result) = self.sweep_slot.poll() {
            changed = true;
            match result {
                Ok((sweep, tree)) => {
                    self.keep_tree(tree.as_ref(), self.model.method);
                    if let Some(view) = &mut self.sweep {
                        view.rows.clone_from(&sweep.results);
                        view.done = Some(sweep);
                    }
                    self.succeeded.push(Stage::Sweep);
                    if self.picked.is_none() && !self.fit_slot.is_running() {
                        self.restart_fit();
                    }
                }
                Err(e) => {
                    self.record_error(Stage::Sweep, &e);
                    if self.picked.is_none() && self.result.is_none() {
                        self.picked = Some(Target::K(self.model.k_min.max(2)));
                        self.restart_fit();
                    }
                }
            }
        }
        if let Some(result) = self.fit_slot.poll() {
            changed = true;
            match result {
                Ok(r) => {
                    self.keep_tree(r.seg.dendrogram.as_ref(), r.seg.method);
                    self.result = Some(Arc::new(r));
                    self.succeeded.push(Stage::Fit);
                }
                Err(e) => self.record_error(Stage::Fit, &e),
            }
        }
        if changed && !self.is_busy() {
            self.shown = None;
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

/// A few words for the history list.
fn describe(cmd: &ExploreCommand) -> String {
    match cmd {
        ExploreCommand::SetFeature(n, true) => format!("use '{n}' as a feature"),
        ExploreCommand::SetFeature(n, false) => format!("stop using '{n}'"),
        ExploreCommand::SetImpute(n, i) => format!("missing values of '{n}': {i}"),
        ExploreCommand::SetLog1p(n, on) => {
            format!("log1p of '{n}' {}", if *on { "on" } else { "off" })
        }
        ExploreCommand::SetScale(s) => format!("scaler: {s:?}").to_lowercase(),
        ExploreCommand::SetMaxCategories(m) => format!("category limit {m}"),
        ExploreCommand::SetTopLevels(Some(t)) => format!("keep the top {t} levels"),
        ExploreCommand::SetTopLevels(None) => "keep every level".into(),
        ExploreCommand::SetPreparation(_) => "replace the preparation".into(),
        ExploreCommand::ApplyRecipe(_) => "load a recipe".into(),
        ExploreCommand::SetMethod(m) => format!("method: {m}"),
        ExploreCommand::SetKRange(a, b) => format!("K range {a}..{b}"),
        ExploreCommand::SetSeed(s) => format!("seed {s}"),
        ExploreCommand::SetRestarts(Some(n)) => format!("{n} restarts"),
        ExploreCommand::SetRestarts(None) => "default restarts".into(),
        ExploreCommand::SetCovariance(c) => format!("covariance: {}", c.name()),
        ExploreCommand::PickK(k) => format!("K = {k}"),
        ExploreCommand::CutHeight(h) => format!("cut at {h:.3}"),
        ExploreCommand::Undo => "undo".into(),
        ExploreCommand::Redo => "redo".into(),
        ExploreCommand::Cancel => "cancel".into(),
    }
}
