// Length: ~550 lines of code; the rest is its unit tests, kept beside the code they pin.
//! Per-column builders that see every cell once while the CSV streams by, and the rules that decide each
//! column's kind when the file ends:
//! - numeric when at least 90% of the non-missing cells (not counting `None`) are numbers; the others
//!   (stray words, `inf`, `1e400`) become missing and are counted as invalid;
//! - date when every distinct value is a date (8-digit integer columns too, when all are valid dates);
//! - otherwise categorical, or text when most values are distinct (ids, names).

use super::dates::{SlashOrder, parse_date_iso, slash_days, split_slash_date};
use super::{Column, ColumnData, Levels, MISSING_CODE};

/// Whether a trimmed cell is a missing-value token: empty, NA, N/A, NaN, null, `?` (any case).
pub fn is_missing_token(s: &[u8]) -> bool {
    match s.len() {
        0 => true,
        1 => s[0] == b'?',
        2 => s.eq_ignore_ascii_case(b"na"),
        3 => s.eq_ignore_ascii_case(b"n/a") || s.eq_ignore_ascii_case(b"nan"),
        4 => s.eq_ignore_ascii_case(b"null"),
        _ => false,
    }
}

/// Parses a trimmed cell as a number (`1e-3`, `-0`, `.5`; no thousands separators).
fn parse_number(s: &[u8]) -> Option<f64> {
    // Fast reject: a number starts with a digit, sign or dot, or is inf/infinity.
    let c = *s.first()?;
    if !(c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'i' | b'I')) {
        return None;
    }
    if let Some(v) = parse_simple(s) {
        return Some(v);
    }
    // Same grammar as `str::parse::<f64>` (checked in tests), without the UTF-8 pass, and faster.
    fast_float2::parse::<f64, _>(s).ok()
}

/// Powers of ten that are exact in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The common case, exactly: `[+-]digits[.digits][(e|E)[+-]digits]` with at most 19 digits whose value
/// is below 2^53 and a decimal exponent within ±22. Then the mantissa and the power of ten are exact
/// f64s and one multiplication or division rounds correctly (Clinger's fast path, the one fast-float
/// takes first). Anything else (`None`) goes to fast-float.
#[inline]
fn parse_simple(s: &[u8]) -> Option<f64> {
    match parse_simple_prefix(s) {
        Some((v, len)) if len == s.len() => Some(v),
        _ => None,
    }
}

/// [`parse_simple`] on the start of `s`: the value and the bytes it took, or `None` when the start of
/// `s` is not such a number (or one [`parse_simple`] leaves to fast-float). The bytes after it are not
/// looked at; the caller checks that they end the field.
#[inline]
pub(crate) fn parse_simple_prefix(s: &[u8]) -> Option<(f64, usize)> {
    let (neg, mut i) = match s.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let (mut m, run) = digit_run(s, i, 0);
    i += run;
    let mut digits = run;
    let mut frac = 0i32;
    if s.get(i) == Some(&b'.') {
        i += 1;
        let (with_frac, run) = digit_run(s, i, m);
        m = with_frac;
        i += run;
        digits += run;
        frac = run as i32;
    }
    if digits == 0 || digits > 19 {
        return None;
    }
    let mut e10 = -frac;
    if let Some(b'e' | b'E') = s.get(i) {
        i += 1;
        let eneg = match s.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        let mut e: i32 = 0;
        while let Some(&c) = s.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 || e > 10_000 {
                break;
            }
            e = e * 10 + i32::from(d);
            i += 1;
        }
        if i == start {
            return None;
        }
        e10 += if eneg { -e } else { e };
    }
    if m > (1u64 << 53) || !(-22..=22).contains(&e10) {
        return None;
    }
    let v = m as f64;
    let v = if e10 < 0 {
        v / POW10[(-e10) as usize]
    } else {
        v * POW10[e10 as usize]
    };
    Some((if neg { -v } else { v }, i))
}

