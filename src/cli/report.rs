//! `segscope report FILE [PIPELINE] (--k K | --recipe R.json) [--method M] [--k-range 2..10] -o
//! REPORT.html`: one self-contained HTML report of a run ([`crate::report`]), written through the output
//! plan (atomic, never an input). The K sweep behind the choice is fitted over `--k-range` (and the
//! chosen k); density methods have none.

use std::path::PathBuf;

use super::engine::{KRange, load_prepared, parse_k_arg, print_decisions};
use super::pipeline::{ModelArgs, PipelineArgs};
use crate::analysis::run::SweepExtras;
use crate::analysis::{Policy, Target, sweep};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::report::{ReportInput, write_report};

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// The method and scoring.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Number of segments (or the recipe's k).
    #[arg(long)]
    pub k: Option<usize>,
    /// The k values of the K-choice curves: `2..10` (inclusive), `4`, or `2,4,6`.
    #[arg(long, default_value = "2..10", value_parser = parse_k_arg)]
    pub k_range: KRange,
    /// Where to write the report (`-` for standard output).
    #[arg(short, long, value_name = "REPORT.html")]
    pub output: PathBuf,
}

pub(super) fn run(args: &ReportArgs, progress: &Progress) -> Result<()> {
    let mut plan = super::engine::output_plan(&args.file, args.pipeline.recipe.as_deref())?;
    let out = plan.add_output(&args.output, "the report")?;
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let spec = args
        .pipeline
        .model_spec(loaded.resolved.model, &args.model, args.k, None);
    let target = match spec.k {
        _ if spec.method.is_density() => {
            if args.k.is_some() {
                return Err(Error::Usage(format!(
                    "--k does not apply to {}: a density method finds the number of segments from \
                     --eps and --min-samples; drop --k",
                    spec.method
                )));
            }
            Target::Density
        }
        Some(k) => Target::K(k),
        None => {
            return Err(Error::Usage(
                "the number of segments is not given: use --k K, or a --recipe that has one".into(),
            ));
        }
    };
    let policy = Policy {
        force_exact_silhouette: args.model.exact_silhouette,
        ..Policy::default()
    };
    let swept = if spec.method.is_density() {
        None
    } else {
        let mut ks = args.k_range.0.clone();
        if let Some(k) = spec.k
            && !ks.contains(&k)
        {
            ks.push(k);
            ks.sort_unstable();
        }
        let (s, _) = sweep(
            &loaded.data,
            &ks,
            &spec,
            &policy,
            SweepExtras::default(),
            None,
            progress,
            None,
        )?;
        Some(s)
    };
    let result = loaded.fit(&spec, target, &policy, progress)?;
    print_decisions(&result.decisions);
    let input = ReportInput {
        table: &loaded.table,
        data: &loaded.data,
        result: &result,
        sweep: swept.as_ref(),
        map: None,
    };
    plan.write(out, |w| write_report(w, &input, progress))?;
    plan.commit()?;
    if !super::quiet() {
        eprintln!("wrote {}", args.output.display());
    }
    Ok(())
}
