//! Analysis: follows every allocation site and goroutine group across the
//! snapshots, measures growth robustly, names causes and culprits, and ranks
//! findings. Pure and deterministic: `&Archive` in, [`Analysis`] out.
//!
//! The types in this file are the contract with the render stage and the
//! JSON summary.

pub mod cause;
pub mod findings;
pub mod ignore;
pub mod memory;
pub mod series;
pub mod stats;
pub mod verdict;
pub mod words;

use crate::model::{Archive, ProfileKind, StackId};
use serde::Serialize;

/// Tunable thresholds (CLI flags with these defaults).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Thresholds {
    /// Minimum growth in goroutines of a group for a finding.
    pub min_goroutines: u64,
    /// Minimum relative growth of a goroutine group (0.5 = +50 %).
    pub min_goroutine_ratio: f64,
    /// Minimum growth in bytes of a heap site or function for a finding.
    pub min_heap_bytes: u64,
    /// Minimum relative growth of a heap site.
    pub min_heap_ratio: f64,
    /// Minimum number of snapshots of a kind for a statistical verdict.
    pub min_snapshots: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_goroutines: 10,
            min_goroutine_ratio: 0.5,
            min_heap_bytes: 1 << 20,
            min_heap_ratio: 0.2,
            min_snapshots: 3,
        }
    }
}

/// Options of one analysis run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Thresholds.
    pub thresholds: Thresholds,
    /// User ignore rules (`--ignore FILE`), one per line; see the ignore module.
    pub ignore_rules: Vec<String>,
}

/// The overall answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing grows beyond the thresholds.
    Clean,
    /// Too little data to tell (fewer than `min_snapshots` of each kind, no proof).
    Inconclusive,
    /// Growth that may be a leak (e.g. only at the end, or no proof).
    Suspect,
    /// A leak: proof, or sustained growth.
    Leak,
}

/// How sure a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look.
    Suspect,
    /// A leak.
    Leak,
}

impl Severity {
    /// `leak` or `suspect` (as in the JSON).
    pub fn name(self) -> &'static str {
        match self {
            Severity::Leak => "leak",
            Severity::Suspect => "suspect",
        }
    }
}

/// What leaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// Goroutines pile up.
    Goroutine,
    /// Heap grows at an allocation site.
    Heap,
}

impl FindingKind {
    /// `goroutine` or `heap` (as in the JSON).
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Goroutine => "goroutine",
            FindingKind::Heap => "heap",
        }
    }
}

/// Why goroutines are blocked (or `heap-growth` for heap findings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// Blocked sending on a channel.
    ChanSend,
    /// Blocked receiving from a channel.
    ChanReceive,
    /// Blocked in `select`.
    Select,
    /// Send or receive on a nil channel: blocks forever.
    NilChan,
    /// `sync.Mutex` / `sync.RWMutex`.
    Mutex,
    /// `sync.WaitGroup.Wait`.
    Waitgroup,
    /// `sync.Cond.Wait`.
    Cond,
    /// Network poller (socket/pipe read, write, accept).
    IoWait,
    /// `time.Sleep`.
    Sleep,
    /// Heap growth at an allocation site.
    HeapGrowth,
    /// Anything else (syscall, running, unknown).
    Other,
}

impl Cause {
    /// Every cause, in the contract's order (`Cause as usize` indexes it).
    pub const ALL: [Cause; 11] = [
        Cause::ChanSend,
        Cause::ChanReceive,
        Cause::Select,
        Cause::NilChan,
        Cause::Mutex,
        Cause::Waitgroup,
        Cause::Cond,
        Cause::IoWait,
        Cause::Sleep,
        Cause::HeapGrowth,
        Cause::Other,
    ];

    /// The contract's name (`chan-send`, …); also the remedy file's stem.
    pub fn name(self) -> &'static str {
        match self {
            Cause::ChanSend => "chan-send",
            Cause::ChanReceive => "chan-receive",
            Cause::Select => "select",
            Cause::NilChan => "nil-chan",
            Cause::Mutex => "mutex",
            Cause::Waitgroup => "waitgroup",
            Cause::Cond => "cond",
            Cause::IoWait => "io-wait",
            Cause::Sleep => "sleep",
            Cause::HeapGrowth => "heap-growth",
            Cause::Other => "other",
        }
    }
}

