//! Shared string, frame and stack tables (samply-style interning).
//!
//! Every stage refers to functions, files and stacks by small integer ids, so
//! memory grows with the number of *distinct* stacks, not with the size or
//! number of input files.
//!
//! Each ingest worker keeps one `Tables` from file to file (a pool's stacks
//! are interned once per worker, not once per file) and sends the entries a
//! file added as a [`Delta`]; the merging thread keeps a [`Mirror`] of each
//! worker's tables and maps a worker's ids to the archive's on first use
//! ([`LazyRemap`]). Archive ids then follow the order in which snapshots, in
//! path order, first use them, whichever worker read which file.

use hashbrown::{DefaultHashBuilder, HashMap, HashTable};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

/// Source of [`Tables::lineage`] values.
static LINEAGE: AtomicU64 = AtomicU64::new(1);

/// Id of an interned string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct StrId(pub u32);

/// Id of an interned frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FrameId(pub u32);

/// Id of an interned stack (a list of frames, leaf first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StackId(pub u32);

/// One logical frame: a function at a source line. Inlined calls are frames of
/// their own. Addresses, arguments and PC offsets are deliberately not part of
/// a frame, so the same code location matches across formats and snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Frame {
    /// Function name, generic shapes normalised to `[...]`
    /// (see [`normalize_function_name`]). An unsymbolised frame carries its
    /// address as the name (`0x6e5046`).
    pub function: StrId,
    /// Source file as the build recorded it; empty when unknown.
    pub file: StrId,
    /// Source line; 0 when unknown.
    pub line: u32,
}

/// Interned strings, frames and stacks.
#[derive(Debug)]
pub struct Tables {
    hasher: DefaultHashBuilder,
    strings: Vec<Box<str>>,
    string_ids: HashTable<StrId>,
    frames: Vec<Frame>,
    frame_ids: HashMap<Frame, FrameId>,
    /// All stacks' frames, one after another; a stack is a range of it.
    stack_frames: Vec<FrameId>,
    /// (start, len) into `stack_frames` per stack.
    stack_ranges: Vec<(u32, u32)>,
    /// Each stack's id with its range in `stack_frames`, so that a lookup
    /// compares without reading `stack_ranges` first (one cache miss less).
    stack_ids: HashTable<(StackId, u32, u32)>,
    /// Which `Tables` value this is: set when it is made and kept as it
    /// grows, so a worker can tell its own tables, handed to a parser and
    /// back, from fresh ones.
    lineage: u64,
    /// The stacks of the last profile interned in sequence, to predict the
    /// next one's (see [`Tables::intern_stack_in_sequence`]).
    order: StackOrder,
    /// The same for the other streams this worker reads.
    parked: Vec<StackOrder>,
    /// Functions' names and files as bytes → their ids (see
    /// [`Tables::intern_function_bytes`]).
    function_bytes: PairCache,
}

/// Pairs of byte strings → the two ids they were interned as.
#[derive(Debug, Default)]
struct PairCache {
    /// The pairs' bytes, one after another.
    bytes: Vec<u8>,
    /// (start in `bytes`, length of the first, length of the second, ids).
    entries: HashTable<(u32, u32, u32, StrId, StrId)>,
}

impl PairCache {
    /// Bytes kept at most: past it, new pairs are interned uncached.
    const MAX_BYTES: usize = 64 << 20;

    /// The pair an entry's (start, first length, second length) names in
    /// `bytes`.
    fn pair(bytes: &[u8], (start, a, b): (u32, u32, u32)) -> (&[u8], &[u8]) {
        let (start, a, b) = (start as usize, a as usize, b as usize);
        (&bytes[start..start + a], &bytes[start + a..start + a + b])
    }
}

/// Stacks in the order a profile gave them, for the next profile.
#[derive(Debug, Default)]
struct StackOrder {
    /// The previous profile's stacks, in order.
    prev: Vec<StackId>,
    /// The last profile's frames with their ids, by their place in its
    /// location table (see [`Tables::intern_frame_at`]).
    frames: Vec<(Frame, FrameId)>,
    /// This profile's, so far.
    cur: Vec<StackId>,
    /// Position of each stack in `prev` (`u32::MAX`: not there).
    pos: Vec<u32>,
    /// The position in `prev` expected next.
    next: usize,
    /// Which stream of profiles this is (see [`Tables::begin_sequence`]).
    stream: u32,
    /// The caller's key of each stack of `prev` and `cur`, by position
    /// (none at all for a profile begun without `keys_valid`).
    prev_keys: Keys,
    cur_keys: Keys,
    /// What keys meant in the previous profile and in this one (`None`:
    /// nothing, keys are not compared).
    prev_context: Option<Vec<u32>>,
    cur_context: Option<Vec<u32>>,
    /// The keys of `prev` may be compared with this profile's: both
    /// contexts are given and equal.
    keys_valid: bool,
}

