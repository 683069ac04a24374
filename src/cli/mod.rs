//! The command-line interface: one file per subcommand, each thin (parse -> engine -> print/write).
//! [`run`] returns the process exit code: 0 ok, 1 error (printed as `error: <message>`), 2 usage (clap).

mod inspect;

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
