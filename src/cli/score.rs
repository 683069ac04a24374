//! `segscope score FILE [PIPELINE] --labels COL [--json]`: the metrics of an existing segmentation.

use std::collections::BTreeMap;

use serde_json::json;

use super::engine::{load_prepared, opt, print_json};
use super::pipeline::PipelineArgs;
use crate::data::{ColumnData, MISSING_CODE};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::metrics::score_all;

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
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &ScoreArgs) -> Result<()> {
    let progress = Progress::new();
    let mut pipeline = args.pipeline.clone();
    if pipeline.features.is_empty() && !pipeline.exclude.contains(&args.labels) {
        pipeline.exclude.push(args.labels.clone());
    }
    let loaded = load_prepared(&args.file, &pipeline, &progress)?;
    let table = &loaded.table;
    let col = table
        .column(&args.labels)
        .ok_or_else(|| crate::prep::select::unknown_column(table, &args.labels, "labels column"))?;
    // Label text of every kept row; a missing label is an error naming the line.
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut text = Vec::with_capacity(loaded.prepared.kept_rows.len());
    for &r in &loaded.prepared.kept_rows {
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
        let t = col.data.display(r);
        let next = ids.len();
        ids.entry(t.clone()).or_insert(next);
        text.push(t);
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
    let labels: Vec<usize> = text.iter().map(|t| ids[t]).collect();
    let x = loaded.prepared.matrix.view();
    let s = score_all(x, &labels, &progress)?;
    if args.json {
        return print_json(&json!({
            "n_rows": labels.len(),
            "n_clusters": ids.len(),
            "silhouette": s.silhouette,
            "davies_bouldin": s.davies_bouldin,
            "calinski_harabasz": s.calinski_harabasz,
        }));
    }
    println!(
        "{} rows, {} segments in '{}'",
        labels.len(),
        ids.len(),
        args.labels
    );
    println!("silhouette         {}", opt(s.silhouette, 4));
    println!("davies_bouldin     {}", opt(s.davies_bouldin, 4));
    println!("calinski_harabasz  {}", opt(s.calinski_harabasz, 2));
    Ok(())
}