/// Byte strings by position, one after another.
#[derive(Debug, Default)]
struct Keys {
    bytes: Vec<u8>,
    /// (start, len) into `bytes`; [`Keys::NONE`]: no key at that position.
    spans: Vec<(u32, u32)>,
}

impl Keys {
    const NONE: (u32, u32) = (u32::MAX, 0);

    fn clear(&mut self) {
        self.bytes.clear();
        self.spans.clear();
    }

    /// Appends the key of the next position.
    fn push(&mut self, key: Option<&[u8]>) {
        let span = match key {
            Some(k) => match (u32::try_from(self.bytes.len()), u32::try_from(k.len())) {
                (Ok(start), Ok(len)) if start.checked_add(len).is_some() => {
                    self.bytes.extend_from_slice(k);
                    (start, len)
                }
                _ => Self::NONE,
            },
            None => Self::NONE,
        };
        self.spans.push(span);
    }

    /// The key at `position`, if one was given.
    fn get(&self, position: usize) -> Option<&[u8]> {
        match *self.spans.get(position)? {
            Self::NONE => None,
            (start, len) => self.bytes.get(start as usize..(start + len) as usize),
        }
    }
}

impl Default for Tables {
    fn default() -> Self {
        let mut t = Tables {
            hasher: DefaultHashBuilder::default(),
            strings: Vec::new(),
            string_ids: HashTable::new(),
            frames: Vec::new(),
            frame_ids: HashMap::new(),
            stack_frames: Vec::new(),
            stack_ranges: Vec::new(),
            stack_ids: HashTable::new(),
            lineage: LINEAGE.fetch_add(1, Ordering::Relaxed),
            order: StackOrder::default(),
            parked: Vec::new(),
            function_bytes: PairCache::default(),
        };
        // StrId(0) is always the empty string.
        t.intern_str("");
        t
    }
}

/// Maps ids of one table to ids of another.
pub trait IdMap {
    /// The new id of a string.
    fn str(&mut self, id: StrId) -> StrId;
    /// The new id of a frame.
    fn frame(&mut self, id: FrameId) -> FrameId;
    /// The new id of a stack.
    fn stack(&mut self, id: StackId) -> StackId;
}

/// How far a `Tables` had grown: counts of strings, frames and stacks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mark {
    lineage: u64,
    strings: usize,
    frames: usize,
    stacks: usize,
}

/// The entries a `Tables` gained since a [`Mark`] (or all of them, when it
/// is not the table the mark was taken of: `reset`).
#[derive(Debug, Default)]
pub struct Delta {
    /// The receiving [`Mirror`] must forget what it had first.
    reset: bool,
    strings: Vec<Box<str>>,
    frames: Vec<Frame>,
    /// The new stacks' frames, one after another, and each one's length.
    stack_frames: Vec<FrameId>,
    stack_lens: Vec<u32>,
}

/// The merging side's copy of one worker's tables, with the archive id of
/// every entry used so far (`u32::MAX`: not used yet).
#[derive(Debug, Default)]
pub struct Mirror {
    strings: Vec<Box<str>>,
    frames: Vec<Frame>,
    stack_frames: Vec<FrameId>,
    stack_ranges: Vec<(u32, u32)>,
    map_strings: Vec<u32>,
    map_frames: Vec<u32>,
    map_stacks: Vec<u32>,
}

const UNMAPPED: u32 = u32::MAX;

impl Mirror {
    /// Appends a worker's [`Delta`] (deltas of one worker in the order it
    /// made them).
    pub fn apply(&mut self, d: Delta) {
        if d.reset {
            *self = Mirror::default();
        }
        self.map_strings
            .resize(self.strings.len() + d.strings.len(), UNMAPPED);
        self.strings.extend(d.strings);
        self.map_frames
            .resize(self.frames.len() + d.frames.len(), UNMAPPED);
        self.frames.extend(d.frames);
        let mut start = self.stack_frames.len() as u32;
        self.stack_frames.extend(d.stack_frames);
        for len in d.stack_lens {
            self.stack_ranges.push((start, len));
            start += len;
        }
        self.map_stacks.resize(self.stack_ranges.len(), UNMAPPED);
    }
}

