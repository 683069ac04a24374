// Length: a flat list of independent benchmark cases (one function each, the peer in the same run);
// splitting it would only scatter the cases.
//! Benchmark of the clustering engine against its Python peers, every case in one run.
//!
//! ```text
//! cargo run --release --no-default-features --bin bench_engine -- [CASE] [--quick]
//! CASE = all (default) | kmeans | sweep | silhouette | ward | ward-approx | gmm | stability | dbscan |
//! pca-wide | pca-tall | refine
//! ```
//!
//! `refine` has no Python peer: it times the refinement (Hartigan–Wong pass, centre swaps) after Lloyd
//! against plain Lloyd in the same run (1M × 10 overlapping blobs, k = 5 and 8, n_init 1, same seed), so
//! the figure is what the refinement adds.
//!
//! For each case the binary generates seeded Gaussian blobs with [`segscope::rng::Rng`] (deterministic),
//! writes them to `/tmp/segscope_bench/<case>.csv` (header `x0..x9`, values in shortest round-trip form so
//! pandas reads exactly the same f64s), times segscope in-process (best of N where a run is cheap), then
//! runs `python3 scripts/peers.py <case> <file> [args]` right after it, so both sides see the same machine
//! load, and parses the peer's `key=value` lines. Each case prints its details; the run ends with a
//! Markdown table: case, segscope seconds, peer seconds, ratio, target, PASS/MISS and a fidelity figure
//! (inertia against inertia, merge heights, log-likelihood, scores).
//!
//! Threads: segscope runs on rayon's global pool (one thread per core); the peers use what they use by
//! default on the same cores (sklearn's KMeans: OpenMP on every core; numpy/scipy: OpenBLAS on every core;
//! fastcluster and scipy's linkage: one thread). The peer script reports its thread pools.
//!
//! `ward-approx` has no peer (its targets are absolute: < 30 s and < 1 GB); it runs in a child process
//! of this binary (`ward-approx-child`) so that the peak resident memory read from `/proc/self/status`
//! (`VmHWM`) belongs to that case alone, and writes no CSV since nothing reads it.
//!
//! `pca-wide` (40 × 5,000) and `pca-tall` (100k × 500) fit 10 components of a latent-factor matrix
//! (values with 3 decimals, so the CSV stays small) against sklearn `PCA(10)` with its default solver.
//!
//! `--quick` uses small sizes (about a minute in all) for smoke checks; its figures mean little.
//! `--no-peer` times segscope alone (quick comparisons of our own variants, e.g. `SEGSCOPE_SIMD=scalar`).
//! The header line names the SIMD level the distance kernels run with ([`segscope::simd::level`]).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ndarray::Array2;
use segscope::analysis::{FitOptions, Policy, run_sweep};
use segscope::cluster::density::{DbscanParams, dbscan, dbscan_linfa};
use segscope::cluster::gmm::{GmmParams, gmm};
use segscope::cluster::hierarchy::{DEFAULT_MICRO_CLUSTERS, Linkage, linkage, linkage_approx};
use segscope::cluster::{KMeansParams, Method, kmeans};
use segscope::jobs::Progress;
use segscope::metrics::{adjusted_rand_score, silhouette_many, silhouette_score};
use segscope::reduce::pca;
use segscope::rng::Rng;

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

const DIR: &str = "/tmp/segscope_bench";
/// `--no-peer`: skip the Python peers.
static NO_PEER: AtomicBool = AtomicBool::new(false);
const D: usize = 10;
const CASES: [&str; 11] = [
    "kmeans",
    "sweep",
    "silhouette",
    "ward",
    "ward-approx",
    "gmm",
    "stability",
    "dbscan",
    "pca-wide",
    "pca-tall",
    "refine",
];
/// The ward-approx memory target, in bytes (1 GB = 10⁹ bytes).
const WARD_APPROX_MAX_BYTES: f64 = 1e9;
const WARD_APPROX_MAX_SECONDS: f64 = 30.0;

/// Rows per case.
struct Sizes {
    kmeans: usize,
    sweep: usize,
    silhouette: usize,
    ward: usize,
    ward_approx: usize,
    gmm: usize,
    dbscan: usize,
    /// Repetitions of the cheap segscope runs (best is kept).
    repeats: usize,
}

const FULL: Sizes = Sizes {
    kmeans: 1_000_000,
    sweep: 20_000,
    silhouette: 50_000,
    ward: 20_000,
    ward_approx: 1_000_000,
    gmm: 100_000,
    dbscan: 100_000,
    repeats: 3,
};

const QUICK: Sizes = Sizes {
    kmeans: 100_000,
    sweep: 3_000,
    silhouette: 5_000,
    ward: 3_000,
    ward_approx: 200_000,
    gmm: 20_000,
    dbscan: 20_000,
    repeats: 2,
};

/// One line of the summary table.
struct Row {
    case: String,
    ours: f64,
    peer: Option<f64>,
    peer_name: String,
    ratio: Option<f64>,
    target: String,
    pass: Option<bool>,
    fidelity: String,
}

