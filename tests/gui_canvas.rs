//! GUI tests of the Scatter and Dendrogram tabs: the real app on the embedded sample (3,000 customers),
//! driven headless by egui_kittest with real clicks and pointer drags.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::SegscopeApp;
use segscope::cluster::Method;

mod common;
use common::{started, wait_for_load};

fn labels_containing(h: &Harness<'_, SegscopeApp>, part: &str) -> Vec<String> {
    h.query_all_by_label_contains(part)
        .filter_map(|n| {
            let node = n.accesskit_node();
            node.label().or_else(|| node.value())
        })
        .collect()
}

/// "Segment 0 · 937 rows · 31.2%" → 937.
fn legend_rows(label: &str) -> Option<usize> {
    let rest = label.strip_prefix("Segment ")?;
    let (_, after) = rest.split_once(" · ")?;
    let (count, _) = after.split_once(" rows")?;
    count.replace(',', "").parse().ok()
}

#[test]
fn scatter_shows_explained_variance_and_a_legend_of_every_row() {
    let (mut h, _) = started();
    h.get_by_label("Scatter").click();
    h.run();
    let (x_label, y_label, k) = {
        let ex = &h.state().state().explorer;
        let r = &ex
            .prepared()
            .unwrap()
            .pca
            .as_ref()
            .unwrap()
            .explained_variance_ratio;
        (
            format!("PC1 ({:.1}% of variance)", r[0] * 100.0),
            format!("PC2 ({:.1}% of variance)", r[1] * 100.0),
            ex.result().unwrap().seg.k,
        )
    };
    h.get_by_value(&x_label);
    h.get_by_value(&y_label);
    assert!(x_label != "PC1 (0.0% of variance)", "{x_label}");

    let legend: Vec<String> = labels_containing(&h, " rows · ")
        .into_iter()
        .filter(|l| l.starts_with("Segment "))
        .collect();
    assert_eq!(legend.len(), k, "{legend:?}");
    let total: usize = legend.iter().map(|l| legend_rows(l).unwrap()).sum();
    assert_eq!(total, 3000, "{legend:?}");
    assert!(legend[0].ends_with('%'), "{legend:?}");
    h.get_by_label_contains("showing all 3,000 rows");

    // Clicking a legend entry hides that segment; clicking again shows it.
    let first = legend[0].clone();
    assert_eq!(
        h.get_by_label(&first).accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::True)
    );
    h.get_by_label(&first).click();
    h.run();
    assert_eq!(
        h.get_by_label(&first).accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::False)
    );
    h.get_by_label(&first).click();
    h.run();
    assert_eq!(
        h.get_by_label(&first).accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::True)
    );
}

#[test]
fn toggling_loadings_lists_the_feature_names() {
    let (mut h, _) = started();
    h.get_by_label("Scatter").click();
    h.run();
    let names = h
        .state()
        .state()
        .explorer
        .prepared()
        .unwrap()
        .prepared
        .feature_names
        .clone();
    assert!(names.len() >= 2);
    let before: Vec<usize> = names
        .iter()
        .map(|n| h.query_all_by_label(n).count())
        .collect();
    assert!(h.query_by_label("Loadings").is_none());
    h.get_by_label("Loadings arrows").click();
    h.run();
    h.get_by_label("Loadings");
    for (name, b) in names.iter().zip(before) {
        assert_eq!(
            h.query_all_by_label(name).count(),
            b + 1,
            "{name} is listed with its loadings"
        );
    }
    h.get_by_label("Loadings arrows").click();
    h.run();
    assert!(h.query_by_label("Loadings").is_none());
}

#[test]
fn dendrogram_offers_ward_and_dragging_the_cut_line_changes_the_segment_count() {
    let (mut h, _) = started();
    h.get_by_label("Dendrogram").click();
    h.run();
    h.get_by_label("No tree for this method");
    h.get_by_label("Switch to Ward").click();
    h.step();
    wait_for_load(&mut h);
    let k0 = {
        let ex = &h.state().state().explorer;
        assert_eq!(ex.model.method, Method::Ward);
        let r = ex.result().unwrap();
        assert!(r.seg.dendrogram.is_some());
        r.seg.k
    };
    h.get_by_label_contains(&format!("· {k0} segments:"));
    h.get_by_label_contains("merges"); // the lastp note: 3,000 leaves are truncated

    // Drag the line to the top of the window (fewer segments) or, if already at 2, to the bottom.
    let start = h.get_by_label("Cut line (drag to cut)").rect().center();
    let (end_y, expected) = if k0 > 2 { (4.0, 2) } else { (795.0, 40) };
    h.hover_at(start);
    h.step();
    h.drag_at(start);
    h.step();
    for i in 1..=6 {
        let y = start.y + (end_y - start.y) * i as f32 / 6.0;
        h.hover_at(Pos2::new(start.x, y));
        h.step();
    }
    // While dragging: the live count, nothing refitted yet.
    h.get_by_label_contains("Release to cut at");
    h.get_by_label_contains(&format!("into {expected} segments"));
    assert_eq!(h.state().state().explorer.result().unwrap().seg.k, k0);
    h.drop_at(Pos2::new(start.x, end_y));
    h.step();
    wait_for_load(&mut h);

    let k1 = h.state().state().explorer.result().unwrap().seg.k;
    assert_ne!(k1, k0);
    assert_eq!(k1, expected);
    h.get_by_label_contains(&format!("· {expected} segments:"));
    assert!(h.query_by_label_contains("Release to cut").is_none());

    // A K button snaps the line back.
    h.get_by_label(&k0.to_string()).click();
    h.step();
    wait_for_load(&mut h);
    assert_eq!(h.state().state().explorer.result().unwrap().seg.k, k0);
}

#[test]
fn box_select_profiles_the_rows_inside() {
    let (mut h, _) = started();
    h.get_by_label("Scatter").click();
    h.run();
    h.get_by_label_contains("drag a box to profile");
    h.get_by_label("Select box").click();
    h.run();
    // The plot fills the space under the "showing…" note and left of the side panel.
    let note = h.get_by_label_contains("showing all 3,000 rows").rect();
    let side = h.get_by_label("Segments").rect();
    let from = Pos2::new(note.left() + 70.0, note.bottom() + 20.0);
    let to = Pos2::new(side.left() - 30.0, 760.0);
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for i in 1..=5 {
        h.hover_at(from + (to - from) * (i as f32 / 5.0));
        h.step();
    }
    h.drop_at(to);
    h.run();
    let summary = labels_containing(&h, "in the box");
    assert_eq!(summary.len(), 1, "{summary:?}");
    let count: usize = summary[0]
        .split(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert!(count > 0 && count <= 3000, "{summary:?}");
    // The profile lists every feature with the selection's and all rows' values.
    h.get_by_label("selection");
    h.get_by_label("all rows");
    h.get_by_label("Clear selection").click();
    h.run();
    assert!(h.query_by_label_contains("in the box").is_none());
}
