//! Flat clusters from a dendrogram, leaf order and drawing coordinates.

use super::Dendrogram;
use crate::cluster::canonical_labels;
use crate::error::{Error, Result};

/// Union-find root of `x`, compressing the path.
pub(super) fn find(parent: &mut [usize], mut x: usize) -> usize {
    let mut root = x;
    while parent[root] != root {
        root = parent[root];
    }
    while parent[x] != root {
        let next = parent[x];
        parent[x] = root;
        x = next;
    }
    root
}

/// Leaf labels after applying the merges for which `apply(i)` holds, numbered canonically.
fn labels_after(d: &Dendrogram, apply: impl Fn(usize) -> bool) -> Vec<usize> {
    let n = d.n_leaves;
    let mut parent: Vec<usize> = (0..2 * n.max(1) - 1).collect();
    for (i, m) in d.merges.iter().enumerate() {
        if apply(i) {
            parent[m.a] = n + i;
            parent[m.b] = n + i;
        }
    }
    let mut id_of_root = std::collections::HashMap::new();
    let raw: Vec<usize> = (0..n)
        .map(|leaf| {
            let r = find(&mut parent, leaf);
            let next = id_of_root.len();
            *id_of_root.entry(r).or_insert(next)
        })
        .collect();
    canonical_leaf_labels(d, &raw, id_of_root.len())
}

/// Canonical numbering (0 = most rows; ties: the cluster holding the earliest row). In approximate mode
/// sizes count rows, not leaves.
fn canonical_leaf_labels(d: &Dendrogram, raw: &[usize], k: usize) -> Vec<usize> {
    match (&d.leaf_weights, &d.leaf_of_row) {
        (Some(w), Some(rows)) => {
            let mut size = vec![0usize; k];
            let mut first = vec![usize::MAX; k];
            for (leaf, &l) in raw.iter().enumerate() {
                size[l] += w.get(leaf).copied().unwrap_or(0);
            }
            for (r, &leaf) in rows.iter().enumerate() {
                let l = raw[leaf];
                first[l] = first[l].min(r);
            }
            let mut order: Vec<usize> = (0..k).collect();
            order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(first[a].cmp(&first[b])));
            let mut old_to_new = vec![0usize; k];
            for (new, &old) in order.iter().enumerate() {
                old_to_new[old] = new;
            }
            raw.iter().map(|&l| old_to_new[l]).collect()
        }
        _ => canonical_labels(raw, k).0,
    }
}

/// `k` flat clusters (a label per leaf), as scipy's `fcluster(Z, k, 'maxclust')` on a monotone tree:
/// the first `n − k` merges are applied. Unlike scipy, exactly `k` clusters come back even when merge
/// heights tie at the cut. Labels are canonical (0 = largest).
pub fn cut_k(d: &Dendrogram, k: usize) -> Result<Vec<usize>> {
    let n = d.n_leaves;
    if k == 0 {
        return Err(Error::InvalidParameter(
            "the number of segments must be at least 1".into(),
        ));
    }
    if k > n {
        let what = if d.approximate {
            "micro-clusters"
        } else {
            "rows"
        };
        return Err(Error::InvalidParameter(format!(
            "cannot cut {n} {what} into {k} segments; choose k ≤ {n}"
        )));
    }
    let applied = n - k;
    Ok(labels_after(d, |i| i < applied))
}

/// Flat clusters at height `h`, as scipy's `fcluster(Z, h, 'distance')`: merges with height ≤ `h` are
/// joined. `h` must be in `[0, root height]` (a hair above the root is accepted as the root).
pub fn cut_height(d: &Dendrogram, h: f64) -> Result<Vec<usize>> {
    if h.is_nan() || h < 0.0 {
        return Err(Error::InvalidParameter(format!(
            "cut height must be ≥ 0, got {h}"
        )));
    }
    let root = d.root_height();
    let eps = 1e-9 * root.abs().max(1.0);
    if h > root + eps {
        return Err(Error::InvalidParameter(format!(
            "cut height {h} is above the root of the tree (height {root}); any height from {root} up gives \
             one segment: choose a height below {root}"
        )));
    }
    Ok(labels_after(d, |i| d.merges[i].height <= h))
}

/// A height that cuts the tree into `k` clusters: the midpoint between the heights of the last merge
/// applied and the first one not applied (for the GUI's cut line). `k` is clamped to `1..=n_leaves`;
/// `k = 1` gives the root height itself (the highest height [`cut_height`] accepts), `k = n` half the
/// lowest merge.
pub fn height_for_k(d: &Dendrogram, k: usize) -> f64 {
    let n = d.n_leaves;
    if d.merges.is_empty() {
        return 0.0;
    }
    let k = k.clamp(1, n);
    if k == 1 {
        return d.root_height();
    }
    let next = d.merges[n - k].height;
    let last = if n - k == 0 {
        0.0
    } else {
        d.merges[n - k - 1].height
    };
    0.5 * (last + next)
}

/// Rows per cluster for leaf labels (in approximate mode each leaf counts its micro-cluster's rows).
pub fn sizes_at_cut(d: &Dendrogram, leaf_labels: &[usize]) -> Vec<usize> {
    let k = leaf_labels.iter().max().map_or(0, |m| m + 1);
    let mut sizes = vec![0usize; k];
    for (leaf, &l) in leaf_labels.iter().enumerate() {
        sizes[l] += d
            .leaf_weights
            .as_ref()
            .map_or(1, |w| w.get(leaf).copied().unwrap_or(0));
    }
    sizes
}

