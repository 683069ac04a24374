//! Analysis built on the clustering engine: the K sweep with its recommendation, and per-segment profiles.

pub mod compare;
pub mod describe;
pub mod fit;
pub mod gap;
pub mod profile;
pub mod stability;
pub mod sweep;

pub use fit::{
    FitOptions, Segmentation, TreeCut, build_tree, fit, fit_height, run_sweep, run_sweep_streaming,
    segment_tree,
};
pub use profile::{Profile, profile, write_profile_csv};
pub use sweep::{
    Candidate, Recommendation, Sweep, SweepRow, knee_kneedle, recommend, score_candidates,
};
