//! GUI tests of "trust the segments" (issue 13): the stability curve on Choose K, renaming a segment on
//! its Profiles card carried to the exported `segment_name` and to a same-shape refit, names dropped with a
//! notice on a shape change, "compare with…" a previous fit, and the Profiles table's sticky header and
//! non-feature columns (issue 11 item 17). The real app on the embedded sample, driven by egui_kittest.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::SegscopeApp;
use segscope::app::explore::ExploreCommand;
use segscope::app::state::Command;
use segscope::export::{ExportColumns, segment_columns, write_labelled_table};
use segscope::jobs::Progress;

mod common;
use common::{started, wait_for_load};

fn open_tab(h: &mut Harness<'static, SegscopeApp>, title: &str) {
    h.query_all_by_label(title)
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap_or_else(|| panic!("no {title} tab"))
        .click();
    h.run();
}

/// Sends an edit as the panels do and lets the app take it.
fn explore(h: &mut Harness<'static, SegscopeApp>, cmd: ExploreCommand) {
    h.state_mut().push_command(Command::Explore(cmd));
    h.step();
}

/// The first node whose label contains `part` (a categorical has a row per level).
fn first<'h>(h: &'h Harness<'static, SegscopeApp>, part: &'h str) -> egui_kittest::Node<'h> {
    h.query_all_by_label_contains(part)
        .next()
        .unwrap_or_else(|| panic!("no label with {part}"))
}

/// The labelled CSV the Export tab writes for the fit shown.
fn exported_csv(h: &Harness<'static, SegscopeApp>) -> String {
    let state = h.state().state();
    let table = &state.dataset().unwrap().table;
    let result = state.explorer.result().unwrap();
    let data = state.explorer.prepared().unwrap();
    let cols = segment_columns(result, data, table.n_rows(), ExportColumns::default());
    let mut out = Vec::new();
    write_labelled_table(table, &cols, &mut out, &Progress::new()).unwrap();
    String::from_utf8(out).unwrap()
}

/// The `segment_name` cell of every row whose `segment` is `s`.
fn names_of_segment(csv: &str, s: usize) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let seg = header.iter().position(|c| *c == "segment").unwrap();
    let name = header.iter().position(|c| *c == "segment_name").unwrap();
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[seg] == s.to_string())
        .map(|c| c[name].to_owned())
        .collect()
}

#[test]
fn choose_k_shows_the_stability_curve() {
    let (mut h, _) = started();
    open_tab(&mut h, "Choose K");
    let sweep = h.state().state().explorer.sweep().unwrap().clone();
    assert!(
        sweep.rows.iter().all(|r| r.stability.is_some()),
        "the app's sweep computes stability by default"
    );
    // The plot's title and its curve (a line named after the metric, one point per K).
    let title = h.get_by_label("Stability (ARI)").rect();
    assert!(title.width() > 0.0);
    // Without stability (B = 0) the plot is not offered.
    assert!(
        sweep
            .rows
            .iter()
            .all(|r| r.stability.as_ref().unwrap().ari_mean <= 1.0 + 1e-12)
    );
}

#[test]
fn renaming_a_segment_changes_the_exported_segment_name() {
    let (mut h, _) = started();
    open_tab(&mut h, "Profiles");
    let before = h.state().state().explorer.result().unwrap().names[0].clone();
    assert!(
        names_of_segment(&exported_csv(&h), 0)
            .iter()
            .all(|n| *n == before)
    );
    // The card of segment 0: its name field is labelled by the segment number.
    let field = h
        .query_all_by_label("0")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .expect("the name field of segment 0");
    field.click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.query_all_by_label("0")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .unwrap()
        .type_text("Big spenders");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    let names = &h.state().state().explorer.result().unwrap().names;
    assert_eq!(names[0], "Big spenders", "{names:?}");
    let exported = names_of_segment(&exported_csv(&h), 0);
    assert!(!exported.is_empty());
    assert!(
        exported.iter().all(|n| n == "Big spenders"),
        "{:?}",
        &exported[..3]
    );
    // The recipe / model carries it too.
    let state = h.state().state();
    let recipe = state
        .explorer
        .result()
        .unwrap()
        .recipe(state.explorer.prepared().unwrap())
        .unwrap();
    assert_eq!(recipe.fitted.unwrap().names[0], "Big spenders");
}

