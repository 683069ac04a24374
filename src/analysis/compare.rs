//! Comparing two segmentations of the same rows (a refit, another method, another k): the adjusted Rand
//! index, the crosstab of segment × segment counts with row shares, which segments merged or split, and
//! whether segment names can travel from the old segmentation to the new one ([`carry_names`]).
//!
//! Merge and split follow one overlap rule with a threshold (default [`MERGE_SHARE`] = 80%): segment `i`
//! of A *goes to* segment `j` of B when at least that share of its rows are in `j`. Two or more A segments
//! going to the same B segment merged into it. Read the other way round, B segment `j` *comes from* A
//! segment `i` when that share of `j`'s rows were in `i`; two or more B segments coming from the same A
//! segment are a split of it.

use crate::error::{Error, Result};
use crate::metrics::adjusted_rand_score;

/// Share of a segment's rows that must land in one segment of the other labelling for a merge or split.
pub const MERGE_SHARE: f64 = 0.8;

/// Lowest ARI at which two segmentations with the same k count as "the same shape" for names.
pub const SAME_SHAPE_ARI: f64 = 0.95;

/// Lowest Jaccard overlap of mutually best-matching segments for names to travel when the ARI is lower
/// than [`SAME_SHAPE_ARI`].
pub const NAME_OVERLAP: f64 = 0.8;

/// Segments of A that merged into one segment of B.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Merge {
    /// The A segments (ascending), each with at least the threshold share of its rows in `into`.
    pub from: Vec<usize>,
    /// The B segment.
    pub into: usize,
}

/// One segment of A split into several segments of B.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Split {
    /// The A segment.
    pub from: usize,
    /// The B segments (ascending), each with at least the threshold share of its rows from `from`.
    pub into: Vec<usize>,
}

/// Two segmentations of the same rows side by side.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Comparison {
    /// Rows compared.
    pub n_rows: usize,
    /// Segments in A (largest id + 1).
    pub k_a: usize,
    /// Segments in B.
    pub k_b: usize,
    /// Adjusted Rand index (sklearn `adjusted_rand_score`).
    pub ari: f64,
    /// `counts[i][j]`: rows in A segment `i` and B segment `j`.
    pub counts: Vec<Vec<usize>>,
    /// `shares[i][j]`: `counts[i][j]` as a share of all rows.
    pub shares: Vec<Vec<f64>>,
    /// `row_shares[i][j]`: share of A segment `i`'s rows that are in B segment `j` (each row sums to 1).
    pub row_shares: Vec<Vec<f64>>,
    /// `column_shares[i][j]`: share of B segment `j`'s rows that were in A segment `i` (each column sums
    /// to 1).
    pub column_shares: Vec<Vec<f64>>,
    /// A segments that merged into one B segment.
    pub merges: Vec<Merge>,
    /// A segments that split into several B segments.
    pub splits: Vec<Split>,
    /// The share threshold used for merges and splits.
    pub threshold: f64,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Segment × segment counts of two labellings (ids `0..k`), `k_a × k_b`.
pub fn crosstab(a: &[usize], b: &[usize]) -> Result<Vec<Vec<usize>>> {
    if a.len() != b.len() {
        return Err(Error::InvalidParameter(format!(
            "cannot compare segmentations of different rows: {} and {} labels; compare labels of the \
             same rows",
            a.len(),
            b.len()
        )));
    }
    let k_a = a.iter().max().map_or(0, |m| m + 1);
    let k_b = b.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![vec![0usize; k_b]; k_a];
    for (&i, &j) in a.iter().zip(b) {
        counts[i][j] += 1;
    }
    Ok(counts)
}

/// Compares segmentation `a` with `b` (labels of the same rows, ids `0..k`) with the default
/// [`MERGE_SHARE`] threshold.
pub fn compare(a: &[usize], b: &[usize]) -> Result<Comparison> {
    compare_with(a, b, MERGE_SHARE)
}

