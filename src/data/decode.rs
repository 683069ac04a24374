//! From raw bytes to clean UTF-8 CSV text, as a stream: encoding detection (UTF-8 BOM, UTF-16 with or
//! without BOM, Latin-1 fallback), binary-file detection, line-break counting and delimiter sniffing; plus
//! the bounded whole-input read that [`super::read_input`] offers.

use std::io::Read;

use crate::error::{Error, Result};
use crate::jobs::Progress;

const CHUNK: usize = 1 << 22;

/// Reads everything from `reader`, refusing lines longer than `max_line_bytes` (a file with no line breaks
/// is not a CSV, and must not fill memory). `size_hint` (file size) drives the progress bar.
pub(crate) fn read_all(
    mut reader: impl Read,
    source_name: &str,
    size_hint: Option<u64>,
    max_line_bytes: usize,
    progress: &Progress,
) -> Result<Vec<u8>> {
    progress.set_stage("reading", size_hint.unwrap_or(0));
    // Room for the whole file plus the one chunk-sized read that finds its end (with less, that last
    // `resize` would reallocate, doubling the memory and copying the file).
    let mut buf: Vec<u8> =
        Vec::with_capacity(size_hint.map_or(CHUNK, |s| (s as usize).saturating_add(CHUNK)));
    let mut run = 0usize; // bytes since the last line break
    let mut lines = 1u64;
    loop {
        progress.check()?;
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let n = loop {
            match reader.read(&mut buf[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(source_name, e)),
            }
        };
        buf.truncate(start + n);
        if n == 0 {
            break;
        }
        let chunk = &buf[start..];
        match chunk.iter().rposition(|&b| b == b'\n' || b == b'\r') {
            Some(p) => {
                lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
                run = chunk.len() - p - 1;
            }
            None => run += chunk.len(),
        }
        if run > max_line_bytes {
            return Err(Error::Csv {
                source_name: source_name.to_owned(),
                line: lines,
                message: format!(
                    "this line is longer than {} without a line break; a CSV needs one record per line \
                     (is this really a CSV file?)",
                    crate::error::human_bytes(max_line_bytes as u64)
                ),
            });
        }
        progress.set_done(buf.len() as u64);
    }
    Ok(buf)
}

/// Bytes looked at to detect the encoding and binary files (the decoder's first call gets at least this
/// much, or the whole input).
pub(crate) const HEAD_BYTES: usize = 65_536;

/// How the raw bytes are turned into UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not decided yet (before the first call).
    Start,
    /// UTF-8, checked as it streams by.
    Utf8,
    /// Latin-1 (ISO-8859-1), from the first byte that was not valid UTF-8 on.
    Latin1,
    /// UTF-16, converted.
    Utf16 { big_endian: bool },
}

/// Streaming conversion of raw bytes to UTF-8 text: BOM stripped, UTF-16 converted, binary files refused,
/// and text that stops being valid UTF-8 read as Latin-1 from the first bad byte on (a Latin-1 file whose
/// first non-ASCII byte is bad, the usual case, is read as Latin-1 as a whole). Deterministic over the
/// byte stream, so the export that streams the input again sees exactly the text the loader saw.
#[derive(Debug)]
pub(crate) struct Decoder {
    mode: Mode,
    /// Raw bytes consumed so far (for binary-file messages).
    raw_pos: u64,
    /// An incomplete UTF-8 sequence or UTF-16 unit carried to the next call.
    pending: Vec<u8>,
    /// Whether valid non-ASCII UTF-8 was seen (changes the Latin-1 warning).
    saw_non_ascii: bool,
    source_name: String,
}

/// What a call to [`Decoder::push`] found worth a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeNote {
    /// The encoding was detected (a warning in words).
    Detected(String),
    /// Latin-1 starts at this index of the output; `after_utf8` when valid non-ASCII UTF-8 came before.
    Latin1From {
        /// Index in the output buffer.
        at: usize,
        /// Whether the text before it had non-ASCII UTF-8.
        after_utf8: bool,
    },
}

impl Decoder {
    pub(crate) fn new(source_name: &str) -> Self {
        Self {
            mode: Mode::Start,
            raw_pos: 0,
            pending: Vec::new(),
            saw_non_ascii: false,
            source_name: source_name.to_owned(),
        }
    }

