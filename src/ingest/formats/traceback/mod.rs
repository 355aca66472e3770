//! Full goroutine dumps (`debug=2`, `runtime.Stack`) and the same blocks
//! inside panic / fatal error / SIGQUIT output and logs.
//!
//! One pass over the lines, on bytes. A block starts at a goroutine header
//! (found anywhere on a line, so log prefixes work) and ends at a blank line
//! or the next header. Lines after the header must carry the header's log
//! prefix, which is stripped. Goroutines are grouped by (stack, wait reason,
//! created-by, labels).
//!
//! Decisions for malformed input (all with a warning): a header with no
//! frames still counts as a goroutine (empty stack); a function line without
//! its file line becomes a frame with no file; a `created by` without its
//! file line keeps the creator with no file; unreadable lines are skipped.
//! A block cut off at the end of the file (a frame or `created by` missing
//! its file line, no frames at all, or an unreadable unterminated last line)
//! marks the dump truncated. When goroutine ids repeat, the text holds
//! several dumps: only the last is kept.

mod header;
mod ids;
mod lines;
mod memo;

pub use header::{Header, find_header, parse_header};

use super::textutil::frames::FrameCache;
use super::textutil::fxhash::FxHashMap;
use super::textutil::quote::parse_labels;
use super::textutil::{Lines, WarnTally, check_line, is_blank, parse_hex, parse_u64, strip_bom};
use crate::ingest::error::SkipReason;
use crate::ingest::limits::Limits;
use crate::model::{
    Format, FrameId, GoroutineData, GoroutineGroup, Parsed, ProfileKind, Snapshot, StackId, StrId,
    Tables,
};
use lines::{is_elision, parse_created_by, parse_file_line, parse_func_line, strip_log_prefix};
use memo::{BlockMemo, Outcome};
use std::cell::Cell;

/// How far into a file [`sniff_crash`] looks for a goroutine header.
const CRASH_SNIFF_BYTES: usize = 4 << 20;

/// True when the text starts with a goroutine header (`goroutine N [` or
/// `goroutine N gp=`): a plain `debug=2` dump. Leading blank lines are
/// allowed.
pub fn sniff_dump(head: &[u8]) -> bool {
    let t = strip_bom(head).trim_ascii_start();
    let line = t.split(|&b| b == b'\n').next().unwrap_or(t);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    parse_header(line).is_some()
        || super::paste::lost_g_header(line).is_some_and(|l| parse_header(&l).is_some())
}

/// True when the text is crash output (panic, fatal error, SIGQUIT, …) or a
/// log holding goroutine blocks: a goroutine header appears somewhere in
/// the first few MB.
pub fn sniff_crash(text: &[u8]) -> bool {
    let window = &text[..text.len().min(CRASH_SNIFF_BYTES)];
    Lines::new(window).any(|l| find_header(l).is_some())
}

/// Where a `debug=2` dump starts after a few lines of log text (`… Got
/// signal …`, `*** goroutine dump...`) that a process or a person put
/// before it: the offset of the first header at the start of a line within
/// the first few lines, and the number of lines before it. `None` when the
/// text is crash output (a panic, fatal error or signal line before the
/// header) or has no such header.
pub fn dump_after_preamble(text: &[u8]) -> Option<(usize, usize)> {
    let mut offset = 0usize;
    for (i, raw) in text.split(|&b| b == b'\n').enumerate().take(6) {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if parse_header(line).is_some() {
            return (i > 0).then_some((offset, i));
        }
        let crashy = [
            &b"panic:"[..],
            b"fatal error:",
            b"SIGQUIT",
            b"SIGABRT",
            b"-----",
            b"PC=",
        ]
        .iter()
        .any(|m| super::textutil::find(line, m).is_some());
        if crashy || find_header(line).is_some() {
            return None;
        }
        offset += raw.len() + 1;
    }
    None
}

/// Parses a `debug=2` dump after lines of log text (see
/// [`dump_after_preamble`]); the dump is read as `GoroutineDebug2`.
pub fn parse_dump_after_preamble(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let (offset, lines) = dump_after_preamble(text)
        .ok_or_else(|| SkipReason::NotAProfile("no goroutine header".into()))?;
    let mut p = parse_blocks(&text[offset..], limits, false)?;
    p.snapshot.warnings.insert(
        0,
        format!("{lines} line(s) of text before the dump ignored (a log or a command line)"),
    );
    Ok(p)
}

/// Parses a `debug=2` dump (format `GoroutineDebug2`).
pub fn parse_dump(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    parse_dump_with(text, limits, Tables::new())
}

/// [`parse_dump`] interning into `tables` (returned grown in the `Parsed`).
pub fn parse_dump_with(text: &[u8], limits: &Limits, tables: Tables) -> Result<Parsed, SkipReason> {
    parse_blocks_with(text, limits, false, tables)
}

/// Parses goroutine blocks inside crash output or a log (format `Crash`),
/// stripping a constant line prefix.
pub fn parse_crash(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let mut p = parse_blocks(text, limits, true)?;
    const DEADLOCK: &[u8] = b"fatal error: all goroutines are asleep - deadlock!";
    if super::textutil::find(&text[..text.len().min(CRASH_SNIFF_BYTES)], DEADLOCK).is_some() {
        // The runtime proved that no goroutine can ever run again: every
        // goroutine of the program (not the runtime's own) is stuck.
        let tables = &p.tables;
        if let Some(g) = p.snapshot.goroutines.as_mut() {
            for grp in &mut g.groups {
                let reason = grp.wait_reason.map(|r| tables.str(r)).unwrap_or("");
                let runtime_only = tables.stack(grp.stack).iter().all(|&f| {
                    tables.frame_function(f).starts_with("runtime")
                        || !tables.frame_function(f).contains('.')
                });
                if !runtime_only && !reason.contains("finalizer") && !reason.starts_with("GC") {
                    grp.leaked = grp.count;
                }
            }
        }
        p.snapshot.warnings.push(
            "`fatal error: all goroutines are asleep - deadlock!`: the runtime proved every goroutine blocked for good (counted as leaked)"
                .into(),
        );
    }
    Ok(p)
}

