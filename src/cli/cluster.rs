//! `segscope cluster FILE [PIPELINE] (--k K | --height H) [--method M] -o OUT.csv [--profile P.csv]
//! [--save-recipe R.json] [--json]`: segments every row and writes the input with segment columns. Every
//! step goes through the run API ([`crate::analysis::fit_segments`]), as in the app.
//!
//! Density methods take no k: `--method dbscan --eps E [--min-samples M]`, `--method optics
//! [--min-samples M] [--xi X | --eps E]`. Their outliers are written as `outlier` (JSON: segment −1,
//! `"noise": n`) and left out of the silhouette and the indices.

use std::path::PathBuf;

use serde_json::json;

use super::engine::{
    announce_cost, announce_exact_silhouette, load_prepared, opt, print_decisions, print_json,
};
use super::pipeline::{ModelArgs, PipelineArgs};
use crate::analysis::stability::StabilityOptions;
use crate::analysis::{Policy, SegResult, Target};
use crate::error::{Error, Result};
use crate::export::write::{OutputId, Writer};
use crate::export::{
    ExportColumns, io_err, segment_columns, write_labelled_table, write_profile_csv,
};
use crate::jobs::Progress;

/// Arguments of `cluster`.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// CSV file, or `-` for standard input.
    pub file: String,
    /// The preparation.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// The method and scoring.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Number of segments (or the recipe's k).
    #[arg(long, conflicts_with = "height")]
    pub k: Option<usize>,
    /// Cut the tree at this height (hierarchical methods).
    #[arg(long)]
    pub height: Option<f64>,
    /// The labelled CSV: the input's columns + segment, silhouette (+ p_0.. for gmm, distance_to_centre
    /// for kmeans).
    #[arg(short, long, value_name = "OUT.csv")]
    pub output: PathBuf,
    /// Also write per-segment profiles in original units.
    #[arg(long, value_name = "P.csv")]
    pub profile: Option<PathBuf>,
    /// Also write the recipe (preparation + method + k as used) to reproduce this run.
    #[arg(long, value_name = "R.json")]
    pub save_recipe: Option<PathBuf>,
    /// Also write the segment model that scores new customers without refitting (`segscope apply`,
    /// `segscope sql`, `segscope serve`).
    #[arg(long, value_name = "M.json")]
    pub save_model: Option<PathBuf>,
    /// Print each segment explained in words (the features that set it apart) and its suggested name.
    #[arg(long)]
    pub describe: bool,
    /// Bootstrap stability of the segments with B resamples (per-segment Jaccard; 0 = off).
    #[arg(long, value_name = "B", default_value_t = 0)]
    pub stability: usize,
    /// Print a JSON summary for scripts.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &ClusterArgs, progress: &Progress) -> Result<()> {
    // Every output is checked (never an input, its folder exists) before the long work starts.
    let mut plan = super::engine::output_plan(&args.file, args.pipeline.recipe.as_deref())?;
    let out = plan.add_output(&args.output, "the labelled CSV")?;
    let profile_out = args
        .profile
        .as_deref()
        .map(|p| plan.add_output(p, "the profile"))
        .transpose()?;
    let recipe_out = args
        .save_recipe
        .as_deref()
        .map(|p| plan.add_output(p, "the recipe"))
        .transpose()?;
    let model_out = args
        .save_model
        .as_deref()
        .map(|p| plan.add_output(p, "the model"))
        .transpose()?;
    let loaded = load_prepared(&args.file, &args.pipeline, progress)?;
    let spec = args
        .pipeline
        .model_spec(loaded.resolved.model, &args.model, args.k, args.height);
    check_density_flags(args, &spec)?;
    let target = match (spec.k, spec.height) {
        _ if spec.method.is_density() => Target::Density,
        (_, Some(h)) => Target::Height(h),
        (Some(k), None) => Target::K(k),
        (None, None) => {
            return Err(Error::InvalidParameter(
                "the number of segments is not given: use --k K (or --height H for a hierarchical \
                 method), or a recipe that has one"
                    .into(),
            ));
        }
    };
    let policy = Policy {
        force_exact_silhouette: args.model.exact_silhouette,
        ..Policy::default()
    };
    let x = loaded.data.x();
    announce_exact_silhouette(x.nrows(), x.ncols(), args.model.exact_silhouette);
    if let Target::K(k) = target {
        announce_cost(&loaded.data, &[k], &spec, &policy)?;
    }
    let mut result = loaded.fit(&spec, target, &policy, progress)?;
    if args.stability > 0 {
        result.assess_stability(
            &loaded.data,
            &StabilityOptions {
                resamples: args.stability,
                ..StabilityOptions::default()
            },
            progress,
        )?;
    }
    print_decisions(&result.decisions);
    let n = x.nrows();
    let n_clusters = result.seg.n_clusters();
    let n_noise = result.seg.n_noise();
    let mut sizes = result.sizes();
    sizes.truncate(n_clusters);
    let used = sizes.iter().filter(|&&s| s > 0).count();
    if result.silhouette_mean.is_none() && result.seg.method.is_density() {
        eprintln!(
            "warning: the silhouette is undefined here: it needs at least 2 clusters (outliers are not \
             scored); this run found {n_clusters} cluster(s) and {n_noise} outliers on {n} rows — try \
             another eps or min_samples (see segscope kdist)"
        );
    } else if result.silhouette_mean.is_none() {
        eprintln!(
            "warning: the silhouette is undefined here: it needs at least 2 non-empty segments and fewer \
             segments than rows (this run has {used} non-empty of {} segments on {n} rows; identical rows \
             cannot be split)",
            result.seg.k
        );
    }
    if result.silhouette.is_none() && result.silhouette_sampled.is_some() {
        eprintln!(
            "warning: {n} rows: the silhouette column is left empty (per-row silhouettes are exact only up \
             to {} rows; --exact-silhouette computes them all)",
            policy.exact_silhouette_rows
        );
    }
    let extra = segment_columns(
        &result,
        &loaded.data,
        loaded.table.n_rows(),
        ExportColumns::default(),
    );
    let recipe_json = match recipe_out {
        Some(_) => Some(result.recipe(&loaded.data)?.to_json()?),
        None => None,
    };
    let model_json = match model_out {
        Some(_) => Some(crate::model::run::model_json(
            &loaded.table,
            &loaded.data,
            &result,
        )?),
        None => None,
    };
    let table = &loaded.table;
    let mut writers: Vec<(OutputId, Writer<'_>)> = vec![(
        out,
        Box::new(|w| write_labelled_table(table, &extra, w, progress)),
    )];
    if let Some(id) = profile_out {
        writers.push((
            id,
            Box::new(|w| write_profile_csv(&result.profile, result.profile_words(), w)),
        ));
    }
    for (id, json) in [(recipe_out, &recipe_json), (model_out, &model_json)] {
        if let (Some(id), Some(json)) = (id, json) {
            writers.push((
                id,
                Box::new(|w| w.write_all(json.as_bytes()).map_err(io_err)),
            ));
        }
    }
    // All or nothing: the files appear together, or none does.
    plan.finish(writers)?;
    let sampled = result.silhouette_sampled;
    if args.json {
        let mut v = json!({
            "method": result.seg.method.to_string(),
            "k": n_clusters,
            "n_rows": n,
            "inertia": result.seg.inertia,
            "silhouette": result.silhouette_mean,
            "davies_bouldin": result.davies_bouldin,
            "calinski_harabasz": result.calinski_harabasz,
            "sizes": sizes,
            "bic": result.seg.bic,
            "aic": result.seg.aic,
            "approximate": result.seg.approximate,
            "n_init": (!result.seg.method.is_density()).then_some(result.options.n_init),
            "seed": result.options.seed,
            "refine": (result.seg.method == crate::cluster::Method::Kmeans)
                .then(|| result.options.refine.to_string()),
            "sampled": sampled.is_some(),
            "silhouette_ci": sampled.map(|s| [s.ci_low, s.ci_high]),
            "silhouette_sample_size": sampled.map(|s| s.sample_size),
            "decisions": result.decisions,
            "sampled_rows": super::engine::sampled_rows(&loaded.table),
            "segments": segments_json(&result),
            "stability": result.stability.as_ref().map(|s| json!({
                "ari_mean": s.ari_mean, "ari_p05": s.ari_p05, "ari_p95": s.ari_p95, "b": s.b,
                "subsampled": s.subsampled,
            })),
            "noise": n_noise,
        });
        if let (Some(d), Some(obj)) = (&result.seg.density, v.as_object_mut()) {
            obj.insert("eps".into(), json!(d.cut.eps()));
            obj.insert("min_samples".into(), json!(d.cut.min_samples()));
            obj.insert("xi".into(), json!(d.cut.xi()));
            obj.insert("n_core".into(), json!(d.core_rows.len()));
        }
        return print_json(&v);
    }
    if args.describe {
        for d in &result.descriptions {
            let name = result.names.get(d.segment).unwrap_or(&d.name);
            let stab = result
                .stability
                .as_ref()
                .and_then(|s| s.jaccard.get(d.segment))
                .map_or_else(String::new, |j| format!(" [stability: Jaccard {j:.2}]"));
            println!("{} — \"{name}\"{stab}", d.description);
        }
    }
    let sil = match sampled {
        Some(s) => format!(
            "{} (sampled: 95% CI {:.4}–{:.4} from {} rows)",
            opt(result.silhouette_mean, 4),
            s.ci_low,
            s.ci_high,
            s.sample_size
        ),
        None => opt(result.silhouette_mean, 4),
    };
    let outliers = if result.seg.method.is_density() {
        format!(" + {n_noise} outliers (not scored)")
    } else {
        String::new()
    };
    eprintln!(
        "{} segments ({}){outliers} on {n} rows: sizes {:?}; silhouette {sil}, Davies-Bouldin {}, Calinski-Harabasz {}; wrote {}",
        n_clusters,
        result.seg.method,
        sizes,
        opt(result.davies_bouldin, 4),
        opt(result.calinski_harabasz, 2),
        args.output.display()
    );
    Ok(())
}

