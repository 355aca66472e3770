//! The one model every stage reads: snapshots in time order over shared
//! interned tables. No I/O here.

pub mod intern;
pub mod memstats;
pub mod samples;
pub mod snapshot;
pub mod time;

pub use intern::{
    Delta, Frame, FrameId, IdMap, LazyRemap, Mark, Mirror, StackId, StrId, Tables,
    normalize_function_name,
};
pub use memstats::{MemStats, MemValue};
pub use samples::HeapSamples;
pub use snapshot::{
    Format, GoroutineData, GoroutineGroup, HeapData, HeapSample, Process, ProcessSignal,
    ProfileKind, Skipped, Snapshot, TimeNs, TimeSource,
};

/// Everything read from an input directory.
#[derive(Debug, Default)]
pub struct Archive {
    /// Shared strings, frames and stacks.
    pub tables: Tables,
    /// Snapshots in time order (ties broken by moment, then path).
    pub snapshots: Vec<Snapshot>,
    /// Files not used, with reasons, in path order.
    pub skipped: Vec<Skipped>,
    /// Archive-wide remarks (time sources disagreeing, colliding times,
    /// several processes, …).
    pub notes: Vec<String>,
}

/// One file parsed on its own, before it joins the archive: its snapshot and
/// the tables its ids refer to.
#[derive(Debug)]
pub struct Parsed {
    /// The decoded snapshot (path and time not yet set).
    pub snapshot: Snapshot,
    /// The file's own tables.
    pub tables: Tables,
}

impl Archive {
    /// Earliest and latest known snapshot time, or `None` when no snapshot
    /// has a time.
    pub fn time_span(&self) -> Option<(TimeNs, TimeNs)> {
        let times = self.snapshots.iter().filter_map(|s| s.time);
        let min = times.clone().min()?;
        let max = times.max()?;
        Some((min, max))
    }
}
