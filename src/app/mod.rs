//! The desktop app (eframe/egui). [`SegscopeApp`] owns an [`AppState`] (pure logic, no
//! drawing), the file dialogs, and one view per tab. Each frame it polls the background job, draws the top
//! bar, the banners and the current tab, collects the [`Command`]s the panels emitted, and
//! applies them once everything is drawn.
//!
//! Panels only draw: every statistic, cut, sample summary and engine step they show comes from an engine
//! function (`crate::analysis`, `crate::cluster`, `crate::data`, ...) run here or on a worker; nothing under
//! `src/app` computes statistics itself.
//!
//! Files and folders:
//! - `mod.rs`: the app (frame loop, top bar, banners, tab switching, applying commands, file actions).
//! - `state/`: [`AppState`] without drawing: loading state machine (`source.rs`), banners,
//!   tabs and commands (`commands.rs`), file jobs, settings.
//! - `explore/`: the analyst's choices and the prepare → sweep → fit jobs (`edit.rs` edits and undo,
//!   `pipeline.rs` the jobs, `slot.rs` one cancellable job slot).
//! - `dialogs.rs`: native file dialogs behind a trait, scripted ones for tests.
//! - `data_panel.rs`: the Data tab (file, size, one row per column).
//! - `prepare_panel/`: the left Prepare panel (features, per-feature options; `footer.rs` level guard,
//!   scaler, report, buttons).
//! - `choose_k.rs`: the Choose K tab (sweep curves, recommendation, K picking).
//! - `scatter/`: the Scatter tab (PCA scores; sample, grid index, cache, plot items, plot, side panel).
//! - `map/`: the Map tab (t-SNE map on a worker, drawn with the scatter's point cloud).
//! - `density_view.rs`: Choose K for DBSCAN / OPTICS (k-distance and reachability plots), outlier colour.
//! - `dendrogram/`: the Dendrogram tab (header, the tree plot with its cut line and gestures, empty states).
//! - `silhouette_panel.rs`: the Silhouette tab (per-row bars per segment).
//! - `profiles.rs`: the Profiles tab (segments × features, membership histogram for mixtures).
//! - `export_panel.rs`: the Export tab (labelled CSV, profile CSV, recipe JSON, model);
//!   `model_panel.rs` its "Save model…" / "Apply model to a file…" part, `drift_view.rs` the drift report.
//! - `rfm_dialog.rs`: the "Build RFM features" dialog.
//! - `notices.rs`: toasts (info notices that expire) and the one-row error strip ("N more…", Dismiss all).
//! - `status_bar.rs`: the bottom status bar (result summary, running job, Cancel).
//! - `widgets.rs`: small shared drawing helpers (kind badge, sparkline).
//! - `format.rs`: numbers, counts and dates for humans.
//! - `launch.rs`: opening the real window: renderer choice (glow without a GPU) and `--frame-stats`.
//! - `theme.rs`: every colour, dark and light.
//! - `plot_export.rs`: "Save as PNG…" / "Save as SVG…" of every plot (right-click menu and button,
//!   screenshot crop or `crate::plot` redraw, written on a worker).

mod axis_marks;
mod choose_k;
mod compare_panel;
mod data_panel;
mod dendrogram;
mod density_view;
pub mod dialogs;
mod drift_view;
pub mod explore;
mod export_panel;
pub mod format;
mod launch;
mod map;
mod model_panel;
mod notices;
pub mod plot_export;
mod prepare_panel;
mod profiles;
mod rfm_dialog;
mod rows_view;
mod scatter;
mod selection_export;
mod silhouette_panel;
pub mod state;
mod status_bar;
pub mod theme;
mod widgets;

use std::path::PathBuf;
use std::time::Duration;

use egui::{
    Align, Align2, FontId, Id, Key, KeyboardShortcut, LayerId, Layout, Modifiers, Order, Ui,
};

pub use dialogs::{DialogRequest, FileDialogs, RfdDialogs, ScriptedDialogs};
use explore::ExploreCommand;
pub use launch::{FrameStats, Launch, Renderer, run_native};
pub use silhouette_panel::export_silhouette_note;
use state::{AppState, BannerKind, Cause, Command, FileAction, LoadSource, Settings, Tab};
use theme::Palette;

use crate::data::Table;

