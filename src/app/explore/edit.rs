//! Applying the analyst's edits: what each one changes, the undo / redo history, Cancel.

use std::sync::Arc;

use super::{Choices, ExploreCommand, Explorer, Shown, Target};
use crate::cluster::Method;

impl Explorer {
    pub(super) fn choices(&self) -> Choices {
        Choices {
            preparation: self.preparation.clone(),
            model: self.model,
            picked: self.picked,
            hand: self.hand.clone(),
            names: self
                .result
                .as_ref()
                .map(|r| r.names.clone())
                .unwrap_or_default(),
        }
    }

    /// Applies an edit.
    pub fn apply(&mut self, cmd: ExploreCommand) {
        match cmd {
            ExploreCommand::Undo => return self.step_history(true),
            ExploreCommand::Redo => return self.step_history(false),
            ExploreCommand::Cancel => return self.cancel(),
            _ => {}
        }
        match cmd {
            ExploreCommand::Embed(params) => return self.start_embed(params),
            ExploreCommand::CancelEmbed => return self.cancel_embed(),
            _ => {}
        }
        let before = self.choices();
        let what = describe(&cmd);
        let eps_drag = matches!(cmd, ExploreCommand::SetEps(Some(_)));
        // Any choice that refits drops the hand-made segments (restored when the edit changes nothing).
        let keeps_hand = matches!(
            cmd,
            ExploreCommand::SegmentOfRows(_) | ExploreCommand::RenameSegment(..)
        );
        let hand = (!keeps_hand).then(|| std::mem::take(&mut self.hand));
        self.before_edit = Some(before.clone());
        self.edit(cmd);
        self.before_edit = None;
        let mut after = self.choices();
        if let Some(hand) = hand
            && (&after.preparation, after.model, after.picked)
                == (&before.preparation, before.model, before.picked)
        {
            self.hand = hand;
            after.hand.clone_from(&self.hand);
        }
        if after != before {
            // A drag of the cut line is one edit, not one per frame.
            let coalesce = matches!(
                (self.undo.last(), before.picked, after.picked),
                (Some((_, w)), Some(Target::Height(_)), Some(Target::Height(_))) if w.starts_with("cut")
            ) || (eps_drag
                && self.undo.last().is_some_and(|(_, w)| w.starts_with("eps ")));
            if !coalesce {
                self.undo.push((before, what));
            }
            self.redo.clear();
        }
    }

