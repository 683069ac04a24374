//! Bad and unusual inputs: each gives a clear error (naming the file and, where it applies, the line) or a
//! valid, sensible table. Never a panic, never a hang. Small inputs live in `tests/fixtures/bad/`; large
//! or platform-dependent ones are made here.

// Helpers outside #[test] functions may panic with a message too: a failed expectation is a test failure.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use segscope::Error;
use segscope::data::{
    ColumnData, ColumnKind, LoadOptions, Table, load_bytes, load_path, load_reader, summarize,
};
use segscope::jobs::Progress;

fn bad(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad")
        .join(name)
}

fn load_file(path: &Path) -> segscope::Result<Table> {
    load_path(path, &LoadOptions::default(), &Progress::new())
}

/// Loads a fixture that must load.
fn ok(name: &str) -> Table {
    load_file(&bad(name)).unwrap_or_else(|e| panic!("{name} should load: {e}"))
}

/// Loads a fixture that must fail; returns the message, which must name the file.
fn err(name: &str) -> (Error, String) {
    let path = bad(name);
    match load_file(&path) {
        Ok(t) => panic!("{name} should fail, loaded {} rows", t.n_rows()),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(&path.display().to_string()),
                "the message should name the file: {msg}"
            );
            (e, msg)
        }
    }
}

fn mem(text: &[u8]) -> segscope::Result<Table> {
    load_bytes(
        text.to_vec(),
        "mem.csv",
        &LoadOptions::default(),
        &Progress::new(),
    )
}

fn kind(t: &Table, name: &str) -> ColumnKind {
    t.column(name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", t.names()))
        .kind()
}

fn nums(t: &Table, name: &str) -> Vec<f64> {
    t.column(name)
        .and_then(|c| c.as_numeric())
        .unwrap_or_else(|| panic!("{name} is not numeric"))
        .to_vec()
}

fn texts(t: &Table, name: &str) -> Vec<String> {
    let c = t.column(name).unwrap_or_else(|| panic!("no column {name}"));
    (0..c.data.len()).map(|i| c.data.display(i)).collect()
}

fn has_warning(t: &Table, parts: &[&str]) -> bool {
    t.warnings
        .iter()
        .any(|w| parts.iter().all(|p| w.contains(p)))
}

/// A deterministic byte generator (xorshift), so the garbage is the same on every run.
fn garbage(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

// ----------------------------------------------------------------------------------- whole-file errors

#[test]
fn empty_file() {
    let (e, msg) = err("empty.csv");
    assert!(matches!(e, Error::Input { .. }), "{e:?}");
    assert!(msg.contains("empty"), "{msg}");
}

#[test]
fn header_only() {
    let (_, msg) = err("header_only.csv");
    assert!(msg.contains("no data rows"), "{msg}");
    // Without the final newline too.
    let e = mem(b"a,b,c").unwrap_err().to_string();
    assert!(
        e.starts_with("mem.csv: ") && e.contains("no data rows"),
        "{e}"
    );
}

#[test]
fn only_blank_lines() {
    let (_, msg) = err("blank_lines.csv");
    assert!(msg.contains("only blank lines"), "{msg}");
}

#[test]
fn ragged_row_names_its_line() {
    let (e, msg) = err("ragged.csv");
    assert!(matches!(e, Error::Csv { line: 3, .. }), "{e:?}");
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.contains("2 field(s)") && msg.contains('3'), "{msg}");
}

#[test]
fn ragged_row_after_a_multiline_field_names_its_line() {
    let (e, msg) = err("ragged_after_multiline.csv");
    assert!(matches!(e, Error::Csv { line: 5, .. }), "{e:?} / {msg}");
}

#[test]
fn unterminated_quote_names_the_line_it_opens_on() {
    let (e, msg) = err("unterminated_quote.csv");
    assert!(matches!(e, Error::Csv { line: 3, .. }), "{e:?}");
    assert!(
        msg.contains("line 3") && msg.contains("never closed"),
        "{msg}"
    );
}

#[test]
fn directory_instead_of_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = load_file(dir.path()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
    assert!(msg.contains("folder"), "{msg}");
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nope.csv");
    let e = load_file(&path).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.to_lowercase().contains("no such file"), "{msg}");
}

