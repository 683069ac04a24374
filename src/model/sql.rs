//! Scoring where the data lives: a saved model as one SQL `SELECT` over a table of customers, for DuckDB,
//! PostgreSQL, SQLite, BigQuery, Snowflake and Spark SQL.
//!
//! The statement returns every input column (`*`, in the table's order) plus `segment` (and
//! `distance_to_centre` for k-means). Each prepared feature is an expression over the original columns,
//! quoted per dialect: `COALESCE` for imputation, `LN(1 + x)` for log1p, `LEAST`/`GREATEST` (SQLite:
//! `MIN`/`MAX`) for winsor bounds, `CASE` for one-hot levels (`<other>` and `<missing>` included), the
//! scaler folded into the arithmetic as `(x − centre) / scale`. K-means: squared distances to every centre
//! and a `CASE` picking the smallest, ties to the centre that comes first, as `apply` does. Gaussian
//! mixtures: the argmax of the per-component log-densities (diagonal and spherical covariances directly;
//! full covariance through the precision Cholesky factor, one quadratic form per component). Missing values
//! must be `NULL` in the table. Hierarchical models score by their nearest training row, which is not a
//! `SELECT`: they are refused with the way out, and so are KNN imputation and date features.
//!
//! Tests execute the SQLite statements (rusqlite, bundled) and compare every label with `apply`; the other
//! dialects come from the same templates with their own quoting, types and functions.

use std::fmt::Write as _;

use super::{Scorer, SegmentModel};
use crate::cluster::CovarianceType;
use crate::error::{Error, Result};
use crate::prep::encode::OneHot;
use crate::prep::{FittedFeature, NumericFill};

/// A SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// DuckDB.
    Duckdb,
    /// PostgreSQL.
    Postgres,
    /// SQLite (with its math functions).
    Sqlite,
    /// Google BigQuery (standard SQL).
    Bigquery,
    /// Snowflake.
    Snowflake,
    /// Spark SQL / Databricks.
    Spark,
}

impl std::str::FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "duckdb" => Dialect::Duckdb,
            "postgres" | "postgresql" => Dialect::Postgres,
            "sqlite" => Dialect::Sqlite,
            "bigquery" => Dialect::Bigquery,
            "snowflake" => Dialect::Snowflake,
            "spark" | "databricks" => Dialect::Spark,
            _ => {
                return Err(format!(
                    "unknown dialect '{s}'; use duckdb, postgres, sqlite, bigquery, snowflake or spark"
                ));
            }
        })
    }
}

