//! Archive-wide remarks about time: sources that disagree, colliding
//! times, clocks going backwards, mtime-only ordering, several processes.

use super::names::natural_cmp;
use super::{DISAGREE_NS, Facts, MOMENT_WINDOW_NS, NS_PER_SEC};
use crate::model::{ProfileKind, Snapshot, TimeNs, TimeSource, time::rfc3339};
use std::collections::{BTreeMap, BTreeSet};

/// Most collision notes written before the rest are summarised.
const MAX_COLLISION_NOTES: usize = 10;

/// A constant offset (a multiple of 15 minutes, within 2 minutes) shared by
/// every difference, as `+01:00`: names written in local time.
fn constant_offset(diffs: &[i64]) -> Option<String> {
    let quarter = 900 * NS_PER_SEC;
    let first = *diffs.first()?;
    let q = (first as f64 / quarter as f64).round() as i64;
    if q == 0 {
        return None;
    }
    let target = q * quarter;
    if diffs.iter().all(|d| (d - target).abs() <= 120 * NS_PER_SEC) {
        let mins = (target / NS_PER_SEC / 60).unsigned_abs();
        let sign = if target < 0 { '-' } else { '+' };
        Some(format!("{sign}{:02}:{:02}", mins / 60, mins % 60))
    } else {
        None
    }
}

/// Name time versus the file's own time, and name times overridden by a
/// sibling's own time.
pub(super) fn disagreement_notes(
    snaps: &mut [Snapshot],
    facts: &[Facts],
    sibling_overrides: &[(usize, usize, TimeNs, TimeNs)],
    notes: &mut Vec<String>,
) {
    // (path, name time − used time)
    let mut diffs: Vec<(String, i64)> = Vec::new();
    for (i, f) in facts.iter().enumerate() {
        if let (Some((own, _)), Some(st)) = (f.own, &f.path.time)
            && !st.nt.date_only
        {
            let d = st.nt.time - own;
            if d.abs() > DISAGREE_NS {
                snaps[i].warnings.push(format!(
                    "the time in the file name ({}) differs from the file's own time ({}) by {}; \
                     the file's own time is used",
                    rfc3339(st.nt.time),
                    rfc3339(own),
                    crate::model::time::human_duration(d)
                ));
                diffs.push((snaps[i].path.clone(), d));
            }
        }
        if let (Some(t), Some(lb)) = (f.time, f.lower_bound)
            && f.source != TimeSource::MemStatsLowerBound
            && t < lb - DISAGREE_NS
        {
            snaps[i].warnings.push(format!(
                "the snapshot time ({}) is earlier than the last GC it reports ({}): \
                 a clock or a file name is wrong",
                rfc3339(t),
                rfc3339(lb)
            ));
        }
    }
    for &(i, a, name_t, used) in sibling_overrides {
        snaps[i].warnings.push(format!(
            "the time in the file name ({}) differs from the own time of the sibling {} ({}) by {}; \
             the sibling's time is used",
            rfc3339(name_t),
            snaps[a].path,
            rfc3339(used),
            crate::model::time::human_duration(name_t - used)
        ));
        diffs.push((snaps[i].path.clone(), name_t - used));
    }
    if diffs.is_empty() {
        return;
    }
    diffs.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    let max = diffs.iter().map(|d| d.1.abs()).max().unwrap_or(0);
    let values: Vec<i64> = diffs.iter().map(|d| d.1).collect();
    let hint = match constant_offset(&values) {
        Some(off) => format!("; a constant offset of {off} suggests names in local time"),
        None => String::new(),
    };
    notes.push(format!(
        "time sources disagree: the time in the file name differs from the profile's own time \
         by more than {} for {} file(s) (up to {}, e.g. {}){hint}; the profiles' own times are used",
        crate::model::time::human_duration(DISAGREE_NS),
        diffs.len(),
        crate::model::time::human_duration(max),
        diffs[0].0
    ));
}

/// Name times without a zone that were used.
pub(super) fn zone_note(facts: &[Facts], notes: &mut Vec<String>) {
    let count = facts
        .iter()
        .filter(|f| f.source == TimeSource::FileName)
        .filter(|f| f.path.time.as_ref().is_some_and(|st| !st.nt.has_zone))
        .count();
    if count > 0 {
        notes.push(format!(
            "{count} file-name time(s) carry no time zone and were read as UTC"
        ));
    }
}

