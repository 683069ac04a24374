//! Dimension reduction for display: PCA and t-SNE (sklearn conventions).

mod cross;
mod eigen;
pub mod pca;
pub mod tsne;

pub use pca::{Pca, pca};
pub use tsne::{TsneInit, TsneParams, sample_rows_stratified, tsne};
