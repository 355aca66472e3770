//! Findings: goroutine groups and allocation sites that leak, with proof or
//! statistics, retained heap folded into the goroutine finding that holds
//! it, ranked by impact × confidence, each with a sentence to paste.

use super::cause::{FrameClass, FrameClasses, cause_phrase, classify_function};
use super::ignore::{Rule, Subject, first_match};
use super::series::{GStack, GoroutineSeries, HeapSeries, Points};
use super::stats::growth_stats;
use super::words::{
    RateUnit, bytes, count, func_at, rate_in, short_file, signed_bytes, signed_count,
};
use super::{
    Cause, Finding, FindingKind, GrowthStats, IgnoreHit, Series, Severity, Shape, Thresholds,
    TrackedSeries,
};
use crate::model::{FrameId, StackId, StrId, Tables};
use std::collections::HashMap;

/// Rough memory per leaked goroutine (stack and descriptor), used only to
/// rank goroutine findings against heap findings.
const BYTES_PER_GOROUTINE: f64 = 8192.0;

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

/// A goroutine group: stacks with the same cause and culprit frame.
struct GKey {
    cause: Cause,
    unknown: bool,
    frame: Option<FrameId>,
    via: Option<FrameId>,
    stacks: Vec<usize>,
    counts: Vec<f64>,
}

/// Resolves the cause of a stack from the votes of every snapshot it was
/// seen in: a nil channel wins, then the most common known cause; unknown
/// only when no snapshot showed it.
fn resolve_cause(st: &GStack) -> (Cause, bool) {
    if st.cause_votes[Cause::NilChan as usize] > 0 {
        return (Cause::NilChan, false);
    }
    let mut best: Option<(usize, u64)> = None;
    for (i, &v) in st.cause_votes.iter().enumerate() {
        if v > 0 && best.is_none_or(|b| v > b.1) {
            best = Some((i, v));
        }
    }
    match best {
        Some((i, _)) => (Cause::ALL[i], false),
        None => (Cause::Other, st.unknown > 0),
    }
}

fn span_hours(points: &Points) -> f64 {
    match (points.xs.first(), points.xs.last()) {
        (Some(a), Some(b)) => b - a,
        _ => 0.0,
    }
}