/// Maps a worker's ids (through its [`Mirror`]) to `target`'s, interning
/// each entry into `target` the first time it is asked for.
pub struct LazyRemap<'a> {
    /// The worker's mirror.
    pub mirror: &'a mut Mirror,
    /// The archive's tables.
    pub target: &'a mut Tables,
    /// Scratch for stacks.
    pub buf: &'a mut Vec<FrameId>,
}

impl IdMap for LazyRemap<'_> {
    fn str(&mut self, id: StrId) -> StrId {
        let i = id.0 as usize;
        match self.mirror.map_strings[i] {
            UNMAPPED => {
                let new = self.target.intern_str(&self.mirror.strings[i]);
                self.mirror.map_strings[i] = new.0;
                new
            }
            n => StrId(n),
        }
    }

    fn frame(&mut self, id: FrameId) -> FrameId {
        let i = id.0 as usize;
        match self.mirror.map_frames[i] {
            UNMAPPED => {
                let f = self.mirror.frames[i];
                let frame = Frame {
                    function: self.str(f.function),
                    file: self.str(f.file),
                    line: f.line,
                };
                let new = self.target.intern_frame_ids(frame);
                self.mirror.map_frames[i] = new.0;
                new
            }
            n => FrameId(n),
        }
    }

    fn stack(&mut self, id: StackId) -> StackId {
        let i = id.0 as usize;
        match self.mirror.map_stacks[i] {
            UNMAPPED => {
                let (start, len) = self.mirror.stack_ranges[i];
                let mut buf = std::mem::take(self.buf);
                buf.clear();
                for k in start..start + len {
                    let f = self.mirror.stack_frames[k as usize];
                    buf.push(self.frame(f));
                }
                let new = self.target.intern_stack(&buf);
                *self.buf = buf;
                self.mirror.map_stacks[i] = new.0;
                new
            }
            n => StackId(n),
        }
    }
}

impl Tables {
    /// How far these tables have grown, for a later [`Tables::delta_since`].
    pub fn mark(&self) -> Mark {
        Mark {
            lineage: self.lineage,
            strings: self.strings.len(),
            frames: self.frames.len(),
            stacks: self.stack_ranges.len(),
        }
    }

    /// The entries added since `mark` was taken of these tables; all of
    /// them, with `reset`, when `mark` is of other tables.
    pub fn delta_since(&self, mark: Mark) -> Delta {
        let mark = if mark.lineage == self.lineage {
            mark
        } else {
            Mark::default()
        };
        let reset = mark.lineage != self.lineage;
        let stacks = &self.stack_ranges[mark.stacks.min(self.stack_ranges.len())..];
        let first = stacks
            .first()
            .map_or(self.stack_frames.len(), |r| r.0 as usize);
        Delta {
            reset,
            strings: self.strings[mark.strings.min(self.strings.len())..].to_vec(),
            frames: self.frames[mark.frames.min(self.frames.len())..].to_vec(),
            stack_frames: self.stack_frames[first..].to_vec(),
            stack_lens: stacks.iter().map(|r| r.1).collect(),
        }
    }
}

impl Tables {
    /// Empty tables (with the empty string as id 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves room for about this many more strings, frames and stacks
    /// (holding `stack_frames` frame ids in all), so that a parser that
    /// knows its sizes does not grow the tables step by step.
    pub fn reserve(&mut self, strings: usize, frames: usize, stacks: usize, stack_frames: usize) {
        self.strings.reserve(strings);
        let hasher = &self.hasher;
        let all = &self.strings;
        self.string_ids
            .reserve(strings, |id| hasher.hash_one(&*all[id.0 as usize]));
        self.frames.reserve(frames);
        self.frame_ids.reserve(frames);
        let all = &self.stack_frames;
        self.stack_ids.reserve(stacks, |&(_, start, len)| {
            hasher.hash_one(&all[start as usize..(start + len) as usize])
        });
        self.stack_ranges.reserve(stacks);
        self.stack_frames.reserve(stack_frames);
    }

    /// Interns a string.
    pub fn intern_str(&mut self, s: &str) -> StrId {
        let hash = self.hasher.hash_one(s);
        let strings = &self.strings;
        if let Some(&id) = self
            .string_ids
            .find(hash, |id| &*strings[id.0 as usize] == s)
        {
            return id;
        }
        let id = StrId(self.strings.len() as u32);
        self.strings.push(s.into());
        let (strings, hasher) = (&self.strings, &self.hasher);
        self.string_ids
            .insert_unique(hash, id, |id| hasher.hash_one(&*strings[id.0 as usize]));
        id
    }

