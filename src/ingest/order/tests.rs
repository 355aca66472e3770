//! Tests of time-ordering.

use super::*;
use crate::model::{MemStats, MemValue, ProfileKind};

/// 2026-11-27T00:00:00Z.
pub(crate) const NOW: TimeNs = 1_795_737_600 * NS_PER_SEC;

pub(crate) fn ts(s: &str) -> TimeNs {
    let t: jiff::Timestamp = s.parse().expect("valid test timestamp");
    i64::try_from(t.as_nanosecond()).expect("fits")
}

fn snap(path: &str, kind: ProfileKind, format: Format, own: Option<TimeNs>) -> Snapshot {
    let mut s = Snapshot::new(format, kind);
    s.path = path.to_string();
    s.embedded_time = own;
    s
}

fn run(snaps: Vec<Snapshot>, mtimes: &[Option<TimeNs>]) -> Archive {
    let mut a = Archive {
        snapshots: snaps,
        ..Archive::default()
    };
    order(&mut a, mtimes, NOW);
    a
}

fn paths(a: &Archive) -> Vec<&str> {
    a.snapshots.iter().map(|s| s.path.as_str()).collect()
}

use Format::{GoroutineDebug2 as G2, HeapText as HT, Pprof as PB};
use ProfileKind::{Goroutine as GR, Heap as HP};

#[test]
fn profile_time_first() {
    let t = ts("2026-11-20T10:00:00Z");
    let a = run(
        vec![
            snap("b.pb.gz", HP, PB, Some(t + 60 * NS_PER_SEC)),
            snap("a.pb.gz", HP, PB, Some(t)),
        ],
        &[Some(t), Some(t + 3600 * NS_PER_SEC)],
    );
    assert_eq!(paths(&a), ["a.pb.gz", "b.pb.gz"]);
    assert_eq!(a.snapshots[0].time_source, TimeSource::Profile);
    assert_eq!(a.snapshots[0].time, Some(t));
    assert_eq!(
        a.snapshots.iter().map(|s| s.moment).collect::<Vec<_>>(),
        [0, 1]
    );
    assert!(a.notes.is_empty(), "{:?}", a.notes);
}

#[test]
fn natural_sequence_order_heap_10_after_heap_2() {
    let names = ["heap-10.txt", "heap-2.txt", "heap-1.txt"];
    let a = run(
        names.iter().map(|n| snap(n, HP, HT, None)).collect(),
        // mtimes say the opposite order: they must not win over numbers.
        &[Some(NOW - 30), Some(NOW - 20), Some(NOW - 10)],
    );
    assert_eq!(paths(&a), ["heap-1.txt", "heap-2.txt", "heap-10.txt"]);
    assert!(
        a.snapshots
            .iter()
            .all(|s| s.time_source == TimeSource::Sequence && s.time.is_none())
    );
    assert_eq!(
        a.snapshots.iter().map(|s| s.moment).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert!(
        a.notes.iter().any(|n| n.contains("sequence numbers")),
        "{:?}",
        a.notes
    );
}

#[test]
fn name_beats_mtime() {
    let a = run(
        vec![
            snap("goroutine-20261120-100500.txt", GR, G2, None),
            snap("goroutine-20261120-100000.txt", GR, G2, None),
        ],
        &[
            Some(ts("2026-11-25T00:00:00Z")),
            Some(ts("2026-11-26T00:00:00Z")),
        ],
    );
    assert_eq!(
        paths(&a),
        [
            "goroutine-20261120-100000.txt",
            "goroutine-20261120-100500.txt"
        ]
    );
    assert_eq!(a.snapshots[0].time, Some(ts("2026-11-20T10:00:00Z")));
    assert_eq!(a.snapshots[0].time_source, TimeSource::FileName);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("2 file-name time(s) carry no time zone")),
        "{:?}",
        a.notes
    );
}

