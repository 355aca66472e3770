//! The data the templates see: plain serialisable structs with every number
//! already formatted, so templates stay free of logic and the output is
//! deterministic. Fields holding markup produced here (`svg`, `spark`,
//! `remedy_html`, flame `srcdoc`) are escaped at construction and inserted
//! with `|safe`; everything else is escaped by the template engine.

use super::chart::{self, Line, TimeAxis};
use super::flame::{self, FlameGraph};
use crate::analysis::{Cause, Finding, TrackedSeries, Verdict};
use crate::model::time::rfc3339;
use crate::render::shared::{Per, SnapshotEntry, is_growing, looks_cut_off, merged_notes};
use crate::render::{ReportInput, remedy};
use crate::units::{self, Quantity as Unit};
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything a report template can use.
/// Rows kept at each end of the snapshot inventory of a long archive.
pub const INVENTORY_ENDS: usize = 200;

#[derive(Clone, Debug, Serialize)]
pub struct View {
    /// Page title.
    pub title: String,
    /// The input as the user named it.
    pub input_name: String,
    /// leakscope's version.
    pub tool_version: String,
    /// Verdict word, CSS class and headline.
    pub verdict: VerdictView,
    /// Processes seen (binary, build id).
    pub processes: Vec<ProcessRow>,
    /// The per-process overview, worst first (empty with one process).
    pub overview: Vec<super::overview::OverviewRow>,
    /// First → last snapshot time.
    pub span: Option<SpanView>,
    /// Snapshots by kind (`heap: 12`).
    pub kind_counts: Vec<Count>,
    /// Number of snapshots.
    pub snapshot_total: usize,
    /// Findings, ranked.
    pub findings: Vec<FindingView>,
    /// Distinct remedies of the findings' causes, in order of first use.
    pub remedies: Vec<RemedyView>,
    /// What was checked (shown when there is no finding).
    pub checked: Vec<String>,
    /// Memory over time.
    pub memory: MemoryView,
    /// Flame graphs.
    pub flames: Vec<FlameGraph>,
    /// Some flame graph is embedded gzip+base64 (the page then carries a small inflating script).
    pub flames_gz: bool,
    /// Top growing allocation sites.
    pub heap_sites: Vec<TrackedView>,
    /// Heap sites that stayed flat or shrank (a collapsed table).
    pub heap_sites_other: Vec<TrackedView>,
    /// Top goroutine groups.
    pub goroutine_groups: Vec<TrackedView>,
    /// Goroutine groups that stayed flat or shrank (a collapsed table).
    pub goroutine_groups_other: Vec<TrackedView>,
    /// Snapshot inventory (the first and last [`INVENTORY_ENDS`] rows of a
    /// long archive).
    pub snapshots: Vec<SnapshotRow>,
    /// Inventory rows left out in the middle of a long archive (0: none),
    /// and the text saying so.
    pub snapshots_hidden: usize,
    /// How many rows come before the left-out ones.
    pub snapshots_split: usize,
    /// "N snapshots …" for the left-out rows.
    pub snapshots_hidden_text: String,
    /// How many snapshots got their time from which source.
    pub time_sources: Vec<Count>,
    /// Files not used.
    pub skipped: Vec<crate::model::Skipped>,
    /// Ignore rules and their matches.
    pub ignored: Vec<IgnoreRow>,
    /// Remarks (archive first, then analysis), without duplicates.
    pub notes: Vec<String>,
    /// Thresholds, formatted.
    pub thresholds: ThresholdView,
    /// The comparison with `--baseline`, when given.
    pub baseline: Option<super::fix::BaselineView>,
    /// The page needs the styles of `fix.css` (baseline or source shown).
    pub fix_css: bool,
    /// What one snapshot shows, when the series is too short for a
    /// verdict on growth.
    pub one_dump: Option<crate::render::one_dump::OneDump>,
}

/// Verdict for the header.
#[derive(Clone, Debug, Serialize)]
pub struct VerdictView {
    /// `Leak`, `Suspect`, `Clean`, `Inconclusive`.
    pub word: &'static str,
    /// CSS class (`leak`, `suspect`, `clean`, `inconclusive`).
    pub class: &'static str,
    /// One-line summary.
    pub headline: String,
}

