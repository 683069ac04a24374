//! One entry point for every method: fit k segments (or cut a tree at a height) on a prepared matrix.
//! Segments come back numbered canonically (0 = largest). The K sweep built on it is [`super::sweep()`]; the
//! whole run (preparation, policy, scores, profile) is [`super::run`].

use ndarray::{Array2, ArrayView2};

pub use super::density::DensityFit;
pub use super::spec::FitOptions;
use crate::cluster::{
    Dendrogram, GmmParams, KMeansParams, Linkage, Method, MixtureParams, auto_linkage,
    canonical_labels, cut_height, cut_k, gmm, kmeans, labels_for_rows,
};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// How a fit assigns a row to a segment: what a saved model needs to score new rows exactly as the fit
/// scored its training rows (see `crate::model`).
#[derive(Debug, Clone, PartialEq)]
pub enum Assigner {
    /// K-means: the nearest centre (centres in the algorithm's own order), then `to_segment`.
    Centres {
        /// k × d centres, in the algorithm's order.
        centres: Array2<f64>,
        /// Segment (0 = largest) of each centre.
        to_segment: Vec<usize>,
    },
    /// Gaussian mixture: the most probable component, then `to_segment`.
    Mixture {
        /// The fitted parameters.
        params: MixtureParams,
        /// Segment of each component.
        to_segment: Vec<usize>,
    },
    /// Hierarchical: the rows (or micro-clusters) of the tree; a model scores by the nearest of them.
    Tree,
    /// Density-based: the core rows in `Segmentation::density`; a model scores by the nearest core row
    /// within its radius, else outlier.
    Density,
}

/// A segmentation of the rows of a prepared matrix.
#[derive(Debug, Clone)]
pub struct Segmentation {
    /// Method that made it.
    pub method: Method,
    /// Number of segments.
    pub k: usize,
    /// Segment of each row, 0 = largest.
    pub labels: Vec<usize>,
    /// k × d segment means in the prepared space (k-means: its centres).
    pub centroids: Array2<f64>,
    /// Sum of squared distances of rows to their segment mean.
    pub inertia: f64,
    /// n × k membership probabilities (GMM), columns in segment order.
    pub probabilities: Option<Array2<f64>>,
    /// BIC (GMM).
    pub bic: Option<f64>,
    /// AIC (GMM).
    pub aic: Option<f64>,
    /// The merge tree (hierarchical methods).
    pub dendrogram: Option<Dendrogram>,
    /// Whether the tree was built on micro-clusters (large data).
    pub approximate: bool,
    /// How rows were assigned (for scoring new rows with a saved model).
    pub assigner: Assigner,
    /// Density methods: clusters, outliers (the last segment, when there are any), core rows and the
    /// OPTICS graph.
    pub density: Option<Box<DensityFit>>,
}

impl Segmentation {
    /// Rows per segment.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![0; self.k];
        for &l in &self.labels {
            s[l] += 1;
        }
        s
    }

    /// The segment of outliers (density methods with noise rows): always the last one.
    pub fn noise_segment(&self) -> Option<usize> {
        self.density
            .as_ref()
            .filter(|d| d.n_noise > 0)
            .map(|d| d.n_clusters)
    }

    /// Rows in no cluster (density methods; 0 for the others).
    pub fn n_noise(&self) -> usize {
        self.density.as_ref().map_or(0, |d| d.n_noise)
    }

    /// Number of segments that are clusters (the outlier segment not counted).
    pub fn n_clusters(&self) -> usize {
        self.density.as_ref().map_or(self.k, |d| d.n_clusters)
    }

    /// Euclidean distance of each row to its segment's centre.
    pub fn distances_to_centre(&self, x: ArrayView2<f64>) -> Vec<f64> {
        x.outer_iter()
            .zip(&self.labels)
            .map(|(r, &l)| {
                r.iter()
                    .zip(self.centroids.row(l))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt()
            })
            .collect()
    }
}

pub(crate) fn linkage_of(method: Method) -> Option<Linkage> {
    match method {
        Method::Ward => Some(Linkage::Ward),
        Method::Average => Some(Linkage::Average),
        Method::Complete => Some(Linkage::Complete),
        Method::Single => Some(Linkage::Single),
        Method::Kmeans | Method::Gmm | Method::Dbscan | Method::Optics => None,
    }
}

/// Segment means and the within-segment sum of squares.
pub(crate) fn means_and_inertia(
    x: ArrayView2<f64>,
    labels: &[usize],
    k: usize,
) -> (Array2<f64>, f64) {
    let means = segment_means(x, labels, k);
    let inertia = inertia_where(x, labels, &means, |_| true);
    (means, inertia)
}

