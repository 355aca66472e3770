//! Analysis: follows every allocation site and goroutine group across the
//! snapshots, measures growth robustly, names causes and culprits, and ranks
//! findings. Pure and deterministic: `&Archive` in, [`Analysis`] out.
//!
//! The contract with the render stage and the JSON summary lives in
//! [`types`] and is re-exported here (`crate::analysis::Finding`, …).
//!
//! Modules are layered; each imports only from modules below it, never
//! from one that imports it:
//!
//! 1. `types` (the contract), `words` (numbers and names in sentences);
//! 2. `stats` (growth statistics), `cause` (frames, causes, culprits),
//!    `ignore` (ignore rules);
//! 3. `series` (points, processes, goroutine and heap series);
//! 4. `phrases` (growth phrases), then `evidence` (evidence values);
//! 5. `findings` (goroutine and heap findings, in phases) and `memory`
//!    (MemStats series, notes, the MemStats-only finding);
//! 6. `verdict` (verdict and headline);
//! 7. this file: [`analyze`], the orchestration of one run;
//! 8. `processes`: every process and run on its own, then together.

pub mod baseline;
pub mod cause;
pub mod evidence;
pub mod findings;
pub mod ignore;
pub mod memory;
pub mod phrases;
pub mod processes;
pub mod series;
pub mod stats;
pub mod types;
pub mod verdict;
pub mod words;

pub use types::*;

use crate::model::{Archive, ProfileKind, Snapshot, TimeSource};
use series::{Points, Segment, Timeline};

/// Runs the analysis: every process of the archive on its own (each run
/// between restarts on its own, then the runs together), then the
/// processes together (see [`processes`]).
pub fn analyze(archive: &Archive, opts: &Options) -> Analysis {
    if archive.snapshots.is_empty() {
        return empty(
            opts,
            "Inconclusive: the archive holds no usable snapshot".to_string(),
        );
    }
    processes::analyze_all(archive, opts)
}

/// Analyses one run of one process (a segment of the archive) on its own.
pub(crate) fn analyze_run(archive: &Archive, seg: &Segment, opts: &Options) -> Analysis {
    let th = &opts.thresholds;
    let mut notes: Vec<String> = Vec::new();
    let tl = Timeline::new(archive, seg);
    let pts = collect_points(archive, seg, &tl, th, &mut notes);

    let mut classes = cause::FrameClasses::default();
    let mut norm = series::Normalizer::default();
    let hs = series::build_heap(archive, pts.heap, &mut norm, &mut classes);
    let gs = series::build_goroutines(archive, seg, pts.goroutine, &mut norm, &mut classes);
    let memory = memory::memory_series(archive, &pts.memstats);
    let memory_note = memory::memory_note(&memory, th);
    if let Some(n) = memory::stale_note(&memory::stale_heaps(archive, &hs.points)) {
        notes.push(n);
    }
    let order = Order::of(archive, &mut notes);
    let rules = ignore::all_rules(&opts.ignore_rules);
    let cx = findings::Context {
        tables: &archive.tables,
        th,
        synthetic: tl.synthetic,
        rules: &rules,
        goroutines_unordered: order.goroutines,
        heap_unordered: order.heap,
    };
    let mut out = findings::findings(&cx, &gs, &hs, &mut classes, &memory.stack_inuse);
    notes.extend(std::mem::take(&mut out.notes));
    if pts.counts.heap < th.min_snapshots
        && !order.any()
        && let Some(mut f) = memory::memstats_only_finding(&memory, th, tl.synthetic)
    {
        f.rank = out.findings.len() + 1;
        out.findings.push(f);
    }
    let (verdict, headline) = conclude(&out.findings, &pts.counts, &order, th, tl.synthetic);
    Analysis {
        verdict,
        headline,
        findings: out.findings,
        goroutines_total: Series {
            times: gs.points.times.clone(),
            values: gs.totals.clone(),
        },
        heap_inuse_total: Series {
            times: hs.points.times.clone(),
            values: hs.totals.clone(),
        },
        memory,
        memory_note,
        notes,
        heap_sites: out.heap_sites,
        goroutine_groups: out.goroutine_groups,
        processes: Vec::new(),
        ignored: out.ignored,
        thresholds: th.clone(),
        counts: pts.counts,
        synthetic_times: tl.synthetic,
    }
}

/// Notes for snapshots left out as damaged or foreign.
pub(crate) fn outlier_notes<'a>(
    archive: &'a Archive,
    outliers: &'a [(usize, String)],
) -> impl Iterator<Item = String> + 'a {
    outliers.iter().map(|(i, why)| {
        format!(
            "Left out {}: {why}, but the snapshots around it continue the same process; \
             it looks damaged or foreign.",
            archive
                .snapshots
                .get(*i)
                .map(|s| s.path.as_str())
                .unwrap_or("?")
        )
    })
}

/// The points of each kind in the chosen segment, and their counts.
struct KindPoints {
    heap: Points,
    goroutine: Points,
    memstats: Points,
    counts: KindCounts,
}

/// A last goroutine dump that was cut off (read partially) and holds less
/// than half the goroutines of the one before it says nothing about the
/// trend: it is left out of the series (the earlier points keep their
/// verdict), with a note saying what happened.
fn drop_collapsed_last(archive: &Archive, points: &mut series::Points) -> Option<String> {
    let n = points.len();
    if n < 3 {
        return None;
    }
    let total = |i: usize| {
        archive.snapshots[points.snaps[i]]
            .goroutines
            .as_ref()
            .map_or((0, false), |g| (g.total, g.truncated))
    };
    let (last, cut) = total(n - 1);
    let (prev, _) = total(n - 2);
    if !cut || last.saturating_mul(2) >= prev {
        return None;
    }
    let path = archive.snapshots[points.snaps[n - 1]].path.clone();
    points.snaps.pop();
    points.times.pop();
    points.xs.pop();
    Some(format!(
        "The last goroutine dump ({path}) is cut off: {last} goroutines read against {prev} in the dump before;          a partial read says nothing about the trend, so it is left out of the series."
    ))
}

