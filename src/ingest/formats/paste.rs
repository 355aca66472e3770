//! The forms in which people paste goroutine dumps into tickets and issue
//! threads, and how to read them back (issue 10):
//!
//! * a `debug=1` body whose `goroutine profile: total N` line is missing,
//!   or has text before it on the same line (`Goroutine Dump: goroutine
//!   profile: total 11`), or follows a command line (`curl …`,
//!   `# curl …`) — [`debug1_start`];
//! * `debug=1` frame lines whose leading `#` a Markdown renderer ate, or
//!   whose tabs became spaces — [`loose_hash_frame`];
//! * a `debug=2` header that lost its first character (`oroutine 1482
//!   [chan send]:`) — [`lost_g_header`];
//! * goleak's failure text (`found unexpected goroutines: [Goroutine 23 in
//!   state chan receive, with … on top of the stack: …]`) — [`goleak_to_dump`].
//!
//! Only the decoders call these; each returns `None` for text that is not
//! the form it reads.

use super::textutil::frames::HashFrame;
use super::textutil::frames::split_file_line;
use super::textutil::{find, parse_hex, parse_u64, trim_start_ws};

/// How many lines before the body a paste may carry (command lines, a
/// blank line, a log prefix line).
const MAX_PREAMBLE_LINES: usize = 6;

/// Where a `debug=1` body starts in pasted text.
#[derive(Debug, PartialEq, Eq)]
pub struct Debug1Start {
    /// Byte offset of the header (after any text before it on its line),
    /// or of the first `N @ 0x…` entry line when there is no header.
    pub offset: usize,
    /// The profile name and total of the header, when there is one.
    pub header: Option<(Vec<u8>, u64)>,
    /// Lines skipped before the body.
    pub preamble_lines: usize,
}

/// An entry line `N @ 0x… 0x…`.
pub fn is_entry_line(line: &[u8]) -> bool {
    let Some(at) = find(line, b" @ ") else {
        return false;
    };
    parse_u64(&line[..at]).is_some()
        && line[at + 3..]
            .split(|&b| b == b' ' || b == b'\t')
            .filter(|t| !t.is_empty())
            .all(|t| parse_hex(t).is_some())
}

/// Finds a `goroutine`/`goroutineleak` `profile: total N` header anywhere
/// in `line`; returns its offset, name and total.
fn header_in(line: &[u8]) -> Option<(usize, &[u8], u64)> {
    for name in [&b"goroutineleak"[..], b"goroutine"] {
        let mut pat = name.to_vec();
        pat.extend_from_slice(b" profile: total ");
        if let Some(i) = find(line, &pat) {
            // Not the tail of a longer word (`mygoroutine profile`).
            if i > 0 && line[i - 1].is_ascii_alphanumeric() {
                continue;
            }
            let digits = &line[i + pat.len()..];
            let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
            let total = parse_u64(&digits[..n])?;
            return Some((i, name, total));
        }
    }
    None
}

/// Where the `debug=1` body of a paste starts, when the text is not a
/// plain profile (whose first line is the header) but one of the pasted
/// forms: a header with text before it, a header after a few preamble
/// lines, or entries with no header at all. `None` otherwise.
pub fn debug1_start(text: &[u8]) -> Option<Debug1Start> {
    let mut offset = 0usize;
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        if i > MAX_PREAMBLE_LINES {
            return None;
        }
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some((at, name, total)) = header_in(line) {
            return Some(Debug1Start {
                offset: offset + at,
                header: Some((name.to_vec(), total)),
                preamble_lines: i,
            });
        }
        if is_entry_line(line.trim_ascii()) {
            // An entry must be followed by a frame line to count.
            let rest = &text[(offset + raw.len() + 1).min(text.len())..];
            let next = rest.split(|&b| b == b'\n').next().unwrap_or_default();
            loose_hash_frame(next)?;
            return Some(Debug1Start {
                offset: offset + (line.len() - line.trim_ascii_start().len()),
                header: None,
                preamble_lines: i,
            });
        }
        // A goroutine header of a debug=2 dump: not this format.
        if find(line, b"goroutine ").is_some() && find(line, b"]:").is_some() {
            return None;
        }
        offset += raw.len() + 1;
    }
    None
}