/// Snapshots of the same kind with identical times in one directory
/// (files of other directories are usually other processes or hosts).
pub(super) fn collision_notes(snaps: &[Snapshot], facts: &[Facts], notes: &mut Vec<String>) {
    let mut by: BTreeMap<(ProfileKind, crate::model::Format, TimeNs, &str), Vec<&str>> =
        BTreeMap::new();
    let mut forms: BTreeMap<(ProfileKind, TimeNs, &str), Vec<&str>> = BTreeMap::new();
    for (s, f) in snaps.iter().zip(facts) {
        if let Some(t) = f.time
            && f.source != TimeSource::Sibling
        {
            let dir = s.path.rsplit_once('/').map_or("", |(d, _)| d);
            by.entry((s.kind, s.format, t, dir))
                .or_default()
                .push(&s.path);
            forms.entry((s.kind, t, dir)).or_default().push(&s.path);
        }
    }
    for ((kind, t, _), paths) in forms.iter().filter(|(_, p)| p.len() > 1) {
        let formats: BTreeSet<_> = snaps
            .iter()
            .filter(|s| paths.contains(&s.path.as_str()))
            .map(|s| s.format)
            .collect();
        if formats.len() > 1 && formats.len() == paths.len() {
            let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
            notes.push(format!(
                "one {} snapshot at {} in {} forms ({}: {}): read as one moment, the fullest form counted",
                kind.name(),
                rfc3339(*t),
                formats.len(),
                names.join(", "),
                paths.join(", ")
            ));
        }
    }
    let mut written = 0;
    let mut more = 0;
    for ((kind, _, t, _), mut paths) in by.into_iter().filter(|(_, p)| p.len() > 1) {
        if written == MAX_COLLISION_NOTES {
            more += 1;
            continue;
        }
        paths.sort_by(|a, b| natural_cmp(a, b));
        let shown: Vec<&str> = paths.iter().take(3).copied().collect();
        let rest = if paths.len() > 3 {
            format!(", and {} more", paths.len() - 3)
        } else {
            String::new()
        };
        notes.push(format!(
            "times collide: {} {} snapshots have the same time {} ({}{rest}); they are ordered by name",
            paths.len(),
            kind.name(),
            rfc3339(t),
            shown.join(", ")
        ));
        written += 1;
    }
    if more > 0 {
        notes.push(format!(
            "times collide for {more} more group(s) of snapshots"
        ));
    }
}

/// Times going backwards against the sequence numbers of one series.
pub(super) fn backwards_notes(snaps: &[Snapshot], facts: &[Facts], notes: &mut Vec<String>) {
    /// (sequence number, time, path) of one series.
    type Series<'a> = Vec<(u64, TimeNs, &'a str)>;
    let mut series: BTreeMap<(String, ProfileKind), Series> = BTreeMap::new();
    for (s, f) in snaps.iter().zip(facts) {
        let strong = matches!(
            f.source,
            TimeSource::Profile | TimeSource::TextHeader | TimeSource::FileName
        );
        if let (Some((scope, q)), Some(t), true) = (&f.path.seq, f.time, strong) {
            series
                .entry((scope.clone(), s.kind))
                .or_default()
                .push((*q, t, &s.path));
        }
    }
    for ((_, kind), mut v) in series {
        v.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| natural_cmp(a.2, b.2)));
        if let Some(w) = v
            .windows(2)
            .find(|w| w[0].0 < w[1].0 && w[1].1 < w[0].1 - MOMENT_WINDOW_NS)
        {
            notes.push(format!(
                "clock goes backwards against the sequence numbers of the {} files: {} (number {}) \
                 is dated {} but {} (number {}) {}; snapshots are ordered by time",
                kind.name(),
                w[1].2,
                w[1].0,
                rfc3339(w[1].1),
                w[0].2,
                w[0].0,
                rfc3339(w[0].1)
            ));
        }
    }
}

/// Snapshots timed by mtime only.
pub(super) fn mtime_notes(facts: &[Facts], notes: &mut Vec<String>) {
    let count = facts
        .iter()
        .filter(|f| f.source == TimeSource::Mtime)
        .count();
    if count > 0 {
        notes.push(format!(
            "{count} snapshot(s) have no time of their own and are ordered by file modification \
             time, which copies (git, zip, cp) may have reset"
        ));
    }
}

/// Several processes or program versions in one archive.
pub(super) fn process_notes(snaps: &[Snapshot], notes: &mut Vec<String>) {
    let build_ids: BTreeSet<&str> = snaps
        .iter()
        .filter_map(|s| s.process.build_id.as_deref())
        .filter(|b| !b.is_empty())
        .collect();
    let binaries: BTreeSet<&str> = snaps
        .iter()
        .filter_map(|s| s.process.binary.as_deref())
        .filter(|b| !b.is_empty())
        .collect();
    let list = |set: &BTreeSet<&str>| -> String {
        let v: Vec<&str> = set.iter().take(5).copied().collect();
        let more = if set.len() > 5 { ", …" } else { "" };
        format!("{}{more}", v.join(", "))
    };
    if binaries.len() > 1 {
        notes.push(format!(
            "several programs in one archive: {} binaries ({})",
            binaries.len(),
            list(&binaries)
        ));
    }
    if build_ids.len() > 1 {
        notes.push(format!(
            "several processes or program versions in one archive: {} build ids ({}); \
             growth is not compared across them",
            build_ids.len(),
            list(&build_ids)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_offsets() {
        assert_eq!(
            crate::model::time::human_duration(3_723 * NS_PER_SEC),
            "1h 02m"
        );
        assert_eq!(
            constant_offset(&[3600 * NS_PER_SEC, 3590 * NS_PER_SEC]),
            Some("+01:00".into())
        );
        assert_eq!(
            constant_offset(&[-5400 * NS_PER_SEC]),
            Some("-01:30".into())
        );
        assert_eq!(
            constant_offset(&[3600 * NS_PER_SEC, 300 * NS_PER_SEC]),
            None
        );
    }
}
