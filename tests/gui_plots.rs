//! GUI tests of the Choose K, Silhouette and Profiles tabs: the real app on the embedded sample, driven
//! headless by egui_kittest with real clicks.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on broken fixtures
#![cfg(feature = "gui")]

use std::fmt::Write as _;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use segscope::app::SegscopeApp;

mod common;
use common::{started, wait_for_load, write_csv};

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

// ---- Choose K: axes, bounds, text (issue 11, items 1-5) ----

/// A text drawn in the last frame: its string, screen rect and clip rect.
#[derive(Debug, Clone)]
struct Drawn {
    text: String,
    rect: egui::Rect,
    clip: egui::Rect,
    angle: f32,
}

fn collect_texts(shape: &egui::Shape, clip: egui::Rect, out: &mut Vec<Drawn>) {
    match shape {
        egui::Shape::Text(t) => out.push(Drawn {
            text: t.galley.text().to_owned(),
            rect: t.visual_bounding_rect(),
            clip,
            angle: t.angle,
        }),
        egui::Shape::Vec(v) => v.iter().for_each(|s| collect_texts(s, clip, out)),
        _ => {}
    }
}

/// Every text shape of the last frame.
fn drawn_texts(h: &Harness<'static, SegscopeApp>) -> Vec<Drawn> {
    let mut out = Vec::new();
    for c in &h.output().shapes {
        collect_texts(&c.shape, c.clip_rect, &mut out);
    }
    out
}

