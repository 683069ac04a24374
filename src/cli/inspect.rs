//! `segscope inspect FILE [--json]`: what is in a CSV, column by column.

use std::io::Write;

use serde_json::{Value, json};

use crate::data::{
    ColumnKind, ColumnSummary, LoadOptions, format_date, load_input, summarize_table,
};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// Print JSON for scripts instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &InspectArgs, progress: &Progress) -> Result<()> {
    let table = load_input(&args.file, &LoadOptions::default(), progress)?;
    super::print_warnings(&table.warnings);
    let summaries = summarize_table(&table);
    let mut out = std::io::stdout().lock();
    let text = if args.json {
        let v = json!({
            "source": table.source_name,
            "n_rows": table.n_rows(),
            "n_columns": table.n_cols(),
            "delimiter": (table.delimiter as char).to_string(),
            "has_header": table.has_header,
            "warnings": table.warnings,
            "columns": summaries.iter().map(summary_json).collect::<Vec<_>>(),
        });
        let mut s = serde_json::to_string_pretty(&v)
            .map_err(|e| Error::InvalidParameter(format!("cannot write JSON: {e}")))?;
        s.push('\n');
        s
    } else {
        render_table(&table.source_name, table.n_rows(), &summaries)
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io("<stdout>", e))
}

/// A value of a summary statistic: numbers for numeric columns, ISO dates for date columns.
fn stat(kind: ColumnKind, v: Option<f64>) -> Value {
    match (kind, v) {
        (_, None) => Value::Null,
        (ColumnKind::Date, Some(d)) => Value::String(format_date(d.round() as i32)),
        (_, Some(x)) => json!(x),
    }
}

fn summary_json(s: &ColumnSummary) -> Value {
    json!({
        "name": s.name,
        "kind": s.kind,
        "missing": s.missing,
        "distinct": s.distinct,
        "min": stat(s.kind, s.min),
        "max": stat(s.kind, s.max),
        "mean": stat(s.kind, s.mean),
        "median": stat(s.kind, s.median),
        "mode": s.mode,
        "count": s.count,
        "invalid": s.invalid,
        "std": s.std,
        "mode_count": s.mode_count,
        "histogram": s.histogram,
    })
}

fn fmt_stat(kind: ColumnKind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => String::new(),
        (ColumnKind::Date, Some(d)) => format_date(d.round() as i32),
        (_, Some(x)) => fmt_num(x),
    }
}

/// Up to 6 significant digits, no trailing zeros.
fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if x.abs() >= 1e7 || x.abs() < 1e-4 {
        return format!("{x:.4e}");
    }
    let decimals = (5 - x.abs().log10().floor() as i32).clamp(0, 10) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

fn render_table(source: &str, n_rows: usize, summaries: &[ColumnSummary]) -> String {
    let header = [
        "column", "kind", "missing", "distinct", "min", "mean", "median", "max", "mode",
    ];
    let mut rows: Vec<[String; 9]> = Vec::with_capacity(summaries.len());
    for s in summaries {
        let missing = if s.invalid > 0 {
            format!("{} ({} invalid)", s.missing, s.invalid)
        } else {
            s.missing.to_string()
        };
        let mut mode = s.mode.clone().unwrap_or_default();
        if mode.chars().count() > 24 {
            mode = mode.chars().take(23).collect::<String>() + "…";
        }
        if !mode.is_empty() {
            mode = format!("{mode} ({})", s.mode_count);
        }
        rows.push([
            s.name.clone(),
            s.kind.to_string(),
            missing,
            s.distinct.to_string(),
            fmt_stat(s.kind, s.min),
            fmt_stat(s.kind, s.mean),
            fmt_stat(s.kind, s.median),
            fmt_stat(s.kind, s.max),
            mode,
        ]);
    }
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let numeric_col = |i: usize| (2..=7).contains(&i);
    let line = |cells: &[String]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i] - c.chars().count();
            if i > 0 {
                l.push_str("  ");
            }
            if numeric_col(i) {
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            } else {
                l.push_str(c);
                if i + 1 < cells.len() {
                    l.push_str(&" ".repeat(pad));
                }
            }
        }
        l.push('\n');
        l
    };
    let mut out = format!("{source}: {n_rows} rows × {} columns\n\n", summaries.len());
    out.push_str(&line(&header.map(str::to_owned)));
    for r in &rows {
        out.push_str(&line(r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(fmt_num(19.78), "19.78");
        assert_eq!(fmt_num(2.998_360_655_737_705), "2.99836");
        assert_eq!(fmt_num(1234.5), "1234.5");
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(1e-7), "1.0000e-7");
    }
}
