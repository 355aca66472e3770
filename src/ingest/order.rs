//! Time order: profile time, file-name timestamps, sequence numbers paired
//! with siblings, MemStats lower bounds, mtime last.
