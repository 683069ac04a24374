//! The recommended K of a sweep and its reason in words, and the one wording of silhouette values used
//! everywhere (Choose K, the Silhouette tab, tooltips, the CLI).
//!
//! Rules: for Gaussian mixtures the lowest BIC wins (the mixture convention), with the silhouette's
//! choice reported beside it; for every other method the highest mean silhouette wins. The inertia knee
//! (kneedle) and the majority of silhouette, Davies-Bouldin and Calinski-Harabasz are reported alongside.
//! Silhouette values are read with Kaufman & Rousseeuw's (1990) bands: above 0.70 strong structure,
//! 0.51–0.70 reasonable, 0.26–0.50 weak (could be artificial), 0.25 or less no substantial structure.
//!
//! With the data's cluster tendency ([`recommend_with`] and a [`Tendency`]): K values at or above the
//! number of distinct rows are left out (identical rows then make the indices degenerate) and said so,
//! and when the data show no clear cluster structure (Hopkins below 0.75, or one feature with a single
//! hump) the silhouette is never given a "structure" reading and the reason says the data look
//! unstructured.

use std::fmt::Write as _;

use super::sweep::SweepRow;
use super::tendency::Tendency;
use crate::cluster::Method;

/// The recommended k with its reasons.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Recommendation {
    /// The recommended k (lowest BIC for mixtures, else highest mean silhouette).
    pub k: Option<usize>,
    /// Knee of the inertia curve (kneedle).
    pub knee_k: Option<usize>,
    /// Best k by silhouette, Davies-Bouldin and Calinski-Harabasz taken separately.
    pub best_by_index: [Option<usize>; 3],
    /// The k at least two of the three indices agree on, if any.
    pub majority_k: Option<usize>,
    /// Lowest BIC (mixtures).
    #[serde(default)]
    pub bic_k: Option<usize>,
    /// The gap statistic's k (when computed).
    #[serde(default)]
    pub gap_k: Option<usize>,
    /// The largest k whose segments are all stable (when stability was computed).
    #[serde(default)]
    pub stable_k: Option<usize>,
    /// The reason in words.
    pub reason: String,
}

/// The silhouette bands in words, for tooltips (the same wording as [`silhouette_quality`]).
pub const SILHOUETTE_BANDS: &str = "How much closer rows are to their own segment than to the next. \
    Above 0.70 strong structure, 0.51–0.70 reasonable, 0.26–0.50 weak (could be artificial), 0.25 or \
    less no substantial structure (Kaufman & Rousseeuw).";

/// Kaufman & Rousseeuw's reading of a mean silhouette, in a few words.
pub fn silhouette_quality(s: f64) -> &'static str {
    if s > 0.70 {
        "strong structure"
    } else if s > 0.50 {
        "reasonable structure"
    } else if s > 0.25 {
        "weak structure, could be artificial"
    } else {
        "no substantial structure"
    }
}

/// The knee of a decreasing curve by the kneedle method (Satopää et al. 2011): after scaling both axes to
/// [0, 1], the point farthest below the chord from the first to the last point.
pub fn knee_kneedle(ks: &[usize], values: &[f64]) -> Option<usize> {
    if ks.len() < 3 || ks.len() != values.len() {
        return None;
    }
    let (k0, k1) = (ks[0] as f64, ks[ks.len() - 1] as f64);
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    if hi <= lo || k1 <= k0 {
        return None;
    }
    let mut best: Option<(f64, usize)> = None;
    for (&k, &v) in ks.iter().zip(values) {
        let xn = (k as f64 - k0) / (k1 - k0);
        let yn = (v - lo) / (hi - lo);
        let diff = (1.0 - xn) - yn;
        if best.is_none_or(|(b, _)| diff > b) {
            best = Some((diff, k));
        }
    }
    best.filter(|(d, _)| *d > 0.0).map(|(_, k)| k)
}

fn arg_best(
    rows: &[SweepRow],
    get: impl Fn(&SweepRow) -> Option<f64>,
    higher: bool,
) -> Option<usize> {
    let mut best: Option<(f64, usize)> = None;
    for r in rows {
        if let Some(v) = get(r) {
            let better = best.is_none_or(|(b, _)| if higher { v > b } else { v < b });
            if better {
                best = Some((v, r.k));
            }
        }
    }
    best.map(|(_, k)| k)
}

/// "Davies-Bouldin and Calinski-Harabasz both agree", "Davies-Bouldin agrees", ... for the indices among
/// (DB, CH) whose best k equals `k`.
fn agreement(k: usize, by_db: Option<usize>, by_ch: Option<usize>) -> Option<&'static str> {
    match (by_db == Some(k), by_ch == Some(k)) {
        (true, true) => Some("Davies-Bouldin and Calinski-Harabasz both agree"),
        (true, false) => Some("Davies-Bouldin agrees"),
        (false, true) => Some("Calinski-Harabasz agrees"),
        (false, false) => None,
    }
}