/// A process.
#[derive(Clone, Debug, Serialize)]
pub struct ProcessRow {
    /// Its name in the archive (`pod-b`).
    pub name: String,
    /// Its verdict word.
    pub verdict: &'static str,
    /// Binary name or `unknown`.
    pub binary: String,
    /// Build id or empty.
    pub build_id: String,
    /// Snapshots from it.
    pub snapshots: usize,
}

/// Time span of the archive.
#[derive(Clone, Debug, Serialize)]
pub struct SpanView {
    /// First snapshot time (RFC 3339).
    pub first: String,
    /// Last snapshot time (RFC 3339).
    pub last: String,
    /// Human duration (`2 h 5 min`).
    pub duration: String,
}

/// A name and a count.
#[derive(Clone, Debug, Serialize)]
pub struct Count {
    /// Name.
    pub name: String,
    /// Count.
    pub n: usize,
    /// How many of them were read from a file that looks cut off (kept,
    /// and labelled so).
    pub cut: usize,
}

/// One finding, formatted.
#[derive(Clone, Debug, Serialize)]
pub struct FindingView {
    /// Rank.
    pub rank: usize,
    /// `leak` / `suspect`.
    pub severity: &'static str,
    /// `goroutine` / `heap`.
    pub kind: &'static str,
    /// Cause name.
    pub cause: &'static str,
    /// Anchor of the cause's remedy (empty when there is none).
    pub remedy_anchor: String,
    /// One-line gist of the remedy.
    pub gist: String,
    /// Culprit function.
    pub function: String,
    /// `file:line` or empty.
    pub location: String,
    /// The pasteable sentence.
    pub sentence: String,
    /// Sparkline SVG (markup).
    pub spark: String,
    /// First value with unit.
    pub first: String,
    /// Last value with unit.
    pub last: String,
    /// Signed delta with unit.
    pub delta: String,
    /// Signed growth per hour with unit.
    pub rate: String,
    /// Series shape.
    pub shape: &'static str,
    /// Confidence in percent.
    pub confidence: u32,
    /// Proven by the runtime.
    pub proof: bool,
    /// Created-by, or empty.
    pub created_by: String,
    /// Wait reason, or empty.
    pub wait_reason: String,
    /// Longest wait, or empty.
    pub longest_wait: String,
    /// Labels.
    pub labels: Vec<String>,
    /// Retained heap, or empty.
    pub retained: String,
    /// Evidence lines.
    pub evidence: Vec<String>,
    /// Representative stack, leaf first.
    pub stack: Vec<String>,
    /// Statistics line (Theil–Sen, Mann–Kendall).
    pub stats: String,
    /// Source lines and links (`--source`, `--source-url`), when given.
    pub source: Option<super::fix::SourceView>,
}

/// A remedy block.
#[derive(Clone, Debug, Serialize)]
pub struct RemedyView {
    /// Cause name.
    pub cause: &'static str,
    /// Anchor id.
    pub anchor: String,
    /// Trusted HTML from the embedded Markdown.
    pub remedy_html: String,
}

/// A chart slot.
#[derive(Clone, Debug, Serialize)]
pub struct ChartView {
    /// Anchor id.
    pub id: &'static str,
    /// Heading.
    pub title: &'static str,
    /// How to read it (with a word on a zoomed axis).
    pub caption: String,
    /// SVG markup, empty when there is no data.
    pub svg: String,
    /// Why there is no chart.
    pub note: String,
}

/// The memory section.
#[derive(Clone, Debug, Serialize)]
pub struct MemoryView {
    /// "Not a leak: the runtime keeps freed memory", when the analysis says so.
    pub note: String,
    /// The charts.
    pub charts: Vec<ChartView>,
    /// Snapshots carrying MemStats.
    pub memstats_snapshots: usize,
}

