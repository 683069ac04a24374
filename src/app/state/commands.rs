//! What panels emit and show: banners, tabs, [`Command`]s and file actions.

use super::LoadSource;
use crate::app::explore::{ExploreCommand, Stage};
use crate::error::Result;
use crate::jobs::Progress;

/// What a banner is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BannerKind {
    /// Something failed (red).
    Error,
    /// Something the user should know, not a failure (neutral).
    Info,
}

/// A message for the user: an info notice is a toast that expires; an error stays until it is dismissed
/// or its [`Cause`] is fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// Identifies the banner for [`Command::DismissBanner`].
    pub id: u64,
    /// Error or info.
    pub kind: BannerKind,
    /// The message.
    pub text: String,
    /// What the error is about; it clears when that is fixed (`None`: only a click dismisses it).
    pub cause: Option<Cause>,
}

/// Why an error is shown. A newer error of the same cause replaces the older one, and the error clears
/// when the cause is fixed (see [`Cause::fixed_by`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A stage of the analysis failed ("no numeric feature selected" is a preparation failure). Cleared
    /// when that stage next succeeds; a successful preparation clears every stage error.
    Stage(Stage),
    /// A typed value was refused (a constant that is not a number). Cleared by the next preparation.
    Input,
    /// Opening a file failed. Cleared when a file opens.
    Load,
    /// Reading a recipe failed. Cleared when a recipe is applied or a file opens.
    Recipe,
    /// A file job failed; the job's name ("Exporting the segments"). Cleared when the same job succeeds.
    File(String),
    /// "Apply model to a file…" failed. Cleared when an apply succeeds.
    Apply,
    /// Building RFM features failed. Cleared when a table opens.
    Rfm,
}

/// Something that went well and may fix the cause of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixed<'a> {
    /// A stage of the analysis succeeded.
    Stage(Stage),
    /// A recipe was read and applied.
    Recipe,
    /// The file job of that name succeeded.
    File(&'a str),
    /// A model was applied to a file.
    Applied,
}

impl Cause {
    /// Whether `fixed` removes the reason for this error.
    pub fn fixed_by(&self, fixed: Fixed<'_>) -> bool {
        match (self, fixed) {
            (Cause::Stage(_) | Cause::Input, Fixed::Stage(Stage::Prepare))
            | (Cause::Recipe, Fixed::Recipe)
            | (Cause::Apply, Fixed::Applied) => true,
            (Cause::Stage(s), Fixed::Stage(done)) => *s == done,
            (Cause::File(what), Fixed::File(done)) => what == done,
            _ => false,
        }
    }
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
    /// t-SNE map coloured by segment.
    Map,
}

impl Tab {
    /// All tabs, in display order.
    pub const ALL: [Tab; 8] = [
        Tab::Data,
        Tab::ChooseK,
        Tab::Scatter,
        Tab::Map,
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
            Tab::Map => "Map",
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
    /// Show an error that stays until it is dismissed.
    Fail(String),
    /// A file operation that starts with a dialog (recipes, exports, the RFM transactions file).
    File(FileAction),
    /// Open the "Build RFM features" dialog.
    OpenRfm,
    /// Stop the running file jobs (exports); nothing is written.
    CancelFileJobs,
    /// Use the light (true) or the dark theme (remembered).
    SetLightTheme(bool),
    /// Show an error that clears when its cause is fixed (or it is dismissed).
    FailBecause(Cause, String),
    /// Remove every error and notice.
    DismissAll,
    /// Ask where to write the labelled CSV of only these prepared rows (the scatter's selection).
    ExportRows(std::sync::Arc<[usize]>),
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
    /// Save the current fit as a segment model (what `segscope cluster --save-model` writes).
    SaveModel,
    /// Pick a model, a CSV and an output; score the CSV on a worker (`segscope apply --drift`).
    ApplyModel,
    /// Save a plot as PNG (a screenshot of it as shown) or SVG (redrawn by `crate::plot`).
    SavePlot(
        crate::app::plot_export::PlotKind,
        crate::app::plot_export::ImageFormat,
    ),
    /// The self-contained HTML report of the current result (what `segscope report` writes).
    ExportReport,
}

/// Work that writes a file on a worker and returns the message to show when it is done.
pub type FileWork = Box<dyn FnOnce(&Progress) -> Result<String> + Send>;
