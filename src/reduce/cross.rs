//! The data passes of PCA: cross products of the centred data — the `d × d` scatter matrix `Xcᵀ Xc` of tall
//! data, the `n × n` Gram matrix `Xc Xcᵀ` of wide data — and projections of centred rows on components.
//!
//! Rows (tall) or features (wide) are cut into a fixed number of contiguous parts that depends only on the
//! shape; each part sums its blocks of [`BLOCK`] in order into its own partial matrix (one rayon task per
//! part) and the partials are added in part order, so results are identical at any thread count. Tall data
//! is centred block by block, so it never needs a centred copy. Cancellation is checked before every block.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, s};
use rayon::prelude::*;

use crate::error::Result;
use crate::jobs::Progress;

/// Rows (tall) or features (wide) per block.
pub(crate) const BLOCK: usize = 1024;
/// At most this many partial sums (parallel tasks).
const MAX_PARTS: usize = 8;
/// The partial sums together stay under this many bytes where possible (at least one part).
const PARTS_BYTES: usize = 256 << 20;

/// Number of parts for `len` rows or features summed into an `m × m` matrix: one per block, at most
/// [`MAX_PARTS`], and fewer when `m × m` partials would exceed [`PARTS_BYTES`].
pub(crate) fn n_parts(len: usize, m: usize) -> usize {
    let by_len = len.div_ceil(BLOCK).max(1);
    let by_mem = (PARTS_BYTES / m.saturating_mul(m).saturating_mul(8).max(1)).max(1);
    by_len.min(by_mem).min(MAX_PARTS)
}

/// `0..len` cut into `parts` contiguous, near-equal ranges.
fn ranges(len: usize, parts: usize) -> Vec<(usize, usize)> {
    let parts = parts.max(1);
    (0..parts)
        .map(|p| (p * len / parts, (p + 1) * len / parts))
        .filter(|(lo, hi)| hi > lo)
        .collect()
}

/// Blocks a pass over `len` rows or features into an `m × m` matrix visits (for progress totals).
pub(crate) fn n_blocks(len: usize, m: usize) -> u64 {
    ranges(len, n_parts(len, m))
        .iter()
        .map(|(lo, hi)| (hi - lo).div_ceil(BLOCK) as u64)
        .sum()
}

