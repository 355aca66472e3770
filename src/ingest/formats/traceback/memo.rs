//! Blocks read before: most goroutines of a `debug=2` dump repeat the
//! exact text of another one (a pool's goroutines share their stack and,
//! often, their arguments). A block's body (the bytes after its header line
//! up to the blank line that ends it) is looked up by its bytes; when the
//! same body was read cleanly before, its outcome (stack, `created by`,
//! flags) is reused and the lines are skipped without being parsed.
//!
//! Only bodies that were read without any warning, under a header without
//! a log prefix, and that ended exactly at an empty line are remembered, so
//! reusing one gives the result a fresh parse of the same bytes would. The
//! memo switches itself off when a dump has too few repeats (under a quarter) for it to pay
//! (every goroutine with its own argument values).

use super::super::textutil::fxhash::FxHashMap;
use crate::model::{FrameId, StackId};

/// What reading one block body gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Outcome {
    /// The stack.
    pub stack: StackId,
    /// The `created by` frame.
    pub created_by: Option<FrameId>,
    /// Frames were elided (`...additional frames elided...`).
    pub elided: bool,
    /// The stack was cut at the depth limit.
    pub cut: bool,
    /// No frame at all (counted as an empty block).
    pub empty: bool,
    /// Lines in the body.
    pub lines: usize,
}

/// Lookups before the memo judges whether it pays (then after every
/// miss): a dump of a few thousand goroutines must not pay the hashing of
/// all of its blocks to learn that they do not repeat.
const TRIAL: usize = 256;

/// Bodies read before, by their bytes.
pub(super) struct BlockMemo<'a> {
    seen: FxHashMap<&'a [u8], Outcome>,
    lookups: usize,
    hits: usize,
    off: bool,
}

/// Off for now: on the benchmark corpus (30 `debug=2` dumps, 1.1 GB) the
/// memo made `inspect` slower, 2.38 s against 1.38 s without it (hashing
/// every body costs more than the per-depth frame memo saves already).
/// Kept, tested, for the rework of issue 14.
impl Default for BlockMemo<'_> {
    fn default() -> Self {
        BlockMemo {
            seen: FxHashMap::default(),
            lookups: 0,
            hits: 0,
            off: true,
        }
    }
}

impl BlockMemo<'_> {
    /// A memo that is on (for its tests).
    #[cfg(test)]
    fn on() -> Self {
        BlockMemo {
            off: false,
            ..BlockMemo::default()
        }
    }
}

impl<'a> BlockMemo<'a> {
    /// The body of the block whose header line was just read: `rest` is
    /// the text after that line. `None` when the memo is off or no empty
    /// line ends a body in `rest`.
    pub fn body(&self, rest: &'a [u8]) -> Option<&'a [u8]> {
        if self.off {
            return None;
        }
        memchr::memmem::find(rest, b"\n\n").map(|e| &rest[..=e])
    }

    /// The outcome of a body read before.
    pub fn get(&mut self, body: &[u8]) -> Option<Outcome> {
        self.lookups += 1;
        let got = self.seen.get(body).copied();
        if got.is_some() {
            self.hits += 1;
        } else if self.lookups >= TRIAL && self.hits * 4 < self.lookups {
            // Fewer than one block in four repeats: finding and hashing
            // the bodies costs more than it saves.
            self.off = true;
            self.seen = FxHashMap::default();
        }
        got
    }

    /// Remembers the outcome of a body read cleanly.
    pub fn insert(&mut self, body: &'a [u8], outcome: Outcome) {
        if !self.off {
            self.seen.insert(body, outcome);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(lines: usize) -> Outcome {
        Outcome {
            stack: StackId(0),
            created_by: None,
            elided: false,
            cut: false,
            empty: false,
            lines,
        }
    }

    #[test]
    fn a_body_ends_at_the_first_empty_line() {
        let memo = BlockMemo::on();
        let rest = b"main.f()\n\t/m.go:1\n\ngoroutine 2 [x]:\n";
        assert_eq!(memo.body(rest), Some(&b"main.f()\n\t/m.go:1\n"[..]));
        assert_eq!(memo.body(b"main.f()\n\t/m.go:1\n"), None);
    }

    #[test]
    fn remembers_and_gives_up_without_repeats() {
        let mut memo = BlockMemo::on();
        let bodies: Vec<Vec<u8>> = (0..TRIAL + 2)
            .map(|i| format!("main.f({i})\n").into_bytes())
            .collect();
        assert_eq!(memo.get(&bodies[0]), None);
        memo.insert(&bodies[0], outcome(1));
        assert_eq!(memo.get(&bodies[0]), Some(outcome(1)));
        for b in &bodies[1..] {
            assert_eq!(memo.get(b), None);
            memo.insert(b, outcome(1));
        }
        assert!(memo.off);
        assert_eq!(memo.body(b"x\n\n"), None);
        assert_eq!(memo.get(&bodies[0]), None);
    }
}
