//! Directory walk (walkdir): recursive, deterministic, no symlink loops.
//!
//! Every regular file under the input ends up either a candidate to decode
//! or a skipped entry with a reason: hidden files, special files, symlink
//! loops and dangling links are listed, never silently dropped.
//! Version-control directories (`.git`, …) are the one exception: they are
//! not entered, and one archive note says so. The listing is in natural
//! path order, a second path to the same file (through a symlink) skipped.

use super::error::SkipReason;
use super::order::natural_cmp;
use crate::model::{Skipped, TimeNs};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Lists `path`: every file under a directory (recursively), or the file
/// itself. Fails only when `path` itself cannot be read.
pub(crate) fn list(path: &Path) -> std::io::Result<Listing> {
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
    listing.files.sort_by(|a, b| natural_cmp(&a.rel, &b.rel));
    dedup_links(&mut listing);
    Ok(listing)
}

/// Directories of version-control systems: not entered, one note each.
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn", ".bzr", ".jj", "_darcs"];

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
pub(crate) struct Candidate {
    /// Path on disk.
    pub(crate) abs: PathBuf,
    /// Path relative to the input, `/`-separated.
    pub(crate) rel: String,
    /// Size on disk when listed.
    pub(crate) size: u64,
    /// Modification time, if the platform has one.
    pub(crate) mtime: Option<TimeNs>,
    /// True when the path goes through a symlink.
    via_symlink: bool,
}

/// What the walk found.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Files to decode, in natural path order.
    pub(crate) files: Vec<Candidate>,
    /// Entries not read, with reasons.
    pub(crate) skipped: Vec<Skipped>,
    /// Archive-level notes (ignored version-control directories, …).
    pub(crate) notes: Vec<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