#[cfg(unix)]
#[test]
fn file_without_read_permission() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("secret.csv");
    std::fs::write(&path, "a,b\n1,2\n").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let result = load_file(&path);
    if std::fs::read(&path).is_err() {
        // An ordinary user: the OS refuses, and we say so.
        let msg = result.expect_err("unreadable file").to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.to_lowercase().contains("permission"), "{msg}");
    } else {
        // root reads anything: the file simply loads.
        let t = result.unwrap_or_else(|e| panic!("root can read it, so should we: {e}"));
        assert_eq!(t.n_rows(), 1);
        assert_eq!(nums(&t, "b"), [2.0]);
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod back");
}

#[test]
fn binary_garbage_with_nul_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("garbage.bin");
    let mut bytes = garbage(64 * 1024, 0x9E37_79B9_7F4A_7C15);
    bytes[100] = 0;
    std::fs::write(&path, &bytes).expect("write");
    let msg = load_file(&path).unwrap_err().to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("binary"), "{msg}");
}

#[test]
fn binary_garbage_without_nul_bytes() {
    let mut bytes = garbage(64 * 1024, 12_345);
    for b in &mut bytes {
        if *b == 0 {
            *b = 1;
        }
    }
    let msg = mem(&bytes).unwrap_err().to_string();
    assert!(
        msg.starts_with("mem.csv: ") && msg.contains("binary"),
        "{msg}"
    );
    // Several seeds and sizes: an error every time, never a panic.
    for seed in 1..20u64 {
        for n in [1, 2, 3, 17, 1000] {
            let b = garbage(n, seed * 7919);
            let _ = mem(&b);
        }
    }
}

// ------------------------------------------------------------------------------------- encodings

#[test]
fn latin1_is_decoded_with_a_warning_naming_the_line() {
    let t = ok("latin1.csv");
    assert_eq!(texts(&t, "city"), ["Paris", "café", "Zürich"]);
    assert!(has_warning(&t, &["Latin-1", "line 3"]), "{:?}", t.warnings);
}

#[test]
fn utf16_le_with_bom() {
    let t = ok("utf16le_bom.csv");
    assert_eq!(t.names(), ["name", "city", "spend"]);
    assert_eq!(texts(&t, "city"), ["café", "Zürich"]);
    assert_eq!(nums(&t, "spend"), [1.5, 2.0]);
    assert!(has_warning(&t, &["UTF-16"]), "{:?}", t.warnings);
}

#[test]
fn utf16_le_without_bom() {
    let t = ok("utf16le_nobom.csv");
    assert_eq!(t.names(), ["name", "city", "spend"]);
    assert_eq!(texts(&t, "city"), ["café", "Zürich"]);
    assert_eq!(nums(&t, "spend"), [1.5, 2.0]);
    assert!(has_warning(&t, &["UTF-16", "no BOM"]), "{:?}", t.warnings);
}

#[test]
fn utf16_be_with_bom() {
    let mut b = vec![0xFE, 0xFF];
    for u in "name,spend\nÅsa,1\n".encode_utf16() {
        b.extend_from_slice(&u.to_be_bytes());
    }
    let t = mem(&b).expect("UTF-16 BE");
    assert_eq!(texts(&t, "name"), ["Åsa"]);
    assert!(has_warning(&t, &["big-endian"]), "{:?}", t.warnings);
}

