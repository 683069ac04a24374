//! How numbers, counts and dates read in the UI.

use crate::cluster::Method;
use crate::data::{ColumnKind, format_date};

/// The name of a clustering method for people: "K-Means", "Gaussian mixture", "Ward", ...
pub fn method_label(method: Method) -> &'static str {
    match method {
        Method::Kmeans => "K-Means",
        Method::Gmm => "Gaussian mixture",
        Method::Ward => "Ward",
        Method::Average => "Average linkage",
        Method::Complete => "Complete linkage",
        Method::Single => "Single linkage",
        Method::Dbscan => "DBSCAN",
        Method::Optics => "OPTICS",
    }
}

/// `one` when `n` is 1, else `many`: `plural(1, "column", "columns")` → "column".
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `n` with thousands separators and its noun, which takes an "s" unless `n` is 1: `count(1, "column")`
/// → "1 column", `count(3000, "row")` → "3,000 rows".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", fmt_count(n))
    }
}

/// `text` cut to at most `max_chars` characters by replacing its middle with "…" (the start and the end,
/// e.g. a file's extension, stay): `middle_ellipsis("customers_2024_final.csv", 12)` → "custom…l.csv".
pub fn middle_ellipsis(text: &str, max_chars: usize) -> String {
    let n = text.chars().count();
    if n <= max_chars {
        return text.to_owned();
    }
    let keep = max_chars.saturating_sub(1);
    let tail = keep / 2;
    let head = keep - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

/// `x` with about 4 significant digits: `1234.5` → `1235`, `0.078` → `0.078`, `3442.21` → `3442`,
/// very large or small magnitudes in scientific notation.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let a = x.abs();
    if !(1e-3..1e7).contains(&a) {
        return format!("{x:.3e}");
    }
    let magnitude = a.log10().floor() as i32;
    let decimals = (3 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// A count with thousands separators: `3000` → `3,000`.
pub fn fmt_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` things with thousands separators and the right number: `1 segment`, `2 segments`, `3,000 rows`.
pub fn fmt_counted(n: usize, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        fmt_count(n),
        if n == 1 { singular } else { plural }
    )
}

/// `part` of `whole` as a percentage with one decimal (`0%` for none, `<0.1%` for a few).
pub fn fmt_percent(part: usize, whole: usize) -> String {
    if part == 0 || whole == 0 {
        return "0%".to_owned();
    }
    let pct = part as f64 * 100.0 / whole as f64;
    if pct < 0.1 {
        "<0.1%".to_owned()
    } else {
        format!("{pct:.1}%")
    }
}

/// A statistic of a column: dates (days since 1970) as `YYYY-MM-DD`, numbers via [`fmt_num`], `—` if absent.
pub fn fmt_stat(kind: ColumnKind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => "—".to_owned(),
        (ColumnKind::Date, Some(d)) => format_date(d.round() as i32),
        (_, Some(x)) => fmt_num(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn middle_ellipsis_keeps_both_ends() {
        assert_eq!(middle_ellipsis("short.csv", 20), "short.csv");
        let cut = middle_ellipsis("customers_2024_final.csv", 12);
        assert_eq!(cut, "custom…l.csv");
        assert_eq!(cut.chars().count(), 12);
        assert_eq!(middle_ellipsis("äöüäöü", 3), "ä…ü");
        assert_eq!(middle_ellipsis("abc", 0), "…");
    }

    #[test]
    fn counts_take_the_right_number() {
        assert_eq!(count(1, "column"), "1 column");
        assert_eq!(count(0, "column"), "0 columns");
        assert_eq!(count(3000, "row"), "3,000 rows");
        assert_eq!(plural(1, "segment", "segments"), "segment");
        assert_eq!(plural(2, "segment", "segments"), "segments");
    }

    #[test]
    fn numbers_have_four_significant_digits() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(3442.21), "3442");
        assert_eq!(fmt_num(121.72), "121.7");
        assert_eq!(fmt_num(0.078), "0.078");
        assert_eq!(fmt_num(-2.5), "-2.5");
        assert_eq!(fmt_num(54.0), "54");
        assert_eq!(fmt_num(123_456.7), "123457");
        assert_eq!(fmt_num(1.234_56e9), "1.235e9");
        assert_eq!(fmt_num(0.000_012_34), "1.234e-5");
        assert_eq!(fmt_num(f64::NAN), "NaN");
    }

    #[test]
    fn counts_and_percentages() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(3000), "3,000");
        assert_eq!(fmt_count(2_000_000), "2,000,000");
        assert_eq!(fmt_percent(0, 10), "0%");
        assert_eq!(fmt_percent(1, 3), "33.3%");
        assert_eq!(fmt_percent(1, 10_000), "<0.1%");
    }

    #[test]
    fn stats_by_kind() {
        assert_eq!(fmt_stat(ColumnKind::Date, Some(0.0)), "1970-01-01");
        assert_eq!(fmt_stat(ColumnKind::Numeric, None), "—");
        assert_eq!(fmt_stat(ColumnKind::Numeric, Some(7.25)), "7.25");
    }
}

/// A compact axis number: `12345` → `12.3k`, `2500000` → `2.5M`, small values via [`fmt_num`].
pub fn fmt_compact(x: f64) -> String {
    let a = x.abs();
    let (scaled, suffix) = if a >= 1e9 {
        (x / 1e9, "G")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e4 {
        (x / 1e3, "k")
    } else {
        return fmt_num(x);
    };
    let s = format!("{scaled:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s.len() > 5 {
        format!("{scaled:.1}")
    } else {
        s.to_owned()
    };
    format!("{s}{suffix}")
}

#[cfg(test)]
mod compact_tests {
    use super::*;
    use crate::cluster::Method;

    #[test]
    fn compact_numbers_and_method_names() {
        assert_eq!(fmt_compact(12_345.0), "12.3k");
        assert_eq!(fmt_compact(2_500_000.0), "2.5M");
        assert_eq!(fmt_compact(-40_000.0), "-40k");
        assert_eq!(fmt_compact(123_456.0), "123.5k");
        assert_eq!(fmt_compact(0.25), "0.25");
        assert_eq!(method_label(Method::Gmm), "Gaussian mixture");
        assert_eq!(method_label(Method::Kmeans), "K-Means");
    }
}
