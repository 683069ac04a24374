//! The clustering method names shared by the CLI (`--method`), recipes and the GUI.

use std::fmt;
use std::str::FromStr;

/// A clustering method.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// K-Means (sklearn's k-means++ and Lloyd).
    #[default]
    Kmeans,
    /// Gaussian mixture (full covariance).
    Gmm,
    /// Agglomerative, Ward linkage.
    Ward,
    /// Agglomerative, average linkage.
    Average,
    /// Agglomerative, complete linkage.
    Complete,
    /// Agglomerative, single linkage.
    Single,
    /// DBSCAN (sklearn's `DBSCAN(eps, min_samples)`): density-based, leaves outliers unassigned.
    Dbscan,
    /// OPTICS (sklearn's `OPTICS(min_samples)`, xi or eps extraction): density-based, leaves outliers
    /// unassigned.
    Optics,
}

impl Method {
    /// Every method that fits a chosen number k of segments (swept over k), in menu order.
    pub const ALL: [Method; 6] = [
        Method::Kmeans,
        Method::Gmm,
        Method::Ward,
        Method::Average,
        Method::Complete,
        Method::Single,
    ];

    /// The density-based methods: no k; segments and outliers follow from eps / min_samples / xi.
    pub const DENSITY: [Method; 2] = [Method::Dbscan, Method::Optics];

    /// The CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Kmeans => "kmeans",
            Method::Gmm => "gmm",
            Method::Ward => "ward",
            Method::Average => "average",
            Method::Complete => "complete",
            Method::Single => "single",
            Method::Dbscan => "dbscan",
            Method::Optics => "optics",
        }
    }

    /// Whether it builds a merge tree.
    pub fn is_hierarchical(self) -> bool {
        matches!(
            self,
            Method::Ward | Method::Average | Method::Complete | Method::Single
        )
    }

    /// Whether it is density-based (DBSCAN, OPTICS): no k, noise rows are outliers.
    pub fn is_density(self) -> bool {
        matches!(self, Method::Dbscan | Method::Optics)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .chain(Method::DENSITY)
            .find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown method '{s}'; use kmeans, gmm, ward, average, complete, single, dbscan \
                     or optics"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Method::ALL.into_iter().chain(Method::DENSITY) {
            assert_eq!(m.as_str().parse::<Method>(), Ok(m));
            assert_eq!(m.is_density(), Method::DENSITY.contains(&m));
        }
        assert_eq!("DBSCAN".parse::<Method>(), Ok(Method::Dbscan));
        assert!(!Method::Optics.is_hierarchical());
        assert!(
            "kmedoids"
                .parse::<Method>()
                .unwrap_err()
                .contains("unknown method")
        );
    }
}
