//! End-to-end tests of `leakscope inspect`: the real binary on real
//! directories. Every file must come out either as a snapshot or as a
//! skipped entry with a reason, and snapshots must be in time order.

use crate::util::{BIN, gzip, samples_dir, str_field};
use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Runs `leakscope inspect PATH --json - EXTRA…`; returns the exit code and
/// the parsed JSON.
fn inspect_json(path: &Path, extra: &[&str]) -> (i32, Value) {
    let out = Command::new(BIN)
        .arg("inspect")
        .arg(path)
        .args(["--json", "-"])
        .args(extra)
        .output()
        .expect("leakscope runs");
    let code = out.status.code().expect("exit code");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stdout: {}; stderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, json)
}

fn array<'a>(json: &'a Value, key: &str) -> &'a Vec<Value> {
    json[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array: {json}"))
}

/// Paths of `snapshots` and `skipped`; fails on a path listed twice.
fn listed(json: &Value) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for key in ["snapshots", "skipped"] {
        for e in array(json, key) {
            let p = str_field(e, "path").to_string();
            assert!(seen.insert(p.clone()), "{p} listed twice: {json:#}");
        }
    }
    seen
}

/// The reason a path was skipped.
fn reason<'a>(json: &'a Value, path: &str) -> &'a str {
    array(json, "skipped")
        .iter()
        .find(|e| str_field(e, "path") == path)
        .map(|e| str_field(e, "reason"))
        .unwrap_or_else(|| panic!("{path} is not skipped: {json:#}"))
}

/// Every regular file under `dir` (following symlinks to files, not
/// entering `.git`), `/`-separated and relative.
fn files_under(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("under dir")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

/// Snapshot times (RFC 3339 or null) in listed order, as Unix ns.
fn times(json: &Value) -> Vec<(usize, Option<i128>, String)> {
    array(json, "snapshots")
        .iter()
        .map(|s| {
            let moment = s["moment"].as_u64().expect("moment") as usize;
            let t = s["time"].as_str().map(|t| {
                t.parse::<jiff::Timestamp>()
                    .unwrap_or_else(|e| panic!("bad time {t}: {e}"))
                    .as_nanosecond()
            });
            (moment, t, str_field(s, "path").to_string())
        })
        .collect()
}

/// Moments never go back, and no timed snapshot is earlier than one in an
/// earlier moment (by more than the pairing tolerance of one minute:
/// dumps paired by name may be that far apart in one moment).
fn assert_time_order(json: &Value) {
    const TOLERANCE_NS: i128 = 60_000_000_000;
    let rows = times(json);
    let mut prev_moment = 0;
    let mut max_before: Option<i128> = None; // over earlier moments
    let mut max_current: Option<i128> = None;
    for (moment, t, path) in &rows {
        assert!(
            *moment >= prev_moment,
            "moment goes back at {path}: {json:#}"
        );
        if *moment != prev_moment {
            max_before = max_before.max(max_current);
            max_current = None;
        }
        if let Some(t) = *t {
            if let Some(m) = max_before {
                assert!(
                    t >= m - TOLERANCE_NS,
                    "{path} is earlier than an earlier moment: {json:#}"
                );
            }
            max_current = max_current.max(Some(t));
        }
        prev_moment = *moment;
    }
}

/// Asserts the exit code matches the outcome: 2 with no snapshot, else 0.
fn assert_exit_code(code: i32, json: &Value) {
    let want = if array(json, "snapshots").is_empty() {
        2
    } else {
        0
    };
    assert_eq!(code, want, "exit code: {json:#}");
}

/// Deterministic bytes that are no known format.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 56) as u8 | 0x80
        })
        .collect()
}

#[test]
fn junk_directory_lists_every_file_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::write(d.join("empty.pb.gz"), b"").expect("write");
    fs::write(d.join("random.bin"), noise(4096)).expect("write");
    fs::write(
        d.join("heap.pb.gz"),
        b"<html><head><title>/debug/pprof/</title></head><body>profiles</body></html>\n",
    )
    .expect("write");
    fs::create_dir_all(d.join("nested/dir")).expect("mkdir");
    fs::write(d.join("nested/dir/notes.txt"), b"captured at noon\n").expect("write");
    fs::write(d.join(".hidden"), b"x").expect("write");
    fs::write(d.join("big.bin"), vec![b'a'; 10_000]).expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(d, d.join("nested/loop")).expect("symlink");

    let (code, json) = inspect_json(d, &["--max-file-size", "8192"]);
    assert_eq!(json["schema_version"], 1);
    assert!(json["notes"].is_array());
    assert_exit_code(code, &json);
    assert_eq!(code, 2);
    let mut expected = files_under(d);
    #[cfg(unix)]
    expected.insert("nested/loop".to_string());
    assert_eq!(listed(&json), expected);
    assert_eq!(reason(&json, "empty.pb.gz"), "empty file");
    assert!(reason(&json, "heap.pb.gz").contains("HTML"), "{json:#}");
    assert_eq!(reason(&json, ".hidden"), "hidden file");
    assert!(
        reason(&json, "big.bin").contains("--max-file-size"),
        "{json:#}"
    );
    assert!(!reason(&json, "random.bin").is_empty());
    // Described, never quoted: the file is not a dump.
    let notes = reason(&json, "nested/dir/notes.txt");
    assert!(notes.contains("unrecognised text"), "{json:#}");
    assert!(!notes.contains("captured at noon"), "{json:#}");
    #[cfg(unix)]
    assert!(
        reason(&json, "nested/loop").contains("symlink loop"),
        "{json:#}"
    );
}

