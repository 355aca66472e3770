//! One dump file, decoded into the format-agnostic model.

use super::intern::{FrameId, IdMap, StackId, StrId};
use super::memstats::MemStats;
use super::samples::HeapSamples;

/// Unix time in nanoseconds (UTC).
pub type TimeNs = i64;

/// The on-disk format a snapshot was read from (recognised by content).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// pprof `profile.proto` (gzip-compressed or raw).
    Pprof,
    /// Legacy text heap/allocs profile (`heap?debug=1`), with MemStats.
    HeapText,
    /// Aggregated goroutine count profile (`goroutine?debug=1`, also
    /// `goroutineleak?debug=1`).
    GoroutineDebug1,
    /// Full goroutine dump (`goroutine?debug=2`, `runtime.Stack`).
    GoroutineDebug2,
    /// Goroutine blocks inside panic / fatal error / SIGQUIT output.
    Crash,
    /// expvar `/debug/vars` JSON.
    Expvar,
}

impl Format {
    /// Stable name used in JSON and tables.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pprof => "pprof",
            Format::HeapText => "heap-text",
            Format::GoroutineDebug1 => "goroutine-debug1",
            Format::GoroutineDebug2 => "goroutine-debug2",
            Format::Crash => "crash-dump",
            Format::Expvar => "expvar",
        }
    }
}

/// What the snapshot measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileKind {
    /// In-use heap (the `heap` profile).
    Heap,
    /// `allocs` profile (same data as heap, `alloc_space` default).
    Allocs,
    /// Goroutine stacks.
    Goroutine,
    /// Goroutines the runtime proved leaked (goroutineleak profile).
    GoroutineLeak,
    /// MemStats only (expvar).
    MemStats,
}

impl ProfileKind {
    /// Stable name used in JSON and tables.
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Heap => "heap",
            ProfileKind::Allocs => "allocs",
            ProfileKind::Goroutine => "goroutine",
            ProfileKind::GoroutineLeak => "goroutineleak",
            ProfileKind::MemStats => "memstats",
        }
    }
}

/// Where a snapshot's time came from, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum TimeSource {
    /// The profile's own `time_nanos`.
    Profile,
    /// A `Time:` header inside a text file (`go tool pprof` output).
    TextHeader,
    /// A timestamp in the file name.
    FileName,
    /// A sibling dump with the same sequence number or timestamp in its name.
    Sibling,
    /// `LastGC` / `PauseEnd` in MemStats: a lower bound only.
    MemStatsLowerBound,
    /// Only a sequence number in the name: an order, no time.
    Sequence,
    /// File modification time (weakest).
    Mtime,
    /// Nothing at all.
    #[default]
    Unknown,
}

impl TimeSource {
    /// Stable name used in JSON and tables.
    pub fn name(self) -> &'static str {
        match self {
            TimeSource::Profile => "profile",
            TimeSource::TextHeader => "text-header",
            TimeSource::FileName => "file-name",
            TimeSource::Sibling => "sibling",
            TimeSource::MemStatsLowerBound => "memstats-lower-bound",
            TimeSource::Sequence => "sequence",
            TimeSource::Mtime => "mtime",
            TimeSource::Unknown => "unknown",
        }
    }
}

/// What is known of the process that wrote a dump.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Process {
    /// Build id of the main binary mapping (protobuf).
    pub build_id: Option<String>,
    /// Main binary's file name (protobuf mapping, expvar cmdline\[0\]).
    pub binary: Option<String>,
    /// Full command line (expvar).
    pub cmdline: Option<Vec<String>>,
    /// Which process of the archive wrote the dump (`pod-b`; empty when the
    /// archive holds one process): set by the ingest's process identity.
    pub name: String,
    /// The signal that decided [`Process::name`].
    pub signal: ProcessSignal,
}

/// What told the processes of an archive apart, strongest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProcessSignal {
    /// A folder per host, pod or instance.
    Dir,
    /// A host or pod name in the file name.
    Name,
    /// The binary or build id of protobuf profiles.
    BuildId,
    /// Only time: runs that do not overlap.
    Time,
    /// Nothing: the archive holds one process.
    #[default]
    Single,
}

