use std::fmt::Write as _;

use super::*;

fn loaded(csv: &str) -> AppState {
    let mut s = AppState::new(Settings::default());
    s.start_load(LoadSource::Bytes {
        name: "t.csv".into(),
        bytes: csv.as_bytes().to_vec(),
    });
    s.wait_for_load();
    s
}

#[test]
fn sample_loads_with_summaries() {
    let mut s = AppState::new(Settings::default());
    s.start_load(LoadSource::sample());
    assert!(s.is_loading());
    assert_eq!(s.load_status().map(|st| st.name), Some(SAMPLE_NAME.into()));
    s.wait_for_load();
    assert!(!s.is_loading());
    let d = s.dataset().unwrap();
    assert_eq!(d.table.n_rows(), 3000);
    assert_eq!(d.summaries.len(), d.table.n_cols());
    assert_eq!(d.display_name(), SAMPLE_NAME);
    assert!(s.banners().is_empty());
}

#[test]
fn failed_load_keeps_table_and_shows_error() {
    let mut s = loaded("a,b\n1,2\n3,4\n");
    s.start_load(LoadSource::Bytes {
        name: "bad.csv".into(),
        bytes: b"a,b\n1,2\n3,4,5\n".to_vec(),
    });
    s.wait_for_load();
    assert_eq!(s.dataset().unwrap().table.source_name, "t.csv");
    let b = &s.banners()[0];
    assert_eq!(b.kind, BannerKind::Error);
    assert!(b.text.contains("bad.csv"), "{}", b.text);
    assert!(b.text.contains("line 3"), "{}", b.text);
    let id = b.id;
    s.dismiss_banner(id);
    assert!(s.banners().is_empty());
}

#[test]
fn cancelled_result_keeps_table_and_says_so() {
    let mut s = loaded("a\n1\n");
    s.generation += 1;
    let g = s.generation;
    s.finish_load(g, "big.csv", Err(Error::Cancelled));
    assert_eq!(s.banners()[0].kind, BannerKind::Info);
    assert!(s.banners()[0].text.contains("cancelled"));
    assert!(s.banners()[0].text.contains("still showing t.csv"));
    assert_eq!(s.dataset().unwrap().table.n_rows(), 1);
}

#[test]
fn cancel_load_drops_the_job_at_once() {
    let mut s = loaded("a\n1\n");
    s.start_load(LoadSource::Deferred {
        name: "slow.csv".into(),
        read: Box::new(|| {
            std::thread::sleep(std::time::Duration::from_millis(200));
            Ok(b"a\n1\n2\n".to_vec())
        }),
    });
    s.cancel_load();
    assert!(!s.is_loading());
    assert!(s.banners()[0].text.contains("cancelled"));
    assert_eq!(s.dataset().unwrap().table.n_rows(), 1);
}

#[test]
fn stale_generation_is_dropped() {
    let mut s = loaded("a\n1\n");
    let old = s.generation();
    s.generation += 1;
    s.finish_load(old, "x.csv", Err(Error::InvalidParameter("stale".into())));
    assert!(s.banners().is_empty());
}

#[test]
fn success_clears_banners_and_remembers_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok.csv");
    std::fs::write(&path, "x,y\n1,2\n").unwrap();
    let mut s = AppState::new(Settings::default());
    s.push_banner(BannerKind::Error, "old".into());
    s.start_load(LoadSource::Path(path.clone()));
    s.wait_for_load();
    assert!(s.banners().is_empty());
    assert_eq!(s.dataset().unwrap().display_name(), "ok.csv");
    assert_eq!(s.settings.recent_files, vec![path.clone()]);
    s.settings.remember_file(Path::new("/tmp/other.csv"));
    s.settings.remember_file(&path);
    assert_eq!(s.settings.recent_files.len(), 2);
    assert_eq!(s.settings.recent_files[0], path);
}

