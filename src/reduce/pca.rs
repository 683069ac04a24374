//! PCA with scikit-learn's conventions: data centred, `explained_variance` with ddof = 1,
//! `explained_variance_ratio` over the total variance of all features (not only the kept components), at
//! most min(n, d) components as rows, each component's sign fixed so that its largest-|loading| entry is
//! positive (sklearn's `svd_flip` on `Vt`; the first such entry on ties, as `np.argmax`).
//!
//! The eigen-decomposition runs on the smaller side: the `d × d` scatter matrix `Xcᵀ Xc` when n ≥ d, the
//! `n × n` Gram matrix `Xc Xcᵀ` when n < d (components `Xcᵀ u`, re-orthogonalised, directions the data do
//! not determine completed orthonormally), both from `reduce::cross`, solved by `reduce::eigen`
//! (nalgebra). Each kept component's variance is then measured on the data itself, `‖Xc v‖² / (n − 1)`,
//! which is accurate to round-off relative to that variance (a Rayleigh quotient), where the eigenvalue of
//! a squared matrix is accurate only relative to the largest one. Memory is estimated and checked against
//! [`crate::budget`] before anything is allocated.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use super::cross;
use super::eigen::symmetric_eigen;
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
    /// Scores (`n × n_components`) of rows with the same features, computed per block of rows (no
    /// centred copy of `x`).
    ///
    /// # Panics
    /// When `x` does not have the features the PCA was fitted on.
    pub fn transform(&self, x: ArrayView2<f64>) -> Array2<f64> {
        cross::project(x, self.mean.view(), self.components.view())
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
        return Err(Error::InvalidParameter(format!(
            "PCA needs at least 2 rows; got {n}"
        )));
    }
    if n_components == 0 || n_components > d.min(n) {
        return Err(Error::InvalidParameter(format!(
            "PCA components must be between 1 and {} (the smaller of rows and features); got {n_components}",
            d.min(n)
        )));
    }
    check_memory(n, d, n_components)?;
    crate::cluster::check_finite(x)?;
    let mean = x
        .mean_axis(Axis(0))
        .ok_or_else(|| Error::InvalidParameter("PCA of an empty matrix".into()))?;
    let (components, total) = if n >= d {
        tall(x, mean.view(), n_components, progress)?
    } else {
        wide(x, mean.view(), n_components, progress)?
    };
    progress.check()?;
    progress.set_stage("PCA: explained variance", 1);
    let sums = cross::projected_sums_of_squares(x, mean.view(), components.view());
    let mut order: Vec<usize> = (0..n_components).collect();
    order.sort_by(|&a, &b| sums[b].total_cmp(&sums[a]));
    let mut sorted = Array2::zeros(components.dim());
    for (mut dst, &r) in sorted.rows_mut().into_iter().zip(&order) {
        dst.assign(&components.row(r));
        let big = dst
            .iter()
            .copied()
            .fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
        if big < 0.0 {
            dst.mapv_inplace(|v| -v);
        }
    }
    let ddof = n as f64 - 1.0;
    let explained_variance: Vec<f64> = order.iter().map(|&r| sums[r] / ddof).collect();
    let total = total / ddof;
    let explained_variance_ratio = explained_variance
        .iter()
        .map(|v| if total > 0.0 { v / total } else { 0.0 })
        .collect();
    progress.add(1);
    Ok(Pca {
        mean,
        components: sorted,
        explained_variance,
        explained_variance_ratio,
    })
}

/// Bytes PCA of `n × d` with `k` components allocates at its peak (the input excluded): the partial
/// sums or the decomposed matrix with its eigenvectors, the centred copy (wide data) or the row blocks
/// being centred (tall data), components and scores.
pub(crate) fn memory_needed(n: usize, d: usize, k: usize) -> u64 {
    let (nn, dd, kk) = (n as u128, d as u128, k as u128);
    let per_part_and_eigen = |len: usize, m: usize| {
        let m = m as u128;
        (cross::n_parts(len, m as usize) as u128).max(2) * m * m
    };
    let values = if n >= d {
        let buffers = rayon::current_num_threads().clamp(1, cross::n_parts(n, d)) as u128;
        per_part_and_eigen(n, d) + buffers * nn.min(cross::BLOCK as u128) * dd
    } else {
        nn * dd + per_part_and_eigen(d, n) + kk * dd
    };
    crate::budget::f64s(values + kk * dd + nn * kk + dd)
}