/// Compares `a` with `b`; `threshold` (in (0.5, 1]) is the share of a segment's rows that must land in
/// one segment of the other labelling for a merge or split.
pub fn compare_with(a: &[usize], b: &[usize], threshold: f64) -> Result<Comparison> {
    if !(threshold > 0.5 && threshold <= 1.0) {
        return Err(Error::InvalidParameter(format!(
            "the merge/split threshold must be in (0.5, 1]; got {threshold}"
        )));
    }
    let counts = crosstab(a, b)?;
    let n = a.len();
    let k_a = counts.len();
    let k_b = counts.first().map_or(0, Vec::len);
    let size_a: Vec<usize> = counts.iter().map(|r| r.iter().sum()).collect();
    let size_b: Vec<usize> = (0..k_b)
        .map(|j| counts.iter().map(|r| r[j]).sum())
        .collect();
    let shares = counts
        .iter()
        .map(|r| r.iter().map(|&c| ratio(c, n)).collect())
        .collect();
    let row_shares: Vec<Vec<f64>> = counts
        .iter()
        .zip(&size_a)
        .map(|(r, &s)| r.iter().map(|&c| ratio(c, s)).collect())
        .collect();
    let column_shares: Vec<Vec<f64>> = counts
        .iter()
        .map(|r| r.iter().zip(&size_b).map(|(&c, &s)| ratio(c, s)).collect())
        .collect();
    // A segment i goes to B segment j; B segment j comes from A segment i.
    let mut merges = Vec::new();
    for j in 0..k_b {
        let from: Vec<usize> = row_shares
            .iter()
            .enumerate()
            .filter(|(i, r)| size_a[*i] > 0 && r[j] >= threshold)
            .map(|(i, _)| i)
            .collect();
        if from.len() >= 2 {
            merges.push(Merge { from, into: j });
        }
    }
    let mut splits = Vec::new();
    for (i, shares_of_i) in column_shares.iter().enumerate() {
        let into: Vec<usize> = (0..k_b)
            .filter(|&j| size_b[j] > 0 && shares_of_i[j] >= threshold)
            .collect();
        if into.len() >= 2 {
            splits.push(Split { from: i, into });
        }
    }
    Ok(Comparison {
        n_rows: n,
        k_a,
        k_b,
        ari: adjusted_rand_score(a, b)?,
        counts,
        shares,
        row_shares,
        column_shares,
        merges,
        splits,
        threshold,
    })
}

/// Compares two segmentations that may cover different rows (e.g. fits on two preparations that drop
/// different rows): `rows_a[i]` is the input row labelled `a[i]`, likewise for `b`. Only the input rows
/// both label are compared; an error when they share none.
pub fn compare_on_rows(
    rows_a: &[usize],
    a: &[usize],
    rows_b: &[usize],
    b: &[usize],
) -> Result<Comparison> {
    if rows_a.len() != a.len() || rows_b.len() != b.len() {
        return Err(Error::InvalidParameter(
            "internal: rows and labels differ in length".into(),
        ));
    }
    if rows_a == rows_b {
        return compare(a, b);
    }
    let of_b: std::collections::HashMap<usize, usize> =
        rows_b.iter().copied().zip(b.iter().copied()).collect();
    let (la, lb): (Vec<usize>, Vec<usize>) = rows_a
        .iter()
        .zip(a)
        .filter_map(|(r, &l)| of_b.get(r).map(|&m| (l, m)))
        .unzip();
    if la.is_empty() {
        return Err(Error::InvalidParameter(
            "the two segmentations share no row: their preparations kept different rows".into(),
        ));
    }
    compare(&la, &lb)
}

impl Comparison {
    /// Merges and splits in words, with the segments' names (`names_a[i]` names A segment `i`; a missing
    /// name reads "segment i"). One line each; "No segment merged or split." when there is none.
    pub fn changes_in_words(&self, names_a: &[String], names_b: &[String]) -> Vec<String> {
        let name = |names: &[String], i: usize| {
            names
                .get(i)
                .map_or_else(|| format!("segment {i}"), |n| format!("{i} \"{n}\""))
        };
        let pct = 100.0 * self.threshold;
        let mut out: Vec<String> = self
            .merges
            .iter()
            .map(|m| {
                let from: Vec<String> = m.from.iter().map(|&i| name(names_a, i)).collect();
                format!(
                    "Merged: {} went into {} (each with ≥ {pct:.0}% of its rows).",
                    from.join(" and "),
                    name(names_b, m.into)
                )
            })
            .collect();
        out.extend(self.splits.iter().map(|s| {
            let into: Vec<String> = s.into.iter().map(|&j| name(names_b, j)).collect();
            format!(
                "Split: {} split into {} (each with ≥ {pct:.0}% of its rows from it).",
                name(names_a, s.from),
                into.join(" and ")
            )
        }));
        if out.is_empty() {
            out.push("No segment merged or split.".into());
        }
        out
    }
}

/// What happened to segment names after a refit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NameCarry {
    /// One name per new segment (in the new numbering) when the names travelled, else `None`.
    pub names: Option<Vec<String>>,
    /// `old_segment[j]`: the old segment whose name new segment `j` took (when carried).
    pub old_segment: Option<Vec<usize>>,
    /// ARI between the two segmentations (`None` when they do not cover the same rows).
    pub ari: Option<f64>,
    /// What was done and why, in words (for a status line).
    pub message: String,
}

