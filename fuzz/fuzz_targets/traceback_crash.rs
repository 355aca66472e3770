//! Goroutine blocks inside crash output or a log.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = common::limits();
    let _ = leakscope::ingest::fuzzing::traceback::sniff_crash(data);
    common::check(
        leakscope::ingest::fuzzing::traceback::parse_crash(data, &limits),
        &limits,
    );
});
