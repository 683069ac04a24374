//! The command-line interface: one file per subcommand, each thin (parse -> engine -> print/write).
//! [`run`] returns the process exit code: 0 ok, 1 error (printed as `error: <message>`), 2 usage (clap).

mod apply;
mod cluster;
mod embed;
mod engine;
mod inspect;
mod kdist;
mod linkage;
mod pca;
pub mod pipeline;
mod plot;
mod prepare;
pub mod progress_bar;
mod report;
mod rfm;
mod score;
#[cfg(feature = "serve")]
mod serve;
pub mod signals;
mod sql;
mod sweep;

use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::error::Error;
use crate::jobs::Progress;

/// segscope: find customer segments in a CSV.
#[derive(Debug, Parser)]
#[command(name = "segscope", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without a subcommand the desktop app opens on the sample data.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// No progress display and no notes on standard error (warnings and errors still print).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Most memory one piece of work may ask for, e.g. 4G or 512M [default: 60% of physical memory].
    #[arg(long, global = true, value_name = "SIZE", value_parser = crate::budget::parse_size)]
    pub memory_limit: Option<u64>,
    /// How the app's window is drawn (when no subcommand is given).
    #[command(flatten)]
    pub window: WindowArgs,
}

/// How the desktop app's window is drawn.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WindowArgs {
    /// Renderer: auto (wgpu with a GPU, glow OpenGL without one), glow or wgpu. Also SEGSCOPE_RENDERER.
    #[arg(long, value_enum, value_name = "NAME")]
    pub renderer: Option<RendererArg>,
    /// Print frame-time percentiles (p50, p90, p99, max) on standard error when the window closes.
    #[arg(long)]
    pub frame_stats: bool,
}

/// The `--renderer` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RendererArg {
    /// wgpu where a GPU render node exists, else glow.
    Auto,
    /// OpenGL (glow).
    Glow,
    /// wgpu (Vulkan, Metal, DX12).
    Wgpu,
}

impl WindowArgs {
    /// The renderer asked for: the flag, else `SEGSCOPE_RENDERER` (auto, glow or wgpu), else auto. An unknown
    /// environment value is reported and ignored.
    pub fn renderer(&self) -> RendererArg {
        if let Some(r) = self.renderer {
            return r;
        }
        match std::env::var("SEGSCOPE_RENDERER") {
            Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
                "" | "auto" => RendererArg::Auto,
                "glow" => RendererArg::Glow,
                "wgpu" => RendererArg::Wgpu,
                other => {
                    eprintln!(
                        "warning: SEGSCOPE_RENDERER={other} is not auto, glow or wgpu; using auto"
                    );
                    RendererArg::Auto
                }
            },
            Err(_) => RendererArg::Auto,
        }
    }
}

/// What the GUI was asked to open.
#[derive(Debug, Clone, Default)]
pub struct GuiRequest {
    /// A CSV file to open, else the embedded sample.
    pub file: Option<std::path::PathBuf>,
    /// How the window is drawn.
    pub window: WindowArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop app, optionally on FILE.
    Gui {
        /// A CSV file to open.
        file: Option<std::path::PathBuf>,
        /// How the window is drawn.
        #[command(flatten)]
        window: WindowArgs,
    },
    /// Show each column's kind, missing count, distinct count and statistics.
    Inspect(inspect::InspectArgs),
    /// Write the prepared feature matrix (impute, encode, scale) as CSV.
    Prepare(prepare::PrepareArgs),
    /// Turn transactions (customer, date, amount) into one RFM row per customer.
    Rfm(rfm::RfmArgs),
    /// Fit every k in a range and score it (inertia, silhouette, Davies-Bouldin, Calinski-Harabasz, BIC).
    Sweep(sweep::SweepArgs),
    /// Segment the rows and write the input with segment columns.
    Cluster(cluster::ClusterArgs),
    /// The k-distance curve (each row's distance to its min_samples-th neighbour, sorted) and its knee:
    /// a suggested --eps for dbscan.
    Kdist(kdist::KdistArgs),
    /// Score an existing segmentation (a labels column).
    Score(score::ScoreArgs),
    /// Write the hierarchical merge tree (scipy linkage matrix).
    Linkage(linkage::LinkageArgs),
    /// Principal components of the prepared features.
    Pca(pca::PcaArgs),
    /// A 2-D map of the prepared rows (t-SNE or PCA) as an `x,y` CSV, one row per kept input row.
    Embed(embed::EmbedArgs),
    /// Score new customers with a saved model (no refit), optionally reporting drift.
    Apply(apply::ApplyArgs),
    /// Print a saved model as one SQL SELECT that scores a table in the warehouse.
    Sql(sql::SqlArgs),
    /// Score rows over HTTP with a saved model (POST /score, GET /model, GET /health).
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// Draw one plot of a run (sweep, scatter, dendrogram, silhouette, profiles) as SVG or PNG.
    Plot(plot::PlotArgs),
    /// Write a self-contained HTML report of a run (data, preparation, K choice, plots, segments, recipe).
    Report(report::ReportArgs),
}

