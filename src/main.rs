//! segscope binary: the desktop app by default, CLI subcommands otherwise.

use clap::Parser;
use segscope::cli::{Cli, Outcome, run};

fn main() {
    let code = match run(Cli::parse()) {
        Outcome::Exit(code) => code,
        Outcome::Gui(file) => gui(file),
    };
    std::process::exit(code);
}

#[cfg(feature = "gui")]
fn gui(file: Option<std::path::PathBuf>) -> i32 {
    match segscope::app::run_native(file) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cannot open the window: {e}");
            1
        }
    }
}

#[cfg(not(feature = "gui"))]
fn gui(_file: Option<std::path::PathBuf>) -> i32 {
    eprintln!(
        "error: this segscope was built without the GUI (cargo feature `gui`); use a subcommand"
    );
    1
}
