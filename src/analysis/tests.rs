//! End-to-end tests of `analyze` on small synthetic archives.

use super::*;
use crate::model::{
    Format, FrameId, GoroutineData, GoroutineGroup, HeapData, HeapSample, MemStats, MemValue,
    ProfileKind, Snapshot, StackId, Tables,
};

const MIN: i64 = 60_000_000_000;
const T0: i64 = 1_795_000_000_000_000_000;

struct B {
    a: Archive,
}

impl B {
    fn new() -> B {
        B {
            a: Archive::default(),
        }
    }

    fn t(&mut self) -> &mut Tables {
        &mut self.a.tables
    }

    fn frame(&mut self, f: &str, file: &str, line: u32) -> FrameId {
        self.t().intern_frame(f, file, line)
    }

    fn stack(&mut self, frames: &[(&str, &str, u32)]) -> StackId {
        let ids: Vec<FrameId> = frames
            .iter()
            .map(|&(f, file, l)| self.frame(f, file, l))
            .collect();
        self.t().intern_stack(&ids)
    }

    fn group(&mut self, stack: StackId, count: u64, reason: Option<&str>) -> GoroutineGroup {
        let wait_reason = reason.map(|r| self.t().intern_str(r));
        GoroutineGroup {
            wait_reason,
            ..GoroutineGroup::new(stack, count)
        }
    }

    fn goroutines(
        &mut self,
        moment: usize,
        time: Option<i64>,
        format: Format,
        groups: Vec<GoroutineGroup>,
    ) {
        let mut s = Snapshot::new(format, ProfileKind::Goroutine);
        s.moment = moment;
        s.time = time;
        if time.is_none() {
            // Without a time, the ingest orders by sequence numbers.
            s.time_source = crate::model::TimeSource::Sequence;
        }
        s.path = format!("goroutine-{moment:02}.txt");
        s.goroutines = Some(GoroutineData {
            total: groups.iter().fold(0u64, |a, g| a.saturating_add(g.count)),
            groups,
            per_goroutine: format == Format::GoroutineDebug2,
            ..Default::default()
        });
        self.a.snapshots.push(s);
    }

    fn heap(&mut self, moment: usize, time: Option<i64>, samples: &[(StackId, i64)]) {
        let mut s = Snapshot::new(Format::Pprof, ProfileKind::Heap);
        s.moment = moment;
        s.time = time;
        if time.is_none() {
            // Without a time, the ingest orders by sequence numbers.
            s.time_source = crate::model::TimeSource::Sequence;
        }
        s.path = format!("heap-{moment:02}.pb.gz");
        s.heap = Some(HeapData {
            has_inuse: true,
            has_alloc: true,
            samples: samples
                .iter()
                .map(|&(stack, b)| HeapSample {
                    stack,
                    inuse_objects: b / 1024,
                    inuse_bytes: b,
                    alloc_objects: b / 1024,
                    alloc_bytes: b,
                    object_size: Some(1024),
                })
                .collect(),
            ..Default::default()
        });
        self.a.snapshots.push(s);
    }

    fn sort(&mut self) {
        self.a.snapshots.sort_by_key(|s| s.moment);
    }
}

fn at(i: usize) -> Option<i64> {
    Some(T0 + i as i64 * 10 * MIN)
}

