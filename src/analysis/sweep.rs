//! The K sweep: for each k, a segmentation (from any method) scored by inertia, silhouette,
//! Davies-Bouldin and Calinski-Harabasz (and BIC for Gaussian mixtures), and a recommended k with its
//! reason in words ([`super::recommend()`]).
//!
//! One function, [`run_sweep`], serves the CLI (all k at once: the silhouettes of every k share one pass
//! over the distance blocks, [`crate::metrics::silhouette_many`]) and the app (rows handed to a callback as
//! each k is scored, so the curves draw as they arrive). Silhouettes follow the one large-data
//! [`Policy`]: exact up to its row limit, beyond it estimated from a stratified sample and flagged. A k
//! that cannot be fitted or scored (more segments than distinct rows, ...) is skipped with its reason in its
//! row; the sweep fails only when no k can be scored.

use ndarray::ArrayView2;

use super::fit::{FitOptions, fit, means_and_inertia, tree_labels};
use super::recommend::{Recommendation, recommend};
use super::spec::{Decision, Policy};
use super::stability::KeptLabels;
use crate::cluster::{Dendrogram, canonical_labels, cut_k};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::metrics::{
    calinski_harabasz_score, davies_bouldin_score, silhouette_many, silhouette_sampled,
};

/// One segmentation to score.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Number of segments asked for.
    pub k: usize,
    /// Segment of each row.
    pub labels: Vec<usize>,
    /// Sum of squared distances of rows to their segment mean (k-means: to its centre).
    pub inertia: f64,
    /// Bayesian information criterion (Gaussian mixtures only).
    pub bic: Option<f64>,
}

impl Candidate {
    /// Segments that received at least one row.
    pub fn used_segments(&self) -> usize {
        let mut seen = vec![false; self.k];
        for &l in &self.labels {
            if let Some(s) = seen.get_mut(l) {
                *s = true;
            }
        }
        seen.iter().filter(|&&s| s).count()
    }
}

/// Scores of one k, in the JSON shape of `segscope sweep --json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SweepRow {
    /// Number of segments.
    pub k: usize,
    /// Sum of squares within segments (`None` when the k was skipped).
    pub inertia: Option<f64>,
    /// Mean silhouette (exact or sampled, see [`Sweep::silhouette_sampled`]); `None` when undefined.
    pub silhouette: Option<f64>,
    /// Davies-Bouldin index; `None` when undefined.
    pub davies_bouldin: Option<f64>,
    /// Calinski-Harabasz index; `None` when undefined.
    pub calinski_harabasz: Option<f64>,
    /// BIC (Gaussian mixtures), else `None`.
    pub bic: Option<f64>,
    /// Why this k was not scored (it could not be fitted, or the indices are undefined for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Bootstrap stability of this k (when asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<RowStability>,
    /// Gap statistic of this k (when asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
    /// Standard error s_k of the gap (when asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap_se: Option<f64>,
}

/// The stability figures of one k in the sweep JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowStability {
    /// Mean adjusted Rand index between the full-data segmentation and the resampled ones.
    pub ari_mean: f64,
    /// 5th percentile of the ARI.
    pub ari_p05: f64,
    /// 95th percentile of the ARI.
    pub ari_p95: f64,
    /// Mean Jaccard similarity of each segment's best match (clusterboot).
    pub jaccard: Vec<f64>,
    /// Whether every segment is stable (Jaccard ≥ 0.85).
    pub all_stable: bool,
}

impl SweepRow {
    fn skipped(k: usize, reason: String) -> Self {
        Self {
            k,
            inertia: None,
            silhouette: None,
            davies_bouldin: None,
            calinski_harabasz: None,
            bic: None,
            skipped: Some(reason),
            stability: None,
            gap: None,
            gap_se: None,
        }
    }
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
    /// What the large-data policy decided, and the k values skipped.
    pub decisions: Vec<Decision>,
    /// The k the gap statistic picks (clusGap's `firstSEmax`), when asked for.
    pub gap_k: Option<usize>,
    /// The data's cluster tendency (Hopkins statistic, distinct rows), set by the run API's sweep
    /// ([`crate::analysis::run::sweep`]), whose recommendation takes it into account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tendency: Option<super::tendency::Tendency>,
}

