//! Cluster quality metrics that match scikit-learn: silhouette (exact blocked, per-sample, several labelings
//! in one pass, and a stratified sampled estimate), Davies-Bouldin, Calinski-Harabasz and the adjusted Rand
//! index.
//!
//! Labels are `&[usize]` with arbitrary ids (they need not be `0..k`); they are relabelled internally in
//! sorted id order, as sklearn's `LabelEncoder` does. Every metric that takes a feature matrix rejects an
//! empty matrix, a label count that differs from the row count and rows with missing (NaN) or infinite
//! values, naming the row (0-based index into `x`). [`score_all`] gathers the three internal metrics and
//! returns `None`, never NaN, for a metric that is undefined for the input.

mod ari;
mod calinski_harabasz;
mod cells;
mod davies_bouldin;
mod kernel;
mod silhouette;
mod silhouette_sampled;
mod symmetric;
mod trustworthiness;

pub use ari::adjusted_rand_score;
pub use calinski_harabasz::calinski_harabasz_score;
pub use davies_bouldin::davies_bouldin_score;
pub use silhouette::{silhouette_many, silhouette_samples, silhouette_score};
pub use silhouette_sampled::{SampledSilhouette, silhouette_sampled, silhouette_sampled_rows};
pub use trustworthiness::trustworthiness;

use ndarray::ArrayView2;

use crate::error::{Error, Result};
use crate::jobs::Progress;

/// The three internal metrics of one labelling; `None` where a metric is undefined (fewer than 2 segments,
/// or as many segments as rows). Values follow sklearn, including its conventions for degenerate data:
/// when all rows are identical sklearn (and this) gives silhouette 0, Davies-Bouldin 0 and
/// Calinski-Harabasz 1.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scores {
    /// Mean silhouette coefficient (sklearn `silhouette_score`, Euclidean), in -1..=1; higher is better.
    pub silhouette: Option<f64>,
    /// Davies-Bouldin index (sklearn `davies_bouldin_score`), >= 0; lower is better.
    pub davies_bouldin: Option<f64>,
    /// Calinski-Harabasz index (sklearn `calinski_harabasz_score`), >= 0; higher is better.
    pub calinski_harabasz: Option<f64>,
}

/// Silhouette, Davies-Bouldin and Calinski-Harabasz of `labels` on `x` (rows = customers).
///
/// Input errors (empty `x`, length mismatch, missing values) and cancellation are errors; a metric that is
/// undefined because of the number of segments (k = 1 or k = n) is `None`. A non-finite result (only
/// possible when squared values overflow f64) is also reported as `None`.
pub fn score_all(x: ArrayView2<f64>, labels: &[usize], progress: &Progress) -> Result<Scores> {
    validate_x(x, labels.len())?;
    let enc = Encoded::new(labels);
    if !(2..x.nrows()).contains(&enc.k()) {
        return Ok(Scores {
            silhouette: None,
            davies_bouldin: None,
            calinski_harabasz: None,
        });
    }
    let finite = |v: f64| v.is_finite().then_some(v);
    let davies_bouldin = finite(davies_bouldin_score(x, labels)?);
    let calinski_harabasz = finite(calinski_harabasz_score(x, labels)?);
    let silhouette = finite(silhouette_score(x, labels, progress)?);
    Ok(Scores {
        silhouette,
        davies_bouldin,
        calinski_harabasz,
    })
}

/// Checks a feature matrix and its labels the way every metric does: rows and columns present, one label
/// per row, every value finite (the error names the row).
pub fn validate_labels(x: ArrayView2<f64>, labels: &[usize]) -> Result<()> {
    validate_x(x, labels.len())
}

/// Labels relabelled to dense codes `0..k` in sorted id order, with the size of each segment.
#[derive(Debug, Clone)]
pub(crate) struct Encoded {
    /// Dense code per row.
    pub codes: Vec<u32>,
    /// Rows per code.
    pub sizes: Vec<usize>,
}

impl Encoded {
    /// Relabels arbitrary ids (sklearn `LabelEncoder` order: sorted unique ids).
    pub fn new(labels: &[usize]) -> Self {
        let mut ids = labels.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut sizes = vec![0usize; ids.len()];
        let codes = labels
            .iter()
            .map(|l| {
                // `ids` holds every label, so the search always succeeds.
                let c = ids.binary_search(l).unwrap_or(0);
                sizes[c] += 1;
                c as u32
            })
            .collect();
        Self { codes, sizes }
    }

    /// Number of distinct labels.
    pub fn k(&self) -> usize {
        self.sizes.len()
    }
}

/// Checks the shape and values of `x` against `n_labels` labels: non-empty, same length, all finite.
pub(crate) fn validate_x(x: ArrayView2<f64>, n_labels: usize) -> Result<()> {
    if x.nrows() == 0 {
        return Err(Error::InvalidParameter(
            "cannot score an empty data set: the feature matrix has no rows".into(),
        ));
    }
    if x.ncols() == 0 {
        return Err(Error::InvalidParameter(
            "cannot score segments without features: the feature matrix has no columns".into(),
        ));
    }
    if n_labels != x.nrows() {
        return Err(Error::InvalidParameter(format!(
            "got {n_labels} labels for {} rows; give exactly one label per row",
            x.nrows()
        )));
    }
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            let what = if row[j].is_nan() {
                "a missing value"
            } else {
                "an infinite value"
            };
            return Err(Error::InvalidParameter(format!(
                "row {i} has {what} (feature column {j}); impute before scoring"
            )));
        }
    }
    Ok(())
}

/// sklearn's `check_number_of_labels`: the metric is defined only for 2 <= k <= n - 1.
pub(crate) fn check_k(metric: &str, k: usize, n: usize) -> Result<()> {
    if k < 2 || k >= n {
        return Err(Error::InvalidParameter(format!(
            "{metric} needs at least 2 segments and fewer segments than rows; got k={k} for {n} rows"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn encoding_follows_sorted_ids() {
        let e = Encoded::new(&[42, 7, 42, 100]);
        assert_eq!(e.codes, vec![1, 0, 1, 2]);
        assert_eq!(e.sizes, vec![1, 2, 1]);
    }

    #[test]
    fn nan_row_is_named() {
        let x = array![[1.0, 2.0], [f64::NAN, 1.0], [0.0, 0.0]];
        let e = validate_x(x.view(), 3).unwrap_err().to_string();
        assert!(e.contains("row 1 has a missing value"), "{e}");
    }

    #[test]
    fn score_all_is_none_when_undefined() {
        let x = array![[1.0], [2.0], [3.0]];
        let p = Progress::new();
        let s = score_all(x.view(), &[0, 0, 0], &p).unwrap();
        assert_eq!(s.silhouette, None);
        let s = score_all(x.view(), &[0, 1, 2], &p).unwrap();
        assert_eq!(s.calinski_harabasz, None);
        let s = score_all(x.view(), &[0, 0, 1], &p).unwrap();
        assert!(s.silhouette.is_some() && s.davies_bouldin.is_some());
    }

    #[test]
    fn identical_rows_follow_sklearn() {
        let x = ndarray::Array2::from_elem((6, 2), 0.1);
        let s = score_all(x.view(), &[0, 0, 0, 1, 1, 1], &Progress::new()).unwrap();
        assert_eq!(s.silhouette, Some(0.0));
        assert_eq!(s.davies_bouldin, Some(0.0));
        assert!(s.calinski_harabasz.is_some_and(f64::is_finite));
    }
}
