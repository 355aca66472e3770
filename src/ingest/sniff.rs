//! Format recognition by content and dispatch to the parsers.

use super::{Limits, SkipReason};
use crate::model::Parsed;

/// See [`super::parse_file_bytes`].
pub fn parse_any(_name: &str, _bytes: &[u8], _limits: &Limits) -> Result<Parsed, SkipReason> {
    Err(SkipReason::NotAProfile("not implemented yet".into()))
}
