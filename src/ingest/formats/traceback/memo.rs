//! Block bodies read before, up to their arguments: the goroutines of a
//! `debug=2` dump come in a few hundred kinds (a pool's goroutines share
//! their stack) but their text rarely repeats byte for byte, because each
//! function line prints that goroutine's arguments (`main.f(0xc000123450,
//! 0x2?)`) and each `created by … in goroutine N` its creator. What a block
//! gives (its stack, its creator function, its flags) depends only on the
//! rest of the text: the function names before the last `(`, the file
//! lines, the other lines.
//!
//! So a body read cleanly becomes a *skeleton*: its bytes with the argument
//! lists of its function lines and the goroutine numbers of its `created by`
//! line left open. The text after a later header is compared with the
//! skeletons whose first line starts the same way; when one fits (every
//! fixed byte equal, each open argument list a run of bytes without `(` or a
//! newline that ends with `)`, each open goroutine number a run of digits)
//! and an empty line follows, the body's outcome is reused and its lines
//! are skipped without being classified, split or looked up. A dump of
//! 70,000 goroutines in 300 kinds parses ~300 bodies.
//!
//! Only bodies read without any warning, under a header without a log
//! prefix, and that ended exactly at an empty line become skeletons, so
//! reusing one gives the result a fresh parse of the same bytes would: the
//! parser takes a function line's name as the text before its last `(`,
//! and an open argument list holds no `(`; lines are checked against the
//! line length limit as the parser would.

use super::lines::parse_func_line;
use crate::ingest::formats::textutil::fxhash::{FxHashMap, FxHasher};
use crate::ingest::formats::textutil::rfind;
use crate::model::{FrameId, StackId};
use std::hash::Hasher;
use wide::u8x16;

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

/// What follows a piece of fixed text in a skeleton.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    /// Nothing: the end of the body.
    End,
    /// A function line's arguments after its `(`: up to the newline, no
    /// `(`, ending with `)`.
    Args,
    /// A `created by`'s goroutine number: 1 to 19 digits up to the newline.
    Digits,
}

/// Fixed bytes, then an open part.
#[derive(Clone, Copy, Debug)]
struct Piece {
    fixed: u32,
    open: Open,
    /// Bytes of the open part's line before it (for the line length limit).
    line_head: u32,
}

/// One body with its open parts.
struct Skeleton {
    /// The fixed bytes of all pieces, one after another.
    fixed: Box<[u8]>,
    pieces: Box<[Piece]>,
    outcome: Outcome,
}

impl Skeleton {
    /// Builds the skeleton of `body` (whole lines, each with its `\n`).
    /// `None` when its first line's key bytes are not fixed.
    fn of(body: &[u8], outcome: Outcome) -> Option<Skeleton> {
        let mut fixed = Vec::with_capacity(body.len());
        let mut pieces = Vec::new();
        let mut run = 0usize;
        let mut at = 0;
        while at < body.len() {
            let end = memchr::memchr(b'\n', &body[at..]).map_or(body.len(), |i| at + i);
            let line = &body[at..end];
            if let Some(open_at) = open_part(line) {
                let (head, open) = open_at;
                fixed.extend_from_slice(&line[..head]);
                pieces.push(Piece {
                    fixed: u32::try_from(run + head).ok()?,
                    open,
                    line_head: u32::try_from(head).ok()?,
                });
                run = 0;
            } else {
                fixed.extend_from_slice(line);
                run += line.len();
            }
            // The newline (the next piece's first fixed byte).
            if end < body.len() {
                fixed.push(b'\n');
                run += 1;
            }
            at = end + 1;
        }
        pieces.push(Piece {
            fixed: u32::try_from(run).ok()?,
            open: Open::End,
            line_head: 0,
        });
        let skeleton = Skeleton {
            fixed: fixed.into_boxed_slice(),
            pieces: pieces.into_boxed_slice(),
            outcome,
        };
        // The bytes that pick it (and the `(` or newline after them) must be
        // fixed, or the same text would not find it.
        let key = key_len(&skeleton.fixed);
        let first = skeleton.pieces[0].fixed as usize;
        (key < first || (key == KEY_MAX && key <= first)).then_some(skeleton)
    }

