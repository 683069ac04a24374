//! The [`Recipe`]: every preparation choice as plain data (serde JSON with `"version": 1`), so the GUI, the
//! CLI and saved files describe a pipeline the same way. [`Recipe::fit`] learns the statistics and returns a
//! [`Fitted`](super::Fitted). Unknown fields and newer versions are refused with a clear message.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The recipe format this build writes and reads.
pub const RECIPE_VERSION: u32 = 1;

/// How missing cells of a column are handled.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Impute {
    /// Rows with a missing value are left out (their segment stays empty on export).
    Drop,
    /// The column mean (numeric only; categoricals use the mode).
    Mean,
    /// The column median (numeric only; categoricals use the mode). The default.
    #[default]
    Median,
    /// The most frequent value; ties go to the smallest.
    Mode,
    /// A fixed value: a number for numeric columns, a level for categorical ones.
    Constant(String),
    /// The mean of the `k` nearest rows (sklearn `KNNImputer`, nan-Euclidean distance, uniform weights).
    Knn(usize),
}

/// Neighbours used by `knn` without an explicit K (sklearn's default).
pub const DEFAULT_KNN_K: usize = 5;

impl FromStr for Impute {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let t = s.trim();
        if let Some(v) = t.strip_prefix("constant:") {
            return Ok(Impute::Constant(v.to_owned()));
        }
        match t.to_ascii_lowercase().as_str() {
            "drop" => Ok(Impute::Drop),
            "mean" => Ok(Impute::Mean),
            "median" => Ok(Impute::Median),
            "mode" | "most_frequent" => Ok(Impute::Mode),
            "knn" => Ok(Impute::Knn(DEFAULT_KNN_K)),
            other => {
                if let Some(k) = other.strip_prefix("knn:") {
                    return match k.parse::<usize>() {
                        Ok(k) if k >= 1 => Ok(Impute::Knn(k)),
                        _ => Err(format!("knn:{k}: K must be a whole number ≥ 1, e.g. knn:5")),
                    };
                }
                Err(format!(
                    "unknown imputation '{s}'; use drop, mean, median, mode, constant:V or knn[:K]"
                ))
            }
        }
    }
}

impl fmt::Display for Impute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Impute::Drop => f.write_str("drop"),
            Impute::Mean => f.write_str("mean"),
            Impute::Median => f.write_str("median"),
            Impute::Mode => f.write_str("mode"),
            Impute::Constant(v) => write!(f, "constant:{v}"),
            Impute::Knn(k) => write!(f, "knn:{k}"),
        }
    }
}

impl TryFrom<String> for Impute {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        s.parse()
    }
}

impl From<Impute> for String {
    fn from(i: Impute) -> String {
        i.to_string()
    }
}

/// How features are scaled after imputation and transforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// sklearn `StandardScaler`: subtract the mean, divide by the population std (ddof 0).
    #[default]
    Standard,
    /// sklearn `MinMaxScaler`: map each column to [0, 1].
    Minmax,
    /// sklearn `RobustScaler`: subtract the median, divide by the 25–75 percentile range.
    Robust,
    /// Leave values as they are.
    None,
}

/// What a missing category becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingCategory {
    /// Filled like any missing cell (the column's impute strategy; mode by default).
    #[default]
    Impute,
    /// Its own level, one-hot column `name=<missing>`.
    Level,
}

/// Clip numeric features at two percentiles learnt at fit time (after log1p, before scaling).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Winsorize {
    /// Lower percentile, 0..=100 (e.g. 1).
    pub lower: f64,
    /// Upper percentile, 0..=100 (e.g. 99).
    pub upper: f64,
    /// Columns to clip; empty = every numeric feature.
    #[serde(default)]
    pub columns: Vec<String>,
}

fn default_version() -> u32 {
    RECIPE_VERSION
}

fn default_max_categories() -> usize {
    50
}

/// Every preparation choice, plus the clustering fields later stages fill in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// Format version; this build reads `1`.
    #[serde(default = "default_version")]
    pub version: u32,
    /// Input columns used as features, in output order. Numeric columns stay one column; categorical and
    /// text columns are one-hot encoded.
    pub features: Vec<String>,
    /// Default imputation for numeric features (categoricals use the mode unless this is `drop`).
    #[serde(default)]
    pub impute: Impute,
    /// Per-column imputation overriding `impute`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub impute_columns: BTreeMap<String, Impute>,
    /// Numeric features transformed with `ln(1 + x)` after imputation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log1p: Vec<String>,
    /// Optional percentile clipping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winsorize: Option<Winsorize>,
    /// The scaler.
    #[serde(default)]
    pub scale: Scale,
    /// Most levels a categorical feature may have before it is refused (or cut to `top_levels`).
    #[serde(default = "default_max_categories")]
    pub max_categories: usize,
    /// Keep only the N most frequent levels of a categorical feature, the rest become `name=<other>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_levels: Option<usize>,
    /// What a missing category becomes.
    #[serde(default)]
    pub missing_category: MissingCategory,
    /// Clustering method (filled by the clustering stage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Number of clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    /// Dendrogram cut height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    /// Random seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Number of k-means restarts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_init: Option<usize>,
    /// The fitted model: segment centres, written by `cluster --save-recipe` (informational: a run with
    /// the recipe refits and reproduces them for the same data and seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<FittedModel>,
}

