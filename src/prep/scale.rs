//! Scalers with sklearn's exact conventions: `StandardScaler` (population std, constant columns get scale 1
//! so they become 0), `MinMaxScaler` (`x * scale + min`, zero range → scale 1) and `RobustScaler` (median,
//! numpy linear 25/75 percentiles, zero IQR → scale 1). Parameters are learnt per column and can be undone.

use serde::{Deserialize, Serialize};

use super::recipe::Scale;
use super::stats::{mean_var, median_sorted, percentile_sorted, sorted_present, std_safe};

/// Learnt scaling of one output column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnScaler {
    /// Values are left as they are.
    Identity,
    /// `(x - center) / scale` (standard and robust scalers).
    Center {
        /// Mean or median.
        center: f64,
        /// Std or IQR (1 for a constant column).
        scale: f64,
    },
    /// `x * scale + min` (sklearn `MinMaxScaler`).
    MinMax {
        /// `1 / (max - min)`, or 1 for a constant column.
        scale: f64,
        /// `-data_min * scale`.
        min: f64,
    },
}

/// sklearn `_handle_zeros_in_scale`: scales that are (nearly) zero become 1.
fn handle_zero(scale: f64) -> f64 {
    if scale < 10.0 * f64::EPSILON {
        1.0
    } else {
        scale
    }
}

impl ColumnScaler {
    /// Learns the scaler for one column of complete values. The flag says whether the column is constant.
    pub fn fit(kind: Scale, values: &[f64]) -> (Self, bool) {
        // The present values' count and ends in `total_cmp` order (what a sort would give first and
        // last), in one pass: only the robust scaler needs the values sorted.
        let (count, ends) = values.iter().filter(|v| !v.is_nan()).fold(
            (0usize, None::<(f64, f64)>),
            |(c, ends), &v| {
                let ends = match ends {
                    None => (v, v),
                    Some((lo, hi)) => (
                        if v.total_cmp(&lo).is_lt() { v } else { lo },
                        if v.total_cmp(&hi).is_gt() { v } else { hi },
                    ),
                };
                (c + 1, Some(ends))
            },
        );
        let first = ends.map(|(lo, _)| lo);
        let last = ends.map(|(_, hi)| hi);
        let constant = first == last;
        let s = match kind {
            Scale::None => ColumnScaler::Identity,
            Scale::Standard => {
                let n = count as f64;
                let (mean, var) = mean_var(values);
                // sklearn `_is_constant_feature`
                let eps = f64::EPSILON;
                let bound = n * eps * var + (n * mean * eps).powi(2);
                if constant {
                    ColumnScaler::Center {
                        center: first.unwrap_or(0.0),
                        scale: 1.0,
                    }
                } else {
                    // A variance beyond f64 (values near ±1.8e308) is far from constant.
                    let scale = if !var.is_finite() {
                        std_safe(values)
                    } else if var <= bound {
                        1.0
                    } else {
                        var.sqrt()
                    };
                    ColumnScaler::Center {
                        center: mean,
                        scale,
                    }
                }
            }
            Scale::Minmax => {
                let lo = first.unwrap_or(0.0);
                let hi = last.unwrap_or(0.0);
                let range = hi - lo;
                // A range beyond f64 (values near ±1.8e308): 1/range from halves.
                let scale = if range.is_finite() {
                    1.0 / handle_zero(range)
                } else {
                    0.5 / (hi / 2.0 - lo / 2.0)
                };
                ColumnScaler::MinMax {
                    scale,
                    min: -lo * scale,
                }
            }
            Scale::Robust => {
                let sorted = sorted_present(values.iter().copied());
                let (q1, q3) = (
                    percentile_sorted(&sorted, 25.0),
                    percentile_sorted(&sorted, 75.0),
                );
                let iqr = q3 - q1;
                ColumnScaler::Center {
                    center: median_sorted(&sorted),
                    scale: handle_zero(iqr),
                }
            }
        };
        (s, constant)
    }

    /// Scales one value (when `x − center` overflows, as `x/scale − center/scale`).
    #[inline]
    pub fn apply(&self, x: f64) -> f64 {
        match *self {
            ColumnScaler::Identity => x,
            ColumnScaler::Center { center, scale } => {
                let y = (x - center) / scale;
                if y.is_finite() {
                    y
                } else {
                    x / scale - center / scale
                }
            }
            ColumnScaler::MinMax { scale, min } => x * scale + min,
        }
    }

    /// Undoes [`ColumnScaler::apply`].
    #[inline]
    pub fn invert(&self, y: f64) -> f64 {
        match *self {
            ColumnScaler::Identity => y,
            ColumnScaler::Center { center, scale } => y * scale + center,
            ColumnScaler::MinMax { scale, min } => (y - min) / scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_uses_population_std() {
        let (s, constant) = ColumnScaler::fit(Scale::Standard, &[1.0, 2.0, 3.0, 4.0]);
        assert!(!constant);
        // mean 2.5, population std sqrt(1.25)
        assert!((s.apply(4.0) - 1.5 / 1.25f64.sqrt()).abs() < 1e-15);
        assert!((s.invert(s.apply(3.3)) - 3.3).abs() < 1e-15);
    }

    #[test]
    fn constant_columns_become_zero() {
        for kind in [Scale::Standard, Scale::Minmax, Scale::Robust] {
            let (s, constant) = ColumnScaler::fit(kind, &[0.1, 0.1, 0.1]);
            assert!(constant);
            assert_eq!(s.apply(0.1), 0.0, "{kind:?}");
        }
    }

    #[test]
    fn extreme_values_scale_to_finite_numbers() {
        let mut skewed = vec![1e308; 4];
        skewed.extend([-1e308; 36]);
        let (s, _) = ColumnScaler::fit(Scale::Standard, &skewed);
        assert!((s.apply(1e308) - 3.0).abs() < 1e-9, "{}", s.apply(1e308));
        let v = [1e308, -1e308, 0.0, 5.0];
        for kind in [Scale::Standard, Scale::Minmax, Scale::Robust] {
            let (s, _) = ColumnScaler::fit(kind, &v);
            for &x in &v {
                assert!(s.apply(x).is_finite(), "{kind:?} {x}: {}", s.apply(x));
            }
        }
        let (m, _) = ColumnScaler::fit(Scale::Minmax, &v);
        assert!((m.apply(1e308) - 1.0).abs() < 1e-12);
        assert!(m.apply(-1e308).abs() < 1e-12);
    }

    #[test]
    fn minmax_and_robust() {
        let (m, _) = ColumnScaler::fit(Scale::Minmax, &[2.0, 4.0, 6.0]);
        assert_eq!(m.apply(2.0), 0.0);
        assert_eq!(m.apply(6.0), 1.0);
        assert_eq!(m.invert(0.5), 4.0);
        let (r, _) = ColumnScaler::fit(Scale::Robust, &[1.0, 2.0, 3.0, 4.0, 100.0]);
        // median 3, IQR 4 - 2 = 2
        assert_eq!(r.apply(5.0), 1.0);
        let (n, _) = ColumnScaler::fit(Scale::None, &[1.0, 2.0]);
        assert_eq!(n.apply(7.0), 7.0);
    }
}
