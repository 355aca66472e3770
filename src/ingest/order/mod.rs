//! Time order: profile time, file-name timestamps, sequence numbers paired
//! with siblings, MemStats lower bounds, mtime last.
//!
//! Every snapshot gets a time and says where it came from
//! ([`TimeSource`]), strongest source first:
//!
//! 1. the file's own time (`time_nanos`, a `Time:` header);
//! 2. a timestamp in its path (file name first, then parent directories);
//! 3. a *sibling*: a file sharing the same sequence number or timestamp in
//!    its name (a heap and a goroutine dump taken together are one moment);
//! 4. the MemStats `LastGC` / `PauseEnd` lower bound;
//! 5. only a sequence number: an order, no time;
//! 6. the file modification time, which copies through git or zip reset,
//!    so it never overrides anything above.
//!
//! Snapshots taken together (within [`MOMENT_WINDOW_NS`], or paired by name)
//! share a *moment*; snapshots are sorted by (moment, kind, path). Remarks
//! (sources disagreeing, colliding times, clocks going backwards against
//! the sequence numbers, several processes) become archive notes.

mod moments;
mod names;
mod notes;

pub(crate) use names::find_name_time;
#[cfg(test)]
pub(crate) use names::find_sequence;
pub use names::natural_cmp;

use crate::model::{Archive, Format, Snapshot, TimeNs, TimeSource};
use names::PathInfo;
use std::collections::BTreeMap;

/// Snapshots of different kinds whose times are this close share a moment.
pub const MOMENT_WINDOW_NS: i64 = 2 * NS_PER_SEC;

/// Two time sources further apart than this disagree (and get a note).
pub const DISAGREE_NS: i64 = 60 * NS_PER_SEC;

const NS_PER_SEC: i64 = 1_000_000_000;

/// Mtimes of this many snapshots or more that all lie within
/// [`MTIME_RESET_SPREAD_NS`] were reset by a copy and are ignored.
pub const MTIME_RESET_MIN_FILES: usize = 3;

/// See [`MTIME_RESET_MIN_FILES`].
pub const MTIME_RESET_SPREAD_NS: i64 = 2 * NS_PER_SEC;

/// Per-snapshot facts used for ordering.
#[derive(Clone, Debug)]
struct Facts {
    /// The file's own time and its source.
    own: Option<(TimeNs, TimeSource)>,
    /// Clues in the path.
    path: PathInfo,
    /// MemStats lower bound.
    lower_bound: Option<TimeNs>,
    /// File modification time.
    mtime: Option<TimeNs>,
    /// Resolved time and source.
    time: Option<TimeNs>,
    source: TimeSource,
    /// Index of the sibling whose time this one took.
    anchor: Option<usize>,
}

fn own_time(s: &Snapshot) -> Option<(TimeNs, TimeSource)> {
    let t = s.embedded_time.filter(|&t| t > 0)?;
    let src = if s.format == Format::Pprof {
        TimeSource::Profile
    } else {
        TimeSource::TextHeader
    };
    Some((t, src))
}

/// The strongest time a snapshot has by itself.
fn strong_time(f: &Facts) -> Option<(TimeNs, TimeSource)> {
    f.own
        .or_else(|| {
            f.path
                .time
                .as_ref()
                .map(|st| (st.nt.time, TimeSource::FileName))
        })
        .or_else(|| f.lower_bound.map(|t| (t, TimeSource::MemStatsLowerBound)))
}

/// Union-find over snapshot indices.
struct Groups(Vec<usize>);

impl Groups {
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi] = lo;
        }
    }
}

/// Resolves every snapshot's time, source and moment, sorts the snapshots
/// by (moment, kind, path) and adds notes to the archive. `mtimes[i]` is
/// the modification time of `archive.snapshots[i]`; `now` is the clock
/// (injected so tests are stable) used to reject future "dates" in names.
pub fn order(archive: &mut Archive, mtimes: &[Option<TimeNs>], now: TimeNs) {
    let snaps = &mut archive.snapshots;
    let n = snaps.len();
    let mut facts: Vec<Facts> = snaps
        .iter()
        .enumerate()
        .map(|(i, s)| Facts {
            own: own_time(s),
            path: names::path_info(&s.path, now),
            lower_bound: s.memstats.as_ref().and_then(|m| m.time_lower_bound()),
            mtime: mtimes.get(i).copied().flatten(),
            time: None,
            source: TimeSource::Unknown,
            anchor: None,
        })
        .collect();
    let mut notes = Vec::new();

    // Own, name and lower-bound times.
    for f in &mut facts {
        if let Some((t, src)) = strong_time(f) {
            f.time = Some(t);
            f.source = src;
        }
    }

    // Pair files sharing a sequence number or a name timestamp.
    let mut groups = pair_groups(&facts);
    let sibling_overrides = adopt_sibling_times(&mut facts, &mut groups);

    fallback_times(&mut facts, &mut notes);

    let moment_of = moments::assign_moments(snaps, &facts, &groups_of(&mut groups, n), &mut notes);
    for (i, s) in snaps.iter_mut().enumerate() {
        s.time = facts[i].time;
        s.time_source = facts[i].source;
        s.moment = moment_of[i];
    }

    // Remarks (computed before sorting: they use indices).
    notes::disagreement_notes(snaps, &facts, &sibling_overrides, &mut notes);
    notes::zone_note(&facts, &mut notes);
    notes::collision_notes(snaps, &facts, &mut notes);
    notes::backwards_notes(snaps, &facts, &mut notes);
    notes::mtime_notes(&facts, &mut notes);
    notes::process_notes(snaps, &mut notes);

    snaps.sort_by(|a, b| {
        a.moment
            .cmp(&b.moment)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| natural_cmp(&a.path, &b.path))
    });
    archive.notes.extend(notes);
}

