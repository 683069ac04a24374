//! Where a table comes from (a file, dropped bytes, the embedded sample) and loading it into a
//! [`Dataset`] with its column summaries.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::data::{ColumnSummary, LoadOptions, Table, load_bytes, load_path, summarize_table};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::prep::Preparation;

/// The embedded sample data set shown at start.
pub static SAMPLE_CSV: &[u8] = include_bytes!("../../../assets/sample_customers.csv");

/// Source name of the embedded sample (what the header and messages show).
pub const SAMPLE_NAME: &str = "sample_customers.csv (embedded sample)";

/// Reads the bytes of a file that has no usable path (a dropped file on some platforms).
pub type ReadBytes = Box<dyn FnOnce() -> std::result::Result<Vec<u8>, String> + Send>;

/// Where a table comes from.
pub enum LoadSource {
    /// A file on disk.
    Path(PathBuf),
    /// Bytes in memory, with the name messages should use.
    Bytes {
        /// Shown in the header and in messages.
        name: String,
        /// The CSV text.
        bytes: Vec<u8>,
    },
    /// Bytes read on the worker by `read` (so the UI never waits for a disk).
    Deferred {
        /// Shown in the header and in messages.
        name: String,
        /// Produces the CSV text, or a message saying why it cannot.
        read: ReadBytes,
    },
}

impl std::fmt::Debug for LoadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            LoadSource::Bytes { name, bytes } => f
                .debug_struct("Bytes")
                .field("name", name)
                .field("len", &bytes.len())
                .finish(),
            LoadSource::Deferred { name, .. } => {
                f.debug_struct("Deferred").field("name", name).finish()
            }
        }
    }
}

impl LoadSource {
    /// The embedded sample.
    pub fn sample() -> Self {
        LoadSource::Bytes {
            name: SAMPLE_NAME.to_owned(),
            bytes: SAMPLE_CSV.to_vec(),
        }
    }

    /// Short name for the UI: the file name of a path, the given name otherwise.
    pub fn display_name(&self) -> String {
        match self {
            LoadSource::Path(p) => file_name(p),
            LoadSource::Bytes { name, .. } | LoadSource::Deferred { name, .. } => name.clone(),
        }
    }
}

/// The file name of `path` (the whole path if it has none).
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A loaded table with everything computed from it on the worker.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The table (shared with later background jobs).
    pub table: Arc<Table>,
    /// One summary per column, in column order.
    pub summaries: Vec<ColumnSummary>,
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    /// The raw bytes, for data that has no file to re-read on export (the sample, dropped bytes).
    pub bytes: Option<Arc<Vec<u8>>>,
    /// The default preparation of the table (its features chosen by the engine's ID and label rules),
    /// found on the load worker: the rules read every row, too slow for a frame at millions of rows.
    pub default_preparation: Preparation,
}

impl Dataset {
    /// Short name for the header: the file name, or the table's source name.
    pub fn display_name(&self) -> String {
        self.path
            .as_deref()
            .map_or_else(|| self.table.source_name.clone(), file_name)
    }
}

/// Loads and summarizes on the calling thread (the worker).
pub fn load_dataset(source: LoadSource, progress: &Progress) -> Result<Dataset> {
    let opts = LoadOptions::default();
    let (table, path, raw) = match source {
        LoadSource::Path(path) => (load_path(&path, &opts, progress)?, Some(path), None),
        LoadSource::Bytes { name, bytes } => {
            let raw = Arc::new(bytes.clone());
            (load_bytes(bytes, &name, &opts, progress)?, None, Some(raw))
        }
        LoadSource::Deferred { name, read } => {
            progress.set_stage("reading", 0);
            let bytes = read().map_err(|message| Error::Input {
                source_name: name.clone(),
                message: format!("cannot read the file: {message}"),
            })?;
            let raw = Arc::new(bytes.clone());
            (load_bytes(bytes, &name, &opts, progress)?, None, Some(raw))
        }
    };
    progress.check()?;
    progress.set_stage("summarizing", 0);
    let summaries = summarize_table(&table);
    let default_preparation = crate::app::explore::default_preparation(&table);
    Ok(Dataset {
        table: Arc::new(table),
        summaries,
        path,
        bytes: raw,
        default_preparation,
    })
}
