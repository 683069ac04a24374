//! Where a table's text came from, kept so that it can be read again: the labelled export streams the
//! original records a second time, and the loader re-reads columns that turned out to hold text. A file
//! is re-read from its path; bytes given in memory are kept; standard input (or any stream) is spooled
//! while it is loaded — in memory up to [`SPOOL_MEMORY`], then in a temporary file that is removed when
//! the last [`Source`] holding it is dropped.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Bytes of a spooled stream kept in memory before the rest goes to a temporary file.
pub const SPOOL_MEMORY: usize = 32 << 20;

/// The input of a table, able to give its raw bytes again from the start.
#[derive(Debug, Clone, Default)]
pub enum Source {
    /// Nothing to re-read (a table built in code).
    #[default]
    None,
    /// A file, read again from its path.
    Path(PathBuf),
    /// Raw bytes held in memory (what [`super::load_bytes`] was given).
    Memory(Arc<Vec<u8>>),
    /// A spooled copy of a stream (standard input).
    Spool(Arc<Spool>),
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Source::None, Source::None) => true,
            (Source::Path(a), Source::Path(b)) => a == b,
            (Source::Memory(a), Source::Memory(b)) => a == b,
            (Source::Spool(a), Source::Spool(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Source {
    /// Opens the raw bytes from the start; `name` is used in messages.
    pub fn open(&self, name: &str) -> Result<Box<dyn Read + Send + '_>> {
        match self {
            Source::None => Err(Error::InvalidParameter(format!(
                "{name}: the input's text is not available to read again"
            ))),
            Source::Path(p) => Ok(Box::new(File::open(p).map_err(|e| Error::io(p, e))?)),
            Source::Memory(b) => Ok(Box::new(b.as_slice())),
            Source::Spool(s) => s.reader(),
        }
    }

    /// Bytes held in memory by this source (for the memory budget).
    pub fn memory_bytes(&self) -> u64 {
        match self {
            Source::Memory(b) => b.len() as u64,
            Source::Spool(s) => s.mem.len() as u64,
            Source::None | Source::Path(_) => 0,
        }
    }
}

/// A finished spool: the first bytes in memory, the rest in a temporary file.
#[derive(Debug)]
pub struct Spool {
    mem: Vec<u8>,
    file: Option<TempFile>,
}

impl Spool {
    /// Total bytes spooled.
    pub fn len(&self) -> u64 {
        self.mem.len() as u64 + self.file.as_ref().map_or(0, |f| f.len)
    }

    /// Whether nothing was spooled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn reader(&self) -> Result<Box<dyn Read + Send + '_>> {
        let head: Box<dyn Read + Send + '_> = Box::new(self.mem.as_slice());
        match &self.file {
            None => Ok(head),
            Some(t) => {
                let f = File::open(&t.path).map_err(|e| Error::io(&t.path, e))?;
                Ok(Box::new(head.chain(f)))
            }
        }
    }
}

/// A temporary file removed on drop.
#[derive(Debug)]
struct TempFile {
    path: PathBuf,
    len: u64,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A reader that copies everything it reads into a spool (in memory, then a temporary file).
pub(crate) struct Tee<R> {
    inner: R,
    mem: Vec<u8>,
    file: Option<(File, TempFile)>,
    error: Option<std::io::Error>,
}

impl<R: Read> Tee<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            mem: Vec::new(),
            file: None,
            error: None,
        }
    }

    /// The spool of everything read (loading always reads to the end), or the error that stopped the
    /// copy (a full disk).
    pub(crate) fn finish(mut self) -> Result<Spool> {
        if let Some(e) = self.error.take() {
            return Err(Error::io(std::env::temp_dir(), e));
        }
        let file = match self.file {
            None => None,
            Some((mut f, t)) => {
                f.flush().map_err(|e| Error::io(&t.path, e))?;
                Some(t)
            }
        };
        Ok(Spool {
            mem: self.mem,
            file,
        })
    }

    fn spill(&mut self, data: &[u8]) -> std::io::Result<()> {
        if self.file.is_none() && self.mem.len() + data.len() <= SPOOL_MEMORY {
            self.mem.extend_from_slice(data);
            return Ok(());
        }
        if self.file.is_none() {
            self.file = Some(create_temp()?);
        }
        if let Some((f, t)) = &mut self.file {
            f.write_all(data)?;
            t.len += data.len() as u64;
        }
        Ok(())
    }
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.error.is_none()
            && let Err(e) = self.spill(&buf[..n])
        {
            // Reported by `finish`: the load itself can go on, the copy for re-reading cannot.
            self.error = Some(e);
        }
        Ok(n)
    }
}

fn create_temp() -> std::io::Result<(File, TempFile)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = dir.join(format!(
            "segscope-stdin-{}-{n}-{nanos:08x}.csv",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((f, TempFile { path, len: 0 })),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
}

/// The path of a spool's temporary file, if it has one (tests check that it is removed).
pub fn spool_path(source: &Source) -> Option<&Path> {
    match source {
        Source::Spool(s) => s.file.as_ref().map(|t| t.path.as_path()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spool_spills_to_a_file_that_is_removed_on_drop() {
        let data: Vec<u8> = (0..SPOOL_MEMORY + 1000).map(|i| (i % 251) as u8).collect();
        let mut tee = Tee::new(data.as_slice());
        let mut sink = Vec::new();
        tee.read_to_end(&mut sink).unwrap();
        assert_eq!(sink, data);
        let source = Source::Spool(Arc::new(tee.finish().unwrap()));
        let path = spool_path(&source).unwrap().to_path_buf();
        assert!(path.is_file());
        let mut again = Vec::new();
        source.open("s").unwrap().read_to_end(&mut again).unwrap();
        assert_eq!(again, data);
        let copy = source.clone();
        drop(source);
        assert!(path.is_file(), "a clone still holds it");
        drop(copy);
        assert!(!path.exists());
    }

    #[test]
    fn small_streams_stay_in_memory() {
        let mut tee = Tee::new(&b"a,b\n1,2\n"[..]);
        std::io::copy(&mut tee, &mut std::io::sink()).unwrap();
        let s = Source::Spool(Arc::new(tee.finish().unwrap()));
        assert!(spool_path(&s).is_none());
        assert_eq!(s.memory_bytes(), 8);
        assert!(Source::None.open("x").is_err());
    }
}