/// The `segments` array of `cluster --json`: each segment's size, share, name, stability (Jaccard) and
/// description with its top features.
fn segments_json(result: &SegResult) -> serde_json::Value {
    let jaccard = |s: usize| {
        result
            .stability
            .as_ref()
            .and_then(|st| st.jaccard.get(s).copied())
    };
    let noise = result.seg.noise_segment();
    result
        .descriptions
        .iter()
        .map(|d| {
            let segment = if Some(d.segment) == noise {
                -1
            } else {
                d.segment as i64
            };
            json!({
                "segment": segment,
                "size": d.size,
                "share": d.share,
                "name": result.names.get(d.segment).unwrap_or(&d.name),
                "jaccard": jaccard(d.segment),
                "description": d.description,
                "top_features": d.top_features,
            })
        })
        .collect()
}

/// Usage errors (exit 2) of the density flags, checked once the recipe is read: `--k`/`--height` or
/// `--stability` with a density method, dbscan without eps, density flags with another method.
fn check_density_flags(args: &ClusterArgs, spec: &crate::analysis::ModelSpec) -> Result<()> {
    let m = spec.method;
    if m.is_density() {
        if let Some(flag) = [
            (args.k.is_some(), "--k"),
            (args.height.is_some(), "--height"),
        ]
        .into_iter()
        .find_map(|(given, f)| given.then_some(f))
        {
            return Err(Error::Usage(format!(
                "{flag} does not apply to {m}: a density method finds the number of segments itself \
                 from --eps and --min-samples (rows in no dense region are outliers); drop {flag}"
            )));
        }
        if args.stability > 0 {
            return Err(Error::Usage(format!(
                "--stability is not available for {m} (bootstrap resamples repeat rows, which changes \
                 the density its segments follow); drop --stability"
            )));
        }
        if m == crate::cluster::Method::Dbscan && spec.eps.is_none() {
            let ms = spec
                .min_samples
                .unwrap_or(crate::analysis::density::DEFAULT_MIN_SAMPLES);
            return Err(Error::Usage(format!(
                "--method dbscan needs --eps E (the neighbourhood radius in prepared units); \
                 `segscope kdist {} --min-samples {ms}` prints a suggested eps at the knee of the \
                 k-distance curve",
                args.file
            )));
        }
        if m == crate::cluster::Method::Dbscan && args.model.xi.is_some() {
            return Err(Error::Usage(
                "--xi is an optics setting; dbscan takes --eps and --min-samples".into(),
            ));
        }
    } else if let Some(flag) = [
        (args.model.eps.is_some(), "--eps"),
        (args.model.min_samples.is_some(), "--min-samples"),
        (args.model.xi.is_some(), "--xi"),
    ]
    .into_iter()
    .find_map(|(given, f)| given.then_some(f))
    {
        return Err(Error::Usage(format!(
            "{flag} is for --method dbscan or optics, not {m}"
        )));
    }
    Ok(())
}
