//! gzip layers with a bound on the decompressed size.