/// Segment centres of a fitted segmentation, in segment order (0 = largest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedModel {
    /// Columns of the prepared matrix (one-hot columns as `name=level`).
    pub feature_names: Vec<String>,
    /// Rows per segment.
    pub sizes: Vec<usize>,
    /// Centres in the prepared (scaled) space: k-means centres, else segment means.
    pub centres: Vec<Vec<f64>>,
    /// The same centres in original units (scaling and log1p undone; one-hot columns as shares).
    pub centres_original: Vec<Vec<f64>>,
    /// Height of the tree cut (hierarchical methods).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_height: Option<f64>,
}

impl Recipe {
    /// A recipe with the defaults (median impute, standard scaling, 50 categories) for `features`.
    pub fn new(features: Vec<String>) -> Self {
        Self {
            version: RECIPE_VERSION,
            features,
            impute: Impute::default(),
            impute_columns: BTreeMap::new(),
            log1p: Vec::new(),
            winsorize: None,
            scale: Scale::default(),
            max_categories: default_max_categories(),
            top_levels: None,
            missing_category: MissingCategory::default(),
            method: None,
            k: None,
            height: None,
            seed: None,
            n_init: None,
            model: None,
        }
    }

    /// Reads a recipe from JSON text; `source` names it in messages.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let bad = |message: String| Error::Input {
            source_name: source.to_owned(),
            message,
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            bad(format!(
                "not a valid recipe: the JSON is malformed at line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        })?;
        let version = value.get("version").and_then(serde_json::Value::as_u64);
        match version {
            None if value.is_object() => {
                return Err(bad(
                    "not a valid recipe: it has no \"version\" number (this segscope writes version 1)"
                        .into(),
                ));
            }
            Some(v) if v > u64::from(RECIPE_VERSION) => {
                return Err(bad(format!(
                    "recipe version {v} is newer than this segscope understands (version {RECIPE_VERSION}); \
                     upgrade segscope or re-create the recipe"
                )));
            }
            _ => {}
        }
        let recipe: Recipe =
            serde_json::from_value(value).map_err(|e| bad(format!("not a valid recipe: {e}")))?;
        recipe.check()?;
        Ok(recipe)
    }

    /// Reads a recipe file.
    pub fn from_path(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// The recipe as pretty JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::InvalidParameter(format!("cannot write the recipe as JSON: {e}")))
    }

    /// Checks the values that do not depend on the data.
    pub fn check(&self) -> Result<()> {
        if self.version == 0 || self.version > RECIPE_VERSION {
            return Err(Error::InvalidParameter(format!(
                "recipe version {} is not supported (this segscope reads version {RECIPE_VERSION})",
                self.version
            )));
        }
        if self.features.is_empty() {
            return Err(Error::InvalidParameter(
                "no numeric feature selected: the recipe lists no features".into(),
            ));
        }
        if self.max_categories == 0 || self.top_levels == Some(0) {
            return Err(Error::InvalidParameter(
                "max_categories and top_levels must be at least 1".into(),
            ));
        }
        if let Some(w) = &self.winsorize
            && !(0.0 <= w.lower && w.lower < w.upper && w.upper <= 100.0)
        {
            return Err(Error::InvalidParameter(format!(
                "winsorize percentiles must satisfy 0 ≤ lower < upper ≤ 100, got {} and {}",
                w.lower, w.upper
            )));
        }
        Ok(())
    }

    /// The imputation used for feature `name`.
    pub fn impute_for(&self, name: &str) -> &Impute {
        self.impute_columns.get(name).unwrap_or(&self.impute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impute_parses_and_prints() {
        for s in [
            "drop",
            "mean",
            "median",
            "mode",
            "constant:0",
            "constant:abc",
            "knn:3",
        ] {
            assert_eq!(s.parse::<Impute>().unwrap().to_string(), s);
        }
        assert_eq!("knn".parse::<Impute>().unwrap(), Impute::Knn(5));
        assert!("knn:0".parse::<Impute>().is_err());
        assert!("average".parse::<Impute>().is_err());
    }

    #[test]
    fn json_round_trip_and_defaults() {
        let mut r = Recipe::new(vec!["a".into(), "b".into()]);
        r.impute_columns.insert("b".into(), Impute::Knn(3));
        r.log1p.push("a".into());
        let back = Recipe::from_json(&r.to_json().unwrap(), "r.json").unwrap();
        assert_eq!(back, r);
        let min = Recipe::from_json(r#"{"version":1,"features":["a"]}"#, "r.json").unwrap();
        assert_eq!(min.scale, Scale::Standard);
        assert_eq!(min.impute, Impute::Median);
        assert_eq!(min.max_categories, 50);
    }

    #[test]
    fn bad_recipes_are_refused() {
        let e = Recipe::from_json(r#"{"version":2,"features":["a"]}"#, "r.json").unwrap_err();
        assert!(e.to_string().contains("newer"), "{e}");
        let e = Recipe::from_json(r#"{"version":1,"features":["a"}"#, "r.json").unwrap_err();
        assert!(e.to_string().contains("malformed"), "{e}");
        let e = Recipe::from_json(r#"{"version":1,"features":["a"],"scaler":"x"}"#, "r.json");
        assert!(e.unwrap_err().to_string().contains("unknown field"));
        let e = Recipe::from_json(r#"{"features":["a"]}"#, "r.json").unwrap_err();
        assert!(e.to_string().contains("version"), "{e}");
    }
}