impl ProcessSignal {
    /// `dir`, `name`, `build-id`, `time` or `single` (as in the JSON).
    pub fn name(self) -> &'static str {
        match self {
            ProcessSignal::Dir => "dir",
            ProcessSignal::Name => "name",
            ProcessSignal::BuildId => "build-id",
            ProcessSignal::Time => "time",
            ProcessSignal::Single => "single",
        }
    }
}

/// One allocation site (stack × object size) of a heap profile. Values are
/// unsampled estimates, exactly as `go tool pprof` reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeapSample {
    /// Allocation stack, leaf first (runtime allocator frames removed).
    pub stack: StackId,
    /// Live objects at the last GC.
    pub inuse_objects: i64,
    /// Live bytes at the last GC.
    pub inuse_bytes: i64,
    /// Objects allocated since start.
    pub alloc_objects: i64,
    /// Bytes allocated since start.
    pub alloc_bytes: i64,
    /// Object size in bytes (the `bytes` label), when known.
    pub object_size: Option<i64>,
}

/// A heap or allocs profile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeapData {
    /// Sampling rate (`MemProfileRate`), 0 when unknown/off.
    pub period: i64,
    /// Names of the sample types the file carried (`inuse_space`, …).
    pub sample_types: Vec<String>,
    /// True when in-use values are present.
    pub has_inuse: bool,
    /// True when alloc values are present.
    pub has_alloc: bool,
    /// A delta profile (`?seconds=N`): values are differences, not levels.
    pub delta: bool,
    /// The samples, packed (see [`HeapSamples`]).
    pub samples: HeapSamples,
}

impl HeapData {
    /// Sum of in-use bytes over all samples.
    pub fn inuse_bytes_total(&self) -> i64 {
        self.samples.sums()[1]
    }
    /// Sum of in-use objects over all samples.
    pub fn inuse_objects_total(&self) -> i64 {
        self.samples.sums()[0]
    }
    /// Sum of allocated bytes over all samples.
    pub fn alloc_bytes_total(&self) -> i64 {
        self.samples.sums()[3]
    }
}

/// Goroutines with the same stack and the same evidence, aggregated.
///
/// `debug=1` text and protobuf profiles already aggregate by (stack, labels);
/// `debug=2` dumps are grouped by (stack, wait reason, created-by, labels).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoroutineGroup {
    /// Stack, leaf first (may include runtime frames, e.g. `runtime.gopark`).
    pub stack: StackId,
    /// Number of goroutines.
    pub count: u64,
    /// Wait reason or status from a `debug=2` header (`chan send`,
    /// `select (durable)`, `IO wait`, `running`), without `(leaked)`/`(scan)`.
    /// `None` where the format has no state (debug=1, protobuf).
    pub wait_reason: Option<StrId>,
    /// How many of them were proven leaked: marked `(leaked)`, or counted in
    /// a goroutineleak profile.
    pub leaked: u64,
    /// How many were `locked to thread`.
    pub locked_to_thread: u64,
    /// Longest `N minutes` wait among them.
    pub max_wait_minutes: Option<u32>,
    /// `created by` frame (function and the `go` statement's file:line).
    pub created_by: Option<FrameId>,
    /// Labels, sorted by key.
    pub labels: Vec<(StrId, StrId)>,
    /// Some frames were elided (`...N frames elided...`) or the stack was cut.
    pub elided: bool,
    /// A few goroutine ids (at most 8), ascending, when the format has ids.
    pub sample_ids: Vec<u64>,
    /// Smallest and largest goroutine id, when the format has ids.
    pub id_range: Option<(u64, u64)>,
    /// Goroutines by `N minutes` of wait (minutes, count), ascending by
    /// minutes; goroutines whose header shows no minutes are not in it.
    pub waits: Vec<(u32, u64)>,
}

impl GoroutineGroup {
    /// `count` goroutines on `stack`, with no evidence yet (no wait reason,
    /// none leaked or locked, no created-by, labels or ids).
    pub fn new(stack: StackId, count: u64) -> Self {
        GoroutineGroup {
            stack,
            count,
            wait_reason: None,
            leaked: 0,
            locked_to_thread: 0,
            max_wait_minutes: None,
            created_by: None,
            labels: Vec::new(),
            elided: false,
            sample_ids: Vec::new(),
            id_range: None,
            waits: Vec::new(),
        }
    }
}

