//! The contract of the analysis stage: every type the render stage reads
//! and the JSON summary serialises. This module sits at the bottom of
//! `analysis/`: it imports nothing from its siblings.

use crate::model::StackId;
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
    /// One snapshot: goroutines on one leak-prone wait that make a pile-up.
    pub min_pileup: u64,
    /// One snapshot: share of all goroutines (0..1) that makes a group
    /// dominant (raises a pile-up's confidence).
    pub min_share: f64,
    /// One snapshot: minutes of wait that make a leak-prone wait long.
    pub min_wait: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_goroutines: 10,
            min_goroutine_ratio: 0.5,
            min_heap_bytes: 1 << 20,
            min_heap_ratio: 0.2,
            min_snapshots: 3,
            min_pileup: 100,
            min_share: 0.5,
            min_wait: 30,
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

    /// What a finding of this kind counts.
    pub fn unit(self) -> Unit {
        match self {
            FindingKind::Goroutine => Unit::Goroutines,
            FindingKind::Heap => Unit::Bytes,
        }
    }
}

/// What a finding's values (`first`, `last`, `delta`, rate) count; derived
/// from its [`FindingKind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Goroutines.
    Goroutines,
    /// Bytes.
    Bytes,
}

impl Unit {
    /// `goroutines` or `bytes` (as in the JSON).
    pub fn name(self) -> &'static str {
        match self {
            Unit::Goroutines => "goroutines",
            Unit::Bytes => "bytes",
        }
    }

    /// How values in this unit are formatted.
    pub fn quantity(self) -> crate::units::Quantity {
        match self {
            Unit::Goroutines => crate::units::Quantity::Count,
            Unit::Bytes => crate::units::Quantity::Bytes,
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

/// What the last goroutine dump shows of one group: the single-snapshot
/// facts (issue 10), in `goroutine_groups[]` and each goroutine finding.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GroupSnapshot {
    /// Goroutines in the group in the last dump.
    pub count: f64,
    /// Share of all goroutines of that dump (0..1).
    pub share: f64,
    /// Most common wait reason (`None` where the format records none).
    pub wait_reason: Option<String>,
    /// Goroutines whose header shows `N minutes` of wait.
    pub with_minutes: u64,
    /// Shortest wait in minutes among those.
    pub wait_min_minutes: Option<u32>,
    /// Median wait in minutes among those.
    pub wait_median_minutes: Option<u32>,
    /// Longest wait in minutes.
    pub wait_max_minutes: Option<u32>,
    /// Goroutines marked `(leaked)` (or listed by goleak / a leak profile).
    pub leaked: u64,
    /// Goroutines whose wait is marked `(durable)`.
    pub durable: u64,
    /// Labels seen (`key=value`), sorted.
    pub labels: Vec<String>,
    /// Smallest and largest goroutine id, when the format has ids.
    pub ids: Option<(u64, u64)>,
    /// The single-snapshot rule that made it a finding (`pile-up`,
    /// `long-wait`, `client-connection`), if any.
    pub rule: Option<String>,
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
    /// What the last goroutine dump shows of the group (goroutine findings).
    pub snapshot: Option<GroupSnapshot>,
    /// The process it was found in (the first of [`Finding::processes`]).
    pub process: String,
    /// Every process in which the same culprit leaks, by name.
    pub processes: Vec<String>,
}

/// Where a finding points: the culprit function and its file and line
/// (empty and 0 when unknown).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Place {
    /// Culprit function.
    pub function: String,
    /// Culprit's file.
    pub file: String,
    /// Culprit's line.
    pub line: u32,
}

impl Finding {
    /// The one constructor: a finding of `kind` at `place`, judged
    /// `severity` with `confidence`, over `series` with its `stats`.
    /// `first`, `last`, `delta` and the rate come from the stats; rank is
    /// 0 until ranking; sentence, evidence and the optional details start
    /// empty and are filled in by whoever knows them.
    pub fn new(
        kind: FindingKind,
        cause: Cause,
        place: Place,
        (severity, confidence): (Severity, f64),
        series: Series,
        stats: GrowthStats,
    ) -> Finding {
        Finding {
            rank: 0,
            severity,
            kind,
            cause,
            function: place.function,
            file: place.file,
            line: place.line,
            first: stats.first,
            last: stats.last,
            delta: stats.delta,
            sentence: String::new(),
            evidence: Vec::new(),
            series,
            rate_per_hour: stats.slope_per_hour,
            stats,
            created_by: None,
            labels: Vec::new(),
            retained_bytes: None,
            longest_wait_minutes: None,
            wait_reason: None,
            proof: false,
            confidence,
            stack: None,
            stack_text: Vec::new(),
            snapshot: None,
            process: String::new(),
            processes: Vec::new(),
        }
    }

