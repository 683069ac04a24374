//! What a path is, for the output rules: the identity of a file (canonical path, device and inode), the
//! end of a chain of symbolic links, the folder of a new file, and standard input/output as files.

use std::ffi::{OsStr, OsString};
use std::fs::{File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// How far symbolic links are followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// What makes two paths the same file.
#[derive(Debug, Clone, Default)]
pub(super) struct Identity {
    /// The path as the user gave it (for messages).
    pub(super) path: PathBuf,
    /// Canonical path (for a new file: canonical folder + name).
    pub(super) canonical: Option<PathBuf>,
    /// (device, inode) of an existing file.
    pub(super) file_id: Option<(u64, u64)>,
}

impl Identity {
    pub(super) fn same_as(&self, other: &Identity) -> bool {
        matches!((self.file_id, other.file_id), (Some(a), Some(b)) if a == b)
            || matches!((&self.canonical, &other.canonical), (Some(a), Some(b)) if a == b)
    }
}

/// Checks that `dir` (the folder of a new output) exists and is a folder.
pub(super) fn check_folder(dir: &Path, refuse: &impl Fn(String) -> Error) -> Result<()> {
    let shown = shown_dir(dir);
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(refuse(format!(
            "{} is not a folder; fix the path",
            shown.display()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(refuse(format!(
            "the folder {} does not exist; create it first or choose another folder",
            shown.display()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => Err(refuse(format!(
            "{} is not a folder (part of that path is a file); fix the path",
            shown.display()
        ))),
        Err(e) => Err(refuse(format!(
            "cannot use the folder {}: {e}",
            shown.display()
        ))),
    }
}

/// Longest file name, in bytes, on the file systems we meet (ext4, xfs, btrfs, tmpfs, APFS, NTFS).
const NAME_MAX: usize = 255;

/// `dir/.NAME.segscope-tmp`, with `NAME` cut short when the whole name would pass [`NAME_MAX`] bytes.
pub(super) fn temp_path(dir: &Path, name: &OsStr) -> PathBuf {
    let room = NAME_MAX - 1 - super::TEMP_SUFFIX.len();
    let mut temp = OsString::from(".");
    temp.push(shorten(name, room));
    temp.push(super::TEMP_SUFFIX);
    dir.join(temp)
}

#[cfg(unix)]
fn shorten(name: &OsStr, room: usize) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    let bytes = name.as_bytes();
    OsStr::from_bytes(&bytes[..bytes.len().min(room)]).to_os_string()
}

#[cfg(not(unix))]
fn shorten(name: &OsStr, room: usize) -> OsString {
    let s = name.to_string_lossy();
    let mut end = s.len().min(room);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    OsString::from(&s[..end])
}

/// `dir` for messages (`.` rather than an empty path).
pub(super) fn shown_dir(dir: &Path) -> &Path {
    if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }
}

/// Splits a file path into its folder (`.` when it has none) and file name.
pub(super) fn split_parent(path: &Path) -> Option<(PathBuf, OsString)> {
    let name = path.file_name()?.to_os_string();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some((dir, name))
}

pub(super) fn ends_with_separator(path: &Path) -> bool {
    path.as_os_str()
        .to_string_lossy()
        .ends_with(std::path::is_separator)
}

/// Follows `path` while it is a symbolic link (also dangling ones) and returns the final path; a path that
/// is not a link comes back unchanged.
pub(super) fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = if target.is_absolute() {
                    target
                } else {
                    current
                        .parent()
                        .map_or_else(|| target.clone(), |p| p.join(&target))
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row (a loop?)"
    )))
}

/// Best effort: makes a rename in the folder of `file` durable.
pub(super) fn sync_folder(file: &Path) {
    if let Some((dir, _)) = split_parent(file)
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
}

#[derive(Clone, Copy)]
pub(super) enum StdStream {
    In,
    Out,
}

/// The identity of standard input or output when it is a redirected regular file (else nothing to protect).
#[cfg(unix)]
pub(super) fn std_stream_identity(which: StdStream, path: &Path) -> Option<Identity> {
    use std::os::fd::AsFd;
    let fd = match which {
        StdStream::In => io::stdin().as_fd().try_clone_to_owned(),
        StdStream::Out => io::stdout().as_fd().try_clone_to_owned(),
    }
    .ok()?;
    let meta = File::from(fd).metadata().ok()?;
    meta.is_file().then(|| Identity {
        path: path.to_path_buf(),
        canonical: None,
        file_id: file_id(&meta),
    })
}

#[cfg(not(unix))]
pub(super) fn std_stream_identity(_which: StdStream, _path: &Path) -> Option<Identity> {
    None
}

#[cfg(unix)]
#[expect(
    clippy::unnecessary_wraps,
    reason = "`None` on platforms without inodes"
)]
pub(super) fn file_id(meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
pub(super) fn file_id(_meta: &Metadata) -> Option<(u64, u64)> {
    None
}

/// Character and block devices: written in place and never compared (two outputs may share `/dev/null`).
#[cfg(unix)]
pub(super) fn is_device(meta: &Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    t.is_char_device() || t.is_block_device()
}

#[cfg(not(unix))]
pub(super) fn is_device(meta: &Metadata) -> bool {
    !meta.is_file() && !meta.is_dir()
}
