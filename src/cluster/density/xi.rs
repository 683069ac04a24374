//! The xi extraction of OPTICS clusters, ported from scikit-learn's `cluster_optics_xi` (`_xi_cluster`,
//! `_extend_region`, `_update_filter_sdas`, `_correct_predecessor`, `_extract_xi_labels`), which follows
//! Figure 19 of the OPTICS paper with sklearn's two corrections of it (the steep-downward inequality of
//! Definition 9 and the `r(x) > r(sD)` of Definition 11 4c) and Schubert & Gertz's predecessor
//! correction. Clusters are steep-down areas matched with later steep-up areas of the reachability plot
//! (a point is steep when its reachability changes by a factor of at least `1 − xi` to the next one).
//! Labels are given to the smallest clusters first; a cluster overlapping an already labelled one gets
//! none, so nested structure shows in [`XiResult::clusters`], not in the labels.
//!
//! One shortcut: "is the predecessor of `e` among the rows at positions `s..e`" is answered from each
//! row's position in the ordering in O(1) instead of sklearn's scan; the answer is the same.

use super::DensityResult;
use super::optics::Optics;
use crate::error::{Error, Result};

/// Xi extraction settings (sklearn's names and defaults).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct XiParams {
    /// Minimum steepness of a cluster boundary, in `[0, 1]` (sklearn's default 0.05).
    pub xi: f64,
    /// Minimum rows in a cluster (≥ 2); `None` = the OPTICS run's `min_samples`.
    pub min_cluster_size: Option<usize>,
    /// Apply the predecessor correction (sklearn's default: yes).
    pub predecessor_correction: bool,
}

impl Default for XiParams {
    fn default() -> Self {
        Self {
            xi: 0.05,
            min_cluster_size: None,
            predecessor_correction: true,
        }
    }
}

impl XiParams {
    /// Settings with the given xi and sklearn's other defaults.
    pub fn new(xi: f64) -> Self {
        Self {
            xi,
            ..Self::default()
        }
    }
}

/// Clusters extracted by xi.
#[derive(Debug, Clone, PartialEq)]
pub struct XiResult {
    /// Labels per row (renumbered by size; −1 = in no cluster). Core rows: finite core distance.
    pub labels: DensityResult,
    /// Every cluster found as `(start, end)` positions in the ordering, both inclusive, ordered by
    /// `(end, −start)` so nested clusters come before the clusters containing them (sklearn's
    /// `clusters`). Usually more than `labels.n_clusters`.
    pub clusters: Vec<(usize, usize)>,
}

impl Optics {
    /// Clusters by the xi method (sklearn's `cluster_optics_xi` on this graph, with the graph's
    /// `min_samples`).
    pub fn xi(&self, params: &XiParams) -> Result<XiResult> {
        let n = self.ordering.len();
        if !(0.0..=1.0).contains(&params.xi) {
            return Err(Error::InvalidParameter(format!(
                "xi = {} must be between 0 and 1 (e.g. 0.05)",
                params.xi
            )));
        }
        let min_cluster_size = params.min_cluster_size.unwrap_or(self.min_samples);
        if min_cluster_size < 2 || min_cluster_size > n {
            return Err(Error::InvalidParameter(format!(
                "min_cluster_size = {min_cluster_size} must be between 2 and the {n} rows"
            )));
        }
        let plot: Vec<f64> = self.reachability_plot();
        let pred_plot: Vec<Option<usize>> =
            self.ordering.iter().map(|&i| self.predecessor[i]).collect();
        let mut position = vec![0usize; n];
        for (at, &i) in self.ordering.iter().enumerate() {
            position[i] = at;
        }
        let clusters = xi_cluster(
            &plot,
            &pred_plot,
            &position,
            params.xi,
            self.min_samples,
            min_cluster_size,
            params.predecessor_correction,
        );
        let raw = extract_labels(&self.ordering, &clusters);
        let core = (0..n)
            .filter(|&i| self.core_distances[i].is_finite())
            .collect();
        Ok(XiResult {
            labels: DensityResult::from_raw(&raw, core),
            clusters,
        })
    }
}

/// A steep-down area: its span and the maximum reachability seen since (`mib`).
#[derive(Debug, Clone, Copy)]
struct Sda {
    start: usize,
    end: usize,
    mib: f64,
}