#[test]
fn names_survive_a_same_shape_refit_and_drop_with_a_notice_on_a_new_k() {
    let (mut h, _) = started();
    let k = h.state().state().explorer.result().unwrap().seg.k;
    explore(&mut h, ExploreCommand::RenameSegment(1, "Sleepers".into()));
    // Another K: the segments change shape, the name is dropped with a notice.
    explore(&mut h, ExploreCommand::PickK(k + 1));
    wait_for_load(&mut h);
    let notice = h
        .state()
        .state()
        .explorer
        .names_notice()
        .unwrap()
        .to_owned();
    assert!(notice.contains("dropped"), "{notice}");
    assert!(
        !h.state()
            .state()
            .explorer
            .result()
            .unwrap()
            .names
            .contains(&"Sleepers".to_owned())
    );
    open_tab(&mut h, "Profiles");
    h.get_by_label_contains("Segment names dropped");
    // Renamed again at this K, then a refit of the same shape keeps it.
    explore(&mut h, ExploreCommand::RenameSegment(1, "Sleepers".into()));
    // Same K and seed, refitted (restarts changed): the same numbering, the name kept.
    explore(&mut h, ExploreCommand::SetRestarts(Some(10)));
    wait_for_load(&mut h);
    let notice = h
        .state()
        .state()
        .explorer
        .names_notice()
        .unwrap()
        .to_owned();
    assert!(notice.contains("kept"), "{notice}");
    assert_eq!(
        h.state().state().explorer.result().unwrap().names[1],
        "Sleepers"
    );
    // The two fits are kept for comparison: the earlier K is offered.
    let kept = h.state().state().explorer.kept_fits();
    assert!(kept.iter().any(|f| f.result.seg.k == k), "{}", kept.len());
}

#[test]
fn compare_with_a_previous_fit_shows_ari_and_the_crosstab() {
    let (mut h, _) = started();
    let k = h.state().state().explorer.result().unwrap().seg.k;
    explore(&mut h, ExploreCommand::PickK(k + 1));
    wait_for_load(&mut h);
    open_tab(&mut h, "Profiles");
    h.get_by_label_contains("Compare with a previous fit")
        .click();
    h.run();
    h.run();
    h.get_by_label_contains("Adjusted Rand index");
    // K+1 from K: at least one segment split (or the words say nothing changed).
    assert!(
        h.query_by_label_contains("Split:").is_some()
            || h.query_by_label_contains("Merged:").is_some()
            || h.query_by_label_contains("No segment merged or split")
                .is_some()
    );
}

#[test]
fn profiles_keep_the_header_in_view_and_profile_non_features() {
    // A short window, so that the table's body scrolls.
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 560.0))
        .build_ui_state(
            |ui, app: &mut SegscopeApp| app.ui_frame(ui),
            SegscopeApp::new(Box::new(segscope::app::ScriptedDialogs::new()), None),
        );
    wait_for_load(&mut h);
    open_tab(&mut h, "Profiles");
    // region and channel are not features of the default preparation: profiled below, marked.
    h.get_by_label("Not used for the segmentation");
    first(&h, "region=");
    first(&h, "channel=");
    let header = h.get_by_label("Segment 0").rect();
    let row = first(&h, "region=").rect();
    // The pointer over the table's first body row (the cards above may push later rows out of view).
    h.get_by_label("orders_12m").hover();
    h.run_steps(60);
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, -200.0),
        modifiers: egui::Modifiers::NONE,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
    });
    h.run_steps(60);
    let header_after = h.get_by_label("Segment 0").rect();
    let row_after = first(&h, "region=").rect();
    assert_eq!(header.top(), header_after.top(), "the header stays put");
    assert!(
        row_after.top() < row.top() - 10.0,
        "{row:?} → {row_after:?} (header {header:?})"
    );
    // Shift+wheel scrolling sideways is egui's own (InputOptions::horizontal_scroll_modifier); a kittest
    // check of it did not move the table here and is left for later.
}

