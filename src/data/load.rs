//! CSV loading: bytes -> UTF-8 text -> delimiter and header -> one streaming parse into column builders ->
//! kinds decided -> [`Table`]. Reports progress by bytes and can be cancelled.

use std::io::Read;
use std::path::Path;

use super::decode::{check_quotes, read_all, sniff_delimiter, to_utf8};
use super::infer::{ColBuilder, is_missing_token};
use rayon::prelude::*;

use super::{Column, Table};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// Choices for reading a CSV; the defaults guess everything.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Field delimiter; `None` sniffs among `,` `;` tab `|`.
    pub delimiter: Option<u8>,
    /// Whether the first row is a header; `None` detects it.
    pub has_header: Option<bool>,
    /// Longest line accepted before the file is refused (bounded memory on garbage input).
    pub max_line_bytes: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            delimiter: None,
            has_header: None,
            max_line_bytes: 256 << 20,
        }
    }
}

/// Loads a CSV file.
pub fn load_path(path: &Path, opts: &LoadOptions, progress: &Progress) -> Result<Table> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::Input {
            source_name: name,
            message: "this is a folder, not a CSV file".into(),
        });
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let bytes = read_all(file, &name, Some(meta.len()), opts.max_line_bytes, progress)?;
    load_bytes(bytes, &name, opts, progress)
}

/// Loads a CSV from any reader (standard input, a network stream); `source_name` appears in messages.
pub fn load_reader(
    reader: impl Read,
    source_name: &str,
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<Table> {
    let bytes = read_all(reader, source_name, None, opts.max_line_bytes, progress)?;
    load_bytes(bytes, source_name, opts, progress)
}

/// Loads `arg` as the CLI understands it: a path, or `-` for standard input.
pub fn load_input(arg: &str, opts: &LoadOptions, progress: &Progress) -> Result<Table> {
    if arg == "-" {
        load_reader(std::io::stdin().lock(), "<stdin>", opts, progress)
    } else {
        load_path(Path::new(arg), opts, progress)
    }
}

/// The raw bytes of `arg` (a path, or `-` for standard input) and its name for messages, so that a caller
/// can both load it ([`load_bytes`]) and stream its text again for export ([`decode_text`]).
pub fn read_input(arg: &str, opts: &LoadOptions, progress: &Progress) -> Result<(Vec<u8>, String)> {
    if arg == "-" {
        let bytes = read_all(
            std::io::stdin().lock(),
            "<stdin>",
            None,
            opts.max_line_bytes,
            progress,
        )?;
        return Ok((bytes, "<stdin>".to_owned()));
    }
    let path = Path::new(arg);
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::Input {
            source_name: arg.to_owned(),
            message: "this is a folder, not a CSV file".into(),
        });
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let bytes = read_all(file, arg, Some(meta.len()), opts.max_line_bytes, progress)?;
    Ok((bytes, arg.to_owned()))
}

/// The UTF-8 text the loader parses for these bytes (BOM stripped, UTF-16 and Latin-1 converted).
pub fn decode_text(bytes: Vec<u8>, source_name: &str) -> Result<Vec<u8>> {
    to_utf8(bytes, source_name, &mut Vec::new())
}

