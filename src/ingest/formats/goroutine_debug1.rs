//! Aggregated goroutine count profile (`goroutine?debug=1`,
//! `goroutineleak?debug=1`), and recognition of other Go text outputs that
//! leakscope does not use ([`sniff_unused`]).
//!
//! Frames come from the `#` lines, which leave out the leading runtime
//! frames; entries without `#` lines get address frames (return address − 1,
//! the `#` and protobuf convention).

use super::textutil::frames::{FrameCache, parse_addresses, parse_hash_frame};
use super::textutil::quote::parse_labels;
use super::textutil::{Lines, WarnTally, check_line, find, is_blank, parse_u64, strip_bom};
use crate::ingest::error::SkipReason;
use crate::ingest::limits::Limits;
use crate::model::{
    Format, FrameId, GoroutineData, GoroutineGroup, Parsed, ProfileKind, Snapshot, StackId, StrId,
    Tables,
};
use std::collections::HashMap;

/// Splits a `<name> profile: total <N>` header line into name and N.
fn header(line: &[u8]) -> Option<(&[u8], u64)> {
    let i = find(line, b" profile: total ")?;
    let name = &line[..i];
    if name.is_empty() || name.iter().any(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let n = parse_u64(&line[i + b" profile: total ".len()..])?;
    Some((name, n))
}

fn first_line(head: &[u8]) -> &[u8] {
    let head = strip_bom(head);
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// True when the start of the (BOM-stripped, decompressed) text has this
/// format's signature: a `<name> profile: total N` header. Profiles other
/// than `goroutine` and `goroutineleak` are rejected by [`parse`] (and named
/// by [`sniff_unused`]).
pub fn sniff(head: &[u8]) -> bool {
    header(first_line(head)).is_some() || super::paste::debug1_start(strip_bom(head)).is_some()
}

/// Names Go-related text (or binary) outputs that leakscope recognises but
/// does not use, so the file can be skipped with a reason: block and mutex
/// profiles, threadcreate and custom count profiles, execution traces, the
/// pprof index page, HTTP error bodies, `go tool pprof` text outputs, legacy
/// CPU profiles, C++/Java profiles, race reports, Prometheus metrics.
/// `None` for anything else (including every format leakscope parses).
pub fn sniff_unused(head: &[u8]) -> Option<&'static str> {
    let head = strip_bom(head);
    let line = first_line(head);
    if let Some((name, _)) = header(line) {
        return match name {
            b"goroutine" | b"goroutineleak" => None,
            b"threadcreate" => Some("threadcreate profile"),
            b"block" => Some("block profile"),
            b"mutex" => Some("mutex profile"),
            _ => Some("custom count profile (not goroutine or goroutineleak)"),
        };
    }
    let text = line.trim_ascii_start();
    const PREFIXES: &[(&[u8], &str)] = &[
        (b"--- contention:", "block (contention) profile"),
        (b"--- mutex:", "mutex profile"),
        (b"--- contentionz", "C++ contention profile"),
        (b"--- heapz", "Java heap profile"),
        (b"--- threadz", "thread profile (not Go)"),
        (b"<!DOCTYPE html", "HTML page (the /debug/pprof/ index?)"),
        (b"<!doctype html", "HTML page (the /debug/pprof/ index?)"),
        (b"<html", "HTML page (the /debug/pprof/ index?)"),
        (b"Unknown profile", "HTTP error body (Unknown profile)"),
        (
            b"seconds and debug params are incompatible",
            "HTTP error body (seconds and debug params are incompatible)",
        ),
        (
            b"invalid value for \"seconds\"",
            "HTTP error body (invalid seconds)",
        ),
        (
            b"Could not enable CPU profiling",
            "HTTP error body (CPU profiling)",
        ),
        (
            b"failed to collect profile",
            "HTTP error body (failed to collect profile)",
        ),
        (
            b"404 page not found",
            "HTTP error body (404 page not found)",
        ),
        (b"PeriodType: ", "`go tool pprof -raw` output"),
        (b"File: ", "`go tool pprof` text output"),
        (b"Type: ", "`go tool pprof` text output"),
        (b"Showing nodes", "`go tool pprof` text output"),
        (b"-----------+----", "`go tool pprof -traces` output"),
        (
            b"Main binary filename not available.",
            "`go tool pprof` text output",
        ),
        (b"num_symbols:", "/debug/pprof/symbol output"),
        (b"WARNING: DATA RACE", "race detector report"),
        (b"==================", "race detector report"),
        (b"# HELP ", "Prometheus metrics"),
        (b"# TYPE ", "Prometheus metrics"),
        (b"go_goroutines ", "Prometheus metrics"),
    ];
    for (prefix, what) in PREFIXES {
        if text.starts_with(prefix) {
            return Some(what);
        }
    }
    if head.starts_with(b"go 1.") && find(&head[..head.len().min(64)], b" trace\0").is_some() {
        return Some("execution trace");
    }
    if legacy_cpu(head) {
        return Some("legacy CPU profile");
    }
    None
}

/// The legacy binary CPU profile starts with the words 0, 3, 0 (header
/// count and version), in 4- or 8-byte native words.
fn legacy_cpu(head: &[u8]) -> bool {
    let words = |w: usize| -> Option<[u64; 3]> {
        let mut out = [0u64; 3];
        for (i, o) in out.iter_mut().enumerate() {
            let b = head.get(i * w..(i + 1) * w)?;
            *o = b
                .iter()
                .rev()
                .fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
        }
        Some(out)
    };
    words(8) == Some([0, 3, 0]) || words(4) == Some([0, 3, 0])
}

/// One entry being read.
struct Entry {
    count: u64,
    addrs: Vec<u64>,
    frames: Vec<FrameId>,
    has_hash_lines: bool,
    labels: Vec<(StrId, StrId)>,
}

/// Parses the whole file. Tolerates `\r\n` line endings.
pub fn parse(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let mut paste_notes: Vec<String> = Vec::new();
    let (mut lines, name, total) = read_header(strip_bom(text), limits, &mut paste_notes)?;
    let kind = kind_of(&name)?;
    let leak = kind == ProfileKind::GoroutineLeak;

    let mut out = Groups {
        tables: Tables::new(),
        cache: FrameCache::new(),
        groups: Vec::new(),
        index: HashMap::new(),
        leak,
        max_depth: limits.max_stack_depth,
        deep: 0,
    };
    let mut warn = WarnTally::default();
    let eaten_hash = read_entries(&mut lines, &mut out, &mut warn, limits)?;

    let Groups {
        tables,
        mut groups,
        deep,
        ..
    } = out;
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    let sum: u64 = groups.iter().fold(0u64, |a, g| a.saturating_add(g.count));
    let mut snapshot = Snapshot::new(Format::GoroutineDebug1, kind);
    snapshot.warnings = warn.into_warnings();
    if eaten_hash > 0 {
        paste_notes.push(format!(
            "{eaten_hash} frame line(s) in a pasted form (`#` eaten by Markdown, or spaces for tabs); read anyway"
        ));
    }
    let total = match total {
        Some(t) => t,
        None => {
            paste_notes.push(format!(
                "no `goroutine profile: total N` line (a pasted fragment?): the total is the sum of the entries read ({sum}), not the process's"
            ));
            sum
        }
    };
    snapshot.warnings.extend(paste_notes);
    let truncated = end_warnings(&mut snapshot.warnings, (sum, total), deep, &lines, limits);
    snapshot.goroutines = Some(GoroutineData {
        total,
        groups,
        leak_profile: leak,
        per_goroutine: false,
        max_goroutine_id: None,
        truncated,
    });
    Ok(Parsed { snapshot, tables })
}

/// Finds the header (skipping a pasted preamble, noted in `paste_notes`)
/// and returns the lines after it, the profile name and its total (`None`
/// for a pasted body without a header).
fn read_header<'a>(
    text: &'a [u8],
    limits: &Limits,
    paste_notes: &mut Vec<String>,
) -> Result<(Lines<'a>, Vec<u8>, Option<u64>), SkipReason> {
    let first_ok = Lines::new(text).next().and_then(header).is_some();
    // A pasted body: text before the header, or no header at all.
    let (text, pasted_header) = match super::paste::debug1_start(text) {
        Some(start) if !first_ok => {
            if start.preamble_lines > 0 || start.offset > 0 {
                paste_notes.push(format!(
                    "text before the profile ignored ({} line{} of preamble, e.g. a command line or a log prefix)",
                    start.preamble_lines.max(1),
                    if start.preamble_lines > 1 { "s" } else { "" }
                ));
            }
            (&text[start.offset..], Some(start.header))
        }
        _ => (text, None),
    };
    let mut lines = Lines::new(text);
    let (name, total): (Vec<u8>, Option<u64>) = match pasted_header {
        Some(None) => (b"goroutine".to_vec(), None),
        Some(Some((name, total))) => {
            let first = lines.next().unwrap_or_default();
            check_line(first, limits)?;
            (name, Some(total))
        }
        None => {
            let first = lines
                .next()
                .ok_or_else(|| SkipReason::NotAProfile("empty text".into()))?;
            check_line(first, limits)?;
            let (name, total) = header(first).ok_or_else(|| {
                SkipReason::NotAProfile("no `<name> profile: total N` header".into())
            })?;
            (name.to_vec(), Some(total))
        }
    };
    Ok((lines, name, total))
}