    /// What the values count (`goroutines` or `bytes`), from the kind.
    pub fn unit(&self) -> Unit {
        self.kind.unit()
    }
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
    /// What the last goroutine dump shows of the group (goroutine groups).
    pub snapshot: Option<GroupSnapshot>,
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

/// A process of the archive (a pod, a host, an instance), judged on its
/// own: its verdict, its span, its runs between restarts and its two main
/// timelines (for the per-process overview).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ProcessInfo {
    /// Its name (`pod-b`); the binary's name, or `process`, when the archive
    /// holds one process.
    pub name: String,
    /// What told it apart: `dir`, `name`, `build-id`, `time` or `single`.
    pub signal: String,
    /// Its verdict.
    pub verdict: Option<Verdict>,
    /// Its headline.
    pub headline: String,
    /// Binary name.
    pub binary: Option<String>,
    /// Build id.
    pub build_id: Option<String>,
    /// How many snapshots.
    pub snapshots: usize,
    /// Time of its first snapshot (Unix ns, or synthetic).
    pub first: Option<i64>,
    /// Time of its last snapshot.
    pub last: Option<i64>,
    /// Restarts seen in its series (runs − 1).
    pub restarts: usize,
    /// When each restart happened: the first time of each later run.
    pub restart_times: Vec<i64>,
    /// Why each restart was seen (`NumGC went down (412 → 1) at …`).
    pub restart_reasons: Vec<String>,
    /// Its runs between restarts.
    pub runs: Vec<RunInfo>,
    /// Its findings (leaks and suspects).
    pub findings: usize,
    /// Its leak findings.
    pub leaks: usize,
    /// Total goroutines over time.
    pub goroutines: Series,
    /// Unsampled in-use heap bytes over time.
    pub heap_inuse: Series,
}

/// One run of a process: the snapshots between two restarts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunInfo {
    /// How many snapshots.
    pub snapshots: usize,
    /// Time of its first snapshot.
    pub first: Option<i64>,
    /// Time of its last snapshot.
    pub last: Option<i64>,
    /// Its verdict, judged on this run alone.
    pub verdict: Option<Verdict>,
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
    /// Every process, the worst first (see [`ProcessInfo`]).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stats() -> GrowthStats {
        GrowthStats {
            first: 10.0,
            last: 40.0,
            delta: 30.0,
            max: 40.0,
            grew_intervals: 3,
            intervals: 3,
            slope_per_hour: 12.5,
            mk_s: 6,
            mk_p: 0.03,
            last_third_grows: true,
            shape: Shape::Growing,
        }
    }

    #[test]
    fn new_finding_takes_values_from_its_stats_and_unit_from_its_kind() {
        let place = Place {
            function: "main.produce".into(),
            file: "main.go".into(),
            line: 16,
        };
        let f = Finding::new(
            FindingKind::Goroutine,
            Cause::ChanSend,
            place,
            (Severity::Leak, 0.9),
            Series::default(),
            stats(),
        );
        assert_eq!((f.first, f.last, f.delta), (10.0, 40.0, 30.0));
        assert_eq!(f.rate_per_hour, 12.5);
        assert_eq!((f.rank, f.severity, f.confidence), (0, Severity::Leak, 0.9));
        assert_eq!((f.function.as_str(), f.line), ("main.produce", 16));
        assert!(f.evidence.is_empty() && !f.proof && f.stack.is_none());
        assert_eq!(f.unit(), Unit::Goroutines);
        assert_eq!(FindingKind::Heap.unit(), Unit::Bytes);
        assert_eq!(
            serde_json::to_string(&[Unit::Goroutines, Unit::Bytes]).unwrap(),
            r#"["goroutines","bytes"]"#
        );
    }
}
