//! The PIPELINE flags shared by every engine subcommand (`prepare`, `sweep`, `cluster`, ...), flattened
//! into each one's arguments, and their resolution against a loaded table and an optional recipe file.
//!
//! Rules: without `--recipe`, the flags describe the preparation (default features: every numeric column
//! that is not ID-like or label-like, with a warning naming what was left out). With `--recipe`, the
//! recipe is the starting point and every flag given explicitly overrides its field, with a note on
//! standard error; flags left out keep the recipe's values. The same holds for the model part (method, k,
//! seed, restarts, covariance).

use std::path::PathBuf;

use crate::analysis::{FittedModel, ModelSpec, Recipe};
use crate::cluster::kmeans::Refine;
use crate::cluster::{CovarianceType, Method};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::prep::select::{check_names, left_out_by_default, select_features};
use crate::prep::{Impute, Preparation, Scale};

/// The scalers as the CLI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScaleArg {
    /// Subtract the mean, divide by the population std (sklearn StandardScaler).
    Standard,
    /// Map each column to [0, 1] (sklearn MinMaxScaler).
    Minmax,
    /// Subtract the median, divide by the 25-75 percentile range (sklearn RobustScaler).
    Robust,
    /// Leave values as they are.
    None,
}

impl From<ScaleArg> for Scale {
    fn from(s: ScaleArg) -> Self {
        match s {
            ScaleArg::Standard => Scale::Standard,
            ScaleArg::Minmax => Scale::Minmax,
            ScaleArg::Robust => Scale::Robust,
            ScaleArg::None => Scale::None,
        }
    }
}

/// Covariance types as the CLI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CovarianceArg {
    /// One full covariance matrix per component.
    Full,
    /// One variance per feature per component.
    Diag,
    /// One variance per component.
    Spherical,
}

impl From<CovarianceArg> for CovarianceType {
    fn from(c: CovarianceArg) -> Self {
        match c {
            CovarianceArg::Full => CovarianceType::Full,
            CovarianceArg::Diag => CovarianceType::Diag,
            CovarianceArg::Spherical => CovarianceType::Spherical,
        }
    }
}

/// K-Means refinements as the CLI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RefineArg {
    /// After Lloyd, move single points while a move lowers the total inertia (centre shifts included),
    /// then swap centres of the best restart while a swap lowers it.
    HartiganWong,
    /// Plain Lloyd, as scikit-learn's KMeans (for comparisons).
    None,
}

impl From<RefineArg> for Refine {
    fn from(r: RefineArg) -> Self {
        match r {
            RefineArg::HartiganWong => Refine::HartiganWong,
            RefineArg::None => Refine::None,
        }
    }
}

/// `--features a,b | --exclude a,b`, `--impute`, `--scale`, `--log1p`, `--max-categories`, `--recipe`,
/// `--seed`, `--n-init`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PipelineArgs {
    /// Columns to use as features (default: every numeric column that does not look like an ID or a
    /// label). Categorical ones are one-hot encoded.
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    pub features: Vec<String>,
    /// Columns to leave out of the default selection.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "A,B",
        conflicts_with = "features"
    )]
    pub exclude: Vec<String>,
    /// Missing values: drop|mean|median|mode|constant:V|knn|knn:K for all numeric features, and/or
    /// COLUMN=STRATEGY for one column (comma-separated). Categoricals use the mode. [default: median]
    #[arg(long, value_delimiter = ',', value_name = "STRATEGY")]
    pub impute: Vec<String>,
    /// Scaling of the prepared columns. [default: standard]
    #[arg(long, value_enum)]
    pub scale: Option<ScaleArg>,
    /// Numeric features to transform with ln(1 + x) before scaling.
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub log1p: Vec<String>,
    /// Refuse categorical features with more levels than this. [default: 50]
    #[arg(long, value_name = "N")]
    pub max_categories: Option<usize>,
    /// Start from a recipe JSON file (`cluster --save-recipe` or the app's Export tab); flags given
    /// explicitly override its fields.
    #[arg(long, value_name = "R.json")]
    pub recipe: Option<PathBuf>,
    /// Random seed. [default: 0]
    #[arg(long)]
    pub seed: Option<u64>,
    /// Restarts of k-means / Gaussian mixtures. [default: 10, lowered to 3 (k-means) or 1 (gmm) above
    /// 200,000 rows]
    #[arg(long, value_name = "N")]
    pub n_init: Option<usize>,
    /// Load a uniform random sample of N rows (one streaming pass, seeded by --seed) instead of the whole
    /// file: for files bigger than memory. Score the whole file afterwards with `apply`.
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
}

