//! Reading one listed file and decoding it: every file is read into a
//! per-worker buffer that is reused from one file to the next (a large
//! plain `debug=2` dump is parsed as it is read, a megabyte at a time), the
//! size limit is enforced again at read time, a file that changes while it
//! is read is reported, and a parser panic becomes a skip. Each worker also
//! keeps its interning tables from file to file ([`Worker`]).
//!
//! Why read and not memory-map: a mapped file that another process
//! truncates while it is parsed (an archive still being copied, a network
//! share, a log rotated with copytruncate) kills the process with `SIGBUS`,
//! and catching that signal needs unsafe, platform-specific code. Reading
//! costs one kernel copy of the bytes. Streaming the big dumps makes that
//! copy land in the caches the parser reads next, and spares a file-sized
//! buffer whose pages would have to be zeroed; other large files go to an
//! anonymous mapping sized once for the largest file of the run. See
//! benches/README.md for the measured cost.

use super::error::SkipReason;
use super::formats::sniff;
use super::limits::Limits;
use super::walk::Candidate;
use crate::model::{Delta, Mark, Parsed, Snapshot, Tables};
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// What [`read_file`] saw besides the bytes.
#[derive(Debug, Default, PartialEq, Eq)]
struct ReadNote {
    /// The file was longer when the read ended than the bytes read (it is
    /// still being written): only the bytes read are used.
    grew_to: Option<u64>,
}

/// The size and modification time of an open file.
fn stamp(m: &Metadata) -> (u64, Option<SystemTime>) {
    (m.len(), m.modified().ok())
}

/// Reads one file into `buf` (cleared first, its capacity reused),
/// refusing more than `limit` bytes even if it grew after it was listed.
/// The only place ingest reads file contents.
///
/// The file's size and modification time are taken from the open file
/// before and after the read. A file that shrank (fewer bytes than it had
/// when the read began, or than were read) or was rewritten in place (same
/// size, new modification time) is [`SkipReason::Changed`]; a file that
/// only grew is read up to where the read stopped, and the caller warns.
fn read_file(
    path: &Path,
    limit: u64,
    size_hint: u64,
    buf: &mut ReadBuf,
) -> Result<ReadNote, SkipReason> {
    buf.clear();
    let io = |e: std::io::Error| SkipReason::Io(e.to_string());
    let mut file = File::open(path).map_err(io)?;
    let before = stamp(&file.metadata().map_err(io)?);
    if before.0 > limit {
        return Err(too_large(limit));
    }
    read_open(&mut file, before, limit, size_hint, buf, &[])
}

/// [`read_file`] on a file already open, whose first bytes, `head`, were
/// read already (`before`: its stamp when it was opened).
fn read_open(
    file: &mut File,
    before: (u64, Option<SystemTime>),
    limit: u64,
    size_hint: u64,
    buf: &mut ReadBuf,
    head: &[u8],
) -> Result<ReadNote, SkipReason> {
    buf.clear();
    let io = |e: std::io::Error| SkipReason::Io(e.to_string());
    // Room for the size and one byte more (to see growth), so a file that
    // did not change is read without reallocating.
    let want = usize::try_from(before.0.max(size_hint).min(limit).saturating_add(1))
        .unwrap_or(usize::MAX)
        .max(head.len() + 1);
    if want >= ReadBuf::MAP_MIN {
        buf.read_big(file, want, head).map_err(io)?;
    } else {
        buf.vec.reserve(want);
        buf.vec.extend_from_slice(head);
        file.take(limit.saturating_add(1).saturating_sub(head.len() as u64))
            .read_to_end(&mut buf.vec)
            .map_err(io)?;
    }
    let read = buf.bytes().len() as u64;
    if read > limit {
        return Err(too_large(limit));
    }
    let after = stamp(&file.metadata().map_err(io)?);
    check_stamps(before, after, read)
}

