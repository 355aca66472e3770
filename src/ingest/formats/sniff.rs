//! Format recognition by content and dispatch to the parsers.
//!
//! The decision never looks at the file name or extension (the pprof parser
//! alone uses the name, to tell block from mutex profiles). Order of checks,
//! after gzip layers, a UTF-8 BOM and UTF-16 text are undone:
//!
//! 1. binary data that decodes as a pprof `Profile` → [`super::pprof`];
//! 2. `heap profile:` → [`super::heap_text`];
//! 3. `<name> profile: total N` → [`super::goroutine_debug1`];
//! 4. `goroutine N [` / `goroutine N gp=` at the start → [`super::traceback::parse_dump`];
//! 5. `{` with `"memstats"` → [`super::expvar`];
//! 6. Go files leakscope knows but does not use (block, mutex, …) → `NotUsed`;
//! 7. crash output or a log holding goroutine blocks → [`super::traceback::parse_crash`];
//! 8. execution traces, HTML pages, HTTP error bodies, legacy binary CPU
//!    profiles → `NotUsed` / `NotAProfile` with a precise reason;
//! 9. anything else → `NotAProfile` describing it (a guess at its kind and
//!    its line count) or saying "unrecognised binary data".
//!
//! A file no parser takes is never quoted: it may be a `.env`, a key or a
//! config beside the dumps, and skip reasons reach every report.

use super::{expvar, goroutine_debug1, heap_text, pprof, traceback};
use crate::ingest::decompress;
use crate::ingest::error::SkipReason;
use crate::ingest::limits::Limits;
use crate::model::{Parsed, Tables};
use std::borrow::Cow;

/// How many leading bytes the signature checks look at.
pub const HEAD_LEN: usize = 64 * 1024;

/// Most gzip layers undone before giving up (a profile gzipped twice is a
/// real case; deeper nesting is not).
const MAX_GZIP_LAYERS: usize = 3;

/// Plain-text bodies that `net/http/pprof` (or Go's `net/http`) sends with an
/// error status; saving one with `curl -o` gives a file with this text.
const HTTP_ERROR_PREFIXES: &[&str] = &[
    "Unknown profile",
    "seconds and debug params are incompatible",
    "invalid value for \"seconds\"",
    "\"seconds\" parameter is not supported",
    "profile duration exceeds server's WriteTimeout",
    "Could not enable CPU profiling",
    "Could not enable tracing",
    "failed to collect profile",
    "404 page not found",
];

/// See [`crate::ingest::parse_file_bytes`].
pub fn parse_any(name: &str, bytes: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    parse_any_with(name, bytes, limits, Tables::new(), &mut Vec::new())
}

/// [`parse_any`] interning into `tables` (a worker's, kept from file to
/// file) where the format's parser can: pprof profiles and `debug=2`
/// dumps, the bulk of an archive. The other parsers start fresh tables, so
/// the `Parsed` may hold `tables` grown or other tables. A gzip layer is
/// inflated into `scratch` (the worker's, kept from file to file: its
/// pages are written once, not once per file).
pub fn parse_any_with(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
    tables: Tables,
    scratch: &mut Vec<u8>,
) -> Result<Parsed, SkipReason> {
    if bytes.is_empty() {
        return Err(SkipReason::Empty);
    }
    let (data, gzip) = gunzip_layers(bytes, limits, scratch)?;
    let text = decode_text(data, limits)?;
    let mut parsed = dispatch(name, &text, limits, tables)?;
    parsed.snapshot.gzip = gzip;
    Ok(parsed)
}

/// Undoes up to [`MAX_GZIP_LAYERS`] gzip layers, the first into
/// `scratch`. Returns the payload and whether any layer was present.
fn gunzip_layers<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    scratch: &'a mut Vec<u8>,
) -> Result<(Cow<'a, [u8]>, bool), SkipReason> {
    let limit = limits.max_decompressed_bytes;
    if !decompress::is_gzip(bytes) {
        return Ok((Cow::Borrowed(bytes), false));
    }
    let n = decompress::gunzip_into(bytes, limit, scratch)?;
    let mut data: Cow<'a, [u8]> = Cow::Borrowed(&scratch[..n]);
    let mut layers = 1;
    while decompress::is_gzip(&data) {
        if layers == MAX_GZIP_LAYERS {
            return Err(SkipReason::Malformed {
                format: "gzip",
                detail: format!("compressed more than {MAX_GZIP_LAYERS} times"),
            });
        }
        data = Cow::Owned(decompress::gunzip(&data, limit)?);
        layers += 1;
    }
    if layers > 0 && data.is_empty() {
        return Err(SkipReason::Malformed {
            format: "gzip",
            detail: "the stream decompresses to zero bytes".into(),
        });
    }
    Ok((data, layers > 0))
}