/// `10^k` for `k ≤ 8`.
const POW10_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// Appends the run of ASCII digits at `s[i..]` to the mantissa `m` (`m · 10^len + run`, wrapping like
/// the digit-by-digit loop; callers refuse more than 19 digits): returns the new mantissa and the run's
/// length. Where eight bytes are there, they are tested and combined at once (SWAR: the first byte
/// outside `'0'..='9'` is the lowest byte whose `+0x46` or `−0x30` sets the high bit, since no carry or
/// borrow comes from the digits below it); the rest goes digit by digit.
#[inline(always)]
fn digit_run(s: &[u8], mut i: usize, mut m: u64) -> (u64, usize) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let start = i;
    if let Some(chunk) = s.get(i..i + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let v = u64::from_le_bytes(bytes);
        let outside = (v.wrapping_add(0x46 * ONES) | v.wrapping_sub(0x30 * ONES)) & (0x80 * ONES);
        let n = (outside.trailing_zeros() / 8) as usize;
        if n == 0 {
            return (m, 0);
        }
        // The run's digits moved to the top bytes, zeros (leading zeros) below them.
        let d = (v << (64 - 8 * n as u32)) & (0x0F * ONES);
        m = m.wrapping_mul(POW10_U64[n]).wrapping_add(eight_digits(d));
        if n < 8 {
            return (m, n);
        }
        i += 8;
    }
    while let Some(&c) = s.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        m = m.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    (m, i - start)
}

/// The value of eight decimal digits `0..=9`, one per byte, the first (most significant) in the lowest
/// byte (fast-float's `parse_eight_digits_unrolled` without its ASCII offset).
#[inline(always)]
fn eight_digits(d: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 0x000F_4240_0000_0064;
    const MUL2: u64 = 0x0000_2710_0000_0001;
    let d = d.wrapping_mul(10).wrapping_add(d >> 8);
    let v1 = (d & MASK).wrapping_mul(MUL1);
    let v2 = ((d >> 16) & MASK).wrapping_mul(MUL2);
    u64::from((v1.wrapping_add(v2) >> 32) as u32)
}

/// Collects one column while the file streams by.
#[derive(Debug, Default)]
pub(crate) struct ColBuilder {
    /// One number per row (NaN = missing or not a number); empty while `nums_dead`.
    nums: Vec<f64>,
    /// Set while the column has had no number at all since it first held text: every value would be NaN,
    /// so none is stored (text columns cost 4 bytes a cell while loading, not 12).
    nums_dead: bool,
    /// Rows pushed.
    rows: usize,
    n_numeric: usize,
    n_missing: usize,
    n_nonfinite: usize,
    n_string: usize,
    n_none: usize,
    /// Codes of the non-numeric cells (numbers get a placeholder; their text is re-read if the column
    /// turns out not to be numeric); `None` until the first non-numeric cell.
    codes: Option<Vec<u32>>,
    /// The code of each level, found by hashing the level's bytes (`hasher`) and comparing with
    /// `levels`: the table holds 4 bytes a level, not a second copy of its text (a column of a million
    /// distinct IDs held every ID twice while loading).
    interner: hashbrown::HashTable<u32>,
    /// foldhash: interning is a hot path on text columns.
    hasher: foldhash::fast::RandomState,
    levels: Levels,
    examples: Vec<(u64, String)>,
}

