//! The [`Preparation`]: every preparation choice as plain data (serde JSON), so the GUI, the CLI and saved
//! recipe files describe a pipeline the same way. [`Preparation::fit`] learns the statistics and returns a
//! [`Fitted`](super::Fitted). Unknown fields are refused with a clear message; the recipe file around it
//! (version, model part) is [`crate::analysis::Recipe`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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

fn default_max_categories() -> usize {
    50
}

/// Every preparation choice: which input columns become features and how they are imputed, transformed,
/// encoded and scaled. Saved inside a recipe file ([`crate::analysis::Recipe`]) next to the model part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preparation {
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
}

/// The JSON keys of a [`Preparation`] (a recipe file's other keys belong to the model part).
pub const PREPARATION_KEYS: [&str; 9] = [
    "features",
    "impute",
    "impute_columns",
    "log1p",
    "winsorize",
    "scale",
    "max_categories",
    "top_levels",
    "missing_category",
];

impl Preparation {
    /// The defaults (median impute, standard scaling, 50 categories) for `features`.
    pub fn new(features: Vec<String>) -> Self {
        Self {
            features,
            impute: Impute::default(),
            impute_columns: BTreeMap::new(),
            log1p: Vec::new(),
            winsorize: None,
            scale: Scale::default(),
            max_categories: default_max_categories(),
            top_levels: None,
            missing_category: MissingCategory::default(),
        }
    }

    /// Checks the values that do not depend on the data.
    pub fn check(&self) -> Result<()> {
        if self.features.is_empty() {
            return Err(Error::NoFeatures {
                why: "the preparation lists no features".into(),
            });
        }
        if self.max_categories == 0 || self.top_levels == Some(0) {
            return Err(Error::InvalidParameter(
                "the category limit and the number of top levels kept must be at least 1".into(),
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

    /// The imputation column `name` actually gets: a categorical column's median, mean or k-NN
    /// (inherited from the numeric default) is its mode.
    pub fn effective_impute(&self, name: &str, numeric: bool) -> Impute {
        match self.impute_for(name) {
            Impute::Median | Impute::Mean | Impute::Knn(_) if !numeric => Impute::Mode,
            other => other.clone(),
        }
    }

    /// Whether column `name` has a choice of its own (imputation or log1p) beyond the defaults.
    pub fn has_own_choices(&self, name: &str) -> bool {
        self.impute_columns.contains_key(name) || self.log1p.iter().any(|c| c == name)
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
    fn check_refuses_empty_features_and_bad_limits() {
        let e = Preparation::new(Vec::new()).check().unwrap_err();
        assert!(matches!(e, Error::NoFeatures { .. }), "{e}");
        let mut p = Preparation::new(vec!["a".into()]);
        p.max_categories = 0;
        assert!(p.check().is_err());
        p.max_categories = 5;
        p.winsorize = Some(Winsorize {
            lower: 50.0,
            upper: 10.0,
            columns: Vec::new(),
        });
        assert!(p.check().unwrap_err().to_string().contains("winsorize"));
    }
}
