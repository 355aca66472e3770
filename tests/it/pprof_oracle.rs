//! Oracle test: every protobuf heap/allocs file under `samples/` must give
//! the same per-function flat and cum in-use bytes and objects, and the same
//! grand total, as `go tool pprof -top -nodecount=1000000 -unit=B` recorded
//! in `samples/oracle/<archive>/<file>.{inuse_space,inuse_objects}.top`.
//!
//! flat = value of the samples whose leaf frame is the function; cum = value
//! of the samples whose stack contains the function (each sample counted
//! once, even under recursion). pprof skips zero-valued samples and marks
//! inlined functions with ` (inline)` / ` (partial-inline)`, stripped here.
//!
//! The samples live in the crate's `samples/` (committed, so required).

use crate::util::{sample_files, samples_dir};
use leakscope::ingest::fuzzing::{decompress, pprof};
use leakscope::ingest::{Limits, SkipReason};
use leakscope::model::{Parsed, normalize_function_name};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Per function: (flat, cum).
type Table = BTreeMap<String, (i64, i64)>;

/// pprof `-top` output, parsed.
struct Top {
    /// `Showing nodes accounting for …, …% of N total`.
    total: i64,
    rows: Table,
    /// Some nodes were dropped (`Dropped N nodes`), so rows are incomplete.
    dropped: bool,
    /// Two rows normalised to the same name (generic shapes): cum not
    /// comparable for those.
    collided: BTreeSet<String>,
}

/// `1056789B`, `0`, `-512B` → integer.
fn value(s: &str) -> Option<i64> {
    s.strip_suffix('B').unwrap_or(s).parse().ok()
}

fn parse_top(text: &str) -> Result<Top, String> {
    let mut total = None;
    let mut rows = Table::new();
    let mut collided = BTreeSet::new();
    let mut in_rows = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Showing nodes accounting for ") {
            let of = rest
                .rsplit_once(" of ")
                .ok_or("no ' of ' in Showing line")?
                .1;
            let n = of.strip_suffix(" total").ok_or("no ' total'")?;
            total = Some(value(n.trim()).ok_or_else(|| format!("bad total {n:?}"))?);
            continue;
        }
        let t = line.trim_start();
        if t.starts_with("flat ") {
            in_rows = true;
            continue;
        }
        if !in_rows || t.is_empty() {
            continue;
        }
        // flat flat% sum% cum cum% name (the name may contain spaces).
        let mut rest = t;
        let mut cols = Vec::new();
        for _ in 0..5 {
            let (col, r) = rest
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("short row {line:?}"))?;
            cols.push(col);
            rest = r.trim_start();
        }
        let name = rest
            .strip_suffix(" (inline)")
            .or_else(|| rest.strip_suffix(" (partial-inline)"))
            .unwrap_or(rest);
        let name = normalize_function_name(name).into_owned();
        let flat = value(cols[0]).ok_or_else(|| format!("bad flat in {line:?}"))?;
        let cum = value(cols[3]).ok_or_else(|| format!("bad cum in {line:?}"))?;
        if let Some(e) = rows.get_mut(&name) {
            e.0 += flat;
            collided.insert(name);
        } else {
            rows.insert(name, (flat, cum));
        }
    }
    Ok(Top {
        total: total.ok_or("no 'Showing nodes' line")?,
        rows,
        dropped: text.contains("Dropped "),
        collided,
    })
}

/// Our flat/cum per function and our total (sum of |value|, as pprof).
fn ours(p: &Parsed, objects: bool) -> (Table, i64) {
    let heap = p.snapshot.heap.as_ref().expect("heap data");
    let mut table = Table::new();
    let mut total = 0i64;
    for s in &heap.samples {
        let v = if objects {
            s.inuse_objects
        } else {
            s.inuse_bytes
        };
        if v == 0 {
            continue;
        }
        total += v.abs();
        let frames = p.tables.stack(s.stack);
        if let Some(&leaf) = frames.first() {
            table
                .entry(p.tables.frame_function(leaf).to_string())
                .or_default()
                .0 += v;
        }
        let names: BTreeSet<&str> = frames.iter().map(|&f| p.tables.frame_function(f)).collect();
        for n in names {
            table.entry(n.to_string()).or_default().1 += v;
        }
    }
    (table, total)
}

/// Decompresses gzip layers (at most 3) within the default limit.
fn raw_bytes(path: &Path) -> Result<Vec<u8>, SkipReason> {
    let mut data = std::fs::read(path).map_err(|e| SkipReason::Io(e.to_string()))?;
    for _ in 0..3 {
        if !decompress::is_gzip(&data) {
            break;
        }
        data = decompress::gunzip(&data, Limits::default().max_decompressed_bytes)?;
    }
    Ok(data)
}

