//! Small byte-level helpers shared by the text parsers: line iteration,
//! number parsing, lossy names, Go string unquoting, label sets and frame
//! interning. Everything works on `&[u8]`: dump text is untrusted and may not
//! be valid UTF-8.

pub mod frames;
pub mod fxhash;
pub mod quote;

use crate::ingest::error::SkipReason;
use crate::ingest::limits::Limits;
use std::borrow::Cow;

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Strips a leading UTF-8 BOM, if any.
pub fn strip_bom(text: &[u8]) -> &[u8] {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// Lines of a text, without their `\n` or `\r\n` terminator. A leading BOM
/// is skipped. A final line without a terminator is still yielded; see
/// [`Lines::last_unterminated`].
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    rest: &'a [u8],
    line_no: usize,
    last_unterminated: bool,
}

impl<'a> Lines<'a> {
    /// Iterates over the lines of `text`.
    pub fn new(text: &'a [u8]) -> Self {
        Lines {
            rest: strip_bom(text),
            line_no: 0,
            last_unterminated: false,
        }
    }

    /// Iterates over the lines of `text`, a later stretch of a text whose
    /// earlier stretches held `line_no` lines (no BOM is looked for).
    pub fn resume(text: &'a [u8], line_no: usize) -> Self {
        Lines {
            rest: text,
            line_no,
            last_unterminated: false,
        }
    }

    /// 1-based number of the line most recently returned (0 before the first).
    pub fn line_no(&self) -> usize {
        self.line_no
    }

    /// The text not yet returned (after the line most recently returned and
    /// its terminator).
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// Skips the first `bytes` bytes of [`Lines::rest`], which the caller
    /// knows hold `lines` whole lines, each with its `\n`.
    pub fn skip(&mut self, bytes: usize, lines: usize) {
        self.rest = &self.rest[bytes.min(self.rest.len())..];
        self.line_no += lines;
    }

    /// True when the line most recently returned was the last one and had no
    /// line terminator (the file may have been cut off mid-line).
    pub fn last_unterminated(&self) -> bool {
        self.last_unterminated
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        self.line_no += 1;
        let (mut line, rest) = match memchr::memchr(b'\n', self.rest) {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => {
                self.last_unterminated = true;
                (self.rest, &[][..])
            }
        };
        self.rest = rest;
        if let [head @ .., b'\r'] = line {
            line = head;
        }
        Some(line)
    }
}

/// `memchr` for the short slices of one line: a plain loop under 32 bytes.
#[inline]
fn memchr_short(b: u8, hay: &[u8]) -> Option<usize> {
    if hay.len() < 32 {
        hay.iter().position(|&c| c == b)
    } else {
        memchr::memchr(b, hay)
    }
}

/// Fails with [`SkipReason::TooLarge`] when `line` is longer than the
/// `--max-line-length` limit.
pub fn check_line(line: &[u8], limits: &Limits) -> Result<(), SkipReason> {
    if line.len() > limits.max_line_bytes {
        Err(SkipReason::TooLarge {
            what: "line",
            limit: limits.max_line_bytes as u64,
            flag: "--max-line-length",
        })
    } else {
        Ok(())
    }
}

/// Text for a name or message: borrowed when valid UTF-8, else lossy.
///
/// Checked with `str::from_utf8` first: it validates ASCII a word at a
/// time, where `String::from_utf8_lossy` walks byte by byte (3 % of a heap
/// profile's decoding instructions went to its chunk iterator).
#[inline]
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// A short, printable excerpt of a line for warnings (at most 80 chars).
pub fn excerpt(bytes: &[u8]) -> String {
    let s = lossy(bytes);
    let mut out: String = s.chars().take(80).collect();
    if s.chars().nth(80).is_some() {
        out.push('…');
    }
    out
}

/// Parses a decimal `u64` made only of ASCII digits (no sign, no spaces).
pub fn parse_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

/// Parses a decimal `i64` with an optional leading `-`.
pub fn parse_i64(bytes: &[u8]) -> Option<i64> {
    match bytes {
        [b'-', rest @ ..] => {
            let v = parse_u64(rest)?;
            if v == 1u64 << 63 {
                Some(i64::MIN)
            } else {
                i64::try_from(v).ok().map(|v| -v)
            }
        }
        _ => i64::try_from(parse_u64(bytes)?).ok(),
    }
}

