//! From raw bytes to clean UTF-8 CSV text: bounded reading with progress, encoding detection (UTF-8 BOM,
//! UTF-16 with or without BOM, Latin-1 fallback), binary-file detection, an unterminated-quote check and
//! delimiter sniffing.

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

/// Turns raw bytes into UTF-8 text, with warnings for what was converted.
pub(crate) fn to_utf8(
    mut bytes: Vec<u8>,
    source_name: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<u8>> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        warnings.push("the file is UTF-16 (little-endian); it was converted to UTF-8".into());
        return decode_utf16(&bytes[2..], false, source_name);
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        warnings.push("the file is UTF-16 (big-endian); it was converted to UTF-8".into());
        return decode_utf16(&bytes[2..], true, source_name);
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        // UTF-16 without a BOM has a NUL in every other byte of ASCII text.
        let head = &bytes[..bytes.len().min(4096) & !1];
        let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let half = head.len() / 2;
        if half > 0 && odd * 10 >= half * 9 && even * 10 < half {
            warnings.push(
                "the file is UTF-16 (little-endian, no BOM); it was converted to UTF-8".into(),
            );
            return decode_utf16(&bytes, false, source_name);
        }
        if half > 0 && even * 10 >= half * 9 && odd * 10 < half {
            warnings
                .push("the file is UTF-16 (big-endian, no BOM); it was converted to UTF-8".into());
            return decode_utf16(&bytes, true, source_name);
        }
        return Err(binary_error(source_name, pos, "a NUL byte"));
    }
    let head = &bytes[..bytes.len().min(65_536)];
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if controls * 100 > head.len() {
        let pos = head
            .iter()
            .position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
            .unwrap_or(0);
        return Err(binary_error(source_name, pos, "control characters"));
    }
    match std::str::from_utf8(&bytes) {
        Ok(_) => Ok(bytes),
        Err(e) => {
            let at = e.valid_up_to();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            warnings.push(format!(
                "the file is not valid UTF-8 (first bad byte on line {line}); it was read as Latin-1 \
                 (ISO-8859-1). Save it as UTF-8 if accented letters look wrong"
            ));
            Ok(bytes
                .iter()
                .map(|&b| char::from(b))
                .collect::<String>()
                .into_bytes())
        }
    }
}

fn binary_error(source_name: &str, pos: usize, what: &str) -> Error {
    Error::Input {
        source_name: source_name.to_owned(),
        message: format!(
            "this looks like a binary file, not a CSV ({what} at byte {pos}); export it as CSV text first"
        ),
    }
}

