//! `--pprof DIR`: the archive's profiles as gzip-compressed `profile.proto`
//! files that `go tool pprof`, Pyroscope and Speedscope open.
//!
//! Four files, each only when the archive has the data for it:
//!
//! * `heap.pb.gz`: the latest heap profile as leakscope read it (sample
//!   types `alloc_objects`, `alloc_space`, `inuse_objects`, `inuse_space`
//!   as the Go runtime writes them; values are the runtime's unsampled
//!   estimates, so they are not scaled again);
//! * `goroutine.pb.gz`: the latest goroutine dump or profile (`goroutine`
//!   `count`, one sample per group, with its labels);
//! * `heap-diff.pb.gz` and `goroutine-diff.pb.gz`: last minus first, per
//!   stack (and object size): positive where it grew, negative where it
//!   shrank, as `go tool pprof -diff_base FIRST LAST` shows them. Stacks
//!   that did not change are left out. pprof's percentages in a diff are of
//!   the sum of the absolute changes.
//!
//! Stacks keep the original function, file and line of every frame (leaf
//! first, one location per frame). The output is deterministic: same
//! archive, same bytes (gzip header without a time stamp).

use crate::model::{Archive, FrameId, ProfileKind, Snapshot, StackId, Tables};
use crate::pprof_proto as pb;
use prost::Message;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

/// One file of the `--pprof` output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PprofFile {
    /// File name inside the output directory (`heap.pb.gz`, …).
    pub name: &'static str,
    /// gzip-compressed `profile.proto`.
    pub bytes: Vec<u8>,
    /// What it holds, for the run summary (`latest heap profile, heap-….pb.gz`).
    pub description: String,
}

/// Every profile of the `--pprof` output that the archive has data for.
pub fn export(archive: &Archive) -> Vec<PprofFile> {
    let heaps: Vec<&Snapshot> = archive
        .snapshots
        .iter()
        .filter(|s| {
            matches!(s.kind, ProfileKind::Heap | ProfileKind::Allocs)
                && s.heap.as_ref().is_some_and(|h| h.has_inuse && !h.delta)
        })
        .collect();
    let gors: Vec<&Snapshot> = archive
        .snapshots
        .iter()
        .filter(|s| s.kind == ProfileKind::Goroutine && s.goroutines.is_some())
        .collect();
    let t = &archive.tables;
    let mut out = Vec::new();
    if let Some(last) = heaps.last() {
        out.push(file(
            "heap.pb.gz",
            format!("latest heap profile, {}", last.path),
            heap_profile(t, last, None),
        ));
    }
    if let Some(last) = gors.last() {
        out.push(file(
            "goroutine.pb.gz",
            format!("latest goroutine dump, {}", last.path),
            goroutine_profile(t, last, None),
        ));
    }
    if let (Some(first), Some(last)) = (heaps.first(), heaps.last())
        && heaps.len() >= 2
    {
        out.push(file(
            "heap-diff.pb.gz",
            format!("heap difference {} → {}", first.path, last.path),
            heap_profile(t, last, Some(first)),
        ));
    }
    if let (Some(first), Some(last)) = (gors.first(), gors.last())
        && gors.len() >= 2
    {
        out.push(file(
            "goroutine-diff.pb.gz",
            format!("goroutine difference {} → {}", first.path, last.path),
            goroutine_profile(t, last, Some(first)),
        ));
    }
    out
}

fn file(name: &'static str, description: String, profile: pb::Profile) -> PprofFile {
    let raw = profile.encode_to_vec();
    // GzEncoder::new writes a header with mtime 0: deterministic bytes.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&raw).expect("writing to a Vec cannot fail");
    PprofFile {
        name,
        bytes: gz.finish().expect("writing to a Vec cannot fail"),
        description,
    }
}

/// Builds the string, function and location tables of one profile.
struct Builder<'a> {
    tables: &'a Tables,
    p: pb::Profile,
    strings: HashMap<String, i64>,
    functions: HashMap<(String, String), u64>,
    locations: HashMap<FrameId, u64>,
}

