//! Exact silhouette coefficients (sklearn `silhouette_score` / `silhouette_samples`, Euclidean metric).
//!
//! For each row `i` in segment `c`: `a` = mean distance to the other rows of `c`, `b` = smallest mean
//! distance to the rows of another segment, `s = (b - a) / max(a, b)`; a row alone in its segment scores 0,
//! and 0/0 (all distances zero) scores 0, as sklearn's `nan_to_num` makes it. The work is O(n²·d) but the
//! memory is O(n·k): the symmetric blocked pass ([`super::symmetric`]) computes each distance once on the
//! rayon pool and accumulates per-row, per-segment sums in f64. [`silhouette_many`] scores several
//! labellings of the same rows in that one pass (the K sweep). A sample of rows (the sampled estimate)
//! goes through [`silhouettes_of_rows`] instead, which scores chosen rows against all rows.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::kernel::{ColumnMajor, TILE_ROWS, scatter_add};
use super::symmetric::{offsets, segment_distance_sums};
use super::{Encoded, check_k, validate_x};
use crate::error::{Error, Result};
use crate::jobs::Progress;

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
    let cm = ColumnMajor::new(x);
    let encs = std::slice::from_ref(&enc);
    let sums = segment_distance_sums(&cm, encs, progress)?;
    Ok(from_sums(&sums, encs).pop().unwrap_or_default())
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
    let cm = ColumnMajor::new(x);
    let sums = segment_distance_sums(&cm, &encs, progress)?;
    Ok(from_sums(&sums, &encs).iter().map(|s| mean(s)).collect())
}

/// Silhouettes from the symmetric pass's sums: `result[l][i]`.
fn from_sums(sums: &[f64], encs: &[Encoded]) -> Vec<Vec<f64>> {
    let off = offsets(encs);
    let kt = off.last().copied().unwrap_or(0);
    encs.iter()
        .zip(&off)
        .map(|(e, &o)| {
            sums.chunks_exact(kt)
                .zip(&e.codes)
                .map(|(row, &c)| row_silhouette(&row[o..o + e.k()], c as usize, &e.sizes))
                .collect()
        })
        .collect()
}

/// Silhouettes of the rows `rows` against all rows, for each labelling: `result[l][p]` is the silhouette
/// of row `rows[p]` under `encs[l]`. Runs blocks of rows in parallel and checks `progress` per block.
/// Used for a sample of rows; all rows go through the (twice cheaper) symmetric pass instead.
pub(crate) fn silhouettes_of_rows(
    cm: &ColumnMajor,
    rows: &[usize],
    encs: &[Encoded],
    progress: &Progress,
) -> Result<Vec<Vec<f64>>> {
    progress.set_stage("silhouette", rows.len() as u64);
    progress.check()?;
    let n_l = encs.len();
    // Small inputs still give every thread several blocks.
    let threads = rayon::current_num_threads().max(1);
    let block = (rows.len() / (4 * threads))
        .next_multiple_of(TILE_ROWS)
        .clamp(TILE_ROWS, MAX_BLOCK);
    let blocks: Vec<Vec<f64>> = rows
        .par_chunks(block)
        .map(|chunk| {
            progress.check()?;
            let out = block_silhouettes(cm, chunk, encs);
            progress.add(chunk.len() as u64);
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let mut result = vec![Vec::with_capacity(rows.len()); n_l];
    for b in &blocks {
        for per_row in b.chunks_exact(n_l) {
            for (r, &s) in result.iter_mut().zip(per_row) {
                r.push(s);
            }
        }
    }
    Ok(result)
}

/// Silhouettes of one block of rows, laid out row by row: `out[p * encs.len() + l]`.
fn block_silhouettes(cm: &ColumnMajor, chunk: &[usize], encs: &[Encoded]) -> Vec<f64> {
    let mut out = Vec::with_capacity(chunk.len() * encs.len());
    // sums[l][r]: four interleaved lanes per segment of labelling l, for tile row r.
    let mut sums: Vec<Vec<Vec<f64>>> = encs
        .iter()
        .map(|e| vec![vec![0.0; e.k() * 4]; TILE_ROWS])
        .collect();
    for tile in chunk.chunks(TILE_ROWS) {
        for s in sums.iter_mut().flatten() {
            s.fill(0.0);
        }
        cm.distance_chunks(tile, |r, j0, dists| {
            for (e, s) in encs.iter().zip(sums.iter_mut()) {
                scatter_add(&mut s[r], &e.codes[j0..j0 + dists.len()], dists);
            }
        });
        for (r, &i) in tile.iter().enumerate() {
            for (e, s) in encs.iter().zip(&sums) {
                let totals: Vec<f64> = s[r].chunks_exact(4).map(|l| l.iter().sum()).collect();
                out.push(row_silhouette(&totals, e.codes[i] as usize, &e.sizes));
            }
        }
    }
    out
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
fn nan_to_num(v: f64) -> f64 {
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
        let enc = Encoded::new(&labels);
        let cm = ColumnMajor::new(x.view());
        let direct = silhouettes_of_rows(&cm, &rows, std::slice::from_ref(&enc), &p).unwrap();
        for (a, b) in sym.iter().zip(&direct[0]) {
            assert!((a - b).abs() < 1e-13, "{a} vs {b}");
        }
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
