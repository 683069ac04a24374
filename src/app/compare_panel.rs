//! "Compare with…": the fit shown against a previous fit of this session (e.g. k-means K = 5 vs Ward
//! K = 5): the adjusted Rand index, the crosstab of segment × segment with row shares, and which segments
//! merged or split. The statistics come from [`crate::analysis::compare`]; this only draws them.

use std::fmt::Write as _;

use egui::{Align2, CornerRadius, FontId, RichText, Sense, Ui, vec2};

use super::explore::KeptFit;
use super::format::{fmt_count, method_label};
use super::state::AppState;
use super::theme::{ChartPalette, segment_color, text_on, z_color};
use crate::analysis::compare::{Comparison, compare_on_rows};
use crate::jobs::Job;

/// Size of a crosstab cell.
const CELL: egui::Vec2 = vec2(84.0, 34.0);

/// Rows up to which a comparison is computed in the frame (a crosstab pass over the labels: well under
/// a millisecond); above, on a worker, so that nothing proportional to the rows runs in the frame.
const SYNC_COMPARE_ROWS: usize = 200_000;

/// A comparison, computed or on its way.
#[derive(Debug)]
enum Compared {
    Ready(Result<Comparison, String>),
    Running(Job<Result<Comparison, String>>),
}

/// The "compare with…" section.
#[derive(Debug, Default)]
pub struct ComparePanel {
    /// Serial of the previous fit picked.
    picked: Option<usize>,
    /// The comparison of (previous serial, fit shown), computed or running.
    cached: Option<(usize, usize, Compared)>,
}

/// Compares fit `a` with fit `b` on the rows both label.
fn compare_fits(a: &KeptFit, b: &KeptFit) -> Result<Comparison, String> {
    compare_on_rows(&a.rows, &a.result.seg.labels, &b.rows, &b.result.seg.labels)
        .map_err(|e| e.to_string())
}

/// The comparison of `a` with `b`: at once when both have at most `sync_rows` rows, else started on a
/// worker.
fn start_compare(a: &KeptFit, b: &KeptFit, sync_rows: usize) -> Compared {
    if a.rows.len().max(b.rows.len()) <= sync_rows {
        return Compared::Ready(compare_fits(a, b));
    }
    let (a, b) = (a.clone(), b.clone());
    match Job::spawn("segscope-compare", move |_| Ok(compare_fits(&a, &b))) {
        Ok(job) => Compared::Running(job),
        Err(e) => Compared::Ready(Err(e.to_string())),
    }
}

/// A fit in words: "#3 · k-means · K = 5 · seed 0".
pub fn fit_label(f: &KeptFit) -> String {
    let o = &f.result.options;
    let mut s = format!(
        "#{} · {} · K = {}",
        f.serial,
        method_label(o.method),
        f.result.seg.k
    );
    if !o.method.is_hierarchical() && !o.method.is_density() {
        let _ = write!(s, " · seed {}", o.seed);
    }
    s
}

/// How alike two segmentations are, in words, from their ARI.
pub fn ari_words(ari: f64) -> &'static str {
    if ari >= 0.9 {
        "nearly the same segments"
    } else if ari >= 0.65 {
        "similar segments"
    } else if ari >= 0.3 {
        "partly the same segments"
    } else {
        "different segments"
    }
}

