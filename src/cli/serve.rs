//! `segscope serve M.json [--host 127.0.0.1] [--port 8080]`: scores rows over HTTP with a saved model
//! (the engine's [`crate::serve`]). Prints `listening on http://HOST:PORT` on standard error once bound
//! (with the real port when `--port 0` asks for a free one) and runs until SIGINT or SIGTERM.

use std::path::PathBuf;

use crate::error::Result;
use crate::model::SegmentModel;
use crate::serve::{DEFAULT_BODY_LIMIT, Server};

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The model (`cluster --save-model` or the app's "Save model…").
    pub model: PathBuf,
    /// Address to listen on (127.0.0.1 answers this machine only; 0.0.0.0 every network).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free one (printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Largest request body, e.g. 16M or 512K; larger ones are answered with 413.
    #[arg(long, value_name = "SIZE", value_parser = crate::budget::parse_size)]
    pub body_limit: Option<u64>,
}

pub(super) fn run(args: &ServeArgs) -> Result<()> {
    let model = SegmentModel::from_path(&args.model)?;
    let limit = args.body_limit.map_or(DEFAULT_BODY_LIMIT, |b| {
        usize::try_from(b).unwrap_or(usize::MAX)
    });
    let server = Server::bind(model, &args.host, args.port)?.with_body_limit(limit);
    let addr = server.local_addr()?;
    // Always printed (even with --quiet): scripts and tests read the port from it.
    eprintln!("listening on http://{addr}");
    server.run_until_signal()?;
    super::note("stopped");
    Ok(())
}
