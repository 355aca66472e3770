//! Legacy text heap/allocs profile (`heap?debug=1`) with its MemStats block.
//!
//! The record values in the text are raw sampled counts; they are unsampled
//! here exactly as pprof's legacy parser does, so they equal what the runtime
//! writes into a protobuf profile. Frames come from the `#` lines (the only
//! symbols the text has); records without `#` lines get address frames.

use super::textutil::frames::{FrameCache, parse_addresses, parse_hash_frame};
use super::textutil::{
    Lines, WarnTally, check_line, find, is_blank, lossy, parse_i64, parse_u64, strip_bom,
    trim_start_ws, trim_ws,
};
use crate::ingest::error::SkipReason;
use crate::ingest::limits::Limits;
use crate::model::{
    Format, FrameId, HeapData, HeapSample, HeapSamples, MemStats, MemValue, Parsed, ProfileKind,
    Snapshot, Tables,
};

const HEADER: &[u8] = b"heap profile:";

/// True when the start of the (BOM-stripped, decompressed) text has this
/// format's signature. C++ tcmalloc heap profiles share the signature;
/// [`parse`] rejects them.
pub fn sniff(head: &[u8]) -> bool {
    strip_bom(head).starts_with(HEADER)
}

/// The four raw numbers of a header or record line, and what follows `@`.
struct Counts<'a> {
    inuse_objs: i64,
    inuse_bytes: i64,
    alloc_objs: i64,
    alloc_bytes: i64,
    after_at: &'a [u8],
}

/// Reads `N: N [N: N] @` with any whitespace around `:`, `[`, `]`, `@`
/// (pprof's regex allows padding; C++ headers use it).
fn parse_counts(s: &[u8]) -> Option<Counts<'_>> {
    fn number(s: &[u8]) -> Option<(i64, &[u8])> {
        let s = trim_start_ws(s);
        let end = s
            .iter()
            .enumerate()
            .position(|(i, &b)| !(b.is_ascii_digit() || (i == 0 && b == b'-')))
            .unwrap_or(s.len());
        Some((parse_i64(&s[..end])?, &s[end..]))
    }
    fn punct(s: &[u8], c: u8) -> Option<&[u8]> {
        trim_start_ws(s).strip_prefix(&[c])
    }
    let (inuse_objs, s) = number(s)?;
    let s = punct(s, b':')?;
    let (inuse_bytes, s) = number(s)?;
    let s = punct(s, b'[')?;
    let (alloc_objs, s) = number(s)?;
    let s = punct(s, b':')?;
    let (alloc_bytes, s) = number(s)?;
    let s = punct(s, b']')?;
    let after_at = punct(s, b'@')?;
    Some(Counts {
        inuse_objs,
        inuse_bytes,
        alloc_objs,
        alloc_bytes,
        after_at,
    })
}

/// Scales one sampled (count, bytes) pair up to an estimate of the real
/// values, exactly like pprof's `scaleHeapSample`: no change when
/// `rate <= 1`, zero when either input is zero.
pub fn unsample(count: i64, bytes: i64, rate: i64) -> (i64, i64) {
    if count == 0 || bytes == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, bytes);
    }
    let avg = bytes as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-avg / rate as f64).exp());
    ((count as f64 * scale) as i64, (bytes as f64 * scale) as i64)
}

/// Reads the sampling rate from what follows `@` in the header. Only Go's
/// `heap/<2×rate>` is accepted; C++ forms are rejected as not Go.
fn header_rate(after_at: &[u8]) -> Result<i64, SkipReason> {
    let tag = trim_ws(after_at);
    let (name, num) = match tag.iter().position(|&b| b == b'/') {
        Some(i) => (&tag[..i], &tag[i + 1..]),
        None => (tag, &b""[..]),
    };
    match name {
        b"heap" => {
            let rate2 = parse_u64(num).ok_or_else(|| SkipReason::Malformed {
                format: "text heap profile",
                detail: "bad sampling rate in the header (expected `@ heap/<number>`)".into(),
            })?;
            Ok(i64::try_from(rate2 / 2).unwrap_or(i64::MAX))
        }
        _ => Err(SkipReason::NotAProfile(
            "C++ heap profile (a sampling tag other than `@ heap/`), not a Go dump".into(),
        )),
    }
}

