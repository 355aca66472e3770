//! Bounds on what is read, so a gzip bomb or a 100 MB line cannot exhaust
//! memory. Each limit has a CLI flag; hitting one is a skip or a warning,
//! never a silent truncation.

/// Input size bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file read from disk (`--max-file-size`).
    pub max_file_bytes: u64,
    /// Largest decompressed size of one file (`--max-decompressed-size`).
    pub max_decompressed_bytes: u64,
    /// Longest text line (`--max-line-length`).
    pub max_line_bytes: usize,
    /// Deepest stack kept; deeper stacks are cut at the root end with a
    /// warning (`--max-stack-depth`).
    pub max_stack_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 1 << 30,
            max_decompressed_bytes: 512 << 20,
            max_line_bytes: 16 << 20,
            max_stack_depth: 4096,
        }
    }
}
