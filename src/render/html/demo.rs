//! A small hand-built archive with its analysis: a producer goroutine leak
//! (blocked on `ch <- r`, the article's example) that also retains heap.
//! Used by the HTML tests, the browser test and to draw the README
//! screenshot; with `hostile` set, names, paths and labels carry markup and
//! control characters to prove that everything from a dump stays text.

use crate::analysis::{
    Analysis, Cause, Finding, FindingKind, GrowthStats, IgnoreHit, KindCounts, MemorySeries,
    Options, ProcessInfo, Series, Severity, Shape, Thresholds, TrackedSeries, Verdict, analyze,
};
use crate::model::{
    Archive, Format, GoroutineData, GoroutineGroup, HeapData, HeapSample, MemStats, MemValue,
    Process, ProfileKind, Skipped, Snapshot, StackId, Tables, TimeSource,
};
use crate::render::{Meta, ReportInput};

/// Markup and control characters used as names in the hostile variant.
pub const HOSTILE: [&str; 5] = [
    "<img src=x onerror=alert(1)>",
    "\"><script>alert(1)</script>",
    "]]>",
    "-->",
    "a;b\x07\x1b[31m",
];

/// A demo archive, its analysis and run facts.
#[derive(Debug)]
pub struct Demo {
    /// The archive.
    pub archive: Archive,
    /// Its (hand-made) analysis.
    pub analysis: Analysis,
    /// Run facts.
    pub meta: Meta,
}

impl Demo {
    /// The exporter input.
    pub fn input(&self) -> ReportInput<'_> {
        ReportInput {
            archive: &self.archive,
            analysis: &self.analysis,
            meta: &self.meta,
            extras: None,
        }
    }
}

const T0: i64 = 1_795_000_000_000_000_000;
const STEP: i64 = 600_000_000_000;
const KIB: i64 = 1024;
const MIB: i64 = 1024 * 1024;
const MOMENTS: usize = 6;

fn stack(t: &mut Tables, frames: &[(&str, &str, u32)]) -> StackId {
    let ids: Vec<_> = frames
        .iter()
        .map(|(f, file, l)| t.intern_frame(f, file, *l))
        .collect();
    t.intern_stack(&ids)
}

fn sample(stack: StackId, bytes: i64, size: i64) -> HeapSample {
    HeapSample {
        stack,
        inuse_objects: bytes / size.max(1),
        inuse_bytes: bytes,
        alloc_objects: 3 * bytes / size.max(1),
        alloc_bytes: 3 * bytes,
        object_size: Some(size),
    }
}

fn stats(first: f64, last: f64, per_hour: f64, shape: Shape) -> GrowthStats {
    GrowthStats {
        first,
        last,
        delta: last - first,
        max: first.max(last),
        grew_intervals: if shape == Shape::Growing {
            MOMENTS - 1
        } else {
            0
        },
        intervals: MOMENTS - 1,
        slope_per_hour: per_hour,
        mk_s: if shape == Shape::Growing { 15 } else { 0 },
        mk_p: if shape == Shape::Growing { 0.0085 } else { 1.0 },
        last_third_grows: shape == Shape::Growing,
        shape,
    }
}

fn series(f: impl Fn(usize) -> f64) -> Series {
    Series {
        times: (0..MOMENTS).map(|i| T0 + i as i64 * STEP).collect(),
        values: (0..MOMENTS).map(f).collect(),
    }
}

/// The names of the demo, hostile or not.
struct Names {
    hostile: bool,
    produce: String,
    produce_file: String,
    handler: String,
}

impl Names {
    fn new(hostile: bool) -> Self {
        let mut n = Names {
            hostile,
            produce: String::new(),
            produce_file: String::new(),
            handler: String::new(),
        };
        n.produce = n.h(0, "main.produce");
        n.produce_file = n.h(1, "/src/chan-send-leak/main.go");
        n.handler = n.h(4, "main.handleRequest");
        n
    }

    /// `normal`, with hostile payload `i` appended in the hostile variant.
    fn h(&self, i: usize, normal: &'static str) -> String {
        if self.hostile {
            format!("{normal}{}", HOSTILE[i % HOSTILE.len()])
        } else {
            normal.to_string()
        }
    }
}

/// The interned stacks and strings of the demo archive.
struct Ids {
    leak_stack: StackId,
    worker_stack: StackId,
    serve_stack: StackId,
    hostile_stack: StackId,
    heap_leak: StackId,
    heap_config: StackId,
    heap_json: StackId,
    hostile_heap: StackId,
    created_by: crate::model::FrameId,
    label_k: crate::model::StrId,
    label_v: crate::model::StrId,
    chan_send: crate::model::StrId,
}

