//! Benchmark: full-covariance Gaussian mixture, k = 8, on 100,000 × 10 generated rows, against
//! scikit-learn's `GaussianMixture` on the same file in the same run.
//!
//! `cargo run --release --no-default-features --bin bench_gmm`. Writes seeded blobs (shortest round-trip
//! floats) to /tmp/segscope_bench/gmm_100k.csv, times segscope (k-means init, n_init = 1, best of 3), then
//! runs scripts/peers_gmm.py on the file and prints both timings and mean log-likelihoods.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use ndarray::Array2;
use segscope::cluster::gmm::{GmmParams, gmm};
use segscope::jobs::Progress;
use segscope::rng::Rng;

const PATH: &str = "/tmp/segscope_bench/gmm_100k.csv";
const N: usize = 100_000;
const D: usize = 10;
const K: usize = 8;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let x = generate();
    write_csv(Path::new(PATH), &x)?;
    let params = GmmParams::new(K);
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..3 {
        let t = Instant::now();
        let g = gmm(x.view(), &params, &Progress::new())?;
        best = best.min(t.elapsed().as_secs_f64());
        result = Some(g);
    }
    if let Some(g) = &result {
        println!(
            "segscope: {best:.3} s (best of 3), n_iter {}, converged {}, score {:.6}",
            g.n_iter,
            g.converged,
            g.score()
        );
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/peers_gmm.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(PATH)
        .arg(K.to_string())
        .output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

fn generate() -> Array2<f64> {
    let mut r = Rng::new(42);
    let centres: Vec<Vec<f64>> = (0..K)
        .map(|_| (0..D).map(|_| 10.0 * r.normal()).collect())
        .collect();
    Array2::from_shape_fn((N, D), |(i, j)| {
        let c = &centres[i % K];
        c[j] + (1.0 + (i % K) as f64 * 0.25) * r.normal()
    })
}

fn write_csv(path: &Path, x: &Array2<f64>) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    let header: Vec<String> = (0..D).map(|j| format!("x{j}")).collect();
    writeln!(w, "{}", header.join(","))?;
    for row in x.outer_iter() {
        let cells: Vec<String> = row.iter().map(ToString::to_string).collect();
        writeln!(w, "{}", cells.join(","))?;
    }
    w.flush()
}
