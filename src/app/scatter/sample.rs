//! The drawing sample: which rows the scatter draws when there are too many to draw them all.

use crate::rng::Rng;

/// Seed of the drawing sample (fixed: the same data always shows the same points).
const SAMPLE_SEED: u64 = 0x5ca7_7e12;

/// How many rows of each segment to draw: proportional to its size (shares preserved), but at least
/// `min(size, min_keep)` (lowered to `cap / segments` when needed), and never more than `cap` in total.
pub fn segment_quotas(sizes: &[usize], cap: usize, min_keep: usize) -> Vec<usize> {
    let n: usize = sizes.iter().sum();
    if n <= cap {
        return sizes.to_vec();
    }
    let present = sizes.iter().filter(|&&s| s > 0).count().max(1);
    let floor_keep = min_keep.min(cap / present);
    let mut quota = vec![0usize; sizes.len()];
    let mut fixed = vec![false; sizes.len()];
    loop {
        let fixed_total: usize = (0..sizes.len())
            .filter(|&s| fixed[s])
            .map(|s| quota[s])
            .sum();
        let free: usize = (0..sizes.len())
            .filter(|&s| !fixed[s])
            .map(|s| sizes[s])
            .sum();
        let budget = cap.saturating_sub(fixed_total);
        let share = |s: usize| {
            if free == 0 {
                0
            } else {
                ((sizes[s] as u128 * budget as u128) / free as u128) as usize
            }
        };
        let mut changed = false;
        for s in 0..sizes.len() {
            let keep = sizes[s].min(floor_keep);
            if !fixed[s] && share(s) < keep {
                quota[s] = keep;
                fixed[s] = true;
                changed = true;
            }
        }
        if !changed {
            for s in 0..sizes.len() {
                if !fixed[s] {
                    quota[s] = share(s).min(sizes[s]);
                }
            }
            return quota;
        }
    }
}

/// Rows to draw (ascending): [`segment_quotas`] rows of each segment, chosen uniformly at random with a
/// fixed seed (selection sampling, so the same labels always give the same sample).
pub fn sample_per_segment(labels: &[usize], cap: usize, min_keep: usize) -> Vec<usize> {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut sizes = vec![0usize; k];
    for &l in labels {
        sizes[l] += 1;
    }
    let mut need = segment_quotas(&sizes, cap, min_keep);
    if need == sizes {
        return (0..labels.len()).collect();
    }
    let mut left = sizes;
    let mut rng = Rng::new(SAMPLE_SEED);
    let mut out = Vec::with_capacity(need.iter().sum());
    for (i, &l) in labels.iter().enumerate() {
        if need[l] > 0 && rng.below(left[l]) < need[l] {
            out.push(i);
            need[l] -= 1;
        }
        left[l] -= 1;
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::app::scatter::{MIN_PER_SEGMENT, SAMPLE_CAP};

    /// 1,000,000 rows: a segment of 950,000, one of 49,700 and one of 300.
    pub(in crate::app::scatter) fn labels_1m() -> Vec<usize> {
        let mut r = Rng::new(1);
        (0..1_000_000)
            .map(|_| match r.below(1_000_000) {
                0..300 => 2,
                300..50_000 => 1,
                _ => 0,
            })
            .collect()
    }

    fn counts(labels: &[usize], rows: &[usize], k: usize) -> Vec<usize> {
        let mut c = vec![0; k];
        for &i in rows {
            c[labels[i]] += 1;
        }
        c
    }

    #[test]
    fn quotas_preserve_shares_keep_small_segments_and_cap_the_total() {
        assert_eq!(
            segment_quotas(&[10, 5], 100, 500),
            [10, 5],
            "small data: all rows"
        );
        let q = segment_quotas(&[900_000, 99_000, 1_000], 20_000, 500);
        assert!(q.iter().sum::<usize>() <= 20_000, "{q:?}");
        assert_eq!(q[2], 500, "the small segment keeps 500 rows");
        // The two large segments keep their relative shares.
        let ratio = q[0] as f64 / q[1] as f64;
        assert!((ratio - 900.0 / 99.0).abs() < 0.05, "{q:?}");
        assert!(
            q.iter().sum::<usize>() >= 19_990,
            "the budget is used: {q:?}"
        );
        let q = segment_quotas(&[900_000, 120, 0], 20_000, 500);
        assert_eq!(q[1], 120, "a segment under 500 rows is drawn whole");
        assert_eq!(q[2], 0);
        // Many segments: the floor drops so the cap holds.
        let sizes = vec![100_000; 100];
        let q = segment_quotas(&sizes, 20_000, 500);
        assert!(q.iter().sum::<usize>() <= 20_000);
        assert!(q.iter().all(|&x| x == 200), "{:?}", &q[..3]);
    }

    #[test]
    fn sample_is_deterministic_sorted_and_per_segment() {
        let labels = labels_1m();
        let a = sample_per_segment(&labels, SAMPLE_CAP, MIN_PER_SEGMENT);
        let b = sample_per_segment(&labels, SAMPLE_CAP, MIN_PER_SEGMENT);
        assert_eq!(a, b, "deterministic");
        assert!(a.len() <= SAMPLE_CAP && a.len() > SAMPLE_CAP - 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats");
        let sizes = counts(&labels, &(0..labels.len()).collect::<Vec<_>>(), 3);
        let got = counts(&labels, &a, 3);
        assert_eq!(got, segment_quotas(&sizes, SAMPLE_CAP, MIN_PER_SEGMENT));
        assert_eq!(
            got[2], sizes[2],
            "the smallest segment (< 500 rows) is drawn whole"
        );
        // Spread over the whole row range, not just the first rows.
        assert!(*a.last().unwrap() > 990_000 && a[0] < 10_000);
        let small: Vec<usize> = vec![0, 1, 1, 0];
        assert_eq!(sample_per_segment(&small, 10, 2), [0, 1, 2, 3]);
        assert!(sample_per_segment(&[], 10, 2).is_empty());
    }
}
