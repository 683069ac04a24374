//! Ctrl-C (SIGINT) and SIGTERM for the CLI, with `signal-hook`'s iterator on a named watcher thread (no
//! code runs inside the signal handler itself). On the first signal the watched [`Progress`] is cancelled
//! (the engine stops at its next check and the command returns [`crate::Error::Cancelled`]) and every live
//! temp file of [`crate::export::write`] is removed, which also makes any later commit fail, so no output
//! appears after a signal. If the process has not exited after a grace period (it may be blocked on a FIFO
//! nobody reads, or in a long step without checks), or on a second signal, the watcher removes the temp
//! files again and exits itself: 130 after SIGINT, 143 after SIGTERM (128 + the signal, as shells do).
//! The CLI exits with [`cancelled_exit_code`] when a command returns `Cancelled`.
//!
//! The handlers stay installed for the life of the process; [`install`] may be called again to watch
//! another `Progress`. On platforms other than Unix, `install` only records the `Progress`.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::Result;
use crate::jobs::Progress;

/// How long the main flow has to exit on its own after the first signal.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(2);

/// SIGINT's number on every Unix.
const SIGINT: i32 = 2;

/// The first signal received (0 = none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// Grace period in milliseconds.
static GRACE_MS: AtomicU64 = AtomicU64::new(2_000);

/// The progress the next signal cancels.
static WATCHED: Mutex<Option<Arc<Progress>>> = Mutex::new(None);

/// Watches SIGINT and SIGTERM for the rest of the process, cancelling `progress` on the first one (see the
/// module docs). Errors only if the OS refuses the handlers or the watcher thread.
pub fn install(progress: Arc<Progress>) -> Result<()> {
    install_with_grace(progress, DEFAULT_GRACE)
}

