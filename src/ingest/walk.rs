//! Directory walk (walkdir): recursive, deterministic, no symlink loops.
//!
//! Every regular file under the input ends up either a snapshot or a
//! skipped entry with a reason: hidden files, files over the size limit,
//! unreadable files, symlink loops and dangling links are listed, never
//! silently dropped. Version-control directories (`.git`, …) are the one
//! exception: they are not entered, and one archive note says so.
//! Files are decoded in parallel (rayon) and merged in path order, so the
//! result does not depend on thread timing.

use super::order::{self, natural_cmp};
use super::{Limits, Options, SkipReason};
use crate::model::{Archive, Parsed, Skipped, TimeNs};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Directories of version-control systems: not entered, one note each.
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn", ".bzr", ".jj", "_darcs"];

/// See [`super::ingest`]. Uses the system clock (see [`ingest_path_at`]).
pub fn ingest_path(path: &Path, opts: &Options) -> std::io::Result<Archive> {
    ingest_path_at(path, opts, system_now())
}

/// [`ingest_path`] with an injected clock `now` (Unix ns), used only to
/// reject file-name "dates" in the future.
pub fn ingest_path_at(path: &Path, opts: &Options, now: TimeNs) -> std::io::Result<Archive> {
    let meta = std::fs::metadata(path)?;
    let mut listing = Listing::default();
    if meta.is_dir() {
        list_dir(path, &mut listing);
    } else {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        listing.add_file(path.to_path_buf(), name, &meta, false);
    }
    Ok(decode_and_merge(listing, &opts.limits, now))
}

/// The current time in Unix ns.
fn system_now() -> TimeNs {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

/// A file's modification time in Unix ns, if the platform has one.
fn mtime_ns(meta: &std::fs::Metadata) -> Option<TimeNs> {
    let m = meta.modified().ok()?;
    match m.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).ok(),
        Err(e) => i64::try_from(e.duration().as_nanos()).ok().map(|v| -v),
    }
}

/// A regular file to decode.
#[derive(Debug)]
struct Candidate {
    /// Path on disk.
    abs: PathBuf,
    /// Path relative to the input, `/`-separated.
    rel: String,
    size: u64,
    mtime: Option<TimeNs>,
    /// True when the path goes through a symlink.
    via_symlink: bool,
}

/// What the walk found.
#[derive(Debug, Default)]
struct Listing {
    files: Vec<Candidate>,
    skipped: Vec<Skipped>,
    notes: Vec<String>,
}

impl Listing {
    fn skip(&mut self, rel: String, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            path: rel,
            reason: reason.into(),
        });
    }

    /// Adds a file found on disk: a candidate, or a skip when it is not a
    /// regular file.
    fn add_file(&mut self, abs: PathBuf, rel: String, meta: &std::fs::Metadata, via_symlink: bool) {
        if !meta.is_file() {
            self.skip(
                rel,
                format!("not a regular file ({})", file_type_name(meta)),
            );
            return;
        }
        self.files.push(Candidate {
            abs,
            rel,
            size: meta.len(),
            mtime: mtime_ns(meta),
            via_symlink,
        });
    }
}

fn file_type_name(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let ft = meta.file_type();
        if ft.is_fifo() {
            return "a named pipe";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "a special file"
}

/// `path` relative to `root`, with `/` separators, lossily decoded.
fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        path.to_string_lossy().into_owned()
    } else {
        parts.join("/")
    }
}

/// Why a file under a hidden name is not read, or None.
fn hidden_reason(rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = rel.split('/').collect();
    let name = parts.pop()?;
    if let Some(dir) = parts.iter().find(|p| p.starts_with('.')) {
        return Some(format!("inside hidden directory {dir}"));
    }
    name.starts_with('.').then(|| "hidden file".to_string())
}

