//! Units: how every number leakscope shows a person is written — byte
//! amounts, counts, signed changes, rates, durations and percentages. One
//! home, like pprof's `internal/measurement`, so the analysis' sentences,
//! the HTML page, its charts, the Markdown summary, the terminal table and
//! the JSON agree. A leaf module: it imports nothing from the rest of the
//! crate.
//!
//! The policy:
//!
//! * **Bytes** use binary units with their IEC names (`B`, `KiB`, `MiB`,
//!   `GiB`, `TiB`): one decimal below 10 of a unit, whole numbers from 10 up
//!   (`512 B`, `7.5 KiB`, `77 MiB`, `1.2 GiB`). The unit is chosen after
//!   rounding, so 1023.96 KiB is `1.0 MiB`, never `1024 KiB`.
//! * **Counts** are whole numbers with thousands separators (`1,240`); a
//!   value under 10 that is not whole keeps one decimal (`0.5`, `2.5`), since
//!   there the fraction says something (a rate of half a goroutine per
//!   minute).
//! * **Signs**: a signed change carries `+` or `-` as the value is *shown*:
//!   what rounds to zero is written without a sign (`0`, `0 B`).
//! * **Minus sign**: ASCII hyphen-minus (`-`) in every exporter. The
//!   analysis words its sentences once, and the same sentences appear in the
//!   HTML page, the Markdown and the JSON; a typographic minus (U+2212) in
//!   the HTML tables only would make the page disagree with its own
//!   sentences, break Ctrl-F for `-3`, and paste into spreadsheets and
//!   tickets as text rather than a negative number.
//! * **Rates** are worded per hour for captures of two hours and more, per
//!   minute for shorter ones, and per snapshot when the capture is shorter
//!   than two minutes or has no real times ([`RateUnit::for_span`]). The JSON
//!   keeps rates per hour, rounded to [`RATE_SIGNIFICANT_DIGITS`] significant
//!   digits ([`round_significant`]).
//! * **Durations** in their two largest units (`3d 4h`, `2h 10m`, `8m 08s`,
//!   `12s`); **percentages** as whole percent with a space (`50 %`).
//!
//! Chart axes are the one place where all labels of an axis share a unit
//! chosen by the axis top ([`bytes_tick`]).

/// Binary unit names, by power of 1024.
const BYTE_UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/// The minus sign of every exporter (see the module doc).
pub const MINUS: char = '-';

/// What a value that is not a finite number is shown as.
pub const UNKNOWN: &str = "–";

/// Significant digits of the rates in the JSON.
pub const RATE_SIGNIFICANT_DIGITS: usize = 3;

/// Bytes with a binary unit: `512 B`, `7.5 KiB`, `77 MiB`, `1.2 GiB`.
/// Not finite: [`UNKNOWN`].
pub fn bytes(v: f64) -> String {
    if !v.is_finite() {
        return UNKNOWN.into();
    }
    let mut x = v.abs();
    let mut u = 0;
    // Scale while the value, as it will be shown, reaches 1024 of the unit.
    while u + 1 < BYTE_UNITS.len() && shown(x, u) >= 1024.0 {
        x /= 1024.0;
        u += 1;
    }
    let body = if u == 0 || shown(x, u) >= 10.0 {
        format!("{} {}", x.round(), BYTE_UNITS[u])
    } else {
        format!("{x:.1} {}", BYTE_UNITS[u])
    };
    signed_as_shown(v, body)
}

/// `x` of unit `u` rounded as it would be shown.
fn shown(x: f64, u: usize) -> f64 {
    if u == 0 || x >= 9.95 {
        x.round()
    } else {
        (x * 10.0).round() / 10.0
    }
}

/// `body` (the magnitude as shown) with [`MINUS`] before it when `v` is
/// negative and the shown value is not zero.
fn signed_as_shown(v: f64, body: String) -> String {
    if v < 0.0 && !shows_zero(&body) {
        format!("{MINUS}{body}")
    } else {
        body
    }
}

/// Signed bytes: `+77 MiB`, `-3.0 KiB`, `0 B`.
pub fn signed_bytes(v: f64) -> String {
    with_plus(bytes(v))
}

/// A count: `1,240`, `12`, `2.5` (one decimal only under 10 and not whole).
/// Not finite: [`UNKNOWN`].
pub fn count(v: f64) -> String {
    if !v.is_finite() {
        return UNKNOWN.into();
    }
    let tenths = (v.abs() * 10.0).round() / 10.0;
    let body = if tenths < 10.0 && tenths.fract() != 0.0 {
        format!("{tenths:.1}")
    } else {
        thousands(v.abs().round())
    };
    signed_as_shown(v, body)
}

