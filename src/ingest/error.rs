//! Why a file was not used. Every variant renders as a reason a person
//! understands; it becomes `skipped[].reason`.

/// A per-file ingest failure. Never aborts the run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// Zero bytes.
    #[error("empty file")]
    Empty,
    /// The gzip stream ended early or is corrupt.
    #[error("truncated or corrupt gzip stream at byte {offset} of the decompressed data: {detail}")]
    BadGzip {
        /// Decompressed bytes produced before the error.
        offset: u64,
        /// Decoder message.
        detail: String,
    },
    /// A size limit was hit (file size, decompressed size, line length, …).
    #[error("{what} over the limit of {limit} bytes (raise it with {flag})")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit.
        limit: u64,
        /// The flag that raises it.
        flag: &'static str,
    },
    /// Not a Go profile or dump at all.
    #[error("not a Go profile or dump ({0})")]
    NotAProfile(String),
    /// A Go profile or file that leakscope recognises but does not use.
    #[error("{0}: not used")]
    NotUsed(String),
    /// Looks like a supported format but could not be decoded.
    #[error("{format} could not be decoded: {detail}")]
    Malformed {
        /// The format it was taken for.
        format: &'static str,
        /// What went wrong (with a line or byte number where possible).
        detail: String,
    },
    /// The file shrank or was rewritten while it was read (an archive still
    /// being copied, a file replaced in place): its bytes are not a
    /// consistent dump.
    #[error("changed while read: {0}; skipped")]
    Changed(String),
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(String),
}
