//! `segscope sweep FILE [PIPELINE] [--k 2..10] [--method M] [--json]`: scores for every k and a
//! recommendation, through the run API ([`crate::analysis::sweep`]).

use std::fmt::Write as _;

use serde_json::json;

use super::engine::{
    KRange, announce_cost, announce_exact_silhouette, load_prepared, opt, parse_k_arg,
    print_decisions, print_json,
};
use super::pipeline::{ModelArgs, PipelineArgs};
use crate::analysis::run::SweepExtras;
use crate::analysis::tendency::Tendency;
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
    /// Bootstrap stability of every k with B resamples (ARI band and per-segment Jaccard; 0 = off).
    #[arg(long, value_name = "B", default_value_t = 0)]
    pub stability: usize,
    /// The gap statistic with B uniform reference sets (Tibshirani et al. 2001; 0 = off).
    #[arg(long, value_name = "B", default_value_t = 0)]
    pub gap: usize,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &SweepArgs, progress: &Progress) -> Result<()> {
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let spec = args
        .pipeline
        .model_spec(loaded.resolved.model, &args.model, None, None);
    if spec.method.is_density() {
        return Err(crate::error::Error::Usage(format!(
            "sweep fits a range of k, and {} takes no k: its segments and outliers follow from --eps and \
             --min-samples; `segscope kdist {} --min-samples M` suggests an eps, then `segscope cluster \
             --method {}`",
            spec.method, args.file, spec.method
        )));
    }
    let policy = Policy {
        force_exact_silhouette: args.model.exact_silhouette,
        ..Policy::default()
    };
    let x = loaded.data.x();
    announce_exact_silhouette(x.nrows(), x.ncols(), args.model.exact_silhouette);
    announce_cost(&loaded.data, &args.k.0, &spec, &policy)?;
    let extras = SweepExtras {
        stability: args.stability,
        gap: args.gap,
    };
    let (s, _) = sweep(
        &loaded.data,
        &args.k.0,
        &spec,
        &policy,
        extras,
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
            "gap_k": s.gap_k,
            "stable_k": s.recommendation.stable_k,
            "silhouette_sampled": s.silhouette_sampled,
            "decisions": s.decisions,
            "sampled_rows": super::engine::sampled_rows(&loaded.table),
            "tendency": s.tendency.as_ref().map(tendency_json),
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
    let (with_stab, with_gap) = (args.stability > 0, args.gap > 0);
    let mut header = format!(
        "{:>4}  {:>14}  {:>10}  {:>14}  {:>17}  {:>12}",
        "k", "inertia", "silhouette", "davies_bouldin", "calinski_harabasz", "bic"
    );
    if with_stab {
        let _ = write!(header, "  {:>18}  {:>11}", "stability ARI", "min jaccard");
    }
    if with_gap {
        let _ = write!(header, "  {:>8}  {:>7}", "gap", "gap_se");
    }
    println!("{header}");
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
        let mut line = format!(
            "{:>4}  {:>14}  {:>10}  {:>14}  {:>17}  {:>12}",
            r.k,
            opt(r.inertia, 4),
            opt(r.silhouette, 4),
            opt(r.davies_bouldin, 4),
            opt(r.calinski_harabasz, 2),
            opt(r.bic, 2)
        );
        if with_stab {
            let (band, min_j) = r.stability.as_ref().map_or_else(
                || ("–".to_owned(), "–".to_owned()),
                |st| {
                    (
                        format!("{:.2} ({:.2}–{:.2})", st.ari_mean, st.ari_p05, st.ari_p95),
                        format!(
                            "{:.2}",
                            st.jaccard.iter().copied().fold(f64::INFINITY, f64::min)
                        ),
                    )
                },
            );
            let _ = write!(line, "  {band:>18}  {min_j:>11}");
        }
        if with_gap {
            let _ = write!(line, "  {:>8}  {:>7}", opt(r.gap, 4), opt(r.gap_se, 4));
        }
        println!("{line}{mark}");
    }
    if let Some(t) = &s.tendency {
        let more = if t.distinct_capped { "more than " } else { "" };
        println!(
            "\ncluster tendency: {} · {more}{} distinct rows",
            t.headline(),
            t.distinct_rows
        );
    }
    println!("\nrecommended: {}", s.recommendation.reason);
    Ok(())
}

/// The `"tendency"` object of `sweep --json`: the Hopkins statistic (factoextra's convention), the
/// distinct rows, and the reading in words.
fn tendency_json(t: &Tendency) -> serde_json::Value {
    json!({
        "hopkins": t.hopkins,
        "hopkins_sample": t.hopkins_sample,
        "bimodality": t.bimodality,
        "distinct_rows": t.distinct_rows,
        "distinct_capped": t.distinct_capped,
        "has_structure": t.has_structure(),
        "summary": t.summary(),
    })
}