/// The mean of each segment `0..k` (zeros for an empty one).
pub(crate) fn segment_means(x: ArrayView2<f64>, labels: &[usize], k: usize) -> Array2<f64> {
    let d = x.ncols();
    let mut sums = Array2::<f64>::zeros((k, d));
    let mut counts = vec![0usize; k];
    for (row, &l) in x.outer_iter().zip(labels) {
        let mut s = sums.row_mut(l);
        s += &row;
        counts[l] += 1;
    }
    for (mut s, &c) in sums.outer_iter_mut().zip(&counts) {
        if c > 0 {
            s /= c as f64;
        }
    }
    sums
}

/// The sum of squared distances of the rows whose label `keep`s to their segment's centre.
pub(crate) fn inertia_where(
    x: ArrayView2<f64>,
    labels: &[usize],
    centres: &Array2<f64>,
    keep: impl Fn(usize) -> bool,
) -> f64 {
    x.outer_iter()
        .zip(labels)
        .filter(|&(_, &l)| keep(l))
        .map(|(r, &l)| {
            r.iter()
                .zip(centres.row(l))
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
        })
        .sum()
}

fn from_labels(
    x: ArrayView2<f64>,
    method: Method,
    raw: &[usize],
    k: usize,
    dendrogram: Option<Dendrogram>,
) -> Segmentation {
    let (labels, _) = canonical_labels(raw, k);
    let (centroids, inertia) = means_and_inertia(x, &labels, k);
    let approximate = dendrogram.as_ref().is_some_and(|d| d.approximate);
    Segmentation {
        method,
        k,
        labels,
        centroids,
        inertia,
        probabilities: None,
        bic: None,
        aic: None,
        dendrogram,
        approximate,
        assigner: Assigner::Tree,
        density: None,
    }
}

pub(crate) fn tree_labels(tree: &Dendrogram, leaf_labels: &[usize]) -> Result<Vec<usize>> {
    if tree.approximate {
        labels_for_rows(tree, leaf_labels)
    } else {
        Ok(leaf_labels.to_vec())
    }
}

/// Fits `k` segments with `opts.method`.
pub fn fit(
    x: ArrayView2<f64>,
    k: usize,
    opts: FitOptions,
    progress: &Progress,
) -> Result<Segmentation> {
    let n = x.nrows();
    if k == 0 || k > n {
        return Err(Error::InvalidParameter(format!(
            "k must be between 1 and the number of rows ({n}); got {k}"
        )));
    }
    match opts.method {
        m if m.is_density() => Err(Error::InvalidParameter(format!(
            "{m} does not take a number of segments k: its segments and outliers follow from eps and \
             min_samples"
        ))),
        Method::Kmeans => {
            let params = KMeansParams {
                n_init: opts.n_init,
                seed: opts.seed,
                refine: opts.refine,
                ..KMeansParams::new(k)
            };
            let m = kmeans(x, &params, progress)?;
            let (labels, old_to_new) = canonical_labels(&m.labels, k);
            let mut centroids = Array2::zeros(m.centroids.dim());
            for (old, &new) in old_to_new.iter().enumerate() {
                centroids.row_mut(new).assign(&m.centroids.row(old));
            }
            Ok(Segmentation {
                method: Method::Kmeans,
                k,
                labels,
                centroids,
                inertia: m.inertia,
                probabilities: None,
                bic: None,
                aic: None,
                dendrogram: None,
                approximate: false,
                assigner: Assigner::Centres {
                    centres: m.centroids.clone(),
                    to_segment: old_to_new,
                },
                density: None,
            })
        }
        Method::Gmm => {
            let params = GmmParams {
                n_init: opts.n_init,
                seed: opts.seed,
                covariance: opts.covariance,
                ..GmmParams::new(k)
            };
            let g = gmm(x, &params, progress)?;
            let d = x.ncols();
            let mut seg = from_labels(x, Method::Gmm, &g.labels, k, None);
            let (_, old_to_new) = canonical_labels(&g.labels, k);
            let mut probs = Array2::zeros(g.probabilities.dim());
            for (old, &new) in old_to_new.iter().enumerate() {
                probs.column_mut(new).assign(&g.probabilities.column(old));
            }
            seg.probabilities = Some(probs);
            seg.bic = Some(g.bic(n, d));
            seg.aic = Some(g.aic(n, d));
            seg.assigner = Assigner::Mixture {
                params: g.params(),
                to_segment: old_to_new,
            };
            Ok(seg)
        }
        m => {
            let link = linkage_of(m)
                .ok_or_else(|| Error::InvalidParameter(format!("{m} is not hierarchical")))?;
            let tree = auto_linkage(x, link, progress)?;
            let leaf = cut_k(&tree, k)?;
            let rows = tree_labels(&tree, &leaf)?;
            Ok(from_labels(x, m, &rows, k, Some(tree)))
        }
    }
}

/// Cuts a hierarchical method's tree at `height`.
pub fn fit_height(
    x: ArrayView2<f64>,
    height: f64,
    opts: FitOptions,
    progress: &Progress,
) -> Result<Segmentation> {
    let link = linkage_of(opts.method).ok_or_else(|| {
        Error::InvalidParameter(format!(
            "a cut height needs a hierarchical method (ward, average, complete, single), not {}",
            opts.method
        ))
    })?;
    let tree = auto_linkage(x, link, progress)?;
    let leaf = cut_height(&tree, height)?;
    let k = leaf.iter().max().map_or(0, |m| m + 1);
    let rows = tree_labels(&tree, &leaf)?;
    Ok(from_labels(x, opts.method, &rows, k, Some(tree)))
}