/// Judges a read of `read` bytes from the file's size and modification
/// time before and after it (see [`read_file`]).
fn check_stamps(
    before: (u64, Option<SystemTime>),
    after: (u64, Option<SystemTime>),
    read: u64,
) -> Result<ReadNote, SkipReason> {
    if read < before.0 || after.0 < read {
        return Err(SkipReason::Changed(format!(
            "the file shrank while it was read ({} bytes when the read began, {} read, {} at the end)",
            count(before.0),
            count(read),
            count(after.0)
        )));
    }
    if after.0 == before.0 && after.1 != before.1 && read == before.0 {
        return Err(SkipReason::Changed(
            "the file was rewritten while it was read (same size, new modification time)".into(),
        ));
    }
    Ok(ReadNote {
        grew_to: (after.0 > read).then_some(after.0),
    })
}

/// An exact byte count with thousands separators.
#[allow(clippy::cast_precision_loss)]
fn count(n: u64) -> String {
    crate::units::count(n as f64)
}

/// The skip for a file whose parser panicked (a bug).
fn internal_error() -> SkipReason {
    SkipReason::Malformed {
        format: "this file",
        detail: "leakscope hit an internal error (a bug; please report it)".into(),
    }
}

fn too_large(limit: u64) -> SkipReason {
    SkipReason::TooLarge {
        what: "file size",
        limit,
        flag: "--max-file-size",
    }
}

/// One worker's state, kept from one file to the next: its read buffer
/// and its interning tables (see [`crate::model::Mirror`]).
pub(crate) struct Worker {
    /// Tells this worker's deltas apart on the merging side.
    pub id: u64,
    buf: ReadBuf,
    tables: Tables,
    /// How far the merging side has been told about `tables`.
    mark: Mark,
}

/// Source of [`Worker::id`] values.
static WORKER_IDS: AtomicU64 = AtomicU64::new(0);

impl Worker {
    /// A worker whose files are at most `largest` bytes (a hint).
    pub fn new(largest: u64) -> Self {
        Worker {
            id: WORKER_IDS.fetch_add(1, Ordering::Relaxed),
            buf: ReadBuf {
                hint: usize::try_from(largest).unwrap_or(usize::MAX),
                ..ReadBuf::default()
            },
            tables: Tables::new(),
            mark: Mark::default(),
        }
    }
}

/// What a worker made of one file: the snapshot (its ids are the
/// worker's) or why the file is skipped, and the entries its tables gained,
/// for the worker's [`crate::model::Mirror`]. Every outcome carries its
/// delta, skips too (a parser may intern before it gives up).
pub(crate) struct Decoded {
    /// The worker that read the file.
    pub worker: u64,
    /// The entries the worker's tables gained.
    pub delta: Delta,
    /// The snapshot, or why the file is not used.
    pub outcome: Result<Snapshot, SkipReason>,
}

/// Reads and decodes one file with a worker's buffer and tables.
pub(crate) fn decode_file(c: &Candidate, limits: &Limits, w: &mut Worker) -> Decoded {
    let tables = std::mem::take(&mut w.tables);
    let (outcome, tables) = match decode_path(&c.abs, &c.rel, c.size, limits, &mut w.buf, tables) {
        Ok(p) => (Ok(p.snapshot), p.tables),
        // The tables went down with the parser: start afresh.
        Err(e) => (Err(e), Tables::new()),
    };
    let delta = tables.delta_since(w.mark);
    w.mark = tables.mark();
    w.tables = tables;
    Decoded {
        worker: w.id,
        delta,
        outcome,
    }
}

/// Reads and decodes one file (at `abs`, named `rel` in messages, of
/// `size` bytes when it was listed), reading into `buf` and interning into
/// `tables` where the parser can. A panic in a parser (a bug) becomes a
/// skip so one bad file cannot abort the run.
fn decode_path(
    abs: &Path,
    rel: &str,
    size: u64,
    limits: &Limits,
    buf: &mut ReadBuf,
    tables: Tables,
) -> Result<Parsed, SkipReason> {
    if size > limits.max_file_bytes {
        return Err(too_large(limits.max_file_bytes));
    }
    let (note, tables) = if size >= ReadBuf::MAP_MIN as u64 {
        match stream_file(abs, size, limits, buf, tables)? {
            Streamed::Done(outcome) => return outcome,
            Streamed::NotADump(tables, note) => (note, tables),
        }
    } else {
        (read_file(abs, limits.max_file_bytes, size, buf)?, tables)
    };
    let (bytes, scratch) = buf.parts();
    let run = || sniff::parse_any_with(rel, bytes, limits, tables, scratch);
    let mut outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err(internal_error()));
    if let (Some(to), Ok(parsed)) = (note.grew_to, outcome.as_mut()) {
        parsed.snapshot.warnings.push(format!(
            "the file grew while it was read (to {} bytes): only its first {} bytes were used",
            count(to),
            count(bytes.len() as u64)
        ));
    }
    buf.shrink_after_use();
    outcome
}

