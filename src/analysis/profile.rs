//! Per-segment profiles in original units: size and share, mean, median and z-score (segment mean vs the
//! overall mean in overall standard deviations) of every numeric input feature, level shares of every
//! categorical feature, and the one-way ANOVA F of each numeric feature (which features separate the
//! segments most). For categorical features the same question is answered by Pearson's chi-square
//! (scipy's `chi2_contingency(table, correction=False)`): per level on the segment × (level, not level)
//! table, and for the whole feature Cramér's V `sqrt(χ² / (n · (min(k, levels) − 1)))` on the segment ×
//! level table. [`context_columns`] names the columns worth profiling that were not features.

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
    /// Per level, Pearson's chi-square of segment × (this level, any other level); `None` when undefined
    /// (one segment or a level that every or no present row has).
    pub level_chi2: Vec<Option<f64>>,
    /// Cramér's V of segment × level (0: the segments share the level mix, 1: each level is in one
    /// segment); `None` when undefined.
    pub cramers_v: Option<f64>,
}

/// Pearson's chi-square of a contingency table (rows × columns of counts), over the rows and columns
/// with a non-zero total; `None` with fewer than two of either.
pub fn chi_square(table: &[Vec<usize>]) -> Option<f64> {
    let cols = table.first().map_or(0, Vec::len);
    let row_t: Vec<f64> = table
        .iter()
        .map(|r| r.iter().sum::<usize>() as f64)
        .collect();
    let col_t: Vec<f64> = (0..cols)
        .map(|j| table.iter().map(|r| r[j]).sum::<usize>() as f64)
        .collect();
    let n: f64 = row_t.iter().sum();
    if row_t.iter().filter(|&&t| t > 0.0).count() < 2
        || col_t.iter().filter(|&&t| t > 0.0).count() < 2
    {
        return None;
    }
    let mut chi2 = 0.0;
    for (r, &rt) in table.iter().zip(&row_t) {
        for (&c, &ct) in r.iter().zip(&col_t) {
            if rt > 0.0 && ct > 0.0 {
                let e = rt * ct / n;
                chi2 += (c as f64 - e).powi(2) / e;
            }
        }
    }
    chi2.is_finite().then_some(chi2)
}

/// Per-level chi-square and Cramér's V of `counts[segment][level]`.
fn categorical_importance(counts: &[Vec<usize>]) -> (Vec<Option<f64>>, Option<f64>) {
    let levels = counts.first().map_or(0, Vec::len);
    let level_chi2 = (0..levels)
        .map(|j| {
            let t: Vec<Vec<usize>> = counts
                .iter()
                .map(|r| vec![r[j], r.iter().sum::<usize>() - r[j]])
                .collect();
            chi_square(&t)
        })
        .collect();
    let n: usize = counts.iter().flatten().sum();
    let used_rows = counts
        .iter()
        .filter(|r| r.iter().sum::<usize>() > 0)
        .count();
    let used_cols = (0..levels)
        .filter(|&j| counts.iter().any(|r| r[j] > 0))
        .count();
    let dof = used_rows.min(used_cols).saturating_sub(1);
    let v = chi_square(counts)
        .filter(|_| dof > 0 && n > 0)
        .map(|c| (c / (n as f64 * dof as f64)).sqrt().min(1.0));
    (level_chi2, v)
}

/// Columns of `table` worth profiling that are not among `features`: numeric, categorical and label-like
/// columns, in table order; IDs, text and dates are left out (the engine's one ID rule,
/// [`crate::prep::select::column_role`]), and so are categoricals of more than `max_levels` levels.
pub fn context_columns(table: &Table, features: &[String], max_levels: usize) -> Vec<String> {
    use crate::prep::select::{ColumnRole, column_role};
    table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !features.contains(&c.name))
        .filter(|&(i, c)| match column_role(table, i) {
            ColumnRole::Feature => true,
            ColumnRole::Categorical | ColumnRole::Label => match &c.data {
                ColumnData::Numeric(_) => true,
                ColumnData::Categorical { levels, .. } => levels.len() <= max_levels,
                ColumnData::Text { .. } | ColumnData::Date(_) => false,
            },
            ColumnRole::Id | ColumnRole::NotFeature => false,
        })
        .map(|(_, c)| c.name.clone())
        .collect()
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

