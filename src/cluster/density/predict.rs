//! Assigning new rows to a density-based segmentation (what a saved DBSCAN / OPTICS model does): a new
//! row joins the segment of the nearest stored row whose radius covers it (distance ≤ that row's radius),
//! else it is an outlier. Ties in distance go to the lowest stored row.
//!
//! * DBSCAN and an OPTICS eps cut store their core rows with radius eps: the usual way to "predict" with
//!   sklearn's DBSCAN (nearest core sample within eps). It is not hdbscan's `approximate_predict`, which
//!   weighs mutual reachability and cluster persistence. Applied to the training rows it gives every
//!   core row its own label and every noise row "outlier" (no core row is within eps of it, by
//!   definition); a border row gets the cluster of its nearest core row, which can differ from the fit's
//!   scan-order rule when it lies within eps of core rows of two clusters.
//! * OPTICS xi has no single density threshold: every training row is stored, outliers included, with
//!   its core distance as radius (a new row must be among a training row's `min_samples` nearest to
//!   join it). Every training row then scores as it was labelled (barring exact duplicates with
//!   different labels).
//!
//! The stored rows are indexed with linfa-nn's k-d tree (as in the fit); queries run in parallel blocks.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::index::{BLOCK, Index, Rows, Space, dist};
use crate::error::{Error, Result};

/// For each row of `queries`, the position in `points` of the nearest point `j` with
/// `dist(row, points[j]) ≤ radii[j]` (ties: the lowest `j`), or `None`.
pub fn nearest_within(
    points: ArrayView2<f64>,
    radii: &[f64],
    queries: ArrayView2<f64>,
) -> Result<Vec<Option<usize>>> {
    if queries.nrows() == 0 || points.nrows() == 0 {
        return Ok(vec![None; queries.nrows()]);
    }
    if radii.len() != points.nrows() || points.ncols() != queries.ncols() {
        return Err(Error::InvalidParameter(format!(
            "internal: {} core rows with {} radii and {} features, scoring rows of {} features",
            points.nrows(),
            radii.len(),
            points.ncols(),
            queries.ncols()
        )));
    }
    if let Some(r) = radii.iter().find(|r| !(r.is_finite() && **r >= 0.0)) {
        return Err(Error::InvalidParameter(format!(
            "a core row's radius is {r}; it must be a finite distance ≥ 0"
        )));
    }
    let reach = radii.iter().copied().fold(0.0, f64::max);
    let rows = Rows::new(points, "scoring with a density model")?;
    let q = Rows::new(queries, "scoring with a density model")?;
    let space = Space::new(&rows, "density model", 0)?;
    let index = Index::build(&space, "density model")?;
    let mut out = Vec::with_capacity(q.n());
    let all: Vec<usize> = (0..q.n()).collect();
    for block in all.chunks(BLOCK) {
        let found: Vec<Option<usize>> = block
            .par_iter()
            .map(|&i| {
                let a = q.row(i);
                let near = index.within_point(q.view().row(i), reach)?;
                Ok(near
                    .into_iter()
                    .map(|j| (dist(a, rows.row(j)), j))
                    .filter(|&(d, j)| d <= radii[j])
                    .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)))
                    .map(|(_, j)| j))
            })
            .collect::<Result<_>>()?;
        out.extend(found);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn nearest_covering_point_or_none() {
        let pts = array![[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]];
        let q = array![[0.4, 0.0], [0.6, 0.0], [3.0, 0.0], [5.0, 0.9], [0.5, 0.0]];
        let got = nearest_within(pts.view(), &[1.0, 1.0, 1.0], q.view()).unwrap();
        // 0.5 is equidistant from rows 0 and 1: the lowest row wins.
        assert_eq!(got, [Some(0), Some(1), None, Some(2), Some(0)]);
        // Per-point radii: row 2 reaches 3.0 only with a radius of 2.
        let got = nearest_within(pts.view(), &[0.1, 0.1, 2.0], q.view()).unwrap();
        assert_eq!(got, [None, None, Some(2), Some(2), None]);
        assert!(nearest_within(pts.view(), &[1.0], q.view()).is_err());
        assert!(nearest_within(pts.view(), &[1.0, f64::NAN, 1.0], q.view()).is_err());
        let wide = array![[0.0, 0.0, 0.0]];
        assert!(nearest_within(pts.view(), &[1.0; 3], wide.view()).is_err());
    }
}
