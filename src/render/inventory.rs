//! The snapshot inventory: `snapshots` and `skipped` exactly as
//! `leakscope inspect --json` writes them and as the report's JSON repeats
//! them, plus the human table.

use crate::model::{Archive, Snapshot, time::rfc3339};
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
    /// Remarks on this file.
    pub warnings: Vec<String>,
}

/// One row of `skipped[]`.
pub type SkippedEntry = crate::model::Skipped;

/// The inventory document (`leakscope inspect --json`).
#[derive(Clone, Debug, Serialize)]
pub struct Inventory {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Snapshots in time order.
    pub snapshots: Vec<SnapshotEntry>,
    /// Files not used.
    pub skipped: Vec<SkippedEntry>,
    /// Archive-wide remarks (time sources disagreeing, collisions, processes).
    pub notes: Vec<String>,
}

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
            warnings: s.warnings.clone(),
        }
    }
}

impl Inventory {
    /// The inventory of an archive.
    pub fn new(archive: &Archive) -> Self {
        Inventory {
            schema_version: SCHEMA_VERSION,
            snapshots: archive.snapshots.iter().map(SnapshotEntry::new).collect(),
            skipped: archive.skipped.clone(),
            notes: archive.notes.clone(),
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("inventory serialises");
        out.push(b'\n');
        out
    }

    /// The human table printed by `leakscope inspect`.
    pub fn to_table(&self) -> String {
        let header = [
            "#",
            "time",
            "source",
            "format",
            "kind",
            "goroutines",
            "in-use heap",
            "samples",
            "path",
        ];
        let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
        for s in &self.snapshots {
            rows.push(vec![
                s.moment.to_string(),
                s.time.clone().unwrap_or_else(|| "-".into()),
                s.time_source.to_string(),
                s.format.to_string(),
                s.kind.to_string(),
                s.goroutines
                    .map(|g| g.to_string())
                    .unwrap_or_else(|| "-".into()),
                s.inuse_bytes.map(human_bytes).unwrap_or_else(|| "-".into()),
                s.samples.to_string(),
                printable(&s.path),
            ]);
        }
        let mut widths = vec![0usize; header.len()];
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let mut out = String::new();
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    if i == r.len() - 1 {
                        c.clone()
                    } else {
                        format!("{c:<w$}")
                    }
                })
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out.push_str(&format!(
            "{} snapshot(s), {} skipped\n",
            self.snapshots.len(),
            self.skipped.len()
        ));
        for s in &self.skipped {
            out.push_str(&format!(
                "skipped {}: {}\n",
                printable(&s.path),
                printable(&s.reason)
            ));
        }
        for n in &self.notes {
            out.push_str(&format!("note: {}\n", printable(n)));
        }
        out
    }
}

/// Replaces control characters so untrusted text cannot drive the terminal.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            // Control characters and bidirectional overrides (which can make
            // a terminal show text in another order than it is).
            if c.is_control() || super::markdown::is_bidi_control(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Bytes in binary units with one decimal (`1.5 MiB`).
pub fn human_bytes(v: i64) -> String {
    let neg = v < 0;
    let mut x = v.unsigned_abs() as f64;
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut u = 0;
    while x >= 1024.0 && u < units.len() - 1 {
        x /= 1024.0;
        u += 1;
    }
    let sign = if neg { "-" } else { "" };
    if u == 0 {
        format!("{sign}{} B", v.unsigned_abs())
    } else {
        format!("{sign}{x:.1} {}", units[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(-3 * 1024 * 1024), "-3.0 MiB");
    }

    #[test]
    fn printable_strips_controls() {
        assert_eq!(printable("a\x1b[31mb\n"), "a\u{fffd}[31mb\u{fffd}");
        assert_eq!(printable("x\u{202e}y\u{2066}"), "x\u{fffd}y\u{fffd}");
    }
}
