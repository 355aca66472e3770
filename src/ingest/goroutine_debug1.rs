//! Aggregated goroutine count profile (`goroutine?debug=1`,
//! `goroutineleak?debug=1`).

use super::{Limits, SkipReason};
use crate::model::Parsed;

/// True when the start of the (BOM-stripped, decompressed) text has this
/// format's signature.
pub fn sniff(head: &[u8]) -> bool {
    let _ = head;
    false
}

/// Names a Go file leakscope recognises but does not use (block, mutex or
/// threadcreate profiles, execution traces, HTML pages, HTTP error bodies,
/// `go tool pprof -top` output, …) from the start of its text; `None` when
/// the text is none of these.
pub fn sniff_unused(head: &[u8]) -> Option<&'static str> {
    let _ = head;
    None
}

/// Parses the whole file. Tolerates `\r\n` line endings.
pub fn parse(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let _ = (text, limits);
    Err(SkipReason::NotAProfile("not implemented yet".into()))
}