/// Reads the entries after the header into `out`; returns how many frame
/// lines were read in a pasted form.
fn read_entries(
    lines: &mut Lines<'_>,
    out: &mut Groups,
    warn: &mut WarnTally,
    limits: &Limits,
) -> Result<usize, SkipReason> {
    let mut entry: Option<Entry> = None;
    let mut eaten_hash = 0usize;
    while let Some(line) = lines.next() {
        check_line(line, limits)?;
        let no = lines.line_no();
        if is_blank(line) {
            out.finish(entry.take());
            continue;
        }
        if line.first().is_some_and(u8::is_ascii_digit) {
            out.finish(entry.take());
            entry = entry_start(line);
            if entry.is_none() {
                warn.add("unreadable entry line", no, line);
            }
            continue;
        }
        let Some(e) = entry.as_mut() else {
            warn.add("line outside an entry", no, line);
            continue;
        };
        if let Some(l) = line.strip_prefix(b"# labels: ") {
            match parse_labels(l) {
                Some(pairs) => {
                    e.labels = pairs
                        .iter()
                        .map(|(k, v)| (out.tables.intern_str(k), out.tables.intern_str(v)))
                        .collect()
                }
                None => warn.add("unreadable labels", no, line),
            }
            continue;
        }
        let frame = parse_hash_frame(line).or_else(|| {
            let f = super::paste::loose_hash_frame(line)?;
            eaten_hash += 1;
            Some(f)
        });
        if let Some(f) = frame {
            e.has_hash_lines = true;
            let id = match f.symbol {
                Some((func, file, l)) => out.cache.frame(&mut out.tables, func, file, l),
                None => out.cache.address(&mut out.tables, f.addr),
            };
            e.frames.push(id);
            continue;
        }
        warn.add("unrecognised line", no, line);
    }
    out.finish(entry.take());
    Ok(eaten_hash)
}

