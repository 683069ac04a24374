//! Learning a [`Preparation`] from a table: checks names and kinds, finds the rows kept by `drop`, learns fill
//! values, KNN reference rows and one-hot levels, then clip bounds and scalers on the imputed, transformed
//! values. [`Preparation::fit_transform`] returns the prepared table from the same pass.

use super::Prepared;
use super::encode::OneHot;
use super::fitted::{
    Fitted, FittedFeature, NumericFeature, NumericFill, codes_levels, kept_rows, numeric_values,
    prepared_matrix, put_scaled, unscaled_each,
};
use super::knn::KnnModel;
use super::recipe::{Impute, MissingCategory, Preparation};
use super::scale::ColumnScaler;
use super::select::{check_names, unknown_column};
use super::stats::{mean_present, median_in_place, mode_sorted, sorted_present};
use super::transform::{clip_in_place, winsor_bounds};
use crate::data::{ColumnKind, Table};
use crate::error::{Error, Result};
use crate::jobs::Progress;

fn check_recipe_names(recipe: &Preparation, table: &Table) -> Result<()> {
    check_names(table, &recipe.features, "the feature list")?;
    let mut others: Vec<(&String, &str)> = recipe.log1p.iter().map(|n| (n, "--log1p")).collect();
    others.extend(recipe.impute_columns.keys().map(|n| (n, "--impute")));
    if let Some(w) = &recipe.winsorize {
        others.extend(w.columns.iter().map(|n| (n, "winsorize")));
    }
    for (name, what) in others {
        check_names(table, [name], what)?;
        if !recipe.features.contains(name) {
            return Err(Error::Column {
                name: name.clone(),
                message: format!(
                    "{what} names it, but it is not a selected feature; add it to --features"
                ),
            });
        }
    }
    if table.n_rows() == 0 {
        return Err(Error::Input {
            source_name: table.source_name.clone(),
            message: "has no data rows to prepare".into(),
        });
    }
    Ok(())
}

fn fit_numeric(
    recipe: &Preparation,
    name: &str,
    values: &[f64],
    kept: &[usize],
) -> Result<NumericFill> {
    let sorted = || sorted_present(kept.iter().map(|&r| values[r]));
    if kept.iter().all(|&r| values[r].is_nan()) {
        return Err(Error::Column {
            name: name.to_owned(),
            message: "has no values in the rows kept after 'drop'; remove it from the features"
                .into(),
        });
    }
    let fill = match recipe.impute_for(name) {
        Impute::Drop => NumericFill::Drop,
        Impute::Knn(k) => NumericFill::Knn { k: *k },
        Impute::Mean => NumericFill::Value {
            value: mean_present(kept.iter().map(|&r| values[r])),
        },
        Impute::Median => NumericFill::Value {
            value: median_in_place(
                &mut kept
                    .iter()
                    .map(|&r| values[r])
                    .filter(|x| !x.is_nan())
                    .collect::<Vec<_>>(),
            ),
        },
        Impute::Mode => NumericFill::Value {
            value: mode_sorted(&sorted()),
        },
        Impute::Constant(v) => match v.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => NumericFill::Value { value: x },
            _ => {
                return Err(Error::Column {
                    name: name.to_owned(),
                    message: format!(
                        "cannot fill a numeric column with '{v}' (--impute constant:{v}); give a number, \
                         e.g. constant:0"
                    ),
                });
            }
        },
    };
    Ok(fill)
}

impl Preparation {
    /// Learns every statistic from `table`.
    pub fn fit(&self, table: &Table) -> Result<Fitted> {
        Ok(self.fit_transform(table, &Progress::new())?.0)
    }

