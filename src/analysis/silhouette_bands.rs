//! Per-row silhouettes grouped for the silhouette plot: each segment's finite values sorted descending,
//! their mean and how many are negative (a row closer to another segment than to its own).

/// One segment's silhouettes.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentSilhouettes {
    /// The segment's finite silhouettes, highest first.
    pub values: Vec<f64>,
    /// Their mean (`None` for a segment without any).
    pub mean: Option<f64>,
    /// How many are below 0.
    pub negatives: usize,
}

/// Groups `silhouette` (one value per row) by `labels` into segments `0..k` (at least one); non-finite
/// values, labels `>= k` and rows beyond the shorter input are left out.
pub fn silhouettes_by_segment(
    labels: &[usize],
    silhouette: &[f64],
    k: usize,
) -> Vec<SegmentSilhouettes> {
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); k.max(1)];
    for (&label, &s) in labels.iter().zip(silhouette) {
        if s.is_finite()
            && let Some(v) = per.get_mut(label)
        {
            v.push(s);
        }
    }
    per.into_iter()
        .map(|mut values| {
            values.sort_unstable_by(|a, b| b.total_cmp(a));
            let mean =
                (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
            let negatives = values.iter().filter(|&&v| v < 0.0).count();
            SegmentSilhouettes {
                values,
                mean,
                negatives,
            }
        })
        .collect()
}

/// Splits `values` into `n_buckets` consecutive runs of (nearly) equal length and returns each run's
/// (min, max), so a long sorted run draws as a few bars; with fewer values than buckets, one bucket per
/// value. Empty input gives no bucket.
pub fn bucket_envelopes(values: &[f64], n_buckets: usize) -> Vec<(f64, f64)> {
    let n = values.len();
    let b = n_buckets.min(n);
    (0..b)
        .map(|i| {
            values[i * n / b..(i + 1) * n / b]
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_sorts_and_counts_negatives_per_segment() {
        let labels = [0, 1, 0, 1, 0, 2, 5];
        let s = [0.5, -0.2, 0.9, 0.4, f64::NAN, 0.1, 0.7];
        let g = silhouettes_by_segment(&labels, &s, 3);
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].values, [0.9, 0.5], "NaN left out, highest first");
        assert!((g[0].mean.unwrap() - 0.7).abs() < 1e-15);
        assert_eq!(g[1].values, [0.4, -0.2]);
        assert_eq!(g[1].negatives, 1);
        assert_eq!(g[2].values, [0.1], "label 5 ≥ k is left out");
        let empty = silhouettes_by_segment(&[], &[], 0);
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].mean, None);
    }

    #[test]
    fn bucket_envelopes_cover_every_value() {
        let v = [0.9, 0.8, 0.7, 0.6, 0.5];
        assert_eq!(bucket_envelopes(&v, 2), [(0.8, 0.9), (0.5, 0.7)]);
        assert_eq!(bucket_envelopes(&v, 10).len(), 5);
        assert!(bucket_envelopes(&[], 3).is_empty());
    }
}
