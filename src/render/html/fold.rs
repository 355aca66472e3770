//! Folded stacks (`root;…;leaf weight`) for the flame graphs, taken straight
//! from the archive: heap samples weighted by in-use bytes, goroutine groups
//! weighted by their count.
//!
//! Stacks whose weight is a negligible fraction of the total are cut back to
//! the deepest frame that still carries enough weight (their weight stays on
//! that parent), so huge profiles give small, readable graphs while the
//! widths of the remaining frames stay exact.

use crate::model::{Archive, FrameId, ProfileKind, Snapshot, StackId, Tables};
use std::collections::{BTreeMap, HashMap};

/// Which snapshot of a kind to fold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// The earliest one.
    First,
    /// The latest one.
    Last,
}

/// Stacks of one snapshot: frames root first, with their weight.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stacks {
    /// Path of the snapshot the stacks come from.
    pub path: String,
    /// Snapshot time (Unix ns), when known.
    pub time: Option<i64>,
    /// (frames root → leaf, weight); several entries may share a stack.
    pub entries: Vec<(Vec<FrameId>, u64)>,
}

impl Stacks {
    /// Sum of all weights.
    pub fn total(&self) -> u64 {
        self.entries.iter().map(|(_, w)| *w).sum()
    }
}

fn root_first(tables: &Tables, id: StackId) -> Vec<FrameId> {
    let mut v = tables.stack(id).to_vec();
    v.reverse();
    v
}

/// A heap snapshot usable for an in-use flame graph (in-use values present,
/// not a delta profile).
pub fn is_inuse_heap(s: &Snapshot) -> bool {
    s.heap.as_ref().is_some_and(|h| h.has_inuse && !h.delta)
}

/// A goroutine snapshot that lists all goroutines (not a goroutineleak
/// profile, which lists only the proven leaks).
pub fn is_all_goroutines(s: &Snapshot) -> bool {
    s.kind != ProfileKind::GoroutineLeak && s.goroutines.as_ref().is_some_and(|g| !g.leak_profile)
}

fn pick(archive: &Archive, keep: fn(&Snapshot) -> bool, which: Pick) -> Option<&Snapshot> {
    let mut it = archive.snapshots.iter().filter(|s| keep(s));
    match which {
        Pick::First => it.next(),
        Pick::Last => it.next_back(),
    }
}

/// Number of snapshots usable for heap / goroutine graphs.
pub fn counts(archive: &Archive) -> (usize, usize) {
    let heap = archive
        .snapshots
        .iter()
        .filter(|s| is_inuse_heap(s))
        .count();
    let gor = archive
        .snapshots
        .iter()
        .filter(|s| is_all_goroutines(s))
        .count();
    (heap, gor)
}

/// In-use heap stacks (bytes) of the first or last in-use heap snapshot.
pub fn heap(archive: &Archive, which: Pick) -> Option<Stacks> {
    let s = pick(archive, is_inuse_heap, which)?;
    let h = s.heap.as_ref()?;
    let entries = h
        .samples
        .iter()
        .filter(|x| x.inuse_bytes > 0)
        .map(|x| (root_first(&archive.tables, x.stack), x.inuse_bytes as u64))
        .collect();
    Some(Stacks {
        path: s.path.clone(),
        time: s.time,
        entries,
    })
}

/// Goroutine stacks (counts) of the first or last full goroutine snapshot.
pub fn goroutines(archive: &Archive, which: Pick) -> Option<Stacks> {
    let s = pick(archive, is_all_goroutines, which)?;
    let g = s.goroutines.as_ref()?;
    let entries = g
        .groups
        .iter()
        .filter(|x| x.count > 0)
        .map(|x| (root_first(&archive.tables, x.stack), x.count))
        .collect();
    Some(Stacks {
        path: s.path.clone(),
        time: s.time,
        entries,
    })
}

