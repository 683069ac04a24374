//! Read-outs derived from a fitted result for display: the profile's features ordered by ANOVA F, and a
//! Gaussian mixture's histogram of each row's highest membership probability.

use ndarray::Array2;

use super::profile::Profile;

/// Below this highest membership probability a row counts as ambiguous (between segments).
pub const AMBIGUOUS_P: f64 = 0.6;

/// Indices of `p.numeric` sorted by ANOVA F descending; features without a finite F come last, in input
/// order.
pub fn order_by_f(p: &Profile) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.numeric.len()).collect();
    let key = |i: usize| p.numeric[i].anova_f.filter(|f| f.is_finite());
    order.sort_by(|&a, &b| match (key(a), key(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(&b),
    });
    order
}

/// Each row's highest membership probability (rows × segments → rows); an empty row gives 0.
pub fn max_membership(probabilities: &Array2<f64>) -> Vec<f64> {
    probabilities
        .rows()
        .into_iter()
        .map(|r| r.iter().copied().fold(0.0, f64::max))
        .collect()
}

/// Rows per bin of `max_p` over [0, 1] (`bins` bins, at least one, 1.0 in the last) and how many are
/// below [`AMBIGUOUS_P`]; non-finite values are skipped.
pub fn membership_histogram(max_p: impl Iterator<Item = f64>, bins: usize) -> (Vec<usize>, usize) {
    let mut counts = vec![0; bins.max(1)];
    let mut ambiguous = 0;
    for p in max_p.filter(|p| p.is_finite()) {
        let p = p.clamp(0.0, 1.0);
        let i = ((p * counts.len() as f64) as usize).min(counts.len() - 1);
        counts[i] += 1;
        if p < AMBIGUOUS_P {
            ambiguous += 1;
        }
    }
    (counts, ambiguous)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::profile::{CategoricalProfile, NumericProfile};

    fn numeric(name: &str, f: Option<f64>) -> NumericProfile {
        NumericProfile {
            name: name.into(),
            mean: vec![Some(1.0), Some(2.0)],
            median: vec![Some(1.0), Some(2.0)],
            z: vec![Some(-1.0), Some(1.0)],
            overall_mean: Some(1.5),
            anova_f: f,
            missing: vec![0, 0],
        }
    }

    #[test]
    fn features_sort_by_f_with_undefined_last() {
        let p = Profile {
            sizes: vec![30, 10],
            shares: vec![0.75, 0.25],
            numeric: vec![
                numeric("a", Some(3.0)),
                numeric("b", None),
                numeric("c", Some(40.0)),
                numeric("d", Some(f64::NAN)),
                numeric("e", Some(7.0)),
            ],
            categorical: vec![CategoricalProfile {
                name: "region".into(),
                levels: vec!["N".into(), "S".into()],
                shares: vec![vec![0.2, 0.8], vec![1.0, 0.0]],
                overall: vec![0.4, 0.6],
                missing: vec![0, 0],
                level_chi2: vec![None, None],
                cramers_v: None,
            }],
        };
        assert_eq!(order_by_f(&p), [2, 4, 0, 1, 3]);
    }

    #[test]
    fn membership_histogram_counts_ambiguous_rows() {
        let ps = [0.34, 0.59, 0.6, 0.99, 1.0, f64::NAN];
        let (counts, ambiguous) = membership_histogram(ps.into_iter(), 10);
        assert_eq!(ambiguous, 2);
        assert_eq!(counts.iter().sum::<usize>(), 5, "NaN skipped");
        assert_eq!(counts[3], 1);
        assert_eq!(counts[5], 1);
        assert_eq!(counts[6], 1);
        assert_eq!(counts[9], 2, "0.99 and 1.0 share the last bin");
        let (one, _) = membership_histogram([0.5].into_iter(), 0);
        assert_eq!(one, [1], "zero bins become one");
    }

    #[test]
    fn max_membership_takes_each_rows_largest_probability() {
        let p = ndarray::array![[0.2, 0.8], [0.55, 0.45], [0.5, 0.5]];
        assert_eq!(max_membership(&p), [0.8, 0.55, 0.5]);
    }
}
