//! Per-column summaries (pandas conventions: `std` with ddof = 1, median of the two middle values, mode =
//! the smallest of the most frequent values) and a 20-bin histogram for numeric columns.

use rayon::prelude::*;

use super::{Column, ColumnData, ColumnKind, MISSING_CODE, Table, format_date};

/// Number of histogram bins.
pub const HISTOGRAM_BINS: usize = 20;

/// What a column holds, at a glance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ColumnSummary {
    /// Column name.
    pub name: String,
    /// Inferred kind.
    pub kind: ColumnKind,
    /// Non-missing cells.
    pub count: usize,
    /// Missing cells, including invalid ones.
    pub missing: usize,
    /// Cells of a numeric column that were not numbers (part of `missing`).
    pub invalid: usize,
    /// Distinct non-missing values.
    pub distinct: usize,
    /// Smallest value (numeric: the value; date: days since 1970-01-01).
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// Mean (numeric only).
    pub mean: Option<f64>,
    /// Median (numeric and date).
    pub median: Option<f64>,
    /// Sample standard deviation, ddof = 1 (numeric only; needs 2 values).
    pub std: Option<f64>,
    /// Most frequent value as text (smallest of ties).
    pub mode: Option<String>,
    /// How often the mode occurs.
    pub mode_count: usize,
    /// Counts in [`HISTOGRAM_BINS`] equal bins from `min` to `max` (numeric columns).
    pub histogram: Option<Vec<u32>>,
}

/// Summaries of every column, computed in parallel.
pub fn summarize_table(table: &Table) -> Vec<ColumnSummary> {
    table.columns.par_iter().map(summarize).collect()
}

/// Summary of one column.
pub fn summarize(col: &Column) -> ColumnSummary {
    let mut s = ColumnSummary {
        name: col.name.clone(),
        kind: col.kind(),
        count: 0,
        missing: 0,
        invalid: col.invalid,
        distinct: 0,
        min: None,
        max: None,
        mean: None,
        median: None,
        std: None,
        mode: None,
        mode_count: 0,
        histogram: None,
    };
    match &col.data {
        ColumnData::Numeric(v) => {
            let mut x: Vec<f64> = v.iter().copied().filter(|f| !f.is_nan()).collect();
            s.missing = v.len() - x.len();
            numeric_summary(&mut x, &mut s);
        }
        ColumnData::Date(v) => {
            let mut x: Vec<f64> = v.iter().flatten().map(|&d| f64::from(d)).collect();
            s.missing = v.len() - x.len();
            numeric_summary(&mut x, &mut s);
            s.mean = None;
            s.std = None;
            s.histogram = None;
            s.mode = s
                .mode
                .take()
                .and_then(|m| m.parse::<f64>().ok())
                .map(|d| format_date(d as i32));
        }
        ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels } => {
            let mut counts = vec![0usize; levels.len()];
            for &c in codes {
                if c == MISSING_CODE {
                    s.missing += 1;
                } else {
                    counts[c as usize] += 1;
                }
            }
            s.count = codes.len() - s.missing;
            s.distinct = counts.iter().filter(|&&c| c > 0).count();
            // Levels are sorted, so the first maximum is the smallest of ties.
            let mut best: Option<(usize, usize)> = None;
            for (i, &c) in counts.iter().enumerate() {
                if c > 0 && best.is_none_or(|(_, bc)| c > bc) {
                    best = Some((i, c));
                }
            }
            if let Some((i, c)) = best {
                s.mode = Some(levels[i].to_owned());
                s.mode_count = c;
            }
        }
    }
    s
}