/// Sums `add_block(lo, hi, acc)` over the blocks of `0..len` into an `m × m` matrix, part by part.
fn sum_parts(
    len: usize,
    m: usize,
    progress: &Progress,
    add_block: impl Fn(usize, usize, &mut Array2<f64>) + Sync,
) -> Result<Array2<f64>> {
    let partials = ranges(len, n_parts(len, m))
        .into_par_iter()
        .map(|(lo, hi)| {
            let mut acc = Array2::zeros((m, m));
            let mut start = lo;
            while start < hi {
                progress.check()?;
                let end = (start + BLOCK).min(hi);
                add_block(start, end, &mut acc);
                progress.add(1);
                start = end;
            }
            Ok(acc)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut parts = partials.into_iter();
    let mut total = parts.next().unwrap_or_else(|| Array2::zeros((m, m)));
    for p in parts {
        total += &p;
    }
    Ok(total)
}

/// Rows `lo..hi` of `x` minus `mean`.
fn centred_rows(x: ArrayView2<f64>, mean: ArrayView1<f64>, lo: usize, hi: usize) -> Array2<f64> {
    let mut b = x.slice(s![lo..hi, ..]).to_owned();
    b -= &mean.insert_axis(Axis(0));
    b
}

/// `Xcᵀ Xc` (`d × d`, not divided by `n − 1`) of `x` centred with `mean`, without a centred copy.
pub(crate) fn scatter(
    x: ArrayView2<f64>,
    mean: ArrayView1<f64>,
    progress: &Progress,
) -> Result<Array2<f64>> {
    let (n, d) = x.dim();
    sum_parts(n, d, progress, |lo, hi, acc| {
        let b = centred_rows(x, mean, lo, hi);
        general_mat_mul(1.0, &b.t(), &b, 1.0, acc);
    })
}

/// `Xc Xcᵀ` (`n × n`) of already centred data, summed over blocks of features.
pub(crate) fn gram(xc: ArrayView2<f64>, progress: &Progress) -> Result<Array2<f64>> {
    let (n, d) = xc.dim();
    sum_parts(d, n, progress, |lo, hi, acc| {
        let b = xc.slice(s![.., lo..hi]);
        general_mat_mul(1.0, &b, &b.t(), 1.0, acc);
    })
}

/// `(x − mean) · componentsᵀ` (`n × k`), blocks of rows in parallel, written to disjoint output rows.
///
/// # Panics
/// When `x`, `mean` and `components` do not have the same number of features.
pub(crate) fn project(
    x: ArrayView2<f64>,
    mean: ArrayView1<f64>,
    components: ArrayView2<f64>,
) -> Array2<f64> {
    let n = x.nrows();
    let k = components.nrows();
    let mut scores = vec![0.0; n * k];
    if k > 0 {
        scores
            .par_chunks_mut(BLOCK * k)
            .enumerate()
            .for_each(|(i, chunk)| {
                let lo = i * BLOCK;
                let hi = lo + chunk.len() / k;
                if let Ok(mut out) = ArrayViewMut2::from_shape((hi - lo, k), chunk) {
                    project_rows(x, mean, components, lo, &mut out);
                }
            });
    }
    Array2::from_shape_vec((n, k), scores).unwrap_or_else(|_| Array2::zeros((n, k)))
}

/// Scores of rows `lo..lo + out.nrows()` of `x` into `out`: the one product behind [`project`] and
/// [`projected_sums_of_squares`], so both give the same values bit for bit.
fn project_rows(
    x: ArrayView2<f64>,
    mean: ArrayView1<f64>,
    components: ArrayView2<f64>,
    lo: usize,
    out: &mut ArrayViewMut2<f64>,
) {
    let b = centred_rows(x, mean, lo, lo + out.nrows());
    general_mat_mul(1.0, &b, &components.t(), 0.0, out);
}

/// Per column, the sum of squares of the rows of `block`, accumulated row by row.
fn block_sums_of_squares(block: ArrayView2<f64>) -> Array1<f64> {
    let mut part = Array1::<f64>::zeros(block.ncols());
    for row in block.rows() {
        part.zip_mut_with(&row, |p, v| *p += v * v);
    }
    part
}

/// Column sums of squares of [`project`]`(x, mean, components)` without holding the `n × k` scores:
/// each block of [`BLOCK`] rows is projected by the same product as in [`project`] (`project_rows`),
/// its squares are summed row by row, and the blocks' sums are added in order — bit for bit
/// `column_sums_of_squares` of the scores, in `O(BLOCK · k)` memory per thread.
pub(crate) fn projected_sums_of_squares(
    x: ArrayView2<f64>,
    mean: ArrayView1<f64>,
    components: ArrayView2<f64>,
) -> Array1<f64> {
    let (n, k) = (x.nrows(), components.nrows());
    let mut total = Array1::zeros(k);
    if k == 0 {
        return total;
    }
    let parts: Vec<Array1<f64>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|i| {
            let (lo, hi) = (i * BLOCK, ((i + 1) * BLOCK).min(n));
            let mut out = Array2::zeros((hi - lo, k));
            project_rows(x, mean, components, lo, &mut out.view_mut());
            block_sums_of_squares(out.view())
        })
        .collect();
    for part in &parts {
        total += part;
    }
    total
}

/// Sum of squares of each column, summed per block of rows and then over blocks (in order).
#[cfg(test)]
pub(crate) fn column_sums_of_squares(scores: ArrayView2<f64>) -> Array1<f64> {
    let mut total = Array1::zeros(scores.ncols());
    for block in scores.axis_chunks_iter(Axis(0), BLOCK) {
        total += &block_sums_of_squares(block);
    }
    total
}

/// `x − mean` as an owned matrix (wide data, where `n × d` is smaller than `d × d`).
pub(crate) fn centred(x: ArrayView2<f64>, mean: ArrayView1<f64>) -> Array2<f64> {
    centred_rows(x, mean, 0, x.nrows())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn data(n: usize, d: usize, seed: u64) -> Array2<f64> {
        let mut r = Rng::new(seed);
        Array2::from_shape_fn((n, d), |(_, j)| 5.0 * j as f64 + r.normal())
    }

    #[test]
    fn parts_depend_on_the_shape_only() {
        assert_eq!(n_parts(10, 5), 1);
        assert_eq!(n_parts(3 * BLOCK + 1, 5), 4);
        assert_eq!(n_parts(1_000_000, 5), MAX_PARTS);
        // 5,000 × 5,000 partials are 200 MB each: one part.
        assert_eq!(n_parts(1_000_000, 5_000), 1);
        let r = ranges(10, 3);
        assert_eq!(r, vec![(0, 3), (3, 6), (6, 10)]);
        assert_eq!(n_blocks(2 * BLOCK + 5, 3), 3);
    }

    #[test]
    fn scatter_and_gram_equal_the_direct_products() {
        let x = data(2 * BLOCK + 37, 6, 1);
        let mean = x.mean_axis(Axis(0)).unwrap();
        let xc = centred(x.view(), mean.view());
        let p = Progress::new();
        let s = scatter(x.view(), mean.view(), &p).unwrap();
        let direct = xc.t().dot(&xc);
        let err = (&s - &direct).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(err < 1e-9 * direct[[0, 0]], "{err}");
        assert_eq!(p.counts().0, n_blocks(x.nrows(), 6));
        let w = data(7, 3 * BLOCK + 11, 2);
        let wm = w.mean_axis(Axis(0)).unwrap();
        let wc = centred(w.view(), wm.view());
        let g = gram(wc.view(), &Progress::new()).unwrap();
        let direct = wc.dot(&wc.t());
        let err = (&g - &direct).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(err < 1e-9 * direct[[0, 0]], "{err}");
    }

    #[test]
    fn projection_matches_and_cancellation_stops_a_pass() {
        let x = data(BLOCK + 3, 4, 3);
        let mean = x.mean_axis(Axis(0)).unwrap();
        let comps = ndarray::array![[1.0, 0.0, 0.0, 0.0], [0.0, 0.5, 0.5, 0.0]];
        let sc = project(x.view(), mean.view(), comps.view());
        let direct = centred(x.view(), mean.view()).dot(&comps.t());
        assert_eq!(sc.dim(), (BLOCK + 3, 2));
        assert!((&sc - &direct).iter().all(|v| v.abs() < 1e-12));
        let ss = column_sums_of_squares(sc.view());
        assert!((ss[0] - direct.column(0).dot(&direct.column(0))).abs() < 1e-9);
        let p = Progress::new();
        p.cancel();
        assert!(matches!(
            scatter(x.view(), mean.view(), &p),
            Err(crate::error::Error::Cancelled)
        ));
    }

    #[test]
    fn projected_sums_of_squares_equal_the_sums_of_the_scores_bit_for_bit() {
        let mut r = crate::rng::Rng::new(5);
        for n in [1, 7, BLOCK, BLOCK + 1, 3 * BLOCK + 17] {
            let x = Array2::from_shape_fn((n, 6), |(_, j)| 5.0 * j as f64 + r.normal());
            let mean = x.mean_axis(Axis(0)).unwrap();
            let comps = Array2::from_shape_fn((3, 6), |_| r.normal());
            let want = column_sums_of_squares(project(x.view(), mean.view(), comps.view()).view());
            let got = projected_sums_of_squares(x.view(), mean.view(), comps.view());
            let bits = |a: &Array1<f64>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want), "n = {n}");
        }
    }
}