/// Parses goleak's failure text (`found unexpected goroutines: [Goroutine
/// N in state …, with … on top of the stack: …]`): every goroutine it lists
/// was still running when the test ended, so each is counted as leaked.
pub fn parse_goleak(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let dump = super::paste::goleak_to_dump(text).ok_or_else(|| {
        SkipReason::NotAProfile("goleak report without any goroutine entry".into())
    })?;
    let mut p = parse_blocks(&dump, limits, true)?;
    if let Some(g) = p.snapshot.goroutines.as_mut() {
        for grp in &mut g.groups {
            grp.leaked = grp.count;
        }
    }
    p.snapshot.warnings.push(
        "a goleak failure report: the goroutines it lists were still running when the test ended (counted as leaked)"
            .into(),
    );
    Ok(p)
}

/// True when the text is a goleak failure report.
pub fn sniff_goleak(text: &[u8]) -> bool {
    super::paste::is_goleak(&text[..text.len().min(CRASH_SNIFF_BYTES)])
}

/// One goroutine as read.
struct Goroutine {
    id: u64,
    stack: StackId,
    reason: StrId,
    created_by: Option<FrameId>,
    /// Index into `Reader::label_sets`.
    labels: u32,
    leaked: bool,
    locked: bool,
    minutes: Option<u32>,
    elided: bool,
}

thread_local! {
    /// The goroutine list of the last dump this thread parsed, emptied: a
    /// dump of 70,000 goroutines fills a few megabytes, and a list grown
    /// afresh for every dump (doubling, moving, and touching new pages each
    /// time) took two fifths of a run's page faults. Like the read buffer,
    /// it is kept from one file to the next.
    static SPARE_GOROUTINES: Cell<Vec<Goroutine>> = const { Cell::new(Vec::new()) };
}

/// The largest goroutine list kept for the next dump (~40 MB).
const SPARE_GOROUTINES_MAX: usize = 1 << 20;

/// Header texts (after the goroutine id) kept with what they say; texts
/// after these are parsed each time (a dump whose labels differ from one
/// goroutine to the next would otherwise allocate a key per goroutine).
const MAX_HEADER_TEXTS: usize = 4096;

/// What a header says besides the goroutine's id, as a block keeps it.
#[derive(Clone, Copy)]
struct Facts {
    reason: StrId,
    labels: u32,
    leaked: bool,
    locked: bool,
    minutes: Option<u32>,
}

/// What the previous line left open.
#[derive(Clone, Copy)]
enum Pending<'t> {
    None,
    /// A function line waiting for its file line.
    Func(&'t [u8]),
    /// A `created by` line waiting for its file line.
    Created(&'t [u8]),
}

/// The block being read (its frames are in `Reader::frames`).
struct Block<'t> {
    prefix: &'t [u8],
    id: u64,
    reason: StrId,
    labels: u32,
    leaked: bool,
    locked: bool,
    minutes: Option<u32>,
    created_by: Option<FrameId>,
    elided: bool,
    cut: bool,
    unavailable: bool,
    pending: Pending<'t>,
    /// Inside an `[originating from goroutine N]:` section: ignore lines.
    skipping: bool,
    /// Cut off by the end of the file (already warned about).
    cut_off: bool,
    /// To remember the body if it reads cleanly: the text from the end of
    /// the header line on, the warning count and the line number there.
    body: Option<(&'t [u8], usize, usize)>,
    /// Not a goroutine of the dump: a thread's g0 stack (`goroutine 0`) or
    /// a goroutine printed again in a GOTRACEBACK=crash thread section.
    discard: bool,
}

/// A frame of a block with the (prefix-stripped) text it was read from,
/// kept for the next block: the same function line name and the same file
/// line at the same depth give the same frame, with no parsing or hashing.
/// Goroutines of one pool usually follow each other in a dump.
#[derive(Clone, Copy)]
struct Memo<'a> {
    func: &'a [u8],
    /// The file line, leading whitespace removed.
    file_line: &'a [u8],
    id: FrameId,
}

/// The parse state over the whole text (`'a`: the text, or the stretch of
/// it being read).
struct Reader<'a> {
    /// Everything kept from one stretch of text to the next.
    kept: Carry,
    /// The previous block's frames by depth (`None`: no memo for that one).
    prev: Vec<Option<Memo<'a>>>,
    /// The current block's frames by depth, parallel to `frames`.
    cur: Vec<Option<Memo<'a>>>,
    /// The last `created by` frame read.
    prev_created: Option<Memo<'a>>,
    /// Frames of the current block that came from `prev` (a block made
    /// only of those has the previous block's stack).
    memo_hits: usize,
    /// The previous block's stack.
    prev_stack: Option<StackId>,
}

