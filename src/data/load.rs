// Length: ~580 lines of code; the rest is its unit tests, kept beside the code they pin.
//! CSV loading in one streaming pass: raw bytes → blocks of whole decoded records ([`super::split`]) →
//! parsed in parallel into column builders and merged in file order ([`super::pipeline`]) → kinds decided →
//! [`Table`]. Memory holds the columns plus a few blocks of text; the input is not kept in memory (a file
//! is re-read from its path, a stream is spooled, see [`Source`]). Columns that turn out to hold text after
//! numbers are re-read from the source in a second pass over those columns only. Reports progress by
//! bytes and can be cancelled.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::decode::{count_breaks, read_all, to_utf8};
use super::infer::{ColBuilder, is_missing_token};
use super::pipeline::{self, Budget, Merged};
use super::source::{Source, Tee};
use super::split::{Block, Blocks};
use super::tokenize::ParseCtx;
use super::{Column, SampleInfo, Table};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// The most columns a file may have (a wrong delimiter or a binary file can look like millions).
pub const MAX_COLUMNS: usize = 100_000;

/// A uniform random sample of the data rows, drawn in one streaming pass (reservoir sampling), so that a
/// file bigger than memory can be loaded; the kept rows stay in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Rows to keep (all of them when the file has fewer).
    pub rows: usize,
    /// Seed of the random choice ([`crate::rng::Rng`]): the same seed keeps the same rows.
    pub seed: u64,
}

/// Choices for reading a CSV; the defaults guess everything.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Field delimiter; `None` sniffs among `,` `;` tab `|`.
    pub delimiter: Option<u8>,
    /// Whether the first row is a header; `None` detects it.
    pub has_header: Option<bool>,
    /// Longest line accepted before the file is refused (bounded memory on garbage input).
    pub max_line_bytes: usize,
    /// Load a random sample of the rows instead of all of them.
    pub sample: Option<Sample>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            delimiter: None,
            has_header: None,
            max_line_bytes: 256 << 20,
            sample: None,
        }
    }
}

/// Loads a CSV file. A file is read in blocks and re-read from its path when needed (text columns, export);
/// a FIFO or device is read like a stream.
pub fn load_path(path: &Path, opts: &LoadOptions, progress: &Progress) -> Result<Table> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::Input {
            source_name: name,
            message: "this is a folder, not a CSV file".into(),
        });
    }
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return load_reader(file, &name, opts, progress);
    }
    let input = Input {
        name: &name,
        size: Some(meta.len()),
        held: 0,
        spooled: false,
    };
    let pass = first_pass(&mut file, &input, opts, progress)?;
    drop(file);
    finish(
        pass,
        Source::Path(path.to_path_buf()),
        &input,
        opts,
        progress,
    )
}

/// Loads a CSV from any reader (standard input, a network stream); `source_name` appears in messages. The
/// stream is spooled as it is read (in memory, then a temporary file) so that it can be read again.
pub fn load_reader(
    reader: impl Read,
    source_name: &str,
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<Table> {
    let input = Input {
        name: source_name,
        size: None,
        held: 0,
        spooled: true,
    };
    let mut tee = Tee::new(reader);
    let pass = first_pass(&mut tee, &input, opts, progress)?;
    let source = Source::Spool(Arc::new(tee.finish()?));
    finish(pass, source, &input, opts, progress)
}

/// Loads `arg` as the CLI understands it: a path, or `-` for standard input.
pub fn load_input(arg: &str, opts: &LoadOptions, progress: &Progress) -> Result<Table> {
    if arg == "-" {
        load_reader(std::io::stdin().lock(), "<stdin>", opts, progress)
    } else {
        load_path(Path::new(arg), opts, progress)
    }
}

/// The raw bytes of `arg` (a path, or `-` for standard input) and its name for messages, for callers that
/// want the bytes themselves; [`load_input`] streams instead and keeps what is needed to read it again.
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
    let marked = [&[0xEF, 0xBB, 0xBF][..], &[0xFF, 0xFE], &[0xFE, 0xFF]]
        .iter()
        .any(|bom| bytes.starts_with(bom));
    if !marked && memchr::memchr(0, &bytes).is_none() && std::str::from_utf8(&bytes).is_ok() {
        // Plain UTF-8: the text is the bytes.
        return Ok(bytes);
    }
    to_utf8(&bytes, source_name, &mut Vec::new())
}

