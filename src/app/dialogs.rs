//! Native file dialogs behind a small trait, so tests can script the answers instead of opening windows,
//! and [`DialogHost`], which asks them on a worker thread so the UI thread keeps drawing (progress bars
//! move, the window repaints) while a native dialog is open.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::sync::{Arc, Mutex, PoisonError};

/// Asks the user for files. [`RfdDialogs`] opens the native dialogs; [`ScriptedDialogs`] replays answers.
pub trait FileDialogs: Send {
    /// A CSV (or TSV/TXT) file to open; `None` when the user cancelled.
    fn pick_csv(&mut self) -> Option<PathBuf>;
    /// Where to save a CSV, proposing `suggested_name`; `None` when the user cancelled.
    fn save_csv(&mut self, suggested_name: &str) -> Option<PathBuf>;
    /// A JSON file (a recipe) to open; `None` when the user cancelled.
    fn pick_json(&mut self) -> Option<PathBuf>;
    /// Where to save a JSON file, proposing `suggested_name`; `None` when the user cancelled.
    fn save_json(&mut self, suggested_name: &str) -> Option<PathBuf>;
    /// A segment model (JSON) to open; an "open" dialog like [`FileDialogs::pick_json`].
    fn pick_model(&mut self) -> Option<PathBuf> {
        self.pick_json()
    }
    /// Where to save a segment model; a "save" dialog like [`FileDialogs::save_json`].
    fn save_model(&mut self, suggested_name: &str) -> Option<PathBuf> {
        self.save_json(suggested_name)
    }
    /// Whether a dialog blocks its caller until the user answers (native ones do): [`DialogHost`] then
    /// asks on a worker thread. Dialogs that answer at once (scripted ones) are asked in the frame.
    fn blocks(&self) -> bool {
        true
    }
    /// Where to save another kind of file (a plot image, the HTML report), proposing `suggested_name`,
    /// offering `filter` (`"PNG image"`) for `extensions`. By default the "save" dialog of CSVs.
    fn save_as(
        &mut self,
        suggested_name: &str,
        filter: &str,
        extensions: &[&str],
    ) -> Option<PathBuf> {
        let _ = (filter, extensions);
        self.save_csv(suggested_name)
    }
}

/// Which dialog to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogRequest {
    /// A CSV to open.
    PickCsv,
    /// Where to save a CSV, with the suggested name.
    SaveCsv(String),
    /// A JSON (recipe) to open.
    PickJson,
    /// Where to save a JSON file, with the suggested name.
    SaveJson(String),
    /// A segment model to open.
    PickModel,
    /// Where to save a segment model, with the suggested name.
    SaveModel(String),
    /// Where to save another file: the suggested name, the filter's name and its extensions.
    SaveAs(String, &'static str, &'static [&'static str]),
}

impl DialogRequest {
    /// Shows the dialog on `dialogs` and waits for the answer.
    pub fn ask(&self, dialogs: &mut dyn FileDialogs) -> Option<PathBuf> {
        match self {
            Self::PickCsv => dialogs.pick_csv(),
            Self::SaveCsv(name) => dialogs.save_csv(name),
            Self::PickJson => dialogs.pick_json(),
            Self::SaveJson(name) => dialogs.save_json(name),
            Self::PickModel => dialogs.pick_model(),
            Self::SaveModel(name) => dialogs.save_model(name),
            Self::SaveAs(name, filter, extensions) => dialogs.save_as(name, filter, extensions),
        }
    }
}

/// An answered dialog: what to do with the answer (`T`) and the path (`None`: cancelled).
pub type Answer<T> = (T, Option<PathBuf>);

type Reply = (Box<dyn FileDialogs>, Option<PathBuf>);

/// Owns the dialogs and shows one at a time without blocking the UI thread: a blocking (native) dialog is
/// asked on a worker thread and its answer collected by [`DialogHost::poll`] in a later frame.
pub struct DialogHost<T> {
    /// The dialogs, while no dialog is open (a worker holds them meanwhile).
    dialogs: Option<Box<dyn FileDialogs>>,
    /// The open dialog: what to do with its answer, and where the answer arrives.
    open: Option<(T, Receiver<Reply>)>,
}

impl<T> std::fmt::Debug for DialogHost<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DialogHost")
            .field("open", &self.open.is_some())
            .finish_non_exhaustive()
    }
}

