//! The symmetric all-pairs pass of the exact silhouette: every distance `d(i, j)` is computed once and added
//! to both row `i`'s sum for `j`'s segment and row `j`'s sum for `i`'s segment, halving the work.
//!
//! Positions (rows sorted by cell, [`Cells`]) are cut into blocks of [`CHUNK`]. Block pairs are scheduled
//! in rounds of a round-robin tournament (circle method): within a round no block appears twice, so the
//! pairs run in parallel and each writes straight into its two blocks' sums, and every block receives its
//! contributions in the same order whatever the thread count, so results are reproducible bit for bit. A
//! block paired with itself is handled in one extra round. In a tile, a row's distances to a run of one
//! cell are summed (in registers) and added once per labelling; a column's distances from a run of rows
//! likewise. Each tile runs with the instruction set read at the entry ([`Kernels`]). `progress` is
//! checked before every round. Memory: n × Σk sums.

#![allow(
    clippy::inline_always,
    reason = "kernels must inline into pulp's #[target_feature] functions to get the instruction set"
)]

use std::sync::{Mutex, PoisonError};

use crate::simd::{Isa, Kernel};
use rayon::prelude::*;

use super::cells::Cells;
use super::kernel::{CHUNK, TILE_ROWS, add_into, sum, tile_distances};
use crate::error::Result;
use crate::jobs::Progress;
use crate::simd::Kernels;

/// Per-position, per-segment distance sums for every labelling: `result[p * kt + off[l] + c]` is the
/// sum of distances from the row at position `p` to the rows of segment `c` under labelling `l`, with
/// `kt = Σ k_l` and `off` the running offsets (`cells::offsets`).
pub(crate) fn segment_distance_sums(
    cells: &Cells,
    kernels: Kernels,
    progress: &Progress,
) -> Result<Vec<f64>> {
    let n = cells.n();
    let kt = cells.kt;
    let nb = n.div_ceil(CHUNK);
    let blocks: Vec<Mutex<Vec<f64>>> = (0..nb)
        .map(|b| Mutex::new(vec![0.0; block_len(b, n) * kt]))
        .collect();
    let rounds = schedule(nb);
    let total_tiles = (nb * (nb + 1) / 2) as u64;
    progress.set_stage("silhouette", total_tiles);
    for round in &rounds {
        progress.check()?;
        round.par_iter().for_each(|&(bi, bj)| {
            let lock = |b: usize| blocks[b].lock().unwrap_or_else(PoisonError::into_inner);
            if bi == bj {
                let mut si = lock(bi);
                kernels.dispatch(TileOp {
                    cells,
                    bi,
                    bj,
                    si: &mut si,
                    sj: None,
                });
            } else {
                let (mut si, mut sj) = (lock(bi), lock(bj));
                kernels.dispatch(TileOp {
                    cells,
                    bi,
                    bj,
                    si: &mut si,
                    sj: Some(&mut sj),
                });
            }
            progress.add(1);
        });
    }
    let mut out = Vec::with_capacity(n * kt);
    for b in blocks {
        out.extend(b.into_inner().unwrap_or_else(PoisonError::into_inner));
    }
    Ok(out)
}

fn block_len(b: usize, n: usize) -> usize {
    CHUNK.min(n - b * CHUNK)
}

