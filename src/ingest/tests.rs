//! Tests of the whole ingest of a directory: listing, skip reasons,
//! symlinks and special files.

use super::*;
use std::fs;

/// 2026-11-27T00:00:00Z.
const NOW: TimeNs = 1_795_737_600_000_000_000;

fn ingest(dir: &Path, limits: Limits) -> Archive {
    super::ingest(
        dir,
        &Options {
            limits,
            now: Some(NOW),
        },
        &(),
    )
    .expect("input readable")
}

fn reasons(a: &Archive) -> Vec<(String, String)> {
    a.skipped
        .iter()
        .map(|s| (s.path.clone(), s.reason.clone()))
        .collect()
}

fn reason_of<'a>(a: &'a Archive, path: &str) -> &'a str {
    a.skipped
        .iter()
        .find(|s| s.path == path)
        .map(|s| s.reason.as_str())
        .unwrap_or_else(|| panic!("{path} not skipped: {:?}", reasons(a)))
}

#[test]
fn every_file_is_listed_in_natural_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::create_dir_all(d.join("nested/deeper")).expect("mkdir");
    fs::write(d.join("heap-10.txt"), "hello").expect("write");
    fs::write(d.join("heap-2.txt"), "hello").expect("write");
    fs::write(d.join("nested/deeper/empty.pb.gz"), "").expect("write");
    fs::write(d.join(".DS_Store"), "x").expect("write");
    fs::create_dir(d.join(".cache")).expect("mkdir");
    fs::write(d.join(".cache/heap.pb.gz"), "x").expect("write");
    fs::create_dir_all(d.join(".git/objects")).expect("mkdir");
    fs::write(d.join(".git/objects/ab"), "x").expect("write");
    fs::write(d.join("big.bin"), vec![7u8; 100]).expect("write");
    let a = ingest(
        d,
        Limits {
            max_file_bytes: 50,
            ..Limits::default()
        },
    );
    let got: Vec<&str> = a.skipped.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        got,
        [
            ".DS_Store",
            ".cache/heap.pb.gz",
            "big.bin",
            "heap-2.txt",
            "heap-10.txt",
            "nested/deeper/empty.pb.gz"
        ]
    );
    assert_eq!(reason_of(&a, ".DS_Store"), "hidden file");
    assert_eq!(
        reason_of(&a, ".cache/heap.pb.gz"),
        "inside hidden directory .cache"
    );
    assert_eq!(
        reason_of(&a, "big.bin"),
        "file size over the limit of 50 bytes (raise it with --max-file-size)"
    );
    assert_eq!(reason_of(&a, "nested/deeper/empty.pb.gz"), "empty file");
    assert_eq!(
        reason_of(&a, "heap-2.txt"),
        "not a Go profile or dump (unrecognised text, 1 line)"
    );
    assert_eq!(a.notes, ["ignored .git directory"]);
    assert!(a.snapshots.is_empty());
}

#[test]
fn single_file_uses_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("sub").join("only.txt");
    fs::create_dir(dir.path().join("sub")).expect("mkdir");
    fs::write(&f, "on-call notes").expect("write");
    let a = ingest(&f, Limits::default());
    assert_eq!(
        reasons(&a),
        [(
            "only.txt".to_string(),
            "not a Go profile or dump (unrecognised text, 1 line)".to_string()
        )]
    );
}

#[test]
fn missing_input_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(super::ingest(&dir.path().join("nope"), &Options::default(), &()).is_err());
}

#[cfg(unix)]
#[test]
fn symlinks_loops_and_dangling_links() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::create_dir(d.join("real")).expect("mkdir");
    fs::write(d.join("real/a.txt"), "alpha").expect("write");
    symlink(d, d.join("real/loop")).expect("symlink");
    symlink(d.join("real/a.txt"), d.join("latest")).expect("symlink");
    symlink(d.join("missing.txt"), d.join("dangling")).expect("symlink");
    let a = ingest(d, Limits::default());
    assert_eq!(
        reason_of(&a, "real/loop"),
        "symlink loop back to the input directory (not followed)"
    );
    assert!(
        reason_of(&a, "dangling").starts_with("dangling symlink (target "),
        "{:?}",
        reasons(&a)
    );
    assert_eq!(
        reason_of(&a, "latest"),
        "same file as real/a.txt (reached through a symlink)"
    );
    assert_eq!(
        reason_of(&a, "real/a.txt"),
        "not a Go profile or dump (unrecognised text, 1 line)"
    );
    assert_eq!(a.skipped.len(), 4, "{:?}", reasons(&a));
}

#[cfg(unix)]
#[test]
fn symlinked_file_alone_counts() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("tempdir");
    fs::write(outside.path().join("t.txt"), "tango").expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    symlink(outside.path().join("t.txt"), dir.path().join("link.txt")).expect("symlink");
    let a = ingest(dir.path(), Limits::default());
    assert_eq!(
        reasons(&a),
        [(
            "link.txt".to_string(),
            "not a Go profile or dump (unrecognised text, 1 line)".to_string()
        )]
    );
}

#[cfg(unix)]
#[test]
fn fifo_is_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("mkfifo unavailable; skipping");
        return;
    }
    let a = ingest(dir.path(), Limits::default());
    assert_eq!(reason_of(&a, "pipe"), "not a regular file (a named pipe)");
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_io_skip() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("secret.txt");
    fs::write(&f, "x").expect("write");
    fs::set_permissions(&f, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(&f).is_ok() {
        eprintln!("running as root: permissions are not enforced; skipping");
        return;
    }
    let a = ingest(dir.path(), Limits::default());
    assert!(
        reason_of(&a, "secret.txt").starts_with("cannot read: "),
        "{:?}",
        reasons(&a)
    );
}