#[test]
fn mtime_last_with_note() {
    let a = run(
        vec![snap("b.txt", GR, G2, None), snap("a.txt", GR, G2, None)],
        &[
            Some(ts("2026-11-20T10:00:00Z")),
            Some(ts("2026-11-20T11:00:00Z")),
        ],
    );
    assert_eq!(paths(&a), ["b.txt", "a.txt"]);
    assert_eq!(a.snapshots[0].time_source, TimeSource::Mtime);
    assert!(
        a.notes.iter().any(|n| n.contains("modification time")),
        "{:?}",
        a.notes
    );
}

#[test]
fn sibling_pairing_by_sequence_number() {
    let t1 = ts("2026-11-20T10:00:00Z");
    let t2 = ts("2026-11-20T10:10:00Z");
    let a = run(
        vec![
            snap("goroutine.2.txt", GR, G2, None),
            snap("heap.1.pb.gz", HP, PB, Some(t1)),
            snap("goroutine.1.txt", GR, G2, None),
            snap("heap.2.pb.gz", HP, PB, Some(t2)),
        ],
        &[None, None, None, None],
    );
    assert_eq!(
        paths(&a),
        [
            "heap.1.pb.gz",
            "goroutine.1.txt",
            "heap.2.pb.gz",
            "goroutine.2.txt"
        ]
    );
    let g1 = &a.snapshots[1];
    assert_eq!(
        (g1.time, g1.time_source, g1.moment),
        (Some(t1), TimeSource::Sibling, 0)
    );
    let g2 = &a.snapshots[3];
    assert_eq!(
        (g2.time, g2.time_source, g2.moment),
        (Some(t2), TimeSource::Sibling, 1)
    );
    assert!(a.notes.is_empty(), "{:?}", a.notes);
}

#[test]
fn sibling_pairing_by_name_timestamp_in_local_time() {
    // The script named files in local time (+01:00); the pprof carries UTC.
    let own = ts("2026-11-20T09:00:00.300Z");
    let a = run(
        vec![
            snap("heap-20261120-100000.pb.gz", HP, PB, Some(own)),
            snap("goroutine-20261120-100000.txt", GR, G2, None),
        ],
        &[None, None],
    );
    assert_eq!(
        paths(&a),
        [
            "heap-20261120-100000.pb.gz",
            "goroutine-20261120-100000.txt"
        ]
    );
    let g = &a.snapshots[1];
    assert_eq!(
        (g.time, g.time_source, g.moment),
        (Some(own), TimeSource::Sibling, 0)
    );
    assert!(
        g.warnings.iter().any(|w| w.contains("sibling")),
        "{:?}",
        g.warnings
    );
    let note = a
        .notes
        .iter()
        .find(|n| n.starts_with("time sources disagree"))
        .expect("note");
    assert!(note.contains("2 file(s)"), "{note}");
    assert!(note.contains("+01:00"), "{note}");
}

