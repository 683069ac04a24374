//! Every writer of the engine: the labelled CSV (the original file's text kept byte for byte, with
//! segment columns appended, line endings and blank lines too, streamed again from the table's source;
//! [`segments`] builds those columns from a run's result), the table-shaped
//! outputs ([`tables`]: prepared matrix, profile, RFM, linkage) and how bytes reach the disk
//! ([`write`](mod@write): never over an input, temp + rename, devices and FIFOs streamed, all or nothing). The app and the CLI write through these functions only.

pub mod segments;
pub mod tables;

pub mod write;

use std::io::Write;

pub use segments::{ExportColumns, added_column_names, segment_columns};
pub use tables::{
    ProfileWords, csv_err, fmt_f64, io_err, write_linkage_csv, write_prepared_csv,
    write_profile_csv, write_rfm_csv,
};

use crate::data::Table;
use crate::data::split::{Piece, stream_pieces};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// Extra columns appended to every data row of the input; `values[i]` are the cells of data row `i`
/// (empty strings for rows that were not clustered).
#[derive(Debug, Clone, Default)]
pub struct AppendColumns {
    /// Names of the appended columns.
    pub names: Vec<String>,
    /// One vector of cells per data row.
    pub values: Vec<Vec<String>>,
}

/// Writes the labelled CSV of `table`: its input streamed again from [`Table::source`] in blocks (never held
/// whole), each record byte for byte with its own line ending (`\n`, `\r\n` or `\r`) and the appended
/// cells before it; blank lines are kept as they are and get no cells. For a sampled table only the header
/// and the sampled rows' lines are written. `extra.values` has one entry per table row.
pub fn write_labelled_table(
    table: &Table,
    extra: &AppendColumns,
    w: &mut dyn Write,
    progress: &Progress,
) -> Result<()> {
    let mut reader = table.source.open(&table.source_name)?;
    let rows = table.sampled.as_ref().map(|s| s.file_rows.as_slice());
    write_records(
        &mut *reader,
        &table.source_name,
        table.delimiter,
        table.has_header,
        rows,
        extra,
        w,
        progress,
    )
}

/// [`write_labelled_table`] of only the table rows `rows` (ascending, each at most once; `extra` holds the
/// cells of every table row): the header, then those records byte for byte with their appended cells.
pub fn write_labelled_rows(
    table: &Table,
    extra: &AppendColumns,
    rows: &[usize],
    w: &mut dyn Write,
    progress: &Progress,
) -> Result<()> {
    if rows.windows(2).any(|p| p[0] >= p[1]) {
        return Err(Error::InvalidParameter(
            "the rows to export must be ascending and distinct".into(),
        ));
    }
    let mut file_rows = Vec::with_capacity(rows.len());
    let mut values = Vec::with_capacity(rows.len());
    for &r in rows {
        let (Some(cells), file_row) = (
            extra.values.get(r),
            match &table.sampled {
                Some(s) => s.file_rows.get(r).copied(),
                None => u64::try_from(r).ok(),
            },
        ) else {
            return Err(Error::InvalidParameter(format!(
                "row {r} is not among the table's {} rows",
                extra.values.len()
            )));
        };
        let Some(file_row) = file_row else {
            return Err(Error::InvalidParameter(format!("row {r} has no file row")));
        };
        file_rows.push(file_row);
        values.push(cells.clone());
    }
    let subset = AppendColumns {
        names: extra.names.clone(),
        values,
    };
    let mut reader = table.source.open(&table.source_name)?;
    write_records(
        &mut *reader,
        &table.source_name,
        table.delimiter,
        table.has_header,
        Some(&file_rows),
        &subset,
        w,
        progress,
    )
}

/// [`write_labelled_table`] for input text held in memory: `text` is the input (as read, or decoded as
/// the loader decodes it), `has_header` whether the first record is the header.
pub fn write_labelled(
    text: &[u8],
    delimiter: u8,
    has_header: bool,
    extra: &AppendColumns,
    w: &mut dyn Write,
) -> Result<()> {
    let mut reader = text;
    write_records(
        &mut reader,
        "<input>",
        delimiter,
        has_header,
        None,
        extra,
        w,
        &Progress::new(),
    )
}