/// Loads a CSV held in memory; the table keeps the bytes as its [`Source`].
pub fn load_bytes(
    bytes: Vec<u8>,
    source_name: &str,
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<Table> {
    let bytes = Arc::new(bytes);
    let input = Input {
        name: source_name,
        size: Some(bytes.len() as u64),
        held: bytes.len() as u64,
        spooled: false,
    };
    let pass = first_pass(&mut bytes.as_slice(), &input, opts, progress)?;
    finish(pass, Source::Memory(bytes), &input, opts, progress)
}

/// What the passes know about the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    /// Name for messages.
    pub name: &'a str,
    /// Size in bytes, if known.
    pub size: Option<u64>,
    /// Bytes of the input held in memory anyway (for the budget).
    pub held: u64,
    /// Whether the input is spooled in memory as it is read.
    pub spooled: bool,
}

/// A table before its column kinds are decided.
#[derive(Debug)]
pub(crate) struct Parts {
    /// Rows and builders.
    pub merged: Merged,
    /// Column names.
    pub names: Vec<String>,
    /// Warnings so far.
    pub warnings: Vec<String>,
    /// Delimiter used.
    pub delimiter: u8,
    /// Whether the first record was the header.
    pub has_header: bool,
    /// Set when the rows are a sample (then the text pass is done already).
    pub sampled: Option<SampleInfo>,
}

/// The header (or first) record of the first block, and the data that follows it.
pub(crate) struct Head {
    /// Column names.
    pub names: Vec<String>,
    /// Whether the first record is a header.
    pub has_header: bool,
    /// The header record's text (empty without a header).
    pub header_text: Vec<u8>,
    /// Line of the header record.
    pub header_line: u64,
    /// The rest of the first block (data records).
    pub rest: Block,
    /// Header warnings.
    pub warnings: Vec<String>,
}

impl Head {
    /// Fields per record.
    pub(crate) fn ncols(&self) -> usize {
        self.names.len()
    }
}

/// Reads the first record of `first`; `has_header` `None` detects whether it is a header.
pub(crate) fn read_head(
    first: Block,
    delimiter: u8,
    has_header: Option<bool>,
    name: &str,
) -> Result<Head> {
    let no_rows = || Error::Input {
        source_name: name.to_owned(),
        message: "the file has no rows".into(),
    };
    let text = &first.text;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_slice());
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).map_err(|_| no_rows())? {
        return Err(no_rows());
    }
    // The reader's position is before any blank lines it skipped.
    let mut start = rec
        .position()
        .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0))
        .min(text.len());
    while start < text.len() && matches!(text[start], b'\n' | b'\r') {
        start += 1;
    }
    let mut end = usize::try_from(rdr.position().byte())
        .unwrap_or(text.len())
        .min(text.len());
    if end > 0 && text[end - 1] == b'\r' && text.get(end) == Some(&b'\n') {
        end += 1;
    }
    let header_line = first.first_line + count_breaks(&text[..start.min(end)]);
    if rec.len() > MAX_COLUMNS {
        return Err(Error::Csv {
            source_name: name.to_owned(),
            line: header_line,
            message: format!(
                "the first row has {} fields; at most {} columns are supported (is the delimiter '{}' \
                 right, and is this really a CSV file?)",
                pipeline::thousands(rec.len() as u64),
                pipeline::thousands(MAX_COLUMNS as u64),
                char::from(delimiter).escape_default()
            ),
        });
    }
    let mut warnings = Vec::new();
    let has_header = has_header.unwrap_or_else(|| looks_like_header(&rec));
    let names = if has_header {
        header_names(&rec, &mut warnings)
    } else {
        warnings.push("no header row found; columns are named column_1, column_2, ...".into());
        (1..=rec.len()).map(|i| format!("column_{i}")).collect()
    };
    let data_start = if has_header { end } else { 0 };
    let mut content_end = end;
    while content_end > start && matches!(text[content_end - 1], b'\n' | b'\r') {
        content_end -= 1;
    }
    let header_text = if has_header {
        text[start..content_end].to_vec()
    } else {
        Vec::new()
    };
    let first_line = first.first_line + count_breaks(&text[..data_start]);
    let mut rest = first.text;
    rest.drain(..data_start);
    Ok(Head {
        names,
        has_header,
        header_text,
        header_line,
        rest: Block {
            quoted: memchr::memchr(b'"', &rest).is_some(),
            text: rest,
            first_line,
            raw_read: first.raw_read,
        },
        warnings,
    })
}

