//! Reading a CSV as a stream of blocks of whole records: raw bytes are read in pieces of
//! [`READ_BYTES`], decoded, and cut after the last record that ends outside quotes, so that each block can
//! be parsed on its own (in parallel) and the text in flight stays bounded. Tracks the line where each
//! block starts, refuses a line (or an unclosed quoted field) longer than the caller's limit, and reports an
//! unterminated quote with the line it opens on.

use std::io::Read;

use super::decode::{
    DecodeNote, Decoder, HEAD_BYTES, count_breaks, latin1_warning, sniff_delimiter,
};
use crate::error::{Error, Result, human_bytes};

/// Raw bytes read per call.
pub(crate) const READ_BYTES: usize = 1 << 20;

/// Decoded text of whole records.
#[derive(Debug, Default)]
pub(crate) struct Block {
    /// UTF-8 text: whole records with their line endings (the last block may end without one).
    pub text: Vec<u8>,
    /// 1-based line of the first byte.
    pub first_line: u64,
    /// Whether the text holds a `"` (then the csv parser reads it, else the fast tokenizer).
    pub quoted: bool,
    /// Raw bytes read from the input when this block was cut (for progress).
    pub raw_read: u64,
}

/// Where the quote scanner is in the pending text.
#[derive(Debug, Default)]
struct Scan {
    /// Bytes of `buf` already scanned.
    pos: usize,
    in_quotes: bool,
    at_field_start: bool,
    /// End of the last record found so far (0 = none).
    boundary: usize,
    /// Where the open quoted field starts.
    open_at: usize,
}

/// Streams blocks of whole records out of a raw reader.
pub(crate) struct Blocks<'r> {
    reader: &'r mut dyn Read,
    source_name: String,
    decoder: Decoder,
    notes: Vec<DecodeNote>,
    raw: Vec<u8>,
    /// Decoded text not yet handed out; starts at a record boundary.
    buf: Vec<u8>,
    /// Line of `buf[0]`.
    line: u64,
    delimiter: u8,
    scan: Scan,
    eof: bool,
    max_line_bytes: usize,
    raw_total: u64,
    /// Text buffers of blocks already parsed, for the next cuts (no fresh memory mapped per block).
    spare: Vec<Vec<u8>>,
    /// Warnings in words (encoding).
    pub warnings: Vec<String>,
}

