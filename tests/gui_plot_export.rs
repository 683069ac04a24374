//! Plots and the report out of the app: "Save as SVG…" redraws the plot with `crate::plot` (valid SVG
//! with the axis titles), "Save as PNG…" crops a real screenshot (egui_kittest's wgpu renderer answers
//! `ViewportCommand::Screenshot`) to the plot, "Export report…" writes one self-contained HTML file, and
//! a cancelled export leaves neither the file nor a temp file. The save dialogs are scripted.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use segscope::app::plot_export::{ImageFormat, PlotKind};
use segscope::app::state::{Command, FileAction};
use segscope::app::{ScriptedDialogs, SegscopeApp};

mod common;
use common::{DEADLINE, started, wait_for_load};

/// Asks the app to save `kind` as `format` to `out` (the dialog answers `out`) and waits until done.
fn save(
    h: &mut Harness<'_, SegscopeApp>,
    dialogs: &ScriptedDialogs,
    action: FileAction,
    out: &Path,
) {
    dialogs.push_save(Some(out.to_path_buf()));
    h.state_mut().push_command(Command::File(action));
    wait_for_load(h);
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn svg_of(kind: PlotKind, name: &str) -> String {
    let (mut h, dialogs) = started();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(name);
    save(
        &mut h,
        &dialogs,
        FileAction::SavePlot(kind, ImageFormat::Svg),
        &out,
    );
    let svg = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("no SVG ({e}); banner: {:?}", h.state().banner()));
    let head = svg.trim_start();
    assert!(
        head.starts_with("<svg") || head.starts_with("<?xml"),
        "{head:.80}"
    );
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
    // Only the SVG: no temp file left beside it.
    assert_eq!(files_in(dir.path()), vec![out]);
    assert!(
        h.state().banner().is_some_and(|b| b.contains(name)),
        "{:?}",
        h.state().banner()
    );
    svg
}

#[test]
fn curves_svg_has_the_k_axis_and_every_metric() {
    let svg = svg_of(PlotKind::Curves, "curves.svg");
    assert!(svg.contains("k (number of segments)"));
    for metric in [
        "Inertia",
        "Silhouette",
        "Davies-Bouldin",
        "Calinski-Harabasz",
    ] {
        assert!(svg.contains(metric), "{metric}");
    }
    // The recommendation is in the title.
    assert!(svg.contains("recommended k ="), "the recommendation");
}

#[test]
fn scatter_svg_is_titled_with_the_panel_axes() {
    let svg = svg_of(PlotKind::Scatter { x: 0, y: 1 }, "scatter.svg");
    assert!(
        svg.contains("PC1 (") && svg.contains("PC2 ("),
        "axis titles"
    );
    assert!(svg.contains("% of variance)"));
    // Other components than the first two: the titles follow the panel's choice.
    let svg = svg_of(PlotKind::Scatter { x: 2, y: 0 }, "scatter_pc3.svg");
    assert!(
        svg.contains("PC3 (") && svg.contains("PC1 ("),
        "axis titles"
    );
}

#[test]
fn silhouette_and_profiles_svg_have_their_axis_titles() {
    let svg = svg_of(PlotKind::Silhouette, "sil.svg");
    assert!(svg.contains("rows, sorted within each segment"));
    assert!(svg.contains("silhouette ("));
    let svg = svg_of(PlotKind::Profiles, "profiles.svg");
    assert!(svg.contains("segment (rows)"));
}

#[test]
fn a_plot_that_is_not_there_says_why_and_writes_nothing() {
    let (mut h, dialogs) = started();
    let dir = tempfile::tempdir().unwrap();
    // K-Means has no dendrogram.
    let out = dir.path().join("tree.svg");
    save(
        &mut h,
        &dialogs,
        FileAction::SavePlot(PlotKind::Dendrogram, ImageFormat::Svg),
        &out,
    );
    assert!(
        h.state()
            .banner()
            .is_some_and(|b| b.contains("hierarchical")),
        "{:?}",
        h.state().banner()
    );
    // A PNG of a plot whose tab is not shown (the app starts on the Data tab).
    let png = dir.path().join("sil.png");
    save(
        &mut h,
        &dialogs,
        FileAction::SavePlot(PlotKind::Silhouette, ImageFormat::Png),
        &png,
    );
    assert!(
        h.state()
            .banner()
            .is_some_and(|b| b.contains("Silhouette tab")),
        "{:?}",
        h.state().banner()
    );
    assert!(files_in(dir.path()).is_empty());
    // Neither asked where to save: the check comes before the dialog.
    assert!(
        dialogs.save_requests().is_empty(),
        "{:?}",
        dialogs.save_requests()
    );
}

