//! Process identity: which snapshots of an archive one process wrote.
//!
//! Signals, strongest first (see [`ProcessSignal`]):
//!
//! 1. **a folder** per host, pod or instance, at any depth (`pod-a/heap/…`,
//!    `2026-11-27/host3/…`): folders named for a kind of dump (`heap/`,
//!    `goroutines/`) or for a time (`20261127T052357Z/`) are not processes,
//!    and folders that each hold one kind of dump are one process's sorting;
//! 2. **a name** in the file name (`api-7d9f6c-x2-heap-….pb.gz`): what is
//!    left after removing the time, numbers and kind words, when every
//!    file has such a name and each name has at least two files;
//! 3. **the build id** (and binary) of protobuf profiles, when two build ids
//!    overlap in time (a new build id that follows the old one is a restart
//!    of the same process, left to the analysis);
//! 4. otherwise the archive holds one process (`single`); its restarts are
//!    found by the analysis from the counters.
//!
//! The result is written into every snapshot's [`crate::model::Process`]
//! (`name`, `signal`); `inspect` shows it.

use super::order::find_name_time;
use crate::model::{Archive, ProcessSignal, ProfileKind, Snapshot, TimeNs};
use std::collections::{BTreeMap, BTreeSet};

/// How snapshots are grouped into processes (`--group-by`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupBy {
    /// Every signal, strongest first.
    #[default]
    Auto,
    /// Only folders.
    Dir,
    /// Only names in the file names.
    Name,
    /// One process (restarts are still found).
    None,
}

/// Words that name a kind or form of dump, not a process.
const KIND_WORDS: &[&str] = &[
    "heap",
    "heaps",
    "goroutine",
    "goroutines",
    "goroutineleak",
    "allocs",
    "alloc",
    "inuse",
    "objects",
    "space",
    "mem",
    "memory",
    "memstats",
    "memprofile",
    "profile",
    "profiles",
    "prof",
    "pprof",
    "pb",
    "gz",
    "txt",
    "text",
    "log",
    "logs",
    "json",
    "out",
    "raw",
    "top",
    "dump",
    "dumps",
    "debug",
    "debug0",
    "debug1",
    "debug2",
    "stack",
    "stacks",
    "trace",
    "traceback",
    "vars",
    "expvar",
    "crash",
    "snapshot",
    "snapshots",
    "snap",
    "tick",
    "seq",
    "samples",
    "capture",
    "captures",
    "data",
    "z",
    "t",
];

/// The identity words of one path component: the component without its
/// time, numbers, separators and kind words (`api-7d9f6c-x2-heap-0001.pb.gz`
/// → `api-7d9f6c-x2`); empty when nothing names a process.
pub(crate) fn identity_words(component: &str) -> String {
    let mut s = component.to_string();
    if let Some(nt) = find_name_time(component, TimeNs::MAX)
        && nt.span.1 <= s.len()
    {
        s.replace_range(nt.span.0..nt.span.1, "-");
    }
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !KIND_WORDS.contains(&w.to_ascii_lowercase().as_str()))
        .collect::<Vec<_>>()
        .join("-")
}