impl<T> DialogHost<T> {
    /// A host of `dialogs`.
    pub fn new(dialogs: Box<dyn FileDialogs>) -> Self {
        Self {
            dialogs: Some(dialogs),
            open: None,
        }
    }

    /// Whether a dialog is open (its answer not collected yet).
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Shows `request`; `then` comes back with the answer. Dialogs that do not block answer at once
    /// (returned here); blocking ones answer through [`DialogHost::poll`]. While a dialog is open another
    /// request is refused (`Err`, with `then`), as a modal dialog would.
    pub fn ask(&mut self, request: DialogRequest, then: T) -> Result<Option<Answer<T>>, T> {
        let Some(mut dialogs) = self.dialogs.take() else {
            return Err(then);
        };
        if !dialogs.blocks() {
            let answer = request.ask(dialogs.as_mut());
            self.dialogs = Some(dialogs);
            return Ok(Some((then, answer)));
        }
        let (tx, rx) = channel();
        // The dialogs move to the worker and come back with the answer.
        let spawned = std::thread::Builder::new()
            .name("segscope-dialog".into())
            .spawn(move || {
                let answer = request.ask(dialogs.as_mut());
                let _ = tx.send((dialogs, answer));
            });
        if spawned.is_ok() {
            self.open = Some((then, rx));
            Ok(None)
        } else {
            // No thread: the closure (and the dialogs with it) are gone; carry on with fresh native
            // dialogs, the request refused.
            self.dialogs = Some(Box::new(RfdDialogs::new()));
            Err(then)
        }
    }

    /// The answer of the open dialog once the user gave it.
    pub fn poll(&mut self) -> Option<Answer<T>> {
        let (_, rx) = self.open.as_ref()?;
        match rx.try_recv() {
            Ok((dialogs, answer)) => {
                self.dialogs = Some(dialogs);
                self.open.take().map(|(then, _)| (then, answer))
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                // The worker died with the dialogs: carry on with fresh native ones, as cancelled.
                self.dialogs = Some(Box::new(RfdDialogs::new()));
                self.open.take().map(|(then, _)| (then, None))
            }
        }
    }
}

/// The native dialogs (rfd). Remembers the last folder used.
#[derive(Debug, Default)]
pub struct RfdDialogs {
    last_dir: Option<PathBuf>,
}

impl RfdDialogs {
    /// Dialogs that start in the process's working folder.
    pub fn new() -> Self {
        Self::default()
    }

    fn remember(&mut self, picked: Option<PathBuf>) -> Option<PathBuf> {
        if let Some(dir) = picked.as_deref().and_then(std::path::Path::parent) {
            self.last_dir = Some(dir.to_path_buf());
        }
        picked
    }

    fn dialog(&self) -> rfd::AsyncFileDialog {
        self.dialog_for("CSV files", &["csv", "tsv", "txt"])
    }

    fn dialog_for(&self, what: &str, extensions: &[&str]) -> rfd::AsyncFileDialog {
        let d = rfd::AsyncFileDialog::new()
            .add_filter(what, extensions)
            .add_filter("All files", &["*"]);
        match &self.last_dir {
            Some(dir) => d.set_directory(dir),
            None => d,
        }
    }
}

/// Waits for rfd's asynchronous dialog (on the [`DialogHost`]'s worker thread, never the UI thread).
fn wait(dialog: impl std::future::Future<Output = Option<rfd::FileHandle>>) -> Option<PathBuf> {
    pollster::block_on(dialog).map(|h| h.path().to_path_buf())
}

impl FileDialogs for RfdDialogs {
    fn pick_csv(&mut self) -> Option<PathBuf> {
        let picked = wait(self.dialog().set_title("Open a CSV file").pick_file());
        self.remember(picked)
    }

    fn save_csv(&mut self, suggested_name: &str) -> Option<PathBuf> {
        let picked = wait(
            self.dialog()
                .set_title("Save as CSV")
                .set_file_name(suggested_name)
                .save_file(),
        );
        self.remember(picked)
    }

    fn pick_json(&mut self) -> Option<PathBuf> {
        let picked = wait(
            self.dialog_for("Recipe (JSON)", &["json"])
                .set_title("Open a recipe")
                .pick_file(),
        );
        self.remember(picked)
    }

    fn save_json(&mut self, suggested_name: &str) -> Option<PathBuf> {
        let picked = wait(
            self.dialog_for("Recipe (JSON)", &["json"])
                .set_title("Save the recipe")
                .set_file_name(suggested_name)
                .save_file(),
        );
        self.remember(picked)
    }

