//! Drift: how far new customers have moved from the ones a model was trained on.
//!
//! At training the model keeps a [`TrainingProfile`]: per numeric input column its deciles (10
//! equal-frequency bins of the present values), range and missing rate; per categorical column its level
//! shares and missing rate; per segment its share and the mean distance of its rows to the segment centre.
//! Scoring new rows feeds a [`DriftCounter`] chunk by chunk; [`DriftCounter::report`] compares:
//!
//! * per feature the Population Stability Index `PSI = Σ (pᵢ − qᵢ) · ln(pᵢ / qᵢ)` over the training bins
//!   (numeric) or levels plus an "unseen" bucket (categorical), shares floored at 0.0001 so empty bins stay
//!   finite; the change in missing rate; the share outside the training range; unseen levels;
//! * per segment the share now vs at training (and the PSI of the share vector) and the mean distance to
//!   the centre now vs then.
//!
//! Verdicts use the usual credit-scoring thresholds (Siddiqi, *Credit Risk Scorecards*, 2006): PSI below
//! 0.1 stable, 0.1–0.25 watch, above 0.25 retrain. The overall verdict is the worst of the features' and
//! of the segment shares'.

use serde::{Deserialize, Serialize};

use crate::analysis::PreparedData;
use crate::data::{ColumnData, MISSING_CODE, Table};
use crate::error::{Error, Result};
use crate::prep::stats::{quantile_sorted, sorted_present};

/// Shares below this are floored before the PSI's logarithm.
pub const PSI_FLOOR: f64 = 1e-4;
/// PSI below which a distribution is stable.
pub const PSI_STABLE: f64 = 0.1;
/// PSI above which a model should be retrained.
pub const PSI_RETRAIN: f64 = 0.25;

/// What a drift figure means for the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// PSI < 0.1.
    Stable,
    /// 0.1 ≤ PSI ≤ 0.25.
    Watch,
    /// PSI > 0.25.
    Retrain,
}

impl Verdict {
    /// The verdict of a PSI value.
    pub fn of(psi: f64) -> Self {
        if psi < PSI_STABLE {
            Verdict::Stable
        } else if psi <= PSI_RETRAIN {
            Verdict::Watch
        } else {
            Verdict::Retrain
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Stable => "stable",
            Verdict::Watch => "watch",
            Verdict::Retrain => "retrain",
        }
    }
}

/// The Population Stability Index of `now` against `train` (shares of the same buckets, each summing to
/// 1), with shares floored at [`PSI_FLOOR`].
pub fn psi(train: &[f64], now: &[f64]) -> f64 {
    train
        .iter()
        .zip(now)
        .map(|(&q, &p)| {
            let (q, p) = (q.max(PSI_FLOOR), p.max(PSI_FLOOR));
            (p - q) * (p / q).ln()
        })
        .sum()
}

/// The training distribution of one input column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureProfile {
    /// A numeric column.
    Numeric {
        /// Column name.
        name: String,
        /// Share of missing cells.
        missing_rate: f64,
        /// Inner bin edges (the distinct deciles of the present values); bin i is `(edge[i-1], edge[i]]`.
        edges: Vec<f64>,
        /// Share of present values per bin (`edges.len() + 1` bins).
        shares: Vec<f64>,
        /// Smallest present value.
        min: f64,
        /// Largest present value.
        max: f64,
    },
    /// A categorical column.
    Categorical {
        /// Column name.
        name: String,
        /// Share of missing cells.
        missing_rate: f64,
        /// Levels seen at training, sorted.
        levels: Vec<String>,
        /// Share of present values per level.
        shares: Vec<f64>,
    },
}

impl FeatureProfile {
    /// The column's name.
    pub fn name(&self) -> &str {
        match self {
            FeatureProfile::Numeric { name, .. } | FeatureProfile::Categorical { name, .. } => name,
        }
    }
}

/// What the training data looked like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingProfile {
    /// Per input column.
    pub features: Vec<FeatureProfile>,
    /// Share of the scored rows per segment.
    pub segment_shares: Vec<f64>,
    /// Mean distance of each segment's rows to its centre (prepared space).
    pub mean_distance: Vec<f64>,
}

/// The bin of `v` among inner `edges` (bin i holds `(edges[i-1], edges[i]]`).
fn bin_of(edges: &[f64], v: f64) -> usize {
    edges.partition_point(|&e| e < v)
}