/// Strips a UTF-8 BOM and turns UTF-16 text with a BOM (PowerShell's `>`)
/// into UTF-8. Anything else is returned unchanged.
fn decode_text<'a>(data: Cow<'a, [u8]>, limits: &Limits) -> Result<Cow<'a, [u8]>, SkipReason> {
    const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];
    if data.starts_with(&UTF8_BOM) {
        return Ok(match data {
            Cow::Borrowed(b) => Cow::Borrowed(&b[UTF8_BOM.len()..]),
            Cow::Owned(mut v) => {
                v.drain(..UTF8_BOM.len());
                Cow::Owned(v)
            }
        });
    }
    let big_endian = if data.starts_with(&[0xFF, 0xFE]) {
        false
    } else if data.starts_with(&[0xFE, 0xFF]) {
        true
    } else {
        return Ok(data);
    };
    let units = data[2..].chunks(2).map(|c| match (c, big_endian) {
        ([a, b], false) => u16::from_le_bytes([*a, *b]),
        ([a, b], true) => u16::from_be_bytes([*a, *b]),
        // A dangling odd byte: keep it visible as a replacement character.
        _ => 0xFFFD,
    });
    let mut out = String::with_capacity(data.len() / 2);
    for c in char::decode_utf16(units) {
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        if out.len() as u64 > limits.max_decompressed_bytes {
            return Err(SkipReason::TooLarge {
                what: "UTF-8 text decoded from UTF-16",
                limit: limits.max_decompressed_bytes,
                flag: "--max-decompressed-size",
            });
        }
    }
    Ok(Cow::Owned(out.into_bytes()))
}