fn main() -> BoxResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    NO_PEER.store(args.iter().any(|a| a == "--no-peer"), Ordering::Relaxed);
    let case = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or("all", String::as_str);
    let sizes = if quick { &QUICK } else { &FULL };
    if case == "ward-approx-child" {
        return ward_approx_child(sizes.ward_approx);
    }
    let chosen: Vec<&str> = if case == "all" {
        CASES.to_vec()
    } else if CASES.contains(&case) {
        vec![case]
    } else {
        return Err(format!(
            "unknown case '{case}'; choose all, {} (and optionally --quick)",
            CASES.join(", ")
        )
        .into());
    };
    std::fs::create_dir_all(DIR)?;
    println!(
        "segscope bench_engine{}: rayon threads {}, cores {}, SIMD {}",
        if quick { " --quick" } else { "" },
        rayon::current_num_threads(),
        std::thread::available_parallelism().map_or(0, usize::from),
        segscope::simd::level().name()
    );
    let mut rows = Vec::new();
    for c in chosen {
        println!("\n== {c} (load average {})", load_average());
        let row = match c {
            "refine" => {
                rows.extend(bench_refine(sizes)?);
                continue;
            }
            "kmeans" => bench_kmeans(sizes)?,
            "sweep" => bench_sweep(sizes)?,
            "silhouette" => bench_silhouette(sizes)?,
            "ward" => bench_ward(sizes)?,
            "ward-approx" => bench_ward_approx(quick)?,
            "stability" => bench_stability(sizes)?,
            "dbscan" => bench_dbscan(sizes)?,
            "pca-wide" | "pca-tall" => bench_pca(quick, c == "pca-wide")?,
            _ => bench_gmm(sizes)?,
        };
        rows.push(row);
    }
    println!("\n{}", table(&rows));
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Cases

/// Plain Lloyd against Lloyd + Hartigan–Wong + centre swaps on the same data and seed (k = 5, 8): the peer
/// column is our own plain Lloyd, the ratio what the refinement costs.
fn bench_refine(s: &Sizes) -> BoxResult<Vec<Row>> {
    use segscope::cluster::kmeans::Refine;
    // Overlapping blobs (centres in a cube of side 4, unit noise): Lloyd's optimum is not a
    // single-move optimum, so the pass has work to do.
    let (x, _) = blobs(s.kmeans, 8, 4.0, 3);
    let mut rows = Vec::new();
    for k in [5, 8] {
        let plain = KMeansParams {
            n_init: 1,
            ..KMeansParams::new(k)
        };
        let hw = KMeansParams {
            refine: Refine::HartiganWong,
            ..plain.clone()
        };
        let (t0, c0, m0) = best_of(s.repeats, || kmeans(x.view(), &plain, &Progress::new()))?;
        let (t1, c1, m1) = best_of(s.repeats, || kmeans(x.view(), &hw, &Progress::new()))?;
        let moved = m0
            .labels
            .iter()
            .zip(&m1.labels)
            .filter(|(a, b)| a != b)
            .count();
        println!(
            "k = {k}: lloyd {t0:.3} s wall ({c0:.2} s CPU), inertia {:?}, n_iter {}; \
             + hartigan-wong {t1:.3} s wall ({c1:.2} s CPU), inertia {:?}; {moved} labels differ",
            m0.inertia, m0.n_iter, m1.inertia
        );
        rows.push(Row {
            case: format!(
                "K-Means + Hartigan–Wong + swaps {} × {D}, k = {k}, n_init = 1",
                human(s.kmeans)
            ),
            ours: t1,
            peer: Some(t0),
            peer_name: "segscope plain Lloyd".into(),
            ratio: Some(t1 / t0),
            target: "inertia ≤ Lloyd's".into(),
            pass: Some(m1.inertia <= m0.inertia),
            fidelity: format!(
                "inertia {:.6e} vs {:.6e} (rel {:+.2e}), +{:.3} s",
                m1.inertia,
                m0.inertia,
                (m1.inertia - m0.inertia) / m0.inertia,
                t1 - t0
            ),
        });
    }
    Ok(rows)
}

