//! Evidence sources of the findings stage. Each source is a function that
//! returns the [`Evidence`] values it knows; a goroutine finding takes the
//! values of every source in [`GROUP_SOURCES`], in order. A new kind of
//! evidence (say, wait time or concentration from a single dump) is a new
//! source in that list.

use super::group_facts::GroupFacts;
use super::text::frame_text;
use crate::analysis::evidence::Evidence;
use crate::analysis::types::{Finding, Series, Thresholds};
use crate::model::Tables;

/// A source of evidence about a goroutine group.
pub(super) type GroupSource = fn(&GroupFacts<'_>, &Tables) -> Vec<Evidence>;

/// The sources of a goroutine finding's evidence, in the order its lines
/// appear.
pub(super) const GROUP_SOURCES: [GroupSource; 5] = [proof, blocking, origin, trend, one_dump];

/// What the runtime proved: leak markers, or an operation that blocks forever.
fn proof(g: &GroupFacts<'_>, _: &Tables) -> Vec<Evidence> {
    let mut out = Vec::new();
    let p = g.proof;
    if p.leaked > 0 {
        out.push(if p.in_leak_profile {
            Evidence::LeakProfile(p.leaked)
        } else {
            Evidence::MarkedLeaked(p.leaked)
        });
    }
    if p.forever {
        out.push(Evidence::BlocksForever {
            nil_chan: g.nil_chan(),
        });
    }
    out
}

/// Where and why the goroutines block.
fn blocking(g: &GroupFacts<'_>, tables: &Tables) -> Vec<Evidence> {
    let mut out = Vec::new();
    if g.key.unknown {
        out.push(Evidence::NotVisible);
    }
    if let Some(v) = g.key.via {
        out.push(Evidence::BlockedIn(frame_text(tables, v)));
    }
    if let Some(e) = g.std_entry {
        out.push(Evidence::Entry(frame_text(tables, e)));
    }
    if let Some(w) = &g.wait_reason {
        out.push(Evidence::WaitReason(w.clone()));
    }
    out
}

/// Where the goroutines come from and how long they have waited.
fn origin(g: &GroupFacts<'_>, _: &Tables) -> Vec<Evidence> {
    let mut out = Vec::new();
    if let Some(cb) = &g.created_by {
        out.push(Evidence::CreatedBy(cb.clone()));
    }
    if let Some(m) = g.max_wait {
        out.push(Evidence::LongestWait(m));
    }
    if !g.labels.is_empty() {
        out.push(Evidence::Labels(g.labels.clone()));
    }
    out
}

/// The trend over the snapshots, when there is more than one.
fn trend(g: &GroupFacts<'_>, _: &Tables) -> Vec<Evidence> {
    if g.stats.intervals == 0 {
        return Vec::new();
    }
    let (unit, span) = g.trend;
    vec![Evidence::Trend {
        stats: g.stats.clone(),
        unit,
        span,
        as_bytes: false,
    }]
}

/// What the last dump alone shows, when the series is too short for
/// statistics (see the `single` module for the rule).
fn one_dump(g: &GroupFacts<'_>, _: &Tables) -> Vec<Evidence> {
    let mut out = Vec::new();
    if g.wait_reason.is_none() && !g.key.unknown && g.proof.leaked == 0 {
        out.push(Evidence::ReasonFromFrames);
    }
    if g.single_mode {
        out.extend(super::single::evidence(&g.snapshot, g.rule, &g.th));
    }
    out
}

/// Phase 7: memory that grows with the goroutines but belongs to no site.
/// Runtime-only heap growth (goroutine descriptors) goes to the first
/// goroutine finding; MemStats StackInuse growth to every one.
pub(super) fn add_goroutine_memory(
    g_findings: &mut [(usize, Finding)],
    runtime_growth: f64,
    stack_inuse: &Series,
    th: &Thresholds,
) {
    let min = th.min_heap_bytes as f64;
    if runtime_growth >= min
        && let Some((_, f)) = g_findings.first_mut()
    {
        f.add_evidence([Evidence::RuntimeHeap(runtime_growth)]);
    }
    if let (Some(&a), Some(&b)) = (stack_inuse.values.first(), stack_inuse.values.last())
        && b - a >= min
    {
        for (_, f) in g_findings {
            f.add_evidence([Evidence::StackInuse(a, b)]);
        }
    }
}
