//! Benchmark: load a 1M × 10 numeric CSV and compare with pandas `read_csv` on the same file, same run.
//!
//! `cargo run --release --no-default-features --bin bench_load [-- FILE]`. Without FILE it uses (and
//! generates with scripts/bench_load.py, or itself when Python is missing)
//! /tmp/segscope_bench/load_1m_x10.csv. Prints the best of 3 timings and the ratio to pandas.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use segscope::data::{LoadOptions, load_path};
use segscope::jobs::Progress;

const DEFAULT: &str = "/tmp/segscope_bench/load_1m_x10.csv";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from(DEFAULT), PathBuf::from);
    // pandas first: its script generates the default file when absent.
    let pandas = pandas_seconds(&path);
    if !path.exists() {
        generate(&path)?;
    }
    let mut best = f64::INFINITY;
    let mut shape = (0, 0);
    for _ in 0..4 {
        let t = Instant::now();
        let table = load_path(&path, &LoadOptions::default(), &Progress::new())?;
        best = best.min(t.elapsed().as_secs_f64());
        shape = (table.n_rows(), table.n_cols());
    }
    println!("file={}", path.display());
    println!("rows={} cols={}", shape.0, shape.1);
    println!("segscope_load_seconds={best:.3}");
    match pandas {
        Some(p) => println!(
            "pandas_read_csv_seconds={p:.3}\nratio_segscope_to_pandas={:.2}",
            best / p
        ),
        None => println!("pandas: not measured (python3 with pandas not available)"),
    }
    Ok(())
}

fn pandas_seconds(path: &Path) -> Option<f64> {
    let out = Command::new("python3")
        .arg("scripts/bench_load.py")
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("pandas_read_csv_seconds="))
        .and_then(|v| v.trim().parse().ok())
}

/// Fallback generator (no Python): 1M rows of 10 pseudo-random floats.
fn generate(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "x0,x1,x2,x3,x4,x5,x6,x7,x8,x9")?;
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..1_000_000 {
        for j in 0..10 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let v = (s >> 11) as f64 / (1u64 << 53) as f64 * 2000.0 - 700.0;
            let sep = if j == 9 { "\n" } else { "," };
            write!(w, "{v:.4}{sep}")?;
        }
    }
    w.flush()
}
