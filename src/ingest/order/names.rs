//! Time clues in file and directory names: timestamps in every common
//! spelling, sequence numbers, and natural (number-aware) ordering.

use super::NS_PER_SEC;
use crate::model::TimeNs;
use std::cmp::Ordering;

const NS_PER_DAY: i64 = 86_400 * NS_PER_SEC;
/// 2000-01-01T00:00:00Z: earlier "dates" in names are build ids or PIDs.
const EARLIEST_NAME_TIME: TimeNs = 946_684_800 * NS_PER_SEC;
/// 2100-01-01T00:00:00Z.
const LATEST_NAME_TIME: TimeNs = 4_102_444_800 * NS_PER_SEC;

/// A timestamp found in one path component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameTime {
    /// The time, Unix ns (UTC).
    pub time: TimeNs,
    /// The name carried a zone (`Z`, `+0100`) or was Unix time; without one
    /// the time was read as UTC.
    pub has_zone: bool,
    /// Only a date (`2024-01-02`) was found; the time is midnight.
    pub date_only: bool,
    /// Byte range of the match in the component.
    pub span: (usize, usize),
}

/// Finds the first timestamp in `s` (one path component). Recognised:
/// `2024-01-02T15:04:05Z` (with `:`, `-`, `.` or no separators in the
/// time, `T`, `_`, `-`, `.` or a space before it, optional fraction and
/// zone `Z`, `+01:00`, `+0100`), `20240102-150405`, `20240102_150405`,
/// `20240102T150405Z`, `20240102150405`, a bare `2024-01-02`, and Unix
/// seconds / ms / µs / ns (10, 13, 16, 19 digits). Times outside
/// 2000..2100 or more than a year after `now` are ignored, so build ids and
/// PIDs are not read as dates.
pub fn find_name_time(s: &str, now: TimeNs) -> Option<NameTime> {
    let b = s.as_bytes();
    let latest = LATEST_NAME_TIME.min(now.saturating_add(366 * NS_PER_DAY));
    let in_range = |t: TimeNs| (EARLIEST_NAME_TIME..=latest).contains(&t);
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let run = digit_run(b, i);
            let found = match_dashed(b, i)
                .or_else(|| match_compact(b, i, run))
                .or_else(|| match_unix(b, i, run));
            if let Some(nt) = found.filter(|nt| in_range(nt.time)) {
                return Some(nt);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

/// Length of the run of ASCII digits starting at `i`.
fn digit_run(b: &[u8], i: usize) -> usize {
    b.get(i..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// Exactly `n` digits at `i` (not followed by another digit is *not*
/// checked here), as a number.
fn num(b: &[u8], i: usize, n: usize) -> Option<i64> {
    let d = b.get(i..i + n)?;
    if !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        d.iter()
            .fold(0i64, |acc, &c| acc * 10 + i64::from(c - b'0')),
    )
}

fn at(b: &[u8], i: usize) -> Option<u8> {
    b.get(i).copied()
}

/// Civil fields to Unix ns with a zone offset in seconds.
#[allow(clippy::too_many_arguments)]
fn civil_to_ns(
    y: i64,
    mo: i64,
    d: i64,
    h: i64,
    mi: i64,
    s: i64,
    nanos: i64,
    offset_secs: i64,
) -> Option<TimeNs> {
    let dt = jiff::civil::DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(s.min(59)).ok()?,
        i32::try_from(nanos).ok()?,
    )
    .ok()?;
    let offset = jiff::tz::Offset::from_seconds(i32::try_from(offset_secs).ok()?).ok()?;
    let ts = offset.to_timestamp(dt).ok()?;
    i64::try_from(ts.as_nanosecond()).ok()
}

/// A fraction of a second (`.123`, `,123456`) of 3, 6 or 9 digits at `i`.
/// Returns (nanoseconds, bytes consumed).
fn fraction(b: &[u8], i: usize) -> (i64, usize) {
    if matches!(at(b, i), Some(b'.' | b',')) {
        let n = digit_run(b, i + 1);
        if matches!(n, 3 | 6 | 9)
            && let Some(v) = num(b, i + 1, n)
        {
            let scale = 10i64.pow(9 - n as u32);
            return (v * scale, n + 1);
        }
    }
    (0, 0)
}

/// A zone at `i`: `Z`, `+HH:MM`, `+HHMM`, `+HH`, `-HH:MM`, and `-HHMM` only
/// when `dash_ok` (a `-` is otherwise a separator before a sequence
/// number). Returns (offset seconds, bytes consumed) or None.
fn zone(b: &[u8], i: usize, dash_ok: bool) -> Option<(i64, usize)> {
    match at(b, i)? {
        b'Z' | b'z' => Some((0, 1)),
        sign @ (b'+' | b'-') => {
            let hh = num(b, i + 1, 2)?;
            let (mm, used) = if at(b, i + 3) == Some(b':') {
                (num(b, i + 4, 2)?, 6)
            } else if digit_run(b, i + 1) == 4 {
                if sign == b'-' && !dash_ok {
                    return None;
                }
                (num(b, i + 3, 2)?, 5)
            } else if digit_run(b, i + 1) == 2 && sign == b'+' {
                (0, 3)
            } else {
                return None;
            };
            if at(b, i + used).is_some_and(|c| c.is_ascii_digit()) || hh > 23 || mm > 59 {
                return None;
            }
            let secs = hh * 3600 + mm * 60;
            Some((if sign == b'-' { -secs } else { secs }, used))
        }
        _ => None,
    }
}

/// `YYYY-MM-DD`, optionally followed by a time of day.
fn match_dashed(b: &[u8], i: usize) -> Option<NameTime> {
    if digit_run(b, i) != 4 || at(b, i + 4) != Some(b'-') || at(b, i + 7) != Some(b'-') {
        return None;
    }
    let (y, mo, d) = (num(b, i, 4)?, num(b, i + 5, 2)?, num(b, i + 8, 2)?);
    if digit_run(b, i + 8) != 2 {
        return None;
    }
    let date_end = i + 10;
    if let Some((h, mi, s, nanos, off, has_zone, end)) = time_of_day(b, date_end) {
        let t = civil_to_ns(y, mo, d, h, mi, s, nanos, off)?;
        return Some(NameTime {
            time: t,
            has_zone,
            date_only: false,
            span: (i, end),
        });
    }
    let t = civil_to_ns(y, mo, d, 0, 0, 0, 0, 0)?;
    Some(NameTime {
        time: t,
        has_zone: false,
        date_only: true,
        span: (i, date_end),
    })
}

/// A time of day after a date ending at `i`: a separator, then `HH:MM:SS`,
/// `HH-MM-SS`, `HH.MM.SS` or `HHMMSS`, an optional fraction and zone.
/// Returns (h, m, s, nanos, offset, has_zone, end).
#[allow(clippy::type_complexity)]
fn time_of_day(b: &[u8], i: usize) -> Option<(i64, i64, i64, i64, i64, bool, usize)> {
    if !matches!(at(b, i)?, b'T' | b't' | b'_' | b'-' | b'.' | b' ') {
        return None;
    }
    let t = i + 1;
    let (h, mi, s, tsep, mut end) = if digit_run(b, t) == 6 {
        (
            num(b, t, 2)?,
            num(b, t + 2, 2)?,
            num(b, t + 4, 2)?,
            None,
            t + 6,
        )
    } else {
        let sep = at(b, t + 2)?;
        if digit_run(b, t) != 2 || !matches!(sep, b':' | b'-' | b'.') || at(b, t + 5) != Some(sep) {
            return None;
        }
        if digit_run(b, t + 3) != 2 || digit_run(b, t + 6) != 2 {
            return None;
        }
        (
            num(b, t, 2)?,
            num(b, t + 3, 2)?,
            num(b, t + 6, 2)?,
            Some(sep),
            t + 8,
        )
    };
    let (nanos, used) = if tsep == Some(b'.') {
        (0, 0)
    } else {
        fraction(b, end)
    };
    end += used;
    let (off, has_zone) = match zone(b, end, tsep == Some(b':')) {
        Some((off, used)) => {
            end += used;
            (off, true)
        }
        None => (0, false),
    };
    Some((h, mi, s, nanos, off, has_zone, end))
}

/// `YYYYMMDD` + separator + `HHMMSS`, or the 14-digit `YYYYMMDDHHMMSS`.
fn match_compact(b: &[u8], i: usize, run: usize) -> Option<NameTime> {
    let (y, mo, d) = (num(b, i, 4)?, num(b, i + 4, 2)?, num(b, i + 6, 2)?);
    let (h, mi, s, mut end) = match run {
        14 => (
            num(b, i + 8, 2)?,
            num(b, i + 10, 2)?,
            num(b, i + 12, 2)?,
            i + 14,
        ),
        8 => {
            if !matches!(at(b, i + 8)?, b'T' | b't' | b'-' | b'_' | b'.')
                || digit_run(b, i + 9) != 6
            {
                return None;
            }
            (
                num(b, i + 9, 2)?,
                num(b, i + 11, 2)?,
                num(b, i + 13, 2)?,
                i + 15,
            )
        }
        _ => return None,
    };
    let (nanos, used) = fraction(b, end);
    end += used;
    let (off, has_zone) = match zone(b, end, false) {
        Some((off, used)) => {
            end += used;
            (off, true)
        }
        None => (0, false),
    };
    Some(NameTime {
        time: civil_to_ns(y, mo, d, h, mi, s, nanos, off)?,
        has_zone,
        date_only: false,
        span: (i, end),
    })
}

/// Unix seconds, ms, µs or ns, standing alone (no letters attached).
fn match_unix(b: &[u8], i: usize, run: usize) -> Option<NameTime> {
    let scale = match run {
        10 => NS_PER_SEC,
        13 => 1_000_000,
        16 => 1_000,
        19 => 1,
        _ => return None,
    };
    let alone = |c: Option<u8>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
    if !alone(i.checked_sub(1).and_then(|p| at(b, p))) || !alone(at(b, i + run)) {
        return None;
    }
    let v = num(b, i, run)?;
    Some(NameTime {
        time: v.checked_mul(scale)?,
        has_zone: true,
        date_only: false,
        span: (i, i + run),
    })
}

/// The sequence number of a path component: the last run of digits that
/// stands alone (not glued to letters, not a `key=value`), outside `mask`
/// (the span of a timestamp). `heap.3.txt` → 3,
/// `pprof.app.goroutine.007.pb.gz` → 7, `goroutine-12` → 12.
pub fn find_sequence(s: &str, mask: Option<(usize, usize)>) -> Option<u64> {
    let b = s.as_bytes();
    let masked = |i: usize| mask.is_some_and(|(a, z)| (a..z).contains(&i));
    let mut found = None;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && !masked(i) && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let run = digit_run(b, i);
            let before = i.checked_sub(1).and_then(|p| at(b, p));
            let after = at(b, i + run);
            let glued = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'=');
            let inside_mask = (i..i + run).any(masked);
            if !glued(before) && !glued(after) && !inside_mask && run <= 18 {
                found = s.get(i..i + run).and_then(|d| d.parse().ok()).or(found);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    found
}

/// Compares strings with runs of digits compared by value (`heap-2` before
/// `heap-10`); a total order (equal values fall back to the bytes).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        if x[i].is_ascii_digit() && y[j].is_ascii_digit() {
            let (ri, rj) = (digit_run(x, i), digit_run(y, j));
            let strip = |d: &[u8]| -> usize { d.iter().take_while(|&&c| c == b'0').count() };
            let (da, db) = (&x[i..i + ri], &y[j..j + rj]);
            let (da, db) = (&da[strip(da)..], &db[strip(db)..]);
            let ord = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
            if ord != Ordering::Equal {
                return ord;
            }
            i += ri;
            j += rj;
        } else {
            if x[i] != y[j] {
                return x[i].cmp(&y[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (x.len() - i).cmp(&(y.len() - j)).then_with(|| x.cmp(y))
}

/// A name time with the path prefix it belongs to.
#[derive(Clone, Debug)]
pub(super) struct ScopedTime {
    pub(super) scope: String,
    pub(super) nt: NameTime,
}

/// What a path says about time: a timestamp and a sequence number, each
/// with its scope (the directory the pairing applies in).
#[derive(Clone, Debug, Default)]
pub(super) struct PathInfo {
    pub(super) time: Option<ScopedTime>,
    pub(super) seq: Option<(String, u64)>,
}

/// Reads the timestamp and sequence number of a `/`-separated path: the
/// file name first, then parent directories from the innermost outwards.
pub(super) fn path_info(path: &str, now: TimeNs) -> PathInfo {
    let comps: Vec<&str> = path.split('/').collect();
    let mut info = PathInfo::default();
    for k in (0..comps.len()).rev() {
        let comp = comps[k];
        let nt = find_name_time(comp, now);
        let scope = comps[..k].join("/");
        if info.time.is_none()
            && let Some(nt) = nt
        {
            info.time = Some(ScopedTime {
                scope: scope.clone(),
                nt,
            });
        }
        if info.seq.is_none()
            && let Some(n) = find_sequence(comp, nt.map(|t| t.span))
        {
            info.seq = Some((scope, n));
        }
        if info.time.is_some() && info.seq.is_some() {
            break;
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::order::tests::{NOW, ts};

    fn name_time(s: &str) -> Option<TimeNs> {
        find_name_time(s, NOW).map(|n| n.time)
    }

    #[test]
    fn rfc3339_names() {
        let want = ts("2024-01-02T15:04:05Z");
        assert_eq!(name_time("heap-2024-01-02T15:04:05Z.pb.gz"), Some(want));
        assert_eq!(name_time("heap-2024-01-02T15-04-05Z.pb.gz"), Some(want));
        assert_eq!(name_time("heap-2024-01-02T150405Z.pb.gz"), Some(want));
        assert_eq!(name_time("heap_2024-01-02_15.04.05.txt"), Some(want));
        assert_eq!(name_time("heap 2024-01-02 15:04:05"), Some(want));
        assert_eq!(
            name_time("heap-2024-01-02T15:04:05.250Z.pb.gz"),
            Some(want + 250_000_000)
        );
        let nt = find_name_time("heap-2024-01-02T15:04:05Z", NOW).expect("found");
        assert!(nt.has_zone);
        assert_eq!(nt.span, (5, 25));
    }

    #[test]
    fn compact_names() {
        let want = ts("2024-01-02T15:04:05Z");
        assert_eq!(name_time("heap.20240102-150405.pprof"), Some(want));
        assert_eq!(name_time("heap_20240102_150405.txt"), Some(want));
        assert_eq!(name_time("goroutine-20240102150405.txt"), Some(want));
        assert_eq!(name_time("heap-20240102T150405Z.pb.gz"), Some(want));
        let nt = find_name_time("heap.20240102-150405.pprof", NOW).expect("found");
        assert!(!nt.has_zone);
        assert!(
            find_name_time("heap-20240102T150405Z", NOW)
                .expect("found")
                .has_zone
        );
    }

    #[test]
    fn zone_offsets() {
        let want = ts("2024-01-02T14:04:05Z");
        assert_eq!(name_time("heap-20240102150405+0100.txt"), Some(want));
        assert_eq!(name_time("heap-2024-01-02T15:04:05+01:00.txt"), Some(want));
        assert_eq!(name_time("heap-2024-01-02T15:04:05+0100.txt"), Some(want));
        assert_eq!(
            name_time("heap-2024-01-02T10:04:05-05:00.txt"),
            Some(ts("2024-01-02T15:04:05Z"))
        );
        // With `-` separators a trailing `-0100` is a sequence number.
        let nt = find_name_time("heap-2024-01-02T15-04-05-0100.txt", NOW).expect("found");
        assert_eq!(nt.time, ts("2024-01-02T15:04:05Z"));
        assert!(!nt.has_zone);
        assert_eq!(
            find_sequence("heap-2024-01-02T15-04-05-0100.txt", Some(nt.span)),
            Some(100)
        );
    }

    #[test]
    fn unix_names() {
        assert_eq!(
            name_time("heap.1704207845.pb.gz"),
            Some(1_704_207_845 * NS_PER_SEC)
        );
        assert_eq!(
            name_time("heap.1704207845123.pb.gz"),
            Some(1_704_207_845_123_000_000)
        );
        assert_eq!(
            name_time("g-1704207845123456789.txt"),
            Some(1_704_207_845_123_456_789)
        );
        // Glued to letters (a build id) or out of range (a PID, 1990): no.
        assert_eq!(name_time("heap.abc1704207845.pb.gz"), None);
        assert_eq!(name_time("heap.0631152000.pb.gz"), None);
        assert_eq!(name_time("heap.12345.pb.gz"), None);
    }

    #[test]
    fn sanity_range_rejects_non_dates() {
        assert_eq!(name_time("heap-1999-12-31T23:59:59Z"), None);
        assert_eq!(name_time("heap-2024-13-02T15:04:05Z"), None);
        assert_eq!(name_time("heap-2024-02-30T15:04:05Z"), None);
        assert_eq!(name_time("build-20241399123456"), None);
        // More than a year after the (injected) clock.
        assert_eq!(name_time("heap-2030-01-01T00:00:00Z"), None);
        assert_eq!(
            find_name_time("heap-2030-01-01T00:00:00Z", ts("2029-06-01T00:00:00Z")).map(|n| n.time),
            Some(ts("2030-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn date_only_names() {
        let nt = find_name_time("heap-2024-01-02-3.pb.gz", NOW).expect("found");
        assert!(nt.date_only);
        assert_eq!(nt.time, ts("2024-01-02T00:00:00Z"));
        assert_eq!(
            find_sequence("heap-2024-01-02-3.pb.gz", Some(nt.span)),
            Some(3)
        );
    }

    #[test]
    fn sequences() {
        assert_eq!(
            find_sequence("pprof.app.goroutine.007.pb.gz", None),
            Some(7)
        );
        assert_eq!(find_sequence("heap.3.txt", None), Some(3));
        assert_eq!(find_sequence("goroutine-12", None), Some(12));
        assert_eq!(find_sequence("pprof.app2.heap.001.pb.gz", None), Some(1));
        assert_eq!(find_sequence("goroutine-debug2.txt", None), None);
        assert_eq!(find_sequence("goroutine_debug=2.txt", None), None);
        assert_eq!(find_sequence("heap.pb.gz", None), None);
        assert_eq!(find_sequence("heap-1024mb.txt", None), None);
        assert_eq!(find_sequence("x-99999999999999999999999.txt", None), None);
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["heap-10", "heap-2", "heap-1", "goroutine-3", "heap-02"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["goroutine-3", "heap-1", "heap-02", "heap-2", "heap-10"]);
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
        assert_eq!(natural_cmp("a1b", "a1"), Ordering::Greater);
    }

    #[test]
    fn path_info_uses_directories() {
        let p = path_info("2024-01-02T15-04-05Z/heap.pb.gz", NOW);
        assert_eq!(
            p.time.map(|t| (t.scope, t.nt.time)),
            Some((String::new(), ts("2024-01-02T15:04:05Z")))
        );
        assert_eq!(p.seq, None);
        let p = path_info("run/003/goroutine.txt", NOW);
        assert_eq!(p.seq, Some(("run".to_string(), 3)));
        let p = path_info("run-2/heap-7.txt", NOW);
        assert_eq!(p.seq, Some(("run-2".to_string(), 7)));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_in_bounds(s in "\\PC{0,40}", digits in "[0-9T:+_.Z-]{0,30}") {
            for name in [s.clone(), format!("{s}{digits}"), format!("{digits}{s}")] {
                if let Some(nt) = find_name_time(&name, NOW) {
                    proptest::prop_assert!(nt.span.0 < nt.span.1 && nt.span.1 <= name.len());
                }
                let _ = find_sequence(&name, Some((0, name.len() / 2)));
            }
        }

        #[test]
        fn natural_cmp_is_a_total_order(a in "[a-c0-2.]{0,6}", b in "[a-c0-2.]{0,6}") {
            proptest::prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
            proptest::prop_assert_eq!(natural_cmp(&a, &b) == Ordering::Equal, a == b);
        }
    }
}
