//! Shared steps of the engine subcommands: load + prepare, the `--method` and `--k` flags, JSON printing.

use std::io::Write;

use serde_json::Value;

use super::pipeline::PipelineArgs;
use crate::cluster::Method;
use crate::data::{LoadOptions, Table, load_bytes, read_input};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::prep::{Fitted, Prepared, Recipe};

/// Everything a subcommand needs after preparation.
pub(super) struct Loaded {
    /// The input bytes (to stream the original text again on export).
    pub bytes: Vec<u8>,
    /// The loaded table.
    pub table: Table,
    /// The recipe used.
    pub recipe: Recipe,
    /// Fitted preparation.
    pub fitted: Fitted,
    /// The prepared matrix.
    pub prepared: Prepared,
}

/// Loads FILE and prepares it with the PIPELINE flags.
pub(super) fn load_prepared(
    file: &str,
    pipeline: &PipelineArgs,
    progress: &Progress,
) -> Result<Loaded> {
    let opts = LoadOptions::default();
    let (bytes, name) = read_input(file, &opts, progress)?;
    let table = load_bytes(bytes.clone(), &name, &opts, progress)?;
    super::print_warnings(&table.warnings);
    let recipe = pipeline.to_recipe(&table)?;
    let (fitted, prepared) = recipe.fit_transform(&table, progress)?;
    super::print_warnings(&prepared.report.warnings);
    if prepared.matrix.nrows() == 0 {
        return Err(Error::InvalidParameter(format!(
            "{name}: no rows are left after preparation (every row has a missing value and --impute drop?)"
        )));
    }
    Ok(Loaded {
        bytes,
        table,
        recipe,
        fitted,
        prepared,
    })
}

/// Parses `--method`.
pub(super) fn parse_method(s: &str) -> std::result::Result<Method, String> {
    s.parse()
}

/// Parses `--k 2..10` (inclusive), `--k 3` or `--k 2,4,6`.
pub(super) fn parse_k_range(s: &str) -> std::result::Result<Vec<usize>, String> {
    let bad = || format!("invalid k range '{s}': use e.g. 2..10, 2..=10, 4 or 2,4,6");
    let num = |t: &str| t.trim().parse::<usize>().map_err(|_| bad());
    let ks: Vec<usize> = if let Some((a, b)) = s.split_once("..") {
        let b = b.strip_prefix('=').unwrap_or(b);
        let (a, b) = (num(a)?, num(b)?);
        if a > b {
            return Err(bad());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_ranges() {
        assert_eq!(parse_k_range("2..5").unwrap(), [2, 3, 4, 5]);
        assert_eq!(parse_k_range("2..=3").unwrap(), [2, 3]);
        assert_eq!(parse_k_range("6,2,4").unwrap(), [2, 4, 6]);
        assert!(parse_k_range("5..2").is_err());
        assert!(parse_k_range("0..3").is_err());
        assert!(parse_k_range("x").is_err());
    }
}
