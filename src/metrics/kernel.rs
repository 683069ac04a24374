//! The blocked Euclidean distance kernel behind the silhouette: a column-major copy of the feature matrix
//! and a register-tiled routine that computes the distances from [`TILE_ROWS`] rows to a run of other rows,
//! generic over the instruction set ([`crate::simd`]: AVX-512, AVX2 + FMA or portable code).
//!
//! Distances are computed directly as `sqrt(sum_d (x_id - x_jd)^2)`, never through the expansion
//! `|x|^2 + |y|^2 - 2 x.y`, so a row's distance to itself and to its duplicates is exactly 0 and nothing
//! is lost to cancellation. Every lane sums the features in the same order, so a distance does not depend
//! on the position of the pair in a tile. Memory is O(n·d) for the copy plus a fixed tile per thread.

#![allow(
    clippy::inline_always,
    reason = "kernels must inline into pulp's #[target_feature] functions to get the instruction set"
)]

use crate::simd::Isa;
use ndarray::ArrayView2;

/// Rows handled together by [`tile_distances`] (each column value is loaded once per tile).
pub(crate) const TILE_ROWS: usize = 4;
/// Columns (other rows) per tile; also the block size of the symmetric pass.
pub(crate) const CHUNK: usize = 256;
/// Columns per register tile of the portable path (with [`TILE_ROWS`] rows: 32 running sums).
const LANES: usize = 8;

/// The feature matrix stored feature by feature: `data[f * n + j]` is feature `f` of row `j`.
#[derive(Debug)]
pub(crate) struct ColumnMajor {
    data: Vec<f64>,
    n: usize,
    d: usize,
}

impl ColumnMajor {
    /// Number of rows.
    #[cfg(test)]
    pub fn n(&self) -> usize {
        self.n
    }

    /// Copies `x` (rows × features) into column-major order.
    #[cfg(test)]
    pub fn new(x: ArrayView2<f64>) -> Self {
        let order: Vec<usize> = (0..x.nrows()).collect();
        Self::permuted(x, &order)
    }

    /// Copies the rows `order[0], order[1], …` of `x` into column-major order (position `p` holds row
    /// `order[p]`).
    pub fn permuted(x: ArrayView2<f64>, order: &[usize]) -> Self {
        let (n, d) = (order.len(), x.ncols());
        let mut data = Vec::with_capacity(n * d);
        for col in x.columns() {
            data.extend(order.iter().map(|&i| col[i]));
        }
        Self { data, n, d }
    }

    /// Features of up to [`TILE_ROWS`] rows (positions), feature by feature: `own[f][r]`. A short tile
    /// repeats its last row; callers ignore the extra results.
    pub fn tile_features(&self, rows: &[usize]) -> Vec<[f64; TILE_ROWS]> {
        let last = rows.last().copied().unwrap_or(0);
        let mut tile = [last; TILE_ROWS];
        tile[..rows.len()].copy_from_slice(rows);
        (0..self.d)
            .map(|f| tile.map(|i| self.data[f * self.n + i]))
            .collect()
    }
}

