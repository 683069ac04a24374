//! scipy's `truncate_mode="lastp"` for drawing large trees: only the last `p` clusters stay as leaves
//! (each with its row count), i.e. the top `p − 1` merges; the leaf order matches the full tree's.

use super::{Dendrogram, Merge};

/// A tree reduced to its last `p` clusters (see [`truncate_lastp`]).
#[derive(Debug, Clone)]
pub struct Truncated {
    /// The drawn tree: `p` leaves (collapsed subtrees), the top `p − 1` merges renumbered, leaf weights =
    /// rows under each leaf.
    pub tree: Dendrogram,
    /// Original leaves under each drawn leaf (1 = not collapsed).
    pub leaf_members: Vec<usize>,
    /// One original leaf under each drawn node (leaves, then merges), to look up its segment.
    pub rep_leaf: Vec<usize>,
    /// Whether anything was collapsed.
    pub collapsed: bool,
}

/// scipy's `truncate_mode="lastp"`: keeps the last `p − 1` merges (`p` ≥ 2); the clusters they join become leaves.
/// Merges keep their child order (so the leaf order matches the full tree's) and their row counts.
pub fn truncate_lastp(d: &Dendrogram, p: usize) -> Truncated {
    let n = d.n_leaves;
    let weight = |leaf: usize| {
        d.leaf_weights
            .as_ref()
            .map_or(1, |w| w.get(leaf).copied().unwrap_or(0))
    };
    let full = d.merges.len() + 1 == n;
    let p = p.max(2);
    if p >= n || !full || n == 0 {
        let mut tree = d.clone();
        tree.leaf_weights = Some((0..n).map(weight).collect());
        tree.leaf_of_row = None;
        let mut rep: Vec<usize> = (0..n).collect();
        for m in &d.merges {
            rep.push(rep.get(m.a).copied().unwrap_or(0));
        }
        return Truncated {
            tree,
            leaf_members: vec![1; n],
            rep_leaf: rep,
            collapsed: false,
        };
    }
    let applied = n - p;
    // Per original node: members, rows, representative leaf, height.
    let total = n + d.merges.len();
    let mut members = vec![1usize; total];
    let mut rows: Vec<usize> = (0..n).map(weight).collect();
    rows.resize(total, 0);
    let mut rep: Vec<usize> = (0..total).collect();
    for (i, m) in d.merges.iter().enumerate() {
        members[n + i] = members[m.a] + members[m.b];
        rows[n + i] = m.size;
        rep[n + i] = rep[m.a];
    }
    // The visible leaves, numbered in the order the kept merges reach them.
    let mut new_id = vec![usize::MAX; total];
    let mut leaves = Vec::with_capacity(p);
    let mut merges = Vec::with_capacity(p - 1);
    for m in &d.merges[applied..] {
        let mut map = |id: usize| {
            if id >= n + applied {
                p + (id - n - applied)
            } else {
                if new_id[id] == usize::MAX {
                    new_id[id] = leaves.len();
                    leaves.push(id);
                }
                new_id[id]
            }
        };
        let (a, b) = (map(m.a), map(m.b));
        merges.push(Merge {
            a,
            b,
            height: m.height,
            size: m.size,
        });
    }
    let mut rep_leaf: Vec<usize> = leaves.iter().map(|&id| rep[id]).collect();
    rep_leaf.extend((applied..d.merges.len()).map(|i| rep[n + i]));
    Truncated {
        tree: Dendrogram {
            n_leaves: leaves.len(),
            merges,
            method: d.method,
            approximate: d.approximate,
            leaf_weights: Some(leaves.iter().map(|&id| rows[id]).collect()),
            leaf_of_row: None,
            leaf_centres: None,
        },
        leaf_members: leaves.iter().map(|&id| members[id]).collect(),
        rep_leaf,
        collapsed: true,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::cluster::hierarchy::Linkage;
    use crate::cluster::{cut_height, leaf_order, node_positions, sizes_at_cut};

    fn m(a: usize, b: usize, height: f64, size: usize) -> Merge {
        Merge { a, b, height, size }
    }

    /// 6 leaves: (0,1)@1→6, (2,3)@2→7, (6,4)@3→8, (7,5)@4→9, (8,9)@10→10 (also used by `cut_view`'s
    /// tests).
    pub(in crate::cluster::hierarchy) fn tree() -> Dendrogram {
        Dendrogram {
            n_leaves: 6,
            merges: vec![
                m(0, 1, 1.0, 2),
                m(2, 3, 2.0, 2),
                m(4, 6, 3.0, 3),
                m(5, 7, 4.0, 3),
                m(8, 9, 10.0, 6),
            ],
            method: Linkage::Ward,
            approximate: false,
            leaf_weights: None,
            leaf_of_row: None,
            leaf_centres: None,
        }
    }

    #[test]
    fn lastp_keeps_the_top_merges_and_collapses_the_rest() {
        let d = tree();
        let t = truncate_lastp(&d, 3);
        assert!(t.collapsed);
        assert_eq!(t.tree.n_leaves, 3);
        assert_eq!(t.tree.merges.len(), 2);
        // p = 3 keeps the last 2 merges, (5,7)@4 and (8,9)@10; clusters 7 = {2,3} and 8 = {0,1,4}
        // are collapsed into leaves.
        let heights: Vec<f64> = t.tree.merges.iter().map(|m| m.height).collect();
        assert_eq!(heights, [4.0, 10.0]);
        // Leaves: cluster 8 = {0,1,4} (3 rows), 5, cluster 7 = {2,3}.
        let rows = t.tree.leaf_weights.clone().unwrap();
        assert_eq!(
            rows.iter().sum::<usize>(),
            6,
            "every row is under some leaf"
        );
        let mut members = t.leaf_members.clone();
        members.sort_unstable();
        assert_eq!(members, [1, 2, 3]);
        assert_eq!(t.tree.merges.last().unwrap().size, 6);
        // The collapsed cluster 8 = {0,1,4} is one leaf of 3 rows.
        let i8 = t.leaf_members.iter().position(|&c| c == 3).unwrap();
        assert_eq!(rows[i8], 3);
        // It lays out and orders like any tree.
        assert_eq!(leaf_order(&t.tree).len(), 3);
        let layout = node_positions(&t.tree);
        assert_eq!(layout.links.len(), 2);
        assert_eq!(layout.nodes[3 + 1].1, 10.0);
        // Cutting the drawn tree gives the same sizes as cutting the full one above the collapse.
        let full = sizes_at_cut(&d, &cut_height(&d, 5.0).unwrap());
        let drawn = sizes_at_cut(&t.tree, &cut_height(&t.tree, 5.0).unwrap());
        assert_eq!(full, drawn);
    }

    #[test]
    fn lastp_of_a_small_tree_is_the_tree() {
        let d = tree();
        let t = truncate_lastp(&d, 200);
        assert!(!t.collapsed);
        assert_eq!(t.tree.merges, d.merges);
        assert_eq!(t.leaf_members, vec![1; 6]);
        assert_eq!(t.rep_leaf.len(), 11);
        let t = truncate_lastp(&d, 1);
        assert_eq!(t.tree.n_leaves, 2, "at least the root merge is drawn");
        assert_eq!(t.tree.merges.len(), 1);
        assert_eq!(t.tree.leaf_weights, Some(vec![3, 3]));
    }

    #[test]
    fn lastp_of_an_approximate_tree_counts_rows() {
        let mut d = tree();
        d.approximate = true;
        d.leaf_weights = Some(vec![10, 20, 30, 40, 50, 60]);
        d.merges = vec![
            m(0, 1, 1.0, 30),
            m(2, 3, 2.0, 70),
            m(4, 6, 3.0, 80),
            m(5, 7, 4.0, 130),
            m(8, 9, 10.0, 210),
        ];
        let t = truncate_lastp(&d, 4);
        let mut rows = t.tree.leaf_weights.clone().unwrap();
        rows.sort_unstable();
        assert_eq!(rows, [30, 50, 60, 70]);
        let sorted = |mut v: Vec<usize>| {
            v.sort_unstable();
            v
        };
        assert_eq!(
            sorted(sizes_at_cut(&t.tree, &cut_height(&t.tree, 3.5).unwrap())),
            sorted(sizes_at_cut(&d, &cut_height(&d, 3.5).unwrap())),
            "rows per segment, whatever their numbering"
        );
    }
}
