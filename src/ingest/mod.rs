//! Ingest: the only stage that reads files. Walks a directory, recognises
//! every file by content, decodes it into the model, orders snapshots in
//! time, and lists every file it did not use with a reason.
//!
//! The public surface is this façade: [`ingest`] with its [`Options`] and
//! [`Observer`], [`parse_file_bytes`] for one file's bytes, [`Limits`] and
//! [`SkipReason`]. Everything else is crate-private; fuzz targets and
//! tests reach single decoders through the hidden [`fuzzing`] module.
//!
//! Modules, each importing only from those listed before it:
//! * `limits`, `error` — input bounds and why a file is skipped;
//! * `decompress` — bounded gunzip;
//! * `formats` — one decoder per dump format and the sniffing that picks
//!   one (`formats::sniff`), over shared byte-level text helpers;
//! * `order` — time-ordering of snapshots; `pipeline` — parallel work with
//!   an in-order merge;
//! * `walk` — listing a directory; `read` — reading and decoding one file;
//! * this module — the run: list, decode in parallel, merge, order.
//!
//! Unit tests sit in a `mod tests` at the bottom of a file module, or in
//! `tests.rs` beside the `mod.rs` of a directory module.

mod decompress;
mod error;
mod formats;
mod limits;
pub(crate) mod order;
mod pipeline;
mod process;
mod read;
mod walk;

pub use error::SkipReason;
pub use limits::Limits;
pub use process::{GroupBy, identify as identify_processes};

use crate::model::{Archive, LazyRemap, Mirror, Parsed, Skipped, TimeNs};
use order::natural_cmp;
use std::collections::HashMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Options of one ingest run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Size bounds.
    pub limits: Limits,
    /// The current time (Unix ns); `None` reads the system clock. It only
    /// bounds the file-name timestamps believed (a "date" more than a year
    /// ahead is not one); tests inject it for reproducible results.
    pub now: Option<TimeNs>,
}

/// Receives progress events from [`ingest`], on the calling thread, in
/// path order. Both methods do nothing by default; `()` is the observer
/// that ignores everything. Ingest itself never draws anything.
pub trait Observer {
    /// The walk found `files` files to decode, `bytes` on disk in total.
    fn found(&self, files: usize, bytes: u64) {
        let _ = (files, bytes);
    }
    /// One more file was decoded and merged, or skipped; `bytes` on disk.
    fn file_done(&self, bytes: u64) {
        let _ = bytes;
    }
}

impl Observer for () {}

/// Reads a directory (recursively) or a single file into an [`Archive`]:
/// snapshots in time order and skipped files with reasons, reporting
/// progress to `observer` (`&()` for none). Fails only when `path` itself
/// cannot be read; a bad file is a skip, never an error.
///
/// Files are decoded in parallel and merged in path order as they come, so
/// the result does not depend on thread timing and only a few decoded
/// files are held at a time.
pub fn ingest(path: &Path, opts: &Options, observer: &dyn Observer) -> std::io::Result<Archive> {
    let listing = walk::list(path)?;
    let now = opts.now.unwrap_or_else(system_now);
    observer.found(
        listing.files.len(),
        listing.files.iter().map(|c| c.size).sum(),
    );
    let mut archive = Archive::default();
    let mut mtimes = Vec::new();
    let files = &listing.files;
    let limits = &opts.limits;
    // Each worker's tables as the merge has been told of them.
    let mut mirrors: HashMap<u64, Mirror> = HashMap::new();
    // Read buffers are sized for the largest file at once (not grown file
    // by file: every new buffer costs zeroing its pages).
    let largest = files
        .iter()
        .map(|c| c.size)
        .filter(|&s| s <= limits.max_file_bytes)
        .max()
        .unwrap_or(0);
    let mut stack_buf = Vec::new();
    pipeline::map_in_order(
        files.len(),
        worker_threads(),
        || read::Worker::new(largest),
        |i, w: &mut read::Worker| read::decode_file(&files[i], limits, w),
        |i, decoded| {
            let c = &files[i];
            let mirror = mirrors.entry(decoded.worker).or_default();
            mirror.apply(decoded.delta);
            match decoded.outcome {
                Ok(mut snapshot) => {
                    snapshot.path = c.rel.clone();
                    snapshot.file_size = c.size;
                    mtimes.push(c.mtime);
                    snapshot.remap(&mut LazyRemap {
                        mirror,
                        target: &mut archive.tables,
                        buf: &mut stack_buf,
                    });
                    archive.snapshots.push(snapshot);
                }
                Err(reason) => archive.skipped.push(Skipped {
                    path: c.rel.clone(),
                    reason: reason.to_string(),
                }),
            }
            observer.file_done(c.size);
        },
    );
    archive.skipped.extend(listing.skipped);
    archive
        .skipped
        .sort_by(|a, b| natural_cmp(&a.path, &b.path).then_with(|| a.reason.cmp(&b.reason)));
    archive.notes.extend(listing.notes);
    order::order(&mut archive, &mtimes, now);
    process::identify(&mut archive, GroupBy::Auto);
    Ok(archive)
}

/// Decodes one file's bytes (as read from disk) into a snapshot, or says why
/// it is not used. This is the whole per-file pipeline: gzip layers, BOM and
/// UTF-16, format sniffing and the matching parser. `name` is the file's
/// path, used only for messages and for telling block from mutex profiles.
pub fn parse_file_bytes(name: &str, bytes: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    formats::sniff::parse_any(name, bytes, limits)
}

/// How many files are decoded at once: one per available core.
pub fn worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// The current time in Unix ns.
fn system_now() -> TimeNs {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

/// Single decoders, for the fuzz targets and the oracle/property tests.
/// Not a stable interface: the product uses [`ingest`] and
/// [`parse_file_bytes`].
#[doc(hidden)]
pub mod fuzzing {
    pub use super::formats::{expvar, goroutine_debug1, heap_text, pprof, traceback};

    /// Bounded gunzip.
    pub mod decompress {
        pub use crate::ingest::decompress::{gunzip, is_gzip};
    }
}

#[cfg(test)]
mod tests;