/// Interns the heap profiles' stacks: (leak, config, json, hostile).
fn heap_stacks(t: &mut Tables, n: &Names) -> (StackId, StackId, StackId, StackId) {
    let (produce, produce_file, handler) = (&n.produce, &n.produce_file, &n.handler);
    let h = |i, normal| n.h(i, normal);
    let heap_leak = stack(
        t,
        &[
            (produce, produce_file, 85),
            (
                "runtime.goexit",
                "/usr/local/go/src/runtime/asm_amd64.s",
                1700,
            ),
        ],
    );
    let heap_config = stack(
        t,
        &[
            ("main.loadConfig", "/src/chan-send-leak/config.go", 22),
            ("main.main", "/src/chan-send-leak/main.go", 131),
            ("runtime.main", "/usr/local/go/src/runtime/proc.go", 283),
        ],
    );
    let heap_json = stack(
        t,
        &[
            (
                "encoding/json.(*decodeState).object",
                "/usr/local/go/src/encoding/json/decode.go",
                640,
            ),
            (
                "encoding/json.Unmarshal",
                "/usr/local/go/src/encoding/json/decode.go",
                114,
            ),
            (handler, "/src/chan-send-leak/main.go", 66),
            (
                "net/http.HandlerFunc.ServeHTTP",
                "/usr/local/go/src/net/http/server.go",
                2294,
            ),
        ],
    );
    let hostile_heap = stack(
        t,
        &[
            (&h(0, "main.cache"), &h(1, "/src/cache.go"), 9),
            ("main.main", "/src/chan-send-leak/main.go", 131),
        ],
    );
    (heap_leak, heap_config, heap_json, hostile_heap)
}

