//! RFM features from a transactions file (customer, date, amount) → one row per customer:
//! `recency_days, frequency, monetary, r_score, f_score, m_score`.
//!
//! The CSV is streamed with the `csv` crate (bounded memory: one aggregate per customer), so 10M
//! transactions are fine. As-of defaults to the day after the last date; recency = whole days from the
//! last purchase to as-of; frequency = number of transactions (rows); monetary = sum of amounts (negative
//! amounts kept, counted in a warning; summed with pandas' Kahan compensation so ties match pandas).
//!
//! Scores are quintiles 1..5, 5 = best, defined exactly as pandas
//! `pd.qcut(x.rank(method="first"), 5, labels=[1, 2, 3, 4, 5])` over customers sorted by id (for recency
//! the labels are reversed, 5..1): rank `r` (1..n, ties broken by customer order) gets
//! `1 + #{i in 1..=4 : r > edge_i}`, with `edge_i` the numpy linear quantile of the ranks at `i/5`
//! (pandas rounds `i/5` up to the next float when `5 * (i/5) != i`). A single customer scores 1 (recency 5).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::data::parse_date_iso;
use crate::error::{Error, Result};
use crate::jobs::Progress;

/// Column names and choices of an RFM run.
#[derive(Debug, Clone, Default)]
pub struct RfmOptions {
    /// Customer id column.
    pub customer: String,
    /// Transaction date column (ISO `YYYY-MM-DD`, optionally with a time).
    pub date: String,
    /// Amount column.
    pub amount: String,
    /// Reference day (days since 1970-01-01); default: the day after the last transaction.
    pub as_of: Option<i32>,
    /// Skip (and count) rows with a bad date, amount or customer instead of failing.
    pub skip_bad_rows: bool,
}

/// One customer's RFM values.
#[derive(Debug, Clone, PartialEq)]
pub struct RfmRow {
    /// Customer id as in the file.
    pub customer: String,
    /// Whole days from the last purchase to as-of.
    pub recency_days: i64,
    /// Number of transactions.
    pub frequency: u64,
    /// Sum of amounts.
    pub monetary: f64,
    /// Recency quintile, 5 = most recent.
    pub r_score: u8,
    /// Frequency quintile, 5 = most frequent.
    pub f_score: u8,
    /// Monetary quintile, 5 = highest spend.
    pub m_score: u8,
}

/// The result of [`rfm_from_reader`].
#[derive(Debug, Clone, PartialEq)]
pub struct Rfm {
    /// One row per customer, sorted by customer id.
    pub rows: Vec<RfmRow>,
    /// The as-of day used.
    pub as_of: i32,
    /// Transactions aggregated.
    pub n_transactions: u64,
    /// Rows skipped with `skip_bad_rows`.
    pub skipped: u64,
    /// Transactions with a negative amount (kept in monetary).
    pub negative_amounts: u64,
    /// Warnings in words.
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy)]
struct Agg {
    last: i32,
    count: u64,
    sum: f64,
    comp: f64,
}

fn is_missing(s: &str) -> bool {
    let t = s.trim();
    t.is_empty()
        || ["na", "n/a", "nan", "null", "?"]
            .iter()
            .any(|m| t.eq_ignore_ascii_case(m))
}

/// Quintile labels 1..5 for ranks 1..=n (see the module docs), as pandas `qcut` of `rank(method="first")`.
pub fn quintile_edges(n: usize) -> [f64; 4] {
    let mut edges = [0.0; 4];
    for (i, e) in edges.iter_mut().enumerate() {
        let k = i + 1;
        let mut q = k as f64 * 0.2; // numpy linspace(0, 1, 6)
        if 5.0 * q != k as f64 {
            q = f64::from_bits(q.to_bits() + 1); // nextafter(q, 1), q > 0
        }
        let v = (n.saturating_sub(1)) as f64 * q;
        let lo = v.floor();
        let gamma = v - lo;
        // ranks are 1..=n, so the values at lo and lo + 1 are lo + 1 and lo + 2 (clamped to n)
        let a = lo + 1.0;
        let b = (lo + 2.0).min(n as f64);
        let diff = b - a;
        *e = if gamma >= 0.5 {
            b - diff * (1.0 - gamma)
        } else {
            a + diff * gamma
        };
    }
    edges
}

/// Scores 1..5 of `values` (in customer order): quintiles of `rank(method="first")`; `reverse` gives 5 to
/// the smallest values (recency).
pub fn quintile_scores(values: &[f64], reverse: bool) -> Vec<u8> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b])); // stable: ties by position
    let edges = quintile_edges(n);
    let mut scores = vec![0u8; n];
    for (rank0, &i) in order.iter().enumerate() {
        let r = (rank0 + 1) as f64;
        let label = 1 + edges.iter().filter(|&&e| r > e).count() as u8;
        scores[i] = if reverse { 6 - label } else { label };
    }
    scores
}