#[test]
fn deferred_read_error_is_shown() {
    let mut s = AppState::new(Settings::default());
    s.start_load(LoadSource::Deferred {
        name: "gone.csv".into(),
        read: Box::new(|| Err("permission denied".into())),
    });
    s.wait_for_load();
    assert!(s.dataset().is_none());
    assert!(s.banners()[0].text.contains("gone.csv"));
    assert!(s.banners()[0].text.contains("permission denied"));
}

#[test]
fn reopening_a_file_offers_its_last_choices_and_undo_takes_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.csv");
    let mut csv = String::from("spend,visits,age\n");
    for i in 0..60 {
        writeln!(csv, "{},{},{}", i % 7 * 10, i % 5, 20 + i % 30).unwrap();
    }
    std::fs::write(&path, &csv).unwrap();
    let mut s = AppState::new(Settings::default());
    s.start_load(LoadSource::Path(path.clone()));
    s.wait_idle();
    let defaults = s.explorer.preparation.clone();
    assert!(defaults.features.contains(&"age".to_owned()));
    s.explore(ExploreCommand::SetFeature("age".into(), false));
    s.explore(ExploreCommand::SetKRange(2, 6));
    s.wait_idle();
    let chosen = s.explorer.preparation.clone();
    assert!(!chosen.features.contains(&"age".to_owned()));
    // Another file in between, then the first one again.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "a,b\n1,2\n3,4\n5,7\n").unwrap();
    s.start_load(LoadSource::Path(other));
    s.wait_idle();
    s.start_load(LoadSource::Path(path.clone()));
    s.wait_idle();
    assert_eq!(s.explorer.preparation, chosen);
    assert_eq!((s.explorer.model.k_min, s.explorer.model.k_max), (2, 6));
    assert!(
        s.banners().iter().any(|b| b.text.contains("Restored")),
        "the restore is said"
    );
    // One undo puts the default preparation back.
    s.explore(ExploreCommand::Undo);
    assert_eq!(s.explorer.preparation, defaults);
    // The settings survive a round trip through their serialised form (eframe persistence).
    let text = serde_json::to_string(&s.settings).unwrap();
    let back: Settings = serde_json::from_str(&text).unwrap();
    assert_eq!(back.files, s.settings.files);
    // A file with the same path but other columns is another file: defaults.
    std::fs::write(&path, "x,y\n1,2\n3,4\n5,7\n").unwrap();
    let mut fresh = AppState::new(back);
    fresh.start_load(LoadSource::Path(path));
    fresh.wait_idle();
    assert_eq!(fresh.explorer.preparation.features, ["x", "y"]);
}

#[test]
fn errors_clear_when_their_cause_is_fixed_and_replace_older_ones_of_the_same_cause() {
    use crate::app::explore::Stage;
    let mut s = AppState::new(Settings::default());
    s.push_error(Cause::Stage(Stage::Fit), "fit 1".into());
    s.push_error(Cause::Stage(Stage::Fit), "fit 2".into());
    s.push_error(
        Cause::File("Exporting the segments".into()),
        "export".into(),
    );
    s.push_error(Cause::Apply, "apply".into());
    s.push_error(Cause::Input, "'x' is not a number".into());
    s.push_banner(BannerKind::Error, "no cause".into());
    s.push_banner(BannerKind::Info, "Wrote 3 rows".into());
    let texts =
        |s: &AppState| -> Vec<String> { s.banners().iter().map(|b| b.text.clone()).collect() };
    // "fit 2" replaced "fit 1" (same cause).
    assert_eq!(
        texts(&s),
        [
            "fit 2",
            "export",
            "apply",
            "'x' is not a number",
            "no cause",
            "Wrote 3 rows"
        ]
    );
    // Another job's success fixes nothing of the others.
    assert!(!s.fix(Fixed::File("Saving the recipe")));
    assert!(s.fix(Fixed::File("Exporting the segments")));
    assert!(s.fix(Fixed::Applied));
    // A new preparation fixes stage and input errors, not the uncaused one or the notice.
    assert!(s.fix(Fixed::Stage(Stage::Prepare)));
    assert_eq!(texts(&s), ["no cause", "Wrote 3 rows"]);
    s.dismiss_all();
    assert!(s.banners().is_empty());
}
