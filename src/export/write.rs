//! Every output of a run goes through one [`OutputPlan`], which knows the rules so no caller has to:
//!
//! - **Checked before any work.** [`OutputPlan::add_output`] refuses an output that is an input (same
//!   canonical path or same device and inode, so `./x.csv`, hard links and symbolic links are caught) or
//!   another output, a folder, a path in a missing folder or a folder we cannot write to, and a second `-`.
//! - **Regular files are replaced, never overwritten in place.** A regular file (or a new path) is written
//!   to `.NAME.segscope-tmp` beside it (created at plan time, so the folder is proven writable; a stale one
//!   from a killed run is removed first), flushed, fsynced, given the old file's permissions, and renamed
//!   over `NAME` by [`OutputPlan::commit`].
//! - **Anything else that exists is written in place.** A character or block device, a FIFO or a socket is
//!   opened for writing and streamed into, never replaced; `-` is standard output. A symbolic link is
//!   followed to its target, which is written by the same rules (the link stays a link).
//! - **All or nothing.** Nothing is renamed until every output was written; a failure, an early return or
//!   a cancellation drops the plan, which removes every temp file. Streamed outputs cannot be taken back,
//!   so [`OutputPlan::finish`] writes them after the files and before the renames. If the OS fails a rename midway through a commit (the folder vanished),
//!   the outputs renamed before it hold the new data, the rest keep their old content, and the error says
//!   which is which.
//! - **Messages name the user's path**, never the temp file's: I/O failures are [`Error::Io`] with the
//!   path as given, refusals are [`Error::Output`].
//!
//! Live temp files are kept in a process-wide [`TempRegistry`] so a signal handler can remove them.

mod paths;
mod registry;
#[cfg(test)]
mod tests;

use std::fs::{File, Permissions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use paths::{
    Identity, StdStream, check_folder, ends_with_separator, file_id, is_device, resolve_links,
    shown_dir, split_parent, std_stream_identity, sync_folder, temp_path,
};
pub use registry::TempRegistry;

use crate::error::{Error, Result};

/// The suffix of temp files: `.NAME.segscope-tmp` beside `NAME` (`NAME` shortened if the whole would be
/// longer than a file name may be).
pub const TEMP_SUFFIX: &str = ".segscope-tmp";

/// Buffer size of every writer handed to a caller.
const BUFFER: usize = 1 << 16;

/// Removes every live temp file of this process and makes later commits fail with [`Error::Cancelled`].
/// For signal handlers; returns how many files were removed.
pub fn remove_live_temps() -> usize {
    TempRegistry::global().abort()
}

/// A writer for [`OutputPlan::finish`]: fills the output it is paired with.
pub type Writer<'a> = Box<dyn FnOnce(&mut dyn Write) -> Result<()> + 'a>;

/// One output of a plan (see [`OutputPlan::add_output`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputId(usize);

/// How an output is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// A regular file or a new path: written to a temp file, renamed into place at commit.
    File,
    /// An existing device, FIFO or socket: written in place while [`OutputPlan::write`] runs.
    Stream,
    /// `-`: standard output, written while [`OutputPlan::write`] runs.
    Stdout,
}

/// The outputs of one run, checked up front, written to temp files and put in place together.
/// Dropping a plan that was not committed removes every temp file it made.
#[derive(Debug)]
pub struct OutputPlan {
    registry: &'static TempRegistry,
    inputs: Vec<Identity>,
    outputs: Vec<Output>,
}

#[derive(Debug)]
struct Output {
    what: String,
    path: PathBuf,
    /// `None` for devices (several outputs may go to one device, e.g. a null device).
    identity: Option<Identity>,
    target: Target,
    state: State,
}

#[derive(Debug)]
enum Target {
    Stdout,
    Stream(PathBuf),
    Replace(Replace),
}

#[derive(Debug)]
struct Replace {
    /// The file that gets replaced (the user's path with symbolic links followed).
    real: PathBuf,
    temp: PathBuf,
    /// Registry id of `temp` while it is ours to remove.
    temp_id: Option<u64>,
    /// The open temp file (taken while it is being written).
    file: Option<File>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Planned,
    Written,
    Failed,
}

impl Default for OutputPlan {
    fn default() -> Self {
        Self::new()
    }
}

impl OutputPlan {
    /// An empty plan using the process-wide [`TempRegistry`].
    pub fn new() -> Self {
        Self::with_registry(TempRegistry::global())
    }

    /// An empty plan registering its temp files in `registry` (tests and embedders).
    pub fn with_registry(registry: &'static TempRegistry) -> Self {
        Self {
            registry,
            inputs: Vec::new(),
            outputs: Vec::new(),
        }
    }