/// Maps segment names from an old segmentation to a new one of the same rows when the new one has "the
/// same shape": the same k, and either ARI ≥ [`SAME_SHAPE_ARI`] or every segment's best match (by Jaccard
/// overlap of rows) is mutual with overlap ≥ [`NAME_OVERLAP`]. Otherwise the names are dropped and
/// [`NameCarry::message`] says why. `old_names[i]` names old segment `i`.
pub fn carry_names(old_labels: &[usize], old_names: &[String], new_labels: &[usize]) -> NameCarry {
    let dropped = |ari: Option<f64>, why: String| NameCarry {
        names: None,
        old_segment: None,
        ari,
        message: format!("segment names dropped: {why}; name the segments again"),
    };
    if old_labels.len() != new_labels.len() {
        return dropped(
            None,
            format!(
                "the new segmentation covers {} rows, the old one {}",
                new_labels.len(),
                old_labels.len()
            ),
        );
    }
    let k_old = old_labels.iter().max().map_or(0, |m| m + 1);
    let k_new = new_labels.iter().max().map_or(0, |m| m + 1);
    if old_names.len() != k_old {
        return dropped(
            None,
            format!(
                "{} names were given for {k_old} old segments",
                old_names.len()
            ),
        );
    }
    let Ok(cmp) = compare(old_labels, new_labels) else {
        return dropped(None, "the segmentations cannot be compared".into());
    };
    let ari = Some(cmp.ari);
    if k_old != k_new {
        return dropped(
            ari,
            format!("the number of segments changed ({k_old} → {k_new})"),
        );
    }
    // Jaccard overlap of old segment i and new segment j.
    let size_old: Vec<usize> = cmp.counts.iter().map(|r| r.iter().sum()).collect();
    let size_new: Vec<usize> = (0..k_new)
        .map(|j| cmp.counts.iter().map(|r| r[j]).sum())
        .collect();
    let jaccard = |i: usize, j: usize| {
        let c = cmp.counts[i][j];
        ratio(c, size_old[i] + size_new[j] - c)
    };
    let best_old_for = |j: usize| {
        (0..k_old)
            .max_by(|&a, &b| jaccard(a, j).total_cmp(&jaccard(b, j)).then(b.cmp(&a)))
            .unwrap_or(0)
    };
    let best_new_for = |i: usize| {
        (0..k_new)
            .max_by(|&a, &b| jaccard(i, a).total_cmp(&jaccard(i, b)).then(b.cmp(&a)))
            .unwrap_or(0)
    };
    let mapping: Vec<usize> = (0..k_new).map(best_old_for).collect();
    let mutual = mapping
        .iter()
        .enumerate()
        .all(|(j, &i)| best_new_for(i) == j);
    let min_overlap = mapping
        .iter()
        .enumerate()
        .map(|(j, &i)| jaccard(i, j))
        .fold(1.0f64, f64::min);
    let same_shape = cmp.ari >= SAME_SHAPE_ARI;
    if !mutual || !(same_shape || min_overlap >= NAME_OVERLAP) {
        return dropped(
            ari,
            format!(
                "the segments changed shape (ARI {:.2}, weakest match overlaps {:.0}% of its rows)",
                cmp.ari,
                100.0 * min_overlap
            ),
        );
    }
    let names = mapping.iter().map(|&i| old_names[i].clone()).collect();
    let how = if same_shape {
        format!("same shape, ARI {:.3}", cmp.ari)
    } else {
        format!(
            "every segment matched by overlap (≥ {:.0}%), ARI {:.3}",
            100.0 * min_overlap,
            cmp.ari
        )
    };
    NameCarry {
        names: Some(names),
        old_segment: Some(mapping),
        ari,
        message: format!("segment names kept ({how})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn crosstab_shares_and_ari() {
        let a = [0, 0, 0, 1, 1, 2];
        let b = [1, 1, 0, 0, 0, 0];
        let c = compare(&a, &b).unwrap();
        assert_eq!(c.counts, [vec![1, 2], vec![2, 0], vec![1, 0]]);
        assert_eq!((c.k_a, c.k_b, c.n_rows), (3, 2, 6));
        assert_eq!(c.row_shares[0], [1.0 / 3.0, 2.0 / 3.0]);
        assert_eq!(c.column_shares[1][0], 0.5);
        assert_eq!(c.shares[1][0], 2.0 / 6.0);
        assert_eq!(c.ari, adjusted_rand_score(&a, &b).unwrap());
        for r in &c.row_shares {
            assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert!(compare(&a, &b[..5]).is_err());
        assert!(compare_with(&a, &b, 0.4).is_err());
    }

    #[test]
    fn merges_and_splits_are_found_both_ways() {
        // A: 0 (10 rows), 1 (10 rows), 2 (5 rows). B: 0 takes all of A0 and 9 of A1; 1 takes A2 and one A1 row.
        let mut a = vec![0; 10];
        a.extend([1; 10]);
        a.extend([2; 5]);
        let mut b = vec![0; 10];
        b.extend([0; 9]);
        b.push(1);
        b.extend([1; 5]);
        let c = compare(&a, &b).unwrap();
        assert_eq!(
            c.merges,
            [Merge {
                from: vec![0, 1],
                into: 0
            }]
        );
        assert!(c.splits.is_empty());
        // The reverse comparison reads the same change as a split.
        let r = compare(&b, &a).unwrap();
        assert_eq!(
            r.splits,
            [Split {
                from: 0,
                into: vec![0, 1]
            }]
        );
        assert!(r.merges.is_empty());
        // Identical segmentations: nothing merged or split, ARI 1.
        let same = compare(&a, &a).unwrap();
        assert!(same.merges.is_empty() && same.splits.is_empty());
        assert_eq!(same.ari, 1.0);
    }

    #[test]
    fn names_travel_through_a_relabelling_and_stop_at_a_new_shape() {
        let old = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
        let new = [2, 2, 2, 2, 0, 0, 0, 1, 1, 1];
        let carried = carry_names(&old, &names(&["big", "mid", "small"]), &new);
        assert_eq!(
            carried.names,
            Some(names(&["mid", "small", "big"])),
            "{}",
            carried.message
        );
        assert_eq!(carried.old_segment, Some(vec![1, 2, 0]));
        assert!(carried.message.contains("kept"), "{}", carried.message);

        let more = [0, 0, 3, 3, 1, 1, 1, 2, 2, 2];
        let d = carry_names(&old, &names(&["big", "mid", "small"]), &more);
        assert_eq!(d.names, None);
        assert!(d.message.contains("3 → 4"), "{}", d.message);

        let shuffled = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
        let d = carry_names(&old, &names(&["big", "mid", "small"]), &shuffled);
        assert_eq!(d.names, None);
        assert!(d.message.contains("changed shape"), "{}", d.message);

        let d = carry_names(&old, &names(&["big", "mid", "small"]), &new[..9]);
        assert!(d.names.is_none() && d.ari.is_none(), "{}", d.message);
        assert!(carry_names(&old, &names(&["a"]), &new).names.is_none());
    }

    #[test]
    fn comparing_on_shared_rows_and_in_words() {
        // A labels input rows 0..6, B rows 1..7: the shared rows are 1..6.
        let c = compare_on_rows(
            &[0, 1, 2, 3, 4, 5],
            &[0, 0, 0, 1, 1, 1],
            &[1, 2, 3, 4, 5, 6],
            &[0, 0, 0, 0, 0, 1],
        )
        .unwrap();
        assert_eq!(c.n_rows, 5);
        assert_eq!(c.counts, [vec![2], vec![3]]);
        assert_eq!(
            c.merges,
            [Merge {
                from: vec![0, 1],
                into: 0
            }]
        );
        let words = c.changes_in_words(&names(&["big", "small"]), &[]);
        assert_eq!(
            words,
            [
                "Merged: 0 \"big\" and 1 \"small\" went into segment 0 (each with ≥ 80% of its rows)."
            ]
        );
        assert!(compare_on_rows(&[0], &[0], &[1], &[0]).is_err());
        assert!(compare_on_rows(&[0, 1], &[0], &[1], &[0]).is_err());
        let same = compare(&[0, 1], &[0, 1]).unwrap();
        assert_eq!(
            same.changes_in_words(&[], &[]),
            ["No segment merged or split."]
        );
        let split = compare(&[0, 0, 0, 0, 1], &[0, 0, 1, 1, 2]).unwrap();
        assert_eq!(
            split.changes_in_words(&[], &[]),
            [
                "Split: segment 0 split into segment 0 and segment 1 (each with ≥ 80% of its rows from it)."
            ]
        );
    }

    #[test]
    fn names_travel_by_overlap_when_a_few_rows_move() {
        // 100 rows in 2 segments; 8 rows move: ARI < 0.95 but each segment keeps > 80% overlap.
        let old: Vec<usize> = (0..100).map(|i| usize::from(i >= 50)).collect();
        let mut new = old.clone();
        for v in new.iter_mut().take(8) {
            *v = 1;
        }
        let c = carry_names(&old, &names(&["a", "b"]), &new);
        assert!(c.ari.unwrap() < SAME_SHAPE_ARI);
        assert_eq!(c.names, Some(names(&["a", "b"])), "{}", c.message);
        assert!(c.message.contains("overlap"), "{}", c.message);
    }
}
