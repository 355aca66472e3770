//! Where the CLI's documents go: stdout or a file, checked before any input
//! is read and written so that no reader ever sees half a file.
//!
//! Use: [`Output::check`] every destination first (a missing or read-only
//! directory fails at once, before the archive is read, and the temporary
//! file is created then, beside its destination); render; [`Output::stage`]
//! the bytes of every output; then [`commit_all`], which renames each
//! temporary file into place. A run that fails before the commit leaves
//! the destinations untouched (the temporaries are removed when the
//! [`Output`]s drop). [`on_interrupt`] makes Ctrl-C do the same.
//!
//! `--markdown` into an append target (the GitHub step summary) is the one
//! exception: it is appended to, not replaced.
//!
//! A new output flag follows the same steps in `lib.rs`: add its path to
//! the same-stream check, `Output::check` it with the others before
//! ingest, `stage` its bytes after rendering, and push it to the list given
//! to [`commit_all`]. [`write_atomic`] does all of it for a one-off file.

use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files not yet renamed into place (removed on Ctrl-C).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Outputs put in place so far (for the Ctrl-C message).
static COMMITTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// How an output is written.
#[derive(Debug)]
enum Target {
    /// Standard output (`-`).
    Stdout,
    /// A file, replaced atomically: the temporary file beside it.
    Replace { tmp: PathBuf, file: Option<File> },
    /// A file appended to (created when missing).
    Append,
    /// Something that is not a regular file (`/dev/null`, a FIFO, a
    /// terminal): written in place, never replaced by a rename, which
    /// would put a regular file where the device was.
    Device { file: Option<File> },
    /// A file already renamed into place.
    Done,
}

/// One checked output destination.
#[derive(Debug)]
pub struct Output {
    path: PathBuf,
    target: Target,
    staged: Option<Vec<u8>>,
}

/// True when `path` is `-` (standard output).
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new("-")
}

impl Output {
    /// Checks a destination before any work: `-` is stdout; for a file,
    /// its directory must exist and take a new file, which is created now
    /// (a hidden temporary file beside the destination) and renamed into
    /// place by [`commit_all`].
    pub fn check(path: &Path) -> Result<Output> {
        if is_stdout(path) {
            return Ok(Output {
                path: path.to_path_buf(),
                target: Target::Stdout,
                staged: None,
            });
        }
        if path.is_dir() {
            bail!("cannot write {}: it is a directory", path.display());
        }
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            let file = OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            return Ok(Output {
                path: path.to_path_buf(),
                target: Target::Device { file: Some(file) },
                staged: None,
            });
        }
        let dir = parent_dir(path);
        if !dir.is_dir() {
            bail!(
                "cannot write {}: directory {} does not exist",
                path.display(),
                dir.display()
            );
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let mut guard = pending();
        let mut n = 0u32;
        loop {
            let tmp = dir.join(format!(".{name}.{}-{n}.leakscope-tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(file) => {
                    guard.push(tmp.clone());
                    return Ok(Output {
                        path: path.to_path_buf(),
                        target: Target::Replace {
                            tmp,
                            file: Some(file),
                        },
                        staged: None,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot write {}", path.display()));
                }
            }
        }
    }

    /// Checks a destination that is appended to (created when missing):
    /// an existing file must open for appending, a new one must be
    /// creatable in its directory.
    pub fn check_append(path: &Path) -> Result<Output> {
        if is_stdout(path) {
            return Output::check(path);
        }
        if path.exists() {
            OpenOptions::new()
                .append(true)
                .open(path)
                .with_context(|| format!("cannot append to {}", path.display()))?;
        } else {
            // Proves the directory takes a new file; the probe is removed.
            drop(Output::check(path)?);
        }
        Ok(Output {
            path: path.to_path_buf(),
            target: Target::Append,
            staged: None,
        })
    }

    /// The destination as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True for standard output.
    pub fn is_stdout(&self) -> bool {
        matches!(self.target, Target::Stdout)
    }

    /// Writes the document into the temporary file (a file destination) or
    /// keeps it for [`commit_all`] (stdout, append).
    pub fn stage(&mut self, bytes: Vec<u8>) -> Result<()> {
        if let Target::Replace { file, tmp } = &mut self.target {
            let mut f = file.take().context("output staged twice")?;
            f.write_all(&bytes)
                .and_then(|()| f.flush())
                .with_context(|| format!("cannot write {}", tmp.display()))?;
        } else {
            self.staged = Some(bytes);
        }
        Ok(())
    }

    /// Puts one staged output in place.
    fn commit(&mut self) -> Result<()> {
        match &self.target {
            Target::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(self.staged.as_deref().unwrap_or_default())?;
                out.flush()?;
            }
            Target::Append => {
                let mut f = OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&self.path)
                    .with_context(|| format!("cannot append to {}", self.path.display()))?;
                f.write_all(self.staged.as_deref().unwrap_or_default())
                    .with_context(|| format!("cannot append to {}", self.path.display()))?;
            }
            Target::Done => {}
            Target::Device { file } => {
                let mut f = file
                    .as_ref()
                    .with_context(|| format!("cannot write {}", self.path.display()))?;
                f.write_all(self.staged.as_deref().unwrap_or_default())
                    .and_then(|()| f.flush())
                    .with_context(|| format!("cannot write {}", self.path.display()))?;
            }
            Target::Replace { tmp, .. } => {
                let mut guard = pending();
                std::fs::rename(tmp, &self.path)
                    .with_context(|| format!("cannot write {}", self.path.display()))?;
                guard.retain(|p| p != tmp);
                COMMITTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                self.target = Target::Done;
                self.staged = None;
            }
        }
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Target::Replace { tmp, file } = &mut self.target {
            drop(file.take());
            let mut guard = pending();
            let _ = std::fs::remove_file(&*tmp);
            guard.retain(|p| p != tmp);
        }
    }
}

