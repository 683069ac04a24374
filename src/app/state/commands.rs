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
    /// Show an error banner.
    Fail(String),
    /// A file operation that starts with a dialog (recipes, exports, the RFM transactions file).
    File(FileAction),
    /// Open the "Build RFM features" dialog.
    OpenRfm,
    /// Stop the running file jobs (exports); nothing is written.
    CancelFileJobs,
    /// Use the light (true) or the dark theme (remembered).
    SetLightTheme(bool),
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
