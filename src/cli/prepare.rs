//! `segscope prepare FILE [PIPELINE] -o OUT.csv`: the prepared feature matrix (after impute, transforms,
//! one-hot encoding and scaling), one row per kept input row, named columns.

use std::path::PathBuf;

use super::engine::load_prepared;
use super::pipeline::PipelineArgs;
use crate::error::Result;
use crate::export::write_prepared_csv;
use crate::jobs::Progress;

/// Arguments of `prepare`.
#[derive(Debug, clap::Args)]
pub struct PrepareArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Where to write the prepared CSV (`-` for standard output).
    #[arg(short, long, value_name = "OUT.csv")]
    pub output: PathBuf,
}

pub(super) fn run(args: &PrepareArgs, progress: &Progress) -> Result<()> {
    let mut plan = super::engine::output_plan(&args.file, args.pipeline.recipe.as_deref())?;
    let out = plan.add_output(&args.output, "the prepared CSV")?;
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let prepared = &loaded.data.prepared;
    for (name, n) in &prepared.report.filled {
        eprintln!("filled {n} missing cell(s) in '{name}'");
    }
    plan.write(out, |w| write_prepared_csv(prepared, w))?;
    plan.commit()?;
    eprintln!(
        "prepared {} of {} rows × {} features",
        prepared.kept_rows.len(),
        prepared.report.n_input_rows,
        prepared.feature_names.len()
    );
    Ok(())
}