    pub(super) fn step_history(&mut self, back: bool) {
        let current = self.choices();
        let (from, to) = if back {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some((choices, what)) = from.pop() else {
            return;
        };
        to.push((current.clone(), what));
        self.before_edit = Some(current);
        self.restore(choices);
        self.before_edit = None;
    }

    /// Puts `c` in place and re-runs what differs.
    pub(super) fn restore(&mut self, c: Choices) {
        let prep_changed = c.preparation != self.preparation;
        let model_changed = c.model != self.model;
        let pick_changed = c.picked != self.picked || c.hand != self.hand;
        self.preparation = c.preparation;
        self.model = c.model;
        self.picked = c.picked;
        self.hand = c.hand;
        if prep_changed {
            self.restart_prepare();
        } else if model_changed {
            self.restart_sweep();
        } else if pick_changed {
            self.restart_fit();
        } else {
            // Only names differ: a rename undone or redone, on the fit shown.
            self.set_names(c.names, "segment names restored".into());
        }
    }

    pub(super) fn edit(&mut self, cmd: ExploreCommand) {
        match cmd {
            ExploreCommand::RenameSegment(s, name) => self.rename_segment(s, &name),
            ExploreCommand::SegmentOfRows(rows) => {
                if !rows.is_empty() && self.result.is_some() {
                    self.hand.push(rows);
                    self.restart_fit();
                }
            }
            ExploreCommand::SetFeature(name, on) => {
                let present = self.preparation.features.contains(&name);
                if on && !present {
                    self.preparation.features.push(name);
                    self.order_features();
                } else if !on && present {
                    self.preparation.features.retain(|f| *f != name);
                } else {
                    return;
                }
                self.restart_prepare();
            }
            ExploreCommand::SetImpute(name, impute) => {
                if self.preparation.impute_for(&name) == &impute {
                    return;
                }
                self.preparation.impute_columns.insert(name, impute);
                self.restart_prepare();
            }
            ExploreCommand::SetLog1p(name, on) => {
                let present = self.preparation.log1p.contains(&name);
                if on == present {
                    return;
                }
                if on {
                    self.preparation.log1p.push(name);
                } else {
                    self.preparation.log1p.retain(|f| *f != name);
                }
                self.restart_prepare();
            }
            ExploreCommand::SetScale(scale) => {
                if self.preparation.scale != scale {
                    self.preparation.scale = scale;
                    self.restart_prepare();
                }
            }
            ExploreCommand::SetMaxCategories(m) => {
                if self.preparation.max_categories != m {
                    self.preparation.max_categories = m;
                    self.restart_prepare();
                }
            }
            ExploreCommand::SetTopLevels(t) => {
                if self.preparation.top_levels != t {
                    self.preparation.top_levels = t;
                    self.restart_prepare();
                }
            }
            ExploreCommand::SetPreparation(p) => {
                if *p != self.preparation {
                    self.preparation = *p;
                    self.restart_prepare();
                }
            }
            ExploreCommand::ApplyRecipe(r) => {
                let r = *r;
                self.preparation = r.preparation;
                if let Some(m) = r.model {
                    self.model.method = m.method;
                    self.model.seed = m.seed;
                    self.model.n_init = m.n_init;
                    self.model.covariance = m.covariance;
                    self.model.eps = m.eps;
                    if let Some(ms) = m.min_samples {
                        self.model.min_samples = ms;
                    }
                    if let Some(xi) = m.xi {
                        self.model.xi = xi;
                    }
                    self.picked = match (m.k, m.height) {
                        (_, Some(h)) if m.method.is_hierarchical() => Some(Target::Height(h)),
                        (Some(k), _) => Some(Target::K(k)),
                        _ => None,
                    };
                    if let Some(k) = m.k {
                        self.model.k_min = self.model.k_min.min(k.max(2));
                        self.model.k_max = self.model.k_max.max(k);
                    }
                }
                self.order_features();
                self.restart_prepare();
            }
            ExploreCommand::SetMethod(m) => {
                if self.model.method == m {
                    return;
                }
                self.model.method = m;
                if matches!(self.picked, Some(Target::Height(_) | Target::Density)) {
                    self.picked = None;
                }
                self.restart_sweep();
            }
            ExploreCommand::SetKRange(lo, hi) => {
                let (lo, hi) = (lo.max(2), hi.max(lo.max(2)));
                if (self.model.k_min, self.model.k_max) != (lo, hi) {
                    self.model.k_min = lo;
                    self.model.k_max = hi;
                    self.restart_sweep();
                }
            }
            ExploreCommand::SetSeed(seed) => {
                if self.model.seed != seed {
                    self.model.seed = seed;
                    self.restart_sweep();
                }
            }
            ExploreCommand::SetRestarts(n) => {
                if self.model.n_init != n {
                    self.model.n_init = n;
                    self.restart_sweep();
                }
            }
            ExploreCommand::SetCovariance(c) => {
                if self.model.covariance != c {
                    self.model.covariance = c;
                    if self.model.method == Method::Gmm {
                        self.restart_sweep();
                    }
                }
            }
            ExploreCommand::PickK(k) => {
                if self.picked != Some(Target::K(k)) || self.result.is_none() {
                    self.picked = Some(Target::K(k));
                    self.restart_fit();
                }
            }
            ExploreCommand::CutHeight(h) => {
                if self.model.method.is_hierarchical() {
                    self.picked = Some(Target::Height(h));
                    self.restart_fit();
                }
            }
            ExploreCommand::SetEps(eps) => {
                let eps = eps.filter(|e| e.is_finite() && *e > 0.0);
                if self.model.eps != eps {
                    self.model.eps = eps;
                    if self.model.method.is_density() {
                        self.restart_fit();
                    }
                }
            }
            ExploreCommand::SetMinSamples(m) => {
                let m = m.max(2);
                if self.model.min_samples != m {
                    self.model.min_samples = m;
                    if self.model.method.is_density() {
                        self.restart_sweep();
                    }
                }
            }
            ExploreCommand::SetXi(xi) => {
                if self.model.xi != xi && xi.is_finite() {
                    self.model.xi = xi;
                    if self.model.method == Method::Optics && self.model.eps.is_none() {
                        self.restart_fit();
                    }
                }
            }
            ExploreCommand::Undo
            | ExploreCommand::Redo
            | ExploreCommand::Cancel
            | ExploreCommand::Embed(_)
            | ExploreCommand::CancelEmbed => {}
        }
    }

    /// Keeps features in table column order.
    pub(super) fn order_features(&mut self) {
        if let Some(t) = &self.table {
            let pos = |f: &String| t.columns.iter().position(|c| c.name == *f);
            self.preparation.features.sort_by_key(pos);
        }
    }

    /// Stops every job; the controls and results return to what was shown before the edits that started
    /// them.
    pub fn cancel(&mut self) {
        let was_busy = self.is_busy();
        self.prepare_slot.cancel();
        self.sweep_slot.cancel();
        self.fit_slot.cancel();
        self.density.cancel();
        self.embed.cancel();
        if let (true, Some(shown)) = (was_busy, self.shown.take()) {
            if shown.prepared.as_ref().map(Arc::as_ptr) != self.prepared.as_ref().map(Arc::as_ptr) {
                self.tree = None;
            }
            self.preparation = shown.choices.preparation;
            self.model = shown.choices.model;
            self.picked = shown.choices.picked;
            self.hand = shown.choices.hand;
            self.prepared = shown.prepared;
            self.sweep = shown.sweep;
            self.result = shown.result;
        }
    }

    /// Keeps what is shown so that Cancel can put it back (once per burst of work).
    pub(super) fn remember_shown(&mut self) {
        if self.shown.is_none() {
            // The choices before the edit that starts this work produced what is shown.
            let choices = self.before_edit.clone().unwrap_or_else(|| self.choices());
            self.shown = Some(Shown {
                choices,
                prepared: self.prepared.clone(),
                sweep: self.sweep.clone(),
                result: self.result.clone(),
            });
        }
    }
}

/// A few words for the history list.
fn describe(cmd: &ExploreCommand) -> String {
    match cmd {
        ExploreCommand::SetFeature(n, true) => format!("use '{n}' as a feature"),
        ExploreCommand::SetFeature(n, false) => format!("stop using '{n}'"),
        ExploreCommand::SetImpute(n, i) => format!("missing values of '{n}': {i}"),
        ExploreCommand::SetLog1p(n, on) => {
            format!("log1p of '{n}' {}", if *on { "on" } else { "off" })
        }
        ExploreCommand::SetScale(s) => format!("scaler: {s:?}").to_lowercase(),
        ExploreCommand::SetMaxCategories(m) => format!("category limit {m}"),
        ExploreCommand::SetTopLevels(Some(t)) => format!("keep the top {t} levels"),
        ExploreCommand::SetTopLevels(None) => "keep every level".into(),
        ExploreCommand::SetPreparation(_) => "replace the preparation".into(),
        ExploreCommand::ApplyRecipe(_) => "load a recipe".into(),
        ExploreCommand::SetMethod(m) => format!("method: {m}"),
        ExploreCommand::SetKRange(a, b) => format!("K range {a}..{b}"),
        ExploreCommand::SetSeed(s) => format!("seed {s}"),
        ExploreCommand::SetRestarts(Some(n)) => format!("{n} restarts"),
        ExploreCommand::SetRestarts(None) => "default restarts".into(),
        ExploreCommand::SetCovariance(c) => format!("covariance: {}", c.name()),
        ExploreCommand::PickK(k) => format!("K = {k}"),
        ExploreCommand::CutHeight(h) => format!("cut at {h:.3}"),
        ExploreCommand::RenameSegment(s, n) => format!("rename segment {s} \"{n}\""),
        ExploreCommand::SetEps(Some(e)) => format!("eps {e:.3}"),
        ExploreCommand::SetEps(None) => "eps at the knee".into(),
        ExploreCommand::SetMinSamples(m) => format!("min_samples {m}"),
        ExploreCommand::SetXi(x) => format!("xi {x}"),
        ExploreCommand::Embed(_) => "t-SNE map".into(),
        ExploreCommand::CancelEmbed => "stop the map".into(),
        ExploreCommand::SegmentOfRows(rows) => {
            format!("make a segment of {} selected rows", rows.len())
        }
        ExploreCommand::Undo => "undo".into(),
        ExploreCommand::Redo => "redo".into(),
        ExploreCommand::Cancel => "cancel".into(),
    }
}
