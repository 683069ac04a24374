//! Per-segment profiles in original units: size and share, mean, median and z-score (segment mean vs the
//! overall mean in overall standard deviations) of every numeric input feature, level shares of every
//! categorical feature, and the one-way ANOVA F of each numeric feature (which features separate the
//! segments most).

use crate::data::{ColumnData, MISSING_CODE, Table};
use crate::error::{Error, Result};
use crate::prep::stats::{mean_var, std_safe};

/// Statistics of one numeric feature.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NumericProfile {
    /// Feature (input column) name.
    pub name: String,
    /// Mean per segment (present values only).
    pub mean: Vec<Option<f64>>,
    /// Median per segment.
    pub median: Vec<Option<f64>>,
    /// (segment mean − overall mean) / overall population std.
    pub z: Vec<Option<f64>>,
    /// Overall mean.
    pub overall_mean: Option<f64>,
    /// One-way ANOVA F statistic across segments (None when undefined).
    pub anova_f: Option<f64>,
    /// Rows per segment whose value is missing.
    pub missing: Vec<usize>,
}

/// Level shares of one categorical feature.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CategoricalProfile {
    /// Feature name.
    pub name: String,
    /// Levels.
    pub levels: Vec<String>,
    /// `shares[segment][level]`: share of the segment's present values.
    pub shares: Vec<Vec<f64>>,
    /// Share of each level among all present values (from counts, not from segment shares).
    pub overall: Vec<f64>,
    /// Rows per segment whose value is missing.
    pub missing: Vec<usize>,
}

/// A profile of every segment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Profile {
    /// Rows per segment.
    pub sizes: Vec<usize>,
    /// Share of the clustered rows per segment.
    pub shares: Vec<f64>,
    /// Numeric features, in input order.
    pub numeric: Vec<NumericProfile>,
    /// Categorical features.
    pub categorical: Vec<CategoricalProfile>,
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        f64::midpoint(v[m - 1], v[m])
    })
}

/// Profiles `k` segments; `rows[i]` is the input row of `labels[i]`.
pub fn profile(
    table: &Table,
    features: &[String],
    rows: &[usize],
    labels: &[usize],
    k: usize,
) -> Result<Profile> {
    if rows.len() != labels.len() {
        return Err(Error::InvalidParameter(
            "internal: rows and labels differ in length".into(),
        ));
    }
    let mut sizes = vec![0usize; k];
    for &l in labels {
        sizes[l] += 1;
    }
    let total = labels.len().max(1) as f64;
    let shares = sizes.iter().map(|&s| s as f64 / total).collect();
    let mut numeric = Vec::new();
    let mut categorical = Vec::new();
    for name in features {
        let col = table.column(name).ok_or_else(|| Error::Column {
            name: name.clone(),
            message: "not in the table".into(),
        })?;
        match &col.data {
            ColumnData::Numeric(v) => {
                let mut groups: Vec<Vec<f64>> = vec![Vec::new(); k];
                let mut missing = vec![0usize; k];
                for (&r, &l) in rows.iter().zip(labels) {
                    if v[r].is_nan() {
                        missing[l] += 1;
                    } else {
                        groups[l].push(v[r]);
                    }
                }
                let mut p = numeric_profile(name, groups);
                p.missing = missing;
                numeric.push(p);
            }
            ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels } => {
                let mut counts = vec![vec![0usize; levels.len()]; k];
                let mut missing = vec![0usize; k];
                for (&r, &l) in rows.iter().zip(labels) {
                    if codes[r] == MISSING_CODE {
                        missing[l] += 1;
                    } else {
                        counts[l][codes[r] as usize] += 1;
                    }
                }
                let share_of = |c: &[usize]| -> Vec<f64> {
                    let t = c.iter().sum::<usize>().max(1) as f64;
                    c.iter().map(|&x| x as f64 / t).collect()
                };
                let shares = counts.iter().map(|c| share_of(c)).collect();
                let totals: Vec<usize> = (0..levels.len())
                    .map(|j| counts.iter().map(|c| c[j]).sum())
                    .collect();
                categorical.push(CategoricalProfile {
                    name: name.clone(),
                    levels: levels.clone(),
                    shares,
                    overall: share_of(&totals),
                    missing,
                });
            }
            ColumnData::Date(_) => {}
        }
    }
    Ok(Profile {
        sizes,
        shares,
        numeric,
        categorical,
    })
}