/// The shape of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Steady or stepwise growth (leak-like).
    Growing,
    /// Grew, then flattened (warm-up).
    Plateau,
    /// Rose and drained back.
    Burst,
    /// Flat, or churning around a level (GC sawtooth).
    Flat,
    /// Shrinking.
    Shrinking,
    /// Grows only at the very end (suspect).
    LateGrowth,
    /// Too few points.
    Insufficient,
}

impl Shape {
    /// Words for tables and sentences (`growing`, `late growth`, …).
    pub fn name(self) -> &'static str {
        match self {
            Shape::Growing => "growing",
            Shape::Plateau => "plateau",
            Shape::Burst => "burst",
            Shape::Flat => "flat",
            Shape::Shrinking => "shrinking",
            Shape::LateGrowth => "late growth",
            Shape::Insufficient => "too few points",
        }
    }
}

/// Robust growth statistics of one series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrowthStats {
    /// First value.
    pub first: f64,
    /// Last value.
    pub last: f64,
    /// last − first.
    pub delta: f64,
    /// Largest value.
    pub max: f64,
    /// Intervals in which the value rose.
    pub grew_intervals: usize,
    /// Number of intervals (points − 1).
    pub intervals: usize,
    /// Theil–Sen slope, per hour (unit of the series per hour).
    pub slope_per_hour: f64,
    /// Mann–Kendall S statistic.
    pub mk_s: i64,
    /// Mann–Kendall two-sided p-value (normal approximation with ties).
    pub mk_p: f64,
    /// The last third of the points still grows.
    pub last_third_grows: bool,
    /// Classified shape.
    pub shape: Shape,
}

/// A time series over the snapshots (irregular spacing is normal).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Series {
    /// Snapshot times (Unix ns), ascending.
    pub times: Vec<i64>,
    /// Values at those times.
    pub values: Vec<f64>,
}

/// A finding: one leak (or suspected leak), with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// 1-based rank (impact × confidence).
    pub rank: usize,
    /// Leak or suspect.
    pub severity: Severity,
    /// Goroutine or heap.
    pub kind: FindingKind,
    /// Cause vocabulary.
    pub cause: Cause,
    /// Culprit function (innermost frame outside runtime, internal/…, sync).
    pub function: String,
    /// Culprit's file.
    pub file: String,
    /// Culprit's line.
    pub line: u32,
    /// First value (goroutines or bytes).
    pub first: f64,
    /// Last value.
    pub last: f64,
    /// last − first.
    pub delta: f64,
    /// `goroutines` or `bytes`.
    pub unit: &'static str,
    /// The sentence a person can paste into a ticket.
    pub sentence: String,
    /// Evidence lines (proof markers, statistics, wait times, labels).
    pub evidence: Vec<String>,
    /// The series behind the finding.
    pub series: Series,
    /// Growth statistics of the series.
    pub stats: GrowthStats,
    /// Growth per hour (Theil–Sen); per snapshot when
    /// [`Analysis::synthetic_times`] is set.
    pub rate_per_hour: f64,
    /// `created by` function with file:line, when known.
    pub created_by: Option<String>,
    /// Labels seen on the goroutines (`key=value`), sorted.
    pub labels: Vec<String>,
    /// Heap bytes retained by these goroutines (heap growth at sites inside
    /// the group's stacks), for goroutine findings.
    pub retained_bytes: Option<i64>,
    /// Longest wait in minutes.
    pub longest_wait_minutes: Option<u32>,
    /// Wait reason as printed by the runtime (`chan send`), when known.
    pub wait_reason: Option<String>,
    /// Proven by the runtime (goroutineleak, `(leaked)`, nil channel,
    /// `select (no cases)`).
    pub proof: bool,
    /// 0..1.
    pub confidence: f64,
    /// Representative stack (leaf first) for drawing and tables.
    #[serde(skip)]
    pub stack: Option<StackId>,
    /// Representative stack as text lines (`func file:line`), leaf first.
    pub stack_text: Vec<String>,
}

/// A tracked allocation site or goroutine group, for the tables.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrackedSeries {
    /// What it is: `main.produce (main.go:16)` or a group label.
    pub label: String,
    /// Culprit function.
    pub function: String,
    /// Culprit file:line.
    pub location: String,
    /// Cause (goroutine groups; `heap-growth` for heap sites).
    pub cause: Cause,
    /// Series.
    pub series: Series,
    /// Stats.
    pub stats: GrowthStats,
}

