//! The symmetric all-pairs pass of the exact silhouette: every distance `d(i, j)` is computed once and added
//! to both row `i`'s sum for `j`'s segment and row `j`'s sum for `i`'s segment, halving the work.
//!
//! Rows are cut into blocks of [`CHUNK`]. Block pairs are scheduled in rounds of a round-robin tournament
//! (circle method): within a round no block appears twice, so the pairs run in parallel and each writes
//! straight into its two blocks' sums, and every block receives its contributions in the same order
//! whatever the thread count, so results are reproducible bit for bit. A block paired with itself is
//! handled in one extra round. `progress` is checked before every round. Memory: n × Σk sums.

use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use super::Encoded;
use super::kernel::{CHUNK, ColumnMajor, TILE_ROWS, scatter_add};
use crate::error::Result;
use crate::jobs::Progress;

/// Per-row, per-segment distance sums for every labelling: `result[i * kt + off[l] + c]` is the sum of
/// distances from row `i` to the rows of segment `c` under labelling `l`, with `kt = Σ k_l` and `off` the
/// running offsets (`offsets(encs)`).
pub(crate) fn segment_distance_sums(
    cm: &ColumnMajor,
    encs: &[Encoded],
    progress: &Progress,
) -> Result<Vec<f64>> {
    let n = cm.n();
    let off = offsets(encs);
    let kt = off.last().copied().unwrap_or(0);
    let nb = n.div_ceil(CHUNK);
    let blocks: Vec<Mutex<Vec<f64>>> = (0..nb)
        .map(|b| Mutex::new(vec![0.0; block_len(b, n) * kt]))
        .collect();
    let rounds = schedule(nb);
    let total_tiles = (nb * (nb + 1) / 2) as u64;
    progress.set_stage("silhouette", total_tiles);
    let ctx = Ctx {
        cm,
        encs,
        off: &off,
        kt,
    };
    for round in &rounds {
        progress.check()?;
        round.par_iter().for_each(|&(bi, bj)| {
            let lock = |b: usize| blocks[b].lock().unwrap_or_else(PoisonError::into_inner);
            if bi == bj {
                ctx.tile(bi, bj, &mut lock(bi), None);
            } else {
                let (mut si, mut sj) = (lock(bi), lock(bj));
                ctx.tile(bi, bj, &mut si, Some(&mut sj));
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

/// Running offsets of each labelling's segments in a row of sums; the last entry is Σk.
pub(crate) fn offsets(encs: &[Encoded]) -> Vec<usize> {
    let mut off = vec![0];
    for e in encs {
        off.push(off.last().copied().unwrap_or(0) + e.k());
    }
    off
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

/// What every tile needs.
struct Ctx<'a> {
    cm: &'a ColumnMajor,
    encs: &'a [Encoded],
    off: &'a [usize],
    kt: usize,
}

impl Ctx<'_> {
    /// Distances between blocks `bi` (rows) and `bj` (columns). Adds row sums into `si` and, when the
    /// blocks differ, column sums into `sj`.
    fn tile(&self, bi: usize, bj: usize, si: &mut [f64], sj: Option<&mut [f64]>) {
        let n = self.cm.n();
        let (i0, j0) = (bi * CHUNK, bj * CHUNK);
        let (ni, nj) = (block_len(bi, n), block_len(bj, n));
        let mut out = [[0.0f64; CHUNK]; TILE_ROWS];
        let mut lanes = vec![0.0; self.kt * 4];
        // Column sums of this tile, segment by segment (`cols[c * CHUNK + t]` for column `j0 + t`): adding a
        // row's distances is a contiguous (vectorised) add instead of a strided one per distance.
        let mut cols = if sj.is_some() {
            vec![0.0; self.kt * CHUNK]
        } else {
            Vec::new()
        };
        let rows: Vec<usize> = (i0..i0 + ni).collect();
        for (g, group) in rows.chunks(TILE_ROWS).enumerate() {
            let own = self.cm.tile_features(group);
            self.cm.tile_distances(&own, j0, nj, &mut out);
            for (r, &i) in group.iter().enumerate() {
                let d = &out[r][..nj];
                lanes.fill(0.0);
                for (e, &o) in self.encs.iter().zip(self.off) {
                    scatter_add(&mut lanes[o * 4..(o + e.k()) * 4], &e.codes[j0..j0 + nj], d);
                }
                let local = (g * TILE_ROWS + r) * self.kt;
                for (s, l) in si[local..local + self.kt]
                    .iter_mut()
                    .zip(lanes.chunks_exact(4))
                {
                    *s += l.iter().sum::<f64>();
                }
                if !cols.is_empty() {
                    for (e, &o) in self.encs.iter().zip(self.off) {
                        let c = o + e.codes[i] as usize;
                        for (acc, &dv) in cols[c * CHUNK..c * CHUNK + nj].iter_mut().zip(d) {
                            *acc += dv;
                        }
                    }
                }
            }
        }
        if let Some(sj) = sj {
            for (t, row) in sj.chunks_exact_mut(self.kt).enumerate().take(nj) {
                for (c, s) in row.iter_mut().enumerate() {
                    *s += cols[c * CHUNK + t];
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
