//! Summaries of a set of rows, for comparing a selection (the scatter's box-select) with all rows: how
//! many rows each segment contributes and each column's typical value ([`ColumnStat`]).

use ndarray::Array2;

use super::fit::{Assigner, Segmentation};
use super::profile::{ColumnStat, column_stat};
use super::run::{PreparedData, SegResult, score_labels};
use super::spec::{Decision, Policy};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// A set of rows: its size, its rows per segment, and a [`ColumnStat`] per requested column.
#[derive(Debug, Clone, PartialEq)]
pub struct RowsSummary {
    /// Rows in the set.
    pub count: usize,
    /// Rows of each segment `0..k` in the set.
    pub per_segment: Vec<usize>,
    /// One entry per requested column (`None` for a column the table does not have).
    pub columns: Vec<Option<ColumnStat>>,
}

/// Rows of each segment `0..k` among `rows` (indices into `labels`); labels `>= k` and rows out of range
/// are not counted.
pub fn rows_per_segment(labels: &[usize], rows: &[usize], k: usize) -> Vec<usize> {
    let mut per_segment = vec![0usize; k];
    for &i in rows {
        if let Some(c) = labels.get(i).and_then(|&l| per_segment.get_mut(l)) {
            *c += 1;
        }
    }
    per_segment
}

/// [`ColumnStat`] of each of `columns` (indices into `table.columns`, `None` = absent) over the table
/// rows `rows`; rows out of range are skipped.
pub fn summarize_columns(
    table: &Table,
    columns: &[Option<usize>],
    rows: &[usize],
) -> Vec<Option<ColumnStat>> {
    columns
        .iter()
        .map(|c| {
            let data = &table.columns.get((*c)?)?.data;
            let n = data.len();
            Some(column_stat(data, rows.iter().copied().filter(|&r| r < n)))
        })
        .collect()
}

/// Summary of `selected` (indices of prepared rows, i.e. into `labels` and `kept_rows`): its rows per
/// segment and each of `columns` over the table rows `kept_rows[i]`.
pub fn summarize_selection(
    table: &Table,
    columns: &[Option<usize>],
    kept_rows: &[usize],
    labels: &[usize],
    k: usize,
    selected: &[usize],
) -> RowsSummary {
    let table_rows: Vec<usize> = selected
        .iter()
        .filter_map(|&i| kept_rows.get(i).copied())
        .collect();
    RowsSummary {
        count: selected.len(),
        per_segment: rows_per_segment(labels, selected, k),
        columns: summarize_columns(table, columns, &table_rows),
    }
}

/// The default name of a segment made from a selection.
pub const SELECTION_NAME: &str = "selection";

