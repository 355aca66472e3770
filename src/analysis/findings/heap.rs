//! Phase 8: heap findings — a candidate allocation site not folded into a goroutine
//! finding, with its evidence and sentence.

use super::context::Context;
use super::heap_candidates::HeapCand;
use super::judge::span_hours;
use super::text::{frame_text, place_of, series_of, stack_text};
use crate::analysis::evidence::Evidence;
use crate::analysis::phrases::growth_words;
use crate::analysis::series::HeapSeries;
use crate::analysis::types::{Cause, Finding, FindingKind};
use crate::analysis::words::{RateUnit, bytes, count, signed_bytes};

/// The finding of a heap candidate.
pub(super) fn heap_finding(cx: &Context<'_>, hs: &HeapSeries, c: &HeapCand) -> Finding {
    let tables = cx.tables;
    let span = span_hours(&hs.points);
    let unit = RateUnit::for_span(span, cx.synthetic);
    let agg = &hs.funcs[c.agg];
    let site_delta = |s: usize| {
        let row = hs.site_row(s);
        match (row.first(), row.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        }
    };
    let line_delta = |l: usize| hs.lines[l].last_bytes - hs.lines[l].first_bytes;
    // The file:line with the largest growth, and the site with the largest growth.
    let best_line = agg
        .sites
        .iter()
        .map(|&s| hs.sites[s].line)
        .max_by(|&a, &b| line_delta(a).total_cmp(&line_delta(b)).then(b.cmp(&a)));
    let frame = best_line.and_then(|l| hs.lines[l].frame).or(agg.frame);
    let best_site = agg
        .sites
        .iter()
        .copied()
        .max_by(|&a, &b| site_delta(a).total_cmp(&site_delta(b)).then(b.cmp(&a)));
    let (place, at) = place_of(tables, frame);
    let via = best_site
        .and_then(|s| hs.sites[s].culprit)
        .and_then(|c| c.via);
    let st = &c.stats;
    let objects = agg.last_objects;

    let mut f = Finding::new(
        FindingKind::Heap,
        Cause::HeapGrowth,
        place,
        (c.severity, c.confidence),
        series_of(&hs.points, &agg.bytes),
        st.clone(),
    );
    f.add_evidence(via.map(|v| Evidence::AllocatedIn(frame_text(tables, v))));
    f.add_evidence([
        Evidence::HeapInUse {
            first: st.first,
            last: st.last,
            delta: st.delta,
            objects,
        },
        Evidence::Trend {
            stats: st.clone(),
            unit,
            span,
            as_bytes: true,
        },
    ]);
    if agg.sites.len() > 1 {
        f.add_evidence([Evidence::AllocationStacks(agg.sites.len())]);
    }
    let mut s = format!("{at} holds {} in use", bytes(st.last));
    if let Some(v) = via {
        s.push_str(&format!(" (allocated via {})", tables.frame_function(v)));
    }
    s.push_str(&format!(
        ", {} since the first snapshot; {}; {} objects.",
        signed_bytes(st.delta),
        growth_words(st, unit, span, true),
        count(objects)
    ));
    f.sentence = s;
    f.stack = best_site.map(|s| hs.sites[s].stack);
    f.stack_text = best_site
        .map(|s| stack_text(tables, hs.sites[s].stack))
        .unwrap_or_default();
    f
}