/// What a [`Reader`] keeps from one stretch of text to the next (all but
/// the per-depth memo of the last block, which borrows the stretch).
struct Carry {
    limits: Limits,
    crash: bool,
    tables: Tables,
    cache: FrameCache,
    warn: WarnTally,
    goroutines: Vec<Goroutine>,
    /// Frames of the block being read (reused between blocks).
    frames: Vec<FrameId>,
    /// Distinct label sets; index 0 is the empty set.
    label_sets: Vec<Vec<(StrId, StrId)>>,
    /// Raw `{…}` text → index in `label_sets`.
    label_index: FxHashMap<Box<[u8]>, u32>,
    /// The last raw label set looked up, and its index.
    last_labels: Option<(Vec<u8>, u32)>,
    /// Goroutine id → index in `goroutines` (ids other than 0).
    seen: ids::SeenIds,
    /// First goroutine of the dump being read (earlier dumps are dropped).
    segment_start: usize,
    /// First goroutine after the last non-blank line outside any block.
    run_start: usize,
    dumps: usize,
    cut_stacks: usize,
    empty_blocks: usize,
    last_prefix: Vec<u8>,
    /// The last line produced a warning (for truncation at EOF).
    last_line_bad: bool,
    /// The last wait reason read, and its id.
    last_reason: Option<(Vec<u8>, StrId)>,
    /// The text after the goroutine id of the last header parsed, and
    /// what it said.
    last_header: (Vec<u8>, Option<Facts>),
    /// The same for every header text read (up to [`MAX_HEADER_TEXTS`]):
    /// a dump taken after goroutines came and went prints its pools
    /// interleaved, so the last header's text seldom repeats, yet a dump
    /// holds a few hundred texts (wait reason, minutes, labels).
    header_facts: FxHashMap<Box<[u8]>, Facts>,
    /// The skeletons of the block bodies read.
    memo: BlockMemo,
    /// Whether to use `memo` (tests compare parses with and without).
    skeletons: bool,
    /// Inside the per-thread sections a GOTRACEBACK=crash (or system) log
    /// prints after the goroutine list (after a `-----` line).
    thread_sections: bool,
    /// Blocks left out: thread g0 stacks, and goroutines printed twice.
    discarded: (usize, usize),
}

fn parse_blocks(text: &[u8], limits: &Limits, crash: bool) -> Result<Parsed, SkipReason> {
    parse_blocks_with(text, limits, crash, Tables::new())
}

/// What the line loop carries from one stretch of text to the next.
#[derive(Default)]
struct LoopState {
    /// Goroutine headers seen.
    headers: usize,
    /// The last line read was a non-blank line outside any block.
    last_outside: bool,
}

fn parse_blocks_with(
    text: &[u8],
    limits: &Limits,
    crash: bool,
    tables: Tables,
) -> Result<Parsed, SkipReason> {
    parse_blocks_memo(text, limits, crash, tables, true)
}

/// [`parse_blocks_with`], with or without the skeletons of bodies read.
fn parse_blocks_memo(
    text: &[u8],
    limits: &Limits,
    crash: bool,
    tables: Tables,
    skeletons: bool,
) -> Result<Parsed, SkipReason> {
    let mut r = Reader::new(*limits, crash, tables);
    r.kept.skeletons = skeletons;
    let mut lines = Lines::new(text);
    let mut block: Option<Block> = None;
    let mut st = LoopState::default();
    r.read_lines(&mut lines, &mut block, &mut st)?;
    r.end(block, &lines, &st)
}

/// How much of a dump [`parse_dump_stream`] reads at a time: small enough
/// to stay in the CPU's caches between the copy and the parse.
const STREAM_CHUNK: usize = 1 << 20;

/// Parses a `debug=2` dump read from `src` a stretch at a time (format
/// `GoroutineDebug2`), `head` being its first bytes, already read. Gives
/// the same result as [`parse_dump_with`] on the whole text, without
/// holding it: each stretch ends after a blank line (between goroutine
/// blocks) and is parsed while it is still in the caches. `buf` is the
/// caller's scratch; the count of bytes read (with `head`) comes back with
/// the result. More than `limit` bytes is [`SkipReason::TooLarge`].
pub fn parse_dump_stream<R: std::io::Read>(
    head: &[u8],
    src: &mut R,
    limits: &Limits,
    tables: Tables,
    buf: &mut Vec<u8>,
    limit: u64,
) -> Result<(Parsed, u64), SkipReason> {
    parse_dump_chunked(head, src, limits, tables, buf, limit, STREAM_CHUNK)
}

