//! The decoders, one per dump format, and the sniffing that picks one.
//!
//! * [`sniff`] — gzip layers, BOM/UTF-16, format recognition, dispatch;
//! * [`pprof`] — `profile.proto` (heap, allocs, goroutine, goroutineleak);
//! * [`heap_text`] — `heap?debug=1` text;
//! * [`goroutine_debug1`] — `goroutine?debug=1` (stacks with counts);
//! * [`traceback`] — `goroutine?debug=2` dumps and crash output;
//! * [`expvar`] — `/debug/vars` JSON (memstats only);
//! * `textutil` — byte-level helpers the text decoders share.
//!
//! Only `sniff` knows every decoder; the decoders know only `textutil`.

pub mod expvar;
pub mod goroutine_debug1;
pub mod heap_text;
pub(crate) mod paste;
pub mod pprof;
pub(crate) mod sniff;
pub(crate) mod textutil;
pub mod traceback;

#[cfg(test)]
mod tests;