    /// The length of the body at the start of `rest` that fits this
    /// skeleton, when an empty line follows it.
    #[inline]
    fn fit(&self, rest: &[u8], max_line: usize) -> Option<usize> {
        let (mut pos, mut f) = (0usize, 0usize);
        for p in self.pieces.iter() {
            let n = p.fixed as usize;
            if !same(rest.get(pos..pos + n)?, &self.fixed[f..f + n]) {
                return None;
            }
            pos += n;
            f += n;
            let len = match p.open {
                Open::End => break,
                Open::Args => {
                    // Up to the newline, with no `(` before it.
                    let part = &rest[pos..];
                    let len = paren_or_newline(part)?;
                    if part[len] != b'\n' || len == 0 || part[len - 1] != b')' {
                        return None;
                    }
                    len
                }
                Open::Digits => {
                    let len = rest[pos..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    if !(1..=19).contains(&len) || rest.get(pos + len) != Some(&b'\n') {
                        return None;
                    }
                    len
                }
            };
            if p.line_head as usize + len > max_line {
                return None;
            }
            pos += len;
        }
        (rest.get(pos) == Some(&b'\n')).then_some(pos)
    }
}

/// `a == b` for two slices of the same length: 32 bytes a step (two SSE2
/// compares, `wide` on the baseline target), the last 16 to 31 in two
/// overlapping blocks, fewer than 16 in two overlapping words. The pieces
/// compared are short (a line or two), where a `memcmp` call costs more
/// than the comparison (16 bytes a step as two 64-bit words took 1.4
/// instructions a byte of `debug=2` text).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    let block = |s: &[u8], at: usize| u8x16::new(s[at..at + 16].try_into().unwrap_or_default());
    if n >= 16 {
        let mut at = 0;
        while n - at >= 32 {
            let eq =
                block(a, at).simd_eq(block(b, at)) & block(a, at + 16).simd_eq(block(b, at + 16));
            if eq.to_bitmask() != 0xFFFF {
                return false;
            }
            at += 32;
        }
        // 0 to 31 bytes left: one or two blocks of 16 ending at `n`
        // (overlapping what was compared).
        let tail = n - 16;
        let mid = at.min(tail);
        let eq = block(a, mid).simd_eq(block(b, mid)) & block(a, tail).simd_eq(block(b, tail));
        return eq.to_bitmask() == 0xFFFF;
    }
    if n >= 8 {
        let word =
            |s: &[u8], at: usize| u64::from_ne_bytes(s[at..at + 8].try_into().unwrap_or_default());
        return word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8);
    }
    if n >= 4 {
        let word =
            |s: &[u8], at: usize| u32::from_ne_bytes(s[at..at + 4].try_into().unwrap_or_default());
        return word(a, 0) == word(b, 0) && word(a, n - 4) == word(b, n - 4);
    }
    a[..n] == b[..n]
}

/// Where a body line's open part starts, and its kind: after the last `(`
/// of a function line, after ` in goroutine ` of a `created by` line.
fn open_part(line: &[u8]) -> Option<(usize, Open)> {
    match line.first()? {
        b'\t' | b' ' => None,
        _ if line.starts_with(b"created by ") => {
            let i = rfind(line, b" in goroutine ")? + b" in goroutine ".len();
            let digits = &line[i..];
            ((1..=19).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit))
                .then_some((i, Open::Digits))
        }
        _ if line.last() == Some(&b')') => {
            let name = parse_func_line(line)?;
            Some((name.len() + 1, Open::Args))
        }
        _ => None,
    }
}

