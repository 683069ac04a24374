//! `apply`: scoring a CSV with a saved model, streaming. The input is read in blocks and cut into records
//! (quote-aware: a line break inside a quoted field does not end a record); each chunk of records becomes a
//! small table holding only the model's input columns, with the kinds they had at training (a numeric
//! column is parsed as numbers, a categorical one keeps its text), which the model's fitted preparation
//! transforms without refitting and its scorer scores. The original record bytes — line endings included —
//! are written back with the segment columns appended. Memory is bounded by the chunk, whatever the file.
//!
//! Missing input columns are an error naming them; extra columns are ignored; unseen levels and values
//! outside the training range are counted (and reported, not fatal); a numeric input column that holds
//! mostly text is an error naming it.

use std::io::{BufRead, Write};

use super::SegmentModel;
use super::drift::{DriftCounter, DriftReport};
use super::score::distances_to;
use crate::cluster::Method;
use crate::data::{Column, ColumnData, ColumnKind, MISSING_CODE, Table};
use crate::error::{Error, Result};
use crate::export::{fmt_f64, io_err};
use crate::jobs::Progress;

/// Records per scored chunk.
pub const CHUNK_ROWS: usize = 50_000;

/// Longest record accepted (bounded memory on a file without line breaks).
const MAX_RECORD_BYTES: usize = 64 << 20;

/// What `apply` did (the JSON shape of `apply --json`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApplySummary {
    /// Data rows read.
    pub n_rows: usize,
    /// Rows scored per segment.
    pub sizes: Vec<usize>,
    /// Rows left without a segment (a feature whose missing values the preparation drops).
    pub unscored: usize,
    /// Cells with a level not seen at training, per column.
    pub unseen_levels: std::collections::BTreeMap<String, usize>,
    /// Present values outside the training range, per numeric column.
    pub out_of_range: std::collections::BTreeMap<String, usize>,
    /// Drift against the training profile, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<DriftReport>,
}

/// The header row of an input, as [`Records::header`] reads it.
struct Header {
    /// The row's bytes (line ending included, BOM removed).
    bytes: Vec<u8>,
    /// Whether the input started with a UTF-8 BOM.
    bom: bool,
    delimiter: u8,
    names: Vec<String>,
}

/// Reads records (raw bytes, line ending included) from a CSV stream, quote-aware.
struct Records<R> {
    reader: R,
    line: u64,
    done: bool,
}

impl<R: BufRead> Records<R> {
    /// A reader of `reader`'s records.
    fn new(reader: R) -> Self {
        Self {
            reader,
            line: 0,
            done: false,
        }
    }

    /// Reads the header row: its bytes without a UTF-8 BOM, whether it had one, the delimiter sniffed
    /// from it and its column names. An empty input or a blank first row is an error.
    fn header(&mut self, source: &str) -> Result<Header> {
        let empty = || Error::Input {
            source_name: source.to_owned(),
            message: "is empty: there is no header row to read".into(),
        };
        let (mut header, _) = self.next_record(source)?.ok_or_else(empty)?;
        let bom = header.starts_with(b"\xEF\xBB\xBF");
        if bom {
            header.drain(..3);
        }
        if is_blank(&header) {
            return Err(empty());
        }
        let delimiter = crate::data::sniff_delimiter(&header);
        let names = fields(&header, delimiter).iter().map(|c| text(c)).collect();
        Ok(Header {
            bytes: header,
            bom,
            delimiter,
            names,
        })
    }