/// Growth beyond both thresholds, over the whole series and again after
/// the first third (the warm-up window): a cache or pool that filled early
/// and then took one more step is not a leak.
fn passes(ys: &[f64], min_abs: f64, min_ratio: f64) -> bool {
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
fn judge(stats: &GrowthStats, passes: bool, enough: bool) -> Option<(Severity, f64)> {
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

fn frame_text(tables: &Tables, f: FrameId) -> String {
    let fr = tables.frame(f);
    func_at(tables.str(fr.function), tables.str(fr.file), fr.line)
}

fn stack_text(tables: &Tables, s: StackId) -> Vec<String> {
    tables
        .stack(s)
        .iter()
        .map(|&f| {
            let fr = tables.frame(f);
            let file = tables.str(fr.file);
            if file.is_empty() {
                tables.str(fr.function).to_string()
            } else {
                format!("{} {}:{}", tables.str(fr.function), file, fr.line)
            }
        })
        .collect()
}

fn series_of(points: &Points, values: &[f64]) -> Series {
    Series {
        times: points.times.clone(),
        values: values.to_vec(),
    }
}

/// The growth part of a sentence: "+112 per snapshot, grew in 10 of 10 intervals".
fn growth_words(stats: &GrowthStats, unit: RateUnit, span: f64, as_bytes: bool) -> String {
    format!(
        "{}, grew in {} of {} intervals",
        rate_words(stats, unit, span, as_bytes),
        stats.grew_intervals,
        stats.intervals
    )
}

/// The slope in the chosen unit with its words: "+112 per snapshot".
fn rate_words(stats: &GrowthStats, unit: RateUnit, span: f64, as_bytes: bool) -> String {
    let rate = rate_in(unit, stats.slope_per_hour, span, stats.intervals);
    let rate = if as_bytes {
        signed_bytes(rate)
    } else {
        signed_count(rate)
    };
    format!("{rate} {}", unit.words())
}

fn stats_evidence(stats: &GrowthStats, unit: RateUnit, span: f64, as_bytes: bool) -> String {
    format!(
        "Theil–Sen slope {}; Mann–Kendall S = {}, p = {:.4}; grew in {} of {} intervals; shape {}{}",
        rate_words(stats, unit, span, as_bytes),
        stats.mk_s,
        stats.mk_p,
        stats.grew_intervals,
        stats.intervals,
        stats.shape.name(),
        if stats.last_third_grows {
            "; the last third still grows"
        } else {
            ""
        }
    )
}

/// A heap function aggregate's candidate finding (before folding).
struct HeapCand {
    agg: usize,
    stats: GrowthStats,
    severity: Severity,
    confidence: f64,
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
    let th = cx.th;
    let mut out = Output::default();

    // ---- ignore rules over goroutine stacks
    let mut hits = vec![0usize; cx.rules.len()];
    let mut ignored = vec![false; gs.stacks.len()];
    let mut chain: Vec<&str> = Vec::new();
    for (i, st) in gs.stacks.iter().enumerate() {
        let Some(c) = st.culprit else { continue };
        chain.clear();
        for &f in tables.stack(st.rep) {
            chain.push(tables.frame_function(f));
            if f == c.frame {
                break;
            }
        }
        let created = top_created_by(st).map(|f| tables.frame_function(f));
        let subject = Subject {
            culprit: tables.frame_function(c.frame),
            created_by: created,
            chain: &chain,
        };
        if let Some(r) = first_match(cx.rules, &subject) {
            hits[r] += 1;
            ignored[i] = true;
        }
    }
    for (r, rule) in cx.rules.iter().enumerate() {
        if hits[r] > 0 || !rule.builtin {
            out.ignored.push(IgnoreHit {
                rule: rule.text.clone(),
                builtin: rule.builtin,
                matched_groups: hits[r],
            });
        }
    }

    // ---- goroutine keys
    let n = gs.points.len();
    let mut keys: Vec<GKey> = Vec::new();
    let mut key_ids: HashMap<(Cause, bool, Option<FrameId>), usize> = HashMap::new();
    for (i, st) in gs.stacks.iter().enumerate() {
        if ignored[i] {
            continue;
        }
        let (cause, unknown) = resolve_cause(st);
        let frame = st.culprit.map(|c| c.frame);
        let k = *key_ids.entry((cause, unknown, frame)).or_insert_with(|| {
            keys.push(GKey {
                cause,
                unknown,
                frame,
                via: st.culprit.and_then(|c| c.via),
                stacks: Vec::new(),
                counts: vec![0.0; n],
            });
            keys.len() - 1
        });
        keys[k].stacks.push(i);
        for (acc, v) in keys[k].counts.iter_mut().zip(gs.row(i)) {
            *acc += v;
        }
    }

    let g_span = span_hours(&gs.points);
    let g_unit = RateUnit::for_span(g_span, cx.synthetic);
    let g_enough = n >= th.min_snapshots && !cx.goroutines_unordered;
    let mut g_rows: Vec<(usize, GrowthStats)> = Vec::with_capacity(keys.len());
    let mut g_findings: Vec<(usize, Finding)> = Vec::new();
    for (k, key) in keys.iter().enumerate() {
        let stats = growth_stats(&gs.points.xs, &key.counts, th.min_snapshots);
        let leaked: u64 = key
            .stacks
            .iter()
            .fold(0u64, |acc, &i| acc.saturating_add(gs.stacks[i].leaked));
        let in_leak_profile = key.stacks.iter().any(|&i| gs.stacks[i].in_leak_profile);
        let culprit_fn = key.frame.map(|f| tables.frame_function(f)).unwrap_or("");
        let forever = key.stacks.iter().any(|&i| {
            let st = &gs.stacks[i];
            st.forever && !st.has_main_goroutine && culprit_fn != "main.main"
        });
        let proof = leaked > 0 || forever;
        let ok = passes(
            &key.counts,
            th.min_goroutines as f64,
            th.min_goroutine_ratio,
        );
        let judged = if proof {
            let growing = stats.shape == Shape::Growing;
            Some((Severity::Leak, if growing { 1.0 } else { 0.95 }))
        } else {
            judge(&stats, ok, g_enough).map(|(sev, conf)| {
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
        };
        if let Some((severity, confidence)) = judged {
            let f = goroutine_finding(
                cx,
                classes,
                gs,
                key,
                &stats,
                severity,
                confidence,
                (leaked, in_leak_profile, forever),
                (g_unit, g_span),
            );
            g_findings.push((k, f));
        }
        g_rows.push((k, stats));
    }

    // ---- heap candidates (function aggregates)
    let h_n = hs.points.len();
    let h_span = span_hours(&hs.points);
    let h_unit = RateUnit::for_span(h_span, cx.synthetic);
    let h_enough = h_n >= th.min_snapshots && !cx.heap_unordered;
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
    let mut h_stats: HashMap<usize, GrowthStats> = HashMap::new();
    let mut cands: Vec<HeapCand> = Vec::new();
    let mut runtime_growth = 0.0f64;
    for (rank, &a) in order.iter().enumerate() {
        let agg = &hs.funcs[a];
        let ok = passes(&agg.bytes, th.min_heap_bytes as f64, th.min_heap_ratio);
        if !ok && rank >= TABLE_ROWS {
            continue;
        }
        let stats = growth_stats(&hs.points.xs, &agg.bytes, th.min_snapshots);
        // A site with no frame outside the runtime (goroutine descriptors and
        // stacks allocated by runtime.malg/newproc1) grows with the goroutine
        // count: it is not a heap leak of its own, and no user code to fix.
        let runtime_only = agg
            .frame
            .is_none_or(|fr| classify_function(tables.frame_function(fr)) == FrameClass::Runtime);
        if runtime_only {
            runtime_growth += deltas[a].max(0.0);
        } else if let Some((severity, confidence)) = judge(&stats, ok, h_enough) {
            cands.push(HeapCand {
                agg: a,
                stats: stats.clone(),
                severity,
                confidence,
            });
        }
        h_stats.insert(a, stats);
    }

    // ---- fold heap growth into goroutine findings that hold it
    let mut folded = vec![false; hs.funcs.len()];
    g_findings.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then(b.1.last.total_cmp(&a.1.last))
            .then(a.0.cmp(&b.0))
    });
    for (k, f) in &mut g_findings {
        let key = &keys[*k];
        let names = match_names(tables, classes, gs, key);
        if names.is_empty() {
            continue;
        }
        let mut retained = 0.0;
        let mut parts: Vec<String> = Vec::new();
        for (a, agg) in hs.funcs.iter().enumerate() {
            if folded[a] {
                continue;
            }
            let held = if h_n >= 2 {
                deltas[a]
            } else {
                agg.bytes.last().copied().unwrap_or(0.0)
            };
            if held <= 0.0 {
                continue;
            }
            let inside = agg.sites.iter().any(|&s| {
                tables
                    .stack(hs.sites[s].stack)
                    .iter()
                    .any(|&fr| names.contains(&tables.frame(fr).function))
            });
            if !inside {
                continue;
            }
            folded[a] = true;
            retained += held;
            if parts.len() < 3 {
                let at = agg
                    .frame
                    .map(|fr| frame_text(tables, fr))
                    .unwrap_or_default();
                parts.push(format!("{at}: {}", signed_bytes(held)));
            }
        }
        if retained > 0.0 {
            f.retained_bytes = Some(retained as i64);
            f.evidence.push(format!(
                "retains heap {} at {}",
                if h_n >= 2 { "growth" } else { "in use" },
                parts.join(", ")
            ));
            f.sentence = format!(
                "{}; they retain {}.",
                f.sentence.trim_end_matches('.'),
                bytes(retained)
            );
        }
    }

    // ---- one finding per leak (after folding, so retained memory adds up;
    // the finding holding the most memory stays in front)
    g_findings.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then(b.1.retained_bytes.cmp(&a.1.retained_bytes))
            .then(b.1.last.total_cmp(&a.1.last))
            .then(a.0.cmp(&b.0))
    });
    merge_lockstep(&mut g_findings, &keys);

    // ---- runtime-only heap growth (goroutine descriptors) as evidence
    if runtime_growth >= th.min_heap_bytes as f64
        && let Some((_, f)) = g_findings.first_mut()
    {
        f.evidence.push(format!(
            "heap allocated by the runtime itself (goroutine structures, runtime.malg) grew by {} alongside",
            bytes(runtime_growth)
        ));
    }

    // ---- goroutine stack memory as evidence
    if let (Some(&a), Some(&b)) = (stack_inuse.values.first(), stack_inuse.values.last())
        && b - a >= th.min_heap_bytes as f64
    {
        for (_, f) in &mut g_findings {
            f.evidence.push(format!(
                "goroutine stacks in use (MemStats StackInuse) grew from {} to {}",
                bytes(a),
                bytes(b)
            ));
        }
    }

    // ---- heap findings
    let mut findings: Vec<(f64, Finding)> = Vec::new();
    for c in cands.iter().filter(|c| !folded[c.agg]) {
        let f = heap_finding(cx, hs, c, (h_unit, h_span));
        let score = f.delta.max(0.0) * f.confidence;
        findings.push((score, f));
    }
    for (_, f) in g_findings {
        let n_g = f.delta.max(if f.proof { f.last } else { 0.0 });
        let impact = n_g * BYTES_PER_GOROUTINE + f.retained_bytes.unwrap_or(0).max(0) as f64;
        findings.push((impact * f.confidence, f));
    }
    findings.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then(b.0.total_cmp(&a.0))
            .then(a.1.kind.cmp(&b.1.kind))
            .then(a.1.function.cmp(&b.1.function))
            .then(a.1.line.cmp(&b.1.line))
    });
    out.findings = findings
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut f))| {
            f.rank = i + 1;
            f
        })
        .collect();

    // ---- tables
    g_rows.sort_by(|a, b| {
        b.1.delta
            .total_cmp(&a.1.delta)
            .then(b.1.last.total_cmp(&a.1.last))
            .then(a.0.cmp(&b.0))
    });
    out.goroutine_groups = g_rows
        .into_iter()
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
            }
        })
        .collect();
    out.heap_sites = order
        .iter()
        .filter_map(|a| h_stats.get(a).map(|s| (*a, s)))
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
            }
        })
        .collect();

    if gs.leak_profiles.0 > 0 && gs.leak_profiles.0 == gs.leak_profiles.1 {
        out.notes.push(format!(
            "The goroutineleak profile{} reported no leaked goroutines. That proves nothing: \
             it cannot see goroutines blocked on channels that are still reachable, on I/O, or in sleeps.",
            if gs.leak_profiles.0 == 1 { "" } else { "s" }
        ));
    }
    out
}