/// Where to cut a merge tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TreeCut {
    /// Into this many segments.
    K(usize),
    /// At this height (every merge above it is undone).
    Height(f64),
}

/// Builds the merge tree of a hierarchical `method` (exact, or approximate on micro-clusters for large
/// data; see [`auto_linkage`]).
pub fn build_tree(x: ArrayView2<f64>, method: Method, progress: &Progress) -> Result<Dendrogram> {
    let link = linkage_of(method)
        .ok_or_else(|| Error::InvalidParameter(format!("{method} is not hierarchical")))?;
    auto_linkage(x, link, progress)
}

/// Segments `x` by cutting an already built `tree` (of the same rows), without rebuilding it: what the
/// GUI does while the user drags the cut line.
pub fn segment_tree(
    x: ArrayView2<f64>,
    method: Method,
    tree: Dendrogram,
    cut: TreeCut,
) -> Result<Segmentation> {
    if tree.n_rows() != x.nrows() {
        return Err(Error::InvalidParameter(format!(
            "internal: the tree covers {} rows, the data has {}",
            tree.n_rows(),
            x.nrows()
        )));
    }
    let leaf = match cut {
        TreeCut::K(k) => cut_k(&tree, k)?,
        TreeCut::Height(h) => cut_height(&tree, h)?,
    };
    let k = leaf.iter().max().map_or(0, |m| m + 1);
    let rows = tree_labels(&tree, &leaf)?;
    Ok(from_labels(x, method, &rows, k, Some(tree)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::Rng;

    pub(crate) fn blobs() -> Array2<f64> {
        let mut r = Rng::new(5);
        let centres = [[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]];
        let sizes = [120, 80, 40];
        let n: usize = sizes.iter().sum();
        let mut x = Array2::zeros((n, 2));
        let mut i = 0;
        for (c, &s) in centres.iter().zip(&sizes) {
            for _ in 0..s {
                x[[i, 0]] = c[0] + r.normal();
                x[[i, 1]] = c[1] + r.normal();
                i += 1;
            }
        }
        x
    }

    #[test]
    fn every_method_finds_three_blobs_numbered_by_size() {
        let x = blobs();
        for m in Method::ALL {
            if m == Method::Single {
                continue; // chains through noise; checked for shape only below
            }
            let seg = fit(
                x.view(),
                3,
                FitOptions {
                    method: m,
                    ..FitOptions::default()
                },
                &Progress::new(),
            )
            .unwrap();
            assert_eq!(seg.sizes(), [120, 80, 40], "{m}");
            assert_eq!(seg.probabilities.is_some(), m == Method::Gmm);
        }
        let seg = fit(
            x.view(),
            3,
            FitOptions {
                method: Method::Single,
                ..FitOptions::default()
            },
            &Progress::new(),
        )
        .unwrap();
        assert_eq!(seg.sizes().iter().sum::<usize>(), 240);
    }

    #[test]
    fn out_of_range_k_and_height_errors() {
        let x = blobs();
        let o = FitOptions::default();
        assert!(fit(x.view(), 0, o, &Progress::new()).is_err());
        assert!(fit(x.view(), 241, o, &Progress::new()).is_err());
        let e = fit_height(x.view(), 1.0, o, &Progress::new()).unwrap_err();
        assert!(e.to_string().contains("hierarchical"), "{e}");
    }

    #[test]
    fn tree_cut_by_k_and_height_reuses_the_tree() {
        let x = blobs();
        let tree = build_tree(x.view(), Method::Ward, &Progress::new()).unwrap();
        let by_k = segment_tree(x.view(), Method::Ward, tree.clone(), TreeCut::K(3)).unwrap();
        let direct = fit(
            x.view(),
            3,
            FitOptions {
                method: Method::Ward,
                ..FitOptions::default()
            },
            &Progress::new(),
        )
        .unwrap();
        assert_eq!(by_k.labels, direct.labels);
        let h = crate::cluster::height_for_k(&tree, 3);
        let by_h = segment_tree(x.view(), Method::Ward, tree.clone(), TreeCut::Height(h)).unwrap();
        assert_eq!(by_h.k, 3);
        assert_eq!(by_h.labels, direct.labels);
        let root = tree.root_height();
        assert!(
            segment_tree(
                x.view(),
                Method::Ward,
                tree.clone(),
                TreeCut::Height(root * 2.0)
            )
            .is_err()
        );
        assert!(build_tree(x.view(), Method::Kmeans, &Progress::new()).is_err());
        let small = x.slice(ndarray::s![..10, ..]);
        assert!(segment_tree(small, Method::Ward, tree, TreeCut::K(2)).is_err());
    }
}
