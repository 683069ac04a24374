//! One background job slot: at most one job of a kind runs; starting a new one cancels and drops the
//! previous one, so a superseded result can never arrive. The explorer has one slot per stage (prepare,
//! sweep, fit) instead of three copies of the restart/poll pattern.

use crate::error::Result;
use crate::jobs::{Job, Progress};

/// A slot for jobs producing `T`.
pub(crate) struct Slot<T> {
    name: &'static str,
    job: Option<Job<T>>,
}

impl<T: Send + 'static> Slot<T> {
    /// An empty slot whose worker threads are called `name`.
    pub fn new(name: &'static str) -> Self {
        Self { name, job: None }
    }

    /// Cancels what runs and starts `work` on a named worker.
    pub fn start(
        &mut self,
        work: impl FnOnce(&Progress) -> Result<T> + Send + 'static,
    ) -> Result<()> {
        self.cancel();
        self.job = Some(Job::spawn(self.name, work)?);
        Ok(())
    }

    /// Cancels and drops the running job (its result, if it still comes, goes nowhere).
    pub fn cancel(&mut self) {
        if let Some(job) = self.job.take() {
            job.cancel();
        }
    }

    /// The finished result, once (non-blocking).
    pub fn poll(&mut self) -> Option<Result<T>> {
        let out = self.job.as_mut()?.poll();
        if out.is_some() {
            self.job = None;
        }
        out
    }

    /// Whether a job runs.
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// The running job's progress.
    pub fn progress(&self) -> Option<&Progress> {
        self.job.as_ref().map(Job::progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn a_new_job_supersedes_the_old_one() {
        let mut slot: Slot<u32> = Slot::new("t");
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        slot.start(move |p| {
            let _ = rx.recv();
            p.check()?;
            Ok(1)
        })
        .unwrap();
        slot.start(|_| Ok(2)).unwrap();
        drop(tx);
        let got = loop {
            if let Some(r) = slot.poll() {
                break r.unwrap();
            }
            std::thread::yield_now();
        };
        assert_eq!(got, 2);
        assert!(!slot.is_running());
        slot.start(|p| {
            loop {
                p.check()?;
                std::thread::yield_now();
            }
        })
        .unwrap();
        assert!(slot.progress().is_some());
        slot.cancel();
        assert!(!slot.is_running() && slot.poll().is_none());
        let _ = Error::Cancelled;
    }
}