/// The polylines of the last frame (plot curves, markers), as screen points.
fn drawn_paths(h: &Harness<'static, SegscopeApp>) -> Vec<Vec<egui::Pos2>> {
    fn walk(shape: &egui::Shape, out: &mut Vec<Vec<egui::Pos2>>) {
        match shape {
            // Curves are paths of 3 or more points (grid lines and dashes are segments).
            egui::Shape::Path(p) if p.points.len() >= 3 => out.push(p.points.clone()),
            egui::Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for c in &h.output().shapes {
        walk(&c.shape, &mut out);
    }
    out
}

fn started_at(size: egui::Vec2) -> Harness<'static, SegscopeApp> {
    let mut h = Harness::builder().with_size(size).build_ui_state(
        |ui, app: &mut SegscopeApp| app.ui_frame(ui),
        SegscopeApp::new(Box::new(segscope::app::ScriptedDialogs::new()), None),
    );
    wait_for_load(&mut h);
    h
}

const TITLES: [&str; 5] = [
    "Silhouette",
    "Davies-Bouldin",
    "Calinski-Harabasz",
    "Inertia",
    "BIC",
];

/// The screen region of each plot shown: below its title, down to the next row's title (or the
/// window's bottom), across to the next column's title.
fn plot_regions(h: &Harness<'static, SegscopeApp>) -> Vec<(&'static str, egui::Rect)> {
    let screen = h.ctx.content_rect();
    let titles: Vec<(&str, egui::Rect)> = TITLES
        .iter()
        .filter(|t| h.query_all_by_label(t).next().is_some())
        .map(|&t| (t, title_rect(h, t)))
        .filter(|(_, r)| r.top() > 100.0)
        .collect();
    titles
        .iter()
        .map(|&(name, r)| {
            let right = titles
                .iter()
                .filter(|(_, o)| (o.top() - r.top()).abs() < 2.0 && o.left() > r.left() + 1.0)
                .map(|(_, o)| o.left())
                .fold(screen.right(), f32::min);
            let bottom = titles
                .iter()
                .filter(|(_, o)| o.top() > r.bottom() + 2.0)
                .map(|(_, o)| o.top())
                .fold(screen.bottom(), f32::min);
            (
                name,
                egui::Rect::from_min_max(
                    egui::pos2(r.left(), r.bottom()),
                    egui::pos2(right, bottom),
                ),
            )
        })
        .collect()
}

/// The visible K tick labels of a plot region (integers on one row at the plot's bottom) and its
/// visible y tick labels (numbers in its left margin), as drawn.
fn ticks_in(texts: &[Drawn], region: egui::Rect) -> (Vec<i64>, Vec<String>) {
    let visible =
        |d: &&Drawn| region.contains_rect(d.rect) && d.clip.contains_rect(d.rect) && d.angle == 0.0;
    let mut ints: Vec<&Drawn> = texts
        .iter()
        .filter(visible)
        .filter(|d| d.text.parse::<i64>().is_ok() && d.rect.left() > region.left() + 30.0)
        .collect();
    let bottom = ints.iter().map(|d| d.rect.top()).fold(f32::MIN, f32::max);
    ints.retain(|d| (d.rect.top() - bottom).abs() < 1.0);
    let first_tick_left = ints.iter().map(|d| d.rect.left()).fold(f32::MAX, f32::min);
    let mut ks: Vec<i64> = ints.iter().map(|d| d.text.parse().unwrap()).collect();
    ks.sort_unstable();
    let ys: Vec<String> = texts
        .iter()
        .filter(visible)
        .filter(|d| d.rect.right() < first_tick_left && d.rect.top() < bottom - 4.0)
        .filter(|d| {
            let t = d.text.trim_end_matches(['k', 'M', 'G']);
            t.parse::<f64>().is_ok()
        })
        .map(|d| d.text.clone())
        .collect();
    (ks, ys)
}

fn assert_readable_axes(h: &Harness<'static, SegscopeApp>, expect_plots: usize, size: &str) {
    let ks = h.state().state().explorer.sweep().unwrap().ks.clone();
    let (k_lo, k_hi) = (*ks.first().unwrap() as i64, *ks.last().unwrap() as i64);
    let texts = drawn_texts(h);
    let regions = plot_regions(h);
    assert_eq!(regions.len(), expect_plots, "{size}: {regions:?}");
    for (name, region) in regions {
        let (xs, ys) = ticks_in(&texts, region);
        assert!(xs.len() >= 3, "{size} {name}: K ticks {xs:?}");
        assert!(
            xs.iter().all(|k| (k_lo..=k_hi).contains(k)),
            "{size} {name}: K ticks {xs:?} outside {k_lo}..{k_hi}"
        );
        assert!(
            ys.len() >= 3,
            "{size} {name}: y ticks {ys:?} in {region:?} of {:?}",
            texts
                .iter()
                .filter(|d| region.intersects(d.rect))
                .collect::<Vec<_>>()
        );
        // The axis title "K" under the ticks is drawn whole, inside what is visible.
        let k_label = texts
            .iter()
            .filter(|d| d.text == "K" && region.contains_rect(d.rect))
            .max_by(|a, b| a.rect.top().total_cmp(&b.rect.top()))
            .unwrap_or_else(|| panic!("{size} {name}: no K axis label"));
        assert!(
            k_label.clip.contains_rect(k_label.rect),
            "{size} {name}: K axis label clipped ({:?} in {:?})",
            k_label.rect,
            k_label.clip
        );
    }
}

#[test]
fn choose_k_plots_show_integer_k_ticks_and_three_y_ticks_at_both_sizes() {
    for (size, name) in [
        (egui::vec2(1280.0, 800.0), "1280x800"),
        (egui::vec2(900.0, 600.0), "900x600"),
    ] {
        let mut h = started_at(size);
        open_tab(&mut h, "Choose K");
        assert_readable_axes(&h, 4, name);
    }
}

/// Sets the K range's "to" field by typing into it.
fn set_k_to(h: &mut Harness<'static, SegscopeApp>, to: usize) {
    h.get_by_label("to").click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.event(egui::Event::Text(to.to_string()));
    h.step();
    h.key_press(egui::Key::Enter);
    h.step();
    // Leave the field so the range is sent.
    h.get_by_label("Pick K").click();
    h.step();
}

#[test]
fn bic_is_drawn_for_gaussian_mixtures_and_decides_the_recommendation() {
    let (mut h, _) = started();
    open_tab(&mut h, "Choose K");
    h.get_by_value("K-Means").click();
    h.run();
    h.get_by_label("Gaussian mixture").click();
    h.step();
    // While sweeping, no two texts of the tab overlap (spinner, progress, plot titles).
    let mut checked = 0;
    for _ in 0..6 {
        h.step();
        if !h.state().state().explorer.is_sweeping() {
            break;
        }
        let texts: Vec<Drawn> = drawn_texts(&h)
            .into_iter()
            .filter(|d| d.rect.top() > 40.0 && d.rect.left() > 380.0 && d.angle == 0.0)
            .filter(|d| d.clip.contains_rect(d.rect))
            .collect();
        for (i, a) in texts.iter().enumerate() {
            for b in &texts[i + 1..] {
                assert!(
                    !a.rect.shrink(1.0).intersects(b.rect.shrink(1.0)),
                    "overlap while sweeping: {a:?} and {b:?}"
                );
            }
        }
        checked += 1;
    }
    assert!(
        checked > 0,
        "the sweep ended before a frame could be checked"
    );
    wait_for_load(&mut h);
    let sweep = h.state().state().explorer.sweep().unwrap().clone();
    let done = sweep.done.as_ref().unwrap();
    let bics: Vec<f64> = done.results.iter().filter_map(|r| r.bic).collect();
    assert_eq!(bics.len(), sweep.ks.len(), "every K has a BIC");
    let (lo, hi) = bics
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, u), &b| {
            (l.min(b), u.max(b))
        });
    // The BIC plot's y ticks are in the range of the BIC values (not stuck at 0..1).
    let texts = drawn_texts(&h);
    let (_, region) = plot_regions(&h)
        .into_iter()
        .find(|(n, _)| *n == "BIC")
        .expect("a BIC plot");
    let (_, ys) = ticks_in(&texts, region);
    let parse = |t: &str| {
        let (num, mul) = match t.chars().last() {
            Some('k') => (&t[..t.len() - 1], 1e3),
            Some('M') => (&t[..t.len() - 1], 1e6),
            _ => (t, 1.0),
        };
        num.parse::<f64>().unwrap() * mul
    };
    assert!(ys.len() >= 3, "{ys:?}");
    let span = hi - lo;
    for y in &ys {
        let v = parse(y);
        assert!(
            v >= lo - 0.2 * span && v <= hi + 0.2 * span,
            "BIC tick {y} outside the BIC values {lo}..{hi}"
        );
    }
    // Lowest BIC decides, in words.
    let best = done
        .results
        .iter()
        .filter(|r| r.bic.is_some())
        .min_by(|a, b| a.bic.unwrap().total_cmp(&b.bic.unwrap()))
        .unwrap()
        .k;
    h.get_by_label(&format!("Recommended: K = {best}"));
    let reason = labels_containing(&h, "has the lowest BIC");
    assert_eq!(reason.len(), 1, "{reason:?}");
    assert!(
        reason[0].contains("usual rule for Gaussian mixtures"),
        "{reason:?}"
    );
    h.get_by_label_contains(&format!("Lowest BIC at K = {best}"));
    assert_readable_axes(&h, 5, "GMM 1280x800");
}

