//! The process-wide list of live temp files. Every temp file an [`super::OutputPlan`] creates is registered
//! here until it is renamed into place or removed, so a signal handler (or anything else that must stop the
//! process at once) can remove them all with [`TempRegistry::abort`]. Creating, committing and aborting all
//! take the same lock, so an abort either happens before a commit (which then fails with
//! [`crate::Error::Cancelled`] and renames nothing) or after it (the outputs are complete); never midway.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A set of live temp files; [`TempRegistry::global`] is the one every plan uses by default.
#[derive(Debug)]
pub struct TempRegistry {
    state: Mutex<State>,
}

#[derive(Debug)]
pub(super) struct State {
    aborted: bool,
    next_id: u64,
    live: Vec<Live>,
}

/// One temp file: its path and the (device, inode) it had when we made it, so a file of the same name
/// made by someone else (another run writing the same output) is never removed or renamed as ours. The
/// plan keeps the temp open until it ends, so that inode cannot be freed and reused meanwhile.
#[derive(Debug)]
struct Live {
    id: u64,
    path: PathBuf,
    file_id: Option<(u64, u64)>,
}

impl Live {
    fn still_ours(&self) -> bool {
        self.file_id.is_none_or(|ours| {
            std::fs::symlink_metadata(&self.path)
                .ok()
                .and_then(|m| super::paths::file_id(&m))
                == Some(ours)
        })
    }

    fn remove(&self) -> bool {
        self.still_ours() && std::fs::remove_file(&self.path).is_ok()
    }
}

static GLOBAL: TempRegistry = TempRegistry::new();

impl Default for TempRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl TempRegistry {
    /// An empty registry (tests and embedders; the CLI and GUI use [`TempRegistry::global`]).
    pub const fn new() -> Self {
        Self {
            state: Mutex::new(State {
                aborted: false,
                next_id: 0,
                live: Vec::new(),
            }),
        }
    }

    /// The process-wide registry.
    pub fn global() -> &'static TempRegistry {
        &GLOBAL
    }

    /// Paths of the temp files alive now (oldest first).
    pub fn live(&self) -> Vec<PathBuf> {
        self.lock().live.iter().map(|l| l.path.clone()).collect()
    }

    /// Whether [`TempRegistry::abort`] was called.
    pub fn is_aborted(&self) -> bool {
        self.lock().aborted
    }

    /// Removes every live temp file and refuses new temp files and commits from now on (they fail with
    /// [`crate::Error::Cancelled`]). Returns how many files were removed. Safe to call more than once and
    /// from any thread; it waits for a commit in progress to finish.
    pub fn abort(&self) -> usize {
        let mut state = self.lock();
        state.aborted = true;
        let live = std::mem::take(&mut state.live);
        live.iter().filter(|l| l.remove()).count()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // Every change to the state is a single push or take, so a panic while locked cannot leave it half-done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates `temp` afresh (a stale file of that name from an earlier run is removed first) and registers
    /// it. `Ok(None)` once aborted.
    pub(super) fn create(&self, temp: &Path) -> io::Result<Option<(u64, File)>> {
        let mut state = self.lock();
        if state.aborted {
            return Ok(None);
        }
        match std::fs::remove_file(temp) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let file = OpenOptions::new().write(true).create_new(true).open(temp)?;
        let file_id = file.metadata().ok().and_then(|m| super::paths::file_id(&m));
        let id = state.next_id;
        state.next_id += 1;
        state.live.push(Live {
            id,
            path: temp.to_path_buf(),
            file_id,
        });
        Ok(Some((id, file)))
    }

    /// Removes the temp file `id` if it is still live.
    pub(super) fn remove(&self, id: u64) {
        let mut state = self.lock();
        if let Some(at) = state.live.iter().position(|l| l.id == id) {
            state.live.remove(at).remove();
        }
    }
}

impl State {
    /// Whether the registry was aborted.
    pub(super) fn aborted(&self) -> bool {
        self.aborted
    }

    /// Stops tracking `id` (renamed into place).
    pub(super) fn forget(&mut self, id: u64) {
        self.live.retain(|l| l.id != id);
    }

    /// Whether `id` is live and its path still holds the file we made.
    pub(super) fn is_ours(&self, id: u64) -> bool {
        self.live.iter().any(|l| l.id == id && l.still_ours())
    }
}
