//! Issue 11 item 19: box-selected rows on the Scatter tab can be exported on their own or turned into a
//! segment of their own (undoable), with the profiles, silhouettes and exports following.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::{ScriptedDialogs, SegscopeApp};

mod common;
use common::{started, wait_for_load};

/// Opens the Scatter tab, drags a box over part of the plot; returns how many rows it holds.
fn select_a_box(h: &mut Harness<'static, SegscopeApp>) -> usize {
    h.get_by_label("Scatter").click();
    h.run();
    h.get_by_label("Select box").click();
    h.run();
    let note = h.get_by_label_contains("showing all 3,000 rows").rect();
    let side = h.get_by_label("Segments").rect();
    let from = Pos2::new(note.left() + 70.0, note.bottom() + 20.0);
    let to = Pos2::new(f32::midpoint(note.left(), side.left()), 500.0);
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
    let summary: Vec<String> = h
        .query_all_by_label_contains("in the box")
        .filter_map(|n| {
            let node = n.accesskit_node();
            node.label().or_else(|| node.value())
        })
        .collect();
    assert_eq!(summary.len(), 1, "{summary:?}");
    let count: usize = summary[0]
        .split(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert!(count > 0 && count < 3000, "{summary:?}");
    count
}

fn started_with(dialogs: &ScriptedDialogs) -> Harness<'static, SegscopeApp> {
    let mut h = common::harness(SegscopeApp::new(Box::new(dialogs.clone()), None));
    wait_for_load(&mut h);
    h
}

#[test]
fn the_selection_becomes_a_segment_and_undo_takes_it_back() {
    let (mut h, _) = started();
    let before = h.state().state().explorer.result().unwrap().clone();
    let count = select_a_box(&mut h);
    h.get_by_label("Make a segment of the selection").click();
    h.step();
    wait_for_load(&mut h);

    let r = h.state().state().explorer.result().unwrap().clone();
    let k = r.seg.k;
    assert!(k <= before.seg.k + 1 && k >= 2, "{k}");
    let new = k - 1;
    assert_eq!(r.names[new], "selection", "{:?}", r.names);
    assert_eq!(r.sizes()[new], count);
    let moved: Vec<usize> = (0..r.seg.labels.len())
        .filter(|&i| r.seg.labels[i] == new)
        .collect();
    assert_eq!(moved.len(), count);
    // The rows outside the selection keep their segment (up to the ids of emptied segments).
    if k == before.seg.k + 1 {
        for (i, (&a, &b)) in before.seg.labels.iter().zip(&r.seg.labels).enumerate() {
            assert!(b == new || a == b, "row {i}: {a} → {b}");
        }
    }
    // Profiles and silhouettes follow the new labels.
    assert_eq!(r.profile.sizes.len(), k);
    assert_eq!(r.silhouette.as_ref().unwrap().len(), 3000);
    assert!(r.silhouette_mean.unwrap().is_finite());
    let history = h.state().state().explorer.history();
    assert_eq!(
        history.last().copied(),
        Some(format!("make a segment of {count} selected rows").as_str())
    );

    // Undo: the fit before it, label for label.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    wait_for_load(&mut h);
    let back = h.state().state().explorer.result().unwrap();
    assert_eq!(back.seg.k, before.seg.k);
    assert_eq!(back.seg.labels, before.seg.labels);
    // Redo brings the segment back.
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.step();
    wait_for_load(&mut h);
    let again = h.state().state().explorer.result().unwrap();
    assert_eq!(again.seg.labels, r.seg.labels);
}

#[test]
fn export_selected_rows_writes_just_those_rows_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let dialogs = ScriptedDialogs::new();
    let mut h = started_with(&dialogs);
    let count = select_a_box(&mut h);
    let out = dir.path().join("picked.csv");
    dialogs.push_save(Some(out.clone()));
    h.get_by_label("Export selected rows…").click();
    h.step();
    wait_for_load(&mut h);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("customer_id,age,region"), "{header}");
    assert!(header.contains(",segment,segment_name"), "{header}");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), count);
    // Every row is a line of the sample with its segment appended, in file order.
    let sample = String::from_utf8(segscope::app::state::SAMPLE_CSV.to_vec()).unwrap();
    let originals: Vec<&str> = sample.lines().skip(1).collect();
    let r = h.state().state().explorer.result().unwrap();
    let n_cols = header.split(',').count();
    let mut last = None;
    for row in &rows {
        let at = originals
            .iter()
            .position(|o| row.starts_with(&format!("{o},")))
            .unwrap_or_else(|| panic!("not an input row: {row}"));
        assert!(last.is_none_or(|l| l < at), "out of order: {row}");
        last = Some(at);
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells.len(), n_cols, "{row}");
        let seg_at = header.split(',').position(|c| c == "segment").unwrap();
        assert_eq!(cells[seg_at], r.seg.labels[at].to_string(), "{row}");
    }
    let banner = h.state().banner().unwrap();
    assert_eq!(
        banner,
        format!(
            "Wrote {} selected rows to {}",
            segscope::app::format::fmt_count(count),
            out.display()
        )
    );
}
