//! Rows sorted by segment for the silhouette passes: a row's distances to a segment become sums over
//! contiguous runs instead of a scattered add per distance.
//!
//! A *cell* is a tuple of segment codes, one per labelling (the K sweep scores several labellings in one
//! pass). Rows are sorted by cell (then by row index), so within a block of [`CHUNK`] positions each cell
//! is one run of positions. A tile of distances adds each run's sum once into the row's segment sums,
//! for every labelling, whatever the number of labellings; with few cells a block has one or two runs.
//! The worst case (every row its own cell) costs what the scattered add cost.

#![allow(
    clippy::inline_always,
    reason = "kernels must inline into pulp's #[target_feature] functions to get the instruction set"
)]

use ndarray::ArrayView2;

use super::Encoded;
use super::kernel::{CHUNK, ColumnMajor};

/// A run of positions `start..end` (relative to its block) that all belong to cell `cell`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    pub start: usize,
    pub end: usize,
    pub cell: usize,
}

/// The rows of a feature matrix sorted by cell, with what the passes need to add distances per segment.
#[derive(Debug)]
pub(crate) struct Cells {
    /// The features in sorted order (position `p` holds row `order[p]`).
    pub cm: ColumnMajor,
    /// `order[p]`: the original row at position `p`.
    pub order: Vec<usize>,
    /// `seg[q * labelings + l]`: the column, in a row of segment sums, of cell `q`'s segment under
    /// labelling `l` (the labelling's offset plus its code).
    pub seg: Vec<usize>,
    /// Number of labellings.
    pub labelings: usize,
    /// Width of a row of segment sums: Σ k over the labellings.
    pub kt: usize,
    /// Runs of each block of [`CHUNK`] positions.
    pub runs: Vec<Vec<Run>>,
}

impl Cells {
    /// Sorts the rows of `x` by their codes under `encs` (all of `x.nrows()` rows).
    pub fn new(x: ArrayView2<f64>, encs: &[Encoded]) -> Self {
        let n = x.nrows();
        let off = offsets(encs);
        let kt = off.last().copied().unwrap_or(0);
        let labelings = encs.len();
        let key = |i: usize| encs.iter().map(move |e| e.codes[i]);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_unstable_by(|&a, &b| key(a).cmp(key(b)).then(a.cmp(&b)));
        let mut cell = Vec::with_capacity(n);
        let mut seg = Vec::new();
        for (p, &i) in order.iter().enumerate() {
            if p == 0 || key(i).ne(key(order[p - 1])) {
                seg.extend(encs.iter().zip(&off).map(|(e, &o)| o + e.codes[i] as usize));
            }
            cell.push(seg.len() / labelings.max(1) - 1);
        }
        let runs = (0..n.div_ceil(CHUNK))
            .map(|b| {
                let (p0, p1) = (b * CHUNK, ((b + 1) * CHUNK).min(n));
                let mut runs: Vec<Run> = Vec::new();
                for (t, &q) in cell[p0..p1].iter().enumerate() {
                    match runs.last_mut() {
                        Some(r) if r.cell == q => r.end += 1,
                        _ => runs.push(Run {
                            start: t,
                            end: t + 1,
                            cell: q,
                        }),
                    }
                }
                runs
            })
            .collect();
        Self {
            cm: ColumnMajor::permuted(x, &order),
            order,
            seg,
            labelings,
            kt,
            runs,
        }
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.order.len()
    }

    /// The segment columns of cell `q`, one per labelling.
    #[inline(always)]
    pub fn segs(&self, q: usize) -> &[usize] {
        &self.seg[q * self.labelings..(q + 1) * self.labelings]
    }
}

/// Running offsets of each labelling's segments in a row of sums; the last entry is Σk.
pub(crate) fn offsets(encs: &[Encoded]) -> Vec<usize> {
    let mut off = vec![0];
    for e in encs {
        off.push(off.last().copied().unwrap_or(0) + e.k());
    }
    off
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn rows_sorted_by_cell_in_runs() {
        let n = 600;
        let x = Array2::from_shape_fn((n, 2), |(i, j)| (i * 2 + j) as f64);
        let a: Vec<usize> = (0..n).map(|i| i % 3).collect();
        let b: Vec<usize> = (0..n).map(|i| (i / 7) % 2).collect();
        let encs = [Encoded::new(&a), Encoded::new(&b)];
        let c = Cells::new(x.view(), &encs);
        assert_eq!(c.kt, 5);
        assert_eq!(c.seg.len(), 6 * 2, "3 × 2 cells");
        let mut seen = 0;
        for (bl, runs) in c.runs.iter().enumerate() {
            assert_eq!(runs[0].start, 0);
            for w in runs.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
            for r in runs {
                for p in r.start..r.end {
                    let i = c.order[bl * CHUNK + p];
                    assert_eq!(c.segs(r.cell), [a[i], 3 + b[i]]);
                }
                seen += r.end - r.start;
            }
        }
        assert_eq!(seen, n);
        let mut sorted = c.order.clone();
        sorted.sort_unstable();
        assert!(sorted.iter().copied().eq(0..n));
    }
}
