//! Dimension reduction for display: PCA (sklearn conventions).

pub mod pca;

pub use pca::{Pca, pca};