/// A new entry from its `<count> @ <addresses>` line, `None` when the line
/// is unreadable.
fn entry_start(line: &[u8]) -> Option<Entry> {
    let at = find(line, b" @")?;
    let count = parse_u64(&line[..at])?;
    let addrs = parse_addresses(&line[at + 2..])?;
    Some(Entry {
        count,
        addrs,
        frames: Vec::new(),
        has_hash_lines: false,
        labels: Vec::new(),
    })
}

/// Warnings known only at the end (stacks cut at the depth limit, a file
/// cut mid-line, entries that do not add up to the header's total).
/// Returns whether the dump looks truncated.
fn end_warnings(
    warnings: &mut Vec<String>,
    (sum, total): (u64, u64),
    deep: usize,
    lines: &Lines<'_>,
    limits: &Limits,
) -> bool {
    if deep > 0 {
        warnings.push(format!(
            "{deep} stacks deeper than {} frames were cut at the root end (raise with --max-stack-depth)",
            limits.max_stack_depth
        ));
    }
    let truncated = sum < total && lines.last_unterminated();
    if sum == total && lines.last_unterminated() {
        // Cut inside the last entry (its `N @ 0x…` line or a frame line):
        // the counts still add up, but its stack may be incomplete.
        warnings.push(
            "the file ends mid-line (cut off?): the last entry's stack may be incomplete".into(),
        );
    }
    if sum != total {
        warnings.push(format!(
            "the entries add up to {sum} goroutines but the header says total {total}{}",
            if truncated {
                " (the file looks cut off)"
            } else {
                ""
            }
        ));
    }
    truncated
}

