//! Phase 3: goroutine findings — each key judged by the runtime's proof or
//! by statistics, and the finding of a key that leaks.

use super::context::Context;
use super::evidence::GROUP_SOURCES;
use super::goroutine_keys::GKey;
use super::group_facts::{GroupFacts, Proof};
use super::judge::{judge, passes, span_hours};
use super::single;
use super::text::{place_of, series_of, stack_text};
use crate::analysis::cause::{FrameClass, FrameClasses, cause_phrase, classify_function};
use crate::analysis::evidence::Evidence;
use crate::analysis::phrases::growth_words;
use crate::analysis::series::GoroutineSeries;
use crate::analysis::stats::growth_stats;
use crate::analysis::types::{Finding, FindingKind, GrowthStats, Severity, Shape};
use crate::analysis::words::{RateUnit, count};
use std::collections::HashMap;
use std::hash::Hasher;

/// Table rows (key index, statistics) of every key, and the findings
/// (key index, finding) of the keys that leak.
pub(super) type Judged = (Vec<(usize, GrowthStats)>, Vec<(usize, Finding)>);

/// Judges every key and builds the findings of those that leak.
pub(super) fn judge_groups(
    cx: &Context<'_>,
    classes: &mut FrameClasses,
    gs: &GoroutineSeries,
    keys: &[GKey],
) -> Judged {
    let th = cx.th;
    let span = span_hours(&gs.points);
    let unit = RateUnit::for_span(span, cx.synthetic);
    let enough = gs.points.len() >= th.min_snapshots && !cx.goroutines_unordered;
    let single_mode = gs.points.len() < th.min_snapshots && !gs.points.is_empty();
    let dump = if single_mode {
        single::DumpFacts::of(cx.tables, gs, keys)
    } else {
        single::DumpFacts::default()
    };
    let mut rows: Vec<(usize, GrowthStats)> = Vec::with_capacity(keys.len());
    let mut found: Vec<(usize, Finding)> = Vec::new();
    // Keys whose counts are the same series (goroutines that leak in
    // lockstep, one pair per request; pools of one size) share their
    // statistics: a long soak's series cost milliseconds each.
    // Hash of the counts → the first key with them (its row: one row per
    // key, in order).
    let mut same_counts: HashMap<u64, usize> = HashMap::new();
    for (k, key) in keys.iter().enumerate() {
        let hash = counts_hash(&key.counts);
        let earlier = same_counts
            .get(&hash)
            .filter(|&&e| same_bits(&keys[e].counts, &key.counts));
        let stats = match earlier {
            Some(&e) => rows[e].1.clone(),
            None => {
                same_counts.insert(hash, k);
                growth_stats(&gs.points.xs, &key.counts, th.min_snapshots)
            }
        };
        let proof = Proof::of(cx.tables, gs, key);
        let ok = passes(
            &key.counts,
            th.min_goroutines as f64,
            th.min_goroutine_ratio,
        );
        let culprit_fn = key.frame.map(|f| cx.tables.frame_function(f)).unwrap_or("");
        let mut judged = judge_key(&stats, proof, ok && enough, culprit_fn).map(|j| (j, None));
        if judged.is_none() && single_mode && !key.stacks.iter().all(|&i| gs.stacks[i].runtime_wait)
        {
            let snap = single::snapshot_of(cx.tables, gs, key);
            judged = single::judge(th, &dump, key, &snap, culprit_fn)
                .map(|(rule, conf)| ((Severity::Suspect, conf), Some(rule)));
        }
        if let Some((judged, rule)) = judged {
            let mut facts =
                GroupFacts::gather(cx.tables, classes, gs, (key, &stats), proof, (unit, span));
            facts.rule = rule;
            facts.single_mode = single_mode;
            facts.th = th.clone();
            facts.snapshot.rule = rule.map(|r| r.name().to_string());
            found.push((k, goroutine_finding(cx, gs, &facts, judged)));
        }
        rows.push((k, stats));
    }
    (rows, found)
}

/// A hash of a series' values, bit for bit.
fn counts_hash(counts: &[f64]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    for c in counts {
        h.write_u64(c.to_bits());
    }
    h.finish()
}

