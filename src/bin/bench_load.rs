//! Benchmark: CSV loading against pandas `read_csv` on the same files, in the same run.
//!
//! `cargo run --release --no-default-features --bin bench_load [-- FILE]`. Without FILE it runs two cases:
//! - `numeric`: /tmp/segscope_bench/load_1m_x10.csv, 1M × 10 floats (made by scripts/bench_load.py, or by
//!   this program when Python is missing);
//! - `mixed`: /tmp/segscope_bench/load_1m_mixed.csv, the data rows of assets/sample_customers.csv repeated
//!   to 1M rows (ids, categoricals with missing cells, integers, floats).
//!
//! For each it prints the best of 4 timings, pandas' best of 3 (scripts/bench_load.py), their ratio, and
//! the peak RSS of a child process that only loads the file, next to the bytes of the loaded columns.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use segscope::data::{ColumnData, LoadOptions, Table, load_path};
use segscope::jobs::Progress;

const NUMERIC: &str = "/tmp/segscope_bench/load_1m_x10.csv";
const MIXED: &str = "/tmp/segscope_bench/load_1m_mixed.csv";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--rss-child") {
        return rss_child(Path::new(args.get(1).map_or(NUMERIC, String::as_str)));
    }
    let cases: Vec<(String, PathBuf)> = match args.first() {
        Some(f) => vec![("file".into(), PathBuf::from(f))],
        None => vec![
            ("numeric".into(), PathBuf::from(NUMERIC)),
            ("mixed".into(), PathBuf::from(MIXED)),
        ],
    };
    println!(
        "threads={} load_average={}",
        rayon::current_num_threads(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for (case, path) in cases {
        if case == "mixed" && !path.exists() {
            generate_mixed(&path)?;
        }
        // pandas first: its script generates the default numeric file when absent.
        let pandas = pandas_seconds(&path);
        if !path.exists() {
            generate_numeric(&path)?;
        }
        let mut best = f64::INFINITY;
        let mut shape = (0, 0);
        for _ in 0..4 {
            let t = Instant::now();
            let table = load_path(&path, &LoadOptions::default(), &Progress::new())?;
            best = best.min(t.elapsed().as_secs_f64());
            shape = (table.n_rows(), table.n_cols());
        }
        println!(
            "[{case}] file={} bytes={}",
            path.display(),
            std::fs::metadata(&path)?.len()
        );
        println!("[{case}] rows={} cols={}", shape.0, shape.1);
        println!("[{case}] segscope_load_seconds={best:.3}");
        match pandas {
            Some(p) => println!(
                "[{case}] pandas_read_csv_seconds={p:.3}\n[{case}] ratio_segscope_to_pandas={:.2}",
                best / p
            ),
            None => println!("[{case}] pandas: not measured (python3 with pandas not available)"),
        }
        let out = Command::new(std::env::current_exe()?)
            .arg("--rss-child")
            .arg(&path)
            .output()?;
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            println!("[{case}] {line}");
        }
    }
    Ok(())
}

/// Loads once and prints the peak RSS next to the table's column bytes.
fn rss_child(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let before = vm_hwm_kib();
    let table = load_path(path, &LoadOptions::default(), &Progress::new())?;
    let peak = vm_hwm_kib();
    let data = column_bytes(&table);
    let mib = |b: f64| b / f64::from(1 << 20);
    println!("rss_before_load_mib={:.1}", mib(before * 1024.0));
    println!("peak_rss_mib={:.1}", mib(peak * 1024.0));
    println!("column_data_mib={:.1}", mib(data as f64));
    println!("peak_rss_to_column_data={:.2}", peak * 1024.0 / data as f64);
    Ok(())
}

/// Bytes of the loaded columns (values, codes, levels, row lines).
fn column_bytes(t: &Table) -> u64 {
    let n = t.n_rows() as u64;
    let cols: u64 = t
        .columns
        .iter()
        .map(|c| match &c.data {
            ColumnData::Numeric(_) | ColumnData::Date(_) => 8 * n,
            ColumnData::Categorical { levels, .. } | ColumnData::Text { levels, .. } => {
                4 * n + levels.iter().map(|l| l.len() as u64 + 24).sum::<u64>()
            }
        })
        .sum();
    cols + 8 * t.row_lines.len() as u64
}

fn vm_hwm_kib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0.0)
}

fn pandas_seconds(path: &Path) -> Option<f64> {
    let mut cmd = Command::new("python3");
    cmd.arg("scripts/bench_load.py");
    // Without an argument the script makes the default numeric file when it is absent.
    if path != Path::new(NUMERIC) {
        cmd.arg(path);
    }
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("pandas_read_csv_seconds="))
        .and_then(|v| v.trim().parse().ok())
}

/// The sample's data rows, repeated to 1M rows.
fn generate_mixed(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let sample = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample_customers.csv"),
    )?;
    let mut lines = sample.lines();
    let header = lines.next().unwrap_or_default();
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "{header}")?;
    for i in 0..1_000_000 {
        writeln!(w, "{}", rows[i % rows.len()])?;
    }
    w.flush()
}

/// Fallback generator (no Python): 1M rows of 10 pseudo-random floats.
fn generate_numeric(path: &Path) -> std::io::Result<()> {
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