    /// Decodes `raw` (the next bytes of the input) onto the end of `out`. The first call decides the
    /// encoding and must get at least [`HEAD_BYTES`] bytes or the whole input.
    pub(crate) fn push(
        &mut self,
        raw: &[u8],
        out: &mut Vec<u8>,
        notes: &mut Vec<DecodeNote>,
    ) -> Result<()> {
        let mut raw = raw;
        if self.mode == Mode::Start {
            let skip = self.detect(raw, notes)?;
            raw = &raw[skip..];
            self.raw_pos += skip as u64;
        }
        match self.mode {
            Mode::Start | Mode::Utf8 => self.push_utf8(raw, out, notes)?,
            Mode::Latin1 => {
                self.check_nul(raw)?;
                latin1_extend(out, raw);
            }
            Mode::Utf16 { big_endian } => self.push_utf16(raw, big_endian, false, out)?,
        }
        self.raw_pos += raw.len() as u64;
        Ok(())
    }

    /// Ends the input: whatever is pending is decoded (an incomplete UTF-8 sequence as Latin-1).
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>, notes: &mut Vec<DecodeNote>) -> Result<()> {
        if self.mode == Mode::Start {
            return self.push(&[], out, notes);
        }
        let pending = std::mem::take(&mut self.pending);
        match self.mode {
            Mode::Utf8 | Mode::Start if !pending.is_empty() => {
                notes.push(DecodeNote::Latin1From {
                    at: out.len(),
                    after_utf8: self.saw_non_ascii,
                });
                self.mode = Mode::Latin1;
                latin1_extend(out, &pending);
            }
            Mode::Utf16 { big_endian } => {
                self.pending = pending;
                self.push_utf16(&[], big_endian, true, out)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Looks at the head: BOMs, UTF-16 without BOM, binary data. Returns the BOM length to skip.
    fn detect(&mut self, head: &[u8], notes: &mut Vec<DecodeNote>) -> Result<usize> {
        self.mode = Mode::Utf8;
        if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            return Ok(3);
        }
        if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            let big_endian = head[0] == 0xFE;
            notes.push(DecodeNote::Detected(format!(
                "the file is UTF-16 ({}); it was converted to UTF-8",
                if big_endian {
                    "big-endian"
                } else {
                    "little-endian"
                }
            )));
            self.mode = Mode::Utf16 { big_endian };
            return self.check_utf16_head(&head[2..], big_endian).map(|()| 2);
        }
        if let Some(pos) = memchr::memchr(0, head) {
            // UTF-16 without a BOM has a NUL in every other byte of ASCII text.
            let h = &head[..head.len().min(4096) & !1];
            let even = h.iter().step_by(2).filter(|&&b| b == 0).count();
            let odd = h.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
            let half = h.len() / 2;
            for (big_endian, zeros, others) in [(false, odd, even), (true, even, odd)] {
                if half > 0 && zeros * 10 >= half * 9 && others * 10 < half {
                    notes.push(DecodeNote::Detected(format!(
                        "the file is UTF-16 ({}, no BOM); it was converted to UTF-8",
                        if big_endian {
                            "big-endian"
                        } else {
                            "little-endian"
                        }
                    )));
                    self.mode = Mode::Utf16 { big_endian };
                    return self.check_utf16_head(head, big_endian).map(|()| 0);
                }
            }
            return Err(binary_error(&self.source_name, pos as u64, "a NUL byte"));
        }
        let h = &head[..head.len().min(HEAD_BYTES)];
        let is_control = |b: &u8| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C);
        let controls = h.iter().filter(|b| is_control(b)).count();
        if controls * 100 > h.len() {
            let pos = h.iter().position(is_control).unwrap_or(0);
            return Err(binary_error(
                &self.source_name,
                pos as u64,
                "control characters",
            ));
        }
        Ok(0)
    }

    /// UTF-16 whose head is mostly invalid is refused.
    fn check_utf16_head(&self, b: &[u8], big_endian: bool) -> Result<()> {
        let units = b[..b.len() & !1]
            .chunks_exact(2)
            .map(|c| unit(c, big_endian));
        let (mut bad, mut n) = (0usize, 0usize);
        for r in char::decode_utf16(units) {
            n += 1;
            bad += usize::from(r.is_err());
        }
        if bad * 100 > n.max(1) {
            return Err(Error::Input {
                source_name: self.source_name.clone(),
                message: "the file starts like UTF-16 but is not valid UTF-16 text".into(),
            });
        }
        Ok(())
    }

    fn check_nul(&self, raw: &[u8]) -> Result<()> {
        match memchr::memchr(0, raw) {
            Some(p) => Err(binary_error(
                &self.source_name,
                self.raw_pos + p as u64,
                "a NUL byte",
            )),
            None => Ok(()),
        }
    }

    fn push_utf8(
        &mut self,
        raw: &[u8],
        out: &mut Vec<u8>,
        notes: &mut Vec<DecodeNote>,
    ) -> Result<()> {
        self.check_nul(raw)?;
        let start = out.len();
        out.append(&mut self.pending);
        out.extend_from_slice(raw);
        match std::str::from_utf8(&out[start..]) {
            Ok(s) => {
                self.saw_non_ascii |= !self.saw_non_ascii && !s.is_ascii();
            }
            Err(e) => {
                let good = start + e.valid_up_to();
                self.saw_non_ascii |= !self.saw_non_ascii && !out[start..good].is_ascii();
                if e.error_len().is_none() {
                    // An incomplete sequence at the end: wait for the next bytes.
                    self.pending = out.split_off(good);
                } else {
                    notes.push(DecodeNote::Latin1From {
                        at: good,
                        after_utf8: self.saw_non_ascii,
                    });
                    let tail = out.split_off(good);
                    latin1_extend(out, &tail);
                    self.mode = Mode::Latin1;
                }
            }
        }
        Ok(())
    }

    fn push_utf16(
        &mut self,
        raw: &[u8],
        big_endian: bool,
        last: bool,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(raw);
        let mut even = bytes.len() & !1;
        if !last && even >= 2 {
            // A high surrogate at the end waits for its pair.
            let u = unit(&bytes[even - 2..even], big_endian);
            if (0xD800..0xDC00).contains(&u) {
                even -= 2;
            }
        }
        let units = bytes[..even].chunks_exact(2).map(|c| unit(c, big_endian));
        let start = out.len();
        let mut tmp = [0u8; 4];
        for r in char::decode_utf16(units) {
            let c = r.unwrap_or(char::REPLACEMENT_CHARACTER);
            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
        if let Some(p) = memchr::memchr(0, &out[start..]) {
            return Err(binary_error(
                &self.source_name,
                (start + p) as u64,
                "a NUL character",
            ));
        }
        if !last {
            self.pending = bytes[even..].to_vec();
        }
        Ok(())
    }
}