#[test]
fn the_scatter_legend_describes_each_segment_and_renames_it() {
    let (mut h, _) = started();
    open_tab(&mut h, "Scatter");
    let (name, description) = {
        let r = h.state().state().explorer.result().unwrap();
        (r.names[0].clone(), r.descriptions[0].description.clone())
    };
    let entry = format!("0 · {name} · ");
    first(&h, &entry).hover();
    h.run();
    assert!(
        h.query_all_by_label_contains(&description).next().is_some(),
        "the legend's tooltip says the segment in words: {description}"
    );
    first(&h, &entry).click_secondary();
    h.run();
    let field = || {
        h.query_all(egui_kittest::kittest::by().role(egui::accesskit::Role::TextInput))
            .find(|n| n.value().is_some_and(|v| v == name))
    };
    assert!(field().is_some(), "the rename field shows the current name");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.query_all(egui_kittest::kittest::by().role(egui::accesskit::Role::TextInput))
        .find(|n| n.value().is_some_and(|v| v == name))
        .unwrap()
        .type_text("Loyal big spenders");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    let names = &h.state().state().explorer.result().unwrap().names;
    assert_eq!(names[0], "Loyal big spenders", "{names:?}");
    assert!(
        names_of_segment(&exported_csv(&h), 0)
            .iter()
            .all(|n| n == "Loyal big spenders")
    );
    assert!(first(&h, "0 · Loyal big spenders · ").rect().width() > 0.0);
}

#[test]
fn segment_cards_show_stability_and_stay_inside_the_window() {
    let (mut h, _) = started();
    open_tab(&mut h, "Profiles");
    let result = h.state().state().explorer.result().unwrap().clone();
    let jaccard = &result
        .stability
        .as_ref()
        .expect("the app's fit carries bootstrap stability for its cards")
        .jaccard;
    assert_eq!(jaccard.len(), result.seg.k);
    let width = h.ctx.content_rect().width();
    // One stability line per card, each inside the window (cards wrap into rows instead of running off).
    let lines: Vec<_> = h.query_all_by_label_contains("(Jaccard ").collect();
    assert_eq!(lines.len(), result.seg.k);
    for line in &lines {
        assert!(
            line.rect().right() <= width + 0.5,
            "{:?} past {width}",
            line.rect()
        );
    }
    let fields: Vec<_> = h
        .query_all(egui_kittest::kittest::by().role(egui::accesskit::Role::TextInput))
        .filter(|n| n.rect().left() > 370.0 && n.rect().top() < 400.0)
        .collect();
    let rects: Vec<_> = fields.iter().map(egui_kittest::Node::rect).collect();
    assert_eq!(
        fields.len(),
        result.seg.k,
        "one name field per card: {rects:?}"
    );
    for f in &fields {
        assert!(
            f.rect().right() <= width + 0.5,
            "{:?} past {width}",
            f.rect()
        );
    }
    let first = format!("(Jaccard {:.2})", jaccard[0]);
    assert!(
        h.query_all_by_label_contains(&first).next().is_some(),
        "{first}"
    );
}

#[test]
fn a_rename_is_undone_and_redone_like_any_edit() {
    let (mut h, _) = started();
    let before = h.state().state().explorer.result().unwrap().names[1].clone();
    explore(&mut h, ExploreCommand::RenameSegment(1, "Sleepers".into()));
    assert_eq!(
        h.state().state().explorer.result().unwrap().names[1],
        "Sleepers"
    );
    assert!(
        h.state()
            .state()
            .explorer
            .history()
            .last()
            .is_some_and(|w| w.contains("Sleepers")),
        "{:?}",
        h.state().state().explorer.history()
    );
    explore(&mut h, ExploreCommand::Undo);
    assert_eq!(
        h.state().state().explorer.result().unwrap().names[1],
        before
    );
    assert!(
        names_of_segment(&exported_csv(&h), 1)
            .iter()
            .all(|n| *n == before)
    );
    explore(&mut h, ExploreCommand::Redo);
    assert_eq!(
        h.state().state().explorer.result().unwrap().names[1],
        "Sleepers"
    );
    // Nothing was refitted for it: the same segmentation throughout.
    assert!(!h.state().is_busy());
}
