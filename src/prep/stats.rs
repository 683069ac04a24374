//! Column statistics computed exactly as the reference tools do: numpy's `linear` percentile (with its
//! two-sided interpolation), the median as the mean of the two middle values, and the most frequent value
//! with ties going to the smallest one (sklearn `SimpleImputer(strategy="most_frequent")`).

use std::cmp::Ordering;

/// The present (non-NaN) values of `values`, sorted ascending.
pub fn sorted_present(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// numpy's linear interpolation `a + (b - a) * t`, computed from the right end when `t >= 0.5`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// The `q`-quantile (`q` in 0..=1) of already sorted values, as `numpy.quantile(method="linear")`.
/// Returns NaN for an empty slice.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let virtual_index = (n - 1) as f64 * q;
    let prev = virtual_index.floor().clamp(0.0, (n - 1) as f64);
    let gamma = virtual_index - prev;
    let i = prev as usize;
    let j = (i + 1).min(n - 1);
    lerp(sorted[i], sorted[j], gamma)
}

/// `numpy.percentile(values, p)` (`p` in 0..=100) of already sorted values.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    quantile_sorted(sorted, p / 100.0)
}

/// Median of sorted values (mean of the two middle ones for an even count), NaN when empty.
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => f64::midpoint(sorted[n / 2 - 1], sorted[n / 2]),
    }
}

/// Median of `v` (any order; reordered in place) by selection instead of a sort: O(n), the same two
/// middle values as [`median_sorted`] of the values sorted with `total_cmp`. NaN when empty.
pub fn median_in_place(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let (n, m) = (v.len(), v.len() / 2);
    let (below, &mut upper, _) = v.select_nth_unstable_by(m, f64::total_cmp);
    if n % 2 == 1 {
        upper
    } else {
        let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        f64::midpoint(lower, upper)
    }
}

/// Mean of the present values, NaN when there are none. Overflow-safe: when the plain sum of finite values
/// overflows (values near ±1.8e308), the mean is computed on values scaled by their largest magnitude.
pub fn mean_present(values: impl IntoIterator<Item = f64>) -> f64 {
    let v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
    mean_var(&v).0
}

/// Mean and population variance of `v` (NaN when empty), computed plainly — so results equal the
/// reference tools' on ordinary data — and, when a sum overflows although every value is finite, again on
/// values scaled by the largest magnitude `m` (mean = m·mean(v/m), variance = m²·var(v/m), which is
/// infinite only when the true variance is beyond f64).
pub fn mean_var(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = v.len() as f64;
    let plain = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / n;
        let (mut corr, mut sq) = (0.0, 0.0);
        for &x in v {
            let d = x - mean;
            corr += d;
            sq += d * d;
        }
        (mean, (sq - corr * corr / n) / n)
    };
    let (mean, var) = plain(v);
    if (mean.is_finite() && var.is_finite()) || v.iter().any(|x| !x.is_finite()) {
        return (mean, var);
    }
    let m = v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
    let scaled: Vec<f64> = v.iter().map(|x| x / m).collect();
    let (ms, vs) = plain(&scaled);
    (ms * m, vs * m * m)
}

/// The standard deviation `sqrt(var)` of [`mean_var`] without squaring the scale: finite whenever the true
/// standard deviation is.
pub fn std_safe(v: &[f64]) -> f64 {
    let (mean, var) = mean_var(v);
    if var.is_finite() || !mean.is_finite() {
        return var.max(0.0).sqrt();
    }
    let m = v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
    let scaled: Vec<f64> = v.iter().map(|x| x / m).collect();
    mean_var(&scaled).1.max(0.0).sqrt() * m
}

/// Most frequent value of sorted values; ties go to the smallest. NaN when empty.
pub fn mode_sorted(sorted: &[f64]) -> f64 {
    let mut best = (f64::NAN, 0usize);
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].total_cmp(&sorted[i]) == Ordering::Equal {
            j += 1;
        }
        if j - i > best.1 {
            best = (sorted[i], j - i);
        }
        i = j;
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        // numpy.percentile([1,2,3,4], [25, 50, 75]) == [1.75, 2.5, 3.25]
        assert_eq!(percentile_sorted(&v, 25.0), 1.75);
        assert_eq!(percentile_sorted(&v, 50.0), 2.5);
        assert_eq!(percentile_sorted(&v, 75.0), 3.25);
        assert_eq!(percentile_sorted(&v, 0.0), 1.0);
        assert_eq!(percentile_sorted(&v, 100.0), 4.0);
        assert!(percentile_sorted(&[], 50.0).is_nan());
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let v = [1e308, -1e308, 1e308, 5.0];
        let (mean, _) = mean_var(&v);
        assert!((mean - 0.25e308).abs() < 1e293, "{mean}");
        let sd = std_safe(&v);
        assert!(sd.is_finite() && sd > 8e307, "{sd}");
        assert_eq!(mean_present([1e308, 1e308]), 1e308);
        // Ordinary data take the plain path, exactly as before.
        let (m, var) = mean_var(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((m, var), (2.5, 1.25));
    }

    #[test]
    fn median_and_mode() {
        assert_eq!(median_sorted(&[1.0, 2.0, 10.0]), 2.0);
        assert_eq!(median_sorted(&[1.0, 2.0, 4.0, 10.0]), 3.0);
        assert_eq!(mode_sorted(&[1.0, 2.0, 2.0, 3.0, 3.0]), 2.0);
        assert_eq!(mode_sorted(&[5.0]), 5.0);
        assert_eq!(mean_present([1.0, f64::NAN, 3.0]), 2.0);
        assert_eq!(sorted_present([3.0, f64::NAN, 1.0]), vec![1.0, 3.0]);
    }
}
