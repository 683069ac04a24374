//! Dimension reduction for display: PCA (sklearn conventions).

mod cross;
mod eigen;
pub mod pca;

pub use pca::{Pca, pca};