/// The article's three numbers (and friends) over time, from MemStats.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MemorySeries {
    /// Memory obtained from the OS (`Sys`).
    pub sys: Series,
    /// `HeapSys`.
    pub heap_sys: Series,
    /// `HeapAlloc`.
    pub heap_alloc: Series,
    /// `HeapInuse` (the actual use).
    pub heap_inuse: Series,
    /// `HeapIdle`.
    pub heap_idle: Series,
    /// `HeapReleased`.
    pub heap_released: Series,
    /// `StackInuse`.
    pub stack_inuse: Series,
    /// `NumGC`.
    pub num_gc: Series,
}

/// A process seen in the archive (build id / binary), for multi-process archives.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcessInfo {
    /// Binary name.
    pub binary: Option<String>,
    /// Build id.
    pub build_id: Option<String>,
    /// How many snapshots.
    pub snapshots: usize,
}

/// An ignore rule and how many goroutines/groups it matched.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IgnoreHit {
    /// The rule text.
    pub rule: String,
    /// Built-in (`true`) or from `--ignore FILE`.
    pub builtin: bool,
    /// Groups it matched (over all snapshots, distinct).
    pub matched_groups: usize,
}

/// Everything the analysis concluded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// Overall verdict.
    pub verdict: Verdict,
    /// One-line summary of the verdict.
    pub headline: String,
    /// Findings sorted by rank.
    pub findings: Vec<Finding>,
    /// Total goroutines over time.
    pub goroutines_total: Series,
    /// Unsampled in-use heap bytes (profiles) over time.
    pub heap_inuse_total: Series,
    /// MemStats series.
    pub memory: MemorySeries,
    /// "The runtime keeps freed memory for reuse; that difference is not a
    /// leak", when Sys is high or growing while HeapInuse is not and idle
    /// heap explains the gap.
    pub memory_note: Option<String>,
    /// Remarks: stale heap snapshots (NumGC unchanged), restarts, gaps.
    pub notes: Vec<String>,
    /// Top growing allocation sites (by culprit function), largest growth first.
    pub heap_sites: Vec<TrackedSeries>,
    /// Top goroutine groups, largest growth first.
    pub goroutine_groups: Vec<TrackedSeries>,
    /// Processes seen.
    pub processes: Vec<ProcessInfo>,
    /// Ignore rules and their matches.
    pub ignored: Vec<IgnoreHit>,
    /// Thresholds used.
    pub thresholds: Thresholds,
    /// Number of snapshots with heap data / goroutine data / MemStats.
    pub counts: KindCounts,
    /// No real snapshot times were known: series times are the order index
    /// × one hour from 0, and every "per hour" rate is really per snapshot.
    pub synthetic_times: bool,
}

/// Snapshot counts by kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct KindCounts {
    /// Heap profiles (in-use data).
    pub heap: usize,
    /// Goroutine dumps/profiles (not goroutineleak).
    pub goroutine: usize,
    /// goroutineleak profiles.
    pub goroutineleak: usize,
    /// Snapshots with MemStats.
    pub memstats: usize,
}