/// The clustering flags of `sweep` and `cluster`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ModelArgs {
    /// kmeans, gmm, ward, average, complete, single, dbscan or optics. [default: kmeans, or the
    /// recipe's]
    #[arg(long, value_parser = parse_method)]
    pub method: Option<Method>,
    /// dbscan: the neighbourhood radius in prepared (scaled) units; optics: cut the reachability plot at
    /// this eps instead of using xi. `segscope kdist FILE --min-samples M` suggests one.
    #[arg(long, value_name = "E")]
    pub eps: Option<f64>,
    /// dbscan, optics: neighbours (the row itself included) a core row needs. [default: 5]
    #[arg(long, value_name = "M")]
    pub min_samples: Option<usize>,
    /// optics: steepness of cluster boundaries on the reachability plot, 0..1. [default: 0.05 without
    /// --eps]
    #[arg(long, value_name = "X", conflicts_with = "eps")]
    pub xi: Option<f64>,
    /// Covariance type of Gaussian mixtures. [default: full]
    #[arg(long, value_enum)]
    pub covariance: Option<CovarianceArg>,
    /// Compute exact silhouettes whatever the size (above 30,000 rows they are estimated from a sample by
    /// default; exact takes O(n²) time, estimated before it starts).
    #[arg(long)]
    pub exact_silhouette: bool,
    /// kmeans: what follows Lloyd's iterations. [default: hartigan-wong, or the recipe's]
    #[arg(long, value_enum)]
    pub refine: Option<RefineArg>,
}

/// Parses `--method`.
pub fn parse_method(s: &str) -> std::result::Result<Method, String> {
    s.parse()
}

/// `--impute` split into the default strategy (if given) and per-column overrides.
type ImputeFlags = (Option<Impute>, Vec<(String, Impute)>);

/// Splits `--impute` items into the default strategy (if given) and per-column overrides.
fn parse_impute(items: &[String]) -> Result<ImputeFlags> {
    let mut default = None;
    let mut per_column = Vec::new();
    for item in items {
        let parse = |s: &str| {
            s.parse::<Impute>()
                .map_err(|e| Error::InvalidParameter(format!("--impute: {e}")))
        };
        match item.split_once('=') {
            Some((col, strategy)) if !item.starts_with("constant:") => {
                per_column.push((col.trim().to_owned(), parse(strategy)?));
            }
            _ => default = Some(parse(item)?),
        }
    }
    Ok((default, per_column))
}

/// Prints a note that flag `flag` replaced the recipe's value.
fn override_note(flag: &str, from: &str, to: &str) {
    if from != to {
        super::note(&format!("{flag} overrides the recipe ({from} → {to})"));
    }
}

/// What the flags and the recipe resolve to for a table.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The preparation.
    pub preparation: Preparation,
    /// The recipe's model part, if it had one (before model flags).
    pub model: Option<ModelSpec>,
    /// The recipe's informational centres, if any.
    pub fitted: Option<FittedModel>,
}

impl PipelineArgs {
    /// The preparation these flags describe for `table`, starting from `--recipe` when given.
    pub fn resolve(&self, table: &Table) -> Result<Resolved> {
        let (impute, per_column) = parse_impute(&self.impute)?;
        let Some(path) = &self.recipe else {
            let features = select_features(table, &self.features, &self.exclude)?;
            if self.features.is_empty() {
                for (name, role) in left_out_by_default(table) {
                    eprintln!(
                        "warning: '{name}' {}: left out of the default features (name it in --features to \
                         use it)",
                        role.note().unwrap_or_default()
                    );
                }
            }
            let mut p = Preparation::new(features);
            if let Some(i) = impute {
                p.impute = i;
            }
            for (col, strategy) in per_column {
                check_names(table, [&col], "--impute")?;
                p.impute_columns.insert(col, strategy);
            }
            check_names(table, &self.log1p, "--log1p")?;
            p.log1p.clone_from(&self.log1p);
            if let Some(s) = self.scale {
                p.scale = s.into();
            }
            if let Some(m) = self.max_categories {
                p.max_categories = m;
            }
            return Ok(Resolved {
                preparation: p,
                model: None,
                fitted: None,
            });
        };
        let recipe = Recipe::from_path(path)?;
        let what = format!("the recipe {}", path.display());
        let mut p = recipe.preparation;
        if !self.features.is_empty() {
            let f = select_features(table, &self.features, &[])?;
            override_note("--features", &p.features.join(","), &f.join(","));
            p.features = f;
        }
        if !self.exclude.is_empty() {
            check_names(table, &self.exclude, "--exclude")?;
            let before = p.features.join(",");
            p.features.retain(|f| !self.exclude.contains(f));
            override_note("--exclude", &before, &p.features.join(","));
        }
        check_names(table, &p.features, &what)?;
        check_names(table, &p.log1p, &what)?;
        check_names(table, p.impute_columns.keys(), &what)?;
        if let Some(i) = impute {
            override_note("--impute", &p.impute.to_string(), &i.to_string());
            p.impute = i;
        }
        for (col, strategy) in per_column {
            check_names(table, [&col], "--impute")?;
            let before = p.impute_for(&col).to_string();
            override_note(&format!("--impute {col}="), &before, &strategy.to_string());
            p.impute_columns.insert(col, strategy);
        }
        if !self.log1p.is_empty() {
            check_names(table, &self.log1p, "--log1p")?;
            override_note("--log1p", &p.log1p.join(","), &self.log1p.join(","));
            p.log1p.clone_from(&self.log1p);
        }
        if let Some(s) = self.scale {
            let s: Scale = s.into();
            override_note(
                "--scale",
                &format!("{:?}", p.scale).to_lowercase(),
                &format!("{s:?}").to_lowercase(),
            );
            p.scale = s;
        }
        if let Some(m) = self.max_categories {
            override_note(
                "--max-categories",
                &p.max_categories.to_string(),
                &m.to_string(),
            );
            p.max_categories = m;
        }
        Ok(Resolved {
            preparation: p,
            model: recipe.model,
            fitted: recipe.fitted,
        })
    }

