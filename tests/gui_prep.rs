//! GUI tests of the preparation side: the Prepare panel (features, recipes), the RFM dialog, the Export tab,
//! the status bar and the Help menu. The real app runs headless under egui_kittest with scripted dialogs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use std::path::PathBuf;
use std::sync::Arc;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::analysis::Recipe;
use segscope::app::explore::ExploreCommand;
use segscope::app::state::Command;
use segscope::cluster::Method;

mod common;
use common::{started, wait_for_load, write_csv};

fn transactions() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/sample_transactions.csv")
}

#[test]
fn unticking_a_feature_reprepares_and_resweeps() {
    let (mut h, _) = started();
    let before = h.state().state().explorer.prepared().unwrap().clone();
    assert!(before.prepared.feature_names.contains(&"age".to_owned()));
    assert!(h.state().state().explorer.sweep().is_some());
    h.get_by_label("Use age as a feature").click();
    h.step();
    let e = &h.state().state().explorer;
    assert!(!e.preparation.features.contains(&"age".to_owned()));
    assert!(
        e.is_preparing() || e.prepared().is_none_or(|p| !Arc::ptr_eq(p, &before)),
        "the preparation restarts"
    );
    assert!(
        e.sweep().is_none_or(|s| s.rows.is_empty()),
        "the sweep restarts"
    );
    wait_for_load(&mut h);
    let e = &h.state().state().explorer;
    let names = &e.prepared().unwrap().prepared.feature_names;
    assert!(!names.contains(&"age".to_owned()), "{names:?}");
    assert_eq!(names.len(), before.prepared.feature_names.len() - 1);
    assert!(!e.sweep().unwrap().rows.is_empty());
    assert!(h.state().banner().is_none(), "{:?}", h.state().banner());
    // The report line and the status bar follow.
    let n = names.len();
    h.get_by_label_contains(&format!("Prepared: 3,000 rows × {n} features"));
    h.get_by_label_contains(&format!("3,000 rows × {n} features · K-Means · K = "));
    // Text columns cannot be ticked.
    assert!(
        h.get_by_role_and_label(Role::CheckBox, "Use customer_id as a feature")
            .accesskit_node()
            .is_disabled()
    );
}

#[test]
fn labelled_csv_export_writes_every_row_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labelled.csv");
    let (mut h, dialogs) = started();
    h.get_by_label("Export").click();
    h.run();
    h.get_by_label_contains("Adds: segment, segment_name, silhouette, distance_to_centre");
    dialogs.push_save(Some(out.clone()));
    h.get_by_label("Labelled CSV…").click();
    h.step();
    wait_for_load(&mut h);
    assert_eq!(dialogs.save_requests(), ["sample_customers_segments.csv"]);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.ends_with("segment,segment_name,silhouette,distance_to_centre"),
        "{header}"
    );
    assert!(header.starts_with("customer_id,age,region"), "{header}");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3000);
    let k = h.state().state().explorer.result().unwrap().seg.k;
    for row in &rows {
        let cells: Vec<&str> = row.split(',').collect();
        let segment: usize = cells[cells.len() - 4].parse().unwrap();
        assert!(segment < k, "{row}");
        assert!(!cells[cells.len() - 3].is_empty(), "a segment name: {row}");
        let sil: f64 = cells[cells.len() - 2].parse().unwrap();
        assert!((-1.0..=1.0).contains(&sil), "{row}");
    }
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        files,
        [std::ffi::OsString::from("labelled.csv")],
        "no temp file"
    );
    let banner = h.state().banner().unwrap().to_owned();
    assert_eq!(banner, format!("Wrote 3,000 rows to {}", out.display()));

    // Ctrl+E exports again without the distance column when it is unticked.
    h.get_by_role_and_label(Role::CheckBox, "distance to centre")
        .click();
    h.run();
    let out2 = dir.path().join("again.csv");
    dialogs.push_save(Some(out2.clone()));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.step();
    wait_for_load(&mut h);
    let text = std::fs::read_to_string(&out2).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(",segment,segment_name,silhouette"),
        "{}",
        text.lines().next().unwrap()
    );
}

