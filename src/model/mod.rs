//! The segment model: a self-contained, versioned JSON file (format in docs/MODEL.md) that scores new
//! customers exactly as the segmentation scored its training rows, with no access to the training data and
//! no refit — the way to *score*, where the recipe is the way to *reproduce a fit*.
//!
//! It holds the fitted preparation (per input column: fill value, log1p and winsor bounds, one-hot levels
//! with `<other>`/`<missing>` handling, scaler centre and scale), the scorer of the method ([`Scorer`]:
//! k-means centres, mixture parameters, or the rows / micro-clusters of a hierarchical tree), the
//! segments (sizes, shares, names) and a training profile for drift ([`drift`]). [`Scorer::score`]
//! scores a prepared matrix; [`apply`] streams a CSV through it.
//!
//! Density models (DBSCAN, OPTICS) always have an outlier segment, the last (`outlier` in `apply`'s
//! output), even when every training row was in a cluster. Their rule for a new row: the segment of the
//! nearest stored training row within its radius, else outlier ([`Scorer::NearestCore`]): for DBSCAN
//! and an OPTICS eps cut the core rows within eps — so core rows and outliers of the training file score
//! as `cluster` labelled them, while a border row within eps of two clusters may join the other one
//! (the fit gives it to the cluster found first in row order, sklearn's rule); for OPTICS xi every
//! training row within its core distance. No SQL statement expresses this; `sql` refuses such models.

pub mod apply;
pub mod drift;
pub mod run;
pub mod score;
pub mod sql;

use serde::{Deserialize, Serialize};

pub use drift::{DriftReport, TrainingProfile};
pub use score::{Scored, Scorer};

use crate::analysis::{PreparedData, SegResult};
use crate::cluster::{CovarianceType, Method};
use crate::data::{ColumnKind, Table};
use crate::error::{Error, Result};
use crate::prep::{Fitted, FittedFeature};

/// The model format this build writes and reads.
pub const MODEL_VERSION: u32 = 1;

/// The `format` tag of a model file.
pub const MODEL_FORMAT: &str = "segscope-model";

/// An input column a model needs, with the kind it had at training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputColumn {
    /// Column name (the CSV header).
    pub name: String,
    /// `numeric` or `categorical`.
    pub kind: ColumnKind,
}

/// One segment of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSegment {
    /// Segment number (0 = largest at training).
    pub segment: usize,
    /// Its name.
    pub name: String,
    /// Training rows.
    pub size: usize,
    /// Share of the training rows.
    pub share: f64,
}

/// How the model was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Clustering method.
    pub method: Method,
    /// Number of segments.
    pub k: usize,
    /// Cut height (hierarchical methods cut by height).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    /// Random seed.
    pub seed: u64,
    /// Restarts (k-means, mixtures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_init: Option<usize>,
    /// Covariance type (mixtures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covariance: Option<CovarianceType>,
    /// Whether the tree was built on micro-clusters.
    #[serde(default)]
    pub approximate: bool,
    /// Density methods: eps (DBSCAN's radius, or the OPTICS cut).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eps: Option<f64>,
    /// Density methods: min_samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_samples: Option<usize>,
    /// OPTICS: xi.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xi: Option<f64>,
}

/// A saved segment model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentModel {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// Format version ([`MODEL_VERSION`]).
    pub version: u32,
    /// The segscope that wrote it.
    pub segscope_version: String,
    /// The training file's name.
    pub source: String,
    /// Training rows clustered.
    pub n_rows: usize,
    /// Method and settings.
    pub info: ModelInfo,
    /// Input columns a file must have to be scored.
    pub input_columns: Vec<InputColumn>,
    /// Every column of the training file, in its order (what the SQL statement returns).
    #[serde(default)]
    pub columns: Vec<String>,
    /// The prepared features (one-hot columns as `name=level`).
    pub feature_names: Vec<String>,
    /// The fitted preparation, applied to new rows without refitting.
    pub preparation: Fitted,
    /// How a prepared row gets its segment.
    pub scorer: Scorer,
    /// Segment means in the prepared space (k × features), for distances and drift.
    pub segment_centres: Vec<Vec<f64>>,
    /// The segments.
    pub segments: Vec<ModelSegment>,
    /// What the training data looked like, to report drift.
    pub training: TrainingProfile,
}