impl TrainingProfile {
    /// The profile of the training rows: input columns over the rows the model was fitted on, segments
    /// from `labels` and each row's `distances` to its segment centre.
    pub fn of(
        table: &Table,
        data: &PreparedData,
        labels: &[usize],
        distances: &[f64],
        k: usize,
    ) -> Result<Self> {
        let rows = &data.prepared.kept_rows;
        let mut features = Vec::new();
        for name in &data.fitted.preparation.features {
            let col = table.column(name).ok_or_else(|| Error::Column {
                name: name.clone(),
                message: "is not in the training table".into(),
            })?;
            let n = rows.len().max(1) as f64;
            features.push(match &col.data {
                ColumnData::Numeric(v) => {
                    let sorted = sorted_present(rows.iter().map(|&r| v[r]));
                    let missing = rows.len() - sorted.len();
                    let mut edges: Vec<f64> = (1..10)
                        .map(|i| quantile_sorted(&sorted, f64::from(i) / 10.0))
                        .filter(|e| e.is_finite())
                        .collect();
                    edges.dedup();
                    let mut counts = vec![0usize; edges.len() + 1];
                    for &x in &sorted {
                        counts[bin_of(&edges, x)] += 1;
                    }
                    let present = sorted.len().max(1) as f64;
                    FeatureProfile::Numeric {
                        name: name.clone(),
                        missing_rate: missing as f64 / n,
                        edges,
                        shares: counts.iter().map(|&c| c as f64 / present).collect(),
                        min: sorted.first().copied().unwrap_or(0.0),
                        max: sorted.last().copied().unwrap_or(0.0),
                    }
                }
                ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels } => {
                    let mut counts = vec![0usize; levels.len()];
                    let mut missing = 0usize;
                    for &r in rows.iter() {
                        match codes[r] {
                            MISSING_CODE => missing += 1,
                            c => counts[c as usize] += 1,
                        }
                    }
                    let present = (rows.len() - missing).max(1) as f64;
                    FeatureProfile::Categorical {
                        name: name.clone(),
                        missing_rate: missing as f64 / n,
                        levels: levels.to_vec(),
                        shares: counts.iter().map(|&c| c as f64 / present).collect(),
                    }
                }
                ColumnData::Date(_) => continue,
            });
        }
        let mut counter = DriftCounter::new(&TrainingProfile {
            features: Vec::new(),
            segment_shares: vec![0.0; k],
            mean_distance: vec![0.0; k],
        });
        counter.add_segments(labels, distances);
        let (segment_shares, mean_distance) = counter.segment_figures();
        Ok(Self {
            features,
            segment_shares,
            mean_distance,
        })
    }
}

/// Counts of one feature in new data.
#[derive(Debug, Clone, Default)]
struct FeatureCounts {
    rows: usize,
    missing: usize,
    buckets: Vec<usize>,
    out_of_range: usize,
    unseen: std::collections::BTreeMap<String, usize>,
}

/// Drift figures of new data, accumulated chunk by chunk.
#[derive(Debug, Clone)]
pub struct DriftCounter {
    features: Vec<FeatureCounts>,
    segment_rows: Vec<usize>,
    segment_distance: Vec<f64>,
}

/// Drift of one feature (the JSON shape of `apply --drift`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureDrift {
    /// Column name.
    pub name: String,
    /// Population Stability Index against the training bins or levels.
    pub psi: f64,
    /// What the PSI means.
    pub verdict: Verdict,
    /// Missing share at training.
    pub missing_rate_train: f64,
    /// Missing share now.
    pub missing_rate_now: f64,
    /// Cells with a level not seen at training (categorical).
    pub unseen_levels: usize,
    /// Share of present values outside the training range (numeric).
    pub out_of_range_share: f64,
}

/// Segment shares then and now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentDrift {
    /// Segment.
    pub segment: usize,
    /// Its name.
    pub name: String,
    /// Share of the training rows.
    pub share_train: f64,
    /// Share of the new rows.
    pub share_now: f64,
    /// Mean distance to the segment centre at training.
    pub mean_distance_train: f64,
    /// Mean distance to the segment centre now (`None` when no new row fell in the segment).
    pub mean_distance_now: Option<f64>,
}