/// Collects the points of each kind, with notes on synthetic times, delta
/// profiles and too few snapshots.
fn collect_points(
    archive: &Archive,
    seg: &Segment,
    tl: &Timeline,
    th: &Thresholds,
    notes: &mut Vec<String>,
) -> KindPoints {
    if tl.synthetic && seg.snaps.len() > 1 {
        notes.push(
            "Snapshot times are unknown (order only): series use one step per snapshot, \
             and rates are per snapshot, not per hour."
                .to_string(),
        );
    }
    let heap = series::points(archive, seg, tl, series::heap_level_score);
    let mut goroutine = series::points(archive, seg, tl, series::goroutine_level_score);
    if tl.synthetic
        && let Some(n) = series::order_by_goroutine_ids(archive, &mut goroutine)
    {
        notes.push(n);
    }
    if let Some(n) = drop_collapsed_last(archive, &mut goroutine) {
        notes.push(n);
    }
    let memstats = series::points(archive, seg, tl, series::memstats_score);
    let snaps = || seg.snaps.iter().map(|&i| &archive.snapshots[i]);
    let counts = KindCounts {
        heap: heap.len(),
        goroutine: goroutine.len(),
        goroutineleak: snaps()
            .filter(|s| s.kind == ProfileKind::GoroutineLeak)
            .count(),
        memstats: memstats.len(),
    };
    let deltas = snaps()
        .filter(|s| s.heap.as_ref().is_some_and(|h| h.delta))
        .count();
    if deltas > 0 {
        notes.push(format!(
            "{deltas} delta heap profile{} (?seconds=N) left out of the heap series: they hold differences, not levels.",
            if deltas == 1 { "" } else { "s" }
        ));
    }
    for (n, what) in [
        (counts.heap, "heap profile"),
        (counts.goroutine, "goroutine dump"),
    ] {
        if n > 0 && n < th.min_snapshots {
            notes.push(format!(
                "Only {n} {what}{}: too few to judge growth (at least {} are needed).",
                if n == 1 { "" } else { "s" },
                th.min_snapshots
            ));
        }
    }
    KindPoints {
        heap,
        goroutine,
        memstats,
        counts,
    }
}

/// Which kinds of snapshots have no known order.
struct Order {
    /// Several goroutine dumps carry no time and no sequence number.
    goroutines: bool,
    /// The same for heap profiles.
    heap: bool,
}

impl Order {
    /// Snapshots with neither a time nor a sequence number have no known
    /// order among themselves: growth across them cannot be judged. Adds a
    /// note when that is so.
    fn of(archive: &Archive, notes: &mut Vec<String>) -> Order {
        let unknown = |pred: &dyn Fn(&Snapshot) -> bool| {
            archive
                .snapshots
                .iter()
                .filter(|s| s.time.is_none() && s.time_source == TimeSource::Unknown && pred(s))
                .count()
                >= 2
        };
        let order = Order {
            goroutines: unknown(&|s| s.goroutines.as_ref().is_some_and(|g| !g.leak_profile)),
            heap: unknown(&|s| s.heap.is_some()),
        };
        if order.any() {
            notes.push(format!(
                "Several {} carry no time and no sequence number (no profile time, no timestamp or \
                 number in the file names, no usable file times): their order is unknown, so growth \
                 across them is not judged; only leaks the runtime proved count.",
                match (order.goroutines, order.heap) {
                    (true, true) => "goroutine dumps and heap profiles",
                    (true, false) => "goroutine dumps",
                    _ => "heap profiles",
                }
            ));
        }
        order
    }

    /// Some kind has no known order.
    fn any(&self) -> bool {
        self.goroutines || self.heap
    }
}

/// The verdict and its headline.
fn conclude(
    findings: &[Finding],
    counts: &KindCounts,
    order: &Order,
    th: &Thresholds,
    synthetic: bool,
) -> (Verdict, String) {
    let points = [
        (!order.heap).then_some(counts.heap),
        (!order.goroutines).then_some(counts.goroutine),
        (!order.any()).then_some(counts.memstats),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    let verdict = verdict::verdict(findings, points, th.min_snapshots);
    let headline = if order.any() && verdict == Verdict::Inconclusive {
        "Inconclusive: the dumps carry no time or sequence number, so growth over time \
         cannot be judged"
            .to_string()
    } else {
        verdict::headline(
            verdict,
            findings,
            counts,
            points,
            th.min_snapshots,
            synthetic,
        )
    };
    (verdict, headline)
}

pub(crate) fn empty(opts: &Options, headline: String) -> Analysis {
    Analysis {
        verdict: Verdict::Inconclusive,
        headline,
        findings: Vec::new(),
        goroutines_total: Series::default(),
        heap_inuse_total: Series::default(),
        memory: MemorySeries::default(),
        memory_note: None,
        notes: Vec::new(),
        heap_sites: Vec::new(),
        goroutine_groups: Vec::new(),
        processes: Vec::new(),
        ignored: Vec::new(),
        thresholds: opts.thresholds.clone(),
        counts: KindCounts::default(),
        synthetic_times: false,
    }
}

#[cfg(test)]
mod tests;
