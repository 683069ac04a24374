//! GUI tests of the Scatter and Dendrogram tabs: the real app on the embedded sample (3,000 customers),
//! driven headless by egui_kittest with real clicks and pointer drags.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::{ScriptedDialogs, SegscopeApp};
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

/// "0 · Frequent buyers · 937 rows · 31.2%" → 937.
fn legend_rows(label: &str) -> Option<usize> {
    let part = label
        .split(" · ")
        .find(|p| p.ends_with(" rows") || p.ends_with(" row"))?;
    let (count, _) = part.split_once(" row")?;
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
        // "0 · Frequent buyers · 937 rows · 31.2%": the legend names each segment.
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.ends_with('%'))
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

/// The app on the sample with Ward's tree on the Dendrogram tab.
fn on_ward_tree() -> Harness<'static, SegscopeApp> {
    let (h, _) = started();
    to_ward_tree(h)
}

/// Switches a started app to Ward and shows its tree.
fn to_ward_tree(mut h: Harness<'static, SegscopeApp>) -> Harness<'static, SegscopeApp> {
    h.get_by_label("Dendrogram").click();
    h.run();
    h.get_by_label("Switch to Ward").click();
    h.step();
    wait_for_load(&mut h);
    h
}

fn k_now(h: &Harness<'_, SegscopeApp>) -> usize {
    h.state().state().explorer.result().unwrap().seg.k
}

fn cut_line(h: &Harness<'_, SegscopeApp>) -> egui::Rect {
    h.get_by_label("Cut line (drag to cut)").rect()
}

/// A press at `from`, four moves to `to`, a release: a quick drag without hovering first.
fn quick_drag(h: &mut Harness<'_, SegscopeApp>, from: Pos2, to: Pos2) {
    h.drag_at(from);
    h.step();
    for i in 1..=4 {
        h.hover_at(from + (to - from) * (i as f32 / 4.0));
        h.step();
    }
    h.drop_at(to);
    h.step();
}

#[test]
fn drags_that_start_on_or_near_the_cut_line_always_move_the_cut() {
    let mut h = on_ward_tree();
    h.get_by_label_contains("double-click to reset");
    // Seven drags in a row from the moment the tab shows the tree, starting on the line or a few
    // points off it, at different places along it; each must cut (the segment count changes), never pan.
    let offsets = [0.0, 4.0, -4.0, 2.0, -6.0, 0.0, 6.0];
    for (round, dy) in offsets.into_iter().enumerate() {
        let k0 = k_now(&h);
        let line = cut_line(&h);
        let from = Pos2::new(
            line.left() + 40.0 + 90.0 * round as f32,
            line.center().y + dy,
        );
        // Up to the top (fewer segments: 2) or, from 2, down to the bottom (more).
        let to = Pos2::new(from.x, if k0 > 2 { 4.0 } else { 795.0 });
        quick_drag(&mut h, from, to);
        wait_for_load(&mut h);
        let k1 = k_now(&h);
        assert_ne!(
            k1, k0,
            "drag {round} (from {dy:+} pt off the line) moved the cut"
        );
        assert_eq!(k1, if k0 > 2 { 2 } else { 40 }, "drag {round}");
        h.get_by_label_contains(&format!("· {k1} segments:"));
    }
}

#[test]
fn dragging_away_from_the_cut_line_pans_never_below_zero_and_double_click_resets() {
    // Frames of 1/60 s (the default 0.25 s per frame is too slow for egui to see a double-click).
    let app = SegscopeApp::new(Box::new(ScriptedDialogs::new()), None);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SegscopeApp| app.ui_frame(ui), app);
    wait_for_load(&mut h);
    let mut h = to_ward_tree(h);
    let k0 = k_now(&h);
    let y0 = cut_line(&h).center().y;
    // A point on the plot well away from the line.
    let x = cut_line(&h).left() + 300.0;
    let away = if y0 > 400.0 { y0 - 120.0 } else { y0 + 120.0 };

    // Dragging down shows higher merges: the line moves down with the tree.
    quick_drag(&mut h, Pos2::new(x, away), Pos2::new(x, away + 80.0));
    h.run();
    assert_eq!(k_now(&h), k0, "panning does not cut");
    let y1 = cut_line(&h).center().y;
    assert!((y1 - (y0 + 80.0)).abs() < 3.0, "panned down: {y0} → {y1}");

    // Dragging up by far more than that stops where height 0 (plus room for leaf labels) is at the
    // bottom: the tree is back where it started, not 300 points higher.
    let away = if y1 > 400.0 { y1 - 120.0 } else { y1 + 120.0 };
    quick_drag(&mut h, Pos2::new(x, away), Pos2::new(x, away - 300.0));
    h.run();
    assert_eq!(k_now(&h), k0);
    let y2 = cut_line(&h).center().y;
    assert!(
        (y2 - y0).abs() < 3.0,
        "cannot pan below zero height: {y0} → {y2}"
    );

    // Pan again, then a double-click away from the line resets the view.
    quick_drag(&mut h, Pos2::new(x, away), Pos2::new(x, away + 60.0));
    h.run();
    assert!((cut_line(&h).center().y - y0 - 60.0).abs() < 3.0);
    let p = Pos2::new(x, if y0 > 400.0 { y0 - 120.0 } else { y0 + 120.0 } + 60.0);
    h.hover_at(p);
    h.step();
    // Press, release, press, release: one frame each, well within egui's 0.3 s.
    for pressed in [true, false, true, false] {
        h.event(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.step();
    h.run();
    let y3 = cut_line(&h).center().y;
    assert!(
        (y3 - y0).abs() < 3.0,
        "double-click resets the view: {y0} → {y3}"
    );
    assert_eq!(k_now(&h), k0, "neither the pan nor the double-click cut");
}