    /// The ids of a function's name and file given as bytes (entries of a
    /// profile's string table), made by `make` the first time these bytes
    /// come: the next profiles of a program list the same functions, and
    /// find their ids by one lookup instead of checking the UTF-8,
    /// normalising the name and looking up both strings again (2,800
    /// functions a heap profile). `make` must only intern (the ids are
    /// then those it would give every time).
    pub fn intern_function_bytes(
        &mut self,
        name: &[u8],
        file: &[u8],
        make: impl FnOnce(&mut Tables) -> (StrId, StrId),
    ) -> (StrId, StrId) {
        let hash = self.hasher.hash_one((name, file));
        let cache = &self.function_bytes;
        if let Some(&(.., f, l)) = cache.entries.find(hash, |&(start, a, b, ..)| {
            PairCache::pair(&cache.bytes, (start, a, b)) == (name, file)
        }) {
            return (f, l);
        }
        let ids = make(self);
        let cache = &mut self.function_bytes;
        let start = cache.bytes.len();
        if start + name.len() + file.len() <= PairCache::MAX_BYTES {
            cache.bytes.extend_from_slice(name);
            cache.bytes.extend_from_slice(file);
            // Within MAX_BYTES: all three fit in u32.
            let entry = (
                start as u32,
                name.len() as u32,
                file.len() as u32,
                ids.0,
                ids.1,
            );
            let (bytes, hasher) = (&cache.bytes, &self.hasher);
            cache
                .entries
                .insert_unique(hash, entry, |&(start, a, b, ..)| {
                    hasher.hash_one(PairCache::pair(bytes, (start, a, b)))
                });
        }
        ids
    }

    /// Looks a string up without interning it.
    pub fn find_str(&self, s: &str) -> Option<StrId> {
        let hash = self.hasher.hash_one(s);
        self.string_ids
            .find(hash, |id| &*self.strings[id.0 as usize] == s)
            .copied()
    }

    /// The text of an interned string.
    pub fn str(&self, id: StrId) -> &str {
        &self.strings[id.0 as usize]
    }

    /// Interns a frame. The function name is normalised with
    /// [`normalize_function_name`] so generic shapes match across formats.
    pub fn intern_frame(&mut self, function: &str, file: &str, line: u32) -> FrameId {
        let function = normalize_function_name(function);
        let frame = Frame {
            function: self.intern_str(&function),
            file: self.intern_str(file),
            line,
        };
        self.intern_frame_ids(frame)
    }

    /// Interns a frame whose strings are already interned here (the
    /// function name already normalised).
    pub fn intern_frame_ids(&mut self, frame: Frame) -> FrameId {
        if let Some(&id) = self.frame_ids.get(&frame) {
            return id;
        }
        let id = FrameId(self.frames.len() as u32);
        self.frames.push(frame);
        self.frame_ids.insert(frame, id);
        id
    }

    /// [`Tables::intern_frame_ids`] for the frame at place `pos` of a
    /// profile's frames (its locations' lines in table order), in the
    /// stream of the last [`Tables::begin_stream`]. The frame at the same
    /// place in the stream's previous profile is compared first: a heap
    /// profile's location table mostly keeps its order from one profile to
    /// the next, and a hit reads that row in order instead of probing the
    /// frame table at a random place (a cache miss per frame). Same ids.
    pub fn intern_frame_at(&mut self, pos: usize, frame: Frame) -> FrameId {
        if let Some(&(f, id)) = self.order.frames.get(pos)
            && f == frame
        {
            return id;
        }
        let id = self.intern_frame_ids(frame);
        let row = &mut self.order.frames;
        // Places the row has not reached (frames interned another way came
        // before) take this pair too: any true pair is a valid guess
        // anywhere.
        if pos >= row.len() {
            row.resize(pos + 1, (frame, id));
        } else {
            row[pos] = (frame, id);
        }
        id
    }

    /// A frame by id.
    pub fn frame(&self, id: FrameId) -> &Frame {
        &self.frames[id.0 as usize]
    }

    /// Function name of a frame.
    pub fn frame_function(&self, id: FrameId) -> &str {
        self.str(self.frame(id).function)
    }

    /// File name of a frame (empty when unknown).
    pub fn frame_file(&self, id: FrameId) -> &str {
        self.str(self.frame(id).file)
    }

