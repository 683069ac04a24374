//! Calendar dates as days since 1970-01-01 (proleptic Gregorian), and the date formats we recognise:
//! ISO `YYYY-MM-DD` (optionally followed by a time), `YYYY/MM/DD`, `YYYYMMDD`, and `MM/DD/YYYY` or
//! `DD/MM/YYYY` when a column's values make the order unambiguous.

/// Days since 1970-01-01 of a valid civil date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day number.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` of a day number.
pub fn format_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn valid(y: i32, m: u32, d: u32) -> bool {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || !(1..=9999).contains(&y) || d == 0 {
        return false;
    }
    let max = if m == 2 && is_leap(y) {
        29
    } else {
        DAYS[m as usize - 1]
    };
    d <= max
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0, |a, b| a * 10 + u32::from(b - b'0')))
}

/// A date in one of the unambiguous formats: `YYYY-MM-DD` / `YYYY/MM/DD` (optionally followed by `T` or a
/// space and a time, which is ignored) or `YYYYMMDD`.
pub fn parse_date_iso(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        let y = digits(&b[0..4])? as i32;
        let (m, d) = (digits(&b[4..6])?, digits(&b[6..8])?);
        return (valid(y, m, d) && (1800..=2200).contains(&y)).then(|| days_from_civil(y, m, d));
    }
    if b.len() < 10 {
        return None;
    }
    let sep = b[4];
    if (sep != b'-' && sep != b'/') || b[7] != sep {
        return None;
    }
    if b.len() > 10 && b[10] != b'T' && b[10] != b' ' {
        return None;
    }
    let y = digits(&b[0..4])? as i32;
    let (m, d) = (digits(&b[5..7])?, digits(&b[8..10])?);
    valid(y, m, d).then(|| days_from_civil(y, m, d))
}

/// The two leading numbers and the year of `A/B/YYYY` (also `A-B-YYYY`, `A.B.YYYY`).
pub(crate) fn split_slash_date(s: &str) -> Option<(u32, u32, i32)> {
    let b = s.as_bytes();
    let sep = *b.iter().find(|c| matches!(c, b'/' | b'-' | b'.'))?;
    let mut parts = s.split(sep as char);
    let a = digits(parts.next()?.as_bytes())?;
    let m = digits(parts.next()?.as_bytes())?;
    let yp = parts.next()?;
    if parts.next().is_some() || yp.len() != 4 {
        return None;
    }
    let y = digits(yp.as_bytes())? as i32;
    (a <= 31 && m <= 31 && a >= 1 && m >= 1).then_some((a, m, y))
}

/// Day order of `A/B/YYYY` dates in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlashOrder {
    /// Month first (US).
    MonthDay,
    /// Day first.
    DayMonth,
}

/// Days of `A/B/YYYY` in the given order, if valid.
pub(crate) fn slash_days(a: u32, b: u32, y: i32, order: SlashOrder) -> Option<i32> {
    let (m, d) = match order {
        SlashOrder::MonthDay => (a, b),
        SlashOrder::DayMonth => (b, a),
    };
    valid(y, m, d).then(|| days_from_civil(y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in [-800_000, -1, 0, 59, 11_016, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(format_date(19_723), "2024-01-01");
    }

    #[test]
    fn iso_formats() {
        let d = days_from_civil(2024, 2, 29);
        assert_eq!(parse_date_iso("2024-02-29"), Some(d));
        assert_eq!(parse_date_iso("2024/02/29"), Some(d));
        assert_eq!(parse_date_iso("20240229"), Some(d));
        assert_eq!(parse_date_iso("2024-02-29T10:11:12Z"), Some(d));
        assert_eq!(parse_date_iso("2024-02-29 10:11"), Some(d));
        assert_eq!(parse_date_iso("2023-02-29"), None);
        assert_eq!(parse_date_iso("2024-13-01"), None);
        assert_eq!(parse_date_iso("2024-1-01"), None);
        assert_eq!(parse_date_iso("12345678"), None);
        assert_eq!(parse_date_iso("2024-02-29x"), None);
    }

    #[test]
    fn slash_dates() {
        assert_eq!(split_slash_date("12/31/2024"), Some((12, 31, 2024)));
        assert_eq!(split_slash_date("1/2/24"), None);
        let (a, b, y) = split_slash_date("31/12/2024").unwrap();
        assert_eq!(
            slash_days(a, b, y, SlashOrder::DayMonth),
            Some(days_from_civil(2024, 12, 31))
        );
        assert_eq!(slash_days(a, b, y, SlashOrder::MonthDay), None);
    }
}
