//! Frame-time benchmark of the GUI with a large table: renders frames of the real app headless through
//! egui_kittest (UI code and layout on the CPU, no GPU), while the background jobs run and then on every
//! tab once they are done, and prints the median and worst frame per phase, every frame over 16 ms with
//! the stage that ran, and the highest resident set per stage.
//!
//! `cargo run --release --example frame_time [-- ROWS]` (default 1,000,000 rows × 10 numeric columns + a
//! region column). The CSV is generated (seeded) to /tmp/segscope_bench/frames_<ROWS>.csv.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use segscope::app::{ScriptedDialogs, SegscopeApp};
use segscope::rng::Rng;

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Frames drawn per tab once idle.
const FRAMES_PER_TAB: usize = 60;
/// Frames slower than this are listed one by one.
const SLOW: Duration = Duration::from_millis(16);

fn main() -> BoxResult<()> {
    let rows: usize = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => 1_000_000,
    };
    let path = generate(rows)?;
    let app = SegscopeApp::new(Box::new(ScriptedDialogs::new()), Some(path));
    let mut h: Harness<'static, SegscopeApp> = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(|ui, app: &mut SegscopeApp| app.ui_frame(ui), app);

    if let Some(kb) = rss_kb("VmRSS:") {
        println!("RSS before the first frame: {:.0} MB", kb as f64 / 1e3);
    }
    // Phase 1: frames while loading, preparing, sweeping and fitting on workers.
    let start = Instant::now();
    let mut busy = Vec::new();
    // The stage running before each frame, the slow frames with their stage, and the highest resident
    // set seen while each stage ran (sampled every frame).
    let mut slow: Vec<(usize, Duration, String)> = Vec::new();
    let mut rss_by_stage: Vec<(String, u64)> = Vec::new();
    loop {
        let before = stage_of(h.state());
        let t = Instant::now();
        h.step();
        let took = t.elapsed();
        busy.push(took);
        if took > SLOW {
            slow.push((
                busy.len(),
                took,
                format!("{before} -> {}", stage_of(h.state())),
            ));
        }
        if let Some(kb) = rss_kb("VmRSS:") {
            match rss_by_stage.iter_mut().find(|(s, _)| *s == before) {
                Some((_, peak)) => *peak = (*peak).max(kb),
                None => rss_by_stage.push((before, kb)),
            }
        }
        if !h.state().is_busy() {
            break;
        }
        if start.elapsed() > Duration::from_mins(20) {
            return Err("the jobs did not finish in 20 minutes".into());
        }
        std::thread::sleep(Duration::from_millis(16));
    }
    println!(
        "{rows} rows: load + prepare + sweep + fit took {:.1} s of wall time",
        start.elapsed().as_secs_f64()
    );
    if let Some(b) = h.state().banner() {
        println!("banner: {b}");
    }
    report("while jobs run", &mut busy);
    for (frame, took, stage) in &slow {
        println!(
            "  slow frame {frame}: {:.1} ms ({stage})",
            took.as_secs_f64() * 1e3
        );
    }
    for (stage, kb) in &rss_by_stage {
        println!("  RSS while {stage}: up to {:.0} MB", *kb as f64 / 1e3);
    }

    for tab in [
        "Data",
        "Choose K",
        "Scatter",
        "Dendrogram",
        "Silhouette",
        "Profiles",
        "Export",
    ] {
        h.get_by_label(tab).click();
        let t = Instant::now();
        h.step();
        let first = t.elapsed();
        if first > SLOW {
            println!(
                "  slow first frame of {tab}: {:.1} ms",
                first.as_secs_f64() * 1e3
            );
        }
        let mut times = Vec::with_capacity(FRAMES_PER_TAB);
        for _ in 0..FRAMES_PER_TAB {
            // Paced like a 60 Hz display, so work a tab hands to a worker (the scatter's cache) lands
            // within the measured frames.
            std::thread::sleep(Duration::from_millis(16));
            let t = Instant::now();
            h.step();
            times.push(t.elapsed());
        }
        report(tab, &mut times);
    }
    let raw = rows as f64 * 10.0 * 8.0 / 1e6;
    if let Some(kb) = peak_rss_kb() {
        println!(
            "peak RSS {:.0} MB (VmHWM) for {raw:.0} MB of raw f64 data (10 numeric columns): {:.2}x, {:.0} bytes per row",
            kb as f64 / 1e3,
            kb as f64 / 1e3 / raw,
            kb as f64 * 1e3 / rows as f64
        );
    }
    Ok(())
}

/// Peak resident set size of this process in kB (`VmHWM` in /proc/self/status; Linux only).
fn peak_rss_kb() -> Option<u64> {
    rss_kb("VmHWM:")
}

/// A `kB` figure of /proc/self/status (`VmRSS:`, `VmHWM:`; Linux only).
fn rss_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(key))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}

/// What runs in the background: "loading", the explorer's activity, or "idle".
fn stage_of(app: &SegscopeApp) -> String {
    if app.is_loading() {
        return "loading".into();
    }
    app.state()
        .explorer
        .activity()
        .map_or_else(|| "idle".into(), |a| a.what)
}

fn report(phase: &str, times: &mut [Duration]) {
    if times.is_empty() {
        return;
    }
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{phase:>16}: {} frames, median {:.2} ms, p95 {:.2} ms, worst {:.2} ms",
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 95 / 100).min(times.len() - 1)]),
        ms(times[times.len() - 1])
    );
}

/// Seeded customer-like rows: 5 planted groups in 10 numeric columns, plus a region.
fn generate(rows: usize) -> BoxResult<PathBuf> {
    let dir = Path::new("/tmp/segscope_bench");
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("frames_{rows}.csv"));
    if path.exists() {
        return Ok(path);
    }
    let mut rng = Rng::new(11);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
    write!(w, "customer_id")?;
    for j in 0..10 {
        write!(w, ",x{j}")?;
    }
    writeln!(w, ",region")?;
    let regions = ["North", "South", "East", "West"];
    for i in 0..rows {
        let g = rng.below(5);
        write!(w, "C{i:07}")?;
        for j in 0..10 {
            let centre = ((g * 7 + j * 3) % 10) as f64;
            write!(w, ",{:.4}", centre + rng.normal())?;
        }
        writeln!(w, ",{}", regions[rng.below(4)])?;
    }
    w.flush()?;
    Ok(path)
}
