//! Bounded reading and sampling. Endless or huge inputs (an endless stream on standard input, /dev/zero,
//! /dev/urandom, a line of a million commas, a file bigger than the memory limit) must stop with a clear
//! error and exit 1 — run in a child `segscope inspect` under a bounded address space (`ulimit -v`), so a
//! loader that grows without bound aborts (exit 134) instead of passing. A small `SEGSCOPE_MEMORY_LIMIT`
//! makes the limit reachable fast. Then: a uniform random sample of a generated file has the requested size,
//! is reproducible for a seed, and its means are within sampling error of the file's.

// Helpers outside #[test] functions may panic with a message too: a failed expectation is a test failure.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use segscope::data::{
    LoadOptions, Sample, Source, estimate_path, load_path, load_reader, spool_path,
};
use segscope::jobs::Progress;

/// Address space of the child: far below what an unbounded loader reaches, far above what a bounded one
/// needs.
const ADDRESS_SPACE_KIB: u64 = 1 << 20;

fn segscope() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("segscope")
}

/// `segscope inspect FILE` under `ulimit -v` with a memory limit of `limit`; `stdin_line` is written to its
/// standard input over and over until it stops reading.
fn inspect_bounded(file: &str, limit: &str, stdin_line: Option<&'static [u8]>) -> Output {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(segscope())
        .args(["inspect", file])
        .env("SEGSCOPE_MEMORY_LIMIT", limit)
        .stdin(if stdin_line.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start segscope");
    let writer = stdin_line.map(|line| {
        let mut stdin = child.stdin.take().expect("stdin");
        std::thread::spawn(move || {
            let chunk: Vec<u8> = line
                .iter()
                .copied()
                .cycle()
                .take(line.len() * 10_000)
                .collect();
            // Until the child stops reading (a broken pipe), or 2 GB at most.
            for _ in 0..(2u64 << 30) / chunk.len() as u64 {
                if stdin.write_all(&chunk).is_err() {
                    break;
                }
            }
        })
    });
    let out = child.wait_with_output().expect("wait");
    if let Some(w) = writer {
        w.join().expect("writer");
    }
    out
}

/// Exit 1 (never an abort) and a message with every part.
fn assert_clean_error(out: &Output, parts: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "status {:?}, stderr: {stderr}",
        out.status
    );
    for p in parts {
        assert!(stderr.contains(p), "'{p}' missing from: {stderr}");
    }
}

#[test]
fn an_endless_stream_on_standard_input_stops_at_the_memory_limit() {
    let out = inspect_bounded("-", "64M", Some(b"1,2,3\n"));
    assert_clean_error(
        &out,
        &["<stdin>", "memory limit", "a sample", "rows so far"],
    );
}

#[test]
fn dev_zero_and_dev_urandom_are_refused_early() {
    for dev in ["/dev/zero", "/dev/urandom"] {
        if !Path::new(dev).exists() {
            continue;
        }
        let out = inspect_bounded(dev, "64M", None);
        assert_clean_error(&out, &[dev, "binary"]);
    }
}

#[test]
fn a_line_of_a_million_commas_is_refused_with_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("commas.csv");
    let mut text = vec![b','; 1 << 20];
    text.push(b'\n');
    std::fs::write(&path, &text).unwrap();
    let out = inspect_bounded(path.to_str().unwrap(), "64M", None);
    assert_clean_error(&out, &["commas.csv", "line 1", "columns", "delimiter"]);
    // Wide but allowed: 50,000 columns under a 64 MiB limit load (builders are cheap until they hold data).
    let header: Vec<String> = (0..50_000).map(|j| format!("c{j}")).collect();
    let row: Vec<String> = (0..50_000).map(|j| (j % 97).to_string()).collect();
    let wide = format!(
        "{}\n{}\n{}\n",
        header.join(","),
        row.join(","),
        row.join(",")
    );
    let path = dir.path().join("wide.csv");
    std::fs::write(&path, wide).unwrap();
    let out = inspect_bounded(path.to_str().unwrap(), "256M", None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A numeric CSV of `rows` rows: `i`, a skewed value and a category.
fn generated(rows: usize) -> String {
    let mut s = String::from("i,x,g\n");
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for i in 0..rows {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let u = (state >> 11) as f64 / (1u64 << 53) as f64;
        // Exponential with a trend along the file, so that a sample of the head alone would be biased.
        let x = -(1.0 - u).ln() * (1.0 + 3.0 * i as f64 / rows as f64);
        writeln!(s, "{i},{x:.6},{}", ["a", "b", "c"][i % 3]).unwrap();
    }
    s
}

#[test]
fn a_file_bigger_than_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, generated(1_000_000)).unwrap();
    let out = inspect_bounded(path.to_str().unwrap(), "16M", None);
    assert_clean_error(
        &out,
        &[
            "big.csv",
            "rows × 3 columns",
            "memory limit is 16.0 MiB",
            "a sample",
        ],
    );
}

