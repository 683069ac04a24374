//! Summaries of a set of rows, for comparing a selection (the scatter's box-select) with all rows: how
//! many rows each segment contributes and each column's typical value ([`ColumnStat`]).

use super::profile::{ColumnStat, column_stat};
use crate::data::Table;

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
                        levels: vec!["N".into(), "S".into()],
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
}
