//! GUI tests of the Choose K, Silhouette and Profiles tabs: the real app on the embedded sample, driven
//! headless by egui_kittest with real clicks.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::SegscopeApp;

mod common;
use common::{started, wait_for_load};

/// Clicks a tab in the top bar (the highest node with that label: plots may repeat the name).
fn open_tab(h: &mut Harness<'static, SegscopeApp>, title: &str) {
    h.query_all_by_label(title)
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap_or_else(|| panic!("no {title} tab"))
        .click();
    h.run();
}

fn shown_k(h: &Harness<'static, SegscopeApp>) -> usize {
    h.state().state().explorer.result().unwrap().seg.k
}

/// The rect of a plot title (the lowest node with that label: the tab bar may repeat it).
fn title_rect(h: &Harness<'static, SegscopeApp>, title: &str) -> egui::Rect {
    h.query_all_by_label(title)
        .map(|n| n.rect())
        .max_by(|a, b| a.top().total_cmp(&b.top()))
        .unwrap_or_else(|| panic!("no {title} title"))
}

/// Every label text of the UI that contains `part`.
fn labels_containing(h: &Harness<'static, SegscopeApp>, part: &str) -> Vec<String> {
    h.query_all_by_label_contains(part)
        .filter_map(|n| {
            let a = n.accesskit_node();
            a.value().or_else(|| a.label())
        })
        .collect()
}

#[test]
fn picking_k_updates_the_segments_shown_in_profiles() {
    let (mut h, _) = started();
    open_tab(&mut h, "Choose K");
    let before = shown_k(&h);
    h.get_by_label_contains(&format!("Showing K = {before}"));
    let target = if before == 5 { 6 } else { 5 };
    h.get_by_label(&target.to_string()).click();
    h.step();
    assert!(h.state().is_busy(), "picking K refits");
    wait_for_load(&mut h);
    assert_eq!(shown_k(&h), target);
    h.get_by_label_contains(&format!("Showing K = {target}"));

    open_tab(&mut h, "Profiles");
    h.get_by_label_contains(&format!("{target} segments · 3,000 rows"));
    h.get_by_label(&format!("Segment {}", target - 1));
    assert!(h.query_by_label(&format!("Segment {target}")).is_none());
    // The size under each segment header ("1,234 · 41.1%") adds up to every row.
    let sizes: Vec<usize> = labels_containing(&h, "%")
        .iter()
        .filter_map(|l| l.split_once(" · "))
        .filter_map(|(n, _)| n.replace(',', "").parse().ok())
        .collect();
    assert_eq!(sizes.len(), target, "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), 3000, "{sizes:?}");
}

#[test]
fn clicking_a_plot_picks_the_nearest_k() {
    let (mut h, _) = started();
    open_tab(&mut h, "Choose K");
    let ks = h.state().state().explorer.sweep().unwrap().ks.clone();
    let k_max = *ks.last().unwrap();
    assert_ne!(
        shown_k(&h),
        k_max,
        "the sample should not recommend the largest K"
    );
    // The silhouette plot spans the first column, from its title down to the next row's title; its right
    // edge is just left of the Davies-Bouldin title. A click near that edge is nearest to the largest K.
    let silhouette = title_rect(&h, "Silhouette");
    let davies = title_rect(&h, "Davies-Bouldin");
    let calinski = title_rect(&h, "Calinski-Harabasz");
    let pos = egui::pos2(
        davies.left() - 20.0,
        f32::midpoint(silhouette.bottom(), calinski.top()),
    );
    h.input_mut().events.push(egui::Event::PointerMoved(pos));
    h.step();
    for pressed in [true, false] {
        h.input_mut().events.push(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
    wait_for_load(&mut h);
    assert_eq!(shown_k(&h), k_max);
    h.get_by_label_contains(&format!("Showing K = {k_max}"));
}

#[test]
fn switching_to_gmm_adds_the_bic_plot_and_membership_histogram() {
    let (mut h, _) = started();
    open_tab(&mut h, "Choose K");
    for title in [
        "Silhouette",
        "Davies-Bouldin",
        "Calinski-Harabasz",
        "Inertia",
    ] {
        title_rect(&h, title);
    }
    assert!(h.query_by_label("BIC").is_none());
    h.get_by_label_contains("Recommended: K =");
    h.get_by_label_contains("Knee of inertia at K =");
    h.get_by_value("K-Means").click();
    h.run();
    h.get_by_label("Gaussian mixture").click();
    h.step();
    assert!(h.state().state().explorer.is_sweeping());
    wait_for_load(&mut h);
    title_rect(&h, "BIC");
    h.get_by_value("Gaussian mixture");
    h.get_by_label_contains("Recommended: K =");
    let result = h.state().state().explorer.result().unwrap().clone();
    assert!(result.seg.probabilities.is_some());

    open_tab(&mut h, "Profiles");
    h.get_by_label("Membership certainty (Gaussian mixture)");
    let text = labels_containing(&h, "are ambiguous");
    assert_eq!(text.len(), 1, "{text:?}");
    let probs = result.seg.probabilities.as_ref().unwrap();
    let ambiguous = probs
        .rows()
        .into_iter()
        .filter(|r| r.iter().copied().fold(0.0, f64::max) < 0.6)
        .count();
    assert!(
        text[0].starts_with(&format!("{ambiguous} rows")),
        "{text:?} vs {ambiguous}"
    );
}

#[test]
fn silhouette_tab_counts_negative_rows() {
    let (mut h, _) = started();
    open_tab(&mut h, "Choose K");
    // Many segments leave some rows closer to a neighbour than to their own segment.
    h.get_by_label("10").click();
    h.step();
    wait_for_load(&mut h);
    open_tab(&mut h, "Silhouette");
    let result = h.state().state().explorer.result().unwrap().clone();
    assert_eq!(result.seg.k, 10);
    let negatives = result
        .silhouette
        .as_ref()
        .unwrap()
        .iter()
        .filter(|&&s| s < 0.0)
        .count();
    assert!(
        negatives > 0,
        "K = 10 on the sample should leave negative rows"
    );
    let text = labels_containing(&h, "have a negative silhouette");
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(
        text[0].starts_with(&format!("{negatives} rows (")),
        "{text:?} vs {negatives}"
    );
    assert!(text[0].contains("closer to another segment"), "{text:?}");
    h.get_by_label_contains("Average silhouette");
}

#[test]
fn profiles_list_features_by_anova_f() {
    let (mut h, _) = started();
    open_tab(&mut h, "Profiles");
    let result = h.state().state().explorer.result().unwrap().clone();
    let numeric = &result.profile.numeric;
    assert!(numeric.len() >= 2);
    let best = numeric
        .iter()
        .max_by(|a, b| {
            a.anova_f
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&b.anova_f.unwrap_or(f64::NEG_INFINITY))
        })
        .unwrap();
    // Feature names sit in the table's first column, under "Feature"; other panels may repeat them.
    let column = h.get_by_label("Feature").rect();
    let top_of = |name: &str| {
        h.query_all_by_label(name)
            .map(|n| n.rect())
            .find(|r| (r.left() - column.left()).abs() < 2.0)
            .unwrap_or_else(|| panic!("{name} is not in the table"))
            .top()
    };
    let best_top = top_of(&best.name);
    for f in numeric {
        assert!(
            top_of(&f.name) >= best_top,
            "{} is listed above {}, which has the highest F",
            f.name,
            best.name
        );
    }
    assert!(best_top > column.top());
}