fn bench_kmeans(s: &Sizes) -> BoxResult<Row> {
    const K: usize = 8;
    let (x, _) = blobs(s.kmeans, K, 10.0, 1);
    let path = write_csv("kmeans", &x, None)?;
    let params = KMeansParams {
        n_init: 1,
        ..KMeansParams::new(K)
    };
    let (secs, cpu, m) = best_of(s.repeats, || kmeans(x.view(), &params, &Progress::new()))?;
    println!(
        "segscope: {secs:.3} s wall (best of {}), {cpu:.2} s CPU, inertia {:?}, n_iter {}",
        s.repeats, m.inertia, m.n_iter
    );
    let peer = run_peer("kmeans", &path, &[K.to_string()]);
    let peer_secs = num(&peer, "peer_seconds");
    let peer_inertia = num(&peer, "peer_inertia");
    let ratio = peer_secs.map(|p| secs / p);
    let no_worse = peer_inertia.map(|p| m.inertia <= p * (1.0 + 1e-9));
    let fidelity = match peer_inertia {
        Some(p) => format!(
            "inertia {:.6e} vs {p:.6e} (rel {:+.1e}); n_iter {} vs {}",
            m.inertia,
            (m.inertia - p) / p,
            m.n_iter,
            text(&peer, "peer_n_iter")
        ),
        None => "peer not measured".into(),
    };
    Ok(Row {
        case: format!("K-Means {} × {D}, k = {K}, n_init = 1", human(s.kmeans)),
        ours: secs,
        peer: peer_secs,
        peer_name: "sklearn KMeans lloyd".into(),
        ratio,
        target: "≤ 0.5×, inertia no worse".into(),
        pass: ratio.zip(no_worse).map(|(r, ok)| r <= 0.5 && ok),
        fidelity,
    })
}

fn bench_sweep(s: &Sizes) -> BoxResult<Row> {
    const TRUE_K: usize = 5;
    let ks: Vec<usize> = (2..=10).collect();
    let (x, _) = blobs(s.sweep, TRUE_K, 10.0, 2);
    let path = write_csv("sweep", &x, None)?;
    let opts = FitOptions {
        method: Method::Kmeans,
        ..FitOptions::default()
    };
    let repeats = s.repeats.min(2);
    let policy = Policy::default();
    let (secs, cpu, (sweep, _)) = best_of(repeats, || {
        run_sweep(x.view(), &ks, opts, &policy, None, &Progress::new(), None)
    })?;
    println!(
        "segscope: {secs:.3} s wall (best of {repeats}), {cpu:.2} s CPU, recommended k {:?}, silhouettes {}",
        sweep.recommended_k,
        if sweep.silhouette_sampled {
            "sampled"
        } else {
            "exact"
        }
    );
    // Shares of the sweep: the k-means fits alone, then the one silhouette pass over their labellings
    // (DB and CH are O(n·d·k) and negligible).
    let t = Instant::now();
    let mut fits = Vec::with_capacity(ks.len());
    for &k in &ks {
        let params = KMeansParams {
            n_init: 10,
            seed: 0,
            ..KMeansParams::new(k)
        };
        fits.push(kmeans(x.view(), &params, &Progress::new())?.labels);
    }
    let kmeans_secs = t.elapsed().as_secs_f64();
    let refs: Vec<&[usize]> = fits.iter().map(Vec::as_slice).collect();
    let t = Instant::now();
    silhouette_many(x.view(), &refs, &Progress::new())?;
    let sil_secs = t.elapsed().as_secs_f64();
    println!(
        "shares (separate runs): k-means fits {kmeans_secs:.3} s, silhouette over the 9 labellings \
         {sil_secs:.3} s ({:.0} % / {:.0} % of their sum)",
        100.0 * kmeans_secs / (kmeans_secs + sil_secs),
        100.0 * sil_secs / (kmeans_secs + sil_secs)
    );
    let peer = run_peer("sweep", &path, &["2".into(), "10".into()]);
    let peer_secs = num(&peer, "peer_seconds");
    let ratio = peer_secs.map(|p| secs / p);
    // Per k: inertia (relative), silhouette, Davies-Bouldin and Calinski-Harabasz (absolute/relative).
    let mut worst = [0.0f64; 4];
    let mut compared = 0;
    for r in &sweep.results {
        let Some(line) = peer.get(&format!("peer_k{}", r.k)) else {
            continue;
        };
        let p: Vec<f64> = line.split(',').filter_map(|v| v.parse().ok()).collect();
        if p.len() != 4 {
            continue;
        }
        compared += 1;
        let ours = [
            r.inertia.unwrap_or(f64::NAN),
            r.silhouette.unwrap_or(f64::NAN),
            r.davies_bouldin.unwrap_or(f64::NAN),
            r.calinski_harabasz.unwrap_or(f64::NAN),
        ];
        worst[0] = worst[0].max(((ours[0] - p[0]) / p[0]).abs());
        worst[1] = worst[1].max((ours[1] - p[1]).abs());
        worst[2] = worst[2].max((ours[2] - p[2]).abs());
        worst[3] = worst[3].max(((ours[3] - p[3]) / p[3]).abs());
        println!(
            "k={:2}: inertia {:.6e} vs {:.6e}, silhouette {:.6} vs {:.6}, DB {:.6} vs {:.6}, CH {:.2} vs {:.2}",
            r.k, ours[0], p[0], ours[1], p[1], ours[2], p[2], ours[3], p[3]
        );
    }
    let fidelity = if compared == 0 {
        "peer not measured".into()
    } else {
        format!(
            "over k = 2..10: max rel inertia diff {:.1e}, max |Δ silhouette| {:.1e}, max |Δ DB| {:.1e}, \
             max rel CH diff {:.1e}",
            worst[0], worst[1], worst[2], worst[3]
        )
    };
    Ok(Row {
        case: format!(
            "sweep k = 2..10, n_init = 10, + silhouette, DB, CH, {} × {D}",
            human(s.sweep)
        ),
        ours: secs,
        peer: peer_secs,
        peer_name: "sklearn loop (seed guide)".into(),
        ratio,
        target: "≤ 0.04×".into(),
        pass: ratio.map(|r| r <= 0.04),
        fidelity,
    })
}