/// How often the UI polls a running job.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Ctrl+O (Cmd+O on macOS).
const OPEN_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
/// Undo the last recipe or model change.
const UNDO_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
/// Redo the last undone change.
const REDO_SHORTCUT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
/// Ctrl+1 … Ctrl+8 show the tabs in their order.
const TAB_KEYS: [Key; Tab::ALL.len()] = [
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
    Key::Num7,
    Key::Num8,
];

/// A tab of the main area: draws from the state and emits commands, never mutates the state directly.
pub trait View {
    /// Draws the view.
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>);
}

/// The segscope desktop app.
pub struct SegscopeApp {
    state: AppState,
    /// The file dialogs, asked off the UI thread; the answer continues the action that asked.
    dialogs: dialogs::DialogHost<AfterDialog>,
    commands: Vec<Command>,
    data_panel: data_panel::DataPanel,
    choose_k: choose_k::ChooseKPanel,
    scatter: scatter::ScatterPanel,
    dendrogram: dendrogram::DendrogramPanel,
    silhouette: silhouette_panel::SilhouettePanel,
    profiles: profiles::ProfilesPanel,
    export: export_panel::ExportPanel,
    prepare: prepare_panel::PreparePanel,
    rfm: rfm_dialog::RfmDialog,
    map: map::MapPanel,
    /// PNG screenshots of plots on their way.
    plot_export: plot_export::Exporter,
}

impl SegscopeApp {
    /// The app with default settings, starting to load `initial` (or the embedded sample) on a worker.
    /// Needs no window: tests drive it through [`SegscopeApp::ui_frame`].
    pub fn new(dialogs: Box<dyn FileDialogs>, initial: Option<PathBuf>) -> Self {
        Self::with_settings(dialogs, initial, Settings::default())
    }

    /// Like [`SegscopeApp::new`], with remembered settings.
    pub fn with_settings(
        dialogs: Box<dyn FileDialogs>,
        initial: Option<PathBuf>,
        settings: Settings,
    ) -> Self {
        let mut state = AppState::new(settings);
        state.start_load(initial.map_or_else(LoadSource::sample, LoadSource::Path));
        Self {
            state,
            dialogs: dialogs::DialogHost::new(dialogs),
            commands: Vec::new(),
            data_panel: data_panel::DataPanel::default(),
            choose_k: choose_k::ChooseKPanel::default(),
            scatter: scatter::ScatterPanel::default(),
            dendrogram: dendrogram::DendrogramPanel::default(),
            silhouette: silhouette_panel::SilhouettePanel::default(),
            profiles: profiles::ProfilesPanel::default(),
            export: export_panel::ExportPanel::default(),
            prepare: prepare_panel::PreparePanel::default(),
            rfm: rfm_dialog::RfmDialog::default(),
            map: map::MapPanel::default(),
            plot_export: plot_export::Exporter::default(),
        }
    }

    /// The app as eframe starts it: native dialogs, settings restored from eframe's storage.
    pub fn from_creation_context(
        cc: &eframe::CreationContext<'_>,
        initial: Option<PathBuf>,
    ) -> Self {
        let settings = cc
            .storage
            .and_then(|s| eframe::get_value::<Settings>(s, eframe::APP_KEY))
            .unwrap_or_default();
        Self::with_settings(Box::new(RfdDialogs::new()), initial, settings)
    }

    /// The state (for tests and later panels).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The table shown, if any.
    pub fn table(&self) -> Option<&Table> {
        self.state.dataset().map(|d| &*d.table)
    }

    /// The text of the newest banner, if any.
    pub fn banner(&self) -> Option<&str> {
        self.state.banners().last().map(|b| b.text.as_str())
    }

    /// Whether a load is running.
    pub fn is_loading(&self) -> bool {
        self.state.is_loading()
    }

    /// Whether a load, an analysis, an export or an RFM build is running, or a file dialog is open.
    pub fn is_busy(&self) -> bool {
        self.state.is_busy()
            || self.rfm.is_busy()
            || self.dialogs.is_open()
            || self.plot_export.is_busy()
    }

    /// Whether a file dialog is open (asked on a worker; the UI keeps drawing meanwhile).
    pub fn is_dialog_open(&self) -> bool {
        self.dialogs.is_open()
    }