/// A record being read: raw numbers, `@` addresses and `#` frames.
struct Record {
    counts: [i64; 4],
    addrs: Vec<u64>,
    frames: Vec<FrameId>,
    has_hash_lines: bool,
}

/// Parses the whole file. Tolerates `\r\n` line endings.
pub fn parse(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let mut lines = Lines::new(text);
    let header = lines
        .next()
        .ok_or_else(|| SkipReason::NotAProfile("empty text".into()))?;
    check_line(header, limits)?;
    let counts = header
        .strip_prefix(HEADER)
        .and_then(parse_counts)
        .ok_or_else(|| SkipReason::NotAProfile("no `heap profile:` header".into()))?;
    let rate = header_rate(counts.after_at)?;

    let mut out = Samples {
        tables: Tables::new(),
        cache: FrameCache::new(),
        samples: HeapSamples::new(),
        rate,
        max_depth: limits.max_stack_depth,
        deep_stacks: 0,
        raw_inuse: (0, 0),
    };
    let mut warn = WarnTally::default();
    let mut memstats: Option<MemStats> = None;
    let mut record: Option<Record> = None;

    while let Some(line) = lines.next() {
        check_line(line, limits)?;
        let no = lines.line_no();
        if let Some(ms) = memstats.as_mut() {
            if let Some(kv) = line.strip_prefix(b"# ") {
                if !memstats_line(kv, ms) {
                    warn.add("unreadable MemStats line", no, line);
                }
            } else if !is_blank(line) {
                warn.add("unexpected line after MemStats", no, line);
            }
            continue;
        }
        if is_blank(line) {
            out.finish(record.take());
            continue;
        }
        if line.starts_with(b"--- Memory map:") || find(line, b"MAPPED_LIBRARIES").is_some() {
            return Err(SkipReason::NotAProfile(
                "heap profile with a memory map section (C++), not a Go dump".into(),
            ));
        }
        if line
            .first()
            .is_some_and(|b| b.is_ascii_digit() || *b == b' ' || *b == b'-')
        {
            let Some(c) = parse_counts(line) else {
                warn.add("unreadable record line", no, line);
                out.finish(record.take());
                continue;
            };
            out.finish(record.take());
            let addrs = parse_addresses(c.after_at).unwrap_or_else(|| {
                warn.add("unreadable addresses in record line", no, line);
                Vec::new()
            });
            record = Some(Record {
                counts: [c.inuse_objs, c.inuse_bytes, c.alloc_objs, c.alloc_bytes],
                addrs,
                frames: Vec::new(),
                has_hash_lines: false,
            });
            continue;
        }
        if line.starts_with(b"# runtime.MemStats") {
            out.finish(record.take());
            memstats = Some(MemStats::default());
            continue;
        }
        if let Some(f) = parse_hash_frame(line) {
            match record.as_mut() {
                Some(r) => {
                    r.has_hash_lines = true;
                    let id = match f.symbol {
                        Some((func, file, l)) => out.cache.frame(&mut out.tables, func, file, l),
                        None => out.cache.address(&mut out.tables, f.addr),
                    };
                    r.frames.push(id);
                }
                None => warn.add("frame line outside a record", no, line),
            }
            continue;
        }
        warn.add("unrecognised line", no, line);
    }
    out.finish(record.take());

    let mut snapshot = Snapshot::new(Format::HeapText, ProfileKind::Heap);
    snapshot.warnings = warn.into_warnings();
    end_warnings(
        &mut snapshot.warnings,
        &out,
        &counts,
        &lines,
        memstats.is_some(),
        limits,
    );
    snapshot.memstats = memstats;
    Ok(out.into_parsed(snapshot))
}

/// The samples built so far, and what is needed to build them.
struct Samples {
    tables: Tables,
    cache: FrameCache,
    samples: HeapSamples,
    /// Sampling rate from the header.
    rate: i64,
    max_depth: usize,
    /// Stacks cut to `max_depth`.
    deep_stacks: usize,
    /// Raw in-use (objects, bytes) sums, to compare with the header's totals.
    raw_inuse: (i64, i64),
}