/// A whole non-negative number with thousands separators.
fn thousands(r: f64) -> String {
    let digits = format!("{r:.0}");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed count: `+112`, `-3`, `+0.5`, `0`.
pub fn signed_count(v: f64) -> String {
    with_plus(count(v))
}

/// True when the number in a formatted value (before any unit) is zero.
fn shows_zero(s: &str) -> bool {
    s.split(' ')
        .next()
        .is_some_and(|n| n.chars().all(|c| matches!(c, '0' | '.')))
}

/// Puts `+` before a formatted value that is neither negative nor zero
/// (nor unknown).
fn with_plus(s: String) -> String {
    if s.starts_with(MINUS) || s == UNKNOWN || shows_zero(&s) {
        s
    } else {
        format!("+{s}")
    }
}

/// What a value measures: chooses its formatter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// Bytes.
    Bytes,
    /// A count (goroutines, objects).
    Count,
}

impl Quantity {
    /// The value with its unit ([`bytes`] or [`count`]).
    pub fn format(self, v: f64) -> String {
        match self {
            Quantity::Bytes => bytes(v),
            Quantity::Count => count(v),
        }
    }

    /// The signed value ([`signed_bytes`] or [`signed_count`]).
    pub fn signed(self, v: f64) -> String {
        match self {
            Quantity::Bytes => signed_bytes(v),
            Quantity::Count => signed_count(v),
        }
    }
}

/// A chart tick label: all ticks of an axis share the unit chosen by the
/// axis top `top`, without needless decimals (`64 MiB`, `1.5 GiB`, `0 MiB`).
pub fn bytes_tick(v: f64, top: f64) -> String {
    let mut u = 0;
    let mut scale = 1.0f64;
    while top / (scale * 1024.0) >= 1.0 && u < BYTE_UNITS.len() - 1 {
        scale *= 1024.0;
        u += 1;
    }
    let x = v / scale;
    let s = if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        let t = format!("{x:.2}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    format!("{s} {}", BYTE_UNITS[u])
}

/// A ratio as whole percent: `0.5` → `50 %`.
pub fn percent(ratio: f64) -> String {
    format!("{} %", (ratio * 100.0).round() as i64)
}

/// A goroutine wait as the runtime counts it (whole minutes), with hours or
/// days beside long ones: `1 minute`, `45 minutes`, `106 minutes (1.8 h)`,
/// `5940 minutes (4.1 days)`.
pub fn wait_minutes(m: u32) -> String {
    match m {
        1 => "1 minute".to_string(),
        0..120 => format!("{m} minutes"),
        120..2880 => format!("{m} minutes ({:.1} h)", f64::from(m) / 60.0),
        _ => format!("{m} minutes ({:.1} days)", f64::from(m) / 1440.0),
    }
}

/// A duration (nanoseconds, sign ignored) in its two largest units: `3d 4h`,
/// `2h 10m`, `8m 08s`, `12s`.
pub fn duration(ns: i64) -> String {
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

/// `v` rounded to `digits` significant decimal digits (the nearest f64 to
/// the rounded decimal, so `28799.999999999996` becomes `28800.0` and
/// `0.012345` becomes `0.0123` with 3 digits). Zero and non-finite values
/// are returned as they are.
pub fn round_significant(v: f64, digits: usize) -> f64 {
    if !v.is_finite() || v == 0.0 {
        return v;
    }
    format!("{:.*e}", digits.saturating_sub(1), v)
        .parse()
        .unwrap_or(v)
}

/// A p-value as every output words it: `p = 0.012`, or `p < 0.001` below
/// what three decimals show.
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        format!("p = {UNKNOWN}")
    } else if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// How a rate is worded: per hour for captures of two hours or more, per
/// minute for shorter ones, per snapshot only when times are synthetic.
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
    /// The unit for a capture spanning `span_hours`; `synthetic` when the
    /// snapshots have no real times. With real times a rate is always per
    /// minute or per hour (a ticket reader cannot know what a snapshot
    /// is), even for a capture shorter than a minute.
    pub fn for_span(span_hours: f64, synthetic: bool) -> RateUnit {
        if synthetic {
            RateUnit::Snapshot
        } else if span_hours < 2.0 {
            RateUnit::Minute
        } else {
            RateUnit::Hour
        }
    }

    /// `per hour`, `per minute`, `per snapshot` (sentences).
    pub fn words(self) -> &'static str {
        match self {
            RateUnit::Hour => "per hour",
            RateUnit::Minute => "per minute",
            RateUnit::Snapshot => "per snapshot",
        }
    }

    /// `h`, `min`, `snapshot` (after a slash in tables: `+12/h`).
    pub fn label(self) -> &'static str {
        match self {
            RateUnit::Hour => "h",
            RateUnit::Minute => "min",
            RateUnit::Snapshot => "snapshot",
        }
    }
}