fn binary_error(source_name: &str, pos: u64, what: &str) -> Error {
    Error::Input {
        source_name: source_name.to_owned(),
        message: format!(
            "this looks like a binary file, not a CSV ({what} at byte {pos}); export it as CSV text first"
        ),
    }
}

fn unit(c: &[u8], big_endian: bool) -> u16 {
    if big_endian {
        u16::from_be_bytes([c[0], c[1]])
    } else {
        u16::from_le_bytes([c[0], c[1]])
    }
}

/// Appends Latin-1 bytes as UTF-8 (ASCII runs copied as they are).
fn latin1_extend(out: &mut Vec<u8>, raw: &[u8]) {
    out.reserve(raw.len() + raw.len() / 8);
    let mut rest = raw;
    while !rest.is_empty() {
        let ascii = rest.iter().position(|&b| b >= 0x80).unwrap_or(rest.len());
        out.extend_from_slice(&rest[..ascii]);
        rest = &rest[ascii..];
        if let Some((&b, tail)) = rest.split_first() {
            out.extend_from_slice(&[0xC0 | (b >> 6), 0x80 | (b & 0x3F)]);
            rest = tail;
        }
    }
}

/// The warning for a [`DecodeNote::Latin1From`] on `line`.
pub(crate) fn latin1_warning(line: u64, after_utf8: bool) -> String {
    if after_utf8 {
        format!(
            "the file is not valid UTF-8 from line {line} on (first bad byte); the text before it was \
             read as UTF-8 and the rest as Latin-1 (ISO-8859-1). Save it as UTF-8 if accented letters \
             look wrong"
        )
    } else {
        format!(
            "the file is not valid UTF-8 (first bad byte on line {line}); it was read as Latin-1 \
             (ISO-8859-1). Save it as UTF-8 if accented letters look wrong"
        )
    }
}

/// Line breaks in `text`: `\n`, and `\r` not followed by `\n` (a `\r` at the very end counts; callers
/// never cut between `\r` and `\n`).
pub(crate) fn count_breaks(text: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', text).count();
    let lone_cr = memchr::memchr_iter(b'\r', text)
        .filter(|&p| text.get(p + 1) != Some(&b'\n'))
        .count();
    (lf + lone_cr) as u64
}