#[test]
fn profile_and_recipe_exports() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, dialogs) = started();
    h.get_by_label("Export").click();
    h.run();
    let profile = dir.path().join("p.csv");
    dialogs.push_save(Some(profile.clone()));
    h.get_by_label("Profile CSV…").click();
    h.step();
    wait_for_load(&mut h);
    let k = h.state().state().explorer.result().unwrap().seg.k;
    let text = std::fs::read_to_string(&profile).unwrap();
    assert!(text.lines().count() > k, "{text}");
    let recipe = dir.path().join("r.json");
    dialogs.push_save(Some(recipe.clone()));
    h.get_by_label("Recipe JSON…").click();
    h.step();
    wait_for_load(&mut h);
    let r = Recipe::from_path(&recipe).unwrap();
    let m = r.model.unwrap();
    assert_eq!(m.method, Method::Kmeans);
    assert_eq!(m.k, Some(k));
    assert_eq!(m.seed, 0);
    assert_eq!(m.n_init, Some(10), "the restarts actually used");
    assert_eq!(
        r.preparation.features,
        h.state().state().explorer.preparation.features
    );
    assert_eq!(
        dialogs.save_requests(),
        [
            "sample_customers_profile.csv",
            "sample_customers_recipe.json"
        ]
    );
}

#[test]
fn cancel_in_the_status_bar_stops_a_long_sweep() {
    let (mut h, _) = started();
    let before = h.state().state().explorer.result().cloned();
    assert!(before.is_some());
    h.state_mut()
        .push_command(Command::Explore(ExploreCommand::SetMethod(Method::Gmm)));
    h.state_mut()
        .push_command(Command::Explore(ExploreCommand::SetKRange(2, 40)));
    h.step();
    h.step();
    assert!(h.state().state().explorer.is_sweeping(), "the sweep runs");
    h.get_by_label_contains("Sweeping K = 2..40");
    h.get_by_label("Cancel").click();
    h.step();
    assert!(!h.state().is_busy());
    h.run();
    let after = h.state().state().explorer.result().cloned();
    match (&before, &after) {
        (Some(b), Some(a)) => assert!(Arc::ptr_eq(b, a), "the shown result stays"),
        (_, None) => {}
        (None, Some(_)) => panic!("a result appeared"),
    }
    assert!(h.state().banner().is_none(), "{:?}", h.state().banner());
    assert!(h.query_by_label("Cancel").is_none());
}

#[test]
fn bad_recipe_shows_an_error_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_csv(dir.path(), "bad.json", "{ \"version\": 1, \"features\": [");
    let unknown = write_csv(
        dir.path(),
        "unknown.json",
        r#"{ "version": 1, "features": ["age", "shoe_size"] }"#,
    );
    let good = write_csv(
        dir.path(),
        "good.json",
        r#"{ "version": 1, "features": ["age", "total_spent"], "scale": "robust" }"#,
    );
    let (mut h, dialogs) = started();
    let old = h.state().state().explorer.preparation.clone();
    dialogs.push_pick(Some(bad));
    h.get_by_label("Load recipe…").click();
    h.step();
    wait_for_load(&mut h);
    let banner = h.state().banner().unwrap().to_owned();
    assert!(banner.contains("bad.json"), "{banner}");
    assert!(banner.contains("malformed"), "{banner}");
    assert_eq!(h.state().state().explorer.preparation, old);
    assert!(!h.state().is_busy());
    h.run();

    dialogs.push_pick(Some(unknown));
    h.get_by_label("Load recipe…").click();
    h.step();
    wait_for_load(&mut h);
    let banner = h.state().banner().unwrap().to_owned();
    assert!(banner.contains("shoe_size"), "{banner}");
    assert_eq!(h.state().state().explorer.preparation, old);
    h.run();

    dialogs.push_pick(Some(good));
    h.get_by_label("Load recipe…").click();
    h.step();
    wait_for_load(&mut h);
    let e = &h.state().state().explorer;
    assert_eq!(
        e.prepared().unwrap().prepared.feature_names,
        ["age", "total_spent"]
    );
    assert_eq!(e.preparation.scale, segscope::prep::Scale::Robust);
}