/// The rate in `unit`: `per_hour` converted, or for snapshots the per-hour
/// slope times the mean spacing of the points (`span_hours` over
/// `intervals`; 0 without intervals).
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

    const KIB: f64 = 1024.0;
    const MIB: f64 = 1024.0 * 1024.0;

    #[test]
    fn wait_minutes_reads_well() {
        assert_eq!(wait_minutes(1), "1 minute");
        assert_eq!(wait_minutes(45), "45 minutes");
        assert_eq!(wait_minutes(106), "106 minutes");
        assert_eq!(wait_minutes(130), "130 minutes (2.2 h)");
        assert_eq!(wait_minutes(5940), "5940 minutes (4.1 days)");
    }

    #[test]
    fn bytes_policy() {
        assert_eq!(bytes(0.0), "0 B");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1023.0), "1023 B");
        assert_eq!(bytes(1023.6), "1.0 KiB");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(7.5 * KIB), "7.5 KiB");
        assert_eq!(bytes(77.0 * MIB), "77 MiB");
        assert_eq!(bytes(77.4 * MIB), "77 MiB");
        assert_eq!(bytes(9.97 * MIB), "10 MiB");
        assert_eq!(bytes(1023.9 * KIB), "1.0 MiB");
        assert_eq!(bytes(1.2 * 1024.0 * MIB), "1.2 GiB");
        assert_eq!(bytes(-3.0 * KIB), "-3.0 KiB");
        assert_eq!(bytes(-0.2), "0 B");
        assert_eq!(bytes(f64::NAN), "–");
        assert_eq!(signed_count(f64::NAN), "–");
        assert_eq!(signed_bytes(2048.0), "+2.0 KiB");
        assert_eq!(signed_bytes(-2048.0), "-2.0 KiB");
        assert_eq!(signed_bytes(0.0), "0 B");
    }

    #[test]
    fn count_policy() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(12.0), "12");
        assert_eq!(count(1240.0), "1,240");
        assert_eq!(count(1_234_567.0), "1,234,567");
        assert_eq!(count(2.5), "2.5");
        assert_eq!(count(20.5), "21");
        assert_eq!(count(9.96), "10");
        assert_eq!(count(-1203.0), "-1,203");
        assert_eq!(count(-0.01), "0");
        assert_eq!(signed_count(112.0), "+112");
        assert_eq!(signed_count(-3.0), "-3");
        assert_eq!(signed_count(0.5), "+0.5");
        assert_eq!(signed_count(0.0), "0");
        assert_eq!(signed_count(0.04), "0");
        assert_eq!(Quantity::Bytes.signed(1536.0), "+1.5 KiB");
        assert_eq!(Quantity::Count.format(1203.0), "1,203");
    }

    #[test]
    fn ticks_percent_duration() {
        assert_eq!(bytes_tick(128.0 * MIB, 256.0 * MIB), "128 MiB");
        assert_eq!(bytes_tick(1.5 * 1024.0 * MIB, 2048.0 * MIB), "1.5 GiB");
        assert_eq!(bytes_tick(0.0, 256.0 * MIB), "0 MiB");
        assert_eq!(percent(0.5), "50 %");
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(488_000_000_000), "8m 08s");
        assert_eq!(duration(7_800_000_000_000), "2h 10m");
        assert_eq!(
            duration(3 * 86_400_000_000_000 + 4 * 3_600_000_000_000),
            "3d 4h"
        );
        assert_eq!(duration(-5_000_000_000), "5s");
    }

    #[test]
    fn significant_rounding() {
        assert_eq!(round_significant(28_799.999_999_999_996, 3), 28_800.0);
        assert_eq!(round_significant(0.012_345, 3), 0.0123);
        assert_eq!(round_significant(-1_234_567.0, 3), -1_230_000.0);
        assert_eq!(round_significant(0.0, 3), 0.0);
        assert!(round_significant(f64::NAN, 3).is_nan());
        assert_eq!(round_significant(200.000_000_000_000_03, 3), 200.0);
    }

    #[test]
    fn rate_units() {
        assert_eq!(RateUnit::for_span(10.0, true), RateUnit::Snapshot);
        assert_eq!(RateUnit::for_span(0.003, false), RateUnit::Minute);
        assert_eq!(RateUnit::for_span(0.5, false), RateUnit::Minute);
        assert_eq!(RateUnit::for_span(5.0, false), RateUnit::Hour);
        assert_eq!(RateUnit::Minute.label(), "min");
        assert_eq!(RateUnit::Hour.words(), "per hour");
        assert_eq!(rate_in(RateUnit::Minute, 120.0, 1.0, 4), 2.0);
        assert_eq!(rate_in(RateUnit::Snapshot, 10.0, 2.0, 4), 5.0);
        assert_eq!(rate_in(RateUnit::Snapshot, 10.0, 2.0, 0), 0.0);
    }
}
