//! Findings: goroutine groups and allocation sites that leak, with proof or
//! statistics, retained heap folded into the goroutine finding that holds
//! it, ranked by impact × confidence, each with a sentence to paste.
//!
//! [`findings`] runs one phase per module, in this order:
//! 1. `ignore_rules`; 2. `goroutine_keys`; 3. `goroutine` (each key judged,
//!    its facts gathered by `group_facts`, its evidence from the sources in
//!    `evidence`); 4. `heap_candidates`; 5. `retained` (heap folded into
//!    goroutine findings); 6. `lockstep` (one finding per leak); 7. memory
//!    that grows with the goroutines (`evidence`); 8. `heap` findings;
//!    9. `rank`; 10. `tables`.
//!
//! Imports run one way: this file imports the phases; a phase imports
//! only helpers (`context`, `text`, `judge`, `stacks`) and the data
//! modules of earlier phases (`goroutine_keys`, `group_facts`,
//! `heap_candidates`, `evidence`), never this file nor a module that
//! imports it.

mod context;
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
mod single;
mod stacks;
mod tables;
mod text;

use super::cause::FrameClasses;
use super::series::{GoroutineSeries, HeapSeries};
use super::types::{Finding, IgnoreHit, Series, TrackedSeries};

pub use context::{Context, TABLE_ROWS};

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
    let findings = rank::rank(all);
    let mut goroutine_groups = tables::goroutine_rows(tables, gs, &keys, g_rows);
    // The single-dump rule that made a group a finding, on its table row too.
    for row in &mut goroutine_groups {
        let rule = findings
            .iter()
            .find(|f| f.function == row.function && f.cause == row.cause)
            .and_then(|f| f.snapshot.as_ref())
            .and_then(|s| s.rule.clone());
        if let Some(s) = row.snapshot.as_mut() {
            s.rule = rule;
        }
    }
    Output {
        findings,
        goroutine_groups,
        heap_sites: tables::heap_rows(tables, hs, &heap),
        ignored,
        notes,
    }
}
