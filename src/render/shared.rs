//! What the exporters share: the JSON schema version, the snapshot and
//! skip entries (as `inspect --json` and the report's JSON write them and
//! the HTML inventory shows them), the notes in their one order, and the
//! unit rates are shown in. Every exporter (`inventory`, `json`,
//! `markdown`, `html`) imports from here and none from another exporter, so
//! `render/` has no import circle.

use crate::analysis::Series;
use crate::model::{Archive, Snapshot, time::rfc3339};
use crate::units::{RateUnit, rate_in};
use serde::Serialize;

/// Schema version of every JSON document leakscope writes.
pub const SCHEMA_VERSION: u32 = 1;

/// One row of `snapshots[]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SnapshotEntry {
    /// Path relative to the input directory.
    pub path: String,
    /// Format name (`pprof`, `heap-text`, `goroutine-debug1`, `goroutine-debug2`,
    /// `crash-dump`, `expvar`).
    pub format: &'static str,
    /// What it measures (`heap`, `allocs`, `goroutine`, `goroutineleak`, `memstats`).
    pub kind: &'static str,
    /// RFC 3339 time, or null when nothing gave one (order is still by sequence).
    pub time: Option<String>,
    /// Where the time came from.
    pub time_source: &'static str,
    /// Index of the moment (dumps taken together share one), 0-based.
    pub moment: usize,
    /// Goroutines in a goroutine dump; null otherwise.
    pub goroutines: Option<u64>,
    /// Goroutines proven leaked (goroutineleak profile or `(leaked)` marks).
    pub leaked_goroutines: Option<u64>,
    /// Unsampled in-use heap bytes of a heap profile; null otherwise.
    pub inuse_bytes: Option<i64>,
    /// Unsampled in-use objects of a heap profile; null otherwise.
    pub inuse_objects: Option<i64>,
    /// Heap samples or goroutine groups.
    pub samples: usize,
    /// The file was gzip-compressed.
    pub gzip: bool,
    /// Size on disk.
    pub file_size: u64,
    /// Main binary's build id, where known.
    pub build_id: Option<String>,
    /// Main binary's name, where known.
    pub binary: Option<String>,
    /// `HeapInuse` from MemStats, where present.
    pub memstats_heap_inuse: Option<u64>,
    /// `Sys` from MemStats, where present.
    pub memstats_sys: Option<u64>,
    /// The process that wrote the dump (`pod-b`; empty when the archive
    /// holds one process).
    pub process: String,
    /// What decided the process: `dir`, `name`, `build-id`, `time` or
    /// `single`.
    pub process_signal: &'static str,
    /// Remarks on this file.
    pub warnings: Vec<String>,
}

/// One row of `skipped[]`.
pub type SkippedEntry = crate::model::Skipped;

impl SnapshotEntry {
    /// The row for one snapshot.
    pub fn new(s: &Snapshot) -> Self {
        let samples = match (&s.heap, &s.goroutines) {
            (Some(h), _) => h.samples.len(),
            (None, Some(g)) => g.groups.len(),
            _ => 0,
        };
        SnapshotEntry {
            path: s.path.clone(),
            format: s.format.name(),
            kind: s.kind.name(),
            time: s.time.map(rfc3339),
            time_source: s.time_source.name(),
            moment: s.moment,
            goroutines: s.goroutine_count(),
            leaked_goroutines: s
                .goroutines
                .as_ref()
                .map(|g| g.groups.iter().map(|x| x.leaked).sum()),
            inuse_bytes: s.inuse_bytes(),
            inuse_objects: s
                .heap
                .as_ref()
                .filter(|h| h.has_inuse)
                .map(|h| h.inuse_objects_total()),
            samples,
            gzip: s.gzip,
            file_size: s.file_size,
            build_id: s.process.build_id.clone(),
            binary: s.process.binary.clone(),
            memstats_heap_inuse: s.memstats.as_ref().and_then(|m| m.u64("HeapInuse")),
            memstats_sys: s.memstats.as_ref().and_then(|m| m.u64("Sys")),
            process: s.process.name.clone(),
            process_signal: s.process.signal.name(),
            warnings: s.warnings.clone(),
        }
    }
}

