//! Full goroutine dump (goroutine?debug=2).
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = common::limits();
    let _ = leakscope::ingest::fuzzing::traceback::sniff_dump(data);
    common::check(
        leakscope::ingest::fuzzing::traceback::parse_dump(data, &limits),
        &limits,
    );
});
