//! `segscope sweep FILE [PIPELINE] [--k 2..10] [--method M] [--json]`: scores for every k and a
//! recommendation.

use serde_json::json;

use super::engine::{load_prepared, opt, parse_k_range, parse_method, print_json};
use super::pipeline::PipelineArgs;
use crate::analysis::{FitOptions, run_sweep};
use crate::cluster::Method;
use crate::error::Result;
use crate::jobs::Progress;

/// Arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// The k values: `2..10` (inclusive), `4`, or `2,4,6`.
    #[arg(long, default_value = "2..10")]
    pub k: String,
    /// kmeans, gmm, ward, average, complete or single.
    #[arg(long, default_value = "kmeans", value_parser = parse_method)]
    pub method: Method,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &SweepArgs) -> Result<()> {
    let progress = Progress::new();
    parse_k_range(&args.k).map_err(crate::error::Error::InvalidParameter)?;
    let loaded = load_prepared(&args.file, &args.pipeline, &progress)?;
    let x = loaded.prepared.matrix.view();
    let opts = FitOptions {
        method: args.method,
        seed: args.pipeline.seed,
        n_init: args.pipeline.n_init,
    };
    let ks = parse_k_range(&args.k)
        .map_err(|e| crate::error::Error::InvalidParameter(format!("--k: {e}")))?;
    let s = run_sweep(x, &ks, opts, &progress)?;
    if args.json {
        return print_json(&json!({
            "method": s.method,
            "n_rows": s.n_rows,
            "results": s.results,
            "recommended_k": s.recommended_k,
            "reason": s.recommendation.reason,
            "knee_k": s.recommendation.knee_k,
            "majority_k": s.recommendation.majority_k,
            "silhouette_sampled": s.silhouette_sampled,
        }));
    }
    println!(
        "{}: {} rows × {} features, method {}{}",
        loaded.table.source_name,
        s.n_rows,
        x.ncols(),
        s.method,
        if s.silhouette_sampled {
            " (silhouette estimated from a sample)"
        } else {
            ""
        }
    );
    println!(
        "{:>4}  {:>14}  {:>10}  {:>14}  {:>17}  {:>12}",
        "k", "inertia", "silhouette", "davies_bouldin", "calinski_harabasz", "bic"
    );
    for r in &s.results {
        let mark = if Some(r.k) == s.recommended_k {
            " ←"
        } else {
            ""
        };
        println!(
            "{:>4}  {:>14.4}  {:>10}  {:>14}  {:>17}  {:>12}{mark}",
            r.k,
            r.inertia,
            opt(r.silhouette, 4),
            opt(r.davies_bouldin, 4),
            opt(r.calinski_harabasz, 2),
            opt(r.bic, 2)
        );
    }
    println!("\nrecommended: {}", s.recommendation.reason);
    Ok(())
}
