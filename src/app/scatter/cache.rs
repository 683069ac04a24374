//! What the scatter derives once per result (the sample, the positions on the chosen axes, the grid
//! index, the features' overall summaries) and a box-select's profile of the rows inside it. The numbers
//! come from the engine ([`crate::analysis::selection`]); this file only formats them.

use std::sync::Arc;

use super::grid::GridIndex;
use super::sample::sample_per_segment;
use super::{GRID_CELLS, MIN_PER_SEGMENT, SAMPLE_CAP};
use crate::analysis::profile::ColumnStat;
use crate::analysis::selection::{summarize_columns, summarize_selection};
use crate::app::explore::{PreparedData, SegResult};
use crate::app::format::{fmt_percent, fmt_stat};
use crate::data::{ColumnKind, Table};

/// A feature's summary over all rows, for comparing a selection with.
#[derive(Debug, Clone)]
pub(super) struct FeatureOverall {
    pub(super) name: String,
    pub(super) column: Option<usize>,
    pub(super) text: String,
}

/// Where the positions come from.
#[derive(Debug, Clone)]
pub(super) enum Source {
    /// Two principal components of every row (`Cache::axes`).
    Pca,
    /// A 2-D map (t-SNE) of some of the rows: `rows[i]` is at `xy[i]`.
    Map {
        rows: Arc<Vec<usize>>,
        xy: Arc<Vec<[f32; 2]>>,
    },
}

/// Everything derived from one result: the sample, and per pair of axes (or per map) the positions and
/// the grid. Grid and sample indices are *point* indices: a row number for the PCA scores, a position in
/// the map's rows for a map ([`Cache::row`] turns one into the other).
#[derive(Debug)]
pub(super) struct Cache {
    pub(super) table: Arc<Table>,
    pub(super) result: Arc<SegResult>,
    pub(super) prepared: Arc<PreparedData>,
    pub(super) sizes: Vec<usize>,
    pub(super) sample: Vec<usize>,
    pub(super) id_column: Option<usize>,
    pub(super) features: Vec<FeatureOverall>,
    pub(super) axes: (usize, usize),
    pub(super) points: Arc<Vec<[f32; 2]>>,
    pub(super) grid: GridIndex,
    pub(super) source: Source,
}

impl Cache {
    pub(super) fn new(
        result: &Arc<SegResult>,
        prepared: &Arc<PreparedData>,
        table: &Arc<Table>,
        axes: (usize, usize),
    ) -> Self {
        let labels = &result.seg.labels;
        let sample = sample_per_segment(labels, SAMPLE_CAP, MIN_PER_SEGMENT);
        let id_column = table
            .columns
            .iter()
            .position(|c| c.kind() == ColumnKind::Text);
        let names = &prepared.fitted.preparation.features;
        let columns: Vec<Option<usize>> = names
            .iter()
            .map(|name| table.columns.iter().position(|c| c.name == *name))
            .collect();
        let overall = summarize_columns(table, &columns, &prepared.prepared.kept_rows);
        let features = names
            .iter()
            .zip(&columns)
            .zip(&overall)
            .map(|((name, &column), stat)| FeatureOverall {
                name: name.clone(),
                column,
                text: stat_text(table, column, stat.as_ref()).unwrap_or_default(),
            })
            .collect();
        let mut cache = Self {
            table: Arc::clone(table),
            result: Arc::clone(result),
            prepared: Arc::clone(prepared),
            sizes: result.sizes(),
            sample,
            id_column,
            features,
            axes,
            points: Arc::new(Vec::new()),
            grid: GridIndex::build(Vec::new(), Vec::new(), 1),
            source: Source::Pca,
        };
        cache.set_axes(axes);
        cache
    }

    /// The row of point `i` (a grid or sample index).
    pub(super) fn row(&self, i: usize) -> usize {
        match &self.source {
            Source::Pca => i,
            Source::Map { rows, .. } => rows.get(i).copied().unwrap_or(i),
        }
    }

    /// The segment of point `i`.
    pub(super) fn label(&self, i: usize) -> usize {
        self.result
            .seg
            .labels
            .get(self.row(i))
            .copied()
            .unwrap_or(0)
    }

    /// Whether the positions are those of the map `xy`.
    pub(super) fn shows_map(&self, xy: &Arc<Vec<[f32; 2]>>) -> bool {
        matches!(&self.source, Source::Map { xy: have, .. } if Arc::ptr_eq(have, xy))
    }