/// Walks a directory into `listing`.
fn list_dir(root: &Path, listing: &mut Listing) {
    let mut vcs: BTreeMap<String, usize> = BTreeMap::new();
    let mut it = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(next) = it.next() {
        let entry = match next {
            Ok(e) => e,
            Err(e) => {
                walk_error(root, &e, listing);
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let rel = rel_path(root, entry.path());
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_dir() {
            if VCS_DIRS.contains(&name.as_ref()) {
                *vcs.entry(name.into_owned()).or_default() += 1;
                it.skip_current_dir();
            }
            continue;
        }
        if let Some(reason) = hidden_reason(&rel) {
            listing.skip(rel, reason);
            continue;
        }
        match entry.metadata() {
            Ok(meta) => {
                let via_symlink = entry.path_is_symlink() || through_symlink(root, entry.path());
                listing.add_file(entry.path().to_path_buf(), rel, &meta, via_symlink);
            }
            Err(e) => listing.skip(rel, SkipReason::Io(e.to_string()).to_string()),
        }
    }
    for (name, count) in vcs {
        listing.notes.push(if count == 1 {
            format!("ignored {name} directory")
        } else {
            format!("ignored {count} {name} directories")
        });
    }
}

/// True when a parent directory of `path` below `root` is a symlink.
fn through_symlink(root: &Path, path: &Path) -> bool {
    let mut p = path.parent();
    while let Some(dir) = p {
        if dir == root || !dir.starts_with(root) {
            return false;
        }
        if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return true;
        }
        p = dir.parent();
    }
    false
}

/// Turns a walk error into a skipped entry (or a note when it has no path).
fn walk_error(root: &Path, e: &walkdir::Error, listing: &mut Listing) {
    let Some(path) = e.path() else {
        listing
            .notes
            .push(format!("error while listing the input: {e}"));
        return;
    };
    let rel = rel_path(root, path);
    if let Some(ancestor) = e.loop_ancestor() {
        let target = if ancestor == root {
            "the input directory".to_string()
        } else {
            rel_path(root, ancestor)
        };
        listing.skip(rel, format!("symlink loop back to {target} (not followed)"));
        return;
    }
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && std::fs::metadata(path).is_err() {
        let target = std::fs::read_link(path)
            .map(|t| t.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "?".into());
        listing.skip(
            rel,
            format!("dangling symlink (target {target} does not exist)"),
        );
        return;
    }
    let detail = e
        .io_error()
        .map(|io| io.to_string())
        .unwrap_or_else(|| e.to_string());
    listing.skip(rel, SkipReason::Io(detail).to_string());
}

/// Reads one file, refusing more than `limit` bytes even if it grew after
/// it was listed. The only place ingest reads file contents.
fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, SkipReason> {
    let file = std::fs::File::open(path).map_err(|e| SkipReason::Io(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| SkipReason::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

fn too_large(limit: u64) -> SkipReason {
    SkipReason::TooLarge {
        what: "file size",
        limit,
        flag: "--max-file-size",
    }
}

/// Reads and decodes one file. A panic in a parser (a bug) becomes a skip
/// so one bad file cannot abort the run.
fn decode_file(c: &Candidate, limits: &Limits) -> Result<Parsed, SkipReason> {
    if c.size > limits.max_file_bytes {
        return Err(too_large(limits.max_file_bytes));
    }
    let bytes = read_file(&c.abs, limits.max_file_bytes)?;
    let run = || super::parse_file_bytes(&c.rel, &bytes, limits);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        Err(SkipReason::Malformed {
            format: "this file",
            detail: "leakscope hit an internal error (a bug; please report it)".into(),
        })
    })
}

/// Drops second paths to the same file (a `latest -> heap.5.pb.gz` link):
/// the direct path is kept, the others are listed as skipped.
fn dedup_links(listing: &mut Listing) {
    if !listing.files.iter().any(|c| c.via_symlink) {
        return;
    }
    let canon: Vec<Option<PathBuf>> = listing
        .files
        .iter()
        .map(|c| std::fs::canonicalize(&c.abs).ok())
        .collect();
    let mut keeper: BTreeMap<&Path, usize> = BTreeMap::new();
    for (i, c) in listing.files.iter().enumerate() {
        let Some(k) = canon[i].as_deref() else {
            continue;
        };
        match keeper.get(k) {
            Some(&j) if listing.files[j].via_symlink && !c.via_symlink => {
                keeper.insert(k, i);
            }
            Some(_) => {}
            None => {
                keeper.insert(k, i);
            }
        }
    }
    let mut dup_of: Vec<Option<usize>> = vec![None; listing.files.len()];
    for (i, k) in canon.iter().enumerate() {
        if let Some(&j) = k.as_deref().and_then(|k| keeper.get(k))
            && j != i
        {
            dup_of[i] = Some(j);
        }
    }
    let files = std::mem::take(&mut listing.files);
    let names: Vec<String> = files.iter().map(|c| c.rel.clone()).collect();
    for (i, c) in files.into_iter().enumerate() {
        match dup_of[i] {
            Some(j) => listing.skip(
                c.rel,
                format!("same file as {} (reached through a symlink)", names[j]),
            ),
            None => listing.files.push(c),
        }
    }
}

/// Decodes every candidate in parallel, then merges in path order and
/// orders the snapshots in time.
fn decode_and_merge(mut listing: Listing, limits: &Limits, now: TimeNs) -> Archive {
    listing.files.sort_by(|a, b| natural_cmp(&a.rel, &b.rel));
    dedup_links(&mut listing);
    let outcomes: Vec<Result<Parsed, SkipReason>> = listing
        .files
        .par_iter()
        .map(|c| decode_file(c, limits))
        .collect();
    let mut archive = Archive::default();
    let mut mtimes = Vec::new();
    for (c, outcome) in listing.files.iter().zip(outcomes) {
        match outcome {
            Ok(mut parsed) => {
                parsed.snapshot.path = c.rel.clone();
                parsed.snapshot.file_size = c.size;
                mtimes.push(c.mtime);
                archive.add(parsed);
            }
            Err(reason) => archive.skipped.push(Skipped {
                path: c.rel.clone(),
                reason: reason.to_string(),
            }),
        }
    }
    archive.skipped.extend(listing.skipped);
    archive
        .skipped
        .sort_by(|a, b| natural_cmp(&a.path, &b.path).then_with(|| a.reason.cmp(&b.reason)));
    archive.notes.extend(listing.notes);
    order::order(&mut archive, &mtimes, now);
    archive
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// 2026-11-27T00:00:00Z.
    const NOW: TimeNs = 1_795_737_600_000_000_000;

    fn ingest(dir: &Path, limits: Limits) -> Archive {
        ingest_path_at(dir, &Options { limits }, NOW).expect("input readable")
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
            "not a Go profile or dump (unrecognised text: hello)"
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
                "not a Go profile or dump (unrecognised text: on-call notes)".to_string()
            )]
        );
    }

    #[test]
    fn missing_input_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(ingest_path_at(&dir.path().join("nope"), &Options::default(), NOW).is_err());
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
            "not a Go profile or dump (unrecognised text: alpha)"
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
                "not a Go profile or dump (unrecognised text: tango)".to_string()
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

    #[test]
    fn read_file_enforces_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("f");
        fs::write(&f, b"0123456789").expect("write");
        assert_eq!(read_file(&f, 10).expect("fits"), b"0123456789");
        assert_eq!(read_file(&f, 9), Err(too_large(9)));
    }

    #[test]
    fn hidden_reasons() {
        assert_eq!(hidden_reason("a/b.txt"), None);
        assert_eq!(hidden_reason(".x"), Some("hidden file".into()));
        assert_eq!(
            hidden_reason("a/.d/e/f.txt"),
            Some("inside hidden directory .d".into())
        );
    }
}
