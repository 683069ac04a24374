//! Hartigan–Wong style refinement of a Lloyd solution (R's default `kmeans` algorithm moves single points
//! the same way). Lloyd stops when every point is nearest its own centre, but moving a point `x` from
//! cluster A to cluster B also shifts both centres; the exact change of the total sum of squares is
//!
//! `Δ = n_B/(n_B+1)·‖x−c_B‖² − n_A/(n_A−1)·‖x−c_A‖²`
//!
//! so a point whose Δ < 0 for some B still lowers the inertia by moving, although it is nearest its own
//! centre. The pass moves such points (to the B of lowest Δ), updates both centres incrementally and
//! repeats until no point moves. A cluster of one point never gives it away, so no cluster empties.
//!
//! Each round is a parallel scan (which points have a Δ < 0 against the current centres, over fixed
//! blocks of rows) then a sequential walk over those candidates in row order that re-checks each against
//! the centres as they have moved since. The result depends only on the data and the starting solution,
//! not on the thread count. At the end every point is nearest its own centre (Δ < 0 whenever another
//! centre is strictly nearer), so the solution is also a Lloyd fixed point.

use rayon::prelude::*;

use super::{BLOCK, Packed, sq_dist};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// What follows Lloyd's iterations in [`super::kmeans`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, Hash,
)]
#[serde(rename_all = "kebab-case")]
pub enum Refine {
    /// Single-point moves while a move lowers the total inertia after each restart, then centre swaps on
    /// the best restart (`swap.rs`); the default of segscope's fits.
    #[default]
    HartiganWong,
    /// Plain Lloyd, as scikit-learn (for comparisons).
    None,
}

impl Refine {
    /// The name used by `--refine` and recipes.
    pub fn as_str(self) -> &'static str {
        match self {
            Refine::HartiganWong => "hartigan-wong",
            Refine::None => "none",
        }
    }
}

impl std::fmt::Display for Refine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Refine {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hartigan-wong" | "hartigan_wong" | "hw" => Ok(Refine::HartiganWong),
            "none" | "lloyd" => Ok(Refine::None),
            _ => Err(format!(
                "unknown refinement '{s}'; use hartigan-wong or none"
            )),
        }
    }
}

/// A move must lower the objective by more than this share of the point's own term, so rounding noise
/// cannot make two clusters trade a point back and forth.
const REL_EPS: f64 = 1e-12;

/// Cluster sizes and coordinate sums of `labels`, over fixed blocks of rows reduced in order.
fn sums_and_counts(data: &[f64], d: usize, k: usize, labels: &[usize]) -> (Vec<f64>, Vec<usize>) {
    let parts: Vec<(Vec<f64>, Vec<usize>)> = data
        .par_chunks(BLOCK * d)
        .zip(labels.par_chunks(BLOCK))
        .map(|(rows, labs)| {
            let mut sums = vec![0.0; k * d];
            let mut counts = vec![0usize; k];
            for (row, &l) in rows.chunks_exact(d).zip(labs) {
                counts[l] += 1;
                for (a, v) in sums[l * d..(l + 1) * d].iter_mut().zip(row) {
                    *a += v;
                }
            }
            (sums, counts)
        })
        .collect();
    let mut sums = vec![0.0; k * d];
    let mut counts = vec![0usize; k];
    for (s, c) in parts {
        for (a, b) in sums.iter_mut().zip(&s) {
            *a += b;
        }
        for (a, b) in counts.iter_mut().zip(&c) {
            *a += b;
        }
    }
    (sums, counts)
}

/// Centres as the means of `sums` (clusters of size 0 keep their centre).
fn means(sums: &[f64], counts: &[usize], d: usize, centers: &mut [f64]) {
    for (j, &c) in counts.iter().enumerate() {
        if c > 0 {
            for t in 0..d {
                centers[j * d + t] = sums[j * d + t] / c as f64;
            }
        }
    }
}