fn compare(
    label: &str,
    top: &Top,
    table: &Table,
    total: i64,
    mismatches: &mut Vec<String>,
) -> usize {
    let mut compared = 0;
    if top.total != total {
        mismatches.push(format!("{label}: total {total}, pprof {}", top.total));
    }
    for (name, &(flat, cum)) in &top.rows {
        let (our_flat, our_cum) = table.get(name).copied().unwrap_or((0, 0));
        compared += 1;
        if our_flat != flat || (our_cum != cum && !top.collided.contains(name)) {
            mismatches.push(format!(
                "{label}: {name}: flat/cum {our_flat}/{our_cum}, pprof {flat}/{cum}"
            ));
        }
    }
    if !top.dropped {
        for (name, &(flat, cum)) in table {
            if (flat != 0 || cum != 0) && !top.rows.contains_key(name) {
                mismatches.push(format!(
                    "{label}: {name} ({flat}/{cum}) missing from pprof's output"
                ));
            }
        }
    }
    compared
}

#[test]
fn heap_profiles_match_go_tool_pprof_top() {
    let samples = samples_dir();
    let mut mismatches = Vec::new();
    let (mut files, mut rows, mut without_oracle) = (0, 0, Vec::new());
    for path in sample_files() {
        let path = path.as_path();
        let rel = path.strip_prefix(&samples).expect("under samples");
        let Ok(data) = raw_bytes(path) else { continue };
        if !pprof::looks_like_profile(&data) {
            continue;
        }
        let name = rel.to_string_lossy();
        let parsed = match pprof::parse(&data, &name, &Limits::default()) {
            Ok(p) => p,
            Err(SkipReason::NotUsed(_)) => continue,
            Err(e) => {
                mismatches.push(format!("{name}: does not parse: {e}"));
                continue;
            }
        };
        if parsed.snapshot.heap.as_ref().is_none_or(|h| !h.has_inuse) {
            continue;
        }
        let oracle_base = samples.join("oracle").join(rel);
        let mut found = false;
        for (index, objects) in [("inuse_space", false), ("inuse_objects", true)] {
            let top_path = PathBuf::from(format!("{}.{index}.top", oracle_base.display()));
            let Ok(text) = std::fs::read_to_string(&top_path) else {
                continue;
            };
            found = true;
            let label = format!("{name} [{index}]");
            let top = match parse_top(&text) {
                Ok(t) => t,
                Err(e) => {
                    mismatches.push(format!("{label}: bad oracle: {e}"));
                    continue;
                }
            };
            let (table, total) = ours(&parsed, objects);
            rows += compare(&label, &top, &table, total, &mut mismatches);
        }
        if found {
            files += 1;
        } else {
            without_oracle.push(name.into_owned());
        }
    }
    eprintln!(
        "pprof oracle: {files} protobuf heap files, {rows} pprof rows compared (samples: {})",
        samples.display()
    );
    if !without_oracle.is_empty() {
        eprintln!("note: no oracle for {without_oracle:?}");
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn oracle_top_format_parses() {
    let text = "File: x\nType: inuse_space\nShowing nodes accounting for 1581317B, 100% of 1581317B total\n      flat  flat%   sum%        cum   cum%\n  1056789B 66.83% 66.83%   1056789B 66.83%  main.loadItem (inline)\n         0     0%   100%    524528B 33.17%  main.Alloc[go.shape.struct { A int }]\n";
    let top = parse_top(text).expect("parses");
    assert_eq!(top.total, 1581317);
    assert_eq!(top.rows["main.loadItem"], (1056789, 1056789));
    assert_eq!(top.rows["main.Alloc[...]"], (0, 524528));
    assert!(!top.dropped);
    assert!(top.collided.is_empty());
}

/// Every protobuf file under `samples/` is either used or skipped for a
/// reason that is not "malformed"; goroutine data is consistent.
#[test]
fn every_protobuf_sample_decodes_or_is_not_used() {
    let samples = samples_dir();
    let mut problems = Vec::new();
    let (mut used, mut not_used) = (0, 0);
    for path in sample_files() {
        let path = path.as_path();
        let name = path.strip_prefix(&samples).expect("under samples");
        let name = name.to_string_lossy();
        let Ok(data) = raw_bytes(path) else { continue };
        if !pprof::looks_like_profile(&data) {
            continue;
        }
        match pprof::parse(&data, &name, &Limits::default()) {
            Ok(p) => {
                used += 1;
                let s = &p.snapshot;
                if s.process.build_id.is_none() || s.embedded_time.is_none() {
                    problems.push(format!("{name}: no build id or time_nanos"));
                }
                if let Some(g) = &s.goroutines {
                    let sum: u64 = g.groups.iter().map(|x| x.count).sum();
                    // An empty goroutineleak profile is valid: no leaked
                    // goroutine was found (samples/fix-after).
                    if (g.total == 0 && !g.leak_profile) || sum != g.total {
                        problems.push(format!("{name}: total {} vs groups {sum}", g.total));
                    }
                    if g.leak_profile && g.groups.iter().any(|x| x.leaked != x.count) {
                        problems.push(format!("{name}: leak profile with unleaked groups"));
                    }
                }
            }
            Err(SkipReason::NotUsed(why)) => {
                not_used += 1;
                eprintln!("{name}: not used: {why}");
            }
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    eprintln!("protobuf samples: {used} used, {not_used} not used");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
