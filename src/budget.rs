//! The memory budget: one estimator used before every allocation that grows with the data (a dense matrix,
//! one-hot columns × rows, k × n buffers, a neighbour index), by the app and the CLI alike.
//!
//! The limit is process-wide: by default a share ([`DEFAULT_SHARE`]) of the machine's physical memory,
//! changed by the CLI's `--memory-limit` or the `SEGSCOPE_MEMORY_LIMIT` environment variable (e.g. `4G`,
//! `512M`, a byte count), and never more than half of an address-space limit (`ulimit -v`). [`check`]
//! compares an estimate with it and returns [`Error::TooLarge`] with the
//! figure and the way out, so work is refused *before* the allocator aborts the process.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Share of physical memory a single piece of work may ask for by default.
pub const DEFAULT_SHARE: f64 = 0.6;

/// Physical memory assumed when it cannot be read (8 GiB).
const FALLBACK_PHYSICAL: u64 = 8 << 30;

/// 0 = not set yet (computed on first use).
static LIMIT: AtomicU64 = AtomicU64::new(0);

/// The machine's physical memory in bytes (Linux `/proc/meminfo`; 8 GiB where unknown).
pub fn physical_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(FALLBACK_PHYSICAL, |kb| kb.saturating_mul(1024))
}

/// The soft limit on this process's address space (`ulimit -v`, `prlimit --as`), if any (Linux
/// `/proc/self/limits`).
pub fn address_space_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max address space"))?;
    line.split_whitespace().nth(3)?.parse::<u64>().ok()
}

/// Parses a size such as `4G`, `512M`, `64k`, `1.5GiB` or `1000000` (bytes).
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let bad = || format!("invalid size '{s}': use e.g. 4G, 512M or a number of bytes");
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| bad())?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    let bytes = value * mult;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// The current limit in bytes.
pub fn limit() -> u64 {
    let v = LIMIT.load(Ordering::Relaxed);
    if v != 0 {
        return v;
    }
    let from_env = std::env::var("SEGSCOPE_MEMORY_LIMIT")
        .ok()
        .and_then(|s| parse_size(&s).ok());
    let v = from_env.unwrap_or_else(|| {
        let physical = (physical_memory() as f64 * DEFAULT_SHARE) as u64;
        // Under an address-space limit, half of it (code, stacks and the allocator need the rest).
        address_space_limit().map_or(physical, |a| physical.min(a / 2))
    });
    LIMIT.store(v.max(1), Ordering::Relaxed);
    v.max(1)
}

/// Sets the process-wide limit (the CLI's `--memory-limit`).
pub fn set_limit(bytes: u64) {
    LIMIT.store(bytes.max(1), Ordering::Relaxed);
}

/// `Ok` when `needed_bytes` fits the limit, else [`Error::TooLarge`] naming `what` needs it and `way_out`
/// (what the user can do instead, in words, e.g. "use diagonal covariances or fewer PCA components").
pub fn check(needed_bytes: u64, what: &str, way_out: &str) -> Result<()> {
    let limit_bytes = limit();
    if needed_bytes <= limit_bytes {
        return Ok(());
    }
    Err(Error::TooLarge {
        what: what.to_owned(),
        needed_bytes,
        limit_bytes,
        way_out: way_out.to_owned(),
    })
}

/// Bytes of `n` f64 values, saturating (an estimate never overflows).
pub fn f64s(n: u128) -> u64 {
    u64::try_from(n.saturating_mul(8)).unwrap_or(u64::MAX)
}

/// `75.0` -> `1 min 15 s`, for time estimates in messages.
pub fn human_duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "an unknown time".to_owned();
    }
    if secs < 1.0 {
        return format!("{:.0} ms", secs * 1000.0);
    }
    if secs < 60.0 {
        return format!("{secs:.0} s");
    }
    let m = (secs / 60.0).floor();
    if m < 60.0 {
        return format!("{m:.0} min {:.0} s", secs - m * 60.0);
    }
    let h = (m / 60.0).floor();
    format!("{h:.0} h {:.0} min", m - h * 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("4G").unwrap(), 4 << 30);
        assert_eq!(parse_size("512m").unwrap(), 512 << 20);
        assert_eq!(parse_size("1.5GiB").unwrap(), 3 << 29);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("4X").is_err());
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(0.25), "250 ms");
        assert_eq!(human_duration(12.0), "12 s");
        assert_eq!(human_duration(75.0), "1 min 15 s");
        assert_eq!(human_duration(3.0 * 3600.0 + 120.0), "3 h 2 min");
    }

    #[test]
    fn physical_memory_is_plausible() {
        assert!(physical_memory() >= 1 << 28);
    }

    #[test]
    fn too_large_names_the_figure_and_the_way_out() {
        let e = Error::TooLarge {
            what: "one-hot encoding of 'zip'".into(),
            needed_bytes: 3 << 30,
            limit_bytes: 1 << 30,
            way_out: "keep the top 50 levels".into(),
        };
        let s = e.to_string();
        assert!(s.contains("3.0 GiB") && s.contains("1.0 GiB"), "{s}");
        assert!(s.contains("zip") && s.contains("top 50"), "{s}");
        assert!(f64s(u128::MAX) == u64::MAX);
    }
}