impl<'r> Blocks<'r> {
    /// Reads the head of `reader` (encoding, delimiter); `delimiter` `None` sniffs it.
    pub(crate) fn new(
        reader: &'r mut dyn Read,
        source_name: &str,
        delimiter: Option<u8>,
        max_line_bytes: usize,
    ) -> Result<Self> {
        let mut b = Self {
            reader,
            source_name: source_name.to_owned(),
            decoder: Decoder::new(source_name),
            notes: Vec::new(),
            raw: vec![0; READ_BYTES],
            buf: Vec::new(),
            line: 1,
            delimiter: delimiter.unwrap_or(b','),
            scan: Scan {
                at_field_start: true,
                ..Scan::default()
            },
            eof: false,
            max_line_bytes,
            raw_total: 0,
            spare: Vec::new(),
            warnings: Vec::new(),
        };
        // The decoder decides on at least HEAD_BYTES (or everything).
        let mut head = Vec::new();
        while head.len() < HEAD_BYTES && !b.eof {
            let n = b.read_raw()?;
            head.extend_from_slice(&b.raw[..n]);
        }
        if head.is_empty() {
            return Err(Error::Input {
                source_name: b.source_name.clone(),
                message: "the file is empty".into(),
            });
        }
        b.decode(&head)?;
        if b.eof && b.buf.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::Input {
                source_name: b.source_name.clone(),
                message: "the file has only blank lines".into(),
            });
        }
        if delimiter.is_none() {
            b.delimiter = sniff_delimiter(&b.buf);
        }
        Ok(b)
    }

    /// The field delimiter (given or sniffed).
    pub(crate) fn delimiter(&self) -> u8 {
        self.delimiter
    }

    fn read_raw(&mut self) -> Result<usize> {
        loop {
            match self.reader.read(&mut self.raw) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(0);
                }
                Ok(n) => {
                    self.raw_total += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(&self.source_name, e)),
            }
        }
    }

    /// Decodes `raw` onto `buf` (and ends the decoder at the end of the input).
    fn decode(&mut self, raw: &[u8]) -> Result<()> {
        self.decoder.push(raw, &mut self.buf, &mut self.notes)?;
        if self.eof {
            self.decoder.finish(&mut self.buf, &mut self.notes)?;
        }
        for n in std::mem::take(&mut self.notes) {
            self.warnings.push(match n {
                DecodeNote::Detected(w) => w,
                DecodeNote::Latin1From { at, after_utf8 } => {
                    latin1_warning(self.line + count_breaks(&self.buf[..at]), after_utf8)
                }
            });
        }
        Ok(())
    }

    /// The next block, or `None` at the end of the input.
    pub(crate) fn next_block(&mut self) -> Result<Option<Block>> {
        loop {
            let end = self.find_boundary();
            if end > 0 {
                return Ok(Some(self.cut(end)));
            }
            if self.eof {
                if self.scan.in_quotes {
                    return Err(Error::Csv {
                        source_name: self.source_name.clone(),
                        line: self.line + count_breaks(&self.buf[..self.scan.open_at]),
                        message: "a quoted field starts here and is never closed (a missing '\"')"
                            .into(),
                    });
                }
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let n = self.buf.len();
                return Ok(Some(self.cut(n)));
            }
            if self.buf.len() > self.max_line_bytes {
                return Err(self.too_long());
            }
            let n = self.read_raw()?;
            let raw = std::mem::take(&mut self.raw);
            let r = self.decode(&raw[..n]);
            self.raw = raw;
            r?;
        }
    }

    fn too_long(&self) -> Error {
        let limit = human_bytes(self.max_line_bytes as u64);
        if self.scan.in_quotes {
            return Error::Csv {
                source_name: self.source_name.clone(),
                line: self.line + count_breaks(&self.buf[..self.scan.open_at]),
                message: format!(
                    "a quoted field starts here and is not closed within {limit} (a missing '\"'?)"
                ),
            };
        }
        let blank = self
            .buf
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .count();
        Error::Csv {
            source_name: self.source_name.clone(),
            line: self.line + count_breaks(&self.buf[..blank]),
            message: format!(
                "this line is longer than {limit} without a line break; a CSV needs one record per line \
                 (is this really a CSV file?)"
            ),
        }
    }

    /// Takes back the text of a parsed block, to be reused by a later cut (a few are kept).
    pub(crate) fn recycle(&mut self, mut text: Vec<u8>) {
        if self.spare.len() < 4 && text.capacity() <= 4 * READ_BYTES {
            text.clear();
            self.spare.push(text);
        }
    }

    /// Hands out `buf[..end]` as a block; the rest stays.
    fn cut(&mut self, end: usize) -> Block {
        let mut rest = self.spare.pop().unwrap_or_default();
        rest.reserve(READ_BYTES + READ_BYTES / 4 + (self.buf.len() - end));
        rest.extend_from_slice(&self.buf[end..]);
        self.buf.truncate(end);
        let text = std::mem::replace(&mut self.buf, rest);
        let first_line = self.line;
        self.line += count_breaks(&text);
        self.scan.pos -= end.min(self.scan.pos);
        self.scan.boundary = 0;
        self.scan.open_at = self.scan.open_at.saturating_sub(end);
        Block {
            quoted: memchr::memchr(b'"', &text).is_some(),
            text,
            first_line,
            raw_read: self.raw_total,
        }
    }

    /// End of the last whole record in `buf` (0 = none yet). Never cuts between `\r` and `\n`, nor inside
    /// a quoted field.
    fn find_boundary(&mut self) -> usize {
        // One byte of look-ahead is needed for `\r\n` and `""`, except at the end of the input.
        let limit = if self.eof {
            self.buf.len()
        } else {
            self.buf.len().saturating_sub(1)
        };
        if self.scan.pos >= limit {
            return self.scan.boundary;
        }
        let new = &self.buf[self.scan.pos..limit];
        if !self.scan.in_quotes && memchr::memchr(b'"', new).is_none() {
            // No quote: the last line break ends a record.
            if let Some(p) = memchr::memrchr2(b'\n', b'\r', new) {
                let at = self.scan.pos + p;
                let end = if self.buf[at] == b'\r' && self.buf.get(at + 1) == Some(&b'\n') {
                    at + 2
                } else {
                    at + 1
                };
                self.scan.boundary = end;
            }
            let last = self.buf[limit - 1];
            self.scan.at_field_start = last == self.delimiter || last == b'\n' || last == b'\r';
            self.scan.pos = limit;
            return self.scan.boundary;
        }
        self.scan_quoted(limit);
        self.scan.boundary
    }

    /// The byte loop for text with quotes: a quote opens a field only at its start; `""` inside quotes is
    /// an escaped quote; a line break outside quotes ends a record.
    fn scan_quoted(&mut self, limit: usize) {
        let d = self.delimiter;
        let s = &mut self.scan;
        let text = &self.buf;
        let mut i = s.pos;
        while i < limit {
            let b = text[i];
            if s.in_quotes {
                if b == b'"' {
                    if text.get(i + 1) == Some(&b'"') {
                        i += 1;
                    } else {
                        s.in_quotes = false;
                    }
                } else if let Some(p) = memchr::memchr(b'"', &text[i..limit]) {
                    // Skip to the next quote.
                    i += p;
                    continue;
                } else {
                    i = limit;
                    break;
                }
                s.at_field_start = false;
            } else if b == b'"' && s.at_field_start {
                s.in_quotes = true;
                s.open_at = i;
                s.at_field_start = false;
            } else if b == b'\n' || b == b'\r' {
                s.at_field_start = true;
                if !(b == b'\r' && text.get(i + 1) == Some(&b'\n')) {
                    s.boundary = i + 1;
                }
            } else {
                s.at_field_start = b == d;
            }
            i += 1;
        }
        // `i` may be one past `limit` after an escaped quote that used the look-ahead byte.
        s.pos = i;
    }
}