#[test]
fn png_is_the_screenshot_cropped_to_the_plot() {
    let dialogs = ScriptedDialogs::new();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .wgpu()
        .build_ui_state(
            |ui, app: &mut SegscopeApp| app.ui_frame(ui),
            SegscopeApp::new(Box::new(dialogs.clone()), None),
        );
    wait_for_load(&mut h);
    h.query_all_by_label("Silhouette")
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap()
        .click();
    h.run();
    wait_for_load(&mut h);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sil.png");
    dialogs.push_save(Some(out.clone()));
    h.state_mut()
        .push_command(Command::File(FileAction::SavePlot(
            PlotKind::Silhouette,
            ImageFormat::Png,
        )));
    let start = Instant::now();
    while !out.exists() || h.state().is_busy() {
        h.step();
        assert!(
            start.elapsed() < DEADLINE,
            "no PNG; banner: {:?}",
            h.state().banner()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(dialogs.save_requests(), ["sample_customers_silhouette.png"]);
    let img = image::open(&out).expect("a PNG").to_rgba8();
    // The plot, not the window: narrower than the 1280 px window (the Prepare panel is left of it),
    // taller than its 200 px minimum, shorter than the window.
    let (w, h_px) = img.dimensions();
    assert!(
        (600..1280).contains(&w) && (200..800).contains(&h_px),
        "{w}×{h_px}"
    );
    // Drawn bars: many colours, not a blank crop.
    let mut colours: Vec<[u8; 4]> = img.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 20, "{} colours", colours.len());
    assert_eq!(files_in(dir.path()), vec![out]);
}

#[test]
fn export_report_writes_one_self_contained_html_file() {
    let (mut h, dialogs) = started();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    save(&mut h, &dialogs, FileAction::ExportReport, &out);
    let html = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("no report ({e}); banner: {:?}", h.state().banner()));
    assert!(
        html.trim_start().starts_with("<!DOCTYPE html"),
        "{html:.60}"
    );
    assert!(html.trim_end().ends_with("</html>"));
    // The plots are inline SVG (the sweep's curves among them); nothing is fetched from elsewhere.
    assert!(html.matches("<svg").count() >= 3, "inline plots");
    assert!(html.contains("k (number of segments)"), "the K sweep");
    for external in ["<link", "src=\"http", "href=\"http", "<script src", "<img"] {
        assert!(!html.contains(external), "{external}");
    }
    assert_eq!(dialogs.save_requests(), ["sample_customers_report.html"]);
    assert!(
        h.state()
            .banner()
            .is_some_and(|b| b.contains("report.html")),
        "{:?}",
        h.state().banner()
    );
    assert_eq!(files_in(dir.path()), vec![out]);
}

#[test]
fn cancelled_report_leaves_no_file_and_no_temp_file() {
    let (mut h, dialogs) = started();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    dialogs.push_save(Some(out.clone()));
    // Cancel in the same frame the export starts (before the worker can finish).
    h.state_mut()
        .push_command(Command::File(FileAction::ExportReport));
    h.state_mut().push_command(Command::CancelFileJobs);
    h.step();
    assert!(!h.state().is_busy(), "the export is cancelled");
    // The worker notices the cancel at its next check and drops its temp file.
    std::thread::sleep(Duration::from_secs(3));
    h.run();
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
    // A cancel is not an error.
    assert!(
        !h.state().banner().is_some_and(|b| b.contains("failed")),
        "{:?}",
        h.state().banner()
    );
}

/// "1 segment", "2 segments".
fn segments(n: usize) -> String {
    format!("{n} segment{}", if n == 1 { "" } else { "s" })
}

