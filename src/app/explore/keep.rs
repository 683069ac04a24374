//! What the explorer keeps about fits beyond the one shown: the analyst's segment names (carried to a
//! refit of the same shape, dropped with a notice otherwise, by [`crate::analysis::compare::carry_names`])
//! and the recent fits of this session, for "compare with…".

use std::sync::Arc;

use super::{Explorer, SegResult};
use crate::analysis::Decision;
use crate::analysis::compare::carry_names;

/// Most recent fits kept for comparison.
pub const KEPT_FITS: usize = 6;

/// A fit kept for "compare with…": the result and the input rows its labels cover.
#[derive(Debug, Clone)]
pub struct KeptFit {
    /// The fit.
    pub result: Arc<SegResult>,
    /// `rows[i]`: the input row of `result.seg.labels[i]` (shared with the prepared data, not copied).
    pub rows: Arc<[usize]>,
    /// 1 for the first fit of the session, then counting up.
    pub serial: usize,
}

/// Names and recent fits (see the module doc).
#[derive(Debug, Default)]
pub(super) struct Kept {
    /// The analyst's names and the labels they were given for (only after a rename).
    named: Option<(Vec<usize>, Vec<String>)>,
    /// Recent fits, oldest first; the last one is the one shown (or the one it replaced while a fit runs).
    fits: Vec<KeptFit>,
    /// What happened to the names at the last fit or rename.
    notice: Option<String>,
    serial: usize,
}

impl Explorer {
    /// Takes a new fit: carries the analyst's names to it when it has the same shape (else drops them and
    /// says so), keeps it for comparison, and shows it.
    pub(super) fn take_fit(&mut self, mut r: SegResult) {
        if let Some((labels, names)) = &self.kept.named {
            let carried = carry_names(labels, names, &r.seg.labels);
            if let Some(n) = carried.names {
                r.names = n;
                self.kept.named = Some((r.seg.labels.clone(), r.names.clone()));
            } else {
                r.decisions.push(Decision::NamesDropped {
                    reason: carried.message.clone(),
                });
                self.kept.named = None;
            }
            self.kept.notice = Some(carried.message);
        }
        let r = Arc::new(r);
        if let Some(data) = &self.prepared
            && data.prepared.kept_rows.len() == r.seg.labels.len()
        {
            self.kept.serial += 1;
            self.kept.fits.push(KeptFit {
                result: Arc::clone(&r),
                rows: Arc::clone(&data.prepared.kept_rows),
                serial: self.kept.serial,
            });
            if self.kept.fits.len() > KEPT_FITS {
                self.kept.fits.remove(0);
            }
        }
        self.result = Some(r);
    }

    /// Renames segment `s` of the fit shown (an empty name puts the suggested one back). The name travels
    /// to the labelled CSV's `segment_name`, the recipe and the model, and to refits of the same shape.
    pub(super) fn rename_segment(&mut self, s: usize, name: &str) {
        let Some(old) = self.result.clone() else {
            return;
        };
        let Some(current) = old.names.get(s) else {
            return;
        };
        let name = name.trim();
        let name = if name.is_empty() {
            old.descriptions
                .get(s)
                .map_or_else(|| format!("Segment {s}"), |d| d.name.clone())
        } else {
            name.to_owned()
        };
        if *current == name {
            return;
        }
        let mut names = old.names.clone();
        names[s].clone_from(&name);
        self.set_names(names, format!("segment {s} renamed \"{name}\""));
    }

    /// Gives the fit shown the segment names `names` (one per segment; a rename, or its undo), carried to
    /// refits of the same shape like any rename.
    pub(super) fn set_names(&mut self, names: Vec<String>, notice: String) {
        let Some(old) = self.result.clone() else {
            return;
        };
        if names.len() != old.names.len() || names == old.names {
            return;
        }
        let mut new = (*old).clone();
        new.names = names;
        self.kept.named = Some((new.seg.labels.clone(), new.names.clone()));
        self.kept.notice = Some(notice);
        let new = Arc::new(new);
        for f in &mut self.kept.fits {
            if Arc::ptr_eq(&f.result, &old) {
                f.result = Arc::clone(&new);
            }
        }
        self.result = Some(new);
    }

    /// The fits of this session other than the one shown, newest first, for "compare with…".
    pub fn kept_fits(&self) -> Vec<&KeptFit> {
        self.kept
            .fits
            .iter()
            .rev()
            .filter(|f| {
                self.result
                    .as_ref()
                    .is_none_or(|r| !Arc::ptr_eq(r, &f.result))
            })
            .collect()
    }

    /// The fit shown as a [`KeptFit`] (its rows), when known.
    pub fn shown_fit(&self) -> Option<&KeptFit> {
        let r = self.result.as_ref()?;
        self.kept.fits.iter().find(|f| Arc::ptr_eq(&f.result, r))
    }

    /// What happened to the segment names at the last fit or rename ("segment names kept (same shape,
    /// ARI 1.000)", "segment names dropped: the number of segments changed (4 → 5); ...").
    pub fn names_notice(&self) -> Option<&str> {
        self.kept.notice.as_deref()
    }

    /// Whether the analyst named segments that the fit shown carries.
    pub fn has_custom_names(&self) -> bool {
        self.kept.named.is_some()
    }
}
