//! Scoring a prepared row with a saved model, row by row (a row's segment never depends on the other
//! rows): k-means by the nearest centre, Gaussian mixtures by the most probable component (with the
//! membership probabilities), hierarchical trees by the nearest training row — or, for trees built on
//! micro-clusters, the nearest micro-cluster centre, exactly how the training rows were assigned. Each uses
//! the same arithmetic as the fit, so applying a model to its training file gives the labels `cluster`
//! wrote. Density methods (DBSCAN, OPTICS) score by the nearest core training row within eps, else
//! outlier: their core and outlier rows get the labels `cluster` wrote, a border row may not (see
//! [`Scorer::NearestCore`]).

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::analysis::PreparedData;
use crate::analysis::fit::{Assigner, Segmentation};
use crate::cluster::density::nearest_within;
use crate::cluster::{MixtureParams, nearest_centroids};
use crate::error::{Error, Result};

/// How a prepared row gets its segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scorer {
    /// K-means: the nearest centre (ties: the first), then `to_segment`.
    NearestCentre {
        /// Centres in the algorithm's order (k × d).
        centres: Vec<Vec<f64>>,
        /// Segment of each centre.
        to_segment: Vec<usize>,
    },
    /// Gaussian mixture: the most probable component, then `to_segment`.
    Mixture {
        /// The fitted parameters (exact).
        params: MixtureParams,
        /// Segment of each component.
        to_segment: Vec<usize>,
    },
    /// Exact hierarchical tree: the segment of the nearest training row (marked as such in docs: a tree
    /// has no centres; the nearest row reproduces every training label).
    NearestRow {
        /// Training rows in the prepared space.
        rows: Vec<Vec<f64>>,
        /// Their segments.
        labels: Vec<usize>,
    },
    /// Hierarchical tree on micro-clusters: the nearest micro-cluster centre (as the training rows were
    /// assigned), then its segment.
    NearestLeaf {
        /// Micro-cluster centres (leaves × d).
        centres: Vec<Vec<f64>>,
        /// Segment of each micro-cluster.
        leaf_segment: Vec<usize>,
    },
    /// Density-based (DBSCAN, OPTICS): the segment of the nearest stored training row whose radius
    /// covers the row, else `outlier` (see [`crate::cluster::density::nearest_within`] for the rule and
    /// how it differs from the fit's). DBSCAN and OPTICS cut at eps store the core rows with radius eps
    /// (a row within eps of no core row is an outlier); OPTICS xi stores every training row with its core
    /// distance as radius and its label, outlier included.
    NearestCore {
        /// Stored training rows in the prepared space (may be empty: all outliers).
        rows: Vec<Vec<f64>>,
        /// Their segments (`outlier` possible for OPTICS xi).
        labels: Vec<usize>,
        /// One radius for every core row (DBSCAN, OPTICS cut at eps).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        eps: Option<f64>,
        /// One radius per core row (OPTICS xi: its core distance), when `eps` is absent.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        radii: Vec<f64>,
        /// The segment of outliers (the model's last).
        outlier: usize,
    },
}

/// What scoring a block of rows gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Segment of each row.
    pub labels: Vec<usize>,
    /// Membership probabilities in segment order (mixtures).
    pub probabilities: Option<Array2<f64>>,
}

fn rows_of(a: ArrayView2<f64>) -> Vec<Vec<f64>> {
    a.outer_iter().map(|r| r.to_vec()).collect()
}

fn matrix(rows: &[Vec<f64>]) -> Result<Array2<f64>> {
    let d = rows.first().map_or(0, Vec::len);
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    Array2::from_shape_vec((rows.len(), d), flat)
        .map_err(|e| Error::InvalidParameter(format!("the model's centres are ragged: {e}")))
}

impl Scorer {
    /// The scorer of a fitted segmentation of `data`.
    pub fn of(data: &PreparedData, seg: &Segmentation) -> Result<Self> {
        Ok(match &seg.assigner {
            Assigner::Centres {
                centres,
                to_segment,
            } => Scorer::NearestCentre {
                centres: rows_of(centres.view()),
                to_segment: to_segment.clone(),
            },
            Assigner::Mixture { params, to_segment } => Scorer::Mixture {
                params: params.clone(),
                to_segment: to_segment.clone(),
            },
            Assigner::Density => {
                let dens = seg.density.as_ref().ok_or_else(|| {
                    Error::InvalidParameter("internal: a density fit without its core rows".into())
                })?;
                let x = data.x();
                Scorer::NearestCore {
                    rows: dens.core_rows.iter().map(|&i| x.row(i).to_vec()).collect(),
                    labels: dens.core_rows.iter().map(|&i| seg.labels[i]).collect(),
                    eps: dens.cut.eps(),
                    radii: if dens.cut.eps().is_some() {
                        Vec::new()
                    } else {
                        dens.core_radius.clone()
                    },
                    outlier: seg.noise_segment().unwrap_or(seg.k),
                }
            }
            Assigner::Tree => {
                let tree = seg.dendrogram.as_ref().ok_or_else(|| {
                    Error::InvalidParameter("internal: a hierarchical fit without its tree".into())
                })?;
                match (&tree.leaf_centres, &tree.leaf_of_row) {
                    (Some(centres), Some(leaf_of_row)) => {
                        let d = data.x().ncols();
                        let mut leaf_segment = vec![0usize; tree.n_leaves];
                        for (&leaf, &label) in leaf_of_row.iter().zip(&seg.labels) {
                            if let Some(s) = leaf_segment.get_mut(leaf) {
                                *s = label;
                            }
                        }
                        Scorer::NearestLeaf {
                            centres: centres.chunks(d.max(1)).map(<[f64]>::to_vec).collect(),
                            leaf_segment,
                        }
                    }
                    _ => Scorer::NearestRow {
                        rows: rows_of(data.x()),
                        labels: seg.labels.clone(),
                    },
                }
            }
        })
    }

