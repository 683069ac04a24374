//! The command-line interface: one file per subcommand, each thin (parse -> engine -> print/write).
//! [`run`] returns the process exit code: 0 ok, 1 error (printed as `error: <message>`), 2 usage (clap).

mod cluster;
mod engine;
mod inspect;
mod linkage;
mod pca;
pub mod pipeline;
mod prepare;
pub mod progress_bar;
mod rfm;
mod score;
pub mod signals;
mod sweep;

use clap::{Parser, Subcommand};

/// segscope: find customer segments in a CSV.
#[derive(Debug, Parser)]
#[command(name = "segscope", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without a subcommand the desktop app opens on the sample data.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop app, optionally on FILE.
    Gui {
        /// A CSV file to open.
        file: Option<std::path::PathBuf>,
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
    /// Score an existing segmentation (a labels column).
    Score(score::ScoreArgs),
    /// Write the hierarchical merge tree (scipy linkage matrix).
    Linkage(linkage::LinkageArgs),
    /// Principal components of the prepared features.
    Pca(pca::PcaArgs),
}

/// What `main` should do after parsing.
#[derive(Debug)]
pub enum Outcome {
    /// Open the GUI (optionally on a file).
    Gui(Option<std::path::PathBuf>),
    /// A CLI command ran; exit with this code.
    Exit(i32),
}

/// Runs a parsed command line. GUI requests are handed back to `main`, which owns the window.
pub fn run(cli: Cli) -> Outcome {
    let result = match cli.command {
        None => return Outcome::Gui(None),
        Some(Command::Gui { file }) => return Outcome::Gui(file),
        Some(Command::Inspect(args)) => inspect::run(&args),
        Some(Command::Prepare(args)) => prepare::run(&args),
        Some(Command::Rfm(args)) => rfm::run(&args),
        Some(Command::Sweep(args)) => sweep::run(&args),
        Some(Command::Cluster(args)) => cluster::run(&args),
        Some(Command::Score(args)) => score::run(&args),
        Some(Command::Linkage(args)) => linkage::run(&args),
        Some(Command::Pca(args)) => pca::run(&args),
    };
    match result {
        Ok(()) => Outcome::Exit(0),
        Err(e) => {
            eprintln!("error: {e}");
            Outcome::Exit(1)
        }
    }
}

/// Prints loader warnings to standard error.
fn print_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