/// The article's leak: producers blocked in `ch <- v` holding 64 KiB each,
/// next to an idle worker pool and an HTTP accept loop.
fn chan_send_archive(times: bool) -> Archive {
    let mut b = B::new();
    let produce = b.stack(&[
        ("main.produce", "/src/leaky/main.go", 16),
        ("main.handle.gowrap1", "/src/leaky/main.go", 30),
    ]);
    let worker = b.stack(&[("main.worker", "/src/leaky/main.go", 50)]);
    let accept = b.stack(&[
        (
            "internal/poll.runtime_pollWait",
            "/go/src/runtime/netpoll.go",
            351,
        ),
        ("net.(*TCPListener).Accept", "/go/src/net/tcpsock.go", 380),
        (
            "net/http.(*Server).Serve",
            "/go/src/net/http/server.go",
            3424,
        ),
        ("main.main", "/src/leaky/main.go", 80),
    ]);
    let buf = b.stack(&[
        ("main.produce", "/src/leaky/main.go", 12),
        ("main.handle.gowrap1", "/src/leaky/main.go", 30),
    ]);
    let other = b.stack(&[
        ("main.loadConfig", "/src/leaky/config.go", 5),
        ("main.main", "/src/leaky/main.go", 70),
    ]);
    let created = b.frame("main.handle", "/src/leaky/main.go", 30);
    let user = b.t().intern_str("user");
    let alice = b.t().intern_str("alice");
    for i in 0..10usize {
        let t = if times { at(i) } else { None };
        let n = 10 + 12 * i as u64;
        let mut g = b.group(produce, n, Some("chan send"));
        g.created_by = Some(created);
        g.max_wait_minutes = Some(i as u32 * 10);
        g.labels = vec![(user, alice)];
        let w = b.group(worker, 8, Some("chan receive"));
        let acc = b.group(accept, 1, Some("IO wait"));
        b.goroutines(i, t, Format::GoroutineDebug2, vec![g, w, acc]);
        b.heap(i, t, &[(buf, n as i64 * 65536), (other, 4 << 20)]);
    }
    b.a
}

#[test]
fn chan_send_leak_is_one_finding_with_retained_heap() {
    let a = chan_send_archive(true);
    let r = analyze(&a, &Options::default());
    assert_eq!(r.verdict, Verdict::Leak, "{:#?}", r.findings);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.rank, 1);
    assert_eq!(f.kind, FindingKind::Goroutine);
    assert_eq!(f.cause, Cause::ChanSend);
    assert_eq!(f.function, "main.produce");
    assert_eq!(f.line, 16);
    assert_eq!(f.first, 10.0);
    assert_eq!(f.last, 118.0);
    assert_eq!(f.created_by.as_deref(), Some("main.handle (main.go:30)"));
    assert_eq!(f.labels, vec!["user=alice".to_string()]);
    assert_eq!(f.longest_wait_minutes, Some(90));
    assert_eq!(f.wait_reason.as_deref(), Some("chan send"));
    assert_eq!(f.retained_bytes, Some(108 * 65536));
    assert!(!f.proof);
    assert!(f.confidence > 0.9, "{}", f.confidence);
    // 10 minutes apart over 90 minutes: per minute.
    assert!((f.rate_per_hour - 72.0).abs() < 1e-6, "{}", f.rate_per_hour);
    assert_eq!(
        f.sentence,
        "118 goroutines blocked in chan send in main.produce (main.go:16), created by main.handle; \
         +1.2 per minute, grew in 9 of 9 intervals, longest wait 90 minutes; they retain 6.8 MiB."
    );
    assert_eq!(f.stack_text[0], "main.produce /src/leaky/main.go:16");
    assert_eq!(f.series.values.len(), 10);
    assert_eq!(
        r.headline,
        "Leak: goroutines blocked in chan send in main.produce grow by +1.2 per minute"
    );
    // The idle pool is tracked but not a finding; the accept loop is ignored.
    assert!(
        r.goroutine_groups
            .iter()
            .any(|g| g.function == "main.worker" && g.stats.shape == Shape::Flat)
    );
    assert!(!r.goroutine_groups.iter().any(|g| g.function == "main.main"));
    let hit = r
        .ignored
        .iter()
        .find(|h| h.rule == "in:net/http.(*Server).Serve")
        .expect("hit");
    assert!(hit.builtin);
    assert_eq!(hit.matched_groups, 1);
    assert_eq!(r.counts.heap, 10);
    assert_eq!(r.counts.goroutine, 10);
    assert_eq!(r.goroutines_total.values[0], 19.0);
    assert_eq!(
        r.heap_inuse_total.values[0],
        (10 * 65536 + (4 << 20)) as f64
    );
    assert_eq!(r.heap_sites[0].function, "main.produce");
    assert!(!r.synthetic_times);
}

#[test]
fn sequence_only_archive_uses_per_snapshot_rates() {
    let a = chan_send_archive(false);
    let r = analyze(&a, &Options::default());
    assert!(r.synthetic_times);
    assert_eq!(r.verdict, Verdict::Leak);
    assert!(
        r.findings[0]
            .sentence
            .contains("+12 per snapshot, grew in 9 of 9 intervals"),
        "{}",
        r.findings[0].sentence
    );
    assert!(r.notes.iter().any(|n| n.contains("rates are per snapshot")));
    assert_eq!(r.goroutines_total.times[1], series::SYNTHETIC_SPACING_NS);
}

