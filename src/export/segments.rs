//! The columns a segmentation adds to the labelled CSV: `segment`, `segment_name`, and on request `silhouette`,
//! `p_0..p_{k-1}` (Gaussian mixtures) and `distance_to_centre` (k-means), built from a run's
//! [`SegResult`] for the app's Export tab and `segscope cluster -o` alike. A density method's outliers
//! read `outlier` in `segment` and `segment_name`, with an empty silhouette.

use ndarray::Array2;

use super::{AppendColumns, RowResults, label_columns};
use crate::analysis::{PreparedData, SegResult};
use crate::cluster::Method;

/// Extra columns of the labelled CSV beyond `segment`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportColumns {
    /// Each row's silhouette (empty cells where it was not computed exactly).
    pub silhouette: bool,
    /// Distance to the segment centre (k-means).
    pub distance: bool,
    /// Membership probabilities `p_0..` (Gaussian mixtures).
    pub probabilities: bool,
}

impl Default for ExportColumns {
    fn default() -> Self {
        Self {
            silhouette: true,
            distance: true,
            probabilities: true,
        }
    }
}

/// The names of the columns the labelled CSV adds for `result` and `cols` (what the Export tab announces
/// before the click).
pub fn added_column_names(result: &SegResult, cols: ExportColumns) -> Vec<String> {
    let mut names = vec!["segment".to_owned()];
    if !result.names.is_empty() {
        names.push("segment_name".into());
    }
    if cols.silhouette {
        names.push("silhouette".into());
    }
    if cols.probabilities
        && let Some(p) = &result.seg.probabilities
    {
        names.extend((0..p.ncols()).map(|j| format!("p_{j}")));
    }
    if cols.distance && result.seg.method == Method::Kmeans {
        names.push("distance_to_centre".into());
    }
    names
}

/// The cells the labelled CSV appends to each of the table's `n_rows` data rows.
pub fn segment_columns(
    result: &SegResult,
    data: &PreparedData,
    n_rows: usize,
    cols: ExportColumns,
) -> AppendColumns {
    let seg = &result.seg;
    let distances =
        (cols.distance && seg.method == Method::Kmeans).then(|| seg.distances_to_centre(data.x()));
    label_columns(&RowResults {
        n_rows,
        kept_rows: &data.prepared.kept_rows,
        labels: &seg.labels,
        names: (!result.names.is_empty()).then_some(result.names.as_slice()),
        silhouette_column: cols.silhouette,
        silhouette: result.silhouette.as_deref(),
        probabilities: seg
            .probabilities
            .as_ref()
            .filter(|_| cols.probabilities)
            .map(Array2::view),
        distances: distances.as_deref(),
        outlier: seg.noise_segment(),
    })
}
