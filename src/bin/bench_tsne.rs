//! Benchmark of segscope's t-SNE against scikit-learn's `TSNE(init="pca")` in the same run.
//!
//! ```text
//! cargo build --release --no-default-features --bin bench_tsne
//! /work/targets/.../release/bench_tsne [--n 20000] [--d 10] [--no-peer] [--threads-1]
//! ```
//!
//! Generates seeded Gaussian blobs (12 centres drawn from N(0, 4²) per feature, unit noise; [`Rng`]),
//! writes them to `/tmp/segscope_bench/tsne_<n>x<d>.csv` in shortest round-trip form (so numpy reads the
//! same f64s), times segscope's [`tsne`] in-process on rayon's global pool (and with `--threads-1` also in
//! a one-thread pool), then runs sklearn `TSNE(n_components=2, init="pca", random_state=0,
//! perplexity=30)` in a `python3` child right after it on the same file (only `fit_transform` is timed;
//! its OpenMP gradient uses every core, as ours does), reads sklearn's map back and scores both maps
//! with [`trustworthiness`] (k = 10; equal to sklearn's function on tie-free data, see
//! tests/tsne_fidelity.rs). Prints one Markdown table row per measurement and the ratio.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use ndarray::Array2;
use segscope::jobs::Progress;
use segscope::metrics::trustworthiness;
use segscope::reduce::{TsneParams, tsne};
use segscope::rng::Rng;

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

const DIR: &str = "/tmp/segscope_bench";

const PEER: &str = r#"
import sys, time, os
import numpy as np
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_info
x = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
t0 = time.perf_counter()
y = TSNE(n_components=2, init="pca", random_state=0, perplexity=30).fit_transform(x)
secs = time.perf_counter() - t0
np.savetxt(sys.argv[2], y, delimiter=",", header="x,y", comments="", fmt="%.17g")
import sklearn
print(f"secs={secs}")
print(f"sklearn={sklearn.__version__}")
print("pools=" + ";".join(f"{p['internal_api']}:{p['num_threads']}" for p in threadpool_info()))
"#;

fn blobs(n: usize, d: usize) -> Array2<f64> {
    let mut r = Rng::new(42);
    let centres = Array2::from_shape_fn((12, d), |_| 4.0 * r.normal());
    Array2::from_shape_fn((n, d), |(i, j)| centres[[i % 12, j]] + r.normal())
}

fn write_csv(x: &Array2<f64>, path: &Path) -> BoxResult<()> {
    let mut s = String::new();
    let header: Vec<String> = (0..x.ncols()).map(|j| format!("x{j}")).collect();
    s.push_str(&header.join(","));
    s.push('\n');
    for row in x.rows() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    std::fs::File::create(path)?.write_all(s.as_bytes())?;
    Ok(())
}

fn read_xy(path: &Path) -> BoxResult<Array2<f64>> {
    let text = std::fs::read_to_string(path)?;
    let mut v = Vec::new();
    for line in text.lines().skip(1) {
        for c in line.split(',') {
            v.push(c.trim().parse::<f64>()?);
        }
    }
    Ok(Array2::from_shape_vec((v.len() / 2, 2), v)?)
}

fn ours(x: &Array2<f64>, one_thread: bool) -> BoxResult<(f64, Array2<f64>)> {
    let run = || {
        let t0 = Instant::now();
        let y = tsne(
            x.view(),
            &TsneParams::default(),
            &Progress::new(),
            |_, _| {},
        );
        (t0.elapsed().as_secs_f64(), y)
    };
    let (secs, y) = if one_thread {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()?
            .install(run)
    } else {
        run()
    };
    Ok((secs, y?))
}

fn main() -> BoxResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str, default: usize| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (n, d) = (value("--n", 20_000), value("--d", 10));
    let no_peer = args.iter().any(|a| a == "--no-peer");
    let threads_1 = args.iter().any(|a| a == "--threads-1");
    std::fs::create_dir_all(DIR)?;
    let data = Path::new(DIR).join(format!("tsne_{n}x{d}.csv"));
    let theirs_path = Path::new(DIR).join(format!("tsne_{n}x{d}_sklearn.csv"));
    let x = blobs(n, d);
    write_csv(&x, &data)?;
    println!(
        "t-SNE {n} × {d}: perplexity 30, 1000 iterations, PCA init; {} rayon threads",
        rayon::current_num_threads()
    );
    let mut table = String::from("| run | seconds | trustworthiness (k = 10) |\n|---|---|---|\n");
    let (secs, y) = ours(&x, false)?;
    let t = trustworthiness(x.view(), y.view(), 10)?;
    writeln!(table, "| segscope (all cores) | {secs:.2} | {t:.4} |")?;
    println!("segscope: {secs:.2} s, trustworthiness {t:.4}");
    if threads_1 {
        let (s1, y1) = ours(&x, true)?;
        let t1 = trustworthiness(x.view(), y1.view(), 10)?;
        writeln!(table, "| segscope (1 thread) | {s1:.2} | {t1:.4} |")?;
        println!("segscope, 1 thread: {s1:.2} s, trustworthiness {t1:.4}");
    }
    if !no_peer {
        let out = Command::new("python3")
            .arg("-c")
            .arg(PEER)
            .arg(&data)
            .arg(&theirs_path)
            .output()?;
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            let get = |k: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{k}=")))
                    .unwrap_or("?")
                    .to_owned()
            };
            let peer_secs: f64 = get("secs").parse().unwrap_or(f64::NAN);
            let theirs = read_xy(&theirs_path)?;
            let tp = trustworthiness(x.view(), theirs.view(), 10)?;
            writeln!(
                table,
                "| sklearn {} TSNE(init=\"pca\") ({}) | {peer_secs:.2} | {tp:.4} |",
                get("sklearn"),
                get("pools")
            )?;
            println!(
                "sklearn: {peer_secs:.2} s, trustworthiness {tp:.4}; ratio segscope / sklearn = {:.2}",
                secs / peer_secs
            );
        } else {
            eprintln!("peer failed: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    println!("\n{table}");
    Ok(())
}