fn numeric_profile(name: &str, mut groups: Vec<Vec<f64>>) -> NumericProfile {
    let all: Vec<f64> = groups.iter().flatten().copied().collect();
    let n = all.len() as f64;
    // Overflow-safe (values near ±1.8e308 give finite means, never inf in a profile).
    let overall_mean = (!all.is_empty()).then(|| mean_var(&all).0);
    let std = overall_mean.map(|_| std_safe(&all));
    let means: Vec<Option<f64>> = groups
        .iter()
        .map(|g| (!g.is_empty()).then(|| mean_var(g).0))
        .collect();
    let z = means
        .iter()
        .map(|m| match (m, overall_mean, std) {
            (Some(m), Some(om), Some(s)) if s > 0.0 => {
                let z = (m - om) / s;
                Some(if z.is_finite() { z } else { m / s - om / s })
            }
            (Some(_), Some(_), Some(_)) => Some(0.0),
            _ => None,
        })
        .collect();
    // One-way ANOVA: F = (SSB / (g − 1)) / (SSW / (n − g)) over non-empty groups.
    let anova_f = overall_mean.and_then(|om| {
        let used: Vec<(&Vec<f64>, f64)> = groups
            .iter()
            .zip(&means)
            .filter_map(|(g, m)| m.map(|m| (g, m)))
            .collect();
        let g = used.len() as f64;
        let ssb: f64 = used
            .iter()
            .map(|(v, m)| v.len() as f64 * (m - om).powi(2))
            .sum();
        let ssw: f64 = used
            .iter()
            .map(|(v, m)| v.iter().map(|x| (x - m).powi(2)).sum::<f64>())
            .sum();
        (g >= 2.0 && n > g && ssw > 0.0)
            .then(|| (ssb / (g - 1.0)) / (ssw / (n - g)))
            .filter(|f| f.is_finite())
    });
    let median = groups.iter_mut().map(|g| median(g)).collect();
    NumericProfile {
        name: name.to_owned(),
        mean: means,
        median,
        z,
        overall_mean,
        anova_f,
        missing: Vec::new(),
    }
}

/// A column's typical value over a set of rows: the mean of numbers and dates, the most frequent level of
/// categories (the scatter's hover and selection summaries).
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnStat {
    /// Mean of the present values (dates: days since 1970-01-01), `None` when all are missing.
    Mean(Option<f64>),
    /// The most frequent level (ties: the first level), its count, and the count of present values.
    Mode {
        /// The level (`None` when every value is missing).
        level: Option<String>,
        /// Rows with that level.
        count: usize,
        /// Rows with a present value.
        present: usize,
    },
}