/// Unites the files sharing a sequence number or a (not date-only) name
/// timestamp in the same scope.
fn pair_groups(facts: &[Facts]) -> Groups {
    let mut groups = Groups((0..facts.len()).collect());
    let mut by_key: BTreeMap<(String, u8, i64), usize> = BTreeMap::new();
    for (i, f) in facts.iter().enumerate() {
        let mut keys = Vec::new();
        if let Some((scope, seq)) = &f.path.seq {
            keys.push((scope.clone(), 0u8, i64::try_from(*seq).unwrap_or(i64::MAX)));
        }
        if let Some(st) = f.path.time.as_ref().filter(|st| !st.nt.date_only) {
            keys.push((st.scope.clone(), 1u8, st.nt.time));
        }
        for k in keys {
            match by_key.get(&k) {
                Some(&first) => groups.union(first, i),
                None => {
                    by_key.insert(k, i);
                }
            }
        }
    }
    groups
}

/// In each group of paired files, the member with the strongest time is
/// the anchor; members without an own time take its time when they have
/// none, or a weaker one that disagrees. Returns the file-name times so
/// overridden: (member, anchor, its name time, the anchor's time).
fn adopt_sibling_times(
    facts: &mut [Facts],
    groups: &mut Groups,
) -> Vec<(usize, usize, TimeNs, TimeNs)> {
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..facts.len() {
        let r = groups.find(i);
        members.entry(r).or_default().push(i);
    }
    let mut sibling_overrides = Vec::new();
    for group in members.values().filter(|g| g.len() > 1) {
        let anchor = group
            .iter()
            .copied()
            .filter(|&i| facts[i].time.is_some())
            .min_by_key(|&i| (facts[i].source, facts[i].time, i));
        let Some(a) = anchor else { continue };
        let (at_time, at_src) = (facts[a].time, facts[a].source);
        for &i in group {
            if i == a || facts[i].own.is_some() {
                continue;
            }
            let f = &facts[i];
            let take = match f.time {
                None => true,
                Some(t) => {
                    at_src < f.source
                        && (f.source == TimeSource::MemStatsLowerBound
                            || at_time.is_some_and(|at| (at - t).abs() > DISAGREE_NS))
                }
            };
            if take {
                if let (Some(t), Some(at)) = (f.time, at_time)
                    && f.source == TimeSource::FileName
                {
                    sibling_overrides.push((i, a, t, at));
                }
                let f = &mut facts[i];
                f.time = at_time;
                f.source = TimeSource::Sibling;
                f.anchor = Some(a);
            }
        }
    }
    sibling_overrides
}

/// What is left: a sequence number, else the mtime, unless a copy visibly
/// reset the mtimes (then a note says so).
fn fallback_times(facts: &mut [Facts], notes: &mut Vec<String>) {
    if facts.iter().any(|f| f.time.is_none()) && mtimes_were_reset(facts) {
        notes.push(format!(
            "file modification times all lie within {} of each other (a copy reset them); \
             they are not used for ordering",
            crate::model::time::human_duration(MTIME_RESET_SPREAD_NS)
        ));
        for f in facts.iter_mut() {
            f.mtime = None;
        }
    }
    for f in facts.iter_mut() {
        if f.time.is_none() && f.source == TimeSource::Unknown {
            if f.path.seq.is_some() {
                f.source = TimeSource::Sequence;
            } else if let Some(m) = f.mtime {
                f.time = Some(m);
                f.source = TimeSource::Mtime;
            }
        }
    }
}

/// True when at least [`MTIME_RESET_MIN_FILES`] snapshots all have mtimes
/// within [`MTIME_RESET_SPREAD_NS`]: the signature of `cp`, `git clone` or an
/// unzip, not of captures taken over time.
fn mtimes_were_reset(facts: &[Facts]) -> bool {
    let m: Vec<TimeNs> = facts.iter().filter_map(|f| f.mtime).collect();
    match (m.iter().min(), m.iter().max()) {
        (Some(lo), Some(hi)) => {
            m.len() >= MTIME_RESET_MIN_FILES && hi - lo <= MTIME_RESET_SPREAD_NS
        }
        _ => false,
    }
}

fn groups_of(groups: &mut Groups, n: usize) -> Vec<usize> {
    (0..n).map(|i| groups.find(i)).collect()
}

#[cfg(test)]
mod tests;