/// The best move of a point of cluster `a` given its squared distances `dist` to every centre: the
/// target and the change of the total sum of squares, when that change is negative.
#[inline]
fn best_move(dist: &[f64], counts: &[usize], a: usize) -> Option<(usize, f64)> {
    let na = counts[a];
    if na <= 1 {
        return None;
    }
    let remove = dist[a] * na as f64 / (na - 1) as f64;
    let mut best: Option<(usize, f64)> = None;
    for (b, (&db, &nb)) in dist.iter().zip(counts).enumerate() {
        if b == a {
            continue;
        }
        let add = db * nb as f64 / (nb + 1) as f64;
        if best.is_none_or(|(_, v)| add < v) {
            best = Some((b, add));
        }
    }
    best.and_then(|(b, add)| (add < remove * (1.0 - REL_EPS)).then_some((b, add - remove)))
}

/// Refines `labels` and `centers` (k × d, row-major) in place; returns the number of points moved.
/// `centers` need not be the means of `labels` on entry (Lloyd may stop on its tolerance); they are on
/// return. At most `max_rounds` scan-and-walk rounds.
pub(super) fn hartigan_wong(
    data: &[f64],
    d: usize,
    centers: &mut [f64],
    labels: &mut [usize],
    max_rounds: usize,
    progress: &Progress,
) -> Result<usize> {
    hartigan_wong_with(data, d, centers, labels, max_rounds, true, progress)
}

/// [`hartigan_wong`], with the bounds' skipping on or off (off: every point is scanned every round, the
/// reference the tests compare the skipping with).
fn hartigan_wong_with(
    data: &[f64],
    d: usize,
    centers: &mut [f64],
    labels: &mut [usize],
    max_rounds: usize,
    bounded: bool,
    progress: &Progress,
) -> Result<usize> {
    let k = centers.len() / d;
    if k < 2 || labels.len() * d != data.len() {
        return Ok(0);
    }
    if labels.iter().any(|&l| l >= k) {
        return Err(Error::InvalidParameter(
            "internal: a label is not a cluster".into(),
        ));
    }
    let (mut sums, mut counts) = sums_and_counts(data, d, k, labels);
    means(&sums, &counts, d, centers);
    let mut moved = 0usize;
    let mut dist = vec![0.0f64; k];
    // Hamerly-style bounds per point, valid for the centres and counts of the last scan: `upper[i]` ≥
    // its distance to its own centre, `lower[i]` ≤ min over other clusters b of ‖x − c_b‖·√(n_b/(n_b+1))
    // (the square root of the cost of adding it to b). A point whose bounds prove that no move lowers
    // the total is not rescanned; ∞ / 0 force a scan.
    let n = labels.len();
    let mut upper = vec![f64::INFINITY; n];
    let mut lower = vec![0.0f64; n];
    for _ in 0..max_rounds {
        progress.check()?;
        let packed = Packed::new(centers, d);
        let candidates: Vec<usize> = data
            .par_chunks(BLOCK * d)
            .zip(labels.par_chunks(BLOCK))
            .zip(upper.par_chunks_mut(BLOCK).zip(lower.par_chunks_mut(BLOCK)))
            .enumerate()
            .map(|(b, ((rows, labs), (ups, lows)))| {
                let mut dist = vec![0.0f64; packed.padded_len()];
                let mut out = Vec::new();
                for (i, ((row, &a), (u, l))) in rows
                    .chunks_exact(d)
                    .zip(labs)
                    .zip(ups.iter_mut().zip(lows.iter_mut()))
                    .enumerate()
                {
                    if counts[a] <= 1 || bounded && proven_still(*u, *l, counts[a]) {
                        continue;
                    }
                    packed.distances(row, &mut dist);
                    (*u, *l) = bounds(&dist[..k], &counts, a);
                    if best_move(&dist[..k], &counts, a).is_some() {
                        out.push(b * BLOCK + i);
                    }
                }
                out
            })
            .flatten_iter()
            .collect();
        if candidates.is_empty() {
            break;
        }
        let before = centers.to_vec();
        let counts_before = counts.clone();
        let mut round = 0usize;
        for i in candidates {
            let row = &data[i * d..(i + 1) * d];
            let a = labels[i];
            for (j, dj) in dist.iter_mut().enumerate() {
                *dj = sq_dist(row, &centers[j * d..(j + 1) * d]);
            }
            let Some((b, _)) = best_move(&dist, &counts, a) else {
                continue;
            };
            for (t, &v) in row.iter().enumerate() {
                sums[a * d + t] -= v;
                sums[b * d + t] += v;
            }
            counts[a] -= 1;
            counts[b] += 1;
            for j in [a, b] {
                for t in 0..d {
                    centers[j * d + t] = sums[j * d + t] / counts[j] as f64;
                }
            }
            labels[i] = b;
            // Its bounds were for cluster a: scan it again.
            upper[i] = f64::INFINITY;
            round += 1;
        }
        moved += round;
        // Exact sums again, so incremental updates never drift across rounds.
        (sums, counts) = sums_and_counts(data, d, k, labels);
        means(&sums, &counts, d, centers);
        if round == 0 {
            break;
        }
        loosen(
            &mut upper,
            &mut lower,
            labels,
            &before,
            centers,
            &counts_before,
            &counts,
            d,
        );
    }
    Ok(moved)
}