/// A frame label safe for the folded format: control and bidi characters
/// are made visible ([`crate::text::visible`]); `;` would split the frame
/// and an ASCII space could be read as a count separator, so both are
/// replaced; an empty name becomes `?`.
pub fn label(name: &str) -> String {
    if name.is_empty() {
        return "?".to_string();
    }
    crate::text::visible(name)
        .chars()
        .map(|c| match c {
            ';' => ':',
            ' ' => '\u{a0}',
            c => c,
        })
        .collect()
}

#[derive(Default)]
struct Node {
    children: BTreeMap<FrameId, usize>,
    own: [u64; 2],
    sub: [u64; 2],
}

/// The call tree of one or two profiles, built once and folded at as many
/// pruning fractions as a graph needs ([`Tree::fold`]).
pub struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// The merged call tree of the first two of `profiles`.
    pub fn new(profiles: &[&Stacks]) -> Self {
        let mut nodes: Vec<Node> = vec![Node::default()];
        for (p, stacks) in profiles.iter().take(2).enumerate() {
            for (frames, w) in &stacks.entries {
                let mut cur = 0usize;
                nodes[0].sub[p] = nodes[0].sub[p].saturating_add(*w);
                // Very deep stacks (deep recursion) are drawn with their
                // root-most and leaf-most frames and one marker frame
                // between: the graph stays readable and folding stays linear.
                let elided = frames.len() > MAX_DEPTH;
                let path: Box<dyn Iterator<Item = &FrameId>> = if elided {
                    Box::new(
                        frames[..KEEP_ROOT]
                            .iter()
                            .chain(std::iter::once(&ELIDED))
                            .chain(&frames[frames.len() - (MAX_DEPTH - KEEP_ROOT)..]),
                    )
                } else {
                    Box::new(frames.iter())
                };
                for f in path {
                    let next = match nodes[cur].children.get(f) {
                        Some(&n) => n,
                        None => {
                            nodes.push(Node::default());
                            let n = nodes.len() - 1;
                            nodes[cur].children.insert(*f, n);
                            n
                        }
                    };
                    cur = next;
                    nodes[cur].sub[p] = nodes[cur].sub[p].saturating_add(*w);
                }
                nodes[cur].own[p] = nodes[cur].own[p].saturating_add(*w);
            }
        }
        Tree { nodes }
    }

    /// Lines keyed by the label path, with one weight per profile; subtrees
    /// whose combined weight is below `min_fraction` of the combined total
    /// are merged into their parent.
    pub fn fold(&self, tables: &Tables, min_fraction: f64) -> BTreeMap<String, [u64; 2]> {
        let nodes = &self.nodes;
        let total = nodes[0].sub[0].saturating_add(nodes[0].sub[1]);
        let threshold = (total as f64 * min_fraction.max(0.0)).ceil() as u64;
        let mut out: BTreeMap<String, [u64; 2]> = BTreeMap::new();
        let mut add = |key: String, w: [u64; 2]| {
            if w != [0, 0] {
                let e = out.entry(key).or_insert([0, 0]);
                e[0] = e[0].saturating_add(w[0]);
                e[1] = e[1].saturating_add(w[1]);
            }
        };
        // Each frame's label, made once (a frame sits in many paths).
        let mut labels: HashMap<FrameId, String> = HashMap::new();
        // Iterative DFS over (node, label path); the root has an empty path.
        let mut stack: Vec<(usize, String)> = vec![(0, String::new())];
        while let Some((n, path)) = stack.pop() {
            let mut small = [0u64; 2];
            for (f, &c) in nodes[n].children.iter().rev() {
                let sub = nodes[c].sub;
                if sub[0].saturating_add(sub[1]) < threshold {
                    small[0] = small[0].saturating_add(sub[0]);
                    small[1] = small[1].saturating_add(sub[1]);
                } else {
                    let name = labels.entry(*f).or_insert_with(|| {
                        if *f == ELIDED {
                            ELIDED_LABEL.to_string()
                        } else {
                            label(tables.frame_function(*f))
                        }
                    });
                    stack.push((c, join(&path, name)));
                }
            }
            if small != [0, 0] {
                add(join(&path, SMALL), small);
            }
            let own_key = if n == 0 { NO_STACK.to_string() } else { path };
            add(own_key, nodes[n].own);
        }
        out
    }
}

