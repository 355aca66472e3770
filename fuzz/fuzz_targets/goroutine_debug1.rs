//! Aggregated goroutine count profile (goroutine?debug=1).
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = common::limits();
    let _ = leakscope::ingest::fuzzing::goroutine_debug1::sniff(data);
    common::check(
        leakscope::ingest::fuzzing::goroutine_debug1::parse(data, &limits),
        &limits,
    );
});
