//! The [`Fitted`] state of a [`Preparation`] (fill values, KNN reference rows, levels, clip bounds, scaler
//! parameters) and how it is applied: [`Fitted::transform`] prepares any table with the same columns
//! without refitting, [`Fitted::inverse_transform`] maps prepared rows back to original units. Learning
//! lives in `fit.rs`.
//!
//! Order of steps: select rows (`drop`) → impute (in original units, so `constant:V` means V) → `log1p` →
//! winsorize → one-hot → scale (every output column, including one-hot ones).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::encode::OneHot;
use super::knn::KnnModel;
use super::recipe::Preparation;
use super::scale::ColumnScaler;
use super::select::unknown_column;
use super::transform::{clip_in_place, log1p_in_place};
use super::{PrepReport, Prepared};
use crate::data::{ColumnData, Levels, Table};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// How the missing cells of a numeric feature are filled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NumericFill {
    /// Rows missing the value are left out.
    Drop,
    /// A value learnt at fit time (mean, median, mode) or given (constant).
    Value {
        /// The fill value, in original units.
        value: f64,
    },
    /// The mean of the K nearest reference rows.
    Knn {
        /// Neighbours.
        k: usize,
    },
}

/// A fitted numeric feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericFeature {
    /// Input column name.
    pub name: String,
    /// Fill of missing cells.
    pub fill: NumericFill,
    /// Whether `ln(1 + x)` is applied after filling.
    pub log1p: bool,
    /// Clip bounds (after log1p) when winsorizing.
    pub clip: Option<(f64, f64)>,
}

/// One fitted input feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FittedFeature {
    /// One output column.
    Numeric(NumericFeature),
    /// One output column per level.
    Categorical(OneHot),
}

impl FittedFeature {
    fn name(&self) -> &str {
        match self {
            FittedFeature::Numeric(n) => &n.name,
            FittedFeature::Categorical(c) => &c.name,
        }
    }

    fn drops(&self) -> bool {
        match self {
            FittedFeature::Numeric(n) => n.fill == NumericFill::Drop,
            FittedFeature::Categorical(c) => c.drop,
        }
    }
}

/// A recipe with everything it learnt from the data; serializable so it can be saved with a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fitted {
    /// The choices it was fitted from.
    pub preparation: Preparation,
    /// The fitted features, in recipe order.
    pub features: Vec<FittedFeature>,
    /// Reference rows for `knn` imputation (numeric features only, in feature order).
    pub knn: Option<KnnModel>,
    /// One scaler per output column.
    pub scalers: Vec<ColumnScaler>,
    /// Output column names.
    pub feature_names: Vec<String>,
    /// What fitting noticed (constant columns...).
    pub warnings: Vec<String>,
}

pub(super) fn numeric_values<'a>(table: &'a Table, name: &str) -> Result<&'a [f64]> {
    let col = table
        .column(name)
        .ok_or_else(|| unknown_column(table, name, "the recipe"))?;
    col.as_numeric().ok_or_else(|| Error::Column {
        name: name.to_owned(),
        message: format!(
            "was numeric when the recipe was fitted but is {} in {}",
            col.kind(),
            table.source_name
        ),
    })
}

pub(super) fn codes_levels<'a>(table: &'a Table, name: &str) -> Result<(&'a [u32], &'a Levels)> {
    let col = table
        .column(name)
        .ok_or_else(|| unknown_column(table, name, "the recipe"))?;
    match &col.data {
        ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels } => {
            Ok((codes, levels))
        }
        other => Err(Error::Column {
            name: name.to_owned(),
            message: format!(
                "was categorical when the recipe was fitted but is {} in {}",
                other.kind(),
                table.source_name
            ),
        }),
    }
}

pub(super) fn kept_rows(table: &Table, features: &[FittedFeature]) -> Result<Vec<usize>> {
    let mut keep = vec![true; table.n_rows()];
    for f in features.iter().filter(|f| f.drops()) {
        let col = table
            .column(f.name())
            .ok_or_else(|| unknown_column(table, f.name(), "the recipe"))?;
        for (r, k) in keep.iter_mut().enumerate() {
            *k &= !col.data.is_missing(r);
        }
    }
    let kept: Vec<usize> = (0..keep.len()).filter(|&r| keep[r]).collect();
    if kept.is_empty() {
        return Err(Error::Input {
            source_name: table.source_name.clone(),
            message: "no rows left: every row misses a value in a feature imputed with 'drop'; \
                      choose another --impute (e.g. median)"
                .into(),
        });
    }
    Ok(kept)
}

