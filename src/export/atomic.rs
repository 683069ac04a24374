//! Writing results safely: [`write_atomic`] writes to `<out>.tmp-<pid>` in the same folder and renames it
//! over `out` only when everything succeeded, so a failed run never leaves a partial or stale-looking file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `out` atomically: `write` fills a buffered temp file next to it, which is then renamed. On any
/// error the temp file is removed and `out` is untouched. `-` writes to standard output instead.
pub fn write_atomic(out: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    if out.as_os_str() == "-" {
        let mut stdout = std::io::stdout().lock();
        write(&mut stdout)?;
        return stdout.flush().map_err(|e| Error::io("<stdout>", e));
    }
    let mut tmp_name = out.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp: PathBuf = out.with_file_name(tmp_name);
    let result = (|| {
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w
            .into_inner()
            .map_err(|e| Error::io(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o.csv");
        let r = write_atomic(&out, |w| {
            w.write_all(b"partial").unwrap();
            Err(Error::InvalidParameter("boom".into()))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_atomic(&out, |w| w.write_all(b"ok").map_err(|e| Error::io("x", e))).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "ok");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