/// One finding per leak: a goroutine finding whose culprit is standard-library
/// code (no user frame of its own) and whose count equals another finding's
/// at every snapshot is the same leak seen from another goroutine (an HTTP
/// client connection has a read loop and a write loop; the server side
/// has a connection goroutine). It is folded into the finding it moves in
/// lockstep with, preferring one that names user code, as evidence.
fn merge_lockstep(g_findings: &mut Vec<(usize, Finding)>, keys: &[GKey]) {
    let is_std = |f: &Finding| classify_function(&f.function) != FrameClass::User;
    let grows = |k: usize| {
        let c = &keys[k].counts;
        c.first().zip(c.last()).is_some_and(|(a, b)| b > a)
    };
    let mut merged_into: Vec<Option<usize>> = vec![None; g_findings.len()];
    for i in 0..g_findings.len() {
        let (ki, fi) = (&g_findings[i].0, &g_findings[i].1);
        if !is_std(fi) || !grows(*ki) {
            continue;
        }
        let partners = (0..g_findings.len()).filter(|&j| {
            j != i
                && merged_into[j].is_none()
                && g_findings[j].1.severity >= fi.severity
                && lockstep(&keys[g_findings[j].0].counts, &keys[*ki].counts)
        });
        // Prefer a partner in user code; else the first in rank order, unless
        // this finding itself comes first.
        let mut best: Option<usize> = None;
        for j in partners {
            let user = !is_std(&g_findings[j].1);
            match best {
                None => best = Some(j),
                Some(b) if user && is_std(&g_findings[b].1) => best = Some(j),
                _ => {}
            }
        }
        let Some(j) = best else { continue };
        if is_std(&g_findings[j].1) && j > i {
            continue; // the later one is folded into this one instead
        }
        merged_into[i] = Some(j);
    }
    let mut companions: Vec<Vec<Finding>> = vec![Vec::new(); g_findings.len()];
    let mut kept = Vec::with_capacity(g_findings.len());
    for (i, (k, f)) in std::mem::take(g_findings).into_iter().enumerate() {
        // Follow chains (a → b → c) to the finding that stays.
        let mut target = i;
        while let Some(t) = merged_into[target] {
            target = t;
        }
        if target == i {
            kept.push((i, (k, f)));
        } else {
            companions[target].push(f);
        }
    }
    for (i, (k, mut f)) in kept {
        let others = std::mem::take(&mut companions[i]);
        if others.is_empty() {
            g_findings.push((k, f));
            continue;
        }
        let mut http_client = f.function.starts_with("net/http.(*persistConn).");
        for o in &others {
            http_client |= o.function.starts_with("net/http.(*persistConn).");
            let at = if o.file.is_empty() {
                String::new()
            } else {
                format!(" ({}:{})", o.file, o.line)
            };
            f.evidence.push(format!(
                "the same leak: {} goroutines {} in {}{} grow in lockstep (about the same count at every snapshot)",
                words_count(o.last),
                cause_phrase(o.cause, false),
                o.function,
                at
            ));
            f.retained_bytes = match (f.retained_bytes, o.retained_bytes) {
                (Some(a), Some(b)) => Some(a.saturating_add(b)),
                (a, b) => a.or(b),
            };
        }
        if http_client {
            f.evidence.push(
                "net/http client connections are never released: typically response bodies \
                 that are not closed (defer resp.Body.Close()), or a new http.Client or \
                 Transport per request"
                    .to_string(),
            );
        }
        let names: Vec<&str> = others.iter().map(|o| o.function.as_str()).collect();
        f.sentence = format!(
            "{}; in lockstep with {}.",
            f.sentence.trim_end_matches('.'),
            names.join(" and ")
        );
        g_findings.push((k, f));
    }
}