/// `base` with the prepared rows `rows` moved into a segment of their own: id `max + 1` (= `base.seg.k`),
/// named `name`. Segments left empty are dropped (the later ids move down by one). Means, inertia,
/// silhouettes, indices, the profile, the descriptions and the centres' PCA scores are computed afresh for
/// the new labels; a saved model of the result scores new rows by the nearest segment mean. Mixture
/// probabilities and density details no longer describe the labels and are dropped.
pub fn segment_of_rows(
    table: &Table,
    data: &PreparedData,
    base: &SegResult,
    rows: &[usize],
    name: &str,
    policy: &Policy,
    progress: &Progress,
) -> Result<SegResult> {
    let x = data.x();
    let n = x.nrows();
    if base.seg.labels.len() != n {
        return Err(Error::InvalidParameter(format!(
            "the segmentation has {} rows, the prepared data {n}",
            base.seg.labels.len()
        )));
    }
    if rows.is_empty() {
        return Err(Error::InvalidParameter(
            "no row is selected: select rows before making a segment of them".into(),
        ));
    }
    if let Some(&r) = rows.iter().find(|&&r| r >= n) {
        return Err(Error::InvalidParameter(format!(
            "row {r} is not among the {n} prepared rows"
        )));
    }
    let new = base.seg.k;
    let mut labels = base.seg.labels.clone();
    for &r in rows {
        labels[r] = new;
    }
    // Drop segments left empty; the others keep their order.
    let mut used = vec![false; new + 1];
    for &l in &labels {
        used[l] = true;
    }
    let mut to_new = vec![usize::MAX; new + 1];
    let mut k = 0;
    for (old, &u) in used.iter().enumerate() {
        if u {
            to_new[old] = k;
            k += 1;
        }
    }
    for l in &mut labels {
        *l = to_new[*l];
    }
    let mut names: Vec<String> = (0..new)
        .filter(|&s| used[s])
        .map(|s| {
            base.names
                .get(s)
                .cloned()
                .unwrap_or_else(|| format!("Segment {s}"))
        })
        .collect();
    names.push(name.to_owned());

    let d = x.ncols();
    let mut centroids = Array2::<f64>::zeros((k, d));
    let mut sizes = vec![0usize; k];
    for (row, &l) in x.rows().into_iter().zip(&labels) {
        sizes[l] += 1;
        let mut c = centroids.row_mut(l);
        c += &row;
    }
    for (mut c, &s) in centroids.rows_mut().into_iter().zip(&sizes) {
        c /= s.max(1) as f64;
    }
    let inertia = x
        .rows()
        .into_iter()
        .zip(&labels)
        .map(|(row, &l)| {
            row.iter()
                .zip(centroids.row(l))
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
        })
        .sum();
    progress.check()?;
    let scored = score_labels(x, &labels, policy, base.options.seed, progress)?;
    let seg = Segmentation {
        method: base.seg.method,
        k,
        assigner: Assigner::Centres {
            centres: centroids.clone(),
            to_segment: (0..k).collect(),
        },
        labels,
        centroids,
        inertia,
        probabilities: None,
        bic: None,
        aic: None,
        dendrogram: base.seg.dendrogram.clone(),
        approximate: base.seg.approximate,
        density: None,
    };
    let mut decisions = base.decisions.clone();
    decisions.retain(|d| !matches!(d, Decision::SilhouetteSampled { .. }));
    let mut result = super::run::assemble(
        table,
        data,
        base.target,
        base.options,
        seg,
        scored,
        decisions,
        progress,
    )?;
    // The existing segments keep the names shown (renamed ones too); the new one is named as asked.
    result.names = names;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, ColumnData, MISSING_CODE};

    fn table() -> Table {
        Table {
            columns: vec![
                Column::new(
                    "spend",
                    ColumnData::Numeric(vec![1.0, 2.0, f64::NAN, 4.0, 10.0]),
                ),
                Column::new(
                    "region",
                    ColumnData::Categorical {
                        codes: vec![0, 1, 1, MISSING_CODE, 0],
                        levels: crate::data::Levels::from(vec!["N", "S"]),
                    },
                ),
            ],
            ..Table::default()
        }
    }

    #[test]
    fn counts_rows_per_segment_and_ignores_strays() {
        let labels = [0, 1, 1, 2, 0];
        assert_eq!(rows_per_segment(&labels, &[0, 1, 2, 4], 3), [2, 2, 0]);
        assert_eq!(
            rows_per_segment(&labels, &[3, 9], 2),
            [0, 0],
            "label 2 ≥ k, row 9 absent"
        );
    }

    #[test]
    fn summarizes_columns_over_rows() {
        let t = table();
        let s = summarize_columns(&t, &[Some(0), None, Some(1)], &[0, 1, 2, 3, 99]);
        assert_eq!(
            s[0],
            Some(ColumnStat::Mean(Some((1.0 + 2.0 + 4.0) / 3.0))),
            "NaN skipped"
        );
        assert_eq!(s[1], None);
        assert_eq!(
            s[2],
            Some(ColumnStat::Mode {
                level: Some("S".into()),
                count: 2,
                present: 3
            })
        );
    }

    #[test]
    fn a_selection_maps_prepared_rows_to_table_rows() {
        let t = table();
        // Prepared rows 0..3 are table rows 1, 3, 4 (row 0 and 2 were dropped).
        let kept = [1, 3, 4];
        let labels = [1, 0, 1];
        let s = summarize_selection(&t, &[Some(0)], &kept, &labels, 2, &[0, 2]);
        assert_eq!(s.count, 2);
        assert_eq!(s.per_segment, [0, 2]);
        assert_eq!(s.columns, [Some(ColumnStat::Mean(Some(6.0)))]);
        let none = summarize_selection(&t, &[Some(1)], &kept, &labels, 2, &[]);
        assert_eq!(none.count, 0);
        assert_eq!(
            none.columns,
            [Some(ColumnStat::Mode {
                level: None,
                count: 0,
                present: 0
            })]
        );
    }

    fn blobs() -> Table {
        use std::fmt::Write as _;
        let mut s = String::from("a,b\n");
        for i in 0..90_i32 {
            let c = f64::from(i % 3) * 10.0;
            let j = f64::from(i / 3) * 0.01;
            writeln!(s, "{},{}", c + j, -c + 2.0 * j).unwrap();
        }
        crate::data::load_bytes(
            s.into_bytes(),
            "t.csv",
            &crate::data::LoadOptions::default(),
            &Progress::new(),
        )
        .unwrap()
    }

    #[test]
    fn segment_of_rows_moves_the_rows_into_a_new_last_segment_and_rescores() {
        use crate::analysis::{ModelSpec, Target, fit_segments, prepare};
        use crate::prep::Preparation;
        let t = blobs();
        let data = prepare(
            &t,
            &Preparation::new(vec!["a".into(), "b".into()]),
            2,
            &Progress::new(),
        )
        .unwrap();
        let policy = Policy::default();
        let p = Progress::new();
        let base = fit_segments(
            &t,
            &data,
            &ModelSpec::default(),
            Target::K(3),
            &policy,
            None,
            &p,
        )
        .unwrap();
        // Five rows of segment 0 and two of segment 1.
        let labels = base.seg.labels.clone();
        let of = |s: usize| -> Vec<usize> { (0..90).filter(|&i| labels[i] == s).collect() };
        let rows: Vec<usize> = of(0)[..5].iter().chain(&of(1)[..2]).copied().collect();
        let r = segment_of_rows(&t, &data, &base, &rows, SELECTION_NAME, &policy, &p).unwrap();
        assert_eq!(r.seg.k, 4);
        assert_eq!(r.sizes(), [25, 28, 30, 7]);
        assert_eq!(r.names[3], "selection");
        assert_eq!(&r.names[..3], &base.names[..]);
        for i in 0..90 {
            let want = if rows.contains(&i) {
                3
            } else {
                base.seg.labels[i]
            };
            assert_eq!(r.seg.labels[i], want, "row {i}");
        }
        // Means of the new segment, silhouettes of the new labels, the profile of 4 segments.
        let x = data.x();
        for j in 0..2 {
            let mean = rows.iter().map(|&i| x[[i, j]]).sum::<f64>() / 7.0;
            assert!((r.seg.centroids[[3, j]] - mean).abs() < 1e-12);
        }
        let sil = crate::metrics::silhouette_samples(x, &r.seg.labels, &p).unwrap();
        assert_eq!(r.silhouette.as_deref(), Some(sil.as_slice()));
        assert_eq!(r.profile.sizes, [25, 28, 30, 7]);
        assert!(r.seg.probabilities.is_none());

        // A whole segment selected: it is dropped, the new one is still last.
        let all0 = of(0);
        let r = segment_of_rows(&t, &data, &base, &all0, "picked", &policy, &p).unwrap();
        assert_eq!(r.seg.k, 3);
        assert_eq!(r.sizes(), [30, 30, 30]);
        assert_eq!(
            r.names,
            [
                base.names[1].clone(),
                base.names[2].clone(),
                "picked".into()
            ]
        );

        // Bad input is an error, not a panic.
        assert!(segment_of_rows(&t, &data, &base, &[], "x", &policy, &p).is_err());
        assert!(segment_of_rows(&t, &data, &base, &[90], "x", &policy, &p).is_err());
    }
}