impl ColBuilder {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            nums: Vec::with_capacity(n),
            ..Self::default()
        }
    }

    /// A builder for the second read of a column's text ([`ColBuilder::push_text`]).
    pub(crate) fn for_text(n: usize) -> Self {
        Self {
            codes: Some(Vec::with_capacity(n)),
            ..Self::default()
        }
    }

    /// Makes room for `additional` more rows without the doubling of a growing `Vec` (which holds the
    /// old and the new buffer at once, up to twice the column): when they do not fit, the capacity
    /// becomes `total` rows (the caller's projection of the whole column), or just enough.
    pub(crate) fn ensure_room(&mut self, additional: usize, total: usize) {
        let want = |len: usize| total.max(len + additional) - len;
        if !self.nums_dead && self.nums.len() + additional > self.nums.capacity() {
            self.nums.reserve_exact(want(self.nums.len()));
        }
        if let Some(c) = &mut self.codes
            && c.len() + additional > c.capacity()
        {
            c.reserve_exact(want(c.len()));
        }
    }

    /// Stores the numbers again (all NaN so far) once a number shows up.
    fn revive(&mut self) {
        if self.nums_dead {
            self.nums = vec![f64::NAN; self.rows];
            self.nums_dead = false;
        }
    }

    /// Pushes a NaN unless numbers are not stored.
    #[inline]
    fn push_nan(&mut self) {
        if !self.nums_dead {
            self.nums.push(f64::NAN);
        }
    }

    /// Heap bytes in use (for the memory budget): values, codes and levels.
    pub(crate) fn heap_bytes(&self) -> u64 {
        // `nums` is empty while not stored.
        let levels = levels_bytes_while_loading(&self.levels);
        (self.nums.len() * 8 + self.codes.as_ref().map_or(0, Vec::len) * 4 + levels) as u64
    }

    /// Rewrites the lines of the invalid-cell examples (a sample's lines are those of the original file).
    pub(crate) fn map_example_lines(&mut self, f: &impl Fn(u64) -> u64) {
        for e in &mut self.examples {
            e.0 = f(e.0);
        }
    }

    /// Appends the codes of `other`, a block of the second read of this column's text.
    pub(crate) fn append_text(&mut self, other: ColBuilder) {
        let remap: Vec<u32> = other
            .levels
            .iter()
            .map(|l| self.intern(l.as_bytes()))
            .collect();
        if let (Some(codes), Some(theirs)) = (&mut self.codes, other.codes) {
            codes.extend(theirs.into_iter().map(|c| {
                if c == MISSING_CODE {
                    c
                } else {
                    remap[c as usize]
                }
            }));
        }
    }

    /// Cell `i` as text, for tests: the number, the level, or `""` when missing.
    #[cfg(test)]
    pub(crate) fn debug_cell(&self, i: usize) -> String {
        match self.codes.as_ref().map(|c| c[i]) {
            Some(c) if c != MISSING_CODE => self.levels[c as usize].to_owned(),
            _ if self.nums.get(i).is_some_and(|v| !v.is_nan()) => self.nums[i].to_string(),
            _ => String::new(),
        }
    }

    fn intern(&mut self, s: &[u8]) -> u32 {
        use std::hash::BuildHasher;
        let text = String::from_utf8_lossy(s);
        let key = text.as_bytes();
        let hash = self.hasher.hash_one(key);
        let levels = &self.levels;
        if let Some(&c) = self
            .interner
            .find(hash, |&c| levels[c as usize].as_bytes() == key)
        {
            return c;
        }
        let c = self.levels.len() as u32;
        self.levels.push(&text);
        let (hasher, levels) = (&self.hasher, &self.levels);
        self.interner
            .insert_unique(hash, c, |&c| hasher.hash_one(levels[c as usize].as_bytes()));
        c
    }

    fn example(&mut self, line: u64, s: &[u8]) {
        if self.examples.len() < 5 {
            self.examples
                .push((line, String::from_utf8_lossy(s).into_owned()));
        }
    }

    /// Adds one raw cell.
    #[inline]
    pub(crate) fn push(&mut self, raw: &[u8], line: u64) {
        let s = raw.trim_ascii();
        if is_missing_token(s) {
            self.push_nan();
            self.n_missing += 1;
            if let Some(c) = &mut self.codes {
                c.push(MISSING_CODE);
            }
        } else {
            match parse_number(s) {
                Some(v) if v.is_finite() => {
                    self.push_finite(v);
                    return;
                }
                Some(_) => {
                    self.push_nan();
                    self.n_nonfinite += 1;
                    self.example(line, s);
                    if let Some(c) = &mut self.codes {
                        c.push(MISSING_CODE);
                    }
                }
                None => self.push_string(s, line),
            }
        }
        self.rows += 1;
    }

    /// Adds a cell known to be the finite number `v` (what [`ColBuilder::push`] does with its text).
    #[inline]
    pub(crate) fn push_finite(&mut self, v: f64) {
        self.revive();
        self.nums.push(v);
        self.n_numeric += 1;
        if let Some(c) = &mut self.codes {
            c.push(MISSING_CODE); // placeholder: re-read if the column is not numeric
        }
        self.rows += 1;
    }

    /// A cell that is not a number (the row is counted by the caller).
    fn push_string(&mut self, s: &[u8], line: u64) {
        self.push_nan();
        self.n_string += 1;
        if s.eq_ignore_ascii_case(b"none") {
            self.n_none += 1;
        } else {
            self.example(line, s);
        }
        let code = self.intern(s);
        if self.codes.is_none() {
            let mut v = Vec::with_capacity(self.nums.capacity().max(self.rows + 1));
            v.resize(self.rows, MISSING_CODE);
            self.codes = Some(v);
            if self.n_numeric == 0 && self.n_nonfinite == 0 {
                // Nothing but missing cells and text so far: stop storing NaNs.
                self.nums = Vec::new();
                self.nums_dead = true;
            }
        }
        if let Some(c) = &mut self.codes {
            c.push(code);
        }
    }

    /// Appends the rows of `other` (the next chunk of the same column, parsed in parallel).
    pub(crate) fn append(&mut self, mut other: ColBuilder) {
        let before = self.rows;
        if self.nums_dead && !other.nums_dead {
            self.revive();
        }
        if !self.nums_dead {
            if other.nums_dead {
                self.nums.resize(before + other.rows, f64::NAN);
            } else {
                self.nums.append(&mut other.nums);
            }
        }
        self.rows += other.rows;
        self.n_numeric += other.n_numeric;
        self.n_missing += other.n_missing;
        self.n_nonfinite += other.n_nonfinite;
        self.n_string += other.n_string;
        self.n_none += other.n_none;
        for e in other.examples {
            if self.examples.len() < 5 {
                self.examples.push(e);
            }
        }
        let Some(theirs) = other.codes else {
            if let Some(c) = &mut self.codes {
                c.resize(self.rows, MISSING_CODE);
            }
            return;
        };
        let remap: Vec<u32> = other
            .levels
            .iter()
            .map(|l| self.intern(l.as_bytes()))
            .collect();
        let codes = self.codes.get_or_insert_with(Vec::new);
        codes.resize(before, MISSING_CODE);
        codes.extend(theirs.into_iter().map(|c| {
            if c == MISSING_CODE {
                c
            } else {
                remap[c as usize]
            }
        }));
    }

    /// Whether this column needs its text re-read to become categorical/text/date.
    pub(crate) fn needs_text(&self) -> bool {
        !self.is_numeric() && self.n_numeric + self.n_nonfinite > 0
    }

    fn is_numeric(&self) -> bool {
        // Every present cell parses as a float (inf included), or all are missing: numeric, as pandas
        // reads such a column as float64.
        if self.n_string == 0 {
            return true;
        }
        // Otherwise at least 90% of the cells other than `None` must be finite numbers: `inf` and `1e400`
        // count against the threshold like stray words (pandas: `to_numeric(...).isfinite()`).
        let candidates = self.n_numeric + self.n_nonfinite + (self.n_string - self.n_none);
        candidates > 0 && self.n_numeric * 10 >= candidates * 9
    }

    /// Replaces the codes with codes of every row's text (used after a second read of the column).
    pub(crate) fn reset_text(&mut self) {
        self.interner.clear();
        self.levels.clear();
        self.codes = Some(Vec::with_capacity(self.rows));
    }

    /// Adds one raw cell's text (second read).
    pub(crate) fn push_text(&mut self, raw: &[u8]) {
        let s = raw.trim_ascii();
        let code = if is_missing_token(s) {
            MISSING_CODE
        } else {
            self.intern(s)
        };
        if let Some(c) = &mut self.codes {
            c.push(code);
        }
    }

    /// Decides the kind and builds the column; warnings go to `warnings`.
    pub(crate) fn finish(mut self, name: String, warnings: &mut Vec<String>) -> Column {
        let n_rows = self.rows;
        if self.is_numeric() {
            self.revive();
            let invalid = self.n_nonfinite + (self.n_string - self.n_none);
            if self.n_numeric == 0 {
                warnings.push(format!("column '{name}' is entirely missing"));
            }
            if invalid > 0 {
                let shown: Vec<String> = self
                    .examples
                    .iter()
                    .map(|(l, s)| format!("'{s}' (line {l})"))
                    .collect();
                warnings.push(format!(
                    "column '{name}': {invalid} cell(s) are not numbers and were treated as missing, e.g. {}",
                    shown.join(", ")
                ));
            }
            if let Some(days) = integer_dates(&self.nums, self.n_numeric) {
                return Column::new(name, ColumnData::Date(days));
            }
            return Column {
                name,
                data: ColumnData::Numeric(self.nums),
                invalid,
                invalid_examples: self.examples,
            };
        }
        let codes = self.codes.unwrap_or_else(|| vec![MISSING_CODE; n_rows]);
        if let Some(days) = string_dates(&codes, &self.levels, &name, warnings) {
            return Column::new(name, ColumnData::Date(days));
        }
        let unsorted = std::mem::take(&mut self.levels);
        let (codes, levels) = sort_levels(codes, &unsorted);
        drop(unsorted);
        let present = codes.iter().filter(|&&c| c != MISSING_CODE).count();
        let distinct = levels.len();
        let is_text = distinct > 1000
            || (distinct > 20 && distinct * 2 > present)
            || (distinct == present && present > 5);
        let data = if is_text {
            ColumnData::Text { codes, levels }
        } else {
            ColumnData::Categorical { codes, levels }
        };
        Column::new(name, data)
    }
}

