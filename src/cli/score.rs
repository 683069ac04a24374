//! `segscope score FILE [PIPELINE] --labels COL [--compare COL2] [--json]`: the metrics of an existing
//! segmentation, with the same large-data policy as every other run ([`crate::analysis::score_labels`]);
//! with `--compare`, the adjusted Rand index and the crosstab of the two labellings
//! ([`crate::analysis::compare`]).

use std::collections::BTreeMap;

use serde_json::json;

use super::engine::{announce_exact_silhouette, load_table, opt, print_decisions, print_json};
use super::pipeline::PipelineArgs;
use crate::analysis::compare::{Comparison, compare};
use crate::analysis::{Policy, prepare, score_labels};
use crate::data::{ColumnData, MISSING_CODE, Table};
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
    /// A second labels column to compare with `--labels`: prints the adjusted Rand index, the crosstab
    /// (rows: `--labels`, columns: `--compare`) with row shares, and which segments merged or split.
    #[arg(long, value_name = "COL2")]
    pub compare: Option<String>,
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
    if table.column(&args.labels).is_none() {
        return Err(unknown_column(&table, &args.labels, "--labels"));
    }
    let mut pipeline = args.pipeline.clone();
    for c in std::iter::once(&args.labels).chain(&args.compare) {
        if pipeline.features.is_empty() && !pipeline.exclude.contains(c) {
            pipeline.exclude.push(c.clone());
        }
    }
    if let Some(c) = &args.compare
        && table.column(c).is_none()
    {
        return Err(unknown_column(&table, c, "--compare"));
    }
    let resolved = pipeline.resolve(&table)?;
    let data = prepare(&table, &resolved.preparation, 0, progress)?;
    super::print_warnings(&data.prepared.report.warnings);
    let (labels, ids) = read_labels(&table, &args.labels, &data.prepared.kept_rows)?;
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
    let compared = match &args.compare {
        Some(c) => {
            let (other, other_ids) = read_labels(&table, c, &data.prepared.kept_rows)?;
            Some((c, compare(&labels, &other)?, other_ids))
        }
        None => None,
    };
    if args.json {
        let mut out = json!({
            "n_rows": labels.len(),
            "n_clusters": ids.len(),
            "silhouette": s.scores.silhouette,
            "davies_bouldin": s.scores.davies_bouldin,
            "calinski_harabasz": s.scores.calinski_harabasz,
            "sampled": s.sampled.is_some(),
            "silhouette_ci": s.sampled.map(|e| [e.ci_low, e.ci_high]),
            "silhouette_sample_size": s.sampled.map(|e| e.sample_size),
            "sampled_rows": super::engine::sampled_rows(&table),
        });
        if let Some((c, cmp, other_ids)) = &compared {
            out["compare"] = compare_json(&args.labels, &ids, c, other_ids, cmp);
        }
        return print_json(&out);
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
    if let Some((c, cmp, other_ids)) = &compared {
        println!();
        print!("{}", compare_text(&args.labels, &ids, c, other_ids, cmp));
    }
    Ok(())
}

/// Each kept row's label id (ids in order of first appearance) and the label text of each id; a missing
/// label is an error naming the line.
fn read_labels(
    table: &Table,
    name: &str,
    kept_rows: &[usize],
) -> Result<(Vec<usize>, Vec<String>)> {
    let col = table
        .column(name)
        .ok_or_else(|| unknown_column(table, name, "--labels"))?;
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut labels = Vec::with_capacity(kept_rows.len());
    for &r in kept_rows {
        let missing = match &col.data {
            ColumnData::Numeric(v) => v[r].is_nan(),
            ColumnData::Categorical { codes, .. } | ColumnData::Text { codes, .. } => {
                codes[r] == MISSING_CODE
            }
            ColumnData::Date(v) => v[r].is_none(),
        };
        if missing {
            return Err(Error::Column {
                name: name.to_owned(),
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
                name: name.to_owned(),
                message: format!(
                    "has more than {MAX_LABELS} distinct labels; a labels column holds segment ids (is \
                     it an ID column?)"
                ),
            });
        }
        labels.push(id);
    }
    let mut texts = vec![String::new(); ids.len()];
    for (text, id) in ids {
        texts[id] = text;
    }
    Ok((labels, texts))
}

