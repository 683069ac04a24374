//! Tests of the explorer state machine (real worker threads, real engine).

use std::fmt::Write as _;

use super::*;
use crate::data::{LoadOptions, load_bytes};

fn table(csv: &str) -> Arc<Table> {
    Arc::new(
        load_bytes(
            csv.as_bytes().to_vec(),
            "t.csv",
            &LoadOptions::default(),
            &Progress::new(),
        )
        .unwrap(),
    )
}

fn blobs_csv() -> String {
    let mut r = crate::rng::Rng::new(3);
    let mut s = String::from("id,a,b,region\n");
    for i in 0..150 {
        let c = (i % 3) as f64 * 10.0;
        let region = ["N", "S"][i % 2];
        let (a, b) = (c + r.normal(), -c + r.normal());
        writeln!(s, "{i},{a},{b},{region}").unwrap();
    }
    s
}

#[test]
fn default_preparation_takes_numeric_columns_but_not_ids() {
    let t = table(&blobs_csv());
    assert_eq!(default_preparation(&t).features, ["a", "b"]);
    let t = table("customer_id,x\n1,2\n2,3\n3,4\n");
    assert_eq!(default_preparation(&t).features, ["x"]);
    let t = table("id,x\n1,2\n1,3\n");
    assert_eq!(
        default_preparation(&t).features,
        ["id", "x"],
        "repeated ids are data"
    );
}

#[test]
fn chain_runs_prepare_sweep_then_fits_the_recommendation() {
    let mut e = Explorer::default();
    e.set_table(table(&blobs_csv()), None);
    assert!(e.is_preparing());
    e.wait();
    let sweep = e.sweep().unwrap();
    assert_eq!(sweep.ks, (2..=10).collect::<Vec<_>>());
    assert_eq!(sweep.rows.len(), 9);
    assert_eq!(sweep.done.as_ref().unwrap().recommended_k, Some(3));
    let r = e.result().unwrap();
    assert_eq!(r.seg.k, 3);
    assert_eq!(r.sizes(), [50, 50, 50]);
    assert!(r.silhouette_mean.unwrap() > 0.8);
    assert_eq!(r.silhouette.as_ref().unwrap().len(), 150);
    assert_eq!(r.centroid_scores.as_ref().unwrap().dim(), (3, 2));
    assert_eq!(
        e.prepared().unwrap().scores.as_ref().unwrap().dim(),
        (150, 2)
    );
    assert!(e.take_errors().is_empty());
}

#[test]
fn picking_k_refits_without_resweeping() {
    let mut e = Explorer::default();
    e.set_table(table(&blobs_csv()), None);
    e.wait();
    e.apply(ExploreCommand::PickK(5));
    assert!(e.is_fitting());
    assert!(!e.is_sweeping());
    e.wait();
    assert_eq!(e.result().unwrap().seg.k, 5);
    assert_eq!(e.sweep().unwrap().rows.len(), 9);
    assert_eq!(e.current_k(), Some(5));
}

#[test]
fn toggling_a_feature_reprepares_and_resweeps() {
    let mut e = Explorer::default();
    e.set_table(table(&blobs_csv()), None);
    e.wait();
    e.apply(ExploreCommand::SetFeature("region".into(), true));
    assert_eq!(e.preparation.features, ["a", "b", "region"]);
    assert!(e.is_preparing());
    assert!(e.sweep().is_none() && e.result().is_none());
    e.wait();
    assert_eq!(
        e.prepared().unwrap().prepared.feature_names,
        ["a", "b", "region=N", "region=S"]
    );
    assert_eq!(e.sweep().unwrap().rows.len(), 9);
    e.apply(ExploreCommand::SetFeature("region".into(), true));
    assert!(!e.is_busy(), "no change, no work");
}

#[test]
fn hierarchical_cut_reuses_the_tree() {
    let mut e = Explorer::default();
    e.set_table(table(&blobs_csv()), None);
    e.apply(ExploreCommand::SetMethod(Method::Ward));
    e.wait();
    let r = e.result().unwrap().clone();
    assert_eq!(r.seg.k, 3);
    let tree = r.seg.dendrogram.as_ref().unwrap();
    let h = crate::cluster::height_for_k(tree, 6);
    e.apply(ExploreCommand::CutHeight(h));
    e.wait();
    assert_eq!(e.result().unwrap().seg.k, 6);
    assert_eq!(e.current_k(), Some(6));
    e.apply(ExploreCommand::CutHeight(tree.root_height() * 3.0));
    e.wait();
    let errors = e.take_errors();
    assert!(errors[0].message.contains("root"), "{errors:?}");
    assert_eq!(e.result().unwrap().seg.k, 6, "the last good result stays");
}

#[test]
fn stale_results_are_dropped_and_cancel_stops_everything() {
    let mut e = Explorer::default();
    e.set_table(table(&blobs_csv()), None);
    e.apply(ExploreCommand::SetScale(Scale::Minmax));
    e.apply(ExploreCommand::SetScale(Scale::Robust));
    e.wait();
    assert_eq!(
        e.prepared().unwrap().fitted.preparation.scale,
        Scale::Robust
    );
    e.apply(ExploreCommand::SetMethod(Method::Gmm));
    assert!(e.is_sweeping());
    e.apply(ExploreCommand::Cancel);
    assert!(!e.is_busy());
    e.wait();
    assert!(e.take_errors().is_empty(), "cancelling is not an error");
}