/// [`ColumnStat`] of `data` over `rows`.
pub fn column_stat(data: &ColumnData, rows: impl Iterator<Item = usize>) -> ColumnStat {
    let mean = |it: &mut dyn Iterator<Item = f64>| {
        let (mut sum, mut n) = (0.0, 0usize);
        for v in it {
            sum += v;
            n += 1;
        }
        ColumnStat::Mean((n > 0).then(|| sum / n as f64))
    };
    match data {
        ColumnData::Numeric(v) => mean(&mut rows.map(|r| v[r]).filter(|x| !x.is_nan())),
        ColumnData::Date(v) => mean(&mut rows.filter_map(|r| v[r]).map(f64::from)),
        ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels } => {
            let mut counts = vec![0usize; levels.len()];
            let mut present = 0usize;
            for r in rows {
                if let Some(c) = counts.get_mut(codes[r] as usize) {
                    *c += 1;
                    present += 1;
                }
            }
            let best = counts
                .iter()
                .enumerate()
                .max_by_key(|&(i, c)| (*c, usize::MAX - i))
                .filter(|(_, c)| **c > 0);
            ColumnStat::Mode {
                level: best.map(|(i, _)| levels[i].clone()),
                count: best.map_or(0, |(_, c)| *c),
                present,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;

    #[test]
    fn means_medians_z_and_anova() {
        let t = Table {
            columns: vec![
                Column::new(
                    "x",
                    ColumnData::Numeric(vec![1.0, 2.0, 3.0, 10.0, 11.0, f64::NAN]),
                ),
                Column::new(
                    "g",
                    ColumnData::Categorical {
                        codes: vec![0, 0, 1, 1, 1, MISSING_CODE],
                        levels: vec!["a".into(), "b".into()],
                    },
                ),
            ],
            ..Table::default()
        };
        let p = profile(
            &t,
            &["x".into(), "g".into()],
            &[0, 1, 2, 3, 4, 5],
            &[0, 0, 0, 1, 1, 1],
            2,
        )
        .unwrap();
        assert_eq!(p.sizes, [3, 3]);
        let x = &p.numeric[0];
        assert_eq!(x.mean, [Some(2.0), Some(10.5)]);
        assert_eq!(x.median, [Some(2.0), Some(10.5)]);
        // scipy.stats.f_oneway([1,2,3],[10,11]).statistic = 104.04
        assert!(
            (x.anova_f.unwrap() - 104.04).abs() < 1e-9,
            "{:?}",
            x.anova_f
        );
        assert!(x.z[0].unwrap() < 0.0 && x.z[1].unwrap() > 0.0);
        assert_eq!(p.categorical[0].shares[0], [2.0 / 3.0, 1.0 / 3.0]);
        assert_eq!(p.categorical[0].shares[1], [0.0, 1.0]);
        assert_eq!(p.numeric[0].missing, [0, 1]);
        assert_eq!(p.categorical[0].missing, [0, 1]);
        let mut buf = Vec::new();
        crate::export::write_profile_csv(&p, &mut buf).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(
            s.starts_with(
                "feature,statistic,segment_0,segment_1,overall,anova_f\n(all),size,3,3,6,\n"
            ),
            "{s}"
        );
        assert!(s.contains("g=b,share,0.3333333333333333,1,0.6,"), "{s}");
    }

    #[test]
    fn column_stats_of_a_subset() {
        let num = ColumnData::Numeric(vec![1.0, f64::NAN, 5.0, 100.0]);
        assert_eq!(
            column_stat(&num, [0, 1, 2].into_iter()),
            ColumnStat::Mean(Some(3.0))
        );
        assert_eq!(column_stat(&num, [1].into_iter()), ColumnStat::Mean(None));
        let cat = ColumnData::Categorical {
            codes: vec![1, 0, 1, MISSING_CODE],
            levels: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            column_stat(&cat, 0..4),
            ColumnStat::Mode {
                level: Some("b".into()),
                count: 2,
                present: 3
            }
        );
    }

    #[test]
    fn overall_shares_come_from_counts() {
        // Segment A: one "x" and nine missing; segment B: ten "y". The true share of "x" is 1 in 11.
        let mut codes = vec![0u32];
        codes.extend([MISSING_CODE; 9]);
        codes.extend([1u32; 10]);
        let t = Table {
            columns: vec![Column::new(
                "c",
                ColumnData::Categorical {
                    codes,
                    levels: vec!["x".into(), "y".into()],
                },
            )],
            ..Table::default()
        };
        let rows: Vec<usize> = (0..20).collect();
        let mut labels = vec![0usize; 10];
        labels.extend([1usize; 10]);
        let p = profile(&t, &["c".into()], &rows, &labels, 2).unwrap();
        let c = &p.categorical[0];
        assert!((c.overall[0] - 1.0 / 11.0).abs() < 1e-15, "{:?}", c.overall);
        assert!((c.overall[1] - 10.0 / 11.0).abs() < 1e-15);
        assert_eq!(c.shares[0], [1.0, 0.0]);
        assert_eq!(c.missing, [9, 0]);
    }
}