    /// The model part: the recipe's (if any), then every model flag given explicitly on top (with a note
    /// where it overrides the recipe).
    pub fn model_spec(
        &self,
        from_recipe: Option<ModelSpec>,
        model: &ModelArgs,
        k: Option<usize>,
        height: Option<f64>,
    ) -> ModelSpec {
        let had = from_recipe.is_some();
        let mut spec = from_recipe.unwrap_or_default();
        let note = |flag: &str, from: String, to: String| {
            if had {
                override_note(flag, &from, &to);
            }
        };
        if let Some(m) = model.method {
            note("--method", spec.method.to_string(), m.to_string());
            spec.method = m;
        }
        if let Some(s) = self.seed {
            note("--seed", spec.seed.to_string(), s.to_string());
            spec.seed = s;
        }
        if let Some(n) = self.n_init {
            let from = spec
                .n_init
                .map_or_else(|| "default".into(), |v| v.to_string());
            note("--n-init", from, n.to_string());
            spec.n_init = Some(n);
        }
        if let Some(c) = model.covariance {
            let c: CovarianceType = c.into();
            note(
                "--covariance",
                spec.covariance.name().into(),
                c.name().into(),
            );
            spec.covariance = c;
        }
        if let Some(r) = model.refine {
            let r: Refine = r.into();
            note("--refine", spec.refine.to_string(), r.to_string());
            spec.refine = r;
        }
        let opt_note = |flag: &str, from: Option<String>, to: String| {
            note(flag, from.unwrap_or_else(|| "none".into()), to);
        };
        if let Some(e) = model.eps {
            opt_note("--eps", spec.eps.map(|v| v.to_string()), e.to_string());
            spec.eps = Some(e);
            spec.xi = None;
        }
        if let Some(x) = model.xi {
            opt_note("--xi", spec.xi.map(|v| v.to_string()), x.to_string());
            spec.xi = Some(x);
            spec.eps = None;
        }
        if let Some(m) = model.min_samples {
            opt_note(
                "--min-samples",
                spec.min_samples.map(|v| v.to_string()),
                m.to_string(),
            );
            spec.min_samples = Some(m);
        }
        if let Some(k) = k {
            let from = spec.k.map_or_else(|| "none".into(), |v| v.to_string());
            note("--k", from, k.to_string());
            spec.k = Some(k);
            spec.height = None;
        }
        if let Some(h) = height {
            note(
                "--height",
                spec.height.map_or_else(|| "none".into(), |v| v.to_string()),
                h.to_string(),
            );
            spec.height = Some(h);
            spec.k = None;
        }
        spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impute_items() {
        let (d, per) = parse_impute(&["mean".into(), "score=knn:3".into()]).unwrap();
        assert_eq!(d, Some(Impute::Mean));
        assert_eq!(per, vec![("score".to_owned(), Impute::Knn(3))]);
        let (d, _) = parse_impute(&["constant:a=b".into()]).unwrap();
        assert_eq!(d, Some(Impute::Constant("a=b".into())));
        assert!(parse_impute(&["average".into()]).is_err());
        assert_eq!(parse_impute(&[]).unwrap().0, None);
    }

    #[test]
    fn flags_override_the_recipe_model() {
        let from = ModelSpec {
            method: Method::Ward,
            k: Some(4),
            seed: 7,
            ..ModelSpec::default()
        };
        let p = PipelineArgs::default();
        let m = ModelArgs::default();
        assert_eq!(p.model_spec(Some(from), &m, None, None), from);
        let s = p.model_spec(Some(from), &m, Some(5), None);
        assert_eq!((s.method, s.k, s.seed), (Method::Ward, Some(5), 7));
        let seeded = PipelineArgs {
            seed: Some(1),
            ..PipelineArgs::default()
        };
        let s = seeded.model_spec(Some(from), &m, None, Some(2.5));
        assert_eq!((s.seed, s.k, s.height), (1, None, Some(2.5)));
        assert_eq!(p.model_spec(None, &m, Some(3), None).method, Method::Kmeans);
        assert_eq!(
            p.model_spec(None, &m, None, None).refine,
            Refine::HartiganWong
        );
        let plain = ModelArgs {
            refine: Some(RefineArg::None),
            ..ModelArgs::default()
        };
        assert_eq!(
            p.model_spec(Some(from), &plain, None, None).refine,
            Refine::None
        );
    }
}
