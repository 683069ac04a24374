//! "Export selected rows…" of the Scatter and Map tabs: the labelled CSV of only the box-selected rows,
//! written on a worker through the engine's export path (the same columns as "Export labelled CSV…").

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::format::{fmt_count, plural};
use super::state::{AppState, ExportColumns, FileWork};
use crate::export::segment_columns;
use crate::export::write::write_file;
use crate::export::write_labelled_rows;
use crate::jobs::Progress;

/// What the status bar and errors call the job.
pub const WHAT: &str = "Exporting the selected rows";

/// The work that writes the input rows behind the prepared rows `selected` (the scatter's selection),
/// with the segment columns `cols`, to `out`; or why there is nothing to write.
pub fn selection_work(
    state: &AppState,
    cols: ExportColumns,
    selected: &[usize],
    out: PathBuf,
) -> std::result::Result<FileWork, String> {
    let none = || "Nothing to export yet: the segments are still being computed.".to_owned();
    let dataset = state.dataset().ok_or_else(none)?;
    let (prepared, result) = (
        state.explorer.prepared().ok_or_else(none)?,
        state.explorer.result().ok_or_else(none)?,
    );
    let kept = &prepared.prepared.kept_rows;
    let mut rows: Vec<usize> = selected
        .iter()
        .filter_map(|&i| kept.get(i).copied())
        .collect();
    rows.sort_unstable();
    rows.dedup();
    if rows.is_empty() {
        return Err("No row is selected: drag a box on the scatter first.".to_owned());
    }
    let table = Arc::clone(&dataset.table);
    let path = dataset.path.clone();
    let (prepared, result) = (Arc::clone(prepared), Arc::clone(result));
    Ok(Box::new(move |p: &Progress| {
        p.set_stage("labelling", 0);
        let extra = segment_columns(&result, &prepared, table.n_rows(), cols);
        p.check()?;
        let inputs: Vec<&Path> = path.as_deref().into_iter().collect();
        write_file(&out, &inputs, "the selected rows", |w| {
            write_labelled_rows(&table, &extra, &rows, w, p)
        })?;
        Ok(format!(
            "Wrote {} {} to {}",
            fmt_count(rows.len()),
            plural(rows.len(), "selected row", "selected rows"),
            out.display()
        ))
    }))
}
