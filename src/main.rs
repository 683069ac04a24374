//! segscope binary: the desktop app by default, CLI subcommands otherwise.

use clap::Parser;
use segscope::cli::{Cli, GuiRequest, Outcome, run};

fn main() {
    let code = match run(Cli::parse()) {
        Outcome::Exit(code) => code,
        Outcome::Gui(request) => gui(request),
    };
    std::process::exit(code);
}

#[cfg(feature = "gui")]
fn gui(request: GuiRequest) -> i32 {
    use segscope::app::{Launch, Renderer};
    use segscope::cli::RendererArg;
    let renderer = match request.window.renderer() {
        RendererArg::Auto => Renderer::Auto,
        RendererArg::Glow => Renderer::Glow,
        RendererArg::Wgpu => Renderer::Wgpu,
    };
    let launch = Launch {
        file: request.file,
        renderer,
        frame_stats: request.window.frame_stats,
    };
    match segscope::app::run_native(launch) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cannot open the window: {e}");
            1
        }
    }
}

#[cfg(not(feature = "gui"))]
fn gui(_request: GuiRequest) -> i32 {
    eprintln!(
        "error: this segscope was built without the GUI (cargo feature `gui`); use a subcommand"
    );
    1
}