/// Heap bytes of a column's levels while it is loaded: their buffer and the interner's slot for each.
pub(crate) fn levels_bytes_while_loading(levels: &Levels) -> usize {
    levels.heap_bytes() + 8 * levels.len()
}

/// Renumbers codes so that levels are in sorted order.
fn sort_levels(codes: Vec<u32>, levels: &Levels) -> (Vec<u32>, Levels) {
    let mut order: Vec<u32> = (0..levels.len() as u32).collect();
    order.sort_by(|&a, &b| levels[a as usize].cmp(&levels[b as usize]));
    let mut remap = vec![0u32; levels.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old as usize] = new as u32;
    }
    let codes = codes
        .into_iter()
        .map(|c| {
            if c == MISSING_CODE {
                c
            } else {
                remap[c as usize]
            }
        })
        .collect();
    let levels = levels.permuted(&order);
    (codes, levels)
}

/// `YYYYMMDD` integer columns (every value a valid date) become dates.
fn integer_dates(nums: &[f64], n_numeric: usize) -> Option<Vec<Option<i32>>> {
    if n_numeric == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(nums.len());
    for &v in nums {
        if v.is_nan() {
            out.push(None);
            continue;
        }
        if v.fract() != 0.0 || !(18_000_101.0..=22_001_231.0).contains(&v) {
            return None;
        }
        out.push(Some(parse_date_iso(&format!("{}", v as u32))?));
    }
    Some(out)
}