impl<'a> Builder<'a> {
    fn new(tables: &'a Tables, snap: &Snapshot) -> Self {
        let mut b = Builder {
            tables,
            p: pb::Profile::default(),
            strings: HashMap::new(),
            functions: HashMap::new(),
            locations: HashMap::new(),
        };
        b.s("");
        // One mapping marked as fully symbolised, so pprof does not try to
        // symbolise the address-less locations.
        let filename = b.s(snap.process.binary.as_deref().unwrap_or(""));
        let build_id = b.s(snap.process.build_id.as_deref().unwrap_or(""));
        b.p.mapping.push(pb::Mapping {
            id: 1,
            memory_start: 0,
            memory_limit: 0,
            file_offset: 0,
            filename,
            build_id,
            has_functions: true,
            has_filenames: true,
            has_line_numbers: true,
            has_inline_frames: true,
        });
        b.p.time_nanos = snap.time.or(snap.embedded_time).unwrap_or(0);
        b
    }

    fn s(&mut self, text: &str) -> i64 {
        if let Some(&i) = self.strings.get(text) {
            return i;
        }
        let i = self.p.string_table.len() as i64;
        self.p.string_table.push(text.as_bytes().to_vec());
        self.strings.insert(text.to_owned(), i);
        i
    }

    fn value_type(&mut self, ty: &str, unit: &str) -> pb::ValueType {
        pb::ValueType {
            r#type: self.s(ty),
            unit: self.s(unit),
        }
    }

    fn function(&mut self, name: &str, file: &str) -> u64 {
        let key = (name.to_owned(), file.to_owned());
        if let Some(&id) = self.functions.get(&key) {
            return id;
        }
        let id = self.p.function.len() as u64 + 1;
        let (n, f) = (self.s(name), self.s(file));
        self.p.function.push(pb::Function {
            id,
            name: n,
            system_name: n,
            filename: f,
            start_line: 0,
        });
        self.functions.insert(key, id);
        id
    }

    fn location(&mut self, frame: FrameId) -> u64 {
        if let Some(&id) = self.locations.get(&frame) {
            return id;
        }
        let fr = *self.tables.frame(frame);
        let function_id = self.function(self.tables.str(fr.function), self.tables.str(fr.file));
        let id = self.p.location.len() as u64 + 1;
        self.p.location.push(pb::Location {
            id,
            mapping_id: 1,
            address: 0,
            line: vec![pb::Line {
                function_id,
                line: i64::from(fr.line),
                column: 0,
            }],
            is_folded: false,
        });
        self.locations.insert(frame, id);
        id
    }

    fn sample(&mut self, stack: StackId, value: Vec<i64>, label: Vec<pb::Label>) {
        let location_id = self
            .tables
            .stack(stack)
            .iter()
            .map(|&f| self.location(f))
            .collect();
        self.p.sample.push(pb::Sample {
            location_id,
            value,
            label,
        });
    }

    fn comment(&mut self, text: &str) {
        let i = self.s(text);
        self.p.comment.push(i);
    }
}

/// Heap values of one (stack, object size) key:
/// alloc_objects, alloc_space, inuse_objects, inuse_space.
type HeapKey = (StackId, Option<i64>);

fn heap_values(snap: &Snapshot) -> BTreeMap<HeapKey, [i64; 4]> {
    let mut m: BTreeMap<HeapKey, [i64; 4]> = BTreeMap::new();
    for s in snap.heap.iter().flat_map(|h| &h.samples) {
        let v = m.entry((s.stack, s.object_size)).or_default();
        for (acc, x) in v.iter_mut().zip([
            s.alloc_objects,
            s.alloc_bytes,
            s.inuse_objects,
            s.inuse_bytes,
        ]) {
            *acc = acc.saturating_add(x);
        }
    }
    m
}

