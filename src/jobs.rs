//! Progress reporting, cancellation and background workers.
//!
//! Every engine entry point that can take more than ~50 ms takes a [`Progress`], reports `done`/`total`
//! for its current `stage`, and calls [`Progress::check`] at block boundaries, which returns
//! [`Error::Cancelled`] once someone called [`Progress::cancel`]. The GUI runs such calls through
//! [`Job::spawn`], which catches panics and hands the result back over a channel.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use crate::error::{Error, Result};

/// Shared progress of one job: counters, a stage name and a cancel flag. Cheap to update from hot loops.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
    stage: Mutex<String>,
    context: Mutex<String>,
}

impl Progress {
    /// A fresh progress with nothing done.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a new stage with `total` units of work (0 = unknown).
    pub fn set_stage(&self, stage: &str, total: u64) {
        if let Ok(mut s) = self.stage.lock() {
            stage.clone_into(&mut s);
        }
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    /// Sets the amount done in the current stage.
    pub fn set_done(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    /// Adds `n` to the amount done.
    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Names the step that the following stages belong to (a sweep's "k = 5 (4 of 9)"), shown before the
    /// stage; empty to clear.
    pub fn set_context(&self, context: &str) {
        if let Ok(mut c) = self.context.lock() {
            context.clone_into(&mut c);
        }
    }

    /// The current stage name, after the context when there is one ("k = 5 (4 of 9) · k-means").
    pub fn stage(&self) -> String {
        let stage = self.stage.lock().map(|s| s.clone()).unwrap_or_default();
        match self.context.lock() {
            Ok(c) if !c.is_empty() => format!("{c} · {stage}"),
            _ => stage,
        }
    }

    /// `(done, total)` of the current stage.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Fraction done in 0..=1, or `None` when the total is unknown.
    pub fn fraction(&self) -> Option<f32> {
        let (d, t) = self.counts();
        (t > 0).then(|| (d as f64 / t as f64).clamp(0.0, 1.0) as f32)
    }

    /// Asks the job to stop at its next check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Progress::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Error::Cancelled)` once cancelled; call at block boundaries.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// A job running on a named worker thread. Poll it with [`Job::poll`] each frame.
#[derive(Debug)]
pub struct Job<T> {
    progress: Arc<Progress>,
    rx: mpsc::Receiver<Result<T>>,
    result: Option<Result<T>>,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread named `name`. A panic inside `work` becomes [`Error::WorkerPanic`].
    pub fn spawn(
        name: &str,
        work: impl FnOnce(&Progress) -> Result<T> + Send + 'static,
    ) -> Result<Self> {
        let progress = Arc::new(Progress::new());
        let (tx, rx) = mpsc::sync_channel(1);
        let p = Arc::clone(&progress);
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&p)))
                    .unwrap_or_else(|payload| Err(Error::WorkerPanic(panic_message(&*payload))));
                // The receiver may be gone (job dropped): nothing to do then.
                let _ = tx.send(out);
            })
            .map_err(|e| Error::io(format!("<thread {name}>"), e))?;
        Ok(Self {
            progress,
            rx,
            result: None,
        })
    }
}

impl<T> Job<T> {
    /// The job's progress (for a bar and a Cancel button).
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Asks the job to stop.
    pub fn cancel(&self) {
        self.progress.cancel();
    }

    /// Non-blocking: `Some(result)` once the job has finished (only once), `None` while it runs.
    pub fn poll(&mut self) -> Option<Result<T>> {
        if self.result.is_none() {
            match self.rx.try_recv() {
                Ok(r) => self.result = Some(r),
                Err(mpsc::TryRecvError::Empty) => return None,
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.result = Some(Err(Error::WorkerPanic(
                        "worker stopped without a result".into(),
                    )));
                }
            }
        }
        self.result.take()
    }

    /// Blocks until the job finishes (for the CLI and tests).
    pub fn wait(mut self) -> Result<T> {
        if let Some(r) = self.result.take() {
            return r;
        }
        self.rx
            .recv()
            .unwrap_or_else(|_| Err(Error::WorkerPanic("worker stopped without a result".into())))
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_returns_result() {
        let job = Job::spawn("t", |p| {
            p.set_stage("adding", 10);
            p.add(10);
            Ok(42)
        })
        .unwrap();
        assert_eq!(job.wait().unwrap(), 42);
    }

    #[test]
    fn panic_becomes_error() {
        let job: Job<()> = Job::spawn("t", |_| panic!("boom")).unwrap();
        match job.wait() {
            Err(Error::WorkerPanic(m)) => assert!(m.contains("boom")),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn cancel_stops_a_loop() {
        let (tx, rx) = mpsc::channel();
        let job: Job<u64> = Job::spawn("t", move |p| {
            tx.send(()).unwrap();
            let mut i = 0u64;
            loop {
                p.check()?;
                i += 1;
                std::thread::yield_now();
                if i > 1_000_000_000 {
                    return Ok(i);
                }
            }
        })
        .unwrap();
        rx.recv().unwrap();
        job.cancel();
        assert!(matches!(job.wait(), Err(Error::Cancelled)));
    }

    #[test]
    fn fraction_is_clamped() {
        let p = Progress::new();
        assert_eq!(p.fraction(), None);
        p.set_stage("x", 4);
        p.add(2);
        assert_eq!(p.fraction(), Some(0.5));
        p.add(10);
        assert_eq!(p.fraction(), Some(1.0));
        assert_eq!(p.stage(), "x");
        p.set_context("k = 3 (2 of 9)");
        assert_eq!(p.stage(), "k = 3 (2 of 9) · x");
        p.set_context("");
        assert_eq!(p.stage(), "x");
    }
}
