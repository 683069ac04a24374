//! Property test of the whole CLI on hostile input: valid CSVs mutated (byte flips, truncations, inserted
//! quotes, delimiters, newlines, NULs and invalid UTF-8) and run through `inspect`, `prepare`, `sweep` and
//! `cluster`. Whatever the bytes, the run ends with exit 0 or a clear error (exit 1 or 2, `error:` on
//! stderr), never a panic or an abort; no temp file is left; a failed run leaves no output; the input is
//! unchanged.
//!
//! A few hundred cases run in `cargo test`; `SEGSCOPE_FUZZ_CASES=20000 cargo test --release --test fuzz_csv`
//! is the long run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A mutation of the input bytes.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the byte at this (relative) position.
    Flip(f64, u8),
    /// Cut the file at this (relative) position.
    Truncate(f64),
    /// Insert one of the characters CSV parsers trip on.
    Insert(f64, &'static [u8]),
    /// Remove a byte.
    Delete(f64),
}

const NASTY: [&[u8]; 12] = [
    b"\"",
    b",",
    b"\n",
    b"\r",
    b"\r\n",
    b";",
    b"\t",
    b"\0",
    b"\xff\xfe",
    b"\"\"",
    b"1e308",
    b"NaN",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0f64, any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (0.0..1.0f64).prop_map(Mutation::Truncate),
        (0.0..1.0f64, 0..NASTY.len()).prop_map(|(p, i)| Mutation::Insert(p, NASTY[i])),
        (0.0..1.0f64).prop_map(Mutation::Delete),
    ]
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let at = |p: f64, len: usize| ((p * len as f64) as usize).min(len);
        match *m {
            Mutation::Flip(p, b) if !bytes.is_empty() => {
                let i = at(p, bytes.len() - 1);
                bytes[i] = b;
            }
            Mutation::Truncate(p) => bytes.truncate(at(p, bytes.len())),
            Mutation::Insert(p, s) => {
                let i = at(p, bytes.len());
                bytes.splice(i..i, s.iter().copied());
            }
            Mutation::Delete(p) if !bytes.is_empty() => {
                bytes.remove(at(p, bytes.len() - 1));
            }
            _ => {}
        }
    }
    bytes
}

/// Valid seed files: the sample's first rows (ID, numeric, categorical), a quoted file with missing
/// values and semicolons, and a tiny numeric one.
fn seeds() -> Vec<Vec<u8>> {
    let sample = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample_customers.csv"),
    )
    .unwrap();
    let mut head = String::new();
    for l in sample.lines().take(40) {
        head.push_str(l);
        head.push('\n');
    }
    let quoted = "name;spend;visits;city\n\"Smith, J\";12,5;3;\"Paris\"\n\"O\"\"Brien\";;7;Rome\n\
                  Ann;40;NA;\"New\nYork\"\nBo;3,25;1;Rome\nCy;18;2;Paris\nDi;22;5;Rome\n";
    let tiny = "a,b\n1,2\n3,4\n5,6\n7,9\n2,2\n8,1\n";
    vec![
        head.into_bytes(),
        quoted.as_bytes().to_vec(),
        tiny.as_bytes().to_vec(),
    ]
}

const COMMANDS: [&[&str]; 4] = [
    &["inspect", "IN", "--json"],
    &["prepare", "IN", "-o", "OUT"],
    &["sweep", "IN", "--k", "2..3", "--n-init", "1"],
    &[
        "cluster",
        "IN",
        "--k",
        "2",
        "--n-init",
        "1",
        "-o",
        "OUT",
        "--profile",
        "PROF",
    ],
];

fn run_case(seed: usize, muts: &[Mutation], cmd: usize) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let bytes = apply(seeds()[seed].clone(), muts);
    std::fs::write(&input, &bytes).unwrap();
    let out = dir.path().join("out.csv");
    let prof = dir.path().join("prof.csv");
    let args: Vec<String> = COMMANDS[cmd]
        .iter()
        .map(|a| match *a {
            "IN" => input.display().to_string(),
            "OUT" => out.display().to_string(),
            "PROF" => prof.display().to_string(),
            s => s.to_string(),
        })
        .collect();
    let o = Command::new(env!("CARGO_BIN_EXE_segscope"))
        .arg("--quiet")
        .args(&args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let code = o.status.code();
    prop_assert!(
        matches!(code, Some(0..=2)),
        "{args:?}: exit {code:?} (a signal or panic)\n{stderr}\ninput: {:?}",
        String::from_utf8_lossy(&bytes)
    );
    prop_assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    if code != Some(0) {
        prop_assert!(
            stderr.contains("error"),
            "{args:?}: failure without an error message: {stderr}"
        );
        prop_assert!(
            !out.exists() && !prof.exists(),
            "{args:?}: a failed run left an output"
        );
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.contains("segscope-tmp"))
        .collect();
    prop_assert!(left.is_empty(), "{args:?}: temp files left: {left:?}");
    prop_assert_eq!(std::fs::read(&input).unwrap(), bytes, "input changed");
    Ok(())
}

#[test]
fn mutated_csvs_never_panic_lose_data_or_leave_temp_files() {
    let cases = std::env::var("SEGSCOPE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(240);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        0..seeds().len(),
        proptest::collection::vec(mutation(), 1..6),
        0..COMMANDS.len(),
    );
    runner
        .run(&strategy, |(seed, muts, cmd)| run_case(seed, &muts, cmd))
        .unwrap();
}
