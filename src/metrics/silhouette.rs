//! Exact silhouette coefficients (sklearn `silhouette_score` / `silhouette_samples`, Euclidean metric).
//!
//! For each row `i` in segment `c`: `a` = mean distance to the other rows of `c`, `b` = smallest mean
//! distance to the rows of another segment, `s = (b - a) / max(a, b)`; a row alone in its segment scores 0,
//! and 0/0 (all distances zero) scores 0, as sklearn's `nan_to_num` makes it. The work is O(n²·d) but the
//! memory is O(n·k): the symmetric blocked pass ([`super::symmetric`]) computes each distance once on the
//! rayon pool and accumulates per-row, per-segment sums in f64. [`silhouette_many`] scores several
//! labellings of the same rows in that one pass (the K sweep). A sample of rows (the sampled estimate)
//! goes through [`segment_sums_of_rows`] instead, which sums chosen rows' distances to a set of rows.

#![allow(
    clippy::inline_always,
    reason = "kernels must inline into pulp's #[target_feature] functions to get the instruction set"
)]

use crate::simd::{Isa, Kernel};
use ndarray::ArrayView2;
use rayon::prelude::*;

use super::cells::{Cells, offsets};
use super::kernel::{CHUNK, TILE_ROWS, sum, tile_distances};
use super::symmetric::segment_distance_sums;
use super::{Encoded, check_k, validate_x};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::simd::Kernels;

/// Rows per parallel block (the unit of cancellation and progress) for large inputs.
const MAX_BLOCK: usize = 256;

/// Silhouette coefficient of every row of `x` under `labels` (sklearn `silhouette_samples`).
///
/// Errors: empty `x`, a label count different from the row count, a row with NaN or ±inf, fewer than 2
/// or as many segments as rows ([`Error::InvalidParameter`]); [`Error::Cancelled`] when `progress` is
/// cancelled (checked once per block of rows).
pub fn silhouette_samples(
    x: ArrayView2<f64>,
    labels: &[usize],
    progress: &Progress,
) -> Result<Vec<f64>> {
    validate_x(x, labels.len())?;
    let enc = Encoded::new(labels);
    check_k("silhouette", enc.k(), x.nrows())?;
    let encs = std::slice::from_ref(&enc);
    let cells = Cells::new(x, encs);
    let sums = segment_distance_sums(&cells, Kernels::current(), progress)?;
    Ok(from_sums(&cells, &sums, encs).pop().unwrap_or_default())
}

/// Mean silhouette coefficient of all rows (sklearn `silhouette_score` without sampling), in -1..=1.
///
/// Same errors as [`silhouette_samples`].
pub fn silhouette_score(x: ArrayView2<f64>, labels: &[usize], progress: &Progress) -> Result<f64> {
    let s = silhouette_samples(x, labels, progress)?;
    Ok(mean(&s))
}

/// Mean silhouette of several labellings of the same rows, computing each pairwise distance once.
///
/// `result[l]` equals `silhouette_score(x, labelings[l], progress)`. Each labelling must satisfy the rules
/// of [`silhouette_samples`]; the error names the first one that does not.
pub fn silhouette_many(
    x: ArrayView2<f64>,
    labelings: &[&[usize]],
    progress: &Progress,
) -> Result<Vec<f64>> {
    let n = x.nrows();
    if labelings.is_empty() {
        return Ok(Vec::new());
    }
    let mut encs = Vec::with_capacity(labelings.len());
    for (l, labels) in labelings.iter().enumerate() {
        let named = |e: Error| match e {
            Error::InvalidParameter(m) => Error::InvalidParameter(format!("labelling {l}: {m}")),
            other => other,
        };
        validate_x(x, labels.len()).map_err(named)?;
        let enc = Encoded::new(labels);
        check_k("silhouette", enc.k(), n).map_err(named)?;
        encs.push(enc);
    }
    let cells = Cells::new(x, &encs);
    let sums = segment_distance_sums(&cells, Kernels::current(), progress)?;
    Ok(from_sums(&cells, &sums, &encs)
        .iter()
        .map(|s| mean(s))
        .collect())
}

/// Silhouettes from the symmetric pass's sums (by position): `result[l][i]` for the original row `i`.
fn from_sums(cells: &Cells, sums: &[f64], encs: &[Encoded]) -> Vec<Vec<f64>> {
    let off = offsets(encs);
    let kt = cells.kt;
    encs.iter()
        .zip(&off)
        .map(|(e, &o)| {
            let mut s = vec![0.0; cells.n()];
            for (row, &i) in sums.chunks_exact(kt).zip(&cells.order) {
                s[i] = row_silhouette(&row[o..o + e.k()], e.codes[i] as usize, &e.sizes);
            }
            s
        })
        .collect()
}