/// The first `(` or newline of `hay`: sixteen bytes at a time (one SSE2
/// compare per byte sought, `wide` on the baseline target), then eight
/// (a word), then one. The runs searched (an argument list, a function
/// name) are a few dozen bytes, where setting up `memchr2` costs more than
/// the search; this was a quarter of the skeleton fits' time eight bytes
/// at a time.
#[inline]
fn paren_or_newline(hay: &[u8]) -> Option<usize> {
    let (open, newline) = (u8x16::splat(b'('), u8x16::splat(b'\n'));
    let mut blocks = hay.chunks_exact(16);
    let mut at = 0;
    for b in &mut blocks {
        let v = u8x16::new(b.try_into().unwrap_or_default());
        let hit = (v.simd_eq(open) | v.simd_eq(newline)).to_bitmask();
        if hit != 0 {
            return Some(at + hit.trailing_zeros() as usize);
        }
        at += 16;
    }
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has = |w: u64, c: u8| {
        let x = w ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    let mut words = blocks.remainder().chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
        let hit = has(w, b'(') | has(w, b'\n');
        if hit != 0 {
            // The lowest flagged byte is a true match (borrows only run
            // upwards, past it).
            return Some(at + hit.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'(' || b == b'\n')
        .map(|i| at + i)
}

/// How many first bytes of a body pick its skeletons: up to the first `(`
/// or newline, at most [`KEY_MAX`].
#[inline]
fn key_len(rest: &[u8]) -> usize {
    let window = &rest[..rest.len().min(KEY_MAX)];
    paren_or_newline(window).unwrap_or(window.len())
}

const KEY_MAX: usize = 64;

/// The hash of the first bytes of `body` that pick its skeletons.
#[inline]
fn key_of(body: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(&body[..key_len(body)]);
    h.finish()
}

/// Skeletons compared per key, most recently used first.
const PER_KEY: usize = 8;

/// Skeletons kept in all; reaching it starts over (a dump of that many
/// kinds gains little from them).
const MAX_SKELETONS: usize = 8192;

/// The skeletons of the bodies read cleanly so far.
#[derive(Default)]
pub(super) struct BlockMemo {
    skeletons: Vec<Skeleton>,
    /// The hash of a body's first bytes ([`key_len`]) → its skeletons (a
    /// skeleton holds those bytes: a collision costs one failed fit).
    by_key: FxHashMap<u64, Vec<u32>>,
    /// The skeleton the last body fitted or made: tried first, since a
    /// pool's goroutines are printed one after another. (Which of several
    /// fitting skeletons is taken does not matter: a body fits a skeleton
    /// only where its text parses as the skeleton's body did.)
    last: Option<u32>,
}

impl BlockMemo {
    /// The outcome and length of a body at the start of `rest` (the text
    /// right after a header line) that fits a skeleton, followed by an
    /// empty line. `max_line`: the line length limit.
    #[inline]
    pub fn recall(&mut self, rest: &[u8], max_line: usize) -> Option<(Outcome, usize)> {
        if let Some(sk) = self.last.and_then(|s| self.skeletons.get(s as usize))
            && let Some(len) = sk.fit(rest, max_line)
        {
            return Some((sk.outcome, len));
        }
        let list = self.by_key.get_mut(&key_of(rest))?;
        for (i, &s) in list.iter().enumerate() {
            let sk = &self.skeletons[s as usize];
            if let Some(len) = sk.fit(rest, max_line) {
                let outcome = sk.outcome;
                if i > 0 {
                    list[..=i].rotate_right(1);
                }
                self.last = Some(s);
                return Some((outcome, len));
            }
        }
        None
    }

    /// Remembers the outcome of a body read cleanly (`body` ends with the
    /// newline of its last line; an empty line follows it in the text).
    pub fn insert(&mut self, body: &[u8], outcome: Outcome) {
        let Some(sk) = Skeleton::of(body, outcome) else {
            return;
        };
        if self.skeletons.len() >= MAX_SKELETONS {
            self.skeletons.clear();
            self.by_key.clear();
        }
        let key = key_of(&sk.fixed);
        let s = self.skeletons.len() as u32;
        self.last = Some(s);
        self.skeletons.push(sk);
        let list = self.by_key.entry(key).or_default();
        list.insert(0, s);
        list.truncate(PER_KEY);
    }

    /// How many skeletons are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.skeletons.len()
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

    const MAX: usize = 1 << 20;

    #[test]
    fn same_finds_a_difference_at_any_byte_of_any_length() {
        for n in 0..100 {
            let a: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
            assert!(same(&a, &a.clone()), "{n} bytes equal");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!same(&a, &b), "{n} bytes, byte {at} differs");
            }
        }
    }

    #[test]
    fn a_body_matches_only_when_an_empty_line_follows_it() {
        let mut memo = BlockMemo::default();
        let body = &b"main.f()\n\t/m.go:1\n"[..];
        memo.insert(body, outcome(2));
        assert_eq!(
            memo.recall(b"main.f()\n\t/m.go:1\n\ngoroutine 2 [x]:\n", MAX),
            Some((outcome(2), body.len()))
        );
        // More frames follow: another stack.
        assert_eq!(memo.recall(b"main.f()\n\t/m.go:1\nmain.g()\n", MAX), None);
        // The text ends without the empty line.
        assert_eq!(memo.recall(b"main.f()\n\t/m.go:1\n", MAX), None);
        // Another file line, another function.
        assert_eq!(memo.recall(b"main.f()\n\t/m.go:2\n\n", MAX), None);
        assert_eq!(memo.recall(b"main.g()\n\t/m.go:1\n\n", MAX), None);
        assert_eq!(memo.recall(b"main.ff()\n\t/m.go:1\n\n", MAX), None);
    }

    #[test]
    fn arguments_and_creator_numbers_are_open() {
        let mut memo = BlockMemo::default();
        let body = b"main.(*T).f(0xc0001, {0x2?, 0x3})\n\t/m.go:1 +0x1d\nmain.g(...)\n\t/m.go:9\ncreated by main.h in goroutine 7\n\t/m.go:20 +0x5\n";
        memo.insert(body, outcome(6));
        let other = b"main.(*T).f(0xc0004567, 0x8)\n\t/m.go:1 +0x1d\nmain.g(0x1)\n\t/m.go:9\ncreated by main.h in goroutine 12345\n\t/m.go:20 +0x5\n\ngoroutine";
        let len = other.len() - b"\ngoroutine".len();
        assert_eq!(memo.recall(other, MAX), Some((outcome(6), len)));
        // A `(` in the arguments would change the name the parser reads.
        let paren = b"main.(*T).f(0x1)(0x2)\n\t/m.go:1 +0x1d\nmain.g()\n\t/m.go:9\ncreated by main.h in goroutine 7\n\t/m.go:20 +0x5\n\n";
        assert_eq!(memo.recall(paren, MAX), None);
        // A function line must end with `)`.
        let open = b"main.(*T).f(0x1\n\t/m.go:1 +0x1d\nmain.g()\n\t/m.go:9\ncreated by main.h in goroutine 7\n\t/m.go:20 +0x5\n\n";
        assert_eq!(memo.recall(open, MAX), None);
        // Not a number.
        let creator = b"main.(*T).f()\n\t/m.go:1 +0x1d\nmain.g()\n\t/m.go:9\ncreated by main.h in goroutine x\n\t/m.go:20 +0x5\n\n";
        assert_eq!(memo.recall(creator, MAX), None);
        // A line over the limit is not taken.
        let long = b"main.(*T).f(0x1111111111111111111111)\n\t/m.go:1 +0x1d\nmain.g()\n\t/m.go:9\ncreated by main.h in goroutine 7\n\t/m.go:20 +0x5\n\n";
        assert!(memo.recall(long, 37).is_some());
        assert_eq!(memo.recall(long, 36), None);
    }

    #[test]
    fn finds_the_first_paren_or_newline() {
        let text = b"main.(*T).f(0x1, 0x2)\nmain.g(0x3)\n";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let hay = &text[start..end];
                let want = hay.iter().position(|&b| b == b'(' || b == b'\n');
                assert_eq!(paren_or_newline(hay), want, "{start}..{end}");
            }
        }
        // Bytes next to the searched ones, and high bytes.
        let hay = b"\x27\x29\x09\x0b\xff\x80\x81abcdefgh\xa8\x8a\n";
        assert_eq!(paren_or_newline(hay), Some(hay.len() - 1));
    }

    #[test]
    fn the_last_skeleton_is_tried_first_and_only_taken_when_it_fits() {
        let mut memo = BlockMemo::default();
        let a = &b"main.a(0x1)\n\t/m.go:1\n"[..];
        let b = &b"main.b(0x1)\n\t/m.go:2\n"[..];
        // Same start as `a`, another file line: another stack.
        let a2 = &b"main.a(0x1)\n\t/m.go:3\n"[..];
        memo.insert(a, outcome(1));
        memo.insert(b, outcome(2));
        memo.insert(a2, outcome(3));
        let text = |body: &[u8]| [body, b"\n"].concat();
        for (body, want) in [
            (a, 1),
            (b, 2),
            (b, 2),
            (a2, 3),
            (a, 1),
            (a, 1),
            (a2, 3),
            (b, 2),
        ] {
            assert_eq!(
                memo.recall(&text(body), MAX),
                Some((outcome(want), body.len())),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(memo.recall(b"main.c(0x1)\n\t/m.go:1\n\n", MAX), None);
    }

    #[test]
    fn several_kinds_under_one_key() {
        let mut memo = BlockMemo::default();
        let bodies: Vec<Vec<u8>> = (0..PER_KEY + 1)
            .map(|i| format!("main.f(0x{i})\n\t/m.go:{i}\n").into_bytes())
            .collect();
        for (i, b) in bodies.iter().enumerate() {
            memo.insert(b, outcome(i));
        }
        assert_eq!(memo.len(), PER_KEY + 1);
        let with_end = |b: &[u8]| [b, b"\n"].concat();
        // The first was pushed out of its key's list by the last.
        assert_eq!(memo.recall(&with_end(&bodies[0]), MAX), None);
        for (i, b) in bodies.iter().enumerate().skip(1) {
            assert_eq!(memo.recall(&with_end(b), MAX), Some((outcome(i), b.len())));
        }
    }
}