/// `out[r][t]` = distance from the tile row with features `own[f][r]` to row `j0 + t` of `cm`, `t < len`
/// (`len ≤ CHUNK`). Register-tiled: [`TILE_ROWS`] rows × two vectors of columns stay in registers over
/// all features.
#[inline(always)]
pub(crate) fn tile_distances<S: Isa>(
    simd: S,
    cm: &ColumnMajor,
    own: &[[f64; TILE_ROWS]],
    j0: usize,
    len: usize,
    out: &mut [[f64; CHUNK]; TILE_ROWS],
) {
    let mut t = 0;
    if S::IS_SCALAR {
        t = portable_tiles(cm, own, j0, len, out);
    } else {
        let l = S::F64_LANES;
        while t + 2 * l <= len {
            let acc = vector_tile::<S, 2>(simd, cm, own, j0 + t);
            for (o, a) in out.iter_mut().zip(&acc) {
                let (dst, _) = S::as_mut_simd_f64s(&mut o[t..t + 2 * l]);
                for (d, &v) in dst.iter_mut().zip(a) {
                    *d = simd.sqrt_v(v);
                }
            }
            t += 2 * l;
        }
        while t + l <= len {
            let acc = vector_tile::<S, 1>(simd, cm, own, j0 + t);
            for (o, a) in out.iter_mut().zip(&acc) {
                S::as_mut_simd_f64s(&mut o[t..t + l]).0[0] = simd.sqrt_v(a[0]);
            }
            t += l;
        }
    }
    let n = cm.n;
    for tt in t..len {
        for (r, dst) in out.iter_mut().enumerate() {
            let mut s = 0.0;
            for (f, o) in own.iter().enumerate() {
                let diff = cm.data[f * n + j0 + tt] - o[r];
                s = crate::simd::mul_add::<S>(diff, diff, s);
            }
            dst[tt] = s.sqrt();
        }
    }
}

/// Squared distances from the [`TILE_ROWS`] tile rows to the `NV` vectors of columns from `j`:
/// `result[r][v]`.
#[inline(always)]
fn vector_tile<S: Isa, const NV: usize>(
    simd: S,
    cm: &ColumnMajor,
    own: &[[f64; TILE_ROWS]],
    j: usize,
) -> [[S::f64s; NV]; TILE_ROWS] {
    let l = S::F64_LANES;
    let mut acc = [[simd.splat_f64s(0.0); NV]; TILE_ROWS];
    for (f, o) in own.iter().enumerate() {
        let base = f * cm.n + j;
        let (cols, _) = S::as_simd_f64s(&cm.data[base..base + NV * l]);
        for (a, &v) in acc.iter_mut().zip(o) {
            let v = simd.splat_f64s(v);
            for (s, &c) in a.iter_mut().zip(cols) {
                let diff = simd.sub_f64s(c, v);
                *s = simd.madd(diff, diff, *s);
            }
        }
    }
    acc
}

/// The portable path: [`LANES`] columns at a time (the compiler vectorises the lanes); returns how
/// many columns it did.
#[inline(always)]
fn portable_tiles(
    cm: &ColumnMajor,
    own: &[[f64; TILE_ROWS]],
    j0: usize,
    len: usize,
    out: &mut [[f64; CHUNK]; TILE_ROWS],
) -> usize {
    let n = cm.n;
    let mut t = 0;
    while t + LANES <= len {
        let mut acc = [[0.0f64; LANES]; TILE_ROWS];
        for (f, o) in own.iter().enumerate() {
            let base = f * n + j0 + t;
            let c = &cm.data[base..base + LANES];
            for (a, &v) in acc.iter_mut().zip(o) {
                for (s, &cv) in a.iter_mut().zip(c) {
                    let diff = cv - v;
                    *s += diff * diff;
                }
            }
        }
        for (dst, a) in out.iter_mut().zip(&acc) {
            for (d, &s) in dst[t..t + LANES].iter_mut().zip(a) {
                *d = s.sqrt();
            }
        }
        t += LANES;
    }
    t
}

/// Sum of `v` in a fixed order for the level: on the portable path eight interleaved partial sums
/// then a fixed tree, on the SIMD levels two vectors of partial sums then the lanes.
#[inline(always)]
pub(crate) fn sum<S: Isa>(simd: S, v: &[f64]) -> f64 {
    if S::IS_SCALAR {
        let mut acc = [0.0f64; 8];
        let mut chunks = v.chunks_exact(8);
        for c in &mut chunks {
            for (a, &x) in acc.iter_mut().zip(c) {
                *a += x;
            }
        }
        let mut s =
            ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        for &x in chunks.remainder() {
            s += x;
        }
        return s;
    }
    let (head, tail) = S::as_simd_f64s(v);
    let mut pairs = head.chunks_exact(2);
    let (mut a, mut b) = (simd.splat_f64s(0.0), simd.splat_f64s(0.0));
    for p in &mut pairs {
        a = simd.add_f64s(a, p[0]);
        b = simd.add_f64s(b, p[1]);
    }
    for &p in pairs.remainder() {
        a = simd.add_f64s(a, p);
    }
    let mut s = simd.reduce_sum_f64s(simd.add_f64s(a, b));
    for &x in tail {
        s += x;
    }
    s
}

