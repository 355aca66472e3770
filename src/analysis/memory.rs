//! The article's three numbers (memory from the OS, the Go heap, the memory
//! actually in use) over time, the "this is not a leak" note, and stale heap
//! snapshots.

use super::evidence::Evidence;
use super::series::Points;
use super::stats::growth_stats;
use super::types::{
    Cause, Finding, FindingKind, MemorySeries, Place, Series, Severity, Shape, Thresholds,
};
use super::words::{RateUnit, bytes, rate_in, signed_bytes};
use crate::model::{Archive, MemStats};

/// The MemStats series of the chosen points. A point without a field is
/// left out of that field's series.
pub fn memory_series(archive: &Archive, points: &Points) -> MemorySeries {
    let field = |key: &str| {
        let mut s = Series::default();
        for (p, &si) in points.snaps.iter().enumerate() {
            let Some(ms) = archive.snapshots[si].memstats.as_ref() else {
                continue;
            };
            if let Some(v) = ms.u64(key) {
                s.times.push(points.times[p]);
                s.values.push(v as f64);
            }
        }
        s
    };
    MemorySeries {
        sys: field("Sys"),
        heap_sys: field("HeapSys"),
        heap_alloc: field("HeapAlloc"),
        heap_inuse: field("HeapInuse"),
        heap_idle: field("HeapIdle"),
        heap_released: field("HeapReleased"),
        stack_inuse: field("StackInuse"),
        num_gc: field("NumGC"),
    }
}

fn hours(s: &Series, origin: i64) -> Vec<f64> {
    s.times
        .iter()
        .map(|&t| (t.saturating_sub(origin)) as f64 / 3.6e12)
        .collect()
}

/// The growth of a MemStats series is above both thresholds.
fn grows_beyond(s: &Series, th: &Thresholds) -> bool {
    let (Some(&first), Some(&last)) = (s.values.first(), s.values.last()) else {
        return false;
    };
    let delta = last - first;
    delta >= th.min_heap_bytes as f64 && delta >= th.min_heap_ratio * first.max(1.0)
}

/// The note for memory the runtime keeps (Sys high or growing, HeapInuse
/// flat, the difference idle heap), or `None`.
pub fn memory_note(mem: &MemorySeries, th: &Thresholds) -> Option<String> {
    let sys = *mem.sys.values.last()?;
    let inuse = *mem.heap_inuse.values.last()?;
    let idle = *mem.heap_idle.values.last()?;
    let released = mem.heap_released.values.last().copied();
    let origin = mem.heap_inuse.times.first().copied().unwrap_or(0);
    let inuse_stats = growth_stats(
        &hours(&mem.heap_inuse, origin),
        &mem.heap_inuse.values,
        th.min_snapshots,
    );
    let inuse_growing = matches!(inuse_stats.shape, Shape::Growing | Shape::LateGrowth)
        && grows_beyond(&mem.heap_inuse, th);
    if inuse_growing {
        return None;
    }
    // Sys grows, and idle heap explains at least half of that growth.
    let sys_growing = grows_beyond(&mem.sys, th)
        && match (
            mem.sys.values.first(),
            mem.heap_idle.values.first(),
            mem.heap_idle.values.last(),
        ) {
            (Some(&s0), Some(&i0), Some(&i1)) => i1 - i0 >= 0.5 * (sys - s0),
            _ => false,
        };
    let gap = sys - inuse;
    let sys_high = sys >= 2.0 * inuse && gap >= th.min_heap_bytes as f64;
    let idle_explains = gap > 0.0 && idle >= 0.5 * gap;
    if !(sys_growing || sys_high) || !idle_explains {
        return None;
    }
    let sys_part = match (sys_growing, mem.sys.values.first()) {
        (true, Some(&first)) => format!(
            "{} (up {} since the first snapshot)",
            bytes(sys),
            bytes(sys - first)
        ),
        _ => bytes(sys),
    };
    let inuse_part = if mem.heap_inuse.values.len() >= 2 {
        format!("stays at about {}", bytes(inuse))
    } else {
        format!("is {}", bytes(inuse))
    };
    let released_part = match released {
        Some(r) if r > 0.0 => format!(
            ", of which {} is already returned to the OS (HeapReleased)",
            bytes(r)
        ),
        _ => String::new(),
    };
    Some(format!(
        "Memory obtained from the OS (Sys) is {sys_part}, but the heap actually in use (HeapInuse) {inuse_part}; \
         the difference is idle heap (HeapIdle {}{released_part}). \
         The runtime keeps freed memory for reuse; that difference is not a leak.",
        bytes(idle)
    ))
}