#[test]
fn table_output_without_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("empty"), b"").expect("write");
    let out = Command::new(BIN)
        .arg("inspect")
        .arg(dir.path())
        .output()
        .expect("leakscope runs");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("skipped empty: empty file"), "{text}");
}

#[test]
fn missing_input_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .arg("inspect")
        .arg(dir.path().join("does-not-exist"))
        .output()
        .expect("leakscope runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

/// A small real-shaped Go 1.27 `debug=2` goroutine dump.
const DUMP: &str = "goroutine 1 [running]:
main.main()
\t/src/leaky/main.go:12 +0x1d

goroutine 7 [chan send, 3 minutes]:
main.leak(0xc000012345)
\t/src/leaky/main.go:20 +0x2a
created by main.main in goroutine 1
\t/src/leaky/main.go:15 +0x3b
";

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend(u.to_le_bytes());
    }
    out
}

/// Needs the traceback parser: passes once the parsers are merged.
#[test]
fn usable_dumps_exit_0_in_time_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // Names carry the time (no zone: read as UTC); the later one is listed
    // first by name but must come second.
    fs::write(d.join("b-goroutine-20261120-100000.txt"), DUMP).expect("write");
    fs::write(
        d.join("a-goroutine-20261120-100500.txt"),
        DUMP.replace('\n', "\r\n"),
    )
    .expect("write");
    // gzip twice, and UTF-16 from PowerShell, with times in the names.
    fs::write(
        d.join("goroutine-20261120-101000.txt.gz"),
        gzip(&gzip(DUMP.as_bytes())),
    )
    .expect("write");
    fs::write(
        d.join("goroutine-20261120-101500.txt"),
        utf16le_with_bom(DUMP),
    )
    .expect("write");
    fs::write(d.join("README"), b"dumps from the incident\n").expect("write");

    let (code, json) = inspect_json(d, &[]);
    assert_exit_code(code, &json);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(listed(&json), files_under(d));
    let snaps = array(&json, "snapshots");
    let paths: Vec<&str> = snaps.iter().map(|s| str_field(s, "path")).collect();
    assert_eq!(
        paths,
        [
            "b-goroutine-20261120-100000.txt",
            "a-goroutine-20261120-100500.txt",
            "goroutine-20261120-101000.txt.gz",
            "goroutine-20261120-101500.txt"
        ],
        "{json:#}"
    );
    for s in snaps {
        assert_eq!(str_field(s, "format"), "goroutine-debug2", "{s}");
        assert_eq!(str_field(s, "time_source"), "file-name", "{s}");
        assert_eq!(s["goroutines"], 2, "{s}");
    }
    assert_eq!(snaps[0]["time"], "2026-11-20T10:00:00Z");
    assert_eq!(snaps[2]["gzip"], true);
    assert_eq!(snaps[0]["gzip"], false);
    assert_eq!(
        snaps
            .iter()
            .map(|s| s["moment"].as_u64().unwrap_or(99))
            .collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert!(
        reason(&json, "README").contains("unrecognised text"),
        "{json:#}"
    );
    assert_time_order(&json);
}

/// Needs the traceback parser: passes once the parsers are merged.
#[test]
fn sequence_numbers_order_naturally() {
    let dir = tempfile::tempdir().expect("tempdir");
    for n in [10, 2, 1] {
        fs::write(dir.path().join(format!("goroutine.{n}.txt")), DUMP).expect("write");
    }
    let (code, json) = inspect_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    let snaps = array(&json, "snapshots");
    let paths: Vec<&str> = snaps.iter().map(|s| str_field(s, "path")).collect();
    assert_eq!(
        paths,
        ["goroutine.1.txt", "goroutine.2.txt", "goroutine.10.txt"]
    );
    assert!(
        snaps
            .iter()
            .all(|s| s["time_source"] == "sequence" && s["time"].is_null())
    );
}

/// Archive directories of a samples root (not the Go sources, tools or the
/// oracle outputs).
fn archive_dirs(root: &Path) -> impl Iterator<Item = PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            !matches!(name.as_str(), "src" | "tools" | "oracle") && !name.starts_with('.')
        })
        .filter(|p| !p.join("go.mod").exists())
        .collect();
    dirs.sort();
    dirs.into_iter()
}

#[test]
fn sample_archives_are_fully_accounted_and_ordered() {
    let root = samples_dir();
    let mut checked = 0;
    for dir in archive_dirs(&root) {
        let (code, json) = inspect_json(&dir, &[]);
        assert_eq!(json["schema_version"], 1, "{}", dir.display());
        assert_exit_code(code, &json);
        assert_eq!(
            listed(&json),
            files_under(&dir),
            "{}: {json:#}",
            dir.display()
        );
        for s in array(&json, "skipped") {
            assert!(!str_field(s, "reason").is_empty(), "{}: {s}", dir.display());
        }
        assert_time_order(&json);
        checked += 1;
    }
    eprintln!(
        "checked {checked} sample archive(s) under {}",
        root.display()
    );
}

#[test]
fn public_dumps_are_fully_accounted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/public-dumps");
    if !root.is_dir() {
        eprintln!("note: ../shared/public-dumps is absent; nothing checked");
        return;
    }
    let (code, json) = inspect_json(&root, &[]);
    assert_exit_code(code, &json);
    assert_eq!(listed(&json), files_under(&root), "{json:#}");
    assert_time_order(&json);
}