/// The first pass: every row, or a sample.
fn first_pass(
    reader: &mut dyn Read,
    input: &Input<'_>,
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<Parts> {
    progress.set_stage("reading", input.size.unwrap_or(0));
    let mut blocks = Blocks::new(reader, input.name, opts.delimiter, opts.max_line_bytes)?;
    let delimiter = blocks.delimiter();
    let first = blocks.next_block()?.ok_or_else(|| Error::Input {
        source_name: input.name.to_owned(),
        message: "the file has no rows".into(),
    })?;
    let head = read_head(first, delimiter, opts.has_header, input.name)?;
    if let Some(sample) = opts.sample {
        return super::sample::sample_pass(&mut blocks, head, sample, input, opts, progress);
    }
    let ncols = head.ncols();
    let rest = head.rest;
    let bytes_per_row = head.header_text.len().max(2 * ncols);
    let mut ctx = ParseCtx {
        ncols,
        delimiter,
        source_name: input.name,
        text_only: None,
        bytes_per_row,
    };
    // The first data block is parsed here: what it costs per byte of text projects the whole table.
    let parsed = ctx.parse(&rest.text, rest.first_line, rest.quoted)?;
    let mut budget = budget_from(&parsed, &rest, input, ncols, bytes_per_row);
    budget.fixed += (rest.text.len() as f64 * budget.per_text_byte) as u64;
    budget.check(rest.text.len() as u64, rest.raw_read)?;
    ctx.bytes_per_row = budget.text_per_row.ceil() as usize;
    let mut merged = Merged::default();
    merged.merge(parsed);
    if let Some(size) = input.size {
        let rows = projected_rows(size, budget.text_per_row, 1.05, ncols);
        for c in &mut merged.cols {
            c.ensure_room(rows.saturating_sub(merged.rows), rows);
        }
    }
    progress.set_done(rest.raw_read);
    let mut text_merged = rest.text.len();
    drop(rest);
    pipeline::run(&mut blocks, None, &ctx, Some(&budget), progress, &mut |p| {
        text_merged += p.text_bytes;
        if let Some(size) = input.size {
            // When the first block's projection falls short, project again from everything so far.
            let rows = merged.rows + p.lines.len();
            let text_per_row = text_merged as f64 / rows.max(1) as f64;
            let total = projected_rows(size, text_per_row, 1.02, ncols);
            for c in &mut merged.cols {
                c.ensure_room(p.lines.len(), total);
            }
        }
        merged.merge(p);
        Ok(())
    })?;
    let mut warnings = std::mem::take(&mut blocks.warnings);
    warnings.extend(head.warnings);
    Ok(Parts {
        merged,
        names: head.names,
        warnings,
        delimiter,
        has_header: head.has_header,
        sampled: None,
    })
}

/// Rows of an input of `size` bytes at `text_per_row` bytes a row, with a `margin` (a factor) and 64 rows
/// to spare, and never more than one row per `ncols` bytes: the capacity the columns are given.
fn projected_rows(size: u64, text_per_row: f64, margin: f64, ncols: usize) -> usize {
    let rows = (size as f64 / text_per_row * margin) as usize + 64;
    rows.min(size as usize / ncols.max(1) + 64)
}

/// The budget of a load whose first data block `rest` parsed into `parsed`.
pub(crate) fn budget_from(
    parsed: &super::tokenize::Parsed,
    rest: &Block,
    input: &Input<'_>,
    ncols: usize,
    bytes_per_row: usize,
) -> Budget {
    let rows = parsed.lines.len();
    let heap: u64 = parsed.cols.iter().map(ColBuilder::heap_bytes).sum();
    let (per_text_byte, text_per_row) = if rows >= 16 && !rest.text.is_empty() {
        let text = rest.text.len() as f64;
        (heap as f64 / text, text / rows as f64)
    } else {
        // Too little to tell: 12 bytes per cell, rows as long as the header.
        let per_row = bytes_per_row.max(1) as f64;
        ((ncols * 12) as f64 / per_row, per_row)
    };
    Budget {
        name: input.name.to_owned(),
        size: input.size,
        spooled: input.spooled,
        per_text_byte,
        text_per_row,
        fixed: pipeline::fixed_overhead(ncols, input.size) + input.held,
        ncols,
    }
}

/// The text pass (columns that need their text re-read from `source`), kinds decided, the table.
fn finish(
    mut parts: Parts,
    source: Source,
    input: &Input<'_>,
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<Table> {
    if parts.merged.rows == 0 {
        return Err(Error::Input {
            source_name: input.name.to_owned(),
            message: "the file has a header row but no data rows".into(),
        });
    }
    if parts.sampled.is_none() {
        text_pass(&mut parts, &source, input, opts, progress)?;
    }
    progress.check()?;
    Ok(parts.into_table(source, input.name))
}

impl Parts {
    /// Decides the kinds and builds the table.
    pub(crate) fn into_table(self, source: Source, name: &str) -> Table {
        let mut warnings = self.warnings;
        let columns: Vec<Column> = self
            .merged
            .cols
            .into_iter()
            .zip(self.names)
            .map(|(b, name)| b.finish(name, &mut warnings))
            .collect();
        Table {
            columns,
            source_name: name.to_owned(),
            warnings,
            row_lines: self.merged.lines.unwrap_or_default(),
            delimiter: self.delimiter,
            has_header: self.has_header,
            source,
            sampled: self.sampled,
        }
    }
}

/// Re-reads the text of the columns that turned out not to be numeric but had numbers in them.
pub(crate) fn text_pass(
    parts: &mut Parts,
    source: &Source,
    input: &Input<'_>,
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<()> {
    let reread: Vec<bool> = parts
        .merged
        .cols
        .iter()
        .map(ColBuilder::needs_text)
        .collect();
    if !reread.contains(&true) {
        return Ok(());
    }
    progress.set_stage("re-reading text columns", input.size.unwrap_or(0));
    for (c, &r) in parts.merged.cols.iter_mut().zip(&reread) {
        if r {
            c.reset_text();
        }
    }
    let mut reader = source.open(input.name)?;
    let mut blocks = Blocks::new(
        &mut *reader,
        input.name,
        Some(parts.delimiter),
        opts.max_line_bytes,
    )?;
    let Some(first) = blocks.next_block()? else {
        return Err(changed(input.name));
    };
    let head = read_head(first, parts.delimiter, Some(parts.has_header), input.name)?;
    if head.ncols() != parts.names.len() {
        return Err(changed(input.name));
    }
    let ctx = ParseCtx {
        ncols: parts.names.len(),
        delimiter: parts.delimiter,
        source_name: input.name,
        text_only: Some(&reread),
        bytes_per_row: head.header_text.len().max(16),
    };
    let mut rows = 0usize;
    let cols = &mut parts.merged.cols;
    pipeline::run(
        &mut blocks,
        Some(head.rest),
        &ctx,
        None,
        progress,
        &mut |p| {
            rows += p.lines.len();
            for ((c, o), &r) in cols.iter_mut().zip(p.cols).zip(&reread) {
                if r {
                    c.append_text(o);
                }
            }
            Ok(())
        },
    )?;
    if rows != parts.merged.rows {
        return Err(changed(input.name));
    }
    Ok(())
}

fn changed(name: &str) -> Error {
    Error::Input {
        source_name: name.to_owned(),
        message: "the file changed while it was being read; load it again".into(),
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
        // Row i on line i + 2: nothing stored.
        assert!(t.row_lines.is_empty());
        assert_eq!(t.line_of_row(2), 4);
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
                assert_eq!(levels.to_vec(), ["1", "2", "L", "M", "S", "XL"]);
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
