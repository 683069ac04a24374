//! `segscope apply M.json FILE -o OUT.csv [--drift D.json] [--json]`: scores new customers with a saved
//! model, streaming (no refit; each row scored on its own), and optionally reports drift.

use std::path::PathBuf;

use serde_json::json;

use super::engine::print_json;
use crate::error::Result;
use crate::jobs::Progress;
use crate::model::apply::ApplySummary;
use crate::model::run::{Applied, ApplyRequest, apply_files};
use crate::model::{DriftReport, SegmentModel};

/// Arguments of `apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The model (`cluster --save-model` or the app's "Save model…").
    pub model: PathBuf,
    /// CSV file of customers to score, or `-` for standard input.
    pub file: String,
    /// The scored CSV: every input line unchanged plus segment, segment_name (and distance_to_centre for
    /// k-means, p_0.. for mixtures); `-` for standard output.
    #[arg(short, long, value_name = "OUT.csv")]
    pub output: PathBuf,
    /// Also write the drift report (JSON) against the training data.
    #[arg(long, value_name = "D.json")]
    pub drift: Option<PathBuf>,
    /// Print a JSON summary for scripts.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &ApplyArgs, progress: &Progress) -> Result<()> {
    let req = ApplyRequest {
        model: args.model.clone(),
        input: PathBuf::from(&args.file),
        output: args.output.clone(),
        drift_output: args.drift.clone(),
        drift: !args.json,
    };
    let Applied { model, summary } = apply_files(&req, progress)?;
    if args.json {
        return print_json(&json!({
            "n_rows": summary.n_rows,
            "sizes": summary.sizes,
            "unscored": summary.unscored,
            "unseen_levels": summary.unseen_levels,
            "out_of_range": summary.out_of_range,
            "drift": summary.drift,
        }));
    }
    print_summary(&model, &summary);
    Ok(())
}

/// The readable summary and drift table on standard error.
fn print_summary(model: &SegmentModel, s: &ApplySummary) {
    let say = |line: String| super::progress_bar::eprintln_line(&line);
    say(format!(
        "scored {} rows with {} ({} segments, {}): sizes {:?}{}",
        s.n_rows,
        model.source,
        model.info.k,
        model.info.method,
        s.sizes,
        if s.unscored > 0 {
            format!(
                "; {} rows left unscored (a missing value the preparation drops)",
                s.unscored
            )
        } else {
            String::new()
        }
    ));
    for (col, n) in &s.unseen_levels {
        super::warn(&format!(
            "'{col}': {n} cell(s) have a level not seen at training (encoded as none of the levels)"
        ));
    }
    for (col, n) in &s.out_of_range {
        super::note(&format!("'{col}': {n} value(s) outside the training range"));
    }
    if let Some(d) = &s.drift {
        print_drift(d, &say);
    }
}

fn print_drift(d: &DriftReport, say: &dyn Fn(String)) {
    say(format!(
        "drift: {}{} ({})",
        d.verdict.as_str(),
        if d.drivers.is_empty() {
            String::new()
        } else {
            format!(", driven by {}", d.drivers.join(", "))
        },
        d.thresholds
    ));
    say(format!(
        "{:<24} {:>8}  {:<8} {:>10} {:>10} {:>8} {:>8}",
        "feature", "PSI", "verdict", "missing", "now", "unseen", "outside"
    ));
    for f in &d.features {
        say(format!(
            "{:<24} {:>8.4}  {:<8} {:>9.1}% {:>9.1}% {:>8} {:>7.1}%",
            f.name,
            f.psi,
            f.verdict.as_str(),
            f.missing_rate_train * 100.0,
            f.missing_rate_now * 100.0,
            f.unseen_levels,
            f.out_of_range_share * 100.0
        ));
    }
    say(format!("segment shares (PSI {:.4}):", d.segment_psi));
    for s in &d.segments {
        say(format!(
            "  {:>2} {:<40} {:>6.1}% → {:>6.1}%",
            s.segment,
            s.name,
            s.share_train * 100.0,
            s.share_now * 100.0
        ));
    }
}
