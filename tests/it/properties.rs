//! Property tests of the parsers (proptest):
//!
//! * no parser panics on any byte string (random bytes, and random lines
//!   drawn from the vocabulary of the real formats);
//! * truncating a real sample at any offset gives either a snapshot that is a
//!   prefix of the whole file's (same format and kind, no more goroutines or
//!   samples than the whole) or a clean skip with a reason;
//! * text formats parse the same with CRLF line endings (all lines or any
//!   subset) and with a UTF-8 BOM: same totals, same stacks, same everything.
//!
//! Real samples are read from the crate's `samples/` directory; when it is
//! missing the sample-based properties print a note and pass.

use crate::util::sample_files;
use leakscope::ingest::{self, Limits, SkipReason, fuzzing};
use leakscope::model::{Format, Parsed, StackId, Tables};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Limits small enough that random inputs reach them.
fn small_limits() -> Limits {
    Limits {
        max_file_bytes: 1 << 20,
        max_decompressed_bytes: 1 << 20,
        max_line_bytes: 2048,
        max_stack_depth: 32,
    }
}

/// Every parser entry point, by name, on the same bytes.
fn run_every_parser(
    data: &[u8],
    limits: &Limits,
) -> Vec<(&'static str, Result<Parsed, SkipReason>)> {
    vec![
        ("pprof", fuzzing::pprof::parse(data, "heap.pb", limits)),
        ("heap_text", fuzzing::heap_text::parse(data, limits)),
        (
            "goroutine_debug1",
            fuzzing::goroutine_debug1::parse(data, limits),
        ),
        (
            "traceback_dump",
            fuzzing::traceback::parse_dump(data, limits),
        ),
        (
            "traceback_crash",
            fuzzing::traceback::parse_crash(data, limits),
        ),
        ("expvar", fuzzing::expvar::parse(data, limits)),
        (
            "parse_file_bytes",
            ingest::parse_file_bytes("f", data, limits),
        ),
    ]
}

/// Asserts that a result is internally consistent: every id resolves in the
/// file's own tables, or the skip reason is a non-empty message.
fn assert_consistent(what: &str, result: &Result<Parsed, SkipReason>, limits: &Limits) {
    match result {
        Ok(p) => {
            let (n_str, n_frames, n_stacks) = p.tables.sizes();
            let stack_ok = |s: StackId| {
                assert!((s.0 as usize) < n_stacks, "{what}: stack id out of range");
                let frames = p.tables.stack(s);
                assert!(
                    frames.len() <= limits.max_stack_depth + 1,
                    "{what}: {} frames over the depth limit {}",
                    frames.len(),
                    limits.max_stack_depth
                );
                for f in frames {
                    assert!((f.0 as usize) < n_frames, "{what}: frame id out of range");
                }
            };
            if let Some(h) = &p.snapshot.heap {
                h.samples.iter().for_each(|s| stack_ok(s.stack));
            }
            if let Some(g) = &p.snapshot.goroutines {
                for grp in &g.groups {
                    stack_ok(grp.stack);
                    if let Some(r) = grp.wait_reason {
                        assert!((r.0 as usize) < n_str, "{what}: wait reason id");
                    }
                    for (k, v) in &grp.labels {
                        assert!((k.0 as usize) < n_str && (v.0 as usize) < n_str);
                    }
                }
            }
        }
        Err(r) => assert!(!r.to_string().trim().is_empty(), "{what}: empty reason"),
    }
}

/// A stack as text lines (`function file:line`), leaf first.
fn stack_text(t: &Tables, s: StackId) -> Vec<String> {
    t.stack(s)
        .iter()
        .map(|&f| {
            let fr = t.frame(f);
            format!("{} {}:{}", t.str(fr.function), t.str(fr.file), fr.line)
        })
        .collect()
}

