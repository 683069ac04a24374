//! The cut of a drawn (possibly truncated) tree: which segment each drawn link lies in at a cut height,
//! and the range of heights a cut line may take.

use super::truncate::Truncated;
use super::{Dendrogram, height_for_k};

/// Segment of each drawn link of `t` at cut height `h` (under `leaf_labels`, a label per ORIGINAL leaf,
/// e.g. [`cut_height`](super::cut_height)'s): the segment its subtree lies in, or `None` above the cut.
pub fn link_segments(t: &Truncated, leaf_labels: &[usize], h: f64) -> Vec<Option<usize>> {
    let p = t.tree.n_leaves;
    t.tree
        .merges
        .iter()
        .enumerate()
        .map(|(i, m)| {
            (m.height <= h)
                .then(|| {
                    t.rep_leaf
                        .get(p + i)
                        .and_then(|&l| leaf_labels.get(l))
                        .copied()
                })
                .flatten()
        })
        .collect()
}

/// The cut heights a cut line may take: from the one giving `max_k` segments (capped at the leaves) to
/// just below the root (two segments); `lo <= hi`.
pub fn cut_range(tree: &Dendrogram, max_k: usize) -> (f64, f64) {
    let root = tree.root_height();
    let lo = height_for_k(tree, max_k.min(tree.n_leaves));
    let hi = root - 1e-9 * root.abs().max(1e-12);
    (lo.min(hi), hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::hierarchy::truncate::tests::tree;
    use crate::cluster::hierarchy::{cut_height, truncate_lastp};

    #[test]
    fn links_are_coloured_by_their_segment_below_the_cut() {
        let d = tree();
        let t = truncate_lastp(&d, 6);
        let labels = cut_height(&d, 5.0).unwrap();
        let segs = link_segments(&t, &labels, 5.0);
        assert_eq!(segs.len(), 5);
        assert_eq!(segs[4], None, "the root is above the cut");
        assert_eq!(segs[0], Some(labels[0]));
        assert_eq!(segs[1], Some(labels[2]));
        assert_ne!(segs[2], segs[3], "two segments, two colours");
    }

    #[test]
    fn cut_range_stays_below_the_root_and_caps_segments() {
        let d = tree();
        let (lo, hi) = cut_range(&d, 40);
        assert!(hi < 10.0 && hi > 4.0);
        assert_eq!(lo, height_for_k(&d, 6));
        assert_eq!(cut_height(&d, hi).unwrap().iter().max(), Some(&1));
        let (lo3, _) = cut_range(&d, 3);
        assert_eq!(lo3, height_for_k(&d, 3));
        assert!(lo3 > lo, "fewer segments allowed, a higher lowest cut");
    }
}