/// Silhouettes of the rows `rows` (original row indices) against all rows, for each labelling of
/// `cells`: `result[l][p]` is the silhouette of row `rows[p]` under `encs[l]`. Runs blocks of rows in
/// parallel and checks `progress` per block. Used for a sample of rows; all rows go through the (twice
/// cheaper) symmetric pass instead. Tests compare it with that pass.
#[cfg(test)]
pub(crate) fn silhouettes_of_rows(
    cells: &Cells,
    rows: &[usize],
    encs: &[Encoded],
    kernels: Kernels,
    progress: &Progress,
) -> Result<Vec<Vec<f64>>> {
    let sums = segment_sums_of_rows(cells, rows, kernels, progress)?;
    let off = offsets(encs);
    let mut result = vec![Vec::with_capacity(rows.len()); encs.len()];
    for (row, &i) in sums.chunks_exact(cells.kt).zip(rows) {
        for ((r, e), &o) in result.iter_mut().zip(encs).zip(&off) {
            r.push(row_silhouette(
                &row[o..o + e.k()],
                e.codes[i] as usize,
                &e.sizes,
            ));
        }
    }
    Ok(result)
}

/// Distance sums of the rows `rows` (original row indices of `cells`) to every row of `cells`, per
/// segment column: `result[p * kt + c]` for row `rows[p]` and column `c` of a row of segment sums (see
/// [`Cells::seg`]). Runs blocks of rows in parallel, checks `progress` per block and counts rows on it.
pub(crate) fn segment_sums_of_rows(
    cells: &Cells,
    rows: &[usize],
    kernels: Kernels,
    progress: &Progress,
) -> Result<Vec<f64>> {
    progress.set_stage("silhouette", rows.len() as u64);
    progress.check()?;
    let mut position = vec![0; cells.n()];
    for (p, &i) in cells.order.iter().enumerate() {
        position[i] = p;
    }
    let positions: Vec<usize> = rows.iter().map(|&i| position[i]).collect();
    // Small inputs still give every thread several blocks.
    let threads = rayon::current_num_threads().max(1);
    let block = (rows.len() / (4 * threads))
        .next_multiple_of(TILE_ROWS)
        .clamp(TILE_ROWS, MAX_BLOCK);
    let blocks: Vec<Vec<f64>> = positions
        .par_chunks(block)
        .map(|chunk| {
            progress.check()?;
            let sums = kernels.dispatch(RowSums { cells, chunk });
            progress.add(chunk.len() as u64);
            Ok(sums)
        })
        .collect::<Result<_>>()?;
    Ok(blocks.concat())
}

/// Segment sums (`kt` per row) of the positions `chunk` against every position.
struct RowSums<'a> {
    cells: &'a Cells,
    chunk: &'a [usize],
}

impl Kernel for RowSums<'_> {
    type Output = Vec<f64>;

    #[inline(always)]
    fn run<S: Isa>(self, simd: S) -> Vec<f64> {
        let Self { cells, chunk } = self;
        let (n, kt) = (cells.n(), cells.kt);
        let mut sums = vec![0.0; chunk.len() * kt];
        let mut out = [[0.0f64; CHUNK]; TILE_ROWS];
        for (g, group) in chunk.chunks(TILE_ROWS).enumerate() {
            let own = cells.cm.tile_features(group);
            for (b, runs) in cells.runs.iter().enumerate() {
                let j0 = b * CHUNK;
                tile_distances(simd, &cells.cm, &own, j0, CHUNK.min(n - j0), &mut out);
                for (r, o) in out.iter().enumerate().take(group.len()) {
                    let at = (g * TILE_ROWS + r) * kt;
                    let row = &mut sums[at..at + kt];
                    for run in runs {
                        let s = sum(simd, &o[run.start..run.end]);
                        for &c in cells.segs(run.cell) {
                            row[c] += s;
                        }
                    }
                }
            }
        }
        sums
    }
}

/// One row's silhouette from its per-segment distance sums.
fn row_silhouette(totals: &[f64], own: usize, sizes: &[usize]) -> f64 {
    let total = |c: usize| totals[c];
    if sizes[own] <= 1 {
        // sklearn: 0 / 0 -> NaN -> nan_to_num -> 0.
        return 0.0;
    }
    let a = total(own) / (sizes[own] - 1) as f64;
    let b = (0..sizes.len())
        .filter(|&c| c != own)
        .map(|c| total(c) / sizes[c] as f64)
        .fold(f64::INFINITY, f64::min);
    nan_to_num((b - a) / a.max(b))
}