/// The recommended k of a sweep of `method`, with the reason in words. `gap_k` (the gap statistic's k)
/// joins the vote of the indices; stability figures on the rows add a sentence when they disagree.
pub fn recommend(rows: &[SweepRow], method: Method, gap_k: Option<usize>) -> Recommendation {
    recommend_with(rows, method, gap_k, None)
}

/// "k = 7..10", "k = 7" or "k = 7, 9" for ascending `ks`.
fn k_list(ks: &[usize]) -> String {
    match ks {
        [] => String::new(),
        [k] => format!("k = {k}"),
        [first, .., last] if ks.windows(2).all(|w| w[1] == w[0] + 1) => {
            format!("k = {first}..{last}")
        }
        _ => {
            let list: Vec<String> = ks.iter().map(ToString::to_string).collect();
            format!("k = {}", list.join(", "))
        }
    }
}

/// As [`recommend`], knowing the data's cluster tendency: K values at or above the distinct rows are
/// left out of every choice (and named), and without a clear cluster structure the silhouette gets no
/// "structure" reading and the reason ends with the warning.
pub fn recommend_with(
    rows: &[SweepRow],
    method: Method,
    gap_k: Option<usize>,
    tendency: Option<&Tendency>,
) -> Recommendation {
    let limit = tendency.and_then(Tendency::distinct_limit);
    let degenerate: Vec<usize> = rows
        .iter()
        .filter(|r| limit.is_some_and(|l| r.k >= l) && r.inertia.is_some())
        .map(|r| r.k)
        .collect();
    let kept: Vec<SweepRow> = rows
        .iter()
        .filter(|r| !degenerate.contains(&r.k))
        .cloned()
        .collect();
    let structured = tendency.is_none_or(Tendency::has_structure);
    let mut rec = recommend_rows(rows, &kept, method, gap_k, structured);
    if let (Some(l), false) = (limit, degenerate.is_empty()) {
        let _ = write!(
            rec.reason,
            "; {} left out: the data have only {l} distinct rows, so K ≥ {l} puts identical rows in \
             segments of their own (silhouette and Calinski-Harabasz are degenerate there)",
            k_list(&degenerate)
        );
    }
    if let Some(t) = tendency.filter(|t| !t.has_structure()) {
        let _ = write!(
            rec.reason,
            "; but the data show {}: any K only cuts a continuum, treat the segments with care",
            t.summary()
        );
    }
    rec
}

