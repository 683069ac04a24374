//! `segscope score FILE [PIPELINE] --labels COL [--json]`: the metrics of an existing segmentation, with
//! the same large-data policy as every other run ([`crate::analysis::score_labels`]).

use std::collections::BTreeMap;

use serde_json::json;

use super::engine::{announce_exact_silhouette, load_table, opt, print_decisions, print_json};
use super::pipeline::PipelineArgs;
use crate::analysis::{Policy, prepare, score_labels};
use crate::data::{ColumnData, MISSING_CODE};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::prep::select::unknown_column;

/// Arguments of `score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation (the labels column is never a feature).
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// The column holding each row's segment.
    #[arg(long, value_name = "COL")]
    pub labels: String,
    /// Compute the exact silhouette whatever the size (estimated from a sample above 30,000 rows).
    #[arg(long)]
    pub exact_silhouette: bool,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// Most distinct labels `score` accepts (each is a segment; more is not a segmentation).
const MAX_LABELS: usize = 2_000;

pub(super) fn run(args: &ScoreArgs, progress: &Progress) -> Result<()> {
    let table = load_table(&args.file, &args.pipeline, progress)?;
    let col = table
        .column(&args.labels)
        .ok_or_else(|| unknown_column(&table, &args.labels, "--labels"))?;
    let mut pipeline = args.pipeline.clone();
    if pipeline.features.is_empty() && !pipeline.exclude.contains(&args.labels) {
        pipeline.exclude.push(args.labels.clone());
    }
    let resolved = pipeline.resolve(&table)?;
    let data = prepare(&table, &resolved.preparation, 0, progress)?;
    super::print_warnings(&data.prepared.report.warnings);
    // Label text of every kept row; a missing label is an error naming the line.
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut labels = Vec::with_capacity(data.prepared.kept_rows.len());
    for &r in &data.prepared.kept_rows {
        let missing = match &col.data {
            ColumnData::Numeric(v) => v[r].is_nan(),
            ColumnData::Categorical { codes, .. } | ColumnData::Text { codes, .. } => {
                codes[r] == MISSING_CODE
            }
            ColumnData::Date(v) => v[r].is_none(),
        };
        if missing {
            return Err(Error::Column {
                name: args.labels.clone(),
                message: format!(
                    "line {} has no label; every scored row needs one",
                    table.line_of_row(r)
                ),
            });
        }
        let next = ids.len();
        let id = *ids.entry(col.data.display(r)).or_insert(next);
        if ids.len() > MAX_LABELS {
            return Err(Error::Column {
                name: args.labels.clone(),
                message: format!(
                    "has more than {MAX_LABELS} distinct labels; a labels column holds segment ids (is \
                     it an ID column?)"
                ),
            });
        }
        labels.push(id);
    }
    if ids.len() < 2 {
        return Err(Error::Column {
            name: args.labels.clone(),
            message: format!(
                "has {} distinct label(s); the metrics need at least 2 segments",
                ids.len()
            ),
        });
    }
    let policy = Policy {
        force_exact_silhouette: args.exact_silhouette,
        ..Policy::default()
    };
    let seed = args.pipeline.seed.unwrap_or(0);
    let x = data.x();
    announce_exact_silhouette(x.nrows(), x.ncols(), args.exact_silhouette);
    let s = score_labels(x, &labels, &policy, seed, progress)?;
    print_decisions(&s.decisions);
    if args.json {
        return print_json(&json!({
            "n_rows": labels.len(),
            "n_clusters": ids.len(),
            "silhouette": s.scores.silhouette,
            "davies_bouldin": s.scores.davies_bouldin,
            "calinski_harabasz": s.scores.calinski_harabasz,
            "sampled": s.sampled.is_some(),
            "silhouette_ci": s.sampled.map(|e| [e.ci_low, e.ci_high]),
            "silhouette_sample_size": s.sampled.map(|e| e.sample_size),
            "sampled_rows": super::engine::sampled_rows(&table),
        }));
    }
    println!(
        "{} rows, {} segments in '{}'",
        labels.len(),
        ids.len(),
        args.labels
    );
    match s.sampled {
        Some(e) => println!(
            "silhouette         {} (sampled: 95% CI {:.4}–{:.4} from {} rows)",
            opt(s.scores.silhouette, 4),
            e.ci_low,
            e.ci_high,
            e.sample_size
        ),
        None => println!("silhouette         {}", opt(s.scores.silhouette, 4)),
    }
    println!("davies_bouldin     {}", opt(s.scores.davies_bouldin, 4));
    println!("calinski_harabasz  {}", opt(s.scores.calinski_harabasz, 2));
    Ok(())
}
