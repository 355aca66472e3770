//! Legacy text heap profile (heap?debug=1).
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = common::limits();
    let _ = leakscope::ingest::fuzzing::heap_text::sniff(data);
    common::check(leakscope::ingest::fuzzing::heap_text::parse(data, &limits), &limits);
});
