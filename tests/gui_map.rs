//! GUI tests of the Map tab: the t-SNE map of the embedded sample runs on a worker, its points move
//! while it runs, Cancel stops it, and the finished map is drawn with the scatter's legend and hover.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::SegscopeApp;

mod common;
use common::{DEADLINE, started, wait_for_load};

fn labels_containing(h: &Harness<'_, SegscopeApp>, part: &str) -> Vec<String> {
    h.query_all_by_label_contains(part)
        .filter_map(|n| {
            let node = n.accesskit_node();
            node.label().or_else(|| node.value())
        })
        .collect()
}

#[test]
fn switching_to_the_map_embeds_every_row_and_draws_it() {
    let (mut h, _) = started();
    h.get_by_label("Map").click();
    h.step();
    h.step();
    assert!(h.state().state().explorer.is_embedding());
    wait_for_load(&mut h);
    let (rows, spread, k) = {
        let ex = &h.state().state().explorer;
        let e = ex.embedding().expect("a finished map");
        assert!(!e.is_sampled());
        assert_eq!(e.xy.len(), 3000);
        assert!(e.xy.iter().all(|p| p[0].is_finite() && p[1].is_finite()));
        let (lo, hi) = e.xy.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
            (lo.min(p[0]), hi.max(p[0]))
        });
        (e.rows.len(), hi - lo, ex.result().unwrap().seg.k)
    };
    assert_eq!(rows, 3000);
    assert!(spread > 5.0, "the map did not spread out: {spread}");
    h.get_by_label_contains("t-SNE map, perplexity 30, 1000 iterations, seed 0; all 3,000 rows");
    let legend: Vec<String> = labels_containing(&h, " rows · ")
        .into_iter()
        // "0 · Frequent buyers · 937 rows · 31.2%": the legend names each segment.
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.ends_with('%'))
        .collect();
    assert_eq!(legend.len(), k, "{legend:?}");
    // Back to the map later: the finished map is kept, not recomputed.
    h.get_by_label("Data").click();
    h.run();
    h.get_by_label("Map").click();
    h.step();
    assert!(!h.state().state().explorer.is_embedding());
}

#[test]
fn the_points_move_while_the_map_runs_and_cancel_stops_it() {
    let (mut h, _) = started();
    h.get_by_label("Map").click();
    h.step();
    let start = Instant::now();
    let first = loop {
        h.step();
        let live = h.state().state().explorer.live_map();
        if let Some(l) = live.filter(|l| !l.xy.is_empty()) {
            break l;
        }
        assert!(start.elapsed() < DEADLINE, "no epoch arrived");
        std::thread::sleep(Duration::from_millis(5));
    };
    let later = loop {
        h.step();
        let live = h
            .state()
            .state()
            .explorer
            .live_map()
            .expect("still running");
        if live.epoch > first.epoch {
            break live;
        }
        assert!(start.elapsed() < DEADLINE, "no later epoch arrived");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_ne!(first.xy, later.xy, "the points did not move");
    h.get_by_label_contains("t-SNE running: epoch ");
    h.get_by_label("Cancel map").click();
    h.step();
    wait_for_load(&mut h);
    let ex = &h.state().state().explorer;
    assert!(!ex.is_embedding());
    assert!(ex.embedding().is_none());
    h.get_by_label_contains("No map yet: press Run");
}

/// Renders docs/screenshots/map.png, density_kdist.png and density_reachability.png with kittest's wgpu
/// renderer (run by hand: `cargo test --test gui_map screenshots -- --ignored`).
#[test]
#[ignore = "writes docs/screenshots; run by hand"]
fn screenshots() {
    let dialogs = segscope::app::ScriptedDialogs::new();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .wgpu()
        .build_ui_state(
            |ui, app: &mut SegscopeApp| app.ui_frame(ui),
            SegscopeApp::new(Box::new(dialogs), None),
        );
    wait_for_load(&mut h);
    let shot = |h: &mut Harness<'_, SegscopeApp>, name: &str| {
        h.run();
        let img = h.render().expect("wgpu render");
        img.save(format!("docs/screenshots/{name}.png")).unwrap();
    };
    h.get_by_label("Map").click();
    h.step();
    wait_for_load(&mut h);
    shot(&mut h, "map");
    h.get_by_label("Choose K").click();
    h.run();
    h.get_by_value("K-Means").click();
    h.run();
    h.get_by_label("DBSCAN").click();
    h.step();
    wait_for_load(&mut h);
    shot(&mut h, "density_kdist");
    h.get_by_value("DBSCAN").click();
    h.run();
    h.get_by_label("OPTICS").click();
    h.step();
    wait_for_load(&mut h);
    let above = h
        .get_by_label_contains("Reachability: the rows in OPTICS order")
        .rect();
    let at = egui::Pos2::new(above.center().x, above.bottom() + 200.0);
    h.hover_at(at);
    h.step();
    h.drag_at(at);
    h.step();
    h.drop_at(at);
    h.step();
    wait_for_load(&mut h);
    shot(&mut h, "density_reachability");
}