/// Two count series move together: at every snapshot they differ by at most
/// 2 goroutines or 10 % (dumps are not atomic; a connection can be half set up).
fn lockstep(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 2f64.max(0.1 * x.abs().max(y.abs())))
}

fn words_count(v: f64) -> String {
    format!("{}", v.max(0.0).round() as u64)
}

/// The file and line of a frame; empty and 0 without one.
fn file_line(tables: &Tables, frame: Option<FrameId>) -> (String, u32) {
    frame
        .map(|f| {
            let fr = tables.frame(f);
            (tables.str(fr.file).to_string(), fr.line)
        })
        .unwrap_or_default()
}

fn frame_parts(tables: &Tables, frame: Option<FrameId>) -> (String, String, String) {
    match frame {
        Some(f) => {
            let fr = tables.frame(f);
            let function = tables.str(fr.function).to_string();
            let file = tables.str(fr.file);
            let location = if file.is_empty() {
                String::new()
            } else {
                format!("{file}:{}", fr.line)
            };
            let label = func_at(&function, file, fr.line);
            (function, location, label)
        }
        None => (
            "(unknown)".to_string(),
            String::new(),
            "(unknown)".to_string(),
        ),
    }
}

/// The most common `created by` frame of a stack.
fn top_created_by(st: &GStack) -> Option<FrameId> {
    st.created_by
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|c| c.0)
}