impl ComparePanel {
    /// The section (collapsed until opened); nothing when no previous fit is kept.
    pub fn ui(&mut self, ui: &mut Ui, state: &AppState) {
        let explorer = &state.explorer;
        let previous = explorer.kept_fits();
        let Some(shown) = explorer.shown_fit() else {
            return;
        };
        egui::CollapsingHeader::new(format!("Compare with a previous fit ({})", previous.len()))
            .id_salt("compare_with")
            .default_open(false)
            .show(ui, |ui| {
                if previous.is_empty() {
                    ui.weak(
                        "No previous fit yet: pick another K or method, and the fit shown now can \
                         be compared with the new one here.",
                    );
                    return;
                }
                if self
                    .picked
                    .is_none_or(|p| !previous.iter().any(|f| f.serial == p))
                {
                    self.picked = previous.first().map(|f| f.serial);
                }
                ui.horizontal(|ui| {
                    let label = ui.label("Compare the fit shown with");
                    let current = previous
                        .iter()
                        .find(|f| Some(f.serial) == self.picked)
                        .map_or_else(String::new, |f| fit_label(f));
                    egui::ComboBox::from_id_salt("compare_pick")
                        .selected_text(current)
                        .width(260.0)
                        .show_ui(ui, |ui| {
                            for f in &previous {
                                ui.selectable_value(&mut self.picked, Some(f.serial), fit_label(f));
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.weak(format!("(shown: {})", fit_label(shown)));
                });
                let Some(other) = previous.iter().find(|f| Some(f.serial) == self.picked) else {
                    return;
                };
                let fresh = self
                    .cached
                    .as_ref()
                    .is_some_and(|(a, b, _)| *a == other.serial && *b == shown.serial);
                if !fresh {
                    if let Some((_, _, Compared::Running(job))) = &self.cached {
                        job.cancel();
                    }
                    self.cached = Some((
                        other.serial,
                        shown.serial,
                        start_compare(other, shown, SYNC_COMPARE_ROWS),
                    ));
                }
                if let Some((_, _, Compared::Running(job))) = &mut self.cached {
                    if let Some(r) = job.poll() {
                        let r = r.map_err(|e| e.to_string()).and_then(|c| c);
                        if let Some(c) = &mut self.cached {
                            c.2 = Compared::Ready(r);
                        }
                    } else {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.weak(format!(
                                "Comparing the two fits on {} rows…",
                                fmt_count(shown.rows.len())
                            ));
                        });
                        ui.ctx()
                            .request_repaint_after(std::time::Duration::from_millis(30));
                        return;
                    }
                }
                match self.cached.as_ref().map(|(_, _, c)| c) {
                    Some(Compared::Ready(Ok(c))) => comparison_ui(ui, c, other, shown),
                    Some(Compared::Ready(Err(e))) => {
                        ui.colored_label(ui.visuals().warn_fg_color, e);
                    }
                    Some(Compared::Running(_)) | None => {}
                }
            });
    }
}

fn comparison_ui(ui: &mut Ui, c: &Comparison, a: &KeptFit, b: &KeptFit) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("Adjusted Rand index {:.3}", c.ari)).strong())
            .on_hover_text(
                "The adjusted Rand index (scikit-learn's adjusted_rand_score): 1 when both fits \
                 put the same rows together, about 0 when they agree no more than chance.",
            );
        ui.weak(format!(
            "{} · on {} shared rows",
            ari_words(c.ari),
            fmt_count(c.n_rows)
        ));
    });
    for line in c.changes_in_words(&a.result.names, &b.result.names) {
        ui.label(line);
    }
    ui.weak(format!(
        "Rows: segments of {}; columns: segments of the fit shown. Each cell: rows in both, and the \
         share of the row's segment.",
        fit_label(a)
    ));
    let mid = ChartPalette::of(ui.visuals()).diverging_mid;
    egui::ScrollArea::horizontal()
        .id_salt("compare_crosstab")
        .show(ui, |ui| {
            egui::Grid::new("compare_grid")
                .spacing(vec2(4.0, 4.0))
                .show(ui, |ui| {
                    ui.label("");
                    for j in 0..c.k_b {
                        swatch_label(ui, j, b.result.names.get(j));
                    }
                    ui.end_row();
                    for (i, (counts, shares)) in c.counts.iter().zip(&c.row_shares).enumerate() {
                        swatch_label(ui, i, a.result.names.get(i));
                        for (j, (&n, &share)) in counts.iter().zip(shares).enumerate() {
                            let bg = z_color(2.0 * share, mid);
                            let (rect, resp) = ui.allocate_exact_size(CELL, Sense::hover());
                            ui.painter().rect_filled(rect, CornerRadius::same(3), bg);
                            ui.painter().text(
                                rect.center(),
                                Align2::CENTER_CENTER,
                                format!("{}\n{:.0}%", fmt_count(n), 100.0 * share),
                                FontId::proportional(12.0),
                                text_on(bg),
                            );
                            resp.on_hover_text(format!(
                                "{} rows of previous segment {i} are in segment {j} now: {:.1}% of \
                                 previous segment {i}",
                                fmt_count(n),
                                100.0 * share
                            ));
                        }
                        ui.end_row();
                    }
                });
        });
}

fn swatch_label(ui: &mut Ui, s: usize, name: Option<&String>) {
    ui.horizontal(|ui| {
        let (r, _) = ui.allocate_exact_size(vec2(10.0, 10.0), Sense::hover());
        ui.painter()
            .rect_filled(r, CornerRadius::same(2), segment_color(s));
        let resp = ui.label(format!("{s}"));
        if let Some(n) = name {
            resp.on_hover_text(n);
        }
    });
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::sync::Arc;

    use super::*;
    use crate::analysis::{ModelSpec, Policy, Target, fit_segments, prepare};
    use crate::data::{LoadOptions, load_bytes};
    use crate::jobs::Progress;
    use crate::prep::Preparation;

    fn kept(k: usize, serial: usize) -> KeptFit {
        let mut r = crate::rng::Rng::new(3);
        let mut text = String::from("a,b\n");
        for i in 0..600 {
            let c = f64::from(i % 4) * 5.0;
            writeln!(text, "{:.4},{:.4}", c + r.normal(), r.normal()).unwrap();
        }
        let t = load_bytes(
            text.into_bytes(),
            "t.csv",
            &LoadOptions::default(),
            &Progress::new(),
        )
        .unwrap();
        let prep = Preparation::new(vec!["a".into(), "b".into()]);
        let data = prepare(&t, &prep, 0, &Progress::new()).unwrap();
        let result = fit_segments(
            &t,
            &data,
            &ModelSpec::default(),
            Target::K(k),
            &Policy::default(),
            None,
            &Progress::new(),
        )
        .unwrap();
        KeptFit {
            result: Arc::new(result),
            rows: Arc::clone(&data.prepared.kept_rows),
            serial,
        }
    }

    #[test]
    fn a_comparison_above_the_frame_limit_runs_on_a_worker_with_the_same_result() {
        let (a, b) = (kept(3, 1), kept(4, 2));
        let Compared::Ready(Ok(inline)) = start_compare(&a, &b, usize::MAX) else {
            panic!("small fits compare in the frame");
        };
        let Compared::Running(job) = start_compare(&a, &b, 100) else {
            panic!("600 rows are above a limit of 100");
        };
        let worker = job.wait().unwrap().unwrap();
        assert_eq!(worker.ari.to_bits(), inline.ari.to_bits());
        assert_eq!(worker.counts, inline.counts);
        assert_eq!(worker.n_rows, 600);
        assert!(worker.ari > 0.3 && worker.ari < 1.0, "{}", worker.ari);
    }
}
