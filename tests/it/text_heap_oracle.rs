//! `go tool pprof` as the oracle for text heap profiles (`heap?debug=1`).
//!
//! For every text heap file of the bundled samples, the unsampled in-use
//! bytes and objects summed per allocating site must equal what pprof reads
//! from the same file (`samples/oracle/<archive>/<file>.raw`, written by
//! `samples/regen.sh`). Sites are keyed by the leaf `file:line` outside the
//! runtime: pprof symbolises text profiles from the binary and names some
//! inlined frames after their caller, while the `#` lines leakscope reads
//! name the inlined function itself; the file and line agree in both.

use crate::util::{sample_files, samples_dir};
use leakscope::ingest::{Limits, parse_file_bytes};
use leakscope::model::{Format, Parsed};
use std::collections::BTreeMap;

fn is_runtime(func: &str) -> bool {
    func.starts_with("runtime.") || func.starts_with("internal/runtime/")
}

type Sites = BTreeMap<String, (i64, i64)>;

/// Per-site (in-use objects, in-use bytes) from pprof's `-raw` output.
fn pprof_sites(raw: &str) -> Sites {
    let mut lines = raw.lines();
    let types: Vec<&str> = lines
        .by_ref()
        .skip_while(|l| *l != "Samples:")
        .nth(1)
        .expect("sample types line")
        .split_whitespace()
        .collect();
    let col = |name: &str| types.iter().position(|t| *t == name).expect(name);
    let (io, ib) = (col("inuse_objects/count"), col("inuse_space/bytes"));
    let mut samples: Vec<(Vec<i64>, Vec<u64>)> = Vec::new();
    let mut locations: BTreeMap<u64, Vec<(String, String)>> = BTreeMap::new();
    let mut current: Option<u64> = None;
    let mut in_locations = false;
    for l in lines {
        if l.starts_with("Locations") {
            in_locations = true;
            continue;
        }
        if l.starts_with("Mappings") {
            break;
        }
        if !in_locations {
            let Some((vals, locs)) = l.split_once(':') else {
                continue;
            };
            let Ok(vals) = vals
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<Vec<i64>, _>>()
            else {
                continue;
            };
            if vals.len() != types.len() {
                continue;
            }
            let locs = locs
                .split_whitespace()
                .map(|x| x.parse().expect("location id"))
                .collect();
            samples.push((vals, locs));
            continue;
        }
        // `   6: 0x558d64 M=1 main.transform pkg/main.go:42:0 s=0`, or an
        // indented continuation line for an inlined caller.
        let t = l.trim_start();
        let (id, rest) = match t.split_once(": ") {
            Some((id, rest)) if id.chars().all(|c| c.is_ascii_digit()) => {
                let id: u64 = id.parse().unwrap();
                current = Some(id);
                let mut parts = rest.split_whitespace();
                parts.next(); // address
                parts.next(); // M=
                (id, parts.collect::<Vec<_>>())
            }
            _ => (
                current.expect("continuation"),
                t.split_whitespace().collect(),
            ),
        };
        if rest.len() >= 2 {
            let func = rest[0].to_string();
            let fileline = rest[1]
                .rsplit_once(':')
                .map_or(rest[1], |x| x.0)
                .to_string();
            locations.entry(id).or_default().push((func, fileline));
        }
    }
    let mut sites = Sites::new();
    for (vals, locs) in samples {
        let frames = locs
            .iter()
            .flat_map(|id| locations.get(id).cloned().unwrap_or_default());
        let key = frames
            .filter(|(f, _)| !is_runtime(f))
            .map(|(_, fl)| fl)
            .next()
            .unwrap_or_else(|| "<runtime>".into());
        let e = sites.entry(key).or_default();
        e.0 += vals[io];
        e.1 += vals[ib];
    }
    sites.retain(|_, v| *v != (0, 0));
    sites
}

/// Per-site (in-use objects, in-use bytes) as leakscope reads the file.
fn our_sites(p: &Parsed) -> Sites {
    let heap = p.snapshot.heap.as_ref().expect("heap data");
    let mut sites = Sites::new();
    for s in &heap.samples {
        let key = p
            .tables
            .stack(s.stack)
            .iter()
            .map(|&f| (p.tables.frame_function(f), p.tables.frame(f)))
            .find(|(func, _)| !is_runtime(func))
            .map(|(_, fr)| format!("{}:{}", p.tables.str(fr.file), fr.line))
            .unwrap_or_else(|| "<runtime>".into());
        let e = sites.entry(key).or_default();
        e.0 += s.inuse_objects;
        e.1 += s.inuse_bytes;
    }
    sites.retain(|_, v| *v != (0, 0));
    sites
}

#[test]
fn text_heap_sites_equal_pprof() {
    let dir = samples_dir();
    let mut checked = 0;
    for entry in sample_files() {
        let bytes = std::fs::read(&entry).unwrap();
        let rel = entry.strip_prefix(&dir).unwrap();
        let Ok(parsed) = parse_file_bytes(&rel.to_string_lossy(), &bytes, &Limits::default())
        else {
            continue;
        };
        if parsed.snapshot.format != Format::HeapText {
            continue;
        }
        let oracle = dir.join("oracle").join(format!("{}.raw", rel.display()));
        let raw = std::fs::read_to_string(&oracle)
            .unwrap_or_else(|_| panic!("no oracle {}", oracle.display()));
        assert_eq!(
            our_sites(&parsed),
            pprof_sites(&raw),
            "per-site in-use totals differ from pprof for {}",
            rel.display()
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} text heap files checked");
    println!("{checked} text heap files match pprof per site");
}
