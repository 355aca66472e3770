//! The progress bar of long runs, on stderr: files and bytes read, then the
//! phase (analysing, rendering). Drawn only when stderr is a terminal (and
//! `TERM` is not `dumb`), never with `--quiet`. Ingest knows nothing of it:
//! it only calls the [`ingest::Observer`] methods, which this implements.

use crate::ingest;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// A progress bar, or nothing (quiet, or stderr is not a terminal).
pub struct Progress {
    bar: ProgressBar,
    files: Cell<usize>,
    total_files: Cell<usize>,
    /// With `LEAKSCOPE_TIMINGS` set: the phase under way and since when,
    /// each phase's time printed on stderr when it ends (for benchmarks).
    timings: Option<Cell<(&'static str, Instant)>>,
}

impl Progress {
    /// A bar on stderr, hidden when `quiet` or when stderr is not a
    /// terminal.
    pub fn new(quiet: bool) -> Self {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr_with_hz(8)
        };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg:<22} [{bar:28}] {binary_bytes}/{binary_total_bytes} ({elapsed})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("listing files");
        if !bar.is_hidden() {
            bar.enable_steady_tick(Duration::from_millis(125));
        }
        Progress {
            bar,
            files: Cell::new(0),
            total_files: Cell::new(0),
            timings: std::env::var_os("LEAKSCOPE_TIMINGS")
                .is_some_and(|v| !v.is_empty() && v != "0")
                .then(|| Cell::new(("reading", Instant::now()))),
        }
    }

    /// Prints how long the phase under way took, when timings are on, and
    /// starts `next`.
    fn lap(&self, next: &'static str) {
        if let Some(t) = &self.timings {
            let (name, since) = t.get();
            eprintln!(
                "leakscope: {name} took {:.3} s",
                since.elapsed().as_secs_f64()
            );
            t.set((next, Instant::now()));
        }
    }

    /// A bar that never draws (for tests and library use).
    pub fn hidden() -> Self {
        Self::new(true)
    }

    /// Names the phase after reading (`analysing`, `rendering`).
    pub fn phase(&self, name: &'static str) {
        self.lap(name);
        self.bar.set_message(name);
    }

    /// A handle on the bar (for the Ctrl-C handler, which clears it).
    pub fn bar(&self) -> ProgressBar {
        self.bar.clone()
    }

    /// Files read so far (decoded or skipped).
    pub fn files_done(&self) -> usize {
        self.files.get()
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.lap("");
        self.bar.finish_and_clear();
    }

    fn reading_message(&self) -> String {
        format!(
            "reading {}/{} files",
            self.files.get(),
            self.total_files.get()
        )
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}

impl ingest::Observer for Progress {
    fn found(&self, files: usize, bytes: u64) {
        self.total_files.set(files);
        self.bar.set_length(bytes);
        self.bar.set_message(self.reading_message());
    }

    fn file_done(&self, bytes: u64) {
        self.files.set(self.files.get() + 1);
        self.bar.inc(bytes);
        self.bar.set_message(self.reading_message());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Observer;

    #[test]
    fn counts_files_and_bytes_while_hidden() {
        let p = Progress::hidden();
        p.found(3, 300);
        p.file_done(100);
        p.file_done(50);
        assert_eq!(p.files_done(), 2);
        assert_eq!(p.bar.position(), 150);
        assert_eq!(p.bar.length(), Some(300));
        assert_eq!(p.reading_message(), "reading 2/3 files");
        p.phase("analysing");
        assert_eq!(p.bar.message(), "analysing");
        p.finish();
        assert!(p.bar.is_finished());
    }

    #[test]
    fn ingest_reports_every_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), "not a dump").expect("write");
        std::fs::write(dir.path().join("b.txt"), "also not").expect("write");
        let p = Progress::hidden();
        let archive =
            ingest::ingest(dir.path(), &ingest::Options::default(), &p).expect("readable");
        assert_eq!(archive.skipped.len(), 2);
        assert_eq!(p.files_done(), 2);
        assert_eq!(p.bar.length(), Some(18));
        assert_eq!(p.bar.position(), 18);
    }
}