impl Samples {
    /// The snapshot with its heap data, and the tables.
    fn into_parsed(self, mut snapshot: Snapshot) -> Parsed {
        snapshot.heap = Some(HeapData {
            period: self.rate,
            sample_types: [
                "alloc_objects",
                "alloc_space",
                "inuse_objects",
                "inuse_space",
            ]
            .map(String::from)
            .to_vec(),
            has_inuse: true,
            has_alloc: true,
            delta: false,
            samples: self.samples,
        });
        Parsed {
            snapshot,
            tables: self.tables,
        }
    }

    /// Turns a finished record into a sample (unsampled, stack interned).
    fn finish(&mut self, record: Option<Record>) {
        let Some(mut r) = record else { return };
        if !r.has_hash_lines {
            r.frames = r
                .addrs
                .iter()
                .map(|&a| self.cache.address(&mut self.tables, a.wrapping_sub(1)))
                .collect();
        }
        if r.frames.len() > self.max_depth {
            r.frames.truncate(self.max_depth);
            self.deep_stacks += 1;
        }
        let [io, ib, ao, ab] = r.counts;
        self.raw_inuse.0 = self.raw_inuse.0.saturating_add(io);
        self.raw_inuse.1 = self.raw_inuse.1.saturating_add(ib);
        let (inuse_objects, inuse_bytes) = unsample(io, ib, self.rate);
        let (alloc_objects, alloc_bytes) = unsample(ao, ab, self.rate);
        let object_size = if io != 0 {
            Some(ib / io)
        } else if ao != 0 {
            Some(ab / ao)
        } else {
            None
        };
        self.samples.push(HeapSample {
            stack: self.tables.intern_stack(&r.frames),
            inuse_objects,
            inuse_bytes,
            alloc_objects,
            alloc_bytes,
            object_size,
        });
    }
}

/// Warnings known only at the end: records that do not add up to the
/// header's totals, a file cut mid-line, stacks cut at the depth limit.
fn end_warnings(
    warnings: &mut Vec<String>,
    out: &Samples,
    counts: &Counts<'_>,
    lines: &Lines<'_>,
    has_memstats: bool,
    limits: &Limits,
) {
    let raw_inuse = out.raw_inuse;
    let deep_stacks = out.deep_stacks;
    if raw_inuse != (counts.inuse_objs, counts.inuse_bytes) {
        warnings.push(format!(
            "the records add up to {}: {} in use but the header says {}: {}{}",
            raw_inuse.0,
            raw_inuse.1,
            counts.inuse_objs,
            counts.inuse_bytes,
            if lines.last_unterminated() {
                " (the file looks cut off)"
            } else {
                ""
            }
        ));
    } else if lines.last_unterminated() {
        warnings.push(if has_memstats {
            "the file ends mid-line (cut off?): the MemStats block may be incomplete".into()
        } else {
            "the file ends mid-line (cut off?)".into()
        });
    }
    if deep_stacks > 0 {
        warnings.push(format!(
            "{deep_stacks} stacks deeper than {} frames were cut at the root end (raise with --max-stack-depth)",
            limits.max_stack_depth
        ));
    }
}

/// Reads one `Key = value` MemStats line (after `# `) into `ms`. Returns
/// false when the line has no ` = `.
fn memstats_line(kv: &[u8], ms: &mut MemStats) -> bool {
    let Some(eq) = find(kv, b" = ") else {
        return false;
    };
    let key = lossy(trim_ws(&kv[..eq])).into_owned();
    let value = trim_ws(&kv[eq + 3..]);
    if key.is_empty() {
        return false;
    }
    // `Stack = 1 / 2` → StackInuse, StackSys (likewise MSpan, MCache).
    if let Some(slash) = find(value, b" / ")
        && let (Some(a), Some(b)) = (
            parse_u64(trim_ws(&value[..slash])),
            parse_u64(trim_ws(&value[slash + 3..])),
        )
    {
        ms.set(format!("{key}Inuse"), MemValue::U64(a));
        ms.set(format!("{key}Sys"), MemValue::U64(b));
        return true;
    }
    ms.set(key.clone(), memstats_value(&key, value));
    true
}

