//! The symmetric eigen-decomposition PCA rests on: nalgebra's Householder tridiagonalisation followed by
//! implicit symmetric QR steps with Wilkinson shifts (backward stable, eigenvectors orthonormal to
//! round-off), wrapped so that it takes and returns ndarray matrices, sorts eigenvalues in decreasing order
//! and returns an error instead of looping when the iteration does not converge. Only the leading
//! eigenvectors that the caller keeps are copied out.

use nalgebra::DMatrix;
use nalgebra::linalg::SymmetricEigen;
use ndarray::Array2;

use crate::error::{Error, Result};

/// Eigenvalues (all, decreasing) and the leading eigenvectors of a symmetric matrix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Eigen {
    /// Every eigenvalue, largest first.
    pub values: Vec<f64>,
    /// `keep × m`: row `r` is the unit eigenvector of `values[r]`.
    pub vectors: Array2<f64>,
}

/// Decomposes the symmetric `m × m` matrix `a` (standard layout or not; it is consumed) and keeps the
/// eigenvectors of the `keep` largest eigenvalues. Ties keep the solver's order (stable sort), so the
/// result is deterministic.
pub(crate) fn symmetric_eigen(a: Array2<f64>, keep: usize) -> Result<Eigen> {
    let m = a.nrows();
    if m == 0 || a.ncols() != m {
        return Err(Error::InvalidParameter(format!(
            "PCA: expected a non-empty square matrix, got {} × {}",
            a.nrows(),
            a.ncols()
        )));
    }
    // `a` is symmetric, so its row-major storage read column by column is the same matrix.
    let a = if a.is_standard_layout() {
        a
    } else {
        a.as_standard_layout().into_owned()
    };
    let (data, offset) = a.into_raw_vec_and_offset();
    if offset.is_some_and(|o| o != 0) {
        return Err(Error::InvalidParameter(
            "PCA: internal matrix layout has an offset".into(),
        ));
    }
    let matrix = DMatrix::from_vec(m, m, data);
    // LAPACK allows 30 QR sweeps per eigenvalue; each of nalgebra's iterations is one sweep over a
    // sub-problem, so this bound is generous and only stops a run that would never end.
    let max_iterations = 30 * m * m + 1000;
    let eig = SymmetricEigen::try_new(matrix, f64::EPSILON, max_iterations).ok_or_else(|| {
        Error::InvalidParameter(format!(
            "PCA: the eigen-decomposition of the {m} × {m} matrix did not converge after \
             {max_iterations} iterations; check the data for extreme values or remove near-duplicate \
             features"
        ))
    })?;
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| eig.eigenvalues[j].total_cmp(&eig.eigenvalues[i]));
    let values = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let keep = keep.min(m);
    let mut vectors = Array2::zeros((keep, m));
    for (mut row, &i) in vectors.rows_mut().into_iter().zip(&order) {
        for (dst, src) in row.iter_mut().zip(eig.eigenvectors.column(i).iter()) {
            *dst = *src;
        }
    }
    Ok(Eigen { values, vectors })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn known_eigensystem_sorted_decreasing() {
        // Eigenvalues 4, 2 and 1 with known vectors.
        let a = array![[3.0, 1.0, 0.0], [1.0, 3.0, 0.0], [0.0, 0.0, 1.0]];
        let e = symmetric_eigen(a, 2).unwrap();
        assert_eq!(e.vectors.dim(), (2, 3));
        for (v, want) in e.values.iter().zip([4.0, 2.0, 1.0]) {
            assert!((v - want).abs() < 1e-14, "{:?}", e.values);
        }
        let s = 0.5f64.sqrt();
        let v0 = e.vectors.row(0);
        assert!((v0[0].abs() - s).abs() < 1e-14 && (v0[1].abs() - s).abs() < 1e-14);
        assert!(v0[0] * v0[1] > 0.0 && v0[2].abs() < 1e-14);
        let v1 = e.vectors.row(1);
        assert!(v1[0] * v1[1] < 0.0 && v1[2].abs() < 1e-14);
    }

    #[test]
    fn reconstructs_a_random_symmetric_matrix() {
        let mut rng = crate::rng::Rng::new(5);
        let b = Array2::from_shape_fn((30, 12), |_| rng.normal());
        let a = b.t().dot(&b);
        let e = symmetric_eigen(a.clone(), 12).unwrap();
        let mut back = Array2::<f64>::zeros((12, 12));
        for (r, v) in e.vectors.rows().into_iter().enumerate() {
            for i in 0..12 {
                for j in 0..12 {
                    back[[i, j]] += e.values[r] * v[i] * v[j];
                }
            }
        }
        let err = (&back - &a).iter().fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(err < 1e-11, "reconstruction error {err}");
        let gram = e.vectors.dot(&e.vectors.t());
        let orth = (&gram - &Array2::<f64>::eye(12))
            .iter()
            .fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(orth < 1e-13, "orthogonality error {orth}");
        assert!(e.values.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn zero_and_one_by_one_matrices() {
        let e = symmetric_eigen(Array2::zeros((3, 3)), 3).unwrap();
        assert_eq!(e.values, vec![0.0; 3]);
        let e = symmetric_eigen(array![[2.5]], 1).unwrap();
        assert_eq!(e.values, vec![2.5]);
        assert_eq!(e.vectors[[0, 0]].abs(), 1.0);
        assert!(symmetric_eigen(Array2::zeros((2, 3)), 1).is_err());
        assert!(symmetric_eigen(Array2::zeros((0, 0)), 1).is_err());
    }
}
