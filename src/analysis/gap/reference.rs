//! The reference side of the gap statistic: the box reference data are drawn from (clusGap's
//! `spaceH0`, see [`super`]) and clusGap's within-segment dispersion `W_k`.

use ndarray::{Array2, ArrayView2, Axis};

use super::ReferenceSpace;
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;

/// The box reference data are drawn from (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceBox {
    /// Feature means, added back to every draw.
    pub mean: Vec<f64>,
    /// `d × c` principal directions (columns) for the scaled-PCA box, `None` for the original box.
    pub rotation: Option<Array2<f64>>,
    /// Lower corner of the box (in component coordinates for the scaled-PCA box).
    pub lo: Vec<f64>,
    /// Upper corner of the box.
    pub hi: Vec<f64>,
}

impl ReferenceBox {
    /// The box of `x` (at least 2 rows, finite values).
    pub fn new(x: ArrayView2<f64>, space: ReferenceSpace) -> Result<Self> {
        let (n, d) = x.dim();
        if n < 2 || d == 0 {
            return Err(Error::InvalidParameter(format!(
                "the gap statistic needs at least 2 rows and 1 feature; got {n} × {d}"
            )));
        }
        crate::cluster::check_finite(x)?;
        let mean = x
            .mean_axis(Axis(0))
            .ok_or_else(|| Error::InvalidParameter("internal: empty matrix".into()))?;
        let centred = &x - &mean.view().insert_axis(Axis(0));
        let rotation = match space {
            ReferenceSpace::Original => None,
            ReferenceSpace::ScaledPca => Some(
                crate::reduce::pca(x, d.min(n), &Progress::new())?
                    .components
                    .t()
                    .to_owned(),
            ),
        };
        let coords = match &rotation {
            Some(v) => centred.dot(v),
            None => centred,
        };
        let lo = coords
            .columns()
            .into_iter()
            .map(|c| c.fold(f64::INFINITY, |m, &v| m.min(v)))
            .collect();
        let hi = coords
            .columns()
            .into_iter()
            .map(|c| c.fold(f64::NEG_INFINITY, |m, &v| m.max(v)))
            .collect();
        Ok(Self {
            mean: mean.to_vec(),
            rotation,
            lo,
            hi,
        })
    }

    /// Dimensions of the box (features, or components for the scaled-PCA box).
    pub fn dims(&self) -> usize {
        self.lo.len()
    }

    /// Maps unit-uniform draws (`n × dims`, values in [0, 1)) to reference rows: `lo + (hi − lo)·u` per
    /// box coordinate (R's `runif(n, min, max)`), rotated back, plus the mean.
    pub fn from_unit(&self, u: ArrayView2<f64>) -> Result<Array2<f64>> {
        if u.ncols() != self.dims() {
            return Err(Error::InvalidParameter(format!(
                "internal: {} unit columns for a {}-dimensional box",
                u.ncols(),
                self.dims()
            )));
        }
        let mut z1 = u.to_owned();
        for (mut col, (&lo, &hi)) in z1
            .columns_mut()
            .into_iter()
            .zip(self.lo.iter().zip(&self.hi))
        {
            col.mapv_inplace(|v| lo + (hi - lo) * v);
        }
        let mut z = match &self.rotation {
            Some(v) => z1.dot(&v.t()),
            None => z1,
        };
        for mut row in z.rows_mut() {
            for (v, m) in row.iter_mut().zip(&self.mean) {
                *v += m;
            }
        }
        Ok(z)
    }

    /// `n` reference rows drawn with `rng`, one box coordinate after another (as clusGap does).
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Result<Array2<f64>> {
        let mut u = Array2::zeros((n, self.dims()));
        for mut col in u.columns_mut() {
            col.mapv_inplace(|_| rng.uniform());
        }
        self.from_unit(u.view())
    }
}

