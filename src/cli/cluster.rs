//! `segscope cluster FILE [PIPELINE] (--k K | --height H) [--method M] -o OUT.csv [--profile P.csv]
//! [--save-recipe R.json] [--json]`: segments every row and writes the input with segment columns.

use std::path::PathBuf;

use serde_json::json;

use super::engine::{load_prepared, opt, parse_method, print_json};
use super::pipeline::PipelineArgs;
use crate::analysis::{FitOptions, fit, fit_height, profile, write_profile_csv};
use crate::cluster::Method;
use crate::data::decode_text;
use crate::error::Result;
use crate::export::{RowResults, label_columns, write_labelled};
use crate::jobs::Progress;
use crate::metrics::{score_all, silhouette_samples};
use crate::prep::output::write_atomic;

/// Largest row count for which per-row silhouettes are written.
const ROW_SILHOUETTE_LIMIT: usize = 50_000;

/// Arguments of `cluster`.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Number of segments.
    #[arg(long, required_unless_present = "height", conflicts_with = "height")]
    pub k: Option<usize>,
    /// Cut the tree at this height (hierarchical methods).
    #[arg(long)]
    pub height: Option<f64>,
    /// kmeans, gmm, ward, average, complete or single.
    #[arg(long, default_value = "kmeans", value_parser = parse_method)]
    pub method: Method,
    /// The labelled CSV: the input's columns + segment, silhouette (+ p_0.. for gmm, distance_to_centre
    /// for kmeans).
    #[arg(short, long, value_name = "OUT.csv")]
    pub output: PathBuf,
    /// Also write per-segment profiles in original units.
    #[arg(long, value_name = "P.csv")]
    pub profile: Option<PathBuf>,
    /// Also write the recipe (preparation + method + k) to reproduce this run.
    #[arg(long, value_name = "R.json")]
    pub save_recipe: Option<PathBuf>,
    /// Print a JSON summary for scripts.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &ClusterArgs) -> Result<()> {
    let progress = Progress::new();
    let loaded = load_prepared(&args.file, &args.pipeline, &progress)?;
    let x = loaded.prepared.matrix.view();
    let opts = FitOptions {
        method: args.method,
        seed: args.pipeline.seed,
        n_init: args.pipeline.n_init,
    };
    let seg = match (args.k, args.height) {
        (_, Some(h)) => fit_height(x, h, opts, &progress)?,
        (Some(k), None) => fit(x, k, opts, &progress)?,
        (None, None) => unreachable!("clap requires --k or --height"),
    };
    let scores = score_all(x, &seg.labels, &progress)?;
    let n = x.nrows();
    let sizes = seg.sizes();
    let used = sizes.iter().filter(|&&s| s > 0).count();
    if scores.silhouette.is_none() {
        eprintln!(
            "warning: the silhouette is undefined here: it needs at least 2 non-empty segments and fewer \
             segments than rows (this run has {used} non-empty of {} segments on {n} rows; identical rows \
             cannot be split)",
            seg.k
        );
    }
    let row_sil = if (2..n).contains(&used) && n <= ROW_SILHOUETTE_LIMIT {
        Some(silhouette_samples(x, &seg.labels, &progress)?)
    } else {
        if n > ROW_SILHOUETTE_LIMIT {
            eprintln!(
                "warning: {n} rows: per-row silhouettes are left empty (exact limit {ROW_SILHOUETTE_LIMIT})"
            );
        }
        None
    };
    let distances = (seg.method == Method::Kmeans).then(|| seg.distances_to_centre(x));
    let extra = label_columns(&RowResults {
        n_rows: loaded.table.n_rows(),
        kept_rows: &loaded.prepared.kept_rows,
        labels: &seg.labels,
        silhouette_column: true,
        silhouette: row_sil.as_deref(),
        probabilities: seg.probabilities.as_ref().map(ndarray::Array2::view),
        distances: distances.as_deref(),
    });
    let text = decode_text(loaded.bytes, &loaded.table.source_name)?;
    write_atomic(&args.output, |w| {
        write_labelled(
            &text,
            loaded.table.delimiter,
            loaded.table.has_header,
            &extra,
            w,
        )
    })?;
    if let Some(path) = &args.profile {
        let p = profile(
            &loaded.table,
            &loaded.recipe.features,
            &loaded.prepared.kept_rows,
            &seg.labels,
            seg.k,
        )?;
        write_atomic(path, |w| write_profile_csv(&p, w))?;
    }
    if let Some(path) = &args.save_recipe {
        let mut r = loaded.recipe.clone();
        r.method = Some(seg.method.to_string());
        r.k = args.k.or(Some(seg.k));
        r.height = args.height;
        r.seed = Some(args.pipeline.seed);
        r.n_init = Some(args.pipeline.n_init);
        r.model = Some(fitted_model(
            &loaded.fitted,
            &loaded.prepared.feature_names,
            &seg,
        )?);
        let json = r.to_json()?;
        write_atomic(path, |w| {
            w.write_all(json.as_bytes())
                .map_err(|e| crate::error::Error::io(path, e))
        })?;
    }
    if args.json {
        return print_json(&json!({
            "method": seg.method.to_string(),
            "k": seg.k,
            "n_rows": n,
            "inertia": seg.inertia,
            "silhouette": scores.silhouette,
            "davies_bouldin": scores.davies_bouldin,
            "calinski_harabasz": scores.calinski_harabasz,
            "sizes": sizes,
            "bic": seg.bic,
            "aic": seg.aic,
            "approximate": seg.approximate,
        }));
    }
    eprintln!(
        "{} segments ({}) on {n} rows: sizes {:?}; silhouette {}, Davies-Bouldin {}, Calinski-Harabasz {}; wrote {}",
        seg.k,
        seg.method,
        sizes,
        opt(scores.silhouette, 4),
        opt(scores.davies_bouldin, 4),
        opt(scores.calinski_harabasz, 2),
        args.output.display()
    );
    let _ = &loaded.fitted;
    Ok(())
}

/// The centres of `seg` for the saved recipe, in prepared and original units.
pub(crate) fn fitted_model(
    fitted: &crate::prep::Fitted,
    feature_names: &[String],
    seg: &crate::analysis::Segmentation,
) -> Result<crate::prep::FittedModel> {
    let centres: Vec<Vec<f64>> = seg.centroids.outer_iter().map(|r| r.to_vec()).collect();
    let centres_original = centres
        .iter()
        .map(|c| fitted.inverse_transform(c))
        .collect::<Result<Vec<_>>>()?;
    let cut_height = seg.dendrogram.as_ref().and_then(|t| {
        (seg.k >= 1 && seg.k <= t.n_leaves).then(|| crate::cluster::height_for_k(t, seg.k))
    });
    Ok(crate::prep::FittedModel {
        feature_names: feature_names.to_vec(),
        sizes: seg.sizes(),
        centres,
        centres_original,
        cut_height,
    })
}
