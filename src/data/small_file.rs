//! Reading small text inputs (recipes, models) with a size cap, so that `/dev/zero`, `/dev/urandom` or an
//! endless pipe given where a small JSON file is expected stops with a clear error instead of filling memory.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Largest small file read (64 MiB: a recipe or model is kilobytes; a model with many levels megabytes).
pub const SMALL_FILE_LIMIT: u64 = 64 << 20;

/// Reads `path` as UTF-8 text of at most [`SMALL_FILE_LIMIT`] bytes; `what` ("a recipe") names the
/// expected content in messages.
pub fn read_small_file(path: &Path, what: &str) -> Result<String> {
    if path.is_dir() {
        return Err(Error::Input {
            source_name: path.display().to_string(),
            message: format!("this is a folder, not {what} file"),
        });
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(SMALL_FILE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > SMALL_FILE_LIMIT {
        return Err(Error::Input {
            source_name: path.display().to_string(),
            message: format!(
                "is larger than {} and cannot be {what}; check the path",
                crate::error::human_bytes(SMALL_FILE_LIMIT)
            ),
        });
    }
    String::from_utf8(bytes).map_err(|e| Error::Input {
        source_name: path.display().to_string(),
        message: format!(
            "is not UTF-8 text (byte {}), so it cannot be {what}",
            e.utf8_error().valid_up_to() + 1
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_and_binary_inputs_stop_with_a_message() {
        let e = read_small_file(Path::new("/dev/zero"), "a recipe").unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        std::fs::write(&p, [0xff, 0xfe, 0x00]).unwrap();
        let e = read_small_file(&p, "a recipe").unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        let e = read_small_file(dir.path(), "a recipe").unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
    }
}
