//! The recipe file: everything needed to reproduce a run — the [`Preparation`] and, once a segmentation
//! was made, the [`ModelSpec`] as actually used (method, k or cut height, seed, restarts, covariance) — plus
//! the fitted centres for information ([`FittedModel`]).
//!
//! The JSON is flat and versioned (`"version": 1`), the same shape segscope has always written:
//! preparation keys (`features`, `impute`, `scale`, ...) next to model keys (`method`, `k`, `height`,
//! `seed`, `n_init`, `covariance`; `eps`, `min_samples`, `xi` for density methods, added in the same
//! version: older files simply lack them) and the informational `model` object. Unknown keys, a version that is
//! not a number and newer versions are refused with a clear message.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::spec::ModelSpec;
use crate::cluster::{CovarianceType, Method};
use crate::error::{Error, Result};
use crate::prep::{PREPARATION_KEYS, Preparation};

/// The recipe format this build writes and reads.
pub const RECIPE_VERSION: u32 = 1;

/// Keys of the model part of a recipe file.
const MODEL_KEYS: [&str; 11] = [
    "method",
    "k",
    "height",
    "seed",
    "n_init",
    "covariance",
    "eps",
    "min_samples",
    "xi",
    "model",
    "refine",
];

/// Segment centres of a fitted segmentation, in segment order (0 = largest). Informational: a run with the
/// recipe refits and reproduces them for the same data and seed.
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
    /// The segments' names, in segment order (suggested or given by the analyst).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

/// A recipe: the preparation, and the model part once there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipe {
    /// How the features are prepared.
    pub preparation: Preparation,
    /// How they are clustered (as actually used), when known.
    pub model: Option<ModelSpec>,
    /// The fitted centres (informational; written by `cluster --save-recipe` and the app's export).
    pub fitted: Option<FittedModel>,
}

/// The model keys as they appear in the file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelKeys {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<Method>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    k: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    height: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n_init: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    covariance: Option<CovarianceType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    eps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_samples: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    xi: Option<f64>,
    /// K-Means refinement (absent: Hartigan–Wong, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refine: Option<crate::cluster::kmeans::Refine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model: Option<FittedModel>,
}

impl Recipe {
    /// A recipe with only a preparation.
    pub fn new(preparation: Preparation) -> Self {
        Self {
            preparation,
            model: None,
            fitted: None,
        }
    }

