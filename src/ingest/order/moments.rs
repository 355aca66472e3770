//! Grouping of snapshots into moments (dumps taken together) and the
//! placement of snapshots that only have a sequence number.

use super::names::natural_cmp;
use super::{DISAGREE_NS, Facts, MOMENT_WINDOW_NS};
use crate::model::{Format, ProfileKind, Snapshot, TimeNs, TimeSource};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// A set of snapshots that must stay in one moment.
#[derive(Debug)]
struct Unit {
    members: Vec<usize>,
    time: Option<TimeNs>,
    kinds: BTreeSet<ProfileKind>,
    /// Kinds with their formats (a debug=1 and a debug=2 dump of one
    /// moment are two forms of one snapshot, not two snapshots).
    forms: BTreeSet<(ProfileKind, Format)>,
    /// Scope and number, for units ordered by sequence only.
    seq: Option<(String, u64)>,
    first_path: String,
}

/// Groups snapshots into moments and returns each snapshot's moment index.
pub(super) fn assign_moments(
    snaps: &[Snapshot],
    facts: &[Facts],
    group_of: &[usize],
    notes: &mut Vec<String>,
) -> Vec<usize> {
    let (units, unit_of) = build_units(snaps, facts, group_of);
    let moments = cluster_moments(&units, group_of);
    let timed_seq = timed_sequences(facts, &unit_of, &moments);
    let (mut keyed, unplaced, untimed) = key_untimed(&units, facts, &timed_seq, moments.len());
    let starts: Vec<TimeNs> = moments.iter().map(|m| m.start).collect();
    let (by_mtime, after_all) = place_unplaced(unplaced, &units, &starts, &mut keyed);
    keyed.sort_by(|(a, _), (b, _)| {
        a.0.cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| natural_cmp(&a.2, &b.2))
            .then(a.3.cmp(&b.3))
            .then_with(|| natural_cmp(&a.4, &b.4))
    });
    let mut result = vec![0usize; snaps.len()];
    for (index, (_, slot)) in keyed.iter().enumerate() {
        let unit_ids: &[usize] = match slot {
            Slot::Timed(m) => &moments[*m].units,
            Slot::Untimed(u) => std::slice::from_ref(u),
        };
        for &u in unit_ids {
            for &i in &units[u].members {
                result[i] = index;
            }
        }
    }
    if by_mtime > 0 {
        notes.push(format!(
            "{by_mtime} snapshot(s) have only a sequence number in their name and no timed \
             sibling; they keep their number order and are placed among the timed snapshots \
             by file modification time"
        ));
    }
    if after_all > 0 {
        notes.push(format!(
            "{after_all} snapshot(s) have only a sequence number in their name and no timed \
             sibling; they are listed after the timed snapshots, in number order"
        ));
    }
    if untimed > 0 && moments.is_empty() {
        notes.push(
            "no snapshot carries a time; the order follows the sequence numbers in the file names"
                .to_string(),
        );
    }
    result
}

/// Groups snapshots into units: a timed anchor with the members that took
/// its time or whose own time is close to it; untimed pairing groups stay
/// together too. Returns the units and each snapshot's unit.
fn build_units(
    snaps: &[Snapshot],
    facts: &[Facts],
    group_of: &[usize],
) -> (Vec<Unit>, Vec<Option<usize>>) {
    let n = snaps.len();
    // Units: a timed anchor with the members that took its time or whose
    // own time is close to it; untimed pairing groups stay together too.
    let mut unit_of: Vec<Option<usize>> = vec![None; n];
    let mut units: Vec<Unit> = Vec::new();
    let new_unit = |units: &mut Vec<Unit>, i: usize| -> usize {
        units.push(Unit {
            members: Vec::new(),
            time: facts[i].time,
            kinds: BTreeSet::new(),
            forms: BTreeSet::new(),
            seq: facts[i].path.seq.clone(),
            first_path: snaps[i].path.clone(),
        });
        units.len() - 1
    };
    let mut by_group: BTreeMap<usize, usize> = BTreeMap::new();
    for i in 0..n {
        let f = &facts[i];
        let u = if let Some(a) = f.anchor {
            match unit_of[a] {
                Some(u) => u,
                None => {
                    let u = new_unit(&mut units, a);
                    unit_of[a] = Some(u);
                    units[u].members.push(a);
                    units[u].kinds.insert(snaps[a].kind);
                    units[u].forms.insert((snaps[a].kind, snaps[a].format));
                    u
                }
            }
        } else if unit_of[i].is_some() {
            continue;
        } else if f.time.is_none() && f.source == TimeSource::Sequence {
            *by_group
                .entry(group_of[i])
                .or_insert_with(|| new_unit(&mut units, i))
        } else {
            new_unit(&mut units, i)
        };
        unit_of[i] = Some(u);
        units[u].members.push(i);
        units[u].kinds.insert(snaps[i].kind);
        units[u].forms.insert((snaps[i].kind, snaps[i].format));
    }
    for u in &mut units {
        u.members.sort_unstable();
        u.members.dedup();
    }
    (units, unit_of)
}