    /// Interns a stack given leaf first.
    pub fn intern_stack(&mut self, frames: &[FrameId]) -> StackId {
        let hash = self.hasher.hash_one(frames);
        let all = &self.stack_frames;
        if let Some(&(id, _, _)) = self.stack_ids.find(hash, |&(_, start, len)| {
            len as usize == frames.len() && &all[start as usize..(start + len) as usize] == frames
        }) {
            return id;
        }
        let id = StackId(self.stack_ranges.len() as u32);
        let start = self.stack_frames.len() as u32;
        let len = frames.len() as u32;
        self.stack_frames.extend_from_slice(frames);
        self.stack_ranges.push((start, len));
        let (all, hasher) = (&self.stack_frames, &self.hasher);
        self.stack_ids
            .insert_unique(hash, (id, start, len), |&(_, start, len)| {
                hasher.hash_one(&all[start as usize..(start + len) as usize])
            });
        id
    }

    /// Makes `stream` the stream whose last profile predicts this one's
    /// frames ([`Tables::intern_frame_at`]) and stacks; each stream keeps
    /// its own. [`Tables::begin_sequence`] calls it; a parser that interns
    /// frames first calls it before.
    pub fn begin_stream(&mut self, stream: u32) {
        if self.order.stream != stream {
            let next = match self.parked.iter().position(|o| o.stream == stream) {
                Some(i) => self.parked.swap_remove(i),
                None => StackOrder {
                    stream,
                    ..StackOrder::default()
                },
            };
            let last = std::mem::replace(&mut self.order, next);
            self.parked.push(last);
        }
    }

    /// Starts a profile whose stacks are interned with
    /// [`Tables::intern_stack_in_sequence`].
    /// `stream` tells profiles of different kinds apart: a worker that
    /// reads heap and goroutine profiles in turns (an archive sorted by
    /// time) predicts each from the last one of its kind.
    ///
    /// `context` says what the keys given with this profile's stacks mean
    /// (for a pprof profile: each location id's frames). When it equals the
    /// previous profile's of the stream, [`Tables::predicted_by_key`]
    /// compares keys; `None`: no keys are compared. Keys are kept only
    /// for such a profile (a stream whose context changes every time, as
    /// when new stacks keep shifting a profile's location ids, pays
    /// nothing for them; a steady one uses them from its third profile).
    pub fn begin_sequence(&mut self, stream: u32, context: Option<Vec<u32>>) {
        self.begin_stream(stream);
        let o = &mut self.order;
        std::mem::swap(&mut o.prev, &mut o.cur);
        o.cur.clear();
        std::mem::swap(&mut o.prev_keys, &mut o.cur_keys);
        o.cur_keys.clear();
        o.prev_context = std::mem::replace(&mut o.cur_context, context);
        o.keys_valid = o.cur_context.is_some() && o.prev_context == o.cur_context;
        o.pos.clear();
        o.pos.resize(self.stack_ranges.len(), u32::MAX);
        for (i, s) in o.prev.iter().enumerate() {
            o.pos[s.0 as usize] = i as u32;
        }
        o.next = 0;
    }

    /// [`Tables::intern_stack`] for the stacks of a profile in their order.
    /// Consecutive heap profiles of one process list their samples in much
    /// the same order (the runtime's bucket list, new buckets first), so
    /// the stack at the same place in the previous profile is tried first:
    /// a hit compares frames laid out one after another instead of hashing
    /// and probing the table at a random place (the lookup's cost was its
    /// cache misses). After a miss the prediction moves to where the stack
    /// found stood in the previous profile. Same ids as `intern_stack`.
    /// `key`: the caller's key for this stack (see
    /// [`Tables::predicted_by_key`]).
    pub fn intern_stack_in_sequence(&mut self, frames: &[FrameId], key: Option<&[u8]>) -> StackId {
        if let Some((s, predicted)) = self.predicted_stack()
            && predicted == frames
        {
            return self.accept_predicted(s, key);
        }
        let s = self.intern_stack(frames);
        let o = &mut self.order;
        match o.pos.get(s.0 as usize) {
            Some(&p) if p != u32::MAX => o.next = p as usize + 1,
            _ => {}
        }
        o.cur.push(s);
        if o.keys_valid {
            o.cur_keys.push(key);
        }
        s
    }

    /// The stack [`Tables::intern_stack_in_sequence`] would try first and
    /// its frames, so that a caller can compare a stack with it while
    /// building it; [`Tables::accept_predicted`] then takes it.
    #[inline]
    pub fn predicted_stack(&self) -> Option<(StackId, &[FrameId])> {
        let s = *self.order.prev.get(self.order.next)?;
        Some((s, self.stack(s)))
    }