/// Refuses a PCA whose matrices would not fit the memory budget.
fn check_memory(n: usize, d: usize, k: usize) -> Result<()> {
    let (m, kind, way_out) = if n >= d {
        (
            d,
            "covariance",
            "use fewer features (select columns, or keep fewer one-hot levels)",
        )
    } else {
        (
            n,
            "Gram",
            "use fewer features or fewer rows (a sample of the rows)",
        )
    };
    crate::budget::check(
        memory_needed(n, d, k),
        &format!("PCA of {n} rows × {d} features (a {m} × {m} {kind} matrix)"),
        way_out,
    )
}

/// `Err` naming the problem when a cross-product matrix overflowed.
fn check_matrix(a: &Array2<f64>, what: &str) -> Result<()> {
    if a.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Error::InvalidParameter(format!(
            "PCA: the {what} overflowed (values near 1e150 or larger); scale the features first"
        )))
    }
}

/// Tall data (n ≥ d): eigenvectors of the `d × d` scatter matrix. Returns `k × d` components and the
/// total sum of squares of the centred data.
fn tall(
    x: ArrayView2<f64>,
    mean: ArrayView1<f64>,
    k: usize,
    progress: &Progress,
) -> Result<(Array2<f64>, f64)> {
    let (n, d) = x.dim();
    progress.set_stage(
        &format!("PCA: covariance of {d} features"),
        cross::n_blocks(n, d),
    );
    let scatter = cross::scatter(x, mean, progress)?;
    check_matrix(&scatter, "covariance matrix")?;
    let total = scatter.diag().sum();
    progress.check()?;
    progress.set_stage(&format!("PCA: eigen-decomposition ({d} × {d})"), 1);
    let eig = symmetric_eigen(scatter, k)?;
    progress.add(1);
    Ok((eig.vectors, total))
}

/// Wide data (n < d): eigenvectors `u` of the `n × n` Gram matrix give components `Xcᵀ u`, then
/// orthonormalised in order. Returns `k × d` components and the total sum of squares.
fn wide(
    x: ArrayView2<f64>,
    mean: ArrayView1<f64>,
    k: usize,
    progress: &Progress,
) -> Result<(Array2<f64>, f64)> {
    let (n, d) = x.dim();
    progress.set_stage("PCA: centring", 1);
    let xc = cross::centred(x, mean);
    progress.check()?;
    progress.set_stage(
        &format!("PCA: Gram matrix of {n} rows"),
        cross::n_blocks(d, n),
    );
    let g = cross::gram(xc.view(), progress)?;
    check_matrix(&g, "Gram matrix")?;
    let total = g.diag().sum();
    progress.check()?;
    progress.set_stage(&format!("PCA: eigen-decomposition ({n} × {n})"), 1);
    let eig = symmetric_eigen(g, k)?;
    progress.check()?;
    progress.set_stage("PCA: components", k as u64);
    let mut comps = eig.vectors.dot(&xc);
    orthonormalise(&mut comps, progress)?;
    Ok((comps, total))
}