/// Selection instead of a full sort: the profile takes a median per feature and segment, which a sort
/// made the costliest step of profiling a million rows.
fn median(v: &mut [f64]) -> Option<f64> {
    (!v.is_empty()).then(|| crate::prep::stats::median_in_place(v))
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
                let (level_chi2, cramers_v) = categorical_importance(&counts);
                categorical.push(CategoricalProfile {
                    name: name.clone(),
                    levels: levels.to_vec(),
                    shares,
                    overall: share_of(&totals),
                    missing,
                    level_chi2,
                    cramers_v,
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
                level: best.map(|(i, _)| levels[i].to_owned()),
                count: best.map_or(0, |(_, c)| *c),
                present,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_by_selection_equals_the_sorted_median() {
        let mut r = crate::rng::Rng::new(5);
        for n in 1..40 {
            let v: Vec<f64> = (0..n)
                .map(|i| (r.normal() * 3.0).round() + f64::from(i % 3))
                .collect();
            let mut sorted = v.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            let expect = crate::prep::stats::median_sorted(&sorted);
            let mut work = v.clone();
            assert_eq!(median(&mut work), Some(expect), "n = {n}: {v:?}");
        }
        assert_eq!(median(&mut []), None);
    }
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
                        levels: crate::data::Levels::from(vec!["a", "b"]),
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
        crate::export::write_profile_csv(&p, crate::export::ProfileWords::default(), &mut buf)
            .unwrap();
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
    fn categorical_chi_square_and_cramers_v_equal_scipy() {
        // Segment × level counts [[10, 5, 1], [2, 8, 6], [3, 3, 3]]; expected values from
        // scipy.stats.chi2_contingency(t, correction=False) on each segment × (level, rest) table and on the
        // whole table (χ² 9.89765625, V = sqrt(χ² / (43 · 2))).
        let counts = [[10usize, 5, 1], [2, 8, 6], [3, 3, 3]];
        let mut codes = Vec::new();
        let mut labels = Vec::new();
        for (s, row) in counts.iter().enumerate() {
            for (l, &c) in row.iter().enumerate() {
                codes.extend(std::iter::repeat_n(l as u32, c));
                labels.extend(std::iter::repeat_n(s, c));
            }
        }
        // A missing value is left out of the counts.
        codes.push(MISSING_CODE);
        labels.push(2);
        let rows: Vec<usize> = (0..codes.len()).collect();
        let t = Table {
            columns: vec![Column::new(
                "c",
                ColumnData::Categorical {
                    codes,
                    levels: crate::data::Levels::from(vec!["a", "b", "c"]),
                },
            )],
            ..Table::default()
        };
        let p = profile(&t, &["c".into()], &rows, &labels, 3).unwrap();
        let c = &p.categorical[0];
        let want = [8.673_076_923_076_923, 1.338_906_25, 4.736_491_935_483_87];
        for (got, want) in c.level_chi2.iter().zip(want) {
            assert!((got.unwrap() - want).abs() < 1e-9, "{got:?} vs {want}");
        }
        assert!((c.cramers_v.unwrap() - 0.347_423_552_742_182_4).abs() < 1e-9);
        // Undefined: one segment only.
        assert_eq!(chi_square(&[vec![3, 4]]), None);
        assert_eq!(chi_square(&[vec![3, 0], vec![4, 0]]), None);
    }

    #[test]
    fn context_columns_leave_out_features_ids_and_text() {
        let n = 30;
        let t = Table {
            columns: vec![
                Column::new(
                    "customer_id",
                    ColumnData::Text {
                        codes: (0..n as u32).collect(),
                        levels: (0..n).map(|i| format!("C{i}")).collect(),
                    },
                ),
                Column::new("x", ColumnData::Numeric(vec![1.0; n])),
                Column::new(
                    "age",
                    ColumnData::Numeric((0..n).map(|i| (i % 7) as f64).collect()),
                ),
                Column::new(
                    "region",
                    ColumnData::Categorical {
                        codes: (0..n as u32).map(|i| i % 2).collect(),
                        levels: crate::data::Levels::from(vec!["N", "S"]),
                    },
                ),
                Column::new(
                    "many",
                    ColumnData::Categorical {
                        codes: (0..n as u32).map(|i| i % 25).collect(),
                        levels: (0..25).map(|i| format!("l{i}")).collect(),
                    },
                ),
            ],
            ..Table::default()
        };
        assert_eq!(context_columns(&t, &["x".into()], 20), ["age", "region"]);
        assert_eq!(
            context_columns(&t, &["x".into()], 30),
            ["age", "region", "many"]
        );
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
            levels: crate::data::Levels::from(vec!["a", "b"]),
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
                    levels: crate::data::Levels::from(vec!["x", "y"]),
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
