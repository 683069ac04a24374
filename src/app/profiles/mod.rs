//! The Profiles tab: a card per segment (its name, editable, its size, stability and description in
//! words), "compare with…" a previous fit of this session ([`super::compare_panel`]), then the table of
//! segments (columns) × features (rows, sorted by ANOVA F) with each segment's mean in original units on a
//! background coloured by its z-score, categorical features as level shares with a chi-square per level,
//! the columns that were not features profiled below them (marked "not used for the segmentation"), and for
//! Gaussian mixtures a histogram of each row's highest membership probability.
//!
//! Files: `mod.rs` (the panel and what it derives once per result), `cards.rs` (segment cards, renaming),
//! `table.rs` (the table with its sticky segment header, and the membership histogram).

mod cards;
mod table;

use std::sync::Arc;

use egui::{RichText, Ui};

use super::View;
use super::compare_panel::ComparePanel;
use super::explore::{PreparedData, SegResult};
use super::format::count;
use super::state::{AppState, Command};
use crate::analysis::Profile;
use crate::analysis::profile::{context_columns, profile};
use crate::analysis::profile_readout::{max_membership, membership_histogram, order_by_f};
use crate::data::Table;
use crate::jobs::Job;

/// Bins of the membership histogram over [0, 1].
const MEMBERSHIP_BINS: usize = 20;
/// Categorical columns with more levels than this are not profiled for context.
const CONTEXT_MAX_LEVELS: usize = 20;
/// Rows × context columns profiled in the frame itself (about a millisecond); more go to a worker.
const SYNC_CONTEXT_CELLS: usize = 2_000_000;

/// The Profiles tab.
#[derive(Default)]
pub struct ProfilesPanel {
    cache: Option<ProfileCache>,
    /// The name fields being edited, one per segment of the result shown.
    edits: Vec<String>,
    compare: ComparePanel,
}

impl std::fmt::Debug for ProfilesPanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfilesPanel").finish_non_exhaustive()
    }
}

/// The columns that were not features, profiled for context, and the GMM membership histogram (on a
/// worker for large data: nothing proportional to the rows runs in the frame then).
enum Context {
    Ready(Box<Derived>),
    Running(Job<Derived>),
}

/// What [`Context`] computes from the result and the table.
#[derive(Default)]
struct Derived {
    /// The context profile, when some column was worth profiling.
    profile: Option<Profile>,
    /// Its numeric columns by ANOVA F, highest first.
    order: Vec<usize>,
    /// GMM: rows per bin of the highest membership probability, and the ambiguous count.
    membership: Option<(Vec<usize>, usize)>,
}

impl Derived {
    /// Profiles the context columns of `table` (not among the features) by the result's segments, and
    /// bins the GMM memberships. Cost: a pass over every row of the table's columns and the result.
    fn compute(table: Option<(&Table, &PreparedData)>, result: &SegResult) -> Self {
        let membership =
            result.seg.probabilities.as_ref().map(|probs| {
                membership_histogram(max_membership(probs).into_iter(), MEMBERSHIP_BINS)
            });
        let profile = table.and_then(|(table, data)| {
            let columns =
                context_columns(table, &data.fitted.preparation.features, CONTEXT_MAX_LEVELS);
            if columns.is_empty() {
                return None;
            }
            let rows = &data.prepared.kept_rows;
            profile(table, &columns, rows, &result.seg.labels, result.seg.k).ok()
        });
        let order = profile.as_ref().map(order_by_f).unwrap_or_default();
        Self {
            profile,
            order,
            membership,
        }
    }
}

/// What the tab draws, derived once per result.
struct ProfileCache {
    result: Arc<SegResult>,
    /// Numeric features by ANOVA F, highest first (undefined F last).
    order: Vec<usize>,
    context: Context,
}