/// Archive remarks (ingest) first, then analysis remarks, each once, in
/// order: the one order of the HTML, JSON and Markdown notes.
pub fn merged_notes<'a>(archive: &'a [String], analysis: &'a [String]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::with_capacity(archive.len() + analysis.len());
    for n in archive.iter().chain(analysis) {
        if !out.contains(&n.as_str()) {
            out.push(n);
        }
    }
    out
}

/// How rates are shown: in the unit the analysis words its sentences in
/// ([`RateUnit::for_span`] over the archive's time span).
#[derive(Clone, Copy, Debug)]
pub struct Per {
    /// The unit.
    pub unit: RateUnit,
    /// No snapshot has a real time: the analysis placed snapshot *i* at *i*
    /// hours, so a per-hour rate already is a rate per snapshot.
    synthetic: bool,
}

impl Per {
    /// The unit for an archive: per snapshot without real times.
    pub fn for_archive(archive: &Archive) -> Per {
        let synthetic = !archive.snapshots.iter().any(|s| s.time.is_some());
        let hours = archive
            .time_span()
            .map_or(0.0, |(lo, hi)| (hi - lo) as f64 / HOUR_NS);
        Per {
            unit: RateUnit::for_span(hours, synthetic),
            synthetic,
        }
    }

    /// `h`, `min` or `snapshot`.
    pub fn label(self) -> &'static str {
        self.unit.label()
    }

    /// A per-hour rate of `series` in this unit (per snapshot: by the mean
    /// spacing of the series' own points, as the analysis words it).
    pub fn convert(self, per_hour: f64, series: &Series) -> f64 {
        if self.synthetic {
            return per_hour;
        }
        let span_hours = match (series.times.first(), series.times.last()) {
            (Some(a), Some(b)) => (b - a) as f64 / HOUR_NS,
            _ => 0.0,
        };
        let intervals = series.times.len().saturating_sub(1);
        rate_in(self.unit, per_hour, span_hours, intervals)
    }
}

/// True when a tracked row grew (last above first): the "top growing"
/// tables list these; flat and shrinking rows are kept apart.
pub fn is_growing(t: &crate::analysis::TrackedSeries) -> bool {
    t.stats.delta > 0.0
}

/// True when a snapshot was read from a file that looks cut off (a
/// truncated goroutine dump, or a warning saying so): kept, and labelled.
pub fn looks_cut_off(s: &crate::model::Snapshot) -> bool {
    s.goroutines.as_ref().is_some_and(|g| g.truncated)
        || s.warnings
            .iter()
            .any(|w| w.contains("cut off") || w.contains("truncated"))
}

/// Nanoseconds per hour.
const HOUR_NS: f64 = 3.6e12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_merge_archive_first_without_duplicates() {
        let a = vec!["x".to_string(), "y".to_string()];
        let b = vec!["y".to_string(), "z".to_string(), "x".to_string()];
        assert_eq!(merged_notes(&a, &b), vec!["x", "y", "z"]);
    }

    #[test]
    fn rates_per_snapshot_use_the_series_spacing() {
        let per = Per {
            unit: RateUnit::Snapshot,
            synthetic: false,
        };
        let s = Series {
            times: vec![0, 3_600_000_000_000, 7_200_000_000_000],
            values: vec![1.0, 2.0, 3.0],
        };
        assert_eq!(per.convert(10.0, &s), 10.0);
        assert_eq!(per.convert(10.0, &Series::default()), 0.0);
        let minute = Per {
            unit: RateUnit::Minute,
            synthetic: false,
        };
        assert_eq!(minute.convert(120.0, &s), 2.0);
        assert_eq!(minute.label(), "min");
    }
}