impl Dialect {
    /// An identifier (column or table name), quoted.
    fn ident(self, name: &str) -> String {
        match self {
            Dialect::Bigquery | Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A table name, possibly qualified (`schema.table`): each part quoted.
    fn table(self, name: &str) -> String {
        name.split('.')
            .map(|p| self.ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn double(self) -> &'static str {
        match self {
            Dialect::Sqlite => "REAL",
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::Bigquery => "FLOAT64",
            Dialect::Duckdb | Dialect::Snowflake | Dialect::Spark => "DOUBLE",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Dialect::Bigquery | Dialect::Spark => "STRING",
            Dialect::Sqlite | Dialect::Postgres => "TEXT",
            Dialect::Duckdb | Dialect::Snowflake => "VARCHAR",
        }
    }

    fn least(self) -> &'static str {
        if self == Dialect::Sqlite {
            "MIN"
        } else {
            "LEAST"
        }
    }

    fn greatest(self) -> &'static str {
        if self == Dialect::Sqlite {
            "MAX"
        } else {
            "GREATEST"
        }
    }
}

/// A number literal that reads back as the same f64.
fn num(v: f64) -> String {
    let s = format!("{v:?}");
    if v < 0.0 { format!("({s})") } else { s }
}

/// A string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The SQL expressions of the prepared features (before nothing else: each is one output column), and
/// the conditions under which a row is not scored (a missing value the preparation drops).
fn features(model: &SegmentModel, dialect: Dialect) -> Result<(Vec<String>, Vec<String>)> {
    let prep = &model.preparation;
    let mut out = Vec::with_capacity(prep.feature_names.len());
    let mut drops = Vec::new();
    for f in &prep.features {
        match f {
            FittedFeature::Numeric(n) => {
                let col = format!("CAST({} AS {})", dialect.ident(&n.name), dialect.double());
                let mut e = match n.fill {
                    NumericFill::Value { value } => format!("COALESCE({col}, {})", num(value)),
                    NumericFill::Drop => {
                        drops.push(format!("{} IS NULL", dialect.ident(&n.name)));
                        col
                    }
                    NumericFill::Knn { .. } => {
                        return Err(Error::InvalidParameter(format!(
                            "'{}' is imputed from its nearest neighbours, which one SQL expression cannot \
                             do; refit with median, mean or constant imputation for SQL scoring, or score \
                             with apply",
                            n.name
                        )));
                    }
                };
                if n.log1p {
                    e = format!("LN(1 + {e})");
                }
                if let Some((lo, hi)) = n.clip {
                    e = format!(
                        "{}({}({e}, {}), {})",
                        dialect.least(),
                        dialect.greatest(),
                        num(lo),
                        num(hi)
                    );
                }
                out.push(e);
            }
            FittedFeature::Categorical(c) => {
                if c.drop {
                    drops.push(format!("{} IS NULL", dialect.ident(&c.name)));
                }
                out.extend(one_hot(c, dialect));
            }
        }
    }
    if out.len() != prep.scalers.len() {
        return Err(Error::InvalidParameter(
            "internal: the model's features and scalers differ in number".into(),
        ));
    }
    let scaled = out
        .into_iter()
        .zip(&prep.scalers)
        .map(|(e, s)| match *s {
            crate::prep::scale::ColumnScaler::Identity => e,
            crate::prep::scale::ColumnScaler::Center { center, scale } => {
                format!("(({e}) - {}) / {}", num(center), num(scale))
            }
            crate::prep::scale::ColumnScaler::MinMax { scale, min } => {
                format!("(({e}) * {} + {})", num(scale), num(min))
            }
        })
        .collect();
    Ok((scaled, drops))
}

/// The one-hot columns of a categorical feature, as the fitted encoder builds them.
fn one_hot(c: &OneHot, dialect: Dialect) -> Vec<String> {
    let raw = format!("CAST({} AS {})", dialect.ident(&c.name), dialect.text());
    // A missing cell takes the fill level (mode or constant) when there is one.
    let value = match &c.fill {
        Some(f) => format!("COALESCE({raw}, {})", lit(f)),
        None => raw.clone(),
    };
    let mut cols: Vec<String> = c
        .levels
        .iter()
        .map(|l| format!("CASE WHEN {value} = {} THEN 1.0 ELSE 0.0 END", lit(l)))
        .collect();
    if c.other {
        let known = c
            .levels
            .iter()
            .map(|l| lit(l))
            .collect::<Vec<_>>()
            .join(", ");
        cols.push(format!(
            "CASE WHEN {value} IS NOT NULL AND {value} NOT IN ({known}) THEN 1.0 ELSE 0.0 END"
        ));
    }
    if c.missing_level {
        cols.push(format!("CASE WHEN {value} IS NULL THEN 1.0 ELSE 0.0 END"));
    }
    cols
}

/// The index of the smallest of `values` (SQL expressions), ties to the first, mapped through `to`.
fn argmin(values: &[String], to: &[usize]) -> String {
    let mut s = String::from("CASE");
    for j in 0..values.len().saturating_sub(1) {
        let conds: Vec<String> = (j + 1..values.len())
            .map(|l| format!("{} <= {}", values[j], values[l]))
            .collect();
        let _ = write!(s, " WHEN {} THEN {}", conds.join(" AND "), to[j]);
    }
    let _ = write!(s, " ELSE {} END", to[values.len() - 1]);
    s
}

/// Squared Euclidean distance between the feature columns `f` and `centre`.
fn sq_distance(f: &[String], centre: &[f64]) -> String {
    let terms: Vec<String> = f
        .iter()
        .zip(centre)
        .map(|(e, &c)| format!("({e} - {0}) * ({e} - {0})", num(c)))
        .collect();
    terms.join(" + ")
}

/// The `SELECT` scoring `table` with `model`: three nested steps (prepared features `__f0..`, then
/// squared distances or log-density terms `__s0..`, then the segment), so the statement grows with
/// k · features, and an outer list that returns the training file's columns, in its order, plus the
/// results.
pub fn to_sql(model: &SegmentModel, dialect: Dialect, table: &str) -> Result<String> {
    let (f_exprs, drops) = features(model, dialect)?;
    let id = |s: String| dialect.ident(&s);
    let f: Vec<String> = (0..f_exprs.len()).map(|j| id(format!("__f{j}"))).collect();
    let (scores, to_segment, distance): (Vec<String>, &[usize], bool) = match &model.scorer {
        Scorer::NearestCentre {
            centres,
            to_segment,
        } => (
            centres.iter().map(|c| sq_distance(&f, c)).collect(),
            to_segment,
            true,
        ),
        Scorer::Mixture { params, to_segment } => (mixture_scores(params, &f), to_segment, false),
        Scorer::NearestRow { .. } | Scorer::NearestLeaf { .. } => {
            return Err(Error::InvalidParameter(format!(
                "a {} model scores a customer by its nearest training row, which one SQL SELECT cannot \
                 express; for warehouse scoring fit k-means or a Gaussian mixture with the same features \
                 and k, or score this model with apply or serve",
                model.info.method
            )));
        }
        Scorer::NearestCore { .. } => {
            return Err(Error::InvalidParameter(format!(
                "a {} model scores a customer by the nearest core training row within eps (else \
                 outlier), which one SQL SELECT cannot express; score this model with apply or serve, \
                 or for warehouse scoring fit k-means or a Gaussian mixture with the same features",
                model.info.method
            )));
        }
    };
    let s: Vec<String> = (0..scores.len()).map(|j| id(format!("__s{j}"))).collect();
    let guard = |e: String| {
        if drops.is_empty() {
            e
        } else {
            format!("CASE WHEN {} THEN NULL ELSE {e} END", drops.join(" OR "))
        }
    };
    let list = |items: Vec<String>| items.join(",\n    ");
    let prepared = list(
        f_exprs
            .iter()
            .zip(&f)
            .map(|(e, name)| format!("{e} AS {name}"))
            .collect(),
    );
    let scored = list(
        scores
            .iter()
            .zip(&s)
            .map(|(e, name)| format!("{e} AS {name}"))
            .collect(),
    );
    let mut outputs = vec![format!("{} AS segment", guard(argmin(&s, to_segment)))];
    if distance {
        outputs.push(format!(
            "{} AS distance_to_centre",
            guard(format!("SQRT({})", min_of(&s)))
        ));
    }
    let columns: Vec<String> = model.columns.iter().map(|c| dialect.ident(c)).collect();
    let mut sql = format!(
        "-- segscope {} model from {} ({} segments, format version {}): scores {}.\n\
         -- Missing values must be NULL. Returns the training file's columns plus the results.\n",
        model.info.method,
        model.source,
        model.info.k,
        model.version,
        dialect.table(table)
    );
    let _ = write!(
        sql,
        "SELECT\n    {},\n    {}\nFROM (\n  SELECT *,\n    {scored}\n  FROM (\n    SELECT *,\n    {prepared}\n    FROM {}\n  ) AS prepared\n) AS scored;\n",
        columns.join(",\n    "),
        outputs.join(",\n    "),
        dialect.table(table)
    );
    Ok(sql)
}

/// The smallest of `values` (SQL expressions), ties to the first.
fn min_of(values: &[String]) -> String {
    let mut s = String::from("CASE");
    for j in 0..values.len().saturating_sub(1) {
        let conds: Vec<String> = (j + 1..values.len())
            .map(|l| format!("{} <= {}", values[j], values[l]))
            .collect();
        let _ = write!(s, " WHEN {} THEN {}", conds.join(" AND "), values[j]);
    }
    let _ = write!(s, " ELSE {} END", values[values.len() - 1]);
    s
}

/// Per component, −log(w_j · N(x | μ_j, Σ_j)) up to the constant all share: the smallest is the most
/// probable component, as the mixture's argmax.
fn mixture_scores(params: &crate::cluster::MixtureParams, f: &[String]) -> Vec<String> {
    let (k, dd) = (params.k(), params.d);
    let means = params.means();
    let prec = params.precision_factors();
    let log_det = params.log_det();
    let half_log_2pi = 0.5 * dd as f64 * (2.0 * std::f64::consts::PI).ln();
    (0..k)
        .map(|j| {
            let mu = &means[j * dd..(j + 1) * dd];
            let quad = match params.covariance_type {
                CovarianceType::Diag => f
                    .iter()
                    .enumerate()
                    .map(|(a, e)| {
                        format!(
                            "POWER(({e} - {}) * {}, 2)",
                            num(mu[a]),
                            num(prec[j * dd + a])
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" + "),
                CovarianceType::Spherical => f
                    .iter()
                    .enumerate()
                    .map(|(a, e)| format!("POWER(({e} - {}) * {}, 2)", num(mu[a]), num(prec[j])))
                    .collect::<Vec<_>>()
                    .join(" + "),
                CovarianceType::Full => {
                    let l = &prec[j * dd * dd..(j + 1) * dd * dd];
                    (0..dd)
                        .map(|a| {
                            let y: Vec<String> = (0..=a)
                                .filter(|&b| l[a * dd + b] != 0.0)
                                .map(|b| {
                                    format!("({} - {}) * {}", f[b], num(mu[b]), num(l[a * dd + b]))
                                })
                                .collect();
                            let y = if y.is_empty() {
                                "0".to_owned()
                            } else {
                                y.join(" + ")
                            };
                            format!("POWER({y}, 2)")
                        })
                        .collect::<Vec<_>>()
                        .join(" + ")
                }
            };
            let constant = -params.weights()[j].ln() - log_det[j] + half_log_2pi;
            format!("0.5 * ({quad}) + {}", num(constant))
        })
        .collect()
}
