//! Ingest: the only stage that reads files. Walks a directory, recognises
//! every file by content, decodes it into the model, orders snapshots in
//! time, and lists every file it did not use with a reason.

pub mod decompress;
pub mod error;
pub mod expvar;
pub mod goroutine_debug1;
pub mod heap_text;
pub mod limits;
pub mod order;
pub mod pprof;
pub mod sniff;
pub mod textutil;
pub mod traceback;
pub mod walk;

pub use error::SkipReason;
pub use limits::Limits;

use crate::model::{Archive, Parsed};
use std::path::Path;

/// Options of one ingest run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Size bounds.
    pub limits: Limits,
}

/// Reads a directory (recursively) or a single file into an [`Archive`]:
/// snapshots in time order and skipped files with reasons. Fails only when
/// `path` itself cannot be read; a bad file is a skip, never an error.
pub fn ingest(path: &Path, opts: &Options) -> std::io::Result<Archive> {
    walk::ingest_path(path, opts)
}

/// [`ingest`] with an injected clock `now` (Unix ns), which only bounds the
/// file-name timestamps believed (a "date" more than a year ahead is not
/// one). For reproducible tests.
pub fn ingest_at(
    path: &Path,
    opts: &Options,
    now: crate::model::TimeNs,
) -> std::io::Result<Archive> {
    walk::ingest_path_at(path, opts, now)
}

/// Decodes one file's bytes (as read from disk) into a snapshot, or says why
/// it is not used. This is the whole per-file pipeline: gzip layers, BOM and
/// UTF-16, format sniffing and the matching parser. `name` is the file's
/// path, used only for messages and for telling block from mutex profiles.
pub fn parse_file_bytes(name: &str, bytes: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    sniff::parse_any(name, bytes, limits)
}