    /// Shows the map `xy` of `rows` (the drawing sample per segment among them, the grid over them).
    pub(super) fn set_map(&mut self, rows: Arc<Vec<usize>>, xy: Arc<Vec<[f32; 2]>>) {
        let labels = &self.result.seg.labels;
        let n = rows.len().min(xy.len());
        let sub: Vec<usize> = rows[..n]
            .iter()
            .map(|&r| labels.get(r).copied().unwrap_or(0))
            .collect();
        self.sample = sample_per_segment(&sub, SAMPLE_CAP, MIN_PER_SEGMENT);
        self.points = Arc::new(self.sample.iter().map(|&i| xy[i]).collect());
        let (xs, ys) = xy[..n].iter().map(|p| (p[0], p[1])).unzip();
        self.grid = GridIndex::build(xs, ys, GRID_CELLS);
        self.source = Source::Map { rows, xy };
    }

    pub(super) fn set_axes(&mut self, axes: (usize, usize)) {
        let Some(s) = self.prepared.scores.as_ref() else {
            return;
        };
        let column = |c: usize| -> Vec<f32> { s.column(c).iter().map(|&v| v as f32).collect() };
        let (xs, ys) = (column(axes.0), column(axes.1));
        self.points = Arc::new(self.sample.iter().map(|&i| [xs[i], ys[i]]).collect());
        self.grid = GridIndex::build(xs, ys, GRID_CELLS);
        self.axes = axes;
    }

    pub(super) fn matches(
        &self,
        result: &Arc<SegResult>,
        prepared: &Arc<PreparedData>,
        table: &Arc<Table>,
    ) -> bool {
        Arc::ptr_eq(&self.result, result)
            && Arc::ptr_eq(&self.prepared, prepared)
            && Arc::ptr_eq(&self.table, table)
    }
}

/// A column's summary for display: the mean for numbers and dates, the most common level and its share
/// for categories, "—" when every value is missing; `None` for a column the table does not have.
fn stat_text(table: &Table, column: Option<usize>, stat: Option<&ColumnStat>) -> Option<String> {
    let kind = table.columns.get(column?)?.kind();
    Some(match stat? {
        ColumnStat::Mean(m) => fmt_stat(kind, *m),
        ColumnStat::Mode {
            level: Some(level),
            count,
            present,
        } => format!("{level} ({})", fmt_percent(*count, *present)),
        ColumnStat::Mode { level: None, .. } => "—".to_owned(),
    })
}

/// What a box-select found.
#[derive(Debug, Clone)]
pub(super) struct Selection {
    pub(super) lo: [f64; 2],
    pub(super) hi: [f64; 2],
    pub(super) axes: (usize, usize),
    pub(super) count: usize,
    /// The prepared rows inside the box.
    pub(super) rows: Arc<[usize]>,
    pub(super) per_segment: Vec<usize>,
    /// Feature name, its summary inside the box, its summary over all rows.
    pub(super) features: Vec<(String, String, String)>,
}

/// Profiles the visible rows inside `[lo, hi]` (every row, not only the drawn sample).
pub(super) fn select(
    cache: &Cache,
    hidden: &[bool],
    axes: (usize, usize),
    lo: [f64; 2],
    hi: [f64; 2],
) -> Selection {
    let labels = &cache.result.seg.labels;
    let rows: Vec<usize> = cache
        .grid
        .in_rect(lo, hi, |i| {
            !hidden.get(cache.label(i)).copied().unwrap_or(false)
        })
        .into_iter()
        .map(|i| cache.row(i))
        .collect();
    let columns: Vec<Option<usize>> = cache.features.iter().map(|f| f.column).collect();
    let summary = summarize_selection(
        &cache.table,
        &columns,
        &cache.prepared.prepared.kept_rows,
        labels,
        cache.sizes.len(),
        &rows,
    );
    let features = cache
        .features
        .iter()
        .zip(&summary.columns)
        .map(|(f, stat)| {
            let inside =
                stat_text(&cache.table, f.column, stat.as_ref()).unwrap_or_else(|| "—".to_owned());
            (f.name.clone(), inside, f.text.clone())
        })
        .collect();
    Selection {
        lo,
        hi,
        axes,
        count: summary.count,
        rows: rows.into(),
        per_segment: summary.per_segment,
        features,
    }
}
