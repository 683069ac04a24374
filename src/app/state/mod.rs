//! The app's state without any drawing: the current data set (table + column summaries), the loading job
//! with its generation counter, banner messages, and the commands panels emit. Panels read an [`AppState`]
//! and push [`Command`]s; the app applies them once per frame after drawing.
//!
//! Files: `mod.rs` (the [`AppState`] and its rules), `source.rs` (where a table comes from, loading it),
//! `commands.rs` (banners, tabs, commands, file actions), `tests.rs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod commands;
pub mod memory;
mod source;

pub use commands::{
    Banner, BannerKind, Cause, Command, ExportColumns, FileAction, FileWork, Fixed, Tab,
};
pub use source::{
    Dataset, LoadSource, ReadBytes, SAMPLE_CSV, SAMPLE_NAME, file_name, load_dataset,
};

use super::explore::{ExploreCommand, Explorer, ModelChoice};
use crate::analysis::Recipe;
use crate::error::{Error, Result};
use crate::jobs::{Job, Progress};
use crate::prep::select::check_names;

/// How many recent files are remembered.
const MAX_RECENT: usize = 8;

/// A file job running on a worker (an export).
struct FileJob {
    what: String,
    job: Job<String>,
}

/// Settings remembered between runs (eframe persistence).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Recently opened files, most recent first.
    pub recent_files: Vec<PathBuf>,
    /// The tab shown last.
    pub tab: Tab,
    /// The clustering choices (method, K range, seed, restarts).
    pub model: ModelChoice,
    /// The light theme instead of the dark one.
    pub light_theme: bool,
    /// The choices last used with each file, offered again when it is reopened.
    pub files: Vec<memory::FileChoices>,
}

impl Settings {
    /// Puts `path` first in the recent files.
    pub fn remember_file(&mut self, path: &Path) {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent_files.retain(|p| *p != path);
        self.recent_files.insert(0, path);
        self.recent_files.truncate(MAX_RECENT);
    }
}

/// What the progress area shows while a load runs.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadStatus {
    /// The file being loaded.
    pub name: String,
    /// The engine's current stage ("parsing", ...), or "starting".
    pub stage: String,
    /// Fraction done, when known.
    pub fraction: Option<f32>,
}

struct Loading {
    job: Job<Dataset>,
    generation: u64,
    name: String,
}

/// Everything the panels show, and the rules for changing it.
pub struct AppState {
    /// Remembered between runs.
    pub settings: Settings,
    /// Choices, results and jobs of the analysis.
    pub explorer: Explorer,
    dataset: Option<Dataset>,
    loading: Option<Loading>,
    generation: u64,
    banners: Vec<Banner>,
    next_banner_id: u64,
    file_jobs: Vec<FileJob>,
    recipe_job: Option<Job<Recipe>>,
}

impl AppState {
    /// Nothing loaded yet.
    pub fn new(settings: Settings) -> Self {
        Self {
            explorer: Explorer::new(settings.model),
            settings,
            dataset: None,
            loading: None,
            generation: 0,
            banners: Vec::new(),
            next_banner_id: 0,
            file_jobs: Vec::new(),
            recipe_job: None,
        }
    }

    /// Reads and checks the recipe at `path` on a worker; once read, it is applied as one edit.
    pub fn start_recipe_load(&mut self, path: PathBuf) {
        let table = self.dataset.as_ref().map(|d| Arc::clone(&d.table));
        let work = move |_: &Progress| {
            let recipe = Recipe::from_path(&path)?;
            if let Some(table) = &table {
                let what = format!("the recipe {}", path.display());
                let p = &recipe.preparation;
                check_names(table, &p.features, &what)?;
                check_names(table, &p.log1p, &what)?;
                check_names(table, p.impute_columns.keys(), &what)?;
            }
            Ok(recipe)
        };
        match Job::spawn("segscope-recipe", work) {
            Ok(job) => self.recipe_job = Some(job),
            Err(e) => self.push_error(Cause::Recipe, e.to_string()),
        }
    }

    /// The current data set.
    pub fn dataset(&self) -> Option<&Dataset> {
        self.dataset.as_ref()
    }

    /// Whether a load is running.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Generation of the latest load started (results of older ones are dropped).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The banners, oldest first.
    pub fn banners(&self) -> &[Banner] {
        &self.banners
    }

    /// Progress of the running load.
    pub fn load_status(&self) -> Option<LoadStatus> {
        self.loading.as_ref().map(|l| {
            let p = l.job.progress();
            let stage = p.stage();
            LoadStatus {
                name: l.name.clone(),
                stage: if stage.is_empty() {
                    "starting".to_owned()
                } else {
                    stage
                },
                fraction: p.fraction(),
            }
        })
    }