/// The recommendation over `rows` (the knee over `all_rows`); `structured = false` drops the silhouette's
/// reading in words.
fn recommend_rows(
    all_rows: &[SweepRow],
    rows: &[SweepRow],
    method: Method,
    gap_k: Option<usize>,
    structured: bool,
) -> Recommendation {
    let quality = |v: f64| {
        if structured {
            format!("{v:.3}, {}", silhouette_quality(v))
        } else {
            format!("{v:.3}")
        }
    };
    let by_sil = arg_best(rows, |r| r.silhouette, true);
    let by_db = arg_best(rows, |r| r.davies_bouldin, false);
    let by_ch = arg_best(rows, |r| r.calinski_harabasz, true);
    let bic_k = arg_best(rows, |r| r.bic, false);
    let scored: Vec<&SweepRow> = all_rows.iter().filter(|r| r.inertia.is_some()).collect();
    let ks: Vec<usize> = scored.iter().map(|r| r.k).collect();
    let inertia: Vec<f64> = scored.iter().filter_map(|r| r.inertia).collect();
    let knee_k = knee_kneedle(&ks, &inertia);
    let votes = [by_sil, by_db, by_ch];
    let all_votes = [by_sil, by_db, by_ch, gap_k];
    let majority_k = all_votes
        .iter()
        .flatten()
        .find(|&&k| all_votes.iter().filter(|v| **v == Some(k)).count() >= 2)
        .copied();
    let stable_k = rows
        .iter()
        .filter(|r| r.stability.as_ref().is_some_and(|s| s.all_stable))
        .map(|r| r.k)
        .max();
    let has_stability = rows.iter().any(|r| r.stability.is_some());
    let sil_of = |k: usize| rows.iter().find(|r| r.k == k).and_then(|r| r.silhouette);
    let use_bic = method == Method::Gmm && bic_k.is_some();
    let k = if use_bic { bic_k } else { by_sil };
    let mut reason = match (use_bic, k) {
        (true, Some(k)) => {
            let mut r =
                format!("k = {k} has the lowest BIC (the usual rule for Gaussian mixtures)");
            match (by_sil, by_sil.and_then(sil_of)) {
                (Some(s), Some(v)) if s != k => {
                    let _ = write!(r, "; the silhouette prefers k = {s} ({})", quality(v));
                }
                (Some(_), Some(v)) => {
                    let _ = write!(r, "; the silhouette agrees ({})", quality(v));
                }
                _ => {}
            }
            r
        }
        (false, Some(k)) => {
            let s = sil_of(k).unwrap_or(0.0);
            format!("k = {k} has the highest silhouette ({})", quality(s))
        }
        _ => "no k could be scored (fewer than 3 rows, or every k skipped)".to_owned(),
    };
    if let Some(kn) = knee_k {
        let _ = write!(reason, "; the inertia curve bends at k = {kn}");
    }
    if let Some(k) = k {
        if let Some(words) = agreement(k, by_db, by_ch) {
            let _ = write!(reason, "; {words}");
        } else if let Some(m) = majority_k.filter(|&m| m != k) {
            let _ = write!(reason, "; two of the indices prefer k = {m}");
        }
        match gap_k {
            Some(g) if g == k => reason.push_str("; the gap statistic agrees"),
            Some(g) => {
                let _ = write!(reason, "; the gap statistic picks k = {g}");
            }
            None => {}
        }
        match (has_stability, stable_k) {
            (true, Some(s)) if s != k => {
                let _ = write!(
                    reason,
                    "; but k = {s} is the largest K whose segments are all stable (bootstrap Jaccard ≥ \
                     0.85)"
                );
            }
            (true, Some(_)) => reason.push_str("; its segments are all stable under resampling"),
            (true, None) => reason.push_str(
                "; no K has all its segments stable under resampling: treat the segments with care",
            ),
            (false, _) => {}
        }
    }
    Recommendation {
        k,
        knee_k,
        best_by_index: votes,
        majority_k,
        bic_k,
        gap_k,
        stable_k,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(k: usize, inertia: f64, s: f64, db: f64, ch: f64) -> SweepRow {
        SweepRow {
            k,
            inertia: Some(inertia),
            silhouette: Some(s),
            davies_bouldin: Some(db),
            calinski_harabasz: Some(ch),
            bic: None,
            skipped: None,
            stability: None,
            gap: None,
            gap_se: None,
        }
    }

    #[test]
    fn knee_of_an_elbow() {
        let ks = [1, 2, 3, 4, 5, 6];
        let v = [100.0, 40.0, 12.0, 10.0, 9.0, 8.5];
        assert_eq!(knee_kneedle(&ks, &v), Some(3));
        assert_eq!(knee_kneedle(&ks[..2], &v[..2]), None);
        assert_eq!(knee_kneedle(&ks, &[1.0; 6]), None);
    }

    #[test]
    fn recommendation_explains_itself() {
        let rows = [
            row(2, 100.0, 0.40, 0.9, 300.0),
            row(3, 30.0, 0.62, 0.5, 500.0),
            row(4, 25.0, 0.55, 0.6, 450.0),
            row(5, 22.0, 0.50, 0.7, 400.0),
        ];
        let r = recommend(&rows, Method::Kmeans, None);
        assert_eq!(r.k, Some(3));
        assert_eq!(r.majority_k, Some(3));
        assert_eq!(r.knee_k, Some(3));
        assert!(
            r.reason
                .contains("k = 3 has the highest silhouette (0.620, reasonable structure)")
                && r.reason
                    .contains("Davies-Bouldin and Calinski-Harabasz both agree"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn mixtures_follow_the_lowest_bic() {
        let mut rows = vec![
            row(2, 100.0, 0.70, 0.5, 300.0),
            row(3, 30.0, 0.60, 0.6, 200.0),
            row(4, 25.0, 0.55, 0.7, 100.0),
        ];
        for (r, b) in rows.iter_mut().zip([5000.0, 3835.0, 4100.0]) {
            r.bic = Some(b);
        }
        let r = recommend(&rows, Method::Gmm, None);
        assert_eq!((r.k, r.bic_k), (Some(3), Some(3)));
        assert!(
            r.reason.starts_with("k = 3 has the lowest BIC"),
            "{}",
            r.reason
        );
        assert!(
            r.reason.contains("silhouette prefers k = 2"),
            "{}",
            r.reason
        );
        // Without BIC (another method) the silhouette decides.
        assert_eq!(recommend(&rows, Method::Kmeans, None).k, Some(2));
    }

    #[test]
    fn stability_and_gap_join_the_reason() {
        let mut rows = vec![
            row(2, 100.0, 0.70, 0.5, 300.0),
            row(3, 30.0, 0.60, 0.6, 200.0),
            row(4, 25.0, 0.55, 0.7, 100.0),
        ];
        for (r, stable) in rows.iter_mut().zip([true, true, false]) {
            r.stability = Some(super::super::sweep::RowStability {
                ari_mean: 0.9,
                ari_p05: 0.8,
                ari_p95: 1.0,
                jaccard: vec![0.9; r.k],
                all_stable: stable,
            });
        }
        let r = recommend(&rows, Method::Kmeans, Some(3));
        assert_eq!((r.k, r.gap_k, r.stable_k), (Some(2), Some(3), Some(3)));
        assert!(
            r.reason.contains("the gap statistic picks k = 3"),
            "{}",
            r.reason
        );
        assert!(
            r.reason
                .contains("k = 3 is the largest K whose segments are all stable"),
            "{}",
            r.reason
        );
    }

    fn sweep_of(x: &ndarray::Array2<f64>, ks: &[usize]) -> Vec<SweepRow> {
        use crate::analysis::{ModelSpec, Policy, run_sweep};
        let policy = Policy::default();
        let (opts, _) = policy.fit_options(&ModelSpec::default(), x.nrows());
        let p = crate::jobs::Progress::new();
        run_sweep(x.view(), ks, opts, &policy, None, &p, None)
            .unwrap()
            .0
            .results
    }

    #[test]
    fn one_dimensional_noise_is_never_called_structured() {
        use crate::analysis::tendency::{DEFAULT_SEED, tendency};
        let mut rng = crate::rng::Rng::new(11);
        let x = ndarray::Array2::from_shape_fn((200, 1), |_| rng.normal());
        let rows = sweep_of(&x, &(2..=10).collect::<Vec<_>>());
        let plain = recommend(&rows, Method::Kmeans, None);
        let t = tendency(x.view(), DEFAULT_SEED, &crate::jobs::Progress::new()).unwrap();
        assert!(!t.has_structure(), "{t:?}");
        let r = recommend_with(&rows, Method::Kmeans, None, Some(&t));
        assert_eq!(r.k, plain.k, "the pick stays, its reading changes");
        for words in ["well separated", "strong structure", "reasonable structure"] {
            assert!(!r.reason.contains(words), "{}", r.reason);
        }
        assert!(
            r.reason
                .contains("but the data show no clear cluster structure"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn k_at_or_above_the_distinct_rows_is_left_out() {
        use crate::analysis::tendency::{DEFAULT_SEED, tendency};
        // A single 7-level categorical (as one column): K ≥ 7 gives silhouette 1.
        let x = ndarray::Array2::from_shape_fn((210, 1), |(i, _)| (i % 7) as f64);
        let rows = sweep_of(&x, &(2..=10).collect::<Vec<_>>());
        assert!(
            recommend(&rows, Method::Kmeans, None)
                .k
                .is_some_and(|k| k >= 7)
        );
        let t = tendency(x.view(), DEFAULT_SEED, &crate::jobs::Progress::new()).unwrap();
        assert_eq!(t.distinct_limit(), Some(7));
        let r = recommend_with(&rows, Method::Kmeans, None, Some(&t));
        assert!(r.k.is_some_and(|k| k < 7), "{r:?}");
        assert!(r.best_by_index.iter().flatten().all(|&k| k < 7), "{r:?}");
        assert!(
            r.reason
                .contains("k = 7..10 left out: the data have only 7 distinct rows"),
            "{}",
            r.reason
        );
        assert_eq!(k_list(&[3, 5]), "k = 3, 5");
        assert_eq!(k_list(&[4]), "k = 4");
    }

    #[test]
    fn clustered_data_keep_the_plain_reason() {
        use crate::analysis::tendency::{DEFAULT_SEED, tendency};
        let mut rng = crate::rng::Rng::new(5);
        let x = ndarray::Array2::from_shape_fn((300, 2), |(i, j)| {
            [[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]][i / 100][j] + 0.4 * rng.normal()
        });
        let rows = sweep_of(&x, &[2, 3, 4, 5]);
        let t = tendency(x.view(), DEFAULT_SEED, &crate::jobs::Progress::new()).unwrap();
        assert!(t.has_structure(), "{t:?}");
        assert_eq!(
            recommend_with(&rows, Method::Kmeans, None, Some(&t)),
            recommend(&rows, Method::Kmeans, None)
        );
        assert_eq!(recommend(&rows, Method::Kmeans, None).k, Some(3));
    }

    #[test]
    fn one_wording_for_silhouette_bands() {
        assert_eq!(silhouette_quality(0.72), "strong structure");
        assert_eq!(silhouette_quality(0.6), "reasonable structure");
        assert_eq!(
            silhouette_quality(0.3),
            "weak structure, could be artificial"
        );
        assert_eq!(silhouette_quality(0.1), "no substantial structure");
    }
}
