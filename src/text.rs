//! Text policy for untrusted text: everything taken from a dump (function
//! and file names, labels, paths, skip reasons, and the notes and sentences
//! that embed them). A leaf module: it imports nothing from the rest of the
//! crate.
//!
//! One rule for every human-facing output (HTML page and its templates, SVG
//! charts, flame graph frame names, Markdown, the terminal): control
//! characters (C0, DEL, C1, newlines and tabs included) and bidirectional
//! formatting characters (U+202A–U+202E embeddings and overrides,
//! U+2066–U+2069 isolates, U+200E/U+200F marks, U+061C) are **shown, never
//! interpreted**: [`visible`] writes each as a Go-style escape (`\x1b`,
//! `\u202e`), the way Go's `%q` prints them, so a name from a hostile dump
//! can neither drive a terminal nor reorder what a reader sees, and the
//! reader still sees that the character was there. The result is one line.
//!
//! Each exporter then escapes the visible text for where it lands (HTML
//! entities, Markdown backslashes and code spans, the folded-stack format).
//!
//! The JSON is machine-readable and keeps dump text exactly as it was
//! (serde_json escapes control characters as `\u00XX`; bidi characters stay
//! as they are): a program reading it gets the real names, and one that
//! shows them to people applies the same rule (see `docs/json-schema.md`).

use std::borrow::Cow;
use std::fmt::Write as _;

/// A bidirectional formatting character (can make text show in another
/// order than it is stored).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character [`visible`] replaces: a control or bidi formatting character.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// `s` with every control and bidirectional formatting character written as
/// a visible Go-style escape (`\x07`, `\x1b`, `\n`, `\t`, `\u0085`,
/// `\u202e`). Borrows when there is nothing to replace.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters, ending in `…` when cut.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        Cow::Borrowed(s)
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_escapes() {
        assert_eq!(visible("main.f"), "main.f");
        assert!(matches!(visible("main.f"), Cow::Borrowed(_)));
        assert_eq!(visible("a\x1b[31mb\n"), "a\\x1b[31mb\\n");
        assert_eq!(visible("x\u{202e}y\u{2066}z"), "x\\u202ey\\u2066z");
        assert_eq!(
            visible("\u{0}\u{7}\u{7f}\u{85}\t\r"),
            "\\x00\\x07\\x7f\\u0085\\t\\r"
        );
        assert_eq!(
            visible("\u{61c}\u{200e}\u{200f}\u{202a}\u{2069}"),
            "\\u061c\\u200e\\u200f\\u202a\\u2069"
        );
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{2067}', '\u{2068}',
        ] {
            assert!(is_bidi_control(c), "{c:?}");
            assert!(!visible(&c.to_string()).contains(c));
        }
        // Ordinary non-ASCII text stays.
        assert_eq!(visible("Grüße → 世界"), "Grüße → 世界");
    }

    #[test]
    fn clip_cuts_with_ellipsis() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(clip("äöüß", 3), "äö…");
    }
}