/// Scores candidates of the same rows with the silhouette policy. Candidates whose indices are undefined
/// (fewer than 2 used segments, or as many as rows) get `None` scores and a reason.
pub fn score_candidates(
    x: ArrayView2<f64>,
    candidates: &[Candidate],
    policy: &Policy,
    seed: u64,
    progress: &Progress,
) -> Result<(Vec<SweepRow>, bool)> {
    let n = x.nrows();
    let valid = |c: &Candidate| (2..n).contains(&c.used_segments());
    let scored: Vec<&Candidate> = candidates.iter().filter(|c| valid(c)).collect();
    let sampled = !policy.exact_silhouette(n);
    progress.set_stage("silhouette", scored.len() as u64);
    let sil: Vec<f64> = if sampled {
        let sample = policy.silhouette_sample(n);
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
        let mut row = SweepRow {
            k: c.k,
            inertia: Some(c.inertia),
            silhouette: None,
            davies_bouldin: None,
            calinski_harabasz: None,
            bic: c.bic,
            skipped: None,
            stability: None,
            gap: None,
            gap_se: None,
        };
        if valid(c) {
            row.silhouette = s.next().and_then(finite);
            row.davies_bouldin = finite(davies_bouldin_score(x, &c.labels)?);
            row.calinski_harabasz = finite(calinski_harabasz_score(x, &c.labels)?);
        } else if c.k >= 2 {
            let used = c.used_segments();
            row.skipped = Some(if used < 2 {
                format!(
                    "only {used} segment received rows (the rows are too alike to split into {})",
                    c.k
                )
            } else {
                format!("as many segments as rows ({n}): the indices are undefined")
            });
        }
        rows.push(row);
        progress.add(1);
    }
    Ok((rows, sampled))
}

/// Fits every k in `ks` (ascending, deduplicated by the caller) and scores it.
///
/// Hierarchical methods cut `tree` when given (else build one, returned with the sweep). With `on_row`,
/// each k is scored as soon as it is fitted and its row handed over (the app draws curves as they arrive);
/// without it the silhouettes of every k share one distance pass (faster for exact silhouettes of many k),
/// with equal results. A k that cannot be fitted is skipped with its reason; only when no k can be scored
/// is the sweep an error.
pub fn run_sweep(
    x: ArrayView2<f64>,
    ks: &[usize],
    opts: FitOptions,
    policy: &Policy,
    tree: Option<Dendrogram>,
    progress: &Progress,
    on_row: Option<&mut dyn FnMut(&SweepRow)>,
) -> Result<(Sweep, Option<Dendrogram>)> {
    let (sweep, tree, _) = run_sweep_keeping(x, ks, opts, policy, tree, progress, on_row, false)?;
    Ok((sweep, tree))
}

/// Each fitted k's labels (ids `0..k` for every row), ascending by k, as [`run_sweep_keeping`] keeps
/// them: what stability compares its resamples with, so the full data is not fitted twice.
pub type SweepLabels = Vec<(usize, KeptLabels)>;

