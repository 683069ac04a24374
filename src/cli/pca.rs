//! `segscope pca FILE [PIPELINE] [--components N] [--json] [-o SCORES.csv]`.

use std::path::PathBuf;

use serde_json::json;

use super::engine::{load_prepared, print_json};
use super::pipeline::PipelineArgs;
use crate::error::Result;
use crate::export::{csv_err, fmt_f64, io_err};
use crate::jobs::Progress;
use crate::reduce::pca;

/// Arguments of `pca`.
#[derive(Debug, clap::Args)]
pub struct PcaArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Number of components.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub components: usize,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
    /// Write the scores (one row per kept input row) to this CSV.
    #[arg(short, long, value_name = "SCORES.csv")]
    pub output: Option<PathBuf>,
}

pub(super) fn run(args: &PcaArgs, progress: &Progress) -> Result<()> {
    let mut plan = super::engine::output_plan(&args.file, args.pipeline.recipe.as_deref())?;
    let out = args
        .output
        .as_deref()
        .map(|o| plan.add_output(o, "the PCA scores"))
        .transpose()?;
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let x = loaded.data.x();
    let p = pca(x, args.components, progress)?;
    if let Some(out) = out {
        let scores = p.transform(x);
        plan.write(out, |w| {
            let mut c = csv::Writer::from_writer(w);
            c.write_record((1..=args.components).map(|i| format!("pc{i}")))
                .map_err(csv_err)?;
            for row in scores.rows() {
                c.write_record(row.iter().map(|v| fmt_f64(*v)))
                    .map_err(csv_err)?;
            }
            c.flush().map_err(io_err)
        })?;
    }
    plan.commit()?;
    let components: Vec<Vec<f64>> = p
        .components
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect();
    if args.json {
        return print_json(&json!({
            "explained_variance": p.explained_variance,
            "explained_variance_ratio": p.explained_variance_ratio,
            "components": components,
            "feature_names": loaded.data.prepared.feature_names,
        }));
    }
    println!("component  variance  share   cumulative");
    let mut cum = 0.0;
    for (i, (v, r)) in p
        .explained_variance
        .iter()
        .zip(&p.explained_variance_ratio)
        .enumerate()
    {
        cum += r;
        println!(
            "pc{:<8} {v:>8.4}  {:>5.1}%  {:>5.1}%",
            i + 1,
            r * 100.0,
            cum * 100.0
        );
    }
    Ok(())
}