/// A row of the growth tables.
#[derive(Clone, Debug, Serialize)]
pub struct TrackedView {
    /// What it is.
    pub label: String,
    /// Culprit function.
    pub function: String,
    /// file:line.
    pub location: String,
    /// Cause.
    pub cause: &'static str,
    /// Sparkline (markup).
    pub spark: String,
    /// First → last, formatted.
    pub first: String,
    /// Last value.
    pub last: String,
    /// Delta.
    pub delta: String,
    /// Rate per hour.
    pub rate: String,
    /// Shape.
    pub shape: &'static str,
}

/// A snapshot inventory row.
#[derive(Clone, Debug, Serialize)]
pub struct SnapshotRow {
    /// The inventory entry.
    #[serde(flatten)]
    pub entry: SnapshotEntry,
    /// Time or `–`.
    pub time_text: String,
    /// In-use heap, human, or empty.
    pub inuse_text: String,
    /// Goroutines or empty.
    pub goroutines_text: String,
}

/// An ignore rule row.
#[derive(Clone, Debug, Serialize)]
pub struct IgnoreRow {
    /// Rule text.
    pub rule: String,
    /// `built-in` or `--ignore`.
    pub origin: &'static str,
    /// Groups matched.
    pub matched_groups: usize,
}

/// Thresholds, formatted.
#[derive(Clone, Debug, Serialize)]
pub struct ThresholdView {
    /// Minimum goroutine growth.
    pub min_goroutines: u64,
    /// Minimum relative goroutine growth (`50 %`).
    pub min_goroutine_ratio: String,
    /// Minimum heap growth (`1.0 MiB`).
    pub min_heap_bytes: String,
    /// Minimum relative heap growth.
    pub min_heap_ratio: String,
    /// Minimum snapshots per kind.
    pub min_snapshots: usize,
}

fn verdict_view(v: Verdict, headline: &str) -> VerdictView {
    let (word, class, default) = match v {
        Verdict::Leak => ("Leak", "leak", "A leak was found."),
        Verdict::Suspect => ("Suspect", "suspect", "Growth that may be a leak."),
        Verdict::Clean => ("Clean", "clean", "Nothing grows beyond the thresholds."),
        Verdict::Inconclusive => ("Inconclusive", "inconclusive", "Too little data to tell."),
    };
    VerdictView {
        word,
        class,
        headline: if headline.trim().is_empty() {
            default.to_string()
        } else {
            headline.to_string()
        },
    }
}

fn finding_view(f: &Finding, has_remedy: &dyn Fn(Cause) -> bool, per: Per) -> FindingView {
    let unit = f.unit().quantity();
    let location = if f.file.is_empty() {
        String::new()
    } else if f.line > 0 {
        format!("{}:{}", f.file, f.line)
    } else {
        f.file.clone()
    };
    FindingView {
        rank: f.rank,
        severity: f.severity.name(),
        kind: f.kind.name(),
        cause: f.cause.name(),
        remedy_anchor: if has_remedy(f.cause) {
            format!("remedy-{}", f.cause.name())
        } else {
            String::new()
        },
        gist: remedy::gist(f.cause),
        function: f.function.clone(),
        location,
        sentence: f.sentence.clone(),
        spark: chart::sparkline(&f.series, unit).unwrap_or_default(),
        first: unit.format(f.first),
        last: unit.format(f.last),
        delta: unit.signed(f.delta),
        rate: format!(
            "{}/{}",
            unit.signed(per.convert(f.rate_per_hour, &f.series)),
            per.label()
        ),
        shape: f.stats.shape.name(),
        confidence: (f.confidence.clamp(0.0, 1.0) * 100.0).round() as u32,
        proof: f.proof,
        created_by: f.created_by.clone().unwrap_or_default(),
        wait_reason: f.wait_reason.clone().unwrap_or_default(),
        longest_wait: f
            .longest_wait_minutes
            .map(crate::units::wait_minutes)
            .unwrap_or_default(),
        labels: f.labels.clone(),
        retained: f
            .retained_bytes
            .map(|b| units::bytes(b as f64))
            .unwrap_or_default(),
        evidence: f.evidence.clone(),
        stack: f.stack_text.clone(),
        // No statistics for a one-point finding (the evidence says why),
        // nor when the evidence already carries them.
        stats: if f.stats.intervals == 0 || f.evidence.iter().any(|e| e.contains("Mann–Kendall"))
        {
            String::new()
        } else {
            stats_line(f, unit, per)
        },
        source: None,
    }
}