/// The entry of a goroutine: its outermost user frame, or for a goroutine
/// that runs only standard-library code its outermost frame outside the
/// runtime (`net/http.(*conn).serve`).
fn entry_frame(tables: &Tables, classes: &mut FrameClasses, st: &GStack) -> Option<FrameId> {
    let frames = tables.stack(st.rep);
    frames
        .iter()
        .rev()
        .copied()
        .find(|&f| classes.get(tables, f) == FrameClass::User)
        .or_else(|| {
            frames.iter().rev().copied().find(|&f| {
                !matches!(
                    classes.get(tables, f),
                    FrameClass::Runtime | FrameClass::Sync
                )
            })
        })
}

/// Function names that mark a heap site as running inside this goroutine
/// group: the culprit, the entry function (outermost user frame), and the
/// creator when it is user code other than `main.main` (or any creator when
/// the whole group is standard library, e.g. the connection loops that
/// `net/http.(*Transport).dialConn` starts and whose buffers it allocates).
fn match_names(
    tables: &Tables,
    classes: &mut FrameClasses,
    gs: &GoroutineSeries,
    key: &GKey,
) -> Vec<StrId> {
    let mut names: Vec<StrId> = Vec::new();
    let push = |id: StrId, names: &mut Vec<StrId>| {
        if tables.str(id) != "main.main" && !names.contains(&id) {
            names.push(id);
        }
    };
    if let Some(f) = key.frame
        && classes.get(tables, f) == FrameClass::User
    {
        push(tables.frame(f).function, &mut names);
    }
    for &i in &key.stacks {
        let st = &gs.stacks[i];
        if let Some(entry) = entry_frame(tables, classes, st) {
            push(tables.frame(entry).function, &mut names);
        }
        let std_group = st
            .culprit
            .is_some_and(|c| classes.get(tables, c.frame) != FrameClass::User);
        if let Some(cb) = top_created_by(st) {
            let name = tables.frame_function(cb);
            let class = classify_function(name);
            if class == FrameClass::User || (std_group && class == FrameClass::Std) {
                push(tables.frame(cb).function, &mut names);
            }
        }
    }
    names
}