fn memstats_value(key: &str, value: &[u8]) -> MemValue {
    let text = || MemValue::Text(lossy(value).into_owned());
    if let Some(inner) = value.strip_prefix(b"[").and_then(|v| v.strip_suffix(b"]")) {
        let list: Option<Vec<u64>> = inner
            .split(|&b| b == b' ')
            .filter(|t| !t.is_empty())
            .map(parse_u64)
            .collect();
        return list.map_or_else(text, MemValue::List);
    }
    match value {
        b"true" => return MemValue::Bool(true),
        b"false" => return MemValue::Bool(false),
        _ => {}
    }
    if key != "GCCPUFraction"
        && let Some(v) = parse_u64(value)
    {
        return MemValue::U64(v);
    }
    match std::str::from_utf8(value)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
    {
        Some(f) => MemValue::F64(f),
        None => text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::formats::textutil::testdata::public_dump;

    #[test]
    fn cut_inside_memstats_warns() {
        let text = b"heap profile: 1: 4096 [1: 4096] @ heap/1048576\n\
1: 4096 [1: 4096] @ 0x1 0x2\n\
#\t0x0\tmain.alloc+0x1\t/src/main.go:10\n\
\n\
# runtime.MemStats\n\
# Alloc = 4096\n\
# PauseEnd = [1 2";
        let p = parse(text, &Limits::default()).expect("parses");
        assert!(
            p.snapshot
                .warnings
                .iter()
                .any(|w| w.contains("MemStats block may be incomplete")),
            "{:?}",
            p.snapshot.warnings
        );
    }

    fn heap(p: &Parsed) -> &HeapData {
        p.snapshot.heap.as_ref().unwrap()
    }

    fn funcs(p: &Parsed, s: &HeapSample) -> Vec<String> {
        p.tables
            .stack(s.stack)
            .iter()
            .map(|&f| p.tables.frame_function(f).to_string())
            .collect()
    }

    const GO127: &str = "heap profile: 65: 6512640 [77: 9398752] @ heap/1048576
4: 16384 [4: 16384] @ 0x48a113 0x48e829 0x6e5047 0x6e4fed 0x6e4fd8 0x493621
#\t0x6e5046\tmain.alloc4k+0xa6\t\t/src/leaky/main.go:31
#\t0x6e4fec\tmain.(*cache).put+0x4c\t\t/src/leaky/main.go:35
#\t0x6e4fd7\tmain.main.func2+0x37\t\t/src/leaky/main.go:113

61: 6496256 [61: 6496256] @ 0x48a11a 0x48e829 0x6e3d29 0x6e5016 0x493621
#\t0x6e3d28\tmain.leakBytes+0x28\t/src/leaky/main.go:24
#\t0x6e5015\tmain.main.func2+0x75\t/src/leaky/main.go:112

0: 0 [12: 2886112] @ 0x48a11a 0x6e3d29
#\t0x6e3d28\tmain.(*Box[...]).Send+0x28\t/src/my app/box.go:7
#\t0x6e5015

# runtime.MemStats
# Alloc = 878173160
# TotalAlloc = 1045237104
# Stack = 1179648 / 1179648
# MSpan = 200 / 300
# MCache = 9664 / 15704
# LastGC = 1795000000000000000
# PauseNs = [34816 40448 0 0]
# PauseEnd = [1795000000000000000 18446744073709551615]
# NumGC = 4
# GCCPUFraction = 1e-05
# DebugGC = false
# Weird = a b c
";

    #[test]
    fn go127_ascending_with_hash_frames_and_memstats() {
        let p = parse(GO127.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(p.snapshot.format, Format::HeapText);
        assert_eq!(p.snapshot.kind, ProfileKind::Heap);
        assert!(p.snapshot.warnings.is_empty(), "{:?}", p.snapshot.warnings);
        let h = heap(&p);
        assert_eq!(h.period, 524288);
        assert!(h.has_inuse && h.has_alloc && !h.delta);
        assert_eq!(h.samples.len(), 3);
        let v = h.samples.to_vec();
        // Values verified against the runtime's protobuf (input-formats §1.6).
        assert_eq!((v[0].inuse_objects, v[0].inuse_bytes), (514, 2105354));
        assert_eq!((v[1].inuse_objects, v[1].inuse_bytes), (331, 35339583));
        assert_eq!(v[1].object_size, Some(106496));
        assert_eq!(
            funcs(&p, &v[0]),
            vec!["main.alloc4k", "main.(*cache).put", "main.main.func2"]
        );
        let f = p.tables.stack(v[0].stack)[1];
        assert_eq!(p.tables.frame_file(f), "/src/leaky/main.go");
        assert_eq!(p.tables.frame(f).line, 35);
        // Freed site: in-use zero, alloc scaled, object size from the alloc pair.
        let s = &v[2];
        assert_eq!((s.inuse_objects, s.inuse_bytes), (0, 0));
        assert_eq!(s.object_size, Some(240509));
        assert!(s.alloc_bytes > 2886112);
        assert_eq!(funcs(&p, s), vec!["main.(*Box[...]).Send", "0x6e5015"]);
        let f = p.tables.stack(s.stack)[0];
        assert_eq!(p.tables.frame_file(f), "/src/my app/box.go");

        let ms = p.snapshot.memstats.as_ref().unwrap();
        assert_eq!(ms.u64("Alloc"), Some(878173160));
        assert_eq!(ms.u64("StackInuse"), Some(1179648));
        assert_eq!(ms.u64("StackSys"), Some(1179648));
        assert_eq!(ms.u64("MSpanInuse"), Some(200));
        assert_eq!(ms.u64("MSpanSys"), Some(300));
        assert_eq!(ms.u64("MCacheSys"), Some(15704));
        assert_eq!(ms.u64("LastGC"), Some(1795000000000000000));
        assert_eq!(
            ms.fields.get("PauseNs"),
            Some(&MemValue::List(vec![34816, 40448, 0, 0]))
        );
        assert_eq!(
            ms.fields.get("PauseEnd"),
            Some(&MemValue::List(vec![1795000000000000000, u64::MAX]))
        );
        assert_eq!(ms.fields.get("GCCPUFraction"), Some(&MemValue::F64(1e-05)));
        assert_eq!(ms.fields.get("DebugGC"), Some(&MemValue::Bool(false)));
        assert_eq!(
            ms.fields.get("Weird"),
            Some(&MemValue::Text("a b c".into()))
        );
        assert!(!ms.fields.contains_key("Stack"));
    }

    #[test]
    fn descending_order_and_crlf_give_the_same_values() {
        let crlf = GO127.replace('\n', "\r\n");
        let a = parse(GO127.as_bytes(), &Limits::default()).unwrap();
        let b = parse(crlf.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(heap(&a).samples.len(), heap(&b).samples.len());
        assert_eq!(heap(&a).inuse_bytes_total(), heap(&b).inuse_bytes_total());
        assert_eq!(a.snapshot.memstats, b.snapshot.memstats);
        let bom = format!("\u{feff}{GO127}");
        assert!(sniff(bom.as_bytes()));
        assert!(parse(bom.as_bytes(), &Limits::default()).is_ok());
    }

    #[test]
    fn cut_off_file_is_reported() {
        let cut = &GO127[..GO127.find("0: 0 [12").unwrap() + 33];
        let p = parse(cut.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(heap(&p).samples.len(), 3);
        assert!(p.snapshot.memstats.is_none());
        assert_eq!(
            p.snapshot.warnings,
            vec!["the file ends mid-line (cut off?)".to_string()]
        );
        let cut = &GO127[..GO127.find("\n61: ").unwrap() - 4];
        let p = parse(cut.as_bytes(), &Limits::default()).unwrap();
        assert!(
            p.snapshot.warnings[0].contains("add up to 4: 16384")
                && p.snapshot.warnings[0].contains("cut off"),
            "{:?}",
            p.snapshot.warnings
        );
    }

    #[test]
    fn unsample_matches_pprof() {
        assert_eq!(unsample(61, 6496256, 524288), (331, 35339583));
        assert_eq!(unsample(4, 16384, 524288), (514, 2105354));
        assert_eq!(unsample(0, 100, 524288), (0, 0));
        assert_eq!(unsample(3, 0, 524288), (0, 0));
        assert_eq!(unsample(3, 300, 1), (3, 300));
        assert_eq!(unsample(3, 300, 0), (3, 300));
    }

    #[test]
    fn address_frames_without_hash_lines_are_minus_one() {
        let t = "heap profile: 1: 10 [1: 10] @ heap/2\n1: 10 [1: 10] @ 0x1001 0x2002\n1: 288 [2: 296] @\n";
        let p = parse(t.as_bytes(), &Limits::default()).unwrap();
        let h = heap(&p);
        assert_eq!(h.period, 1);
        let v = h.samples.to_vec();
        assert_eq!(funcs(&p, &v[0]), vec!["0x1000", "0x2001"]);
        assert_eq!(v[0].inuse_bytes, 10);
        assert!(p.tables.stack(v[1].stack).is_empty());
        assert_eq!(v[1].alloc_objects, 2);
    }

    #[test]
    fn padded_header_and_cpp_rejected() {
        let t = b"heap profile:    144:  8498176 [   144:  8498176] @ heapz_v2/524288\n";
        assert!(sniff(t));
        assert!(matches!(
            parse(t, &Limits::default()),
            Err(SkipReason::NotAProfile(m)) if m.contains("C++") && !m.contains("heapz_v2")
        ));
        let t = b"heap profile: 1: 2 [ 3: 4] @ heap/8\n--- Memory map: ---\n";
        assert!(matches!(
            parse(t, &Limits::default()),
            Err(SkipReason::NotAProfile(_))
        ));
        assert!(!sniff(b"--- heapz 1 ---\n"));
        assert!(parse(b"goroutine profile: total 1\n", &Limits::default()).is_err());
        assert!(parse(b"", &Limits::default()).is_err());
    }

    #[test]
    fn limits_are_respected() {
        let small = Limits {
            max_line_bytes: 40,
            ..Limits::default()
        };
        assert!(matches!(
            parse(GO127.as_bytes(), &small),
            Err(SkipReason::TooLarge { what: "line", .. })
        ));
        let shallow = Limits {
            max_stack_depth: 1,
            ..Limits::default()
        };
        let p = parse(GO127.as_bytes(), &shallow).unwrap();
        assert_eq!(
            funcs(&p, &heap(&p).samples.to_vec()[0]),
            vec!["main.alloc4k"]
        );
        assert!(p.snapshot.warnings.iter().any(|w| w.contains("3 stacks")));
    }

    #[test]
    fn junk_lines_become_warnings() {
        let t =
            "heap profile: 1: 10 [1: 10] @ heap/2\n1: 10 [1: 10] @ 0x1001\nwhat is this\n#\t0xzz\n";
        let p = parse(t.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(heap(&p).samples.len(), 1);
        assert_eq!(p.snapshot.warnings.len(), 1);
        assert!(p.snapshot.warnings[0].starts_with("2× unrecognised line"));
    }

    #[test]
    fn gobench_golden() {
        let Some(b) = public_dump("google-pprof/profile/testdata/gobench.heap") else {
            return;
        };
        let p = parse(&b, &Limits::default()).unwrap();
        let h = heap(&p);
        assert_eq!(h.samples.len(), 15);
        let sum = |f: fn(&HeapSample) -> i64| h.samples.iter().map(|s| f(&s)).sum::<i64>();
        assert_eq!(sum(|s| s.inuse_bytes), 7721316);
        assert_eq!(sum(|s| s.inuse_objects), 11445);
        assert_eq!(sum(|s| s.alloc_bytes), 350314738);
        assert_eq!(sum(|s| s.alloc_objects), 83134);
        assert!(p.snapshot.memstats.is_none());
        assert!(p.snapshot.warnings.is_empty());
        // The record `1: 288 [2: 296] @` has an empty stack.
        assert_eq!(
            h.samples
                .iter()
                .filter(|s| p.tables.stack(s.stack).is_empty())
                .count(),
            1
        );
    }

    #[test]
    fn cpp_and_java_heaps_are_not_go() {
        for f in ["cppbench.heap", "java.heap"] {
            let Some(b) = public_dump(&format!("google-pprof/profile/testdata/{f}")) else {
                return;
            };
            assert!(
                matches!(
                    parse(&b, &Limits::default()),
                    Err(SkipReason::NotAProfile(_))
                ),
                "{f}"
            );
        }
    }
}