/// sklearn's `_xi_cluster` (on the plot without the appended `inf`, which is added here).
fn xi_cluster(
    plot: &[f64],
    pred_plot: &[Option<usize>],
    position: &[usize],
    xi: f64,
    min_samples: usize,
    min_cluster_size: usize,
    predecessor_correction: bool,
) -> Vec<(usize, usize)> {
    let n = plot.len();
    let mut r = plot.to_vec();
    r.push(f64::INFINITY);
    let xc = 1.0 - xi;
    let ratio: Vec<f64> = (0..n).map(|i| r[i] / r[i + 1]).collect();
    let steep_up: Vec<bool> = ratio.iter().map(|&q| q <= xc).collect();
    let steep_down: Vec<bool> = ratio.iter().map(|&q| q >= 1.0 / xc).collect();
    let down: Vec<bool> = ratio.iter().map(|&q| q > 1.0).collect();
    let up: Vec<bool> = ratio.iter().map(|&q| q < 1.0).collect();

    let mut sdas: Vec<Sda> = Vec::new();
    let mut clusters = Vec::new();
    let mut index = 0usize;
    let mut mib = 0.0f64;
    for steep_index in (0..n).filter(|&i| steep_up[i] || steep_down[i]) {
        if steep_index < index {
            continue;
        }
        mib = mib.max(
            r[index..=steep_index]
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max),
        );
        update_filter_sdas(&mut sdas, mib, xc, &r);
        if steep_down[steep_index] {
            let d_end = extend_region(&steep_down, &up, steep_index, min_samples);
            sdas.push(Sda {
                start: steep_index,
                end: d_end,
                mib: 0.0,
            });
            index = d_end + 1;
            mib = r[index];
            continue;
        }
        let u_start = steep_index;
        let u_end = extend_region(&steep_up, &down, u_start, min_samples);
        index = u_end + 1;
        mib = r[index];
        let mut found = Vec::new();
        for d in &sdas {
            let mut c_start = d.start;
            let mut c_end = u_end;
            // line (**), sc2*
            if r[c_end + 1] * xc < d.mib {
                continue;
            }
            // Definition 11, criterion 4.
            let d_max = r[d.start];
            if d_max * xc >= r[c_end + 1] {
                while r[c_start + 1] > r[c_end + 1] && c_start < d.end {
                    c_start += 1;
                }
            } else if r[c_end + 1] * xc >= d_max {
                // (sklearn tests r[c_end - 1] first; the order is swapped so c_end - 1 never wraps.)
                while c_end > u_start && r[c_end - 1] > d_max {
                    c_end -= 1;
                }
            }
            if predecessor_correction {
                match correct_predecessor(&r, pred_plot, position, c_start, c_end) {
                    Some((s, e)) => (c_start, c_end) = (s, e),
                    None => continue,
                }
            }
            // Definition 11: criteria 3.a, 1 and 2.
            if c_end - c_start + 1 < min_cluster_size || c_start > d.end || c_end < u_start {
                continue;
            }
            found.push((c_start, c_end));
        }
        // Smaller clusters first.
        found.reverse();
        clusters.extend(found);
    }
    clusters
}

/// sklearn's `_extend_region`: the end of a maximal steep region starting at `start` that has no more
/// than `min_samples` consecutive non-steep points and no point going the other way (`xward`).
fn extend_region(steep: &[bool], xward: &[bool], start: usize, min_samples: usize) -> usize {
    let mut non_xward = 0usize;
    let mut end = start;
    for index in start..steep.len() {
        if steep[index] {
            non_xward = 0;
            end = index;
        } else if !xward[index] {
            non_xward += 1;
            if non_xward > min_samples {
                break;
            }
        } else {
            return end;
        }
    }
    end
}

/// sklearn's `_update_filter_sdas`: drops the steep-down areas whose start is not high enough above
/// `mib` and raises the `mib` of the others (all of them are dropped when `mib` is infinite).
fn update_filter_sdas(sdas: &mut Vec<Sda>, mib: f64, xc: f64, r: &[f64]) {
    if mib.is_infinite() {
        sdas.clear();
        return;
    }
    sdas.retain(|s| mib <= r[s.start] * xc);
    for s in sdas.iter_mut() {
        s.mib = s.mib.max(mib);
    }
}

