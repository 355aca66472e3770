//! The gzip layer with a small decompressed-size limit.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    const LIMIT: u64 = 64 * 1024;
    let _ = leakscope::ingest::fuzzing::decompress::is_gzip(data);
    match leakscope::ingest::fuzzing::decompress::gunzip(data, LIMIT) {
        Ok(out) => assert!(
            out.len() as u64 <= LIMIT,
            "{} bytes over the limit",
            out.len()
        ),
        Err(reason) => assert!(!reason.to_string().is_empty()),
    }
});
