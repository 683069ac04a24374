//! segscope: find customer segments in a CSV.
//!
//! The engine (this library) loads a CSV into a typed [`data::Table`], prepares features, clusters, scores
//! and profiles segments. It has no GUI dependency: the desktop app and the CLI are thin layers on top.
//!
//! ```
//! use segscope::data::{load_bytes, LoadOptions, ColumnKind};
//! use segscope::jobs::Progress;
//!
//! let csv = b"customer,spend,region\nc1,10.5,North\nc2,,South\nc3,7,North\n".to_vec();
//! let table = load_bytes(csv, "example.csv", &LoadOptions::default(), &Progress::new())?;
//! assert_eq!(table.n_rows(), 3);
//! assert_eq!(table.column("spend").unwrap().kind(), ColumnKind::Numeric);
//! let summary = segscope::data::summarize(table.column("spend").unwrap());
//! assert_eq!(summary.missing, 1);
//! assert_eq!(summary.mean, Some(8.75));
//! # Ok::<(), segscope::Error>(())
//! ```
#![warn(missing_docs)]

pub mod analysis;
#[cfg(feature = "gui")]
pub mod app;
pub mod budget;
pub mod cli;
pub mod cluster;
pub mod data;
pub mod error;
pub mod export;
pub mod jobs;
pub mod metrics;
pub mod model;
pub mod plot;
pub mod prep;
pub mod reduce;
pub mod report;
pub mod rng;
#[cfg(feature = "serve")]
pub mod serve;
pub mod simd;

pub use error::{Error, Result};
