//! Density-based segmentations (DBSCAN, OPTICS) in the run API's terms: the settings a [`ModelSpec`](super::ModelSpec)
//! gives them ([`DensityCut`]), and a [`Segmentation`] whose rows in no dense region are *outliers*.
//!
//! Outliers are a segment of their own, always the last one (`k − 1`) and only when there are any; the
//! clusters before it are numbered by size (0 = largest, ties by first row), as for every method. The
//! labelled CSV writes `outlier` for them, JSON −1; silhouette, Davies-Bouldin and Calinski-Harabasz are
//! computed on the clustered rows only (see [`super::run::fit_segments`]).

use ndarray::ArrayView2;

use super::fit::{Assigner, Segmentation, inertia_where, segment_means};
use super::run::{LabelScores, score_labels};
use super::spec::{FitOptions, Policy};
use crate::cluster::Method;
use crate::cluster::density::{
    DbscanParams, DensityResult, Optics, OpticsParams, XiParams, dbscan, optics,
};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// sklearn's default `min_samples` (DBSCAN and OPTICS).
pub const DEFAULT_MIN_SAMPLES: usize = 5;

/// sklearn's default OPTICS `xi`.
pub const DEFAULT_XI: f64 = 0.05;

/// The name of segment of outliers (the labelled CSV's `segment` and `segment_name` cells).
pub const OUTLIER: &str = "outlier";

/// How a density method is run, resolved from a spec's `eps`, `min_samples` and `xi`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DensityCut {
    /// DBSCAN at `eps`.
    Dbscan {
        /// Neighbourhood radius.
        eps: f64,
        /// Core size (the row itself counts).
        min_samples: usize,
    },
    /// OPTICS (max_eps = ∞) cut at `eps` (sklearn's `cluster_method="dbscan"`).
    OpticsEps {
        /// The cut.
        eps: f64,
        /// Core size.
        min_samples: usize,
    },
    /// OPTICS (max_eps = ∞) with sklearn's xi extraction.
    OpticsXi {
        /// Steepness.
        xi: f64,
        /// Core size.
        min_samples: usize,
    },
}

impl DensityCut {
    /// The settings of a density method's options; errors name what is missing or conflicting in
    /// engine terms (the CLI adds its flags).
    pub fn of(opts: &FitOptions) -> Result<Self> {
        let min_samples = opts.min_samples.unwrap_or(DEFAULT_MIN_SAMPLES);
        let cut = match (opts.method, opts.eps, opts.xi) {
            (Method::Dbscan, Some(eps), None) => DensityCut::Dbscan { eps, min_samples },
            (Method::Dbscan, None, _) => {
                return Err(Error::InvalidParameter(
                    "DBSCAN needs eps, its neighbourhood radius in prepared units: take it at the knee \
                     of the k-distance curve for the same min_samples"
                        .into(),
                ));
            }
            (Method::Dbscan, Some(_), Some(_)) => {
                return Err(Error::InvalidParameter(
                    "xi is an OPTICS setting; DBSCAN takes eps and min_samples".into(),
                ));
            }
            (Method::Optics, Some(_), Some(_)) => {
                return Err(Error::InvalidParameter(
                    "OPTICS is cut either at an eps or by xi, not both".into(),
                ));
            }
            (Method::Optics, Some(eps), None) => DensityCut::OpticsEps { eps, min_samples },
            (Method::Optics, None, xi) => DensityCut::OpticsXi {
                xi: xi.unwrap_or(DEFAULT_XI),
                min_samples,
            },
            (m, ..) => {
                return Err(Error::InvalidParameter(format!(
                    "internal: {m} is not a density method"
                )));
            }
        };
        cut.check()?;
        Ok(cut)
    }

