//! The goroutine header line of tracebacks:
//!
//! ```text
//! goroutine 34 gp=0x2c85 m=nil [chan receive (leaked), 3 minutes, locked to thread] {"req id": "a b", worker: w0}:
//! ```

use crate::ingest::formats::textutil::{find, parse_u64, trim_end_ws};
use std::borrow::Cow;

const GOROUTINE: &[u8] = b"goroutine ";

/// A parsed header line, borrowing from the input.
#[derive(Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// Goroutine id.
    pub id: u64,
    /// Wait reason or status, without ` (leaked)` / ` (scan)` (but with
    /// ` (durable)`, which is part of the reason).
    pub reason: Cow<'a, [u8]>,
    /// Marked ` (leaked)` (or the status is `leaked`).
    pub leaked: bool,
    /// `, locked to thread`.
    pub locked: bool,
    /// `, N minutes`.
    pub minutes: Option<u32>,
    /// The raw `{…}` label set, when present.
    pub labels: Option<&'a [u8]>,
}

/// Parses a line that starts with `goroutine `. `None` when it is not a
/// header (e.g. `goroutine running on other thread`).
pub fn parse_header(line: &[u8]) -> Option<Header<'_>> {
    let rest = line.strip_prefix(GOROUTINE)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let id = parse_u64(&rest[..digits])?;
    let rest = &rest[digits..];
    // ` [` directly, or after ` gp=0x… m=… mp=0x…` (Go 1.22+).
    let open = if rest.starts_with(b" [") {
        0
    } else if rest.starts_with(b" gp=") {
        find(rest, b" [")?
    } else {
        return None;
    };
    let status_and_more = &rest[open + 2..];
    // One pass to the `]`, noting what the status holds: most statuses are
    // one piece (`chan receive`) or two (`…, 5 minutes`), without marks.
    let (mut close, mut comma, mut paren) = (None, false, false);
    for (i, &b) in status_and_more.iter().enumerate() {
        match b {
            b']' => {
                close = Some(i);
                break;
            }
            b',' => comma = true,
            b'(' => paren = true,
            _ => {}
        }
    }
    let status = &status_and_more[..close?];
    let close = status.len();
    let tail = trim_end_ws(&status_and_more[close + 1..]);
    let labels = if tail == b":" {
        None
    } else {
        let set = tail.strip_prefix(b" ")?.strip_suffix(b":")?;
        if !(set.starts_with(b"{") && set.ends_with(b"}")) {
            return None;
        }
        Some(set)
    };
    // Most statuses are one piece (`chan receive`) or two (`…, 5 minutes`).
    let (first, more) = if comma {
        let mut pieces = status.split_str(b", ");
        (pieces.next().unwrap_or_default(), Some(pieces))
    } else {
        (status, None)
    };
    let (reason, mut leaked) = if paren {
        strip_marks(first)
    } else {
        (Cow::Borrowed(first), false)
    };
    let mut locked = false;
    let mut minutes = None;
    for p in more.into_iter().flatten() {
        if p == b"locked to thread" {
            locked = true;
        } else if let Some(n) = p
            .strip_suffix(b" minutes")
            .or_else(|| p.strip_suffix(b" minute"))
            .and_then(parse_u64)
        {
            minutes = Some(u32::try_from(n).unwrap_or(u32::MAX));
        }
        // `synctest bubble N` / `synctest group N` and unknown pieces: ignored.
    }
    if reason.as_ref() == b"leaked" {
        leaked = true;
    }
    Some(Header {
        id,
        reason,
        leaked,
        locked,
        minutes,
        labels,
    })
}

/// Removes ` (leaked)` and ` (scan)` wherever they appear in the first
/// status piece; says whether `(leaked)` was there.
fn strip_marks(s: &[u8]) -> (Cow<'_, [u8]>, bool) {
    const LEAKED: &[u8] = b" (leaked)";
    const SCAN: &[u8] = b" (scan)";
    if !s.contains(&b'(') {
        return (Cow::Borrowed(s), false);
    }
    let leaked = find(s, LEAKED).is_some();
    if !leaked && find(s, SCAN).is_none() {
        return (Cow::Borrowed(s), false);
    }
    let mut out = s.to_vec();
    for mark in [LEAKED, SCAN] {
        while let Some(i) = find(&out, mark) {
            out.drain(i..i + mark.len());
        }
    }
    (Cow::Owned(out), leaked)
}

/// Finds a header anywhere in `line` (crash output and logs put prefixes
/// before it). Returns the prefix length and the header.
pub fn find_header(line: &[u8]) -> Option<(usize, Header<'_>)> {
    // The usual case: the header starts the line.
    if line.starts_with(GOROUTINE)
        && let Some(h) = parse_header(line)
    {
        return Some((0, h));
    }
    let mut from = 0;
    while let Some(i) = find(&line[from..], GOROUTINE) {
        let at = from + i;
        if let Some(h) = parse_header(&line[at..]) {
            return Some((at, h));
        }
        from = at + 1;
    }
    None
}

/// Splitting a byte slice on a multi-byte separator.
trait SplitStr {
    fn split_str<'a>(&'a self, sep: &'a [u8]) -> SplitIter<'a>;
}

impl SplitStr for [u8] {
    fn split_str<'a>(&'a self, sep: &'a [u8]) -> SplitIter<'a> {
        SplitIter {
            rest: Some(self),
            sep,
        }
    }
}

struct SplitIter<'a> {
    rest: Option<&'a [u8]>,
    sep: &'a [u8],
}