/// One record of a block: `text[start..end]` is its content, `text[end..term_end]` its line ending (empty
/// at the end of the input), and `text[gap..start]` the blank lines before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    /// Start of the blank lines before the record.
    pub gap: usize,
    /// Start of the content.
    pub start: usize,
    /// End of the content.
    pub end: usize,
    /// End of the line ending.
    pub term_end: usize,
    /// 1-based line of the content's first byte.
    pub line: u64,
}

/// The records of a block of whole records, in order.
pub(crate) struct Records<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
    quoted: bool,
    delimiter: u8,
}

impl<'a> Records<'a> {
    pub(crate) fn new(text: &'a [u8], first_line: u64, quoted: bool, delimiter: u8) -> Self {
        Self {
            text,
            pos: 0,
            line: first_line,
            quoted,
            delimiter,
        }
    }

    /// The first line break outside quotes at or after `i`.
    fn content_end(&self, mut i: usize) -> usize {
        let t = self.text;
        if !self.quoted {
            return memchr::memchr2(b'\n', b'\r', &t[i..]).map_or(t.len(), |p| i + p);
        }
        let (mut in_quotes, mut at_field_start) = (false, true);
        while i < t.len() {
            let b = t[i];
            if in_quotes {
                if b == b'"' {
                    if t.get(i + 1) == Some(&b'"') {
                        i += 1;
                    } else {
                        in_quotes = false;
                    }
                }
                at_field_start = false;
            } else if b == b'\n' || b == b'\r' {
                return i;
            } else if b == b'"' && at_field_start {
                in_quotes = true;
                at_field_start = false;
            } else {
                at_field_start = b == self.delimiter;
            }
            i += 1;
        }
        t.len()
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let t = self.text;
        let gap = self.pos;
        let start = gap
            + t[gap..]
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .count();
        if start >= t.len() {
            self.line += count_breaks(&t[gap..]);
            self.pos = t.len();
            return None;
        }
        self.line += count_breaks(&t[gap..start]);
        let line = self.line;
        let end = self.content_end(start);
        let term_end = match t.get(end) {
            None => end,
            Some(b'\r') if t.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
        };
        if self.quoted {
            self.line += count_breaks(&t[start..term_end]);
        } else {
            self.line += u64::from(term_end > end);
        }
        self.pos = term_end;
        Some(Record {
            gap,
            start,
            end,
            term_end,
            line,
        })
    }
}

/// A piece of the input as the labelled export sees it.
pub(crate) enum Piece<'a> {
    /// Blank lines between records, as they are.
    Blank(&'a [u8]),
    /// A record's content and its own line ending (empty at the end of the input).
    Record {
        /// The record's text, quotes and all.
        content: &'a [u8],
        /// `\n`, `\r\n`, `\r` or nothing.
        ending: &'a [u8],
    },
}