/// A goroutine dump or profile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GoroutineData {
    /// Total goroutines: the `total N` header, else the number of goroutines
    /// read (the sum of group counts).
    pub total: u64,
    /// The groups.
    pub groups: Vec<GoroutineGroup>,
    /// From a goroutineleak profile: every goroutine in it is a proven leak.
    pub leak_profile: bool,
    /// One block per goroutine was read (`debug=2`, crash).
    pub per_goroutine: bool,
    /// Largest goroutine id seen (`debug=2`), for restart detection.
    pub max_goroutine_id: Option<u64>,
    /// The dump was cut off (e.g. at the 64 MiB limit or mid-block).
    pub truncated: bool,
}

/// One decoded dump file.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Path relative to the input directory (or the file name).
    pub path: String,
    /// Recognised format.
    pub format: Format,
    /// What it measures.
    pub kind: ProfileKind,
    /// The file was gzip-compressed.
    pub gzip: bool,
    /// Size of the file on disk in bytes.
    pub file_size: u64,
    /// Resolved snapshot time (set by ordering).
    pub time: Option<TimeNs>,
    /// Where `time` came from (set by ordering).
    pub time_source: TimeSource,
    /// Time found inside the file (`time_nanos`, `Time:` header).
    pub embedded_time: Option<TimeNs>,
    /// Window length of a delta or CPU profile.
    pub duration_nanos: Option<i64>,
    /// Process identity, where known.
    pub process: Process,
    /// Heap data (heap, allocs).
    pub heap: Option<HeapData>,
    /// Goroutine data (goroutine, goroutineleak, crash).
    pub goroutines: Option<GoroutineData>,
    /// MemStats (heap text, expvar).
    pub memstats: Option<MemStats>,
    /// Index of the moment this snapshot belongs to (set by ordering);
    /// dumps of different kinds taken together share a moment.
    pub moment: usize,
    /// Things a reader should know about this file (lag, truncation, …).
    pub warnings: Vec<String>,
}

impl Snapshot {
    /// A snapshot with no data yet.
    pub fn new(format: Format, kind: ProfileKind) -> Self {
        Snapshot {
            path: String::new(),
            format,
            kind,
            gzip: false,
            file_size: 0,
            time: None,
            time_source: TimeSource::Unknown,
            embedded_time: None,
            duration_nanos: None,
            process: Process::default(),
            heap: None,
            goroutines: None,
            memstats: None,
            moment: 0,
            warnings: Vec::new(),
        }
    }

    /// Rewrites every interned id through `remap` (a worker's ids to the
    /// archive's: [`super::LazyRemap`]).
    pub fn remap(&mut self, remap: &mut impl IdMap) {
        if let Some(h) = &mut self.heap {
            for s in h.samples.stacks_mut() {
                *s = remap.stack(*s);
            }
        }
        if let Some(g) = &mut self.goroutines {
            for grp in &mut g.groups {
                grp.stack = remap.stack(grp.stack);
                grp.wait_reason = grp.wait_reason.map(|r| remap.str(r));
                grp.created_by = grp.created_by.map(|f| remap.frame(f));
                for (k, v) in &mut grp.labels {
                    *k = remap.str(*k);
                    *v = remap.str(*v);
                }
            }
        }
    }

    /// Number of goroutines, for goroutine snapshots.
    pub fn goroutine_count(&self) -> Option<u64> {
        self.goroutines.as_ref().map(|g| g.total)
    }

    /// Unsampled in-use heap bytes, for heap snapshots with in-use data.
    pub fn inuse_bytes(&self) -> Option<i64> {
        self.heap
            .as_ref()
            .filter(|h| h.has_inuse)
            .map(|h| h.inuse_bytes_total())
    }
}

/// A file that was not used, with a reason a person understands.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Path relative to the input directory.
    pub path: String,
    /// Why it was not used.
    pub reason: String,
}
