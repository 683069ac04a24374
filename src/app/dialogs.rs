//! Native file dialogs behind a small trait, so tests can script the answers instead of opening windows.

use std::collections::VecDeque;
use std::path::PathBuf;
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

    fn dialog(&self) -> rfd::FileDialog {
        self.dialog_for("CSV files", &["csv", "tsv", "txt"])
    }

    fn dialog_for(&self, what: &str, extensions: &[&str]) -> rfd::FileDialog {
        let d = rfd::FileDialog::new()
            .add_filter(what, extensions)
            .add_filter("All files", &["*"]);
        match &self.last_dir {
            Some(dir) => d.set_directory(dir),
            None => d,
        }
    }
}

impl FileDialogs for RfdDialogs {
    fn pick_csv(&mut self) -> Option<PathBuf> {
        let picked = self.dialog().set_title("Open a CSV file").pick_file();
        self.remember(picked)
    }

    fn save_csv(&mut self, suggested_name: &str) -> Option<PathBuf> {
        let picked = self
            .dialog()
            .set_title("Save as CSV")
            .set_file_name(suggested_name)
            .save_file();
        self.remember(picked)
    }

    fn pick_json(&mut self) -> Option<PathBuf> {
        let picked = self
            .dialog_for("Recipe (JSON)", &["json"])
            .set_title("Open a recipe")
            .pick_file();
        self.remember(picked)
    }

    fn save_json(&mut self, suggested_name: &str) -> Option<PathBuf> {
        let picked = self
            .dialog_for("Recipe (JSON)", &["json"])
            .set_title("Save the recipe")
            .set_file_name(suggested_name)
            .save_file();
        self.remember(picked)
    }

    fn pick_model(&mut self) -> Option<PathBuf> {
        let picked = self
            .dialog_for("Segment model (JSON)", &["json"])
            .set_title("Open a segment model")
            .pick_file();
        self.remember(picked)
    }

    fn save_model(&mut self, suggested_name: &str) -> Option<PathBuf> {
        let picked = self
            .dialog_for("Segment model (JSON)", &["json"])
            .set_title("Save the segment model")
            .set_file_name(suggested_name)
            .save_file();
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