/// Loads a CSV held in memory.
pub fn load_bytes(
    bytes: Vec<u8>,
    source_name: &str,
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<Table> {
    let input_err = |message: &str| Error::Input {
        source_name: source_name.to_owned(),
        message: message.to_owned(),
    };
    if bytes.is_empty() {
        return Err(input_err("the file is empty"));
    }
    let mut warnings = Vec::new();
    let text = to_utf8(bytes, source_name, &mut warnings)?;
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(input_err("the file has only blank lines"));
    }
    let delimiter = opts.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let n_chunks = if text.len() > (1 << 20) {
        rayon::current_num_threads() * 4
    } else {
        1
    };
    let splits = check_quotes(&text, delimiter, source_name, n_chunks)?;
    progress.check()?;

    let builder = || {
        let mut b = csv::ReaderBuilder::new();
        b.delimiter(delimiter).has_headers(false).flexible(true);
        b
    };
    let mut rdr = builder().from_reader(text.as_slice());
    let mut rec = csv::ByteRecord::new();
    if !read_record(&mut rdr, &mut rec, &text, 0, source_name)? {
        return Err(input_err("the file has no rows"));
    }
    let first = rec.clone();
    let has_header = opts.has_header.unwrap_or_else(|| looks_like_header(&first));
    let names = if has_header {
        header_names(&first, &mut warnings)
    } else {
        warnings.push("no header row found; columns are named column_1, column_2, ...".into());
        (1..=first.len()).map(|i| format!("column_{i}")).collect()
    };
    let ncols = first.len();
    let data_start = if has_header {
        usize::try_from(rdr.position().byte()).unwrap_or(text.len())
    } else {
        0
    };
    let data_line = 1 + text[..data_start].iter().filter(|&&b| b == b'\n').count() as u64;
    let mut bounds: Vec<(usize, u64)> = vec![(data_start, data_line)];
    bounds.extend(splits.into_iter().filter(|&(b, _)| b > data_start));
    let ends: Vec<usize> = bounds
        .iter()
        .skip(1)
        .map(|&(b, _)| b)
        .chain([text.len()])
        .collect();

    let total = text.len() as u64;
    progress.set_stage("parsing", total);
    let bytes_per_row = (first.as_slice().len() + ncols).max(1);
    let ctx = ChunkCtx {
        text: &text,
        ncols,
        bytes_per_row,
        source_name,
        progress,
        builder: &builder,
    };
    let parsed: Vec<Result<(Vec<ColBuilder>, Vec<u64>)>> = bounds
        .par_iter()
        .zip(ends.par_iter())
        .map(|(&(start, line), &end)| ctx.parse(start, end, line))
        .collect();
    let mut cols: Vec<ColBuilder> = Vec::new();
    let mut row_lines: Vec<u64> = Vec::new();
    for part in parsed {
        let (part_cols, part_lines) = part?;
        if cols.is_empty() {
            cols = part_cols;
            row_lines = part_lines;
        } else {
            for (c, p) in cols.iter_mut().zip(part_cols) {
                c.append(p);
            }
            row_lines.extend(part_lines);
        }
    }
    if row_lines.is_empty() {
        return Err(input_err("the file has a header row but no data rows"));
    }

    // Columns that turned out not to be numeric but had numbers in them: read their text again.
    let reread: Vec<usize> = (0..cols.len()).filter(|&j| cols[j].needs_text()).collect();
    if !reread.is_empty() {
        progress.set_stage("re-reading text columns", total);
        for &j in &reread {
            cols[j].reset_text();
        }
        let mut rdr = builder().from_reader(&text[data_start..]);
        while read_record(
            &mut rdr,
            &mut rec,
            &text[data_start..],
            data_line - 1,
            source_name,
        )? {
            for &j in &reread {
                cols[j].push_text(&rec[j]);
            }
        }
    }
    progress.check()?;

    let columns: Vec<Column> = cols
        .into_iter()
        .zip(names)
        .map(|(b, name)| b.finish(name, &mut warnings))
        .collect();
    Ok(Table {
        columns,
        source_name: source_name.to_owned(),
        warnings,
        row_lines,
        delimiter,
        has_header,
    })
}

/// What every chunk parser shares.
struct ChunkCtx<'a, B: Fn() -> csv::ReaderBuilder> {
    text: &'a [u8],
    ncols: usize,
    bytes_per_row: usize,
    source_name: &'a str,
    progress: &'a Progress,
    builder: &'a B,
}

impl<B: Fn() -> csv::ReaderBuilder + Sync> ChunkCtx<'_, B> {
    /// Parses `text[start..end]` (whole records; `first_line` is the line of `start`).
    fn parse(
        &self,
        start: usize,
        end: usize,
        first_line: u64,
    ) -> Result<(Vec<ColBuilder>, Vec<u64>)> {
        let chunk = &self.text[start..end];
        let estimate = chunk.len() / self.bytes_per_row + 16;
        let mut cols: Vec<ColBuilder> = (0..self.ncols)
            .map(|_| ColBuilder::with_capacity(estimate))
            .collect();
        let mut lines = Vec::with_capacity(estimate);
        let mut rdr = (self.builder)().from_reader(chunk);
        let mut rec = csv::ByteRecord::new();
        let offset = first_line - 1;
        let mut reported = 0u64;
        while read_record(&mut rdr, &mut rec, chunk, offset, self.source_name)? {
            let line = rec.position().map_or(0, |p| position_line(chunk, p)) + offset;
            if rec.len() != self.ncols {
                return Err(Error::Csv {
                    source_name: self.source_name.to_owned(),
                    line,
                    message: format!(
                        "this row has {} field(s) but the first row has {}; fix the row (a stray \
                         delimiter or a missing quote?)",
                        rec.len(),
                        self.ncols
                    ),
                });
            }
            for (b, field) in cols.iter_mut().zip(rec.iter()) {
                b.push(field, line);
            }
            lines.push(line);
            if lines.len() % 16_384 == 0 {
                self.progress.check()?;
                let at = rec.position().map_or(0, csv::Position::byte);
                self.progress.add(at - reported);
                reported = at;
            }
        }
        Ok((cols, lines))
    }
}

/// The 1-based line where a record starts. After a CRLF the parser's position still points at the `\n`,
/// one line early.
fn position_line(text: &[u8], p: &csv::Position) -> u64 {
    let at = usize::try_from(p.byte()).unwrap_or(usize::MAX);
    p.line() + u64::from(text.get(at) == Some(&b'\n'))
}

fn read_record(
    rdr: &mut csv::Reader<&[u8]>,
    rec: &mut csv::ByteRecord,
    text: &[u8],
    line_offset: u64,
    source_name: &str,
) -> Result<bool> {
    rdr.read_byte_record(rec)
        .map_err(|e| csv_error(&e, text, line_offset, source_name))
}