fn bench_silhouette(s: &Sizes) -> BoxResult<Row> {
    // 8 centres in a box of side 6, labels drawn uniformly.
    const K: usize = 8;
    let (x, labels) = blobs(s.silhouette, K, 6.0, 2024);
    let path = write_csv("silhouette", &x, Some(&labels))?;
    let (secs, cpu, score) = best_of(s.repeats, || {
        silhouette_score(x.view(), &labels, &Progress::new())
    })?;
    println!(
        "segscope: {secs:.3} s wall (best of {}), {cpu:.2} s CPU, silhouette {score:?}",
        s.repeats
    );
    let peer = run_peer("silhouette", &path, &[]);
    let peer_secs = num(&peer, "peer_seconds");
    let ratio = peer_secs.map(|p| secs / p);
    let fidelity = num(&peer, "peer_silhouette").map_or_else(
        || "peer not measured".into(),
        |p| format!("{score:.12} vs {p:.12} (|Δ| {:.1e})", (score - p).abs()),
    );
    Ok(Row {
        case: format!("exact silhouette {} × {D}, k = {K}", human(s.silhouette)),
        ours: secs,
        peer: peer_secs,
        peer_name: "sklearn silhouette_score".into(),
        ratio,
        target: "≤ 0.05×".into(),
        pass: ratio.map(|r| r <= 0.05),
        fidelity,
    })
}

fn bench_ward(s: &Sizes) -> BoxResult<Row> {
    let (x, _) = blobs(s.ward, 6, 10.0, 3);
    let path = write_csv("ward", &x, None)?;
    let repeats = s.repeats.min(2);
    let (secs, cpu, tree) = best_of(repeats, || {
        linkage(x.view(), Linkage::Ward, &Progress::new())
    })?;
    println!(
        "segscope: {secs:.3} s wall (best of {repeats}), {cpu:.2} s CPU, root height {:?}",
        tree.root_height()
    );
    let mut ours: Vec<f64> = tree.merges.iter().map(|m| m.height).collect();
    ours.sort_by(f64::total_cmp);
    let peer = run_peer("ward", &path, &[]);
    let peer_secs = num(&peer, "peer_seconds");
    let peer2_secs = num(&peer, "peer2_seconds");
    let ratio = peer_secs.map(|p| secs / p);
    let mut fidelity = String::new();
    for (key, name) in [("peer_heights", "fastcluster"), ("peer2_heights", "scipy")] {
        let Some(file) = peer.get(key) else { continue };
        let mut theirs = read_floats(Path::new(file))?;
        theirs.sort_by(f64::total_cmp);
        if theirs.len() != ours.len() {
            let _ = write!(
                fidelity,
                "{name}: {} heights vs our {}; ",
                theirs.len(),
                ours.len()
            );
            continue;
        }
        let max_abs = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let max_rel = ours
            .iter()
            .zip(&theirs)
            .filter(|(_, b)| **b > 0.0)
            .map(|(a, b)| ((a - b) / b).abs())
            .fold(0.0, f64::max);
        let _ = write!(
            fidelity,
            "sorted heights vs {name}: max |Δ| {max_abs:.1e} (rel {max_rel:.1e}); "
        );
    }
    if let Some(p2) = peer2_secs {
        let _ = write!(fidelity, "scipy linkage {p2:.2} s (ratio {:.2})", secs / p2);
    }
    if fidelity.is_empty() {
        fidelity = "peer not measured".into();
    }
    Ok(Row {
        case: format!("Ward exact {} × {D}", human(s.ward)),
        ours: secs,
        peer: peer_secs,
        peer_name: "fastcluster linkage_vector".into(),
        ratio,
        target: "≤ 0.3×, same heights".into(),
        pass: ratio.map(|r| r <= 0.3),
        fidelity: fidelity.trim_end_matches("; ").to_string(),
    })
}