    fn check(&self) -> Result<()> {
        match *self {
            DensityCut::Dbscan { eps, min_samples } => DbscanParams::new(eps, min_samples).check(),
            DensityCut::OpticsEps { eps, min_samples } => {
                if !(eps.is_finite() && eps > 0.0) {
                    return Err(Error::InvalidParameter(format!(
                        "eps = {eps} is not a positive distance; pick one on the reachability plot"
                    )));
                }
                OpticsParams::new(min_samples).check(usize::MAX)
            }
            DensityCut::OpticsXi { xi, min_samples } => {
                if !(0.0..=1.0).contains(&xi) {
                    return Err(Error::InvalidParameter(format!(
                        "xi = {xi} must be between 0 and 1 (e.g. 0.05)"
                    )));
                }
                OpticsParams::new(min_samples).check(usize::MAX)
            }
        }
    }

    /// min_samples.
    pub fn min_samples(&self) -> usize {
        match *self {
            DensityCut::Dbscan { min_samples, .. }
            | DensityCut::OpticsEps { min_samples, .. }
            | DensityCut::OpticsXi { min_samples, .. } => min_samples,
        }
    }

    /// eps, when the method is cut at one.
    pub fn eps(&self) -> Option<f64> {
        match *self {
            DensityCut::Dbscan { eps, .. } | DensityCut::OpticsEps { eps, .. } => Some(eps),
            DensityCut::OpticsXi { .. } => None,
        }
    }

    /// xi, for the xi extraction.
    pub fn xi(&self) -> Option<f64> {
        match *self {
            DensityCut::OpticsXi { xi, .. } => Some(xi),
            _ => None,
        }
    }
}

/// What a density fit adds to its [`Segmentation`].
#[derive(Debug, Clone)]
pub struct DensityFit {
    /// The settings used.
    pub cut: DensityCut,
    /// Clusters (outliers not counted).
    pub n_clusters: usize,
    /// Outlier rows (sklearn's label −1).
    pub n_noise: usize,
    /// The rows a new row can join, ascending, with the radius within which it joins them. DBSCAN and
    /// an OPTICS eps cut: the core rows (all in a cluster), radius eps. OPTICS xi (no single density
    /// threshold): every row, outliers included, radius its core distance — so a new row nearest to a
    /// training outlier is an outlier too, and every training row scores as it was labelled.
    pub core_rows: Vec<usize>,
    /// Radius of each of `core_rows`.
    pub core_radius: Vec<f64>,
    /// The OPTICS graph (reachability plot, re-cuts), for OPTICS.
    pub optics: Option<Optics>,
}

/// Estimated wall seconds of OPTICS with max_eps = ∞ on `n` rows × `d` features: the ordering scans
/// every unprocessed row for each row (n²/2 distances, ~1 ns per feature term on this class of machine).
pub fn optics_secs(n: usize, d: usize) -> f64 {
    (n as f64) * (n as f64) / 2.0 * d.max(1) as f64 * 1e-9
}

/// Fits a density method on `x`.
pub fn fit_density(
    x: ArrayView2<f64>,
    opts: &FitOptions,
    progress: &Progress,
) -> Result<Segmentation> {
    fit_density_reusing(x, opts, None, progress)
}

