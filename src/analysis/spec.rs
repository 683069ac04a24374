//! What a run's clustering does ([`ModelSpec`]: method, k or cut height, seed, restarts, covariance) and the
//! one large-data [`Policy`] the app and the CLI share: when silhouettes are exact and when they are
//! estimated from a sample, when restarts are lowered. Every choice the policy makes for a run is recorded
//! as a [`Decision`], shown to the user and written into the recipe as actually used.

use std::fmt;

use crate::cluster::kmeans::Refine;
use crate::cluster::{CovarianceType, Method};

/// The model part of a recipe: how to cluster the prepared matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelSpec {
    /// Clustering method.
    pub method: Method,
    /// Number of segments (`None`: the sweep's recommendation, or a cut height).
    pub k: Option<usize>,
    /// Height at which to cut the merge tree (hierarchical methods).
    pub height: Option<f64>,
    /// Random seed (k-means, GMM, samples).
    pub seed: u64,
    /// Restarts of k-means / GMM; `None` lets the [`Policy`] choose (10, lowered on large data).
    pub n_init: Option<usize>,
    /// Covariance type of Gaussian mixtures.
    pub covariance: CovarianceType,
    /// Density methods: DBSCAN's neighbourhood radius, or the eps at which OPTICS is cut (prepared units).
    pub eps: Option<f64>,
    /// Density methods: neighbours (the row itself included) a core row needs (`None`: 5, sklearn's).
    pub min_samples: Option<usize>,
    /// OPTICS: the xi steepness of cluster boundaries (`None` without eps: 0.05, sklearn's).
    pub xi: Option<f64>,
    /// K-Means: the refinement after Lloyd (default Hartigan–Wong; `none` is sklearn's plain Lloyd).
    pub refine: Refine,
}

impl Default for ModelSpec {
    fn default() -> Self {
        Self {
            method: Method::Kmeans,
            k: None,
            height: None,
            seed: 0,
            n_init: None,
            covariance: CovarianceType::Full,
            eps: None,
            min_samples: None,
            xi: None,
            refine: Refine::HartiganWong,
        }
    }
}

/// Restarts used when none are given.
pub const DEFAULT_N_INIT: usize = 10;

/// Method settings of one fit or sweep, as actually used (after the policy).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Method.
    pub method: Method,
    /// Random seed.
    pub seed: u64,
    /// Restarts (k-means, GMM).
    pub n_init: usize,
    /// Covariance type (GMM).
    pub covariance: CovarianceType,
    /// Density methods: eps (DBSCAN's radius, or the OPTICS cut), as given.
    pub eps: Option<f64>,
    /// Density methods: min_samples, as given (`None`: sklearn's 5).
    pub min_samples: Option<usize>,
    /// OPTICS: xi, as given.
    pub xi: Option<f64>,
    /// K-Means: the refinement after Lloyd.
    pub refine: Refine,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            method: Method::Kmeans,
            seed: 0,
            n_init: DEFAULT_N_INIT,
            covariance: CovarianceType::Full,
            eps: None,
            min_samples: None,
            xi: None,
            refine: Refine::HartiganWong,
        }
    }
}

/// A choice the large-data policy made for a run, recorded for the user (status bar, stderr, JSON).
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Restarts were lowered on large data (the user did not set them).
    RestartsLowered {
        /// Restarts the user would have had.
        from: usize,
        /// Restarts used.
        to: usize,
        /// Rows clustered.
        rows: usize,
    },
    /// Silhouettes were estimated from a stratified sample.
    SilhouetteSampled {
        /// Rows scored.
        sample: usize,
        /// Rows clustered.
        rows: usize,
    },
    /// The merge tree was built on micro-clusters.
    ApproximateTree {
        /// Rows clustered.
        rows: usize,
    },
    /// Optional evidence (stability, gap statistic) could not be computed; the result stands without it.
    NotComputed {
        /// What was not computed.
        what: String,
        /// Why.
        reason: String,
    },
    /// Segment names could not be carried to this segmentation.
    NamesDropped {
        /// Why.
        reason: String,
    },
    /// A k of the sweep could not be scored and was skipped.
    KSkipped {
        /// The k.
        k: usize,
        /// Why, in words.
        reason: String,
    },
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::RestartsLowered { from, to, rows } => write!(
                f,
                "restarts lowered from {from} to {to} on {rows} rows (set them explicitly to keep {from})"
            ),
            Decision::SilhouetteSampled { sample, rows } => write!(
                f,
                "silhouette estimated from a stratified sample of {sample} of {rows} rows (each sampled \
                 row scored against up to 4,096 rows of every segment; 95% confidence interval given)"
            ),
            Decision::ApproximateTree { rows } => write!(
                f,
                "the merge tree of {rows} rows is approximate: built on k-means micro-clusters"
            ),
            Decision::KSkipped { k, reason } => write!(f, "k = {k} skipped: {reason}"),
            Decision::NotComputed { what, reason } => write!(f, "{what} not computed: {reason}"),
            Decision::NamesDropped { reason } => {
                write!(
                    f,
                    "segment names dropped ({reason}); the suggested names are used"
                )
            }
        }
    }
}

