//! `segscope plot FILE [PIPELINE] --kind sweep|scatter|dendrogram|silhouette|profiles (--k K | --recipe
//! R.json) [--method M] [--k-range 2..10] -o OUT.svg|OUT.png`: one plot of a run, drawn by the engine's
//! [`crate::plot`] (the report's drawing code), written through the output plan (atomic, never an input).
//! The format follows the extension of `-o` (or `--format` for `-` and other names).

use std::path::PathBuf;

use super::engine::{KRange, load_prepared, parse_k_arg, print_decisions};
use super::pipeline::{ModelArgs, PipelineArgs};
use crate::analysis::run::SweepExtras;
use crate::analysis::{Policy, Target, sweep};
use crate::error::{Error, Result};
use crate::export::io_err;
use crate::jobs::Progress;
use crate::plot::{self, Format, SweepPlot, of_run};

/// The plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlotKind {
    /// The K-choice curves (inertia, silhouette, Davies-Bouldin, Calinski-Harabasz, BIC) over --k-range
    /// with the recommendation.
    Sweep,
    /// The rows on their first two principal components, coloured by segment.
    Scatter,
    /// The merge tree with the cut (hierarchical methods).
    Dendrogram,
    /// Every row's silhouette, sorted within its segment.
    Silhouette,
    /// Each segment's difference from all rows, per feature.
    Profiles,
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Vector graphics.
    Svg,
    /// A PNG image.
    Png,
}

/// Arguments of `plot`.
#[derive(Debug, clap::Args)]
pub struct PlotArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// The method and scoring.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Which plot.
    #[arg(long, value_enum)]
    pub kind: PlotKind,
    /// Number of segments (or the recipe's k); marked on the sweep plot when given.
    #[arg(long)]
    pub k: Option<usize>,
    /// The k values of the sweep plot: `2..10` (inclusive), `4`, or `2,4,6`.
    #[arg(long, default_value = "2..10", value_parser = parse_k_arg)]
    pub k_range: KRange,
    /// The format (default: from the extension of -o).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Where to write the plot (`.svg` or `.png`; `-` for standard output with --format).
    #[arg(short, long, value_name = "OUT.svg|OUT.png")]
    pub output: PathBuf,
}

/// The format of `-o` (`--format` first): a usage error when neither names one.
pub(super) fn output_format(output: &std::path::Path, format: Option<FormatArg>) -> Result<Format> {
    match (format, Format::from_path(output)) {
        (Some(FormatArg::Svg), _) => Ok(Format::Svg),
        (Some(FormatArg::Png), _) => Ok(Format::Png),
        (None, Some(f)) => Ok(f),
        (None, None) => Err(Error::Usage(format!(
            "cannot tell the format of '{}': name it .svg or .png, or give --format svg|png",
            output.display()
        ))),
    }
}

pub(super) fn run(args: &PlotArgs, progress: &Progress) -> Result<()> {
    let format = output_format(&args.output, args.format)?;
    let mut plan = super::engine::output_plan(&args.file, args.pipeline.recipe.as_deref())?;
    let out = plan.add_output(&args.output, "the plot")?;
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let policy = Policy {
        force_exact_silhouette: args.model.exact_silhouette,
        ..Policy::default()
    };
    let bytes = if args.kind == PlotKind::Sweep {
        let spec = args
            .pipeline
            .model_spec(loaded.resolved.model, &args.model, args.k, None);
        if spec.method.is_density() {
            return Err(Error::Usage(format!(
                "--kind sweep fits a range of k, and {} takes no k; plot its scatter, silhouette or \
                 profiles instead (see segscope kdist for eps)",
                spec.method
            )));
        }
        let (s, _) = sweep(
            &loaded.data,
            &args.k_range.0,
            &spec,
            &policy,
            SweepExtras::default(),
            None,
            progress,
            None,
        )?;
        print_decisions(&s.decisions);
        plot::render(
            &SweepPlot {
                sweep: &s,
                chosen_k: spec.k,
            },
            format,
        )?
    } else {
        let spec = args
            .pipeline
            .model_spec(loaded.resolved.model, &args.model, args.k, None);
        let target = match spec.k {
            _ if spec.method.is_density() => {
                if args.k.is_some() {
                    return Err(Error::Usage(format!(
                        "--k does not apply to {}: a density method finds the number of segments \
                         from --eps and --min-samples; drop --k",
                        spec.method
                    )));
                }
                Target::Density
            }
            Some(k) => Target::K(k),
            None => {
                return Err(Error::Usage(
                    "the number of segments is not given: use --k K, or a --recipe that has one"
                        .into(),
                ));
            }
        };
        if args.kind == PlotKind::Dendrogram && !spec.method.is_hierarchical() {
            return Err(Error::Usage(format!(
                "--kind dendrogram needs a hierarchical method (--method ward, average, complete or \
                 single), not {}",
                spec.method
            )));
        }
        let result = loaded.fit(&spec, target, &policy, progress)?;
        print_decisions(&result.decisions);
        match args.kind {
            PlotKind::Scatter => {
                let map = of_run::pca_map(&loaded.data, progress)?;
                plot::render(&of_run::scatter(&result, &map), format)?
            }
            PlotKind::Dendrogram => {
                let d = of_run::dendrogram(&result).ok_or_else(|| {
                    Error::InvalidParameter(
                        "the tree has a single leaf: there is nothing to draw".into(),
                    )
                })?;
                plot::render(&d, format)?
            }
            PlotKind::Silhouette => {
                let s = of_run::silhouette(&result).ok_or_else(|| {
                    Error::InvalidParameter(format!(
                        "per-row silhouettes were not computed for these {} rows (they need at least 2 \
                         segments, and are exact only up to {} rows; --exact-silhouette computes them all)",
                        loaded.data.n_rows(),
                        policy.exact_silhouette_rows
                    ))
                })?;
                plot::render(&s, format)?
            }
            PlotKind::Profiles => plot::render(&of_run::profiles(&result), format)?,
            PlotKind::Sweep => Vec::new(),
        }
    };
    plan.write(out, |w| w.write_all(&bytes).map_err(io_err))?;
    plan.commit()?;
    if !super::quiet() {
        eprintln!("wrote {}", args.output.display());
    }
    Ok(())
}