    /// The next record's bytes (with its line ending) and its first line, `None` at the end.
    fn next_record(&mut self, source: &str) -> Result<Option<(Vec<u8>, u64)>> {
        if self.done {
            return Ok(None);
        }
        let mut rec = Vec::new();
        let mut in_quotes = false;
        let first = self.line + 1;
        loop {
            let start = rec.len();
            let n = self
                .reader
                .read_until(b'\n', &mut rec)
                .map_err(|e| Error::io(source, e))?;
            if n == 0 {
                self.done = true;
                if in_quotes {
                    return Err(Error::Csv {
                        source_name: source.to_owned(),
                        line: self.line + 1,
                        message: "a quoted field is never closed; check the quotes".into(),
                    });
                }
                return Ok((!rec.is_empty()).then_some((rec, first)));
            }
            self.line += 1;
            in_quotes ^= rec[start..].iter().filter(|&&b| b == b'"').count() % 2 == 1;
            if rec.len() > MAX_RECORD_BYTES {
                return Err(Error::Csv {
                    source_name: source.to_owned(),
                    line: self.line,
                    message: format!(
                        "a record is longer than {}; is this a CSV file?",
                        crate::error::human_bytes(MAX_RECORD_BYTES as u64)
                    ),
                });
            }
            if !in_quotes {
                return Ok(Some((rec, first)));
            }
        }
    }
}