#[test]
fn a_sample_is_uniform_reproducible_and_the_right_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.csv");
    let n = 300_000;
    std::fs::write(&path, generated(n)).unwrap();
    let full = load_path(&path, &LoadOptions::default(), &Progress::new()).unwrap();
    assert!(full.sampled.is_none());
    let k = 4000;
    let opts = |seed| LoadOptions {
        sample: Some(Sample { rows: k, seed }),
        ..LoadOptions::default()
    };
    let a = load_path(&path, &opts(11), &Progress::new()).unwrap();
    let b = load_path(&path, &opts(11), &Progress::new()).unwrap();
    let c = load_path(&path, &opts(12), &Progress::new()).unwrap();
    assert_eq!(a.n_rows(), k);
    assert_eq!(a, b, "same seed, same sample");
    assert_ne!(a.sampled, c.sampled, "another seed, another sample");
    let info = a.sampled.clone().unwrap();
    assert_eq!((info.rows_in_file, info.seed), (n as u64, 11));
    assert!(info.file_rows.windows(2).all(|w| w[0] < w[1]), "file order");
    // Each kept row is the file's row it claims to be, on its line.
    let i = a.column("i").unwrap().as_numeric().unwrap();
    for (r, &file_row) in info.file_rows.iter().enumerate() {
        assert_eq!(i[r], file_row as f64);
        assert_eq!(a.line_of_row(r), file_row + 2);
        assert_eq!(a.file_row(r), file_row);
    }
    assert_eq!(a.source, Source::Path(path.clone()));
    // Means within 4 standard errors (finite-population corrected) of the file's.
    for name in ["i", "x"] {
        let all = full.column(name).unwrap().as_numeric().unwrap();
        let s = a.column(name).unwrap().as_numeric().unwrap();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (mu, m) = (mean(all), mean(s));
        let var = all.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se = (var / k as f64 * (1.0 - k as f64 / n as f64)).sqrt();
        assert!(
            (m - mu).abs() < 4.0 * se,
            "{name}: sample mean {m}, file mean {mu}, se {se}"
        );
    }
    assert_eq!(
        a.column("g").map(segscope::data::Column::kind),
        full.column("g").map(segscope::data::Column::kind)
    );
    // A sample as big as the file is the file.
    let all = load_path(
        &path,
        &LoadOptions {
            sample: Some(Sample { rows: n, seed: 1 }),
            ..LoadOptions::default()
        },
        &Progress::new(),
    )
    .unwrap();
    assert!(all.sampled.is_none());
    assert_eq!(all.columns, full.columns);
}

#[test]
fn a_sample_of_standard_input_is_spooled_and_the_estimate_is_close() {
    let text = generated(100_000);
    let opts = LoadOptions {
        sample: Some(Sample { rows: 500, seed: 5 }),
        ..LoadOptions::default()
    };
    let t = load_reader(text.as_bytes(), "<stdin>", &opts, &Progress::new()).unwrap();
    assert_eq!(t.n_rows(), 500);
    assert!(matches!(t.source, Source::Spool(_)));
    // Over the in-memory part of the spool, the rest is in a temporary file removed with the table.
    let big = generated(2_500_000);
    let t = load_reader(big.as_bytes(), "<stdin>", &opts, &Progress::new()).unwrap();
    let spooled = spool_path(&t.source)
        .map(Path::to_path_buf)
        .expect("a temporary file");
    assert!(spooled.is_file());
    drop(t);
    assert!(
        !spooled.exists(),
        "the spool file is removed with the table"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.csv");
    std::fs::write(&path, &big).unwrap();
    let e = estimate_path(&path, &LoadOptions::default()).unwrap();
    assert!(!e.exact);
    assert_eq!((e.file_bytes, e.columns), (big.len() as u64, 3));
    // From the first MiB: its rows are shorter than the file's average (`i` has fewer digits there), so
    // the estimate is a little high; within 20% is what a head can tell.
    let off = (e.rows as f64 - 2.5e6).abs() / 2.5e6;
    assert!(off < 0.2, "estimated {} rows for 2.5M", e.rows);
    assert!(e.memory_bytes > 2_500_000 * 20, "{}", e.memory_bytes);
    assert!(e.suggested_sample_rows >= 1);
}