/// Streams `reader` (raw bytes, decoded as the loader decodes them) as pieces, in order.
pub(crate) fn stream_pieces(
    reader: &mut dyn Read,
    source_name: &str,
    delimiter: u8,
    progress: &crate::jobs::Progress,
    f: &mut dyn FnMut(Piece<'_>) -> Result<()>,
) -> Result<()> {
    let mut blocks = Blocks::new(reader, source_name, Some(delimiter), 256 << 20)?;
    while let Some(b) = blocks.next_block()? {
        progress.check()?;
        let mut last = 0;
        for r in Records::new(&b.text, b.first_line, b.quoted, delimiter) {
            if r.start > r.gap {
                f(Piece::Blank(&b.text[r.gap..r.start]))?;
            }
            f(Piece::Record {
                content: &b.text[r.start..r.end],
                ending: &b.text[r.end..r.term_end],
            })?;
            last = r.term_end;
        }
        if last < b.text.len() {
            f(Piece::Blank(&b.text[last..]))?;
        }
        progress.set_done(b.raw_read);
    }
    Ok(())
}

/// Reads all blocks of `reader` and collects them (tests and small inputs).
#[cfg(test)]
pub(crate) fn all_blocks(text: &[u8], delimiter: u8) -> Result<Vec<Block>> {
    let mut r: &[u8] = text;
    let mut b = Blocks::new(&mut r, "t.csv", Some(delimiter), 1 << 20)?;
    let mut out = Vec::new();
    while let Some(block) = b.next_block()? {
        out.push(block);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most `n` bytes per call, so that blocks are cut often.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn blocks_of(text: &[u8], piece: usize) -> Result<Vec<Block>> {
        let mut r = Trickle(text, piece);
        let mut b = Blocks::new(&mut r, "t.csv", Some(b','), 1 << 20)?;
        let mut out = Vec::new();
        while let Some(block) = b.next_block()? {
            out.push(block);
        }
        Ok(out)
    }

    #[test]
    fn blocks_cut_between_records_and_count_lines() {
        let mut text = Vec::new();
        for i in 0..30_000 {
            let nl: &[u8] = [&b"\n"[..], b"\r\n", b"\r"][i % 3];
            if i % 1000 == 7 {
                text.extend_from_slice(format!("{i},\"two\r\nlines, \"\"q\"\"\"").as_bytes());
            } else {
                text.extend_from_slice(format!("{i},x").as_bytes());
            }
            text.extend_from_slice(nl);
        }
        for piece in [4096, 70_001] {
            let blocks = blocks_of(&text, piece).unwrap();
            let joined: Vec<u8> = blocks.iter().flat_map(|b| b.text.clone()).collect();
            assert_eq!(joined, text, "{piece}");
            let mut line = 1;
            for b in &blocks {
                assert_eq!(b.first_line, line);
                // Every block starts a record: a digit, never a `\n` of a cut `\r\n`.
                assert!(b.text[0].is_ascii_digit(), "{piece}");
                line += count_breaks(&b.text);
            }
            assert!(blocks.len() > 1, "{piece}");
        }
    }

    #[test]
    fn records_with_their_endings_and_blank_lines() {
        let text = b"\r\na,\"x\ny\"\r\n\n\nb\rc";
        let r: Vec<Record> = Records::new(text, 1, true, b',').collect();
        let got: Vec<String> = r
            .iter()
            .map(|r| {
                let s = |a: usize, b: usize| String::from_utf8_lossy(&text[a..b]).into_owned();
                format!(
                    "{:?}|{:?}|{:?}|{}",
                    s(r.gap, r.start),
                    s(r.start, r.end),
                    s(r.end, r.term_end),
                    r.line
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                r#""\r\n"|"a,\"x\ny\""|"\r\n"|2"#,
                r#""\n\n"|"b"|"\r"|6"#,
                r#"""|"c"|""|7"#,
            ]
        );
        let plain = b"1\r\n\r\n2\n3";
        let lines: Vec<u64> = Records::new(plain, 4, false, b',')
            .map(|r| r.line)
            .collect();
        assert_eq!(lines, [4, 6, 7]);
    }

    #[test]
    fn unclosed_quote_and_long_lines() {
        let e = all_blocks(b"a,b\n1,2\n3,\"oops\n4,5\n", b',').unwrap_err();
        assert!(
            e.to_string().contains("line 3") && e.to_string().contains("never closed"),
            "{e}"
        );
        let mut long = b"a,b\n1,2\n".to_vec();
        long.extend(std::iter::repeat_n(b'y', 3 << 20));
        let e = blocks_of(&long, 1 << 20).unwrap_err();
        assert!(matches!(e, Error::Csv { line: 3, .. }), "{e:?}");
        let mut quoted = b"a,b\n1,\"".to_vec();
        quoted.extend(std::iter::repeat_n(b'y', 3 << 20));
        let e = blocks_of(&quoted, 1 << 20).unwrap_err();
        assert!(
            e.to_string().contains("line 2") && e.to_string().contains("not closed"),
            "{e}"
        );
    }
}
