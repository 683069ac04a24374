//! The K sweep: for each k, a segmentation (from any method) scored by inertia, silhouette,
//! Davies-Bouldin and Calinski-Harabasz (and BIC for Gaussian mixtures), and a recommended k with its
//! reason in words. Silhouettes of every k share one pass over the distance blocks
//! ([`crate::metrics::silhouette_many`]); above [`EXACT_SILHOUETTE_ROWS`] rows they are estimated from a
//! stratified sample and flagged as such.

use std::fmt::Write as _;

use ndarray::ArrayView2;

use crate::error::Result;
use crate::jobs::Progress;
use crate::metrics::{
    calinski_harabasz_score, davies_bouldin_score, silhouette_many, silhouette_sampled,
};

/// Largest row count for which silhouettes are exact in a sweep.
pub const EXACT_SILHOUETTE_ROWS: usize = 30_000;

/// One segmentation to score.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Number of segments.
    pub k: usize,
    /// Segment of each row.
    pub labels: Vec<usize>,
    /// Sum of squared distances of rows to their segment mean (k-means: to its centre).
    pub inertia: f64,
    /// Bayesian information criterion (Gaussian mixtures only).
    pub bic: Option<f64>,
}

/// Scores of one k, in the JSON shape of `segscope sweep --json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SweepRow {
    /// Number of segments.
    pub k: usize,
    /// Sum of squares within segments.
    pub inertia: f64,
    /// Mean silhouette (exact or sampled, see [`Sweep::silhouette_sampled`]); `None` when undefined.
    pub silhouette: Option<f64>,
    /// Davies-Bouldin index; `None` when undefined.
    pub davies_bouldin: Option<f64>,
    /// Calinski-Harabasz index; `None` when undefined.
    pub calinski_harabasz: Option<f64>,
    /// BIC (Gaussian mixtures), else `None`.
    pub bic: Option<f64>,
}

/// A finished sweep.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Sweep {
    /// Method name (`kmeans`, `gmm`, `ward`, ...).
    pub method: String,
    /// Rows clustered.
    pub n_rows: usize,
    /// One row per k, ascending.
    pub results: Vec<SweepRow>,
    /// The recommended k.
    pub recommended_k: Option<usize>,
    /// Why, and what the other indices say.
    pub recommendation: Recommendation,
    /// Whether silhouettes were estimated from a sample (large data).
    pub silhouette_sampled: bool,
}

/// The recommended k with its reasons.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Recommendation {
    /// Highest mean silhouette.
    pub k: Option<usize>,
    /// Knee of the inertia curve (kneedle).
    pub knee_k: Option<usize>,
    /// Best k by silhouette, Davies-Bouldin and Calinski-Harabasz taken separately.
    pub best_by_index: [Option<usize>; 3],
    /// The k at least two of the three indices agree on, if any.
    pub majority_k: Option<usize>,
    /// The reason in words.
    pub reason: String,
}

/// Scores candidates (ascending k) of the same rows.
pub fn score_candidates(
    x: ArrayView2<f64>,
    candidates: &[Candidate],
    seed: u64,
    progress: &Progress,
) -> Result<(Vec<SweepRow>, bool)> {
    let n = x.nrows();
    let valid = |c: &Candidate| (2..n).contains(&c.k);
    let scored: Vec<&Candidate> = candidates.iter().filter(|c| valid(c)).collect();
    let sampled = n > EXACT_SILHOUETTE_ROWS;
    progress.set_stage("silhouette", scored.len() as u64);
    let sil: Vec<f64> = if sampled {
        let sample = (400_000_000 / n).clamp(1_000, 10_000);
        let mut out = Vec::with_capacity(scored.len());
        for c in &scored {
            out.push(silhouette_sampled(x, &c.labels, sample, seed, progress)?.mean);
            progress.add(1);
        }
        out
    } else {
        let refs: Vec<&[usize]> = scored.iter().map(|c| c.labels.as_slice()).collect();
        silhouette_many(x, &refs, progress)?
    };
    progress.set_stage(
        "Davies-Bouldin and Calinski-Harabasz",
        candidates.len() as u64,
    );
    let finite = |v: f64| v.is_finite().then_some(v);
    let mut rows = Vec::with_capacity(candidates.len());
    let mut s = sil.into_iter();
    for c in candidates {
        progress.check()?;
        let (silhouette, davies_bouldin, calinski_harabasz) = if valid(c) {
            (
                s.next().and_then(finite),
                finite(davies_bouldin_score(x, &c.labels)?),
                finite(calinski_harabasz_score(x, &c.labels)?),
            )
        } else {
            (None, None, None)
        };
        rows.push(SweepRow {
            k: c.k,
            inertia: c.inertia,
            silhouette,
            davies_bouldin,
            calinski_harabasz,
            bic: c.bic,
        });
        progress.add(1);
    }
    Ok((rows, sampled))
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

/// The recommended k: the highest silhouette, with the inertia knee and the majority of the three indices
/// reported alongside.
pub fn recommend(rows: &[SweepRow]) -> Recommendation {
    let by_sil = arg_best(rows, |r| r.silhouette, true);
    let by_db = arg_best(rows, |r| r.davies_bouldin, false);
    let by_ch = arg_best(rows, |r| r.calinski_harabasz, true);
    let ks: Vec<usize> = rows.iter().map(|r| r.k).collect();
    let inertia: Vec<f64> = rows.iter().map(|r| r.inertia).collect();
    let knee_k = knee_kneedle(&ks, &inertia);
    let votes = [by_sil, by_db, by_ch];
    let majority_k = votes
        .iter()
        .flatten()
        .find(|&&k| votes.iter().filter(|v| **v == Some(k)).count() >= 2)
        .copied();
    let mut reason = match (by_sil, rows.iter().find(|r| Some(r.k) == by_sil)) {
        (Some(k), Some(r)) => {
            let s = r.silhouette.unwrap_or(0.0);
            let quality = if s > 0.5 {
                "well separated"
            } else if s > 0.25 {
                "reasonably separated"
            } else {
                "weakly separated: treat the segments as a soft partition"
            };
            format!("k = {k} has the highest silhouette ({s:.3}, {quality})")
        }
        _ => "no k could be scored (fewer than 3 rows or every k out of range)".to_owned(),
    };
    if let Some(kn) = knee_k {
        let _ = write!(reason, "; the inertia curve bends at k = {kn}");
    }
    match majority_k {
        Some(m) if Some(m) == by_sil => {
            reason.push_str("; Davies-Bouldin or Calinski-Harabasz agree");
        }
        Some(m) => {
            let _ = write!(reason, "; two of the three indices prefer k = {m}");
        }
        None => {}
    }
    Recommendation {
        k: by_sil,
        knee_k,
        best_by_index: votes,
        majority_k,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(k: usize, inertia: f64, s: f64, db: f64, ch: f64) -> SweepRow {
        SweepRow {
            k,
            inertia,
            silhouette: Some(s),
            davies_bouldin: Some(db),
            calinski_harabasz: Some(ch),
            bic: None,
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
        let r = recommend(&rows);
        assert_eq!(r.k, Some(3));
        assert_eq!(r.majority_k, Some(3));
        assert_eq!(r.knee_k, Some(3));
        assert!(
            r.reason
                .contains("k = 3 has the highest silhouette (0.620, well separated)"),
            "{}",
            r.reason
        );
    }
}
