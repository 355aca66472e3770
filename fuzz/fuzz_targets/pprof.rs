//! pprof protobuf decoding of raw (already decompressed) bytes.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = common::limits();
    let _ = leakscope::ingest::fuzzing::pprof::looks_like_profile(data);
    // The name decides block vs mutex only; try both kinds of names.
    common::check(
        leakscope::ingest::fuzzing::pprof::parse(data, "heap.pb", &limits),
        &limits,
    );
    common::check(
        leakscope::ingest::fuzzing::pprof::parse(data, "mutex.pb", &limits),
        &limits,
    );
});
