//! Unit tests: hand-built profiles encoded with prost (and by hand where the
//! wire form matters), plus the public go.nomappings.crash file.

use super::*;
use crate::model::{ProfileKind, Snapshot, StackId, Tables};
use prost::Message;
use std::collections::HashMap;

/// Builds a profile with an interning string table.
#[derive(Default)]
struct Builder {
    p: pb::Profile,
    strings: HashMap<String, i64>,
}

impl Builder {
    fn new(types: &[(&str, &str)]) -> Self {
        let mut b = Builder::default();
        b.s("");
        for (t, u) in types {
            let vt = pb::ValueType {
                r#type: b.s(t),
                unit: b.s(u),
            };
            b.p.sample_type.push(vt);
        }
        b
    }

    fn heap() -> Self {
        Self::new(&[
            ("alloc_objects", "count"),
            ("alloc_space", "bytes"),
            ("inuse_objects", "count"),
            ("inuse_space", "bytes"),
        ])
    }

    fn s(&mut self, s: &str) -> i64 {
        let next = self.p.string_table.len() as i64;
        let id = *self.strings.entry(s.to_string()).or_insert(next);
        if id == next {
            self.p.string_table.push(s.as_bytes().to_vec());
        }
        id
    }

    /// A function with the next id (or `id` when given).
    fn func(&mut self, name: &str, file: &str) -> u64 {
        let id = self.p.function.len() as u64 + 1;
        self.func_id(id, name, file)
    }

    fn func_id(&mut self, id: u64, name: &str, file: &str) -> u64 {
        let f = pb::Function {
            id,
            name: self.s(name),
            system_name: self.s(name),
            filename: self.s(file),
            start_line: 0,
        };
        self.p.function.push(f);
        id
    }

    /// A location with lines `(function id, line)`, innermost first.
    fn loc(&mut self, lines: &[(u64, i64)]) -> u64 {
        let id = self.p.location.len() as u64 + 1;
        self.loc_id(id, 0x1000 + id, lines)
    }

    fn loc_id(&mut self, id: u64, address: u64, lines: &[(u64, i64)]) -> u64 {
        self.p.location.push(pb::Location {
            id,
            mapping_id: 0,
            address,
            line: lines
                .iter()
                .map(|&(function_id, line)| pb::Line {
                    function_id,
                    line,
                    column: 0,
                })
                .collect(),
            is_folded: false,
        });
        id
    }

    fn sample(&mut self, locs: &[u64], values: &[i64]) -> &mut pb::Sample {
        self.p.sample.push(pb::Sample {
            location_id: locs.to_vec(),
            value: values.to_vec(),
            label: Vec::new(),
        });
        self.p.sample.last_mut().expect("just pushed")
    }

    fn str_label(&mut self, key: &str, value: &str) -> pb::Label {
        pb::Label {
            key: self.s(key),
            str: self.s(value),
            num: 0,
            num_unit: 0,
        }
    }

