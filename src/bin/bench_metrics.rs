//! Benchmark: exact silhouette on 50,000 × 10 generated rows with 8 segments, against scikit-learn's
//! `silhouette_score` on the same file in the same run.
//!
//! `cargo run --release --no-default-features --bin bench_metrics`. Writes the data (seeded blobs, values
//! printed in shortest round-trip form, so Python reads exactly the same numbers) to
//! /tmp/segscope_bench/sil_50k.csv with columns `x0..x9,label`, times segscope (best of 3), then runs
//! scripts/peers_metrics.py on the file and prints both timings (wall and process CPU), both scores and the
//! ratios.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use ndarray::Array2;
use segscope::jobs::Progress;
use segscope::metrics::{silhouette_many, silhouette_score};
use segscope::rng::Rng;

const PATH: &str = "/tmp/segscope_bench/sil_50k.csv";
const N: usize = 50_000;
const D: usize = 10;
const K: usize = 8;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (x, labels) = generate();
    write_csv(Path::new(PATH), &x, &labels)?;
    let progress = Progress::new();
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut score = f64::NAN;
    for _ in 0..3 {
        let (t, c) = (Instant::now(), cpu_seconds());
        score = silhouette_score(x.view(), &labels, &progress)?;
        best = best.min(t.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_seconds() - c);
    }
    // Three labellings in one distance pass (what the K sweep does).
    let l2: Vec<usize> = labels.iter().map(|l| l % 2).collect();
    let l4: Vec<usize> = labels.iter().map(|l| l % 4).collect();
    let t = Instant::now();
    let many = silhouette_many(x.view(), &[&labels, &l4, &l2], &progress)?;
    let many_secs = t.elapsed().as_secs_f64();

    println!("file={PATH}");
    println!(
        "rows={N} cols={D} k={K} threads={}",
        rayon::current_num_threads()
    );
    println!("segscope_silhouette={score:.15}");
    println!("segscope_silhouette_seconds={best:.3}");
    println!("segscope_silhouette_cpu_seconds={best_cpu:.3}");
    println!(
        "segscope_silhouette_many_3_labellings_seconds={many_secs:.3} (k=8 score {:.15})",
        many[0]
    );
    match sklearn(Path::new(PATH)) {
        Some((secs, cpu, value)) => {
            println!("sklearn_silhouette={value:.15}");
            println!("sklearn_silhouette_seconds={secs:.3}");
            println!("sklearn_silhouette_cpu_seconds={cpu:.3}");
            println!("abs_diff_vs_sklearn={:e}", (score - value).abs());
            println!("ratio_segscope_to_sklearn={:.3}", best / secs);
            println!("ratio_cpu_segscope_to_sklearn={:.3}", best_cpu / cpu);
        }
        None => {
            println!("sklearn: not measured (python3 with scikit-learn and pandas not available)");
        }
    }
    Ok(())
}

/// Seeded blobs: 8 centres in a 10-D box of side 6, unit normal noise, labels drawn uniformly.
fn generate() -> (Array2<f64>, Vec<usize>) {
    let mut rng = Rng::new(2024);
    let centres: Vec<f64> = (0..K * D).map(|_| rng.uniform() * 6.0).collect();
    let labels: Vec<usize> = (0..N).map(|_| rng.below(K)).collect();
    let x = Array2::from_shape_fn((N, D), |(i, j)| centres[labels[i] * D + j] + rng.normal());
    (x, labels)
}

fn write_csv(path: &Path, x: &Array2<f64>, labels: &[usize]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("csv.tmp");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    let header: Vec<String> = (0..D).map(|j| format!("x{j}")).collect();
    writeln!(w, "{},label", header.join(","))?;
    for (row, l) in x.rows().into_iter().zip(labels) {
        for v in row {
            // `{}` prints the shortest text that parses back to the same f64.
            write!(w, "{v},")?;
        }
        writeln!(w, "{l}")?;
    }
    w.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?
        .sync_all()?;
    std::fs::rename(tmp, path)
}

/// CPU time (user + system, all threads) of this process so far, from /proc/self/stat (Linux; 0 elsewhere).
/// Reported next to wall time because a shared machine's load moves wall time a lot.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Clock ticks are 100 per second on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// Runs the peer script; `(wall seconds, cpu seconds, score)`.
fn sklearn(path: &Path) -> Option<(f64, f64, f64)> {
    let out = Command::new("python3")
        .arg("scripts/peers_metrics.py")
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    Some((
        field("sklearn_silhouette_seconds=")?,
        field("sklearn_silhouette_cpu_seconds=")?,
        field("sklearn_silhouette=")?,
    ))
}