/// True when a file whose first bytes are `head` (at least [`HEAD_LEN`] of
/// them, or the whole file) goes, as it is, to
/// [`super::traceback::parse_dump`]: not gzip, not UTF-16, not binary, not
/// a heap or `debug=1` profile, and a goroutine header first. Such a file
/// can be parsed as it is read ([`super::traceback::parse_dump_stream`]).
pub fn is_plain_dump(head: &[u8]) -> bool {
    if decompress::is_gzip(head)
        || head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
    {
        return false;
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let h = &text[..text.len().min(HEAD_LEN)];
    !looks_binary(h)
        && !heap_text::sniff(h)
        && !goroutine_debug1::sniff(h)
        && traceback::sniff_dump(h)
}

/// Picks the parser for decoded bytes (see the module documentation).
fn dispatch(
    name: &str,
    data: &[u8],
    limits: &Limits,
    tables: Tables,
) -> Result<Parsed, SkipReason> {
    let head = &data[..data.len().min(HEAD_LEN)];
    let binary = looks_binary(head);
    let tables = if binary {
        match pprof::parse_if_profile(data, name, limits, tables) {
            pprof::Attempt::Parsed(parsed) => return parsed,
            pprof::Attempt::NotAProfile(tables) => tables,
        }
    } else {
        tables
    };
    if heap_text::sniff(head) {
        return heap_text::parse(data, limits);
    }
    if goroutine_debug1::sniff(head) {
        return goroutine_debug1::parse(data, limits);
    }
    if traceback::sniff_dump(head) {
        return traceback::parse_dump_with(data, limits, tables);
    }
    if expvar::sniff(head) {
        return expvar::parse(data, limits);
    }
    if let Some(what) = goroutine_debug1::sniff_unused(head) {
        return Err(SkipReason::NotUsed(what.to_string()));
    }
    if traceback::dump_after_preamble(head).is_some() {
        return traceback::parse_dump_after_preamble(data, limits);
    }
    if traceback::sniff_goleak(data) {
        return traceback::parse_goleak(data, limits);
    }
    if traceback::sniff_crash(data) {
        return traceback::parse_crash(data, limits);
    }
    Err(unrecognised(head, binary))
}

/// The reason for data no parser took: a few well-known non-profiles get a
/// precise reason, the rest a description (never a quote of its content).
fn unrecognised(head: &[u8], binary: bool) -> SkipReason {
    if is_execution_trace(head) {
        return SkipReason::NotUsed("Go execution trace".into());
    }
    if is_legacy_cpu_profile(head) {
        return SkipReason::NotUsed("legacy CPU profile".into());
    }
    if binary {
        return SkipReason::NotAProfile("unrecognised binary data".into());
    }
    let trimmed = head.trim_ascii_start();
    if starts_with_ignore_case(trimmed, b"<html")
        || starts_with_ignore_case(trimmed, b"<!doctype html")
    {
        return SkipReason::NotAProfile(
            "HTML page (an error page or the /debug/pprof/ index?)".into(),
        );
    }
    // The known message is ours to name; what follows it is not quoted.
    if let Some(p) = HTTP_ERROR_PREFIXES
        .iter()
        .find(|p| trimmed.starts_with(p.as_bytes()))
    {
        return SkipReason::NotAProfile(format!("HTTP error body: {p}"));
    }
    SkipReason::NotAProfile(describe_text(head))
}

/// Describes text no parser took without quoting any of it: its line count
/// (within the sniffed head) and a guess at what it is.
fn describe_text(head: &[u8]) -> String {
    let lines = head
        .split(|&b| b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .count();
    let more = if head.len() == HEAD_LEN { "+" } else { "" };
    let lines = format!(
        "{}{more} {}",
        crate::units::count(lines as f64),
        if lines == 1 && more.is_empty() {
            "line"
        } else {
            "lines"
        }
    );
    match guess_text_kind(head) {
        Some(kind) => format!("unrecognised text, {lines}; looks like {kind}"),
        None => format!("unrecognised text, {lines}"),
    }
}

/// A guess at the kind of a text file, from its shape only.
fn guess_text_kind(head: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start();
    if t.starts_with("-----BEGIN ") {
        return Some("a PEM block (key or certificate)");
    }
    if t.starts_with("#!") {
        return Some("a script");
    }
    if t.starts_with('{') || t.starts_with('[') && !t.starts_with("[[") && t.contains('"') {
        return Some("JSON");
    }
    if t.starts_with("<?xml") || t.starts_with('<') {
        return Some("XML or HTML");
    }
    if t.starts_with("package ") {
        return Some("Go source");
    }
    if t.starts_with("# ") || t.starts_with("## ") || t.contains("\n## ") || t.contains("\n```") {
        return Some("Markdown");
    }
    let lines: Vec<&str> = t
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))
        .take(200)
        .collect();
    if lines.is_empty() {
        return Some("comments only");
    }
    let share = |f: &dyn Fn(&str) -> bool| lines.iter().filter(|l| f(l)).count() * 2 >= lines.len();
    let is_key = |k: &str| {
        let k = k.trim().trim_start_matches("export ").trim();
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    };
    if share(&|l: &str| l.split_once('=').is_some_and(|(k, _)| is_key(k))) {
        return Some("KEY=VALUE settings (.env, INI or properties)");
    }
    if t.starts_with("---")
        || share(&|l: &str| {
            l.starts_with("- ") || l.split_once(':').is_some_and(|(k, _)| is_key(k))
        })
    {
        return Some("YAML or another key: value format");
    }
    if share(&|l: &str| l.len() > 10 && l.as_bytes()[..4].iter().all(u8::is_ascii_digit)) {
        return Some("a log (lines start with a date)");
    }
    if share(&|l: &str| l.matches(',').count() >= 2) {
        return Some("CSV");
    }
    None
}

/// True when the bytes are not plain text: a NUL or another control byte
/// that text files do not hold, or invalid UTF-8. A protobuf profile always
/// has such bytes (lengths and small varints) within its first few bytes.
pub fn looks_binary(head: &[u8]) -> bool {
    if head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
    {
        return true;
    }
    match std::str::from_utf8(head) {
        Ok(_) => false,
        // A multi-byte character cut by the end of the head is still text.
        Err(e) => e.error_len().is_some(),
    }
}

/// `go 1.NN trace` followed by NUL padding (the 16-byte trace header).
fn is_execution_trace(head: &[u8]) -> bool {
    let h = &head[..head.len().min(16)];
    h.starts_with(b"go 1.") && h.windows(7).any(|w| w == b" trace\0")
}