#[test]
fn untimed_sequence_placed_after_timed_sibling_series() {
    let t1 = ts("2026-11-20T10:00:00Z");
    let t3 = ts("2026-11-20T10:20:00Z");
    let a = run(
        vec![
            snap("heap.3.pb.gz", HP, PB, Some(t3)),
            snap("goroutine.2.txt", GR, G2, None),
            snap("heap.1.pb.gz", HP, PB, Some(t1)),
        ],
        &[None, None, None],
    );
    assert_eq!(
        paths(&a),
        ["heap.1.pb.gz", "goroutine.2.txt", "heap.3.pb.gz"]
    );
    assert_eq!(
        a.snapshots.iter().map(|s| s.moment).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(a.snapshots[1].time_source, TimeSource::Sequence);
}

#[test]
fn moments_group_kinds_within_window() {
    let t = ts("2026-11-20T10:00:00Z");
    let a = run(
        vec![
            snap("g1.txt", GR, G2, Some(t + NS_PER_SEC)),
            snap("h1.pb.gz", HP, PB, Some(t)),
            snap("h2.pb.gz", HP, PB, Some(t + 1_500_000_000)),
            snap("g2.txt", GR, G2, Some(t + 60 * NS_PER_SEC)),
        ],
        &[None; 4],
    );
    // h2 is within 2 s but a second heap: a new moment.
    assert_eq!(paths(&a), ["h1.pb.gz", "g1.txt", "h2.pb.gz", "g2.txt"]);
    assert_eq!(
        a.snapshots.iter().map(|s| s.moment).collect::<Vec<_>>(),
        [0, 0, 1, 2]
    );
}

#[test]
fn collisions_are_noted() {
    let t = ts("2026-11-20T10:00:00Z");
    let a = run(
        vec![
            snap("b.pb.gz", HP, PB, Some(t)),
            snap("a.pb.gz", HP, PB, Some(t)),
        ],
        &[None, None],
    );
    assert_eq!(paths(&a), ["a.pb.gz", "b.pb.gz"]);
    assert_eq!(
        a.snapshots.iter().map(|s| s.moment).collect::<Vec<_>>(),
        [0, 1]
    );
    let note = a
        .notes
        .iter()
        .find(|n| n.starts_with("times collide"))
        .expect("note");
    assert!(
        note.contains("2 heap snapshots") && note.contains("a.pb.gz, b.pb.gz"),
        "{note}"
    );
    // Other directories are other processes: no collision.
    let a = run(
        vec![
            snap("p1/a.pb.gz", HP, PB, Some(t)),
            snap("p2/a.pb.gz", HP, PB, Some(t)),
        ],
        &[None, None],
    );
    assert!(a.notes.is_empty(), "{:?}", a.notes);
}

#[test]
fn name_and_profile_disagree() {
    let own = ts("2026-11-20T10:00:00Z");
    let a = run(
        vec![snap("heap-2026-11-20T10-05-00Z.pb.gz", HP, PB, Some(own))],
        &[None],
    );
    let s = &a.snapshots[0];
    assert_eq!((s.time, s.time_source), (Some(own), TimeSource::Profile));
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("5m"), "{:?}", s.warnings);
    assert!(
        a.notes
            .iter()
            .any(|n| n.starts_with("time sources disagree")),
        "{:?}",
        a.notes
    );
}

#[test]
fn clock_backwards_against_sequence() {
    let t = ts("2026-11-20T10:00:00Z");
    let a = run(
        vec![
            snap("heap.1.pb.gz", HP, PB, Some(t + 600 * NS_PER_SEC)),
            snap("heap.2.pb.gz", HP, PB, Some(t)),
        ],
        &[None, None],
    );
    assert_eq!(paths(&a), ["heap.2.pb.gz", "heap.1.pb.gz"]);
    assert!(
        a.notes
            .iter()
            .any(|n| n.starts_with("clock goes backwards")),
        "{:?}",
        a.notes
    );
}

#[test]
fn memstats_lower_bound_beats_sequence_but_not_names() {
    let mut ms = MemStats::default();
    ms.set("LastGC", MemValue::U64(ts("2026-11-20T10:00:00Z") as u64));
    let mut s1 = snap("vars.2.json", ProfileKind::MemStats, Format::Expvar, None);
    s1.memstats = Some(ms.clone());
    let mut ms2 = MemStats::default();
    ms2.set("LastGC", MemValue::U64(ts("2026-11-20T09:00:00Z") as u64));
    let mut s2 = snap("vars.1.json", ProfileKind::MemStats, Format::Expvar, None);
    s2.memstats = Some(ms2);
    let a = run(vec![s1, s2], &[None, None]);
    assert_eq!(paths(&a), ["vars.1.json", "vars.2.json"]);
    assert_eq!(a.snapshots[0].time_source, TimeSource::MemStatsLowerBound);
    let mut s3 = snap(
        "vars-2026-11-20T08-00-00Z.json",
        ProfileKind::MemStats,
        Format::Expvar,
        None,
    );
    s3.memstats = Some(ms);
    let a = run(vec![s3], &[None]);
    assert_eq!(a.snapshots[0].time_source, TimeSource::FileName);
    assert!(
        a.snapshots[0]
            .warnings
            .iter()
            .any(|w| w.contains("last GC")),
        "{:?}",
        a.snapshots[0].warnings
    );
}