    /// Starts loading `source` on a worker; a load already running is cancelled.
    pub fn start_load(&mut self, source: LoadSource) {
        self.cancel_running();
        self.generation += 1;
        let name = source.display_name();
        match Job::spawn("segscope-load", move |p| load_dataset(source, p)) {
            Ok(job) => {
                self.loading = Some(Loading {
                    job,
                    generation: self.generation,
                    name,
                });
            }
            Err(e) => self.push_error(Cause::Load, e.to_string()),
        }
    }

    fn cancel_running(&mut self) {
        if let Some(l) = self.loading.take() {
            l.job.cancel();
        }
    }

    /// Cancels the running load at once: the current table stays and a banner says so.
    pub fn cancel_load(&mut self) {
        if let Some(l) = self.loading.take() {
            l.job.cancel();
            self.push_banner(BannerKind::Info, self.cancelled_message(&l.name));
        }
    }

    fn cancelled_message(&self, name: &str) -> String {
        match &self.dataset {
            Some(d) => format!(
                "Loading {name} was cancelled; still showing {}.",
                d.display_name()
            ),
            None => format!("Loading {name} was cancelled."),
        }
    }

    /// Takes the result of a finished load, if any. Returns whether anything changed.
    pub fn poll(&mut self) -> bool {
        let mut changed = self.poll_file_jobs();
        if let Some(done) = self.explorer.apply.poll() {
            changed = true;
            match done {
                Ok(message) => {
                    self.fix(Fixed::Applied);
                    self.push_banner(BannerKind::Info, message);
                }
                Err(message) => self.push_error(Cause::Apply, message),
            }
        }
        if let Some(r) = self.recipe_job.as_mut().and_then(Job::poll) {
            self.recipe_job = None;
            changed = true;
            match r {
                Ok(recipe) => {
                    self.fix(Fixed::Recipe);
                    self.explore(ExploreCommand::ApplyRecipe(Box::new(recipe)));
                }
                Err(e) => self.push_error(Cause::Recipe, format!("Loading the recipe failed: {e}")),
            }
        }
        changed |= self.explorer.poll();
        for stage in self.explorer.take_succeeded() {
            changed |= self.fix(Fixed::Stage(stage));
        }
        for e in self.explorer.take_errors() {
            self.push_error(Cause::Stage(e.stage), e.message);
            changed = true;
        }
        let Some(loading) = self.loading.as_mut() else {
            return changed;
        };
        let Some(result) = loading.job.poll() else {
            return changed;
        };
        let generation = loading.generation;
        let name = std::mem::take(&mut loading.name);
        self.loading = None;
        self.finish_load(generation, &name, result);
        true
    }

    /// Whether anything runs in the background (the UI keeps polling then).
    pub fn is_busy(&self) -> bool {
        self.is_loading()
            || self.explorer.is_busy()
            || !self.file_jobs.is_empty()
            || self.recipe_job.is_some()
            || self.explorer.apply.is_running()
    }

    /// Runs `work` (a file write) on a worker; `what` names it in the status bar and in errors. Its
    /// message becomes an info banner when it succeeds, its error an error banner.
    pub fn start_file_job(&mut self, what: impl Into<String>, work: FileWork) {
        let what = what.into();
        match Job::spawn("segscope-file", work) {
            Ok(job) => self.file_jobs.push(FileJob { what, job }),
            Err(e) => self.push_error(Cause::File(what.clone()), format!("{what} failed: {e}")),
        }
    }

    /// What the running file jobs do (for the status bar): name, stage and fraction of each.
    pub fn file_activities(&self) -> Vec<super::explore::Activity> {
        self.file_jobs
            .iter()
            .map(|f| super::explore::Activity {
                what: f.what.clone(),
                stage: f.job.progress().stage(),
                fraction: f.job.progress().fraction(),
            })
            .chain(self.explorer.apply.activity())
            .collect()
    }

    /// Stops every running file job; a cancelled write leaves no file behind.
    pub fn cancel_file_jobs(&mut self) {
        for f in self.file_jobs.drain(..) {
            f.job.cancel();
        }
        self.explorer.apply.cancel();
    }

    fn poll_file_jobs(&mut self) -> bool {
        let mut changed = false;
        let mut i = 0;
        while i < self.file_jobs.len() {
            let Some(result) = self.file_jobs[i].job.poll() else {
                i += 1;
                continue;
            };
            let f = self.file_jobs.remove(i);
            changed = true;
            match result {
                Ok(message) => {
                    self.fix(Fixed::File(&f.what));
                    self.push_banner(BannerKind::Info, message);
                }
                Err(Error::Cancelled) => {}
                Err(e) => {
                    let text = format!("{} failed: {e}", f.what);
                    self.push_error(Cause::File(f.what), text);
                }
            }
        }
        changed
    }