/// The streaming core of the labelled export; `rows` are the file's data-row indices to write (a
/// sample), `None` for all.
#[expect(
    clippy::too_many_arguments,
    reason = "the streaming core behind the two public entry points: source, format, sample and output"
)]
fn write_records(
    reader: &mut dyn std::io::Read,
    source_name: &str,
    delimiter: u8,
    has_header: bool,
    rows: Option<&[u64]>,
    extra: &AppendColumns,
    w: &mut dyn Write,
    progress: &Progress,
) -> Result<()> {
    let io = tables::io_err;
    let sep = [delimiter];
    let write_cells = |w: &mut dyn Write, cells: &[String]| -> Result<()> {
        for c in cells {
            w.write_all(&sep).map_err(io)?;
            let needs_quotes = c
                .bytes()
                .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
            if needs_quotes {
                write!(w, "\"{}\"", c.replace('"', "\"\"")).map_err(io)?;
            } else {
                w.write_all(c.as_bytes()).map_err(io)?;
            }
        }
        Ok(())
    };
    let n_labels = extra.values.len();
    let mismatch = |n_data: u64| Error::InputChanged {
        path: source_name.into(),
        expected: n_labels,
        found: usize::try_from(n_data).unwrap_or(usize::MAX),
    };
    let (mut records, mut written) = (0u64, 0usize);
    progress.set_stage("writing", 0);
    stream_pieces(reader, source_name, delimiter, progress, &mut |piece| {
        let (content, ending) = match piece {
            Piece::Blank(b) => {
                if rows.is_none() {
                    w.write_all(b).map_err(io)?;
                }
                return Ok(());
            }
            Piece::Record { content, ending } => (content, ending),
        };
        records += 1;
        let cells = if has_header && records == 1 {
            &extra.names
        } else {
            let row = records - 1 - u64::from(has_header);
            if let Some(rows) = rows
                && rows.get(written) != Some(&row)
            {
                return Ok(());
            }
            let Some(cells) = extra.values.get(written) else {
                return Err(mismatch(row + 1));
            };
            written += 1;
            cells
        };
        w.write_all(content).map_err(io)?;
        write_cells(w, cells)?;
        w.write_all(ending).map_err(io)
    })?;
    let n_data = records.saturating_sub(u64::from(has_header));
    let expected = rows.map_or(n_data as usize, <[u64]>::len);
    if written != n_labels || expected != n_labels {
        return Err(mismatch(n_data));
    }
    Ok(())
}

/// The per-row results of a segmentation to append to the input rows (see [`label_columns`]).
#[derive(Debug, Clone, Copy)]
pub struct RowResults<'a> {
    /// Rows of the input (data rows, header excluded).
    pub n_rows: usize,
    /// Input row of each clustered row (rows left out by `drop` imputation are absent).
    pub kept_rows: &'a [usize],
    /// Segment of each clustered row.
    pub labels: &'a [usize],
    /// Name of each segment (a `segment_name` column after `segment`), if any.
    pub names: Option<&'a [String]>,
    /// Whether to append a `silhouette` column (empty cells where `silhouette` is `None`).
    pub silhouette_column: bool,
    /// Silhouette of each clustered row, if computed.
    pub silhouette: Option<&'a [f64]>,
    /// Membership probabilities (GMM), one row per clustered row: `p_0..p_{k-1}`.
    pub probabilities: Option<ndarray::ArrayView2<'a, f64>>,
    /// Distance of each clustered row to its centre (`distance_to_centre`).
    pub distances: Option<&'a [f64]>,
    /// The segment of outliers (density methods): its rows get `outlier` as `segment` and
    /// `segment_name` and no silhouette.
    pub outlier: Option<usize>,
}