/// Imputes, transforms and encodes `table` with fitted features (no scaling), handing each output column
/// (in output order, with its index) to `sink` as soon as it is built: only one unscaled column is held at
/// a time next to the prepared matrix, which the sink fills (at 10M × 10, 80 MB instead of a second
/// 800 MB copy). Returns what was filled, dropped or unknown.
pub(super) fn unscaled_each(
    features: &[FittedFeature],
    knn: Option<&KnnModel>,
    table: &Table,
    kept: &[usize],
    progress: &Progress,
    mut sink: impl FnMut(usize, Vec<f64>) -> Result<()>,
) -> Result<PrepReport> {
    let n = kept.len();
    let numeric: Vec<&NumericFeature> = features
        .iter()
        .filter_map(|f| match f {
            FittedFeature::Numeric(x) => Some(x),
            FittedFeature::Categorical(_) => None,
        })
        .collect();
    let d = numeric.len();
    let mut report = PrepReport {
        n_input_rows: table.n_rows(),
        ..PrepReport::default()
    };
    let mut filled = vec![0usize; d];
    let mut ks: Vec<usize> = numeric
        .iter()
        .filter_map(|f| match f.fill {
            NumericFill::Knn { k } => Some(k),
            _ => None,
        })
        .collect();
    ks.sort_unstable();
    ks.dedup();
    // KNN imputation needs the numeric features row by row (with the NaNs): the imputed rows are built
    // first and each column taken from them. Without it each column is gathered straight from the table
    // when its turn comes, so that no row-major copy (n × d) is held next to the matrix.
    let mut imputed: Option<Vec<f64>> = None;
    if !ks.is_empty() {
        let mut raw = vec![0.0; n * d];
        for (j, f) in numeric.iter().enumerate() {
            let v = numeric_values(table, &f.name)?;
            for (i, &r) in kept.iter().enumerate() {
                raw[i * d + j] = v[r];
            }
        }
        let mut out = raw.clone();
        for k in ks {
            let model = knn.ok_or_else(|| {
                Error::InvalidParameter("the fitted recipe has no KNN reference rows".into())
            })?;
            let targets: Vec<bool> = numeric
                .iter()
                .map(|f| f.fill == NumericFill::Knn { k })
                .collect();
            let mut tmp = raw.clone();
            let counts = model.impute(&mut tmp, &targets, k, progress)?;
            for j in (0..d).filter(|&j| targets[j]) {
                filled[j] += counts[j];
                for i in 0..n {
                    out[i * d + j] = tmp[i * d + j];
                }
            }
        }
        imputed = Some(out);
    }
    // Numeric fill counts come first in the report, then the categorical ones (both in feature order).
    let mut categorical_filled = Vec::new();
    let mut j = 0;
    let mut out = 0;
    for feature in features {
        progress.check()?;
        match feature {
            FittedFeature::Numeric(f) => {
                let mut col: Vec<f64> = if let Some(rows) = &imputed {
                    (0..n).map(|i| rows[i * d + j]).collect()
                } else {
                    let v = numeric_values(table, &f.name)?;
                    kept.iter().map(|&r| v[r]).collect()
                };
                if let NumericFill::Value { value } = f.fill {
                    for x in col.iter_mut().filter(|x| x.is_nan()) {
                        *x = value;
                        filled[j] += 1;
                    }
                }
                if f.log1p {
                    log1p_in_place(&mut col, &f.name, table, kept)?;
                }
                if let Some(b) = f.clip {
                    clip_in_place(&mut col, b);
                }
                sink(out, col)?;
                out += 1;
                j += 1;
            }
            FittedFeature::Categorical(enc) => {
                let (codes, levels) = codes_levels(table, &enc.name)?;
                let (cols, counts) = enc.encode(codes, levels, kept);
                if counts.filled > 0 {
                    categorical_filled.push((enc.name.clone(), counts.filled));
                }
                if counts.unknown > 0 {
                    report
                        .unknown_levels
                        .push((enc.name.clone(), counts.unknown));
                    report.warnings.push(format!(
                        "column '{}': {} cell(s) have a level not seen when the recipe was fitted; \
                         they are encoded as all zeros",
                        enc.name, counts.unknown
                    ));
                }
                for col in cols {
                    sink(out, col)?;
                    out += 1;
                }
            }
        }
    }
    for (f, &count) in numeric.iter().zip(&filled) {
        if count > 0 {
            report.filled.push((f.name.clone(), count));
        }
    }
    report.filled.extend(categorical_filled);
    if n < table.n_rows() {
        report.warnings.push(format!(
            "{} of {} rows left out because of missing values in features imputed with 'drop'",
            table.n_rows() - n,
            table.n_rows()
        ));
    }
    Ok(report)
}

/// The (zeroed) prepared matrix of `n` rows × `width` columns, after checking the memory budget.
pub(super) fn prepared_matrix(n: usize, width: usize) -> Result<Array2<f64>> {
    crate::budget::check(
        crate::budget::f64s(n as u128 * width as u128),
        &format!("the prepared matrix of {n} rows × {width} columns"),
        "choose fewer features, fewer categorical levels, or load a sample of the rows",
    )?;
    Ok(Array2::<f64>::zeros((n, width)))
}

