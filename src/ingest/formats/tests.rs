//! Runs the text parsers over the real Go dumps of the `samples/` corpus
//! (the crate's own, or the main checkout's beside this worktree) and
//! checks goroutine totals and heap values against independent facts:
//! the `total N` header or the number of header lines, and the `go tool
//! pprof -raw` oracle files.

use super::{expvar, goroutine_debug1, heap_text, traceback};
use crate::ingest::limits::Limits;
use crate::model::Parsed;
use std::io::Read;
use std::path::{Path, PathBuf};

fn samples_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    assert!(
        dir.join("expected.json").is_file(),
        "samples/ is committed with the crate"
    );
    Some(dir)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if !matches!(name, "src" | "tools" | "oracle") {
                files(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

fn content(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        if flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .is_ok()
        {
            return out;
        }
    }
    raw
}

/// Number of goroutine header lines, counted without the parser: a line
/// holding `goroutine <digits> [` or `goroutine <digits> gp=`.
fn header_lines(text: &[u8]) -> u64 {
    String::from_utf8_lossy(text)
        .lines()
        .filter(|l| {
            l.match_indices("goroutine ").any(|(i, m)| {
                let rest = &l[i + m.len()..];
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                digits > 0
                    && (rest[digits..].starts_with(" [") || rest[digits..].starts_with(" gp="))
                    && l.trim_end().ends_with(':')
            })
        })
        .count() as u64
}

/// Column sums of a `go tool pprof -raw` file, by sample type.
fn oracle_sums(raw: &str) -> Option<(Vec<String>, Vec<i64>, usize)> {
    let mut lines = raw.lines().skip_while(|l| *l != "Samples:");
    lines.next()?;
    let types: Vec<String> = lines.next()?.split_whitespace().map(String::from).collect();
    let mut sums = vec![0i64; types.len()];
    let mut n = 0;
    for l in lines {
        if l.starts_with("Locations") {
            break;
        }
        let Some((vals, _)) = l.split_once(':') else {
            continue;
        };
        let vals: Vec<i64> = match vals.split_whitespace().map(str::parse).collect() {
            Ok(v) => v,
            Err(_) => continue,
        };
        if vals.len() != sums.len() {
            continue;
        }
        n += 1;
        for (s, v) in sums.iter_mut().zip(vals) {
            *s += v;
        }
    }
    Some((types, sums, n))
}

fn check_heap(path: &Path, dir: &Path, p: &Parsed) -> bool {
    let h = p.snapshot.heap.as_ref().unwrap();
    let rel = path.strip_prefix(dir).unwrap();
    let oracle = dir.join("oracle").join(format!("{}.raw", rel.display()));
    let Ok(raw) = std::fs::read_to_string(&oracle) else {
        return false;
    };
    let (types, sums, n) = oracle_sums(&raw).unwrap();
    assert_eq!(h.samples.len(), n, "{}", path.display());
    for (t, want) in types.iter().zip(sums) {
        let got: i64 = h
            .samples
            .iter()
            .map(|s| match t.as_str() {
                "alloc_objects/count" => s.alloc_objects,
                "alloc_space/bytes" => s.alloc_bytes,
                "inuse_objects/count" => s.inuse_objects,
                "inuse_space/bytes" => s.inuse_bytes,
                other => panic!("unexpected sample type {other}"),
            })
            .sum();
        assert_eq!(got, want, "{} {t}", path.display());
    }
    true
}

#[test]
fn real_samples_parse_with_consistent_totals() {
    let Some(dir) = samples_dir() else {
        println!("note: no samples/ corpus with expected.json found; skipping");
        return;
    };
    let mut all = Vec::new();
    files(&dir, &mut all);
    let limits = Limits::default();
    let mut counted = [0usize; 5];
    let mut oracle_checked = 0;
    for path in &all {
        let text = content(path);
        let name = path.display();
        if let Some(what) = goroutine_debug1::sniff_unused(&text) {
            assert!(!what.is_empty());
            continue;
        }
        if heap_text::sniff(&text) {
            counted[0] += 1;
            let p = heap_text::parse(&text, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
            let cut = name.to_string().contains("heap-cut");
            assert_eq!(
                !p.snapshot.warnings.is_empty(),
                cut,
                "{name}: {:?}",
                p.snapshot.warnings
            );
            if !cut {
                assert!(
                    p.snapshot
                        .memstats
                        .as_ref()
                        .is_some_and(|m| m.u64("HeapAlloc").is_some())
                );
            }
            oracle_checked += usize::from(check_heap(path, &dir, &p));
        } else if goroutine_debug1::sniff(&text) {
            counted[1] += 1;
            let p =
                goroutine_debug1::parse(&text, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                p.snapshot.warnings.is_empty(),
                "{name}: {:?}",
                p.snapshot.warnings
            );
            let d = p.snapshot.goroutines.as_ref().unwrap();
            assert_eq!(
                d.groups.iter().map(|g| g.count).sum::<u64>(),
                d.total,
                "{name}"
            );
        } else if traceback::sniff_dump(&text) {
            counted[2] += 1;
            let p = traceback::parse_dump(&text, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                p.snapshot.warnings.is_empty(),
                "{name}: {:?}",
                p.snapshot.warnings
            );
            let d = p.snapshot.goroutines.as_ref().unwrap();
            assert_eq!(d.total, header_lines(&text), "{name}");
            assert!(!d.truncated, "{name}");
        } else if expvar::sniff(&text) {
            counted[3] += 1;
            let p = expvar::parse(&text, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
            let ms = p.snapshot.memstats.as_ref().unwrap();
            assert!(ms.u64("HeapAlloc").is_some(), "{name}");
            assert!(p.snapshot.process.binary.is_some(), "{name}");
        } else if traceback::sniff_crash(&text) {
            counted[4] += 1;
            let p =
                traceback::parse_crash(&text, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
            // Thread g0 stacks (`goroutine 0`) and goroutines printed again
            // in per-thread sections are headers but not goroutines.
            let left_out: u64 = p
                .snapshot
                .warnings
                .iter()
                .filter(|w| {
                    w.contains("left out: they are not goroutines") || w.contains("printed again")
                })
                .map(|w| w.split(' ').next().unwrap().parse::<u64>().unwrap())
                .sum();
            assert!(
                p.snapshot
                    .warnings
                    .iter()
                    .all(|w| w.contains("left out: they are not goroutines")
                        || w.contains("printed again")
                        || w.contains("all goroutines are asleep")),
                "{name}: {:?}",
                p.snapshot.warnings
            );
            let d = p.snapshot.goroutines.as_ref().unwrap();
            assert_eq!(d.total + left_out, header_lines(&text), "{name}");
        }
    }
    println!("heap text checked against the pprof -raw oracle: {oracle_checked}");
    println!(
        "parsed heap text {}, debug=1 {}, debug=2 {}, expvar {}, crash {}",
        counted[0], counted[1], counted[2], counted[3], counted[4]
    );
    assert!(counted.iter().sum::<usize>() > 0);
}
