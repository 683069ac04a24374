//! Analysis built on the clustering engine: the run API that the app and the CLI share ([`run`]), the K
//! sweep and its recommendation, per-segment profiles, and the recipe file that reproduces a run.

pub mod biplot;
pub mod compare;
pub mod density;
pub mod describe;
pub mod fit;
pub mod gap;
pub mod profile;
pub mod profile_readout;
pub mod recipe;
pub mod recommend;
pub mod run;
pub mod selection;
pub mod silhouette_bands;
pub mod spec;
pub mod stability;
pub mod sweep;
pub mod tendency;

pub use fit::{Segmentation, TreeCut, build_tree, fit, fit_height, segment_tree};
pub use profile::{Profile, profile};
pub use recipe::{FittedModel, RECIPE_VERSION, Recipe};
pub use recommend::{Recommendation, knee_kneedle, recommend, silhouette_quality};
pub use run::{
    LabelScores, PreparedData, SegResult, Target, fit_segments, fit_segments_reusing, prepare,
    score_labels, sweep,
};
pub use spec::{DEFAULT_N_INIT, Decision, FitOptions, ModelSpec, Policy};
pub use sweep::{Candidate, Sweep, SweepRow, run_sweep, score_candidates};
