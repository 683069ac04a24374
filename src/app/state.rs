//! The app's state without any drawing: the current data set (table + column summaries), the loading job
//! with its generation counter, banner messages, and the commands panels emit. Panels read an [`AppState`]
//! and push [`Command`]s; the app applies them once per frame after drawing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::explore::{ExploreCommand, Explorer, ModelChoice, Stage};
use crate::analysis::Recipe;
use crate::data::{ColumnSummary, LoadOptions, Table, load_bytes, load_path, summarize_table};
use crate::error::{Error, Result};
use crate::jobs::{Job, Progress};
use crate::prep::select::check_names;

/// The embedded sample data set shown at start.
pub static SAMPLE_CSV: &[u8] = include_bytes!("../../assets/sample_customers.csv");

/// Source name of the embedded sample (what the header and messages show).
pub const SAMPLE_NAME: &str = "sample_customers.csv (embedded sample)";

/// How many recent files are remembered.
const MAX_RECENT: usize = 8;

/// Reads the bytes of a file that has no usable path (a dropped file on some platforms).
pub type ReadBytes = Box<dyn FnOnce() -> std::result::Result<Vec<u8>, String> + Send>;

/// Where a table comes from.
pub enum LoadSource {
    /// A file on disk.
    Path(PathBuf),
    /// Bytes in memory, with the name messages should use.
    Bytes {
        /// Shown in the header and in messages.
        name: String,
        /// The CSV text.
        bytes: Vec<u8>,
    },
    /// Bytes read on the worker by `read` (so the UI never waits for a disk).
    Deferred {
        /// Shown in the header and in messages.
        name: String,
        /// Produces the CSV text, or a message saying why it cannot.
        read: ReadBytes,
    },
}

impl std::fmt::Debug for LoadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            LoadSource::Bytes { name, bytes } => f
                .debug_struct("Bytes")
                .field("name", name)
                .field("len", &bytes.len())
                .finish(),
            LoadSource::Deferred { name, .. } => {
                f.debug_struct("Deferred").field("name", name).finish()
            }
        }
    }
}

impl LoadSource {
    /// The embedded sample.
    pub fn sample() -> Self {
        LoadSource::Bytes {
            name: SAMPLE_NAME.to_owned(),
            bytes: SAMPLE_CSV.to_vec(),
        }
    }

    /// Short name for the UI: the file name of a path, the given name otherwise.
    pub fn display_name(&self) -> String {
        match self {
            LoadSource::Path(p) => file_name(p),
            LoadSource::Bytes { name, .. } | LoadSource::Deferred { name, .. } => name.clone(),
        }
    }
}

/// The file name of `path` (the whole path if it has none).
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A loaded table with everything computed from it on the worker.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The table (shared with later background jobs).
    pub table: Arc<Table>,
    /// One summary per column, in column order.
    pub summaries: Vec<ColumnSummary>,
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    /// The raw bytes, for data that has no file to re-read on export (the sample, dropped bytes).
    pub bytes: Option<Arc<Vec<u8>>>,
}

impl Dataset {
    /// Short name for the header: the file name, or the table's source name.
    pub fn display_name(&self) -> String {
        self.path
            .as_deref()
            .map_or_else(|| self.table.source_name.clone(), file_name)
    }
}

/// Loads and summarizes on the calling thread (the worker).
pub fn load_dataset(source: LoadSource, progress: &Progress) -> Result<Dataset> {
    let opts = LoadOptions::default();
    let (table, path, raw) = match source {
        LoadSource::Path(path) => (load_path(&path, &opts, progress)?, Some(path), None),
        LoadSource::Bytes { name, bytes } => {
            let raw = Arc::new(bytes.clone());
            (load_bytes(bytes, &name, &opts, progress)?, None, Some(raw))
        }
        LoadSource::Deferred { name, read } => {
            progress.set_stage("reading", 0);
            let bytes = read().map_err(|message| Error::Input {
                source_name: name.clone(),
                message: format!("cannot read the file: {message}"),
            })?;
            let raw = Arc::new(bytes.clone());
            (load_bytes(bytes, &name, &opts, progress)?, None, Some(raw))
        }
    };
    progress.check()?;
    progress.set_stage("summarizing", 0);
    let summaries = summarize_table(&table);
    Ok(Dataset {
        table: Arc::new(table),
        summaries,
        path,
        bytes: raw,
    })
}

/// What a banner is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BannerKind {
    /// Something failed (red).
    Error,
    /// Something the user should know, not a failure (neutral).
    Info,
}

/// A dismissible message above the panels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// Identifies the banner for [`Command::DismissBanner`].
    pub id: u64,
    /// Error or info.
    pub kind: BannerKind,
    /// The message.
    pub text: String,
    /// The analysis stage whose failure it reports (cleared when that stage next succeeds).
    pub stage: Option<Stage>,
}

/// The tabs of the main area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    /// The loaded table and its column summaries.
    #[default]
    Data,
    /// The K sweep: silhouette, Davies-Bouldin, Calinski-Harabasz, inertia, BIC.
    ChooseK,
    /// PCA scatter coloured by segment.
    Scatter,
    /// The merge tree with its draggable cut.
    Dendrogram,
    /// Per-row silhouette bars.
    Silhouette,
    /// Segment profiles in original units.
    Profiles,
    /// Labelled CSV, profile, recipe, plot.
    Export,
}