#[test]
fn rfm_dialog_builds_features_and_opens_them() {
    let (mut h, dialogs) = started();
    h.get_by_label("Build RFM features…").click();
    h.run();
    assert!(h.state().is_rfm_open());
    dialogs.push_pick(Some(transactions()));
    h.get_by_label("Choose file…").click();
    // The preview is read on a worker (a spinner repaints meanwhile): step until it is done.
    wait_for_load(&mut h);
    h.get_by_label("sample_transactions.csv");
    h.get_by_label("First 10 rows");
    h.get_by_label("C02392");
    h.get_by_label("Build").click();
    h.step();
    assert!(h.state().is_busy());
    wait_for_load(&mut h);
    assert!(h.state().banner().is_none(), "{:?}", h.state().banner());
    let table = h.state().table().unwrap();
    for name in ["customer_id", "recency_days", "frequency", "monetary"] {
        assert!(table.index_of(name).is_some(), "{name} missing");
    }
    assert!(table.source_name.starts_with("sample_transactions_rfm.csv"));
    let e = &h.state().state().explorer;
    assert!(
        e.prepared()
            .unwrap()
            .prepared
            .feature_names
            .contains(&"recency_days".to_owned())
    );
    h.get_by_label_contains("opened as sample_transactions_rfm.csv");
    h.get_by_label("Close").click();
    h.run();
    assert!(!h.state().is_rfm_open());
}

#[test]
fn help_menu_lists_shortcuts_and_about() {
    let (mut h, _) = started();
    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("Keyboard shortcuts");
    h.get_by_label("Export the labelled CSV");
    h.get_by_label("About segscope").click();
    h.run();
    h.get_by_label(&format!("segscope {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn apply_to_all_sets_every_numeric_feature_in_one_undoable_edit() {
    let (mut h, _) = started();
    let row = h.get_by_label("Use age as a feature").rect();
    h.query_all_by_label("…")
        .min_by(|a, b| {
            (a.rect().center().y - row.center().y)
                .abs()
                .total_cmp(&(b.rect().center().y - row.center().y).abs())
        })
        .expect("the options button of age")
        .click();
    h.run();
    h.get_by_label("log1p on").click();
    h.step();
    h.step();
    let prep = h.state().state().explorer.preparation.clone();
    let numeric: Vec<String> = prep
        .features
        .iter()
        .filter(|f| !["region", "channel"].contains(&f.as_str()))
        .cloned()
        .collect();
    assert!(numeric.len() >= 5, "{numeric:?}");
    for f in &numeric {
        assert!(prep.log1p.contains(f), "{f} in {:?}", prep.log1p);
    }
    // Marked in the list: one "•…" per column with choices of its own.
    assert_eq!(h.query_all_by_label("•…").count(), numeric.len());
    // One Ctrl+Z takes the whole change back.
    h.state_mut()
        .push_command(Command::Explore(ExploreCommand::Undo));
    h.step();
    h.step();
    assert!(h.state().state().explorer.preparation.log1p.is_empty());
    assert_eq!(h.query_all_by_label("•…").count(), 0);
    wait_for_load(&mut h);
}

#[test]
fn the_data_tab_shows_the_raw_rows_a_screenful_at_a_time() {
    let (mut h, _) = started();
    h.query_all_by_label("Data")
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap()
        .click();
    h.run();
    h.get_by_label("Rows").click();
    h.run();
    let table = h.state().state().dataset().unwrap().table.clone();
    let first = table.columns[0].data.display(0);
    assert!(!first.is_empty());
    h.get_by_label(&first);
    h.get_by_label_contains("3,000 rows as loaded");
    // Only the visible rows are laid out: far fewer cells than 3,000 rows × 10 columns.
    let last = table.columns[0].data.display(2999);
    assert!(
        h.query_by_label(&last).is_none(),
        "row 3,000 is not laid out"
    );
    let line_numbers = h.query_all_by_label("2").count() + h.query_all_by_label("3").count();
    assert!(
        line_numbers >= 1,
        "line numbers start at 2 (the header is line 1)"
    );
    // Back to the columns.
    h.get_by_label("Columns").click();
    h.run();
    assert!(h.query_by_label_contains("rows as loaded").is_none());
}
