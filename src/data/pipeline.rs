//! The parallel part of loading: blocks of whole records (see [`super::split`]) are parsed on the rayon
//! pool while the next ones are read, and merged into the table's column builders strictly in file order,
//! so the result is the same at any thread count. At most a small window of blocks is in flight, so the
//! text held in memory stays a few megabytes (one block per worker and one ready); before each block is handed out, the table's projected
//! memory is checked against the budget ([`crate::budget`]) and loading stops with
//! [`crate::Error::TooLarge`] before the limit is crossed.

use std::collections::BTreeMap;

use super::infer::ColBuilder;
use super::split::{Block, Blocks, READ_BYTES};
use super::tokenize::{ParseCtx, Parsed};
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// The way out named when a table does not fit.
pub(crate) const WAY_OUT: &str = "load a sample with the sample option";

/// Rows and lines merged so far.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    /// One builder per column.
    pub cols: Vec<ColBuilder>,
    /// Line of each row; `None` while every row `i` is on line `i + 2` (nothing to store).
    pub lines: Option<Vec<u64>>,
    /// Rows merged.
    pub rows: usize,
}

impl Merged {
    /// Appends a parsed block (the next one in file order).
    pub(crate) fn merge(&mut self, p: Parsed) {
        let implicit = self.lines.is_none() && p.lines.consecutive_from(self.rows as u64 + 2);
        if !implicit {
            let lines = self
                .lines
                .get_or_insert_with(|| (0..self.rows as u64).map(|i| i + 2).collect());
            p.lines.extend_into(lines);
        }
        self.rows += p.lines.len();
        if self.cols.is_empty() {
            self.cols = p.cols;
        } else {
            for (c, o) in self.cols.iter_mut().zip(p.cols) {
                c.append(o);
            }
        }
    }
}

/// The memory projection of a load, deterministic for an input: what the first block cost per byte of
/// text, times the text handed out so far.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    /// Source name for the message.
    pub name: String,
    /// Size of the input in bytes, if known (a file).
    pub size: Option<u64>,
    /// Whether a copy of the input is spooled in memory as it is read (standard input).
    pub spooled: bool,
    /// Table bytes per byte of text (from the first block).
    pub per_text_byte: f64,
    /// Text bytes per row (from the first block).
    pub text_per_row: f64,
    /// Fixed overhead: blocks in flight, per-column builders.
    pub fixed: u64,
    /// Columns.
    pub ncols: usize,
}

impl Budget {
    /// Checks that the table still fits once `text_bytes` of text are parsed (`raw_read` bytes read).
    pub(crate) fn check(&self, text_bytes: u64, raw_read: u64) -> Result<()> {
        let spool = if self.spooled {
            raw_read.min(super::source::SPOOL_MEMORY as u64)
        } else {
            0
        };
        let projected = (text_bytes as f64 * self.per_text_byte) as u64 + self.fixed + spool;
        if projected <= crate::budget::limit() {
            return Ok(());
        }
        let rows = |bytes: u64| thousands((bytes as f64 / self.text_per_row.max(1.0)) as u64);
        let what = match self.size {
            Some(size) => format!(
                "loading {} ({}, about {} rows × {} columns)",
                self.name,
                crate::error::human_bytes(size),
                rows(size),
                self.ncols
            ),
            None => format!(
                "loading {} (a stream: {} rows so far, and more coming)",
                self.name,
                rows(text_bytes)
            ),
        };
        let needed = match self.size {
            Some(size) => ((size as f64 * self.per_text_byte) as u64 + self.fixed).max(projected),
            None => projected,
        };
        crate::budget::check(needed, &what, WAY_OUT)
    }
}

/// `1234567` -> `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How many blocks may be in flight for `threads` workers: one each and one ready (the reader cuts a block
/// about ten times faster than a worker parses it).
fn window(threads: usize) -> usize {
    threads.max(1) + 1
}

/// Fixed memory of a load with `ncols` columns of an input of `size` bytes (if known): the blocks in
/// flight (text, parsed values, builders).
pub(crate) fn fixed_overhead(ncols: usize, size: Option<u64>) -> u64 {
    let mut blocks = window(rayon::current_num_threads()) as u64 + 1;
    if let Some(size) = size {
        blocks = blocks.min(size / READ_BYTES as u64 + 1);
    }
    blocks * (3 * READ_BYTES as u64 + ncols as u64 * 256)
}

/// A parsed block as a worker hands it back: its place, the result, the bytes read, its text buffer.
type Done = (usize, Result<Parsed>, u64, Vec<u8>);

/// Parses `first` and every further block of `blocks` in parallel and hands each parsed block to `merge`
/// in file order. `budget` (if any) is checked before each block is handed out.
pub(crate) fn run(
    blocks: &mut Blocks<'_>,
    first: Option<Block>,
    ctx: &ParseCtx<'_>,
    budget: Option<&Budget>,
    progress: &Progress,
    merge: &mut dyn FnMut(Parsed) -> Result<()>,
) -> Result<()> {
    let mut text_bytes = 0u64;
    let mut pending = first;
    let next = |blocks: &mut Blocks<'_>,
                pending: &mut Option<Block>,
                text_bytes: &mut u64|
     -> Result<Option<Block>> {
        let b = match pending.take() {
            Some(b) => Some(b),
            None => blocks.next_block()?,
        };
        if let Some(b) = &b {
            *text_bytes += b.text.len() as u64;
            if let Some(budget) = budget {
                budget.check(*text_bytes, b.raw_read)?;
            }
        }
        Ok(b)
    };
    let threads = rayon::current_num_threads();
    let w = window(threads);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Done>(w);
    rayon::in_place_scope(|s| {
        let (mut sent, mut merged, mut in_flight) = (0usize, 0usize, 0usize);
        let mut waiting: BTreeMap<usize, (Result<Parsed>, u64)> = BTreeMap::new();
        let mut stop: Option<Error> = None;
        let mut done = false;
        loop {
            while in_flight < w && !done && stop.is_none() {
                match next(blocks, &mut pending, &mut text_bytes).and_then(|b| {
                    progress.check()?;
                    Ok(b)
                }) {
                    Ok(Some(b)) => {
                        let (tx, ctx, seq) = (tx.clone(), *ctx, sent);
                        s.spawn(move |_| {
                            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                ctx.parse(&b.text, b.first_line, b.quoted)
                            }))
                            .unwrap_or_else(|_| {
                                Err(Error::WorkerPanic(
                                    "the CSV parser failed on a block".into(),
                                ))
                            });
                            // The receiver outlives the scope; a send can only fail if it returned early.
                            let _ = tx.send((seq, r, b.raw_read, b.text));
                        });
                        sent += 1;
                        in_flight += 1;
                    }
                    Ok(None) => done = true,
                    // Blocks already handed out come first in the file: their errors win.
                    Err(e) => stop = Some(e),
                }
            }
            if in_flight == 0 {
                break;
            }
            let Ok((seq, r, raw, text)) = rx.recv() else {
                return Err(Error::WorkerPanic("a CSV parsing task stopped".into()));
            };
            blocks.recycle(text);
            in_flight -= 1;
            waiting.insert(seq, (r, raw));
            while let Some((r, raw)) = waiting.remove(&merged) {
                merged += 1;
                merge(r?)?;
                progress.set_done(raw);
            }
        }
        stop.map_or(Ok(()), Err)
    })
}