/// Theil–Sen and Mann–Kendall of a finding, in one line.
fn stats_line(f: &Finding, unit: Unit, per: Per) -> String {
    format!(
        "Theil–Sen slope {}/{}; Mann–Kendall S = {}, {}; grew in {} of {} intervals; last third {}",
        unit.signed(per.convert(f.stats.slope_per_hour, &f.series)),
        per.label(),
        f.stats.mk_s,
        units::p_value(f.stats.mk_p),
        f.stats.grew_intervals,
        f.stats.intervals,
        if f.stats.last_third_grows {
            "still grows"
        } else {
            "flat"
        }
    )
}

fn tracked_view(t: &TrackedSeries, unit: Unit, per: Per) -> TrackedView {
    TrackedView {
        label: t.label.clone(),
        function: t.function.clone(),
        location: t.location.clone(),
        cause: t.cause.name(),
        spark: chart::sparkline(&t.series, unit).unwrap_or_default(),
        first: unit.format(t.stats.first),
        last: unit.format(t.stats.last),
        delta: unit.signed(t.stats.delta),
        rate: format!(
            "{}/{}",
            unit.signed(per.convert(t.stats.slope_per_hour, &t.series)),
            per.label()
        ),
        shape: t.stats.shape.name(),
    }
}

/// The rows that grew (`growing`) or the others, in the analysis' order.
fn tracked_rows(rows: &[TrackedSeries], growing: bool, unit: Unit, per: Per) -> Vec<TrackedView> {
    rows.iter()
        .filter(|t| is_growing(t) == growing)
        .map(|t| tracked_view(t, unit, per))
        .collect()
}

