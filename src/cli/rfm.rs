//! `segscope rfm FILE --customer C --date D --amount A [--as-of YYYY-MM-DD] [--skip-bad-rows] -o OUT.csv`:
//! one row per customer with recency, frequency, monetary and their 1..5 scores.

use std::path::{Path, PathBuf};

use crate::data::parse_date_iso;
use crate::error::{Error, Result};
use crate::export::write_rfm_csv;
use crate::jobs::Progress;
use crate::prep::rfm::{RfmOptions, rfm_from_path, rfm_from_reader};

/// Arguments of `rfm`.
#[derive(Debug, clap::Args)]
pub struct RfmArgs {
    /// Transactions CSV, or `-` for standard input.
    pub file: String,
    /// Customer id column.
    #[arg(long, value_name = "C")]
    pub customer: String,
    /// Transaction date column (YYYY-MM-DD).
    #[arg(long, value_name = "D")]
    pub date: String,
    /// Amount column.
    #[arg(long, value_name = "A")]
    pub amount: String,
    /// Reference day for recency (default: the day after the last transaction).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Skip rows with a bad date, amount or customer id (counted) instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Where to write the RFM CSV (`-` for standard output).
    #[arg(short, long, value_name = "OUT.csv")]
    pub output: PathBuf,
}

pub(super) fn run(args: &RfmArgs, progress: &Progress) -> Result<()> {
    let mut plan = super::engine::output_plan(&args.file, None)?;
    let out = plan.add_output(&args.output, "the RFM table")?;
    let as_of = match &args.as_of {
        None => None,
        Some(s) => Some(parse_date_iso(s.trim()).ok_or_else(|| {
            Error::InvalidParameter(format!("--as-of {s}: not a date like 2024-03-31"))
        })?),
    };
    let opts = RfmOptions {
        customer: args.customer.clone(),
        date: args.date.clone(),
        amount: args.amount.clone(),
        as_of,
        skip_bad_rows: args.skip_bad_rows,
    };
    let rfm = if args.file == "-" {
        rfm_from_reader(std::io::stdin().lock(), "<stdin>", &opts, progress)?
    } else {
        rfm_from_path(Path::new(&args.file), &opts, progress)?
    };
    super::print_warnings(&rfm.warnings);
    plan.write(out, |w| write_rfm_csv(&rfm, &args.customer, w))?;
    plan.commit()?;
    eprintln!(
        "{} customers from {} transactions (as of {})",
        rfm.rows.len(),
        rfm.n_transactions,
        crate::data::format_date(rfm.as_of)
    );
    Ok(())
}
