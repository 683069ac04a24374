//! Choices remembered per file (issue 11 item 8): the preparation, method and K range used last time
//! with a file, keyed by its absolute path and its header, offered again when the file is reopened.
//!
//! The preparation is kept as recipe JSON text (the format `Save recipe…` writes), so a settings file
//! written by an older or newer segscope never fails to load: an entry that no longer parses, or whose
//! columns are gone from the file, is simply not offered.

use std::path::{Path, PathBuf};

use super::super::explore::ModelChoice;
use crate::data::Table;
use crate::prep::Preparation;

/// How many files' choices are kept (most recently used first).
pub const MAX_FILES: usize = 24;

/// The choices last used with one file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileChoices {
    /// Absolute path of the file.
    pub path: PathBuf,
    /// Its column names, joined by commas: a file rewritten with other columns is another file.
    pub header: String,
    /// The preparation, as recipe JSON text.
    pub preparation: String,
    /// Method, K range, seed, restarts.
    pub model: ModelChoice,
}

/// The key of `table` read from `path`.
fn key(path: &Path, table: &Table) -> (PathBuf, String) {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let header = table
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(",");
    (path, header)
}

/// Records `preparation` and `model` as the choices for `table` read from `path`.
pub fn remember(
    files: &mut Vec<FileChoices>,
    path: &Path,
    table: &Table,
    preparation: &Preparation,
    model: ModelChoice,
) {
    let (path, header) = key(path, table);
    let Ok(preparation) = serde_json::to_string(preparation) else {
        return;
    };
    files.retain(|f| f.path != path || f.header != header);
    files.insert(
        0,
        FileChoices {
            path,
            header,
            preparation,
            model,
        },
    );
    files.truncate(MAX_FILES);
}

/// The choices remembered for `table` read from `path`, when they still apply to it (every column they
/// name is in the table).
pub fn recall(
    files: &[FileChoices],
    path: &Path,
    table: &Table,
) -> Option<(Preparation, ModelChoice)> {
    let (path, header) = key(path, table);
    let f = files
        .iter()
        .find(|f| f.path == path && f.header == header)?;
    let preparation: Preparation = serde_json::from_str(&f.preparation).ok()?;
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    preparation
        .features
        .iter()
        .all(|c| names.contains(&c.as_str()))
        .then_some((preparation, f.model))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{LoadOptions, load_bytes};
    use crate::jobs::Progress;

    fn table(header: &str) -> Table {
        load_bytes(
            format!("{header}\n1,2,3\n4,5,6\n7,8,10\n").into_bytes(),
            "t.csv",
            &LoadOptions::default(),
            &Progress::new(),
        )
        .unwrap()
    }

    #[test]
    fn choices_come_back_for_the_same_file_and_header_only() {
        let t = table("a,b,c");
        let mut files = Vec::new();
        let mut prep = Preparation::new(vec!["a".into(), "c".into()]);
        prep.log1p.push("c".into());
        let model = ModelChoice {
            k_max: 7,
            ..ModelChoice::default()
        };
        remember(&mut files, Path::new("/data/x.csv"), &t, &prep, model);
        assert_eq!(
            recall(&files, Path::new("/data/x.csv"), &t),
            Some((prep.clone(), model))
        );
        // Another file, or the same path with other columns: nothing.
        assert_eq!(recall(&files, Path::new("/data/y.csv"), &t), None);
        assert_eq!(
            recall(&files, Path::new("/data/x.csv"), &table("a,b,d")),
            None
        );
        // Remembering again replaces the entry instead of adding one.
        remember(&mut files, Path::new("/data/x.csv"), &t, &prep, model);
        assert_eq!(files.len(), 1);
        // A damaged entry is not offered (and does not panic).
        files[0].preparation = "{not json".into();
        assert_eq!(recall(&files, Path::new("/data/x.csv"), &t), None);
    }

    #[test]
    fn at_most_max_files_are_kept_newest_first() {
        let t = table("a,b,c");
        let prep = Preparation::new(vec!["a".into()]);
        let mut files = Vec::new();
        for i in 0..MAX_FILES + 5 {
            let p = PathBuf::from(format!("/data/{i}.csv"));
            remember(&mut files, &p, &t, &prep, ModelChoice::default());
        }
        assert_eq!(files.len(), MAX_FILES);
        assert_eq!(
            files[0].path,
            PathBuf::from(format!("/data/{}.csv", MAX_FILES + 4))
        );
    }
}