/// Parses `0x`-prefixed hexadecimal (either case) into a `u64`.
pub fn parse_hex(bytes: &[u8]) -> Option<u64> {
    let digits = bytes
        .strip_prefix(b"0x")
        .or_else(|| bytes.strip_prefix(b"0X"))?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in digits {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        v = (v << 4) | u64::from(d);
    }
    Some(v)
}

/// Strips leading spaces and tabs.
pub fn trim_start_ws(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(bytes.len());
    &bytes[n..]
}

/// Strips trailing spaces and tabs.
pub fn trim_end_ws(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    &bytes[..n]
}

/// Strips spaces and tabs on both ends.
pub fn trim_ws(bytes: &[u8]) -> &[u8] {
    trim_end_ws(trim_start_ws(bytes))
}

/// True when the line holds only spaces and tabs (or nothing).
pub fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == b' ' || b == b'\t')
}

/// Position of the first occurrence of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    match needle {
        [] => Some(0),
        [b] => memchr_short(*b, hay),
        [first, rest @ ..] => {
            let mut from = 0;
            while let Some(i) = memchr_short(*first, hay.get(from..)?) {
                let at = from + i;
                if hay.get(at + 1..at + needle.len()) == Some(rest) {
                    return Some(at);
                }
                if hay.len() - at < needle.len() {
                    return None;
                }
                from = at + 1;
            }
            None
        }
    }
}

/// Position of the last occurrence of `needle` in `hay`.
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    let Some((&first, rest)) = needle.split_first() else {
        return Some(hay.len());
    };
    // The last possible start is hay.len() - needle.len().
    let mut end = hay.len() - needle.len() + 1;
    while let Some(at) = memchr::memrchr(first, &hay[..end]) {
        if hay.get(at + 1..at + needle.len()) == Some(rest) {
            return Some(at);
        }
        end = at;
    }
    None
}

/// Splits a line on runs of TAB characters (the `text/tabwriter` padding of
/// `#` frame lines). Empty fields are never yielded.
pub fn split_tabs(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b'\t').filter(|f| !f.is_empty())
}

/// Collects repeated per-line problems into a few readable warnings: each
/// kind is reported once, with its count and its first occurrence.
#[derive(Debug, Default)]
pub struct WarnTally {
    kinds: Vec<(&'static str, usize, usize, String)>,
}

impl WarnTally {
    /// Records one problem of `kind` at `line_no` (1-based) showing `text`.
    pub fn add(&mut self, kind: &'static str, line_no: usize, text: &[u8]) {
        if let Some(k) = self.kinds.iter_mut().find(|k| k.0 == kind) {
            k.1 += 1;
        } else {
            self.kinds.push((kind, 1, line_no, excerpt(text)));
        }
    }

    /// How many problems were recorded so far, of all kinds.
    pub fn total(&self) -> usize {
        self.kinds.iter().map(|k| k.1).sum()
    }