/// The heap profile of `last`, or `last − base` per stack and object size.
fn heap_profile(tables: &Tables, last: &Snapshot, base: Option<&Snapshot>) -> pb::Profile {
    let mut b = Builder::new(tables, last);
    b.p.sample_type = vec![
        b.value_type("alloc_objects", "count"),
        b.value_type("alloc_space", "bytes"),
        b.value_type("inuse_objects", "count"),
        b.value_type("inuse_space", "bytes"),
    ];
    b.p.period_type = Some(b.value_type("space", "bytes"));
    b.p.period = last.heap.as_ref().map_or(0, |h| h.period);
    let mut values = heap_values(last);
    if let Some(base) = base {
        for (k, v) in heap_values(base) {
            let e = values.entry(k).or_default();
            for (a, x) in e.iter_mut().zip(v) {
                *a = a.saturating_sub(x);
            }
        }
        values.retain(|_, v| v.iter().any(|&x| x != 0));
        b.comment(&format!(
            "leakscope: heap difference, {} minus {}",
            last.path, base.path
        ));
    } else {
        b.comment(&format!("leakscope: heap profile {}", last.path));
    }
    for ((stack, size), v) in values {
        let label = match size {
            Some(n) => vec![pb::Label {
                key: b.s("bytes"),
                str: 0,
                num: n,
                num_unit: b.s("bytes"),
            }],
            None => Vec::new(),
        };
        b.sample(stack, v.to_vec(), label);
    }
    b.p
}

/// Goroutine counts per (stack, labels).
type GoroutineKey = (StackId, Vec<(String, String)>);

fn goroutine_values(tables: &Tables, snap: &Snapshot) -> BTreeMap<GoroutineKey, i64> {
    let mut m = BTreeMap::new();
    for g in snap.goroutines.iter().flat_map(|g| &g.groups) {
        let labels = g
            .labels
            .iter()
            .map(|&(k, v)| (tables.str(k).to_owned(), tables.str(v).to_owned()))
            .collect();
        let e: &mut i64 = m.entry((g.stack, labels)).or_default();
        *e = e.saturating_add(i64::try_from(g.count).unwrap_or(i64::MAX));
    }
    m
}