/// What [`stream_file`] did. (One value per file, moved once: the size
/// difference of the variants costs nothing worth a box.)
#[allow(clippy::large_enum_variant)]
enum Streamed {
    /// The file is a plain `debug=2` dump: it was parsed as it was read.
    Done(Result<Parsed, SkipReason>),
    /// Not one: it was read whole into the buffer (the tables, untouched,
    /// come back).
    NotADump(Tables, ReadNote),
}

/// Parses a large plain `debug=2` dump (the bulk of a goroutine archive) as
/// it is read, a stretch at a time, instead of reading it whole first: the
/// parser then reads bytes still in the CPU's caches, and no buffer the
/// size of the file is needed (whose pages would have to be zeroed). The
/// same checks as [`read_file`] apply; a panic becomes a skip.
fn stream_file(
    abs: &Path,
    size: u64,
    limits: &Limits,
    buf: &mut ReadBuf,
    tables: Tables,
) -> Result<Streamed, SkipReason> {
    let io = |e: std::io::Error| SkipReason::Io(e.to_string());
    let limit = limits.max_file_bytes;
    let mut file = File::open(abs).map_err(io)?;
    let before = stamp(&file.metadata().map_err(io)?);
    if before.0 > limit {
        return Err(too_large(limit));
    }
    let mut head = vec![0u8; sniff::HEAD_LEN];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(e)),
        }
    }
    head.truncate(got);
    if got < sniff::HEAD_LEN || !sniff::is_plain_dump(&head) {
        // Read the rest after what was read already.
        let note = read_open(&mut file, before, limit, size, buf, &head)?;
        return Ok(Streamed::NotADump(tables, note));
    }
    let scratch = &mut buf.vec;
    let run = || {
        super::formats::traceback::parse_dump_stream(
            &head, &mut file, limits, tables, scratch, limit,
        )
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err(internal_error()));
    buf.shrink_after_use();
    let (mut parsed, read) = match outcome {
        Ok(p) => p,
        Err(e) => return Ok(Streamed::Done(Err(e))),
    };
    let after = stamp(&file.metadata().map_err(io)?);
    let note = match check_stamps(before, after, read) {
        Ok(note) => note,
        Err(e) => return Ok(Streamed::Done(Err(e))),
    };
    if let Some(to) = note.grew_to {
        parsed.snapshot.warnings.push(format!(
            "the file grew while it was read (to {} bytes): only its first {} bytes were used",
            count(to),
            count(read)
        ));
    }
    Ok(Streamed::Done(Ok(parsed)))
}

/// A worker's read buffer, kept from one file to the next: a vector for
/// small files, and for large ones an anonymous mapping (our own memory,
/// not the file's: nothing another process does to the file can take it
/// away) that is populated in one call and backed by huge pages where the
/// kernel allows, so that filling it costs the copy and not a page fault
/// per 4 KiB.
#[derive(Default)]
pub(crate) struct ReadBuf {
    vec: Vec<u8>,
    /// Where a gzip-compressed file is inflated.
    inflated: Vec<u8>,
    map: Option<memmap2::MmapMut>,
    /// Bytes of `map` holding the current file (`None`: it is in `vec`).
    in_map: Option<usize>,
    /// The size of the largest file to come (0: unknown).
    hint: usize,
}

impl ReadBuf {
    /// Largest capacity kept between files: a rare huge file does not pin
    /// its memory for the rest of the run.
    const KEEP: usize = 128 << 20;
    /// Files from this size on are read into the mapping.
    const MAP_MIN: usize = 1 << 20;
    /// The mapping grows in steps of this (a huge page).
    const STEP: usize = 2 << 20;

    fn clear(&mut self) {
        self.vec.clear();
        self.in_map = None;
    }