fn chart_view(
    id: &'static str,
    title: &'static str,
    caption: &'static str,
    (unit, axis): (Unit, TimeAxis),
    lines: &[Line<'_>],
    empty_note: &str,
    restarts: &[i64],
) -> ChartView {
    match chart::line_chart_zoomed(title, unit, axis, lines, restarts) {
        Some(c) => ChartView {
            id,
            title,
            caption: match c.zoomed_from {
                Some(from) => format!(
                    "{caption} The y axis is zoomed (it starts at {from}, not 0) so that the change shows."
                ),
                None => caption.to_string(),
            },
            svg: c.svg,
            note: String::new(),
        },
        None => ChartView {
            id,
            title,
            caption: caption.to_string(),
            svg: String::new(),
            note: empty_note.to_string(),
        },
    }
}

fn memory_view(input: &ReportInput<'_>, axis: TimeAxis) -> MemoryView {
    let a = input.analysis;
    let m = &a.memory;
    // The timelines show the first (worst) process: mark its restarts.
    let restarts: &[i64] = a
        .processes
        .first()
        .map_or(&[], |p| p.restart_times.as_slice());
    let memstats_snapshots = input
        .archive
        .snapshots
        .iter()
        .filter(|s| s.memstats.is_some())
        .count();
    let mem_lines = [
        Line {
            name: "Sys (OS)",
            color: "#7f8c8d",
            series: &m.sys,
        },
        Line {
            name: "HeapSys",
            color: "#8e44ad",
            series: &m.heap_sys,
        },
        Line {
            name: "HeapAlloc",
            color: "#2e86c1",
            series: &m.heap_alloc,
        },
        Line {
            name: "HeapInuse (in use)",
            color: "#d35400",
            series: &m.heap_inuse,
        },
    ];
    let inuse_lines = [Line {
        name: "HeapInuse (in use)",
        color: "#d35400",
        series: &m.heap_inuse,
    }];
    let charts = vec![
        chart_view(
            "chart-memstats",
            "Memory from the OS, heap, and heap in use (MemStats)",
            "Sys is what the process obtained from the OS; the runtime keeps freed pages for reuse and returns them slowly, so Sys and HeapSys staying high after load drops is normal. HeapInuse is what is actually in use: a leak keeps it climbing.",
            (Unit::Bytes, axis),
            &mem_lines,
            "No MemStats in this archive. The runtime's memory statistics come with text heap profiles (/debug/pprof/heap?debug=1 ends with a # runtime.MemStats block) and with expvar (/debug/vars, key memstats). Capture one of them alongside the profiles to see Sys, HeapSys and HeapInuse over time.",
            restarts,
        ),
        chart_view(
            "chart-heapinuse",
            "HeapInuse on its own scale (MemStats)",
            "The same HeapInuse line without Sys setting the scale: Sys is often many times larger and makes a growing HeapInuse look flat.",
            (Unit::Bytes, axis),
            &inuse_lines,
            "",
            restarts,
        ),
        chart_view(
            "chart-goroutines",
            "Goroutines",
            "Total goroutines per dump. A steady climb that never comes back down means goroutines are blocked for good.",
            (Unit::Count, axis),
            &[Line {
                name: "goroutines",
                color: "#16a085",
                series: &a.goroutines_total,
            }],
            "No goroutine dumps in this archive (/debug/pprof/goroutine?debug=2 or the protobuf profile).",
            restarts,
        ),
        chart_view(
            "chart-heap-profile",
            "In-use heap from the profiles",
            "Sum of in-use bytes over all allocation sites of each heap profile (unsampled estimate, as of the last GC before the profile).",
            (Unit::Bytes, axis),
            &[Line {
                name: "in-use heap (profile)",
                color: "#c0392b",
                series: &a.heap_inuse_total,
            }],
            "No heap profiles with in-use data in this archive (/debug/pprof/heap).",
            restarts,
        ),
    ];
    MemoryView {
        note: a.memory_note.clone().unwrap_or_default(),
        charts,
        memstats_snapshots,
    }
}

fn checked(input: &ReportInput<'_>) -> Vec<String> {
    let t = &input.analysis.thresholds;
    let (heap, gor) = super::fold::counts(input.archive);
    let leak_profiles = input
        .archive
        .snapshots
        .iter()
        .filter(|s| s.goroutines.as_ref().is_some_and(|g| g.leak_profile))
        .count();
    let mut out = vec![
        format!(
            "{gor} goroutine dump(s): no group of goroutines with the same stack grew by at least {} goroutines and {}.",
            t.min_goroutines,
            units::percent(t.min_goroutine_ratio)
        ),
        format!(
            "{heap} heap profile(s): no allocation site's in-use memory grew by at least {} and {}.",
            units::bytes(t.min_heap_bytes as f64),
            units::percent(t.min_heap_ratio)
        ),
    ];
    if leak_profiles > 0 {
        out.push(format!(
            "{leak_profiles} goroutineleak profile(s): no goroutine proven leaked by the runtime."
        ));
    }
    out.push(format!(
        "A statistical verdict needs at least {} snapshots of a kind.",
        t.min_snapshots
    ));
    out
}

/// Distinct remedies of the findings' causes, in order of first use.
fn remedies(findings: &[Finding]) -> Vec<RemedyView> {
    let mut remedies: Vec<RemedyView> = Vec::new();
    for f in findings {
        if remedies.iter().any(|r| r.cause == f.cause.name()) {
            continue;
        }
        let html = remedy::html(f.cause);
        if !html.trim().is_empty() {
            remedies.push(RemedyView {
                cause: f.cause.name(),
                anchor: format!("remedy-{}", f.cause.name()),
                remedy_html: html,
            });
        }
    }
    remedies
}

/// Processes from the analysis, else from the snapshots' process facts.
fn processes(input: &ReportInput<'_>) -> Vec<ProcessRow> {
    let (a, archive) = (input.analysis, input.archive);
    let mut processes: Vec<ProcessRow> = a
        .processes
        .iter()
        .map(|p| ProcessRow {
            name: p.name.clone(),
            verdict: super::overview::verdict_words(p.verdict).0,
            binary: p
                .binary
                .clone()
                .unwrap_or_else(|| "binary not named in the dumps".into()),
            build_id: p.build_id.clone().unwrap_or_default(),
            snapshots: p.snapshots,
        })
        .collect();
    if processes.is_empty() {
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        for s in &archive.snapshots {
            if s.process.binary.is_some() || s.process.build_id.is_some() {
                *seen
                    .entry((
                        s.process
                            .binary
                            .clone()
                            .unwrap_or_else(|| "binary not named in the dumps".into()),
                        s.process.build_id.clone().unwrap_or_default(),
                    ))
                    .or_default() += 1;
            }
        }
        processes = seen
            .into_iter()
            .map(|((binary, build_id), snapshots)| ProcessRow {
                name: String::new(),
                verdict: "",
                binary,
                build_id,
                snapshots,
            })
            .collect();
    }
    processes
}

/// Snapshots by kind and by time source.
fn kind_and_source_counts(archive: &crate::model::Archive) -> (Vec<Count>, Vec<Count>) {
    let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut sources: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for s in &archive.snapshots {
        let k = kinds.entry(s.kind.name()).or_default();
        k.0 += 1;
        k.1 += usize::from(looks_cut_off(s));
        sources.entry(s.time_source.name()).or_default().0 += 1;
    }
    let to_counts = |m: BTreeMap<&str, (usize, usize)>| {
        m.into_iter()
            .map(|(k, (n, cut))| Count {
                name: k.to_string(),
                n,
                cut,
            })
            .collect::<Vec<_>>()
    };
    (to_counts(kinds), to_counts(sources))
}

/// Builds the view of a report.
pub fn build(input: &ReportInput<'_>) -> View {
    build_with(input, None)
}

/// [`build`] with the flame graphs, when they were drawn already
/// ([`flame::build_all`] of the same archive: the CLI draws them while the
/// archive is analysed).
pub fn build_with(input: &ReportInput<'_>, flames: Option<Vec<flame::FlameGraph>>) -> View {
    let a = input.analysis;
    let archive = input.archive;

    // Without any real snapshot time the analysis spaces snapshots one
    // "hour" apart: number them instead and give rates per snapshot.
    let synthetic = !archive.snapshots.iter().any(|s| s.time.is_some());
    let axis = if synthetic {
        TimeAxis::Sequence
    } else {
        TimeAxis::Clock
    };
    let per = Per::for_archive(archive);

    let remedies = remedies(&a.findings);
    let findings = finding_views(input, &remedies, per);

    let processes = processes(input);

    let span = archive.time_span().map(|(f, l)| SpanView {
        first: rfc3339(f),
        last: rfc3339(l),
        duration: units::duration(l.saturating_sub(f)),
    });
    let (kind_counts, time_sources) = kind_and_source_counts(archive);

    let (snapshots, snapshots_hidden, snapshots_hidden_text) = snapshot_rows(archive);

    let notes: Vec<String> = merged_notes(&archive.notes, &a.notes)
        .into_iter()
        .map(String::from)
        .collect();

    let fix_css = input
        .extras
        .is_some_and(|e| e.baseline.is_some() || e.source.is_some());
    let flames = flames.unwrap_or_else(|| flame::build_all(archive));
    let flames_gz = flames.iter().any(|g| g.gz.is_some());
    View {
        title: format!("leakscope report: {}", input.meta.input_name),
        input_name: input.meta.input_name.clone(),
        tool_version: input.meta.tool_version.clone(),
        verdict: verdict_view(a.verdict, &a.headline),
        processes,
        overview: if a.processes.len() > 1 {
            super::overview::rows(a.processes.iter().map(|p| ("", p)), axis)
        } else {
            Vec::new()
        },
        span,
        kind_counts,
        snapshot_total: archive.snapshots.len(),
        findings,
        checked: checked(input),
        remedies,
        memory: memory_view(input, axis),
        flames,
        flames_gz,
        heap_sites: tracked_rows(&a.heap_sites, true, Unit::Bytes, per),
        heap_sites_other: tracked_rows(&a.heap_sites, false, Unit::Bytes, per),
        goroutine_groups: tracked_rows(&a.goroutine_groups, true, Unit::Count, per),
        goroutine_groups_other: tracked_rows(&a.goroutine_groups, false, Unit::Count, per),
        snapshots,
        snapshots_hidden,
        snapshots_split: INVENTORY_ENDS,
        snapshots_hidden_text,
        time_sources,
        skipped: archive.skipped.clone(),
        ignored: ignore_rows(a),
        notes,
        thresholds: threshold_view(&a.thresholds),
        baseline: input.extras.and_then(|e| {
            e.baseline
                .as_ref()
                .map(|c| super::fix::baseline_view(c, &e.baseline_name, per))
        }),
        fix_css,
        one_dump: crate::render::one_dump::build(a),
    }
}

/// One view per finding, in rank order: its remedy link, its source lines
/// and its trend with the restarts of its process marked.
fn finding_views(input: &ReportInput<'_>, remedies: &[RemedyView], per: Per) -> Vec<FindingView> {
    let a = input.analysis;
    let has_remedy = |c: Cause| remedies.iter().any(|r| r.cause == c.name());
    a.findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut v = finding_view(f, &has_remedy, per);
            v.source = super::fix::source_view(input.extras, i, f.stack_text.len());
            // Mark the restarts of the finding's process on its trend.
            let restarts = a
                .processes
                .iter()
                .find(|p| p.name == f.process)
                .map_or(&[][..], |p| p.restart_times.as_slice());
            if !restarts.is_empty() {
                v.spark = chart::sparkline_marked(&f.series, f.unit().quantity(), restarts)
                    .unwrap_or_default();
            }
            v
        })
        .collect()
}

