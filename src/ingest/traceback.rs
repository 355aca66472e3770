//! Full goroutine dumps (`debug=2`, `runtime.Stack`) and the same blocks
//! inside panic / fatal error / SIGQUIT output.

use super::{Limits, SkipReason};
use crate::model::Parsed;

/// True when the text starts with a goroutine header (`goroutine N [` or
/// `goroutine N gp=`): a plain `debug=2` dump.
pub fn sniff_dump(head: &[u8]) -> bool {
    let _ = head;
    false
}

/// True when the text is crash output (panic, fatal error, SIGQUIT, …) or a
/// log holding goroutine blocks: a goroutine header appears somewhere.
pub fn sniff_crash(text: &[u8]) -> bool {
    let _ = text;
    false
}

/// Parses a `debug=2` dump (format `GoroutineDebug2`).
pub fn parse_dump(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let _ = (text, limits);
    Err(SkipReason::NotAProfile("not implemented yet".into()))
}

/// Parses goroutine blocks inside crash output or a log (format `Crash`),
/// stripping a constant line prefix.
pub fn parse_crash(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let _ = (text, limits);
    Err(SkipReason::NotAProfile("not implemented yet".into()))
}