/// Runs the analysis.
pub fn analyze(archive: &Archive, opts: &Options) -> Analysis {
    let th = &opts.thresholds;
    let mut notes: Vec<String> = Vec::new();
    let (segments, outliers) = series::split_processes(archive);
    for (i, why) in &outliers {
        notes.push(format!(
            "Left out {}: {why}, but the snapshots around it continue the same process; \
             it looks damaged or foreign.",
            archive
                .snapshots
                .get(*i)
                .map(|s| s.path.as_str())
                .unwrap_or("?")
        ));
    }
    let processes: Vec<ProcessInfo> = segments.iter().map(|s| s.info.clone()).collect();
    let chosen = segments
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.snaps.len().cmp(&b.1.snaps.len()).then(a.0.cmp(&b.0)));
    let Some((chosen_idx, seg)) = chosen else {
        return empty(
            opts,
            "Inconclusive: the archive holds no usable snapshot".to_string(),
        );
    };
    if segments.len() > 1 {
        let reasons: Vec<&str> = segments
            .iter()
            .filter_map(|s| s.reason.as_deref())
            .collect();
        let others: usize = segments
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != chosen_idx)
            .map(|(_, s)| s.snaps.len())
            .sum();
        notes.push(format!(
            "The archive holds {} processes ({}). Analysed the largest ({} snapshots{}); \
             left out {} snapshot{} of the others, since series do not continue across a restart.",
            segments.len(),
            reasons.join("; "),
            seg.snaps.len(),
            seg.info
                .build_id
                .as_deref()
                .map(|b| format!(", build id {b}"))
                .unwrap_or_default(),
            others,
            if others == 1 { "" } else { "s" }
        ));
    }
    let tl = series::Timeline::new(archive, seg);
    if tl.synthetic && seg.snaps.len() > 1 {
        notes.push(
            "Snapshot times are unknown (order only): series use one step per snapshot, \
             and rates are per snapshot, not per hour."
                .to_string(),
        );
    }
    let heap_pts = series::points(archive, seg, &tl, series::heap_level_score);
    let mut g_pts = series::points(archive, seg, &tl, series::goroutine_level_score);
    if tl.synthetic
        && let Some(n) = series::order_by_goroutine_ids(archive, &mut g_pts)
    {
        notes.push(n);
    }
    let m_pts = series::points(archive, seg, &tl, series::memstats_score);
    let snaps = || seg.snaps.iter().map(|&i| &archive.snapshots[i]);
    let counts = KindCounts {
        heap: heap_pts.len(),
        goroutine: g_pts.len(),
        goroutineleak: snaps()
            .filter(|s| s.kind == ProfileKind::GoroutineLeak)
            .count(),
        memstats: m_pts.len(),
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

    let mut norm = series::Normalizer::default();
    let mut classes = cause::FrameClasses::default();
    let hs = series::build_heap(archive, heap_pts, &mut norm, &mut classes);
    let gs = series::build_goroutines(archive, seg, g_pts, &mut norm, &mut classes);
    let memory = memory::memory_series(archive, &m_pts);
    let memory_note = memory::memory_note(&memory, th);
    if let Some(n) = memory::stale_note(&memory::stale_heaps(archive, &hs.points)) {
        notes.push(n);
    }
    let rules = ignore::all_rules(&opts.ignore_rules);
    // Snapshots with neither a time nor a sequence number have no known
    // order among themselves: growth across them cannot be judged.
    let unknown = |pred: &dyn Fn(&crate::model::Snapshot) -> bool| {
        archive
            .snapshots
            .iter()
            .filter(|s| {
                s.time.is_none() && s.time_source == crate::model::TimeSource::Unknown && pred(s)
            })
            .count()
            >= 2
    };
    let goroutines_unordered = unknown(&|s| s.goroutines.as_ref().is_some_and(|g| !g.leak_profile));
    let heap_unordered = unknown(&|s| s.heap.is_some());
    let unordered = goroutines_unordered || heap_unordered;
    if unordered {
        notes.push(format!(
            "Several {} carry no time and no sequence number (no profile time, no timestamp or \
             number in the file names, no usable file times): their order is unknown, so growth \
             across them is not judged; only leaks the runtime proved count.",
            match (goroutines_unordered, heap_unordered) {
                (true, true) => "goroutine dumps and heap profiles",
                (true, false) => "goroutine dumps",
                _ => "heap profiles",
            }
        ));
    }
    let cx = findings::Context {
        tables: &archive.tables,
        th,
        synthetic: tl.synthetic,
        rules: &rules,
        goroutines_unordered,
        heap_unordered,
    };
    let mut out = findings::findings(&cx, &gs, &hs, &mut classes, &memory.stack_inuse);
    notes.extend(std::mem::take(&mut out.notes));
    if counts.heap < th.min_snapshots
        && !unordered
        && let Some(mut f) = memory::memstats_only_finding(&memory, th, tl.synthetic)
    {
        f.rank = out.findings.len() + 1;
        out.findings.push(f);
    }
    let points = [
        (!heap_unordered).then_some(counts.heap),
        (!goroutines_unordered).then_some(counts.goroutine),
        (!unordered).then_some(counts.memstats),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    let verdict = verdict::verdict(&out.findings, points, th.min_snapshots);
    let headline = if unordered && verdict == Verdict::Inconclusive {
        "Inconclusive: the dumps carry no time or sequence number, so growth over time \
         cannot be judged"
            .to_string()
    } else {
        verdict::headline(
            verdict,
            &out.findings,
            &counts,
            points,
            th.min_snapshots,
            tl.synthetic,
        )
    };
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
        processes,
        ignored: out.ignored,
        thresholds: th.clone(),
        counts,
        synthetic_times: tl.synthetic,
    }
}

fn empty(opts: &Options, headline: String) -> Analysis {
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
