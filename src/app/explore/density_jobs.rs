//! Density methods (DBSCAN, OPTICS) in the explorer. They have no K to sweep: choosing one computes, on
//! a worker, the k-distance curve DBSCAN's eps is read from ([`crate::analysis::run::k_distance_curve`],
//! once per prepared data and min_samples) and fits with the method's own settings
//! ([`Target::Density`]). DBSCAN without an eps fits at the curve's knee; an OPTICS fit keeps its graph
//! in the result, and a new eps threshold re-cuts that graph
//! ([`crate::analysis::fit_segments_reusing`]) instead of recomputing it, so dragging the threshold on the
//! reachability plot re-segments live.

use std::sync::Arc;

use super::slot::Slot;
use super::{Activity, Explorer, PreparedData, Stage, StageError, Target};
use crate::analysis::fit_segments_reusing;
use crate::analysis::run::k_distance_curve;
use crate::cluster::Method;
use crate::cluster::density::{KDistance, Optics};

/// The k-distance curve of the prepared data shown, and the job computing it.
pub(crate) struct DensityState {
    slot: Slot<KDistance>,
    /// The data the running job is for.
    running_for: Option<Arc<PreparedData>>,
    /// The finished curve and the data it is for.
    curve: Option<(Arc<PreparedData>, KDistance)>,
}

impl Default for DensityState {
    fn default() -> Self {
        Self {
            slot: Slot::new("segscope-kdistance"),
            running_for: None,
            curve: None,
        }
    }
}

impl DensityState {
    pub(super) fn is_running(&self) -> bool {
        self.slot.is_running()
    }

    pub(super) fn cancel(&mut self) {
        self.slot.cancel();
        self.running_for = None;
    }

    pub(super) fn activity(&self) -> Option<Activity> {
        self.slot.progress().map(|p| Activity {
            what: "Computing the k-distance curve".into(),
            stage: p.stage(),
            fraction: p.fraction(),
        })
    }

    fn curve_for(&self, data: &Arc<PreparedData>, min_samples: usize) -> Option<&KDistance> {
        self.curve
            .as_ref()
            .filter(|(d, c)| Arc::ptr_eq(d, data) && c.min_samples == min_samples)
            .map(|(_, c)| c)
    }
}

impl Explorer {
    /// The k-distance curve of the prepared data for the current min_samples, once computed (DBSCAN).
    pub fn k_distance(&self) -> Option<&KDistance> {
        let data = self.prepared.as_ref()?;
        self.density.curve_for(data, self.model.min_samples)
    }

    /// Whether the k-distance curve is being computed.
    pub fn is_computing_k_distance(&self) -> bool {
        self.density.is_running()
    }

    /// The OPTICS graph of the segmentation shown (its reachability plot), when it is an OPTICS fit.
    pub fn optics_graph(&self) -> Option<&Optics> {
        self.result.as_ref()?.seg.density.as_ref()?.optics.as_ref()
    }

    /// The eps a DBSCAN fit uses now: the analyst's, else the knee of the k-distance curve.
    pub fn effective_eps(&self) -> Option<f64> {
        self.model
            .eps
            .or_else(|| self.k_distance().and_then(|c| c.suggested_eps))
    }

    /// A density method was chosen (or its data changed): no sweep; the k-distance curve for DBSCAN,
    /// then the fit.
    pub(super) fn restart_density(&mut self) {
        self.sweep_slot.cancel();
        self.sweep = None;
        let Some(data) = self.prepared.clone() else {
            return;
        };
        let m = self.model.min_samples;
        let needs_curve = self.model.method == Method::Dbscan;
        let have = self.density.curve_for(&data, m).is_some();
        let running = self
            .density
            .running_for
            .as_ref()
            .is_some_and(|d| Arc::ptr_eq(d, &data))
            && self.density.is_running();
        if needs_curve && !have && !running {
            let d = Arc::clone(&data);
            let started = self.density.slot.start(move |p| k_distance_curve(&d, m, p));
            self.density.running_for = Some(data);
            self.record(Stage::Sweep, started);
        }
        if self.model.method == Method::Optics || self.effective_eps().is_some() {
            self.restart_fit();
        } else {
            // DBSCAN waits for the curve's knee (poll_density starts the fit).
            self.fit_slot.cancel();
        }
    }

    /// The fit of a density method (called by `restart_fit`): its own settings, DBSCAN's eps resolved,
    /// OPTICS re-cutting the graph of the result shown.
    pub(super) fn restart_density_fit(&mut self) {
        let (Some(table), Some(data)) = (self.table.clone(), self.prepared.clone()) else {
            return;
        };
        let mut spec = self.model.spec();
        if self.model.method == Method::Dbscan {
            match self.effective_eps() {
                Some(eps) => spec.eps = Some(eps),
                None if self.density.is_running() => return,
                None => {
                    self.errors.push(StageError {
                        stage: Stage::Fit,
                        message: "DBSCAN needs eps and the k-distance curve has no knee: set eps \
                                  on the k-distance plot"
                            .into(),
                    });
                    return;
                }
            }
        }
        let graph = self.optics_graph().cloned();
        let policy = self.policy;
        let hand = self.hand.clone();
        let started = self.fit_slot.start(move |p| {
            let fitted = fit_segments_reusing(
                &table,
                &data,
                &spec,
                Target::Density,
                &policy,
                None,
                graph.as_ref(),
                p,
            )?;
            super::pipeline::with_hand_segments(&table, &data, fitted, &hand, &policy, p)
        });
        self.record(Stage::Fit, started);
    }

    /// Takes a finished k-distance curve; a DBSCAN waiting for its knee starts fitting. Returns whether
    /// anything changed.
    pub(super) fn poll_density(&mut self) -> bool {
        let Some(r) = self.density.slot.poll() else {
            return false;
        };
        let data = self.density.running_for.take();
        match (r, data) {
            (Ok(curve), Some(data)) => {
                let current = self
                    .prepared
                    .as_ref()
                    .is_some_and(|p| Arc::ptr_eq(p, &data));
                self.density.curve = Some((data, curve));
                if current
                    && self.model.method == Method::Dbscan
                    && self.model.eps.is_none()
                    && !self.fit_slot.is_running()
                {
                    self.restart_fit();
                }
            }
            (Err(e), _) => self.record_error(Stage::Sweep, &e),
            (Ok(_), None) => {}
        }
        true
    }
}
