//! Issue 11 item 18: texts that are not clipped. At 900×600 the Export tab's descriptions and command
//! lines wrap inside the window, the file name in the top bar is cut in the middle (full path on hover),
//! and counts read "1 column", not "1 columns".
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::SegscopeApp;

mod common;
use common::{started, wait_for_load, write_csv};

/// Every node's label (or value) whose rect reaches past `right`.
fn past(h: &Harness<'static, SegscopeApp>, right: f32) -> Vec<String> {
    h.root()
        .query_all(egui_kittest::kittest::by())
        .filter_map(|n| {
            let a = n.accesskit_node();
            let b = a.bounding_box()?;
            (b.x1 > f64::from(right) + 0.5)
                .then(|| format!("{:?} {:?} {b:?}", a.role(), a.label().or_else(|| a.value())))
        })
        .collect()
}

fn open_tab(h: &mut Harness<'static, SegscopeApp>, title: &str) {
    h.query_all_by_label(title)
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap()
        .click();
    h.run();
}

#[test]
fn the_export_tab_fits_a_900_px_window() {
    let (mut h, _) = started();
    h.set_size(egui::vec2(900.0, 600.0));
    h.run();
    open_tab(&mut h, "Export");
    h.run();
    h.get_by_label_contains("segscope cluster FILE --recipe");
    let over = past(&h, 900.0);
    assert!(over.is_empty(), "past the window's right edge: {over:#?}");
}

#[test]
fn a_long_file_name_is_cut_in_the_middle_and_the_path_is_on_hover() {
    let dir = tempfile::tempdir().unwrap();
    let name = "customers_of_the_northern_region_2024_q3_final_after_cleaning_v2.csv";
    let path = write_csv(dir.path(), name, "spend\n1\n2\n3\n4\n5\n6\n");
    let mut h = common::harness(SegscopeApp::new(
        Box::new(segscope::app::ScriptedDialogs::new()),
        Some(path),
    ));
    h.set_size(egui::vec2(900.0, 600.0));
    wait_for_load(&mut h);
    // In the top bar: cut in the middle, inside the window (the Data tab below has room for all of it).
    let in_top_bar = |n: &egui_kittest::Node<'_>| n.rect().top() < 40.0;
    assert!(
        !h.query_all_by_label(name).any(|n| in_top_bar(&n)),
        "the whole name fits?"
    );
    let shown = h
        .query_all_by_label_contains(".csv")
        .find(|n| in_top_bar(n))
        .unwrap_or_else(|| {
            let top: Vec<String> = h
                .root()
                .query_all(egui_kittest::kittest::by())
                .filter_map(|n| {
                    let a = n.accesskit_node();
                    let b = a.bounding_box()?;
                    (b.y0 < 40.0).then(|| format!("{:?} {b:?}", a.label().or_else(|| a.value())))
                })
                .collect();
            panic!("no cut name in the top bar: {top:#?}")
        });
    let label = {
        let a = shown.accesskit_node();
        a.label().or_else(|| a.value()).unwrap_or_default()
    };
    assert!(
        label.starts_with("cust") && label.contains('…') && label.contains(".csv"),
        "{label}"
    );
    assert!(shown.rect().right() <= 900.0, "{:?}", shown.rect());
    shown.hover();
    h.run();
    h.get_by_label_contains(&dir.path().join(name).display().to_string());
    // One column: "1 column", never "1 columns".
    h.get_by_label_contains("6 rows × 1 column");
    assert!(h.query_by_label_contains("1 columns").is_none());
}