impl serde::Serialize for Decision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Pair-feature distance terms per second the exact silhouette reaches on this class of machine (for time
/// estimates in messages only).
const SILHOUETTE_TERMS_PER_SEC: f64 = 3e9;

/// The one large-data policy, used by the app and the CLI alike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Silhouettes (mean and per row) are exact up to this many rows; beyond, a stratified sample.
    pub exact_silhouette_rows: usize,
    /// Compute exact silhouettes whatever the size (the user asked and was told the time).
    pub force_exact_silhouette: bool,
    /// Above this many rows, restarts the user did not set are lowered (k-means 3, GMM 1).
    pub large_rows: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            exact_silhouette_rows: 30_000,
            force_exact_silhouette: false,
            large_rows: 200_000,
        }
    }
}

impl Policy {
    /// Whether silhouettes of `n` rows are computed exactly.
    pub fn exact_silhouette(&self, n: usize) -> bool {
        self.force_exact_silhouette || n <= self.exact_silhouette_rows
    }

    /// Rows in a sampled silhouette estimate for `n` rows: about 4·10⁸ distances per labelling, between
    /// 1,000 and 10,000 rows.
    pub fn silhouette_sample(&self, n: usize) -> usize {
        (400_000_000 / n.max(1)).clamp(1_000, 10_000).min(n)
    }

    /// Estimated seconds of an exact silhouette of `n` rows × `d` features (for messages).
    pub fn exact_silhouette_secs(n: usize, d: usize) -> f64 {
        (n as f64) * (n as f64) / 2.0 * d.max(1) as f64 / SILHOUETTE_TERMS_PER_SEC
    }

    /// The fit options for `spec` on `n` rows, with the decisions taken.
    pub fn fit_options(&self, spec: &ModelSpec, n: usize) -> (FitOptions, Vec<Decision>) {
        let mut decisions = Vec::new();
        let n_init = match spec.n_init {
            Some(v) => v.max(1),
            None if n > self.large_rows
                && !spec.method.is_hierarchical()
                && !spec.method.is_density() =>
            {
                let to = if spec.method == Method::Gmm { 1 } else { 3 };
                decisions.push(Decision::RestartsLowered {
                    from: DEFAULT_N_INIT,
                    to,
                    rows: n,
                });
                to
            }
            None => DEFAULT_N_INIT,
        };
        (
            FitOptions {
                method: spec.method,
                seed: spec.seed,
                n_init,
                covariance: spec.covariance,
                eps: spec.eps,
                min_samples: spec.min_samples,
                xi: spec.xi,
                refine: spec.refine,
            },
            decisions,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_lowered_only_when_not_given() {
        let p = Policy::default();
        let spec = ModelSpec::default();
        let (o, d) = p.fit_options(&spec, 1_000);
        assert_eq!((o.n_init, d.len()), (10, 0));
        let (o, d) = p.fit_options(&spec, 300_000);
        assert_eq!(o.n_init, 3);
        assert!(d[0].to_string().contains("from 10 to 3"), "{}", d[0]);
        let gmm = ModelSpec {
            method: Method::Gmm,
            ..spec
        };
        assert_eq!(p.fit_options(&gmm, 300_000).0.n_init, 1);
        let given = ModelSpec {
            n_init: Some(7),
            ..spec
        };
        let (o, d) = p.fit_options(&given, 300_000);
        assert_eq!((o.n_init, d.len()), (7, 0));
        // K-Means refines by default and passes `none` through.
        assert_eq!(o.refine, Refine::HartiganWong);
        let plain = ModelSpec {
            refine: Refine::None,
            ..spec
        };
        assert_eq!(p.fit_options(&plain, 10).0.refine, Refine::None);
    }

    #[test]
    fn silhouette_policy() {
        let p = Policy::default();
        assert!(p.exact_silhouette(30_000));
        assert!(!p.exact_silhouette(30_001));
        assert_eq!(p.silhouette_sample(1_000_000), 1_000);
        assert_eq!(p.silhouette_sample(40_000), 10_000);
        assert!(Policy::exact_silhouette_secs(1_000_000, 10) > 600.0);
        let forced = Policy {
            force_exact_silhouette: true,
            ..p
        };
        assert!(forced.exact_silhouette(10_000_000));
    }
}
