//! `segscope kdist FILE [PIPELINE] [--min-samples M] [-o CURVE.csv] [--json]`: the k-distance curve used
//! to choose DBSCAN's eps (each row's distance to its min_samples-th nearest row, itself counted, sorted
//! ascending) and its knee, through the run API ([`crate::analysis::run::k_distance_curve`]).

use std::path::PathBuf;

use serde_json::json;

use super::engine::{load_prepared, print_json};
use super::pipeline::PipelineArgs;
use crate::analysis::density::DEFAULT_MIN_SAMPLES;
use crate::analysis::run::k_distance_curve;
use crate::error::Result;
use crate::export::{csv_err, fmt_f64, io_err};
use crate::jobs::Progress;

/// Arguments of `kdist`.
#[derive(Debug, clap::Args)]
pub struct KdistArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation (the same flags as for `cluster`, so the distances are in the same units).
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// The min_samples you will give dbscan (the row itself counts). [default: 5]
    #[arg(long, value_name = "M", default_value_t = DEFAULT_MIN_SAMPLES)]
    pub min_samples: usize,
    /// Write the curve as CSV: `rank,distance` (rank 1 = smallest), one line per row.
    #[arg(short, long, value_name = "CURVE.csv")]
    pub output: Option<PathBuf>,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &KdistArgs, progress: &Progress) -> Result<()> {
    let mut plan = super::engine::output_plan(&args.file, args.pipeline.recipe.as_deref())?;
    let out = args
        .output
        .as_deref()
        .map(|o| plan.add_output(o, "the k-distance curve"))
        .transpose()?;
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let curve = k_distance_curve(&loaded.data, args.min_samples, progress)?;
    if let Some(out) = out {
        plan.write(out, |w| {
            let mut c = csv::Writer::from_writer(w);
            c.write_record(["rank", "distance"]).map_err(csv_err)?;
            for (i, d) in curve.distances.iter().enumerate() {
                c.write_record([(i + 1).to_string(), fmt_f64(*d)])
                    .map_err(csv_err)?;
            }
            c.flush().map_err(io_err)
        })?;
    }
    plan.commit()?;
    let n = curve.distances.len();
    if args.json {
        return print_json(&json!({
            "min_samples": curve.min_samples,
            "n_rows": n,
            "knee_rank": curve.knee.map(|k| k + 1),
            "suggested_eps": curve.suggested_eps,
            "min": curve.distances.first(),
            "max": curve.distances.last(),
        }));
    }
    match (curve.knee, curve.suggested_eps) {
        (Some(k), Some(eps)) => println!(
            "k-distance (min_samples = {}) over {n} rows: knee at rank {} of {n}, suggested eps = {}\n\
             next: segscope cluster {} --method dbscan --eps {} --min-samples {}",
            curve.min_samples,
            k + 1,
            fmt_f64(eps),
            args.file,
            fmt_f64(eps),
            curve.min_samples
        ),
        _ => println!(
            "k-distance (min_samples = {}) over {n} rows: the curve has no knee (from {} to {}); no eps \
             is suggested — the rows may have no dense regions at this min_samples",
            curve.min_samples,
            curve
                .distances
                .first()
                .map_or_else(String::new, |v| fmt_f64(*v)),
            curve
                .distances
                .last()
                .map_or_else(String::new, |v| fmt_f64(*v)),
        ),
    }
    Ok(())
}
