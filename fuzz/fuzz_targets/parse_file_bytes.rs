//! The whole per-file ingest: gzip layers, BOM/UTF-16, sniffing, dispatch.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = common::limits();
    common::check(
        leakscope::ingest::parse_file_bytes("dump", data, &limits),
        &limits,
    );
});
