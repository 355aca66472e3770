//! Findings: goroutine groups and allocation sites that leak, with proof or
//! statistics, retained heap folded into the goroutine finding that holds
//! it, ranked by impact × confidence, each with a sentence to paste.
//!
//! [`findings`] runs one phase per module, in this order: `ignore_rules`,
//! `goroutine_keys`, `goroutine` (judging keys, with `group_facts` and the
//! evidence sources of `evidence`), `heap_candidates`, `retained` (heap
//! folded into goroutine findings), `lockstep`, `evidence` (memory that
//! grows with the goroutines), `heap`, `rank`, `tables`. Helpers at the
//! bottom: `text`, `judge`, `stacks`. A phase imports only from phases
//! before it and from the helpers, never from this file except the
//! [`Context`] and the table size.

mod evidence;
mod goroutine;
mod goroutine_keys;
mod group_facts;
mod heap;
mod heap_candidates;
mod ignore_rules;
mod judge;
mod lockstep;
mod rank;
mod retained;
mod stacks;
mod tables;
mod text;

use super::cause::FrameClasses;
use super::ignore::Rule;
use super::series::{GoroutineSeries, HeapSeries};
use super::types::{Finding, IgnoreHit, Series, Thresholds, TrackedSeries};
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

/// Everything this stage produces.
#[derive(Debug, Default)]
pub struct Output {
    /// Findings, ranked.
    pub findings: Vec<Finding>,
    /// Goroutine table rows.
    pub goroutine_groups: Vec<TrackedSeries>,
    /// Heap table rows.
    pub heap_sites: Vec<TrackedSeries>,
    /// Ignore rule hits.
    pub ignored: Vec<IgnoreHit>,
    /// Remarks.
    pub notes: Vec<String>,
}

/// Runs the findings stage.
pub fn findings(
    cx: &Context<'_>,
    gs: &GoroutineSeries,
    hs: &HeapSeries,
    classes: &mut FrameClasses,
    stack_inuse: &Series,
) -> Output {
    let tables = cx.tables;
    let (ignored_stacks, ignored) = ignore_rules::apply(tables, cx.rules, gs);
    let keys = goroutine_keys::group(gs, &ignored_stacks);
    let (g_rows, mut g_findings) = goroutine::judge_groups(cx, classes, gs, &keys);
    let heap = heap_candidates::candidates(cx, hs);
    let folded = retained::fold(tables, classes, (gs, &keys), (hs, &heap), &mut g_findings);
    lockstep::merge(&mut g_findings, &keys);
    evidence::add_goroutine_memory(&mut g_findings, heap.runtime_growth, stack_inuse, cx.th);

    let mut all: Vec<Finding> = heap
        .cands
        .iter()
        .filter(|c| !folded[c.agg])
        .map(|c| heap::heap_finding(cx, hs, c))
        .collect();
    all.extend(g_findings.into_iter().map(|(_, f)| f));

    let mut notes = Vec::new();
    if gs.leak_profiles.0 > 0 && gs.leak_profiles.0 == gs.leak_profiles.1 {
        notes.push(format!(
            "The goroutineleak profile{} reported no leaked goroutines. That proves nothing: \
             it cannot see goroutines blocked on channels that are still reachable, on I/O, or in sleeps.",
            if gs.leak_profiles.0 == 1 { "" } else { "s" }
        ));
    }
    Output {
        findings: rank::rank(all),
        goroutine_groups: tables::goroutine_rows(tables, gs, &keys, g_rows),
        heap_sites: tables::heap_rows(tables, hs, &heap),
        ignored,
        notes,
    }
}