/// [`parse_dump_stream`] reading `chunk` bytes at a time.
fn parse_dump_chunked<R: std::io::Read>(
    head: &[u8],
    src: &mut R,
    limits: &Limits,
    tables: Tables,
    buf: &mut Vec<u8>,
    limit: u64,
    chunk: usize,
) -> Result<(Parsed, u64), SkipReason> {
    // The text read is `buf[..filled]`; `buf` itself only grows, so that
    // its bytes are zero-filled at most once a dump (not at all when the
    // caller's scratch is still that long) and each stretch is read in one
    // call (`read_to_end` into spare capacity started every stretch at
    // 8 KiB and doubled: eight calls a megabyte).
    if buf.len() < head.len() {
        buf.resize(head.len(), 0);
    }
    buf[..head.len()].copy_from_slice(head);
    let mut filled = head.len();
    let mut total = head.len() as u64;
    let mut carry: Reader<'static> = Reader::new(*limits, false, tables);
    let mut st = LoopState::default();
    let mut first = true;
    let mut line_base = 0;
    let mut want = chunk.max(1);
    loop {
        // Fill up to `want` bytes, or to the end of the input.
        let mut eof = false;
        if buf.len() < want {
            buf.resize(want, 0);
        }
        while filled < want {
            match src.read(&mut buf[filled..want]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => {
                    filled += n;
                    total += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(SkipReason::Io(e.to_string())),
            }
            if total > limit {
                return Err(SkipReason::TooLarge {
                    what: "file size",
                    limit,
                    flag: "--max-file-size",
                });
            }
        }
        // A stretch of whole blocks: up to the last blank line.
        let cut = if eof {
            filled
        } else {
            match memchr::memmem::rfind(&buf[..filled], b"\n\n") {
                Some(i) => i + 2,
                None => {
                    // One block longer than a stretch: read more.
                    want = want.saturating_mul(2);
                    continue;
                }
            }
        };
        let seg = &buf[..cut];
        let mut r = carry.rebind();
        let mut lines = if first {
            Lines::new(seg)
        } else {
            Lines::resume(seg, line_base)
        };
        let mut block: Option<Block> = None;
        r.read_lines(&mut lines, &mut block, &mut st)?;
        if eof {
            return r.end(block, &lines, &st).map(|p| (p, total));
        }
        // The stretch ended with a blank line, which closes any block.
        debug_assert!(block.is_none());
        r.finish(block, lines.line_no());
        line_base = lines.line_no();
        first = false;
        carry = r.rebind();
        buf.copy_within(cut..filled, 0);
        filled -= cut;
        want = want.max(filled + chunk / 2 + 1);
    }
}

impl<'a> Reader<'a> {
    /// Reads every line of `lines` (a stretch of the text).
    fn read_lines(
        &mut self,
        lines: &mut Lines<'a>,
        block: &mut Option<Block<'a>>,
        st: &mut LoopState,
    ) -> Result<(), SkipReason> {
        while let Some(raw) = lines.next() {
            check_line(raw, &self.kept.limits)?;
            let no = lines.line_no();
            self.kept.last_line_bad = false;
            st.last_outside = false;
            if self.block_step(block, raw, lines, no, &mut st.headers) {
                continue;
            }
            // Outside any block.
            self.outside_step(raw, lines, no, block, &mut st.headers, &mut st.last_outside);
        }
        Ok(())
    }

    /// At the end of the text: the parse, or why there is none.
    fn end(
        mut self,
        block: Option<Block<'a>>,
        lines: &Lines<'a>,
        st: &LoopState,
    ) -> Result<Parsed, SkipReason> {
        let truncated = self.end_of_text(block, lines, st.last_outside);
        if st.headers == 0 {
            return Err(SkipReason::NotAProfile(
                "no goroutine header (`goroutine N [...]:`) found".into(),
            ));
        }
        Ok(self.into_parsed(truncated))
    }

    /// The same reader for another stretch of text: everything read so far
    /// is kept (the skeletons of the bodies read too); the per-depth memo
    /// of the last block's text (borrowed from the stretch read) is dropped.
    fn rebind<'b>(self) -> Reader<'b> {
        Reader {
            kept: self.kept,
            prev: Vec::new(),
            cur: Vec::new(),
            prev_created: None,
            memo_hits: 0,
            prev_stack: None,
        }
    }
}

impl<'a> Reader<'a> {
    /// A reader with nothing read yet.
    fn new(limits: Limits, crash: bool, tables: Tables) -> Self {
        Reader {
            kept: Carry {
                limits,
                crash,
                tables,
                cache: FrameCache::new(),
                warn: WarnTally::default(),
                goroutines: SPARE_GOROUTINES.take(),
                frames: Vec::new(),
                label_sets: vec![Vec::new()],
                label_index: FxHashMap::default(),
                last_labels: None,
                seen: ids::SeenIds::default(),
                segment_start: 0,
                run_start: 0,
                dumps: 1,
                cut_stacks: 0,
                empty_blocks: 0,
                last_prefix: Vec::new(),
                last_line_bad: false,
                last_reason: None,
                last_header: (Vec::new(), None),
                header_facts: FxHashMap::default(),
                memo: BlockMemo::default(),
                skeletons: true,
                thread_sections: false,
                discarded: (0, 0),
            },
            prev: Vec::new(),
            cur: Vec::new(),
            prev_created: None,
            memo_hits: 0,
            prev_stack: None,
        }
    }

    /// Reads line `raw` (number `no`) inside the open block, if any: a
    /// blank line or a new header ends it. Returns `true` when the line is
    /// taken, `false` when there is no open block (any more) and the line
    /// is to be read as outside any block.
    #[inline]
    fn block_step(
        &mut self,
        block: &mut Option<Block<'a>>,
        raw: &'a [u8],
        lines: &mut Lines<'a>,
        no: usize,
        headers: &mut usize,
    ) -> bool {
        let Some(b) = block.as_mut() else {
            return false;
        };
        match strip_log_prefix(raw, b.prefix) {
            Some(l) if is_blank(l) => {
                self.finish_blank(block.take(), no, l);
                return true;
            }
            Some(l) => {
                if l.starts_with(b"goroutine ")
                    && let Some((id, facts)) = self.read_header(l, no)
                {
                    let prefix = &raw[..raw.len() - l.len()];
                    self.finish_in_place(b, no);
                    *headers += 1;
                    *block = Some(self.start(prefix, id, facts));
                    self.recall(block, lines, no);
                    return true;
                }
                if self.block_line(b, l, no) {
                    return true;
                }
                // Crash mode: an unrelated line ends the block.
                self.finish(block.take(), no);
            }
            None => self.finish(block.take(), no),
        }
        false
    }

    /// Reads line `raw` (number `no`) outside any block (`block` is
    /// `None`): puts there the block it starts, if it is a header; sets
    /// `last_outside` when it is a non-blank line that is not.
    #[inline]
    fn outside_step(
        &mut self,
        raw: &'a [u8],
        lines: &mut Lines<'a>,
        no: usize,
        block: &mut Option<Block<'a>>,
        headers: &mut usize,
        last_outside: &mut bool,
    ) {
        debug_assert!(block.is_none());
        // The usual header, at the start of the line.
        if raw.starts_with(b"goroutine ")
            && let Some((id, facts)) = self.read_header(raw, no)
        {
            *headers += 1;
            *block = Some(self.start(&raw[..0], id, facts));
            return self.recall(block, lines, no);
        }
        if let Some((at, h)) = find_header(raw) {
            *headers += 1;
            let facts = self.facts(&h, no, &raw[at..]);
            *block = Some(self.start(&raw[..at], h.id, facts));
            return self.recall(block, lines, no);
        }
        if let Some(fixed) = super::paste::lost_g_header(raw)
            && let Some(h) = parse_header(&fixed)
        {
            *headers += 1;
            self.kept.warn.add(
                "a goroutine header that lost its first character (a paste?); read anyway",
                no,
                raw,
            );
            let facts = self.facts(&h, no, raw);
            *block = Some(self.start(&raw[..0], h.id, facts));
            return;
        }
        if self.kept.crash && raw.trim_ascii() == b"-----" {
            self.kept.thread_sections = true;
        }
        let blank =
            is_blank(raw) || strip_log_prefix(raw, &self.kept.last_prefix).is_some_and(is_blank);
        *last_outside = !blank;
        if !blank {
            self.kept.run_start = self.kept.goroutines.len();
            if !self.kept.crash {
                self.kept
                    .warn
                    .add("line outside any goroutine block", no, raw);
            }
        }
    }

    /// At the end of the text: finishes the open block and warns when the
    /// text looks cut off. Returns whether it is.
    fn end_of_text(
        &mut self,
        block: Option<Block<'a>>,
        lines: &Lines<'a>,
        last_outside: bool,
    ) -> bool {
        let mut truncated = false;
        if !self.kept.crash && block.is_none() && last_outside && lines.last_unterminated() {
            // Cut inside a goroutine header line: that goroutine is lost.
            truncated = true;
            self.kept.warn.add(
                "the file ends inside a line outside any block, likely a cut goroutine header (file truncated?)",
                lines.line_no(),
                b"",
            );
        }
        if let Some(mut b) = block {
            let cut = !matches!(b.pending, Pending::None)
                || (self.kept.frames.is_empty() && !b.unavailable && !b.skipping)
                || (lines.last_unterminated() && self.kept.last_line_bad);
            if cut {
                truncated = true;
                self.kept.warn.add(
                    "the last goroutine block is cut off (file truncated?); kept what was read",
                    lines.line_no(),
                    b"",
                );
            }
            b.cut_off = cut;
            self.finish(Some(b), lines.line_no());
        }
        truncated
    }

    /// The goroutine id and the facts of header line `l` (number `no`),
    /// which starts with `goroutine `. The text after the id is parsed
    /// only when it differs from the last header's: a pool's goroutines
    /// share their status and labels.
    #[inline]
    fn read_header(&mut self, l: &[u8], no: usize) -> Option<(u64, Facts)> {
        let rest = l.strip_prefix(b"goroutine ")?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let after = &rest[digits..];
        if let (last, Some(facts)) = &self.kept.last_header
            && **last == *after
        {
            return Some((parse_u64(&rest[..digits])?, *facts));
        }
        // What a header says besides its id depends on that text alone
        // (the label sets and reasons it names are looked up once each).
        let (facts, id) = match self.kept.header_facts.get(after) {
            Some(&facts) => (facts, parse_u64(&rest[..digits])?),
            None => {
                let h = parse_header(l)?;
                let facts = self.facts(&h, no, l);
                if self.kept.header_facts.len() < MAX_HEADER_TEXTS {
                    self.kept.header_facts.insert(after.into(), facts);
                }
                (facts, h.id)
            }
        };
        let (last, memo) = &mut self.kept.last_header;
        last.clear();
        last.extend_from_slice(after);
        *memo = Some(facts);
        Some((id, facts))
    }

    /// What header `h` (line `no`, text `l` after any prefix) says besides
    /// the id: its wait reason and label set looked up.
    fn facts(&mut self, h: &Header<'_>, no: usize, l: &[u8]) -> Facts {
        let labels = match h.labels {
            None => 0,
            Some(set) => self.label_set(set, no, l),
        };
        let reason = match &self.kept.last_reason {
            Some((bytes, id)) if **bytes == *h.reason => *id,
            _ => {
                let id = self.kept.cache.str(&mut self.kept.tables, &h.reason);
                self.kept.last_reason = Some((h.reason.to_vec(), id));
                id
            }
        };
        Facts {
            reason,
            labels,
            leaked: h.leaked,
            locked: h.locked,
            minutes: h.minutes,
        }
    }

    /// Starts the block of goroutine `id` whose header says `f`.
    fn start(&mut self, prefix: &'a [u8], id: u64, f: Facts) -> Block<'a> {
        self.kept.last_prefix.clear();
        self.kept.last_prefix.extend_from_slice(prefix);
        let index = self.kept.goroutines.len();
        // A thread's g0 stack, or (in the thread sections of a crash log)
        // the goroutine running on that thread printed a second time.
        let discard = id == 0 || (self.kept.thread_sections && self.kept.seen.get(id).is_some());
        if discard {
            if id == 0 {
                self.kept.discarded.0 += 1;
            } else {
                self.kept.discarded.1 += 1;
            }
        } else if id != 0 {
            if let Some(prev) = self.kept.seen.get(id)
                && prev >= self.kept.segment_start
            {
                // A second dump begins: at the start of this run of blocks
                // if that is after the earlier occurrence, else right here.
                self.kept.segment_start = if self.kept.run_start > prev {
                    self.kept.run_start
                } else {
                    index
                };
                self.kept.dumps += 1;
            }
            self.kept.seen.insert(id, index);
        }
        self.kept.frames.clear();
        self.cur.clear();
        self.memo_hits = 0;
        Block {
            prefix,
            id,
            reason: f.reason,
            labels: f.labels,
            leaked: f.leaked,
            locked: f.locked,
            minutes: f.minutes,
            created_by: None,
            elided: false,
            cut: false,
            unavailable: false,
            pending: Pending::None,
            skipping: false,
            cut_off: false,
            body: None,
            discard,
        }
    }

    /// Right after the header of `b` (line `no`): when its body was read
    /// before, takes that outcome and skips the body's lines; else notes
    /// the body so that [`Reader::finish_blank`] can remember it.
    ///
    /// A body recalled is followed by an empty line, which ends the block:
    /// it is read here and the block is finished (`block` becomes `None`);
    /// otherwise the block, still open, does. (The block is worked on in
    /// place: moving it in and out, twice per goroutine, was a twentieth
    /// of a `debug=2` dump's time.)
    #[inline]
    fn recall(&mut self, block: &mut Option<Block<'a>>, lines: &mut Lines<'a>, no: usize) {
        let Some(b) = block.as_mut() else { return };
        // A discarded block must not take a goroutine's outcome.
        if !b.prefix.is_empty() || b.discard || !self.kept.skeletons {
            return;
        }
        let rest = lines.rest();
        match self.kept.memo.recall(rest, self.kept.limits.max_line_bytes) {
            Some((o, len)) => {
                // The body's lines and the empty line after them.
                lines.skip(len + 1, o.lines + 1);
                self.push_reused(b, o);
                *block = None;
            }
            None => b.body = Some((rest, self.kept.warn.total(), no)),
        }
    }

    /// Records the goroutine of block `b`, whose body gave outcome `o`
    /// when it was read before.
    fn push_reused(&mut self, b: &Block<'a>, o: Outcome) {
        self.kept.empty_blocks += usize::from(o.empty);
        self.kept.cut_stacks += usize::from(o.cut);
        // `prev` and `prev_stack` stay those of the last block parsed
        // (still a matching pair for the per-depth memo).
        self.cur.clear();
        self.kept.frames.clear();
        self.memo_hits = 0;
        self.kept.goroutines.push(Goroutine {
            id: b.id,
            stack: o.stack,
            reason: b.reason,
            created_by: o.created_by,
            labels: b.labels,
            leaked: b.leaked,
            locked: b.locked,
            minutes: b.minutes,
            elided: o.elided,
        });
    }

    /// Ends a block at the blank line `l` (line `no`), remembering its body
    /// when it was read without a warning and ended at the empty line that
    /// [`Reader::recall`] expected.
    fn finish_blank(&mut self, block: Option<Block<'a>>, no: usize, l: &[u8]) {
        let Some(b) = block else { return };
        // The body runs from the end of the header line to this empty line.
        let clean = match b.body {
            Some((rest, warns, start))
                if l.is_empty()
                    && matches!(b.pending, Pending::None)
                    && self.kept.warn.total() == warns =>
            {
                let end = (l.as_ptr() as usize).wrapping_sub(rest.as_ptr() as usize);
                rest.get(..end)
                    .filter(|_| rest.get(end) == Some(&b'\n'))
                    .map(|body| (body, start))
            }
            _ => None,
        };
        // A discarded block (a thread's g0 stack, a goroutine printed
        // again) adds no goroutine: nothing to remember.
        let clean = clean.filter(|_| !b.discard);
        let empty = self.kept.frames.is_empty() && !b.unavailable;
        let cut = b.cut;
        self.finish(Some(b), no);
        if let (Some((body, start)), Some(g)) = (clean, self.kept.goroutines.last()) {
            let outcome = Outcome {
                stack: g.stack,
                created_by: g.created_by,
                elided: g.elided,
                cut,
                empty,
                lines: no - start - 1,
            };
            self.kept.memo.insert(body, outcome);
        }
    }

    /// The index of a raw label set, parsing it on first sight.
    fn label_set(&mut self, set: &[u8], no: usize, l: &[u8]) -> u32 {
        // Goroutines of one pool, printed one after another, share theirs.
        if let Some((last, i)) = &self.kept.last_labels
            && **last == *set
        {
            return *i;
        }
        let i = self.label_set_lookup(set, no, l);
        let mut last = self
            .kept
            .last_labels
            .take()
            .map(|(v, _)| v)
            .unwrap_or_default();
        last.clear();
        last.extend_from_slice(set);
        self.kept.last_labels = Some((last, i));
        i
    }

    /// [`Reader::label_set`] through the index of all sets.
    fn label_set_lookup(&mut self, set: &[u8], no: usize, l: &[u8]) -> u32 {
        if let Some(&i) = self.kept.label_index.get(set) {
            return i;
        }
        let i = match parse_labels(set) {
            Some(pairs) => {
                let pairs = pairs
                    .iter()
                    .map(|(k, v)| {
                        (
                            self.kept.tables.intern_str(k),
                            self.kept.tables.intern_str(v),
                        )
                    })
                    .collect();
                self.kept.label_sets.push(pairs);
                (self.kept.label_sets.len() - 1) as u32
            }
            None => {
                self.kept.warn.add("unreadable goroutine labels", no, l);
                0
            }
        };
        self.kept.label_index.insert(set.into(), i);
        i
    }

    /// Adds a frame read from `func` and a file line (`file_line`, when
    /// there was one, for the memo).
    fn push_frame(
        &mut self,
        b: &mut Block<'_>,
        func: &'a [u8],
        file: &[u8],
        line: u32,
        file_line: Option<&'a [u8]>,
    ) {
        if self.kept.frames.len() >= self.kept.limits.max_stack_depth {
            b.cut = true;
            return;
        }
        let id = self
            .kept
            .cache
            .frame(&mut self.kept.tables, func, file, line);
        self.kept.frames.push(id);
        self.cur.push(file_line.map(|file_line| Memo {
            func,
            file_line,
            id,
        }));
    }

    /// The previous block's frame at this depth when it was read from the
    /// same text.
    fn memo_frame(&self, func: &[u8], file_line: &[u8]) -> Option<FrameId> {
        match self.prev.get(self.kept.frames.len()) {
            Some(Some(m)) if m.file_line == file_line && m.func == func => Some(m.id),
            _ => None,
        }
    }

    /// Closes a pending function or `created by` that got no file line.
    fn flush_pending(&mut self, b: &mut Block<'a>, no: usize) {
        match std::mem::replace(&mut b.pending, Pending::None) {
            Pending::None => {}
            Pending::Func(f) => {
                self.kept
                    .warn
                    .add("function line without a file line", no, f);
                self.push_frame(b, f, b"", 0, None);
            }
            Pending::Created(f) => {
                self.kept
                    .warn
                    .add("`created by` without a file line", no, f);
                b.created_by = Some(self.kept.cache.frame(&mut self.kept.tables, f, b"", 0));
            }
        }
    }

    /// Handles one line inside a block (prefix already stripped, not blank,
    /// not a header). Returns false when, in crash mode, the line does not
    /// belong to the block.
    fn block_line(&mut self, b: &mut Block<'a>, l: &'a [u8], no: usize) -> bool {
        if b.skipping {
            return true;
        }
        let first = l.first().copied().unwrap_or(b' ');
        if first == b'\t' || first == b' ' {
            let t = l.trim_ascii_start();
            if t.first() == Some(&b'g') && t.starts_with(b"goroutine running on other thread") {
                b.unavailable = true;
                return true;
            }
            return self.file_line(b, t, no, l);
        }
        if let Some(f) = parse_created_by(l) {
            self.flush_pending(b, no);
            b.pending = Pending::Created(f);
            return true;
        }
        // The common case first: `FUNC(ARGS)`. None of the other lines a
        // block holds ends with `)`.
        if l.last() == Some(&b')')
            && let Some(f) = parse_func_line(l)
        {
            self.flush_pending(b, no);
            b.pending = Pending::Func(f);
            return true;
        }
        if is_elision(l) {
            self.flush_pending(b, no);
            b.elided = true;
            return true;
        }
        if l.starts_with(b"runtime stack:") {
            // A system stack without a goroutine header: not part of this block.
            self.flush_pending(b, no);
            return false;
        }
        if l.starts_with(b"[originating from goroutine ") {
            self.flush_pending(b, no);
            b.skipping = true;
            return true;
        }
        if let Some(pc) = l.strip_prefix(b"non-Go function at pc=") {
            self.flush_pending(b, no);
            match parse_hex(pc.trim_ascii_end()) {
                Some(a) => {
                    if self.kept.frames.len() >= self.kept.limits.max_stack_depth {
                        b.cut = true;
                    } else {
                        let id = self.kept.cache.address(&mut self.kept.tables, a);
                        self.kept.frames.push(id);
                        self.cur.push(None);
                    }
                }
                None => self.bad(no, "unreadable non-Go frame", l),
            }
            return true;
        }
        if let Some(f) = parse_func_line(l) {
            self.flush_pending(b, no);
            b.pending = Pending::Func(f);
            return true;
        }
        // A file line whose indentation a log stripped.
        if !matches!(b.pending, Pending::None) && parse_file_line(l).is_some() {
            return self.file_line(b, l, no, l);
        }
        if self.kept.crash {
            self.flush_pending(b, no);
            return false;
        }
        self.bad(no, "unrecognised line in a goroutine block", l);
        true
    }

    /// A frame's second line `FILE:LINE …` (`t` without leading space).
    fn file_line(&mut self, b: &mut Block<'a>, t: &'a [u8], no: usize, l: &[u8]) -> bool {
        // Fast paths: the same text as the previous block (or the previous
        // `created by`) at this point.
        match b.pending {
            Pending::Func(f) => {
                if let Some(id) = self.memo_frame(f, t) {
                    if self.kept.frames.len() >= self.kept.limits.max_stack_depth {
                        b.cut = true;
                    } else {
                        self.kept.frames.push(id);
                        self.memo_hits += 1;
                        self.cur.push(Some(Memo {
                            func: f,
                            file_line: t,
                            id,
                        }));
                    }
                    b.pending = Pending::None;
                    return true;
                }
            }
            Pending::Created(f) => {
                if let Some(m) = self.prev_created
                    && m.file_line == t
                    && m.func == f
                {
                    b.created_by = Some(m.id);
                    b.pending = Pending::None;
                    return true;
                }
            }
            Pending::None => {}
        }
        let parsed = parse_file_line(t);
        match (b.pending, parsed) {
            (Pending::Func(f), Some((file, line))) => self.push_frame(b, f, file, line, Some(t)),
            (Pending::Created(f), Some((file, line))) => {
                let id = self.kept.cache.frame(&mut self.kept.tables, f, file, line);
                b.created_by = Some(id);
                self.prev_created = Some(Memo {
                    func: f,
                    file_line: t,
                    id,
                });
            }
            (Pending::None, _) => self.bad(no, "file line without a function line", l),
            (Pending::Func(f), None) => {
                self.bad(no, "unreadable file line", l);
                self.push_frame(b, f, b"", 0, None);
            }
            (Pending::Created(f), None) => {
                self.bad(no, "unreadable file line", l);
                b.created_by = Some(self.kept.cache.frame(&mut self.kept.tables, f, b"", 0));
            }
        }
        b.pending = Pending::None;
        true
    }

    fn bad(&mut self, no: usize, kind: &'static str, l: &[u8]) {
        self.kept.warn.add(kind, no, l);
        self.kept.last_line_bad = true;
    }

    /// Ends a block and records its goroutine.
    fn finish(&mut self, block: Option<Block<'a>>, no: usize) {
        if let Some(mut b) = block {
            self.finish_in_place(&mut b, no);
        }
    }

    /// [`Reader::finish`] for a block the caller then drops or overwrites.
    fn finish_in_place(&mut self, b: &mut Block<'a>, no: usize) {
        self.flush_pending(b, no);
        if b.discard {
            self.kept.frames.clear();
            self.cur.clear();
            self.memo_hits = 0;
            self.prev.clear();
            self.prev_stack = None;
            return;
        }
        if self.kept.frames.is_empty() && !b.unavailable && !b.cut_off {
            self.kept.empty_blocks += 1;
        }
        if b.cut {
            self.kept.cut_stacks += 1;
        }
        // Every frame equal to the previous block's, at the same depth, and
        // as many: the same stack.
        let stack = match self.prev_stack {
            Some(s)
                if self.memo_hits == self.kept.frames.len()
                    && self.kept.frames.len() == self.prev.len() =>
            {
                s
            }
            _ => self
                .kept
                .cache
                .stack(&mut self.kept.tables, &self.kept.frames),
        };
        self.prev_stack = Some(stack);
        self.memo_hits = 0;
        self.kept.frames.clear();
        std::mem::swap(&mut self.prev, &mut self.cur);
        self.cur.clear();
        self.kept.goroutines.push(Goroutine {
            id: b.id,
            stack,
            reason: b.reason,
            created_by: b.created_by,
            labels: b.labels,
            leaked: b.leaked,
            locked: b.locked,
            minutes: b.minutes,
            elided: b.elided || b.cut,
        });
    }

    fn into_parsed(self, truncated: bool) -> Parsed {
        let Carry {
            limits,
            crash,
            tables,
            warn,
            goroutines,
            label_sets,
            segment_start,
            dumps,
            cut_stacks,
            empty_blocks,
            discarded,
            ..
        } = self.kept;
        let kept = goroutines.get(segment_start..).unwrap_or_default();
        let mut groups: Vec<GoroutineGroup> = Vec::new();
        type Key = (StackId, StrId, Option<FrameId>, u32);
        let mut index: FxHashMap<Key, usize> = FxHashMap::default();
        // Goroutines of one group mostly follow each other.
        let mut last: Option<(Key, usize)> = None;
        for g in kept {
            let key = (g.stack, g.reason, g.created_by, g.labels);
            let i = match last {
                Some((k, i)) if k == key => i,
                _ => *index.entry(key).or_insert_with(|| {
                    groups.push(GoroutineGroup {
                        wait_reason: Some(g.reason),
                        created_by: g.created_by,
                        labels: label_sets
                            .get(g.labels as usize)
                            .cloned()
                            .unwrap_or_default(),
                        ..GoroutineGroup::new(g.stack, 0)
                    });
                    groups.len() - 1
                }),
            };
            last = Some((key, i));
            let grp = &mut groups[i];
            grp.count += 1;
            grp.leaked += u64::from(g.leaked);
            grp.locked_to_thread += u64::from(g.locked);
            grp.max_wait_minutes = grp.max_wait_minutes.max(g.minutes);
            if let Some(m) = g.minutes {
                match grp.waits.binary_search_by_key(&m, |w| w.0) {
                    Ok(i) => grp.waits[i].1 += 1,
                    Err(i) => grp.waits.insert(i, (m, 1)),
                }
            }
            if g.id != 0 {
                grp.id_range = Some(match grp.id_range {
                    Some((lo, hi)) => (lo.min(g.id), hi.max(g.id)),
                    None => (g.id, g.id),
                });
            }
            grp.elided |= g.elided;
            let pos = grp.sample_ids.partition_point(|&x| x < g.id);
            if pos < 8 {
                grp.sample_ids.insert(pos, g.id);
                grp.sample_ids.truncate(8);
            }
        }
        groups.sort_by_key(|g| std::cmp::Reverse(g.count));

        let format = if crash {
            Format::Crash
        } else {
            Format::GoroutineDebug2
        };
        let mut snapshot = Snapshot::new(format, ProfileKind::Goroutine);
        snapshot.warnings = warn.into_warnings();
        if dumps > 1 {
            snapshot.warnings.push(format!(
                "the text holds {dumps} goroutine dumps (goroutine ids repeat); only the last one ({} goroutines) is used",
                kept.len()
            ));
        }
        if discarded.0 > 0 {
            snapshot.warnings.push(format!(
                "{} thread stack(s) (`goroutine 0`, an OS thread's g0) left out: they are not goroutines",
                discarded.0
            ));
        }
        if discarded.1 > 0 {
            snapshot.warnings.push(format!(
                "{} goroutine(s) printed again in the per-thread sections of a GOTRACEBACK=crash log counted once",
                discarded.1
            ));
        }
        if empty_blocks > 0 {
            snapshot.warnings.push(format!(
                "{empty_blocks} goroutine header(s) without any frame; counted with an empty stack"
            ));
        }
        if cut_stacks > 0 {
            snapshot.warnings.push(format!(
                "{cut_stacks} stacks deeper than {} frames were cut at the root end (raise with --max-stack-depth)",
                limits.max_stack_depth
            ));
        }
        snapshot.goroutines = Some(GoroutineData {
            total: kept.len() as u64,
            groups,
            leak_profile: false,
            per_goroutine: true,
            max_goroutine_id: kept.iter().map(|g| g.id).max(),
            truncated,
        });
        // Kept unless a huge dump grew it (then it goes, like the memory
        // of that dump).
        if goroutines.capacity() <= SPARE_GOROUTINES_MAX {
            let mut spare = goroutines;
            spare.clear();
            SPARE_GOROUTINES.set(spare);
        }
        Parsed { snapshot, tables }
    }
}

#[cfg(test)]
mod tests;