#[test]
fn density_outliers_are_named_apart_from_the_segments_in_silhouette_and_profiles() {
    let (mut h, dialogs) = started();
    h.get_by_label("Choose K").click();
    h.run();
    h.get_by_value("K-Means").click();
    h.run();
    h.get_by_label("DBSCAN").click();
    h.step();
    wait_for_load(&mut h);
    let n = {
        let r = h.state().state().explorer.result().unwrap();
        assert!(
            r.seg.noise_segment().is_some(),
            "the sample has DBSCAN outliers"
        );
        r.seg.n_clusters()
    };
    let header = format!("{} + outliers", segments(n));
    h.get_by_label("Silhouette").click();
    h.run();
    h.get_by_label_contains(&format!("· {header} · "));
    h.get_by_label("Profiles").click();
    h.run();
    h.get_by_label_contains(&format!("{header} · 3,000 rows"));
    // The SVG legend names them "outliers" and draws them grey, apart from the segments' colours.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sil.svg");
    save(
        &mut h,
        &dialogs,
        FileAction::SavePlot(PlotKind::Silhouette, ImageFormat::Svg),
        &out,
    );
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains("outliers ("), "legend");
    let grey = segscope::plot::palette::hex(segscope::plot::palette::OUTLIER).to_uppercase();
    assert!(svg.to_uppercase().contains(&grey), "grey {grey}");
}

#[test]
fn map_and_dendrogram_svg_are_drawn_from_the_panel_data() {
    let (mut h, dialogs) = started();
    let dir = tempfile::tempdir().unwrap();
    // The Map tab embeds on first show; its SVG draws the t-SNE positions.
    h.get_by_label("Map").click();
    h.step();
    wait_for_load(&mut h);
    let out = dir.path().join("map.svg");
    save(
        &mut h,
        &dialogs,
        FileAction::SavePlot(PlotKind::Map, ImageFormat::Svg),
        &out,
    );
    let svg = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("no map SVG ({e}); banner: {:?}", h.state().banner()));
    assert!(
        svg.contains("t-SNE 1") && svg.contains("t-SNE 2"),
        "axis titles"
    );
    assert!(svg.contains("Segments on the t-SNE map"));
    // Ward: the dendrogram with its cut.
    h.get_by_label("Choose K").click();
    h.run();
    h.get_by_value("K-Means").click();
    h.run();
    h.get_by_label("Ward").click();
    h.step();
    wait_for_load(&mut h);
    let out = dir.path().join("tree.svg");
    save(
        &mut h,
        &dialogs,
        FileAction::SavePlot(PlotKind::Dendrogram, ImageFormat::Svg),
        &out,
    );
    let svg = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("no dendrogram SVG ({e}); banner: {:?}", h.state().banner()));
    assert!(
        svg.contains("merge height") && svg.contains("Dendrogram (ward"),
        "{svg:.200}"
    );
    assert_eq!(files_in(dir.path()).len(), 2);
}

#[test]
fn above_the_exact_limit_the_silhouette_svg_draws_the_sample_the_tab_shows() {
    // 31,000 rows (the exact limit is 30,000) in three blobs.
    let mut text = String::from("x,y\n");
    for i in 0..31_000_u32 {
        let c = f64::from(i % 3) * 6.0;
        let jitter = f64::from((i * 7919) % 1000) / 1000.0;
        let _ = writeln!(text, "{},{}", c + jitter, c - jitter * 0.5);
    }
    let dir = tempfile::tempdir().unwrap();
    let data = common::write_csv(dir.path(), "data.csv", &text);
    let dialogs = ScriptedDialogs::new();
    let mut h = common::harness(SegscopeApp::new(Box::new(dialogs.clone()), Some(data)));
    wait_for_load(&mut h);
    let sampled = {
        let r = h.state().state().explorer.result().unwrap();
        assert!(r.silhouette.is_none(), "above the exact limit");
        r.silhouette_sample.as_ref().expect("the sample").rows.len()
    };
    let out = dir.path().join("sil.svg");
    save(
        &mut h,
        &dialogs,
        FileAction::SavePlot(PlotKind::Silhouette, ImageFormat::Svg),
        &out,
    );
    let svg = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("no SVG ({e}); banner: {:?}", h.state().banner()));
    assert!(
        svg.contains(&format!("a sample of {sampled} of 31000 rows")),
        "{svg:.300}"
    );
    assert!(svg.contains("rows, sorted within each segment"));
}
