#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
//! `segscope report`: one self-contained HTML file (nothing external, user strings escaped), rendered by
//! headless Chromium when one is installed.

use std::fmt::Write as _;

use assert_cmd::Command;

fn report(csv: &std::path::Path, out: &std::path::Path, extra: &[&str]) {
    Command::cargo_bin("segscope")
        .unwrap()
        .arg("report")
        .arg(csv)
        .args(["-q", "-o"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn the_report_references_nothing_external_and_escapes_names() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("x.csv");
    let mut s = String::from("id,a<b,c&d\n");
    for i in 0..60 {
        let g = f64::from(i % 3) * 5.0;
        let _ = writeln!(
            s,
            "{i},{},{}",
            g + f64::from(i % 7) * 0.1,
            -g + f64::from(i % 5) * 0.1
        );
    }
    std::fs::write(&csv, s).unwrap();
    let out = dir.path().join("r.html");
    report(
        &csv,
        &out,
        &["--k", "3", "--method", "ward", "--features", "a<b,c&d"],
    );
    let h = std::fs::read_to_string(&out).unwrap();
    for bad in ["src=\"http", "<link href=", "@import", "<script"] {
        assert!(!h.contains(bad), "{bad}");
    }
    for (i, _) in h.match_indices("url(") {
        assert!(h[i..].starts_with("url(data:"), "url( outside data:");
    }
    assert!(h.contains("a&lt;b") && h.contains("c&amp;d"));
    assert!(!h.contains("<em>a<b"));
    for id in [
        "data",
        "preparation",
        "k-choice",
        "map",
        "dendrogram",
        "silhouette",
        "profiles",
        "segments",
        "recipe",
    ] {
        assert!(h.contains(&format!("<section id=\"{id}\"")), "{id}");
    }
    assert!(h.matches("<svg").count() >= 5);
    assert!(h.contains("@media print"));
}

#[test]
fn chromium_renders_the_report() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok()
        })
    else {
        println!("skipped: no chromium binary found");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    report(
        std::path::Path::new("assets/sample_customers.csv"),
        &out,
        &["--k", "4"],
    );
    let png = dir.path().join("r.png");
    let pdf = dir.path().join("r.pdf");
    let url = format!("file://{}", out.display());
    for arg in [
        format!("--screenshot={}", png.display()),
        format!("--print-to-pdf={}", pdf.display()),
    ] {
        let st = std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--window-size=1100,3000",
                &arg,
                &url,
            ])
            .status()
            .unwrap();
        assert!(st.success());
    }
    assert!(image::open(&png).unwrap().width() > 0);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
}