/// A set of timed units close enough in time to be one moment, holding at
/// most one snapshot of each kind.
struct Moment {
    start: TimeNs,
    kinds: BTreeSet<ProfileKind>,
    forms: BTreeSet<(ProfileKind, Format)>,
    units: Vec<usize>,
    group_roots: BTreeSet<usize>,
}

/// Sorts the timed units and clusters them greedily into moments.
fn cluster_moments(units: &[Unit], group_of: &[usize]) -> Vec<Moment> {
    let unit_key = |u: &Unit| {
        (
            u.time,
            u.seq.clone(),
            u.kinds.iter().next().copied(),
            u.first_path.clone(),
        )
    };
    let mut timed: Vec<usize> = (0..units.len())
        .filter(|&u| units[u].time.is_some())
        .collect();
    timed.sort_by(|&a, &b| {
        let (ka, kb) = (unit_key(&units[a]), unit_key(&units[b]));
        ka.0.cmp(&kb.0)
            .then_with(|| cmp_seq(&ka.1, &kb.1))
            .then(ka.2.cmp(&kb.2))
            .then_with(|| natural_cmp(&ka.3, &kb.3))
    });

    // Greedy clustering of timed units into moments.
    let mut moments: Vec<Moment> = Vec::new();
    for &u in &timed {
        let unit = &units[u];
        let t = unit.time.unwrap_or_default();
        let roots: BTreeSet<usize> = unit.members.iter().map(|&i| group_of[i]).collect();
        let joins = moments.last().is_some_and(|m| {
            let close = t - m.start <= MOMENT_WINDOW_NS;
            let paired = !m.group_roots.is_disjoint(&roots) && t - m.start <= DISAGREE_NS;
            // The same kind in another text form at the very same time:
            // one dump saved twice (`?debug=1` and `?debug=2`).
            let other_form = t == m.start && m.forms.is_disjoint(&unit.forms);
            (close || paired) && (m.kinds.is_disjoint(&unit.kinds) || other_form)
        });
        if joins && let Some(m) = moments.last_mut() {
            m.kinds.extend(unit.kinds.iter().copied());
            m.forms.extend(unit.forms.iter().copied());
            m.units.push(u);
            m.group_roots.extend(roots);
        } else {
            moments.push(Moment {
                start: t,
                kinds: unit.kinds.clone(),
                forms: unit.forms.clone(),
                units: vec![u],
                group_roots: roots,
            });
        }
    }
    moments
}

/// (scope, seq) → the latest moment of a timed snapshot carrying it.
fn timed_sequences(
    facts: &[Facts],
    unit_of: &[Option<usize>],
    moments: &[Moment],
) -> BTreeMap<(String, u64), usize> {
    // Untimed units: place by sequence number next to timed snapshots of
    // the same scope, else after everything timed.
    let mut moment_of_unit: BTreeMap<usize, usize> = BTreeMap::new();
    for (m, mo) in moments.iter().enumerate() {
        for &u in &mo.units {
            moment_of_unit.insert(u, m);
        }
    }
    // (scope, seq) → moment of a timed snapshot carrying it.
    let mut timed_seq: BTreeMap<(String, u64), usize> = BTreeMap::new();
    for (i, f) in facts.iter().enumerate() {
        if let (Some(seq), Some(u)) = (&f.path.seq, unit_of[i])
            && let Some(&m) = moment_of_unit.get(&u)
        {
            let e = timed_seq.entry(seq.clone()).or_insert(m);
            *e = (*e).max(m);
        }
    }
    timed_seq
}