/// numpy `nan_to_num`: NaN -> 0, ±inf -> ±f64::MAX.
pub(super) fn nan_to_num(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(f64::MIN, f64::MAX)
    }
}

/// Arithmetic mean (0 for an empty slice, which callers never pass).
pub(crate) fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_tight_pairs() {
        // distances: within pairs 1, across about 10
        let x = array![[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [11.0, 0.0]];
        let s = silhouette_samples(x.view(), &[5, 5, 9, 9], &Progress::new()).unwrap();
        assert!((s[0] - (10.5 - 1.0) / 10.5).abs() < 1e-15);
        assert!((s[1] - (9.5 - 1.0) / 9.5).abs() < 1e-15);
    }

    #[test]
    fn symmetric_pass_matches_row_pass() {
        // 1,000 rows = 4 blocks of 256 (last one short), so off-diagonal tiles and a bye are exercised.
        let n = 1_000;
        let x =
            ndarray::Array2::from_shape_fn((n, 3), |(i, j)| ((i * 37 + j * 11) % 29) as f64 * 0.7);
        let labels: Vec<usize> = (0..n).map(|i| (i * 7) % 5).collect();
        let p = Progress::new();
        let sym = silhouette_samples(x.view(), &labels, &p).unwrap();
        let rows: Vec<usize> = (0..n).collect();
        let encs = [Encoded::new(&labels)];
        let cells = Cells::new(x.view(), &encs);
        let direct = silhouettes_of_rows(&cells, &rows, &encs, Kernels::current(), &p).unwrap();
        for (a, b) in sym.iter().zip(&direct[0]) {
            assert!((a - b).abs() < 1e-13, "{a} vs {b}");
        }
    }

    #[test]
    fn scalar_and_dispatched_paths_agree() {
        use crate::simd::{Level, with_level};
        let n = 1_100;
        let mut rng = crate::rng::Rng::new(5);
        // Near-duplicate rows (offsets of 1e-9 around far-off points) and ordinary ones.
        let x = ndarray::Array2::from_shape_fn((n, 10), |(i, j)| {
            if i % 3 == 0 {
                100.0 + (j as f64) + 1e-9 * rng.normal()
            } else {
                rng.normal() + (i % 4) as f64
            }
        });
        let a: Vec<usize> = (0..n).map(|i| i % 4).collect();
        let b: Vec<usize> = (0..n).map(|i| (i * 7) % 3).collect();
        let p = Progress::new();
        let scalar = with_level(Level::Scalar, || silhouette_samples(x.view(), &a, &p)).unwrap();
        let fast = silhouette_samples(x.view(), &a, &p).unwrap();
        for (s, f) in scalar.iter().zip(&fast) {
            assert!((s - f).abs() <= 1e-12, "{s} vs {f}");
        }
        let many_s =
            with_level(Level::Scalar, || silhouette_many(x.view(), &[&a, &b], &p)).unwrap();
        let many_f = silhouette_many(x.view(), &[&a, &b], &p).unwrap();
        for (s, f) in many_s.iter().zip(&many_f) {
            assert!((s - f).abs() <= 1e-12, "{s} vs {f}");
        }
        // Against a naive O(n²) evaluation on the near-duplicates.
        let i = 3;
        let dist = |j: usize| {
            (0..10)
                .map(|f| (x[[i, f]] - x[[j, f]]).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let mean_to = |c: usize, own: bool| {
            let js: Vec<usize> = (0..n).filter(|&j| a[j] == c && (!own || j != i)).collect();
            js.iter().map(|&j| dist(j)).sum::<f64>() / js.len() as f64
        };
        let own = mean_to(a[i], true);
        let other = (0..4)
            .filter(|&c| c != a[i])
            .map(|c| mean_to(c, false))
            .fold(f64::INFINITY, f64::min);
        let want = (other - own) / own.max(other);
        assert!((fast[i] - want).abs() <= 1e-12, "{} vs {want}", fast[i]);
    }

    #[test]
    fn singleton_scores_zero() {
        let x = array![[0.0], [1.0], [5.0]];
        let s = silhouette_samples(x.view(), &[0, 0, 1], &Progress::new()).unwrap();
        assert_eq!(s[2], 0.0);
    }

    #[test]
    fn k_out_of_range_is_explained() {
        let x = array![[0.0], [1.0], [5.0]];
        let e = silhouette_score(x.view(), &[3, 3, 3], &Progress::new())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("at least 2 segments") && e.contains("k=1"),
            "{e}"
        );
        let e = silhouette_many(x.view(), &[&[0, 0, 1], &[0, 1, 2]], &Progress::new())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("labelling 1:") && e.contains("k=3"), "{e}");
    }
}