#[test]
fn a_new_k_range_rescales_every_plot() {
    let (mut h, _) = started();
    open_tab(&mut h, "Choose K");
    set_k_to(&mut h, 15);
    wait_for_load(&mut h);
    let ks = h.state().state().explorer.sweep().unwrap().ks.clone();
    assert_eq!(ks.last(), Some(&15), "{ks:?}");
    let texts = drawn_texts(&h);
    for (name, region) in plot_regions(&h) {
        let (xs, _) = ticks_in(&texts, region);
        assert!(
            xs.last().is_some_and(|&k| k >= 14) && xs.first().is_some_and(|&k| k <= 3),
            "{name}: K ticks {xs:?} do not cover 2..15"
        );
        // Every curve point is inside the plot (the curves do not run off the right edge).
        let inside = drawn_paths(&h)
            .iter()
            .filter(|p| p.iter().all(|q| region.contains(*q)))
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        assert!(
            inside >= 14,
            "{name}: longest curve inside has {inside} points"
        );
    }
    // And back: 2..6 rescales too (the old 2..15 bounds would leave the right part empty).
    set_k_to(&mut h, 6);
    wait_for_load(&mut h);
    let texts = drawn_texts(&h);
    for (name, region) in plot_regions(&h) {
        let (xs, _) = ticks_in(&texts, region);
        assert_eq!(xs, vec![2, 3, 4, 5, 6], "{name}");
    }
}