impl SegmentModel {
    /// The model of a fitted run: `table` and `data` are the training table and its prepared data,
    /// `result` the segmentation (its names become the model's).
    pub fn from_result(table: &Table, data: &PreparedData, result: &SegResult) -> Result<Self> {
        let seg = &result.seg;
        let input_columns = data
            .fitted
            .features
            .iter()
            .map(|f| match f {
                FittedFeature::Numeric(n) => InputColumn {
                    name: n.name.clone(),
                    kind: ColumnKind::Numeric,
                },
                FittedFeature::Categorical(c) => InputColumn {
                    name: c.name.clone(),
                    kind: ColumnKind::Categorical,
                },
            })
            .collect();
        let scorer = Scorer::of(data, seg)?;
        let mut segment_centres: Vec<Vec<f64>> =
            seg.centroids.outer_iter().map(|r| r.to_vec()).collect();
        let mut sizes = result.sizes();
        let mut names = result.names.clone();
        // A density model always has an outlier segment (the last) for new rows in no dense region,
        // even when every training row was in a cluster; its centre is then the training mean.
        let adds_outlier = seg.method.is_density() && seg.noise_segment().is_none();
        if adds_outlier {
            let mean = data.x().mean_axis(ndarray::Axis(0));
            segment_centres.push(mean.map_or_else(|| vec![0.0; data.x().ncols()], |m| m.to_vec()));
            sizes.push(0);
            names.resize(seg.k, String::new());
            names.push(crate::analysis::density::OUTLIER.to_owned());
        }
        let k = sizes.len();
        let total = sizes.iter().sum::<usize>().max(1) as f64;
        let segments = sizes
            .iter()
            .enumerate()
            .map(|(s, &size)| ModelSegment {
                segment: s,
                name: names
                    .get(s)
                    .cloned()
                    .unwrap_or_else(|| format!("Segment {s}")),
                size,
                share: size as f64 / total,
            })
            .collect();
        let distances = score::distances_to(data.x(), &seg.labels, &segment_centres);
        let training = TrainingProfile::of(table, data, &seg.labels, &distances, k)?;
        let spec = result.model_spec();
        Ok(Self {
            format: MODEL_FORMAT.to_owned(),
            version: MODEL_VERSION,
            segscope_version: env!("CARGO_PKG_VERSION").to_owned(),
            source: table.source_name.clone(),
            n_rows: data.n_rows(),
            info: ModelInfo {
                method: seg.method,
                k,
                height: spec.height,
                seed: spec.seed,
                n_init: spec.n_init,
                covariance: (seg.method == Method::Gmm).then_some(spec.covariance),
                approximate: seg.approximate,
                eps: spec.eps,
                min_samples: spec.min_samples,
                xi: spec.xi,
            },
            input_columns,
            columns: table.names().iter().map(|c| (*c).to_owned()).collect(),
            feature_names: data.prepared.feature_names.clone(),
            preparation: data.fitted.clone(),
            scorer,
            segment_centres,
            segments,
            training,
        })
    }

    /// The model as JSON (compact for large models, every f64 exact).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self)
            .map_err(|e| Error::InvalidParameter(format!("cannot write the model as JSON: {e}")))
    }

    /// Reads a model from JSON text; `source` names it in messages. Checks format, version and
    /// consistency, so a damaged file is a clear error and never a wrong score.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let bad = |message: String| Error::Input {
            source_name: source.to_owned(),
            message,
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            let what = if e.is_eof() {
                "the file ends too early (truncated?)"
            } else {
                "the JSON is malformed"
            };
            bad(format!(
                "not a segment model: {what} at line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        })?;
        if value.get("format").and_then(serde_json::Value::as_str) != Some(MODEL_FORMAT) {
            let hint = if value.get("features").is_some() {
                " (this looks like a recipe: use it with --recipe; save a model with cluster --save-model)"
            } else {
                ""
            };
            return Err(bad(format!(
                "not a segment model: it has no \"format\": \"{MODEL_FORMAT}\"{hint}"
            )));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v > u64::from(MODEL_VERSION) => {
                return Err(bad(format!(
                    "model version {v} is newer than this segscope understands (version \
                     {MODEL_VERSION}); upgrade segscope"
                )));
            }
            Some(v) if v >= 1 => {}
            _ => {
                return Err(bad(
                    "not a segment model: \"version\" is missing or not a whole number".into(),
                ));
            }
        }
        let model: SegmentModel = serde_json::from_value(value)
            .map_err(|e| bad(format!("not a valid segment model: {e}")))?;
        model.check().map_err(|e| bad(e.to_string()))?;
        Ok(model)
    }

    /// Reads a model file (bounded: a model is megabytes, never gigabytes).
    pub fn from_path(path: &std::path::Path) -> Result<Self> {
        let text = crate::data::read_small_file(path, "a segment model")?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Internal consistency: widths of the scorer and centres match the prepared features.
    pub fn check(&self) -> Result<()> {
        let d = self.feature_names.len();
        let k = self.info.k;
        let damaged = |what: &str| {
            Err(Error::InvalidParameter(format!(
                "the model is inconsistent ({what}); the file is damaged — save the model again"
            )))
        };
        if self.preparation.feature_names != self.feature_names {
            return damaged("its preparation and features differ");
        }
        if self.segment_centres.len() != k || self.segment_centres.iter().any(|c| c.len() != d) {
            return damaged("segment centres");
        }
        if self.segments.len() != k {
            return damaged("segments");
        }
        self.scorer.check(k, d)
    }

    /// The segment of outliers (density models: the last), where new rows in no dense region go.
    pub fn outlier_segment(&self) -> Option<usize> {
        match self.scorer {
            Scorer::NearestCore { outlier, .. } => Some(outlier),
            _ => None,
        }
    }

    /// Segment names, in segment order.
    pub fn names(&self) -> Vec<String> {
        self.segments.iter().map(|s| s.name.clone()).collect()
    }
}

#[cfg(test)]
mod tests;
