//! Analysis built on the clustering engine: the K sweep with its recommendation, and per-segment profiles.

pub mod sweep;

pub use sweep::{Candidate, Recommendation, Sweep, SweepRow, knee_kneedle, recommend, score_candidates};
