//! The k-distance curve for choosing DBSCAN's eps: each row's distance to its `min_samples`-th nearest
//! row, counting the row itself (sklearn's `NearestNeighbors(n_neighbors=min_samples).kneighbors(X)`,
//! last column), sorted ascending. Rows left of the knee sit in dense regions; the knee's distance is the
//! suggested eps for that `min_samples` (Ester et al. 1996's heuristic). The knee is the kneedle point of
//! an increasing convex curve: after scaling both axes to [0, 1], the point farthest below the chord
//! from the first point to the last — [`crate::analysis::knee_kneedle`]'s rule mirrored (that one is for
//! decreasing curves; a unit test checks the two agree).

use ndarray::ArrayView2;

use super::index::{Index, Rows, Space};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// The sorted k-distance curve and its knee.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KDistance {
    /// The `min_samples` (k) used.
    pub min_samples: usize,
    /// One distance per row, ascending.
    pub distances: Vec<f64>,
    /// Position of the knee in `distances`, if the curve has one.
    pub knee: Option<usize>,
    /// `distances[knee]`: the suggested eps.
    pub suggested_eps: Option<f64>,
}

/// Computes the k-distance curve of the rows of `x` for `min_samples` (1 ≤ `min_samples` ≤ rows).
pub fn k_distance(
    x: ArrayView2<f64>,
    min_samples: usize,
    progress: &Progress,
) -> Result<KDistance> {
    let rows = Rows::new(x, "the k-distance curve")?;
    let n = rows.n();
    if min_samples == 0 || min_samples > n {
        return Err(Error::InvalidParameter(format!(
            "min_samples = {min_samples} must be between 1 and the {n} rows"
        )));
    }
    progress.set_stage("k-distance: building the neighbour index", 0);
    progress.check()?;
    let space = Space::new(&rows, "k-distance", (n as u64).saturating_mul(8))?;
    let index = Index::build(&space, "k-distance")?;
    progress.set_stage("k-distance: nearest neighbours", n as u64);
    let mut distances = index.kth_distances(min_samples, progress)?;
    distances.sort_by(f64::total_cmp);
    let knee = increasing_knee(&distances);
    Ok(KDistance {
        min_samples,
        suggested_eps: knee.map(|k| distances[k]).filter(|&e| e > 0.0),
        distances,
        knee,
    })
}

/// The knee of an increasing convex curve (values at equally spaced x): the position farthest below the
/// chord after scaling both axes to [0, 1]; ties go to the later position (as
/// [`crate::analysis::knee_kneedle`] on the mirrored curve). `None` for fewer than 3 points, a flat curve
/// or one never below its chord.
pub fn increasing_knee(values: &[f64]) -> Option<usize> {
    let m = values.len();
    if m < 3 {
        return None;
    }
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    if hi <= lo || !lo.is_finite() || !hi.is_finite() {
        return None;
    }
    let last = (m - 1) as f64;
    let mut best: Option<(f64, usize)> = None;
    for (i, &v) in values.iter().enumerate().rev() {
        let diff = i as f64 / last - (v - lo) / (hi - lo);
        if best.is_none_or(|(b, _)| diff > b) {
            best = Some((diff, i));
        }
    }
    best.filter(|(d, _)| *d > 0.0).map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn knee_matches_kneedle_on_the_mirrored_curve() {
        let curve: Vec<f64> = (0..50).map(|i| (f64::from(i) / 7.0).exp()).collect();
        let k = increasing_knee(&curve).unwrap();
        let ks: Vec<usize> = (0..curve.len()).collect();
        let mirrored: Vec<f64> = curve.iter().rev().copied().collect();
        let kk = crate::analysis::knee_kneedle(&ks, &mirrored).unwrap();
        assert_eq!(k, curve.len() - 1 - kk);
        assert!(k > 25 && k < 49, "{k}");
        assert_eq!(increasing_knee(&[1.0, 1.0, 1.0]), None);
        assert_eq!(increasing_knee(&[0.0, 1.0, 2.0]), None);
        assert_eq!(increasing_knee(&[0.0, 1.0]), None);
    }

    #[test]
    fn curve_is_sorted_and_counts_the_row_itself() {
        // 1-D rows 0, 1, 3, 7: 2nd nearest including itself = nearest other row.
        let x = Array2::from_shape_vec((4, 1), vec![0.0, 1.0, 3.0, 7.0]).unwrap();
        let k = k_distance(x.view(), 2, &Progress::new()).unwrap();
        assert_eq!(k.distances, [1.0, 1.0, 2.0, 4.0]);
        let one = k_distance(x.view(), 1, &Progress::new()).unwrap();
        assert!(one.distances.iter().all(|&d| d == 0.0));
        assert_eq!(one.suggested_eps, None);
        assert!(k_distance(x.view(), 5, &Progress::new()).is_err());
        assert!(k_distance(x.view(), 0, &Progress::new()).is_err());
    }

    #[test]
    fn knee_separates_blobs_from_noise() {
        // 300 rows in a tight blob plus 30 spread out: the knee's eps sits between the two scales.
        let mut rng = crate::rng::Rng::new(5);
        let x = Array2::from_shape_fn((330, 2), |(i, _)| {
            if i < 300 {
                0.1 * rng.normal()
            } else {
                20.0 * (rng.uniform() - 0.5)
            }
        });
        let k = k_distance(x.view(), 5, &Progress::new()).unwrap();
        let eps = k.suggested_eps.unwrap();
        assert!(eps > 0.05 && eps < 2.0, "{eps}");
    }
}