/// Function name of a finding drawn from MemStats alone.
pub const NO_HEAP_PROFILE: &str = "(no heap profile)";

/// A suspect heap finding when MemStats show HeapInuse growing beyond the
/// thresholds but the archive has too few heap profiles to name the
/// allocation site. Never a leak: nothing can be attributed.
pub fn memstats_only_finding(
    mem: &MemorySeries,
    th: &Thresholds,
    synthetic: bool,
) -> Option<Finding> {
    let s = &mem.heap_inuse;
    let origin = s.times.first().copied()?;
    let xs = hours(s, origin);
    let st = growth_stats(&xs, &s.values, th.min_snapshots);
    if !matches!(st.shape, Shape::Growing | Shape::LateGrowth) || !grows_beyond(s, th) {
        return None;
    }
    let span = xs.last().copied().unwrap_or(0.0);
    let unit = RateUnit::for_span(span, synthetic);
    let rate = rate_in(unit, st.slope_per_hour, span, st.intervals);
    let sentence = format!(
        "HeapInuse (MemStats) grows from {} to {} ({}, {} {}, grew in {} of {} intervals), \
         but the archive has no heap profiles to name the allocation site; capture /debug/pprof/heap with the next snapshots.",
        bytes(st.first),
        bytes(st.last),
        signed_bytes(st.delta),
        signed_bytes(rate),
        unit.words(),
        st.grew_intervals,
        st.intervals
    );
    let mut f = Finding::new(
        FindingKind::Heap,
        Cause::HeapGrowth,
        Place {
            function: NO_HEAP_PROFILE.to_string(),
            ..Place::default()
        },
        (Severity::Suspect, 0.5),
        s.clone(),
        st.clone(),
    );
    f.add_evidence([Evidence::MemStatsTrend {
        mk_s: st.mk_s,
        mk_p: st.mk_p,
        shape: st.shape,
    }]);
    f.sentence = sentence;
    Some(f)
}

/// NumGC of a snapshot, from its own MemStats or a MemStats snapshot of the
/// same moment.
fn num_gc_at(archive: &Archive, si: usize) -> Option<u64> {
    let s = archive.snapshots.get(si)?;
    if let Some(v) = s.memstats.as_ref().and_then(|m: &MemStats| m.u64("NumGC")) {
        return Some(v);
    }
    archive
        .snapshots
        .iter()
        .filter(|o| o.moment == s.moment)
        .find_map(|o| o.memstats.as_ref().and_then(|m| m.u64("NumGC")))
}

/// Heap points whose NumGC equals the previous heap point's: they show the
/// same GC cycle. Returns their paths.
pub fn stale_heaps(archive: &Archive, heap_points: &Points) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev: Option<u64> = None;
    for &si in &heap_points.snaps {
        let gc = num_gc_at(archive, si);
        if let (Some(a), Some(b)) = (prev, gc)
            && a == b
            && let Some(s) = archive.snapshots.get(si)
        {
            out.push(s.path.clone());
        }
        prev = gc;
    }
    out
}

