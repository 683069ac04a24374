//! Biplot arrows: where each feature's loading arrow ends on a scatter of two principal components.

use ndarray::Array2;

/// Share of the scores' extent the longest arrow reaches on its axis.
pub const ARROW_REACH: f64 = 0.8;

/// The tip of each feature's arrow (rows of `loadings`, features × components) on components
/// `axes = (x, y)`: the loadings times ONE factor, chosen so the arrows reach [`ARROW_REACH`] of
/// `extent` (the largest |score| on x and on y) on the axis that limits them. Empty when an axis is not
/// a column of `loadings`; all-zero loadings stay at the origin.
pub fn biplot_tips(
    loadings: &Array2<f64>,
    axes: (usize, usize),
    extent: [f64; 2],
) -> Vec<[f64; 2]> {
    let (ax, ay) = axes;
    if ax >= loadings.ncols() || ay >= loadings.ncols() {
        return Vec::new();
    }
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let (mut mx, mut my) = (0.0f64, 0.0f64);
    for row in loadings.rows() {
        mx = mx.max(finite(row[ax]).abs());
        my = my.max(finite(row[ay]).abs());
    }
    let (ex, ey) = (finite(extent[0]).abs(), finite(extent[1]).abs());
    let scale = ARROW_REACH * (ex / mx.max(1e-12)).min(ey / my.max(1e-12));
    loadings
        .rows()
        .into_iter()
        .map(|row| [finite(row[ax]) * scale, finite(row[ay]) * scale])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_factor_fits_the_longest_arrow_to_the_limiting_axis() {
        let l = ndarray::array![[1.0, 0.0, 9.0], [0.0, 2.0, 9.0], [0.5, -1.0, 9.0]];
        // x allows 10 / 1 = 10, y allows 10 / 2 = 5: y limits, factor 0.8 · 5 = 4.
        let tips = biplot_tips(&l, (0, 1), [10.0, 10.0]);
        assert_eq!(tips, [[4.0, 0.0], [0.0, 8.0], [2.0, -4.0]]);
        assert!(biplot_tips(&l, (0, 3), [1.0, 1.0]).is_empty());
        let zero = ndarray::Array2::<f64>::zeros((2, 2));
        assert_eq!(biplot_tips(&zero, (0, 1), [5.0, 5.0]), [[0.0, 0.0]; 2]);
    }
}
