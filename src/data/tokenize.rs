//! Parsing one block of whole records into per-column builders. Blocks without a quote (most files) go
//! through a tokenizer that parses plain numbers while it scans them and finds the end of any other field
//! with a SIMD search (`memchr3`), handing each field straight to its column's builder; blocks with quotes
//! go through the csv crate. Both follow
//! the csv crate's rules: `\n`, `\r` and `\r\n` end a record, empty lines are skipped, and line numbers
//! count `\n` and a lone `\r`.

use super::decode::count_breaks;
use super::infer::ColBuilder;
use crate::error::{Error, Result};

/// What every block parser shares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParseCtx<'a> {
    /// Fields per record (from the first record).
    pub ncols: usize,
    /// Field delimiter.
    pub delimiter: u8,
    /// Source name for messages.
    pub source_name: &'a str,
    /// Second read: only these columns, as text (see [`ColBuilder::push_text`]).
    pub text_only: Option<&'a [bool]>,
    /// Expected bytes per record (for capacity).
    pub bytes_per_row: usize,
}

/// One parsed block.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// One builder per column.
    pub cols: Vec<ColBuilder>,
    /// 1-based line of each record.
    pub lines: RowLines,
    /// Bytes of text parsed.
    pub text_bytes: usize,
}

/// The 1-based line of each record of a block, stored only once a record is not on the line after the
/// previous one (a blank line, a quoted line break): most blocks are one record per line and cost
/// nothing per row.
#[derive(Debug, Default, Clone)]
pub(crate) struct RowLines {
    /// Records.
    len: usize,
    /// Line of the first record (while consecutive).
    first: u64,
    /// Every record's line, once they are not consecutive.
    each: Option<Vec<u64>>,
}

impl RowLines {
    /// Adds the next record's line.
    #[inline]
    pub fn push(&mut self, line: u64) {
        match &mut self.each {
            Some(each) => each.push(line),
            None if self.len == 0 => self.first = line,
            None if line == self.first + self.len as u64 => {}
            None => {
                let mut each: Vec<u64> = (0..self.len as u64).map(|i| self.first + i).collect();
                each.push(line);
                self.each = Some(each);
            }
        }
        self.len += 1;
    }

    /// Records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether record `i` is on line `first + i` for every record.
    pub fn consecutive_from(&self, first: u64) -> bool {
        self.len == 0 || (self.each.is_none() && self.first == first)
    }

    /// Appends every record's line to `out`.
    pub fn extend_into(&self, out: &mut Vec<u64>) {
        match &self.each {
            Some(each) => out.extend_from_slice(each),
            None => out.extend((0..self.len as u64).map(|i| self.first + i)),
        }
    }

    /// Every record's line.
    #[cfg(test)]
    pub fn to_vec(&self) -> Vec<u64> {
        let mut v = Vec::with_capacity(self.len);
        self.extend_into(&mut v);
        v
    }
}

