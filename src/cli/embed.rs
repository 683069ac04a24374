//! `segscope embed FILE [PIPELINE] [--method tsne|pca] [--perplexity P] [--iterations N] [--seed N]
//! -o XY.csv`: a 2-D map of the prepared rows, columns `x,y`, one row per kept input row, in input order.

use std::path::PathBuf;

use super::engine::load_prepared;
use super::pipeline::PipelineArgs;
use crate::error::{Error, Result};
use crate::export::{csv_err, fmt_f64, io_err};
use crate::jobs::Progress;
use crate::reduce::tsne::MAX_ROWS;
use crate::reduce::{TsneParams, pca, tsne};

/// The map methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EmbedMethod {
    /// Barnes-Hut t-SNE (sklearn's TSNE conventions, PCA initialisation): keeps neighbourhoods.
    Tsne,
    /// The first two principal components: keeps large distances and directions.
    Pca,
}

/// Arguments of `embed`.
#[derive(Debug, clap::Args)]
pub struct EmbedArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// How to map the rows to 2-D.
    #[arg(long, value_enum, default_value_t = EmbedMethod::Tsne)]
    pub method: EmbedMethod,
    /// t-SNE: roughly how many neighbours each row keeps close (5–50; needs more than 3 × P rows).
    #[arg(long, default_value_t = 30.0, value_name = "P")]
    pub perplexity: f64,
    /// t-SNE: optimisation steps (at least 250).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub iterations: usize,
    /// Where to write the map (`x,y`; `-` for standard output).
    #[arg(short, long, value_name = "XY.csv")]
    pub output: PathBuf,
}

pub(super) fn run(args: &EmbedArgs, progress: &Progress) -> Result<()> {
    let mut plan = super::engine::output_plan(&args.file, args.pipeline.recipe.as_deref())?;
    let out = plan.add_output(&args.output, "the map")?;
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let x = loaded.data.x();
    let (n, d) = x.dim();
    let xy = match args.method {
        EmbedMethod::Pca => {
            if d < 2 {
                return Err(Error::InvalidParameter(format!(
                    "a PCA map needs at least 2 prepared features; got {d}"
                )));
            }
            pca(x, 2, progress)?.transform(x)
        }
        EmbedMethod::Tsne => {
            let seed = args
                .pipeline
                .seed
                .or_else(|| loaded.resolved.model.as_ref().map(|m| m.seed))
                .unwrap_or(0);
            let params = TsneParams {
                perplexity: args.perplexity,
                iterations: args.iterations,
                seed,
                ..TsneParams::default()
            };
            if n > MAX_ROWS {
                super::note(&format!(
                    "t-SNE of all {n} rows (the app maps a sample above {MAX_ROWS}); --sample N maps fewer"
                ));
            }
            tsne(x, &params, progress, |_, _| {})?
        }
    };
    plan.write(out, |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record(["x", "y"]).map_err(csv_err)?;
        for row in xy.rows() {
            c.write_record(row.iter().map(|v| fmt_f64(*v)))
                .map_err(csv_err)?;
        }
        c.flush().map_err(io_err)
    })?;
    plan.commit()?;
    if !super::quiet() {
        eprintln!("mapped {n} rows × {d} features to 2-D");
    }
    Ok(())
}