/// Reads a `debug=1` frame line in the forms a paste leaves: `#` followed
/// by spaces instead of tabs, or no `#` at all (eaten by Markdown) with
/// the line indented. Fields: address, `func+0xOFF`, `file:line` (the
/// file may hold spaces). `None` when the line is not a frame line.
pub fn loose_hash_frame(line: &[u8]) -> Option<HashFrame<'_>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let t = trim_start_ws(line);
    let (t, had_hash) = match t.strip_prefix(b"#") {
        Some(r) => (r, true),
        None => (t, false),
    };
    // Without `#`, the line must have been indented (frame lines always
    // are): a bare `0x…` at column 0 is something else.
    if !had_hash && t.len() == line.len() {
        return None;
    }
    let t = trim_start_ws(t);
    let word_end = |s: &[u8]| {
        s.iter()
            .position(|&b| b == b' ' || b == b'\t')
            .unwrap_or(s.len())
    };
    let n = word_end(t);
    let addr = parse_hex(&t[..n])?;
    let rest = trim_start_ws(&t[n..]);
    if rest.is_empty() {
        return Some(HashFrame { addr, symbol: None });
    }
    let n = word_end(rest);
    let func = &rest[..n];
    let func = match super::textutil::rfind(func, b"+0x") {
        Some(i) if i > 0 => &func[..i],
        _ => func,
    };
    let file = super::textutil::trim_ws(&rest[n..]);
    let (file, line_no) = split_file_line(file).unwrap_or((file, 0));
    Some(HashFrame {
        addr,
        symbol: Some((func, file, line_no)),
    })
}

/// A `debug=2` header whose first character was lost in the paste
/// (`oroutine 1482 [chan send, 47 minutes]:` at the start of a line):
/// the line with the `g` put back. `None` for any other line.
pub fn lost_g_header(line: &[u8]) -> Option<Vec<u8>> {
    let rest = line.strip_prefix(b"oroutine ")?;
    if !rest.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut out = Vec::with_capacity(line.len() + 1);
    out.push(b'g');
    out.extend_from_slice(line);
    Some(out)
}

/// The marker goleak prints before its list.
const GOLEAK_MARK: &[u8] = b"found unexpected goroutines:";

/// True when the text holds a goleak failure report.
pub fn is_goleak(text: &[u8]) -> bool {
    find(text, GOLEAK_MARK).is_some()
}

/// A goleak entry header `Goroutine N in state REASON[, M minutes], with
/// FUNC on top of the stack:` (after `[` or spaces): id, and the status
/// text for a `debug=2` header.
fn goleak_header(line: &[u8]) -> Option<(u64, &[u8])> {
    let t = line.trim_ascii_start();
    let t = t.strip_prefix(b"[").unwrap_or(t);
    let rest = t.strip_prefix(b"Goroutine ")?;
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let id = parse_u64(&rest[..n])?;
    let rest = rest[n..].strip_prefix(b" in state ")?;
    let end = find(rest, b", with ")?;
    Some((id, &rest[..end]))
}

