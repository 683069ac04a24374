//! Shared steps of the engine subcommands: load FILE, resolve the PIPELINE flags (and `--recipe`), prepare
//! through the run API ([`crate::analysis::prepare`]), the `--k` flag, printing JSON, numbers and the
//! policy's decisions.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use super::pipeline::{PipelineArgs, Resolved};
use crate::analysis::{
    Decision, ModelSpec, Policy, PreparedData, SegResult, Target, fit_segments, prepare,
};
use crate::data::{LoadOptions, Sample, Table, load_input};
use crate::error::{Error, Result};
use crate::export::write::OutputPlan;
use crate::jobs::Progress;

/// The output plan of a run: FILE and the recipe are inputs (never overwritten); outputs are added to it
/// and checked before any work starts.
pub(super) fn output_plan(file: &str, recipe: Option<&Path>) -> Result<OutputPlan> {
    let mut plan = OutputPlan::new();
    plan.add_input(Path::new(file))?;
    if let Some(r) = recipe {
        plan.add_input(r)?;
    }
    Ok(plan)
}

/// Everything a subcommand needs after preparation.
pub(super) struct Loaded {
    /// The loaded table (it keeps what is needed to stream the original text again on export).
    pub table: Table,
    /// The preparation (and the recipe's model part) the flags resolved to.
    pub resolved: Resolved,
    /// The prepared matrix and its fitted preparation.
    pub data: PreparedData,
}

impl Loaded {
    /// Fits `spec` at `target` through the run API and takes the recipe's segment names when it has
    /// them (the same fit for `cluster`, `plot` and `report`).
    pub fn fit(
        &self,
        spec: &ModelSpec,
        target: Target,
        policy: &Policy,
        progress: &Progress,
    ) -> Result<SegResult> {
        let mut result = fit_segments(
            &self.table,
            &self.data,
            spec,
            target,
            policy,
            None,
            progress,
        )?;
        if let Some(fitted) = &self.resolved.fitted
            && !fitted.names.is_empty()
        {
            result.adopt_names(&fitted.names, Some(&fitted.sizes));
        }
        Ok(result)
    }
}

/// Loads FILE and prepares it with the PIPELINE flags.
pub(super) fn load_prepared(
    file: &str,
    pipeline: &PipelineArgs,
    progress: &Progress,
) -> Result<Loaded> {
    let table = load_table(file, pipeline, progress)?;
    let resolved = pipeline.resolve(&table)?;
    let data = prepare(&table, &resolved.preparation, 0, progress)?;
    super::print_warnings(&data.prepared.report.warnings);
    Ok(Loaded {
        table,
        resolved,
        data,
    })
}

/// Loads FILE (a path or `-`) streaming, or a uniform sample of it with `--sample N`, printing the
/// loader's warnings.
pub(super) fn load_table(
    file: &str,
    pipeline: &PipelineArgs,
    progress: &Progress,
) -> Result<Table> {
    let opts = LoadOptions {
        sample: pipeline.sample.map(|rows| Sample {
            rows,
            seed: pipeline.seed.unwrap_or(0),
        }),
        ..LoadOptions::default()
    };
    let table = load_input(file, &opts, progress)?;
    super::print_warnings(&table.warnings);
    if let Some(s) = &table.sampled {
        super::note(&format!(
            "a uniform random sample of {} of {} rows (seed {}): every figure is of the sample",
            table.n_rows(),
            s.rows_in_file,
            s.seed
        ));
    }
    Ok(table)
}

/// `"sampled_rows"` for JSON outputs: the rows loaded when FILE was sampled, else `null`.
pub(super) fn sampled_rows(table: &Table) -> serde_json::Value {
    table
        .sampled
        .as_ref()
        .map_or(serde_json::Value::Null, |_| table.n_rows().into())
}

/// The k values of `--k` (ascending, distinct).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KRange(pub Vec<usize>);

/// `--k` for clap: a bad range is a usage error (exit 2).
pub(super) fn parse_k_arg(s: &str) -> std::result::Result<KRange, String> {
    parse_k_range(s).map(KRange)
}

/// Parses `--k 2..10` (inclusive), `--k 3` or `--k 2,4,6`.
pub(super) fn parse_k_range(s: &str) -> std::result::Result<Vec<usize>, String> {
    let bad = || format!("invalid k range '{s}': use e.g. 2..10, 2..=10, 4 or 2,4,6");
    let num = |t: &str| t.trim().parse::<usize>().map_err(|_| bad());
    let ks: Vec<usize> = if let Some((a, b)) = s.split_once("..") {
        let b = b.strip_prefix('=').unwrap_or(b);
        let (a, b) = (num(a)?, num(b)?);
        if a > b {
            return Err(format!(
                "invalid k range '{s}': the first k is larger than the last; use e.g. 2..10"
            ));
        }
        (a..=b).collect()
    } else {
        s.split(',')
            .map(num)
            .collect::<std::result::Result<_, _>>()?
    };
    if ks.is_empty() || ks.contains(&0) {
        return Err(format!("invalid k range '{s}': k must be at least 1"));
    }
    let mut ks = ks;
    ks.sort_unstable();
    ks.dedup();
    Ok(ks)
}

/// Prints pretty JSON to standard output.
pub(super) fn print_json(v: &Value) -> Result<()> {
    let s = serde_json::to_string_pretty(v)
        .map_err(|e| Error::InvalidParameter(format!("cannot write JSON: {e}")))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{s}").map_err(|e| Error::io("<stdout>", e))
}

/// `Some(x)` as a short number, `None` as `–`.
pub(super) fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "–".to_owned(), |x| format!("{x:.decimals$}"))
}

/// Prints the large-data policy's decisions as notes on standard error.
pub(super) fn print_decisions(decisions: &[Decision]) {
    for d in decisions {
        super::note(&d.to_string());
    }
}

/// Before long work (a Gaussian mixture sweep of many k, ...), says how long it will take; refuses what
/// would take longer than the time budget.
pub(super) fn announce_cost(
    data: &PreparedData,
    ks: &[usize],
    spec: &crate::analysis::ModelSpec,
    policy: &crate::analysis::Policy,
) -> Result<()> {
    let secs = crate::analysis::run::cost_estimate(data, ks, spec, policy)?;
    if secs > 10.0 {
        super::note(&format!(
            "this will take about {} on this machine",
            crate::budget::human_duration(secs)
        ));
    }
    Ok(())
}

/// Before an exact silhouette forced on large data, says how long it will take.
pub(super) fn announce_exact_silhouette(n: usize, d: usize, forced: bool) {
    let policy = crate::analysis::Policy::default();
    if forced && !policy.exact_silhouette(n) {
        super::note(&format!(
            "exact silhouette of {n} rows requested: about {} on this machine",
            crate::budget::human_duration(crate::analysis::Policy::exact_silhouette_secs(n, d))
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_ranges() {
        assert_eq!(parse_k_range("2..5").unwrap(), [2, 3, 4, 5]);
        assert_eq!(parse_k_range("2..=3").unwrap(), [2, 3]);
        assert_eq!(parse_k_range("6,2,4").unwrap(), [2, 4, 6]);
        assert!(parse_k_range("5..2").unwrap_err().contains("larger"));
        assert!(parse_k_range("0..3").is_err());
        assert!(parse_k_range("x").is_err());
    }
}
