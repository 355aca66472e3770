//! Whether a series grows enough, and how sure that makes a finding.

use crate::analysis::series::Points;
use crate::analysis::types::{GrowthStats, Severity, Shape};

/// Hours between the first and last point.
pub(super) fn span_hours(points: &Points) -> f64 {
    match (points.xs.first(), points.xs.last()) {
        (Some(a), Some(b)) => b - a,
        _ => 0.0,
    }
}

/// Growth beyond both thresholds, over the whole series and again after
/// the first third (the warm-up window): a cache or pool that filled early
/// and then took one more step is not a leak.
pub(super) fn passes(ys: &[f64], min_abs: f64, min_ratio: f64) -> bool {
    let (Some(&first), Some(&last)) = (ys.first(), ys.last()) else {
        return false;
    };
    let ok = |base: f64| {
        let delta = last - base;
        delta >= min_abs && delta >= min_ratio * base.max(1.0)
    };
    let warm = ys.get((ys.len() / 3).max(1)).copied().unwrap_or(first);
    ok(first) && (ys.len() < 3 || ok(warm))
}

/// Severity and confidence from statistics alone.
pub(super) fn judge(stats: &GrowthStats, passes: bool, enough: bool) -> Option<(Severity, f64)> {
    if !passes || !enough {
        return None;
    }
    let frac = if stats.intervals > 0 {
        stats.grew_intervals as f64 / stats.intervals as f64
    } else {
        0.0
    };
    match stats.shape {
        Shape::Growing if stats.mk_s > 0 && stats.mk_p < 0.05 => Some((
            Severity::Leak,
            (0.6 + 0.3 * frac + if stats.mk_p < 0.01 { 0.1 } else { 0.0 }).min(1.0),
        )),
        Shape::Growing => Some((Severity::Suspect, 0.35 + 0.2 * frac)),
        Shape::LateGrowth => Some((
            Severity::Suspect,
            0.3 + if stats.last_third_grows { 0.1 } else { 0.0 },
        )),
        _ => None,
    }
}