/// What `main` should do after parsing.
#[derive(Debug)]
pub enum Outcome {
    /// Open the GUI (optionally on a file).
    Gui(GuiRequest),
    /// A CLI command ran; exit with this code.
    Exit(i32),
}

/// Runs a parsed command line. GUI requests are handed back to `main`, which owns the window.
pub fn run(cli: Cli) -> Outcome {
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    if let Some(limit) = cli.memory_limit {
        crate::budget::set_limit(limit);
    }
    let command = match cli.command {
        None => {
            return Outcome::Gui(GuiRequest {
                file: None,
                window: cli.window,
            });
        }
        Some(Command::Gui { file, window }) => {
            // Flags given before `gui` count too: `segscope --frame-stats gui x.csv`.
            let window = WindowArgs {
                renderer: window.renderer.or(cli.window.renderer),
                frame_stats: window.frame_stats || cli.window.frame_stats,
            };
            return Outcome::Gui(GuiRequest { file, window });
        }
        Some(c) => c,
    };
    // One progress per run: the terminal bar reads it, Ctrl-C / SIGTERM cancel it.
    let progress = Arc::new(Progress::new());
    if let Err(e) = signals::install(Arc::clone(&progress)) {
        eprintln!("warning: Ctrl-C will not clean up: {e}");
    }
    let bar = progress_bar::show(Arc::clone(&progress), cli.quiet);
    let p = &*progress;
    let result = match command {
        Command::Gui { .. } => Ok(()),
        Command::Inspect(args) => inspect::run(&args, p),
        Command::Prepare(args) => prepare::run(&args, p),
        Command::Rfm(args) => rfm::run(&args, p),
        Command::Sweep(args) => sweep::run(&args, p),
        Command::Cluster(args) => cluster::run(&args, p),
        Command::Score(args) => score::run(&args, p),
        Command::Kdist(args) => kdist::run(&args, p),
        Command::Linkage(args) => linkage::run(&args, p),
        Command::Pca(args) => pca::run(&args, p),
        Command::Embed(args) => embed::run(&args, p),
        Command::Apply(args) => apply::run(&args, p),
        Command::Sql(args) => sql::run(&args, p),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(&args),
        Command::Plot(args) => plot::run(&args, p),
        Command::Report(args) => report::run(&args, p),
    };
    drop(bar);
    match result {
        Ok(()) => Outcome::Exit(0),
        Err(Error::Cancelled) => {
            eprintln!("cancelled");
            Outcome::Exit(signals::cancelled_exit_code())
        }
        Err(Error::Io { path, source })
            if source.kind() == std::io::ErrorKind::BrokenPipe
                && path.as_os_str() == "<stdout>" =>
        {
            // `segscope ... -o - | head`: the reader left; not an error worth a message.
            Outcome::Exit(0)
        }
        Err(Error::Usage(message)) => {
            eprintln!("error: {message}");
            Outcome::Exit(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(h) = hint(&e) {
                eprintln!("hint: {h}");
            }
            Outcome::Exit(1)
        }
    }
}

/// The command-line way out of an engine error (engine messages name concepts, not flags).
fn hint(e: &Error) -> Option<&'static str> {
    match e {
        Error::NoFeatures { .. } => Some("name the features to use with --features a,b,c"),
        Error::TooLarge { .. } => Some(
            "--sample N loads a uniform sample of the rows; --memory-limit SIZE raises the limit; \
             --features picks fewer columns",
        ),
        Error::TooSlow { what, .. } if what.starts_with("OPTICS") => {
            Some("--method dbscan --eps E (see segscope kdist) or --sample N makes it faster")
        }
        Error::TooSlow { .. } => {
            Some("--covariance diag, --n-init 1 or fewer --features make it faster")
        }
        _ => None,
    }
}

/// Set by `--quiet`: notes and progress stay silent.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether `--quiet` was given.
pub(crate) fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Prints `note: <text>` on standard error unless `--quiet`.
pub(crate) fn note(text: &str) {
    if !quiet() {
        progress_bar::eprintln_line(&format!("note: {text}"));
    }
}

/// Prints loader warnings to standard error.
fn print_warnings(warnings: &[String]) {
    for w in warnings {
        warn(w);
    }
}

/// Prints `warning: <text>` on standard error (above the progress bar, if one is drawn).
pub(crate) fn warn(text: &str) {
    progress_bar::eprintln_line(&format!("warning: {text}"));
}