/// The `segment` column and the chosen extra columns, one cell list per input row; rows that were not
/// clustered get empty cells.
pub fn label_columns(r: &RowResults<'_>) -> AppendColumns {
    let mut names = vec!["segment".to_owned()];
    if r.names.is_some() {
        names.push("segment_name".to_owned());
    }
    if r.silhouette_column {
        names.push("silhouette".to_owned());
    }
    if let Some(p) = &r.probabilities {
        names.extend((0..p.ncols()).map(|j| format!("p_{j}")));
    }
    if r.distances.is_some() {
        names.push("distance_to_centre".into());
    }
    let mut values = vec![vec![String::new(); names.len()]; r.n_rows];
    for (i, (&row, &label)) in r.kept_rows.iter().zip(r.labels).enumerate() {
        let Some(cells) = values.get_mut(row) else {
            continue;
        };
        let is_outlier = r.outlier == Some(label);
        cells[0] = if is_outlier {
            crate::analysis::density::OUTLIER.to_owned()
        } else {
            label.to_string()
        };
        let mut c = 1;
        if let Some(seg_names) = r.names {
            cells[c] = if is_outlier {
                crate::analysis::density::OUTLIER.to_owned()
            } else {
                seg_names.get(label).cloned().unwrap_or_default()
            };
            c += 1;
        }
        if r.silhouette_column {
            if let Some(s) = r.silhouette.and_then(|s| s.get(i)).filter(|_| !is_outlier) {
                cells[c] = fmt_f64(*s);
            }
            c += 1;
        }
        if let Some(p) = &r.probabilities {
            for v in p.row(i) {
                cells[c] = fmt_f64(*v);
                c += 1;
            }
        }
        if let Some(d) = r.distances.and_then(|d| d.get(i)) {
            cells[c] = fmt_f64(*d);
        }
    }
    AppendColumns { names, values }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_original_text_and_appends() {
        let text = b"id;note\r\n1;\"a;b\"\r\n2;\"multi\nline\"\r\n";
        let extra = AppendColumns {
            names: vec!["segment".into()],
            values: vec![vec!["0".into()], vec![String::new()]],
        };
        let mut out = Vec::new();
        write_labelled(text, b';', true, &extra, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id;note;segment\r\n1;\"a;b\";0\r\n2;\"multi\nline\";\r\n"
        );
        let bad = AppendColumns {
            names: vec!["s".into()],
            values: vec![],
        };
        let e = write_labelled(text, b';', true, &bad, &mut Vec::new()).unwrap_err();
        assert!(matches!(e, Error::InputChanged { .. }), "{e}");
    }

    #[test]
    fn outliers_read_outlier_without_a_silhouette() {
        let names = ["Big".to_owned(), "outlier".to_owned()];
        let cols = label_columns(&RowResults {
            n_rows: 4,
            kept_rows: &[0, 1, 3],
            labels: &[0, 1, 0],
            names: Some(&names),
            silhouette_column: true,
            silhouette: Some(&[0.5, 0.0, 0.25]),
            probabilities: None,
            distances: None,
            outlier: Some(1),
        });
        assert_eq!(cols.names, ["segment", "segment_name", "silhouette"]);
        assert_eq!(cols.values[0], ["0", "Big", "0.5"]);
        assert_eq!(cols.values[1], ["outlier", "outlier", ""]);
        assert_eq!(cols.values[2], ["", "", ""]);
        assert_eq!(cols.values[3], ["0", "Big", "0.25"]);
    }

    #[test]
    fn line_endings_and_blank_lines_are_kept() {
        let text = b"a,b\r\n1,2\r\n\r\n3,4\r5,6\n\n7,8";
        let extra = AppendColumns {
            names: vec!["s".into()],
            values: (0..4).map(|i| vec![i.to_string()]).collect(),
        };
        let mut out = Vec::new();
        write_labelled(text, b',', true, &extra, &mut out).unwrap();
        assert_eq!(out, b"a,b,s\r\n1,2,0\r\n\r\n3,4,1\r5,6,2\n\n7,8,3");
    }

    #[test]
    fn a_sample_writes_the_header_and_its_rows() {
        use std::fmt::Write as _;
        let mut text = String::from("x,y\n");
        for i in 0..5000 {
            write!(text, "{i},{}\r\n", i % 7).unwrap();
            if i % 100 == 0 {
                text.push('\n');
            }
        }
        let opts = crate::data::LoadOptions {
            sample: Some(crate::data::Sample { rows: 10, seed: 3 }),
            ..crate::data::LoadOptions::default()
        };
        let t =
            crate::data::load_bytes(text.into_bytes(), "s.csv", &opts, &Progress::new()).unwrap();
        let info = t.sampled.clone().unwrap();
        assert_eq!(info.rows_in_file, 5000);
        let extra = AppendColumns {
            names: vec!["s".into()],
            values: (0..10).map(|i| vec![format!("k{i}")]).collect(),
        };
        let mut out = Vec::new();
        write_labelled_table(&t, &extra, &mut out, &Progress::new()).unwrap();
        let out = String::from_utf8(out).unwrap();
        let mut want = String::from("x,y,s\n");
        for (i, r) in info.file_rows.iter().enumerate() {
            write!(want, "{r},{},k{i}\r\n", r % 7).unwrap();
        }
        assert_eq!(out, want);
        // The table's cells are those rows, and its lines those of the file.
        assert_eq!(t.n_rows(), 10);
        let x = t.column("x").unwrap().as_numeric().unwrap();
        for (i, &r) in info.file_rows.iter().enumerate() {
            assert_eq!(x[i], r as f64);
            assert_eq!(t.line_of_row(i), r + 2 + r.div_ceil(100));
        }
    }

    #[test]
    fn only_the_chosen_rows_are_written_and_a_sample_maps_them_to_file_rows() {
        use std::fmt::Write as _;
        let mut text = String::from("x,y\n");
        for i in 0..500 {
            writeln!(text, "{i},{}", i % 7).unwrap();
        }
        let opts = crate::data::LoadOptions {
            sample: Some(crate::data::Sample { rows: 10, seed: 5 }),
            ..crate::data::LoadOptions::default()
        };
        let t =
            crate::data::load_bytes(text.into_bytes(), "s.csv", &opts, &Progress::new()).unwrap();
        let file_rows = t.sampled.clone().unwrap().file_rows;
        let extra = AppendColumns {
            names: vec!["s".into()],
            values: (0..10).map(|i| vec![format!("k{i}")]).collect(),
        };
        let mut out = Vec::new();
        write_labelled_rows(&t, &extra, &[1, 4, 9], &mut out, &Progress::new()).unwrap();
        let mut want = String::from("x,y,s\n");
        for i in [1, 4, 9] {
            let r = file_rows[i];
            writeln!(want, "{r},{},k{i}", r % 7).unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), want);
        // Rows out of order, repeated or out of range are errors, not panics or wrong files.
        for bad in [&[4, 1][..], &[2, 2], &[10]] {
            let mut out = Vec::new();
            assert!(write_labelled_rows(&t, &extra, bad, &mut out, &Progress::new()).is_err());
        }
    }
}
