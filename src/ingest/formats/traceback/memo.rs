//! Blocks read just before: most goroutines of a `debug=2` dump repeat the
//! exact text of a goroutine printed shortly before (a pool's goroutines
//! have consecutive ids, share their stack and, often, their arguments). The
//! text after a block's header line is compared with the bodies of the last
//! few blocks read; when one of them follows, up to the blank line that ends
//! it, its outcome (stack, `created by`, flags) is reused and its lines are
//! skipped without being parsed.
//!
//! One `memcmp` per candidate, no hashing and no search for the block's
//! end: a block that repeats nothing costs a byte comparison or two per
//! candidate (the byte right after a remembered body must be the newline of
//! the blank line). Only bodies read without any warning, under a header
//! without a log prefix, and that ended exactly at an empty line are
//! remembered, so reusing one gives the result a fresh parse of the same
//! bytes would.

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

/// How many recent bodies are compared: pools whose goroutines interleave
/// (two kinds started in turns) still hit.
const RECENT: usize = 4;

/// The bodies of the last few blocks read cleanly.
#[derive(Default)]
pub(super) struct BlockMemo<'a> {
    recent: [Option<(&'a [u8], Outcome)>; RECENT],
    /// Where the next body goes (the oldest is replaced).
    next: usize,
}

impl<'a> BlockMemo<'a> {
    /// The outcome and length of a remembered body that `rest` (the text
    /// right after a header line) starts with, followed by an empty line.
    #[inline]
    pub fn recall(&self, rest: &[u8]) -> Option<(Outcome, usize)> {
        self.recent.iter().flatten().find_map(|&(body, o)| {
            (rest.get(body.len()) == Some(&b'\n') && rest.starts_with(body))
                .then_some((o, body.len()))
        })
    }

    /// Remembers the outcome of a body read cleanly (`body` ends with the
    /// newline of its last line; an empty line follows it in the text).
    pub fn insert(&mut self, body: &'a [u8], outcome: Outcome) {
        self.recent[self.next] = Some((body, outcome));
        self.next = (self.next + 1) % RECENT;
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
    fn a_body_matches_only_when_an_empty_line_follows_it() {
        let mut memo = BlockMemo::default();
        let body = &b"main.f()\n\t/m.go:1\n"[..];
        memo.insert(body, outcome(2));
        assert_eq!(
            memo.recall(b"main.f()\n\t/m.go:1\n\ngoroutine 2 [x]:\n"),
            Some((outcome(2), body.len()))
        );
        // More frames follow: another stack.
        assert_eq!(memo.recall(b"main.f()\n\t/m.go:1\nmain.g()\n"), None);
        // The text ends without the empty line.
        assert_eq!(memo.recall(b"main.f()\n\t/m.go:1\n"), None);
        // Other arguments.
        assert_eq!(memo.recall(b"main.f(0x1)\n\t/m.go:1\n\n"), None);
    }

    #[test]
    fn keeps_the_last_few_bodies() {
        let mut memo = BlockMemo::default();
        let bodies: Vec<Vec<u8>> = (0..RECENT + 1)
            .map(|i| format!("main.f({i})\n").into_bytes())
            .collect();
        for (i, b) in bodies.iter().enumerate() {
            memo.insert(b, outcome(i));
        }
        let with_end = |b: &[u8]| [b, b"\n"].concat();
        // The first was pushed out by the last.
        assert_eq!(memo.recall(&with_end(&bodies[0])), None);
        for (i, b) in bodies.iter().enumerate().skip(1) {
            assert_eq!(memo.recall(&with_end(b)), Some((outcome(i), b.len())));
        }
    }
}