/// Sort key of a slot: (moment, rank, scope, seq, path); rank 0 before the
/// moment, 1 the timed moment itself, 2 after it, 3 nothing known.
type Key = (usize, u8, String, u64, String);

/// A place in the final order: a whole timed moment or one untimed unit.
enum Slot {
    Timed(usize),
    Untimed(usize),
}

/// An untimed series unit with no timed sibling: (scope, seq, unit, the
/// latest mtime of its members).
type Unplaced = (String, u64, usize, Option<TimeNs>);

/// Keys every timed moment, and every untimed unit placed by its sequence
/// number next to timed snapshots of the same scope. Returns the keyed
/// slots, the series units left to place by mtime, and the number of
/// untimed units.
fn key_untimed(
    units: &[Unit],
    facts: &[Facts],
    timed_seq: &BTreeMap<(String, u64), usize>,
    moments: usize,
) -> (Vec<(Key, Slot)>, Vec<Unplaced>, usize) {
    let mut keyed: Vec<(Key, Slot)> = Vec::new();
    for m in 0..moments {
        keyed.push(((m, 1, String::new(), 0, String::new()), Slot::Timed(m)));
    }
    let mut unplaced: Vec<Unplaced> = Vec::new();
    let mut untimed = 0usize;
    for (u, unit) in units.iter().enumerate() {
        if unit.time.is_some() {
            continue;
        }
        untimed += 1;
        let key = match &unit.seq {
            Some((scope, q)) => {
                let below = timed_seq
                    .range((scope.clone(), 0)..(scope.clone(), *q))
                    .next_back();
                let above = timed_seq
                    .range((scope.clone(), q.saturating_add(1))..=(scope.clone(), u64::MAX))
                    .next();
                match (below, above) {
                    (Some((_, &m)), _) => (m, 2, scope.clone(), *q, String::new()),
                    (None, Some((_, &m))) => (m, 0, scope.clone(), *q, String::new()),
                    (None, None) => {
                        let hint = unit.members.iter().filter_map(|&i| facts[i].mtime).max();
                        unplaced.push((scope.clone(), *q, u, hint));
                        continue;
                    }
                }
            }
            None => (usize::MAX, 3, String::new(), 0, unit.first_path.clone()),
        };
        keyed.push((key, Slot::Untimed(u)));
    }
    (keyed, unplaced, untimed)
}

/// Keys the series with no timed sibling. Returns how many snapshots were
/// placed by mtime and how many after everything timed.
fn place_unplaced(
    mut unplaced: Vec<Unplaced>,
    units: &[Unit],
    starts: &[TimeNs],
    keyed: &mut Vec<(Key, Slot)>,
) -> (usize, usize) {
    // Series with no timed sibling: placed among the timed moments by
    // their mtimes, but never against their numbers (a running maximum).
    unplaced.sort_by(|a, b| natural_cmp(&a.0, &b.0).then(a.1.cmp(&b.1)));
    let mut by_mtime = 0usize;
    let mut after_all = 0usize;
    let mut floor: Option<(String, (usize, u8))> = None;
    for (scope, q, u, hint) in unplaced {
        let mut pos = match hint {
            Some(h) if !starts.is_empty() => {
                by_mtime += units[u].members.len();
                match starts.partition_point(|&st| st <= h) {
                    0 => (0, 0),
                    p => (p - 1, 2),
                }
            }
            _ => {
                if !starts.is_empty() {
                    after_all += units[u].members.len();
                }
                (usize::MAX, 2)
            }
        };
        if let Some((fs, fpos)) = &floor
            && *fs == scope
        {
            pos = pos.max(*fpos);
        }
        floor = Some((scope.clone(), pos));
        keyed.push(((pos.0, pos.1, scope, q, String::new()), Slot::Untimed(u)));
    }
    (by_mtime, after_all)
}

fn cmp_seq(a: &Option<(String, u64)>, b: &Option<(String, u64)>) -> Ordering {
    match (a, b) {
        (Some((sa, qa)), Some((sb, qb))) => natural_cmp(sa, sb).then(qa.cmp(qb)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}