#[allow(clippy::too_many_arguments)]
fn goroutine_finding(
    cx: &Context<'_>,
    classes: &mut FrameClasses,
    gs: &GoroutineSeries,
    key: &GKey,
    stats: &GrowthStats,
    severity: Severity,
    confidence: f64,
    (leaked, in_leak_profile, forever): (u64, bool, bool),
    (unit, span): (RateUnit, f64),
) -> Finding {
    let tables = cx.tables;
    let (function, _, culprit_at) = frame_parts(tables, key.frame);
    let (file, line) = file_line(tables, key.frame);
    // Representative: the stack with the most goroutines at its largest point.
    let rep_stack = key
        .stacks
        .iter()
        .copied()
        .max_by(|&a, &b| {
            let ma = gs.row(a).iter().copied().fold(0.0, f64::max);
            let mb = gs.row(b).iter().copied().fold(0.0, f64::max);
            ma.total_cmp(&mb).then(b.cmp(&a))
        })
        .map(|i| &gs.stacks[i]);
    // created by: most goroutines over all stacks.
    let mut created: Vec<(FrameId, u64)> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut reasons: Vec<(StrId, u64)> = Vec::new();
    let mut max_wait: Option<u32> = None;
    for &i in &key.stacks {
        let st = &gs.stacks[i];
        for &(f, c) in &st.created_by {
            match created.iter_mut().find(|x| x.0 == f) {
                Some(x) => x.1 = x.1.saturating_add(c),
                None => created.push((f, c)),
            }
        }
        for &(k, v) in &st.labels {
            let kv = format!("{}={}", tables.str(k), tables.str(v));
            if !labels.contains(&kv) {
                labels.push(kv);
            }
        }
        for &(r, c) in &st.reasons {
            match reasons.iter_mut().find(|x| x.0 == r) {
                Some(x) => x.1 = x.1.saturating_add(c),
                None => reasons.push((r, c)),
            }
        }
        if let Some(w) = st.max_wait {
            max_wait = Some(max_wait.map_or(w, |m| m.max(w)));
        }
    }
    labels.sort();
    let created_by = created
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|&(f, _)| frame_text(tables, f));
    let wait_reason = reasons
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|&(r, _)| tables.str(r).to_string());

    let count_now = if stats.last > 0.0 {
        stats.last
    } else {
        leaked as f64
    };

    // A standard-library group is named by its innermost frame; say which
    // goroutine it is (`under net/http.(*conn).serve`).
    let std_entry = match (key.frame, rep_stack) {
        (Some(f), Some(st)) if classes.get(tables, f) != FrameClass::User => {
            entry_frame(tables, classes, st)
                .filter(|&e| tables.frame(e).function != tables.frame(f).function)
        }
        _ => None,
    };
    let mut evidence: Vec<String> = Vec::new();
    let mut proof_words: Option<&str> = None;
    if leaked > 0 {
        if in_leak_profile {
            evidence.push(format!(
                "{} goroutine{} listed in a goroutineleak profile: the runtime proved they can never wake up",
                count(leaked as f64),
                if leaked == 1 { "" } else { "s" }
            ));
        } else {
            evidence.push(format!(
                "{} goroutine{} marked (leaked) by the runtime's leak detector",
                count(leaked as f64),
                if leaked == 1 { "" } else { "s" }
            ));
        }
        proof_words = Some("proven leaked by the runtime");
    }
    if forever {
        let w = if key.cause == Cause::NilChan {
            "a send or receive on a nil channel blocks forever"
        } else {
            "a select with no cases blocks forever"
        };
        evidence.push(w.to_string());
        proof_words = proof_words.or(Some(w));
    }
    if key.unknown {
        evidence.push("blocking operation not visible in debug=1 format".to_string());
    }
    if let Some(v) = key.via {
        evidence.push(format!("blocked in {}", frame_text(tables, v)));
    }
    if let Some(e) = std_entry {
        evidence.push(format!("goroutine entry: {}", frame_text(tables, e)));
    }
    if let Some(w) = &wait_reason {
        evidence.push(format!("wait reason: {w}"));
    }
    if let Some(cb) = &created_by {
        evidence.push(format!("created by {cb}"));
    }
    if let Some(m) = max_wait {
        evidence.push(format!("longest wait {m} minutes"));
    }
    if !labels.is_empty() {
        evidence.push(format!("labels: {}", labels.join(", ")));
    }
    if stats.intervals > 0 {
        evidence.push(stats_evidence(stats, unit, span, false));
    }

    // Sentence.
    let mut s = format!(
        "{} goroutine{} {} in {culprit_at}",
        count(count_now),
        if count_now == 1.0 { "" } else { "s" },
        cause_phrase(key.cause, key.unknown),
    );
    if let Some(v) = key.via {
        s.push_str(&format!(" via {}", tables.frame_function(v)));
    }
    if let Some(e) = std_entry {
        s.push_str(&format!(" under {}", tables.frame_function(e)));
    }
    if let Some(cb) = &created_by {
        let f = cb.split(" (").next().unwrap_or(cb);
        s.push_str(&format!(", created by {f}"));
    }
    let mut tail: Vec<String> = Vec::new();
    if stats.intervals > 0 && stats.delta > 0.0 {
        tail.push(growth_words(stats, unit, span, false));
    }
    if let Some(p) = proof_words {
        tail.push(p.to_string());
    }
    if let Some(m) = max_wait {
        tail.push(format!("longest wait {m} minutes"));
    }
    if !tail.is_empty() {
        s.push_str("; ");
        s.push_str(&tail.join(", "));
    }
    s.push('.');

    Finding {
        rank: 0,
        severity,
        kind: FindingKind::Goroutine,
        cause: key.cause,
        function,
        file,
        line,
        first: if key.counts.is_empty() {
            count_now
        } else {
            stats.first
        },
        last: count_now,
        delta: stats.delta,
        unit: "goroutines",
        sentence: s,
        evidence,
        series: series_of(&gs.points, &key.counts),
        stats: stats.clone(),
        rate_per_hour: stats.slope_per_hour,
        created_by,
        labels,
        retained_bytes: None,
        longest_wait_minutes: max_wait,
        wait_reason,
        proof: leaked > 0 || forever,
        confidence,
        stack: rep_stack.map(|st| st.rep),
        stack_text: rep_stack
            .map(|st| stack_text(tables, st.rep))
            .unwrap_or_default(),
    }
}