#[test]
fn user_ignore_rule_drops_the_group() {
    let a = chan_send_archive(true);
    let opts = Options {
        ignore_rules: vec!["# known".into(), "main.handle".into()],
        ..Options::default()
    };
    let r = analyze(&a, &opts);
    // The goroutines are ignored (created by main.handle); their heap is then a heap finding.
    assert!(
        r.findings.iter().all(|f| f.kind == FindingKind::Heap),
        "{:#?}",
        r.findings
    );
    let hit = r.ignored.iter().find(|h| !h.builtin).expect("user rule");
    assert_eq!(hit.rule, "main.handle");
    assert_eq!(hit.matched_groups, 1);
}

#[test]
fn proof_in_a_single_snapshot() {
    let mut b = B::new();
    let leaked = b.stack(&[("main.withArgs", "/src/leaky/main.go", 58)]);
    let nil = b.stack(&[("main.subscribe", "/src/leaky/main.go", 70)]);
    let park = b.stack(&[("main.main", "/src/leaky/main.go", 99)]);
    let mut g1 = b.group(leaked, 3, Some("chan send"));
    g1.leaked = 3;
    let g2 = b.group(nil, 2, Some("chan receive (nil chan)"));
    let mut g3 = b.group(park, 1, Some("select (no cases)"));
    g3.sample_ids = vec![1];
    b.goroutines(0, at(0), Format::GoroutineDebug2, vec![g1, g2, g3]);
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Leak);
    assert_eq!(r.findings.len(), 2, "{:#?}", r.findings);
    let by_fn = |f: &str| r.findings.iter().find(|x| x.function == f).expect(f);
    let w = by_fn("main.withArgs");
    assert!(w.proof);
    assert_eq!(w.last, 3.0);
    assert_eq!(w.severity, Severity::Leak);
    assert!(w.evidence.iter().any(|e| e.contains("marked (leaked)")));
    assert!(
        w.sentence.contains("proven leaked by the runtime"),
        "{}",
        w.sentence
    );
    let n = by_fn("main.subscribe");
    assert_eq!(n.cause, Cause::NilChan);
    assert!(n.proof);
    assert!(
        n.sentence
            .starts_with("2 goroutines blocked forever on a nil channel in main.subscribe"),
        "{}",
        n.sentence
    );
    // The main goroutine parked in select {} is the common idiom, not a leak.
    assert!(r.findings.iter().all(|f| f.function != "main.main"));
}

#[test]
fn main_select_forever_alone_is_inconclusive_and_empty_leak_profile_proves_nothing() {
    let mut b = B::new();
    let park = b.stack(&[
        ("runtime.gopark", "proc.go", 1),
        ("runtime.block", "select.go", 2),
        ("main.main", "/m.go", 9),
    ]);
    let g = b.group(park, 1, None);
    b.goroutines(0, at(0), Format::Pprof, vec![g]);
    let mut s = Snapshot::new(Format::GoroutineDebug1, ProfileKind::GoroutineLeak);
    s.moment = 0;
    s.time = at(0);
    s.goroutines = Some(GoroutineData {
        leak_profile: true,
        ..Default::default()
    });
    b.a.snapshots.push(s);
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(r.findings.is_empty());
    assert_eq!(r.counts.goroutineleak, 1);
    assert!(
        r.notes.iter().any(|n| n.contains("proves nothing")),
        "{:?}",
        r.notes
    );
    assert!(
        r.headline
            .starts_with("Inconclusive: 0 heap profiles, 1 goroutine dump"),
        "{}",
        r.headline
    );
}