    /// Queues a command as if a panel had emitted it (applied at the end of the next frame). For tests and
    /// scripts that drive what kittest cannot reach (plots).
    pub fn push_command(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Whether the RFM dialog is shown.
    pub fn is_rfm_open(&self) -> bool {
        self.rfm.is_open()
    }

    /// Draws one frame of the whole app into `ui` and applies what the user asked for.
    pub fn ui_frame(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.state.poll();
        if let Some((then, answer)) = self.dialogs.poll() {
            self.after_dialog(then, answer);
        }
        self.poll_plot_export();
        self.input(&ctx);

        egui::Panel::top("top_bar").show(ui, |ui| {
            top_bar_ui(ui, &self.state, &mut self.commands);
        });
        notices::errors_ui(ui, &self.state, &mut self.commands);
        let status = egui::Panel::bottom("status_bar").show(ui, |ui| {
            status_bar::status_bar_ui(ui, &self.state, &mut self.commands);
        });
        // 340 px: room for 15-character column names beside their badges and sparklines (longer ones
        // are cut in the middle, so the panel never grows with them); 560 px stay for the plots at 900.
        egui::Panel::left("prepare")
            .resizable(true)
            .default_size(340.0)
            .min_size(260.0)
            .show(ui, |ui| {
                self.prepare.ui(ui, &self.state, &mut self.commands);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            let (state, commands) = (&self.state, &mut self.commands);
            match state.settings.tab {
                Tab::Data => self.data_panel.ui(ui, state, commands),
                Tab::ChooseK => self.choose_k.ui(ui, state, commands),
                Tab::Scatter => self.scatter.ui(ui, state, commands),
                Tab::Dendrogram => self.dendrogram.ui(ui, state, commands),
                Tab::Silhouette => self.silhouette.ui(ui, state, commands),
                Tab::Profiles => self.profiles.ui(ui, state, commands),
                Tab::Export => self.export.ui(ui, state, commands),
                Tab::Map => self.map.ui(ui, state, commands),
            }
        });
        self.rfm.ui(&ctx, &mut self.commands);
        notices::toasts_ui(
            &ctx,
            status.response.rect.top(),
            &self.state,
            &mut self.commands,
        );
        drop_overlay(&ctx);

        let had_commands = !self.commands.is_empty();
        self.apply_commands(&ctx);
        // After every panel drew: the PNGs asked for get the screenshot of this very frame.
        for e in self.plot_export.request(&ctx) {
            self.state.push_banner(BannerKind::Error, e);
        }
        if had_commands {
            ctx.request_repaint();
        } else if self.is_busy() {
            ctx.request_repaint_after(POLL_INTERVAL);
        }
    }

    /// Screenshots of plots that arrived become file jobs (crop, encode, write).
    fn poll_plot_export(&mut self) {
        let input = self.state.dataset().and_then(|d| d.path.clone());
        for work in self.plot_export.poll(input.as_deref()) {
            match work {
                Ok(work) => self.state.start_file_job("Saving the plot", work),
                Err(e) => self.state.push_banner(BannerKind::Error, e),
            }
        }
    }

    /// Keyboard shortcuts and dropped files become commands.
    fn input(&mut self, ctx: &egui::Context) {
        ctx.set_theme(if self.state.settings.light_theme {
            egui::Theme::Light
        } else {
            egui::Theme::Dark
        });
        if ctx.input_mut(|i| i.consume_shortcut(&OPEN_SHORTCUT)) {
            self.commands.push(Command::OpenDialog);
        }
        for (tab, key) in Tab::ALL.into_iter().zip(TAB_KEYS) {
            let shortcut = KeyboardShortcut::new(Modifiers::COMMAND, key);
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.commands.push(Command::SelectTab(tab));
            }
        }
        // Text fields keep their own undo.
        if !ctx.egui_wants_keyboard_input() {
            if ctx.input_mut(|i| i.consume_shortcut(&REDO_SHORTCUT)) {
                self.commands.push(Command::Explore(ExploreCommand::Redo));
            } else if ctx.input_mut(|i| i.consume_shortcut(&UNDO_SHORTCUT)) {
                self.commands.push(Command::Explore(ExploreCommand::Undo));
            }
        }
        if ctx.input_mut(|i| i.consume_shortcut(&export_panel::EXPORT_SHORTCUT)) {
            self.commands.push(Command::File(FileAction::ExportLabelled(
                self.export.columns,
            )));
        }
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if let Some(file) = dropped.first() {
            let path = file.path().to_path_buf();
            let source = if path.is_file() {
                LoadSource::Path(path)
            } else {
                let handle = std::sync::Arc::clone(file);
                LoadSource::Deferred {
                    name: state::file_name(&path),
                    read: Box::new(move || handle.bytes()),
                }
            };
            self.commands.push(Command::Load(source));
            if dropped.len() > 1 {
                self.state.push_banner(
                    BannerKind::Info,
                    format!(
                        "{} files were dropped; opening only {}.",
                        dropped.len(),
                        state::file_name(file.path())
                    ),
                );
            }
        }
    }