/// The snapshot inventory: the listed rows, how many are hidden in between,
/// and the sentence saying so.
fn snapshot_rows(archive: &crate::model::Archive) -> (Vec<SnapshotRow>, usize, String) {
    let mut snapshots: Vec<SnapshotRow> = archive
        .snapshots
        .iter()
        .map(SnapshotEntry::new)
        .map(|e| SnapshotRow {
            time_text: e.time.clone().unwrap_or_else(|| "–".into()),
            inuse_text: e
                .inuse_bytes
                .map(|b| units::bytes(b as f64))
                .unwrap_or_default(),
            goroutines_text: e
                .goroutines
                .map(|g| units::count(g as f64))
                .unwrap_or_default(),
            entry: e,
        })
        .collect();

    // A long archive lists its first and last snapshots; the JSON has all.
    let snapshots_hidden = snapshots.len().saturating_sub(2 * INVENTORY_ENDS);
    if snapshots_hidden > 0 {
        snapshots.drain(INVENTORY_ENDS..INVENTORY_ENDS + snapshots_hidden);
    }
    let snapshots_hidden_text = format!(
        "{} snapshots in between are not listed here (the first and last {} are; the JSON report lists them all)",
        units::count(snapshots_hidden as f64),
        units::count(INVENTORY_ENDS as f64)
    );
    (snapshots, snapshots_hidden, snapshots_hidden_text)
}

/// The ignore rules that matched, with where each came from.
fn ignore_rows(a: &crate::analysis::Analysis) -> Vec<IgnoreRow> {
    a.ignored
        .iter()
        .map(|i| IgnoreRow {
            rule: i.rule.clone(),
            origin: if i.builtin { "built-in" } else { "--ignore" },
            matched_groups: i.matched_groups,
        })
        .collect()
}

/// The thresholds the analysis used, formatted.
fn threshold_view(t: &crate::analysis::Thresholds) -> ThresholdView {
    ThresholdView {
        min_goroutines: t.min_goroutines,
        min_goroutine_ratio: units::percent(t.min_goroutine_ratio),
        min_heap_bytes: units::bytes(t.min_heap_bytes as f64),
        min_heap_ratio: units::percent(t.min_heap_ratio),
        min_snapshots: t.min_snapshots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_words_and_default_headline() {
        let v = verdict_view(Verdict::Suspect, " ");
        assert_eq!((v.word, v.class), ("Suspect", "suspect"));
        assert_eq!(v.headline, "Growth that may be a leak.");
        assert_eq!(verdict_view(Verdict::Leak, "x").headline, "x");
    }
}
