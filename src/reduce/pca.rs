//! PCA with scikit-learn's conventions: data centred, `explained_variance` with ddof = 1,
//! `explained_variance_ratio` over the total variance of all features, components as rows, each
//! component's sign fixed so that its largest-|loading| entry is positive (sklearn's `svd_flip` on `Vt`).
//! Computed by an exact symmetric eigen-decomposition (cyclic Jacobi) of the d × d covariance, which is
//! accurate to round-off and fast for d up to a few hundred.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::{Error, Result};
use crate::jobs::Progress;

/// A fitted PCA.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// Feature means (subtracted before projecting).
    pub mean: Array1<f64>,
    /// `n_components × d`, rows are unit vectors.
    pub components: Array2<f64>,
    /// Variance along each component (ddof = 1).
    pub explained_variance: Vec<f64>,
    /// Share of the total variance along each component.
    pub explained_variance_ratio: Vec<f64>,
}

impl Pca {
    /// Scores (`n × n_components`) of rows with the same features.
    pub fn transform(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let centred = &x - &self.mean.view().insert_axis(Axis(0));
        centred.dot(&self.components.t())
    }

    /// Loadings for a biplot: component × sqrt(explained variance), `d × n_components`.
    pub fn loadings(&self) -> Array2<f64> {
        let mut l = self.components.t().to_owned();
        for (mut col, v) in l.columns_mut().into_iter().zip(&self.explained_variance) {
            col *= v.max(0.0).sqrt();
        }
        l
    }
}

/// Fits PCA with `n_components` (≤ min(n, d)) on rows without missing values.
pub fn pca(x: ArrayView2<f64>, n_components: usize, progress: &Progress) -> Result<Pca> {
    let (n, d) = x.dim();
    if n < 2 {
        return Err(Error::InvalidParameter("PCA needs at least 2 rows".into()));
    }
    if n_components == 0 || n_components > d.min(n) {
        return Err(Error::InvalidParameter(format!(
            "PCA components must be between 1 and {} (the smaller of rows and features); got {n_components}",
            d.min(n)
        )));
    }
    crate::cluster::check_finite(x)?;
    progress.set_stage("PCA", 1);
    let mean = x
        .mean_axis(Axis(0))
        .ok_or_else(|| Error::InvalidParameter("PCA of an empty matrix".into()))?;
    let centred = &x - &mean.view().insert_axis(Axis(0));
    progress.check()?;
    let cov = centred.t().dot(&centred) / (n as f64 - 1.0);
    let total: f64 = cov.diag().sum();
    let (values, vectors) = jacobi_eigen(cov)?;
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut components = Array2::zeros((n_components, d));
    let mut explained_variance = Vec::with_capacity(n_components);
    for (r, &i) in order.iter().take(n_components).enumerate() {
        let v = vectors.column(i);
        let big = v
            .iter()
            .copied()
            .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        components.row_mut(r).assign(&(&v * sign));
        explained_variance.push(values[i].max(0.0));
    }
    let explained_variance_ratio = explained_variance
        .iter()
        .map(|v| if total > 0.0 { v / total } else { 0.0 })
        .collect();
    progress.add(1);
    Ok(Pca {
        mean,
        components,
        explained_variance,
        explained_variance_ratio,
    })
}

/// Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.
fn jacobi_eigen(mut a: Array2<f64>) -> Result<(Vec<f64>, Array2<f64>)> {
    let d = a.nrows();
    let mut v = Array2::<f64>::eye(d);
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    if scale == 0.0 {
        return Ok((vec![0.0; d], v));
    }
    for _sweep in 0..100 {
        let mut off = 0.0;
        for p in 0..d {
            for q in p + 1..d {
                off += a[[p, q]] * a[[p, q]];
            }
        }
        if off.sqrt() <= 1e-15 * scale {
            let values = (0..d).map(|i| a[[i, i]]).collect();
            return Ok((values, v));
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[[p, q]];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let akp = a[[k, p]];
                    let akq = a[[k, q]];
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..d {
                    let apk = a[[p, k]];
                    let aqk = a[[q, k]];
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let vkp = v[[k, p]];
                    let vkq = v[[k, q]];
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    Err(Error::InvalidParameter(
        "PCA did not converge (the covariance matrix is not finite?)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_d_line_has_one_component() {
        let x = array![[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]];
        let p = pca(x.view(), 2, &Progress::new()).unwrap();
        assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
        assert!(p.explained_variance[1].abs() < 1e-12);
        // Variance along the line: var(x) + var(y) with ddof 1 = 5/3 + 20/3.
        assert!((p.explained_variance[0] - 25.0 / 3.0).abs() < 1e-12);
        let c = p.components.row(0);
        assert!((c[0] - 1.0 / 5f64.sqrt()).abs() < 1e-12 && c[1] > 0.0);
        let s = p.transform(x.view());
        assert!((s[[0, 0]] + 1.5 * 5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn matches_a_known_eigensystem() {
        // Covariance (ddof 1) is [[2.4, 1.6], [1.6, 2.4]]: eigenvalues 4.0 and 0.8.
        let x = array![
            [1.0, 1.0],
            [-1.0, -1.0],
            [1.0, -1.0],
            [-1.0, 1.0],
            [2.0, 2.0],
            [-2.0, -2.0]
        ];
        let p = pca(x.view(), 2, &Progress::new()).unwrap();
        let total: f64 = p.explained_variance.iter().sum();
        assert!((total - 4.8).abs() < 1e-12);
        assert!(
            (p.explained_variance[0] - 4.0).abs() < 1e-12,
            "{:?}",
            p.explained_variance
        );
        assert!((p.explained_variance_ratio[1] - 0.8 / 4.8).abs() < 1e-12);
    }

    #[test]
    fn refuses_bad_sizes() {
        let x = array![[1.0, 2.0]];
        assert!(pca(x.view(), 1, &Progress::new()).is_err());
        let x = array![[1.0, 2.0], [3.0, 4.0]];
        assert!(pca(x.view(), 3, &Progress::new()).is_err());
    }
}
