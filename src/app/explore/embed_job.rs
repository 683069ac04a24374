//! The t-SNE map of the prepared rows ([`crate::reduce::tsne::tsne`]) on a worker. Each epoch's
//! positions are copied into a shared [`LiveMap`] the Map tab reads every frame, so the points move while
//! the optimisation runs; Cancel stops it between epochs. Above [`MAX_ROWS`] prepared rows a stratified
//! sample per segment is embedded ([`sample_rows_stratified`] on the labels shown, seeded).

use std::sync::{Arc, Mutex, Weak};

use super::slot::Slot;
use super::{Activity, Explorer, PreparedData};
use crate::reduce::tsne::{MAX_ROWS, TsneParams, sample_rows_stratified, tsne};

/// Epochs between two copies of the positions for the live view.
const LIVE_EVERY: usize = 5;

/// A finished t-SNE map.
#[derive(Debug, Clone)]
pub struct Embedding {
    /// Prepared rows embedded (indices into the prepared rows, ascending): all of them, or a sample.
    pub rows: Arc<Vec<usize>>,
    /// The map position of each of `rows`.
    pub xy: Arc<Vec<[f32; 2]>>,
    /// The settings used.
    pub params: TsneParams,
    /// Prepared rows in all (more than `rows.len()` when sampled).
    pub n_total: usize,
    data: Weak<PreparedData>,
}

impl Embedding {
    /// Whether only a sample of the rows was embedded.
    pub fn is_sampled(&self) -> bool {
        self.rows.len() < self.n_total
    }
}

/// The positions of a running embedding, as of its latest copied epoch.
#[derive(Debug, Clone)]
pub struct LiveMap {
    /// Epochs done.
    pub epoch: usize,
    /// Epochs in all.
    pub iterations: usize,
    /// The rows being embedded.
    pub rows: Arc<Vec<usize>>,
    /// Their current positions (empty until the first epoch).
    pub xy: Arc<Vec<[f32; 2]>>,
    /// Prepared rows in all.
    pub n_total: usize,
}

/// The embedding job and its results.
pub(crate) struct EmbedState {
    slot: Slot<Embedding>,
    live: Arc<Mutex<Option<LiveMap>>>,
    done: Option<Arc<Embedding>>,
    /// The data the last start was for (so the tab starts one map per data, not one per frame).
    attempted: Weak<PreparedData>,
    error: Option<String>,
}

impl Default for EmbedState {
    fn default() -> Self {
        Self {
            slot: Slot::new("segscope-tsne"),
            live: Arc::new(Mutex::new(None)),
            done: None,
            attempted: Weak::new(),
            error: None,
        }
    }
}

impl EmbedState {
    pub(super) fn is_running(&self) -> bool {
        self.slot.is_running()
    }

    pub(super) fn cancel(&mut self) {
        self.slot.cancel();
    }

    pub(super) fn activity(&self) -> Option<Activity> {
        self.slot.progress().map(|p| Activity {
            what: "Embedding the map (t-SNE)".into(),
            stage: p.stage(),
            fraction: p.fraction(),
        })
    }
}

fn to_points(xy: &[f64]) -> Vec<[f32; 2]> {
    xy.chunks_exact(2)
        .map(|p| [p[0] as f32, p[1] as f32])
        .collect()
}

impl Explorer {
    /// The finished map of the current prepared data, if any.
    pub fn embedding(&self) -> Option<&Arc<Embedding>> {
        let data = self.prepared.as_ref()?;
        self.embed
            .done
            .as_ref()
            .filter(|e| std::ptr::eq(e.data.as_ptr(), Arc::as_ptr(data)))
    }

    /// The positions of the running map, if one runs.
    pub fn live_map(&self) -> Option<LiveMap> {
        if !self.embed.is_running() {
            return None;
        }
        self.embed.live.lock().ok().and_then(|l| l.clone())
    }

    /// Whether the map is being embedded.
    pub fn is_embedding(&self) -> bool {
        self.embed.is_running()
    }

    /// Whether a map was started (finished, failed or cancelled) for the current prepared data.
    pub fn embed_attempted(&self) -> bool {
        self.prepared
            .as_ref()
            .is_some_and(|d| std::ptr::eq(self.embed.attempted.as_ptr(), Arc::as_ptr(d)))
    }

    /// Why the last map failed, if it did.
    pub fn embed_error(&self) -> Option<&str> {
        self.embed.error.as_deref()
    }

    /// Starts the map of the prepared rows (a stratified sample per segment above [`MAX_ROWS`]).
    pub(super) fn start_embed(&mut self, params: TsneParams) {
        let Some(data) = self.prepared.clone() else {
            return;
        };
        let n = data.n_rows();
        let rows: Vec<usize> = match self.result.as_ref().filter(|r| r.seg.labels.len() == n) {
            Some(r) => sample_rows_stratified(&r.seg.labels, MAX_ROWS, params.seed),
            None => sample_rows_stratified(&vec![0u8; n], MAX_ROWS, params.seed),
        };
        let rows = Arc::new(rows);
        self.embed.attempted = Arc::downgrade(&data);
        self.embed.error = None;
        let live = Arc::new(Mutex::new(Some(LiveMap {
            epoch: 0,
            iterations: params.iterations,
            rows: Arc::clone(&rows),
            xy: Arc::new(Vec::new()),
            n_total: n,
        })));
        self.embed.live = Arc::clone(&live);
        let work = move |p: &crate::jobs::Progress| {
            let x = if rows.len() < n {
                data.x().select(ndarray::Axis(0), &rows)
            } else {
                data.x().to_owned()
            };
            let on_epoch = |epoch: usize, xy: &[f64]| {
                if epoch.is_multiple_of(LIVE_EVERY)
                    && let Ok(mut l) = live.lock()
                    && let Some(l) = l.as_mut()
                {
                    l.epoch = epoch + 1;
                    l.xy = Arc::new(to_points(xy));
                }
            };
            let out = tsne(x.view(), &params, p, on_epoch)?;
            let xy = out
                .outer_iter()
                .map(|r| [r[0] as f32, r[1] as f32])
                .collect();
            Ok(Embedding {
                rows,
                xy: Arc::new(xy),
                params,
                n_total: n,
                data: Arc::downgrade(&data),
            })
        };
        let started = self.embed.slot.start(work);
        if let Err(e) = started {
            self.embed.error = Some(e.to_string());
        }
    }

    /// Stops the running map.
    pub(super) fn cancel_embed(&mut self) {
        self.embed.cancel();
    }

    /// Takes a finished map; returns whether anything changed.
    pub(super) fn poll_embed(&mut self) -> bool {
        match self.embed.slot.poll() {
            None => false,
            Some(Ok(e)) => {
                self.embed.done = Some(Arc::new(e));
                true
            }
            Some(Err(crate::error::Error::Cancelled)) => true,
            Some(Err(e)) => {
                self.embed.error = Some(format!("The t-SNE map failed: {e}"));
                true
            }
        }
    }
}