/// [`fit_density`] that, for OPTICS, cuts `cached` (a graph of these rows) when it was made with the same
/// min_samples and row count, instead of recomputing the O(n²) ordering: the re-cut of the app's
/// reachability threshold. DBSCAN ignores `cached`.
pub fn fit_density_reusing(
    x: ArrayView2<f64>,
    opts: &FitOptions,
    cached: Option<&Optics>,
    progress: &Progress,
) -> Result<Segmentation> {
    let cut = DensityCut::of(opts)?;
    let (n, d) = x.dim();
    let (result, optics_graph, radius_of): (DensityResult, Option<Optics>, Vec<f64>) = match cut {
        DensityCut::Dbscan { eps, min_samples } => {
            let r = dbscan(x, &DbscanParams::new(eps, min_samples), progress)?;
            (r, None, Vec::new())
        }
        DensityCut::OpticsEps { min_samples, .. } | DensityCut::OpticsXi { min_samples, .. } => {
            let reusable = cached
                .filter(|g| g.min_samples == min_samples && g.ordering.len() == n)
                .cloned();
            let secs = optics_secs(n, d);
            if reusable.is_none() && secs > super::run::TIME_BUDGET_SECS {
                return Err(Error::TooSlow {
                    what: format!("OPTICS over all scales on {n} rows × {d} features"),
                    estimate_secs: secs,
                    way_out: "use DBSCAN at an eps from the k-distance curve, or sample the rows"
                        .into(),
                });
            }
            let g = match reusable {
                Some(g) => g,
                None => optics(x, &OpticsParams::new(min_samples), progress)?,
            };
            let r = match cut {
                DensityCut::OpticsEps { eps, .. } => g.cut(eps)?,
                _ => g.xi(&XiParams::new(cut.xi().unwrap_or(DEFAULT_XI)))?.labels,
            };
            let radius = g.core_distances.clone();
            (r, Some(g), radius)
        }
    };
    let n_clusters = result.n_clusters;
    let n_noise = result.n_noise;
    let k = n_clusters + usize::from(n_noise > 0);
    let labels: Vec<usize> = result
        .labels
        .iter()
        .map(|&l| usize::try_from(l).unwrap_or(n_clusters))
        .collect();
    let centroids = segment_means(x, &labels, k);
    // Inertia of the clustered rows only (outliers have no centre to be near).
    let inertia = inertia_where(x, &labels, &centroids, |l| l < n_clusters);
    let core_rows: Vec<usize> = result
        .core_sample_indices
        .iter()
        .copied()
        .filter(|&i| cut.eps().is_none() || labels[i] < n_clusters)
        .collect();
    let core_radius = match cut.eps() {
        Some(eps) => vec![eps; core_rows.len()],
        None => core_rows.iter().map(|&i| radius_of[i]).collect(),
    };
    Ok(Segmentation {
        method: opts.method,
        k,
        labels,
        centroids,
        inertia,
        probabilities: None,
        bic: None,
        aic: None,
        dendrogram: None,
        approximate: false,
        assigner: Assigner::Density,
        density: Some(Box::new(DensityFit {
            cut,
            n_clusters,
            n_noise,
            core_rows,
            core_radius,
            optics: optics_graph,
        })),
    })
}

