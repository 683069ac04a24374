//! Feature preparation: from a loaded [`Table`](crate::data::Table) to the numeric matrix the clustering
//! works on, with every choice recorded in a [`Preparation`].
//!
//! Steps, in order: feature selection ([`select`]), rows dropped for `drop` imputation, imputation (mean,
//! median, mode, constant, [`knn`]), `log1p` and winsorizing ([`transform`]), one-hot encoding
//! ([`encode`]), scaling ([`scale`]). Statistics are learnt once by [`Preparation::fit`] into a [`Fitted`],
//! which applies them to any table with the same columns. [`rfm`] turns a transactions file into one row
//! per customer. Numbers match sklearn and pandas (see `tests/prep_fidelity.rs`).
//!
//! ```
//! use segscope::data::{load_bytes, LoadOptions};
//! use segscope::jobs::Progress;
//! use segscope::prep::{Preparation, Scale};
//!
//! let csv = b"spend,visits,region\n10,1,North\n,3,South\n30,2,North\n".to_vec();
//! let table = load_bytes(csv, "example.csv", &LoadOptions::default(), &Progress::new())?;
//! let mut recipe = Preparation::new(vec!["spend".into(), "visits".into(), "region".into()]);
//! recipe.scale = Scale::Minmax;
//! let (fitted, prepared) = recipe.fit_transform(&table, &Progress::new())?;
//! assert_eq!(prepared.feature_names, ["spend", "visits", "region=North", "region=South"]);
//! assert_eq!(prepared.matrix[[1, 0]], 0.5); // the missing spend became the median, 20
//! assert_eq!(fitted.inverse_transform(prepared.matrix.row(1).as_slice().unwrap())?[0], 20.0);
//! # Ok::<(), segscope::Error>(())
//! ```

pub mod encode;
mod fit;
mod fitted;
pub mod knn;
pub mod recipe;
pub mod rfm;
pub mod scale;
pub mod select;
pub mod stats;
pub mod transform;

pub use fitted::{Fitted, FittedFeature, NumericFeature, NumericFill};
pub use recipe::{Impute, MissingCategory, PREPARATION_KEYS, Preparation, Scale, Winsorize};

/// What preparing a table did, for the user.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrepReport {
    /// Rows in the input table.
    pub n_input_rows: usize,
    /// Filled cells per feature (only features with at least one).
    pub filled: Vec<(String, usize)>,
    /// Cells per feature whose level was unknown to the fitted recipe (encoded as all zeros).
    pub unknown_levels: Vec<(String, usize)>,
    /// Warnings in words (constant columns, dropped rows, unknown levels).
    pub warnings: Vec<String>,
}

/// The prepared feature matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Rows = kept input rows, columns = prepared features.
    pub matrix: ndarray::Array2<f64>,
    /// Column names (`region=North` for one-hot columns).
    pub feature_names: Vec<String>,
    /// Input row (0-based) of each matrix row; rows left out by `drop` are absent. Shared: results and
    /// kept fits hold it without copying millions of indices.
    pub kept_rows: std::sync::Arc<[usize]>,
    /// What was filled, dropped or unknown.
    pub report: PrepReport,
}
