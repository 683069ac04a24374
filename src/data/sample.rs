//! Files bigger than memory: a uniform random sample of the data rows in one streaming pass (reservoir
//! sampling, Li's Algorithm L: the rows between two kept ones are skipped without being parsed, only their
//! line breaks are found), memory bounded by the sample, kept rows in file order and parsed like a file of
//! their own; and a cheap estimate of a file's in-memory size from its first megabyte, so that the app can
//! ask before loading.

use std::path::Path;

use super::load::{Head, Input, LoadOptions, Parts, budget_from, read_head, text_pass};
use super::pipeline::fixed_overhead;
use super::source::Source;
use super::split::{Blocks, Records};
use super::tokenize::ParseCtx;
use super::{ColumnData, Sample, SampleInfo};
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::rng::Rng;

/// A kept row: its data-row index, line and text.
struct Kept {
    index: u64,
    line: u64,
    text: Vec<u8>,
}

/// Uniform in (0, 1), never 0 or 1 (Algorithm L takes logarithms).
fn open_unit(rng: &mut Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// Algorithm L: which data rows to keep, one decision per row index, in order.
struct Reservoir {
    k: usize,
    rng: Rng,
    w: f64,
    next: u64,
    kept: Vec<Kept>,
}

impl Reservoir {
    fn new(k: usize, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let w = (open_unit(&mut rng).ln() / k as f64).exp();
        let mut r = Self {
            k,
            rng,
            w,
            next: 0,
            kept: Vec::new(),
        };
        r.next = k as u64 - 1;
        r.advance();
        r
    }

    /// Moves `next` to the next row to keep after the reservoir is full.
    fn advance(&mut self) {
        let skip = (open_unit(&mut self.rng).ln() / (1.0 - self.w).ln()).floor();
        // `as` saturates: a skip beyond u64 means "never again".
        self.next = self.next.saturating_add(skip as u64).saturating_add(1);
    }

    /// Offers data row `index` (increasing by one each call); `text` is only read if the row is kept.
    fn offer(&mut self, index: u64, line: u64, text: &[u8]) {
        if (index as usize) < self.k {
            self.kept.push(Kept {
                index,
                line,
                text: text.to_vec(),
            });
            return;
        }
        if index != self.next {
            return;
        }
        let slot = &mut self.kept[self.rng.below(self.k)];
        slot.index = index;
        slot.line = line;
        slot.text.clear();
        slot.text.extend_from_slice(text);
        self.w *= (open_unit(&mut self.rng).ln() / self.k as f64).exp();
        self.advance();
    }

    /// Whether row `index` will be looked at (so its text is needed).
    fn wants(&self, index: u64) -> bool {
        (index as usize) < self.k || index == self.next
    }

    fn text_bytes(&self) -> u64 {
        self.kept
            .iter()
            .map(|k| k.text.capacity() as u64 + 48)
            .sum()
    }
}

/// The sampling pass after the header: scans every record, keeps a sample, and parses the kept rows (in
/// file order) as a table of their own, whose lines are mapped back to the file's.
pub(crate) fn sample_pass(
    blocks: &mut Blocks<'_>,
    head: Head,
    sample: Sample,
    input: &Input<'_>,
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<Parts> {
    if sample.rows == 0 {
        return Err(Error::InvalidParameter(
            "a sample needs at least one row".into(),
        ));
    }
    let delimiter = blocks.delimiter();
    let ncols = head.ncols();
    let bytes_per_row = head.header_text.len().max(2 * ncols);
    let ctx = ParseCtx {
        ncols,
        delimiter,
        source_name: input.name,
        text_only: None,
        bytes_per_row,
    };
    let probe = ctx.parse(&head.rest.text, head.rest.first_line, head.rest.quoted)?;
    let budget = budget_from(&probe, &head.rest, input, ncols, bytes_per_row);
    drop(probe);
    let k = sample.rows as f64;
    let per_row = budget.per_text_byte * budget.text_per_row + 2.0 * budget.text_per_row + 48.0;
    let fixed = fixed_overhead(ncols, input.size) + input.held;
    let what = |rows: f64| {
        format!(
            "a sample of {} rows of {}",
            super::pipeline::thousands(rows as u64),
            input.name
        )
    };
    let way_out = "ask for fewer sample rows";
    crate::budget::check((k * per_row) as u64 + fixed, &what(k), way_out)?;

    let mut res = Reservoir::new(sample.rows, sample.seed);
    let mut index = 0u64;
    let mut block = Some(head.rest);
    while let Some(b) = block {
        progress.check()?;
        for r in Records::new(&b.text, b.first_line, b.quoted, delimiter) {
            if res.wants(index) {
                res.offer(index, r.line, &b.text[r.start..r.end]);
            }
            index += 1;
        }
        let held = (k * budget.per_text_byte * budget.text_per_row) as u64 + 2 * res.text_bytes();
        crate::budget::check(held + fixed, &what(k), way_out)?;
        progress.set_done(b.raw_read);
        block = blocks.next_block()?;
    }
    let rows_in_file = index;
    let mut kept = res.kept;
    kept.sort_unstable_by_key(|k| k.index);

    // The kept rows as a CSV of their own, and where each of its lines comes from.
    let mut text = Vec::with_capacity(kept.iter().map(|k| k.text.len() + 1).sum::<usize>() + 256);
    let mut map: Vec<(u64, u64)> = Vec::with_capacity(kept.len() + 1); // (line here, line in the file)
    let mut line = 1u64;
    if head.has_header {
        text.extend_from_slice(&head.header_text);
        text.push(b'\n');
        map.push((1, head.header_line));
        line += 1 + super::decode::count_breaks(&head.header_text);
    }
    let mut file_lines = Vec::with_capacity(kept.len());
    let mut file_rows = Vec::with_capacity(kept.len());
    for k in kept {
        map.push((line, k.line));
        line += 1 + super::decode::count_breaks(&k.text);
        text.extend_from_slice(&k.text);
        text.push(b'\n');
        file_lines.push(k.line);
        file_rows.push(k.index);
    }
    let map_line = |l: u64| match map.partition_point(|&(here, _)| here <= l) {
        0 => l,
        i => map[i - 1].1 + (l - map[i - 1].0),
    };
    let inner_opts = LoadOptions {
        delimiter: Some(delimiter),
        has_header: Some(head.has_header),
        sample: None,
        ..opts.clone()
    };
    let text = std::sync::Arc::new(text);
    let inner_input = Input {
        name: input.name,
        size: Some(text.len() as u64),
        held: text.len() as u64 + fixed,
        spooled: false,
    };
    let mut parts =
        parse_kept(&text, &inner_input, &inner_opts, progress).map_err(|e| match e {
            Error::Csv {
                source_name,
                line,
                message,
            } => Error::Csv {
                source_name,
                line: map_line(line),
                message,
            },
            e => e,
        })?;
    for c in &mut parts.merged.cols {
        c.map_example_lines(&map_line);
    }
    parts.merged.lines = Some(file_lines);
    let mut warnings = std::mem::take(&mut blocks.warnings);
    warnings.append(&mut parts.warnings);
    parts.warnings = warnings;
    // When every row was kept, the table is the whole file: not a sample.
    parts.sampled = (rows_in_file > sample.rows as u64).then_some(SampleInfo {
        rows_in_file,
        seed: sample.seed,
        file_rows,
    });
    Ok(parts)
}

/// Loads the kept rows' text (both passes) without deciding kinds, so that lines can still be mapped.
fn parse_kept(
    text: &std::sync::Arc<Vec<u8>>,
    input: &Input<'_>,
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<Parts> {
    let mut reader = text.as_slice();
    let mut blocks = Blocks::new(&mut reader, input.name, opts.delimiter, opts.max_line_bytes)?;
    let first = blocks.next_block()?.ok_or_else(|| Error::Input {
        source_name: input.name.to_owned(),
        message: "the file has a header row but no data rows".into(),
    })?;
    let head = read_head(first, blocks.delimiter(), opts.has_header, input.name)?;
    let ctx = ParseCtx {
        ncols: head.ncols(),
        delimiter: blocks.delimiter(),
        source_name: input.name,
        text_only: None,
        bytes_per_row: head.header_text.len().max(16),
    };
    let mut merged = super::pipeline::Merged::default();
    super::pipeline::run(
        &mut blocks,
        Some(head.rest),
        &ctx,
        None,
        progress,
        &mut |p| {
            merged.merge(p);
            Ok(())
        },
    )?;
    let mut parts = Parts {
        merged,
        names: head.names,
        warnings: head.warnings,
        delimiter: ctx.delimiter,
        has_header: head.has_header,
        sampled: None,
    };
    if parts.merged.rows > 0 {
        text_pass(
            &mut parts,
            &Source::Memory(text.clone()),
            input,
            opts,
            progress,
        )?;
    }
    Ok(parts)
}

/// What loading a file would take, estimated from its first megabyte.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeEstimate {
    /// Size of the file in bytes.
    pub file_bytes: u64,
    /// Data rows, estimated (exact when `exact`).
    pub rows: u64,
    /// Columns.
    pub columns: usize,
    /// Memory the loaded table would need while loading, in bytes.
    pub memory_bytes: u64,
    /// Whether the whole file was read (the figures are then exact but for the memory).
    pub exact: bool,
    /// Whether `memory_bytes` fits the memory limit ([`crate::budget::limit`]).
    pub fits: bool,
    /// A sample size that fits in half the memory limit (at most `rows`).
    pub suggested_sample_rows: u64,
}

/// Bytes read by [`estimate_path`].
const PROBE_BYTES: usize = 1 << 20;

/// Estimates the memory a file needs from its first megabyte and its size, so that the app can ask "this
/// file is ~40 GB; load a sample?" before loading.
pub fn estimate_path(path: &Path, opts: &LoadOptions) -> Result<SizeEstimate> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = Vec::with_capacity(PROBE_BYTES);
    file.take(PROBE_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    let size = meta.len().max(head.len() as u64);
    let exact = (head.len() as u64) >= size;
    if !exact {
        // Whole records only.
        if let Some(p) = memchr::memrchr(b'\n', &head) {
            head.truncate(p + 1);
        }
    }
    let probe_len = head.len().max(1) as u64;
    let opts = LoadOptions {
        sample: None,
        ..opts.clone()
    };
    let t = super::load_bytes(head, &path.display().to_string(), &opts, &Progress::new())?;
    let rows_head = t.n_rows() as u64;
    // While loading, a numeric cell takes 8 bytes; other cells 12 (a code and a number until the end).
    let per_row: u64 = t
        .columns
        .iter()
        .map(|c| match c.data {
            ColumnData::Numeric(_) | ColumnData::Date(_) => 8,
            _ => 12,
        })
        .sum();
    let levels: u64 = t
        .columns
        .iter()
        .map(|c| match &c.data {
            ColumnData::Categorical { levels, .. } | ColumnData::Text { levels, .. } => {
                super::infer::levels_bytes_while_loading(levels) as u64
            }
            _ => 0,
        })
        .sum();
    let rows = if exact {
        rows_head
    } else {
        (rows_head as f64 * size as f64 / probe_len as f64).round() as u64
    };
    let scale = if exact {
        1.0
    } else {
        size as f64 / probe_len as f64
    };
    let memory_bytes = rows.saturating_mul(per_row)
        + (levels as f64 * scale.sqrt()) as u64
        + fixed_overhead(t.n_cols(), Some(size));
    let limit = crate::budget::limit();
    let text_per_row = probe_len as f64 / rows_head.max(1) as f64;
    let sample_per_row = per_row as f64 + 2.0 * text_per_row + 48.0;
    let suggested = ((limit / 2) as f64 / sample_per_row) as u64;
    let suggested = if suggested >= 10_000 {
        suggested / 10_000 * 10_000
    } else {
        suggested
    };
    Ok(SizeEstimate {
        file_bytes: size,
        rows,
        columns: t.n_cols(),
        memory_bytes,
        exact,
        fits: memory_bytes <= limit,
        suggested_sample_rows: suggested.min(rows).max(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_l_is_uniform_and_reproducible() {
        // Each of 1,000 rows should be kept with probability k / n = 0.1.
        let (n, k, runs) = (1000u64, 100usize, 400u64);
        let mut hits = vec![0u32; n as usize];
        for seed in 0..runs {
            let mut r = Reservoir::new(k, seed);
            for i in 0..n {
                if r.wants(i) {
                    r.offer(i, i + 2, b"x");
                }
            }
            assert_eq!(r.kept.len(), k);
            for kept in &r.kept {
                hits[kept.index as usize] += 1;
            }
        }
        // 40 expected per row; first, middle and last tenths alike (within 4 standard errors).
        for part in hits.chunks(100) {
            let mean = f64::from(part.iter().sum::<u32>()) / 100.0;
            assert!(
                (mean - 40.0).abs() < 4.0 * (40.0f64 * 0.9 / 100.0).sqrt(),
                "{mean}"
            );
        }
        let draw = |seed| {
            let mut r = Reservoir::new(5, seed);
            for i in 0..100 {
                if r.wants(i) {
                    r.offer(i, i, b"");
                }
            }
            let mut v: Vec<u64> = r.kept.iter().map(|k| k.index).collect();
            v.sort_unstable();
            v
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }
}