fn sniff_delimiter(first_line: &[u8]) -> u8 {
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| (first_line.iter().filter(|b| *b == d).count(), *d == b','))
        .unwrap_or(b',')
}

/// Computes RFM from a transactions CSV on disk.
pub fn rfm_from_path(path: &Path, opts: &RfmOptions, progress: &Progress) -> Result<Rfm> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    if let Ok(meta) = file.metadata() {
        progress.set_stage("reading transactions", meta.len());
    }
    rfm_from_reader(file, &path.display().to_string(), opts, progress)
}

/// Computes RFM from any reader; `source_name` appears in messages.
pub fn rfm_from_reader(
    reader: impl Read,
    source_name: &str,
    opts: &RfmOptions,
    progress: &Progress,
) -> Result<Rfm> {
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let head = reader.fill_buf().map_err(|e| Error::io(source_name, e))?;
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = sniff_delimiter(first_line);
    let input_err = |message: String| Error::Input {
        source_name: source_name.to_owned(),
        message,
    };
    if head.is_empty() {
        return Err(input_err("is empty: no header and no transactions".into()));
    }
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(reader);
    let header = csv
        .byte_headers()
        .map_err(|e| input_err(format!("cannot read the header: {e}")))?
        .clone();
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h)
            } else {
                h
            };
            String::from_utf8_lossy(h).trim().to_owned()
        })
        .collect();
    let find = |name: &str, flag: &str| {
        names.iter().position(|n| n == name).ok_or_else(|| {
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let close = super::select::closest_names(name, &refs);
            Error::Column {
                name: name.to_owned(),
                message: format!(
                    "{flag} names a column that {source_name} does not have; did you mean {}? (columns: {})",
                    close.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(" or "),
                    names.join(", ")
                ),
            }
        })
    };
    let (ci, di, ai) = (
        find(&opts.customer, "--customer")?,
        find(&opts.date, "--date")?,
        find(&opts.amount, "--amount")?,
    );
    let mut map: HashMap<Box<[u8]>, Agg> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let (mut n, mut skipped, mut negative) = (0u64, 0u64, 0u64);
    let mut max_day = i32::MIN;
    loop {
        let more = csv.read_byte_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            Error::Csv {
                source_name: source_name.to_owned(),
                line,
                message: format!("{e}"),
            }
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, csv::Position::line);
        if n.is_multiple_of(1 << 16) {
            progress.check()?;
            progress.set_done(record.position().map_or(0, csv::Position::byte));
        }
        let field =
            |i: usize| std::str::from_utf8(record.get(i).unwrap_or_default()).unwrap_or("\u{FFFD}");
        let (cust, date, amount) = (field(ci), field(di), field(ai));
        let parsed = if is_missing(cust) {
            Err(format!("the customer id ('{}') is missing", opts.customer))
        } else {
            match parse_date_iso(date.trim()) {
                None => Err(format!(
                    "'{date}' in column '{}' is not a date like 2024-03-31",
                    opts.date
                )),
                Some(day) => match amount.trim().parse::<f64>() {
                    Ok(a) if a.is_finite() => Ok((day, a)),
                    _ => Err(format!(
                        "'{amount}' in column '{}' is not a number",
                        opts.amount
                    )),
                },
            }
        };
        let (day, amount) = match parsed {
            Ok(v) => v,
            Err(_) if opts.skip_bad_rows => {
                skipped += 1;
                continue;
            }
            Err(why) => {
                return Err(Error::Csv {
                    source_name: source_name.to_owned(),
                    line,
                    message: format!(
                        "{why}; fix the row or pass --skip-bad-rows to skip such rows"
                    ),
                });
            }
        };
        if let Some(as_of) = opts.as_of
            && day > as_of
        {
            return Err(Error::Csv {
                source_name: source_name.to_owned(),
                line,
                message: format!(
                    "the date {} is after --as-of {}; choose a later --as-of or leave it out",
                    crate::data::format_date(day),
                    crate::data::format_date(as_of)
                ),
            });
        }
        n += 1;
        negative += u64::from(amount < 0.0);
        max_day = max_day.max(day);
        let key = cust.as_bytes();
        let agg = if let Some(a) = map.get_mut(key) {
            a
        } else {
            map.entry(key.into()).or_insert(Agg {
                last: day,
                count: 0,
                sum: 0.0,
                comp: 0.0,
            })
        };
        agg.last = agg.last.max(day);
        agg.count += 1;
        // pandas group_sum: Kahan summation.
        let y = amount - agg.comp;
        let t = agg.sum + y;
        agg.comp = t - agg.sum - y;
        if agg.comp.is_nan() {
            agg.comp = 0.0;
        }
        if !t.is_finite() {
            return Err(Error::Csv {
                source_name: source_name.to_owned(),
                line,
                message: format!(
                    "the total of '{}' for customer '{cust}' overflows (beyond ±1.8e308); check the \
                     amounts of this customer",
                    opts.amount
                ),
            });
        }
        agg.sum = t;
    }
    if n == 0 {
        return Err(input_err(if skipped > 0 {
            format!("has no usable transactions: all {skipped} rows were skipped as bad")
        } else {
            "has no transactions (only a header)".into()
        }));
    }
    let as_of = opts.as_of.unwrap_or(max_day + 1);
    let mut aggs: Vec<(Box<[u8]>, Agg)> = map.into_iter().collect();
    aggs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let recency: Vec<f64> = aggs
        .iter()
        .map(|(_, a)| f64::from(as_of - a.last))
        .collect();
    let frequency: Vec<f64> = aggs.iter().map(|(_, a)| a.count as f64).collect();
    let monetary: Vec<f64> = aggs.iter().map(|(_, a)| a.sum).collect();
    let (rs, fs, ms) = (
        quintile_scores(&recency, true),
        quintile_scores(&frequency, false),
        quintile_scores(&monetary, false),
    );
    let rows = aggs
        .iter()
        .enumerate()
        .map(|(i, (k, a))| RfmRow {
            customer: String::from_utf8_lossy(k).into_owned(),
            recency_days: i64::from(as_of - a.last),
            frequency: a.count,
            monetary: a.sum,
            r_score: rs[i],
            f_score: fs[i],
            m_score: ms[i],
        })
        .collect();
    let mut warnings = Vec::new();
    if negative > 0 {
        warnings.push(format!(
            "{negative} transaction(s) have a negative amount (refunds?); they are kept in monetary"
        ));
    }
    if skipped > 0 {
        warnings.push(format!("{skipped} bad row(s) skipped (--skip-bad-rows)"));
    }
    Ok(Rfm {
        rows,
        as_of,
        n_transactions: n,
        skipped,
        negative_amounts: negative,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overflowing_total_is_an_error_naming_the_customer_and_line() {
        let csv = "c,d,a\nx,2024-01-01,1e308\nx,2024-01-02,1e308\ny,2024-01-03,5\n";
        let e = rfm_from_reader(csv.as_bytes(), "t.csv", &opts(), &Progress::new()).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("line 3") && m.contains("'x'") && m.contains("overflows"),
            "{m}"
        );
        // Large but finite totals stay exact.
        let csv = "c,d,a\nx,2024-01-01,1e307\nx,2024-01-02,1e307\n";
        let r = rfm_from_reader(csv.as_bytes(), "t.csv", &opts(), &Progress::new()).unwrap();
        assert_eq!(r.rows[0].monetary, 2e307);
    }

    fn opts() -> RfmOptions {
        RfmOptions {
            customer: "c".into(),
            date: "d".into(),
            amount: "a".into(),
            ..RfmOptions::default()
        }
    }

    fn run(csv: &str, o: &RfmOptions) -> Result<Rfm> {
        rfm_from_reader(csv.as_bytes(), "t.csv", o, &Progress::new())
    }

    #[test]
    fn aggregates_per_customer() {
        let r = run(
            "c,d,a\nb,2024-01-01,10\na,2024-01-05,5\nb,2024-01-03,-2.5\n",
            &opts(),
        )
        .unwrap();
        assert_eq!(r.as_of, crate::data::days_from_civil(2024, 1, 6));
        assert_eq!(r.rows[0].customer, "a");
        assert_eq!((r.rows[0].recency_days, r.rows[0].frequency), (1, 1));
        assert_eq!(
            (
                r.rows[1].recency_days,
                r.rows[1].frequency,
                r.rows[1].monetary
            ),
            (3, 2, 7.5)
        );
        assert_eq!(r.negative_amounts, 1);
        // two customers: ranks 1 and 2 -> labels 1 and 5
        assert_eq!((r.rows[0].r_score, r.rows[1].r_score), (5, 1));
        assert_eq!((r.rows[0].m_score, r.rows[1].m_score), (1, 5));
    }

    #[test]
    fn quintiles_are_even_for_ten() {
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(quintile_scores(&v, false), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(quintile_scores(&v, true), [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
        // ties are broken by position (rank method "first")
        assert_eq!(quintile_scores(&[1.0; 5], false), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn bad_rows_fail_or_are_skipped() {
        let csv = "c,d,a\nx,2024-01-01,1\ny,yesterday,2\n";
        let e = run(csv, &opts()).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("yesterday"), "{e}");
        let mut o = opts();
        o.skip_bad_rows = true;
        assert_eq!(run(csv, &o).unwrap().skipped, 1);
        o.as_of = Some(crate::data::days_from_civil(2023, 12, 31));
        assert!(
            run(csv, &o)
                .unwrap_err()
                .to_string()
                .contains("after --as-of")
        );
        let e = run("c,d,amt\nx,2024-01-01,1\n", &opts())
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean 'amt'"), "{e}");
        assert!(
            run("c,d,a\n", &opts())
                .unwrap_err()
                .to_string()
                .contains("no transactions")
        );
        assert!(run("", &opts()).unwrap_err().to_string().contains("empty"));
    }
}
