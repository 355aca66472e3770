//! The snapshot inventory of `leakscope inspect`: the JSON document
//! (`snapshots` and `skipped` as the report's JSON repeats them) and the
//! human table.

use super::shared::{SCHEMA_VERSION, SkippedEntry, SnapshotEntry};
use crate::model::Archive;
use crate::text::visible;
use crate::units;
use serde::Serialize;

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
        let several = self.snapshots.iter().any(|s| !s.process.is_empty());
        let mut header = vec![
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
        if several {
            header.insert(1, "process (decided by)");
        }
        let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
        for s in &self.snapshots {
            let mut row = vec![
                s.moment.to_string(),
                s.time.clone().unwrap_or_else(|| "-".into()),
                s.time_source.to_string(),
                s.format.to_string(),
                s.kind.to_string(),
                s.goroutines
                    .map(|g| units::count(g as f64))
                    .unwrap_or_else(|| "-".into()),
                s.inuse_bytes
                    .map(|b| units::bytes(b as f64))
                    .unwrap_or_else(|| "-".into()),
                s.samples.to_string(),
                visible(&s.path).into_owned(),
            ];
            if several {
                row.insert(1, format!("{} ({})", visible(&s.process), s.process_signal));
            }
            rows.push(row);
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
                visible(&s.path),
                visible(&s.reason)
            ));
        }
        for n in &self.notes {
            out.push_str(&format!("note: {}\n", visible(n)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, GoroutineData, ProfileKind, Skipped, Snapshot};

    #[test]
    fn table_shows_controls_visibly_and_numbers_by_the_units_policy() {
        let mut s = Snapshot::new(Format::GoroutineDebug2, ProfileKind::Goroutine);
        s.path = "g\u{1b}[31m\u{202e}.txt".into();
        s.goroutines = Some(GoroutineData {
            total: 1240,
            ..Default::default()
        });
        let archive = Archive {
            snapshots: vec![s],
            skipped: vec![Skipped {
                path: "x\u{7}".into(),
                reason: "bad\nline".into(),
            }],
            notes: vec!["n\u{2066}".into()],
            ..Default::default()
        };
        let table = Inventory::new(&archive).to_table();
        assert!(table.contains("g\\x1b[31m\\u202e.txt"), "{table}");
        assert!(table.contains("1,240"), "{table}");
        assert!(table.contains("skipped x\\x07: bad\\nline\n"), "{table}");
        assert!(table.contains("note: n\\u2066\n"), "{table}");
        assert!(
            !table
                .chars()
                .any(|c| crate::text::is_hidden(c) && c != '\n')
        );
    }
}
