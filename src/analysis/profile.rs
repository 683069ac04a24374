//! Per-segment profiles in original units: size and share, mean, median and z-score (segment mean vs the
//! overall mean in overall standard deviations) of every numeric input feature, level shares of every
//! categorical feature, and the one-way ANOVA F of each numeric feature (which features separate the
//! segments most).

use crate::data::{ColumnData, MISSING_CODE, Table};
use crate::error::{Error, Result};

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
                for (&r, &l) in rows.iter().zip(labels) {
                    if !v[r].is_nan() {
                        groups[l].push(v[r]);
                    }
                }
                numeric.push(numeric_profile(name, groups));
            }
            ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels } => {
                let mut counts = vec![vec![0usize; levels.len()]; k];
                for (&r, &l) in rows.iter().zip(labels) {
                    if codes[r] != MISSING_CODE {
                        counts[l][codes[r] as usize] += 1;
                    }
                }
                let shares = counts
                    .iter()
                    .map(|c| {
                        let t = c.iter().sum::<usize>().max(1) as f64;
                        c.iter().map(|&x| x as f64 / t).collect()
                    })
                    .collect();
                categorical.push(CategoricalProfile {
                    name: name.clone(),
                    levels: levels.clone(),
                    shares,
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
    let overall_mean = (!all.is_empty()).then(|| all.iter().sum::<f64>() / n);
    let std = overall_mean.map(|m| (all.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n).sqrt());
    let means: Vec<Option<f64>> = groups
        .iter()
        .map(|g| (!g.is_empty()).then(|| g.iter().sum::<f64>() / g.len() as f64))
        .collect();
    let z = means
        .iter()
        .map(|m| match (m, overall_mean, std) {
            (Some(m), Some(om), Some(s)) if s > 0.0 => Some((m - om) / s),
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
        (g >= 2.0 && n > g && ssw > 0.0).then(|| (ssb / (g - 1.0)) / (ssw / (n - g)))
    });
    let median = groups.iter_mut().map(|g| median(g)).collect();
    NumericProfile {
        name: name.to_owned(),
        mean: means,
        median,
        z,
        overall_mean,
        anova_f,
    }
}

/// The profile as a CSV: one row per (feature, statistic), one column per segment, then `overall` and
/// `anova_f`.
pub fn write_profile_csv(p: &Profile, w: &mut dyn std::io::Write) -> Result<()> {
    let k = p.sizes.len();
    let mut out = csv::Writer::from_writer(w);
    let err = |e: csv::Error| Error::InvalidParameter(format!("cannot write the profile: {e}"));
    let mut header = vec!["feature".to_owned(), "statistic".to_owned()];
    header.extend((0..k).map(|s| format!("segment_{s}")));
    header.push("overall".into());
    header.push("anova_f".into());
    out.write_record(&header).map_err(err)?;
    let fmt = |v: Option<f64>| v.map(crate::export::fmt_f64).unwrap_or_default();
    let mut row = |feature: &str, stat: &str, vals: Vec<String>, overall: String, f: String| {
        let mut r = vec![feature.to_owned(), stat.to_owned()];
        r.extend(vals);
        r.push(overall);
        r.push(f);
        out.write_record(&r).map_err(err)
    };
    let total: usize = p.sizes.iter().sum();
    row(
        "(all)",
        "size",
        p.sizes.iter().map(ToString::to_string).collect(),
        total.to_string(),
        String::new(),
    )?;
    row(
        "(all)",
        "share",
        p.shares.iter().map(ToString::to_string).collect(),
        "1".into(),
        String::new(),
    )?;
    for f in &p.numeric {
        row(
            &f.name,
            "mean",
            f.mean.iter().map(|v| fmt(*v)).collect(),
            fmt(f.overall_mean),
            fmt(f.anova_f),
        )?;
        row(
            &f.name,
            "median",
            f.median.iter().map(|v| fmt(*v)).collect(),
            String::new(),
            String::new(),
        )?;
        row(
            &f.name,
            "z",
            f.z.iter().map(|v| fmt(*v)).collect(),
            String::new(),
            String::new(),
        )?;
    }
    for c in &p.categorical {
        for (j, level) in c.levels.iter().enumerate() {
            row(
                &format!("{}={level}", c.name),
                "share",
                c.shares.iter().map(|s| s[j].to_string()).collect(),
                String::new(),
                String::new(),
            )?;
        }
    }
    out.flush().map_err(|e| Error::io("<profile>", e))
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
        let mut buf = Vec::new();
        write_profile_csv(&p, &mut buf).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(
            s.starts_with(
                "feature,statistic,segment_0,segment_1,overall,anova_f\n(all),size,3,3,6,\n"
            ),
            "{s}"
        );
        assert!(s.contains("g=b,share,0.3333333333333333,1,,"), "{s}");
    }
}