/// The goroutine profile of `last`, or `last − base` per stack and labels.
fn goroutine_profile(tables: &Tables, last: &Snapshot, base: Option<&Snapshot>) -> pb::Profile {
    let mut b = Builder::new(tables, last);
    b.p.sample_type = vec![b.value_type("goroutine", "count")];
    b.p.period_type = Some(b.value_type("goroutine", "count"));
    b.p.period = 1;
    let mut values = goroutine_values(tables, last);
    if let Some(base) = base {
        for (k, v) in goroutine_values(tables, base) {
            let e = values.entry(k).or_default();
            *e = e.saturating_sub(v);
        }
        values.retain(|_, v| *v != 0);
        b.comment(&format!(
            "leakscope: goroutine difference, {} minus {}",
            last.path, base.path
        ));
    } else {
        b.comment(&format!("leakscope: goroutine dump {}", last.path));
    }
    for ((stack, labels), v) in values {
        let label = labels
            .iter()
            .map(|(k, val)| pb::Label {
                key: b.s(k),
                str: b.s(val),
                num: 0,
                num_unit: 0,
            })
            .collect();
        b.sample(stack, vec![v], label);
    }
    b.p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GoroutineData, GoroutineGroup, HeapData, HeapSample};
    use std::io::Read;

    fn decode(f: &PprofFile) -> pb::Profile {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&f.bytes[..])
            .read_to_end(&mut raw)
            .unwrap();
        pb::Profile::decode(&raw[..]).unwrap()
    }

    fn archive() -> Archive {
        let mut a = Archive::default();
        for (i, (n_leak, inuse)) in [(2u64, 100i64), (5, 400)].into_iter().enumerate() {
            let t = &mut a.tables;
            let leaf = t.intern_frame("main.leak", "/src/main.go", 16);
            let main = t.intern_frame("main.main", "/src/main.go", 9);
            let other = t.intern_frame("main.idle", "/src/idle.go", 3);
            let s1 = t.intern_stack(&[leaf, main]);
            let s2 = t.intern_stack(&[other]);
            let mut g = Snapshot::new(
                crate::model::Format::GoroutineDebug2,
                ProfileKind::Goroutine,
            );
            g.path = format!("goroutine-{i}.txt");
            g.time = Some(i as i64 * 1_000_000_000);
            g.goroutines = Some(GoroutineData {
                total: n_leak + 3,
                groups: vec![GoroutineGroup::new(s1, n_leak), GoroutineGroup::new(s2, 3)],
                ..Default::default()
            });
            a.snapshots.push(g);
            let leaf = a.tables.intern_frame("main.grow", "/src/main.go", 30);
            let s = a.tables.intern_stack(&[leaf]);
            let mut h = Snapshot::new(crate::model::Format::Pprof, ProfileKind::Heap);
            h.path = format!("heap-{i}.pb.gz");
            h.heap = Some(HeapData {
                period: 512 * 1024,
                has_inuse: true,
                has_alloc: true,
                samples: vec![HeapSample {
                    stack: s,
                    inuse_objects: inuse / 10,
                    inuse_bytes: inuse,
                    alloc_objects: 50,
                    alloc_bytes: 500,
                    object_size: Some(10),
                }]
                .into(),
                ..Default::default()
            });
            a.snapshots.push(h);
        }
        a
    }

    fn stack_of(p: &pb::Profile, s: &pb::Sample) -> Vec<String> {
        let st = |i: i64| String::from_utf8(p.string_table[i as usize].clone()).unwrap();
        s.location_id
            .iter()
            .map(|id| {
                let loc = p.location.iter().find(|l| l.id == *id).unwrap();
                let line = &loc.line[0];
                let f = p
                    .function
                    .iter()
                    .find(|f| f.id == line.function_id)
                    .unwrap();
                format!("{} {}:{}", st(f.name), st(f.filename), line.line)
            })
            .collect()
    }

    #[test]
    fn four_files_with_latest_values_and_signed_differences() {
        let files = export(&archive());
        let names: Vec<_> = files.iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "heap.pb.gz",
                "goroutine.pb.gz",
                "heap-diff.pb.gz",
                "goroutine-diff.pb.gz"
            ]
        );
        let g = decode(&files[1]);
        let total: i64 = g.sample.iter().map(|s| s.value[0]).sum();
        assert_eq!(total, 8);
        let leak = g.sample.iter().find(|s| s.value[0] == 5).unwrap();
        assert_eq!(
            stack_of(&g, leak),
            ["main.leak /src/main.go:16", "main.main /src/main.go:9"]
        );
        // Only the grown stack is in the goroutine difference.
        let gd = decode(&files[3]);
        assert_eq!(gd.sample.len(), 1);
        assert_eq!(gd.sample[0].value, [3]);
        let hd = decode(&files[2]);
        assert_eq!(hd.sample[0].value, [0, 0, 30, 300]);
        let h = decode(&files[0]);
        assert_eq!(h.sample[0].value, [50, 500, 40, 400]);
        assert_eq!(h.period, 512 * 1024);
        assert_eq!(h.string_table[0], b"");
    }

    #[test]
    fn shrinking_gives_negative_values_and_output_is_deterministic() {
        let mut a = archive();
        a.snapshots.reverse();
        let files = export(&a);
        let gd = decode(
            files
                .iter()
                .find(|f| f.name == "goroutine-diff.pb.gz")
                .unwrap(),
        );
        assert_eq!(gd.sample[0].value, [-3]);
        assert_eq!(export(&a), files);
    }

    #[test]
    fn an_archive_without_profiles_exports_nothing() {
        assert!(export(&Archive::default()).is_empty());
    }
}