#[test]
fn goroutineleak_profile_is_proof_and_resolves_cause_across_formats() {
    let mut b = B::new();
    // debug=1 hides the runtime frames; a protobuf dump of the same stack keeps them.
    let d1 = b.stack(&[
        ("main.worker", "/w.go", 7),
        ("main.start.gowrap1", "/w.go", 3),
    ]);
    let pb = b.stack(&[
        ("runtime.gopark", "proc.go", 1),
        ("runtime.chanrecv2", "chan.go", 2),
        ("main.worker", "/w.go", 7),
        ("main.start.gowrap1", "/w.go", 3),
        ("runtime.goexit", "asm.s", 1),
    ]);
    for i in 0..4 {
        let g = b.group(d1, 4, None);
        b.goroutines(i, at(i), Format::GoroutineDebug1, vec![g]);
    }
    let g = b.group(pb, 4, None);
    b.goroutines(4, at(4), Format::Pprof, vec![g]);
    let mut s = Snapshot::new(Format::GoroutineDebug1, ProfileKind::GoroutineLeak);
    s.moment = 4;
    s.time = at(4);
    let g = b.group(d1, 4, None);
    s.goroutines = Some(GoroutineData {
        total: 4,
        groups: vec![g],
        leak_profile: true,
        ..Default::default()
    });
    b.a.snapshots.push(s);
    b.sort();
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Leak);
    assert_eq!(r.findings.len(), 1);
    let f = &r.findings[0];
    assert_eq!(f.cause, Cause::ChanReceive);
    assert_eq!(f.function, "main.worker");
    assert!(f.proof);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("goroutineleak profile"))
    );
    // Flat count: a constant pool would not be a finding without the proof.
    assert_eq!(f.stats.shape, Shape::Flat);
}

#[test]
fn debug1_only_cause_is_other_with_evidence() {
    let mut b = B::new();
    let d1 = b.stack(&[("main.worker", "/w.go", 7)]);
    for i in 0..6 {
        let g = b.group(d1, 10 + 20 * i as u64, None);
        b.goroutines(i, at(i), Format::GoroutineDebug1, vec![g]);
    }
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Leak);
    let f = &r.findings[0];
    assert_eq!(f.cause, Cause::Other);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.starts_with("wait reason not recorded (debug=1)"))
    );
    assert!(
        f.sentence
            .starts_with("110 goroutines parked in main.worker (w.go:7)"),
        "{}",
        f.sentence
    );
}

fn one_group_series(values: &[u64]) -> Analysis {
    let mut b = B::new();
    let s = b.stack(&[("main.poolWorker", "/p.go", 20)]);
    for (i, &v) in values.iter().enumerate() {
        let g = b.group(s, v, Some("chan receive"));
        b.goroutines(i, at(i), Format::GoroutineDebug2, vec![g]);
    }
    analyze(&b.a, &Options::default())
}

#[test]
fn precision_controls_are_clean() {
    // Idle pool: constant.
    let r = one_group_series(&[8; 10]);
    assert_eq!(r.verdict, Verdict::Clean);
    assert_eq!(
        r.headline,
        "Clean: no goroutine group or allocation site grows beyond the thresholds across 10 snapshots"
    );
    // Warm-up to a plateau.
    assert_eq!(
        one_group_series(&[0, 6, 12, 16, 16, 16, 16, 16, 16, 16]).verdict,
        Verdict::Clean
    );
    // Burst that drains.
    assert_eq!(
        one_group_series(&[2, 2, 2, 252, 252, 120, 2, 2, 2, 2]).verdict,
        Verdict::Clean
    );
    // Tiny growth under the absolute threshold.
    assert_eq!(
        one_group_series(&[20, 20, 21, 21, 22, 22, 23]).verdict,
        Verdict::Clean
    );
    // A pool that filled early, then one more step late: not beyond the
    // thresholds after the warm-up.
    assert_eq!(
        one_group_series(&[0, 20, 40, 40, 40, 40, 40, 40, 48, 48]).verdict,
        Verdict::Clean
    );
    // Big absolute growth but small relative growth (+12 on 1,000).
    assert_eq!(
        one_group_series(&[1000, 1002, 1004, 1006, 1008, 1010, 1012]).verdict,
        Verdict::Clean
    );
}