/// Rewrites a goleak failure report as a `debug=2` dump: each entry's
/// header becomes `goroutine N [REASON]:`, its stack lines lose the
/// report's indentation, the closing `]` is dropped. Lines outside the
/// entries are left out. `None` when the text has no goleak entry.
pub fn goleak_to_dump(text: &[u8]) -> Option<Vec<u8>> {
    let start = find(text, GOLEAK_MARK)?;
    let mut out: Vec<u8> = Vec::new();
    let mut indent: Option<usize> = None;
    let mut entries = 0usize;
    let mut in_entry = false;
    for raw in text[start..].split(|&b| b == b'\n').skip(1) {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some((id, status)) = goleak_header(line) {
            if in_entry {
                out.push(b'\n');
            }
            out.extend_from_slice(format!("goroutine {id} [").as_bytes());
            out.extend_from_slice(status);
            out.extend_from_slice(b"]:\n");
            entries += 1;
            in_entry = true;
            indent = None;
            continue;
        }
        if !in_entry {
            continue;
        }
        let spaces = line.iter().take_while(|&&b| b == b' ').count();
        let body = &line[spaces..];
        if body.is_empty() || body.starts_with(b"---") || body.starts_with(b"===") {
            // The end of the report (a blank line, the test's result).
            in_entry = false;
            out.push(b'\n');
            continue;
        }
        let ind = *indent.get_or_insert(spaces);
        if spaces < ind {
            in_entry = false;
            out.push(b'\n');
            continue;
        }
        let mut kept = &line[ind..];
        // The report's closing `]`.
        if let Some(k) = kept.strip_suffix(b"]")
            && !k.ends_with(b"[")
            && !kept.starts_with(b"\t")
        {
            kept = k;
        }
        if kept.trim_ascii().is_empty() {
            in_entry = false;
            out.push(b'\n');
            continue;
        }
        out.extend_from_slice(kept);
        out.push(b'\n');
    }
    (entries > 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_with_text_before_it_on_its_line() {
        let t = b"Goroutine Dump: goroutine profile: total 11\n2 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/a.go:3\n";
        let s = debug1_start(t).unwrap();
        assert_eq!(s.offset, 16);
        assert_eq!(s.header, Some((b"goroutine".to_vec(), 11)));
        assert_eq!(s.preamble_lines, 0);
    }

    #[test]
    fn header_after_command_lines() {
        let t = b"# curl --output - http://h/debug/pprof/goroutine?debug=1\ngoroutine profile: total 5\n5 @ 0x1\n";
        let s = debug1_start(t).unwrap();
        assert_eq!(&t[s.offset..s.offset + 9], b"goroutine");
        assert_eq!(s.preamble_lines, 1);
        let t = b"curl http://127.0.0.1:6060/debug/pprof/goroutine?debug=1\n\ngoroutine profile: total 3949\n";
        assert_eq!(debug1_start(t).unwrap().preamble_lines, 2);
    }

    #[test]
    fn entries_without_any_header() {
        let t = b"426 @ 0x4416ea 0x450c79\n#\t0x4c72e8\tnet/http.(*persistConn).readLoop+0x9c8\t/usr/local/go/src/net/http/transport.go:1536\n";
        let s = debug1_start(t).unwrap();
        assert_eq!((s.offset, s.header, s.preamble_lines), (0, None, 0));
        // An entry line alone (no frame line after it) is not enough.
        assert_eq!(debug1_start(b"426 @ 0x4416ea\nhello\n"), None);
        // A debug=2 dump is not this form.
        assert_eq!(debug1_start(b"goroutine 1 [running]:\nmain.main()\n"), None);
        assert_eq!(debug1_start(b"just some text\n"), None);
    }

    #[test]
    fn frame_lines_whose_hash_was_eaten_or_tabs_became_spaces() {
        let f = loose_hash_frame(
            b"        0x822124\tnet/http.(*persistConn).writeLoop+0x164\t/usr/local/go/src/net/http/transport.go:1759",
        )
        .unwrap();
        assert_eq!(f.addr, 0x822124);
        assert_eq!(
            f.symbol,
            Some((
                &b"net/http.(*persistConn).writeLoop"[..],
                &b"/usr/local/go/src/net/http/transport.go"[..],
                1759
            ))
        );
        let f = loose_hash_frame(
            b"#       0x919a42        database/sql.(*DB).connectionOpener+0x72        /usr/local/go/src/database/sql/sql.go:871",
        )
        .unwrap();
        assert_eq!(
            f.symbol,
            Some((
                &b"database/sql.(*DB).connectionOpener"[..],
                &b"/usr/local/go/src/database/sql/sql.go"[..],
                871
            ))
        );
        assert!(loose_hash_frame(b"0x1234 at column 0").is_none());
        assert!(loose_hash_frame(b"# labels: {}").is_none());
        assert!(loose_hash_frame(b"   hello").is_none());
    }

    #[test]
    fn header_that_lost_its_first_character() {
        assert_eq!(
            lost_g_header(b"oroutine 1482 [chan send, 47 minutes]:").unwrap(),
            b"goroutine 1482 [chan send, 47 minutes]:".to_vec()
        );
        assert!(lost_g_header(b"oroutine x").is_none());
        assert!(lost_g_header(b"goroutine 1 [running]:").is_none());
    }

    #[test]
    fn goleak_report_becomes_a_dump() {
        let t = b"=== NAME  TestX\n    x_test.go:158: found unexpected goroutines:\n        [Goroutine 13 in state chan send, 1 minutes, with main.f.func1 on top of the stack:\n        main.f.func1()\n        \t/src/x.go:141 +0xcd\n        created by main.f in goroutine 12\n        \t/src/x.go:136 +0x2c6\n         Goroutine 127 in state chan receive, with main.g on top of the stack:\n        main.g()\n        \t/src/x.go:9 +0x1\n        ]\n--- FAIL: TestX (1.00s)\n";
        assert!(is_goleak(t));
        let d = String::from_utf8(goleak_to_dump(t).unwrap()).unwrap();
        assert_eq!(
            d,
            "goroutine 13 [chan send, 1 minutes]:\nmain.f.func1()\n\t/src/x.go:141 +0xcd\n\
             created by main.f in goroutine 12\n\t/src/x.go:136 +0x2c6\n\n\
             goroutine 127 [chan receive]:\nmain.g()\n\t/src/x.go:9 +0x1\n\n"
        );
        assert!(goleak_to_dump(b"found unexpected goroutines:\nnothing\n").is_none());
    }
}