    /// Learns every statistic from `table` and returns the prepared `table` too (one pass).
    pub fn fit_transform(&self, table: &Table, progress: &Progress) -> Result<(Fitted, Prepared)> {
        self.check()?;
        check_recipe_names(self, table)?;
        progress.set_stage("preparing features", 0);
        // Draft features (no fill values yet) only to find the kept rows.
        let mut drafts = Vec::new();
        for name in &self.features {
            let col = table
                .column(name)
                .ok_or_else(|| unknown_column(table, name, "the feature list"))?;
            if !col.data.is_empty() && (0..col.data.len()).all(|r| col.data.is_missing(r)) {
                return Err(Error::Column {
                    name: name.clone(),
                    message: format!(
                        "is empty: all {} values are missing; remove it from the features",
                        col.data.len()
                    ),
                });
            }
            let draft = match col.kind() {
                ColumnKind::Numeric => FittedFeature::Numeric(NumericFeature {
                    name: name.clone(),
                    fill: if *self.impute_for(name) == Impute::Drop {
                        NumericFill::Drop
                    } else {
                        NumericFill::Value { value: 0.0 }
                    },
                    log1p: self.log1p.contains(name),
                    clip: None,
                }),
                ColumnKind::Categorical | ColumnKind::Text => {
                    if self.log1p.contains(name) {
                        return Err(Error::Column {
                            name: name.clone(),
                            message: "is not numeric, so --log1p cannot apply to it".into(),
                        });
                    }
                    FittedFeature::Categorical(OneHot {
                        name: name.clone(),
                        levels: Vec::new(),
                        other: false,
                        missing_level: false,
                        fill: None,
                        drop: self.missing_category == MissingCategory::Impute
                            && *self.impute_for(name) == Impute::Drop,
                    })
                }
                ColumnKind::Date => {
                    return Err(Error::Column {
                        name: name.clone(),
                        message: "is a date column and cannot be a feature; derive recency with \
                                  `segscope rfm` or drop it from --features"
                            .into(),
                    });
                }
            };
            drafts.push(draft);
        }
        let kept = kept_rows(table, &drafts)?;
        let mut features = Vec::with_capacity(drafts.len());
        for draft in drafts {
            features.push(match draft {
                FittedFeature::Numeric(mut f) => {
                    f.fill = fit_numeric(self, &f.name, numeric_values(table, &f.name)?, &kept)?;
                    FittedFeature::Numeric(f)
                }
                FittedFeature::Categorical(c) => {
                    let (codes, levels) = codes_levels(table, &c.name)?;
                    FittedFeature::Categorical(OneHot::fit(&c.name, codes, levels, &kept, self)?)
                }
            });
        }
        let knn = Self::fit_knn(table, &features, &kept)?;
        super::fitted::check_memory(&features, kept.len())?;
        // Output names, and for each output column whether winsorize applies (learnt on imputed,
        // log-transformed values) and which numeric feature it is.
        let mut feature_names = Vec::new();
        let mut numeric_of_out: Vec<Option<usize>> = Vec::new();
        for (i, f) in features.iter().enumerate() {
            match f {
                FittedFeature::Numeric(nf) => {
                    feature_names.push(nf.name.clone());
                    numeric_of_out.push(Some(i));
                }
                FittedFeature::Categorical(c) => {
                    feature_names.extend(c.output_names());
                    numeric_of_out.extend(std::iter::repeat_n(None, c.width()));
                }
            }
        }
        let winsorized = |name: &str| {
            self.winsorize
                .as_ref()
                .filter(|w| w.columns.is_empty() || w.columns.iter().any(|c| c == name))
        };
        let mut matrix = prepared_matrix(kept.len(), feature_names.len())?;
        let mut clips: Vec<(usize, (f64, f64))> = Vec::new();
        let mut scalers = Vec::with_capacity(feature_names.len());
        let mut warnings = Vec::new();
        let mut report = unscaled_each(
            &features,
            knn.as_ref(),
            table,
            &kept,
            progress,
            |j, mut col| {
                let name = &feature_names[j];
                if let Some(i) = numeric_of_out[j]
                    && let Some(w) = winsorized(name)
                {
                    let b = winsor_bounds(&col, w.lower, w.upper);
                    clip_in_place(&mut col, b);
                    clips.push((i, b));
                }
                let (s, constant) = ColumnScaler::fit(self.scale, &col);
                if constant {
                    warnings.push(format!(
                        "feature '{name}' has the same value in every row; it scales to 0 and cannot separate segments"
                    ));
                }
                put_scaled(&mut matrix, j, &col, &s, name, table, &kept)?;
                scalers.push(s);
                Ok(())
            },
        )?;
        for (i, b) in clips {
            if let FittedFeature::Numeric(nf) = &mut features[i] {
                nf.clip = Some(b);
            }
        }
        let fitted = Fitted {
            preparation: self.clone(),
            features,
            knn,
            scalers,
            feature_names,
            warnings,
        };
        report
            .warnings
            .splice(0..0, fitted.warnings.iter().cloned());
        let prepared = Prepared {
            matrix,
            feature_names: fitted.feature_names.clone(),
            kept_rows: kept.into(),
            report,
        };
        Ok((fitted, prepared))
    }

    fn fit_knn(
        table: &Table,
        features: &[FittedFeature],
        kept: &[usize],
    ) -> Result<Option<KnnModel>> {
        let max_k = features
            .iter()
            .filter_map(|f| match f {
                FittedFeature::Numeric(NumericFeature {
                    fill: NumericFill::Knn { k },
                    ..
                }) => Some(*k),
                _ => None,
            })
            .max();
        let Some(max_k) = max_k else { return Ok(None) };
        let mut cols = Vec::new();
        for f in features {
            if let FittedFeature::Numeric(nf) = f {
                cols.push(numeric_values(table, &nf.name)?);
            }
        }
        let d = cols.len();
        let rows: Vec<f64> = kept
            .iter()
            .flat_map(|&r| cols.iter().map(move |c| c[r]))
            .collect();
        let model = KnnModel::new(&rows, d);
        let complete = model.complete_rows();
        if complete < max_k {
            return Err(Error::InvalidParameter(format!(
                "knn:{max_k} needs at least {max_k} rows with every numeric feature present, but only \
                 {complete} of {} rows are complete; use a smaller K (e.g. knn:{}) or another --impute",
                kept.len(),
                complete.max(1)
            )));
        }
        Ok(Some(model))
    }
}
