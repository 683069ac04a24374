//! GUI tests of the density methods in the app: picking DBSCAN in Choose K shows its k-distance curve,
//! segments and grey outliers; OPTICS's reachability threshold, dragged with the pointer, re-cuts the
//! segments live. The real app on the embedded sample (3,000 customers), driven by egui_kittest.
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

/// Opens Choose K and picks `method` in its Method menu, then waits for the fit.
fn pick(h: &mut Harness<'_, SegscopeApp>, current: &str, method: &str) {
    h.get_by_label("Choose K").click();
    h.run();
    h.get_by_value(current).click();
    h.run();
    h.get_by_label(method).click();
    h.step();
    wait_for_load(h);
}

fn k_now(h: &Harness<'_, SegscopeApp>) -> usize {
    h.state().state().explorer.result().unwrap().seg.k
}

#[test]
fn picking_dbscan_shows_the_k_distance_curve_segments_and_outliers() {
    let (mut h, _) = started();
    pick(&mut h, "K-Means", "DBSCAN");
    let (n_clusters, n_noise, eps, knee) = {
        let ex = &h.state().state().explorer;
        assert_eq!(ex.model.method, Method::Dbscan);
        let curve = ex.k_distance().expect("the k-distance curve");
        assert_eq!(curve.distances.len(), 3000);
        assert!(curve.distances.windows(2).all(|w| w[0] <= w[1]));
        let r = ex.result().unwrap();
        assert_eq!(r.options.method, Method::Dbscan);
        let d = r.seg.density.as_ref().unwrap();
        // No eps set: the fit runs at the curve's knee.
        assert_eq!(d.cut.eps(), curve.suggested_eps);
        (
            d.n_clusters,
            d.n_noise,
            d.cut.eps().unwrap(),
            curve.suggested_eps.unwrap(),
        )
    };
    assert!(n_clusters >= 1, "{n_clusters}");
    assert_eq!(eps, knee);
    h.get_by_label_contains(&format!("{n_clusters} segments · {n_noise} outliers"));
    h.get_by_label_contains("are left out of the silhouette, Davies-Bouldin and Calinski-Harabasz");
    h.get_by_label("eps line (drag to set eps)");

    // A click high on the curve sets a larger eps: fewer outliers.
    let line = h.get_by_label("eps line (drag to set eps)").rect();
    let high = Pos2::new(line.center().x, line.center().y - 120.0);
    h.hover_at(high);
    h.step();
    h.drag_at(high);
    h.step();
    h.drop_at(high);
    h.step();
    wait_for_load(&mut h);
    let (eps2, noise2) = {
        let ex = &h.state().state().explorer;
        let d = ex.result().unwrap().seg.density.as_ref().unwrap();
        (d.cut.eps().unwrap(), d.n_noise)
    };
    assert!(eps2 > eps, "{eps2} vs {eps}");
    assert_eq!(h.state().state().explorer.model.eps, Some(eps2));
    assert!(noise2 <= n_noise, "{noise2} vs {n_noise}");

    // The outliers are a grey legend row of their own on the scatter (when there are any).
    h.get_by_label("Scatter").click();
    h.run();
    let legend = labels_containing(&h, " rows · ");
    let outliers: Vec<&String> = legend
        .iter()
        .filter(|l| l.starts_with("Outliers · "))
        .collect();
    assert_eq!(outliers.len(), usize::from(noise2 > 0), "{legend:?}");
}

#[test]
fn dragging_the_reachability_threshold_re_cuts_the_segments() {
    let (mut h, _) = started();
    pick(&mut h, "K-Means", "OPTICS");
    {
        let ex = &h.state().state().explorer;
        assert_eq!(ex.model.method, Method::Optics);
        assert!(ex.optics_graph().is_some());
        assert_eq!(ex.model.eps, None);
    }
    // xi first: no threshold yet; a click high on the plot puts one there.
    assert!(
        h.query_by_label("Threshold line (drag to re-cut)")
            .is_none()
    );
    let above = h
        .get_by_label_contains("Reachability: the rows in OPTICS order")
        .rect();
    let at = Pos2::new(above.center().x, above.bottom() + 60.0);
    h.hover_at(at);
    h.step();
    h.drag_at(at);
    h.step();
    h.drop_at(at);
    h.step();
    wait_for_load(&mut h);
    let k0 = k_now(&h);
    let eps0 = h.state().state().explorer.model.eps.expect("an eps cut");
    let line = h.get_by_label("Threshold line (drag to re-cut)").rect();

    // Drag the line down towards the axis: a lower cut leaves fewer rows in dense regions.
    let from = line.center();
    let to = Pos2::new(from.x, from.y + 300.0);
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for i in 1..=6 {
        h.hover_at(from + (to - from) * (i as f32 / 6.0));
        h.step();
    }
    // While dragging, the segments follow the line (each move re-cuts the fitted graph).
    let moving = h.state().state().explorer.model.eps.unwrap();
    assert!(moving < eps0, "{moving} vs {eps0}");
    h.drop_at(to);
    h.step();
    wait_for_load(&mut h);
    let ex = &h.state().state().explorer;
    let eps1 = ex.model.eps.unwrap();
    assert!(eps1 < eps0, "{eps1} vs {eps0}");
    let r = ex.result().unwrap();
    let d = r.seg.density.as_ref().unwrap();
    assert_eq!(d.cut.eps(), Some(eps1));
    // The re-cut equals the engine's cut of the same graph at that eps.
    let want = ex.optics_graph().unwrap().cut(eps1).unwrap();
    assert_eq!((d.n_clusters, d.n_noise), (want.n_clusters, want.n_noise));
    assert_ne!(r.seg.k, k0, "the segment count should change (k0 = {k0})");
    // The whole drag is one undo step.
    let history = ex.history();
    assert_eq!(
        history.iter().filter(|w| w.starts_with("eps ")).count(),
        1,
        "{history:?}"
    );
}