fn numeric_summary(x: &mut [f64], s: &mut ColumnSummary) {
    s.count = x.len();
    if x.is_empty() {
        return;
    }
    let n = x.len() as f64;
    let mean = neumaier_sum(x.iter().copied()) / n;
    s.mean = Some(mean);
    if x.len() > 1 {
        let ss = neumaier_sum(x.iter().map(|v| (v - mean) * (v - mean)));
        s.std = Some((ss / (n - 1.0)).sqrt());
    }
    x.sort_unstable_by(f64::total_cmp);
    let (lo, hi) = (x[0], x[x.len() - 1]);
    s.min = Some(lo);
    s.max = Some(hi);
    let mid = x.len() / 2;
    s.median = Some(if x.len() % 2 == 1 {
        x[mid]
    } else {
        f64::midpoint(x[mid - 1], x[mid])
    });
    // Distinct values and the mode from runs of equal values (-0 == 0).
    let (mut distinct, mut best_val, mut best_len) = (0usize, x[0], 0usize);
    let mut i = 0;
    while i < x.len() {
        let mut j = i + 1;
        while j < x.len() && x[j] == x[i] {
            j += 1;
        }
        distinct += 1;
        if j - i > best_len {
            best_len = j - i;
            best_val = x[i];
        }
        i = j;
    }
    s.distinct = distinct;
    s.mode = Some(format!("{best_val}"));
    s.mode_count = best_len;
    s.histogram = Some(histogram(x, lo, hi));
}

/// numpy.histogram's convention: equal bins over [lo, hi], the last bin closed; a constant column uses
/// [v - 0.5, v + 0.5].
fn histogram(x: &[f64], lo: f64, hi: f64) -> Vec<u32> {
    let (lo, hi) = if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let mut h = vec![0u32; HISTOGRAM_BINS];
    let width = (hi - lo) / HISTOGRAM_BINS as f64;
    for &v in x {
        let b = (((v - lo) / width) as usize).min(HISTOGRAM_BINS - 1);
        h[b] += 1;
    }
    h
}

/// Compensated (Neumaier) sum: as accurate as pairwise summation, independent of order effects.
pub(crate) fn neumaier_sum(it: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut c) = (0.0f64, 0.0f64);
    for v in it {
        let t = sum + v;
        if sum.abs() >= v.abs() {
            c += (sum - t) + v;
        } else {
            c += (v - t) + sum;
        }
        sum = t;
    }
    sum + c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_like_pandas() {
        let c = Column::new(
            "x",
            ColumnData::Numeric(vec![3.0, 1.0, f64::NAN, 2.0, 2.0, -0.0, 0.0]),
        );
        let s = summarize(&c);
        assert_eq!((s.count, s.missing, s.distinct), (6, 1, 4));
        assert_eq!(s.min, Some(-0.0));
        assert_eq!(s.max, Some(3.0));
        assert_eq!(s.median, Some(1.5));
        assert!((s.mean.unwrap() - 8.0 / 6.0).abs() < 1e-15);
        // pandas: pd.Series([3,1,2,2,-0.,0]).std() = 1.2110601416389968
        assert!((s.std.unwrap() - 1.211_060_141_638_996_8).abs() < 1e-14);
        // Ties between 0 (twice) and 2 (twice): the smallest wins.
        assert_eq!(s.mode.as_deref(), Some("-0"));
        assert_eq!(s.mode_count, 2);
        let h = s.histogram.unwrap();
        assert_eq!(h.iter().sum::<u32>(), 6);
        assert_eq!(h[19], 1);
        assert_eq!(h[0], 2);
    }

    #[test]
    fn categorical_mode_and_distinct() {
        let c = Column::new(
            "g",
            ColumnData::Categorical {
                codes: vec![1, 0, 1, MISSING_CODE, 0],
                levels: crate::data::Levels::from(vec!["a", "b", "unused"]),
            },
        );
        let s = summarize(&c);
        assert_eq!((s.count, s.missing, s.distinct), (4, 1, 2));
        assert_eq!(s.mode.as_deref(), Some("a"));
        assert_eq!(s.mode_count, 2);
    }

    #[test]
    fn constant_and_empty_columns() {
        let s = summarize(&Column::new("c", ColumnData::Numeric(vec![5.0; 3])));
        assert_eq!(s.std, Some(0.0));
        assert_eq!(s.histogram.unwrap()[10], 3);
        let s = summarize(&Column::new("e", ColumnData::Numeric(vec![f64::NAN; 2])));
        assert_eq!((s.count, s.missing), (0, 2));
        assert_eq!(s.mean, None);
    }

    #[test]
    fn neumaier_is_exact_where_naive_is_not() {
        let v = [1e16, 1.0, -1e16];
        assert_eq!(neumaier_sum(v.iter().copied()), 1.0);
    }
}
