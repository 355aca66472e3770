//! Numbers and names as a person reads them in a sentence.

/// Bytes with a binary unit: `512 B`, `7.5 KiB`, `77 MiB`, `1.2 GiB`.
pub fn bytes(v: f64) -> String {
    let neg = v < 0.0;
    let mut x = v.abs();
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut u = 0;
    while x >= 1024.0 && u + 1 < units.len() {
        x /= 1024.0;
        u += 1;
    }
    let sign = if neg { "-" } else { "" };
    if u == 0 {
        format!("{sign}{} B", x.round() as u64)
    } else if x < 10.0 {
        format!("{sign}{x:.1} {}", units[u])
    } else {
        format!("{sign}{} {}", x.round() as u64, units[u])
    }
}

/// Signed bytes: `+77 MiB`, `-3.0 KiB`.
pub fn signed_bytes(v: f64) -> String {
    if v >= 0.0 {
        format!("+{}", bytes(v))
    } else {
        bytes(v)
    }
}

/// A whole number with thousands separators: `1,240`.
pub fn count(v: f64) -> String {
    let r = v.round();
    let neg = r < 0.0;
    let digits = format!("{}", r.abs() as u64);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg { format!("-{out}") } else { out }
}

/// A signed count: `+112`, `-3`. Small non-integers keep one decimal
/// (`+0.5`).
pub fn signed_count(v: f64) -> String {
    let body = if v.abs() < 10.0 && (v - v.round()).abs() >= 0.05 {
        format!("{:.1}", v.abs())
    } else {
        count(v.abs())
    };
    if v < 0.0 {
        format!("-{body}")
    } else {
        format!("+{body}")
    }
}

/// The last element of a path (`/src/leaky/main.go` → `main.go`).
pub fn short_file(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `func (file:line)` with the short file name; just `func` when the file is
/// unknown.
pub fn func_at(function: &str, file: &str, line: u32) -> String {
    if file.is_empty() {
        function.to_string()
    } else {
        format!("{function} ({}:{line})", short_file(file))
    }
}

/// How a rate is worded for a series spanning `span_hours`: per hour for
/// long captures, per minute for short ones, per snapshot when times are
/// synthetic or the capture is shorter than two minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateUnit {
    /// Per hour.
    Hour,
    /// Per minute.
    Minute,
    /// Per snapshot.
    Snapshot,
}

impl RateUnit {
    /// Picks the unit.
    pub fn for_span(span_hours: f64, synthetic: bool) -> RateUnit {
        if synthetic || span_hours < 2.0 / 60.0 {
            RateUnit::Snapshot
        } else if span_hours < 2.0 {
            RateUnit::Minute
        } else {
            RateUnit::Hour
        }
    }

    /// `per hour`, `per minute`, `per snapshot`.
    pub fn words(self) -> &'static str {
        match self {
            RateUnit::Hour => "per hour",
            RateUnit::Minute => "per minute",
            RateUnit::Snapshot => "per snapshot",
        }
    }
}

/// The rate in the chosen unit: `per_hour` converted, or for snapshots the
/// per-hour slope times the mean spacing of the points.
pub fn rate_in(unit: RateUnit, per_hour: f64, span_hours: f64, intervals: usize) -> f64 {
    match unit {
        RateUnit::Hour => per_hour,
        RateUnit::Minute => per_hour / 60.0,
        RateUnit::Snapshot => {
            if intervals == 0 {
                0.0
            } else {
                per_hour * span_hours / intervals as f64
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(7.5 * 1024.0), "7.5 KiB");
        assert_eq!(bytes(77.0 * 1024.0 * 1024.0), "77 MiB");
        assert_eq!(bytes(-3.0 * 1024.0), "-3.0 KiB");
        assert_eq!(signed_bytes(2048.0), "+2.0 KiB");
        assert_eq!(count(1240.0), "1,240");
        assert_eq!(count(1_234_567.0), "1,234,567");
        assert_eq!(count(12.0), "12");
        assert_eq!(signed_count(112.0), "+112");
        assert_eq!(signed_count(-3.0), "-3");
        assert_eq!(signed_count(0.5), "+0.5");
        assert_eq!(short_file("/src/leaky/main.go"), "main.go");
        assert_eq!(short_file("C:\\x\\y.go"), "y.go");
        assert_eq!(
            func_at("main.produce", "/a/main.go", 16),
            "main.produce (main.go:16)"
        );
        assert_eq!(func_at("0x6e5046", "", 0), "0x6e5046");
    }

    #[test]
    fn rate_units() {
        assert_eq!(RateUnit::for_span(10.0, true), RateUnit::Snapshot);
        assert_eq!(RateUnit::for_span(0.003, false), RateUnit::Snapshot);
        assert_eq!(RateUnit::for_span(0.5, false), RateUnit::Minute);
        assert_eq!(RateUnit::for_span(5.0, false), RateUnit::Hour);
        assert_eq!(rate_in(RateUnit::Minute, 120.0, 1.0, 4), 2.0);
        assert_eq!(rate_in(RateUnit::Snapshot, 10.0, 2.0, 4), 5.0);
        assert_eq!(rate_in(RateUnit::Snapshot, 10.0, 2.0, 0), 0.0);
    }
}