/// [`install`] with another grace period before the watcher exits the process itself.
pub fn install_with_grace(progress: Arc<Progress>, grace: Duration) -> Result<()> {
    GRACE_MS.store(
        u64::try_from(grace.as_millis()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    *WATCHED.lock().unwrap_or_else(PoisonError::into_inner) = Some(progress);
    imp::start_watcher()
}

/// The signal received first, if any (2 = SIGINT, 15 = SIGTERM).
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// The exit code for a command that ended with [`crate::Error::Cancelled`]: 128 + the signal received
/// (130 for SIGINT, 143 for SIGTERM), or 130 when it was cancelled without a signal.
pub fn cancelled_exit_code() -> i32 {
    128 + received().unwrap_or(SIGINT)
}

/// Cancels the watched progress and removes every live temp file (first signal).
fn on_first_signal() {
    if let Some(p) = WATCHED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
    {
        p.cancel();
    }
    crate::export::write::remove_live_temps();
}

/// Removes the temp files and ends the process with the signal's exit code.
fn exit_now(signal: i32, why: &str) -> ! {
    crate::export::write::remove_live_temps();
    eprintln!("\nerror: {why}; exiting without finishing the outputs");
    std::process::exit(128 + signal)
}

#[cfg(unix)]
mod imp {
    use std::sync::OnceLock;
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    use super::{GRACE_MS, RECEIVED, exit_now, on_first_signal};
    use crate::error::{Error, Result};

    /// Whether the watcher started (or why it could not).
    static STARTED: OnceLock<std::result::Result<(), String>> = OnceLock::new();

    pub(super) fn start_watcher() -> Result<()> {
        STARTED
            .get_or_init(|| {
                let mut signals = Signals::new([SIGINT, SIGTERM])
                    .map_err(|e| format!("cannot watch Ctrl-C and SIGTERM: {e}"))?;
                std::thread::Builder::new()
                    .name("segscope-signals".into())
                    .spawn(move || {
                        for signal in signals.forever() {
                            on_signal(signal);
                        }
                    })
                    .map(|_| ())
                    .map_err(|e| format!("cannot start the signal watcher thread: {e}"))
            })
            .clone()
            .map_err(|message| Error::io("<signals>", std::io::Error::other(message)))
    }

    fn on_signal(signal: i32) {
        let first = RECEIVED
            .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        if !first {
            exit_now(signal, "interrupted again");
        }
        on_first_signal();
        let grace = Duration::from_millis(GRACE_MS.load(Ordering::Relaxed));
        let spawned = std::thread::Builder::new()
            .name("segscope-signal-grace".into())
            .spawn(move || {
                std::thread::sleep(grace);
                exit_now(
                    signal,
                    &format!(
                        "interrupted, and the run did not stop within {} ms",
                        grace.as_millis()
                    ),
                );
            });
        if spawned.is_err() {
            exit_now(signal, "interrupted");
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use crate::error::Result;

    pub(super) fn start_watcher() -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    //! Real signals, sent to a child process: the lib test binary run again on the ignored test `child`.

    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use super::*;
    use crate::export::write::OutputPlan;

    const CHILD_ENV: &str = "SEGSCOPE_SIGNAL_TEST_CHILD";
    /// Not a timing assertion: only how long we wait before calling a child hung.
    const HANG: Duration = Duration::from_mins(1);

    /// The child: plans an output (so a temp file exists), then either checks its progress (`cooperative`)
    /// or never does (`stuck`), like a run blocked on I/O.
    #[test]
    #[ignore = "run by the signal tests in a child process"]
    fn child() {
        let Ok(spec) = std::env::var(CHILD_ENV) else {
            return;
        };
        let mut parts = spec.splitn(3, ':');
        let (mode, grace_ms, dir) = (
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().parse::<u64>().unwrap(),
            PathBuf::from(parts.next().unwrap()),
        );
        let progress = Arc::new(Progress::new());
        install_with_grace(Arc::clone(&progress), Duration::from_millis(grace_ms)).unwrap();
        let mut plan = OutputPlan::new();
        let id = plan
            .add_output(&dir.join("out.csv"), "the labelled CSV")
            .unwrap();
        let run = || -> Result<()> {
            loop {
                if mode == "cooperative" {
                    progress.check()?;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        let result = run();
        assert!(matches!(result, Err(crate::Error::Cancelled)));
        // As the CLI would: the run failed, the plan is dropped, nothing is written.
        assert!(matches!(
            plan.write(id, |_| Ok(())),
            Err(crate::Error::Cancelled)
        ));
        drop(plan);
        std::process::exit(cancelled_exit_code());
    }

    fn spawn_child(mode: &str, grace_ms: u64, dir: &Path) -> Child {
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "cli::signals::tests::child", "--ignored"])
            .args(["--test-threads=1", "--nocapture"])
            .env(CHILD_ENV, format!("{mode}:{grace_ms}:{}", dir.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        while !done() {
            assert!(start.elapsed() < HANG, "gave up waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn send(child: &Child, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn exit_code(mut child: Child) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code();
            }
            if start.elapsed() > HANG {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the child did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn temp_of(dir: &Path) -> PathBuf {
        dir.join(".out.csv.segscope-tmp")
    }

    fn is_empty(dir: &Path) -> bool {
        std::fs::read_dir(dir).unwrap().next().is_none()
    }

    #[test]
    fn sigint_cancels_the_run_removes_temps_and_exits_130() {
        let dir = tempfile::tempdir().unwrap();
        let child = spawn_child("cooperative", 30_000, dir.path());
        wait_until("the temp file", || temp_of(dir.path()).exists());
        send(&child, "INT");
        assert_eq!(exit_code(child), Some(130));
        assert!(is_empty(dir.path()));
    }

    #[test]
    fn sigterm_on_a_stuck_run_exits_143_after_the_grace_period() {
        let dir = tempfile::tempdir().unwrap();
        let child = spawn_child("stuck", 100, dir.path());
        wait_until("the temp file", || temp_of(dir.path()).exists());
        send(&child, "TERM");
        assert_eq!(exit_code(child), Some(143));
        assert!(is_empty(dir.path()));
    }

    #[test]
    fn a_second_sigint_exits_at_once() {
        let dir = tempfile::tempdir().unwrap();
        // A grace period longer than the hang guard: only the second signal can end the child in time.
        let child = spawn_child("stuck", 3_600_000, dir.path());
        wait_until("the temp file", || temp_of(dir.path()).exists());
        send(&child, "INT");
        wait_until("the first signal to remove the temp file", || {
            !temp_of(dir.path()).exists()
        });
        send(&child, "INT");
        assert_eq!(exit_code(child), Some(130));
        assert!(is_empty(dir.path()));
    }

    #[test]
    fn exit_code_without_a_signal_is_130() {
        // This process never receives a signal in tests.
        assert_eq!(received(), None);
        assert_eq!(cancelled_exit_code(), 130);
    }
}