#[test]
fn utf8_bom_is_stripped() {
    let t = ok("utf8_bom.csv");
    assert_eq!(t.names(), ["name", "spend"]);
    assert_eq!(kind(&t, "spend"), ColumnKind::Numeric);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

// ------------------------------------------------------------------------------------ delimiters

#[test]
fn semicolon_tab_and_pipe_delimiters() {
    for (name, d) in [
        ("semicolon.csv", b';'),
        ("tab.tsv", b'\t'),
        ("pipe.csv", b'|'),
    ] {
        let t = ok(name);
        assert_eq!(t.delimiter, d, "{name}");
        assert_eq!(t.names(), ["name", "spend", "region"], "{name}");
        assert_eq!(nums(&t, "spend"), [1.5, 2.0, 3.25], "{name}");
        assert_eq!(kind(&t, "region"), ColumnKind::Categorical, "{name}");
    }
}

// --------------------------------------------------------------------------------------- headers

#[test]
fn duplicate_and_blank_header_names_are_renamed() {
    let t = ok("dup_blank_headers.csv");
    assert_eq!(t.names(), ["column_1", "spend", "spend_2", "column_4"]);
    assert!(
        has_warning(&t, &["column 1", "no name", "column_1"]),
        "{:?}",
        t.warnings
    );
    assert!(
        has_warning(&t, &["column 4", "no name", "column_4"]),
        "{:?}",
        t.warnings
    );
    assert!(
        has_warning(&t, &["repeats", "'spend'", "spend_2"]),
        "{:?}",
        t.warnings
    );
    assert_eq!(nums(&t, "spend_2"), [3.0, 7.0]);
}

// ---------------------------------------------------------------------------------------- shapes

#[test]
fn a_column_that_is_all_missing() {
    let t = ok("all_missing.csv");
    for name in ["notes", "score"] {
        let c = t.column(name).expect("column");
        assert_eq!(
            c.kind(),
            ColumnKind::Numeric,
            "{name}: pandas reads it as float64 NaN"
        );
        let s = summarize(c);
        assert_eq!((s.count, s.missing, s.invalid), (0, 3, 0), "{name}");
        assert_eq!(
            (s.mean, s.min, s.mode.as_deref()),
            (None, None, None),
            "{name}"
        );
        assert!(
            has_warning(&t, &[name, "entirely missing"]),
            "{:?}",
            t.warnings
        );
    }
}

#[test]
fn a_single_row() {
    let t = ok("single_row.csv");
    assert_eq!(t.n_rows(), 1);
    let s = summarize(t.column("spend").expect("spend"));
    assert_eq!((s.mean, s.median, s.std), (Some(12.5), Some(12.5), None));
    assert_eq!(texts(&t, "region"), ["North"]);
}

#[test]
fn a_single_column() {
    let t = ok("single_column.csv");
    assert_eq!(t.names(), ["spend"]);
    // A blank line is skipped (as pandas does), not a missing value.
    assert_eq!(nums(&t, "spend"), [1.0, 2.5, 4.0]);
    assert_eq!(t.row_lines, [2, 3, 5]);
}

#[test]
fn ten_thousand_columns() {
    let n = 10_000;
    let mut text = (0..n)
        .map(|j| format!("c{j}"))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for r in 0..3 {
        text.push_str(
            &(0..n)
                .map(|j| format!("{}", j * 3 + r))
                .collect::<Vec<_>>()
                .join(","),
        );
        text.push('\n');
    }
    let start = Instant::now();
    let t = mem(text.as_bytes()).expect("wide file");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert_eq!((t.n_rows(), t.n_cols()), (3, n));
    assert_eq!(t.names()[9_999], "c9999");
    assert_eq!(nums(&t, "c9999"), [29_997.0, 29_998.0, 29_999.0]);
    assert!(t.columns.iter().all(|c| c.kind() == ColumnKind::Numeric));
}

// --------------------------------------------------------------------------------- huge lines

/// A reader that counts what was taken from it.
struct Counting<R> {
    inner: R,
    taken: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn endless_line(max_line_bytes: usize) -> (segscope::Result<Table>, u64) {
    let taken = Arc::new(AtomicU64::new(0));
    let reader = Counting {
        inner: std::io::repeat(b'x').take(1 << 30),
        taken: Arc::clone(&taken),
    };
    let opts = LoadOptions {
        max_line_bytes,
        ..LoadOptions::default()
    };
    let r = load_reader(reader, "endless.csv", &opts, &Progress::new());
    (r, taken.load(Ordering::Relaxed))
}

#[test]
fn a_gigabyte_line_is_refused_early() {
    let limit = 1 << 20;
    let (r, taken) = endless_line(limit);
    let e = r.unwrap_err();
    assert!(matches!(e, Error::Csv { line: 1, .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.starts_with("endless.csv: line 1: "), "{msg}");
    assert!(
        msg.contains("1.0 MiB") && msg.contains("line break"),
        "{msg}"
    );
    assert!(
        taken <= (limit as u64) + (8 << 20),
        "read {taken} bytes for a {limit}-byte limit"
    );
}

#[test]
fn a_gigabyte_line_is_refused_at_the_default_limit() {
    let limit = LoadOptions::default().max_line_bytes;
    let start = Instant::now();
    let (r, taken) = endless_line(limit);
    let msg = r.unwrap_err().to_string();
    assert!(
        msg.contains("endless.csv: line 1") && msg.contains("256.0 MiB"),
        "{msg}"
    );
    assert!(
        taken < 1 << 30 && taken <= (limit as u64) + (8 << 20),
        "read {taken} bytes for a {limit}-byte limit"
    );
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_long_last_line_counts_its_line_number() {
    let mut text = b"a,b\n1,2\n".to_vec();
    text.extend(std::iter::repeat_n(b'y', 3 << 20));
    let opts = LoadOptions {
        max_line_bytes: 1 << 20,
        ..LoadOptions::default()
    };
    let e = load_reader(text.as_slice(), "long.csv", &opts, &Progress::new()).unwrap_err();
    assert!(matches!(e, Error::Csv { line: 3, .. }), "{e:?}");
}

// ------------------------------------------------------------------------------------ cell values

#[test]
fn inf_nan_and_overflow_cells() {
    let t = ok("nonfinite.csv");
    let c = t.column("x").expect("x");
    assert_eq!(c.kind(), ColumnKind::Numeric);
    // inf, -inf, 1e400, -1e400 are invalid; NaN is a missing token, not invalid.
    assert_eq!(c.invalid, 4);
    let s = summarize(c);
    assert_eq!((s.count, s.missing, s.invalid), (40, 5, 4));
    let v = nums(&t, "x");
    for row in [2, 8, 14, 20, 26] {
        assert!(v[row].is_nan(), "row {row}: {}", v[row]);
    }
    assert!(v.iter().all(|x| !x.is_infinite()));
    assert_eq!(s.max, Some(45.5));
    assert!(
        has_warning(&t, &["'x'", "'inf' (line 4)", "'1e400' (line 22)"]),
        "{:?}",
        t.warnings
    );
    assert_eq!(c.invalid_examples.first(), Some(&(4, "inf".to_owned())));
}

#[test]
fn a_column_of_only_infinities_is_numeric_and_all_invalid() {
    // pandas reads it as float64; every value is invalid.
    let t = mem(b"id,x\na,inf\nb,-inf\nc,1e999\n").expect("load");
    let c = t.column("x").expect("x");
    assert_eq!(c.kind(), ColumnKind::Numeric);
    assert_eq!(c.invalid, 3);
    assert!(
        has_warning(&t, &["'x'", "entirely missing"]),
        "{:?}",
        t.warnings
    );
}

#[test]
fn infinities_count_against_the_numeric_threshold_when_words_are_present() {
    // 17 numbers, 1 word, 2 inf: 17/20 = 85% finite numbers < 90%, so pandas keeps it as text.
    let mut text = String::from("x\n");
    for i in 0..17 {
        writeln!(text, "{i}").unwrap();
    }
    text.push_str("unknown\ninf\n-inf\n");
    let t = mem(text.as_bytes()).expect("load");
    assert_ne!(kind(&t, "x"), ColumnKind::Numeric);
    assert!(texts(&t, "x").contains(&"inf".to_owned()));
    // 18 numbers, 1 word, 1 inf: 90%, numeric with 2 invalid.
    let mut text = String::from("x\n");
    for i in 0..18 {
        writeln!(text, "{i}").unwrap();
    }
    text.push_str("unknown\ninf\n");
    let t = mem(text.as_bytes()).expect("load");
    let c = t.column("x").expect("x");
    assert_eq!((c.kind(), c.invalid), (ColumnKind::Numeric, 2));
}

#[test]
fn numbers_with_stray_words() {
    let t = ok("stray_words.csv");
    let c = t.column("visits").expect("visits");
    assert_eq!(c.kind(), ColumnKind::Numeric);
    assert_eq!(c.invalid, 1);
    assert_eq!(c.invalid_examples, [(21, "unknown".to_owned())]);
    let s = summarize(c);
    assert_eq!((s.count, s.missing), (19, 1));
    assert!(
        has_warning(&t, &["'visits'", "'unknown' (line 21)"]),
        "{:?}",
        t.warnings
    );
    // Mostly words: categorical, and the numbers are kept as their text.
    let t = mem(b"size\nS\nM\nL\nXL\n2\nM\n").expect("load");
    assert_eq!(kind(&t, "size"), ColumnKind::Categorical);
    assert_eq!(texts(&t, "size"), ["S", "M", "L", "XL", "2", "M"]);
}

#[test]
fn dates_in_mixed_formats() {
    let t = ok("mixed_dates.csv");
    assert_eq!(kind(&t, "joined"), ColumnKind::Date);
    assert_eq!(
        texts(&t, "joined"),
        ["2024-01-05", "2024-01-13", "", "2024-02-01", "2024-03-09"]
    );
    assert!(
        has_warning(&t, &["'joined'", "mixes date formats", "MM/DD/YYYY"]),
        "{:?}",
        t.warnings
    );
    let s = summarize(t.column("joined").expect("joined"));
    assert_eq!((s.count, s.missing), (4, 1));
}

#[test]
fn ambiguous_slash_dates_stay_text_with_a_warning() {
    let t = ok("ambiguous_dates.csv");
    assert_ne!(kind(&t, "joined"), ColumnKind::Date);
    assert_eq!(
        texts(&t, "joined"),
        ["01/02/2024", "03/04/2024", "05/06/2024"]
    );
    assert!(
        has_warning(&t, &["'joined'", "cannot be told"]),
        "{:?}",
        t.warnings
    );
}

#[test]
fn crlf_line_endings() {
    let t = ok("crlf.csv");
    assert_eq!(t.names(), ["name", "spend", "region"]);
    assert_eq!(texts(&t, "region"), ["North", "South", "North"]);
    let v = nums(&t, "spend");
    assert_eq!((v[0], v[1]), (1.5, 2.0));
    assert!(v[2].is_nan());
    let lines: Vec<u64> = (0..3).map(|r| t.line_of_row(r)).collect();
    assert_eq!(lines, [2, 3, 4]);
}

#[test]
fn quoted_fields_with_newlines_and_delimiters() {
    let t = ok("quoted_multiline.csv");
    assert_eq!(t.delimiter, b',');
    assert_eq!(t.n_rows(), 3);
    assert_eq!(texts(&t, "note"), ["a, b\nand \"c\"", "x|y;z", "plain"]);
    assert_eq!(nums(&t, "spend"), [10.0, 20.0, 30.0]);
    assert_eq!(t.row_lines, [2, 4, 5]);
}

#[test]
fn none_is_missing_in_numbers_but_a_level_in_categories() {
    let t = ok("none_cells.csv");
    let spend = t.column("spend").expect("spend");
    assert_eq!(spend.kind(), ColumnKind::Numeric);
    assert_eq!(spend.invalid, 0);
    let s = summarize(spend);
    assert_eq!((s.count, s.missing, s.invalid), (4, 1, 0));
    match &t.column("airbags").expect("airbags").data {
        ColumnData::Categorical { levels, codes } => {
            assert_eq!(levels, &["Both", "Driver", "None"]);
            assert_eq!(codes, &[2, 1, 0, 2, 1]);
        }
        other => panic!("airbags: {other:?}"),
    }
}

#[test]
fn a_column_of_only_none_is_categorical() {
    // pandas keeps it as text: there is no number in it to make it numeric.
    let t = mem(b"id,x\n1,None\n2,\n3,None\n").expect("load");
    assert_eq!(kind(&t, "x"), ColumnKind::Categorical);
    assert_eq!(texts(&t, "x"), ["None", "", "None"]);
}

#[test]
fn whitespace_padded_numbers() {
    let t = ok("padded_numbers.csv");
    assert_eq!(kind(&t, "spend"), ColumnKind::Numeric);
    assert_eq!(nums(&t, "spend"), [10.0, 20.0, 30.0, 45.0]);
    assert_eq!(t.column("spend").map(|c| c.invalid), Some(0));
}

#[test]
fn missing_tokens_in_any_case() {
    let t = mem(b"x,g\n1,a\nNA,n/a\nnull,NULL\n?,?\n N/A ,b\nnan,Na\n2,a\n").expect("load");
    assert_eq!(kind(&t, "x"), ColumnKind::Numeric);
    let s = summarize(t.column("x").expect("x"));
    assert_eq!((s.count, s.missing, s.invalid), (2, 5, 0));
    let s = summarize(t.column("g").expect("g"));
    assert_eq!((s.count, s.missing, s.distinct), (3, 4, 2));
}

// ---------------------------------------------------------------------------------- cancellation

#[test]
fn cancelled_before_loading() {
    let mut text = b"id,spend,region\n".to_vec();
    for i in 0..200_000 {
        text.extend_from_slice(format!("c{i},{}.5,r{}\n", i % 977, i % 5).as_bytes());
    }
    let progress = Progress::new();
    progress.cancel();
    let r = load_bytes(text.clone(), "big.csv", &LoadOptions::default(), &progress);
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    let r = load_reader(
        text.as_slice(),
        "big.csv",
        &LoadOptions::default(),
        &progress,
    );
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    // The same input loads when nobody cancels.
    let t = load_bytes(text, "big.csv", &LoadOptions::default(), &Progress::new()).expect("load");
    assert_eq!(t.n_rows(), 200_000);
}

#[test]
fn cancelled_while_loading_stops_cleanly() {
    let mut text = b"id,spend\n".to_vec();
    for i in 0..2_000_000 {
        text.extend_from_slice(format!("{i},{}\n", i % 1000).as_bytes());
    }
    let progress = Arc::new(Progress::new());
    let p = Arc::clone(&progress);
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(5));
        p.cancel();
    });
    let r = load_bytes(text, "big.csv", &LoadOptions::default(), &progress);
    canceller.join().expect("join");
    // Either it finished first or it stopped: never a panic or a partial table.
    match r {
        Ok(t) => assert_eq!(t.n_rows(), 2_000_000),
        Err(e) => assert!(matches!(e, Error::Cancelled), "{e:?}"),
    }
}

// ------------------------------------------------------------------- large files (parsed in chunks)

/// A file of a few MB (big enough to be parsed in parallel chunks), with a multi-line quoted field near
/// the start so that line numbers and record numbers differ.
fn big_text(rows: usize, crlf: bool) -> Vec<u8> {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut s = format!("id,note,spend,tier{nl}");
    write!(s, "0,\"two{nl}lines, quoted\",1.5,gold{nl}").unwrap();
    for i in 1..rows {
        write!(
            s,
            "{i},n{},{}.25,{}{nl}",
            i % 50,
            i % 1000,
            ["gold", "silver"][i % 2]
        )
        .unwrap();
    }
    s.into_bytes()
}

#[test]
fn big_file_line_numbers_survive_chunked_parsing() {
    for crlf in [false, true] {
        let rows = 200_000;
        let t = mem(&big_text(rows, crlf)).expect("big file");
        assert_eq!(t.n_rows(), rows);
        // Header on line 1, row 0 on lines 2-3, row i on line i + 3.
        assert_eq!(t.row_lines[0], 2, "crlf={crlf}");
        for i in [1, 2, 77_777, 123_456, rows - 1] {
            assert_eq!(t.line_of_row(i), i as u64 + 3, "row {i}, crlf={crlf}");
        }
        assert_eq!(
            t.column("note").map(|c| c.data.display(1)),
            Some("n1".into())
        );
        assert_eq!(
            nums(&t, "spend")[rows - 1],
            ((rows - 1) % 1000) as f64 + 0.25
        );
        assert_eq!(texts(&t, "tier")[rows - 1], "silver");
        assert_eq!(texts(&t, "tier")[rows - 2], "gold");
    }
}

#[test]
fn big_file_ragged_row_deep_inside_names_its_line() {
    let mut text = big_text(200_000, false);
    // Cut a field from the record on line 150,003 (row 150,000).
    let needle = b"\n150000,n0,0.25,gold\n";
    let at = text
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("row 150000");
    text.splice(
        at + 1..at + needle.len() - 1,
        b"150000,n0,0.25".iter().copied(),
    );
    let e = mem(&text).unwrap_err();
    assert!(matches!(e, Error::Csv { line: 150_003, .. }), "{e:?}");
    assert!(e.to_string().starts_with("mem.csv: line 150003: "), "{e}");
}

#[test]
fn big_file_words_late_in_a_numeric_column() {
    // The last chunk holds words: too many for a numeric column, so the whole column becomes categorical
    // with every row's own text.
    let mut s = String::from("id,size\n");
    for i in 0..300_000 {
        if i < 250_000 {
            writeln!(s, "{i},{}", i % 5).unwrap();
        } else {
            writeln!(s, "{i},{}", ["S", "M", "L"][i % 3]).unwrap();
        }
    }
    let t = mem(s.as_bytes()).expect("load");
    assert_eq!(kind(&t, "size"), ColumnKind::Categorical);
    let v = texts(&t, "size");
    assert_eq!((v[0].as_str(), v[4].as_str()), ("0", "4"));
    assert_eq!(v[250_000], ["S", "M", "L"][250_000 % 3]);
    assert_eq!(v[299_999], ["S", "M", "L"][299_999 % 3]);
    // A few stray words late in a numeric column: numeric, invalid examples at the right lines.
    let mut s = String::from("id,visits\n");
    for i in 0..300_000 {
        if i == 123_456 || i == 299_998 {
            writeln!(s, "{i},unknown").unwrap();
        } else {
            writeln!(s, "{i},{}", i % 40).unwrap();
        }
    }
    let t = mem(s.as_bytes()).expect("load");
    let c = t.column("visits").expect("visits");
    assert_eq!((c.kind(), c.invalid), (ColumnKind::Numeric, 2));
    assert_eq!(
        c.invalid_examples,
        [
            (123_458, "unknown".to_owned()),
            (300_000, "unknown".to_owned())
        ]
    );
}

#[test]
fn big_latin1_file_names_the_line_of_the_first_bad_byte() {
    let mut text = b"name,city\n".to_vec();
    for i in 0..200_000 {
        text.extend_from_slice(format!("p{i},Paris\n").as_bytes());
    }
    text.extend_from_slice(b"last,caf\xe9\n");
    let t = mem(&text).expect("load");
    assert_eq!(texts(&t, "city")[200_000], "café");
    assert!(
        has_warning(&t, &["Latin-1", "line 200002"]),
        "{:?}",
        t.warnings
    );
}

#[test]
fn tiny_odd_inputs_never_panic() {
    let cases: [&[u8]; 22] = [
        b"\xEF\xBB\xBF",
        b"\xFF\xFE",
        b"\xFE\xFF",
        b"\xFF\xFEa",
        b"\xFF\xFE\x00\xD8",
        b"\"",
        b"\"\"",
        b",",
        b",\n,",
        b"a\n\"",
        b"\"a\"\"",
        b"a,b\r",
        b"a,b\r1,2\r",
        b"\r\n\r\n",
        b"\x0C",
        b"a\x00b",
        b"\x00",
        b"\x80",
        b"a\n\xff\n",
        b"NA,NA\nNA,NA\n",
        b"1\n",
        b";;;\n;;;\n",
    ];
    for bytes in cases {
        match mem(bytes) {
            Ok(t) => {
                assert!(t.n_cols() > 0 && t.n_rows() > 0, "{bytes:?}");
                for c in &t.columns {
                    assert_eq!(c.data.len(), t.n_rows(), "{bytes:?}");
                    let _ = summarize(c);
                }
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.starts_with("mem.csv: "), "{bytes:?}: {msg}");
            }
        }
    }
}
