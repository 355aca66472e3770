//! Reading one listed file and decoding it: small files are read into a
//! reused per-worker buffer, large ones memory-mapped; the size limit is
//! enforced again at read time, and a parser panic becomes a skip.

use super::error::SkipReason;
use super::formats::sniff;
use super::limits::Limits;
use super::walk::Candidate;
use crate::model::Parsed;
use std::io::Read;
use std::path::Path;

/// Reads one file into `buf` (cleared first, its capacity reused),
/// refusing more than `limit` bytes even if it grew after it was listed.
/// The only place ingest reads file contents.
fn read_file(path: &Path, limit: u64, size_hint: u64, buf: &mut Vec<u8>) -> Result<(), SkipReason> {
    buf.clear();
    let file = std::fs::File::open(path).map_err(|e| SkipReason::Io(e.to_string()))?;
    // Room for the listed size and one byte more (to see growth), so a file
    // that did not change is read without reallocating.
    let want = usize::try_from(size_hint.min(limit).saturating_add(1)).unwrap_or(usize::MAX);
    buf.reserve(want);
    file.take(limit.saturating_add(1))
        .read_to_end(buf)
        .map_err(|e| SkipReason::Io(e.to_string()))?;
    if buf.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(())
}

fn too_large(limit: u64) -> SkipReason {
    SkipReason::TooLarge {
        what: "file size",
        limit,
        flag: "--max-file-size",
    }
}

/// Reads and decodes one file, reading into the worker's buffer `buf`. A
/// panic in a parser (a bug) becomes a skip so one bad file cannot abort
/// the run.
pub(crate) fn decode_file(
    c: &Candidate,
    limits: &Limits,
    buf: &mut ReadBuf,
) -> Result<Parsed, SkipReason> {
    if c.size > limits.max_file_bytes {
        return Err(too_large(limits.max_file_bytes));
    }
    let mapped = if c.size >= MMAP_MIN_BYTES {
        map_file(&c.abs, limits.max_file_bytes)?
    } else {
        None
    };
    let bytes: &[u8] = match &mapped {
        Some(m) => m,
        None => {
            read_file(&c.abs, limits.max_file_bytes, c.size, &mut buf.0)?;
            &buf.0
        }
    };
    let run = || sniff::parse_any(&c.rel, bytes, limits);
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
            Err(SkipReason::Malformed {
                format: "this file",
                detail: "leakscope hit an internal error (a bug; please report it)".into(),
            })
        });
    buf.shrink_after_use();
    outcome
}

/// Files at least this large are memory-mapped instead of read: the parsers
/// then work on the page cache directly, without copying tens of MB per
/// `debug=2` dump into a buffer (a fifth of the parse time).
const MMAP_MIN_BYTES: u64 = 4 << 20;

/// Maps a file read-only (pages populated up front). `Ok(None)` when
/// mapping is not possible here (the caller reads the file instead).
///
/// The caveat of any mapping: if another process truncates the file while
/// it is being parsed, the read of a vanished page is a fatal signal. Dump
/// archives are written once (or replaced by a rename, which keeps the
/// mapped inode), so only files large enough for the copy to matter are
/// mapped.
fn map_file(path: &Path, limit: u64) -> Result<Option<memmap2::Mmap>, SkipReason> {
    let file = std::fs::File::open(path).map_err(|e| SkipReason::Io(e.to_string()))?;
    let len = file
        .metadata()
        .map_err(|e| SkipReason::Io(e.to_string()))?
        .len();
    if len > limit {
        return Err(too_large(limit));
    }
    if len == 0 {
        return Ok(None);
    }
    // SAFETY: the map is read-only and private to this function's caller,
    // which only reads it as bytes; see above for truncation.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) };
    Ok(map.ok())
}

/// A worker's read buffer, kept from one file to the next.
#[derive(Default)]
pub(crate) struct ReadBuf(Vec<u8>);

impl ReadBuf {
    /// Largest capacity kept between files: a rare huge file does not pin
    /// its memory for the rest of the run.
    const KEEP: usize = 128 << 20;

    fn shrink_after_use(&mut self) {
        self.0.clear();
        if self.0.capacity() > Self::KEEP {
            self.0 = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn read_file_enforces_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("f");
        fs::write(&f, b"0123456789").expect("write");
        let mut buf = b"old contents, longer than the file".to_vec();
        read_file(&f, 10, 10, &mut buf).expect("fits");
        assert_eq!(buf, b"0123456789");
        // A stale size hint (the file grew or shrank) does not matter.
        read_file(&f, 10, 3, &mut buf).expect("fits");
        assert_eq!(buf, b"0123456789");
        assert_eq!(read_file(&f, 9, 10, &mut buf), Err(too_large(9)));
    }
}