/// A column whose every distinct value is a date becomes a date column. `A/B/YYYY` needs a value that
/// shows the order (a number above 12); a column where it stays ambiguous is not taken as dates.
fn string_dates(
    codes: &[u32],
    levels: &Levels,
    name: &str,
    warnings: &mut Vec<String>,
) -> Option<Vec<Option<i32>>> {
    if levels.is_empty() {
        return None;
    }
    let mut level_days: Vec<Option<i32>> = vec![None; levels.len()];
    let mut slash: Vec<(usize, u32, u32, i32)> = Vec::new();
    let (mut max_a, mut max_b) = (0, 0);
    for (i, l) in levels.iter().enumerate() {
        if let Some(d) = parse_date_iso(l) {
            level_days[i] = Some(d);
        } else {
            let (a, b, y) = split_slash_date(l)?;
            max_a = max_a.max(a);
            max_b = max_b.max(b);
            slash.push((i, a, b, y));
        }
    }
    if !slash.is_empty() {
        let order = match (max_a > 12, max_b > 12) {
            (false, true) => SlashOrder::MonthDay,
            (true, false) => SlashOrder::DayMonth,
            (true, true) => return None,
            (false, false) => {
                warnings.push(format!(
                    "column '{name}' looks like dates, but whether it is month/day or day/month cannot \
                     be told (no value above 12); it was kept as text. Use YYYY-MM-DD dates"
                ));
                return None;
            }
        };
        for &(i, a, b, y) in &slash {
            level_days[i] = Some(slash_days(a, b, y, order)?);
        }
        if slash.len() < levels.len() {
            warnings.push(format!(
                "column '{name}' mixes date formats (YYYY-MM-DD and {}); all were read as dates",
                if order == SlashOrder::MonthDay {
                    "MM/DD/YYYY"
                } else {
                    "DD/MM/YYYY"
                }
            ));
        }
    }
    Some(
        codes
            .iter()
            .map(|&c| {
                if c == MISSING_CODE {
                    None
                } else {
                    level_days[c as usize]
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(cells: &[&str]) -> (Column, Vec<String>) {
        let mut b = ColBuilder::default();
        for (i, c) in cells.iter().enumerate() {
            b.push(c.as_bytes(), i as u64 + 2);
        }
        if b.needs_text() {
            b.reset_text();
            for c in cells {
                b.push_text(c.as_bytes());
            }
        }
        let mut w = Vec::new();
        (b.finish("c".into(), &mut w), w)
    }

    /// Digits of a run, one at a time (what [`digit_run`] must equal).
    fn digit_run_bytewise(s: &[u8], mut i: usize, mut m: u64) -> (u64, usize) {
        let start = i;
        while let Some(&c) = s.get(i).filter(|c| c.is_ascii_digit()) {
            m = m.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            i += 1;
        }
        (m, i - start)
    }

    #[test]
    fn digit_runs_eight_at_a_time_equal_digit_by_digit() {
        // Every run length from 0 to 20 at every offset, followed by each kind of byte (delimiter, dot,
        // letter, line break, non-ASCII, ':' and '/' beside the digits, end of text), with a mantissa
        // carried in; then random strings over a number alphabet.
        let ends: [&[u8]; 9] = [
            b",",
            b".",
            b"e",
            b"\n",
            "é".as_bytes(),
            b":",
            b"/",
            b"",
            b"\x80",
        ];
        for len in 0..=20 {
            for end in ends {
                for pad in 0..9 {
                    let mut s = vec![b'x'; pad];
                    s.extend((0..len).map(|k| b"9071234568"[(k * 7 + pad) % 10]));
                    s.extend_from_slice(end);
                    s.extend_from_slice(b"123");
                    for m in [0, 7, 123_456] {
                        assert_eq!(
                            digit_run(&s, pad, m),
                            digit_run_bytewise(&s, pad, m),
                            "{}",
                            String::from_utf8_lossy(&s)
                        );
                    }
                }
            }
        }
        let mut rng = crate::rng::Rng::new(7);
        let alphabet = b"0123456789.-+eE, x";
        for _ in 0..200_000 {
            let n = 1 + rng.below(26);
            let s: Vec<u8> = (0..n)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            assert_eq!(digit_run(&s, 0, 0), digit_run_bytewise(&s, 0, 0));
            if let Some((v, len)) = parse_simple_prefix(&s) {
                let text = std::str::from_utf8(&s[..len]).unwrap();
                assert_eq!(
                    text.parse::<f64>().unwrap().to_bits(),
                    v.to_bits(),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn number_grammar_matches_std() {
        for s in [
            "1", "+5", ".5", "5.", "-0", "1e-3", "1E5", "inf", "-inf", "Infinity", "1e400", "0x10",
            "1,000", "1_000", "1.2.3", "e5", "-", ".", "1e", "00012", "-.5e+2",
        ] {
            let ours = parse_number(s.as_bytes());
            let std = s.parse::<f64>().ok();
            assert_eq!(ours.map(f64::to_bits), std.map(f64::to_bits), "{s}");
        }
    }

    #[test]
    fn the_fast_path_rounds_like_std() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..200_000 {
            let r = next();
            let v = f64::from_bits(r);
            let m = (r >> 11) % 10_000_000_000_000_000;
            let e = (r % 61) as i32 - 30;
            let cases = [
                format!("{m}e{e}"),
                format!("-{}.{:0width$}", m / 1000, m % 1000, width = 3),
                format!("{:.6e}", v.abs().min(1e300)),
                format!("{}", (r % 100_000) as f64 / 1000.0),
                format!("0.{m:019}"),
                format!("{m}.E+{}", e.abs()),
            ];
            for c in cases {
                let ours = parse_number(c.as_bytes());
                let std = c.parse::<f64>().ok();
                assert_eq!(ours.map(f64::to_bits), std.map(f64::to_bits), "{c}");
            }
        }
    }

    #[test]
    fn missing_tokens() {
        for t in [
            "", "NA", "na", "N/A", "n/a", "NaN", "nan", "NULL", "null", "?",
        ] {
            assert!(is_missing_token(t.as_bytes()), "{t}");
        }
        for t in ["None", "0", "-", "nil", "NAN!"] {
            assert!(!is_missing_token(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn numbers_with_stray_words() {
        // 27 finite numbers of 30 cells that are not `None`: exactly 90%.
        let mut cells = vec!["1"; 25];
        cells.push("unknown");
        cells.push("inf");
        cells.push("1e400");
        cells.push("None");
        cells.push("-0");
        cells.push("1e-3");
        let (c, w) = build(&cells);
        assert_eq!(c.kind(), super::super::ColumnKind::Numeric);
        assert_eq!(c.invalid, 3);
        let v = c.as_numeric().unwrap();
        assert!(v[25].is_nan() && v[26].is_nan() && v[27].is_nan() && v[28].is_nan());
        assert_eq!(v[30], 0.001);
        assert!(w[0].contains("'unknown' (line 27)"), "{w:?}");
        // One number fewer: below 90%, because `inf` and `1e400` count against it like words (pandas).
        let (c, _) = build(&cells[1..]);
        assert_eq!(c.kind(), super::super::ColumnKind::Categorical);
        // Only numbers and infinities (no words): numeric, as pandas reads it as float64.
        let (c, _) = build(&["1", "inf", "-inf", "1e400"]);
        assert_eq!(
            (c.kind(), c.invalid),
            (super::super::ColumnKind::Numeric, 3)
        );
    }

    #[test]
    fn none_is_a_level_in_categoricals() {
        let (c, _) = build(&[
            "None", "Driver", "Both", "None", "Driver", "", "Both", "None",
        ]);
        match c.data {
            ColumnData::Categorical { codes, levels } => {
                assert_eq!(levels.to_vec(), ["Both", "Driver", "None"]);
                assert_eq!(codes[0], 2);
                assert_eq!(codes[5], MISSING_CODE);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ids_are_text_and_few_levels_are_categorical() {
        let ids: Vec<String> = (0..30).map(|i| format!("C{i:03}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(build(&ids).0.kind(), super::super::ColumnKind::Text);
        let (c, _) = build(&["a", "b", "a"]);
        assert_eq!(c.kind(), super::super::ColumnKind::Categorical);
    }

    #[test]
    fn dates_in_several_formats() {
        let (c, _) = build(&["2024-01-05", "2024/01/06", "", "20240107"]);
        assert_eq!(c.kind(), super::super::ColumnKind::Date);
        let (c, w) = build(&["01/13/2024", "2024-01-02", "02/01/2024"]);
        assert_eq!(c.kind(), super::super::ColumnKind::Date);
        assert!(w[0].contains("mixes date formats"));
        match c.data {
            ColumnData::Date(d) => {
                assert_eq!(d[2], Some(super::super::days_from_civil(2024, 2, 1)));
            }
            other => panic!("{other:?}"),
        }
        let (c, w) = build(&["01/02/2024", "03/04/2024"]);
        assert_ne!(c.kind(), super::super::ColumnKind::Date);
        assert!(w[0].contains("cannot be told"));
    }

    #[test]
    fn integer_dates_only_when_all_valid() {
        let (c, _) = build(&["20240101", "20240229"]);
        assert_eq!(c.kind(), super::super::ColumnKind::Date);
        let (c, _) = build(&["20240101", "20241301"]);
        assert_eq!(c.kind(), super::super::ColumnKind::Numeric);
    }
}