/// Everything a parsed file says, with ids resolved to text, so two parses
/// can be compared whatever their interning order.
fn digest(p: &Parsed) -> String {
    let s = &p.snapshot;
    let t = &p.tables;
    let mut out = format!(
        "format={:?} kind={:?} gzip={} embedded_time={:?} duration={:?} process={:?}\n",
        s.format, s.kind, s.gzip, s.embedded_time, s.duration_nanos, s.process
    );
    if let Some(h) = &s.heap {
        out += &format!(
            "heap period={} types={:?} inuse={} alloc={} delta={} n={}\n",
            h.period,
            h.sample_types,
            h.has_inuse,
            h.has_alloc,
            h.delta,
            h.samples.len()
        );
        let mut samples: Vec<String> = h
            .samples
            .iter()
            .map(|x| {
                format!(
                    "  {} {} {} {} size={:?} @ {:?}",
                    x.inuse_objects,
                    x.inuse_bytes,
                    x.alloc_objects,
                    x.alloc_bytes,
                    x.object_size,
                    stack_text(t, x.stack)
                )
            })
            .collect();
        samples.sort();
        out += &samples.join("\n");
        out.push('\n');
    }
    if let Some(g) = &s.goroutines {
        out += &format!(
            "goroutines total={} leak_profile={} per_goroutine={} max_id={:?} truncated={}\n",
            g.total, g.leak_profile, g.per_goroutine, g.max_goroutine_id, g.truncated
        );
        let mut groups: Vec<String> = g
            .groups
            .iter()
            .map(|x| {
                format!(
                    "  {} wait={:?} leaked={} locked={} minutes={:?} created_by={:?} labels={:?} elided={} ids={:?} @ {:?}",
                    x.count,
                    x.wait_reason.map(|r| t.str(r)),
                    x.leaked,
                    x.locked_to_thread,
                    x.max_wait_minutes,
                    x.created_by.map(|f| {
                        let fr = t.frame(f);
                        format!("{} {}:{}", t.str(fr.function), t.str(fr.file), fr.line)
                    }),
                    x.labels
                        .iter()
                        .map(|(k, v)| (t.str(*k), t.str(*v)))
                        .collect::<Vec<_>>(),
                    x.elided,
                    x.sample_ids,
                    stack_text(t, x.stack)
                )
            })
            .collect();
        groups.sort();
        out += &groups.join("\n");
        out.push('\n');
    }
    if let Some(m) = &s.memstats {
        out += &format!("memstats {:?}\n", m.fields);
    }
    out += &format!("warnings {:?}\n", s.warnings);
    out
}

/// A sample file and its full-file parse.
struct Sample {
    path: PathBuf,
    bytes: Vec<u8>,
    format: Format,
}

/// Up to three small real files of every format, in path order.
fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let files = sample_files();
        let mut out: Vec<Sample> = Vec::new();
        for path in files {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            if bytes.len() > 24 * 1024 {
                continue;
            }
            let name = path.to_string_lossy().into_owned();
            let Ok(p) = ingest::parse_file_bytes(&name, &bytes, &Limits::default()) else {
                continue;
            };
            let format = p.snapshot.format;
            if out.iter().filter(|s| s.format == format).count() < 3 {
                out.push(Sample {
                    path,
                    bytes,
                    format,
                });
            }
        }
        if out.is_empty() {
            eprintln!("note: samples/ holds no parsable dump yet; sample-based properties skipped");
        }
        out
    })
}

/// Dump files under `dir`, leaving out the Go sources, oracle outputs and tools.
/// True for formats whose bytes are text (CRLF and BOM apply).
fn is_text(f: Format) -> bool {
    !matches!(f, Format::Pprof)
}

/// Goroutines read (sum of group counts), heap samples, as a size measure.
fn size_of(p: &Parsed) -> (u64, usize, usize) {
    let g = p.snapshot.goroutines.as_ref();
    let read = g.map_or(0, |g| g.groups.iter().map(|x| x.count).sum::<u64>());
    let groups = g.map_or(0, |g| g.groups.len());
    let heap = p.snapshot.heap.as_ref().map_or(0, |h| h.samples.len());
    (read, groups, heap)
}

/// Checks the truncation property for one sample cut at `cut` bytes.
fn check_truncation(s: &Sample, full: &Parsed, cut: usize) {
    let name = s.path.to_string_lossy().into_owned();
    let limits = Limits::default();
    let part = &s.bytes[..cut];
    let result = ingest::parse_file_bytes(&name, part, &limits);
    assert_consistent(&format!("{name}[..{cut}]"), &result, &limits);
    if let Ok(p) = result {
        let (read, _, heap) = size_of(&p);
        let (full_read, _, full_heap) = size_of(full);
        assert_eq!(
            (p.snapshot.format, p.snapshot.kind),
            (full.snapshot.format, full.snapshot.kind),
            "{name} cut at {cut} changed format"
        );
        assert!(
            read <= full_read,
            "{name} cut at {cut}: {read} goroutines read, whole file has {full_read}"
        );
        assert!(
            heap <= full_heap,
            "{name} cut at {cut}: {heap} heap samples, whole file has {full_heap}"
        );
        if let (Some(g), Some(fg)) = (&p.snapshot.goroutines, &full.snapshot.goroutines) {
            assert!(
                g.total <= fg.total.max(read),
                "{name} cut at {cut}: total {} over the whole file's {}",
                g.total,
                fg.total
            );
        }
    }
}

/// CRLF on the lines whose index has its bit set in `mask` (cycling), or on
/// every line when `mask` is `u64::MAX`.
fn to_crlf(bytes: &[u8], mask: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut line = 0u32;
    for &b in bytes {
        if b == b'\n' {
            if mask >> (line % 64) & 1 == 1 {
                out.push(b'\r');
            }
            line += 1;
        }
        out.push(b);
    }
    out
}