fn heap_finding(
    cx: &Context<'_>,
    hs: &HeapSeries,
    c: &HeapCand,
    (unit, span): (RateUnit, f64),
) -> Finding {
    let tables = cx.tables;
    let agg = &hs.funcs[c.agg];
    let site_delta = |s: usize| {
        let row = hs.site_row(s);
        match (row.first(), row.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        }
    };
    // The file:line with the largest growth, and the site with the largest growth.
    let best_line = agg
        .sites
        .iter()
        .map(|&s| hs.sites[s].line)
        .max_by(|&a, &b| {
            let da = hs.lines[a].bytes.last().unwrap_or(&0.0)
                - hs.lines[a].bytes.first().unwrap_or(&0.0);
            let db = hs.lines[b].bytes.last().unwrap_or(&0.0)
                - hs.lines[b].bytes.first().unwrap_or(&0.0);
            da.total_cmp(&db).then(b.cmp(&a))
        });
    let frame = best_line.and_then(|l| hs.lines[l].frame).or(agg.frame);
    let best_site = agg
        .sites
        .iter()
        .copied()
        .max_by(|&a, &b| site_delta(a).total_cmp(&site_delta(b)).then(b.cmp(&a)));
    let (function, _, at) = frame_parts(tables, frame);
    let (file, line) = file_line(tables, frame);
    let via = best_site
        .and_then(|s| hs.sites[s].culprit)
        .and_then(|c| c.via);
    let st = &c.stats;
    let objects = agg.objects.last().copied().unwrap_or(0.0);

    let mut evidence = Vec::new();
    if let Some(v) = via {
        evidence.push(format!("allocated in {}", frame_text(tables, v)));
    }
    evidence.push(format!(
        "in use: {} → {} ({}); {} objects now",
        bytes(st.first),
        bytes(st.last),
        signed_bytes(st.delta),
        count(objects)
    ));
    evidence.push(stats_evidence(st, unit, span, true));
    if agg.sites.len() > 1 {
        evidence.push(format!(
            "{} allocation stacks in this function",
            agg.sites.len()
        ));
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
    Finding {
        rank: 0,
        severity: c.severity,
        kind: FindingKind::Heap,
        cause: Cause::HeapGrowth,
        function,
        file,
        line,
        first: st.first,
        last: st.last,
        delta: st.delta,
        unit: "bytes",
        sentence: s,
        evidence,
        series: series_of(&hs.points, &agg.bytes),
        stats: st.clone(),
        rate_per_hour: st.slope_per_hour,
        created_by: None,
        labels: Vec::new(),
        retained_bytes: None,
        longest_wait_minutes: None,
        wait_reason: None,
        proof: false,
        confidence: c.confidence,
        stack: best_site.map(|s| hs.sites[s].stack),
        stack_text: best_site
            .map(|s| stack_text(tables, hs.sites[s].stack))
            .unwrap_or_default(),
    }
}

/// The short culprit text of a finding for the headline: `main.produce`.
pub fn headline_of(f: &Finding, synthetic: bool) -> String {
    let level = match f.severity {
        Severity::Leak => "Leak",
        Severity::Suspect => "Suspect",
    };
    let span = match (f.series.times.first(), f.series.times.last()) {
        (Some(a), Some(b)) => (b - a) as f64 / 3.6e12,
        _ => 0.0,
    };
    let unit = RateUnit::for_span(span, synthetic);
    let rate = rate_in(unit, f.rate_per_hour, span, f.stats.intervals);
    match f.kind {
        FindingKind::Goroutine => {
            let what = format!(
                "goroutines {} in {}",
                cause_phrase(
                    f.cause,
                    f.evidence.iter().any(|e| e.contains("not visible"))
                ),
                f.function
            );
            if f.stats.intervals > 0 && f.delta > 0.0 && rate > 0.0 {
                format!(
                    "{level}: {what} grow by {} {}",
                    signed_count(rate),
                    unit.words()
                )
            } else if f.proof {
                format!("{level}: {} {what}, proven leaked", count(f.last))
            } else {
                format!("{level}: {what}")
            }
        }
        FindingKind::Heap => format!(
            "{level}: heap held by {} ({}) grows by {} {}",
            f.function,
            short_file(&f.file),
            signed_bytes(rate),
            unit.words()
        ),
    }
}
