//! GUI tests: the real app driven headless by egui_kittest (no window, no GPU), with scripted file dialogs
//! and real CSV files in temp folders. Loads run on worker threads, so tests step the harness until the job
//! is done, with a deadline instead of fixed sleeps.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui_kittest::kittest::Queryable;
use segscope::app::{ScriptedDialogs, SegscopeApp};

mod common;
use common::{harness, started, wait_for_load, write_csv};

#[test]
fn starts_on_the_sample() {
    let (h, _) = started();
    assert_eq!(h.state().table().unwrap().n_rows(), 3000);
    h.get_by_label("avg_order_value");
    h.get_by_label("customer_id");
    h.get_by_label_contains("3,000 rows × 10 columns");
    h.get_by_label("Open CSV…");
    assert!(h.state().banner().is_none());
}

#[test]
fn open_csv_shows_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(
        dir.path(),
        "tiny.csv",
        "shopper,basket_value,loyalty_tier\ns1,12.5,gold\ns2,7.25,silver\ns3,,gold\n",
    );
    let (mut h, dialogs) = started();
    dialogs.push_pick(Some(path));
    h.get_by_label("Open CSV…").click();
    h.step();
    assert!(h.state().is_loading());
    wait_for_load(&mut h);
    assert!(h.state().banner().is_none(), "{:?}", h.state().banner());
    h.get_by_label("basket_value");
    h.get_by_label("loyalty_tier");
    h.get_by_label_contains("3 rows × 3 columns");
    assert!(h.query_by_label("avg_order_value").is_none());
}

#[test]
fn ctrl_o_opens_the_dialog_and_cancelling_it_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "keys.csv", "alpha,beta\n1,2\n3,4\n");
    let (mut h, dialogs) = started();
    // The user cancels the dialog: nothing happens.
    dialogs.push_pick(None);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.step();
    assert!(!h.state().is_loading());
    assert_eq!(dialogs.pending_picks(), 0);
    // Then picks a file.
    dialogs.push_pick(Some(path));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.step();
    wait_for_load(&mut h);
    h.get_by_label("alpha");
    h.get_by_label_contains("2 rows × 2 columns");
}

#[test]
fn bad_file_shows_an_error_banner_and_keeps_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "ragged.csv", "a,b\n1,2\n3,4,5\n6,7\n");
    let (mut h, dialogs) = started();
    dialogs.push_pick(Some(path));
    h.get_by_label("Open CSV…").click();
    h.step();
    wait_for_load(&mut h);
    let banner = h.state().banner().unwrap().to_owned();
    assert!(banner.contains("ragged.csv"), "{banner}");
    assert!(banner.contains("line 3"), "{banner}");
    h.get_by_label_contains("ragged.csv: line 3");
    // The sample is still shown.
    h.get_by_label("avg_order_value");
    h.get_by_label_contains("3,000 rows × 10 columns");
    // The banner can be dismissed.
    h.get_by_label("×").click();
    h.run();
    assert!(h.state().banner().is_none());
    assert!(h.query_by_label_contains("ragged.csv: line 3").is_none());
}

#[test]
fn cancel_keeps_the_old_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(w, "id,spend,visits,region").unwrap();
        let regions = ["North", "South", "East", "West"];
        for i in 0..2_000_000u32 {
            writeln!(
                w,
                "c{i},{}.{},{},{}",
                i % 997,
                i % 100,
                i % 31,
                regions[i as usize % 4]
            )
            .unwrap();
        }
        w.flush().unwrap();
    }
    let (mut h, dialogs) = started();
    dialogs.push_pick(Some(path));
    h.get_by_label("Open CSV…").click();
    h.step();
    assert!(h.state().is_loading(), "the big load finished too quickly");
    h.step();
    h.get_by_label("Cancel").click();
    h.step();
    assert!(!h.state().is_loading());
    let banner = h.state().banner().unwrap().to_owned();
    assert!(banner.contains("cancelled"), "{banner}");
    assert!(banner.contains("big.csv"), "{banner}");
    h.run();
    assert_eq!(h.state().table().unwrap().n_rows(), 3000);
    h.get_by_label("avg_order_value");
    h.get_by_label_contains("3,000 rows × 10 columns");
    assert!(h.query_by_label("Cancel").is_none());
}

#[test]
fn initial_file_is_opened_instead_of_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "start.csv", "gamma,delta\n1,x\n2,y\n3,x\n");
    let mut h = harness(SegscopeApp::new(
        Box::new(ScriptedDialogs::new()),
        Some(path),
    ));
    wait_for_load(&mut h);
    h.get_by_label("gamma");
    h.get_by_label_contains("3 rows × 2 columns");
    assert!(h.query_by_label("avg_order_value").is_none());
}

#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_csv_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "dropped.csv", "epsilon,zeta\n1,2\n");
    let (mut h, _) = started();
    h.input_mut()
        .hovered_files
        .push(egui::HoveredFile::default());
    h.step();
    h.input_mut().hovered_files.clear();
    h.input_mut()
        .dropped_files
        .push(Arc::new(DroppedPath(path)));
    h.step();
    wait_for_load(&mut h);
    h.get_by_label("epsilon");
}

#[test]
fn loader_notes_are_shown_collapsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "noheader.csv", "1,2.5\n3,4.5\n5,6.5\n");
    let mut h = harness(SegscopeApp::new(
        Box::new(ScriptedDialogs::new()),
        Some(path),
    ));
    wait_for_load(&mut h);
    let notes = h.state().table().unwrap().warnings.len();
    assert!(notes >= 1);
    h.get_by_label_contains("from loading").click();
    h.run();
    h.get_by_label_contains("no header row found");
}