    fn num_label(&mut self, key: &str, num: i64) -> pb::Label {
        pb::Label {
            key: self.s(key),
            str: 0,
            num,
            num_unit: 0,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        self.p.encode_to_vec()
    }

    fn parse(&self, name: &str) -> Result<Parsed, SkipReason> {
        parse(&self.bytes(), name, &Limits::default())
    }
}

fn names(t: &Tables, stack: StackId) -> Vec<String> {
    t.stack(stack)
        .iter()
        .map(|&f| t.frame_function(f).to_string())
        .collect()
}

fn heap(p: &Parsed) -> &crate::model::HeapData {
    p.snapshot.heap.as_ref().expect("heap data")
}

fn goroutines(p: &Parsed) -> &crate::model::GoroutineData {
    p.snapshot.goroutines.as_ref().expect("goroutine data")
}

fn goroutine_builder(kind: &str) -> Builder {
    Builder::new(&[(kind, "count")])
}

#[test]
fn inlined_frames_are_innermost_first_then_callers() {
    let mut b = Builder::heap();
    let alloc = b.func("main.alloc4k", "/src/leaky/main.go");
    let put = b.func("main.(*cache).put", "/src/leaky/main.go");
    let func2 = b.func("main.main.func2", "/src/leaky/main.go");
    let goexit = b.func("runtime.goexit", "/go/src/runtime/asm_amd64.s");
    let l1 = b.loc(&[(alloc, 31), (put, 35), (func2, 113)]);
    let l2 = b.loc(&[(goexit, 1700)]);
    b.sample(&[l1, l2], &[514, 2105354, 514, 2105354]);
    let p = b.parse("heap.pb.gz").expect("parses");
    assert_eq!(p.snapshot.kind, ProfileKind::Heap);
    let h = heap(&p);
    assert_eq!(h.samples.len(), 1);
    let s = &h.samples.to_vec()[0];
    assert_eq!(
        names(&p.tables, s.stack),
        [
            "main.alloc4k",
            "main.(*cache).put",
            "main.main.func2",
            "runtime.goexit"
        ]
    );
    let frames = p.tables.stack(s.stack);
    assert_eq!(p.tables.frame(frames[0]).line, 31);
    assert_eq!(p.tables.frame(frames[2]).line, 113);
    assert_eq!(p.tables.frame_file(frames[1]), "/src/leaky/main.go");
    assert_eq!(
        (
            s.inuse_objects,
            s.inuse_bytes,
            s.alloc_objects,
            s.alloc_bytes
        ),
        (514, 2105354, 514, 2105354)
    );
}

#[test]
fn location_without_lines_is_named_by_address() {
    let mut b = Builder::heap();
    let f = b.func("main.main", "main.go");
    let bare = b.loc_id(1, 0x6e5046, &[]);
    let named = b.loc_id(2, 0x6e5100, &[(f, 10)]);
    // A line whose function id is unknown is kept, named by the address.
    let dangling = b.loc_id(3, 0xabc, &[(99, 7)]);
    b.sample(&[bare, dangling, named], &[1, 2, 3, 4]);
    let p = b.parse("heap").expect("parses");
    let stack = p.tables.stack(heap(&p).samples.to_vec()[0].stack);
    assert_eq!(
        names(&p.tables, heap(&p).samples.to_vec()[0].stack),
        ["0x6e5046", "0xabc", "main.main"]
    );
    let bare = p.tables.frame(stack[0]);
    assert_eq!((p.tables.str(bare.file), bare.line), ("", 0));
    assert_eq!(p.tables.frame(stack[1]).line, 7);
}

#[test]
fn empty_stack_counts() {
    let mut b = goroutine_builder("goroutine");
    let f = b.func("runtime.gopark", "proc.go");
    let l = b.loc(&[(f, 1)]);
    b.sample(&[], &[1]);
    b.sample(&[l], &[5]);
    let p = b.parse("goroutine").expect("parses");
    let g = goroutines(&p);
    assert_eq!(g.total, 6);
    assert_eq!(g.groups.len(), 2);
    assert!(p.tables.stack(g.groups[0].stack).is_empty());
    assert_eq!(g.groups[0].count, 1);
    assert!(!g.per_goroutine && !g.leak_profile);
    assert_eq!(g.groups[1].wait_reason, None);
}

#[test]
fn recursion_keeps_repeated_locations() {
    let mut b = Builder::heap();
    let f = b.func("main.rec", "r.go");
    let m = b.func("main.main", "r.go");
    let l = b.loc(&[(f, 3)]);
    let lm = b.loc(&[(m, 9)]);
    b.sample(&[l, l, l, lm], &[0, 0, 1, 64]);
    let p = b.parse("heap").expect("parses");
    assert_eq!(
        names(&p.tables, heap(&p).samples.to_vec()[0].stack),
        ["main.rec", "main.rec", "main.rec", "main.main"]
    );
}

#[test]
fn sparse_ids_resolve() {
    let mut b = Builder::heap();
    let f = b.func_id(1 << 40, "main.big", "b.go");
    let g = b.func_id(7, "main.small", "b.go");
    let l1 = b.loc_id(u64::MAX, 1, &[(f, 1)]);
    let l2 = b.loc_id(1000, 2, &[(g, 2)]);
    b.sample(&[l2, l1], &[1, 1, 1, 1]);
    let p = b.parse("heap").expect("parses");
    assert_eq!(
        names(&p.tables, heap(&p).samples.to_vec()[0].stack),
        ["main.small", "main.big"]
    );
}

#[test]
fn generic_shapes_are_normalised() {
    let mut b = Builder::heap();
    let f = b.func("main.Alloc[go.shape.struct { A int; B int }]", "g.go");
    let l = b.loc(&[(f, 5)]);
    b.sample(&[l], &[1, 8, 1, 8]);
    let p = b.parse("heap").expect("parses");
    assert_eq!(
        names(&p.tables, heap(&p).samples.to_vec()[0].stack),
        ["main.Alloc[...]"]
    );
}

/// A Sample written by hand with unpacked `location_id`/`value` fields.
fn unpacked_sample_bytes(locs: &[u64], values: &[i64]) -> Vec<u8> {
    let mut s = Vec::new();
    for &l in locs {
        s.push(0x08);
        prost::encoding::encode_varint(l, &mut s);
    }
    for &v in values {
        s.push(0x10);
        prost::encoding::encode_varint(v as u64, &mut s);
    }
    let mut field = vec![0x12]; // Profile.sample, field 2, length-delimited
    prost::encoding::encode_varint(s.len() as u64, &mut field);
    field.extend(s);
    field
}

#[test]
fn unpacked_sample_fields_decode() {
    let mut b = Builder::heap();
    let f = b.func("main.f", "f.go");
    let g = b.func("main.g", "f.go");
    let lf = b.loc(&[(f, 1)]);
    let lg = b.loc(&[(g, 2)]);
    let mut data = b.bytes();
    data.extend(unpacked_sample_bytes(&[lf, lg], &[1, 100, -2, -200]));
    let p = parse(&data, "heap", &Limits::default()).expect("parses");
    let s = &heap(&p).samples.to_vec()[0];
    assert_eq!(names(&p.tables, s.stack), ["main.f", "main.g"]);
    assert_eq!((s.alloc_objects, s.alloc_bytes), (1, 100));
    assert_eq!((s.inuse_objects, s.inuse_bytes), (-2, -200));
}

#[test]
fn string_table_may_come_first_or_last() {
    let mut b = goroutine_builder("goroutine");
    let f = b.func("main.blocked", "m.go");
    let l = b.loc(&[(f, 4)]);
    b.sample(&[l], &[3]);
    b.p.time_nanos = 1_700_000_000_000_000_000;
    let strings = pb::Profile {
        string_table: std::mem::take(&mut b.p.string_table),
        ..Default::default()
    }
    .encode_to_vec();
    let rest = b.p.encode_to_vec();
    let first: Vec<u8> = strings.iter().chain(&rest).copied().collect();
    let last: Vec<u8> = rest.iter().chain(&strings).copied().collect();
    assert_eq!(first[0], 0x32, "string table written first");
    assert_eq!(last[0], 0x0a, "sample_type written first");
    for data in [first, last] {
        assert!(looks_like_profile(&data));
        let p = parse(&data, "goroutine", &Limits::default()).expect("parses");
        let g = goroutines(&p);
        assert_eq!(g.total, 3);
        assert_eq!(names(&p.tables, g.groups[0].stack), ["main.blocked"]);
        assert_eq!(p.snapshot.embedded_time, Some(1_700_000_000_000_000_000));
    }
}

#[test]
fn subset_of_sample_types() {
    let mut b = Builder::new(&[("inuse_space", "bytes")]);
    let f = b.func("main.f", "f.go");
    let l = b.loc(&[(f, 1)]);
    b.sample(&[l], &[4096]);
    let p = b.parse("heap").expect("parses");
    assert_eq!(p.snapshot.kind, ProfileKind::Heap);
    let h = heap(&p);
    assert!(h.has_inuse && !h.has_alloc);
    assert_eq!(h.sample_types, ["inuse_space"]);
    let s = &h.samples.to_vec()[0];
    assert_eq!(
        (s.inuse_bytes, s.inuse_objects, s.alloc_bytes),
        (4096, 0, 0)
    );
    assert_eq!(p.snapshot.inuse_bytes(), Some(4096));

    // Only alloc_space: the effective default (the last type) is an alloc
    // type, so this is allocs data with no in-use values.
    let mut b = Builder::new(&[("alloc_space", "bytes")]);
    b.sample(&[], &[10]);
    let p = b.parse("heap").expect("parses");
    assert_eq!(p.snapshot.kind, ProfileKind::Allocs);
    let h = heap(&p);
    assert!(!h.has_inuse && h.has_alloc);
    assert_eq!(h.samples.to_vec()[0].alloc_bytes, 10);
    assert_eq!(p.snapshot.inuse_bytes(), None);
}

#[test]
fn sample_types_found_by_name_not_position() {
    let mut b = Builder::new(&[("inuse_space", "bytes"), ("alloc_objects", "count")]);
    b.sample(&[], &[7, 3]);
    let p = b.parse("heap").expect("parses");
    let s = &heap(&p).samples.to_vec()[0];
    assert_eq!((s.inuse_bytes, s.alloc_objects), (7, 3));
}

#[test]
fn allocs_default_sample_type() {
    let mut b = Builder::heap();
    b.p.default_sample_type = b.s("alloc_space");
    b.p.period = 524288;
    b.sample(&[], &[1, 2, 3, 4]);
    let p = b.parse("allocs").expect("parses");
    assert_eq!(p.snapshot.kind, ProfileKind::Allocs);
    let h = heap(&p);
    assert!(h.has_inuse && h.has_alloc && !h.delta);
    assert_eq!(h.period, 524288);
    // Unset default: the last type (inuse_space) → heap.
    let mut b = Builder::heap();
    b.sample(&[], &[1, 2, 3, 4]);
    assert_eq!(
        b.parse("allocs").expect("parses").snapshot.kind,
        ProfileKind::Heap
    );
}

#[test]
fn object_size_from_bytes_label() {
    let mut b = Builder::heap();
    let label = b.num_label("bytes", 4096);
    b.sample(&[], &[1, 4096, 1, 4096]).label.push(label);
    b.sample(&[], &[1, 8, 1, 8]);
    let p = b.parse("heap").expect("parses");
    let v = heap(&p).samples.to_vec();
    assert_eq!(v[0].object_size, Some(4096));
    assert_eq!(v[1].object_size, None);
}

#[test]
fn goroutineleak_profile() {
    let mut b = goroutine_builder("goroutineleak");
    let f = b.func("runtime.gopark", "proc.go");
    let g = b.func("main.leak", "m.go");
    let l = b.loc(&[(f, 1)]);
    let lg = b.loc(&[(g, 2)]);
    b.sample(&[l, lg], &[4]);
    b.sample(&[l, lg], &[2]);
    let p = b.parse("goroutineleak").expect("parses");
    assert_eq!(p.snapshot.kind, ProfileKind::GoroutineLeak);
    let g = goroutines(&p);
    assert!(g.leak_profile);
    assert_eq!(g.total, 6);
    assert_eq!(g.groups.len(), 1, "same stack, same labels: merged");
    assert_eq!((g.groups[0].count, g.groups[0].leaked), (6, 6));
}

#[test]
fn goroutine_labels_sorted_and_grouped() {
    let mut b = goroutine_builder("goroutine");
    let f = b.func("main.worker", "w.go");
    let l = b.loc(&[(f, 1)]);
    for (worker, n) in [("w1", 2), ("w0", 1), ("w1", 3)] {
        let a = b.str_label("worker", worker);
        let z = b.str_label("a key", "x y");
        let num = b.num_label("attempt", 2);
        b.sample(&[l], &[n]).label.extend([a, z, num]);
    }
    let p = b.parse("goroutine").expect("parses");
    let g = goroutines(&p);
    assert_eq!(g.total, 6);
    assert_eq!(g.groups.len(), 2);
    let t = &p.tables;
    let text = |grp: &crate::model::GoroutineGroup| -> Vec<(String, String)> {
        grp.labels
            .iter()
            .map(|&(k, v)| (t.str(k).to_string(), t.str(v).to_string()))
            .collect()
    };
    assert_eq!(g.groups[0].count, 5);
    assert_eq!(
        text(&g.groups[0]),
        [
            ("a key".to_string(), "x y".to_string()),
            ("attempt".to_string(), "2".to_string()),
            ("worker".to_string(), "w1".to_string())
        ]
    );
    assert_eq!(g.groups[1].count, 1);
    assert_eq!(text(&g.groups[1])[2].1, "w0");
}

#[test]
fn delta_heap_profile() {
    let mut b = Builder::heap();
    b.p.duration_nanos = 420_000_000_000;
    b.p.time_nanos = 5;
    b.sample(&[], &[-1, -10, 2, 20]);
    let p = b.parse("heap").expect("parses");
    let h = heap(&p);
    assert!(h.delta);
    assert_eq!(h.samples.to_vec()[0].alloc_bytes, -10);
    assert_eq!(p.snapshot.duration_nanos, Some(420_000_000_000));
    assert_eq!(p.snapshot.embedded_time, Some(5));
    assert_eq!(
        p.snapshot.warnings,
        ["delta profile: values are differences over 420 s"]
    );
}

#[test]
fn goroutine_delta_is_not_used() {
    let mut b = goroutine_builder("goroutine");
    b.p.duration_nanos = 1_500_000_000;
    b.sample(&[], &[-1]);
    assert_eq!(
        b.parse("goroutine").err(),
        Some(SkipReason::NotUsed(
            "goroutine delta profile (counts are differences over 1.5 s)".into()
        ))
    );
}

/// Sample types, file name, expected reason.
type NotUsedCase<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

#[test]
fn other_profiles_are_not_used() {
    let cases: &[NotUsedCase] = &[
        (
            &[("samples", "count"), ("cpu", "nanoseconds")],
            "profile",
            "CPU profile",
        ),
        (
            &[("contentions", "count"), ("delay", "nanoseconds")],
            "x/mutex.pb.gz",
            "mutex profile",
        ),
        (
            &[("contentions", "count"), ("delay", "nanoseconds")],
            "block-3.pprof",
            "block profile",
        ),
        (
            &[("contentions", "count"), ("delay", "nanoseconds")],
            "p.pb",
            "block or mutex profile",
        ),
        (
            &[("threadcreate", "count")],
            "threadcreate",
            "threadcreate profile",
        ),
        (
            &[("objects", "count"), ("space", "bytes")],
            "cpp.heap",
            "pprof profile with sample types objects/count, space/bytes (not a Go heap or goroutine profile)",
        ),
    ];
    for (types, name, want) in cases {
        let mut b = Builder::new(types);
        b.sample(&[], &vec![1; types.len()]);
        assert_eq!(
            b.parse(name).err(),
            Some(SkipReason::NotUsed(want.to_string())),
            "{name}"
        );
    }
}

#[test]
fn process_from_first_mapping() {
    let mut b = Builder::heap();
    for (id, file, build) in [
        (1, "/usr/local/bin/leaky", "abc123"),
        (2, "/lib/libc.so.6", "zz"),
    ] {
        let m = pb::Mapping {
            id,
            filename: b.s(file),
            build_id: b.s(build),
            has_functions: true,
            ..Default::default()
        };
        b.p.mapping.push(m);
    }
    b.sample(&[], &[0, 0, 0, 0]);
    let p = b.parse("heap").expect("parses");
    assert_eq!(p.snapshot.process.binary.as_deref(), Some("leaky"));
    assert_eq!(p.snapshot.process.build_id.as_deref(), Some("abc123"));
    assert_eq!(p.snapshot.format, crate::model::Format::Pprof);
    // No mappings: nothing known.
    let mut b = Builder::heap();
    b.sample(&[], &[0, 0, 0, 0]);
    let p = b.parse("heap").expect("parses");
    assert_eq!(p.snapshot.process, crate::model::Process::default());
    assert_eq!(p.snapshot.embedded_time, None);
}

#[test]
fn deep_stacks_are_cut_at_the_root_with_a_warning() {
    let mut b = goroutine_builder("goroutine");
    let fs: Vec<u64> = (0..5)
        .map(|i| b.func(&format!("main.f{i}"), "d.go"))
        .collect();
    let locs: Vec<u64> = fs.iter().map(|&f| b.loc(&[(f, 1)])).collect();
    b.sample(&locs, &[1]);
    b.sample(&locs[..2], &[1]);
    let limits = Limits {
        max_stack_depth: 3,
        ..Limits::default()
    };
    let p = parse(&b.bytes(), "goroutine", &limits).expect("parses");
    let g = goroutines(&p);
    assert_eq!(
        names(&p.tables, g.groups[0].stack),
        ["main.f0", "main.f1", "main.f2"]
    );
    assert!(g.groups[0].elided);
    assert!(!g.groups[1].elided);
    assert_eq!(
        p.snapshot.warnings,
        [
            "1 stack(s) deeper than 3 frames were cut to their 3 leaf-most frames (raise the limit with --max-stack-depth)"
        ]
    );
}

fn malformed_detail(r: Result<Parsed, SkipReason>) -> String {
    match r {
        Err(SkipReason::Malformed { format, detail }) => {
            assert_eq!(format, "pprof profile");
            detail
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn malformed_profiles_are_refused_like_pprof() {
    // Value count mismatch.
    let mut b = Builder::heap();
    b.sample(&[], &[1, 2]);
    assert!(malformed_detail(b.parse("h")).contains("2 values for 4 sample types"));
    // Unknown location.
    let mut b = Builder::heap();
    b.sample(&[42], &[1, 2, 3, 4]);
    assert!(malformed_detail(b.parse("h")).contains("unknown location id 42"));
    // String index out of range.
    let mut b = Builder::heap();
    b.p.function.push(pb::Function {
        id: 1,
        name: 999,
        ..Default::default()
    });
    assert!(malformed_detail(b.parse("h")).contains("string index 999"));
    // Duplicate and zero ids.
    let mut b = Builder::heap();
    b.loc_id(3, 0, &[]);
    b.loc_id(3, 0, &[]);
    assert!(malformed_detail(b.parse("h")).contains("multiple locations with the same id 3"));
    let mut b = Builder::heap();
    b.func_id(0, "f", "f.go");
    assert!(malformed_detail(b.parse("h")).contains("reserved id 0"));
    // First string not empty.
    let mut b = Builder::heap();
    b.p.string_table[0] = b"x".to_vec();
    assert!(malformed_detail(b.parse("h")).contains("string_table[0]"));
    // Negative goroutine count outside a delta profile.
    let mut b = goroutine_builder("goroutine");
    b.sample(&[], &[-3]);
    assert!(malformed_detail(b.parse("g")).contains("negative goroutine count"));
    // Two profiles concatenated.
    let mut b = Builder::heap();
    b.p.time_nanos = 9;
    let mut data = b.bytes();
    data.extend(b.bytes());
    assert!(malformed_detail(parse(&data, "h", &Limits::default())).contains("concatenated"));
    // Truncated protobuf.
    let mut b = Builder::heap();
    b.sample(&[], &[1, 2, 3, 4]);
    let data = b.bytes();
    assert!(parse(&data[..data.len() - 3], "h", &Limits::default()).is_err());
    // Empty input.
    assert_eq!(
        parse(&[], "h", &Limits::default()).err(),
        Some(SkipReason::Empty)
    );
}

#[test]
fn invalid_utf8_strings_are_replaced() {
    let mut b = goroutine_builder("goroutine");
    let mut label = b.str_label("k", "v");
    b.p.string_table.push(vec![b'a', 0xff, b'b']);
    label.str = b.p.string_table.len() as i64 - 1;
    b.sample(&[], &[1]).label.push(label);
    let p = b.parse("g").expect("parses");
    let (_, v) = goroutines(&p).groups[0].labels[0];
    assert_eq!(p.tables.str(v), "a\u{fffd}b");
}

#[test]
fn looks_like_profile_checks() {
    let mut b = goroutine_builder("goroutine");
    b.sample(&[], &[1]);
    assert!(looks_like_profile(&b.bytes()));
    // No sample type: not recognised (and parse says not used).
    let empty = pb::Profile {
        string_table: vec![Vec::new()],
        ..Default::default()
    };
    assert!(!looks_like_profile(&empty.encode_to_vec()));
    assert!(matches!(
        parse(&empty.encode_to_vec(), "x", &Limits::default()),
        Err(SkipReason::NotUsed(_))
    ));
    assert!(!looks_like_profile(b"goroutine profile: total 1\n"));
    assert!(!looks_like_profile(&[]));
}

/// Decoding once says what walking then decoding said: a profile (or a
/// broken one) for exactly the bytes [`looks_like_profile`] accepts, with
/// the same result as [`parse_with`]; other bytes give the tables back.
#[test]
fn parse_if_profile_agrees_with_the_walk() {
    let mut b = goroutine_builder("goroutine");
    b.sample(&[], &[1]);
    let good = b.bytes();
    let mut inputs: Vec<Vec<u8>> = vec![
        good.clone(),
        // Two concatenated (time_nanos twice).
        [good.clone(), good.clone()].concat(),
        Vec::new(),
        b"goroutine profile: total 1\n".to_vec(),
        pb::Profile {
            string_table: vec![Vec::new()],
            ..Default::default()
        }
        .encode_to_vec(),
        // Field 0, a group wire type, a field past the end.
        [good.clone(), vec![0x00, 0x01]].concat(),
        [good.clone(), vec![0xa3, 0x01]].concat(),
        [good.clone(), vec![0x12, 0x7f]].concat(),
        // A sample whose location id is not a varint: the walk accepts
        // the top level, the decoder refuses the sample.
        [good.clone(), vec![0x12, 0x02, 0x0a, 0xff]].concat(),
        // A first string that is not empty.
        [good.clone(), vec![0x32, 0x01, b'x']].concat(),
    ];
    inputs.extend((1..good.len()).step_by(7).map(|n| good[..n].to_vec()));
    let limits = Limits::default();
    let mut profiles = 0;
    for data in &inputs {
        let walked = looks_like_profile(data);
        match parse_if_profile(data, "p", &limits, Tables::new()) {
            Attempt::Parsed(got) => {
                assert!(walked, "{data:?}");
                let want = parse_with(data, "p", &limits, Tables::new());
                // The snapshots (the tables differ in their hash seeds).
                let seen = |r: Result<Parsed, SkipReason>| r.map(|p| format!("{:?}", p.snapshot));
                assert_eq!(seen(got), seen(want));
                profiles += 1;
            }
            Attempt::NotAProfile(_) => assert!(!walked, "{data:?}"),
        }
    }
    assert!(profiles >= 4, "{profiles}");
}

/// `../shared/public-dumps` beside the crate, if present.
fn public_dump(rel: &str) -> Option<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/public-dumps");
    match std::fs::read(dir.join(rel)) {
        Ok(d) => Some(d),
        Err(_) => {
            eprintln!("note: {rel} not found under {}, skipped", dir.display());
            None
        }
    }
}

#[test]
fn public_go_nomappings_crash() {
    let Some(gz) = public_dump("google-pprof/internal/driver/testdata/go.nomappings.crash") else {
        return;
    };
    assert!(!looks_like_profile(&gz), "gzip bytes are not raw protobuf");
    let raw = crate::ingest::decompress::gunzip(&gz, 1 << 20).expect("gunzip");
    assert!(looks_like_profile(&raw));
    let p = parse(&raw, "go.nomappings.crash", &Limits::default()).expect("parses");
    let s: &Snapshot = &p.snapshot;
    assert_eq!(s.kind, ProfileKind::Heap);
    let h = heap(&p);
    assert_eq!(h.samples.len(), 2);
    assert_eq!(h.inuse_bytes_total(), 1765955);
    assert_eq!(h.inuse_objects_total(), 2);
    assert_eq!(
        h.samples.iter().map(|x| x.alloc_bytes).sum::<i64>(),
        1765955
    );
    assert_eq!(s.process, crate::model::Process::default());
    // Unsymbolised: every frame is an address.
    for sample in &h.samples {
        let n = names(&p.tables, sample.stack);
        assert!(!n.is_empty());
        assert!(n.iter().all(|f| f.starts_with("0x")), "{n:?}");
    }
}

/// A small deterministic generator for the sequence tests.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Heap profiles of one process as a soak test takes them: the same pool
/// of stacks in much the same order, with new ones put first, some gone,
/// some moved, locations renumbered (ids in order of first use, as the Go
/// runtime writes them), inlined locations, stacks deeper than the limit
/// and samples with no location. `places` locations in all: with more than
/// 127, ids take one byte or two (the converter reads both inline), and
/// the locations share four frames, so that an id read wrong would often
/// give the frame the last profile predicts (and a wrong stack).
fn drifting_profiles(seed: u64, count: usize, places: usize) -> Vec<(Vec<u8>, Vec<Vec<String>>)> {
    let mut rng = seed;
    let few = places > 127;
    // A location is a list of (function index, line), innermost first.
    let locations: Vec<Vec<(usize, i64)>> = (0..places)
        .map(|i| {
            let inlined = usize::from(xorshift(&mut rng).is_multiple_of(4)) * 2;
            (0..=inlined)
                .map(|k| match few {
                    true => ((i + k) % 4, 1),
                    false => ((i + k * 7) % 25, i as i64 * 10 + k as i64),
                })
                .collect()
        })
        .collect();
    let random_stack = |rng: &mut u64| -> Vec<usize> {
        let depth = (xorshift(rng) % 12) as usize;
        (0..depth)
            .map(|_| (xorshift(rng) % places as u64) as usize)
            .collect()
    };
    let mut pool: Vec<Vec<usize>> = (0..30).map(|_| random_stack(&mut rng)).collect();
    let mut out = Vec::new();
    for _ in 0..count {
        match xorshift(&mut rng) % 5 {
            0 => pool.insert(0, random_stack(&mut rng)),
            1 if pool.len() > 2 => {
                let i = (xorshift(&mut rng) % pool.len() as u64) as usize;
                pool.remove(i);
            }
            2 => {
                let i = (xorshift(&mut rng) % pool.len() as u64) as usize;
                let s = pool.remove(i);
                let j = (xorshift(&mut rng) % (pool.len() as u64 + 1)) as usize;
                pool.insert(j, s);
            }
            3 => {
                // One stack grows a frame at its leaf.
                let i = (xorshift(&mut rng) % pool.len() as u64) as usize;
                let leaf = (xorshift(&mut rng) % places as u64) as usize;
                pool[i].insert(0, leaf);
            }
            _ => {}
        }
        let mut b = Builder::heap();
        let funcs: Vec<u64> = (0..25)
            .map(|f| b.func(&format!("main.f{f}"), "f.go"))
            .collect();
        // Location ids in order of first use.
        let mut ids: HashMap<usize, u64> = HashMap::new();
        let mut expected = Vec::new();
        for stack in &pool {
            let mut locs = Vec::new();
            let mut frames = Vec::new();
            for &l in stack {
                let id = match ids.get(&l) {
                    Some(&id) => id,
                    None => {
                        let lines: Vec<(u64, i64)> = locations[l]
                            .iter()
                            .map(|&(f, line)| (funcs[f], line))
                            .collect();
                        let id = b.loc(&lines);
                        ids.insert(l, id);
                        id
                    }
                };
                locs.push(id);
                frames.extend(locations[l].iter().map(|&(f, _)| format!("main.f{f}")));
            }
            frames.truncate(6);
            b.sample(&locs, &[1, 2, 3, 4]);
            expected.push(frames);
        }
        out.push((b.bytes(), expected));
    }
    out
}

#[test]
fn stacks_predicted_from_the_last_profile_are_the_stacks_read_afresh() {
    let limits = Limits {
        max_stack_depth: 6,
        ..Limits::default()
    };
    // 40 places: one-byte ids; 300: ids of one and two bytes.
    for (seed, places) in [(1, 40), (7, 40), (42, 300), (1234, 40), (99999, 300)] {
        let mut tables = Tables::new();
        for (n, (data, expected)) in drifting_profiles(seed, 25, places).into_iter().enumerate() {
            let fresh = parse(&data, "heap", &limits).expect("parses");
            let p = parse_with(&data, "heap", &limits, tables).expect("parses");
            let got: Vec<Vec<String>> = heap(&p)
                .samples
                .iter()
                .map(|s| names(&p.tables, s.stack))
                .collect();
            let afresh: Vec<Vec<String>> = heap(&fresh)
                .samples
                .iter()
                .map(|s| names(&fresh.tables, s.stack))
                .collect();
            assert_eq!(got, expected, "seed {seed}, {places} places, profile {n}");
            assert_eq!(afresh, expected, "seed {seed}, profile {n}");
            assert_eq!(p.snapshot.warnings, fresh.snapshot.warnings);
            tables = p.tables;
        }
    }
}

#[test]
fn location_ids_in_two_runs_or_malformed_read_as_the_general_reader_does() {
    let mut b = Builder::heap();
    let f = b.func("main.f", "f.go");
    let g = b.func("main.g", "f.go");
    let lf = b.loc(&[(f, 1)]);
    let lg = b.loc(&[(g, 2)]);
    let head = b.bytes();
    // A sample: packed ids [lf], packed ids [lg] (runs are appended), values.
    let sample = |ids: &[&[u8]]| {
        let mut s = Vec::new();
        for run in ids {
            s.push(0x0a);
            s.push(run.len() as u8);
            s.extend_from_slice(run);
        }
        s.extend_from_slice(&[0x12, 4, 1, 2, 3, 4]);
        let mut field = vec![0x12, s.len() as u8];
        field.extend(s);
        field
    };
    let mut data = head.clone();
    data.extend(sample(&[&[lf as u8], &[lg as u8]]));
    data.extend(sample(&[&[lf as u8, lg as u8]]));
    let p = parse(&data, "heap", &Limits::default()).expect("parses");
    for s in &heap(&p).samples {
        assert_eq!(names(&p.tables, s.stack), ["main.f", "main.g"]);
    }
    // A varint cut short inside the packed ids.
    let mut data = head.clone();
    data.extend(sample(&[&[lf as u8, 0x80]]));
    let detail = malformed_detail(parse(&data, "heap", &Limits::default()));
    assert!(
        detail.contains("invalid packed varint in field 1"),
        "{detail}"
    );
    // The same after a profile that predicts the stack.
    let mut data = head;
    data.extend(sample(&[&[lf as u8, lg as u8]]));
    let first = parse(&data, "heap", &Limits::default()).expect("parses");
    let mut bad = data.clone();
    bad.extend(sample(&[&[lf as u8, lg as u8, 0x80]]));
    let r = parse_with(&bad, "heap", &Limits::default(), first.tables);
    assert!(malformed_detail(r).contains("invalid packed varint"));
}

/// A steady stream of profiles (the same location table each time) takes a
/// sample's stack from the previous profile's sample at the same place when
/// their location ids are the same bytes. Those bytes must not be trusted
/// when the ids name other frames: here profile `b` has the samples of `a`,
/// byte for byte, over a location table whose ids name other functions.
#[test]
fn steady_profiles_reuse_stacks_only_while_the_ids_mean_the_same() {
    let limits = Limits {
        max_stack_depth: 3,
        ..Limits::default()
    };
    // `swap`: ids 1 and 2 name g and f instead of f and g.
    let profile = |swap: bool, extra: bool| {
        let mut b = Builder::heap();
        let f = b.func("main.f", "f.go");
        let g = b.func("main.g", "g.go");
        let h = b.func("main.h", "h.go");
        let (first, second) = if swap { (g, f) } else { (f, g) };
        let l1 = b.loc(&[(first, 1)]);
        let l2 = b.loc(&[(second, 2)]);
        // An inlined location: two frames.
        let l3 = b.loc(&[(h, 3), (first, 4)]);
        b.sample(&[l1, l2], &[1, 2, 3, 4]);
        b.sample(&[l3, l1], &[1, 2, 3, 4]);
        // Deeper than the limit: cut, every time.
        b.sample(&[l1, l2, l3, l2], &[1, 2, 3, 4]);
        b.sample(&[], &[1, 2, 3, 4]);
        if extra {
            b.sample(&[l2], &[5, 6, 7, 8]);
        }
        b.sample(&[l2, l1], &[1, 2, 3, 4]);
        b.bytes()
    };
    let (a, b, a_more) = (
        profile(false, false),
        profile(true, false),
        profile(false, true),
    );
    let mut tables = Tables::new();
    for (n, data) in [
        &a, &a, &a, &a, &b, &b, &b, &a, &a_more, &a_more, &a_more, &a,
    ]
    .into_iter()
    .enumerate()
    {
        let fresh = parse(data, "heap", &limits).expect("parses");
        let p = parse_with(data, "heap", &limits, tables).expect("parses");
        let stacks = |p: &Parsed| -> Vec<Vec<String>> {
            heap(p)
                .samples
                .iter()
                .map(|s| names(&p.tables, s.stack))
                .collect()
        };
        assert_eq!(stacks(&p), stacks(&fresh), "profile {n}");
        assert_eq!(p.snapshot.warnings, fresh.snapshot.warnings, "profile {n}");
        tables = p.tables;
    }
}
