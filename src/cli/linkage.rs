//! `segscope linkage FILE [PIPELINE] [--method M] -o LINKAGE.csv`: the scipy-style merge tree.

use std::path::PathBuf;

use super::engine::load_prepared;
use super::pipeline::{PipelineArgs, parse_method};
use crate::analysis::build_tree;
use crate::cluster::Method;
use crate::error::{Error, Result};
use crate::export::write_linkage_csv;
use crate::jobs::Progress;

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

pub(super) fn run(args: &LinkageArgs, progress: &Progress) -> Result<()> {
    if !args.method.is_hierarchical() {
        return Err(Error::InvalidParameter(format!(
            "linkage needs a hierarchical method (ward, average, complete, single), not {}",
            args.method
        )));
    }
    let mut plan = super::engine::output_plan(&args.file, args.pipeline.recipe.as_deref())?;
    let out = plan.add_output(&args.output, "the linkage matrix")?;
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let tree = build_tree(loaded.data.x(), args.method, progress)?;
    if tree.approximate {
        eprintln!(
            "warning: {} rows is more than the exact limit; the tree is approximate (built on micro-clusters)",
            loaded.data.n_rows()
        );
    }
    plan.write(out, |w| write_linkage_csv(&tree.to_linkage_matrix(), w))?;
    plan.commit()?;
    eprintln!(
        "wrote {} merges to {}",
        tree.merges.len(),
        args.output.display()
    );
    Ok(())
}