    /// Declares a file the run reads, so no output may be it. `-` (standard input) is protected when it is a
    /// redirected regular file. A path that cannot be read is an [`Error::Io`] naming it.
    pub fn add_input(&mut self, path: &Path) -> Result<()> {
        let identity = if path.as_os_str() == "-" {
            std_stream_identity(StdStream::In, path)
        } else {
            let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
            (!is_device(&meta)).then(|| Identity {
                path: path.to_path_buf(),
                canonical: std::fs::canonicalize(path).ok(),
                file_id: file_id(&meta),
            })
        };
        let Some(identity) = identity else {
            return Ok(());
        };
        if let Some(out) = self
            .outputs
            .iter()
            .find(|o| o.identity.as_ref().is_some_and(|i| i.same_as(&identity)))
        {
            return Err(same_as_input(&out.what, &out.path, path));
        }
        self.inputs.push(identity);
        Ok(())
    }

    /// Declares an output, checking it now, before any long computation: it must not be an input or another
    /// output, its folder must exist and be writable, it must not be a folder, and at most one output may be
    /// `-`. `what` ("the labelled CSV") names it in messages. For a file, the temp file is created here.
    pub fn add_output(&mut self, path: &Path, what: &str) -> Result<OutputId> {
        let refuse = |message: String| Error::Output {
            what: what.to_owned(),
            path: path.to_path_buf(),
            message,
        };
        if path.as_os_str() == "-" {
            if let Some(other) = self
                .outputs
                .iter()
                .find(|o| matches!(o.target, Target::Stdout))
            {
                return Err(refuse(format!(
                    "standard output (-) is already taken by {}; give one of them a file path",
                    other.what
                )));
            }
            let identity = std_stream_identity(StdStream::Out, path);
            if let Some(identity) = &identity {
                self.check_identity(what, path, identity)?;
            }
            return Ok(self.push(what, path, identity, Target::Stdout));
        }
        if path.as_os_str().is_empty() {
            return Err(refuse("the path is empty; give a file path".into()));
        }
        if ends_with_separator(path) {
            return Err(refuse(
                "the path ends with a folder separator; give a file name".into(),
            ));
        }
        let real = resolve_links(path).map_err(|e| Error::io(path, e))?;
        match std::fs::metadata(&real) {
            Ok(meta) if meta.is_dir() => Err(refuse(
                "it is a folder; give a file name (e.g. inside that folder)".into(),
            )),
            Ok(meta) if meta.is_file() => {
                let identity = Identity {
                    path: path.to_path_buf(),
                    canonical: std::fs::canonicalize(&real).ok(),
                    file_id: file_id(&meta),
                };
                self.check_identity(what, path, &identity)?;
                let replace = self.create_temp(what, path, &real, Some(meta.permissions()))?;
                Ok(self.push(what, path, Some(identity), Target::Replace(replace)))
            }
            Ok(meta) => {
                let identity = (!is_device(&meta)).then(|| Identity {
                    path: path.to_path_buf(),
                    canonical: std::fs::canonicalize(&real).ok(),
                    file_id: file_id(&meta),
                });
                if let Some(identity) = &identity {
                    self.check_identity(what, path, identity)?;
                }
                Ok(self.push(what, path, identity, Target::Stream(real)))
            }
            // A new file, or a path through a file (`file.csv/out.csv`): the folder check says which.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                let (dir, name) = split_parent(&real).ok_or_else(|| {
                    refuse(
                        "it names no file (it ends in `..` or is a root); give a file name".into(),
                    )
                })?;
                check_folder(&dir, &refuse)?;
                let identity = Identity {
                    path: path.to_path_buf(),
                    canonical: std::fs::canonicalize(&dir).ok().map(|d| d.join(&name)),
                    file_id: None,
                };
                self.check_identity(what, path, &identity)?;
                let replace = self.create_temp(what, path, &real, None)?;
                Ok(self.push(what, path, Some(identity), Target::Replace(replace)))
            }
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// How output `id` is written.
    pub fn kind(&self, id: OutputId) -> Option<OutputKind> {
        self.outputs.get(id.0).map(|o| match o.target {
            Target::Stdout => OutputKind::Stdout,
            Target::Stream(_) => OutputKind::Stream,
            Target::Replace(_) => OutputKind::File,
        })
    }

    /// The path of output `id` as the user gave it.
    pub fn path(&self, id: OutputId) -> Option<&Path> {
        self.outputs.get(id.0).map(|o| o.path.as_path())
    }

    /// Writes output `id` once: `f` fills a buffered writer (a temp file, the device or FIFO itself, or
    /// standard output), which is then flushed (and for files fsynced). Errors name the user's path. A file
    /// output becomes visible only at [`OutputPlan::commit`]; a failed one is removed at once.
    pub fn write(
        &mut self,
        id: OutputId,
        f: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let registry = self.registry;
        let out = self
            .outputs
            .get_mut(id.0)
            .ok_or_else(|| internal("an output id from another plan"))?;
        if out.state != State::Planned {
            return Err(internal(&format!("{} written twice", out.what)));
        }
        if registry.is_aborted() {
            return Err(Error::Cancelled);
        }
        let user_path = out.path.clone();
        let result = match &mut out.target {
            Target::Stdout => {
                let stdout = io::stdout().lock();
                write_through(BufWriter::with_capacity(BUFFER, stdout), f, &user_path).map(|_| ())
            }
            // Opening a FIFO blocks until someone reads it, like `cat > fifo`.
            Target::Stream(real) => std::fs::OpenOptions::new()
                .write(true)
                .open(&*real)
                .map_err(|e| Error::io(&user_path, e))
                .and_then(|file| {
                    write_through(BufWriter::with_capacity(BUFFER, file), f, &user_path)
                })
                .map(|_| ()),
            // The handle stays open until the plan ends, so the temp's inode cannot be reused while the
            // registry identifies our temp by it.
            Target::Replace(r) => match r.file.take() {
                None => Err(internal("a temp file without its handle")),
                Some(file) => write_through(BufWriter::with_capacity(BUFFER, file), f, &user_path)
                    .and_then(|file| {
                        file.sync_all()
                            .map(|()| file)
                            .map_err(|e| Error::io(&user_path, e))
                    })
                    .map(|file| r.file = Some(file)),
            },
        };
        match result {
            Ok(()) => {
                out.state = State::Written;
                Ok(())
            }
            Err(e) => {
                out.state = State::Failed;
                if let Target::Replace(r) = &mut out.target
                    && let Some(temp_id) = r.temp_id.take()
                {
                    registry.remove(temp_id);
                }
                Err(e)
            }
        }
    }

    /// Writes every output and commits: file outputs first (to their temp files), then streamed ones
    /// (standard output, devices, FIFOs), then the renames. So nothing is streamed unless every file output
    /// was written, and a failure anywhere leaves no file output behind. The usual way to end a run.
    pub fn finish(mut self, writers: Vec<(OutputId, Writer<'_>)>) -> Result<()> {
        let (files, streams): (Vec<_>, Vec<_>) = writers
            .into_iter()
            .partition(|(id, _)| self.kind(*id) == Some(OutputKind::File));
        for (id, f) in files.into_iter().chain(streams) {
            self.write(id, f)?;
        }
        self.commit()
    }

    /// Puts every file output in place (renames the temp files) once all outputs were written. Fails with
    /// [`Error::Cancelled`] and renames nothing after [`TempRegistry::abort`] (a signal).
    pub fn commit(mut self) -> Result<()> {
        if let Some(o) = self.outputs.iter().find(|o| o.state != State::Written) {
            return Err(if o.state == State::Failed {
                internal(&format!("commit after {} failed", o.what))
            } else {
                internal(&format!("{} was planned but never written", o.what))
            });
        }
        let mut state = self.registry.lock();
        if state.aborted() {
            return Err(Error::Cancelled);
        }
        let mut done: Vec<usize> = Vec::new();
        let mut failure = None;
        for (i, out) in self.outputs.iter_mut().enumerate() {
            let Target::Replace(r) = &mut out.target else {
                continue;
            };
            let Some(temp_id) = r.temp_id else {
                continue;
            };
            if !state.is_ours(temp_id) {
                let why = format!(
                    "its temp file {} was replaced or removed by another program (is another segscope \
                     writing the same output?); run again",
                    r.temp.display()
                );
                failure = Some((i, io::Error::other(why)));
                break;
            }
            match std::fs::rename(&r.temp, &r.real) {
                Ok(()) => {
                    state.forget(temp_id);
                    r.temp_id = None;
                    done.push(i);
                }
                Err(e) => {
                    failure = Some((i, e));
                    break;
                }
            }
        }
        drop(state);
        for &i in &done {
            if let Target::Replace(r) = &self.outputs[i].target {
                sync_folder(&r.real);
            }
        }
        let Some((i, e)) = failure else {
            return Ok(());
        };
        let out = &self.outputs[i];
        if done.is_empty() {
            return Err(Error::io(&out.path, e));
        }
        let replaced: Vec<String> = done
            .iter()
            .map(|&j| {
                format!(
                    "{} ({})",
                    self.outputs[j].what,
                    self.outputs[j].path.display()
                )
            })
            .collect();
        Err(Error::Output {
            what: out.what.clone(),
            path: out.path.clone(),
            message: format!(
                "the operating system refused to move the finished file into place ({e}); {} already \
                 hold the new results, the other outputs are unchanged; run again",
                replaced.join(", ")
            ),
        })
    }

    fn push(
        &mut self,
        what: &str,
        path: &Path,
        identity: Option<Identity>,
        target: Target,
    ) -> OutputId {
        self.outputs.push(Output {
            what: what.to_owned(),
            path: path.to_path_buf(),
            identity,
            target,
            state: State::Planned,
        });
        OutputId(self.outputs.len() - 1)
    }

    fn check_identity(&self, what: &str, path: &Path, identity: &Identity) -> Result<()> {
        if let Some(input) = self.inputs.iter().find(|i| i.same_as(identity)) {
            return Err(same_as_input(what, path, &input.path));
        }
        if let Some(other) = self
            .outputs
            .iter()
            .find(|o| o.identity.as_ref().is_some_and(|i| i.same_as(identity)))
        {
            return Err(Error::Output {
                what: what.to_owned(),
                path: path.to_path_buf(),
                message: format!(
                    "it is the same file as {} ({}); give each output its own path",
                    other.what,
                    other.path.display()
                ),
            });
        }
        Ok(())
    }

    fn create_temp(
        &self,
        what: &str,
        path: &Path,
        real: &Path,
        permissions: Option<Permissions>,
    ) -> Result<Replace> {
        let (dir, name) = split_parent(real).ok_or_else(|| internal("a file without a name"))?;
        let temp = temp_path(&dir, &name);
        let created = self.registry.create(&temp).map_err(|e| match e.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => Error::Output {
                what: what.to_owned(),
                path: path.to_path_buf(),
                message: format!(
                    "cannot create a file in the folder {} ({e}); choose a folder you can write to",
                    shown_dir(&dir).display()
                ),
            },
            _ => Error::io(path, e),
        })?;
        let Some((temp_id, file)) = created else {
            return Err(Error::Cancelled);
        };
        let mut replace = Replace {
            real: real.to_path_buf(),
            temp,
            temp_id: Some(temp_id),
            file: Some(file),
        };
        if let (Some(p), Some(file)) = (permissions, &replace.file)
            && let Err(e) = file.set_permissions(p)
        {
            if let Some(id) = replace.temp_id.take() {
                self.registry.remove(id);
            }
            replace.file = None;
            return Err(Error::io(path, e));
        }
        Ok(replace)
    }
}