#[test]
fn late_growth_is_suspect_and_few_snapshots_inconclusive() {
    let r = one_group_series(&[10, 10, 11, 10, 10, 10, 11, 10, 10, 60, 120, 200]);
    assert_eq!(r.verdict, Verdict::Suspect, "{:#?}", r.findings);
    assert_eq!(r.findings[0].severity, Severity::Suspect);
    assert_eq!(r.findings[0].stats.shape, Shape::LateGrowth);
    assert!(
        r.headline
            .starts_with("Suspect: goroutines blocked in chan receive in main.poolWorker"),
        "{}",
        r.headline
    );
    // Two dumps cannot show a trend, but 200 goroutines on one receive in
    // the last one are a pile-up: a suspect from the single-dump rule.
    let r = one_group_series(&[10, 200]);
    assert_eq!(r.verdict, Verdict::Suspect);
    assert!(r.notes.iter().any(|n| n.contains("Only 2 goroutine dumps")));
    let ev = &r.findings[0].evidence;
    assert!(
        ev.iter().any(|e| e.starts_with("single-dump rule pile-up")),
        "{ev:#?}"
    );
    assert!(
        ev.iter()
            .any(|e| e.starts_with("one snapshot cannot show growth"))
    );
    // Below --min-pileup: nothing to say, and no verdict.
    let r = one_group_series(&[10, 20]);
    assert_eq!(r.verdict, Verdict::Inconclusive);
}

#[test]
fn heap_only_growth_is_a_heap_finding() {
    let mut b = B::new();
    let put = b.stack(&[
        ("bytes.growSlice", "/go/src/bytes/buffer.go", 250),
        ("bytes.(*Buffer).Write", "/go/src/bytes/buffer.go", 180),
        ("main.(*cache).put", "/src/c.go", 35),
        ("main.serve", "/src/c.go", 60),
    ]);
    let flat = b.stack(&[("main.scratch", "/src/c.go", 80)]);
    let g = b.stack(&[("main.serve", "/src/c.go", 61)]);
    for i in 0..8usize {
        let noise = if i % 2 == 0 { 300_000 } else { -300_000 };
        b.heap(
            i,
            at(i),
            &[(put, (2 + 3 * i as i64) << 20), (flat, (20 << 20) + noise)],
        );
        let grp = b.group(g, 4, Some("select"));
        b.goroutines(i, at(i), Format::GoroutineDebug2, vec![grp]);
    }
    b.sort();
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Leak);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.kind, FindingKind::Heap);
    assert_eq!(f.cause, Cause::HeapGrowth);
    assert_eq!(f.function, "main.(*cache).put");
    assert_eq!(f.line, 35);
    assert_eq!(f.unit(), Unit::Bytes);
    assert_eq!(f.delta, (21 << 20) as f64);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.starts_with("allocated in bytes.growSlice")),
        "{:?}",
        f.evidence
    );
    assert!(
        f.sentence.starts_with("main.(*cache).put (c.go:35) holds 23 MiB in use (allocated via bytes.growSlice), +21 MiB since the first snapshot"),
        "{}",
        f.sentence
    );
    assert!(
        r.headline
            .starts_with("Leak: heap held by main.(*cache).put (c.go) grows by"),
        "{}",
        r.headline
    );
    assert_eq!(r.heap_sites.len(), 2);
    assert_eq!(r.heap_sites[0].function, "main.(*cache).put");
    assert_eq!(r.heap_sites[1].stats.shape, Shape::Flat);
}

#[test]
fn small_heap_growth_never_alarms() {
    let mut b = B::new();
    let s = b.stack(&[("main.tiny", "/t.go", 1)]);
    for i in 0..10usize {
        b.heap(i, at(i), &[(s, 100_000 + 4_000 * i as i64)]);
    }
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Clean);
    assert_eq!(r.heap_sites[0].stats.shape, Shape::Growing);
}

fn memstats_snap(moment: usize, fields: &[(&str, u64)]) -> Snapshot {
    let mut s = Snapshot::new(Format::Expvar, ProfileKind::MemStats);
    s.moment = moment;
    s.time = at(moment);
    s.path = format!("vars-{moment}.json");
    let mut ms = MemStats::default();
    for (k, v) in fields {
        ms.set(*k, MemValue::U64(*v));
    }
    s.memstats = Some(ms);
    s
}

