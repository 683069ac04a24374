//! The PIPELINE flags shared by every engine subcommand (`prepare`, `sweep`, `cluster`, ...), flattened
//! into each one's arguments, and their translation into a [`Recipe`] for a loaded table.

use std::path::PathBuf;

use crate::data::Table;
use crate::error::{Error, Result};
use crate::prep::select::{check_names, select_features};
use crate::prep::{Impute, Recipe, Scale};

/// `--features a,b | --exclude a,b`, `--impute`, `--scale`, `--log1p`, `--max-categories`, `--recipe`,
/// `--seed`, `--n-init`.
#[derive(Debug, Clone, clap::Args)]
pub struct PipelineArgs {
    /// Columns to use as features (default: every numeric column). Categorical ones are one-hot encoded.
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
    /// Missing values: drop|mean|median|mode|constant:V|knn[:K] for all numeric features, and/or
    /// COLUMN=STRATEGY for one column (comma-separated). Categoricals use the mode.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "median",
        value_name = "STRATEGY"
    )]
    pub impute: Vec<String>,
    /// Scaling of the prepared columns.
    #[arg(long, value_enum, default_value = "standard")]
    pub scale: Scale,
    /// Numeric features to transform with ln(1 + x) before scaling.
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub log1p: Vec<String>,
    /// Refuse categorical features with more levels than this.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub max_categories: usize,
    /// Read every preparation choice from a recipe JSON file (it wins over the flags above).
    #[arg(long, value_name = "R.json")]
    pub recipe: Option<PathBuf>,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of k-means restarts.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub n_init: usize,
}

/// Splits `--impute` items into the default strategy and per-column overrides.
fn parse_impute(items: &[String]) -> Result<(Impute, Vec<(String, Impute)>)> {
    let mut default = Impute::Median;
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
            _ => default = parse(item)?,
        }
    }
    Ok((default, per_column))
}

impl PipelineArgs {
    /// The recipe these flags describe for `table`: the `--recipe` file if given (checked against the
    /// table's columns), else the flags with features resolved against the table.
    pub fn to_recipe(&self, table: &Table) -> Result<Recipe> {
        if let Some(path) = &self.recipe {
            let recipe = Recipe::from_path(path)?;
            let what = format!("the recipe {}", path.display());
            check_names(table, &recipe.features, &what)?;
            check_names(table, &recipe.log1p, &what)?;
            check_names(table, recipe.impute_columns.keys(), &what)?;
            if !self.features.is_empty() || !self.exclude.is_empty() || !self.log1p.is_empty() {
                eprintln!("warning: --recipe given; --features, --exclude and --log1p are ignored");
            }
            return Ok(recipe);
        }
        let features = select_features(table, &self.features, &self.exclude)?;
        let (impute, per_column) = parse_impute(&self.impute)?;
        check_names(table, &self.log1p, "--log1p")?;
        let mut recipe = Recipe::new(features);
        recipe.impute = impute;
        for (col, strategy) in per_column {
            check_names(table, [&col], "--impute")?;
            recipe.impute_columns.insert(col, strategy);
        }
        recipe.log1p.clone_from(&self.log1p);
        recipe.scale = self.scale;
        recipe.max_categories = self.max_categories;
        recipe.seed = Some(self.seed);
        recipe.n_init = Some(self.n_init);
        Ok(recipe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impute_items() {
        let (d, per) = parse_impute(&["mean".into(), "score=knn:3".into()]).unwrap();
        assert_eq!(d, Impute::Mean);
        assert_eq!(per, vec![("score".to_owned(), Impute::Knn(3))]);
        let (d, _) = parse_impute(&["constant:a=b".into()]).unwrap();
        assert_eq!(d, Impute::Constant("a=b".into()));
        assert!(parse_impute(&["average".into()]).is_err());
    }
}