    /// The predicted stack (see [`Tables::predicted_stack`]) when the key
    /// given with it in the previous profile is `key` and both profiles
    /// were begun with the same context: the caller's key then stands for
    /// the same frames, which need not be built. [`Tables::accept_predicted`]
    /// takes it.
    #[inline]
    pub fn predicted_by_key(&self, key: &[u8]) -> Option<StackId> {
        let o = &self.order;
        if !o.keys_valid || o.prev_keys.get(o.next)? != key {
            return None;
        }
        o.prev.get(o.next).copied()
    }

    /// [`Tables::intern_stack_in_sequence`] for a stack whose frames the
    /// caller found equal to those of `predicted`, which
    /// [`Tables::predicted_stack`] or [`Tables::predicted_by_key`] just
    /// gave.
    #[inline]
    pub fn accept_predicted(&mut self, predicted: StackId, key: Option<&[u8]>) -> StackId {
        let o = &mut self.order;
        debug_assert_eq!(o.prev.get(o.next), Some(&predicted));
        o.next += 1;
        o.cur.push(predicted);
        if o.keys_valid {
            o.cur_keys.push(key);
        }
        predicted
    }

    /// A stack's frames, leaf (innermost) first.
    pub fn stack(&self, id: StackId) -> &[FrameId] {
        let (start, len) = self.stack_ranges[id.0 as usize];
        &self.stack_frames[start as usize..(start + len) as usize]
    }

    /// Number of distinct strings, frames and stacks.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.strings.len(),
            self.frames.len(),
            self.stack_ranges.len(),
        )
    }
}