    /// The current file's bytes.
    fn bytes(&self) -> &[u8] {
        Self::current(&self.vec, self.map.as_ref(), self.in_map)
    }

    /// The current file's bytes and the buffer to inflate them into.
    fn parts(&mut self) -> (&[u8], &mut Vec<u8>) {
        let bytes = Self::current(&self.vec, self.map.as_ref(), self.in_map);
        (bytes, &mut self.inflated)
    }

    /// The bytes in the mapping when `in_map` says so, else in `vec`.
    fn current<'b>(
        vec: &'b [u8],
        map: Option<&'b memmap2::MmapMut>,
        in_map: Option<usize>,
    ) -> &'b [u8] {
        match (in_map, map) {
            (Some(n), Some(m)) => &m[..n],
            _ => vec,
        }
    }

    /// Reads at most `want` bytes of `file` into the mapping, growing it
    /// first if needed.
    fn read_big(&mut self, file: &mut File, want: usize, head: &[u8]) -> std::io::Result<()> {
        if self.map.as_ref().is_none_or(|m| m.len() < want) {
            // Sized for the largest file of the run, else grown at least
            // twofold (up to KEEP): dumps of a soak test grow file after
            // file, and every new mapping costs zeroing its pages.
            let old = self.map.take().map_or(0, |m| m.len());
            let target = (want + want / 8)
                .max(old.saturating_mul(2).min(Self::KEEP))
                .max(self.hint.saturating_add(1).min(Self::KEEP));
            let len = target.div_ceil(Self::STEP) * Self::STEP;
            let map = memmap2::MmapOptions::new().len(len).map_anon()?;
            // Best effort: huge pages, then every page at once (Linux 5.14+);
            // without them the pages fault in as they are written.
            #[cfg(target_os = "linux")]
            {
                let _ = map.advise(memmap2::Advice::HugePage);
                let _ = map.advise(memmap2::Advice::PopulateWrite);
            }
            self.map = Some(map);
        }
        let Some(map) = self.map.as_mut() else {
            return Ok(());
        };
        let dst = &mut map[..want];
        dst[..head.len()].copy_from_slice(head);
        let mut filled = head.len();
        while filled < want {
            match file.read(&mut dst[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.in_map = Some(filled);
        Ok(())
    }

    fn shrink_after_use(&mut self) {
        self.clear();
        if self.vec.capacity() > Self::KEEP {
            self.vec = Vec::new();
        }
        if self.inflated.capacity() > Self::KEEP {
            self.inflated = Vec::new();
        }
        if self.map.as_ref().is_some_and(|m| m.len() > Self::KEEP) {
            self.map = None;
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
        let mut buf = ReadBuf {
            vec: b"old contents, longer than the file".to_vec(),
            ..ReadBuf::default()
        };
        assert_eq!(read_file(&f, 10, 10, &mut buf), Ok(ReadNote::default()));
        assert_eq!(buf.bytes(), b"0123456789");
        // A stale size hint (the file grew or shrank since it was listed)
        // does not matter.
        read_file(&f, 10, 3, &mut buf).expect("fits");
        assert_eq!(buf.bytes(), b"0123456789");
        read_file(&f, 10, 30, &mut buf).expect("fits");
        assert_eq!(buf.bytes(), b"0123456789");
        assert_eq!(read_file(&f, 9, 10, &mut buf), Err(too_large(9)));
    }

    /// A `debug=2` dump of about `target` bytes: distinct goroutines in a
    /// few pools.
    fn big_dump(target: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(target + 4096);
        let mut id = 1u64;
        while out.len() < target {
            let pool = id % 7;
            out.extend_from_slice(
                format!(
                    "goroutine {id} [chan receive]:\nmain.pool{pool}(0xc000{id:06x})\n\t/src/main.go:{}\n\
                     main.serve()\n\t/src/main.go:40 +0x2f\ncreated by main.main in goroutine 1\n\t/src/main.go:12 +0x45\n\n",
                    20 + pool
                )
                .as_bytes(),
            );
            id += 1;
        }
        out
    }

    /// The issue-14 scenario: another thread truncates a large file while
    /// it is read and decoded. The read must end in a parse (of what was
    /// there) or a skip that says why; never a crash (with a memory map,
    /// this was a SIGBUS) and never a panic.
    #[test]
    fn a_file_truncated_while_it_is_read_is_reported_not_fatal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("goroutine.txt");
        let dump = big_dump(24 << 20);
        let limits = Limits::default();
        let mut buf = ReadBuf::default();
        let mut outcomes = (0, 0);
        for round in 0..6u64 {
            fs::write(&path, &dump).expect("write");
            let cut_path = path.clone();
            let cutter = std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(round * 3));
                let f = fs::OpenOptions::new()
                    .write(true)
                    .open(&cut_path)
                    .expect("open");
                f.set_len(4096 * (round + 1)).expect("truncate");
            });
            let got = decode_path(
                &path,
                "dump.txt",
                dump.len() as u64,
                &limits,
                &mut buf,
                Tables::new(),
            );
            cutter.join().expect("cutter");
            match got {
                Ok(parsed) => {
                    assert!(parsed.snapshot.goroutines.is_some());
                    outcomes.0 += 1;
                }
                // Shrank; or, when the read began while the truncation
                // was still freeing blocks (ext4 sets the size first and
                // the modification time again when it is done), the same
                // size with a new modification time.
                Err(SkipReason::Changed(why)) => {
                    assert!(why.contains("shrank") || why.contains("rewritten"), "{why}");
                    outcomes.1 += 1;
                }
                Err(other) => panic!("unexpected skip: {other}"),
            }
        }
        assert_eq!(outcomes.0 + outcomes.1, 6);
    }

    /// A large file that is not a plain dump (here a crash log) is sniffed
    /// for streaming, then read whole after the bytes already read: the
    /// same parse as from its bytes.
    #[test]
    fn a_large_file_that_is_not_a_plain_dump_is_read_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("crash.log");
        let text = [&b"panic: boom\n\n"[..], &big_dump(3 << 20)].concat();
        fs::write(&path, &text).expect("write");
        let limits = Limits::default();
        let mut buf = ReadBuf::default();
        let got = decode_path(
            &path,
            "crash.log",
            text.len() as u64,
            &limits,
            &mut buf,
            Tables::new(),
        )
        .expect("parsed");
        let want = sniff::parse_any("crash.log", &text, &limits).expect("parsed");
        assert_eq!(got.snapshot.format, crate::model::Format::Crash);
        assert_eq!(got.snapshot.format, want.snapshot.format);
        let total = |p: &Parsed| {
            p.snapshot
                .goroutines
                .as_ref()
                .map(|g| (g.total, g.groups.len()))
        };
        assert_eq!(total(&got), total(&want));
        assert!(total(&got).is_some_and(|(n, _)| n > 10_000));
    }

    #[test]
    fn a_file_that_shrank_before_the_read_is_read_as_it_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("f");
        fs::write(&f, b"goroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n").expect("write");
        let mut buf = ReadBuf::default();
        // Listed larger: the listing is stale, the read itself is whole.
        assert_eq!(
            read_file(&f, 1 << 20, 1 << 10, &mut buf),
            Ok(ReadNote::default())
        );
    }

    #[test]
    fn large_files_go_through_the_mapping_and_small_ones_after_them_too() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (big, small) = (dir.path().join("big"), dir.path().join("small"));
        let data: Vec<u8> = (0..3 << 20).map(|i: u32| (i % 251) as u8).collect();
        fs::write(&big, &data).expect("write");
        fs::write(&small, b"small").expect("write");
        let mut buf = ReadBuf::default();
        for _ in 0..2 {
            read_file(&big, 1 << 30, data.len() as u64, &mut buf).expect("big");
            assert!(buf.in_map.is_some());
            assert!(buf.bytes() == data.as_slice());
            read_file(&small, 1 << 30, 5, &mut buf).expect("small");
            assert_eq!(buf.bytes(), b"small");
        }
        // Over the limit, even through the mapping.
        assert_eq!(
            read_file(&big, (2 << 20) - 1, 2 << 20, &mut buf),
            Err(too_large((2 << 20) - 1))
        );
    }

    #[test]
    fn the_reasons_read_well() {
        let r = SkipReason::Changed("the file shrank while it was read (1 bytes…)".into());
        assert!(
            r.to_string()
                .starts_with("changed while read: the file shrank")
        );
    }
}
