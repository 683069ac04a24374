//! The plots of one run (a [`SegResult`] on its [`PreparedData`]), as `segscope plot` and the report
//! draw them: the same titles, names and colours everywhere.

use ndarray::Array2;

use super::{DendrogramPlot, ProfilesPlot, ScatterPlot, SilhouettePlot};
use crate::analysis::{PreparedData, SegResult};
use crate::cluster::height_for_k;
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// A 2-D map of the prepared rows with its axis titles.
#[derive(Debug, Clone)]
pub struct Map {
    /// rows × 2.
    pub xy: Array2<f64>,
    /// The x axis title.
    pub x_title: String,
    /// The y axis title.
    pub y_title: String,
    /// What the map is ("PCA", "t-SNE").
    pub what: String,
}

/// The first two principal components of the prepared rows, each titled with its share of variance.
pub fn pca_map(data: &PreparedData, progress: &Progress) -> Result<Map> {
    let x = data.x();
    if x.ncols() < 2 || x.nrows() < 2 {
        return Err(Error::InvalidParameter(format!(
            "a PCA scatter needs at least 2 prepared features and 2 rows; got {} × {}",
            x.nrows(),
            x.ncols()
        )));
    }
    let p = crate::reduce::pca(x, 2, progress)?;
    let share = |i: usize| {
        p.explained_variance_ratio
            .get(i)
            .map_or_else(String::new, |r| format!(" ({:.1}% of variance)", 100.0 * r))
    };
    Ok(Map {
        xy: p.transform(x),
        x_title: format!("PC1{}", share(0)),
        y_title: format!("PC2{}", share(1)),
        what: "PCA".into(),
    })
}

/// The segments on a map.
pub fn scatter<'a>(result: &'a SegResult, map: &'a Map) -> ScatterPlot<'a> {
    ScatterPlot {
        xy: map.xy.view(),
        labels: &result.seg.labels,
        k: result.seg.k,
        noise: result.seg.noise_segment(),
        names: &result.names,
        title: format!(
            "Segments on the {} map ({}, {} segments)",
            map.what,
            result.seg.method,
            result.seg.n_clusters()
        ),
        x_title: map.x_title.clone(),
        y_title: map.y_title.clone(),
    }
}

/// The dendrogram with the cut that gave the segments (hierarchical methods only).
pub fn dendrogram(result: &SegResult) -> Option<DendrogramPlot<'_>> {
    let tree = result.seg.dendrogram.as_ref()?;
    if tree.merges.is_empty() {
        return None;
    }
    let cut = match result.target {
        crate::analysis::Target::Height(h) => h,
        _ => height_for_k(tree, result.seg.k.clamp(1, tree.n_leaves)),
    };
    Some(DendrogramPlot {
        tree,
        labels: &result.seg.labels,
        cut,
        title: format!(
            "Dendrogram ({}), cut into {} segments",
            result.seg.method, result.seg.k
        ),
    })
}

/// The silhouette plot, when per-row silhouettes were computed (exactly).
pub fn silhouette(result: &SegResult) -> Option<SilhouettePlot<'_>> {
    let s = result.silhouette.as_deref()?;
    Some(SilhouettePlot {
        labels: &result.seg.labels,
        silhouette: s,
        k: result.seg.k,
        noise: result.seg.noise_segment(),
        names: &result.names,
        mean: result.silhouette_mean,
        title: format!(
            "Silhouette per row ({}, {} segments)",
            result.seg.method,
            result.seg.n_clusters()
        ),
    })
}

/// The profiles heatmap.
pub fn profiles(result: &SegResult) -> ProfilesPlot<'_> {
    ProfilesPlot {
        profile: &result.profile,
        names: &result.names,
        noise: result.seg.noise_segment(),
        title: "Segment profiles: difference from all rows (in standard deviations)".into(),
    }
}