/// Two series with the same values, bit for bit.
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Severity and confidence of a key: a leak when the runtime proved it,
/// else from statistics (`grows`: beyond the thresholds with enough points).
fn judge_key(
    stats: &GrowthStats,
    proof: Proof,
    grows: bool,
    culprit_fn: &str,
) -> Option<(Severity, f64)> {
    if proof.any() {
        let growing = stats.shape == Shape::Growing;
        return Some((Severity::Leak, if growing { 1.0 } else { 0.95 }));
    }
    judge(stats, grows, true).map(|(sev, conf)| {
        // Goroutines that live entirely in the standard library (server
        // connections, HTTP client connection loops) can follow the
        // number of open connections, i.e. the load: without proof
        // from the runtime, their growth is a suspect, not a leak.
        if sev == Severity::Leak && classify_function(culprit_fn) != FrameClass::User {
            (Severity::Suspect, conf.min(0.7))
        } else {
            (sev, conf)
        }
    })
}

/// The finding of a goroutine group.
fn goroutine_finding(
    cx: &Context<'_>,
    gs: &GoroutineSeries,
    g: &GroupFacts<'_>,
    judged: (Severity, f64),
) -> Finding {
    let tables = cx.tables;
    let key = g.key;
    let (place, culprit_at) = place_of(tables, key.frame);
    let count_now = g.count_now();
    let mut f = Finding::new(
        FindingKind::Goroutine,
        key.cause,
        place,
        judged,
        series_of(&gs.points, &key.counts),
        g.stats.clone(),
    );
    if key.counts.is_empty() {
        f.first = count_now;
    }
    f.last = count_now;
    for source in GROUP_SOURCES {
        f.add_evidence(source(g, tables));
    }
    f.sentence = sentence(cx, g, &culprit_at);
    f.created_by = g.created_by.clone();
    f.labels = g.labels.clone();
    f.longest_wait_minutes = g.max_wait;
    f.wait_reason = g.wait_reason.clone();
    f.proof = g.proof.any();
    f.snapshot = Some(g.snapshot.clone());
    f.stack = g.rep_stack.map(|st| st.rep);
    f.stack_text = g
        .rep_stack
        .map(|st| stack_text(tables, st.rep))
        .unwrap_or_default();
    f
}

/// "120 goroutines blocked sending on a channel in main.produce
/// (main.go:16), created by main.main; +12 per minute, grew in 9 of 9
/// intervals."
fn sentence(cx: &Context<'_>, g: &GroupFacts<'_>, culprit_at: &str) -> String {
    let tables = cx.tables;
    let key = g.key;
    let count_now = g.count_now();
    let mut s = format!(
        "{} goroutine{} {} in {culprit_at}",
        count(count_now),
        if count_now == 1.0 { "" } else { "s" },
        cause_phrase(key.cause, key.unknown),
    );
    if let Some(v) = key.via {
        s.push_str(&format!(" via {}", tables.frame_function(v)));
    }
    if let Some(e) = g.std_entry {
        s.push_str(&format!(" under {}", tables.frame_function(e)));
    }
    if let Some(cb) = &g.created_by {
        let f = cb.split(" (").next().unwrap_or(cb);
        s.push_str(&format!(", created by {f}"));
    }
    let mut tail: Vec<String> = Vec::new();
    if g.stats.intervals > 0 && g.stats.delta > 0.0 {
        let (unit, span) = g.trend;
        tail.push(growth_words(g.stats, unit, span, false));
    }
    if g.proof.leaked > 0 {
        tail.push("proven leaked by the runtime".to_string());
    } else if g.proof.forever {
        tail.push(
            Evidence::BlocksForever {
                nil_chan: g.nil_chan(),
            }
            .to_string(),
        );
    }
    if let Some(m) = g.max_wait {
        tail.push(format!("longest wait {}", crate::units::wait_minutes(m)));
    }
    if !tail.is_empty() {
        s.push_str("; ");
        s.push_str(&tail.join(", "));
    }
    s.push('.');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_series_equal_bit_for_bit_share_statistics() {
        let a = [1.0, 2.0, f64::NAN, 0.0];
        assert!(same_bits(&a, &a.clone()));
        assert_eq!(counts_hash(&a), counts_hash(&a.clone()));
        // A negative zero is another value to growth_stats (a slope's sign),
        // a shorter series another series.
        assert!(!same_bits(&a, &[1.0, 2.0, f64::NAN, -0.0]));
        assert!(!same_bits(&a, &a[..3]));
        assert_ne!(counts_hash(&a), counts_hash(&[1.0, 2.0, f64::NAN, -0.0]));
    }
}
