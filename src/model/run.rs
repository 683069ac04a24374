//! The file-level entry points of models, shared by the CLI and the app (one code path):
//! [`model_json`] is what `segscope cluster --save-model` and the app's "Save model…" write, and
//! [`apply_files`] is `segscope apply` and the app's "Apply model to a file…": outputs checked before any
//! work (never an input, see [`OutputPlan`]), the model read, the input streamed through [`apply`] into a
//! temp file, the drift report written, and everything renamed into place together — or nothing, on an
//! error or a cancel.

use std::io::BufReader;
use std::path::PathBuf;

use super::SegmentModel;
use super::apply::{ApplySummary, apply};
use crate::analysis::{PreparedData, SegResult};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::export::io_err;
use crate::export::write::{OutputPlan, Writer};
use crate::jobs::Progress;

/// The model file of a fit, as JSON: `table` and `data` are the training table and its prepared data.
pub fn model_json(table: &Table, data: &PreparedData, result: &SegResult) -> Result<String> {
    SegmentModel::from_result(table, data, result)?.to_json()
}

/// What to apply, and where to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyRequest {
    /// The model file.
    pub model: PathBuf,
    /// The CSV to score (`-`: standard input).
    pub input: PathBuf,
    /// The scored CSV (`-`: standard output).
    pub output: PathBuf,
    /// Where to write the drift report (JSON), if anywhere.
    pub drift_output: Option<PathBuf>,
    /// Whether to compute the drift report (always, when `drift_output` is given).
    pub drift: bool,
}

/// What [`apply_files`] did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The model used.
    pub model: SegmentModel,
    /// Rows, sizes, unseen levels, out-of-range counts and the drift report (when asked for).
    pub summary: ApplySummary,
}

/// Scores `req.input` with the model at `req.model` into `req.output` (and the drift report into
/// `req.drift_output`), streaming, atomically: the outputs are checked first (an output that is an input
/// is refused), and a failure or a cancel through `progress` leaves no output file.
pub fn apply_files(req: &ApplyRequest, progress: &Progress) -> Result<Applied> {
    let mut plan = OutputPlan::new();
    plan.add_input(&req.input)?;
    plan.add_input(&req.model)?;
    let out = plan.add_output(&req.output, "the scored CSV")?;
    let drift_out = req
        .drift_output
        .as_deref()
        .map(|p| plan.add_output(p, "the drift report"))
        .transpose()?;
    let model = SegmentModel::from_path(&req.model)?;
    let from_stdin = req.input.as_os_str() == "-";
    let source = if from_stdin {
        "<stdin>".to_owned()
    } else {
        req.input.display().to_string()
    };
    let want_drift = req.drift || drift_out.is_some();
    let mut summary: Option<ApplySummary> = None;
    {
        let (summary, model, source, input) = (&mut summary, &model, source.as_str(), &req.input);
        let scored: Writer<'_> = Box::new(move |w| {
            let s = if from_stdin {
                let stdin = BufReader::new(std::io::stdin().lock());
                apply(model, stdin, source, w, want_drift, progress)?
            } else {
                let f = std::fs::File::open(input).map_err(|e| Error::io(input, e))?;
                apply(
                    model,
                    BufReader::with_capacity(1 << 20, f),
                    source,
                    w,
                    want_drift,
                    progress,
                )?
            };
            *summary = Some(s);
            Ok(())
        });
        plan.write(out, scored)?;
    }
    let summary = summary.ok_or_else(|| {
        Error::InvalidParameter("internal: apply finished without a summary".into())
    })?;
    if let (Some(id), Some(report)) = (drift_out, &summary.drift) {
        let text = serde_json::to_string_pretty(report)
            .map_err(|e| Error::InvalidParameter(format!("cannot write the drift report: {e}")))?;
        plan.write(id, |w| w.write_all(text.as_bytes()).map_err(io_err))?;
    }
    progress.check()?;
    plan.commit()?;
    Ok(Applied { model, summary })
}