    /// Reads a recipe from JSON text; `source` names it in messages.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let bad = |message: String| Error::Input {
            source_name: source.to_owned(),
            message: format!("not a valid recipe: {message}"),
        };
        let value: Value = serde_json::from_str(text).map_err(|e| {
            bad(format!(
                "the JSON is malformed at line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        })?;
        let Value::Object(mut map) = value else {
            return Err(bad("it is not a JSON object".into()));
        };
        match map.remove("version") {
            None => {
                return Err(bad(format!(
                    "it has no \"version\" number (this segscope writes version {RECIPE_VERSION})"
                )));
            }
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) if v > u64::from(RECIPE_VERSION) => {
                    return Err(Error::Input {
                        source_name: source.to_owned(),
                        message: format!(
                            "recipe version {v} is newer than this segscope understands (version \
                             {RECIPE_VERSION}); upgrade segscope or re-create the recipe"
                        ),
                    });
                }
                Some(v) if v >= 1 => {}
                _ => {
                    return Err(bad(format!(
                        "\"version\" is {n}; it must be a whole number from 1 to {RECIPE_VERSION}"
                    )));
                }
            },
            Some(other) => {
                return Err(bad(format!(
                    "\"version\" is {other}, not a number; this segscope writes \"version\": \
                     {RECIPE_VERSION}"
                )));
            }
        }
        let mut model_map = Map::new();
        for key in MODEL_KEYS {
            if let Some(v) = map.remove(key) {
                model_map.insert(key.to_owned(), v);
            }
        }
        if let Some(unknown) = map.keys().find(|k| !PREPARATION_KEYS.contains(&k.as_str())) {
            let mut known: Vec<&str> = PREPARATION_KEYS.to_vec();
            known.extend(MODEL_KEYS);
            let close = crate::prep::select::closest_names(unknown, &known);
            return Err(bad(format!(
                "unknown field \"{unknown}\"{}",
                close
                    .first()
                    .map(|c| format!(" (did you mean \"{c}\"?)"))
                    .unwrap_or_default()
            )));
        }
        let preparation: Preparation =
            serde_json::from_value(Value::Object(map)).map_err(|e| bad(e.to_string()))?;
        preparation.check()?;
        let keys: ModelKeys =
            serde_json::from_value(Value::Object(model_map)).map_err(|e| bad(e.to_string()))?;
        let has_model = keys.method.is_some()
            || keys.k.is_some()
            || keys.height.is_some()
            || keys.seed.is_some()
            || keys.n_init.is_some()
            || keys.covariance.is_some()
            || keys.eps.is_some()
            || keys.min_samples.is_some()
            || keys.xi.is_some()
            || keys.refine.is_some();
        if keys.k.is_some() && keys.height.is_some() {
            return Err(bad(
                "it gives both \"k\" and \"height\"; a segmentation has one or the other".into(),
            ));
        }
        let model = has_model.then(|| ModelSpec {
            method: keys.method.unwrap_or_default(),
            k: keys.k,
            height: keys.height,
            seed: keys.seed.unwrap_or(0),
            n_init: keys.n_init,
            covariance: keys.covariance.unwrap_or(CovarianceType::Full),
            eps: keys.eps,
            min_samples: keys.min_samples,
            xi: keys.xi,
            refine: keys.refine.unwrap_or_default(),
        });
        Ok(Self {
            preparation,
            model,
            fitted: keys.model,
        })
    }

    /// Reads a recipe file.
    pub fn from_path(path: &std::path::Path) -> Result<Self> {
        let text = crate::data::read_small_file(path, "a recipe")?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// The recipe as pretty JSON (flat: preparation keys, then model keys).
    pub fn to_json(&self) -> Result<String> {
        let err = |e: serde_json::Error| {
            Error::InvalidParameter(format!("cannot write the recipe as JSON: {e}"))
        };
        let mut map = Map::new();
        map.insert("version".into(), Value::from(RECIPE_VERSION));
        if let Value::Object(p) = serde_json::to_value(&self.preparation).map_err(err)? {
            map.extend(p);
        }
        let density = self.model.filter(|m| m.method.is_density());
        let keys = ModelKeys {
            method: self.model.map(|m| m.method),
            k: self.model.and_then(|m| m.k),
            height: self.model.and_then(|m| m.height),
            seed: self.model.map(|m| m.seed),
            n_init: self.model.and_then(|m| m.n_init),
            covariance: self
                .model
                .filter(|m| m.method == Method::Gmm)
                .map(|m| m.covariance),
            eps: density.and_then(|m| m.eps),
            min_samples: density.and_then(|m| m.min_samples),
            xi: density.and_then(|m| m.xi),
            refine: self
                .model
                .filter(|m| m.method == Method::Kmeans)
                .map(|m| m.refine),
            model: self.fitted.clone(),
        };
        if let Value::Object(m) = serde_json::to_value(&keys).map_err(err)? {
            map.extend(m);
        }
        serde_json::to_string_pretty(&Value::Object(map)).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prep::{Impute, Scale};

    #[test]
    fn json_round_trip_and_defaults() {
        let mut p = Preparation::new(vec!["a".into(), "b".into()]);
        p.impute_columns.insert("b".into(), Impute::Knn(3));
        p.log1p.push("a".into());
        let mut r = Recipe::new(p);
        let back = Recipe::from_json(&r.to_json().unwrap(), "r.json").unwrap();
        assert_eq!(back, r);
        r.model = Some(ModelSpec {
            method: Method::Ward,
            k: Some(4),
            seed: 7,
            n_init: Some(3),
            ..ModelSpec::default()
        });
        let text = r.to_json().unwrap();
        assert!(
            text.contains("\"method\": \"ward\"") && text.contains("\"seed\": 7"),
            "{text}"
        );
        assert_eq!(Recipe::from_json(&text, "r.json").unwrap(), r);
        let min = Recipe::from_json(r#"{"version":1,"features":["a"]}"#, "r.json").unwrap();
        assert_eq!(min.preparation.scale, Scale::Standard);
        assert_eq!(min.preparation.impute, Impute::Median);
        assert_eq!(min.preparation.max_categories, 50);
        assert_eq!(min.model, None);
    }

    #[test]
    fn the_shape_written_before_still_reads() {
        let old = r#"{"version":1,"features":["x","y"],"impute":"median","scale":"standard",
            "max_categories":50,"missing_category":"impute","method":"gmm","k":3,"seed":2,"n_init":5,
            "model":{"feature_names":["x","y"],"sizes":[2,1,1],"centres":[[0,0],[1,1],[2,2]],
            "centres_original":[[0,0],[1,1],[2,2]]}}"#;
        let r = Recipe::from_json(old, "old.json").unwrap();
        let m = r.model.unwrap();
        assert_eq!(
            (m.method, m.k, m.seed, m.n_init),
            (Method::Gmm, Some(3), 2, Some(5))
        );
        assert_eq!(r.fitted.unwrap().sizes, [2, 1, 1]);
    }

    #[test]
    fn density_settings_round_trip_and_stay_out_of_other_methods() {
        let mut r = Recipe::new(Preparation::new(vec!["a".into()]));
        r.model = Some(ModelSpec {
            method: Method::Optics,
            min_samples: Some(7),
            xi: Some(0.1),
            ..ModelSpec::default()
        });
        let text = r.to_json().unwrap();
        assert!(
            text.contains("\"min_samples\": 7") && text.contains("\"xi\": 0.1"),
            "{text}"
        );
        assert_eq!(Recipe::from_json(&text, "r.json").unwrap(), r);
        // Settings left over from a density run are not written for k-means.
        r.model = Some(ModelSpec {
            method: Method::Kmeans,
            k: Some(3),
            eps: Some(0.5),
            ..ModelSpec::default()
        });
        assert!(!r.to_json().unwrap().contains("eps"));
        let only = Recipe::from_json(r#"{"version":1,"features":["a"],"eps":0.4}"#, "r").unwrap();
        assert_eq!(only.model.unwrap().eps, Some(0.4));
    }

    #[test]
    fn bad_recipes_are_refused() {
        let e = Recipe::from_json(r#"{"version":2,"features":["a"]}"#, "r.json").unwrap_err();
        assert!(e.to_string().contains("newer"), "{e}");
        let e = Recipe::from_json(r#"{"version":1,"features":["a"}"#, "r.json").unwrap_err();
        assert!(e.to_string().contains("malformed"), "{e}");
        let e = Recipe::from_json(r#"{"version":1,"features":["a"],"scaler":"x"}"#, "r.json");
        let e = e.unwrap_err().to_string();
        assert!(
            e.contains("unknown field \"scaler\"") && e.contains("scale"),
            "{e}"
        );
        let e = Recipe::from_json(r#"{"features":["a"]}"#, "r.json").unwrap_err();
        assert!(e.to_string().contains("version"), "{e}");
        let e = Recipe::from_json(r#"{"version":"one","features":["a"]}"#, "r.json").unwrap_err();
        assert!(e.to_string().contains("not a number"), "{e}");
        let e = Recipe::from_json(r#"{"version":1,"features":["a"],"method":"kmedoids"}"#, "r");
        assert!(e.unwrap_err().to_string().contains("kmedoids"));
        let e = Recipe::from_json(r#"{"version":1,"features":["a"],"k":2,"height":1.0}"#, "r");
        assert!(e.unwrap_err().to_string().contains("both"));
        let e = Recipe::from_json("[1,2]", "r.json").unwrap_err();
        assert!(e.to_string().contains("object"), "{e}");
    }
}
