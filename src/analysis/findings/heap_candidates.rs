//! Phase 4: heap candidates — function aggregates whose in-use bytes grow
//! enough to be judged, before growth inside goroutine groups is folded away.

use super::context::{Context, TABLE_ROWS};
use super::judge::{judge, passes};
use crate::analysis::cause::{FrameClass, classify_function};
use crate::analysis::series::HeapSeries;
use crate::analysis::stats::growth_stats;
use crate::analysis::types::{GrowthStats, Severity};
use std::collections::HashMap;

/// A heap function aggregate's candidate finding (before folding).
pub(super) struct HeapCand {
    /// Index of the aggregate in `HeapSeries::funcs`.
    pub agg: usize,
    /// Its statistics.
    pub stats: GrowthStats,
    /// Judged severity.
    pub severity: Severity,
    /// Judged confidence.
    pub confidence: f64,
}

/// The heap side of the stage.
pub(super) struct HeapPhase {
    /// Growth (last − first) of every aggregate.
    pub deltas: Vec<f64>,
    /// Aggregates, largest growth first.
    pub order: Vec<usize>,
    /// Statistics of the aggregates the table may show.
    pub stats: HashMap<usize, GrowthStats>,
    /// Candidates for heap findings.
    pub cands: Vec<HeapCand>,
    /// Growth at sites with no frame outside the runtime.
    pub runtime_growth: f64,
}

/// Judges the function aggregates of `hs`.
pub(super) fn candidates(cx: &Context<'_>, hs: &HeapSeries) -> HeapPhase {
    let th = cx.th;
    let enough = hs.points.len() >= th.min_snapshots && !cx.heap_unordered;
    let deltas: Vec<f64> = hs
        .funcs
        .iter()
        .map(|a| match (a.bytes.first(), a.bytes.last()) {
            (Some(f), Some(l)) => l - f,
            _ => 0.0,
        })
        .collect();
    let mut order: Vec<usize> = (0..hs.funcs.len()).collect();
    order.sort_by(|&a, &b| deltas[b].total_cmp(&deltas[a]).then(a.cmp(&b)));
    let mut out = HeapPhase {
        deltas,
        order,
        stats: HashMap::new(),
        cands: Vec::new(),
        runtime_growth: 0.0,
    };
    for (rank, &a) in out.order.iter().enumerate() {
        let agg = &hs.funcs[a];
        let ok = passes(&agg.bytes, th.min_heap_bytes as f64, th.min_heap_ratio);
        if !ok && rank >= TABLE_ROWS {
            continue;
        }
        let stats = growth_stats(&hs.points.xs, &agg.bytes, th.min_snapshots);
        // A site with no frame outside the runtime (goroutine descriptors and
        // stacks allocated by runtime.malg/newproc1) grows with the goroutine
        // count: it is not a heap leak of its own, and no user code to fix.
        let runtime_only = agg.frame.is_none_or(|fr| {
            classify_function(cx.tables.frame_function(fr)) == FrameClass::Runtime
        });
        if runtime_only {
            out.runtime_growth += out.deltas[a].max(0.0);
        } else if let Some((severity, confidence)) = judge(&stats, ok, enough) {
            out.cands.push(HeapCand {
                agg: a,
                stats: stats.clone(),
                severity,
                confidence,
            });
        }
        out.stats.insert(a, stats);
    }
    out
}