#[test]
fn memory_note_and_stale_heap_through_analyze() {
    const MB: u64 = 1 << 20;
    let mut b = B::new();
    let s = b.stack(&[("main.steady", "/s.go", 1)]);
    for i in 0..5usize {
        b.heap(i, at(i), &[(s, 30 << 20)]);
        let gc = [7u64, 8, 8, 9, 10][i];
        b.a.snapshots.push(memstats_snap(
            i,
            &[
                ("Sys", (200 + 50 * i as u64) * MB),
                ("HeapInuse", 40 * MB),
                ("HeapIdle", (150 + 50 * i as u64) * MB),
                ("HeapReleased", (100 + 40 * i as u64) * MB),
                ("NumGC", gc),
            ],
        ));
    }
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Clean);
    let note = r.memory_note.as_deref().expect("note");
    assert!(
        note.ends_with("The runtime keeps freed memory for reuse; that difference is not a leak."),
        "{note}"
    );
    assert_eq!(r.memory.sys.values.len(), 5);
    assert_eq!(r.counts.memstats, 5);
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("1 heap snapshot was taken with no GC")
                && n.contains("heap-02.pb.gz")),
        "{:?}",
        r.notes
    );
}

#[test]
fn restart_is_split_and_noted() {
    let mut b = B::new();
    let s = b.stack(&[("main.w", "/w.go", 1)]);
    for i in 0..6usize {
        let mut snap = Snapshot::new(Format::Pprof, ProfileKind::Goroutine);
        snap.moment = i;
        snap.time = at(i);
        snap.process.build_id = Some(if i < 2 { "old" } else { "new" }.into());
        let g = b.group(s, 5, None);
        snap.goroutines = Some(GoroutineData {
            total: 5,
            groups: vec![g],
            ..Default::default()
        });
        b.a.snapshots.push(snap);
    }
    let r = analyze(&b.a, &Options::default());
    // One process (same name, no overlap): a redeploy is a restart.
    assert_eq!(r.processes.len(), 1);
    let p = &r.processes[0];
    assert_eq!((p.restarts, p.runs.len()), (1, 2));
    assert_eq!((p.runs[0].snapshots, p.runs[1].snapshots), (2, 4));
    assert_eq!(r.counts.goroutine, 6);
    assert!(
        r.notes[0].starts_with("The process restarted once (build id changed (old → new)"),
        "{}",
        r.notes[0]
    );
    assert_eq!(r.verdict, Verdict::Clean);
}

#[test]
fn empty_archive_is_inconclusive() {
    let r = analyze(&Archive::default(), &Options::default());
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(r.findings.is_empty());
}

#[test]
fn delta_heap_profiles_are_not_levels() {
    let mut b = B::new();
    let s = b.stack(&[("main.x", "/x.go", 1)]);
    for i in 0..5usize {
        b.heap(i, at(i), &[(s, (1 + i as i64) << 22)]);
        if let Some(h) = b.a.snapshots.last_mut().and_then(|x| x.heap.as_mut()) {
            h.delta = true;
        }
    }
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.counts.heap, 0);
    assert!(r.findings.is_empty());
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("5 delta heap profiles"))
    );
}