impl<'a> Iterator for SplitIter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match find(rest, self.sep) {
            Some(i) => {
                self.rest = Some(&rest[i + self.sep.len()..]);
                Some(&rest[..i])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Header<'_> {
        parse_header(s.as_bytes()).unwrap_or_else(|| panic!("not a header: {s}"))
    }

    fn reason(s: &str) -> String {
        String::from_utf8(h(s).reason.into_owned()).unwrap()
    }

    #[test]
    fn classic_headers_go1_17_to_1_21() {
        let x = h("goroutine 1 [running]:");
        assert_eq!(
            (x.id, x.leaked, x.locked, x.minutes),
            (1, false, false, None)
        );
        assert_eq!(x.reason.as_ref(), b"running");
        assert_eq!(x.labels, None);
        let x = h("goroutine 1234 [chan receive, 1 minutes, locked to thread]:");
        assert_eq!(x.id, 1234);
        assert_eq!(x.reason.as_ref(), b"chan receive");
        assert_eq!((x.minutes, x.locked), (Some(1), true));
        let x = h("goroutine 7 [chan send, 101 minutes, locked to thread]:");
        assert_eq!(x.minutes, Some(101));
        assert_eq!(reason("goroutine 3 [IO wait, 1 minutes]:"), "IO wait");
        assert_eq!(reason("goroutine 6 [syscall]:"), "syscall");
        assert_eq!(reason("goroutine 0 [idle]:"), "idle");
        assert_eq!(reason("goroutine 9 [runnable]:"), "runnable");
        assert_eq!(reason("goroutine 18 [semacquire]:"), "semacquire");
        assert_eq!(
            reason("goroutine 5 [select (no cases)]:"),
            "select (no cases)"
        );
    }

    #[test]
    fn go1_22_gp_m_mp() {
        let x = h("goroutine 17 gp=0x2f54b53843c0 m=0 mp=0x59c6a0 [running]:");
        assert_eq!(x.id, 17);
        assert_eq!(x.reason.as_ref(), b"running");
        let x = h("goroutine 2 gp=0x2c850642780 m=nil [force gc (idle)]:");
        assert_eq!(x.reason.as_ref(), b"force gc (idle)");
        let x = h("goroutine 0 gp=0x5a0 m=0 mp=0x59 [idle]:");
        assert_eq!(x.id, 0);
    }

    #[test]
    fn go1_26_27_leaked_scan_durable_labels() {
        let x = h("goroutine 16 [chan send (leaked)]:");
        assert!(x.leaked);
        assert_eq!(x.reason.as_ref(), b"chan send");
        let x = h("goroutine 10 [chan receive (nil chan) (leaked)]:");
        assert!(x.leaked);
        assert_eq!(x.reason.as_ref(), b"chan receive (nil chan)");
        let x = h("goroutine 15 [chan receive (leaked), locked to thread]:");
        assert!(x.leaked && x.locked);
        assert_eq!(
            reason("goroutine 8 [sync.Mutex.Lock (leaked) (scan)]:"),
            "sync.Mutex.Lock"
        );
        assert_eq!(
            reason("goroutine 8 [GC worker (idle) (scan)]:"),
            "GC worker (idle)"
        );
        let x = h("goroutine 4 [leaked (leaked)]:");
        assert!(x.leaked);
        assert_eq!(x.reason.as_ref(), b"leaked");
        assert_eq!(
            reason("goroutine 21 [chan receive (durable), synctest bubble 3]:"),
            "chan receive (durable)"
        );
        assert_eq!(
            reason("goroutine 21 [select (scan) (durable), 2 minutes, synctest bubble 3]:"),
            "select (durable)"
        );
        let x = h(r#"goroutine 34 [chan receive (leaked)] {"req id": "a b", worker: w0}:"#);
        assert!(x.leaked);
        assert_eq!(x.labels, Some(&br#"{"req id": "a b", worker: w0}"#[..]));
        let x = h(r#"goroutine 35 gp=0x1 m=nil [select, 5 minutes] {k: "x]y}: z"}:"#);
        assert_eq!(x.minutes, Some(5));
        assert_eq!(x.labels, Some(&br#"{k: "x]y}: z"}"#[..]));
        assert_eq!(
            reason("goroutine 8 [sync.WaitGroup.Wait]:  "),
            "sync.WaitGroup.Wait"
        );
    }

    #[test]
    fn not_headers() {
        for s in [
            "goroutine running on other thread; stack unavailable",
            "goroutine 1 [running]",
            "goroutine 1 [running]: extra",
            "goroutine x [running]:",
            "goroutine 1 frames [x]:",
            "goroutine 1 [running",
            "goroutine  1 [running]:",
            "created by main.main in goroutine 1",
            "goroutine 99999999999999999999999 [running]:",
            "goroutine 1 [running] {a: b}",
        ] {
            assert!(parse_header(s.as_bytes()).is_none(), "{s}");
        }
    }

    #[test]
    fn header_found_after_a_log_prefix() {
        let line = b"2024-01-02T15:04:05.123Z stderr F goroutine 7 [select]:";
        let (at, x) = find_header(line).unwrap();
        assert_eq!(&line[..at], b"2024-01-02T15:04:05.123Z stderr F ");
        assert_eq!(x.id, 7);
        let line = b"[originating from goroutine 6]:";
        assert!(find_header(line).is_none());
        let line = b"x goroutine y goroutine 2 [sleep]:";
        assert_eq!(find_header(line).unwrap().0, 14);
    }
}
