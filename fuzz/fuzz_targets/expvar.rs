//! expvar /debug/vars JSON.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = common::limits();
    let _ = leakscope::ingest::fuzzing::expvar::sniff(data);
    common::check(leakscope::ingest::fuzzing::expvar::parse(data, &limits), &limits);
});