/// Decodes a whole input held in memory (what the loader would parse), with warnings in words.
pub(crate) fn to_utf8(
    bytes: &[u8],
    source_name: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<u8>> {
    let mut d = Decoder::new(source_name);
    let mut out = Vec::with_capacity(bytes.len());
    let mut notes = Vec::new();
    d.push(bytes, &mut out, &mut notes)?;
    d.finish(&mut out, &mut notes)?;
    for n in notes {
        warnings.push(match n {
            DecodeNote::Detected(w) => w,
            DecodeNote::Latin1From { at, after_utf8 } => {
                latin1_warning(1 + count_breaks(&out[..at]), after_utf8)
            }
        });
    }
    Ok(out)
}

/// Picks the delimiter among `,` `;` tab `|` that splits the first lines into the same number (> 1) of
/// fields, preferring more fields; `,` when none does.
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    let sample_len = text.len().min(65_536);
    let truncated = sample_len < text.len();
    let sample = &text[..sample_len];
    let mut best = (b',', 0usize, 0usize); // delimiter, consistent rows, fields
    for &d in b",;\t|" {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample);
        let mut lens = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while lens.len() < 50 {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => lens.push(rec.len()),
                Ok(false) | Err(_) => break,
            }
        }
        if truncated && lens.len() > 1 {
            lens.pop(); // the last record may be cut by the sample
        }
        let Some(&first) = lens.first() else { continue };
        if first < 2 {
            continue;
        }
        let consistent = lens.iter().take_while(|&&l| l == first).count();
        let score = (consistent, first);
        if consistent == lens.len() && score > (best.1, best.2) {
            best = (d, consistent, first);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n"), b'|');
        assert_eq!(sniff_delimiter(b"a,b\n\"x;y\",2\n"), b',');
        assert_eq!(sniff_delimiter(b"just one column\n1\n"), b',');
    }

    #[test]
    fn utf16_and_latin1_decode() {
        let mut w = Vec::new();
        let mut le = vec![0xFF, 0xFE];
        for u in "a,b\n1,é\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(to_utf8(&le, "f", &mut w).unwrap(), "a,b\n1,é\n".as_bytes());
        let latin = b"a,b\n1,caf\xe9\n".to_vec();
        assert_eq!(
            to_utf8(&latin, "f", &mut w).unwrap(),
            "a,b\n1,café\n".as_bytes()
        );
        assert!(
            w.iter()
                .any(|m| m.contains("Latin-1") && m.contains("line 2"))
        );
        assert!(to_utf8(b"\x00\x01\x02garbage", "f", &mut w).is_err());
    }

    /// Decoding in pieces of any size gives what decoding the whole gives.
    fn in_pieces(bytes: &[u8], piece: usize) -> (Vec<u8>, Vec<DecodeNote>) {
        let mut d = Decoder::new("f");
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        let head = bytes.len().min(HEAD_BYTES);
        d.push(&bytes[..head], &mut out, &mut notes).unwrap();
        for c in bytes[head..].chunks(piece) {
            d.push(c, &mut out, &mut notes).unwrap();
        }
        d.finish(&mut out, &mut notes).unwrap();
        (out, notes)
    }

    #[test]
    fn streaming_matches_whole_decoding() {
        let text = "0,caf\u{e9},\u{1F600}\r\n".repeat(20_000);
        let mut le = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        for piece in [1, 3, 4097] {
            assert_eq!(
                in_pieces(text.as_bytes(), piece).0,
                text.as_bytes(),
                "{piece}"
            );
            assert_eq!(in_pieces(&le, piece).0, text.as_bytes(), "{piece}");
        }
        // Valid UTF-8, then a Latin-1 byte: the prefix stays UTF-8, the rest is Latin-1.
        let mut mixed = text.as_bytes().to_vec();
        mixed.extend_from_slice(b"last,caf\xe9\n");
        let (out, notes) = in_pieces(&mixed, 7);
        assert!(out.starts_with(text.as_bytes()) && out.ends_with("café\n".as_bytes()));
        assert_eq!(
            notes,
            [DecodeNote::Latin1From {
                at: text.len() + 8,
                after_utf8: true
            }]
        );
        // A NUL after the head is a binary file.
        let mut nul = text.as_bytes().to_vec();
        nul.push(0);
        let mut d = Decoder::new("f");
        let mut out = Vec::new();
        d.push(&nul[..HEAD_BYTES], &mut out, &mut Vec::new())
            .unwrap();
        let e = d
            .push(&nul[HEAD_BYTES..], &mut out, &mut Vec::new())
            .unwrap_err();
        assert!(e.to_string().contains("binary"), "{e}");
    }

    #[test]
    fn line_breaks_of_every_kind() {
        assert_eq!(count_breaks(b"a\nb\r\nc\rd\r"), 4);
        assert_eq!(count_breaks(b""), 0);
    }

    #[test]
    fn long_line_is_refused() {
        let r = std::io::repeat(b'x').take(10_000_000);
        let e = read_all(r, "big", None, 1 << 20, &Progress::new()).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