impl ProfileCache {
    fn new(result: &Arc<SegResult>, state: &AppState) -> Self {
        let source = match (state.dataset(), state.explorer.prepared()) {
            (Some(d), Some(data)) if data.prepared.kept_rows.len() == result.seg.labels.len() => {
                Some((Arc::clone(&d.table), Arc::clone(data)))
            }
            _ => None,
        };
        let width = source.as_ref().map_or(0, |(t, _)| t.columns.len())
            + result
                .seg
                .probabilities
                .as_ref()
                .map_or(0, ndarray::ArrayBase::ncols);
        let cells = result.seg.labels.len().saturating_mul(width);
        let context = if cells <= SYNC_CONTEXT_CELLS {
            let table = source.as_ref().map(|(t, d)| (&**t, &**d));
            Context::Ready(Box::new(Derived::compute(table, result)))
        } else {
            let res = Arc::clone(result);
            let job = Job::spawn("segscope-profile-context", move |_| {
                let table = source.as_ref().map(|(t, d)| (&**t, &**d));
                Ok(Derived::compute(table, &res))
            });
            match job {
                Ok(job) => Context::Running(job),
                Err(_) => Context::Ready(Box::default()),
            }
        };
        Self {
            result: Arc::clone(result),
            order: order_by_f(&result.profile),
            context,
        }
    }

    /// Takes the context profile when its worker finished.
    fn poll(&mut self, ui: &Ui) {
        if let Context::Running(job) = &mut self.context {
            match job.poll() {
                Some(r) => self.context = Context::Ready(Box::new(r.unwrap_or_default())),
                None => ui
                    .ctx()
                    .request_repaint_after(std::time::Duration::from_millis(30)),
            }
        }
    }
}

impl View for ProfilesPanel {
    fn ui(&mut self, ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
        let explorer = &state.explorer;
        let Some(result) = explorer.result() else {
            self.cache = None;
            super::widgets::no_result_ui(ui, state, "to profile its segments");
            return;
        };
        if self
            .cache
            .as_ref()
            .is_none_or(|c| !Arc::ptr_eq(&c.result, result))
        {
            if let Some(Context::Running(job)) = self.cache.take().map(|c| c.context) {
                job.cancel();
            }
            self.cache = Some(ProfileCache::new(result, state));
            self.edits.clone_from(&result.names);
        }
        let Some(cache) = &mut self.cache else {
            return;
        };
        cache.poll(ui);
        let table = state.dataset().map(|d| Arc::clone(&d.table));
        header_ui(ui, cache, state, commands);
        cards::cards_ui(ui, &cache.result, &mut self.edits, commands);
        self.compare.ui(ui, state);
        ui.add_space(4.0);
        let heatmap = ui.scope(|ui| table::table_ui(ui, cache, table.as_deref()));
        super::plot_export::plot_export_menu(
            ui,
            &heatmap.response,
            super::plot_export::PlotKind::Profiles,
            commands,
        );
    }
}

fn header_ui(ui: &mut Ui, cache: &ProfileCache, state: &AppState, commands: &mut Vec<Command>) {
    let p = &cache.result.profile;
    let rows: usize = p.sizes.iter().sum();
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "{} · {}",
                super::density_view::segments_text(&cache.result.seg),
                count(rows, "row")
            ))
            .strong(),
        );
        ui.weak(format!(
            "({})",
            super::format::method_label(cache.result.seg.method)
        ));
        if state.explorer.is_fitting() {
            ui.spinner();
            ui.weak("refitting…");
        }
        if let Some(notice) = state.explorer.names_notice() {
            ui.separator();
            // The app's font has no arrow glyph.
            let text = RichText::new(sentence(&notice.replace('→', "to")));
            if notice.contains("dropped") {
                ui.label(text.color(ui.visuals().warn_fg_color));
            } else {
                ui.weak(text);
            }
        }
        ui.separator();
        table::legend_ui(ui);
        ui.separator();
        super::plot_export::save_button(ui, super::plot_export::PlotKind::Profiles, commands);
    });
}

/// `s` with a capital first letter and a final full stop.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    let mut out: String = c
        .next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