impl Tab {
    /// All tabs, in display order.
    pub const ALL: [Tab; 7] = [
        Tab::Data,
        Tab::ChooseK,
        Tab::Scatter,
        Tab::Dendrogram,
        Tab::Silhouette,
        Tab::Profiles,
        Tab::Export,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Data => "Data",
            Tab::ChooseK => "Choose K",
            Tab::Scatter => "Scatter",
            Tab::Dendrogram => "Dendrogram",
            Tab::Silhouette => "Silhouette",
            Tab::Profiles => "Profiles",
            Tab::Export => "Export",
        }
    }
}

/// Things panels ask for; applied after all panels are drawn.
#[derive(Debug)]
pub enum Command {
    /// Show the open-file dialog and load what the user picks.
    OpenDialog,
    /// Load a table (replacing the current one once it is ready).
    Load(LoadSource),
    /// Stop the running load; the current table stays.
    CancelLoad,
    /// Remove a banner.
    DismissBanner(u64),
    /// Switch the main area to a tab.
    SelectTab(Tab),
    /// An edit of the explorer's choices (features, scaling, method, K, cut).
    Explore(ExploreCommand),
    /// Show an info banner (a panel finished something the user should hear about).
    Notify(String),
    /// Show an error banner.
    Fail(String),
    /// A file operation that starts with a dialog (recipes, exports, the RFM transactions file).
    File(FileAction),
    /// Open the "Build RFM features" dialog.
    OpenRfm,
    /// Stop the running file jobs (exports); nothing is written.
    CancelFileJobs,
}

pub use crate::export::ExportColumns;

/// A file operation that needs a dialog first; the app asks, then does the work (writes on a worker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    /// Pick a recipe JSON and use it.
    LoadRecipe,
    /// Save the preparation recipe as JSON.
    SaveRecipe,
    /// The input with segment columns appended.
    ExportLabelled(ExportColumns),
    /// Per-segment profiles in original units.
    ExportProfile,
    /// The recipe with the clustering choices (method, K or height, seed, restarts) filled in.
    ExportRecipe,
    /// Pick the transactions CSV of the RFM dialog.
    PickTransactions,
}

