//! pprof `profile.proto` decoding into the model.

use super::{Limits, SkipReason};
use crate::model::Parsed;

/// Cheap check: do these (decompressed) bytes decode as a pprof Profile?
pub fn looks_like_profile(data: &[u8]) -> bool {
    let _ = data;
    false
}

/// Decodes a raw (already decompressed) profile.proto. Heap/allocs,
/// goroutine and goroutineleak become snapshots; CPU, block, mutex and
/// threadcreate are `SkipReason::NotUsed`. `name` is the file path (block
/// and mutex are only told apart by name).
pub fn parse(data: &[u8], name: &str, limits: &Limits) -> Result<Parsed, SkipReason> {
    let _ = (data, name, limits);
    Err(SkipReason::NotAProfile("pprof not implemented yet".into()))
}