/// Puts every staged output in place: files first (each a rename of its
/// complete temporary file), then stdout and appends.
pub fn commit_all(outputs: &mut [Output]) -> Result<()> {
    for o in outputs.iter_mut() {
        if matches!(o.target, Target::Replace { .. }) {
            o.commit()?;
        }
    }
    for o in outputs.iter_mut() {
        if o.staged.is_some() {
            o.commit()?;
            o.staged = None;
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` (or stdout for `-`) atomically in one call:
/// check, stage, commit. For outputs of a run, prefer checking every
/// destination before the work (see the module documentation).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut o = Output::check(path)?;
    o.stage(bytes.to_vec())?;
    commit_all(std::slice::from_mut(&mut o))
}

/// The directory a file path lands in (`.` for a bare name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// True when two destinations name the same file (after resolving what
/// exists of them).
pub fn same_file(a: &Path, b: &Path) -> bool {
    if is_stdout(a) || is_stdout(b) {
        return is_stdout(a) && is_stdout(b);
    }
    resolve(a) == resolve(b)
}

/// An absolute form of `path`: canonical when it exists, else its
/// canonical directory joined with its name.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (parent_dir(path).canonicalize(), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// Ctrl-C (SIGINT, also SIGTERM) during a run: removes every temporary
/// file not yet renamed into place, clears the progress bar, prints one
/// line and exits with status 130 (143 for SIGTERM: 128 + the signal). A rename under way finishes first, so a
/// destination holds either its old or its new content.
#[cfg(unix)]
pub fn on_interrupt(bar: indicatif::ProgressBar) -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .context("cannot install the Ctrl-C handler")?;
    std::thread::Builder::new()
        .name("interrupt".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let mut guard = pending();
                for tmp in guard.drain(..) {
                    let _ = std::fs::remove_file(tmp);
                }
                bar.finish_and_clear();
                let what = if sig == SIGINT {
                    "interrupted"
                } else {
                    "terminated"
                };
                match COMMITTED.load(std::sync::atomic::Ordering::SeqCst) {
                    0 => eprintln!("leakscope: {what}; no output written"),
                    n => eprintln!("leakscope: {what} after writing {n} output file(s)"),
                }
                std::process::exit(128 + sig);
            }
        })
        .context("cannot install the Ctrl-C handler")?;
    Ok(())
}

/// Ctrl-C handling is Unix-only; elsewhere the default applies.
#[cfg(not(unix))]
pub fn on_interrupt(_bar: indicatif::ProgressBar) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `-o /dev/null` (a usual way to keep only `--json`) must write into
    /// the device, not rename a regular file over it.
    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        let mut o = Output::check(null).expect("check");
        o.stage(b"report".to_vec()).expect("stage");
        commit_all(std::slice::from_mut(&mut o)).expect("commit");
        drop(o);
        let kind = std::fs::metadata(null).expect("metadata").file_type();
        assert!(kind.is_char_device(), "/dev/null is no longer a device");
        assert!(
            names(Path::new("/dev"))
                .iter()
                .all(|n| !n.contains("leakscope-tmp"))
        );
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn check_creates_a_hidden_temporary_beside_the_destination() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("r.html");
        std::fs::write(&dest, "old").expect("write");
        let mut o = Output::check(&dest).expect("writable");
        let n = names(dir.path());
        assert_eq!(n.len(), 2, "{n:?}");
        assert!(n[0].starts_with(".r.html.") && n[0].ends_with(".leakscope-tmp"));
        o.stage(b"new".to_vec()).expect("stage");
        // Staged but not committed: the old content is still there.
        assert_eq!(std::fs::read_to_string(&dest).expect("read"), "old");
        commit_all(std::slice::from_mut(&mut o)).expect("commit");
        assert_eq!(std::fs::read_to_string(&dest).expect("read"), "new");
        assert!(!o.is_stdout(), "a committed file is not stdout");
        drop(o);
        assert_eq!(names(dir.path()), ["r.html"]);
    }

    #[test]
    fn dropping_an_uncommitted_output_leaves_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("r.json");
        std::fs::write(&dest, "old").expect("write");
        let mut o = Output::check(&dest).expect("writable");
        o.stage(b"half".to_vec()).expect("stage");
        drop(o);
        assert_eq!(names(dir.path()), ["r.json"]);
        assert_eq!(std::fs::read_to_string(&dest).expect("read"), "old");
        assert!(pending().iter().all(|p| !p.starts_with(dir.path())));
    }

    #[test]
    fn missing_directory_and_directory_destination_fail() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Output::check(&dir.path().join("nope/r.json")).unwrap_err();
        assert!(format!("{err:#}").contains("does not exist"), "{err:#}");
        let err = Output::check(dir.path()).unwrap_err();
        assert!(format!("{err:#}").contains("is a directory"), "{err:#}");
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn append_keeps_what_was_there() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("summary.md");
        std::fs::write(&dest, "# earlier step\n").expect("write");
        let mut o = Output::check_append(&dest).expect("appendable");
        o.stage(b"# leakscope\n".to_vec()).expect("stage");
        commit_all(std::slice::from_mut(&mut o)).expect("commit");
        assert_eq!(
            std::fs::read_to_string(&dest).expect("read"),
            "# earlier step\n# leakscope\n"
        );
        // A new append target is created, and the probe leaves nothing.
        let fresh = dir.path().join("new.md");
        let o = Output::check_append(&fresh).expect("appendable");
        assert!(!fresh.exists());
        drop(o);
        assert_eq!(names(dir.path()), ["summary.md"]);
    }

    #[test]
    fn write_atomic_replaces_in_one_call() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("out.sarif");
        std::fs::write(&dest, "old").expect("write");
        write_atomic(&dest, b"new").expect("written");
        assert_eq!(std::fs::read_to_string(&dest).expect("read"), "new");
        assert_eq!(names(dir.path()), ["out.sarif"]);
        assert!(write_atomic(&dir.path().join("no/x"), b"x").is_err());
    }

    #[test]
    fn same_file_sees_through_spelling() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("x.json");
        let b = dir.path().join(".").join("x.json");
        assert!(same_file(&a, &b));
        assert!(!same_file(&a, &dir.path().join("y.json")));
        assert!(same_file(Path::new("-"), Path::new("-")));
        assert!(!same_file(Path::new("-"), &a));
    }
}