/// A note for stale heap snapshots, if any.
pub fn stale_note(paths: &[String]) -> Option<String> {
    if paths.is_empty() {
        return None;
    }
    let shown: Vec<&str> = paths.iter().take(5).map(String::as_str).collect();
    let more = if paths.len() > shown.len() {
        format!(" and {} more", paths.len() - shown.len())
    } else {
        String::new()
    };
    Some(format!(
        "{} heap snapshot{} taken with no GC since the previous one (NumGC unchanged): {}{more}. \
         A heap profile shows the heap as of the last GC, so {} the previous snapshot's data.",
        paths.len(),
        if paths.len() == 1 { " was" } else { "s were" },
        shown.join(", "),
        if paths.len() == 1 {
            "it repeats"
        } else {
            "they repeat"
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, HeapData, MemValue, ProfileKind, Snapshot};

    fn mem_snap(moment: usize, fields: &[(&str, u64)]) -> Snapshot {
        let mut s = Snapshot::new(Format::HeapText, ProfileKind::Heap);
        s.moment = moment;
        s.path = format!("heap_{moment}.txt");
        s.time = Some(moment as i64 * 60_000_000_000);
        let mut ms = MemStats::default();
        for (k, v) in fields {
            ms.set(*k, MemValue::U64(*v));
        }
        s.memstats = Some(ms);
        s.heap = Some(HeapData {
            has_inuse: true,
            ..Default::default()
        });
        s
    }

    fn pts(a: &Archive) -> Points {
        Points {
            snaps: (0..a.snapshots.len()).collect(),
            times: a.snapshots.iter().map(|s| s.time.unwrap_or(0)).collect(),
            xs: (0..a.snapshots.len()).map(|i| i as f64 / 60.0).collect(),
        }
    }

    const MB: u64 = 1 << 20;

    #[test]
    fn sys_high_inuse_flat_gives_the_note() {
        let mut a = Archive::default();
        for i in 0..5u64 {
            a.snapshots.push(mem_snap(
                i as usize,
                &[
                    ("Sys", (100 + 60 * i) * MB),
                    ("HeapInuse", 40 * MB + i * 1000),
                    ("HeapIdle", (50 + 60 * i) * MB),
                    ("HeapReleased", (20 + 50 * i) * MB),
                    ("NumGC", 10 + i),
                ],
            ));
        }
        let mem = memory_series(&a, &pts(&a));
        assert_eq!(mem.sys.values.len(), 5);
        assert_eq!(mem.num_gc.values, vec![10.0, 11.0, 12.0, 13.0, 14.0]);
        let note = memory_note(&mem, &Thresholds::default()).expect("note");
        assert!(
            note.ends_with(
                "The runtime keeps freed memory for reuse; that difference is not a leak."
            ),
            "{note}"
        );
        assert!(note.contains("Sys) is 340 MiB (up 240 MiB"), "{note}");
        assert!(note.contains("HeapReleased"), "{note}");
    }

    #[test]
    fn growing_inuse_gets_no_note() {
        let mut a = Archive::default();
        for i in 0..5u64 {
            a.snapshots.push(mem_snap(
                i as usize,
                &[
                    ("Sys", (100 + 60 * i) * MB),
                    ("HeapInuse", (40 + 50 * i) * MB),
                    ("HeapIdle", (50 + 10 * i) * MB),
                    ("HeapReleased", 0),
                ],
            ));
        }
        let mem = memory_series(&a, &pts(&a));
        assert_eq!(memory_note(&mem, &Thresholds::default()), None);
    }

    #[test]
    fn tight_memory_gets_no_note() {
        let mut a = Archive::default();
        a.snapshots.push(mem_snap(
            0,
            &[
                ("Sys", 50 * MB),
                ("HeapInuse", 40 * MB),
                ("HeapIdle", 5 * MB),
            ],
        ));
        let mem = memory_series(&a, &pts(&a));
        assert_eq!(memory_note(&mem, &Thresholds::default()), None);
    }

    #[test]
    fn memstats_only_growth_is_a_suspect() {
        let mut a = Archive::default();
        for i in 0..6u64 {
            a.snapshots
                .push(mem_snap(i as usize, &[("HeapInuse", (10 + 8 * i) * MB)]));
        }
        let mem = memory_series(&a, &pts(&a));
        let f = memstats_only_finding(&mem, &Thresholds::default(), false).expect("finding");
        assert_eq!(f.severity, Severity::Suspect);
        assert_eq!(f.function, NO_HEAP_PROFILE);
        assert_eq!(f.delta, (40 * MB) as f64);
        assert!(
            f.sentence.starts_with(
                "HeapInuse (MemStats) grows from 10 MiB to 50 MiB (+40 MiB, +8.0 MiB per minute"
            ),
            "{}",
            f.sentence
        );
        // Flat HeapInuse: nothing.
        let mut a = Archive::default();
        for i in 0..6 {
            a.snapshots.push(mem_snap(i, &[("HeapInuse", 10 * MB)]));
        }
        let mem = memory_series(&a, &pts(&a));
        assert!(memstats_only_finding(&mem, &Thresholds::default(), false).is_none());
    }

    #[test]
    fn stale_heap_detected() {
        let mut a = Archive::default();
        for (i, gc) in [5u64, 6, 6, 7, 7].iter().enumerate() {
            a.snapshots.push(mem_snap(i, &[("NumGC", *gc)]));
        }
        let stale = stale_heaps(&a, &pts(&a));
        assert_eq!(
            stale,
            vec!["heap_2.txt".to_string(), "heap_4.txt".to_string()]
        );
        let note = stale_note(&stale).expect("note");
        assert!(
            note.starts_with("2 heap snapshots were taken with no GC"),
            "{note}"
        );
        assert_eq!(stale_note(&[]), None);
    }
}