#[test]
fn standard_library_groups_name_their_entry_and_keep_their_buffers() {
    let mut b = B::new();
    let serve = b.stack(&[
        (
            "internal/poll.runtime_pollWait",
            "/go/src/runtime/netpoll.go",
            351,
        ),
        ("net.(*netFD).Read", "/go/src/net/fd_posix.go", 68),
        ("net.(*conn).Read", "/go/src/net/net.go", 196),
        ("bufio.(*Reader).fill", "/go/src/bufio/bufio.go", 113),
        ("net/http.(*conn).serve", "/go/src/net/http/server.go", 2100),
    ]);
    let read_loop = b.stack(&[
        ("runtime.gopark", "/go/src/runtime/proc.go", 460),
        ("runtime.selectgo", "/go/src/runtime/select.go", 351),
        (
            "net/http.(*persistConn).readLoop",
            "/go/src/net/http/transport.go",
            2616,
        ),
    ]);
    let buf = b.stack(&[
        ("bufio.NewReaderSize", "/go/src/bufio/bufio.go", 57),
        (
            "net/http.(*Transport).dialConn",
            "/go/src/net/http/transport.go",
            1900,
        ),
    ]);
    let dial = b.frame(
        "net/http.(*Transport).dialConn",
        "/go/src/net/http/transport.go",
        1950,
    );
    for i in 0..10usize {
        let n = 6 + 6 * i as u64;
        let s = b.group(serve, n, Some("IO wait"));
        let mut r = b.group(read_loop, n, Some("select"));
        r.created_by = Some(dial);
        b.goroutines(i, at(i), Format::GoroutineDebug2, vec![s, r]);
        b.heap(i, at(i), &[(buf, n as i64 * 4096)]);
    }
    b.sort();
    let r = analyze(&b.a, &Options::default());
    // Standard-library goroutines can follow the load: without proof from
    // the runtime their growth is a suspect, not a leak.
    assert_eq!(r.verdict, Verdict::Suspect);
    // One leak: the server-side connection goroutine moves in lockstep with
    // the client's read loop, so it is folded into that finding.
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    let rl = &r.findings[0];
    assert_eq!(rl.function, "net/http.(*persistConn).readLoop");
    assert_eq!(rl.cause, Cause::Select);
    assert_eq!(rl.retained_bytes, Some(54 * 4096));
    assert_eq!(rl.rank, 1);
    assert!(
        rl.evidence.iter().any(|e| e
            .starts_with("the same leak: 60 goroutines waiting for I/O in net/http.(*conn).serve")),
        "{:#?}",
        rl.evidence
    );
    assert!(
        rl.evidence
            .iter()
            .any(|e| e.starts_with("net/http client connections are never released")),
        "{:#?}",
        rl.evidence
    );
    assert!(
        rl.sentence
            .contains("in lockstep with net/http.(*conn).serve"),
        "{}",
        rl.sentence
    );
}

#[test]
fn extreme_values_do_not_panic() {
    let mut b = B::new();
    let s = b.stack(&[("main.x", "/x.go", 1)]);
    let h = b.stack(&[("main.y", "/y.go", 2)]);
    for i in 0..4usize {
        let mut g = b.group(s, u64::MAX - i as u64, Some("chan send"));
        g.leaked = u64::MAX;
        g.created_by = Some(b.frame("main.z", "/z.go", 3));
        let mut g2 = g.clone();
        g2.wait_reason = None;
        b.goroutines(
            i,
            Some(i64::MAX - 10 + i as i64),
            Format::GoroutineDebug2,
            vec![g, g2],
        );
        if let Some(d) = b.a.snapshots.last_mut().and_then(|x| x.goroutines.as_mut()) {
            d.max_goroutine_id = Some(u64::MAX - i as u64);
        }
        b.heap(
            i,
            Some(i64::MIN + i as i64),
            &[(h, i64::MAX), (h, i64::MAX)],
        );
    }
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Leak);
    assert!(r.findings.iter().all(|f| f.confidence.is_finite()));
}

#[test]
fn dumps_without_time_or_sequence_are_not_judged_by_growth() {
    let mut a = chan_send_archive(false);
    for s in &mut a.snapshots {
        s.time = None;
        s.time_source = crate::model::TimeSource::Unknown;
    }
    let r = analyze(&a, &Options::default());
    assert_eq!(r.verdict, Verdict::Inconclusive, "{:#?}", r.findings);
    assert!(r.findings.is_empty());
    assert!(
        r.headline.contains("no time or sequence number"),
        "{}",
        r.headline
    );
    assert!(
        r.notes.iter().any(|n| n.contains("their order is unknown")),
        "{:?}",
        r.notes
    );
    // Proof from the runtime still counts without any order.
    let mut b = B::new();
    let leaked = b.stack(&[("main.withArgs", "/src/leaky/main.go", 58)]);
    for i in 0..3 {
        let mut g = b.group(leaked, 3 + i as u64, Some("chan send"));
        g.leaked = g.count;
        b.goroutines(i, None, Format::GoroutineDebug2, vec![g]);
    }
    for s in &mut b.a.snapshots {
        s.time_source = crate::model::TimeSource::Unknown;
    }
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Leak);
    assert!(r.findings[0].proof);
}