    fn apply_commands(&mut self, ctx: &egui::Context) {
        for command in std::mem::take(&mut self.commands) {
            match command {
                Command::OpenDialog => self.ask(DialogRequest::PickCsv, AfterDialog::Open),
                Command::Load(source) => self.state.start_load(source),
                Command::CancelLoad => self.state.cancel_load(),
                Command::DismissBanner(id) => self.state.dismiss_banner(id),
                Command::SelectTab(tab) => self.state.settings.tab = tab,
                Command::Explore(cmd) => self.state.explore(cmd),
                Command::Notify(text) => self.state.push_banner(BannerKind::Info, text),
                Command::Fail(text) => self.state.push_banner(BannerKind::Error, text),
                Command::File(action) => self.file_action(action, ctx),
                Command::OpenRfm => self.rfm.open(),
                Command::CancelFileJobs => self.state.cancel_file_jobs(),
                Command::SetLightTheme(light) => self.state.settings.light_theme = light,
                Command::FailBecause(cause, text) => self.state.push_error(cause, text),
                Command::DismissAll => self.state.dismiss_all(),
                Command::ExportRows(rows) => {
                    let name = format!(
                        "{}_selection.csv",
                        export_panel::export_stem(self.state.dataset())
                    );
                    self.ask(DialogRequest::SaveCsv(name), AfterDialog::ExportRows(rows));
                }
            }
        }
    }

    /// Shows a file dialog (on a worker when it blocks); `then` runs with the answer.
    fn ask(&mut self, request: DialogRequest, then: AfterDialog) {
        match self.dialogs.ask(request, then) {
            Ok(Some((then, answer))) => self.after_dialog(then, answer),
            Ok(None) => {}
            Err(_) => self.state.push_banner(
                BannerKind::Info,
                "A file dialog is already open: answer it first.".to_owned(),
            ),
        }
    }

    /// Asks for the file of `action` (after checking that there is something to write).
    fn file_action(&mut self, action: FileAction, ctx: &egui::Context) {
        let stem = export_panel::export_stem(self.state.dataset());
        let request = match action {
            FileAction::PickTransactions => DialogRequest::PickCsv,
            FileAction::ApplyModel => DialogRequest::PickModel,
            FileAction::LoadRecipe => DialogRequest::PickJson,
            FileAction::SaveRecipe => DialogRequest::SaveJson(format!("{stem}_recipe.json")),
            FileAction::SavePlot(kind, format) => {
                match plot_export::save_request(&self.state, ctx, kind, format, &stem) {
                    Ok(request) => request,
                    Err(e) => {
                        self.state.push_banner(BannerKind::Error, e);
                        return;
                    }
                }
            }
            FileAction::ExportReport => {
                if let Err(e) = export_panel::full_recipe(&self.state) {
                    self.state.push_banner(BannerKind::Error, e);
                    return;
                }
                DialogRequest::SaveAs(format!("{stem}_report.html"), "HTML report", &["html"])
            }
            FileAction::ExportRecipe
            | FileAction::ExportLabelled(_)
            | FileAction::ExportProfile
            | FileAction::SaveModel => {
                if let Err(e) = export_panel::full_recipe(&self.state) {
                    self.state.push_error(Cause::Stage(explore::Stage::Fit), e);
                    return;
                }
                match action {
                    FileAction::ExportRecipe => {
                        DialogRequest::SaveJson(format!("{stem}_recipe.json"))
                    }
                    FileAction::ExportProfile => {
                        DialogRequest::SaveCsv(format!("{stem}_profile.csv"))
                    }
                    FileAction::SaveModel => DialogRequest::SaveModel(format!("{stem}_model.json")),
                    _ => DialogRequest::SaveCsv(format!("{stem}_segments.csv")),
                }
            }
        };
        self.ask(request, AfterDialog::File(action));
    }