/// sklearn's `_correct_predecessor` (Algorithm 2 of Schubert & Gertz 2018): shrinks the end of `[s, e]`
/// until the end is reached from inside the cluster or starts below it; `None` if nothing is left.
fn correct_predecessor(
    r: &[f64],
    pred_plot: &[Option<usize>],
    position: &[usize],
    s: usize,
    mut e: usize,
) -> Option<(usize, usize)> {
    while s < e {
        if r[s] > r[e] {
            return Some((s, e));
        }
        if pred_plot[e].is_some_and(|p| (s..e).contains(&position[p])) {
            return Some((s, e));
        }
        e -= 1;
    }
    None
}

/// sklearn's `_extract_xi_labels`: raw labels per row from clusters listed smallest first.
fn extract_labels(ordering: &[usize], clusters: &[(usize, usize)]) -> Vec<i64> {
    let n = ordering.len();
    let mut by_position = vec![-1i64; n];
    let mut label = 0i64;
    for &(s, e) in clusters {
        if by_position[s..=e].iter().all(|&l| l == -1) {
            by_position[s..=e].fill(label);
            label += 1;
        }
    }
    let mut raw = vec![-1i64; n];
    for (at, &i) in ordering.iter().enumerate() {
        raw[i] = by_position[at];
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::super::{OpticsParams, optics};
    use super::*;
    use crate::jobs::Progress;
    use ndarray::array;

    #[test]
    fn equals_the_sklearn_docstring_example() {
        // cluster_optics_xi docstring: labels [0, 0, 0, 1, 1, 1], clusters [[0, 2], [3, 5], [0, 5]].
        let x = array![[1., 2.], [2., 5.], [3., 6.], [8., 7.], [8., 8.], [7., 3.]];
        let o = optics(x.view(), &OpticsParams::new(2), &Progress::new()).unwrap();
        let r = o.xi(&XiParams::default()).unwrap();
        assert_eq!(r.clusters, [(0, 2), (3, 5), (0, 5)]);
        assert_eq!(r.labels.labels, [0, 0, 0, 1, 1, 1]);
        assert_eq!(r.labels.n_noise, 0);
    }

    #[test]
    fn extend_region_stops_after_too_many_flat_points() {
        let steep = [true, false, false, false, true, false];
        let xward = [false; 6];
        assert_eq!(extend_region(&steep, &xward, 0, 3), 4);
        assert_eq!(extend_region(&steep, &xward, 0, 2), 0);
        let mut back = [false; 6];
        back[2] = true;
        assert_eq!(extend_region(&steep, &back, 0, 3), 0);
    }

    #[test]
    fn predecessor_correction_trims_the_end() {
        let position = [0, 1, 2, 3];
        // The start is above the end: kept as is.
        let r = [f64::INFINITY, 1.0, 1.0, 2.0, f64::INFINITY];
        assert_eq!(
            correct_predecessor(&r, &[None; 4], &position, 0, 3),
            Some((0, 3))
        );
        // Flat start: the end row was reached from position 1, inside the cluster: kept.
        let flat = [1.0, 1.0, 1.0, 2.0, f64::INFINITY];
        let pred_in = [None, Some(0), Some(1), Some(1)];
        assert_eq!(
            correct_predecessor(&flat, &pred_in, &position, 0, 3),
            Some((0, 3))
        );
        // Reached from outside: the end shrinks to position 2, whose predecessor (row 1) is inside.
        let pred_out = [None, Some(0), Some(1), Some(7)];
        let position8 = [0, 1, 2, 3, 4, 5, 6, 7];
        assert_eq!(
            correct_predecessor(&flat, &pred_out, &position8, 0, 3),
            Some((0, 2))
        );
        // Nobody reached from inside: nothing is left.
        assert_eq!(
            correct_predecessor(&flat, &[None; 4], &position, 0, 3),
            None
        );
    }

    #[test]
    fn refuses_bad_parameters() {
        let x = array![[1., 2.], [2., 5.], [3., 6.], [8., 7.], [8., 8.], [7., 3.]];
        let o = optics(x.view(), &OpticsParams::new(2), &Progress::new()).unwrap();
        assert!(o.xi(&XiParams::new(1.5)).is_err());
        assert!(o.xi(&XiParams::new(f64::NAN)).is_err());
        let small = XiParams {
            min_cluster_size: Some(1),
            ..XiParams::default()
        };
        assert!(o.xi(&small).is_err());
        let big = XiParams {
            min_cluster_size: Some(7),
            ..XiParams::default()
        };
        assert!(o.xi(&big).is_err());
        assert!(o.xi(&XiParams::new(1.0)).is_ok() && o.xi(&XiParams::new(0.0)).is_ok());
    }
}
