//! Legacy text heap/allocs profile (`heap?debug=1`) with its MemStats block.

use super::{Limits, SkipReason};
use crate::model::Parsed;

/// True when the start of the (BOM-stripped, decompressed) text has this
/// format's signature.
pub fn sniff(head: &[u8]) -> bool {
    let _ = head;
    false
}

/// Parses the whole file. Tolerates `\r\n` line endings.
pub fn parse(text: &[u8], limits: &Limits) -> Result<Parsed, SkipReason> {
    let _ = (text, limits);
    Err(SkipReason::NotAProfile("not implemented yet".into()))
}