    /// Continues the action that asked for a file: loads it, or starts writing it on a worker.
    fn after_dialog(&mut self, then: AfterDialog, answer: Option<PathBuf>) {
        let Some(path) = answer else {
            return;
        };
        let action = match then {
            AfterDialog::Open => {
                self.state.start_load(LoadSource::Path(path));
                return;
            }
            AfterDialog::File(action) => action,
            AfterDialog::ExportRows(rows) => {
                let cols = self.export.columns;
                let what = selection_export::WHAT;
                match selection_export::selection_work(&self.state, cols, &rows, path) {
                    Ok(work) => self.state.start_file_job(what, work),
                    Err(e) => self.state.push_error(Cause::File(what.to_owned()), e),
                }
                return;
            }
            AfterDialog::ApplyInput { model } => {
                let name = model_panel::scored_name(&path);
                self.ask(
                    DialogRequest::SaveCsv(name),
                    AfterDialog::ApplyOutput { model, input: path },
                );
                return;
            }
            AfterDialog::ApplyOutput { model, input } => {
                let request = model_panel::apply_request(model, input, path);
                if let Err(e) = self.state.explorer.apply.start(request) {
                    self.state.push_error(Cause::Apply, e.to_string());
                }
                return;
            }
        };
        let input = self.state.dataset().and_then(|d| d.path.clone());
        let work = match action {
            FileAction::PickTransactions => {
                self.rfm.set_file(path);
                return;
            }
            FileAction::ApplyModel => {
                // The model is picked; then the CSV to score, then where to write it.
                self.ask(
                    DialogRequest::PickCsv,
                    AfterDialog::ApplyInput { model: path },
                );
                return;
            }
            FileAction::SaveModel => match export_panel::full_recipe(&self.state) {
                Err(e) => ("Saving the model", Err(e)),
                Ok(_) => (
                    "Saving the model",
                    export_panel::model_work(&self.state, path),
                ),
            },
            FileAction::LoadRecipe => {
                self.state.start_recipe_load(path);
                return;
            }
            FileAction::SavePlot(kind, plot_export::ImageFormat::Png) => {
                self.plot_export.queue_png(kind, path);
                return;
            }
            FileAction::SavePlot(kind, plot_export::ImageFormat::Svg) => (
                "Saving the plot",
                plot_export::svg_work(&self.state, kind, path),
            ),
            FileAction::ExportReport => (
                "Exporting the report",
                export_panel::report_work(&self.state, path),
            ),
            FileAction::SaveRecipe => {
                let recipe = crate::analysis::Recipe::new(self.state.explorer.preparation.clone());
                (
                    "Saving the recipe",
                    export_panel::recipe_work(&recipe, input, path),
                )
            }
            FileAction::ExportRecipe => match export_panel::full_recipe(&self.state) {
                Ok(recipe) => (
                    "Saving the recipe",
                    export_panel::recipe_work(&recipe, input, path),
                ),
                Err(e) => ("Saving the recipe", Err(e)),
            },
            FileAction::ExportLabelled(cols) => match export_panel::full_recipe(&self.state) {
                Err(e) => ("Exporting the segments", Err(e)),
                Ok(_) => (
                    "Exporting the segments",
                    export_panel::labelled_work(&self.state, cols, path),
                ),
            },
            FileAction::ExportProfile => match export_panel::full_recipe(&self.state) {
                Err(e) => ("Exporting the profile", Err(e)),
                Ok(_) => (
                    "Exporting the profile",
                    export_panel::profile_work(&self.state, path),
                ),
            },
        };
        match work {
            (what, Ok(work)) => self.state.start_file_job(what, work),
            (what, Err(message)) => self.state.push_error(Cause::File(what.to_owned()), message),
        }
    }
}

/// What to do with a file dialog's answer.
#[derive(Debug, Clone)]
enum AfterDialog {
    /// Open the CSV picked.
    Open,
    /// Finish a file action with the path.
    File(FileAction),
    /// "Export selected rows…": these prepared rows go to the path.
    ExportRows(std::sync::Arc<[usize]>),
    /// "Apply model…": the model is picked, the CSV to score comes next.
    ApplyInput {
        /// The model file.
        model: PathBuf,
    },
    /// "Apply model…": model and CSV picked, the output comes next.
    ApplyOutput {
        /// The model file.
        model: PathBuf,
        /// The CSV to score.
        input: PathBuf,
    },
}

impl eframe::App for SegscopeApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.ui_frame(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state.settings);
    }
}

