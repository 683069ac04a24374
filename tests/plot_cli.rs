#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
//! `segscope plot`: every kind writes a valid SVG with the expected marks, PNG decodes at the figure's
//! size, bad inputs exit 1/2 and leave no output.

use assert_cmd::Command;

const SAMPLE: &str = "assets/sample_customers.csv";

fn plot(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("segscope")
        .unwrap()
        .args(["plot", SAMPLE, "-q"])
        .args(args)
        .assert()
}

fn svg_of(kind: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.svg");
    let mut args = vec!["--kind", kind, "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    plot(&args).success();
    let s = std::fs::read_to_string(&out).unwrap();
    roxmltree::Document::parse(&s).expect("well-formed SVG");
    s
}

#[test]
fn scatter_draws_one_point_per_row_plus_the_legend() {
    let s = svg_of("scatter", &["--k", "4"]);
    // 3000 rows + 4 legend markers.
    assert_eq!(s.matches("<circle").count(), 3000 + 4);
    assert!(s.contains("PC1 ("), "axis title");
}

#[test]
fn sweep_marks_every_k_on_every_panel() {
    let s = svg_of("sweep", &["--k-range", "2..6"]);
    // 4 panels (kmeans has no BIC) × 5 k.
    assert_eq!(s.matches("<circle").count(), 4 * 5);
    assert!(s.contains("recommended k ="));
}

#[test]
fn silhouette_has_one_bar_per_row_and_profiles_one_cell_per_feature_and_segment() {
    let s = svg_of("silhouette", &["--k", "3"]);
    let doc = roxmltree::Document::parse(&s).unwrap();
    let palette: Vec<String> = segscope::plot::palette::SEGMENT_COLOURS[..3]
        .iter()
        .chain([&segscope::plot::palette::NEGATIVE])
        .map(|&c| segscope::plot::palette::hex(c).to_uppercase())
        .collect();
    let bars = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect"))
        .filter(|n| {
            n.attribute("fill")
                .is_some_and(|f| palette.contains(&f.to_uppercase()))
        })
        .count();
    // 3000 rows > MAX_BARS: about 1000 bucket bars (a second, red one where a bucket has negatives),
    // plus 3 legend swatches.
    let max = segscope::plot::silhouette::MAX_BARS;
    assert!((max + 3..=2 * max + 3).contains(&bars), "{bars}");
    let p = svg_of("profiles", &["--k", "3"]);
    let doc = roxmltree::Document::parse(&p).unwrap();
    let cells = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter(|n| {
            n.text()
                .is_some_and(|t| t.trim().starts_with('+') || t.trim().starts_with('-'))
        })
        .count();
    assert!(cells >= 3 * 7, "{cells}");
}

#[test]
fn png_decodes_at_the_figure_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.png");
    plot(&[
        "--kind",
        "dendrogram",
        "--method",
        "ward",
        "--k",
        "4",
        "-o",
        out.to_str().unwrap(),
    ])
    .success();
    let img = image::open(&out).unwrap();
    assert_eq!((img.width(), img.height()), (960, 600));
}

#[test]
fn bad_inputs_fail_without_an_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.svg");
    let o = out.to_str().unwrap();
    // No k: usage error.
    plot(&["--kind", "scatter", "-o", o]).code(2);
    // A dendrogram of k-means: usage error.
    plot(&["--kind", "dendrogram", "--k", "3", "-o", o]).code(2);
    // Unknown format.
    let pdf = dir.path().join("p.pdf");
    plot(&["--kind", "scatter", "--k", "3", "-o", pdf.to_str().unwrap()]).code(2);
    // Missing file: error.
    Command::cargo_bin("segscope")
        .unwrap()
        .args([
            "plot",
            "no-such.csv",
            "--kind",
            "scatter",
            "--k",
            "3",
            "-o",
            o,
        ])
        .assert()
        .code(1);
    assert!(!out.exists() && !pdf.exists());
}