/// clusGap's `W_k` of one labelling: `½ Σ_r (Σ_{i<j in r} ‖x_i − x_j‖^d_power) / n_r`.
pub fn within_dispersion(x: ArrayView2<f64>, labels: &[usize], d_power: f64) -> Result<f64> {
    if labels.len() != x.nrows() {
        return Err(Error::InvalidParameter(format!(
            "internal: {} labels for {} rows",
            labels.len(),
            x.nrows()
        )));
    }
    let d = x.ncols();
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &l) in labels.iter().enumerate() {
        members[l].push(i);
    }
    let power = |sq: f64| {
        if d_power == 1.0 {
            sq.sqrt()
        } else if d_power == 2.0 {
            sq
        } else {
            sq.powf(d_power / 2.0)
        }
    };
    let mut total = 0.0;
    let mut acc = Vec::new();
    for rows in members.iter().filter(|m| m.len() > 1) {
        let m = rows.len();
        // Feature-major copy of the segment: the distances of one row to all later rows accumulate
        // feature by feature in independent lanes (vectorised), then go through `power`.
        let cols: Vec<Vec<f64>> = (0..d)
            .map(|j| rows.iter().map(|&r| x[[r, j]]).collect())
            .collect();
        let mut s = 0.0;
        for i in 0..m - 1 {
            acc.clear();
            acc.resize(m - i - 1, 0.0f64);
            for col in &cols {
                let a = col[i];
                for (q, &b) in acc.iter_mut().zip(&col[i + 1..]) {
                    let t = b - a;
                    *q += t * t;
                }
            }
            s += acc.iter().map(|&q| power(q)).sum::<f64>();
        }
        total += s / m as f64;
    }
    Ok(0.5 * total)
}

#[cfg(test)]
mod tests {
    use super::super::tests::blobs;
    use super::*;
    use crate::analysis::FitOptions;

    #[test]
    fn within_dispersion_is_half_the_sum_of_squares_at_power_two() {
        let x = blobs(1);
        let labels: Vec<usize> = (0..200).map(|i| i % 4).collect();
        let seg =
            crate::analysis::fit(x.view(), 4, FitOptions::default(), &Progress::new()).unwrap();
        let w2 = within_dispersion(x.view(), &seg.labels, 2.0).unwrap();
        assert!(
            (w2 - 0.5 * seg.inertia).abs() < 1e-9 * seg.inertia,
            "{w2} vs {}",
            seg.inertia
        );
        // Power 1 by hand on a tiny set: one segment {0, 3, 4 on a line}: pairs 3 + 4 + 1 = 8, / 3, / 2.
        let t = Array2::from_shape_vec((3, 1), vec![0.0, 3.0, 4.0]).unwrap();
        assert!((within_dispersion(t.view(), &[0, 0, 0], 1.0).unwrap() - 8.0 / 6.0).abs() < 1e-15);
        assert!(within_dispersion(x.view(), &labels[..10], 1.0).is_err());
    }

    #[test]
    fn reference_boxes_hold_their_draws() {
        let x = blobs(2);
        for space in [ReferenceSpace::Original, ReferenceSpace::ScaledPca] {
            let b = ReferenceBox::new(x.view(), space).unwrap();
            let z = b.sample(5_000, &mut Rng::new(4)).unwrap();
            let m = z.mean_axis(Axis(0)).unwrap();
            for (j, mj) in m.iter().enumerate() {
                // Box centre, not data mean, but near it for these blobs.
                assert!(
                    (mj - b.mean[j]).abs() < 1.5,
                    "{space:?} {j}: {mj} vs {}",
                    b.mean[j]
                );
            }
            // Draws mapped back into box coordinates lie inside the box.
            let centred = &z - &ndarray::Array1::from(b.mean.clone()).insert_axis(Axis(0));
            let coords = match &b.rotation {
                Some(v) => centred.dot(v),
                None => centred,
            };
            for row in coords.rows() {
                for (j, v) in row.iter().enumerate() {
                    assert!(*v >= b.lo[j] - 1e-9 && *v <= b.hi[j] + 1e-9);
                }
            }
        }
        assert!(
            ReferenceBox::new(x.slice(ndarray::s![..1, ..]), ReferenceSpace::Original).is_err()
        );
    }
}