/// The legacy binary CPU profile starts with the header words 0, 3, 0
/// (header count, header words, version), in 64- or 32-bit words of either
/// byte order.
fn is_legacy_cpu_profile(head: &[u8]) -> bool {
    let words64 = |i: usize| -> Option<[u8; 8]> { head.get(i * 8..i * 8 + 8)?.try_into().ok() };
    let words32 = |i: usize| -> Option<[u8; 4]> { head.get(i * 4..i * 4 + 4)?.try_into().ok() };
    let is64 = match (words64(0), words64(1), words64(2)) {
        (Some(a), Some(b), Some(c)) => {
            a == [0; 8] && c == [0; 8] && (u64::from_le_bytes(b) == 3 || u64::from_be_bytes(b) == 3)
        }
        _ => false,
    };
    let is32 = match (words32(0), words32(1), words32(2)) {
        (Some(a), Some(b), Some(c)) => {
            a == [0; 4] && c == [0; 4] && (u32::from_le_bytes(b) == 3 || u32::from_be_bytes(b) == 3)
        }
        _ => false,
    };
    is64 || is32
}

fn starts_with_ignore_case(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(bytes: &[u8]) -> SkipReason {
        match parse_any("x", bytes, &Limits::default()) {
            Err(e) => e,
            Ok(p) => panic!("unexpectedly parsed as {:?}", p.snapshot.format),
        }
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in text.encode_utf16() {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn empty_file() {
        assert_eq!(skip(b""), SkipReason::Empty);
    }

    /// The skip reason as a person reads it.
    fn skip_text(bytes: &[u8]) -> String {
        skip(bytes).to_string()
    }

    // `goroutine_debug1::sniff_unused` may name HTML pages, HTTP error
    // bodies and traces before the fallback does, so end-to-end checks look
    // at the message; the fallback itself is checked exactly.

    #[test]
    fn html_page_regardless_of_name() {
        let html = b"\n  <HTML><head><title>/debug/pprof/</title></head></html>";
        let got = parse_any("heap.pb.gz", html, &Limits::default()).unwrap_err();
        assert!(got.to_string().contains("HTML page"), "{got}");
        assert!(skip_text(b"<!DOCTYPE html>\n<html></html>").contains("HTML page"));
        let want =
            SkipReason::NotAProfile("HTML page (an error page or the /debug/pprof/ index?)".into());
        assert_eq!(unrecognised(&html[..], false), want);
        assert_eq!(unrecognised(b"<!doctype HTML><p>", false), want);
    }

    #[test]
    fn http_error_bodies() {
        assert!(skip_text(b"Unknown profile\n").contains("HTTP error body"));
        assert_eq!(
            unrecognised(b"Unknown profile\n", false),
            SkipReason::NotAProfile("HTTP error body: Unknown profile".into())
        );
        assert_eq!(
            unrecognised(b"seconds and debug params are incompatible\r\n", false),
            SkipReason::NotAProfile(
                "HTTP error body: seconds and debug params are incompatible".into()
            )
        );
        let long = format!(
            "Could not enable CPU profiling: {}\x1b[31m",
            "secret".repeat(20)
        );
        assert_eq!(
            skip_text(long.as_bytes()),
            "HTTP error body (CPU profiling): not used"
        );
    }

    #[test]
    fn unrecognised_text_is_described_never_quoted() {
        assert_eq!(
            skip(b"hello\tworld\x1b[0m\nsecond line"),
            SkipReason::NotAProfile("unrecognised text, 2 lines".into())
        );
        let cases: [(&[u8], &str); 10] = [
            (b"DB_PASSWORD=hunter2\nexport API=x\n", "KEY=VALUE"),
            (b"-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n", "PEM"),
            (b"db:\n  password: hunter2\n", "YAML"),
            (b"[\"hunter2\"]", "JSON"),
            (b"{\"password\": \"hunter2\"}", "JSON"),
            (b"#!/bin/sh\necho hunter2\n", "script"),
            (b"2026-12-01 10:00:00 login hunter2\n2026-12-01 x\n", "log"),
            (b"a,b,hunter2\n1,2,3\n", "CSV"),
            (b"package main\n// hunter2\n", "Go source"),
            (b"# Notes\nhunter2 was here\n", "Markdown"),
        ];
        for (text, kind) in cases {
            let got = skip_text(text);
            assert!(got.contains(kind), "{got}");
            assert!(!got.contains("hunter2") && !got.contains("MIIE"), "{got}");
        }
    }

    #[test]
    fn unrecognised_binary() {
        let data: Vec<u8> = (0u32..512)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(looks_binary(&data));
        assert_eq!(
            skip(&data),
            SkipReason::NotAProfile("unrecognised binary data".into())
        );
    }

    #[test]
    fn execution_trace() {
        let mut data = b"go 1.26 trace\0\0\0".to_vec();
        data.extend([0x01, 0x02, 0x03, 0xff]);
        assert!(skip_text(&data).contains("trace"), "{}", skip_text(&data));
        assert!(matches!(skip(&data), SkipReason::NotUsed(_)));
        assert_eq!(
            unrecognised(&data, true),
            SkipReason::NotUsed("Go execution trace".into())
        );
        // Text that merely starts with "go 1." is not a trace.
        assert_eq!(
            skip(b"go 1.22 is installed"),
            SkipReason::NotAProfile("unrecognised text, 1 line".into())
        );
    }

    #[test]
    fn legacy_cpu_profile_both_word_sizes() {
        let mut le64 = Vec::new();
        for w in [0u64, 3, 0, 10_000, 0] {
            le64.extend(w.to_le_bytes());
        }
        assert_eq!(
            skip(&le64),
            SkipReason::NotUsed("legacy CPU profile".into())
        );
        let mut be32 = Vec::new();
        for w in [0u32, 3, 0, 10_000, 0] {
            be32.extend(w.to_be_bytes());
        }
        assert_eq!(
            skip(&be32),
            SkipReason::NotUsed("legacy CPU profile".into())
        );
        let mut other = Vec::new();
        for w in [0u64, 4, 0, 10_000, 0] {
            other.extend(w.to_le_bytes());
        }
        assert_eq!(
            skip(&other),
            SkipReason::NotAProfile("unrecognised binary data".into())
        );
    }

    #[test]
    fn utf8_bom_is_stripped() {
        assert_eq!(
            skip(b"\xEF\xBB\xBFplain words"),
            SkipReason::NotAProfile("unrecognised text, 1 line".into())
        );
    }

    #[test]
    fn utf16_is_decoded_both_orders() {
        for be in [false, true] {
            assert_eq!(
                skip(&utf16("caf\u{e9} r\u{e9}sum\u{e9}\r\nline 2", be)),
                SkipReason::NotAProfile("unrecognised text, 2 lines".into()),
                "big endian: {be}"
            );
        }
        // An odd trailing byte does not panic and stays visible.
        let mut odd = utf16("abc", false);
        odd.push(b'x');
        assert_eq!(
            skip(&odd),
            SkipReason::NotAProfile("unrecognised text, 1 line".into())
        );
    }

    #[test]
    fn utf16_decoding_respects_the_size_limit() {
        let limits = Limits {
            max_decompressed_bytes: 10,
            ..Limits::default()
        };
        let got = parse_any("x", &utf16("0123456789abcdef", false), &limits).unwrap_err();
        assert!(
            matches!(
                got,
                SkipReason::TooLarge {
                    flag: "--max-decompressed-size",
                    ..
                }
            ),
            "{got:?}"
        );
    }

    #[test]
    fn gzip_goes_through_the_decompressor() {
        // Whatever gunzip decides (the stub refuses, the real one rejects a
        // bare header), a gzip file is never quoted as text.
        let got = skip(&[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
        assert!(
            !matches!(&got, SkipReason::NotAProfile(m) if m.starts_with("unrecognised")),
            "{got:?}"
        );
    }

    #[test]
    fn binary_detection() {
        assert!(!looks_binary(
            b"goroutine 1 [running]:\n\tmain.go:1 +0x1\r\n"
        ));
        assert!(!looks_binary("caf\u{e9}".as_bytes()));
        // A multi-byte character cut at the end of the head is still text.
        assert!(!looks_binary(&"caf\u{e9}".as_bytes()[..4]));
        assert!(looks_binary(b"\x0a\x04\x08\x01\x10\x02"));
        assert!(looks_binary(b"abc\xff\xfedef"));
    }

    proptest::proptest! {
        #[test]
        fn parse_any_never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse_any("x", &data, &Limits::default());
            let mut utf16 = vec![0xFF, 0xFE];
            utf16.extend(&data);
            let _ = parse_any("x", &utf16, &Limits::default());
        }
    }
}