/// The profile kind of a `<name> profile: total N` header: goroutine and
/// goroutineleak are used, any other count profile is not.
fn kind_of(name: &[u8]) -> Result<ProfileKind, SkipReason> {
    match name {
        b"goroutine" => Ok(ProfileKind::Goroutine),
        b"goroutineleak" => Ok(ProfileKind::GoroutineLeak),
        b"threadcreate" => Err(SkipReason::NotUsed("threadcreate profile".into())),
        // Go's own count profiles are named; any other name is not quoted.
        b"block" => Err(SkipReason::NotUsed("`block` count profile".into())),
        b"mutex" => Err(SkipReason::NotUsed("`mutex` count profile".into())),
        b"heap" => Err(SkipReason::NotUsed("`heap` count profile".into())),
        b"allocs" => Err(SkipReason::NotUsed("`allocs` count profile".into())),
        _ => Err(SkipReason::NotUsed(
            "count profile of an unknown kind".into(),
        )),
    }
}

/// The goroutine groups built so far, and what is needed to build them.
struct Groups {
    tables: Tables,
    cache: FrameCache,
    groups: Vec<GoroutineGroup>,
    /// (stack, labels) → index in `groups`.
    index: HashMap<(StackId, Vec<(StrId, StrId)>), usize>,
    /// A goroutineleak profile: every goroutine counted is leaked.
    leak: bool,
    max_depth: usize,
    /// Stacks cut to `max_depth`.
    deep: usize,
}

