//! What every phase of the findings stage reads.

use crate::analysis::ignore::Rule;
use crate::analysis::types::Thresholds;
use crate::model::Tables;

/// Rows kept in the tables.
pub const TABLE_ROWS: usize = 25;

/// What the findings stage needs besides the series.
pub struct Context<'a> {
    /// Interned tables.
    pub tables: &'a Tables,
    /// Thresholds.
    pub th: &'a Thresholds,
    /// Times are synthetic (order only).
    pub synthetic: bool,
    /// Ignore rules (built-in first).
    pub rules: &'a [Rule],
    /// Several goroutine dumps have neither a time nor a sequence number:
    /// their order is unknown, so goroutine growth is not judged.
    pub goroutines_unordered: bool,
    /// The same for heap profiles.
    pub heap_unordered: bool,
}