/// √(n/(n+1)): the factor of a distance to a cluster of `n` points in the cost of adding a point to it.
#[inline]
fn add_factor(n: usize) -> f64 {
    (n as f64 / (n + 1) as f64).sqrt()
}

/// The bounds of a point of cluster `a` from its squared distances to every centre (see
/// [`hartigan_wong`]).
#[inline]
fn bounds(dist: &[f64], counts: &[usize], a: usize) -> (f64, f64) {
    let lower = dist
        .iter()
        .zip(counts)
        .enumerate()
        .filter(|&(b, _)| b != a)
        .map(|(_, (&db, &nb))| db.sqrt() * add_factor(nb))
        .fold(f64::INFINITY, f64::min);
    (dist[a].sqrt(), lower)
}

/// Whether bounds `upper`, `lower` prove that a point of a cluster of `na` > 1 points has no move that
/// lowers the total: min_b cost of adding ≥ cost of removing, with a margin far above rounding.
#[inline]
fn proven_still(upper: f64, lower: f64, na: usize) -> bool {
    let remove = upper * upper * na as f64 / (na - 1) as f64;
    upper.is_finite() && lower * lower >= remove * (1.0 + 1e-9)
}

/// Loosens every point's bounds for the centres' moves from `before` to `centers` and the counts'
/// change (Hamerly): the own centre moved by δ_a raises the upper bound by δ_a; any other centre moved
/// by at most δ_max and its factor changed by at least ρ_min, so the lower bound becomes
/// (lower − δ_max)·ρ_min.
#[allow(clippy::too_many_arguments)]
fn loosen(
    upper: &mut [f64],
    lower: &mut [f64],
    labels: &[usize],
    before: &[f64],
    centers: &[f64],
    counts_before: &[usize],
    counts: &[usize],
    d: usize,
) {
    let shift: Vec<f64> = before
        .chunks_exact(d)
        .zip(centers.chunks_exact(d))
        .map(|(a, b)| sq_dist(a, b).sqrt())
        .collect();
    let max_shift = shift.iter().copied().fold(0.0, f64::max);
    let rho = counts_before
        .iter()
        .zip(counts)
        .map(|(&nb, &na)| add_factor(na) / add_factor(nb))
        .fold(f64::INFINITY, f64::min)
        .min(1.0);
    upper
        .par_iter_mut()
        .zip(lower.par_iter_mut())
        .zip(labels.par_iter())
        .for_each(|((u, l), &a)| {
            *u += shift[a];
            *l = (*l - max_shift).max(0.0) * rho;
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_skip_only_points_that_cannot_move() {
        // Same candidates every round, so the same moves: labels, centres and the count are identical.
        for (seed, n, d, k) in [(1u64, 3_000, 2, 5), (2, 2_000, 5, 9), (3, 5_000, 3, 3)] {
            let mut rng = crate::rng::Rng::new(seed);
            let data: Vec<f64> = (0..n * d)
                .map(|i| rng.normal() + ((i / d) % k) as f64 * 0.7)
                .collect();
            // A rough start: labels from the first coordinate's rank, so there is work to do.
            let start: Vec<usize> = (0..n).map(|i| (i * 7919) % k).collect();
            let p = Progress::new();
            let (mut la, mut ca) = (start.clone(), vec![0.0; k * d]);
            let (mut lb, mut cb) = (start, vec![0.0; k * d]);
            let ma = hartigan_wong(&data, d, &mut ca, &mut la, 300, &p).unwrap();
            let mb = hartigan_wong_with(&data, d, &mut cb, &mut lb, 300, false, &p).unwrap();
            assert!(ma > 0, "seed {seed}: nothing moved");
            assert_eq!((ma, &la), (mb, &lb), "seed {seed}");
            assert!(ca.iter().zip(&cb).all(|(a, b)| a.to_bits() == b.to_bits()));
        }
    }

    fn sse(data: &[f64], d: usize, labels: &[usize], k: usize) -> f64 {
        let (sums, counts) = sums_and_counts(data, d, k, labels);
        let mut c = vec![0.0; k * d];
        means(&sums, &counts, d, &mut c);
        data.chunks_exact(d)
            .zip(labels)
            .map(|(r, &l)| sq_dist(r, &c[l * d..(l + 1) * d]))
            .sum()
    }

    #[test]
    fn moves_a_point_lloyd_keeps_and_lowers_the_sum_of_squares() {
        // 1-D: clusters {0, 2} (centre 1) and four rows at 3.5. Every row is nearest its own centre, so
        // Lloyd has converged; moving 2 to the right-hand cluster still lowers the sum of squares from 2 to
        // 1.8 (Δ = 4/5·2.25 − 2/1·1 = −0.2).
        let data = [0.0, 2.0, 3.5, 3.5, 3.5, 3.5];
        let mut labels = vec![0, 0, 1, 1, 1, 1];
        let before = sse(&data, 1, &labels, 2);
        let mut centers = vec![0.0, 0.0];
        let moved =
            hartigan_wong(&data, 1, &mut centers, &mut labels, 100, &Progress::new()).unwrap();
        let after = sse(&data, 1, &labels, 2);
        assert_eq!((moved, &labels[..]), (1, &[0, 1, 1, 1, 1, 1][..]));
        assert!(
            (before - 2.0).abs() < 1e-12 && (after - 1.8).abs() < 1e-12,
            "{after} vs {before}"
        );
        // The returned centres are the means of the returned labels.
        let (sums, counts) = sums_and_counts(&data, 1, 2, &labels);
        for j in 0..2 {
            assert!((centers[j] - sums[j] / counts[j] as f64).abs() < 1e-12);
        }
        // And no single move lowers it further.
        for (i, &x) in data.iter().enumerate() {
            let dist: Vec<f64> = centers.iter().map(|c| (x - c) * (x - c)).collect();
            assert!(best_move(&dist, &counts, labels[i]).is_none(), "row {i}");
        }
    }

    #[test]
    fn never_empties_a_cluster_and_leaves_ties_alone() {
        // A singleton far from its centre-of-one cannot leave; identical rows never move.
        let data = [0.0, 0.0, 0.0, 5.0];
        let mut labels = vec![0, 0, 0, 1];
        let mut centers = vec![9.0, 9.0];
        let moved =
            hartigan_wong(&data, 1, &mut centers, &mut labels, 100, &Progress::new()).unwrap();
        assert_eq!((moved, labels), (0, vec![0, 0, 0, 1]));
        assert_eq!(centers, [0.0, 5.0]);
    }

    #[test]
    fn exact_delta_of_the_sum_of_squares() {
        let data = [0.0, 2.0, 3.5, 3.5, 3.5, 3.5];
        let labels = [0, 0, 1, 1, 1, 1];
        let (sums, counts) = sums_and_counts(&data, 1, 2, &labels);
        let mut c = vec![0.0; 2];
        means(&sums, &counts, 1, &mut c);
        let dist: Vec<f64> = c.iter().map(|m| (2.0 - m) * (2.0 - m)).collect();
        let (b, delta) = best_move(&dist, &counts, 0).unwrap();
        let moved = sse(&data, 1, &[0, 1, 1, 1, 1, 1], 2) - sse(&data, 1, &labels, 2);
        assert_eq!(b, 1);
        assert!((delta - moved).abs() < 1e-12, "{delta} vs {moved}");
    }

    #[test]
    fn names_round_trip() {
        for r in [Refine::HartiganWong, Refine::None] {
            assert_eq!(r.as_str().parse::<Refine>(), Ok(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{r}\""));
        }
        assert!("macqueen".parse::<Refine>().is_err());
        assert_eq!(Refine::default(), Refine::HartiganWong);
    }
}
