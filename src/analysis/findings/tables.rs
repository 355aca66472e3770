//! Phase 10: the tables of goroutine groups and allocation sites.

use super::context::TABLE_ROWS;
use super::goroutine_keys::GKey;
use super::heap_candidates::HeapPhase;
use super::text::{frame_parts, series_of};
use crate::analysis::series::{GoroutineSeries, HeapSeries};
use crate::analysis::types::{Cause, GrowthStats, TrackedSeries};
use crate::model::Tables;

/// The goroutine groups with the largest growth first.
pub(super) fn goroutine_rows(
    tables: &Tables,
    gs: &GoroutineSeries,
    keys: &[GKey],
    mut rows: Vec<(usize, GrowthStats)>,
) -> Vec<TrackedSeries> {
    rows.sort_by(|a, b| {
        b.1.delta
            .total_cmp(&a.1.delta)
            .then(b.1.last.total_cmp(&a.1.last))
            .then(a.0.cmp(&b.0))
    });
    rows.into_iter()
        .take(TABLE_ROWS)
        .map(|(k, stats)| {
            let key = &keys[k];
            let (function, location, label) = frame_parts(tables, key.frame);
            TrackedSeries {
                label,
                function,
                location,
                cause: key.cause,
                series: series_of(&gs.points, &key.counts),
                stats,
                snapshot: Some(super::single::snapshot_of(tables, gs, key)),
            }
        })
        .collect()
}

/// The allocation sites (function aggregates) with the largest growth first.
pub(super) fn heap_rows(tables: &Tables, hs: &HeapSeries, heap: &HeapPhase) -> Vec<TrackedSeries> {
    heap.order
        .iter()
        .filter_map(|a| heap.stats.get(a).map(|s| (*a, s)))
        .take(TABLE_ROWS)
        .map(|(a, stats)| {
            let agg = &hs.funcs[a];
            let (function, location, label) = frame_parts(tables, agg.frame);
            TrackedSeries {
                label,
                function,
                location,
                cause: Cause::HeapGrowth,
                series: series_of(&hs.points, &agg.bytes),
                stats: stats.clone(),
                snapshot: None,
            }
        })
        .collect()
}
