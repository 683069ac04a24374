//! `segscope sql M.json --dialect duckdb|postgres|sqlite|bigquery|snowflake|spark [--table NAME]
//! [-o score.sql]`: the model as one SQL SELECT over a table of customers (see [`crate::model::sql`]).

use std::path::PathBuf;

use crate::error::Result;
use crate::jobs::Progress;
use crate::model::SegmentModel;
use crate::model::sql::{Dialect, to_sql};

/// Arguments of `sql`.
#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// The model (`cluster --save-model`).
    pub model: PathBuf,
    /// duckdb, postgres, sqlite, bigquery, snowflake or spark.
    #[arg(long, value_parser = |s: &str| s.parse::<Dialect>())]
    pub dialect: Dialect,
    /// The table holding the customers, with the CSV's column names (missing values as NULL); may be
    /// qualified (schema.table).
    #[arg(long, default_value = "input", value_name = "NAME")]
    pub table: String,
    /// Write the statement here instead of standard output.
    #[arg(short, long, value_name = "score.sql")]
    pub output: Option<PathBuf>,
}

pub(super) fn run(args: &SqlArgs, _progress: &Progress) -> Result<()> {
    let mut plan = crate::export::write::OutputPlan::new();
    plan.add_input(&args.model)?;
    let out = plan.add_output(
        args.output.as_deref().unwrap_or(std::path::Path::new("-")),
        "the SQL statement",
    )?;
    let model = SegmentModel::from_path(&args.model)?;
    let sql = to_sql(&model, args.dialect, &args.table)?;
    plan.write(out, |w| {
        w.write_all(sql.as_bytes()).map_err(crate::export::io_err)
    })?;
    plan.commit()
}