    fn pick_model(&mut self) -> Option<PathBuf> {
        let picked = wait(
            self.dialog_for("Segment model (JSON)", &["json"])
                .set_title("Open a segment model")
                .pick_file(),
        );
        self.remember(picked)
    }

    fn save_model(&mut self, suggested_name: &str) -> Option<PathBuf> {
        let picked = wait(
            self.dialog_for("Segment model (JSON)", &["json"])
                .set_title("Save the segment model")
                .set_file_name(suggested_name)
                .save_file(),
        );
        self.remember(picked)
    }

    fn save_as(
        &mut self,
        suggested_name: &str,
        filter: &str,
        extensions: &[&str],
    ) -> Option<PathBuf> {
        let picked = wait(
            self.dialog_for(filter, extensions)
                .set_title(format!("Save as {filter}"))
                .set_file_name(suggested_name)
                .save_file(),
        );
        self.remember(picked)
    }
}

#[derive(Debug, Default)]
struct Script {
    picks: VecDeque<Option<PathBuf>>,
    saves: VecDeque<Option<PathBuf>>,
    save_requests: Vec<String>,
}

/// Dialogs for tests: answers come from queues filled in advance; never opens a window. Clones share the
/// same queues, so a test keeps one clone to push answers after handing another to the app. An empty queue
/// answers `None` (as if the user cancelled). Every "open" dialog (CSV or JSON) takes the next
/// [`ScriptedDialogs::push_pick`] answer, every "save" dialog the next [`ScriptedDialogs::push_save`] one.
#[derive(Debug, Clone, Default)]
pub struct ScriptedDialogs {
    script: Arc<Mutex<Script>>,
}

impl ScriptedDialogs {
    /// Empty queues.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut Script) -> R) -> R {
        let mut guard = self.script.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// Queues the answer to the next "open" dialog.
    pub fn push_pick(&self, answer: Option<PathBuf>) {
        self.with(|s| s.picks.push_back(answer));
    }

    /// Queues the answer to the next "save" dialog.
    pub fn push_save(&self, answer: Option<PathBuf>) {
        self.with(|s| s.saves.push_back(answer));
    }

    /// The suggested names of every "save" dialog shown so far.
    pub fn save_requests(&self) -> Vec<String> {
        self.with(|s| s.save_requests.clone())
    }

    /// How many "open" answers are still queued.
    pub fn pending_picks(&self) -> usize {
        self.with(|s| s.picks.len())
    }
}

impl FileDialogs for ScriptedDialogs {
    fn pick_csv(&mut self) -> Option<PathBuf> {
        self.with(|s| s.picks.pop_front().flatten())
    }

    fn save_csv(&mut self, suggested_name: &str) -> Option<PathBuf> {
        self.with(|s| {
            s.save_requests.push(suggested_name.to_owned());
            s.saves.pop_front().flatten()
        })
    }

    fn pick_json(&mut self) -> Option<PathBuf> {
        self.pick_csv()
    }

    fn save_json(&mut self, suggested_name: &str) -> Option<PathBuf> {
        self.save_csv(suggested_name)
    }

    fn blocks(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_answers_in_order_then_none() {
        let script = ScriptedDialogs::new();
        let mut app_side: Box<dyn FileDialogs> = Box::new(script.clone());
        script.push_pick(Some(PathBuf::from("a.csv")));
        script.push_pick(None);
        script.push_save(Some(PathBuf::from("out.csv")));
        assert_eq!(app_side.pick_csv(), Some(PathBuf::from("a.csv")));
        assert_eq!(app_side.pick_csv(), None);
        assert_eq!(app_side.pick_csv(), None);
        assert_eq!(app_side.save_csv("x.csv"), Some(PathBuf::from("out.csv")));
        assert_eq!(script.save_requests(), vec!["x.csv".to_owned()]);
        assert_eq!(script.pending_picks(), 0);
        script.push_pick(Some(PathBuf::from("r.json")));
        script.push_save(Some(PathBuf::from("out.json")));
        assert_eq!(app_side.pick_json(), Some(PathBuf::from("r.json")));
        assert_eq!(
            app_side.save_json("r.json"),
            Some(PathBuf::from("out.json"))
        );
        assert_eq!(app_side.save_json("again.json"), None);
        assert_eq!(script.save_requests(), ["x.csv", "r.json", "again.json"]);
    }
}