impl ParseCtx<'_> {
    fn ragged(&self, line: u64, fields: usize) -> Error {
        Error::Csv {
            source_name: self.source_name.to_owned(),
            line,
            message: format!(
                "this row has {fields} field(s) but the first row has {}; fix the row (a stray delimiter \
                 or a missing quote?)",
                self.ncols
            ),
        }
    }

    /// Parses `text` (whole records; `first_line` is the line of its first byte).
    pub(crate) fn parse(&self, text: &[u8], first_line: u64, quoted: bool) -> Result<Parsed> {
        let estimate = text.len() / self.bytes_per_row.max(1) + 16;
        let mut out = Parsed {
            cols: (0..self.ncols)
                .map(|j| match self.text_only {
                    None => ColBuilder::with_capacity(estimate),
                    Some(t) if t[j] => ColBuilder::for_text(estimate),
                    Some(_) => ColBuilder::default(),
                })
                .collect(),
            lines: RowLines::default(),
            text_bytes: text.len(),
        };
        if quoted {
            self.parse_quoted(text, first_line, &mut out)?;
        } else if self.text_only.is_some() {
            self.parse_plain::<true>(text, first_line, &mut out)?;
        } else {
            self.parse_plain::<false>(text, first_line, &mut out)?;
        }
        Ok(out)
    }

    /// Adds field `j` of a record on `line`: every field, or with `TEXT` the text of the wanted ones.
    #[inline]
    fn field<const TEXT: bool>(&self, out: &mut Parsed, j: usize, field: &[u8], line: u64) {
        if !TEXT {
            if let Some(c) = out.cols.get_mut(j) {
                c.push(field, line);
            }
            return;
        }
        if let Some(c) = out.cols.get_mut(j) {
            match self.text_only {
                None => c.push(field, line),
                Some(t) if t[j] => c.push_text(field),
                Some(_) => {}
            }
        }
    }

    /// Text without quotes, field by field: a field that starts with a plain number (the common case of
    /// [`super::infer`]'s number grammar) directly followed by the delimiter or a line break is parsed as it
    /// is scanned, in one pass over its bytes; any other field's end is found with one SIMD search
    /// (`memchr3`) and the field goes to its column's builder as text.
    fn parse_plain<const TEXT: bool>(
        &self,
        text: &[u8],
        first_line: u64,
        out: &mut Parsed,
    ) -> Result<()> {
        let (d, n) = (self.delimiter, text.len());
        let ends_field = |b: Option<&u8>| match b {
            None => true,
            Some(&b) => b == d || b == b'\n' || b == b'\r',
        };
        let mut line = first_line;
        let mut p = 0usize;
        let mut j = 0usize; // fields of the current record so far
        loop {
            if p >= n {
                if j > 0 {
                    // The text ends right after a delimiter: an empty last field.
                    self.field::<TEXT>(out, j, &[], line);
                    self.end_record(out, j, line)?;
                }
                return Ok(());
            }
            if j == 0 && matches!(text[p], b'\n' | b'\r') {
                // An empty line (or the `\n` of a `\r\n`): skipped, as by the csv crate.
                if text[p] == b'\n' || text.get(p + 1) != Some(&b'\n') {
                    line += 1;
                }
                p += 1;
                continue;
            }
            let number = if TEXT {
                None
            } else {
                super::infer::parse_simple_prefix(&text[p..])
                    .filter(|&(_, len)| ends_field(text.get(p + len)))
            };
            let e = if let Some((v, len)) = number {
                if let Some(c) = out.cols.get_mut(j) {
                    c.push_finite(v);
                }
                p + len
            } else {
                let e = memchr::memchr3(d, b'\n', b'\r', &text[p..]).map_or(n, |o| p + o);
                self.field::<TEXT>(out, j, &text[p..e], line);
                e
            };
            match text.get(e) {
                Some(&b) if b == d => j += 1,
                None => {
                    self.end_record(out, j, line)?;
                    return Ok(());
                }
                Some(&b) => {
                    self.end_record(out, j, line)?;
                    j = 0;
                    if b == b'\n' || text.get(e + 1) != Some(&b'\n') {
                        line += 1;
                    }
                }
            }
            p = e + 1;
        }
    }

    /// Ends a record whose last field was field `j`: checks its width and records its line.
    #[inline]
    fn end_record(&self, out: &mut Parsed, j: usize, line: u64) -> Result<()> {
        if j + 1 != self.ncols {
            return Err(self.ragged(line, j + 1));
        }
        out.lines.push(line);
        Ok(())
    }

    /// Text with quotes: the csv crate's reader, lines counted from each record's byte position.
    fn parse_quoted(&self, text: &[u8], first_line: u64, out: &mut Parsed) -> Result<()> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut rec = csv::ByteRecord::new();
        let (mut line, mut counted) = (first_line, 0usize);
        while rdr.read_byte_record(&mut rec).map_err(|e| Error::Csv {
            source_name: self.source_name.to_owned(),
            line,
            message: e.to_string(),
        })? {
            // The reader's position is before the blank lines (and the `\n` of a `\r\n`) it skipped.
            let mut start = rec
                .position()
                .map_or(counted, |p| usize::try_from(p.byte()).unwrap_or(counted))
                .clamp(counted, text.len());
            while start < text.len() && matches!(text[start], b'\n' | b'\r') {
                start += 1;
            }
            line += count_breaks(&text[counted..start]);
            counted = start;
            if rec.len() != self.ncols {
                return Err(self.ragged(line, rec.len()));
            }
            for (j, f) in rec.iter().enumerate() {
                if self.text_only.is_some() {
                    self.field::<true>(out, j, f, line);
                } else {
                    self.field::<false>(out, j, f, line);
                }
            }
            out.lines.push(line);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(ncols: usize) -> ParseCtx<'static> {
        ParseCtx {
            ncols,
            delimiter: b',',
            source_name: "t.csv",
            text_only: None,
            bytes_per_row: 8,
        }
    }

    fn cells(p: &Parsed) -> Vec<Vec<String>> {
        (0..p.lines.len())
            .map(|i| p.cols.iter().map(|c| c.debug_cell(i)).collect())
            .collect()
    }

    #[test]
    fn plain_and_quoted_parsers_agree() {
        let text = b"1,a\r\n\r\n2,\r3,c\n\n\n,d\r\n5,e";
        let c = ctx(2);
        let plain = c.parse(text, 2, false).unwrap();
        let quoted = c.parse(text, 2, true).unwrap();
        assert_eq!(plain.lines.to_vec(), [2, 4, 5, 8, 9]);
        assert_eq!(quoted.lines.to_vec(), plain.lines.to_vec());
        assert_eq!(cells(&plain), cells(&quoted));
        assert_eq!(cells(&plain)[1], ["2", ""]);
        assert_eq!(cells(&plain)[3], ["", "d"]);
    }

    #[test]
    fn numbers_parsed_while_scanning_equal_the_text_path() {
        // Plain numbers, numbers followed by other bytes, spaces, exponents, signs, missing tokens, 20
        // digits (fast-float's case), a trailing delimiter at the end, `\r\n` and lone `\r`.
        let text =
            b"1.5,12abc, 3\r\n-0,1e5,1.5.3\n\n.5,+7,NA\r2.,1e400,12345678901234567890\n1e-3,,";
        let c = ctx(3);
        let plain = c.parse(text, 2, false).unwrap();
        let quoted = c.parse(text, 2, true).unwrap();
        assert_eq!(plain.lines.to_vec(), [2, 3, 5, 6, 7]);
        assert_eq!(quoted.lines.to_vec(), plain.lines.to_vec());
        assert_eq!(cells(&plain), cells(&quoted));
        assert_eq!(cells(&plain)[0], ["1.5", "12abc", "3"]);
        assert_eq!(cells(&plain)[1], ["-0", "100000", "1.5.3"]);
        assert_eq!(cells(&plain)[4], ["0.001", "", ""]);
        // Same values, counts, codes and examples (the hasher's random seed aside).
        let state = |c: &ColBuilder| {
            let s = format!("{c:?}");
            let (head, rest) = s.split_once(", hasher:").unwrap();
            format!("{head}{}", &rest[rest.find(", levels:").unwrap()..])
        };
        for (a, b) in plain.cols.iter().zip(&quoted.cols) {
            assert_eq!(state(a), state(b));
        }
    }

    #[test]
    fn ragged_rows_name_their_line() {
        for quoted in [false, true] {
            let e = ctx(2).parse(b"1,2\n\n3\n", 5, quoted).unwrap_err();
            assert!(matches!(e, Error::Csv { line: 7, .. }), "{e:?}");
            assert!(e.to_string().contains("1 field(s)"), "{e}");
            let e = ctx(2).parse(b"1,2,3", 5, quoted).unwrap_err();
            assert!(e.to_string().contains("3 field(s)"), "{e}");
        }
        let ok = ctx(1).parse(b"x\n \n", 1, false).unwrap();
        assert_eq!(
            ok.lines.to_vec(),
            [1, 2],
            "a line of spaces is a record, as in the csv crate"
        );
    }

    #[test]
    fn quoted_fields_span_lines() {
        let text = b"1,\"a\r\nb\"\r\n2,\"x,\"\"y\"\"\"\n3,z\n";
        let p = ctx(2).parse(text, 10, true).unwrap();
        assert_eq!(p.lines.to_vec(), [10, 12, 13]);
        assert_eq!(cells(&p)[0], ["1", "a\r\nb"]);
        assert_eq!(cells(&p)[1], ["2", "x,\"y\""]);
    }
}
