//! Tests of the Silhouette tab's bucketing and band heights.

use super::*;

#[test]
fn buckets_cover_every_value_with_their_envelope() {
    let values: Vec<f64> = (0..10).rev().map(|i| f64::from(i) / 10.0 - 0.3).collect();
    // 10 values into 3 buckets: runs of 3, 3, 4.
    let b = bucket_envelopes(&values, 3);
    assert_eq!(b.len(), 3);
    let close =
        |a: (f64, f64), e: (f64, f64)| (a.0 - e.0).abs() < 1e-12 && (a.1 - e.1).abs() < 1e-12;
    assert!(close(b[0], (0.4, 0.6)), "{b:?}");
    assert!(close(b[1], (0.1, 0.3)), "{b:?}");
    assert!(close(b[2], (-0.3, 0.0)), "{b:?}");
    // More buckets than values: one per value.
    let one_each = bucket_envelopes(&values, 50);
    assert_eq!(one_each.len(), 10);
    assert!(
        one_each
            .iter()
            .zip(&values)
            .all(|(e, v)| e.0 == *v && e.1 == *v)
    );
    assert!(bucket_envelopes(&[], 5).is_empty());
    assert!(bucket_envelopes(&values, 0).is_empty());
    // A million rows into 700 pixels: 700 buckets, the extremes kept.
    let many: Vec<f64> = (0..1_000_000).rev().map(|i| f64::from(i) / 1e6).collect();
    let b = bucket_envelopes(&many, 700);
    assert_eq!(b.len(), 700);
    assert_eq!(b[0].1, many[0]);
    assert_eq!(b[699].0, many[999_999]);
}

#[test]
fn bands_are_proportional_with_a_minimum() {
    let h = band_heights(&[600, 300, 100], 100.0);
    assert!(
        (h[0] - 60.0).abs() < 1e-4 && (h[2] - 10.0).abs() < 1e-4,
        "{h:?}"
    );
    let h = band_heights(&[10_000, 1], 100.0);
    assert!(h[1] >= MIN_BAND * 0.95, "{h:?}");
    assert!(h.iter().sum::<f32>() <= 100.0 + 1e-3);
    assert_eq!(band_heights(&[0, 0], 50.0), vec![0.0, 0.0]);
    assert!(band_heights(&[], 50.0).is_empty());
}
