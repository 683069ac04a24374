//! `segscope sweep FILE [PIPELINE] [--k 2..10] [--method M] [--json]`: scores for every k and a
//! recommendation, through the run API ([`crate::analysis::sweep`]).

use serde_json::json;

use super::engine::{
    KRange, announce_cost, announce_exact_silhouette, load_prepared, opt, parse_k_arg,
    print_decisions, print_json,
};
use super::pipeline::{ModelArgs, PipelineArgs};
use crate::analysis::{Policy, sweep};
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
    /// The method and scoring.
    #[command(flatten)]
    pub model: ModelArgs,
    /// The k values: `2..10` (inclusive), `4`, or `2,4,6`.
    #[arg(long, default_value = "2..10", value_parser = parse_k_arg)]
    pub k: KRange,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &SweepArgs, progress: &Progress) -> Result<()> {
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let spec = args
        .pipeline
        .model_spec(loaded.resolved.model, &args.model, None, None);
    let policy = Policy {
        force_exact_silhouette: args.model.exact_silhouette,
        ..Policy::default()
    };
    let x = loaded.data.x();
    announce_exact_silhouette(x.nrows(), x.ncols(), args.model.exact_silhouette);
    announce_cost(&loaded.data, &args.k.0, &spec, &policy)?;
    let (s, _) = sweep(
        &loaded.data,
        &args.k.0,
        &spec,
        &policy,
        None,
        progress,
        None,
    )?;
    print_decisions(&s.decisions);
    if args.json {
        return print_json(&json!({
            "method": s.method,
            "n_rows": s.n_rows,
            "results": s.results,
            "recommended_k": s.recommended_k,
            "reason": s.recommendation.reason,
            "knee_k": s.recommendation.knee_k,
            "majority_k": s.recommendation.majority_k,
            "bic_k": s.recommendation.bic_k,
            "silhouette_sampled": s.silhouette_sampled,
            "decisions": s.decisions,
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
        if let (Some(why), None) = (&r.skipped, r.inertia) {
            println!("{:>4}  skipped: {why}", r.k);
            continue;
        }
        println!(
            "{:>4}  {:>14}  {:>10}  {:>14}  {:>17}  {:>12}{mark}",
            r.k,
            opt(r.inertia, 4),
            opt(r.silhouette, 4),
            opt(r.davies_bouldin, 4),
            opt(r.calinski_harabasz, 2),
            opt(r.bic, 2)
        );
    }
    println!("\nrecommended: {}", s.recommendation.reason);
    Ok(())
}
