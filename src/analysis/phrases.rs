//! Growth phrases shared by evidence lines and finding sentences:
//! "+112 per snapshot", "+112 per snapshot, grew in 10 of 10 intervals".

use super::types::GrowthStats;
use super::words::{RateUnit, rate_in, signed_bytes, signed_count};

/// The slope in the chosen unit with its words: "+112 per snapshot".
pub fn rate_words(stats: &GrowthStats, unit: RateUnit, span: f64, as_bytes: bool) -> String {
    let rate = rate_in(unit, stats.slope_per_hour, span, stats.intervals);
    let rate = if as_bytes {
        signed_bytes(rate)
    } else {
        signed_count(rate)
    };
    format!("{rate} {}", unit.words())
}

/// The growth part of a sentence: "+112 per snapshot, grew in 10 of 10 intervals".
pub fn growth_words(stats: &GrowthStats, unit: RateUnit, span: f64, as_bytes: bool) -> String {
    format!(
        "{}, grew in {} of {} intervals",
        rate_words(stats, unit, span, as_bytes),
        stats.grew_intervals,
        stats.intervals
    )
}
