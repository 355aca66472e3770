//! pprof `profile.proto` decoding into the model, reading the data exactly
//! as `go tool pprof` does:
//!
//! * the whole message is decoded before any index is resolved (fields come
//!   in any order; the Go runtime writes the string table last);
//! * ids are looked up through maps (they need not be dense), and the checks
//!   of google/pprof's `postDecode`/`CheckValid` apply: `string_table[0]`
//!   must be `""`, string indexes in range, ids nonzero and unique, one value
//!   per sample type, every sample location known, no concatenated profiles;
//! * sample types are found by name; heap values are already unsampled by
//!   the runtime and are not scaled again;
//! * stacks are leaf first: `location_id[0]` is the leaf, and inside a
//!   location `line[0]` is the innermost inlined function and the last line
//!   the physical function.
//!
//! Modules: `decode` (a
//! copy-free decoder), `wire` (a cheap top-level field walk for
//! recognition), `convert` (ids → model). Tests encode their profiles with
//! the messages of [`crate::pprof_proto`].

#[cfg(test)]
use crate::pprof_proto as pb;

mod convert;
mod decode;
mod wire;

use crate::ingest::error::SkipReason;
use crate::ingest::limits::Limits;
use crate::model::{Parsed, Tables};

/// Cheap check: do these (decompressed) bytes look like a pprof Profile?
///
/// Walks the top-level protobuf fields without decoding them (no
/// allocation): every field must be well-formed with the wire type
/// `profile.proto` gives it, the first `string_table` entry must be empty
/// and there must be at least one `sample_type`. Text dumps fail on their
/// first bytes.
pub fn looks_like_profile(data: &[u8]) -> bool {
    wire::scan(data).is_ok_and(|s| s.looks_like_profile())
}

/// Decodes a raw (already decompressed) profile.proto. Heap/allocs,
/// goroutine and goroutineleak become snapshots; CPU, block, mutex and
/// threadcreate are `SkipReason::NotUsed`. `name` is the file path (block
/// and mutex are only told apart by name).
///
/// The snapshot has `format`, `kind`, `embedded_time` (`time_nanos` when
/// positive), `duration_nanos`, `process` (build id and binary file name of
/// the first mapping) and `heap` or `goroutines` set; path, gzip flag, file
/// size and time are for the caller. Stacks deeper than
/// `limits.max_stack_depth` keep their leaf-most frames and add a warning.
/// A heap profile with `duration_nanos` is a delta (`HeapData::delta`, with a
/// warning); a goroutine delta profile is not used.
pub fn parse(data: &[u8], name: &str, limits: &Limits) -> Result<Parsed, SkipReason> {
    parse_with(data, name, limits, Tables::new())
}

/// [`parse`] interning into `tables` (returned grown in the `Parsed`).
pub fn parse_with(
    data: &[u8],
    name: &str,
    limits: &Limits,
    tables: Tables,
) -> Result<Parsed, SkipReason> {
    if data.is_empty() {
        return Err(SkipReason::Empty);
    }
    let profile = decode::decode(data).map_err(convert::malformed)?;
    convert_whole(profile, name, limits, tables)
}

/// What [`parse_if_profile`] made of some bytes. (Returned once a file and
/// unpacked at once: not worth boxing the larger variant.)
#[allow(clippy::large_enum_variant)]
pub enum Attempt {
    /// They are a profile (or one that is broken): what [`parse_with`] says.
    Parsed(Result<Parsed, SkipReason>),
    /// [`looks_like_profile`] would say no: the tables, untouched.
    NotAProfile(Tables),
}

/// [`parse_with`] on bytes that [`looks_like_profile`] accepts, else the
/// tables back, decoding the bytes once instead of walking them first: a
/// message that decodes is well-formed at the top level, so it is one the
/// walk accepts, and it looks like a profile by the same two facts (a
/// sample type, an empty first string). Only bytes that do not decode are
/// walked, to tell a broken profile from other bytes.
pub fn parse_if_profile(data: &[u8], name: &str, limits: &Limits, tables: Tables) -> Attempt {
    match decode::decode(data) {
        Ok(p) if p.looks_like_profile() => Attempt::Parsed(convert_whole(p, name, limits, tables)),
        Ok(_) => Attempt::NotAProfile(tables),
        Err(e) if looks_like_profile(data) => Attempt::Parsed(Err(convert::malformed(e))),
        Err(_) => Attempt::NotAProfile(tables),
    }
}

/// A decoded profile, refused when it is two concatenated, else converted.
fn convert_whole(
    profile: decode::Profile<'_>,
    name: &str,
    limits: &Limits,
    tables: Tables,
) -> Result<Parsed, SkipReason> {
    if profile.concatenated {
        return Err(convert::malformed(
            "two profiles concatenated (time_nanos appears twice)",
        ));
    }
    convert::convert(profile, name, limits, tables)
}

#[cfg(test)]
mod tests;
