//! Clustering algorithms: k-means (with the crate's one k-means++), hierarchical linkage (exact and on
//! micro-clusters, cuts, layout), Gaussian mixtures and the density methods (DBSCAN, OPTICS, k-distance),
//! plus the canonical numbering of segments shared by every method.

pub mod density;
pub mod gmm;
pub mod hierarchy;
pub mod kmeans;
pub mod method;

pub use gmm::{CovarianceType, Covariances, Gmm, GmmInit, GmmParams, MixtureParams, gmm};
pub use hierarchy::{
    Dendrogram, Linkage, Merge, auto_linkage, cut_height, cut_k, height_for_k, labels_for_rows,
    leaf_order, linkage, linkage_approx, node_positions, sizes_at_cut,
};
pub use kmeans::{KMeans, KMeansParams, kmeans, nearest_centroids};
pub use method::Method;

use ndarray::ArrayView2;

use crate::error::{Error, Result};

/// Renumbers labels `0..k` so that segment 0 is the largest (ties: the one whose first row comes first).
/// Returns the new labels and `old_to_new`.
pub fn canonical_labels(labels: &[usize], k: usize) -> (Vec<usize>, Vec<usize>) {
    let mut size = vec![0usize; k];
    let mut first = vec![usize::MAX; k];
    for (i, &l) in labels.iter().enumerate() {
        size[l] += 1;
        first[l] = first[l].min(i);
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(first[a].cmp(&first[b])));
    let mut old_to_new = vec![0usize; k];
    for (new, &old) in order.iter().enumerate() {
        old_to_new[old] = new;
    }
    (labels.iter().map(|&l| old_to_new[l]).collect(), old_to_new)
}

/// The checks every clustering entry point makes on its matrix: at least one feature, and every value
/// finite ([`check_finite`]).
pub(crate) fn check_matrix(x: ArrayView2<f64>) -> Result<()> {
    if x.ncols() == 0 {
        return Err(Error::InvalidParameter("no features to cluster on".into()));
    }
    check_finite(x)
}

/// Errors naming the first missing or infinite value of a prepared matrix.
pub fn check_finite(x: ArrayView2<f64>) -> Result<()> {
    for (i, row) in x.outer_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter(format!(
                "row {} feature {} has a missing or infinite value; impute or drop it before clustering",
                i + 1,
                j + 1
            )));
        }
    }
    Ok(())
}

/// Checks the parameters shared by k-means and Gaussian mixtures; `what` names the k ("k", "the number of
/// mixture components k").
pub(crate) fn check_iterative(
    what: &str,
    k: usize,
    n_rows: usize,
    n_init: usize,
    max_iter: usize,
    tol: f64,
) -> crate::error::Result<()> {
    use crate::error::Error;
    if k == 0 {
        return Err(Error::InvalidParameter(format!(
            "{what} must be at least 1"
        )));
    }
    if k > n_rows {
        return Err(Error::InvalidParameter(format!(
            "k = {k} is more than the {n_rows} rows; choose k ≤ {n_rows}"
        )));
    }
    if n_init == 0 || max_iter == 0 {
        return Err(Error::InvalidParameter(
            "n_init and max_iter must be at least 1".into(),
        ));
    }
    if tol.is_nan() || tol < 0.0 {
        return Err(Error::InvalidParameter("tol must be ≥ 0".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_is_by_size_then_first_row() {
        let (l, map) = canonical_labels(&[2, 0, 0, 1, 1, 2, 2], 3);
        assert_eq!(l, [0, 1, 1, 2, 2, 0, 0]);
        assert_eq!(map, [1, 2, 0]);
    }
}