#[test]
fn the_knee_label_is_off_the_curve() {
    let (mut h, _) = started();
    open_tab(&mut h, "Choose K");
    let texts = drawn_texts(&h);
    let knee = texts
        .iter()
        .find(|d| d.text == "knee")
        .expect("a knee label");
    for path in drawn_paths(&h) {
        for w in path.windows(2) {
            for t in 0..=20 {
                let q = w[0].lerp(w[1], t as f32 / 20.0);
                assert!(
                    !knee.rect.contains(q),
                    "the knee label {:?} covers the curve at {q:?}",
                    knee.rect
                );
            }
        }
    }
}

fn opened(text: &str) -> Harness<'static, SegscopeApp> {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "data.csv", text);
    let mut h = common::harness(SegscopeApp::new(
        Box::new(segscope::app::ScriptedDialogs::new()),
        Some(path),
    ));
    wait_for_load(&mut h);
    open_tab(&mut h, "Choose K");
    // The tendency runs on the Choose K tab's own worker.
    for _ in 0..200 {
        h.step();
        if !labels_containing(&h, "Cluster tendency:").is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
    h
}

#[test]
fn one_dimensional_noise_is_not_called_structured() {
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text = String::from("value\n");
    for _ in 0..200 {
        // Box-Muller: 200 N(0, 1) values.
        let (u1, u2) = (1.0 - uniform(), uniform());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let _ = writeln!(text, "{z}");
    }
    let h = opened(&text);
    let line = labels_containing(&h, "Cluster tendency:");
    assert_eq!(line.len(), 1, "{line:?}");
    assert!(line[0].contains("no clear cluster structure"), "{line:?}");
    let reason = labels_containing(&h, "has the highest silhouette");
    assert_eq!(reason.len(), 1, "{reason:?}");
    for words in ["well separated", "strong structure", "reasonable structure"] {
        assert!(!reason[0].contains(words), "{reason:?}");
    }
    assert!(
        reason[0].contains("but the data show no clear cluster structure"),
        "{reason:?}"
    );
}

#[test]
fn k_at_or_above_the_distinct_rows_is_named_and_not_recommended() {
    // One feature with 7 distinct values (a 7-level code).
    let mut text = String::from("level\n");
    for i in 0..140 {
        let _ = writeln!(text, "{}.5", 10 * (i % 7));
    }
    let h = opened(&text);
    let line = labels_containing(&h, "Cluster tendency:");
    assert!(
        line.len() == 1 && line[0].contains("· 7 distinct rows"),
        "{line:?}"
    );
    let reason = labels_containing(&h, "left out: the data have only 7 distinct rows");
    assert_eq!(reason.len(), 1, "{reason:?}");
    assert!(reason[0].contains("K = 7..10 left out"), "{reason:?}");
    let rec = labels_containing(&h, "Recommended: K =");
    let k: usize = rec[0]
        .trim_start_matches("Recommended: K = ")
        .parse()
        .unwrap();
    assert!(k < 7, "{rec:?}");
}
