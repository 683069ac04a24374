//! The "Apply model to a file…" job: scores a CSV with a saved model on a worker, through the engine's
//! [`apply_files`] (the code path of `segscope apply --drift`), and keeps the outcome — the summary and
//! drift report, the error, or the cancel — for the Export tab's drift panel. At most one apply runs;
//! starting another cancels it. A cancelled or failed apply leaves no output file (the engine writes to
//! a temp file renamed into place only at the end).

use std::sync::Arc;

use super::Activity;
use super::slot::Slot;
use crate::app::format::fmt_count;
use crate::app::state::file_name;
use crate::error::{Error, Result};
use crate::model::run::{Applied, ApplyRequest, apply_files};

/// How the last apply ended.
#[derive(Debug, Clone)]
pub enum ApplyOutcome {
    /// Scored and written.
    Done {
        /// What was applied where.
        request: ApplyRequest,
        /// The model and the summary (with its drift report).
        applied: Arc<Applied>,
    },
    /// Failed; nothing was written.
    Failed {
        /// What was asked.
        request: ApplyRequest,
        /// The error, for the user.
        message: String,
    },
    /// Stopped by the user; nothing was written.
    Cancelled {
        /// What was asked.
        request: ApplyRequest,
    },
}

impl ApplyOutcome {
    /// The request the outcome belongs to.
    pub fn request(&self) -> &ApplyRequest {
        match self {
            ApplyOutcome::Done { request, .. }
            | ApplyOutcome::Failed { request, .. }
            | ApplyOutcome::Cancelled { request } => request,
        }
    }
}

/// The apply job and its last outcome.
pub struct ApplyJob {
    slot: Slot<Applied>,
    running: Option<ApplyRequest>,
    outcome: Option<ApplyOutcome>,
}

impl Default for ApplyJob {
    fn default() -> Self {
        Self {
            slot: Slot::new("segscope-apply"),
            running: None,
            outcome: None,
        }
    }
}

impl std::fmt::Debug for ApplyJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyJob")
            .field("running", &self.running)
            .finish_non_exhaustive()
    }
}

impl ApplyJob {
    /// Starts scoring `request.input` into `request.output` with the drift report (a running apply is
    /// cancelled first).
    pub fn start(&mut self, mut request: ApplyRequest) -> Result<()> {
        self.cancel();
        request.drift = true;
        let req = request.clone();
        self.slot.start(move |p| apply_files(&req, p))?;
        self.running = Some(request);
        Ok(())
    }

    /// Stops the running apply; nothing is written.
    pub fn cancel(&mut self) {
        if let Some(request) = self.running.take() {
            self.slot.cancel();
            self.outcome = Some(ApplyOutcome::Cancelled { request });
        }
    }

    /// Takes the result of a finished apply; returns the message for a banner (`Ok`: info, `Err`:
    /// error) when it just ended.
    pub fn poll(&mut self) -> Option<std::result::Result<String, String>> {
        let result = self.slot.poll()?;
        let request = self.running.take()?;
        let (outcome, message) = match result {
            Ok(applied) => {
                let message = format!(
                    "Scored {} rows of {} into {}",
                    fmt_count(applied.summary.n_rows),
                    request.input.display(),
                    request.output.display()
                );
                let applied = Arc::new(applied);
                (ApplyOutcome::Done { request, applied }, Some(Ok(message)))
            }
            Err(Error::Cancelled) => (ApplyOutcome::Cancelled { request }, None),
            Err(e) => {
                let message = format!("Applying the model failed: {e}");
                let banner = Some(Err(message.clone()));
                (ApplyOutcome::Failed { request, message }, banner)
            }
        };
        self.outcome = Some(outcome);
        message
    }

    /// Whether an apply runs.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// What runs, for the status bar and the panel.
    pub fn running(&self) -> Option<&ApplyRequest> {
        self.running.as_ref()
    }

    /// Rows scored so far by the running apply.
    pub fn rows_done(&self) -> Option<u64> {
        self.slot.progress().map(|p| p.counts().0)
    }

    /// The running apply as a status-bar activity.
    pub fn activity(&self) -> Option<Activity> {
        let request = self.running.as_ref()?;
        let p = self.slot.progress()?;
        Some(Activity {
            what: format!("Applying the model to {}", file_name(&request.input)),
            stage: format!(
                "{} rows",
                fmt_count(usize::try_from(p.counts().0).unwrap_or(usize::MAX))
            ),
            fraction: None,
        })
    }

    /// How the last apply ended.
    pub fn outcome(&self) -> Option<&ApplyOutcome> {
        self.outcome.as_ref()
    }
}