/// The fields of one record (without its line ending), unquoted.
fn fields(rec: &[u8], delimiter: u8) -> Vec<Vec<u8>> {
    let mut body = rec;
    while let [rest @ .., b'\n' | b'\r'] = body {
        body = rest;
    }
    // No quote and no carriage return: the csv reader would only split on the delimiter (building one
    // per record costs more than the scoring of the row).
    if !body.is_empty() && memchr::memchr2(b'"', b'\r', body).is_none() {
        return body
            .split(|&b| b == delimiter)
            .map(<[u8]>::to_vec)
            .collect();
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut out = Vec::new();
    let mut r = csv::ByteRecord::new();
    if rdr.read_byte_record(&mut r).unwrap_or(false) {
        out = r.iter().map(<[u8]>::to_vec).collect();
    }
    out
}

fn is_blank(rec: &[u8]) -> bool {
    rec.iter().all(u8::is_ascii_whitespace)
}

/// Text of a cell, trimmed of ASCII spaces as the loader trims: UTF-8 when it is, else Latin-1 (each
/// byte one character).
fn text(cell: &[u8]) -> String {
    let cell = cell.trim_ascii();
    match std::str::from_utf8(cell) {
        Ok(s) => s.to_owned(),
        Err(_) => cell.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Scores `input` (a CSV with a header row) with `model`, writing each record followed by the segment
/// columns to `out`; `source` names the input in messages. With `drift`, the report compares the rows with
/// the training profile.
pub fn apply(
    model: &SegmentModel,
    input: impl BufRead,
    source: &str,
    out: &mut dyn Write,
    drift: bool,
    progress: &Progress,
) -> Result<ApplySummary> {
    progress.set_stage("scoring", 0);
    let mut recs = Records::new(input);
    let Header {
        bytes: header,
        bom,
        delimiter,
        names,
    } = recs.header(source)?;
    if bom {
        out.write_all(b"\xEF\xBB\xBF").map_err(io_err)?;
    }
    let positions = input_positions(model, &names, source)?;
    let cols = OutColumns::of(model);
    // The header, with the new column names.
    write_line(out, &header, delimiter, &cols.names)?;
    let mut state = State {
        model,
        counter: DriftCounter::new(&model.training),
        sizes: vec![0; model.info.k],
        n_rows: 0,
        unscored: 0,
        drift,
    };
    let mut chunk: Vec<(Vec<u8>, u64)> = Vec::with_capacity(CHUNK_ROWS);
    loop {
        progress.check()?;
        let next = recs.next_record(source)?;
        let at_end = next.is_none();
        if let Some(rec) = next {
            chunk.push(rec);
        }
        if chunk.len() >= CHUNK_ROWS || (at_end && !chunk.is_empty()) {
            let rows = std::mem::take(&mut chunk);
            state.score_chunk(&rows, &positions, delimiter, source, &cols, out)?;
            progress.add(rows.len() as u64);
        }
        if at_end {
            break;
        }
    }
    if state.n_rows == 0 {
        return Err(Error::Input {
            source_name: source.to_owned(),
            message: "has a header but no data rows to score".into(),
        });
    }
    let profile = &model.training;
    let mut summary = ApplySummary {
        n_rows: state.n_rows,
        sizes: state.sizes.clone(),
        unscored: state.unscored,
        unseen_levels: std::collections::BTreeMap::default(),
        out_of_range: state.counter.out_of_range(profile).into_iter().collect(),
        drift: None,
    };
    for (col, _, n) in state.counter.unseen_levels(profile) {
        *summary.unseen_levels.entry(col).or_insert(0) += n;
    }
    if drift {
        summary.drift = Some(state.counter.report(profile, &model.names()));
    }
    Ok(summary)
}

/// Where each model input column is in `names` (a header); missing ones are an error naming them.
pub fn input_positions(model: &SegmentModel, names: &[String], source: &str) -> Result<Vec<usize>> {
    let mut missing = Vec::new();
    let mut pos = Vec::with_capacity(model.input_columns.len());
    for c in &model.input_columns {
        match names.iter().position(|n| *n == c.name) {
            Some(p) => pos.push(p),
            None => missing.push(c.name.clone()),
        }
    }
    if missing.is_empty() {
        Ok(pos)
    } else {
        Err(Error::Input {
            source_name: source.to_owned(),
            message: format!(
                "lacks column(s) the model needs: {}; the model was trained on {} (columns: {})",
                missing.join(", "),
                model.source,
                model
                    .input_columns
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}

/// The appended columns' names for a model's method.
struct OutColumns {
    names: Vec<String>,
    distance: bool,
    probabilities: bool,
}

impl OutColumns {
    fn of(model: &SegmentModel) -> Self {
        let mut names = vec!["segment".to_owned(), "segment_name".to_owned()];
        let distance = model.info.method == Method::Kmeans;
        let probabilities = model.info.method == Method::Gmm;
        if probabilities {
            names.extend((0..model.info.k).map(|j| format!("p_{j}")));
        }
        if distance {
            names.push("distance_to_centre".into());
        }
        Self {
            names,
            distance,
            probabilities,
        }
    }
}

/// Writes `rec` (keeping its own line ending) followed by `cells`.
fn write_line(out: &mut dyn Write, rec: &[u8], delimiter: u8, cells: &[String]) -> Result<()> {
    let mut body = rec;
    while let [rest @ .., b'\n' | b'\r'] = body {
        body = rest;
    }
    let ending = &rec[body.len()..];
    out.write_all(body).map_err(io_err)?;
    for c in cells {
        out.write_all(&[delimiter]).map_err(io_err)?;
        if c.bytes()
            .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r')
        {
            write!(out, "\"{}\"", c.replace('"', "\"\"")).map_err(io_err)?;
        } else {
            out.write_all(c.as_bytes()).map_err(io_err)?;
        }
    }
    out.write_all(if ending.is_empty() { b"\n" } else { ending })
        .map_err(io_err)
}

struct State<'m> {
    model: &'m SegmentModel,
    counter: DriftCounter,
    sizes: Vec<usize>,
    n_rows: usize,
    unscored: usize,
    drift: bool,
}

impl State<'_> {
    /// Scores one chunk of records (bytes and first line) and writes them.
    fn score_chunk(
        &mut self,
        recs: &[(Vec<u8>, u64)],
        positions: &[usize],
        delimiter: u8,
        source: &str,
        cols: &OutColumns,
        out: &mut dyn Write,
    ) -> Result<()> {
        // Blank lines pass through unchanged and are not rows.
        let data: Vec<usize> = (0..recs.len()).filter(|&i| !is_blank(&recs[i].0)).collect();
        let cells: Vec<Vec<Vec<u8>>> = data
            .iter()
            .map(|&i| fields(&recs[i].0, delimiter))
            .collect();
        let lines: Vec<u64> = data.iter().map(|&i| recs[i].1).collect();
        let mut row_cells: Vec<Vec<String>> =
            vec![vec![String::new(); cols.names.len()]; data.len()];
        if !data.is_empty() {
            let ScoredRows {
                table,
                kept_rows,
                scored,
                distances,
            } = score_cells(self.model, &cells, positions, source, lines)?;
            let names = &self.model.segments;
            for (i, (&row, &label)) in kept_rows.iter().zip(&scored.labels).enumerate() {
                let c = &mut row_cells[row];
                if self.model.outlier_segment() == Some(label) {
                    crate::analysis::density::OUTLIER.clone_into(&mut c[0]);
                    crate::analysis::density::OUTLIER.clone_into(&mut c[1]);
                } else {
                    c[0] = label.to_string();
                    c[1] = names.get(label).map(|s| s.name.clone()).unwrap_or_default();
                }
                let mut j = 2;
                if cols.probabilities
                    && let Some(p) = &scored.probabilities
                {
                    for v in p.row(i) {
                        c[j] = fmt_f64(*v);
                        j += 1;
                    }
                }
                if cols.distance {
                    c[j] = fmt_f64(distances[i]);
                }
                self.sizes[label] += 1;
            }
            self.unscored += data.len() - kept_rows.len();
            self.counter.add_table(&self.model.training, &table);
            if self.drift {
                self.counter.add_segments(&scored.labels, &distances);
            }
        }
        self.n_rows += data.len();
        let mut next = data.iter().copied().zip(row_cells).peekable();
        for (i, (rec, _)) in recs.iter().enumerate() {
            match next.peek() {
                Some((j, _)) if *j == i => {
                    let (_, c) = next.next().unwrap_or_default();
                    write_line(out, rec, delimiter, &c)?;
                }
                _ => out.write_all(rec).map_err(io_err)?,
            }
        }
        Ok(())
    }
}

/// Rows of raw cells: each row's fields, unquoted, as bytes.
pub type Cells = Vec<Vec<Vec<u8>>>;

/// Rows scored by [`score_cells`].
#[derive(Debug, Clone)]
pub struct ScoredRows {
    /// The model's input columns for the rows, with the training kinds.
    pub table: Table,
    /// The rows (indices into the cells given) the preparation kept; the others have no segment.
    pub kept_rows: Vec<usize>,
    /// Segment (and probabilities) of each kept row.
    pub scored: super::Scored,
    /// Distance of each kept row to its segment's centre in the prepared space.
    pub distances: Vec<f64>,
}

/// Scores rows given as raw cells (each row's fields, unquoted; `positions` from [`input_positions`]
/// say where each model input column is): the one scoring path of `apply` and `serve`. `lines` are the
/// rows' line numbers for messages.
pub fn score_cells(
    model: &SegmentModel,
    cells: &[Vec<Vec<u8>>],
    positions: &[usize],
    source: &str,
    lines: Vec<u64>,
) -> Result<ScoredRows> {
    let table = chunk_table(model, cells, positions, source, lines)?;
    let prepared = model.preparation.transform(&table)?;
    let scored = model.scorer.score(prepared.matrix.view(), model.info.k)?;
    let distances = distances_to(
        prepared.matrix.view(),
        &scored.labels,
        &model.segment_centres,
    );
    Ok(ScoredRows {
        table,
        kept_rows: prepared.kept_rows.to_vec(),
        scored,
        distances,
    })
}

/// Reads a whole CSV held in memory (header row first) into its column names and each data row's cells,
/// with the same record, quote, delimiter and blank-line rules as [`apply`].
pub fn read_cells(bytes: &[u8], source: &str) -> Result<(Vec<String>, Cells)> {
    let mut recs = Records::new(bytes);
    let Header {
        delimiter, names, ..
    } = recs.header(source)?;
    let mut rows = Vec::new();
    while let Some((rec, _)) = recs.next_record(source)? {
        if !is_blank(&rec) {
            rows.push(fields(&rec, delimiter));
        }
    }
    Ok((names, rows))
}

/// A table of the model's input columns for the chunk's rows, with the training kinds.
fn chunk_table(
    model: &SegmentModel,
    cells: &[Vec<Vec<u8>>],
    positions: &[usize],
    source: &str,
    lines: Vec<u64>,
) -> Result<Table> {
    let first_line = lines.first().copied().unwrap_or(2);
    let mut columns = Vec::with_capacity(positions.len());
    for (c, &p) in model.input_columns.iter().zip(positions) {
        let raw = cells
            .iter()
            .map(|r| r.get(p).map_or(&[][..], Vec::as_slice));
        let data = match c.kind {
            ColumnKind::Numeric => {
                let mut v = Vec::with_capacity(cells.len());
                let (mut invalid, mut present) = (0usize, 0usize);
                for cell in raw {
                    let t = text(cell);
                    if crate::data::is_missing_token(t.as_bytes()) || t == "None" {
                        v.push(f64::NAN);
                        continue;
                    }
                    present += 1;
                    match t.parse::<f64>() {
                        Ok(x) if x.is_finite() => v.push(x),
                        _ => {
                            invalid += 1;
                            v.push(f64::NAN);
                        }
                    }
                }
                if present >= 10 && invalid * 2 > present {
                    return Err(Error::Column {
                        name: c.name.clone(),
                        message: format!(
                            "{source}, lines {first_line}..: {invalid} of {present} values are not \
                                 numbers, but the model was trained on a numeric '{}'; is it the same \
                                 column?",
                            c.name
                        ),
                    });
                }
                ColumnData::Numeric(v)
            }
            ColumnKind::Categorical | ColumnKind::Text | ColumnKind::Date => {
                let texts: Vec<String> = raw.map(text).collect();
                let mut levels: Vec<String> = texts
                    .iter()
                    .filter(|t| !crate::data::is_missing_token(t.as_bytes()))
                    .cloned()
                    .collect();
                levels.sort_unstable();
                levels.dedup();
                let codes = texts
                    .iter()
                    .map(|t| levels.binary_search(t).map_or(MISSING_CODE, |i| i as u32))
                    .collect();
                ColumnData::Categorical {
                    codes,
                    levels: levels.into(),
                }
            }
        };
        columns.push(Column::new(c.name.clone(), data));
    }
    Ok(Table {
        columns,
        source_name: source.to_owned(),
        warnings: Vec::new(),
        row_lines: lines,
        delimiter: b',',
        has_header: true,
        ..Table::default()
    })
}

#[cfg(test)]
mod fields_tests {
    use super::fields;

    /// The csv reader's fields of a record (the path for quoted records).
    fn by_csv(rec: &[u8], delimiter: u8) -> Vec<Vec<u8>> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(rec);
        let mut r = csv::ByteRecord::new();
        if rdr.read_byte_record(&mut r).unwrap_or(false) {
            r.iter().map(<[u8]>::to_vec).collect()
        } else {
            Vec::new()
        }
    }

    #[test]
    fn the_unquoted_fast_path_splits_as_the_csv_reader() {
        let records: [&[u8]; 9] = [
            b"a,b,c\n",
            b"a,,c\r\n",
            b",\n",
            b" x , y ,\n",
            b"1.5,East,\xE9t\xE9\n",
            b"last,line",
            b"a,\"b,c\",d\n",
            b"\"\"\n",
            b"\n",
        ];
        for rec in records {
            let mut body = rec;
            while let [rest @ .., b'\n' | b'\r'] = body {
                body = rest;
            }
            assert_eq!(fields(rec, b','), by_csv(body, b','), "{rec:?}");
        }
        assert_eq!(
            fields(b"a;b,c;d\n", b';'),
            vec![b"a".to_vec(), b"b,c".to_vec(), b"d".to_vec()]
        );
    }
}