#[test]
fn bad_recipe_is_an_error_not_a_panic() {
    let mut e = Explorer::default();
    e.set_table(table("a,b\nx,u\ny,v\nz,w\n"), None);
    e.wait();
    let errors = e.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.contains("numeric"), "{errors:?}");
    assert_eq!(errors[0].stage, Stage::Prepare);
    assert!(e.prepared().is_none());
}

#[test]
fn undo_and_redo_restore_choices_and_rerun() {
    let mut e = Explorer::default();
    e.set_table(table(&blobs_csv()), None);
    e.wait();
    e.apply(ExploreCommand::SetScale(Scale::Minmax));
    e.apply(ExploreCommand::SetMethod(Method::Ward));
    e.wait();
    assert_eq!(e.history(), ["scaler: minmax", "method: ward"]);
    e.apply(ExploreCommand::Undo);
    assert_eq!(e.model.method, Method::Kmeans);
    assert!(
        e.is_sweeping() && !e.is_preparing(),
        "a model undo re-sweeps only"
    );
    e.apply(ExploreCommand::Undo);
    assert_eq!(e.preparation.scale, Scale::Standard);
    assert!(e.is_preparing());
    e.wait();
    assert_eq!(
        e.prepared().unwrap().fitted.preparation.scale,
        Scale::Standard
    );
    assert_eq!(e.redo_list(), ["scaler: minmax", "method: ward"]);
    e.apply(ExploreCommand::Redo);
    assert_eq!(e.preparation.scale, Scale::Minmax);
    e.apply(ExploreCommand::PickK(4));
    assert!(e.redo_list().is_empty(), "a new edit clears the redo list");
    e.wait();
    assert_eq!(e.result().unwrap().seg.k, 4);
}

#[test]
fn dragging_the_cut_is_one_undo_step() {
    let mut e = Explorer::default();
    e.set_table(table(&blobs_csv()), None);
    e.apply(ExploreCommand::SetMethod(Method::Ward));
    e.wait();
    let tree = e.result().unwrap().seg.dendrogram.clone().unwrap();
    for k in [6, 5, 4] {
        e.apply(ExploreCommand::CutHeight(crate::cluster::height_for_k(
            &tree, k,
        )));
    }
    e.wait();
    assert_eq!(e.history().len(), 2, "{:?}", e.history());
    e.apply(ExploreCommand::Undo);
    assert_eq!(e.picked, None);
}

#[test]
fn cancel_puts_the_controls_back_to_what_is_shown() {
    let mut e = Explorer::default();
    e.set_table(table(&blobs_csv()), None);
    e.wait();
    let shown = e.result().unwrap().seg.k;
    e.apply(ExploreCommand::SetMethod(Method::Gmm));
    assert!(e.is_sweeping());
    e.apply(ExploreCommand::Cancel);
    assert_eq!(
        e.model.method,
        Method::Kmeans,
        "the method box shows what the results are"
    );
    assert_eq!(e.result().unwrap().seg.k, shown);
    assert_eq!(e.result().unwrap().seg.method, Method::Kmeans);
    assert!(e.sweep().unwrap().done.is_some());
    e.apply(ExploreCommand::SetFeature("region".into(), true));
    e.apply(ExploreCommand::Cancel);
    assert_eq!(e.preparation.features, ["a", "b"]);
    assert!(e.prepared().is_some() && e.result().is_some());
}

#[test]
fn stages_report_success_so_stale_banners_can_clear() {
    let mut e = Explorer::default();
    e.set_table(table("a,b\nx,u\ny,v\nz,w\n"), None);
    e.wait();
    assert_eq!(e.take_errors()[0].stage, Stage::Prepare);
    e.set_table(table(&blobs_csv()), None);
    e.wait();
    let ok = e.take_succeeded();
    assert!(
        ok.contains(&Stage::Prepare) && ok.contains(&Stage::Fit),
        "{ok:?}"
    );
}

#[test]
fn a_recipe_applies_its_preparation_and_model_in_one_edit() {
    let mut e = Explorer::default();
    e.set_table(table(&blobs_csv()), None);
    e.wait();
    let mut p = Preparation::new(vec!["a".into()]);
    p.scale = Scale::Robust;
    let recipe = Recipe {
        preparation: p,
        model: Some(ModelSpec {
            method: Method::Ward,
            k: Some(4),
            seed: 7,
            ..ModelSpec::default()
        }),
        fitted: None,
    };
    e.apply(ExploreCommand::ApplyRecipe(Box::new(recipe)));
    assert_eq!(e.preparation.features, ["a"]);
    assert_eq!((e.model.method, e.model.seed), (Method::Ward, 7));
    assert_eq!(e.picked, Some(Target::K(4)));
    e.wait();
    let r = e.result().unwrap();
    assert_eq!((r.seg.k, r.seg.method), (4, Method::Ward));
    assert_eq!(e.history(), ["load a recipe"]);
}

#[test]
fn score_components_keep_ten_for_small_data_and_two_at_ten_million_rows() {
    assert_eq!(super::score_components(0), 10);
    assert_eq!(super::score_components(150), 10);
    assert_eq!(super::score_components(2_000_000), 10);
    assert_eq!(super::score_components(4_000_000), 5);
    assert_eq!(super::score_components(10_000_000), 2);
    assert_eq!(super::score_components(100_000_000), 2);
}
