//! `segscope linkage FILE [PIPELINE] [--method M] -o LINKAGE.csv`: the scipy-style merge tree.

use std::path::PathBuf;

use super::engine::{load_prepared, parse_method};
use super::pipeline::PipelineArgs;
use crate::cluster::{Linkage, Method, auto_linkage};
use crate::error::{Error, Result};
use crate::export::write_linkage_csv;
use crate::jobs::Progress;
use crate::prep::output::write_atomic;

/// Arguments of `linkage`.
#[derive(Debug, clap::Args)]
pub struct LinkageArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// ward (default), average, complete or single.
    #[arg(long, default_value = "ward", value_parser = parse_method)]
    pub method: Method,
    /// Where to write the linkage matrix (`a,b,distance,size`).
    #[arg(short, long, value_name = "LINKAGE.csv")]
    pub output: PathBuf,
}

pub(super) fn run(args: &LinkageArgs) -> Result<()> {
    let link = match args.method {
        Method::Ward => Linkage::Ward,
        Method::Average => Linkage::Average,
        Method::Complete => Linkage::Complete,
        Method::Single => Linkage::Single,
        m => {
            return Err(Error::InvalidParameter(format!(
                "linkage needs a hierarchical method (ward, average, complete, single), not {m}"
            )));
        }
    };
    let progress = Progress::new();
    let loaded = load_prepared(&args.file, &args.pipeline, &progress)?;
    let tree = auto_linkage(loaded.prepared.matrix.view(), link, &progress)?;
    if tree.approximate {
        eprintln!(
            "warning: {} rows is more than the exact limit; the tree is approximate (built on micro-clusters)",
            loaded.prepared.matrix.nrows()
        );
    }
    write_atomic(&args.output, |w| {
        write_linkage_csv(&tree.to_linkage_matrix(), w)
    })?;
    eprintln!(
        "wrote {} merges to {}",
        tree.merges.len(),
        args.output.display()
    );
    Ok(())
}