fn top_bar_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let open = ui.button("Open CSV…").on_hover_text(format!(
            "Open a CSV file ({})",
            ui.ctx().format_shortcut(&OPEN_SHORTCUT)
        ));
        if open.clicked() {
            commands.push(Command::OpenDialog);
        }
        if !state.settings.recent_files.is_empty() {
            ui.menu_button("Recent", |ui| {
                for path in &state.settings.recent_files {
                    let clicked = ui
                        .button(state::file_name(path))
                        .on_hover_text(path.display().to_string())
                        .clicked();
                    if clicked {
                        commands.push(Command::Load(LoadSource::Path(path.clone())));
                    }
                }
            });
        }
        help_menu_ui(ui, state, commands);
        ui.separator();
        for tab in Tab::ALL {
            if ui
                .selectable_label(state.settings.tab == tab, tab.title())
                .clicked()
            {
                commands.push(Command::SelectTab(tab));
            }
        }
        ui.separator();
        if let Some(d) = state.dataset() {
            widgets::file_name_label(ui, d, state.load_status().is_some());
        }
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if let Some(status) = state.load_status() {
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CancelLoad);
                }
                let text = match status.fraction {
                    Some(f) => format!("{} {:.0}%", status.stage, f * 100.0),
                    None => status.stage.clone(),
                };
                ui.add(
                    egui::ProgressBar::new(status.fraction.unwrap_or(0.0))
                        .desired_width(200.0)
                        .text(text),
                );
                ui.spinner();
                ui.label(format!("Loading {}", status.name));
            }
        });
    });
    ui.add_space(2.0);
}

/// The keyboard shortcuts the Help menu lists: (keys, what they do).
fn shortcuts(ctx: &egui::Context) -> Vec<(String, &'static str)> {
    vec![
        (ctx.format_shortcut(&OPEN_SHORTCUT), "Open a CSV file"),
        (
            ctx.format_shortcut(&export_panel::EXPORT_SHORTCUT),
            "Export the labelled CSV",
        ),
        (
            ctx.format_shortcut(&UNDO_SHORTCUT),
            "Undo the last recipe or model change",
        ),
        (ctx.format_shortcut(&REDO_SHORTCUT), "Redo"),
        (
            format!(
                "{} … {}",
                ctx.format_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Num1)),
                ctx.format_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Num8))
            ),
            "Show the tabs Data … Export",
        ),
        (
            format!(
                "{} / {} / {}",
                ctx.format_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Plus)),
                ctx.format_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Minus)),
                ctx.format_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Num0))
            ),
            "Zoom in / out / reset",
        ),
        ("Drag & drop".to_owned(), "Open a dropped CSV file"),
        ("Esc".to_owned(), "Close a menu or pop-up"),
    ]
}

/// The Help menu (shortcuts, About) and the About window it opens.
fn help_menu_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let about_id = Id::unique("segscope_about_open");
    ui.menu_button("Help", |ui| {
        let mut light = state.settings.light_theme;
        if ui
            .checkbox(&mut light, "Light theme")
            .on_hover_text("Switch between the dark and the light theme (remembered).")
            .changed()
        {
            commands.push(Command::SetLightTheme(light));
        }
        ui.separator();
        ui.strong("Keyboard shortcuts");
        egui::Grid::new("shortcuts")
            .num_columns(2)
            .spacing(egui::vec2(16.0, 4.0))
            .show(ui, |ui| {
                for (keys, what) in shortcuts(ui.ctx()) {
                    ui.label(egui::RichText::new(keys).monospace());
                    ui.label(what);
                    ui.end_row();
                }
            });
        ui.separator();
        if ui.button("About segscope").clicked() {
            ui.ctx().data_mut(|d| d.insert_temp(about_id, true));
            ui.close();
        }
    });
    let mut open = ui
        .ctx()
        .data(|d| d.get_temp::<bool>(about_id).unwrap_or(false));
    if open {
        egui::Window::new("About segscope")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ui.ctx(), |ui| {
                ui.heading(format!("segscope {}", env!("CARGO_PKG_VERSION")));
                ui.label(
                    "Find customer segments: open a CSV, choose the features, compare K, inspect \
                     the segments and export a labelled CSV.",
                );
                ui.weak("Licensed MIT OR Apache-2.0.");
            });
        ui.ctx().data_mut(|d| d.insert_temp(about_id, open));
    }
}

/// Dims the window and says what dropping does while files hover over it.
fn drop_overlay(ctx: &egui::Context) {
    if ctx.input(|i| i.raw.hovered_files.is_empty()) {
        return;
    }
    let palette = Palette::of(&ctx.global_style().visuals);
    let painter = ctx.layer_painter(LayerId::new(Order::Foreground, Id::unique("drop_overlay")));
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, palette.drop_fill);
    painter.text(
        rect.center(),
        Align2::CENTER_CENTER,
        "Drop a CSV to open it",
        FontId::proportional(28.0),
        palette.drop_text,
    );
}