#[test]
fn several_processes_noted() {
    let t = ts("2026-11-20T10:00:00Z");
    let mut a1 = snap("a.pb.gz", HP, PB, Some(t));
    a1.process.build_id = Some("aaa".into());
    let mut b1 = snap("b.pb.gz", HP, PB, Some(t + 600 * NS_PER_SEC));
    b1.process.build_id = Some("bbb".into());
    let a = run(vec![a1, b1], &[None, None]);
    assert!(
        a.notes.iter().any(|n| n.contains("2 build ids (aaa, bbb)")),
        "{:?}",
        a.notes
    );
}

#[test]
fn unknown_without_any_clue() {
    let a = run(
        vec![snap("b.txt", GR, G2, None), snap("a.txt", GR, G2, None)],
        &[None, None],
    );
    assert_eq!(paths(&a), ["a.txt", "b.txt"]);
    assert!(
        a.snapshots
            .iter()
            .all(|s| s.time_source == TimeSource::Unknown)
    );
    assert_eq!(
        a.snapshots.iter().map(|s| s.moment).collect::<Vec<_>>(),
        [0, 1]
    );
}

#[test]
fn empty_archive() {
    let a = run(Vec::new(), &[]);
    assert!(a.snapshots.is_empty() && a.notes.is_empty());
}

#[test]
fn sequence_series_placed_by_mtime_around_mtime_only_files() {
    let t = ts("2026-11-20T10:00:00Z");
    let m = |k: i64| Some(t + k * 60 * NS_PER_SEC);
    let names = [
        "goroutine-3.txt",
        "crash.log",
        "goroutine-1.txt",
        "goroutine-2.txt",
    ];
    let snaps = || {
        names
            .iter()
            .map(|n| snap(n, GR, G2, None))
            .collect::<Vec<_>>()
    };
    // The crash log was written last.
    let a = run(snaps(), &[m(3), m(4), m(1), m(2)]);
    assert_eq!(
        paths(&a),
        [
            "goroutine-1.txt",
            "goroutine-2.txt",
            "goroutine-3.txt",
            "crash.log"
        ]
    );
    assert_eq!(a.snapshots[3].time_source, TimeSource::Mtime);
    assert_eq!(a.snapshots[0].time_source, TimeSource::Sequence);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("by file modification time")),
        "{:?}",
        a.notes
    );
    // Between 1 and 2.
    let a = run(snaps(), &[m(3), m(1).map(|x| x + 1), m(1), m(2)]);
    assert_eq!(
        paths(&a),
        [
            "goroutine-1.txt",
            "crash.log",
            "goroutine-2.txt",
            "goroutine-3.txt"
        ]
    );
    // mtimes against the numbers: the numbers win.
    let a = run(snaps(), &[m(0), m(3), m(5), m(1)]);
    assert_eq!(
        paths(&a),
        [
            "crash.log",
            "goroutine-1.txt",
            "goroutine-2.txt",
            "goroutine-3.txt"
        ]
    );
    let moments: Vec<usize> = a.snapshots.iter().map(|s| s.moment).collect();
    assert_eq!(moments, [0, 1, 2, 3]);
}