    /// Checks widths against `k` segments of `d` features.
    pub fn check(&self, k: usize, d: usize) -> Result<()> {
        let bad = || {
            Err(Error::InvalidParameter(
                "the model's scorer does not match its features or segments; the file is damaged"
                    .into(),
            ))
        };
        let widths_ok = |rows: &[Vec<f64>]| {
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| r.len() == d && r.iter().all(|v| v.is_finite()))
        };
        let map_ok = |m: &[usize], len: usize| m.len() == len && m.iter().all(|&s| s < k);
        match self {
            Scorer::NearestCentre {
                centres,
                to_segment,
            } => {
                if !(widths_ok(centres) && map_ok(to_segment, centres.len())) {
                    return bad();
                }
            }
            Scorer::Mixture { params, to_segment } => {
                params.check()?;
                if params.d != d || !map_ok(to_segment, params.k()) {
                    return bad();
                }
            }
            Scorer::NearestRow { rows, labels } => {
                if !(widths_ok(rows) && map_ok(labels, rows.len())) {
                    return bad();
                }
            }
            Scorer::NearestLeaf {
                centres,
                leaf_segment,
            } => {
                if !(widths_ok(centres) && map_ok(leaf_segment, centres.len())) {
                    return bad();
                }
            }
            Scorer::NearestCore {
                rows,
                labels,
                eps,
                radii,
                outlier,
            } => {
                let radius_ok = |r: &f64| r.is_finite() && *r >= 0.0;
                let radii_ok = match eps {
                    Some(e) => radius_ok(e) && radii.is_empty(),
                    None => radii.len() == rows.len() && radii.iter().all(radius_ok),
                };
                if !((rows.is_empty() || widths_ok(rows))
                    && map_ok(labels, rows.len())
                    && *outlier + 1 == k
                    && radii_ok)
                {
                    return bad();
                }
            }
        }
        Ok(())
    }

    /// Scores the rows of `x` (prepared, same features as the model).
    pub fn score(&self, x: ArrayView2<f64>, k: usize) -> Result<Scored> {
        let n = x.nrows();
        if n == 0 {
            return Ok(Scored {
                labels: Vec::new(),
                probabilities: None,
            });
        }
        match self {
            Scorer::NearestCentre {
                centres,
                to_segment,
            } => {
                let c = matrix(centres)?;
                let (near, _) = nearest_centroids(x, c.view());
                Ok(Scored {
                    labels: near.iter().map(|&j| to_segment[j]).collect(),
                    probabilities: None,
                })
            }
            Scorer::Mixture { params, to_segment } => {
                let probs = params.predict_proba(x)?;
                let comp = params.predict(x)?;
                let mut p = Array2::zeros((n, k));
                for (old, &new) in to_segment.iter().enumerate() {
                    p.column_mut(new).assign(&probs.column(old));
                }
                Ok(Scored {
                    labels: comp.iter().map(|&j| to_segment[j]).collect(),
                    probabilities: Some(p),
                })
            }
            Scorer::NearestRow { rows, labels } => {
                let c = matrix(rows)?;
                let (near, _) = nearest_centroids(x, c.view());
                Ok(Scored {
                    labels: near.iter().map(|&j| labels[j]).collect(),
                    probabilities: None,
                })
            }
            Scorer::NearestLeaf {
                centres,
                leaf_segment,
            } => {
                let c = matrix(centres)?;
                let (near, _) = nearest_centroids(x, c.view());
                Ok(Scored {
                    labels: near.iter().map(|&j| leaf_segment[j]).collect(),
                    probabilities: None,
                })
            }
            Scorer::NearestCore {
                rows,
                labels,
                eps,
                radii,
                outlier,
            } => {
                if rows.is_empty() {
                    return Ok(Scored {
                        labels: vec![*outlier; n],
                        probabilities: None,
                    });
                }
                let c = matrix(rows)?;
                let r = match eps {
                    Some(e) => vec![*e; rows.len()],
                    None => radii.clone(),
                };
                let near = nearest_within(c.view(), &r, x)?;
                Ok(Scored {
                    labels: near
                        .iter()
                        .map(|j| j.map_or(*outlier, |j| labels[j]))
                        .collect(),
                    probabilities: None,
                })
            }
        }
    }
}

/// Euclidean distance of each row to the centre of its segment (the same sum, in the same order, as
/// [`Segmentation::distances_to_centre`], so the numbers match `cluster`'s `distance_to_centre`).
pub fn distances_to(x: ArrayView2<f64>, labels: &[usize], centres: &[Vec<f64>]) -> Vec<f64> {
    x.outer_iter()
        .zip(labels)
        .map(|(r, &l)| {
            centres.get(l).map_or(f64::NAN, |c| {
                r.iter()
                    .zip(c)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt()
            })
        })
        .collect()
}
