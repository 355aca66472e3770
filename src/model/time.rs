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

/// A duration in its two largest units (`3d 4h`, `2h 10m`): the policy of
/// [`crate::units::duration`], re-exported here for the ingest notes.
pub use crate::units::duration as human_duration;

#[cfg(test)]
mod tests {
    #[test]
    fn formats_utc() {
        assert_eq!(
            super::rfc3339(1_795_000_000_123_456_789),
            "2026-11-18T11:06:40.123Z"
        );
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