/// A label per row from a label per leaf: the identity for exact trees, via `leaf_of_row` for
/// approximate ones.
pub fn labels_for_rows(d: &Dendrogram, leaf_labels: &[usize]) -> Result<Vec<usize>> {
    if leaf_labels.len() != d.n_leaves {
        return Err(Error::InvalidParameter(format!(
            "{} leaf labels for a tree with {} leaves",
            leaf_labels.len(),
            d.n_leaves
        )));
    }
    Ok(match &d.leaf_of_row {
        Some(rows) => rows.iter().map(|&leaf| leaf_labels[leaf]).collect(),
        None => leaf_labels.to_vec(),
    })
}

/// Leaves from left to right, as scipy's `leaves_list`: depth-first from the root, child `a` first.
pub fn leaf_order(d: &Dendrogram) -> Vec<usize> {
    let n = d.n_leaves;
    if d.merges.is_empty() {
        return (0..n).collect();
    }
    let mut out = Vec::with_capacity(n);
    let mut stack = vec![n + d.merges.len() - 1];
    while let Some(node) = stack.pop() {
        if node < n {
            out.push(node);
        } else {
            let m = d.merges[node - n];
            stack.push(m.b);
            stack.push(m.a);
        }
    }
    out
}

/// Drawing coordinates of a dendrogram.
#[derive(Debug, Clone, PartialEq)]
pub struct DendrogramLayout {
    /// Leaves left to right ([`leaf_order`]).
    pub order: Vec<usize>,
    /// `(x, y)` of every node id (`0..n` leaves at y = 0, then merges): leaves at x = 0, 1, 2... in
    /// order, a merge midway between its children, at its height.
    pub nodes: Vec<(f64, f64)>,
    /// Per merge, scipy's `icoord`/`dcoord` shape (4 points of the ⊓ link) in these units
    /// (scipy's `icoord` is `5 + 10·x`).
    pub links: Vec<([f64; 4], [f64; 4])>,
}

/// Positions of leaves and merges for drawing (see [`DendrogramLayout`]).
pub fn node_positions(d: &Dendrogram) -> DendrogramLayout {
    let n = d.n_leaves;
    let order = leaf_order(d);
    let mut nodes = vec![(0.0, 0.0); n + d.merges.len()];
    for (pos, &leaf) in order.iter().enumerate() {
        nodes[leaf] = (pos as f64, 0.0);
    }
    let mut links = Vec::with_capacity(d.merges.len());
    for (i, m) in d.merges.iter().enumerate() {
        let (xa, ya) = nodes[m.a];
        let (xb, yb) = nodes[m.b];
        nodes[n + i] = (0.5 * (xa + xb), m.height);
        links.push(([xa, xa, xb, xb], [ya, m.height, m.height, yb]));
    }
    DendrogramLayout {
        order,
        nodes,
        links,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Linkage, Merge};
    use super::*;

    fn tree() -> Dendrogram {
        // leaves 0..4: (0,1)@1 -> 4, (2,3)@2 -> 5, (4,5)@5 -> 6
        let m = |a, b, height, size| Merge { a, b, height, size };
        Dendrogram {
            n_leaves: 4,
            merges: vec![m(0, 1, 1.0, 2), m(2, 3, 2.0, 2), m(4, 5, 5.0, 4)],
            method: Linkage::Ward,
            approximate: false,
            leaf_weights: None,
            leaf_of_row: None,
            leaf_centres: None,
        }
    }

    #[test]
    fn cuts() {
        let d = tree();
        assert_eq!(cut_k(&d, 1).unwrap(), [0, 0, 0, 0]);
        assert_eq!(cut_k(&d, 2).unwrap(), [0, 0, 1, 1]);
        assert_eq!(cut_k(&d, 3).unwrap(), [0, 0, 1, 2]);
        assert_eq!(cut_k(&d, 4).unwrap(), [0, 1, 2, 3]);
        assert!(cut_k(&d, 0).is_err());
        assert!(cut_k(&d, 5).unwrap_err().to_string().contains("k ≤ 4"));
        assert_eq!(cut_height(&d, 1.5).unwrap(), [0, 0, 1, 2]);
        assert_eq!(cut_height(&d, 2.0).unwrap(), [0, 0, 1, 1]);
        assert_eq!(cut_height(&d, 5.0).unwrap(), [0, 0, 0, 0]);
        assert_eq!(cut_height(&d, 0.0).unwrap(), [0, 1, 2, 3]);
        assert!(cut_height(&d, -0.1).is_err());
        assert!(cut_height(&d, f64::NAN).is_err());
        let e = cut_height(&d, 6.0).unwrap_err().to_string();
        assert!(e.contains("root") && e.contains('5'), "{e}");
        assert_eq!(height_for_k(&d, 2), 3.5);
        assert_eq!(height_for_k(&d, 3), 1.5);
        assert_eq!(height_for_k(&d, 4), 0.5);
        assert_eq!(height_for_k(&d, 1), 5.0);
        for k in 1..=4 {
            let l = cut_height(&d, height_for_k(&d, k)).unwrap();
            assert_eq!(l, cut_k(&d, k).unwrap());
        }
        assert_eq!(sizes_at_cut(&d, &cut_k(&d, 3).unwrap()), [2, 1, 1]);
    }

    #[test]
    fn order_and_layout() {
        let d = tree();
        assert_eq!(leaf_order(&d), [0, 1, 2, 3]);
        let l = node_positions(&d);
        assert_eq!(l.nodes[4], (0.5, 1.0));
        assert_eq!(l.nodes[6], (1.5, 5.0));
        assert_eq!(l.links[2], ([0.5, 0.5, 2.5, 2.5], [1.0, 5.0, 5.0, 2.0]));
    }
}