    /// The warnings, in the order the kinds were first seen.
    pub fn into_warnings(self) -> Vec<String> {
        self.kinds
            .into_iter()
            .map(|(kind, n, line, text)| {
                if n == 1 {
                    format!("{kind} (line {line}: `{text}`)")
                } else {
                    format!("{n}× {kind} (first at line {line}: `{text}`)")
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_handle_crlf_bom_and_unterminated_tail() {
        let mut it = Lines::new(b"\xEF\xBB\xBFa\r\nb\n\nc");
        assert_eq!(it.next(), Some(&b"a"[..]));
        assert_eq!(it.line_no(), 1);
        assert_eq!(it.next(), Some(&b"b"[..]));
        assert_eq!(it.next(), Some(&b""[..]));
        assert!(!it.last_unterminated());
        assert_eq!(it.next(), Some(&b"c"[..]));
        assert!(it.last_unterminated());
        assert_eq!(it.line_no(), 4);
        assert_eq!(it.next(), None);
        let v: Vec<_> = Lines::new(b"x\n").collect();
        assert_eq!(v, vec![&b"x"[..]]);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"12a"), None);
        assert_eq!(parse_i64(b"-42"), Some(-42));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_hex(b"0x6e3d28"), Some(0x6e3d28));
        assert_eq!(parse_hex(b"0xFFFFFFFFFFFFFFFF"), Some(u64::MAX));
        assert_eq!(parse_hex(b"0x1FFFFFFFFFFFFFFFF"), None);
        assert_eq!(parse_hex(b"6e"), None);
        assert_eq!(parse_hex(b"0x"), None);
    }

    proptest::proptest! {
        #[test]
        fn find_and_rfind_match_a_naive_search(
            hay in proptest::collection::vec(b'a'..=b'c', 0..40),
            needle in proptest::collection::vec(b'a'..=b'c', 0..4),
        ) {
            let mut starts = (0..=hay.len()).filter(|&i| hay[i..].starts_with(&needle));
            proptest::prop_assert_eq!(find(&hay, &needle), starts.clone().next());
            proptest::prop_assert_eq!(rfind(&hay, &needle), starts.next_back());
        }
    }

    #[test]
    fn searching_and_trimming() {
        assert_eq!(find(b"abcabc", b"ca"), Some(2));
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(rfind(b"a:b:c", b":"), Some(3));
        assert_eq!(find(b"aaab", b"aab"), Some(1));
        assert_eq!(rfind(b"abaaba", b"aba"), Some(3));
        assert_eq!(rfind(b"xy", b""), Some(2));
        assert_eq!(find(b"xy", b""), Some(0));
        assert_eq!(rfind(b"ab", b"abc"), None);
        assert_eq!(trim_ws(b" \tx y\t "), b"x y");
        assert!(is_blank(b" \t"));
        let f: Vec<_> = split_tabs(b"#\t0x1\t\tmain.f+0x2\t\t\t/a b.go:3").collect();
        assert_eq!(f, vec![&b"#"[..], b"0x1", b"main.f+0x2", b"/a b.go:3"]);
    }

    #[test]
    fn line_limit_is_a_skip() {
        let limits = Limits {
            max_line_bytes: 3,
            ..Limits::default()
        };
        assert!(check_line(b"abc", &limits).is_ok());
        assert_eq!(
            check_line(b"abcd", &limits),
            Err(SkipReason::TooLarge {
                what: "line",
                limit: 3,
                flag: "--max-line-length"
            })
        );
    }

    #[test]
    fn warn_tally_counts_kinds() {
        let mut w = WarnTally::default();
        w.add("bad line", 3, b"x");
        w.add("bad line", 9, b"y");
        w.add("other", 4, b"z");
        assert_eq!(
            w.into_warnings(),
            vec![
                "2× bad line (first at line 3: `x`)".to_string(),
                "other (line 4: `z`)".to_string()
            ]
        );
    }
}

/// Test helpers that read the public dump corpus beside the repository.
#[cfg(test)]
pub mod testdata {
    use std::path::PathBuf;

    /// `../shared/public-dumps` relative to the crate root.
    pub fn public_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/public-dumps")
    }

    /// Reads a file of the public corpus, or prints a note and returns
    /// `None` when the corpus is not present.
    pub fn public_dump(rel: &str) -> Option<Vec<u8>> {
        let path = public_dir().join(rel);
        match std::fs::read(&path) {
            Ok(b) => Some(b),
            Err(e) => {
                println!("note: skipping, {} not readable: {e}", path.display());
                None
            }
        }
    }
}

#[cfg(test)]
mod find_tests {
    use super::*;

    #[test]
    fn find_works_on_short_and_long_text() {
        let long = [&b"x".repeat(100)[..], b"goroutine 1"].concat();
        assert_eq!(find(&long, b"goroutine "), Some(100));
        assert_eq!(find(b"a goroutine 1", b"goroutine "), Some(2));
        assert_eq!(find(b"gorout", b"goroutine "), None);
        assert_eq!(find(b"chan receive", b" (leaked)"), None);
        assert_eq!(find(b"x, y", b", "), Some(1));
    }
}
