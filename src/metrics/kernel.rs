//! The blocked Euclidean distance kernel behind the silhouette: a column-major copy of the feature matrix
//! and a routine that computes the distances from a few rows to every row, one cache-sized chunk at a time.
//!
//! Distances are computed directly as `sqrt(sum_d (x_id - x_jd)^2)`, never through the expansion
//! `|x|^2 + |y|^2 - 2 x.y`, so a row's distance to itself and to its duplicates is exactly 0 and nothing
//! is lost to cancellation. Memory is O(n·d) for the copy plus a fixed tile per thread.

use ndarray::ArrayView2;

/// Rows handled together by [`ColumnMajor::distance_chunks`] (each column value is loaded once per tile).
pub(crate) const TILE_ROWS: usize = 4;
/// Columns (other rows) per chunk handed to the sink; also the block size of the symmetric pass.
pub(crate) const CHUNK: usize = 256;
/// Columns per register tile (with [`TILE_ROWS`] rows: 32 running sums).
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
    pub fn n(&self) -> usize {
        self.n
    }

    /// Copies `x` (rows × features) into column-major order.
    pub fn new(x: ArrayView2<f64>) -> Self {
        let (n, d) = x.dim();
        let mut data = Vec::with_capacity(n * d);
        for col in x.columns() {
            data.extend(col.iter().copied());
        }
        Self { data, n, d }
    }

    /// Distances from each row in `rows` (at most [`TILE_ROWS`]) to every row `0..n`, handed to
    /// `sink(r, j0, dists)` chunk by chunk: `dists[t]` is the distance from `rows[r]` to row `j0 + t`.
    pub fn distance_chunks(&self, rows: &[usize], mut sink: impl FnMut(usize, usize, &[f64])) {
        debug_assert!(!rows.is_empty() && rows.len() <= TILE_ROWS);
        let own = self.tile_features(rows);
        let mut out = [[0.0f64; CHUNK]; TILE_ROWS];
        let mut j0 = 0;
        while j0 < self.n {
            let len = CHUNK.min(self.n - j0);
            self.tile_distances(&own, j0, len, &mut out);
            for (r, o) in out[..rows.len()].iter().enumerate() {
                sink(r, j0, &o[..len]);
            }
            j0 += len;
        }
    }

    /// Features of up to [`TILE_ROWS`] rows, feature by feature: `own[f][r]`. A short tile repeats its
    /// last row; callers ignore the extra results.
    pub fn tile_features(&self, rows: &[usize]) -> Vec<[f64; TILE_ROWS]> {
        let last = rows.last().copied().unwrap_or(0);
        let mut tile = [last; TILE_ROWS];
        tile[..rows.len()].copy_from_slice(rows);
        (0..self.d)
            .map(|f| tile.map(|i| self.data[f * self.n + i]))
            .collect()
    }

    /// `out[r][t]` = distance from the tile row with features `own[f][r]` to row `j0 + t`, `t < len`.
    /// Register-tiled: [`TILE_ROWS`] × [`LANES`] squared sums stay in registers over all features.
    pub fn tile_distances(
        &self,
        own: &[[f64; TILE_ROWS]],
        j0: usize,
        len: usize,
        out: &mut [[f64; CHUNK]; TILE_ROWS],
    ) {
        let n = self.n;
        let mut t = 0;
        while t + LANES <= len {
            let mut acc = [[0.0f64; LANES]; TILE_ROWS];
            for (f, o) in own.iter().enumerate() {
                let base = f * n + j0 + t;
                let c = &self.data[base..base + LANES];
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
        for tt in t..len {
            for (r, dst) in out.iter_mut().enumerate() {
                let mut s = 0.0;
                for (f, o) in own.iter().enumerate() {
                    let diff = self.data[f * n + j0 + tt] - o[r];
                    s += diff * diff;
                }
                dst[tt] = s.sqrt();
            }
        }
    }
}

/// Adds `dists` into per-segment sums: `sums[c * 4 + lane]` (four interleaved lanes per segment break
/// the store-to-load dependency when neighbouring rows share a segment; add the lanes at the end).
pub(crate) fn scatter_add(sums: &mut [f64], codes: &[u32], dists: &[f64]) {
    let mut dc = dists.chunks_exact(4);
    let mut cc = codes.chunks_exact(4);
    for (d, c) in (&mut dc).zip(&mut cc) {
        sums[c[0] as usize * 4] += d[0];
        sums[c[1] as usize * 4 + 1] += d[1];
        sums[c[2] as usize * 4 + 2] += d[2];
        sums[c[3] as usize * 4 + 3] += d[3];
    }
    for (&d, &c) in dc.remainder().iter().zip(cc.remainder()) {
        sums[c as usize * 4] += d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn distances_match_naive() {
        let n = 600;
        let x = Array2::from_shape_fn((n, 3), |(i, j)| ((i * 7 + j * 13) % 17) as f64 * 0.37);
        let cm = ColumnMajor::new(x.view());
        let rows = [0, 5, 599];
        let mut got = vec![vec![0.0; n]; 3];
        cm.distance_chunks(&rows, |r, j0, d| {
            got[r][j0..j0 + d.len()].copy_from_slice(d);
        });
        for (r, &i) in rows.iter().enumerate() {
            for j in 0..n {
                let want = (0..3)
                    .map(|f| (x[[i, f]] - x[[j, f]]).powi(2))
                    .sum::<f64>()
                    .sqrt();
                assert_eq!(got[r][j], want);
            }
            assert_eq!(got[r][i], 0.0);
        }
    }

    #[test]
    fn scatter_add_sums_lanes() {
        let mut sums = vec![0.0; 8];
        scatter_add(&mut sums, &[0, 1, 1, 0, 1], &[1.0, 2.0, 3.0, 4.0, 5.0]);
        let a: f64 = sums[..4].iter().sum();
        let b: f64 = sums[4..].iter().sum();
        assert_eq!((a, b), (5.0, 10.0));
    }
}