impl Drop for OutputPlan {
    fn drop(&mut self) {
        for out in &mut self.outputs {
            if let Target::Replace(r) = &mut out.target {
                if let Some(id) = r.temp_id.take() {
                    self.registry.remove(id);
                }
                r.file = None;
            }
        }
    }
}

/// Writes one output: `path` with `inputs` protected, by the rules of [`OutputPlan`].
pub fn write_file(
    path: &Path,
    inputs: &[&Path],
    what: &str,
    f: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let mut plan = OutputPlan::new();
    for input in inputs {
        plan.add_input(input)?;
    }
    let id = plan.add_output(path, what)?;
    plan.write(id, f)?;
    plan.commit()
}

/// A writer that remembers the first real I/O error of the writer below, so the error can be reported
/// with the user's path whatever the caller wrapped it in (a csv error, an `Error::Io` for "<output>").
struct Tracked<W: Write> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Tracked<W> {
    fn note(&mut self, e: io::Error) -> io::Error {
        let copy = io::Error::new(e.kind(), e.to_string());
        if e.kind() != io::ErrorKind::Interrupted && self.error.is_none() {
            self.error = Some(e);
        }
        copy
    }
}

impl<W: Write> Write for Tracked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.note(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.note(e))
    }
}

/// Runs `f` on `w`, flushes, and hands back the writer below the buffer. Any I/O failure becomes
/// [`Error::Io`] for `user_path`; other errors of `f` pass unchanged.
fn write_through<W: Write>(
    w: BufWriter<W>,
    f: impl FnOnce(&mut dyn Write) -> Result<()>,
    user_path: &Path,
) -> Result<W> {
    let mut t = Tracked {
        inner: w,
        error: None,
    };
    let result = f(&mut t);
    if let Some(e) = t.error.take() {
        return Err(Error::io(user_path, e));
    }
    match result {
        Err(Error::Io { path, source }) if path.as_os_str() == "<output>" => {
            return Err(Error::io(user_path, source));
        }
        Err(e) => return Err(e),
        Ok(()) => {}
    }
    t.inner
        .into_inner()
        .map_err(|e| Error::io(user_path, e.into_error()))
}

fn internal(what: &str) -> Error {
    Error::InvalidParameter(format!("internal error in the output writer: {what}"))
}

fn same_as_input(what: &str, path: &Path, input: &Path) -> Error {
    Error::Output {
        what: what.to_owned(),
        path: path.to_path_buf(),
        message: format!(
            "it is the same file as the input {}; writing there would destroy the data being read, \
             choose another output path",
            input.display()
        ),
    }
}