#[test]
fn runtime_only_heap_growth_is_goroutine_evidence_not_a_heap_finding() {
    let mut b = B::new();
    let malg = b.stack(&[
        ("runtime.malg", "/go/src/runtime/proc.go", 4900),
        ("runtime.newproc1", "/go/src/runtime/proc.go", 5000),
        ("runtime.systemstack", "/go/src/runtime/asm_amd64.s", 531),
    ]);
    let g = b.stack(&[
        ("runtime.gopark", "/go/src/runtime/proc.go", 460),
        ("runtime.chansend1", "/go/src/runtime/chan.go", 161),
        ("main.produce", "/src/p.go", 16),
    ]);
    for i in 0..8usize {
        b.heap(i, at(i), &[(malg, (1 + 4 * i as i64) << 20)]);
        let grp = b.group(g, 10 + 40 * i as u64, Some("chan send"));
        b.goroutines(i, at(i), Format::GoroutineDebug2, vec![grp]);
    }
    b.sort();
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Leak);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.kind, FindingKind::Goroutine);
    assert_eq!(f.function, "main.produce");
    assert!(
        f.evidence
            .iter()
            .any(|e| e.starts_with("heap allocated by the runtime itself")),
        "{:?}",
        f.evidence
    );
}

#[test]
fn a_cut_off_last_dump_does_not_erase_the_trend() {
    let mut b = B::new();
    let st = b.stack(&[("main.stuck", "/s.go", 3)]);
    for i in 0..8usize {
        let g = b.group(st, 10 + 10 * i as u64, Some("chan receive"));
        b.goroutines(i, at(i), Format::GoroutineDebug2, vec![g]);
    }
    // The last dump was read partially: 4 goroutines instead of ~90.
    let g = b.group(st, 4, Some("chan receive"));
    b.goroutines(8, at(8), Format::GoroutineDebug2, vec![g]);
    if let Some(d) = b.a.snapshots.last_mut().and_then(|s| s.goroutines.as_mut()) {
        d.truncated = true;
    }
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.verdict, Verdict::Leak, "{:#?}", r.notes);
    assert_eq!(r.findings[0].last, 80.0);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("is cut off") && n.contains("left out of the series")),
        "{:?}",
        r.notes
    );
}

/// One process restarted (goroutine ids start small again): the leak grows
/// in each run, so it is one leak finding spanning both runs, the restart
/// is noted and no run sees the drop.
#[test]
fn a_leak_growing_in_every_run_is_one_leak_across_the_restart() {
    let mut b = B::new();
    let leak = b.stack(&[
        ("runtime.gopark", "/go/src/runtime/proc.go", 1),
        ("main.publish", "/src/main.go", 31),
    ]);
    let idle = b.stack(&[("main.worker", "/src/main.go", 50)]);
    for i in 0..10usize {
        let run_tick = (i % 5) as u64;
        let mut s = Snapshot::new(Format::GoroutineDebug2, ProfileKind::Goroutine);
        s.moment = i;
        s.time = at(i);
        s.path = format!("goroutine-{i:02}.txt");
        let g = b.group(leak, 5 + 10 * run_tick, Some("chan send"));
        let w = b.group(idle, 4, Some("chan receive"));
        s.goroutines = Some(GoroutineData {
            total: 9 + 10 * run_tick,
            groups: vec![g, w],
            max_goroutine_id: Some(50 + 200 * run_tick),
            ..Default::default()
        });
        b.a.snapshots.push(s);
    }
    let r = analyze(&b.a, &Options::default());
    assert_eq!(r.processes.len(), 1);
    let p = &r.processes[0];
    assert_eq!((p.restarts, p.runs.len()), (1, 2), "{:?}", r.notes);
    assert_eq!(p.restart_times, vec![at(5).unwrap()]);
    assert_eq!(r.verdict, Verdict::Leak);
    let leaks: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.function == "main.publish")
        .collect();
    assert_eq!(leaks.len(), 1, "one finding across the runs");
    let f = leaks[0];
    assert_eq!(f.severity, Severity::Leak);
    assert_eq!(f.series.values.len(), 10, "the series spans both runs");
    assert!(
        f.evidence[0].starts_with("grows again in each of the 2 runs"),
        "{:?}",
        f.evidence
    );
    assert_eq!((f.stats.intervals, f.process.as_str()), (8, "process"));
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("The process restarted once"))
    );
}