/// `dst[t] += src[t]` (vectorised).
#[inline(always)]
pub(crate) fn add_into(dst: &mut [f64], src: &[f64]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Kernel;
    use crate::simd::{Kernels, Level, with_level};
    use ndarray::Array2;

    struct Op<'a>(&'a ColumnMajor, &'a [usize]);
    impl Kernel for Op<'_> {
        type Output = Vec<Vec<f64>>;
        #[inline(always)]
        fn run<S: Isa>(self, simd: S) -> Self::Output {
            let (cm, rows) = (self.0, self.1);
            let own = cm.tile_features(rows);
            let mut got = vec![vec![0.0; cm.n()]; rows.len()];
            let mut out = [[0.0f64; CHUNK]; TILE_ROWS];
            let mut j0 = 0;
            while j0 < cm.n() {
                let len = CHUNK.min(cm.n() - j0);
                tile_distances(simd, cm, &own, j0, len, &mut out);
                for (g, o) in got.iter_mut().zip(&out) {
                    g[j0..j0 + len].copy_from_slice(&o[..len]);
                }
                j0 += len;
            }
            got
        }
    }

    #[test]
    fn distances_match_naive_at_every_level() {
        // 603 columns: full tiles, one-vector tiles and a scalar tail at every level.
        let n = 603;
        let x = Array2::from_shape_fn((n, 3), |(i, j)| ((i * 7 + j * 13) % 17) as f64 * 0.37);
        let cm = ColumnMajor::new(x.view());
        let rows = [0, 5, 602];
        for cap in [Level::Scalar, Level::Avx2, Level::Avx512] {
            let got = with_level(cap, Kernels::current).dispatch(Op(&cm, &rows));
            for (r, &i) in rows.iter().enumerate() {
                for j in 0..n {
                    let want = (0..3)
                        .map(|f| (x[[i, f]] - x[[j, f]]).powi(2))
                        .sum::<f64>()
                        .sqrt();
                    assert!((got[r][j] - want).abs() <= 1e-15 * want, "{cap:?}");
                }
                assert_eq!(got[r][i], 0.0);
            }
        }
        let scalar = Kernels::scalar().dispatch(Op(&cm, &rows));
        let rows_x: Vec<Vec<f64>> = rows.iter().map(|&i| x.row(i).to_vec()).collect();
        for (r, xi) in rows_x.iter().enumerate() {
            for j in 0..n {
                let want = (0..3).map(|f| (xi[f] - x[[j, f]]).powi(2)).sum::<f64>();
                assert_eq!(scalar[r][j], want.sqrt());
            }
        }
    }

    #[test]
    fn fixed_order_sum() {
        let v: Vec<f64> = (0..37).map(|i| f64::from(i) * 0.1).collect();
        for cap in [Level::Scalar, Level::Avx2, Level::Avx512] {
            struct Sum<'a>(&'a [f64]);
            impl Kernel for Sum<'_> {
                type Output = f64;
                fn run<S: Isa>(self, simd: S) -> f64 {
                    sum(simd, self.0)
                }
            }
            let k = with_level(cap, Kernels::current);
            for len in [0, 1, 7, 8, 9, 16, 37] {
                let got = k.dispatch(Sum(&v[..len]));
                assert!(
                    (got - v[..len].iter().sum::<f64>()).abs() < 1e-12,
                    "{cap:?}"
                );
            }
        }
        let mut d = vec![1.0; 3];
        add_into(&mut d, &[1.0, 2.0, 3.0]);
        assert_eq!(d, [2.0, 3.0, 4.0]);
    }
}