/// Deepest stack drawn as it is; deeper ones lose frames in the middle.
pub const MAX_DEPTH: usize = 512;
/// Root-most frames kept of a deeper stack (the rest are the leaf-most).
const KEEP_ROOT: usize = 64;
/// Sentinel frame id for the elided middle of a deep stack.
const ELIDED: FrameId = FrameId(u32::MAX);
/// Label of the elided middle of a deep stack.
pub const ELIDED_LABEL: &str = "[frames\u{a0}elided]";

/// Frame standing for the subtrees merged because they were too small.
pub const SMALL: &str = "[small\u{a0}stacks]";
/// Frame standing for samples without any frame.
pub const NO_STACK: &str = "[no\u{a0}stack]";

fn join(path: &str, frame: &str) -> String {
    let mut s = String::with_capacity(path.len() + 1 + frame.len());
    if !path.is_empty() {
        s.push_str(path);
        s.push(';');
    }
    s.push_str(frame);
    s
}

/// Lines `stack weight` of a single profile (weights of the first column).
pub fn single_lines(folded: &BTreeMap<String, [u64; 2]>) -> Vec<String> {
    folded
        .iter()
        .filter(|(_, w)| w[0] > 0)
        .map(|(k, w)| format!("{k} {}", w[0]))
        .collect()
}