/// Rounds of disjoint block pairs covering every unordered pair `(i, j)`, `i < j`, exactly once, then one
/// round of the diagonal pairs `(i, i)`.
fn schedule(nb: usize) -> Vec<Vec<(usize, usize)>> {
    let m = nb + nb % 2; // with a bye when odd
    let mut rounds = Vec::with_capacity(m);
    if m >= 2 {
        let mut ring: Vec<usize> = (1..m).collect();
        for _ in 0..m - 1 {
            let mut pairs = Vec::with_capacity(m / 2);
            let seats: Vec<usize> = std::iter::once(0).chain(ring.iter().copied()).collect();
            for s in 0..m / 2 {
                let (a, b) = (seats[s], seats[m - 1 - s]);
                if a < nb && b < nb {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
            rounds.push(pairs);
            ring.rotate_right(1);
        }
    }
    rounds.push((0..nb).map(|b| (b, b)).collect());
    rounds
}

/// Distances between blocks `bi` (rows) and `bj` (columns): adds row sums into `si` and, when the
/// blocks differ, column sums into `sj`.
struct TileOp<'a> {
    cells: &'a Cells,
    bi: usize,
    bj: usize,
    si: &'a mut [f64],
    sj: Option<&'a mut [f64]>,
}

impl Kernel for TileOp<'_> {
    type Output = ();

    #[inline(always)]
    fn run<S: Isa>(self, simd: S) {
        let Self {
            cells,
            bi,
            bj,
            si,
            sj,
        } = self;
        let (n, kt) = (cells.n(), cells.kt);
        let (i0, j0) = (bi * CHUNK, bj * CHUNK);
        let (ni, nj) = (block_len(bi, n), block_len(bj, n));
        let (runs_i, runs_j) = (&cells.runs[bi], &cells.runs[bj]);
        let mut out = [[0.0f64; CHUNK]; TILE_ROWS];
        // Column sums of this tile per run of rows: `cols[ri * CHUNK + t]` for column `j0 + t` and the
        // rows of run `ri` of block `bi`.
        let mut cols = if sj.is_some() {
            vec![0.0; runs_i.len() * CHUNK]
        } else {
            Vec::new()
        };
        let mut ri = 0;
        let rows: Vec<usize> = (i0..i0 + ni).collect();
        for group in rows.chunks(TILE_ROWS) {
            let own = cells.cm.tile_features(group);
            tile_distances(simd, &cells.cm, &own, j0, nj, &mut out);
            for (r, &p) in group.iter().enumerate() {
                let row = &mut si[(p - i0) * kt..(p - i0 + 1) * kt];
                for run in runs_j {
                    let s = sum(simd, &out[r][run.start..run.end]);
                    for &c in cells.segs(run.cell) {
                        row[c] += s;
                    }
                }
            }
            if cols.is_empty() {
                continue;
            }
            let (first, last) = (group[0] - i0, group[group.len() - 1] - i0);
            while runs_i[ri].end <= first {
                ri += 1;
            }
            if group.len() == TILE_ROWS && last < runs_i[ri].end {
                // The whole group is in one run: add the four rows at once.
                let acc = &mut cols[ri * CHUNK..ri * CHUNK + nj];
                for (t, a) in acc.iter_mut().enumerate() {
                    *a += (out[0][t] + out[1][t]) + (out[2][t] + out[3][t]);
                }
            } else {
                let mut run = ri;
                for (r, &p) in group.iter().enumerate() {
                    while runs_i[run].end <= p - i0 {
                        run += 1;
                    }
                    add_into(&mut cols[run * CHUNK..run * CHUNK + nj], &out[r][..nj]);
                }
            }
        }
        if let Some(sj) = sj {
            for (run, acc) in runs_i.iter().zip(cols.chunks_exact(CHUNK)) {
                let segs = cells.segs(run.cell);
                for (row, &v) in sj.chunks_exact_mut(kt).zip(&acc[..nj]) {
                    for &c in segs {
                        row[c] += v;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_covers_every_pair_once_with_disjoint_rounds() {
        for nb in 1..12 {
            let mut seen = std::collections::HashSet::new();
            for round in schedule(nb) {
                let mut used = std::collections::HashSet::new();
                for (a, b) in round {
                    assert!(used.insert(a) && (a == b || used.insert(b)), "nb={nb}");
                    assert!(seen.insert((a, b)), "nb={nb}: ({a},{b}) twice");
                }
            }
            assert_eq!(seen.len(), nb * (nb + 1) / 2, "nb={nb}");
        }
    }
}