fn decode_utf16(b: &[u8], big_endian: bool, source_name: &str) -> Result<Vec<u8>> {
    let units = b.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(b.len() / 2);
    let mut bad = 0usize;
    for r in char::decode_utf16(units) {
        if let Ok(c) = r {
            out.push(c);
        } else {
            bad += 1;
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
    if bad * 100 > out.len().max(1) {
        return Err(Error::Input {
            source_name: source_name.to_owned(),
            message: "the file starts like UTF-16 but is not valid UTF-16 text".into(),
        });
    }
    let out = out.into_bytes();
    if out.contains(&0) {
        return Err(binary_error(source_name, 0, "a NUL character"));
    }
    Ok(out)
}

/// Errors with the line where a quoted field opens and never closes (the csv parser would otherwise
/// swallow the rest of the file into one field). Returns up to `n_chunks - 1` places where a record
/// starts, as `(byte, line)`, spread evenly, so that chunks can be parsed in parallel.
pub(crate) fn check_quotes(
    text: &[u8],
    delimiter: u8,
    source_name: &str,
    n_chunks: usize,
) -> Result<Vec<(usize, u64)>> {
    let step = text.len() / n_chunks.max(1) + 1;
    if memchr::memchr(b'"', text).is_none() {
        return Ok(unquoted_splits(text, step));
    }
    quoted_splits(text, delimiter, source_name, step)
}

/// The byte loop of [`check_quotes`]: tracks quoted fields, splits only between records.
fn quoted_splits(
    text: &[u8],
    delimiter: u8,
    source_name: &str,
    step: usize,
) -> Result<Vec<(usize, u64)>> {
    let mut next_split = step;
    let mut splits = Vec::new();
    let mut line = 1u64;
    let mut open_line = 0u64;
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if in_quotes {
            if b == b'"' {
                if text.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            } else if b == b'\n' {
                line += 1;
            }
        } else if b == b'"' && at_field_start {
            in_quotes = true;
            open_line = line;
        } else if b == b'\n' {
            line += 1;
            if i >= next_split && i + 1 < text.len() {
                splits.push((i + 1, line));
                next_split = i + 1 + step;
            }
        }
        at_field_start = !in_quotes && (b == delimiter || b == b'\n' || b == b'\r');
        i += 1;
    }
    if in_quotes {
        return Err(Error::Csv {
            source_name: source_name.to_owned(),
            line: open_line,
            message: "a quoted field starts here and is never closed (a missing '\"')".into(),
        });
    }
    Ok(splits)
}

/// [`check_quotes`] for text without any quote: a record starts after every newline, so splits are the
/// first newline after each `step` bytes, and lines are counted with SIMD instead of a byte loop.
fn unquoted_splits(text: &[u8], step: usize) -> Vec<(usize, u64)> {
    let mut splits = Vec::new();
    let (mut from, mut line) = (0usize, 1u64);
    let mut at = step;
    while at < text.len() {
        let Some(nl) = memchr::memchr(b'\n', &text[at..]).map(|p| at + p) else {
            break;
        };
        if nl + 1 >= text.len() {
            break;
        }
        line += memchr::memchr_iter(b'\n', &text[from..=nl]).count() as u64;
        splits.push((nl + 1, line));
        from = nl + 1;
        at = nl + 1 + step;
    }
    splits
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
    fn unterminated_quote_names_its_line() {
        let e = check_quotes(b"a,b\n1,2\n3,\"oops\n4,5\n", b',', "f.csv", 1).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let text = b"a,b\n\"x\"\"y\",\"multi\nline\"\n5\" tall,2\n";
        // Splits never fall inside the quoted newline.
        let splits = check_quotes(text, b',', "f.csv", 30).unwrap();
        assert_eq!(splits, [(4, 2), (24, 4)]);
    }

    #[test]
    fn unquoted_fast_path_matches_the_state_machine() {
        let mut text = b"a,b\n".to_vec();
        for i in 0..500 {
            text.extend_from_slice(format!("{i},{}\r\n", i * 3).as_bytes());
        }
        for step in [1, 7, 64, 333, 5000, 100_000] {
            let fast = unquoted_splits(&text, step);
            let slow = quoted_splits(&text, b',', "f.csv", step).unwrap();
            assert_eq!(fast, slow, "step {step}");
            assert_eq!(fast.is_empty(), step >= text.len(), "step {step}");
        }
    }

    #[test]
    fn utf16_and_latin1_decode() {
        let mut w = Vec::new();
        let mut le = vec![0xFF, 0xFE];
        for u in "a,b\n1,é\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(to_utf8(le, "f", &mut w).unwrap(), "a,b\n1,é\n".as_bytes());
        let latin = b"a,b\n1,caf\xe9\n".to_vec();
        assert_eq!(
            to_utf8(latin, "f", &mut w).unwrap(),
            "a,b\n1,café\n".as_bytes()
        );
        assert!(
            w.iter()
                .any(|m| m.contains("Latin-1") && m.contains("line 2"))
        );
        assert!(to_utf8(b"\x00\x01\x02garbage".to_vec(), "f", &mut w).is_err());
    }

    #[test]
    fn long_line_is_refused() {
        let r = std::io::repeat(b'x').take(10_000_000);
        let e = read_all(r, "big", None, 1 << 20, &Progress::new()).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