/// [`run_sweep`], also returning the labels of every scored k when `keep_labels` (else an empty list).
#[expect(
    clippy::too_many_arguments,
    reason = "run_sweep's inputs plus the one switch; a struct would only rename them"
)]
pub fn run_sweep_keeping(
    x: ArrayView2<f64>,
    ks: &[usize],
    opts: FitOptions,
    policy: &Policy,
    tree: Option<Dendrogram>,
    progress: &Progress,
    mut on_row: Option<&mut dyn FnMut(&SweepRow)>,
    keep_labels: bool,
) -> Result<(Sweep, Option<Dendrogram>, SweepLabels)> {
    let mut kept: SweepLabels = Vec::new();
    let n = x.nrows();
    if ks.is_empty() {
        return Err(Error::InvalidParameter("the k range is empty".into()));
    }
    let tree = match (opts.method.is_hierarchical(), tree) {
        (false, _) => None,
        (true, Some(t)) => Some(t),
        (true, None) => Some(super::fit::build_tree(x, opts.method, progress)?),
    };
    let mut results: Vec<SweepRow> = Vec::with_capacity(ks.len());
    let mut pending: Vec<Candidate> = Vec::new();
    let mut sampled = false;
    let mut decisions = Vec::new();
    let streaming = on_row.is_some();
    let mut emit = |row: SweepRow, results: &mut Vec<SweepRow>| {
        if let Some(f) = on_row.as_mut() {
            f(&row);
        }
        results.push(row);
    };
    for (i, &k) in ks.iter().enumerate() {
        progress.check()?;
        progress.set_context(&format!("k = {k} ({} of {})", i + 1, ks.len()));
        if k == 0 || k > n {
            let row = SweepRow::skipped(
                k,
                format!("k must be between 1 and the number of rows ({n})"),
            );
            emit(row, &mut results);
            continue;
        }
        let candidate = match &tree {
            Some(tree) => cut_k(tree, k)
                .and_then(|leaf| tree_labels(tree, &leaf))
                .map(|rows| {
                    let (labels, _) = canonical_labels(&rows, k);
                    let (_, inertia) = means_and_inertia(x, &labels, k);
                    Candidate {
                        k,
                        labels,
                        inertia,
                        bic: None,
                    }
                }),
            None => fit(x, k, opts, progress).map(|seg| Candidate {
                k,
                inertia: seg.inertia,
                bic: seg.bic,
                labels: seg.labels,
            }),
        };
        let candidate = match candidate {
            Ok(c) => c,
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => {
                emit(SweepRow::skipped(k, e.to_string()), &mut results);
                continue;
            }
        };
        if streaming {
            let (rows, s) = score_candidates(
                x,
                std::slice::from_ref(&candidate),
                policy,
                opts.seed,
                progress,
            )?;
            sampled |= s;
            for row in rows {
                emit(row, &mut results);
            }
            if keep_labels {
                kept.push((candidate.k, KeptLabels::new(candidate.labels, candidate.k)));
            }
        } else {
            pending.push(candidate);
        }
    }
    progress.set_context("");
    if !pending.is_empty() {
        let (rows, s) = score_candidates(x, &pending, policy, opts.seed, progress)?;
        sampled |= s;
        results.extend(rows);
        results.sort_by_key(|r| r.k);
        if keep_labels {
            kept.extend(
                pending
                    .into_iter()
                    .map(|c| (c.k, KeptLabels::new(c.labels, c.k))),
            );
        }
    }
    kept.sort_by_key(|(k, _)| *k);
    for r in &results {
        if let Some(reason) = &r.skipped {
            decisions.push(Decision::KSkipped {
                k: r.k,
                reason: reason.clone(),
            });
        }
    }
    if results.iter().all(|r| r.skipped.is_some()) {
        let reasons: Vec<String> = results
            .iter()
            .map(|r| format!("k = {}: {}", r.k, r.skipped.as_deref().unwrap_or_default()))
            .collect();
        return Err(Error::InvalidParameter(format!(
            "no k of the range could be scored ({})",
            reasons.join("; ")
        )));
    }
    if sampled {
        decisions.insert(
            0,
            Decision::SilhouetteSampled {
                sample: policy.silhouette_sample(n),
                rows: n,
            },
        );
    }
    if tree.as_ref().is_some_and(|t| t.approximate) {
        decisions.insert(0, Decision::ApproximateTree { rows: n });
    }
    let recommendation = recommend(&results, opts.method, None);
    Ok((
        Sweep {
            method: opts.method.to_string(),
            n_rows: n,
            recommended_k: recommendation.k,
            results,
            recommendation,
            silhouette_sampled: sampled,
            decisions,
            gap_k: None,
            tendency: None,
        },
        tree,
        kept,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fit::tests::blobs;
    use crate::cluster::Method;

    fn sweep(x: ArrayView2<f64>, ks: &[usize], m: Method, streaming: bool) -> Result<Sweep> {
        let o = FitOptions {
            method: m,
            ..FitOptions::default()
        };
        let mut seen = Vec::new();
        let mut f = |r: &SweepRow| seen.push(r.k);
        let on_row: Option<&mut dyn FnMut(&SweepRow)> = if streaming { Some(&mut f) } else { None };
        let (s, _) = run_sweep(x, ks, o, &Policy::default(), None, &Progress::new(), on_row)?;
        if streaming {
            assert_eq!(seen, ks);
        }
        Ok(s)
    }

    #[test]
    fn sweep_recommends_three() {
        let x = blobs();
        for m in [Method::Kmeans, Method::Ward, Method::Gmm] {
            let s = sweep(x.view(), &[2, 3, 4, 5], m, false).unwrap();
            assert_eq!(s.recommended_k, Some(3), "{m}: {:?}", s.recommendation);
            assert_eq!(s.results.len(), 4);
            assert_eq!(s.results[0].bic.is_some(), m == Method::Gmm);
        }
    }

    #[test]
    fn streaming_equals_batch_and_streams_every_row() {
        let x = blobs();
        for m in [Method::Kmeans, Method::Average, Method::Gmm] {
            let batch = sweep(x.view(), &[2, 3, 4], m, false).unwrap();
            let streamed = sweep(x.view(), &[2, 3, 4], m, true).unwrap();
            assert_eq!(streamed.recommended_k, batch.recommended_k, "{m}");
            for (a, b) in streamed.results.iter().zip(&batch.results) {
                assert_eq!(a.k, b.k);
                assert_eq!(a.inertia, b.inertia, "{m}");
                let (sa, sb) = (a.silhouette.unwrap(), b.silhouette.unwrap());
                assert!((sa - sb).abs() < 1e-12, "{m} k={}: {sa} vs {sb}", a.k);
            }
        }
        let p = Progress::new();
        p.cancel();
        let e = run_sweep(
            x.view(),
            &[2, 3],
            FitOptions::default(),
            &Policy::default(),
            None,
            &p,
            None,
        );
        assert!(matches!(e, Err(Error::Cancelled)));
    }

    #[test]
    fn impossible_k_is_skipped_with_its_reason() {
        // Exactly 3 rows, k = 2..4: k = 3 has as many segments as rows, k = 4 more segments than rows.
        let x = ndarray::array![[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]];
        let s = sweep(x.view(), &[2, 3, 4], Method::Kmeans, false).unwrap();
        assert_eq!(s.results.len(), 3);
        assert!(s.results[0].silhouette.is_some());
        assert!(
            s.results[1]
                .skipped
                .as_deref()
                .unwrap()
                .contains("as many segments as rows")
        );
        assert!(
            s.results[2]
                .skipped
                .as_deref()
                .unwrap()
                .contains("between 1 and")
        );
        assert_eq!(s.recommended_k, Some(2));
        assert_eq!(s.decisions.len(), 2);
        // Identical rows: no k can be scored -> an error naming each k's reason.
        let same = ndarray::Array2::from_elem((10, 2), 1.5);
        let e = sweep(same.view(), &[2, 3], Method::Kmeans, true).unwrap_err();
        assert!(e.to_string().contains("no k of the range"), "{e}");
        let json = serde_json::to_value(&s.results[2]).unwrap();
        assert!(json.get("skipped").is_some() && json["inertia"].is_null());
        assert!(
            serde_json::to_value(&s.results[0])
                .unwrap()
                .get("skipped")
                .is_none()
        );
    }
}