/// Lines `stack before after` of a differential graph; with `swap`, the
/// columns are exchanged (`stack after before`), so the widths come from the
/// first profile.
pub fn diff_lines(folded: &BTreeMap<String, [u64; 2]>, swap: bool) -> Vec<String> {
    folded
        .iter()
        .map(|(k, w)| {
            let (a, b) = if swap { (w[1], w[0]) } else { (w[0], w[1]) };
            format!("{k} {a} {b}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, GoroutineData, GoroutineGroup, HeapData, HeapSample};

    fn stacks(t: &mut Tables, list: &[(&[&str], u64)]) -> Stacks {
        let entries = list
            .iter()
            .map(|(fs, w)| {
                (
                    fs.iter().map(|f| t.intern_frame(f, "x.go", 1)).collect(),
                    *w,
                )
            })
            .collect();
        Stacks {
            path: "p".into(),
            time: None,
            entries,
        }
    }

    #[test]
    fn deep_stacks_keep_both_ends_around_one_marker() {
        let mut t = Tables::new();
        let names: Vec<String> = (0..5000).map(|i| format!("main.f{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let s = stacks(&mut t, &[(&refs, 7)]);
        let folded = Tree::new(&[&s]).fold(&t, 0.0);
        assert_eq!(folded.len(), 1);
        let (path, w) = folded.iter().next().unwrap();
        assert_eq!(*w, [7, 0]);
        let frames: Vec<&str> = path.split(';').collect();
        assert_eq!(frames.len(), MAX_DEPTH + 1);
        assert_eq!(frames[0], "main.f0");
        assert_eq!(frames[KEEP_ROOT], ELIDED_LABEL);
        assert_eq!(*frames.last().unwrap(), "main.f4999");
    }

    #[test]
    fn folds_and_merges_equal_paths() {
        let mut t = Tables::new();
        let s = stacks(
            &mut t,
            &[
                (&["main", "a", "b"], 5),
                (&["main", "a"], 2),
                (&["main", "a", "b"], 1),
            ],
        );
        let f = Tree::new(&[&s]).fold(&t, 0.0);
        assert_eq!(
            single_lines(&f),
            vec!["main;a 2".to_string(), "main;a;b 6".to_string()]
        );
    }

    #[test]
    fn prunes_small_subtrees_into_parent() {
        let mut t = Tables::new();
        let s = stacks(
            &mut t,
            &[
                (&["main", "big"], 9990),
                (&["main", "tiny", "deeper"], 5),
                (&["other"], 5),
            ],
        );
        let f = Tree::new(&[&s]).fold(&t, 0.001);
        // tiny (5 < 10) becomes a "small stacks" child of main; the root
        // "other" (5) becomes a "small stacks" root.
        let lines = single_lines(&f);
        assert_eq!(
            lines,
            vec![
                format!("{SMALL} 5"),
                format!("main;{SMALL} 5"),
                "main;big 9990".to_string(),
            ]
        );
        let total: u64 = f.values().map(|w| w[0]).sum();
        assert_eq!(total, 10000);
    }

    #[test]
    fn labels_are_folded_safe() {
        assert_eq!(label("a;b c\x01\u{202e}"), "a:b\u{a0}c\\x01\\u202e");
        assert_eq!(label(""), "?");
    }

    #[test]
    fn differential_columns_and_swap() {
        let mut t = Tables::new();
        let a = stacks(&mut t, &[(&["main", "gone"], 4), (&["main", "grow"], 1)]);
        let b = stacks(&mut t, &[(&["main", "grow"], 10)]);
        let f = Tree::new(&[&a, &b]).fold(&t, 0.0);
        assert_eq!(
            diff_lines(&f, false),
            vec!["main;gone 4 0".to_string(), "main;grow 1 10".to_string()]
        );
        assert_eq!(
            diff_lines(&f, true),
            vec!["main;gone 0 4".to_string(), "main;grow 10 1".to_string()]
        );
    }

    #[test]
    fn picks_latest_inuse_heap_and_full_goroutine_dump() {
        let mut a = Archive::default();
        let f1 = a.tables.intern_frame("main.alloc", "m.go", 3);
        let f2 = a.tables.intern_frame("main.main", "m.go", 9);
        let st = a.tables.intern_stack(&[f1, f2]);
        for (i, bytes) in [100i64, 300].iter().enumerate() {
            let mut s = Snapshot::new(Format::Pprof, ProfileKind::Heap);
            s.path = format!("heap-{i}");
            s.heap = Some(HeapData {
                has_inuse: true,
                samples: vec![HeapSample {
                    stack: st,
                    inuse_objects: 1,
                    inuse_bytes: *bytes,
                    alloc_objects: 1,
                    alloc_bytes: *bytes,
                    object_size: None,
                }]
                .into(),
                ..Default::default()
            });
            a.snapshots.push(s);
        }
        let mut delta = Snapshot::new(Format::Pprof, ProfileKind::Heap);
        delta.heap = Some(HeapData {
            has_inuse: true,
            delta: true,
            ..Default::default()
        });
        a.snapshots.push(delta);
        let mut g = Snapshot::new(Format::Pprof, ProfileKind::Goroutine);
        g.path = "g".into();
        g.goroutines = Some(GoroutineData {
            total: 7,
            groups: vec![GoroutineGroup::new(st, 7)],
            ..Default::default()
        });
        a.snapshots.push(g);
        let mut leak = Snapshot::new(Format::Pprof, ProfileKind::GoroutineLeak);
        leak.goroutines = Some(GoroutineData::default());
        a.snapshots.push(leak);

        let last = heap(&a, Pick::Last).expect("heap");
        assert_eq!(last.path, "heap-1");
        assert_eq!(last.total(), 300);
        assert_eq!(heap(&a, Pick::First).expect("first").total(), 100);
        let f = Tree::new(&[&last]).fold(&a.tables, 0.0);
        assert_eq!(
            single_lines(&f),
            vec!["main.main;main.alloc 300".to_string()]
        );
        let g = goroutines(&a, Pick::Last).expect("goroutines");
        assert_eq!(g.path, "g");
        assert_eq!(g.total(), 7);
        assert_eq!(counts(&a), (2, 1));
    }
}
