//! Every writer of the engine: the labelled CSV (the original file's text kept byte for byte, with
//! segment columns appended; [`segments`] builds those columns from a run's result), the table-shaped
//! outputs ([`tables`]: prepared matrix, profile, RFM, linkage) and how bytes reach the disk
//! ([`write`]: never over an input, temp + rename, devices and FIFOs streamed, all or nothing). The app and the CLI write through these functions only.

pub mod segments;
pub mod tables;

pub mod write;

use std::io::Write;

pub use segments::{ExportColumns, added_column_names, segment_columns};
pub use tables::{
    csv_err, fmt_f64, io_err, write_linkage_csv, write_prepared_csv, write_profile_csv,
    write_rfm_csv,
};

use crate::error::{Error, Result};

/// Extra columns appended to every data row of the input; `values[i]` are the cells of data row `i`
/// (empty strings for rows that were not clustered).
#[derive(Debug, Clone, Default)]
pub struct AppendColumns {
    /// Names of the appended columns.
    pub names: Vec<String>,
    /// One vector of cells per data row.
    pub values: Vec<Vec<String>>,
}

/// Streams `text` (the decoded input, as the loader saw it) and writes each record unchanged followed by
/// the appended cells. `has_header` says whether the first record is the header.
pub fn write_labelled(
    text: &[u8],
    delimiter: u8,
    has_header: bool,
    extra: &AppendColumns,
    w: &mut dyn Write,
) -> Result<()> {
    let io = tables::io_err;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut rec = csv::ByteRecord::new();
    let mut starts: Vec<usize> = Vec::new();
    while rdr
        .read_byte_record(&mut rec)
        .map_err(|e| Error::InvalidParameter(format!("cannot re-read the input: {e}")))?
    {
        starts.push(
            rec.position()
                .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0)),
        );
    }
    let n_data = starts.len() - usize::from(has_header);
    if n_data != extra.values.len() {
        return Err(Error::InputChanged {
            path: "<input>".into(),
            expected: extra.values.len(),
            found: n_data,
        });
    }
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
        w.write_all(b"\n").map_err(io)
    };
    let header_cells: Vec<String> = extra.names.clone();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let mut raw = &text[start..end];
        while let [rest @ .., b'\n' | b'\r'] = raw {
            raw = rest;
        }
        // A CRLF after the previous record leaves its '\n' at the start of this one.
        while let [b'\n' | b'\r', rest @ ..] = raw {
            raw = rest;
        }
        w.write_all(raw).map_err(io)?;
        if has_header && i == 0 {
            write_cells(w, &header_cells)?;
        } else {
            let row = i - usize::from(has_header);
            write_cells(w, &extra.values[row])?;
        }
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
        cells[0] = label.to_string();
        let mut c = 1;
        if let Some(seg_names) = r.names {
            cells[c] = seg_names.get(label).cloned().unwrap_or_default();
            c += 1;
        }
        if r.silhouette_column {
            if let Some(s) = r.silhouette.and_then(|s| s.get(i)) {
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
            "id;note;segment\n1;\"a;b\";0\n2;\"multi\nline\";\n"
        );
        let bad = AppendColumns {
            names: vec!["s".into()],
            values: vec![],
        };
        assert!(write_labelled(text, b';', true, &bad, &mut Vec::new()).is_err());
    }
}
