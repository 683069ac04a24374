//! The engine's error type. Every message says what was wrong, where (file, line, column) and, where it
//! helps, what to do about it. Library code returns [`Result`]; the CLI prints `error: <message>` and the GUI
//! shows the same text in a banner.

use std::path::PathBuf;

/// Result with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operating system refused a read or write.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The input is not a CSV we can read, at a known line.
    #[error("{source_name}: line {line}: {message}")]
    Csv {
        /// File name (or `<stdin>`).
        source_name: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The input as a whole cannot be used (empty, binary, no rows...).
    #[error("{source_name}: {message}")]
    Input {
        /// File name (or `<stdin>`).
        source_name: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A column cannot be used as asked.
    #[error("column '{name}': {message}")]
    Column {
        /// Column name.
        name: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A parameter is out of range or inconsistent.
    #[error("{0}")]
    InvalidParameter(String),
    /// The work would need more memory than the budget allows (see [`crate::budget`]).
    #[error(
        "{what} needs about {} but the memory limit is {}; {way_out}, or raise the memory limit",
        human_bytes(*needed_bytes),
        human_bytes(*limit_bytes)
    )]
    TooLarge {
        /// What would need the memory, in words.
        what: String,
        /// Estimated need.
        needed_bytes: u64,
        /// Allowed.
        limit_bytes: u64,
        /// What the user can do instead.
        way_out: String,
    },
    /// The work would take far longer than is reasonable to wait for (estimated before it starts).
    #[error("{what} would take about {}; {way_out}", crate::budget::human_duration(*estimate_secs))]
    TooSlow {
        /// What would take the time, in words.
        what: String,
        /// Estimated wall time in seconds.
        estimate_secs: f64,
        /// What the user can do instead.
        way_out: String,
    },
    /// No feature is selected, so there is nothing to cluster on.
    #[error("no numeric feature selected: {why}; choose the features to use")]
    NoFeatures {
        /// Why nothing is selected.
        why: String,
    },
    /// An input file no longer matches what was loaded (it changed on disk since it was opened).
    #[error(
        "{}: the file changed since it was opened (it now has {found} data rows, {expected} were \
         loaded); open it again and re-run the segmentation",
        path.display()
    )]
    InputChanged {
        /// The input file.
        path: PathBuf,
        /// Data rows loaded.
        expected: usize,
        /// Data rows found now.
        found: usize,
    },
    /// An output cannot go where it was asked to: refused before any work starts (it is an input, another
    /// output, a folder, in a missing folder...) or, for several outputs, only partly put in place.
    #[error("cannot write {what} to {}: {message}", path.display())]
    Output {
        /// What the output is, in words ("the labelled CSV").
        what: String,
        /// The path as the user gave it.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A command-line usage mistake found after parsing (flags that do not go together once the recipe
    /// is read, a missing flag a method needs); the CLI exits with 2, as for clap's usage errors.
    #[error("{0}")]
    Usage(String),
    /// The user cancelled the job.
    #[error("cancelled")]
    Cancelled,
    /// A background worker panicked; the message is the panic payload.
    #[error("internal error in a background job: {0}")]
    WorkerPanic(String),
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// `1536` -> `1.5 KiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} bytes")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_units() {
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }

    #[test]
    fn messages_name_the_place() {
        let e = Error::Csv {
            source_name: "a.csv".into(),
            line: 7,
            message: "expected 3 fields, found 2".into(),
        };
        assert_eq!(e.to_string(), "a.csv: line 7: expected 3 fields, found 2");
    }
}