    /// Applies an explorer edit; model choices are remembered in the settings.
    pub fn explore(&mut self, cmd: ExploreCommand) {
        self.explorer.apply(cmd);
        self.settings.model = self.explorer.model;
        self.remember_choices();
    }

    /// Records the current preparation and model as the choices for the file shown.
    fn remember_choices(&mut self) {
        if let Some(d) = &self.dataset
            && let Some(path) = &d.path
        {
            memory::remember(
                &mut self.settings.files,
                path,
                &d.table,
                &self.explorer.preparation,
                self.explorer.model,
            );
        }
    }

    /// A new table in the explorer: with the choices remembered for its file, when there are some (one
    /// undoable edit, so Ctrl+Z goes back to the defaults, and a notice saying so).
    fn explore_table(&mut self, dataset: &Dataset) {
        let recalled = dataset
            .path
            .as_deref()
            .and_then(|p| memory::recall(&self.settings.files, p, &dataset.table));
        let default = Some(dataset.default_preparation.clone());
        let Some((preparation, model)) = recalled else {
            self.explorer.set_table(Arc::clone(&dataset.table), default);
            return;
        };
        self.explorer.model = model;
        self.settings.model = model;
        self.explorer.set_table(Arc::clone(&dataset.table), default);
        if preparation != self.explorer.preparation {
            self.explorer
                .apply(ExploreCommand::SetPreparation(Box::new(preparation)));
        }
        self.push_banner(
            BannerKind::Info,
            format!(
                "Restored the features, preparation, method and K range you used with {} last time \
                 (Ctrl+Z puts the default preparation back).",
                dataset.display_name()
            ),
        );
    }

    /// Blocks until loading and every analysis job finished, applying results (tests and scripts).
    pub fn wait_idle(&mut self) {
        self.wait_for_load();
        loop {
            self.poll();
            if !self.is_busy() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// Applies the result of load number `generation` of `name`; results of stale generations are dropped.
    pub fn finish_load(&mut self, generation: u64, name: &str, result: Result<Dataset>) {
        if generation != self.generation {
            return;
        }
        match result {
            Ok(dataset) => {
                if let Some(path) = &dataset.path {
                    self.settings.remember_file(path);
                }
                self.banners.clear();
                self.explore_table(&dataset);
                self.dataset = Some(dataset);
            }
            Err(Error::Cancelled) => {
                self.push_banner(BannerKind::Info, self.cancelled_message(name));
            }
            Err(e) => self.push_error(Cause::Load, e.to_string()),
        }
    }

    /// Adds an info notice (a toast) or an error that only a click dismisses.
    pub fn push_banner(&mut self, kind: BannerKind, text: String) {
        self.push(kind, text, None);
    }

    /// Adds an error that clears when `cause` is fixed; it replaces an older error of the same cause.
    pub fn push_error(&mut self, cause: Cause, text: String) {
        self.banners.retain(|b| b.cause.as_ref() != Some(&cause));
        self.push(BannerKind::Error, text, Some(cause));
    }

    fn push(&mut self, kind: BannerKind, text: String, cause: Option<Cause>) {
        // The same message twice is shown once (the newer one).
        self.banners
            .retain(|b| !(b.kind == kind && b.text == text && b.cause == cause));
        self.next_banner_id += 1;
        self.banners.push(Banner {
            id: self.next_banner_id,
            kind,
            text,
            cause,
        });
    }

    /// Removes the errors whose cause `fixed` removed; returns whether any was removed.
    pub fn fix(&mut self, fixed: Fixed<'_>) -> bool {
        let before = self.banners.len();
        self.banners
            .retain(|b| !b.cause.as_ref().is_some_and(|c| c.fixed_by(fixed)));
        self.banners.len() != before
    }

    /// Removes the banner `id`.
    pub fn dismiss_banner(&mut self, id: u64) {
        self.banners.retain(|b| b.id != id);
    }

    /// Removes every banner.
    pub fn dismiss_all(&mut self) {
        self.banners.clear();
    }

    /// Blocks until the running load finishes and applies it (tests and scripts).
    pub fn wait_for_load(&mut self) {
        if let Some(l) = self.loading.take() {
            let result = l.job.wait();
            self.finish_load(l.generation, &l.name, result);
        }
    }
}

#[cfg(test)]
mod tests;