/// The drift report (the JSON shape of `apply --drift D.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// The worst of the features' and the segment shares' verdicts.
    pub verdict: Verdict,
    /// Per input column.
    pub features: Vec<FeatureDrift>,
    /// Per segment.
    pub segments: Vec<SegmentDrift>,
    /// PSI of the segment-share vector.
    pub segment_psi: f64,
    /// Rows compared.
    pub n_rows: usize,
    /// The thresholds used, in words.
    pub thresholds: String,
    /// The features that drive the verdict (watch or retrain), worst first.
    pub drivers: Vec<String>,
}

impl DriftCounter {
    /// An empty counter for a model's training profile.
    pub fn new(profile: &TrainingProfile) -> Self {
        let k = profile.segment_shares.len();
        Self {
            features: profile
                .features
                .iter()
                .map(|f| FeatureCounts {
                    buckets: vec![
                        0;
                        match f {
                            FeatureProfile::Numeric { edges, .. } => edges.len() + 1,
                            FeatureProfile::Categorical { levels, .. } => levels.len() + 1,
                        }
                    ],
                    ..FeatureCounts::default()
                })
                .collect(),
            segment_rows: vec![0; k],
            segment_distance: vec![0.0; k],
        }
    }

    /// Counts the input columns of `table` (all its rows), by the model's `profile`.
    pub fn add_table(&mut self, profile: &TrainingProfile, table: &Table) {
        for (f, counts) in profile.features.iter().zip(&mut self.features) {
            let Some(col) = table.column(f.name()) else {
                continue;
            };
            counts.rows += col.data.len();
            match (f, &col.data) {
                (
                    FeatureProfile::Numeric {
                        edges, min, max, ..
                    },
                    ColumnData::Numeric(v),
                ) => {
                    for &x in v {
                        if x.is_nan() {
                            counts.missing += 1;
                        } else {
                            counts.buckets[bin_of(edges, x)] += 1;
                            counts.out_of_range += usize::from(x < *min || x > *max);
                        }
                    }
                }
                (
                    FeatureProfile::Categorical { levels: train, .. },
                    ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels },
                ) => {
                    let map: Vec<Option<usize>> = levels
                        .iter()
                        .map(|l| train.binary_search_by(|t| t.as_str().cmp(l)).ok())
                        .collect();
                    for &c in codes {
                        if c == MISSING_CODE {
                            counts.missing += 1;
                        } else if let Some(j) = map[c as usize] {
                            counts.buckets[j] += 1;
                        } else {
                            counts.buckets[train.len()] += 1;
                            *counts
                                .unseen
                                .entry(levels[c as usize].to_owned())
                                .or_insert(0) += 1;
                        }
                    }
                }
                _ => counts.missing += col.data.len(),
            }
        }
    }

    /// Counts scored rows: their segments and distances to the segment centre.
    pub fn add_segments(&mut self, labels: &[usize], distances: &[f64]) {
        for (&l, &d) in labels.iter().zip(distances) {
            if let Some(n) = self.segment_rows.get_mut(l) {
                *n += 1;
                if d.is_finite() {
                    self.segment_distance[l] += d;
                }
            }
        }
    }

    /// (share per segment, mean distance per segment).
    fn segment_figures(&self) -> (Vec<f64>, Vec<f64>) {
        let total = self.segment_rows.iter().sum::<usize>().max(1) as f64;
        let shares = self
            .segment_rows
            .iter()
            .map(|&n| n as f64 / total)
            .collect();
        let mean = self
            .segment_rows
            .iter()
            .zip(&self.segment_distance)
            .map(|(&n, &d)| if n > 0 { d / n as f64 } else { 0.0 })
            .collect();
        (shares, mean)
    }

    /// Unseen levels per column (name, level, count), for `apply`'s summary.
    pub fn unseen_levels(&self, profile: &TrainingProfile) -> Vec<(String, String, usize)> {
        profile
            .features
            .iter()
            .zip(&self.features)
            .flat_map(|(f, c)| {
                c.unseen
                    .iter()
                    .map(|(l, &n)| (f.name().to_owned(), l.clone(), n))
            })
            .collect()
    }

    /// Present values outside the training range, per numeric column (name, count).
    pub fn out_of_range(&self, profile: &TrainingProfile) -> Vec<(String, usize)> {
        profile
            .features
            .iter()
            .zip(&self.features)
            .filter(|(f, c)| matches!(f, FeatureProfile::Numeric { .. }) && c.out_of_range > 0)
            .map(|(f, c)| (f.name().to_owned(), c.out_of_range))
            .collect()
    }

    /// The report against the training profile; `names` name the segments.
    pub fn report(&self, profile: &TrainingProfile, names: &[String]) -> DriftReport {
        let mut features = Vec::with_capacity(profile.features.len());
        for (f, c) in profile.features.iter().zip(&self.features) {
            let present: usize = c.buckets.iter().sum();
            let now: Vec<f64> = c
                .buckets
                .iter()
                .map(|&b| b as f64 / present.max(1) as f64)
                .collect();
            let (train, missing_train): (Vec<f64>, f64) = match f {
                FeatureProfile::Numeric {
                    shares,
                    missing_rate,
                    ..
                } => (shares.clone(), *missing_rate),
                FeatureProfile::Categorical {
                    shares,
                    missing_rate,
                    ..
                } => {
                    let mut t = shares.clone();
                    t.push(0.0);
                    (t, *missing_rate)
                }
            };
            let p = if present == 0 { 0.0 } else { psi(&train, &now) };
            features.push(FeatureDrift {
                name: f.name().to_owned(),
                psi: p,
                verdict: Verdict::of(p),
                missing_rate_train: missing_train,
                missing_rate_now: c.missing as f64 / c.rows.max(1) as f64,
                unseen_levels: c.unseen.values().sum(),
                out_of_range_share: c.out_of_range as f64 / present.max(1) as f64,
            });
        }
        let (shares_now, distance_now) = self.segment_figures();
        let segment_psi = psi(&profile.segment_shares, &shares_now);
        let segments = (0..profile.segment_shares.len())
            .map(|s| SegmentDrift {
                segment: s,
                name: names.get(s).cloned().unwrap_or_default(),
                share_train: profile.segment_shares[s],
                share_now: shares_now[s],
                mean_distance_train: profile.mean_distance.get(s).copied().unwrap_or(0.0),
                mean_distance_now: (self.segment_rows[s] > 0).then(|| distance_now[s]),
            })
            .collect();
        let mut drivers: Vec<&FeatureDrift> = features
            .iter()
            .filter(|f| f.verdict != Verdict::Stable)
            .collect();
        drivers.sort_by(|a, b| b.psi.total_cmp(&a.psi));
        let verdict = features
            .iter()
            .map(|f| f.verdict)
            .chain([Verdict::of(segment_psi)])
            .max()
            .unwrap_or(Verdict::Stable);
        DriftReport {
            verdict,
            drivers: drivers.iter().map(|f| f.name.clone()).collect(),
            features,
            segments,
            segment_psi,
            n_rows: self.segment_rows.iter().sum(),
            thresholds: format!(
                "PSI < {PSI_STABLE} stable, {PSI_STABLE}–{PSI_RETRAIN} watch, > {PSI_RETRAIN} retrain \
                 (the credit-scoring convention, Siddiqi 2006); shares floored at {PSI_FLOOR}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psi_by_hand() {
        // Two bins: 0.5/0.5 at training, 0.7/0.3 now:
        // (0.7 − 0.5)·ln(0.7/0.5) + (0.3 − 0.5)·ln(0.3/0.5) = 0.2·0.336472 + 0.2·0.510826 = 0.169460.
        let v = psi(&[0.5, 0.5], &[0.7, 0.3]);
        assert!((v - 0.169_459_572_7).abs() < 1e-9, "{v}");
        assert_eq!(psi(&[0.2, 0.8], &[0.2, 0.8]), 0.0);
        // An empty bin stays finite through the floor.
        assert!(psi(&[0.0, 1.0], &[0.5, 0.5]).is_finite());
        assert_eq!(Verdict::of(0.05), Verdict::Stable);
        assert_eq!(Verdict::of(0.2), Verdict::Watch);
        assert_eq!(Verdict::of(0.3), Verdict::Retrain);
    }

    #[test]
    fn bins_follow_the_deciles() {
        let edges = [1.0, 2.0, 3.0];
        assert_eq!(bin_of(&edges, 0.5), 0);
        assert_eq!(bin_of(&edges, 1.0), 0, "edges close their bin");
        assert_eq!(bin_of(&edges, 1.5), 1);
        assert_eq!(bin_of(&edges, 9.0), 3);
    }
}