impl Groups {
    /// Adds a finished entry: to the group of the same stack and labels,
    /// or as a new group.
    fn finish(&mut self, e: Option<Entry>) {
        let Some(mut e) = e else { return };
        if !e.has_hash_lines {
            e.frames = e
                .addrs
                .iter()
                .map(|&a| self.cache.address(&mut self.tables, a.wrapping_sub(1)))
                .collect();
        }
        let cut = e.frames.len() > self.max_depth;
        if cut {
            e.frames.truncate(self.max_depth);
            self.deep += 1;
        }
        let stack = self.tables.intern_stack(&e.frames);
        let key = (stack, e.labels);
        let leak = self.leak;
        if let Some(&i) = self.index.get(&key) {
            let g = &mut self.groups[i];
            g.count = g.count.saturating_add(e.count);
            g.elided |= cut;
            if leak {
                g.leaked = g.leaked.saturating_add(e.count);
            }
            return;
        }
        self.groups.push(GoroutineGroup {
            leaked: if leak { e.count } else { 0 },
            labels: key.1.clone(),
            elided: cut,
            ..GoroutineGroup::new(stack, e.count)
        });
        self.index.insert(key, self.groups.len() - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::formats::textutil::lossy;
    use crate::ingest::formats::textutil::testdata::public_dump;

    #[test]
    fn cut_inside_the_last_entry_warns() {
        let text = b"goroutine profile: total 2\n\
1 @ 0x1 0x2\n\
#\t0x1\tmain.a+0x1\t/src/main.go:10\n\
\n\
1 @ 0x440f9";
        let p = parse(text, &Limits::default()).expect("parses");
        assert!(
            p.snapshot
                .warnings
                .iter()
                .any(|w| w.contains("ends mid-line")),
            "{:?}",
            p.snapshot.warnings
        );
    }

    const REAL: &str = "goroutine profile: total 13
11 @ 0x48c6ea 0x418d5c 0x418957 0x6e4e1e 0x493621
#\t0x6e4e1d\tmain.blockedSender+0x1d\t/src/leaky/main.go:39

1 @ 0x48c6ea 0x419c6e 0x4197b2 0x6e5159 0x493621
# labels: {\"req id\":\"a b\", \"worker\":\"w0\"}
#\t0x6e5158\tmain.blockedReceiver+0x18\t/src/leaky/main.go:40

1 @ 0x48c6ea 0x6e5159
";

    fn data(p: &Parsed) -> &GoroutineData {
        p.snapshot.goroutines.as_ref().unwrap()
    }

    fn stack_names(p: &Parsed, g: &GoroutineGroup) -> Vec<String> {
        p.tables
            .stack(g.stack)
            .iter()
            .map(|&f| p.tables.frame_function(f).to_string())
            .collect()
    }

    #[test]
    fn goroutine_profile_with_labels_and_address_entries() {
        assert!(sniff(REAL.as_bytes()));
        assert_eq!(sniff_unused(REAL.as_bytes()), None);
        let p = parse(REAL.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(p.snapshot.kind, ProfileKind::Goroutine);
        assert_eq!(p.snapshot.format, Format::GoroutineDebug1);
        assert!(p.snapshot.warnings.is_empty(), "{:?}", p.snapshot.warnings);
        let d = data(&p);
        assert_eq!(d.total, 13);
        assert!(!d.leak_profile && !d.per_goroutine && !d.truncated);
        assert_eq!(d.groups.len(), 3);
        assert_eq!(d.groups[0].count, 11);
        assert_eq!(d.groups[0].leaked, 0);
        assert_eq!(stack_names(&p, &d.groups[0]), vec!["main.blockedSender"]);
        let f = p.tables.stack(d.groups[0].stack)[0];
        assert_eq!(p.tables.frame_file(f), "/src/leaky/main.go");
        assert_eq!(p.tables.frame(f).line, 39);
        let labels: Vec<_> = d.groups[1]
            .labels
            .iter()
            .map(|&(k, v)| (p.tables.str(k), p.tables.str(v)))
            .collect();
        assert_eq!(labels, vec![("req id", "a b"), ("worker", "w0")]);
        assert_eq!(stack_names(&p, &d.groups[2]), vec!["0x48c6e9", "0x6e5158"]);
        assert!(d.groups.iter().all(|g| g.wait_reason.is_none()));
    }

    #[test]
    fn goroutineleak_marks_every_group_leaked() {
        let t = REAL.replace("goroutine profile", "goroutineleak profile");
        let p = parse(t.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(p.snapshot.kind, ProfileKind::GoroutineLeak);
        let d = data(&p);
        assert!(d.leak_profile);
        assert!(d.groups.iter().all(|g| g.leaked == g.count));
    }

    #[test]
    fn merges_equal_stacks_and_warns_on_bad_total() {
        let t = "goroutine profile: total 5\r\n2 @ 0x1 0x2\r\n#\t0x0\tmain.f+0x1\t/a.go:1\r\n\r\n1 @ 0x3 0x2\r\n#\t0x0\tmain.f+0x1\t/a.go:1\r\n";
        let p = parse(t.as_bytes(), &Limits::default()).unwrap();
        let d = data(&p);
        assert_eq!(d.groups.len(), 1);
        assert_eq!(d.groups[0].count, 3);
        assert_eq!(d.total, 5);
        assert_eq!(p.snapshot.warnings.len(), 1);
        assert!(p.snapshot.warnings[0].contains("add up to 3"));
        assert!(!d.truncated);
        // Cut off mid-entry: fewer than the total and no final newline.
        let p = parse(
            b"goroutine profile: total 5\n2 @ 0x1\n#\t0x0\tmain.f+",
            &Limits::default(),
        )
        .unwrap();
        assert!(data(&p).truncated);
    }

    #[test]
    fn other_count_profiles_are_not_used() {
        assert_eq!(
            parse(
                b"threadcreate profile: total 7\n1 @ 0x1\n",
                &Limits::default()
            )
            .unwrap_err(),
            SkipReason::NotUsed("threadcreate profile".into())
        );
        assert!(matches!(
            parse(b"custom.thing profile: total 2\n", &Limits::default()),
            Err(SkipReason::NotUsed(m)) if !m.contains("custom.thing") && m.contains("unknown kind")
        ));
        assert!(parse(b"heap profile: 1: 2 [3: 4] @ heap/2\n", &Limits::default()).is_err());
        assert!(!sniff(b"heap profile: 1: 2 [3: 4] @ heap/2\n"));
    }

    #[test]
    fn limits() {
        let l = Limits {
            max_line_bytes: 10,
            ..Limits::default()
        };
        assert!(matches!(
            parse(REAL.as_bytes(), &l),
            Err(SkipReason::TooLarge { .. })
        ));
        let l = Limits {
            max_stack_depth: 1,
            ..Limits::default()
        };
        let p = parse(REAL.as_bytes(), &l).unwrap();
        let d = data(&p);
        assert_eq!(stack_names(&p, &d.groups[2]), vec!["0x48c6e9"]);
        assert!(d.groups[2].elided);
    }

    #[test]
    fn unused_outputs_are_named() {
        let cases: &[(&[u8], &str)] = &[
            (b"--- mutex:\ncycles/second=2599999783\n", "mutex profile"),
            (
                b"--- contention:\ncycles/second=1\n",
                "block (contention) profile",
            ),
            (b"threadcreate profile: total 7\n", "threadcreate profile"),
            (b"go 1.26 trace\x00\x00\x00\x00", "execution trace"),
            (
                b"<html>\n<head>\n<title>/debug/pprof/</title>",
                "HTML page (the /debug/pprof/ index?)",
            ),
            (b"Unknown profile\n", "HTTP error body (Unknown profile)"),
            (
                b"File: leaky\nType: inuse_space\n",
                "`go tool pprof` text output",
            ),
            (b"PeriodType: space bytes\n", "`go tool pprof -raw` output"),
            (
                b"\xEF\xBB\xBF# HELP go_goroutines x\n",
                "Prometheus metrics",
            ),
            (
                b"\0\0\0\0\0\0\0\0\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x10\x27\0\0",
                "legacy CPU profile",
            ),
        ];
        for (head, what) in cases {
            assert_eq!(sniff_unused(head), Some(*what), "{}", lossy(head));
        }
        for head in [
            &b"goroutine 1 [running]:\n"[..],
            b"goroutineleak profile: total 0\n",
            b"heap profile: 1: 2 [3: 4] @ heap/2\n",
            b"{\"memstats\": {}}",
            b"panic: boom\n",
            b"\x1f\x8b\x08",
            b"",
        ] {
            assert_eq!(sniff_unused(head), None, "{}", lossy(head));
        }
    }

    #[test]
    fn godoc_thread_is_not_used() {
        let Some(b) = public_dump("google-pprof/profile/testdata/go.godoc.thread") else {
            return;
        };
        assert!(sniff(&b));
        assert_eq!(sniff_unused(&b), Some("threadcreate profile"));
        assert_eq!(
            parse(&b, &Limits::default()).unwrap_err(),
            SkipReason::NotUsed("threadcreate profile".into())
        );
    }

    #[test]
    fn public_negatives_are_named() {
        for (f, what) in [
            (
                "google-pprof/profile/testdata/java.heap",
                "Java heap profile",
            ),
            (
                "google-pprof/profile/testdata/go.crc32.cpu",
                "legacy CPU profile",
            ),
        ] {
            let Some(b) = public_dump(f) else { return };
            assert_eq!(sniff_unused(&b), Some(what), "{f}");
        }
    }
}
