//! Formatting of snapshot times.

use super::TimeNs;

/// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-27T03:18:24.14Z`
/// (trailing zeros dropped).
pub fn rfc3339(t: TimeNs) -> String {
    match jiff::Timestamp::from_nanosecond(t as i128) {
        Ok(ts) => ts
            .round(jiff::Unit::Millisecond)
            .map(|r| r.to_string())
            .unwrap_or_else(|_| ts.to_string()),
        Err(_) => format!("invalid time {t}"),
    }
}

/// A duration in its two largest units: `3d 4h`, `2h 10m`, `8m 08s`, `12s`.
pub fn human_duration(ns: i64) -> String {
    let secs = ns.unsigned_abs() / 1_000_000_000;
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        use super::human_duration as h;
        assert_eq!(h(0), "0s");
        assert_eq!(h(12_000_000_000), "12s");
        assert_eq!(h(488_000_000_000), "8m 08s");
        assert_eq!(h(7_800_000_000_000), "2h 10m");
        assert_eq!(h(3 * 86_400_000_000_000 + 4 * 3_600_000_000_000), "3d 4h");
        assert_eq!(h(-5_000_000_000), "5s");
    }

    #[test]
    fn formats_utc() {
        assert_eq!(
            super::rfc3339(1_795_000_000_123_456_789),
            "2026-11-18T11:06:40.123Z"
        );
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