/// Normalises a Go function name so the same function matches across
/// formats: every bracketed group (generic type arguments, which protobuf
/// profiles print as full shapes such as `[go.shape.struct { A int }]` and
/// text dumps print as `[...]`) becomes `[...]`.
pub fn normalize_function_name(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.contains('[') {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '[' => {
                if depth == 0 {
                    out.push_str("[...]");
                }
                depth += 1;
            }
            ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_shapes_normalise() {
        assert_eq!(
            normalize_function_name("main.Alloc[go.shape.struct { A int; B int }]"),
            "main.Alloc[...]"
        );
        assert_eq!(
            normalize_function_name("main.(*Box[go.shape.string]).Send"),
            "main.(*Box[...]).Send"
        );
        assert_eq!(
            normalize_function_name("main.(*Box[...]).Send"),
            "main.(*Box[...]).Send"
        );
        assert_eq!(
            normalize_function_name("m.F[map[string][]int,go.shape.int]"),
            "m.F[...]"
        );
        assert_eq!(
            normalize_function_name("main.main.func1"),
            "main.main.func1"
        );
    }

    /// Frames `main.f0` … `main.f{n-1}` (m.go, line i) interned in `t`.
    fn numbered_frames(t: &mut Tables, n: u32) -> Vec<FrameId> {
        (0..n)
            .map(|i| t.intern_frame(&format!("main.f{i}"), "m.go", i))
            .collect()
    }

    #[test]
    fn stacks_in_sequence_get_the_ids_of_intern_stack() {
        let mut t = Tables::new();
        let f = numbered_frames(&mut t, 8);
        let stacks: Vec<Vec<FrameId>> = (0..8).map(|i| vec![f[i], f[(i + 1) % 8]]).collect();
        let mut plain = Tables::new();
        numbered_frames(&mut plain, 8);
        // Profiles: in order, with one stack new at the front, one gone,
        // reordered, repeated.
        let orders: [&[usize]; 5] = [
            &[0, 1, 2, 3],
            &[4, 0, 1, 2, 3],
            &[4, 0, 2, 3],
            &[3, 2, 0, 4],
            &[3, 3, 5, 6, 7, 0],
        ];
        // The same profiles as one stream, then as two read in turns.
        for (i, order) in orders.iter().chain(orders.iter()).enumerate() {
            let stream = if i < orders.len() {
                0
            } else {
                (i % 2) as u32 + 1
            };
            t.begin_sequence(stream, None);
            for &k in *order {
                let got = t.intern_stack_in_sequence(&stacks[k], None);
                assert_eq!(got, plain.intern_stack(&stacks[k]), "{order:?} {k}");
                assert_eq!(t.stack(got), &stacks[k][..]);
            }
        }
        assert_eq!(t.sizes(), plain.sizes());
    }

    #[test]
    fn function_bytes_are_made_once_per_pair_and_keep_their_ids() {
        let mut t = Tables::new();
        let made = std::cell::Cell::new(0);
        let make = |t: &mut Tables, name: &str, file: &str| {
            t.intern_function_bytes(name.as_bytes(), file.as_bytes(), |t| {
                made.set(made.get() + 1);
                (t.intern_str(name), t.intern_str(file))
            })
        };
        let a = make(&mut t, "main.f", "a.go");
        let b = make(&mut t, "main.f", "b.go");
        // The same bytes split elsewhere are another pair.
        let c = make(&mut t, "main.fa", ".go");
        let again = make(&mut t, "main.f", "a.go");
        assert_eq!(made.get(), 3);
        assert_eq!(a, again);
        assert_eq!(a, (t.intern_str("main.f"), t.intern_str("a.go")));
        assert_eq!(b, (t.intern_str("main.f"), t.intern_str("b.go")));
        assert_eq!(c, (t.intern_str("main.fa"), t.intern_str(".go")));
        // Many pairs (the table grows and rehashes): each still found.
        for i in 0..2000 {
            let name = format!("pkg.fn{i}");
            make(&mut t, &name, "x.go");
        }
        let before = made.get();
        for i in (0..2000).rev() {
            let name = format!("pkg.fn{i}");
            let ids = make(&mut t, &name, "x.go");
            assert_eq!(t.str(ids.0), name);
        }
        assert_eq!(made.get(), before);
    }

    #[test]
    fn frames_by_place_are_the_frames_interned() {
        let mut t = Tables::new();
        let f = |t: &mut Tables, name: &str, line: u32| Frame {
            function: t.intern_str(name),
            file: t.intern_str("m.go"),
            line,
        };
        let (a, b, c, d) = (
            f(&mut t, "a", 1),
            f(&mut t, "b", 2),
            f(&mut t, "c", 3),
            f(&mut t, "a", 4),
        );
        // One profile's frames in place order, after `skip` places taken
        // by frames interned another way.
        let row = |t: &mut Tables, stream: u32, skip: usize, frames: &[Frame]| -> Vec<FrameId> {
            t.begin_stream(stream);
            (skip..)
                .zip(frames)
                .map(|(i, &fr)| t.intern_frame_at(i, fr))
                .collect()
        };
        let first = row(&mut t, 1, 0, &[a, b, c]);
        // The next profile of the stream: a new frame first, the rest moved
        // one place on; and a place whose frame changed.
        let second = row(&mut t, 1, 0, &[d, a, c]);
        // Another stream between them does not disturb this one's row.
        let other = row(&mut t, 2, 0, &[b]);
        let third = row(&mut t, 1, 0, &[d, c, c]);
        // Places past the row's end.
        let fourth = row(&mut t, 1, 5, &[b, a]);
        let fifth = row(&mut t, 1, 0, &[a, a, a, a, a, a, a]);
        let ids = |t: &mut Tables, frames: &[Frame]| -> Vec<FrameId> {
            frames.iter().map(|&fr| t.intern_frame_ids(fr)).collect()
        };
        assert_eq!(first, ids(&mut t, &[a, b, c]));
        assert_eq!(second, ids(&mut t, &[d, a, c]));
        assert_eq!(other, ids(&mut t, &[b]));
        assert_eq!(third, ids(&mut t, &[d, c, c]));
        assert_eq!(fourth, ids(&mut t, &[b, a]));
        assert_eq!(fifth, ids(&mut t, &[a; 7]));
        assert_eq!(t.frames.len(), 4);
    }

    /// Keys are offered only at the predicted place, only when the
    /// previous profile of the stream had the same context, and only as
    /// given: a profile without keys, or a stack given none, offers none.
    #[test]
    fn keys_predict_only_under_the_same_context() {
        let mut t = Tables::new();
        let f = numbered_frames(&mut t, 4);
        let stacks: Vec<StackId> = (0..4).map(|i| t.intern_stack(&f[i..])).collect();
        let key = |k: usize| [b'k', k as u8];
        // One profile of the stream: stacks 0..4, stack 2 without a key.
        let profile = |t: &mut Tables, context: Option<Vec<u32>>| {
            t.begin_sequence(7, context);
            for k in 0..4 {
                let given = (k != 2).then(|| key(k));
                t.intern_stack_in_sequence(&f[k..], given.as_ref().map(|g| &g[..]));
            }
        };
        // The first profile of a context keeps no keys: the stream may
        // not be steady.
        profile(&mut t, Some(vec![1, 2]));
        t.begin_sequence(7, Some(vec![1, 2]));
        assert_eq!(t.predicted_by_key(&key(0)), None);
        profile(&mut t, Some(vec![1, 2]));
        // Same context: the key of the predicted place, and only it.
        t.begin_sequence(7, Some(vec![1, 2]));
        assert_eq!(t.predicted_by_key(&key(1)), None);
        assert_eq!(t.predicted_by_key(&key(0)), Some(stacks[0]));
        t.accept_predicted(stacks[0], Some(&key(0)));
        assert_eq!(t.predicted_by_key(&key(1)), Some(stacks[1]));
        t.accept_predicted(stacks[1], Some(&key(1)));
        // Stack 2 had no key: nothing to compare with.
        assert_eq!(t.predicted_by_key(&key(2)), None);
        assert_eq!(t.intern_stack_in_sequence(&f[2..], None), stacks[2]);
        assert_eq!(t.predicted_by_key(&key(3)), Some(stacks[3]));
        assert_eq!(
            t.intern_stack_in_sequence(&f[3..], Some(&key(3))),
            stacks[3]
        );
        // Another stream in between keeps this one's keys.
        profile(&mut t, Some(vec![1, 2]));
        t.begin_sequence(8, Some(vec![1, 2]));
        t.begin_sequence(7, Some(vec![1, 2]));
        assert_eq!(t.predicted_by_key(&key(0)), Some(stacks[0]));
        // Another context, or none: keys are not compared.
        profile(&mut t, Some(vec![1, 2]));
        t.begin_sequence(7, Some(vec![1, 3]));
        assert_eq!(t.predicted_by_key(&key(0)), None);
        profile(&mut t, None);
        t.begin_sequence(7, None);
        assert_eq!(t.predicted_by_key(&key(0)), None);
    }

    /// Two workers' tables, shipped as deltas and mapped on first use:
    /// archive ids follow the order of use, and every id names what it
    /// named in its worker's tables.
    #[test]
    fn deltas_mirrors_and_lazy_remaps() {
        let mut workers = [Tables::new(), Tables::new()];
        let mut marks = [Mark::default(); 2];
        let mut mirrors = [Mirror::default(), Mirror::default()];
        let mut archive = Tables::new();
        let mut buf = Vec::new();
        // Worker 1 interns first, but worker 0's snapshot is merged first.
        let f1 = workers[1].intern_frame("main.b", "b.go", 2);
        let s1 = workers[1].intern_stack(&[f1]);
        let fa = workers[0].intern_frame("main.a", "a.go", 1);
        let fb = workers[0].intern_frame("main.b", "b.go", 2);
        let s0 = workers[0].intern_stack(&[fa, fb]);
        for w in 0..2 {
            let d = workers[w].delta_since(marks[w]);
            marks[w] = workers[w].mark();
            mirrors[w].apply(d);
        }
        let mut m0 = LazyRemap {
            mirror: &mut mirrors[0],
            target: &mut archive,
            buf: &mut buf,
        };
        let a0 = m0.stack(s0);
        let mut m1 = LazyRemap {
            mirror: &mut mirrors[1],
            target: &mut archive,
            buf: &mut buf,
        };
        let a1 = m1.stack(s1);
        assert_eq!((a0, a1), (StackId(0), StackId(1)));
        let names = |t: &Tables, s: StackId| -> Vec<String> {
            t.stack(s)
                .iter()
                .map(|&f| {
                    format!(
                        "{}@{}:{}",
                        t.frame_function(f),
                        t.frame_file(f),
                        t.frame(f).line
                    )
                })
                .collect()
        };
        assert_eq!(names(&archive, a0), names(&workers[0], s0));
        assert_eq!(names(&archive, a1), names(&workers[1], s1));
        // main.b is one frame in the archive, whichever worker named it.
        assert_eq!(archive.stack(a1)[0], archive.stack(a0)[1]);
        // A second delta carries only what is new; a table that is not
        // the one marked is sent whole, with a reset.
        let again = workers[0].intern_stack(&[fa, fb]);
        assert_eq!(again, s0);
        let d = workers[0].delta_since(marks[0]);
        assert!(!d.reset && d.strings.is_empty() && d.stack_lens.is_empty());
        let fresh = Tables::new();
        let d = fresh.delta_since(marks[0]);
        assert!(d.reset && d.strings.len() == 1);
        mirrors[0].apply(d);
        assert!(mirrors[0].stack_ranges.is_empty());
    }
}
