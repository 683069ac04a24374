//! Nearest-neighbour-chain linkage on points with weights (sizes), for the approximate mode: kodama
//! has no weights. O(m²) memory (condensed matrix), fine for a few thousand micro-clusters.
//!
//! Ward works on squared dissimilarities started from `2·wᵢ·wⱼ/(wᵢ+wⱼ)·‖cᵢ − cⱼ‖²` (the exact Ward
//! cost of merging two clusters of sizes `wᵢ`, `wⱼ` with those centroids), updated by Lance–Williams with
//! the cluster weights, so a micro-cluster behaves as `w` coincident rows. Average uses weights in its
//! recurrence; single and complete ignore them.

use super::{Linkage, Merge};
use crate::error::Result;
use crate::jobs::Progress;

struct Condensed {
    n: usize,
    v: Vec<f64>,
}

impl Condensed {
    #[inline]
    fn idx(&self, i: usize, j: usize) -> usize {
        let (i, j) = if i < j { (i, j) } else { (j, i) };
        i * (2 * self.n - i - 1) / 2 + (j - i - 1)
    }
    #[inline]
    fn get(&self, i: usize, j: usize) -> f64 {
        self.v[self.idx(i, j)]
    }
    #[inline]
    fn set(&mut self, i: usize, j: usize, x: f64) {
        let k = self.idx(i, j);
        self.v[k] = x;
    }
}

/// Linkage of `m` points (`points` row-major, `d` columns) with weights `w`. Returns scipy-labelled
/// merges sorted by height; `size` counts weights.
pub(super) fn weighted_linkage(
    points: &[f64],
    d: usize,
    w: &[f64],
    method: Linkage,
    progress: &Progress,
) -> Result<Vec<Merge>> {
    let m = w.len();
    if m < 2 {
        return Ok(Vec::new());
    }
    let mut dis = Condensed {
        n: m,
        v: vec![0.0; m * (m - 1) / 2],
    };
    for i in 0..m {
        if i % 256 == 0 {
            progress.check()?;
        }
        let a = &points[i * d..(i + 1) * d];
        for j in i + 1..m {
            let b = &points[j * d..(j + 1) * d];
            let sq: f64 = a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum();
            let v = match method {
                Linkage::Ward => 2.0 * w[i] * w[j] / (w[i] + w[j]) * sq,
                _ => sq.sqrt(),
            };
            dis.set(i, j, v);
        }
    }
    progress.check()?;
    let mut size = w.to_vec();
    let mut active = vec![true; m];
    let mut chain: Vec<usize> = Vec::with_capacity(m);
    let mut raw: Vec<(usize, usize, f64)> = Vec::with_capacity(m - 1);
    for step in 0..m - 1 {
        if step % 64 == 0 {
            progress.check()?;
        }
        if chain.is_empty()
            && let Some(first) = active.iter().position(|&a| a)
        {
            chain.push(first);
        }
        let (a, b, h) = loop {
            let a = chain[chain.len() - 1];
            let prev = (chain.len() >= 2).then(|| chain[chain.len() - 2]);
            let (mut best, mut min) = match prev {
                Some(p) => (p, dis.get(a, p)),
                None => (usize::MAX, f64::INFINITY),
            };
            for (x, &live) in active.iter().enumerate() {
                if x != a && live {
                    let v = dis.get(a, x);
                    if v < min {
                        min = v;
                        best = x;
                    }
                }
            }
            if Some(best) == prev {
                chain.pop();
                chain.pop();
                break (a, best, min);
            }
            chain.push(best);
        };
        // The merged cluster lives in slot `hi`; `lo` is retired.
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        let (wa, wb) = (size[lo], size[hi]);
        for x in 0..m {
            if !active[x] || x == lo || x == hi {
                continue;
            }
            let da = dis.get(lo, x);
            let db = dis.get(hi, x);
            let v = match method {
                Linkage::Single => da.min(db),
                Linkage::Complete => da.max(db),
                Linkage::Average => (wa * da + wb * db) / (wa + wb),
                Linkage::Ward => {
                    let wx = size[x];
                    ((wa + wx) * da + (wb + wx) * db - wx * h) / (wa + wb + wx)
                }
            };
            dis.set(hi, x, v);
        }
        active[lo] = false;
        size[hi] = wa + wb;
        let height = if method == Linkage::Ward {
            h.max(0.0).sqrt()
        } else {
            h
        };
        raw.push((lo, hi, height));
    }
    Ok(relabel(raw, m, w))
}

/// Sorts merges of leaf representatives by height (stable) and gives clusters scipy's ids, as scipy's
/// `label` does with a union-find.
pub(super) fn relabel(mut raw: Vec<(usize, usize, f64)>, n: usize, w: &[f64]) -> Vec<Merge> {
    raw.sort_by(|x, y| x.2.total_cmp(&y.2));
    let mut parent: Vec<usize> = (0..2 * n - 1).collect();
    let mut weight: Vec<f64> = w.to_vec();
    weight.resize(2 * n - 1, 0.0);
    let find = super::cut::find;
    raw.iter()
        .enumerate()
        .map(|(i, &(x, y, h))| {
            let rx = find(&mut parent, x);
            let ry = find(&mut parent, y);
            let id = n + i;
            parent[rx] = id;
            parent[ry] = id;
            weight[id] = weight[rx] + weight[ry];
            Merge {
                a: rx.min(ry),
                b: rx.max(ry),
                height: h,
                size: weight[id].round() as usize,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::hierarchy::linkage;
    use crate::rng::Rng;
    use ndarray::Array2;

    fn heights(m: &[Merge]) -> Vec<f64> {
        m.iter().map(|m| m.height).collect()
    }

    #[test]
    fn unit_weights_match_kodama() {
        let mut rng = Rng::new(7);
        let x = Array2::from_shape_fn((120, 3), |_| rng.normal());
        let data = x.as_slice().unwrap();
        let w = vec![1.0; 120];
        for method in Linkage::ALL {
            let p = Progress::new();
            let ours = weighted_linkage(data, 3, &w, method, &p).unwrap();
            let exact = linkage(x.view(), method, &p).unwrap();
            for (a, b) in heights(&ours).iter().zip(heights(&exact.merges)) {
                assert!((a - b).abs() < 1e-9, "{method}: {a} vs {b}");
            }
            for (a, b) in ours.iter().zip(&exact.merges) {
                assert_eq!((a.a, a.b, a.size), (b.a, b.b, b.size), "{method}");
            }
        }
    }

    #[test]
    fn weights_act_as_repeated_points() {
        // Points with weights 3, 1, 2 equal the exact linkage of the expanded rows, above height 0.
        let pts = [0.0, 0.0, 1.0, 0.5, 4.0, 1.0];
        let w = [3.0, 1.0, 2.0];
        let expanded = Array2::from_shape_vec(
            (6, 2),
            vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.5, 4.0, 1.0, 4.0, 1.0],
        )
        .unwrap();
        for method in [
            Linkage::Ward,
            Linkage::Average,
            Linkage::Single,
            Linkage::Complete,
        ] {
            let p = Progress::new();
            let ours = weighted_linkage(&pts, 2, &w, method, &p).unwrap();
            let exact = linkage(expanded.view(), method, &p).unwrap();
            let top: Vec<f64> = exact
                .merges
                .iter()
                .map(|m| m.height)
                .filter(|h| *h > 0.0)
                .collect();
            assert_eq!(top.len(), 2);
            for (a, b) in heights(&ours).iter().zip(&top) {
                assert!((a - b).abs() < 1e-9, "{method}: {a} vs {b}");
            }
            assert_eq!(ours[1].size, 6);
        }
    }
}