/// The `"compare"` object of `score --compare --json`.
fn compare_json(
    a_name: &str,
    a_labels: &[String],
    b_name: &str,
    b_labels: &[String],
    cmp: &Comparison,
) -> serde_json::Value {
    let names = |ids: &[usize], texts: &[String]| -> Vec<String> {
        ids.iter().map(|&i| texts[i].clone()).collect()
    };
    json!({
        "labels": a_name,
        "compare": b_name,
        "ari": cmp.ari,
        "rows": a_labels,
        "columns": b_labels,
        "crosstab": cmp.counts,
        "row_shares": cmp.row_shares,
        "merges": cmp.merges.iter().map(|m| json!({
            "from": names(&m.from, a_labels), "into": b_labels[m.into],
        })).collect::<Vec<_>>(),
        "splits": cmp.splits.iter().map(|s| json!({
            "from": a_labels[s.from], "into": names(&s.into, b_labels),
        })).collect::<Vec<_>>(),
        "threshold": cmp.threshold,
    })
}

/// The comparison in text: ARI, the crosstab (counts and row shares), merges and splits.
fn compare_text(
    a_name: &str,
    a_labels: &[String],
    b_name: &str,
    b_labels: &[String],
    cmp: &Comparison,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "'{a_name}' vs '{b_name}': adjusted Rand index {:.4} ({} rows)",
        cmp.ari, cmp.n_rows
    );
    let _ = writeln!(
        out,
        "crosstab: rows '{a_name}', columns '{b_name}'; count (share of the row)"
    );
    let first = a_labels
        .iter()
        .map(String::len)
        .chain([a_name.len()])
        .max()
        .unwrap_or(0)
        .min(24);
    let cells: Vec<Vec<String>> = cmp
        .counts
        .iter()
        .zip(&cmp.row_shares)
        .map(|(c, r)| {
            c.iter()
                .zip(r)
                .map(|(n, s)| format!("{n} ({:.0}%)", 100.0 * s))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..cmp.k_b)
        .map(|j| {
            cells
                .iter()
                .map(|r| r[j].len())
                .chain([b_labels[j].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let _ = write!(out, "{a_name:<first$}");
    for (j, w) in widths.iter().enumerate() {
        let _ = write!(out, "  {:>w$}", b_labels[j]);
    }
    out.push('\n');
    for (i, row) in cells.iter().enumerate() {
        let _ = write!(out, "{:<first$}", a_labels[i]);
        for (cell, w) in row.iter().zip(&widths) {
            let _ = write!(out, "  {cell:>w$}");
        }
        out.push('\n');
    }
    for m in &cmp.merges {
        let from: Vec<&str> = m.from.iter().map(|&i| a_labels[i].as_str()).collect();
        let _ = writeln!(
            out,
            "merged: '{a_name}' {} → '{b_name}' {} (each ≥ {:.0}% of its rows)",
            from.join(" + "),
            b_labels[m.into],
            100.0 * cmp.threshold
        );
    }
    for s in &cmp.splits {
        let into: Vec<&str> = s.into.iter().map(|&j| b_labels[j].as_str()).collect();
        let _ = writeln!(
            out,
            "split: '{a_name}' {} → '{b_name}' {} (each ≥ {:.0}% from it)",
            a_labels[s.from],
            into.join(" + "),
            100.0 * cmp.threshold
        );
    }
    if cmp.merges.is_empty() && cmp.splits.is_empty() {
        let _ = writeln!(out, "no segment merged or split");
    }
    out
}