/// Interns the demo's stacks.
fn intern(t: &mut Tables, n: &Names) -> Ids {
    let (produce, produce_file, handler) = (&n.produce, &n.produce_file, &n.handler);
    let h = |i, normal| n.h(i, normal);
    let leak_stack = stack(
        t,
        &[
            ("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 460),
            ("runtime.chansend", "/usr/local/go/src/runtime/chan.go", 283),
            (
                "runtime.chansend1",
                "/usr/local/go/src/runtime/chan.go",
                161,
            ),
            (produce, produce_file, 88),
        ],
    );
    let worker_stack = stack(
        t,
        &[
            ("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 460),
            (
                "runtime.selectgo",
                "/usr/local/go/src/runtime/select.go",
                351,
            ),
            ("main.worker", "/src/chan-send-leak/main.go", 120),
        ],
    );
    let serve_stack = stack(
        t,
        &[
            ("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 460),
            (
                "runtime.netpollblock",
                "/usr/local/go/src/runtime/netpoll.go",
                575,
            ),
            (
                "internal/poll.runtime_pollWait",
                "/usr/local/go/src/runtime/netpoll.go",
                351,
            ),
            (
                "net.(*netFD).accept",
                "/usr/local/go/src/net/fd_unix.go",
                172,
            ),
            (
                "net/http.(*Server).Serve",
                "/usr/local/go/src/net/http/server.go",
                3454,
            ),
            ("main.main", "/src/chan-send-leak/main.go", 140),
            ("runtime.main", "/usr/local/go/src/runtime/proc.go", 283),
        ],
    );
    let hostile_stack = stack(
        t,
        &[
            ("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 460),
            (&h(2, "main.odd"), &h(3, "/src/odd.go"), 7),
            (&h(1, "main.start"), "/src/odd.go", 3),
        ],
    );
    let (heap_leak, heap_config, heap_json, hostile_heap) = heap_stacks(t, n);
    let created_by = t.intern_frame(handler, "/src/chan-send-leak/main.go", 70);
    let label_k = t.intern_str(&h(1, "handler"));
    let label_v = t.intern_str(&h(0, "/api/items"));
    let chan_send = t.intern_str("chan send");

    Ids {
        leak_stack,
        worker_stack,
        serve_stack,
        hostile_stack,
        heap_leak,
        heap_config,
        heap_json,
        hostile_heap,
        created_by,
        label_k,
        label_v,
        chan_send,
    }
}

/// The heap profile of moment `i`.
fn heap_snapshot(i: usize, ids: &Ids, n: &Names) -> Snapshot {
    let (hostile, h) = (n.hostile, |i, normal| n.h(i, normal));
    let Ids {
        heap_leak,
        heap_config,
        heap_json,
        hostile_heap,
        ..
    } = *ids;
    let time = T0 + i as i64 * STEP;
    let leaked = 8 * (i as u64 + 1);
    let mut heap = Snapshot::new(Format::HeapText, ProfileKind::Heap);
    heap.path = format!(
        "heap-{:02}{}.txt",
        i + 1,
        if hostile { HOSTILE[i % 5] } else { "" }
    );
    heap.time = Some(time);
    heap.time_source = TimeSource::FileName;
    heap.moment = i;
    heap.file_size = 4000 + 100 * i as u64;
    let mut samples = vec![
        sample(heap_leak, leaked as i64 * 64 * KIB, 64 * KIB),
        sample(heap_config, 2 * MIB, 512),
        sample(
            heap_json,
            if i.is_multiple_of(2) {
                256 * KIB
            } else {
                128 * KIB
            },
            1024,
        ),
    ];
    if hostile {
        samples.push(sample(hostile_heap, 300 * KIB, 4096));
    }
    let total: i64 = samples.iter().map(|s| s.inuse_bytes).sum();
    heap.heap = Some(HeapData {
        period: 512 * KIB,
        sample_types: vec!["inuse_objects".into(), "inuse_space".into()],
        has_inuse: true,
        has_alloc: true,
        delta: false,
        samples: samples.into(),
    });
    let mut ms = MemStats::default();
    let inuse = (total + 3 * MIB) as u64;
    let heap_sys = if i < 3 {
        16 * MIB as u64
    } else {
        20 * MIB as u64
    };
    ms.set("HeapInuse", MemValue::U64(inuse));
    ms.set("HeapAlloc", MemValue::U64(inuse - 512 * KIB as u64));
    ms.set("HeapSys", MemValue::U64(heap_sys));
    ms.set("Sys", MemValue::U64(heap_sys + 7 * MIB as u64));
    ms.set("NumGC", MemValue::U64(10 + 3 * i as u64));
    heap.memstats = Some(ms);
    heap.process = Process {
        build_id: Some("3f2ad0c1e5b7".into()),
        binary: Some(h(1, "chan-send-leak")),
        cmdline: None,
        ..Process::default()
    };
    heap
}

/// The goroutine dump of moment `i`.
fn goroutine_snapshot(i: usize, ids: &Ids, n: &Names) -> Snapshot {
    let hostile = n.hostile;
    let Ids {
        leak_stack,
        worker_stack,
        serve_stack,
        hostile_stack,
        created_by,
        label_k,
        label_v,
        chan_send,
        ..
    } = *ids;
    let time = T0 + i as i64 * STEP;
    let leaked = 8 * (i as u64 + 1);
    let mut g = Snapshot::new(Format::GoroutineDebug2, ProfileKind::Goroutine);
    g.path = format!("goroutine-{:02}.txt", i + 1);
    g.time = Some(time + 1_000_000);
    g.time_source = TimeSource::FileName;
    g.moment = i;
    g.file_size = 9000 + 900 * i as u64;
    let mut lg = GoroutineGroup::new(leak_stack, leaked);
    lg.wait_reason = Some(chan_send);
    lg.created_by = Some(created_by);
    lg.max_wait_minutes = Some(10 * i as u32);
    lg.labels = vec![(label_k, label_v)];
    let mut groups = vec![
        lg,
        GoroutineGroup::new(worker_stack, 8),
        GoroutineGroup::new(serve_stack, 1),
    ];
    if hostile {
        groups.push(GoroutineGroup::new(hostile_stack, 2));
    }
    g.goroutines = Some(GoroutineData {
        total: groups.iter().map(|x| x.count).sum(),
        groups,
        leak_profile: false,
        per_goroutine: true,
        max_goroutine_id: Some(100 + 10 * i as u64),
        truncated: false,
    });
    g
}

/// The memory, in-use heap and goroutine totals of an archive.
fn totals(a: &Archive) -> (MemorySeries, Series, Series) {
    let mem = |key: &str| -> Series {
        let mut s = Series::default();
        for snap in a.snapshots.iter().filter(|s| s.memstats.is_some()) {
            if let (Some(t), Some(v)) = (snap.time, snap.memstats.as_ref().and_then(|m| m.u64(key)))
            {
                s.times.push(t);
                s.values.push(v as f64);
            }
        }
        s
    };
    let memory = MemorySeries {
        sys: mem("Sys"),
        heap_sys: mem("HeapSys"),
        heap_alloc: mem("HeapAlloc"),
        heap_inuse: mem("HeapInuse"),
        num_gc: mem("NumGC"),
        ..Default::default()
    };
    let heap_inuse_total = {
        let mut s = Series::default();
        for snap in &a.snapshots {
            if let (Some(t), Some(v)) = (snap.time, snap.inuse_bytes()) {
                s.times.push(t);
                s.values.push(v as f64);
            }
        }
        s
    };
    let goroutines_total = {
        let mut s = Series::default();
        for snap in &a.snapshots {
            if let (Some(t), Some(v)) = (snap.time, snap.goroutine_count()) {
                s.times.push(t);
                s.values.push(v as f64);
            }
        }
        s
    };
    (memory, heap_inuse_total, goroutines_total)
}

/// The two findings: the goroutine leak and the heap it retains.
fn findings(n: &Names, ids: &Ids) -> Vec<Finding> {
    let (produce, produce_file, handler) = (&n.produce, &n.produce_file, &n.handler);
    let h = |i, normal| n.h(i, normal);
    let (leak_stack, heap_leak) = (ids.leak_stack, ids.heap_leak);
    let leak_series = series(|i| 8.0 * (i as f64 + 1.0));
    let heap_series = series(|i| 8.0 * (i as f64 + 1.0) * 64.0 * KIB as f64);
    let loc = format!("{produce_file}:88");
    let stack_text = vec![
        "runtime.gopark /usr/local/go/src/runtime/proc.go:460".to_string(),
        "runtime.chansend /usr/local/go/src/runtime/chan.go:283".to_string(),
        "runtime.chansend1 /usr/local/go/src/runtime/chan.go:161".to_string(),
        format!("{produce} {loc}"),
    ];
    let goroutine_finding = Finding {
        rank: 1,
        severity: Severity::Leak,
        kind: FindingKind::Goroutine,
        cause: Cause::ChanSend,
        function: produce.clone(),
        file: produce_file.clone(),
        line: 88,
        first: 8.0,
        last: 48.0,
        delta: 40.0,
        sentence: format!(
            "Goroutine leak: 48 goroutines blocked sending on a channel in {produce} ({loc}), +40 in 50 min (+48/h), created by {handler}; nobody receives."
        ),
        evidence: vec![
            "grew in 5 of 5 intervals (Mann–Kendall p = 0.009)".into(),
            "longest wait 50 minutes (chan send)".into(),
            format!("label {}={}", h(1, "handler"), h(0, "/api/items")),
        ],
        series: leak_series.clone(),
        stats: stats(8.0, 48.0, 48.0, Shape::Growing),
        rate_per_hour: 48.0,
        created_by: Some(format!("{handler} /src/chan-send-leak/main.go:70")),
        labels: vec![format!("{}={}", h(1, "handler"), h(0, "/api/items"))],
        retained_bytes: Some(40 * 64 * KIB),
        longest_wait_minutes: Some(50),
        wait_reason: Some("chan send".into()),
        proof: false,
        confidence: 0.95,
        stack: Some(leak_stack),
        stack_text,
        snapshot: None,
        process: String::new(),
        processes: Vec::new(),
    };
    let heap_finding = Finding {
        rank: 2,
        severity: Severity::Leak,
        kind: FindingKind::Heap,
        cause: Cause::HeapGrowth,
        function: produce.clone(),
        file: produce_file.clone(),
        line: 85,
        first: 512.0 * KIB as f64,
        last: 3072.0 * KIB as f64,
        delta: 2560.0 * KIB as f64,
        sentence: format!(
            "Heap growth: in-use memory allocated at {produce} ({produce_file}:85) grew from 512.0 KiB to 3.0 MiB (+3.0 MiB/h)."
        ),
        evidence: vec!["64 KiB objects, one per blocked producer".into()],
        series: heap_series.clone(),
        stats: stats(
            512.0 * KIB as f64,
            3072.0 * KIB as f64,
            3072.0 * KIB as f64,
            Shape::Growing,
        ),
        rate_per_hour: 3072.0 * KIB as f64,
        created_by: None,
        labels: vec![],
        retained_bytes: None,
        longest_wait_minutes: None,
        wait_reason: None,
        proof: false,
        confidence: 0.9,
        stack: Some(heap_leak),
        stack_text: vec![format!("{produce} {produce_file}:85")],
        snapshot: None,
        process: String::new(),
        processes: Vec::new(),
    };
    vec![goroutine_finding, heap_finding]
}

/// The top tables: (heap sites, goroutine groups).
fn tables(n: &Names) -> (Vec<TrackedSeries>, Vec<TrackedSeries>) {
    let (produce, produce_file) = (&n.produce, &n.produce_file);
    let loc = format!("{produce_file}:88");
    let leak_series = series(|i| 8.0 * (i as f64 + 1.0));
    let heap_series = series(|i| 8.0 * (i as f64 + 1.0) * 64.0 * KIB as f64);
    let tracked = |label: String,
                   function: String,
                   location: String,
                   cause: Cause,
                   s: &Series,
                   st: GrowthStats| TrackedSeries {
        label,
        function,
        location,
        cause,
        series: s.clone(),
        stats: st,
        snapshot: None,
    };
    let flat = |v: f64| series(move |_| v);
    let kib = KIB as f64;
    let mib = MIB as f64;
    let heap_sites = vec![
        tracked(
            format!("{produce} ({produce_file}:85)"),
            produce.clone(),
            format!("{produce_file}:85"),
            Cause::HeapGrowth,
            &heap_series,
            stats(512.0 * kib, 3072.0 * kib, 3072.0 * kib, Shape::Growing),
        ),
        tracked(
            "main.loadConfig (config.go:22)".into(),
            "main.loadConfig".into(),
            "/src/chan-send-leak/config.go:22".into(),
            Cause::HeapGrowth,
            &flat(2.0 * mib),
            stats(2.0 * mib, 2.0 * mib, 0.0, Shape::Flat),
        ),
    ];
    let goroutine_groups = vec![
        tracked(
            format!("{produce} [chan send]"),
            produce.clone(),
            loc.clone(),
            Cause::ChanSend,
            &leak_series,
            stats(8.0, 48.0, 48.0, Shape::Growing),
        ),
        tracked(
            "main.worker [select]".into(),
            "main.worker".into(),
            "/src/chan-send-leak/main.go:120".into(),
            Cause::Select,
            &flat(8.0),
            stats(8.0, 8.0, 0.0, Shape::Flat),
        ),
        tracked(
            "net/http.(*Server).Serve [IO wait]".into(),
            "net/http.(*Server).Serve".into(),
            "/usr/local/go/src/net/http/server.go:3454".into(),
            Cause::IoWait,
            &flat(1.0),
            stats(1.0, 1.0, 0.0, Shape::Flat),
        ),
    ];
    (heap_sites, goroutine_groups)
}

/// Builds the demo.
pub fn build(hostile: bool) -> Demo {
    let n = Names::new(hostile);
    let h = |i, normal| n.h(i, normal);
    let mut a = Archive::default();
    let ids = intern(&mut a.tables, &n);
    for i in 0..MOMENTS {
        a.snapshots.push(heap_snapshot(i, &ids, &n));
        a.snapshots.push(goroutine_snapshot(i, &ids, &n));
    }
    a.skipped.push(Skipped {
        path: h(0, "trace.out"),
        reason: h(1, "an execution trace, not a heap or goroutine dump"),
    });
    a.notes.push(h(2, "file names and profile times agree"));

    let (memory, heap_inuse_total, goroutines_total) = totals(&a);
    let produce = &n.produce;
    // Start from what analyze() makes of the archive (so fields added to
    // the contract later get a value), then set the story by hand.
    let mut analysis = analyze(&a, &Options::default());
    analysis.verdict = Verdict::Leak;
    analysis.headline =
        format!("Goroutine leak in {produce}: +40 goroutines blocked on chan send in 50 min");
    analysis.findings = findings(&n, &ids);
    analysis.goroutines_total = goroutines_total;
    analysis.heap_inuse_total = heap_inuse_total;
    analysis.memory = memory;
    analysis.memory_note = Some(
        "Sys and HeapSys stay well above HeapInuse: the runtime keeps freed memory for reuse \
         and returns it to the OS slowly. That gap is not a leak; follow HeapInuse."
            .into(),
    );
    analysis.notes = vec![h(3, "NumGC advanced between every pair of heap profiles")];
    (analysis.heap_sites, analysis.goroutine_groups) = tables(&n);
    analysis.processes = vec![ProcessInfo {
        binary: Some(h(1, "chan-send-leak")),
        build_id: Some("3f2ad0c1e5b7".into()),
        snapshots: 2 * MOMENTS,
        ..ProcessInfo::default()
    }];
    analysis.ignored = vec![IgnoreHit {
        rule: h(0, "net/http.(*Server).Serve"),
        builtin: true,
        matched_groups: 1,
    }];
    analysis.thresholds = Thresholds::default();
    analysis.counts = KindCounts {
        heap: MOMENTS,
        goroutine: MOMENTS,
        goroutineleak: 0,
        memstats: MOMENTS,
    };
    Demo {
        archive: a,
        analysis,
        meta: Meta {
            input_name: h(2, "chan-send-leak"),
            tool_version: "0.1.0".into(),
        },
    }
}