/// Gram-Schmidt on the rows, in order, twice per row against the rows before it ("twice is enough").
/// A row that loses more than eight digits to the rows before it carries no direction of its own (the
/// Gram matrix's near-null space): it is replaced by the unit vector of the coordinate the rows before
/// it cover least, orthogonalised the same way, so the result is always orthonormal and deterministic.
fn orthonormalise(rows: &mut Array2<f64>, progress: &Progress) -> Result<()> {
    let (k, d) = rows.dim();
    for r in 0..k {
        progress.check()?;
        let (done, mut rest) = rows.view_mut().split_at(Axis(0), r);
        let mut w = rest.row_mut(0);
        let before = w.dot(&w).sqrt();
        for _ in 0..2 {
            for q in done.rows() {
                let c = q.dot(&w);
                w.scaled_add(-c, &q);
            }
        }
        let after = w.dot(&w).sqrt();
        if after <= 1e-8 * before {
            let mut covered = vec![0.0f64; d];
            for q in done.rows() {
                for (c, v) in covered.iter_mut().zip(q) {
                    *c += v * v;
                }
            }
            let j = (0..d).fold(
                0,
                |best, j| if covered[j] < covered[best] { j } else { best },
            );
            w.fill(0.0);
            w[j] = 1.0;
            for _ in 0..2 {
                for q in done.rows() {
                    let c = q.dot(&w);
                    w.scaled_add(-c, &q);
                }
            }
        }
        let norm = w.dot(&w).sqrt();
        if norm > 0.0 {
            w.mapv_inplace(|v| v / norm);
        }
        progress.add(1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use ndarray::array;

    fn max_abs(a: &Array2<f64>) -> f64 {
        a.iter().fold(0.0f64, |m, v| m.max(v.abs()))
    }

    /// Rows are orthonormal, each row's largest-|entry| is positive.
    fn assert_orthonormal_and_signed(p: &Pca) {
        let k = p.components.nrows();
        let err = max_abs(&(p.components.dot(&p.components.t()) - Array2::<f64>::eye(k)));
        assert!(err < 1e-12, "orthonormality error {err}");
        for row in p.components.rows() {
            let big = row
                .iter()
                .copied()
                .fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
            assert!(big > 0.0, "{row}");
        }
    }

    /// `n × d` with a few strong directions plus noise and offsets.
    fn structured(n: usize, d: usize, seed: u64) -> Array2<f64> {
        let mut r = Rng::new(seed);
        let w = Array2::from_shape_fn((4, d), |_| r.normal());
        let z = Array2::from_shape_fn((n, 4), |(_, j)| (8.0 - 2.0 * j as f64) * r.normal());
        z.dot(&w) + Array2::from_shape_fn((n, d), |(_, j)| 0.1 * r.normal() + j as f64)
    }

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
        assert!(pca(x.view(), 0, &Progress::new()).is_err());
        let x = array![[1.0, f64::NAN], [3.0, 4.0]];
        assert!(pca(x.view(), 1, &Progress::new()).is_err());
    }

    #[test]
    fn ratio_is_over_all_features_not_the_kept_ones() {
        let x = structured(60, 8, 1);
        let all = pca(x.view(), 8, &Progress::new()).unwrap();
        let two = pca(x.view(), 2, &Progress::new()).unwrap();
        let sum: f64 = all.explained_variance_ratio.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12, "{sum}");
        assert!(two.explained_variance_ratio.iter().sum::<f64>() < 1.0);
        for i in 0..2 {
            assert!(
                (two.explained_variance_ratio[i] - all.explained_variance_ratio[i]).abs() < 1e-13
            );
            assert!((two.explained_variance[i] - all.explained_variance[i]).abs() < 1e-10);
        }
        assert_orthonormal_and_signed(&all);
        // The variance of the scores is the explained variance.
        let s = all.transform(x.view());
        for (c, v) in s.columns().into_iter().zip(&all.explained_variance) {
            assert!((c.dot(&c) / 59.0 - v).abs() <= 1e-12 * v.max(1.0));
        }
    }

    #[test]
    fn wide_and_tall_paths_agree() {
        let x = structured(20, 50, 2);
        let mean = x.mean_axis(Axis(0)).unwrap();
        let p = Progress::new();
        let (w, wt) = wide(x.view(), mean.view(), 6, &p).unwrap();
        let (t, tt) = tall(x.view(), mean.view(), 6, &p).unwrap();
        assert!((wt - tt).abs() <= 1e-12 * tt, "{wt} vs {tt}");
        for (a, b) in w.rows().into_iter().zip(t.rows()) {
            let sign = a.dot(&b).signum();
            let diff = a
                .iter()
                .zip(b)
                .fold(0.0f64, |m, (x, y)| m.max((x - sign * y).abs()));
            assert!(diff < 1e-9, "components differ by {diff}");
        }
    }

    #[test]
    fn wide_null_directions_are_completed_orthonormally() {
        // Two rows: after centring they are opposite, so one direction carries all the variance and the
        // second component is any unit vector orthogonal to it (its variance is 0).
        let x = array![[1.0, 2.0, 3.0, 4.0], [3.0, 2.0, 1.0, 0.0]];
        let p = pca(x.view(), 2, &Progress::new()).unwrap();
        assert_orthonormal_and_signed(&p);
        assert!(
            (p.explained_variance[0] - 12.0).abs() < 1e-12,
            "{:?}",
            p.explained_variance
        );
        assert!(
            p.explained_variance[1] < 1e-28,
            "{:?}",
            p.explained_variance
        );
        assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
        // Rank 3 in 7 rows × 30 features: components 4..7 span no variance.
        let mut r = Rng::new(3);
        let z = Array2::from_shape_fn((7, 3), |_| r.normal());
        let w = Array2::from_shape_fn((3, 30), |_| r.normal());
        let x = z.dot(&w);
        let p = pca(x.view(), 7, &Progress::new()).unwrap();
        assert_orthonormal_and_signed(&p);
        for v in &p.explained_variance[3..] {
            assert!(
                *v < 1e-20 * p.explained_variance[0],
                "{:?}",
                p.explained_variance
            );
        }
        assert!(p.explained_variance[2] > 1e-3 * p.explained_variance[0]);
    }

    #[test]
    fn constant_data_gives_zero_variance_and_no_nan() {
        let x = Array2::from_elem((5, 3), 2.5);
        let p = pca(x.view(), 3, &Progress::new()).unwrap();
        assert_eq!(p.explained_variance, vec![0.0; 3]);
        assert_eq!(p.explained_variance_ratio, vec![0.0; 3]);
        assert_orthonormal_and_signed(&p);
        let x = Array2::from_elem((3, 6), -1.0);
        let p = pca(x.view(), 3, &Progress::new()).unwrap();
        assert_eq!(p.explained_variance_ratio, vec![0.0; 3]);
        assert_orthonormal_and_signed(&p);
    }

    #[test]
    fn same_result_at_any_thread_count() {
        let tall_x = structured(3 * cross::BLOCK + 17, 7, 4);
        let wide_x = structured(9, 2 * cross::BLOCK + 5, 5);
        let run = |threads: usize, x: &Array2<f64>, k: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| pca(x.view(), k, &Progress::new()).unwrap())
        };
        assert_eq!(run(1, &tall_x, 3), run(3, &tall_x, 3));
        assert_eq!(run(1, &wide_x, 4), run(3, &wide_x, 4));
    }

    #[test]
    fn cancellation_stops_it() {
        let x = structured(50, 5, 6);
        let p = Progress::new();
        p.cancel();
        assert!(matches!(pca(x.view(), 2, &p), Err(Error::Cancelled)));
        let x = structured(5, 50, 6);
        assert!(matches!(pca(x.view(), 2, &p), Err(Error::Cancelled)));
    }

    #[test]
    fn refuses_a_matrix_beyond_the_memory_budget() {
        // A broadcast view: a huge shape without the memory. The check comes before any pass over it.
        let one = Array1::<f64>::zeros(1);
        let tall_x = one.broadcast((2_000_000, 400_000)).unwrap();
        let e = pca(tall_x, 2, &Progress::new()).unwrap_err();
        assert!(matches!(e, Error::TooLarge { .. }), "{e}");
        let s = e.to_string();
        assert!(
            s.contains("400000 × 400000 covariance") && s.contains("fewer features"),
            "{s}"
        );
        let wide_x = one.broadcast((100_000, 100_000_000)).unwrap();
        let s = pca(wide_x, 2, &Progress::new()).unwrap_err().to_string();
        assert!(s.contains("Gram") && s.contains("fewer rows"), "{s}");
        // 1,000 × 1,000 needs a few tens of MB.
        assert!(memory_needed(1000, 1000, 10) < 100 << 20);
        assert!(memory_needed(40, 5000, 10) < 10 << 20);
    }

    #[test]
    fn overflowing_squares_are_an_error_not_nan() {
        let x = array![[1e200, 0.0], [-1e200, 1.0], [0.0, 2.0]];
        let e = pca(x.view(), 1, &Progress::new()).unwrap_err();
        assert!(e.to_string().contains("scale the features"), "{e}");
    }
}