/// [`score_labels`] of the clustered rows only: the rows of segment `noise` (a density method's
/// outliers, the last segment) are left out of the silhouette, Davies-Bouldin and Calinski-Harabasz; their
/// per-row silhouette is 0 (not scored; the labelled CSV leaves the cell empty).
pub(crate) fn score_clustered(
    x: ArrayView2<f64>,
    labels: &[usize],
    noise: usize,
    policy: &Policy,
    seed: u64,
    progress: &Progress,
) -> Result<LabelScores> {
    let kept: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] != noise).collect();
    crate::budget::check(
        crate::budget::f64s(kept.len() as u128 * x.ncols() as u128),
        &format!("a copy of the {} clustered rows for scoring", kept.len()),
        "use a smaller eps or sample the rows",
    )?;
    let sub = x.select(ndarray::Axis(0), &kept);
    let sub_labels: Vec<usize> = kept.iter().map(|&i| labels[i]).collect();
    let mut scored = score_labels(sub.view(), &sub_labels, policy, seed, progress)?;
    if let Some(s) = scored.per_row.take() {
        let mut all = vec![0.0; labels.len()];
        for (&i, v) in kept.iter().zip(s) {
            all[i] = v;
        }
        scored.per_row = Some(all);
    }
    if let Some(sample) = &mut scored.sample {
        for r in &mut sample.rows {
            *r = kept[*r];
        }
    }
    Ok(scored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fit::tests::blobs;
    use crate::cluster::density::DensityResult;

    fn opts(method: Method, eps: Option<f64>, xi: Option<f64>) -> FitOptions {
        FitOptions {
            method,
            eps,
            xi,
            ..FitOptions::default()
        }
    }

    #[test]
    fn settings_are_resolved_or_refused() {
        let c = DensityCut::of(&opts(Method::Dbscan, Some(0.5), None)).unwrap();
        assert_eq!((c.eps(), c.min_samples()), (Some(0.5), 5));
        let e = DensityCut::of(&opts(Method::Dbscan, None, None)).unwrap_err();
        assert!(e.to_string().contains("k-distance"), "{e}");
        assert!(DensityCut::of(&opts(Method::Dbscan, Some(0.5), Some(0.1))).is_err());
        assert!(DensityCut::of(&opts(Method::Optics, Some(0.5), Some(0.1))).is_err());
        assert_eq!(
            DensityCut::of(&opts(Method::Optics, None, None)).unwrap(),
            DensityCut::OpticsXi {
                xi: 0.05,
                min_samples: 5
            }
        );
        assert!(DensityCut::of(&opts(Method::Optics, None, Some(1.5))).is_err());
        assert!(DensityCut::of(&opts(Method::Dbscan, Some(-1.0), None)).is_err());
        assert!(DensityCut::of(&opts(Method::Kmeans, None, None)).is_err());
    }

    #[test]
    fn outliers_are_the_last_segment() {
        let mut x = blobs();
        // Two far-away rows: outliers.
        x[[0, 0]] = 100.0;
        x[[5, 1]] = -100.0;
        let seg = fit_density(
            x.view(),
            &opts(Method::Dbscan, Some(1.0), None),
            &Progress::new(),
        )
        .unwrap();
        let dens = seg.density.as_ref().unwrap();
        assert_eq!(dens.n_clusters, 3);
        assert!(dens.n_noise >= 2);
        assert_eq!(seg.k, 4);
        assert_eq!((seg.labels[0], seg.labels[5]), (3, 3));
        let sizes = seg.sizes();
        assert!(sizes[0] >= sizes[1] && sizes[1] >= sizes[2], "{sizes:?}");
        assert_eq!(sizes[3], dens.n_noise);
        assert_eq!(seg.noise_segment(), Some(3));
        assert!(dens.core_rows.iter().all(|&i| seg.labels[i] < 3));
        assert!(dens.core_radius.iter().all(|&r| r == 1.0));
        assert!(seg.inertia.is_finite());
        // OPTICS xi on the same rows keeps its graph and the core distances as radii.
        let o = fit_density(
            x.view(),
            &opts(Method::Optics, None, None),
            &Progress::new(),
        )
        .unwrap();
        let od = o.density.as_ref().unwrap();
        assert!(od.optics.is_some());
        assert!(od.core_radius.iter().all(|r| r.is_finite()));
        assert_eq!(od.core_rows.len(), x.nrows());
    }

    #[test]
    fn a_cached_graph_is_re_cut_as_sklearn_cluster_optics_dbscan() {
        let mut x = blobs();
        x[[0, 0]] = 100.0;
        let o = fit_density(
            x.view(),
            &opts(Method::Optics, None, None),
            &Progress::new(),
        )
        .unwrap();
        let graph = o.density.as_ref().unwrap().optics.clone().unwrap();
        for eps in [0.3, 0.8, 1.5, 5.0] {
            let with_eps = opts(Method::Optics, Some(eps), None);
            let fresh = fit_density(x.view(), &with_eps, &Progress::new()).unwrap();
            let recut =
                fit_density_reusing(x.view(), &with_eps, Some(&graph), &Progress::new()).unwrap();
            assert_eq!(recut.labels, fresh.labels, "eps {eps}");
            // sklearn's cluster_optics_dbscan, written out: walk the ordering; far & core starts a
            // cluster, far & not core is noise, the rest joins the current cluster.
            let (mut raw, mut c) = (vec![0i64; x.nrows()], -1i64);
            for &i in &graph.ordering {
                let far = graph.reachability[i] > eps;
                let core = graph.core_distances[i] <= eps;
                if far && core {
                    c += 1;
                }
                raw[i] = if far && !core { -1 } else { c };
            }
            let want = DensityResult::from_raw(&raw, Vec::new());
            let dens = recut.density.as_ref().unwrap();
            assert_eq!(
                (dens.n_clusters, dens.n_noise),
                (want.n_clusters, want.n_noise)
            );
            for (&got, &w) in recut.labels.iter().zip(&want.labels) {
                let w = usize::try_from(w).unwrap_or(want.n_clusters);
                assert_eq!(got, w, "eps {eps}");
            }
        }
        // A graph of another min_samples is not reused (OPTICS runs afresh, same answer).
        let mut other = opts(Method::Optics, Some(1.0), None);
        other.min_samples = Some(8);
        let fresh = fit_density(x.view(), &other, &Progress::new()).unwrap();
        let reused = fit_density_reusing(x.view(), &other, Some(&graph), &Progress::new()).unwrap();
        assert_eq!(fresh.labels, reused.labels);
        assert_eq!(
            reused
                .density
                .as_ref()
                .unwrap()
                .optics
                .as_ref()
                .unwrap()
                .min_samples,
            8
        );
    }

    #[test]
    fn a_run_scores_the_clustered_rows_and_records_the_settings() {
        use std::fmt::Write as _;

        use crate::analysis::run::{Target, fit_segments, prepare};
        use crate::analysis::{ModelSpec, Recipe};
        use crate::data::{LoadOptions, load_bytes};
        use crate::prep::{Preparation, Scale};

        let x = blobs();
        let mut text = String::from("a,b\n");
        for r in x.outer_iter() {
            writeln!(text, "{},{}", r[0], r[1]).unwrap();
        }
        text.push_str("60,60\n-60,60\n");
        let t = load_bytes(
            text.into_bytes(),
            "t.csv",
            &LoadOptions::default(),
            &Progress::new(),
        )
        .unwrap();
        let mut prep = Preparation::new(vec!["a".into(), "b".into()]);
        prep.scale = Scale::None;
        let data = prepare(&t, &prep, 0, &Progress::new()).unwrap();
        let spec = ModelSpec {
            method: Method::Dbscan,
            eps: Some(1.0),
            ..ModelSpec::default()
        };
        let p = Policy::default();
        let r = fit_segments(
            &t,
            &data,
            &spec,
            Target::Density,
            &p,
            None,
            &Progress::new(),
        )
        .unwrap();
        let noise = r.seg.noise_segment().unwrap();
        assert_eq!(noise, 3);
        assert_eq!(r.names[noise], OUTLIER);
        assert!(r.descriptions[noise].description.starts_with("Outliers · "));
        let sil = r.silhouette.as_ref().unwrap();
        assert_eq!((sil[240], sil[241]), (0.0, 0.0));
        // The indices equal those of the clustered rows scored on their own.
        let kept: Vec<usize> = (0..r.seg.labels.len())
            .filter(|&i| r.seg.labels[i] != noise)
            .collect();
        let sub = data.x().select(ndarray::Axis(0), &kept);
        let sub_labels: Vec<usize> = kept.iter().map(|&i| r.seg.labels[i]).collect();
        let alone = score_labels(sub.view(), &sub_labels, &p, 0, &Progress::new()).unwrap();
        assert_eq!(r.silhouette_mean, alone.scores.silhouette);
        assert_eq!(r.davies_bouldin, alone.scores.davies_bouldin);
        assert_eq!(r.calinski_harabasz, alone.scores.calinski_harabasz);
        // The recipe records the settings as used (min_samples defaulted), no k; it reads back.
        let m = r.model_spec();
        assert_eq!((m.k, m.height, m.n_init), (None, None, None));
        assert_eq!((m.eps, m.min_samples, m.xi), (Some(1.0), Some(5), None));
        let recipe = r.recipe(&data).unwrap();
        let back = Recipe::from_json(&recipe.to_json().unwrap(), "r.json").unwrap();
        assert_eq!(back.model, Some(m));
        // A k target with a k method and density settings with a k method are refused clearly.
        let kmeans = ModelSpec::default();
        let e = fit_segments(
            &t,
            &data,
            &kmeans,
            Target::Density,
            &p,
            None,
            &Progress::new(),
        );
        assert!(
            e.unwrap_err()
                .to_string()
                .contains("takes a number of segments")
        );
        let e = crate::analysis::run::sweep(
            &data,
            &[2, 3],
            &spec,
            &p,
            crate::analysis::run::SweepExtras::default(),
            None,
            &Progress::new(),
            None,
        );
        assert!(e.unwrap_err().to_string().contains("k-distance"));
        let curve = crate::analysis::run::k_distance_curve(&data, 5, &Progress::new()).unwrap();
        assert_eq!(curve.distances.len(), 242);
        assert!(curve.suggested_eps.is_some());
    }
}
