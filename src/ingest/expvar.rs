//! expvar `/debug/vars` JSON (memstats, cmdline).
