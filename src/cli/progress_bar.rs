//! The CLI's progress bar: an `indicatif` bar on standard error fed by the same [`Progress`] the GUI
//! reads (stage name, done/total, ETA). A named ticker thread samples the progress about ten times a
//! second (a few atomic loads and one short lock for the stage name), so the engine pays nothing. The bar
//! is drawn only when standard error is a terminal and the user did not ask for `--quiet`; the
//! [`BarGuard`] returned by [`show`] stops the thread and clears the bar when dropped.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::jobs::Progress;

/// How often the ticker samples the progress.
const TICK: Duration = Duration::from_millis(100);

/// Shown while a stage has no name yet.
const NO_STAGE: &str = "working";

/// Stops the bar (thread and drawing) when dropped.
#[derive(Debug)]
pub struct BarGuard {
    shared: Option<Shared>,
}

#[derive(Debug)]
struct Shared {
    bar: ProgressBar,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// The bar being drawn, so that lines printed meanwhile ([`eprintln_line`]) do not tear it.
static CURRENT: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Prints `line` on standard error, hiding the bar (if one is drawn) while it does.
pub fn eprintln_line(line: &str) {
    let bar = CURRENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    match bar {
        Some(b) => b.suspend(|| eprintln!("{line}")),
        None => eprintln!("{line}"),
    }
}

/// Shows a bar for `progress` on standard error, unless `quiet` or standard error is not a terminal (then
/// the guard does nothing).
pub fn show(progress: Arc<Progress>, quiet: bool) -> BarGuard {
    if quiet || !std::io::stderr().is_terminal() {
        return BarGuard { shared: None };
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    *CURRENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(bar.clone());
    show_on(progress, bar)
}

/// Feeds `bar` from `progress` on a ticker thread.
fn show_on(progress: Arc<Progress>, bar: ProgressBar) -> BarGuard {
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let (bar, stop) = (bar.clone(), Arc::clone(&stop));
        std::thread::Builder::new()
            .name("segscope-progress-bar".into())
            .spawn(move || {
                let mut ticker = Ticker::default();
                while !stop.load(Ordering::Relaxed) {
                    ticker.sync(&bar, &progress);
                    std::thread::park_timeout(TICK);
                }
            })
    };
    match thread {
        Ok(thread) => BarGuard {
            shared: Some(Shared {
                bar,
                stop,
                thread: Some(thread),
            }),
        },
        // No thread, no bar: the run goes on without one.
        Err(_) => BarGuard { shared: None },
    }
}

impl BarGuard {
    /// Whether a bar is being drawn.
    pub fn is_drawing(&self) -> bool {
        self.shared.is_some()
    }

    /// Runs `f` with the bar hidden, so lines printed to the terminal (warnings) are not torn by it.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.shared {
            Some(s) => s.bar.suspend(f),
            None => f(),
        }
    }
}

impl Drop for BarGuard {
    fn drop(&mut self) {
        if let Some(s) = &mut self.shared {
            *CURRENT
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
            s.stop.store(true, Ordering::Relaxed);
            if let Some(thread) = s.thread.take() {
                thread.thread().unpark();
                let _ = thread.join();
            }
            s.bar.finish_and_clear();
        }
    }
}

/// What the bar shows now, to notice a new stage.
#[derive(Debug, Default)]
struct Ticker {
    stage: Option<String>,
    total: u64,
    last_done: u64,
}

impl Ticker {
    /// Copies the progress into the bar; a new stage (new name, new total, or `done` going back) restarts
    /// the bar so its rate and ETA are the new stage's.
    fn sync(&mut self, bar: &ProgressBar, progress: &Progress) {
        let stage = progress.stage();
        let (done, total) = progress.counts();
        let restarted = self.stage.as_deref() != Some(stage.as_str())
            || total != self.total
            || done < self.last_done;
        if restarted {
            bar.reset();
            bar.set_style(style(total));
            if total > 0 {
                bar.set_length(total);
            } else {
                bar.unset_length();
            }
            bar.set_message(if stage.is_empty() {
                NO_STAGE.to_owned()
            } else {
                stage.clone()
            });
            self.stage = Some(stage);
            self.total = total;
        }
        self.last_done = done;
        if total > 0 {
            bar.set_position(done.min(total));
        } else {
            bar.set_position(done);
            bar.tick();
        }
    }
}

/// A bar with counts and ETA when the total is known, a spinner with the elapsed time otherwise.
fn style(total: u64) -> ProgressStyle {
    let template = if total > 0 {
        "{msg:>12} [{bar:30}] {human_pos}/{human_len} ({percent}%, ETA {eta})"
    } else {
        "{spinner} {msg} ({elapsed})"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_follows_stage_counts_and_restarts_on_a_new_stage() {
        let progress = Progress::new();
        let bar = ProgressBar::hidden();
        let mut t = Ticker::default();
        progress.set_stage("loading", 200);
        progress.add(50);
        t.sync(&bar, &progress);
        assert_eq!(bar.message(), "loading");
        assert_eq!(bar.length(), Some(200));
        assert_eq!(bar.position(), 50);
        progress.add(500);
        t.sync(&bar, &progress);
        assert_eq!(bar.position(), 200, "clamped to the total");
        progress.set_stage("k-means", 10);
        progress.add(3);
        t.sync(&bar, &progress);
        assert_eq!(bar.message(), "k-means");
        assert_eq!(bar.length(), Some(10));
        assert_eq!(bar.position(), 3);
        // Same name and total again (the next k of a sweep): `done` going back restarts it.
        progress.set_stage("k-means", 10);
        progress.add(1);
        t.sync(&bar, &progress);
        assert_eq!(bar.position(), 1);
    }

    #[test]
    fn unknown_total_shows_a_spinner_without_length() {
        let progress = Progress::new();
        let bar = ProgressBar::hidden();
        let mut t = Ticker::default();
        t.sync(&bar, &progress);
        assert_eq!(bar.message(), NO_STAGE);
        progress.set_stage("reading", 0);
        progress.add(7);
        t.sync(&bar, &progress);
        assert_eq!(bar.message(), "reading");
        assert_eq!(bar.length(), None);
        assert_eq!(bar.position(), 7);
    }

    #[test]
    fn quiet_shows_nothing() {
        let guard = show(Arc::new(Progress::new()), true);
        assert!(!guard.is_drawing());
        assert_eq!(guard.suspend(|| 5), 5);
    }

    #[test]
    fn guard_drop_stops_the_ticker_and_finishes_the_bar() {
        let progress = Arc::new(Progress::new());
        progress.set_stage("fitting", 4);
        progress.add(2);
        let bar = ProgressBar::hidden();
        let guard = show_on(Arc::clone(&progress), bar.clone());
        assert!(guard.is_drawing());
        // The ticker copies the progress within a tick or so; wait for it (bounded).
        for _ in 0..500 {
            if bar.position() == 2 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(bar.message(), "fitting");
        assert_eq!(bar.position(), 2);
        drop(guard);
        assert!(bar.is_finished());
        // The ticker is gone: a later stage no longer reaches the bar.
        progress.set_stage("scoring", 9);
        std::thread::sleep(TICK * 3);
        assert_eq!(bar.message(), "fitting");
        assert_eq!(bar.length(), Some(4));
    }
}