/// Parses a text variant and compares it with the original's digest.
fn assert_same_parse(s: &Sample, variant: &[u8], what: &str) {
    let name = s.path.to_string_lossy().into_owned();
    let limits = Limits::default();
    let a = ingest::parse_file_bytes(&name, &s.bytes, &limits).expect("the sample parses");
    let b = ingest::parse_file_bytes(&name, variant, &limits)
        .unwrap_or_else(|r| panic!("{name} with {what} is skipped: {r}"));
    assert_eq!(
        digest(&a),
        digest(&b),
        "{name} parses differently with {what}"
    );
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Lines in the style of every text format, including broken ones.
fn vocabulary_line() -> impl Strategy<Value = String> {
    let fixed = prop_oneof![
        Just("heap profile: 3: 1024 [10: 4096] @ heap/524288".to_string()),
        Just("1: 512 [2: 1024] @ 0x4a1b2c 0x4a1d00 0x43f001".to_string()),
        Just("#\t0x4a1b2b\tmain.alloc+0x2b\t/src/app/main.go:31".to_string()),
        Just("#\t0x4a1cff\tmain.main+0x1f\t/src/app/main.go:12".to_string()),
        Just("# runtime.MemStats".to_string()),
        Just("# Alloc = 123456".to_string()),
        Just("# PauseEnd = [1 2 3]".to_string()),
        Just("# Stack = 1 / 2".to_string()),
        Just("goroutine profile: total 7".to_string()),
        Just("goroutineleak profile: total 2".to_string()),
        Just("5 @ 0x43a1 0x43b2 0x4c00".to_string()),
        Just("# labels: {\"worker\":\"w1\"}".to_string()),
        Just("goroutine 1 [running]:".to_string()),
        Just("goroutine 18 [chan send (leaked), 12 minutes]:".to_string()),
        Just("goroutine 7 gp=0xc000007 m=nil [select (no cases)]:".to_string()),
        Just("goroutine 9 [IO wait, locked to thread]:".to_string()),
        Just("goroutine 10 [semacquire]:\n{\"handler\": \"/api\"}".to_string()),
        Just("main.produce(0xc000010000, 0x3)".to_string()),
        Just("main.(*Box[...]).Send(...)".to_string()),
        Just("\t/src/app/main.go:16 +0x2f".to_string()),
        Just("\tC:/src/app/my file.go:16 +0x2f".to_string()),
        Just("created by main.handle in goroutine 1".to_string()),
        Just("...additional frames elided...".to_string()),
        Just("...10 frames elided...".to_string()),
        Just("[originating from goroutine 4]:".to_string()),
        Just("panic: boom".to_string()),
        Just("fatal error: all goroutines are asleep - deadlock!".to_string()),
        Just("SIGQUIT: quit".to_string()),
        Just("PC=0x46f1e1 m=0 sigcode=0".to_string()),
        Just("runtime stack:".to_string()),
        Just("2026/11/27 05:23:45 goroutine 5 [chan receive]:".to_string()),
        Just(
            "{\"memstats\": {\"Alloc\": 1, \"PauseEnd\": [1,2], \"BySize\": [{\"Size\": 8}]},"
                .to_string()
        ),
        Just("\"cmdline\": [\"./app\", \"-x\"]}".to_string()),
        Just(String::new()),
        Just("\u{feff}".to_string()),
    ];
    prop_oneof![
        8 => fixed,
        1 => "[ -~\t]{0,40}",
        1 => "goroutine [0-9]{1,20} \\[[a-z ,()0-9]{0,30}\\]:",
        1 => "[0-9]{1,20}: [0-9]{1,20} \\[[0-9]{1,20}: [0-9]{1,20}\\] @( 0x[0-9a-f]{1,16}){0,4}",
        1 => "[0-9]{1,20} @( 0x[0-9a-f]{1,16}){0,4}",
    ]
}

/// A text file of vocabulary lines, with `\n` or `\r\n` endings.
fn vocabulary_text() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(vocabulary_line(), 0..40),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf)| {
            let nl = if crlf { "\r\n" } else { "\n" };
            lines.join(nl).into_bytes()
        })
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// No parser panics on arbitrary bytes, and every result is consistent.
    #[test]
    fn no_parser_panics_on_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let limits = small_limits();
        for (what, r) in run_every_parser(&data, &limits) {
            assert_consistent(what, &r, &limits);
        }
    }

    /// No parser panics on text built from the formats' own lines.
    #[test]
    fn no_parser_panics_on_format_like_text(data in vocabulary_text()) {
        let limits = small_limits();
        for (what, r) in run_every_parser(&data, &limits) {
            assert_consistent(what, &r, &limits);
        }
    }

    /// A gzip layer around random bytes is undone or skipped cleanly.
    #[test]
    fn no_panic_on_gzipped_random_text(data in vocabulary_text(), cut in any::<prop::sample::Index>()) {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&data).expect("gzip to memory");
        let gz = enc.finish().expect("gzip to memory");
        let limits = small_limits();
        let whole = ingest::parse_file_bytes("f.gz", &gz, &limits);
        assert_consistent("gzip", &whole, &limits);
        let cut = cut.index(gz.len());
        let part = ingest::parse_file_bytes("f.gz", &gz[..cut], &limits);
        assert_consistent("gzip cut", &part, &limits);
        // A gzip stream cut before its end is never used silently.
        prop_assert!(part.is_err(), "gzip cut at {} of {} bytes was used", cut, gz.len());
    }

    /// Truncating a real file anywhere gives a prefix snapshot or a skip.
    #[test]
    fn truncated_samples_give_a_prefix_or_a_skip(pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>()) {
        let samples = samples();
        if !samples.is_empty() {
            let s = &samples[pick.index(samples.len())];
            let name = s.path.to_string_lossy().into_owned();
            let full = ingest::parse_file_bytes(&name, &s.bytes, &Limits::default()).expect("the sample parses");
            check_truncation(s, &full, at.index(s.bytes.len()));
        }
    }

    /// Any subset of lines ending in CRLF parses like the original.
    #[test]
    fn mixed_crlf_parses_the_same(pick in any::<prop::sample::Index>(), mask in any::<u64>()) {
        let text: Vec<&Sample> = samples().iter().filter(|s| is_text(s.format)).collect();
        if !text.is_empty() {
            let s = text[pick.index(text.len())];
            assert_same_parse(s, &to_crlf(&s.bytes, mask), &format!("CRLF mask {mask:#x}"));
        }
    }
}