/// Scales one unscaled output column into column `j` of the prepared matrix; a value that is not finite
/// after scaling is an error naming the feature and the line.
pub(super) fn put_scaled(
    matrix: &mut Array2<f64>,
    j: usize,
    col: &[f64],
    scaler: &ColumnScaler,
    name: &str,
    table: &Table,
    kept: &[usize],
) -> Result<()> {
    for (i, &x) in col.iter().enumerate() {
        let y = scaler.apply(x);
        if !y.is_finite() {
            return Err(Error::Column {
                name: name.to_owned(),
                message: format!(
                    "line {}: the value {x:e} cannot be prepared (it overflows the number range \
                     after imputation, log1p and scaling); check the value or leave the feature out",
                    table.line_of_row(kept[i])
                ),
            });
        }
        matrix[[i, j]] = y;
    }
    Ok(())
}

/// Refuses a preparation whose prepared matrix (one-hot levels × rows) and the one unscaled column built
/// at a time beside it would not fit the memory budget, before anything is allocated.
pub(super) fn check_memory(features: &[FittedFeature], n_rows: usize) -> Result<()> {
    let width: usize = features
        .iter()
        .map(|f| match f {
            FittedFeature::Numeric(_) => 1,
            FittedFeature::Categorical(c) => c.width(),
        })
        .sum();
    let widest = features
        .iter()
        .filter_map(|f| match f {
            FittedFeature::Categorical(c) => Some((c.width(), c.name.as_str())),
            FittedFeature::Numeric(_) => None,
        })
        .max();
    let way_out = match widest {
        Some((w, name)) if w > 50 => format!(
            "'{name}' alone has {w} one-hot columns: keep its most frequent levels (top levels) or leave \
             it out"
        ),
        _ => "choose fewer features or load a sample of the rows".to_owned(),
    };
    crate::budget::check(
        crate::budget::f64s(n_rows as u128 * (width as u128 + 1)),
        &format!("preparing {n_rows} rows × {width} columns"),
        &way_out,
    )
}

impl Fitted {
    /// Applies the learnt preparation to `table` (same columns as at fit time), without refitting.
    pub fn transform(&self, table: &Table) -> Result<Prepared> {
        self.transform_with(table, &Progress::new())
    }

    /// [`Fitted::transform`] with progress and cancellation.
    pub fn transform_with(&self, table: &Table, progress: &Progress) -> Result<Prepared> {
        if table.n_rows() == 0 {
            return Err(Error::Input {
                source_name: table.source_name.clone(),
                message: "has no data rows to prepare".into(),
            });
        }
        check_memory(&self.features, table.n_rows())?;
        let kept = kept_rows(table, &self.features)?;
        let mut matrix = prepared_matrix(kept.len(), self.scalers.len())?;
        let report = unscaled_each(
            &self.features,
            self.knn.as_ref(),
            table,
            &kept,
            progress,
            |j, col| {
                let (Some(scaler), Some(name)) = (self.scalers.get(j), self.feature_names.get(j))
                else {
                    return Err(Error::InvalidParameter(format!(
                        "the fitted recipe has {} scalers but its features give more output columns",
                        self.scalers.len()
                    )));
                };
                put_scaled(&mut matrix, j, &col, scaler, name, table, &kept)
            },
        )?;
        Ok(Prepared {
            matrix,
            feature_names: self.feature_names.clone(),
            kept_rows: kept.into(),
            report,
        })
    }

    /// Maps one prepared row back to original units: undoes the scaling, then `log1p` (with `expm1`).
    /// One-hot columns come back as 0/1 indicators (or shares, for centroids).
    pub fn inverse_transform(&self, row: &[f64]) -> Result<Vec<f64>> {
        if row.len() != self.scalers.len() {
            return Err(Error::InvalidParameter(format!(
                "expected {} prepared values, got {}",
                self.scalers.len(),
                row.len()
            )));
        }
        let mut out: Vec<f64> = row
            .iter()
            .zip(&self.scalers)
            .map(|(&y, s)| s.invert(y))
            .collect();
        let mut j = 0;
        for f in &self.features {
            match f {
                FittedFeature::Numeric(nf) => {
                    if nf.log1p {
                        out[j] = out[j].exp_m1();
                    }
                    j += 1;
                }
                FittedFeature::Categorical(c) => j += c.width(),
            }
        }
        Ok(out)
    }

    /// The fitted state as pretty JSON (NaN-free: every learnt value is finite).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::InvalidParameter(format!("cannot write the fitted recipe: {e}")))
    }
}