fn csv_error(e: &csv::Error, text: &[u8], line_offset: u64, source_name: &str) -> Error {
    let line_of = |p: &csv::Position| position_line(text, p) + line_offset;
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => Error::Csv {
            source_name: source_name.to_owned(),
            line: pos.as_ref().map_or(0, line_of),
            message: format!(
                "this row has {len} field(s) but the first row has {expected_len}; fix the row (a stray \
                 delimiter or a missing quote?)"
            ),
        },
        _ => Error::Csv {
            source_name: source_name.to_owned(),
            line: e.position().map_or(0, line_of),
            message: e.to_string(),
        },
    }
}

/// The first row is data (not a header) when every non-missing cell of it is a number.
fn looks_like_header(first: &csv::ByteRecord) -> bool {
    let mut any_number = false;
    for f in first {
        let s = f.trim_ascii();
        if is_missing_token(s) {
            continue;
        }
        match std::str::from_utf8(s)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
        {
            Some(v) if v.is_finite() => any_number = true,
            _ => return true,
        }
    }
    !any_number
}

/// Header names, trimmed; blank names become `column_N`, repeats get `_2`, `_3`, ...
fn header_names(first: &csv::ByteRecord, warnings: &mut Vec<String>) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(first.len());
    let originals: std::collections::HashSet<String> = first
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_owned())
        .collect();
    let mut seen = std::collections::HashSet::new();
    for (i, f) in first.iter().enumerate() {
        let raw = String::from_utf8_lossy(f).trim().to_owned();
        let mut name = if raw.is_empty() {
            let n = format!("column_{}", i + 1);
            warnings.push(format!("column {} has no name; it is called '{n}'", i + 1));
            n
        } else {
            raw.clone()
        };
        if seen.contains(&name) {
            let mut k = 2;
            while seen.contains(&format!("{name}_{k}"))
                || originals.contains(&format!("{name}_{k}"))
            {
                k += 1;
            }
            let renamed = format!("{name}_{k}");
            warnings.push(format!(
                "column {} repeats the name '{name}'; it is called '{renamed}'",
                i + 1
            ));
            name = renamed;
        }
        seen.insert(name.clone());
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::super::{ColumnData, ColumnKind};
    use super::*;

    fn load(s: &str) -> Result<Table> {
        load_bytes(
            s.as_bytes().to_vec(),
            "t.csv",
            &LoadOptions::default(),
            &Progress::new(),
        )
    }

    #[test]
    fn basic_types() {
        let t = load("id,x,g,d\na1,1.5,u,2024-01-01\na2,,v,2024-01-02\na3,3,u,\n").unwrap();
        assert_eq!(t.n_rows(), 3);
        assert_eq!(t.names(), ["id", "x", "g", "d"]);
        let kinds: Vec<ColumnKind> = t.columns.iter().map(Column::kind).collect();
        assert_eq!(
            kinds,
            [
                ColumnKind::Categorical,
                ColumnKind::Numeric,
                ColumnKind::Categorical,
                ColumnKind::Date
            ]
        );
        assert_eq!(t.row_lines, [2, 3, 4]);
    }

    #[test]
    fn quoted_fields_crlf_and_bom() {
        let t = load("\u{feff}name;note\r\n\"a;b\";\"two\r\nlines\"\r\nc;d\r\n").unwrap();
        assert_eq!(t.delimiter, b';');
        assert_eq!(t.names(), ["name", "note"]);
        assert_eq!(t.columns[0].data.display(0), "a;b");
        assert_eq!(t.columns[1].data.display(0), "two\r\nlines");
        assert_eq!(t.row_lines, [2, 4]);
    }

    #[test]
    fn headerless_numeric_file() {
        let t = load("1,2\n3,4\n").unwrap();
        assert!(!t.has_header);
        assert_eq!(t.names(), ["column_1", "column_2"]);
        assert_eq!(t.n_rows(), 2);
    }

    #[test]
    fn blank_and_duplicate_headers() {
        let t = load(",a,a,a_2\n1,2,3,4\n").unwrap();
        assert_eq!(t.names(), ["column_1", "a", "a_3", "a_2"]);
        assert_eq!(t.warnings.len(), 2);
    }

    #[test]
    fn ragged_row_names_its_line() {
        let e = load("a,b\n1,2\n3\n").unwrap_err().to_string();
        assert!(e.contains("t.csv: line 3"), "{e}");
        let e = load("a,b\r\n1,2\r\n3,4\r\n5\r\n").unwrap_err().to_string();
        assert!(e.contains("t.csv: line 4"), "{e}");
    }

    #[test]
    fn mixed_column_is_reread_as_text() {
        let t = load("size\n1\n2\nXL\nL\nM\nS\n2\n").unwrap();
        match &t.columns[0].data {
            ColumnData::Categorical { levels, codes } => {
                assert_eq!(levels, &["1", "2", "L", "M", "S", "XL"]);
                assert_eq!(codes[0], 0);
                assert_eq!(codes[6], 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn header_only_and_empty() {
        assert!(load("").unwrap_err().to_string().contains("empty"));
        assert!(
            load("a,b\n")
                .unwrap_err()
                .to_string()
                .contains("no data rows")
        );
        assert!(load("\n\n\n").unwrap_err().to_string().contains("blank"));
    }
}