#[test]
fn mtimes_reset_by_a_copy_are_ignored() {
    let t = ts("2026-11-27T05:18:03Z");
    let names = [
        "crash.log",
        "goroutine-1.txt",
        "goroutine-2.txt",
        "goroutine-10.txt",
    ];
    let snaps = names.iter().map(|n| snap(n, GR, G2, None)).collect();
    // Copied in name order within a millisecond: crash.log "first".
    let a = run(snaps, &[Some(t), Some(t + 1), Some(t + 2), Some(t + 3)]);
    assert_eq!(
        paths(&a),
        [
            "goroutine-1.txt",
            "goroutine-2.txt",
            "goroutine-10.txt",
            "crash.log"
        ]
    );
    let last = &a.snapshots[3];
    assert_eq!((last.time, last.time_source), (None, TimeSource::Unknown));
    assert!(
        a.notes.iter().any(|n| n.contains("a copy reset them")),
        "{:?}",
        a.notes
    );
    // Spread-out mtimes are kept.
    let snaps = names.iter().map(|n| snap(n, GR, G2, None)).collect();
    let a = run(
        snaps,
        &[Some(t + 60 * NS_PER_SEC), Some(t), Some(t + 1), Some(t + 2)],
    );
    assert_eq!(a.snapshots[3].time_source, TimeSource::Mtime);
    assert_eq!(a.snapshots[3].path, "crash.log");
}

proptest::proptest! {
    #[test]
    fn order_keeps_everything_and_moments_ascend(
        files in proptest::collection::vec(
            (
                0usize..6,
                0u64..5,
                proptest::option::of(0i64..600),
                proptest::option::of(0i64..600),
                proptest::bool::ANY,
            ),
            0..12,
        )
    ) {
        let t0 = ts("2026-11-20T10:00:00Z");
        let stems = ["heap", "goroutine", "vars", "dump", "x/heap", "y/goroutine"];
        let mut snaps = Vec::new();
        let mut mtimes = Vec::new();
        for (k, (stem, seq, own, mtime, named)) in files.iter().enumerate() {
            let name = if *named {
                format!("{}-{seq}-{k}.txt", stems[*stem])
            } else {
                format!("{}.{seq}.txt", stems[*stem])
            };
            let kind = if stem % 2 == 0 { HP } else { GR };
            snaps.push(snap(&name, kind, PB, own.map(|s| t0 + s * NS_PER_SEC)));
            mtimes.push(mtime.map(|s| t0 + s * NS_PER_SEC));
        }
        let n = snaps.len();
        let a = run(snaps, &mtimes);
        proptest::prop_assert_eq!(a.snapshots.len(), n);
        let mut max_before: Option<TimeNs> = None;
        let mut max_current: Option<TimeNs> = None;
        let mut prev = 0;
        for s in &a.snapshots {
            proptest::prop_assert!(s.moment >= prev);
            if s.moment != prev {
                max_before = max_before.max(max_current);
                max_current = None;
            }
            if let Some(t) = s.time {
                if let Some(m) = max_before {
                    proptest::prop_assert!(t >= m - DISAGREE_NS, "{:?}", a.snapshots);
                }
                max_current = max_current.max(Some(t));
            }
            prev = s.moment;
        }
    }
}

#[test]
fn two_forms_of_one_goroutine_dump_are_one_moment() {
    let t = ts("2026-11-20T10:00:00Z");
    let a = run(
        vec![
            snap(
                "goroutine-1.debug1.txt",
                GR,
                Format::GoroutineDebug1,
                Some(t),
            ),
            snap("goroutine-1.txt", GR, G2, Some(t)),
            snap("goroutine-2.txt", GR, G2, Some(t + 60 * NS_PER_SEC)),
        ],
        &[None, None, None],
    );
    let moments: Vec<usize> = a.snapshots.iter().map(|s| s.moment).collect();
    assert_eq!(moments, [0, 0, 1], "{:?}", paths(&a));
    assert!(
        a.notes
            .iter()
            .any(|n| n.starts_with("one goroutine snapshot at") && n.contains("2 forms")),
        "{:?}",
        a.notes
    );
    assert!(!a.notes.iter().any(|n| n.starts_with("times collide")));
    // Two dumps of one form at one time stay two snapshots.
    let a = run(
        vec![
            snap("a.txt", GR, G2, Some(t)),
            snap("b.txt", GR, G2, Some(t)),
        ],
        &[None, None],
    );
    assert_eq!(
        a.snapshots.iter().map(|s| s.moment).collect::<Vec<_>>(),
        [0, 1]
    );
}