/// Every offset of one small sample of each format (exhaustive, not random).
#[test]
fn every_truncation_offset_of_one_sample_per_format() {
    let mut seen = Vec::new();
    for s in samples() {
        if seen.contains(&s.format) {
            continue;
        }
        seen.push(s.format);
        let name = s.path.to_string_lossy().into_owned();
        let full = ingest::parse_file_bytes(&name, &s.bytes, &Limits::default())
            .expect("the sample parses");
        // Every offset for small files, else a stride that still hits every
        // line boundary region often.
        let step = (s.bytes.len() / 1500).max(1);
        for cut in (0..s.bytes.len()).step_by(step) {
            check_truncation(s, &full, cut);
        }
    }
}

/// A gzip-compressed real file cut anywhere is skipped with a gzip reason.
#[test]
fn truncated_gzip_samples_are_skipped_with_a_gzip_reason() {
    for s in samples()
        .iter()
        .filter(|s| s.bytes.starts_with(&[0x1f, 0x8b]))
    {
        let name = s.path.to_string_lossy().into_owned();
        for cut in (2..s.bytes.len()).step_by(7) {
            match ingest::parse_file_bytes(&name, &s.bytes[..cut], &Limits::default()) {
                Ok(_) => panic!("{name} cut at {cut} of {} was used", s.bytes.len()),
                Err(r) => assert!(
                    matches!(r, SkipReason::BadGzip { .. }),
                    "{name} cut at {cut}: {r}"
                ),
            }
        }
    }
}

/// Every text sample parses the same with CRLF endings, a UTF-8 BOM, or both.
#[test]
fn text_samples_ignore_crlf_and_bom() {
    let mut checked = 0;
    for s in samples().iter().filter(|s| is_text(s.format)) {
        let crlf = to_crlf(&s.bytes, u64::MAX);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(&s.bytes);
        let mut both = vec![0xEF, 0xBB, 0xBF];
        both.extend_from_slice(&crlf);
        assert_same_parse(s, &crlf, "CRLF line endings");
        assert_same_parse(s, &bom, "a UTF-8 BOM");
        assert_same_parse(s, &both, "a UTF-8 BOM and CRLF");
        checked += 1;
    }
    if !samples().is_empty() {
        assert!(checked > 0, "no text sample was checked");
    }
}

/// The sample set covers the formats the properties are meant to exercise.
#[test]
fn samples_cover_every_format() {
    if samples().is_empty() {
        eprintln!("note: no samples; format coverage not checked");
        return;
    }
    let formats: Vec<Format> = samples().iter().map(|s| s.format).collect();
    for f in [
        Format::Pprof,
        Format::HeapText,
        Format::GoroutineDebug1,
        Format::GoroutineDebug2,
        Format::Expvar,
    ] {
        assert!(
            formats.contains(&f),
            "no sample of format {f:?} under 24 KB"
        );
    }
}