fn bench_ward_approx(quick: bool) -> BoxResult<Row> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.arg("ward-approx-child");
    if quick {
        cmd.arg("--quick");
    }
    let out = cmd.output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    if !out.status.success() {
        return Err(format!(
            "ward-approx child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let kv = parse_kv(&stdout);
    let secs = num(&kv, "seconds").unwrap_or(f64::NAN);
    let peak_kb = num(&kv, "vmhwm_kb").unwrap_or(f64::NAN);
    let data_kb = num(&kv, "vmhwm_kb_before").unwrap_or(f64::NAN);
    let peak = peak_kb * 1024.0;
    let pass = secs < WARD_APPROX_MAX_SECONDS && peak < WARD_APPROX_MAX_BYTES;
    Ok(Row {
        case: format!(
            "Ward approximate {} × {D} ({DEFAULT_MICRO_CLUSTERS} micro-clusters)",
            human(num(&kv, "rows").unwrap_or(0.0) as usize)
        ),
        ours: secs,
        peer: None,
        peer_name: "—".into(),
        ratio: None,
        target: "< 30 s, < 1 GB".into(),
        pass: Some(pass),
        fidelity: format!(
            "peak RSS {:.0} MB (VmHWM, whole process incl. the {:.0} MB input); {} leaves",
            peak / 1e6,
            data_kb * 1024.0 / 1e6,
            text(&kv, "leaves")
        ),
    })
}

/// The `ward-approx` sub-run: generates the data, records the peak RSS so far, runs the approximate
/// linkage once and prints `key=value` lines with its time and the process's peak RSS.
fn ward_approx_child(n: usize) -> BoxResult<()> {
    let (x, _) = blobs(n, 8, 10.0, 4);
    let before = vm_hwm_kb();
    let t = Instant::now();
    let tree = linkage_approx(
        x.view(),
        Linkage::Ward,
        DEFAULT_MICRO_CLUSTERS,
        0,
        &Progress::new(),
    )?;
    let secs = t.elapsed().as_secs_f64();
    println!("rows={n}");
    println!("seconds={secs:.4}");
    println!("vmhwm_kb_before={}", before.unwrap_or(0));
    println!("vmhwm_kb={}", vm_hwm_kb().unwrap_or(0));
    println!("leaves={}", tree.n_leaves);
    println!("root_height={:?}", tree.root_height());
    Ok(())
}

fn bench_gmm(s: &Sizes) -> BoxResult<Row> {
    const K: usize = 8;
    let x = gmm_data(s.gmm, K);
    let path = write_csv("gmm", &x, None)?;
    let params = GmmParams::new(K);
    let (secs, cpu, g) = best_of(s.repeats, || gmm(x.view(), &params, &Progress::new()))?;
    println!(
        "segscope: {secs:.3} s wall (best of {}), {cpu:.2} s CPU, score {:?}, n_iter {}, converged {}",
        s.repeats,
        g.score(),
        g.n_iter,
        g.converged
    );
    let peer = run_peer("gmm", &path, &[K.to_string()]);
    let peer_secs = num(&peer, "peer_seconds");
    let peer_score = num(&peer, "peer_score");
    let ratio = peer_secs.map(|p| secs / p);
    let equal = peer_score.map(|p| (g.score() - p).abs() <= 1e-6 * p.abs().max(1.0));
    let fidelity = peer_score.map_or_else(
        || "peer not measured".into(),
        |p| {
            format!(
                "mean log-likelihood {:.9} vs {p:.9} (|Δ| {:.1e}); n_iter {} vs {}",
                g.score(),
                (g.score() - p).abs(),
                g.n_iter,
                text(&peer, "peer_n_iter")
            )
        },
    );
    Ok(Row {
        case: format!("GMM full, k = {K}, {} × {D}", human(s.gmm)),
        ours: secs,
        peer: peer_secs,
        peer_name: "sklearn GaussianMixture".into(),
        ratio,
        target: "≤ 1×, equal log-likelihood".into(),
        pass: ratio.zip(equal).map(|(r, ok)| r <= 1.0 && ok),
        fidelity,
    })
}

/// DBSCAN on 8 blobs in 10-d plus 2% uniform noise rows; segscope (parallel neighbourhoods on linfa-nn's
/// k-d tree), linfa-clustering's own `Dbscan` (serial, once, for docs/decisions.md) and sklearn's
/// `DBSCAN` (k-d tree, n_jobs=None) on the same rows; labels compared as partitions (noise = one class).
fn bench_dbscan(s: &Sizes) -> BoxResult<Row> {
    const K: usize = 8;
    const EPS: f64 = 2.0;
    const MIN_SAMPLES: usize = 10;
    let (mut x, _) = blobs(s.dbscan, K, 10.0, 5);
    let mut rng = Rng::new(55);
    for mut row in x.outer_iter_mut().step_by(50) {
        row.mapv_inplace(|_| rng.uniform() * 14.0 - 2.0);
    }
    let path = write_csv("dbscan", &x, None)?;
    let params = DbscanParams::new(EPS, MIN_SAMPLES);
    let repeats = s.repeats.min(2);
    let (secs, cpu, r) = best_of(repeats, || dbscan(x.view(), &params, &Progress::new()))?;
    println!(
        "segscope: {secs:.3} s wall (best of {repeats}), {cpu:.2} s CPU, {} clusters, {} noise, {} core",
        r.n_clusters,
        r.n_noise,
        r.core_sample_indices.len()
    );
    let (t, c) = (Instant::now(), cpu_seconds());
    let l = dbscan_linfa(x.view(), &params)?;
    let (linfa_secs, linfa_cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    let same_as_linfa = l.labels == r.labels;
    println!(
        "linfa-clustering Dbscan: {linfa_secs:.3} s wall (one run), {linfa_cpu:.2} s CPU, labels {}",
        if same_as_linfa { "identical" } else { "DIFFER" }
    );
    let peer = run_peer("dbscan", &path, &[EPS.to_string(), MIN_SAMPLES.to_string()]);
    let peer_secs = num(&peer, "peer_seconds");
    let ratio = peer_secs.map(|p| secs / p);
    let class = |v: &[i64]| -> Vec<usize> {
        v.iter()
            .map(|&l| usize::try_from(l).map_or(0, |c| c + 1))
            .collect()
    };
    let theirs: Option<Vec<i64>> = peer.get("peer_labels").and_then(|f| {
        read_floats(Path::new(f))
            .ok()
            .map(|v| v.into_iter().map(|l| l as i64).collect())
    });
    let ari = theirs
        .as_ref()
        .filter(|t| t.len() == r.labels.len())
        .and_then(|t| adjusted_rand_score(&class(&r.labels), &class(t)).ok());
    let fidelity = match ari {
        Some(a) => format!(
            "ARI vs sklearn {a:.6} (noise as a class); clusters {} vs {}, noise {} vs {}; linfa Dbscan \
             {linfa_secs:.2} s ({:.2}× sklearn), labels {}",
            r.n_clusters,
            text(&peer, "peer_n_clusters"),
            r.n_noise,
            text(&peer, "peer_n_noise"),
            peer_secs.map_or(f64::NAN, |p| linfa_secs / p),
            if same_as_linfa {
                "identical to ours"
            } else {
                "differ from ours"
            }
        ),
        None => format!("peer not measured; linfa Dbscan {linfa_secs:.2} s"),
    };
    Ok(Row {
        case: format!(
            "DBSCAN eps = {EPS}, min_samples = {MIN_SAMPLES}, {} × {D}",
            human(s.dbscan)
        ),
        ours: secs,
        peer: peer_secs,
        peer_name: "sklearn DBSCAN".into(),
        ratio,
        target: "≤ 2×, same labels".into(),
        pass: ratio.zip(ari).map(|(q, a)| q <= 2.0 && a >= 0.99),
        fidelity,
    })
}

fn bench_pca(quick: bool, wide: bool) -> BoxResult<Row> {
    const K: usize = 10;
    const MAX_SECONDS: f64 = 10.0;
    let (n, d) = match (wide, quick) {
        (true, false) => (40, 5_000),
        (true, true) => (40, 1_000),
        (false, false) => (100_000, 500),
        (false, true) => (10_000, 100),
    };
    let x = pca_data(n, d, 6);
    let path = write_csv(if wide { "pca-wide" } else { "pca-tall" }, &x, None)?;
    let (secs, cpu, p) = best_of(3, || pca(x.view(), K, &Progress::new()))?;
    println!(
        "segscope: {secs:.4} s wall (best of 3), {cpu:.2} s CPU, explained variance {:?}",
        p.explained_variance
    );
    let peer = run_peer("pca", &path, &[K.to_string()]);
    let peer_secs = num(&peer, "peer_seconds");
    let list = |key: &str| -> Vec<f64> {
        peer.get(key)
            .map(|v| v.split(',').filter_map(|t| t.parse().ok()).collect())
            .unwrap_or_default()
    };
    let max_rel = |theirs: &[f64], ours: &[f64]| {
        ours.iter()
            .zip(theirs)
            .map(|(a, b)| ((a - b) / b).abs())
            .fold(0.0f64, f64::max)
    };
    let mut fidelity = String::new();
    for (key, ratio_key, what) in [
        (
            "peer_explained_variance",
            "peer_explained_variance_ratio",
            format!("sklearn {}", text(&peer, "peer_solver")),
        ),
        (
            "peer_full_explained_variance",
            "peer_full_explained_variance_ratio",
            "sklearn full SVD".to_string(),
        ),
    ] {
        let (ev, evr) = (list(key), list(ratio_key));
        if ev.len() == K && evr.len() == K {
            let _ = write!(
                fidelity,
                "vs {what}: max rel Δ variance {:.1e}, ratio {:.1e}; ",
                max_rel(&ev, &p.explained_variance),
                max_rel(&evr, &p.explained_variance_ratio)
            );
        }
    }
    if fidelity.is_empty() {
        fidelity = "peer not measured".into();
    }
    Ok(Row {
        case: format!("PCA {} × {}, {K} components", human(n), human(d)),
        ours: secs,
        peer: peer_secs,
        peer_name: "sklearn PCA(10)".into(),
        ratio: peer_secs.map(|ps| secs / ps),
        target: format!("seconds (< {MAX_SECONDS:.0} s)"),
        pass: Some(secs < MAX_SECONDS),
        fidelity: fidelity.trim_end_matches("; ").to_string(),
    })
}

// ---------------------------------------------------------------------------------------------------
// Data

/// `n × d` latent-factor data: 8 directions of decreasing strength (20 down to 2), unit noise, a random
/// offset per feature; values rounded to 3 decimals (short CSV text, the same f64s on both sides).
fn pca_data(n: usize, d: usize, seed: u64) -> Array2<f64> {
    const STRENGTHS: [f64; 8] = [20.0, 15.0, 10.0, 8.0, 6.0, 4.0, 3.0, 2.0];
    let mut r = Rng::new(seed);
    let w: Vec<f64> = (0..STRENGTHS.len() * d).map(|_| r.normal()).collect();
    let offsets: Vec<f64> = (0..d).map(|_| 5.0 * r.normal()).collect();
    let mut x = Array2::zeros((n, d));
    for mut row in x.rows_mut() {
        let z: Vec<f64> = STRENGTHS.iter().map(|s| s * r.normal()).collect();
        for (j, v) in row.iter_mut().enumerate() {
            let signal: f64 = z.iter().enumerate().map(|(f, zf)| zf * w[f * d + j]).sum();
            *v = ((signal + offsets[j] + r.normal()) * 1000.0).round() / 1000.0;
        }
    }
    x
}

/// `n` rows around `k` centres drawn uniformly in a `D`-dimensional box of side `side`, unit normal
/// noise, each row's centre drawn uniformly. Returns the rows and their true centre.
fn blobs(n: usize, k: usize, side: f64, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let centres: Vec<f64> = (0..k * D).map(|_| rng.uniform() * side).collect();
    let labels: Vec<usize> = (0..n).map(|_| rng.below(k)).collect();
    let x = Array2::from_shape_fn((n, D), |(i, j)| centres[labels[i] * D + j] + rng.normal());
    (x, labels)
}

/// Centres `10 × N(0, 1)`, row `i` in component `i % k` with standard
/// deviation `1 + 0.25 × (i % k)`.
fn gmm_data(n: usize, k: usize) -> Array2<f64> {
    let mut r = Rng::new(42);
    let centres: Vec<Vec<f64>> = (0..k)
        .map(|_| (0..D).map(|_| 10.0 * r.normal()).collect())
        .collect();
    Array2::from_shape_fn((n, D), |(i, j)| {
        let c = &centres[i % k];
        c[j] + (1.0 + (i % k) as f64 * 0.25) * r.normal()
    })
}

/// Writes `/tmp/segscope_bench/<name>.csv`: header `x0..x9` (and `label`), values printed with `{}`,
/// the shortest text that parses back to the same f64.
fn write_csv(name: &str, x: &Array2<f64>, labels: Option<&[usize]>) -> BoxResult<PathBuf> {
    let path = Path::new(DIR).join(format!("{name}.csv"));
    let tmp = path.with_extension("csv.tmp");
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    let header: Vec<String> = (0..x.ncols()).map(|j| format!("x{j}")).collect();
    write!(w, "{}", header.join(","))?;
    writeln!(w, "{}", if labels.is_some() { ",label" } else { "" })?;
    for (i, row) in x.outer_iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if j > 0 {
                w.write_all(b",")?;
            }
            write!(w, "{v}")?;
        }
        if let Some(l) = labels {
            write!(w, ",{}", l[i])?;
        }
        w.write_all(b"\n")?;
    }
    w.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

fn read_floats(path: &Path) -> BoxResult<Vec<f64>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.push(line.parse::<f64>()?);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------
// Timing and the peer

/// Best wall time of `repeats` runs, the CPU time (all threads) of that run, and its result.
fn best_of<T>(
    repeats: usize,
    mut f: impl FnMut() -> segscope::Result<T>,
) -> BoxResult<(f64, f64, T)> {
    let mut best: Option<(f64, f64, T)> = None;
    for _ in 0..repeats.max(1) {
        let (t, c) = (Instant::now(), cpu_seconds());
        let out = f()?;
        let wall = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - c;
        if best.as_ref().is_none_or(|b| wall < b.0) {
            best = Some((wall, cpu, out));
        }
    }
    best.ok_or_else(|| "no run".into())
}

/// CPU time (user + system, all threads) of this process so far, from /proc/self/stat (Linux; 0
/// elsewhere). Clock ticks are 100 per second on Linux.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// The 1-minute load average (/proc/loadavg), to judge how busy the shared cores were.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Peak resident set size of this process in kB (`VmHWM` in /proc/self/status; Linux).
fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs `python3 scripts/peers.py CASE FILE ARGS` and returns its `key=value` lines (empty when Python
/// or a package is missing; the reason goes to stderr).
fn run_peer(case: &str, file: &Path, args: &[String]) -> HashMap<String, String> {
    if NO_PEER.load(Ordering::Relaxed) {
        return HashMap::new();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/peers.py");
    let out = match Command::new("python3")
        .arg(script)
        .arg(case)
        .arg(file)
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("peer not run: python3: {e}");
            return HashMap::new();
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        println!("  peer | {line}");
    }
    if !out.status.success() {
        eprintln!(
            "peer failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        return HashMap::new();
    }
    parse_kv(&stdout)
}

fn parse_kv(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn num(kv: &HashMap<String, String>, key: &str) -> Option<f64> {
    kv.get(key).and_then(|v| v.parse().ok())
}

fn text<'a>(kv: &'a HashMap<String, String>, key: &str) -> &'a str {
    kv.get(key).map_or("?", String::as_str)
}

fn human(n: usize) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

fn table(rows: &[Row]) -> String {
    let mut s = String::from(
        "| case | segscope s | peer | peer s | ratio | target | result | fidelity |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {:.3} | {} | {} | {} | {} | {} | {} |",
            r.case,
            r.ours,
            r.peer_name,
            r.peer.map_or_else(|| "—".into(), |p| format!("{p:.3}")),
            r.ratio.map_or_else(|| "—".into(), |v| format!("{v:.3}")),
            r.target,
            match r.pass {
                Some(true) => "PASS",
                Some(false) => "MISS",
                None => "n/a",
            },
            r.fidelity
        );
    }
    s
}

// ---------------------------------------------------------------------------------------------------
// Stability and gap (issue 13)

/// Bootstrap stability (B = 20) of the k-means sweep k = 2..10 on the sweep case's data, against the
/// sweep itself timed in the same run (target: within 3×). The gap statistic (B = 20, k = 1..10, on its
/// 5,000-row subset) is timed alongside for information.
fn bench_stability(s: &Sizes) -> BoxResult<Row> {
    use segscope::analysis::gap::{GapOptions, gap_statistic};
    use segscope::analysis::stability::{Reference, StabilityOptions, stability_of_labels};
    use segscope::analysis::sweep::run_sweep_keeping;
    let ks: Vec<usize> = (2..=10).collect();
    let (x, _) = blobs(s.sweep, 5, 10.0, 2);
    let opts = FitOptions {
        method: Method::Kmeans,
        ..FitOptions::default()
    };
    let policy = Policy::default();
    // As `run::sweep` does it: the sweep keeps its labels, stability resamples against them.
    let (sweep_secs, sweep_cpu, (_, _, kept)) = best_of(1, || {
        run_sweep_keeping(
            x.view(),
            &ks,
            opts,
            &policy,
            None,
            &Progress::new(),
            None,
            true,
        )
    })?;
    println!("sweep: {sweep_secs:.3} s wall, {sweep_cpu:.2} s CPU");
    let references: Vec<Reference<'_>> = kept
        .iter()
        .map(|(k, labels)| Reference {
            k: *k,
            labels: labels.as_labels(),
        })
        .collect();
    let so = StabilityOptions::default();
    let (secs, cpu, st) = best_of(1, || {
        stability_of_labels(x.view(), &references, opts, &so, &Progress::new())
    })?;
    println!(
        "stability: {secs:.3} s wall, {cpu:.2} s CPU, B = {}, {} rows per resample{}",
        so.resamples,
        st[0].resample_rows,
        if st[0].subsampled {
            " (subsets)"
        } else {
            " (bootstrap)"
        }
    );
    for r in &st {
        let jmin = r.jaccard.iter().copied().fold(1.0f64, f64::min);
        println!(
            "k={:2}: ARI {:.3} [{:.3}, {:.3}], lowest Jaccard {jmin:.3}",
            r.k, r.ari_mean, r.ari_p05, r.ari_p95
        );
    }
    let (gap_secs, gap_cpu, gap) = best_of(1, || {
        gap_statistic(x.view(), opts, &GapOptions::new(10), &Progress::new())
    })?;
    println!(
        "gap statistic: {gap_secs:.3} s wall, {gap_cpu:.2} s CPU on {} rows{}, firstSEmax k = {}, Tibs2001 k = {}",
        gap.n_rows,
        if gap.subsampled { " (subset)" } else { "" },
        gap.recommended_k,
        gap.k_tibs2001
    );
    let ratio = secs / sweep_secs;
    let at = |k: usize| {
        st.iter()
            .find(|r| r.k == k)
            .map_or(f64::NAN, |r| r.ari_mean)
    };
    Ok(Row {
        case: format!(
            "stability B = 20, k-means k = 2..10, n_init = 10, {} × {D}",
            human(s.sweep)
        ),
        ours: secs,
        peer: Some(sweep_secs),
        peer_name: "segscope sweep (same run)".into(),
        ratio: Some(ratio),
        target: "≤ 3×".into(),
        pass: Some(ratio <= 3.0),
        fidelity: format!(
            "true k = 5: ARI {:.3}; k = 6: {:.3}; gap {gap_secs:.1} s",
            at(5),
            at(6)
        ),
    })
}
