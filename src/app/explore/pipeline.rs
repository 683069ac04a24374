//! The background jobs the choices drive (prepare → sweep → fit, each a call into the engine's run
//! API), polling them and recording their results and errors.

use std::sync::{Arc, Mutex};

use super::{Explorer, Stage, StageError, SweepView, Target, score_components};
use crate::analysis::selection::{SELECTION_NAME, segment_of_rows};
use crate::analysis::{Policy, SegResult, SweepRow, build_tree, fit_segments, prepare, sweep};
use crate::cluster::{Dendrogram, Method};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// `fitted` with the hand-made segments (each a set of prepared rows) applied in order.
pub(super) fn with_hand_segments(
    table: &crate::data::Table,
    data: &super::PreparedData,
    fitted: SegResult,
    hand: &[Arc<[usize]>],
    policy: &Policy,
    p: &Progress,
) -> Result<SegResult> {
    hand.iter().try_fold(fitted, |r, rows| {
        segment_of_rows(table, data, &r, rows, SELECTION_NAME, policy, p)
    })
}

impl Explorer {
    pub(super) fn restart_prepare(&mut self) {
        self.remember_shown();
        self.sweep_slot.cancel();
        self.fit_slot.cancel();
        self.prepared = None;
        self.sweep = None;
        self.result = None;
        self.tree = None;
        let Some(table) = self.table.clone() else {
            return;
        };
        let preparation = self.preparation.clone();
        let components = score_components(table.n_rows());
        let started = self
            .prepare_slot
            .start(move |p| prepare(&table, &preparation, components, p));
        self.record(Stage::Prepare, started);
    }

    pub(super) fn restart_sweep(&mut self) {
        self.remember_shown();
        if self.model.method.is_density() {
            return self.restart_density();
        }
        self.sweep = None;
        let Some(data) = self.prepared.clone() else {
            return;
        };
        let n = data.n_rows();
        let ks = self.model.ks(n);
        if ks.is_empty() {
            self.sweep_slot.cancel();
            self.errors.push(StageError {
                stage: Stage::Sweep,
                message: format!(
                    "nothing to sweep: K from {} to {} on {n} rows (silhouette needs 2 ≤ K < rows)",
                    self.model.k_min, self.model.k_max
                ),
            });
            self.restart_fit();
            return;
        }
        let spec = self.model.spec();
        let policy = self.policy;
        let extras = self.extras;
        let tree = self.cached_tree();
        let rows = Arc::new(Mutex::new(Vec::new()));
        self.sweep_rows = Arc::clone(&rows);
        self.sweep = Some(SweepView {
            method: self.model.method,
            ks: ks.clone(),
            rows: Vec::new(),
            done: None,
        });
        let work = move |p: &Progress| {
            let tree = match (spec.method.is_hierarchical(), tree) {
                (true, None) => Some(build_tree(data.x(), spec.method, p)?),
                (_, t) => t,
            };
            let mut push = |row: &SweepRow| {
                if let Ok(mut v) = rows.lock() {
                    v.push(row.clone());
                }
            };
            sweep(&data, &ks, &spec, &policy, extras, tree, p, Some(&mut push))
        };
        let started = self.sweep_slot.start(work);
        self.record(Stage::Sweep, started);
        if self.picked.is_some() {
            self.restart_fit();
        } else {
            self.fit_slot.cancel();
        }
    }

    pub(super) fn cached_tree(&self) -> Option<Dendrogram> {
        self.tree
            .as_ref()
            .filter(|(m, _)| *m == self.model.method)
            .map(|(_, t)| t.clone())
    }

    pub(super) fn restart_fit(&mut self) {
        self.remember_shown();
        self.fit_slot.cancel();
        let (Some(table), Some(data)) = (self.table.clone(), self.prepared.clone()) else {
            return;
        };
        if self.model.method.is_density() {
            return self.restart_density_fit();
        }
        let Some(target) = self.picked.or_else(|| self.current_k().map(Target::K)) else {
            return;
        };
        let spec = self.model.spec();
        let policy = self.policy;
        let tree = if spec.method.is_hierarchical() {
            self.cached_tree()
        } else {
            None
        };
        // The cards show each segment's bootstrap stability: B resamples of this one K (a ninth of what
        // the sweep's stability costs), on the same worker, cancellable. Hand-made segments are not a
        // refit of the method, so a result with them carries no stability.
        let resamples = self.extras.stability;
        let hand = self.hand.clone();
        let started = self.fit_slot.start(move |p| {
            let mut fitted = fit_segments(&table, &data, &spec, target, &policy, tree, p)?;
            if hand.is_empty() {
                fitted.try_assess_stability(&data, resamples, p)?;
            }
            with_hand_segments(&table, &data, fitted, &hand, &policy, p)
        });
        self.record(Stage::Fit, started);
    }

    pub(super) fn record(&mut self, stage: Stage, r: Result<()>) {
        if let Err(e) = r {
            self.record_error(stage, &e);
        }
    }

    pub(super) fn keep_tree(&mut self, tree: Option<&Dendrogram>, method: Method) {
        if let Some(t) = tree {
            self.tree = Some((method, t.clone()));
        }
    }

    pub(super) fn record_error(&mut self, stage: Stage, e: &Error) {
        if !matches!(e, Error::Cancelled) {
            let what = match stage {
                Stage::Prepare => "Preparing the features failed",
                Stage::Sweep => "The K sweep failed",
                Stage::Fit => "Fitting the segments failed",
            };
            self.errors.push(StageError {
                stage,
                message: format!("{what}: {e}"),
            });
        }
    }

    /// Takes finished results; returns whether anything changed (the UI repaints then).
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        if let Some(result) = self.prepare_slot.poll() {
            changed = true;
            match result {
                Ok(data) => {
                    self.prepared = Some(Arc::new(data));
                    self.succeeded.push(Stage::Prepare);
                    self.restart_sweep();
                }
                Err(e) => self.record_error(Stage::Prepare, &e),
            }
        }
        if let Some(sweep) = &mut self.sweep
            && let Ok(rows) = self.sweep_rows.lock()
            && rows.len() != sweep.rows.len()
        {
            sweep.rows.clone_from(&rows);
            changed = true;
        }
        if let Some(result) = self.sweep_slot.poll() {
            changed = true;
            match result {
                Ok((sweep, tree)) => {
                    self.keep_tree(tree.as_ref(), self.model.method);
                    if let Some(view) = &mut self.sweep {
                        view.rows.clone_from(&sweep.results);
                        view.done = Some(sweep);
                    }
                    self.succeeded.push(Stage::Sweep);
                    if self.picked.is_none() && !self.fit_slot.is_running() {
                        self.restart_fit();
                    }
                }
                Err(e) => {
                    self.record_error(Stage::Sweep, &e);
                    if self.picked.is_none() && self.result.is_none() {
                        self.picked = Some(Target::K(self.model.k_min.max(2)));
                        self.restart_fit();
                    }
                }
            }
        }
        changed |= self.poll_density();
        changed |= self.poll_embed();
        if let Some(result) = self.fit_slot.poll() {
            changed = true;
            match result {
                Ok(r) => {
                    self.keep_tree(r.seg.dendrogram.as_ref(), r.seg.method);
                    self.take_fit(r);
                    self.succeeded.push(Stage::Fit);
                }
                Err(e) => self.record_error(Stage::Fit, &e),
            }
        }
        if changed && !self.is_busy() {
            self.shown = None;
        }
        changed
    }

    /// Blocks until every job (and the ones they start) finished (tests and scripts).
    pub fn wait(&mut self) {
        loop {
            self.poll();
            if !self.is_busy() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}