/// The folder key of a path: its directory components that name something
/// (not a kind of dump, not a time), joined with `/`.
fn dir_key(path: &str) -> String {
    let comps: Vec<&str> = path.split('/').collect();
    let dirs = &comps[..comps.len().saturating_sub(1)];
    dirs.iter()
        .copied()
        .filter(|c| !c.is_empty() && *c != "." && !identity_words(c).is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// The kind class of a snapshot for the "one kind per folder" test.
fn kind_class(s: &Snapshot) -> u8 {
    match s.kind {
        ProfileKind::Goroutine | ProfileKind::GoroutineLeak => 0,
        ProfileKind::Heap | ProfileKind::Allocs => 1,
        _ => 2,
    }
}

/// Folders that each hold a single kind of dump, no two the same kind, are
/// one process's sorting (`g/` and `h/`), not several processes.
fn kind_folders(snaps: &[Snapshot], members: &BTreeMap<String, Vec<usize>>) -> bool {
    let mut seen = BTreeSet::new();
    members.values().all(|m| {
        let kinds: BTreeSet<u8> = m.iter().map(|&i| kind_class(&snaps[i])).collect();
        kinds.len() == 1 && seen.insert(*kinds.iter().next().unwrap_or(&0))
    })
}

/// Time span of some snapshots (those with a time).
fn span(snaps: &[Snapshot], m: &[usize]) -> Option<(TimeNs, TimeNs)> {
    let times = m.iter().filter_map(|&i| snaps[i].time);
    let lo = times.clone().min()?;
    Some((lo, times.max().unwrap_or(lo)))
}

/// Splits `group` (indices) by build id when two build ids overlap in
/// time. Snapshots without a build id join the build id seen at their
/// moment, else the first one. Returns `None` when there is no such split.
fn build_id_split(snaps: &[Snapshot], group: &[usize]) -> Option<BTreeMap<String, Vec<usize>>> {
    let label = |s: &Snapshot| -> Option<String> {
        let id = s.process.build_id.as_deref().filter(|b| !b.is_empty())?;
        let short: String = id.chars().take(12).collect();
        Some(
            match s.process.binary.as_deref().filter(|b| !b.is_empty()) {
                Some(bin) => {
                    let base = bin.rsplit(['/', '\\']).next().unwrap_or(bin);
                    format!("{base}@{short}")
                }
                None => short,
            },
        )
    };
    let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in group {
        if let Some(l) = label(&snaps[i]) {
            by.entry(l).or_default().push(i);
        }
    }
    if by.len() < 2 {
        return None;
    }
    let spans: Vec<(TimeNs, TimeNs)> = by.values().filter_map(|m| span(snaps, m)).collect();
    let overlap = spans
        .iter()
        .enumerate()
        .any(|(a, x)| spans.iter().skip(a + 1).any(|y| x.0 <= y.1 && y.0 <= x.1));
    // Two programs are two processes; one program whose build id changes
    // without overlap was redeployed (a restart, left to the analysis).
    let binaries: BTreeSet<&str> = by
        .keys()
        .filter_map(|l| l.split_once('@').map(|(b, _)| b))
        .collect();
    if !overlap && binaries.len() < 2 {
        return None;
    }
    let moment_label: BTreeMap<usize, String> = by
        .iter()
        .flat_map(|(l, m)| m.iter().map(move |&i| (snaps[i].moment, l.clone())))
        .collect();
    let first = by.keys().next().cloned().unwrap_or_default();
    for &i in group {
        if label(&snaps[i]).is_none() {
            let l = moment_label
                .get(&snaps[i].moment)
                .cloned()
                .unwrap_or_else(|| first.clone());
            by.entry(l).or_default().push(i);
        }
    }
    Some(by)
}

/// Splits `group` by the names in the file names, when every file has a
/// name, there are at least two, and each has at least two files.
fn name_split(snaps: &[Snapshot], group: &[usize]) -> Option<BTreeMap<String, Vec<usize>>> {
    let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in group {
        let file = snaps[i].path.rsplit('/').next().unwrap_or(&snaps[i].path);
        let w = identity_words(file);
        if w.is_empty() {
            return None;
        }
        by.entry(w).or_default().push(i);
    }
    (by.len() >= 2 && by.values().all(|m| m.len() >= 2)).then_some(by)
}

/// Decides every snapshot's process (name and deciding signal). Runs after
/// the time order (it uses times and moments); calling it again with
/// another `by` re-decides.
pub fn identify(archive: &mut Archive, by: GroupBy) {
    let snaps = &archive.snapshots;
    // (name parts, signal) per snapshot.
    let mut keys: Vec<(Vec<String>, ProcessSignal)> =
        vec![(Vec::new(), ProcessSignal::Single); snaps.len()];
    if matches!(by, GroupBy::Auto | GroupBy::Dir) {
        let mut members: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, s) in snaps.iter().enumerate() {
            members.entry(dir_key(&s.path)).or_default().push(i);
        }
        if members.len() >= 2 && !kind_folders(snaps, &members) {
            for (k, m) in &members {
                let name = if k.is_empty() { "." } else { k.as_str() };
                for &i in m {
                    keys[i] = (vec![name.to_string()], ProcessSignal::Dir);
                }
            }
        }
    }
    let groups = |keys: &[(Vec<String>, ProcessSignal)]| {
        let mut g: BTreeMap<Vec<String>, Vec<usize>> = BTreeMap::new();
        for (i, k) in keys.iter().enumerate() {
            g.entry(k.0.clone()).or_default().push(i);
        }
        g
    };
    type Splitter = fn(&[Snapshot], &[usize]) -> Option<BTreeMap<String, Vec<usize>>>;
    let mut splitters: Vec<(Splitter, ProcessSignal)> = Vec::new();
    if matches!(by, GroupBy::Auto | GroupBy::Name) {
        splitters.push((name_split, ProcessSignal::Name));
    }
    if by == GroupBy::Auto {
        splitters.push((build_id_split, ProcessSignal::BuildId));
    }
    for (split, signal) in splitters {
        for (_, group) in groups(&keys) {
            if let Some(parts) = split(snaps, &group) {
                for (name, m) in parts {
                    for i in m {
                        keys[i].0.push(name.clone());
                        keys[i].1 = signal;
                    }
                }
            }
        }
    }
    let several = groups(&keys).len() > 1;
    for (s, (parts, signal)) in archive.snapshots.iter_mut().zip(keys) {
        if several {
            s.process.name = parts.join("/");
            s.process.signal = signal;
        } else {
            s.process.name = String::new();
            s.process.signal = ProcessSignal::Single;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_words_drop_times_numbers_and_kinds() {
        assert_eq!(identity_words("heap-2026-12-01T22-28-58Z.pb.gz"), "");
        assert_eq!(
            identity_words("api-7d9f6c-x2-heap-20261201T223217Z.pb.gz"),
            "api-7d9f6c-x2"
        );
        assert_eq!(identity_words("goroutine.1795757014.pb.gz"), "");
        assert_eq!(identity_words("goroutine-0007.debug1.txt"), "");
        assert_eq!(identity_words("20261127T052357Z"), "");
        assert_eq!(identity_words("pod-a"), "pod-a");
        assert_eq!(identity_words("host3"), "host3");
    }

    fn snap(path: &str, kind: ProfileKind, time: i64) -> Snapshot {
        let mut s = Snapshot::new(crate::model::Format::Pprof, kind);
        s.path = path.into();
        s.time = Some(time * 1_000_000_000);
        s.moment = time as usize;
        s
    }

    fn names(a: &Archive) -> Vec<(String, &'static str)> {
        a.snapshots
            .iter()
            .map(|s| (s.process.name.clone(), s.process.signal.name()))
            .collect()
    }

    #[test]
    fn folders_names_and_build_ids_decide_in_that_order() {
        let mut a = Archive::default();
        for (i, pod) in ["pod-a", "pod-b"].iter().enumerate() {
            for t in 0..2 {
                let p = format!("run/{pod}/heap/heap-{t}.pb.gz");
                a.snapshots.push(snap(&p, ProfileKind::Heap, t + i as i64));
            }
        }
        identify(&mut a, GroupBy::Auto);
        assert_eq!(names(&a)[0], ("run/pod-a".into(), "dir"));
        assert_eq!(names(&a)[3], ("run/pod-b".into(), "dir"));
        identify(&mut a, GroupBy::None);
        assert!(names(&a).iter().all(|n| n == &(String::new(), "single")));

        // Names in the file names, one folder.
        let mut a = Archive::default();
        for host in ["api-7d9f-x2", "api-7d9f-k8"] {
            for t in 0..2 {
                let p = format!("{host}-goroutine-2026120{}T101010Z.txt", t + 1);
                a.snapshots.push(snap(&p, ProfileKind::Goroutine, t));
            }
        }
        identify(&mut a, GroupBy::Auto);
        assert_eq!(names(&a)[0], ("api-7d9f-x2".into(), "name"));
        assert_eq!(names(&a)[2], ("api-7d9f-k8".into(), "name"));
        identify(&mut a, GroupBy::Dir);
        assert_eq!(names(&a)[0].1, "single");

        // Two build ids at the same time: two processes; one after the
        // other: one process (a redeploy, a restart for the analysis).
        let build = |overlap: bool| {
            let mut a = Archive::default();
            for (b, start) in [("aaaa", 0), ("bbbb", if overlap { 1 } else { 10 })] {
                for t in 0..3 {
                    let mut s = snap(&format!("heap-{b}-{t}.pb.gz"), ProfileKind::Heap, start + t);
                    s.process.build_id = Some(b.into());
                    s.process.binary = Some("/bin/svc".into());
                    a.snapshots.push(s);
                }
            }
            // The names differ only by the build id: no name signal
            // either, since it is the same word in both.
            for s in &mut a.snapshots {
                s.path = format!("heap-{}.pb.gz", s.moment);
            }
            identify(&mut a, GroupBy::Auto);
            names(&a)
        };
        let together = build(true);
        assert_eq!(together[0], ("svc@aaaa".into(), "build-id"));
        assert_eq!(together[3], ("svc@bbbb".into(), "build-id"));
        assert!(build(false).iter().all(|n| n.1 == "single"));
    }

    #[test]
    fn folders_each_holding_one_kind_are_one_process() {
        let mut a = Archive::default();
        for t in 0..3 {
            a.snapshots
                .push(snap(&format!("g/{t}.txt"), ProfileKind::Goroutine, t));
            a.snapshots
                .push(snap(&format!("h/{t}.pb.gz"), ProfileKind::Heap, t));
        }
        identify(&mut a, GroupBy::Auto);
        assert!(names(&a).iter().all(|n| n.1 == "single"));
    }

    #[test]
    fn folder_keys_skip_kind_and_time_folders() {
        assert_eq!(dir_key("pod-a/heap/heap-1.pb.gz"), "pod-a");
        assert_eq!(dir_key("2026-11-27/host3/g.txt"), "host3");
        assert_eq!(dir_key("20261127T052357Z/heap.pb.gz"), "");
        assert_eq!(dir_key("heap.pb.gz"), "");
    }
}