/// Work that writes a file on a worker and returns the message to show when it is done.
pub type FileWork = Box<dyn FnOnce(&Progress) -> Result<String> + Send>;

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
            Err(e) => self.push_banner(BannerKind::Error, e.to_string()),
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
            Err(e) => self.push_banner(BannerKind::Error, e.to_string()),
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
        if let Some(r) = self.recipe_job.as_mut().and_then(Job::poll) {
            self.recipe_job = None;
            changed = true;
            match r {
                Ok(recipe) => self.explore(ExploreCommand::ApplyRecipe(Box::new(recipe))),
                Err(e) => {
                    self.push_banner(BannerKind::Error, format!("Loading the recipe failed: {e}"));
                }
            }
        }
        changed |= self.explorer.poll();
        for stage in self.explorer.take_succeeded() {
            // A new preparation also makes every older sweep or fit error stale.
            let stale = |b: &Banner| match (b.stage, stage) {
                (Some(_), Stage::Prepare) => true,
                (Some(s), done) => s == done,
                (None, _) => false,
            };
            let before = self.banners.len();
            self.banners.retain(|b| !stale(b));
            changed |= self.banners.len() != before;
        }
        for e in self.explorer.take_errors() {
            self.banners
                .retain(|b| !(b.stage == Some(e.stage) && b.text == e.message));
            self.push_stage_banner(BannerKind::Error, e.message, Some(e.stage));
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
    }

    /// Runs `work` (a file write) on a worker; `what` names it in the status bar and in errors. Its
    /// message becomes an info banner when it succeeds, its error an error banner.
    pub fn start_file_job(&mut self, what: impl Into<String>, work: FileWork) {
        let what = what.into();
        match Job::spawn("segscope-file", work) {
            Ok(job) => self.file_jobs.push(FileJob { what, job }),
            Err(e) => self.push_banner(BannerKind::Error, format!("{what} failed: {e}")),
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
            .collect()
    }

    /// Stops every running file job; a cancelled write leaves no file behind.
    pub fn cancel_file_jobs(&mut self) {
        for f in self.file_jobs.drain(..) {
            f.job.cancel();
        }
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
                Ok(message) => self.push_banner(BannerKind::Info, message),
                Err(Error::Cancelled) => {}
                Err(e) => self.push_banner(BannerKind::Error, format!("{} failed: {e}", f.what)),
            }
        }
        changed
    }

    /// Applies an explorer edit; model choices are remembered in the settings.
    pub fn explore(&mut self, cmd: ExploreCommand) {
        self.explorer.apply(cmd);
        self.settings.model = self.explorer.model;
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
                self.explorer.set_table(Arc::clone(&dataset.table), None);
                self.dataset = Some(dataset);
                self.banners.clear();
            }
            Err(Error::Cancelled) => {
                self.push_banner(BannerKind::Info, self.cancelled_message(name));
            }
            Err(e) => self.push_banner(BannerKind::Error, e.to_string()),
        }
    }

    /// Adds a banner.
    pub fn push_banner(&mut self, kind: BannerKind, text: String) {
        self.push_stage_banner(kind, text, None);
    }

    fn push_stage_banner(&mut self, kind: BannerKind, text: String, stage: Option<Stage>) {
        self.next_banner_id += 1;
        self.banners.push(Banner {
            id: self.next_banner_id,
            kind,
            text,
            stage,
        });
    }

    /// Removes the banner `id`.
    pub fn dismiss_banner(&mut self, id: u64) {
        self.banners.retain(|b| b.id != id);
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
mod tests {
    use super::*;

    fn loaded(csv: &str) -> AppState {
        let mut s = AppState::new(Settings::default());
        s.start_load(LoadSource::Bytes {
            name: "t.csv".into(),
            bytes: csv.as_bytes().to_vec(),
        });
        s.wait_for_load();
        s
    }

    #[test]
    fn sample_loads_with_summaries() {
        let mut s = AppState::new(Settings::default());
        s.start_load(LoadSource::sample());
        assert!(s.is_loading());
        assert_eq!(s.load_status().map(|st| st.name), Some(SAMPLE_NAME.into()));
        s.wait_for_load();
        assert!(!s.is_loading());
        let d = s.dataset().unwrap();
        assert_eq!(d.table.n_rows(), 3000);
        assert_eq!(d.summaries.len(), d.table.n_cols());
        assert_eq!(d.display_name(), SAMPLE_NAME);
        assert!(s.banners().is_empty());
    }

    #[test]
    fn failed_load_keeps_table_and_shows_error() {
        let mut s = loaded("a,b\n1,2\n3,4\n");
        s.start_load(LoadSource::Bytes {
            name: "bad.csv".into(),
            bytes: b"a,b\n1,2\n3,4,5\n".to_vec(),
        });
        s.wait_for_load();
        assert_eq!(s.dataset().unwrap().table.source_name, "t.csv");
        let b = &s.banners()[0];
        assert_eq!(b.kind, BannerKind::Error);
        assert!(b.text.contains("bad.csv"), "{}", b.text);
        assert!(b.text.contains("line 3"), "{}", b.text);
        let id = b.id;
        s.dismiss_banner(id);
        assert!(s.banners().is_empty());
    }

    #[test]
    fn cancelled_result_keeps_table_and_says_so() {
        let mut s = loaded("a\n1\n");
        s.generation += 1;
        let g = s.generation;
        s.finish_load(g, "big.csv", Err(Error::Cancelled));
        assert_eq!(s.banners()[0].kind, BannerKind::Info);
        assert!(s.banners()[0].text.contains("cancelled"));
        assert!(s.banners()[0].text.contains("still showing t.csv"));
        assert_eq!(s.dataset().unwrap().table.n_rows(), 1);
    }

    #[test]
    fn cancel_load_drops_the_job_at_once() {
        let mut s = loaded("a\n1\n");
        s.start_load(LoadSource::Deferred {
            name: "slow.csv".into(),
            read: Box::new(|| {
                std::thread::sleep(std::time::Duration::from_millis(200));
                Ok(b"a\n1\n2\n".to_vec())
            }),
        });
        s.cancel_load();
        assert!(!s.is_loading());
        assert!(s.banners()[0].text.contains("cancelled"));
        assert_eq!(s.dataset().unwrap().table.n_rows(), 1);
    }

    #[test]
    fn stale_generation_is_dropped() {
        let mut s = loaded("a\n1\n");
        let old = s.generation();
        s.generation += 1;
        s.finish_load(old, "x.csv", Err(Error::InvalidParameter("stale".into())));
        assert!(s.banners().is_empty());
    }

    #[test]
    fn success_clears_banners_and_remembers_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ok.csv");
        std::fs::write(&path, "x,y\n1,2\n").unwrap();
        let mut s = AppState::new(Settings::default());
        s.push_banner(BannerKind::Error, "old".into());
        s.start_load(LoadSource::Path(path.clone()));
        s.wait_for_load();
        assert!(s.banners().is_empty());
        assert_eq!(s.dataset().unwrap().display_name(), "ok.csv");
        assert_eq!(s.settings.recent_files, vec![path.clone()]);
        s.settings.remember_file(Path::new("/tmp/other.csv"));
        s.settings.remember_file(&path);
        assert_eq!(s.settings.recent_files.len(), 2);
        assert_eq!(s.settings.recent_files[0], path);
    }

    #[test]
    fn deferred_read_error_is_shown() {
        let mut s = AppState::new(Settings::default());
        s.start_load(LoadSource::Deferred {
            name: "gone.csv".into(),
            read: Box::new(|| Err("permission denied".into())),
        });
        s.wait_for_load();
        assert!(s.dataset().is_none());
        assert!(s.banners()[0].text.contains("gone.csv"));
        assert!(s.banners()[0].text.contains("permission denied"));
    }
}
