//! The JSON summary (`--json`): a contract other tools read.
//!
//! The document is a serialisable *view* built from the archive and the
//! analysis (the analysis types stay free to change; this file decides the
//! wire format). The schema is documented in `docs/json-schema.md`; keep the
//! two in step and bump [`SCHEMA_VERSION`] on any incompatible change.
//!
//! Rules: times are RFC 3339 strings (UTC); counts and byte values are JSON
//! integers whenever they are integral; keys always appear (absent values are
//! `null`, empty lists `[]`); output is deterministic (pretty-printed, fixed
//! key order, no wall-clock time). Rates (`rate_per_hour`) are rounded to
//! [`units::RATE_SIGNIFICANT_DIGITS`] significant digits. Strings carry the
//! dump's text exactly (JSON-escaped): this is the machine-readable output,
//! so control and bidi characters are not made visible here as they are in
//! the human outputs (see [`crate::text`]).

use super::shared::{SCHEMA_VERSION, SkippedEntry, SnapshotEntry, merged_notes};
use super::{Exporter, RenderError, ReportInput};
use crate::analysis::baseline::{Comparison, Outcome, Status};
use crate::analysis::{
    Cause, Finding, FindingKind, GroupSnapshot, IgnoreHit, KindCounts, MemorySeries, ProcessInfo,
    Series, Severity, Shape, Thresholds, TrackedSeries, Verdict,
};
use crate::model::time::rfc3339;
use crate::units;
use serde::{Serialize, Serializer};

/// Writes the JSON summary.
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn render(&self, input: &ReportInput<'_>) -> Result<Vec<u8>, RenderError> {
        let doc = Summary::new(input);
        let mut out = serde_json::to_vec_pretty(&doc)
            .map_err(|e| RenderError(format!("cannot serialise the JSON summary: {e}")))?;
        out.push(b'\n');
        Ok(out)
    }
}

/// A number that is written as a JSON integer when it is integral (goroutine
/// counts, bytes), as a float otherwise, and as `null` when not finite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

/// Largest magnitude written as an integer (2^53, exact in an f64).
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if !v.is_finite() {
            s.serialize_none()
        } else if v.fract() == 0.0 && v.abs() <= MAX_EXACT {
            // `-0.0` becomes 0.
            s.serialize_i64(v as i64)
        } else {
            s.serialize_f64(v)
        }
    }
}

/// A rate or ratio: always a JSON float, `null` when not finite (explicit,
/// rather than relying on serde_json's own NaN handling).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Float(f64);

impl Float {
    /// A rate, rounded to [`units::RATE_SIGNIFICANT_DIGITS`] significant
    /// digits (the slope is an estimate; `28799.999999999996` is `28800.0`).
    fn rate(v: f64) -> Self {
        Float(units::round_significant(v, units::RATE_SIGNIFICANT_DIGITS))
    }
}

impl Serialize for Float {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_finite() {
            s.serialize_f64(self.0)
        } else {
            s.serialize_none()
        }
    }
}

/// `{"times": [RFC 3339…], "values": […]}`.
#[derive(Debug, Serialize)]
struct SeriesView {
    times: Vec<String>,
    values: Vec<Num>,
}

impl SeriesView {
    fn new(s: &Series) -> Self {
        // Both lists have the same length even if the analysis erred.
        let n = s.times.len().min(s.values.len());
        SeriesView {
            times: s.times.iter().take(n).map(|&t| rfc3339(t)).collect(),
            values: s.values.iter().take(n).map(|&v| Num(v)).collect(),
        }
    }
}

/// One `findings[]` entry.
#[derive(Debug, Serialize)]
struct FindingView<'a> {
    rank: usize,
    severity: Severity,
    kind: FindingKind,
    cause: Cause,
    function: &'a str,
    file: &'a str,
    line: u32,
    first: Num,
    last: Num,
    delta: Num,
    unit: &'a str,
    evidence: &'a [String],
    sentence: &'a str,
    series: SeriesView,
    rate_per_hour: Float,
    created_by: Option<&'a str>,
    labels: &'a [String],
    retained_bytes: Option<i64>,
    longest_wait_minutes: Option<u32>,
    wait_reason: Option<&'a str>,
    proof: bool,
    confidence: Float,
    shape: Shape,
    grew_intervals: usize,
    intervals: usize,
    stack: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot: Option<&'a GroupSnapshot>,
    process: &'a str,
    processes: &'a [String],
}

impl<'a> FindingView<'a> {
    fn new(f: &'a Finding) -> Self {
        FindingView {
            rank: f.rank,
            severity: f.severity,
            kind: f.kind,
            cause: f.cause,
            function: &f.function,
            file: &f.file,
            line: f.line,
            first: Num(f.first),
            last: Num(f.last),
            delta: Num(f.delta),
            unit: f.unit().name(),
            evidence: &f.evidence,
            sentence: &f.sentence,
            series: SeriesView::new(&f.series),
            rate_per_hour: Float::rate(f.rate_per_hour),
            created_by: f.created_by.as_deref(),
            labels: &f.labels,
            retained_bytes: f.retained_bytes,
            longest_wait_minutes: f.longest_wait_minutes,
            wait_reason: f.wait_reason.as_deref(),
            proof: f.proof,
            confidence: Float(f.confidence),
            shape: f.stats.shape,
            grew_intervals: f.stats.grew_intervals,
            intervals: f.stats.intervals,
            stack: &f.stack_text,
            snapshot: f.snapshot.as_ref(),
            process: &f.process,
            processes: &f.processes,
        }
    }
}

/// One `heap_sites[]` / `goroutine_groups[]` entry (the top tables).
#[derive(Debug, Serialize)]
struct TrackedView<'a> {
    label: &'a str,
    function: &'a str,
    location: &'a str,
    cause: Cause,
    unit: &'static str,
    first: Num,
    last: Num,
    delta: Num,
    max: Num,
    rate_per_hour: Float,
    shape: Shape,
    grew_intervals: usize,
    intervals: usize,
    series: SeriesView,
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot: Option<&'a GroupSnapshot>,
}

impl<'a> TrackedView<'a> {
    fn new(t: &'a TrackedSeries, unit: &'static str) -> Self {
        TrackedView {
            label: &t.label,
            function: &t.function,
            location: &t.location,
            cause: t.cause,
            unit,
            first: Num(t.stats.first),
            last: Num(t.stats.last),
            delta: Num(t.stats.delta),
            max: Num(t.stats.max),
            rate_per_hour: Float::rate(t.stats.slope_per_hour),
            shape: t.stats.shape,
            grew_intervals: t.stats.grew_intervals,
            intervals: t.stats.intervals,
            series: SeriesView::new(&t.series),
            snapshot: t.snapshot.as_ref(),
        }
    }
}

/// `series.memory`: the MemStats series.
#[derive(Debug, Serialize)]
struct MemoryView {
    sys: SeriesView,
    heap_sys: SeriesView,
    heap_alloc: SeriesView,
    heap_inuse: SeriesView,
    heap_idle: SeriesView,
    heap_released: SeriesView,
    stack_inuse: SeriesView,
    num_gc: SeriesView,
}

impl MemoryView {
    fn new(m: &MemorySeries) -> Self {
        MemoryView {
            sys: SeriesView::new(&m.sys),
            heap_sys: SeriesView::new(&m.heap_sys),
            heap_alloc: SeriesView::new(&m.heap_alloc),
            heap_inuse: SeriesView::new(&m.heap_inuse),
            heap_idle: SeriesView::new(&m.heap_idle),
            heap_released: SeriesView::new(&m.heap_released),
            stack_inuse: SeriesView::new(&m.stack_inuse),
            num_gc: SeriesView::new(&m.num_gc),
        }
    }
}

/// One `runs[]` entry of a process.
#[derive(Debug, Serialize)]
struct RunView {
    snapshots: usize,
    first: Option<String>,
    last: Option<String>,
    verdict: Option<Verdict>,
}

/// One `processes[]` entry: a process judged on its own.
#[derive(Debug, Serialize)]
struct ProcessView<'a> {
    name: &'a str,
    signal: &'a str,
    verdict: Option<Verdict>,
    headline: &'a str,
    snapshots: usize,
    first: Option<String>,
    last: Option<String>,
    restarts: usize,
    restart_times: Vec<String>,
    restart_reasons: &'a [String],
    runs: Vec<RunView>,
    findings: usize,
    leaks: usize,
    binary: Option<&'a str>,
    build_id: Option<&'a str>,
    series: ProcessSeries,
}

/// A process's own timelines (for the per-process overview and `merge`).
#[derive(Debug, Serialize)]
struct ProcessSeries {
    goroutines_total: SeriesView,
    heap_inuse_total: SeriesView,
}

impl<'a> ProcessView<'a> {
    fn new(p: &'a ProcessInfo) -> Self {
        ProcessView {
            name: &p.name,
            signal: &p.signal,
            verdict: p.verdict,
            headline: &p.headline,
            snapshots: p.snapshots,
            first: p.first.map(rfc3339),
            last: p.last.map(rfc3339),
            restarts: p.restarts,
            restart_times: p.restart_times.iter().map(|&t| rfc3339(t)).collect(),
            restart_reasons: &p.restart_reasons,
            runs: p
                .runs
                .iter()
                .map(|r| RunView {
                    snapshots: r.snapshots,
                    first: r.first.map(rfc3339),
                    last: r.last.map(rfc3339),
                    verdict: r.verdict,
                })
                .collect(),
            findings: p.findings,
            leaks: p.leaks,
            binary: p.binary.as_deref(),
            build_id: p.build_id.as_deref(),
            series: ProcessSeries {
                goroutines_total: SeriesView::new(&p.goroutines),
                heap_inuse_total: SeriesView::new(&p.heap_inuse),
            },
        }
    }
}

/// Top-level `series`.
#[derive(Debug, Serialize)]
struct SeriesBlock {
    goroutines_total: SeriesView,
    heap_inuse_total: SeriesView,
    memory: MemoryView,
}

/// The whole document.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    schema_version: u32,
    tool_version: &'a str,
    input: &'a str,
    verdict: Verdict,
    headline: &'a str,
    snapshots: Vec<SnapshotEntry>,
    skipped: &'a [SkippedEntry],
    findings: Vec<FindingView<'a>>,
    memory_note: Option<&'a str>,
    notes: Vec<&'a str>,
    processes: Vec<ProcessView<'a>>,
    ignored: &'a [IgnoreHit],
    thresholds: &'a Thresholds,
    counts: &'a KindCounts,
    series: SeriesBlock,
    goroutine_groups: Vec<TrackedView<'a>>,
    heap_sites: Vec<TrackedView<'a>>,
    baseline: Option<BaselineView<'a>>,
}

/// The `baseline` section (`--baseline BEFORE`).
#[derive(Debug, Serialize)]
struct BaselineView<'a> {
    outcome: Outcome,
    headline: &'a str,
    verdict_before: Verdict,
    verdict_after: Verdict,
    regression: bool,
    rate_unit: &'static str,
    entries: Vec<BaselineEntryView<'a>>,
}

/// One `baseline.entries[]` item.
#[derive(Debug, Serialize)]
struct BaselineEntryView<'a> {
    status: Status,
    kind: FindingKind,
    cause: Cause,
    function: &'a str,
    rank_before: Option<usize>,
    rank_after: Option<usize>,
    severity_after: Option<Severity>,
    rate_before: Float,
    rate_after: Float,
    rate_ratio: Option<Float>,
    regression: bool,
    sentence: &'a str,
    series_before: SeriesView,
    series_after: SeriesView,
}

impl<'a> BaselineView<'a> {
    fn new(c: &'a Comparison) -> Self {
        BaselineView {
            outcome: c.outcome,
            headline: &c.headline,
            verdict_before: c.verdict_before,
            verdict_after: c.verdict_after,
            regression: c.has_regression(),
            rate_unit: if c.per_snapshot {
                "per_snapshot"
            } else {
                "per_hour"
            },
            entries: c
                .entries
                .iter()
                .map(|e| BaselineEntryView {
                    status: e.status,
                    kind: e.kind,
                    cause: e.cause,
                    function: &e.function,
                    rank_before: e.rank_before,
                    rank_after: e.rank_after,
                    severity_after: e.severity_after,
                    rate_before: Float::rate(e.rate_before),
                    rate_after: Float::rate(e.rate_after),
                    rate_ratio: e.rate_ratio.map(|r| {
                        Float(units::round_significant(r, units::RATE_SIGNIFICANT_DIGITS))
                    }),
                    regression: e.regression,
                    sentence: &e.sentence,
                    series_before: SeriesView::new(&e.series_before),
                    series_after: SeriesView::new(&e.series_after),
                })
                .collect(),
        }
    }
}

impl<'a> Summary<'a> {
    fn new(input: &ReportInput<'a>) -> Self {
        let a = input.analysis;
        let archive = input.archive;
        let mut findings: Vec<&Finding> = a.findings.iter().collect();
        // Stable: equal ranks keep the analysis' order.
        findings.sort_by_key(|f| f.rank);
        Summary {
            schema_version: SCHEMA_VERSION,
            tool_version: &input.meta.tool_version,
            input: &input.meta.input_name,
            verdict: a.verdict,
            headline: &a.headline,
            snapshots: archive.snapshots.iter().map(SnapshotEntry::new).collect(),
            skipped: &archive.skipped,
            findings: findings.into_iter().map(FindingView::new).collect(),
            memory_note: a.memory_note.as_deref(),
            notes: merged_notes(&archive.notes, &a.notes),
            processes: a.processes.iter().map(ProcessView::new).collect(),
            ignored: &a.ignored,
            thresholds: &a.thresholds,
            counts: &a.counts,
            series: SeriesBlock {
                goroutines_total: SeriesView::new(&a.goroutines_total),
                heap_inuse_total: SeriesView::new(&a.heap_inuse_total),
                memory: MemoryView::new(&a.memory),
            },
            goroutine_groups: a
                .goroutine_groups
                .iter()
                .map(|t| TrackedView::new(t, "goroutines"))
                .collect(),
            heap_sites: a
                .heap_sites
                .iter()
                .map(|t| TrackedView::new(t, "bytes"))
                .collect(),
            baseline: input
                .extras
                .and_then(|e| e.baseline.as_ref())
                .map(BaselineView::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Analysis, GrowthStats};
    use crate::model::{Archive, Format, GoroutineData, ProfileKind, Skipped, Snapshot, Tables};
    use crate::render::Meta;
    use crate::render::inventory::Inventory;
    use serde_json::Value;

    const T0: i64 = 1_795_000_000_000_000_000;
    const HOUR: i64 = 3_600_000_000_000;

    fn stats(first: f64, last: f64) -> GrowthStats {
        GrowthStats {
            first,
            last,
            delta: last - first,
            max: last,
            grew_intervals: 2,
            intervals: 2,
            slope_per_hour: (last - first) / 2.0,
            mk_s: 3,
            mk_p: 0.1,
            last_third_grows: true,
            shape: Shape::Growing,
        }
    }

    fn finding(rank: usize, cause: Cause) -> Finding {
        Finding {
            rank,
            severity: Severity::Leak,
            kind: FindingKind::Goroutine,
            cause,
            function: "main.produce".into(),
            file: "/src/main.go".into(),
            line: 16,
            first: 3.0,
            last: 1203.0,
            delta: 1200.0,
            sentence: "1200 goroutines pile up".into(),
            evidence: vec!["proof: goroutineleak".into()],
            series: Series {
                times: vec![T0, T0 + HOUR, T0 + 2 * HOUR],
                values: vec![3.0, 600.0, 1203.0],
            },
            stats: stats(3.0, 1203.0),
            rate_per_hour: 600.0,
            created_by: Some("main.start /src/main.go:40".into()),
            labels: vec!["worker=w0".into()],
            retained_bytes: Some(4096),
            longest_wait_minutes: None,
            wait_reason: Some("chan send".into()),
            proof: true,
            confidence: 0.95,
            stack: None,
            stack_text: vec!["main.produce /src/main.go:16".into()],
            snapshot: None,
            process: String::new(),
            processes: Vec::new(),
        }
    }

    fn analysis(findings: Vec<Finding>) -> Analysis {
        let mut a = crate::analysis::analyze(&Archive::default(), &Default::default());
        a.verdict = Verdict::Leak;
        a.headline = "leak".into();
        a.findings = findings;
        a.notes = vec!["n2".into(), "n1".into()];
        a.goroutines_total = Series {
            times: vec![T0, T0 + HOUR],
            values: vec![10.0, 20.5],
        };
        a
    }

    fn archive() -> Archive {
        let mut s = Snapshot::new(Format::GoroutineDebug2, ProfileKind::Goroutine);
        s.path = "g-1.txt".into();
        s.time = Some(T0);
        s.goroutines = Some(GoroutineData {
            total: 7,
            ..Default::default()
        });
        Archive {
            tables: Tables::new(),
            snapshots: vec![s],
            skipped: vec![Skipped {
                path: "x.bin".into(),
                reason: "not a Go dump".into(),
            }],
            notes: vec!["n1".into()],
        }
    }

    fn render(archive: &Archive, analysis: &Analysis) -> Value {
        let meta = Meta {
            input_name: "dumps".into(),
            tool_version: "0.1.0".into(),
        };
        let input = ReportInput {
            archive,
            analysis,
            meta: &meta,
            extras: None,
        };
        let bytes = JsonExporter.render(&input).unwrap();
        assert_eq!(bytes.last(), Some(&b'\n'));
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn rates_are_rounded() {
        let s = |v| serde_json::to_string(&Float::rate(v)).unwrap();
        assert_eq!(s(28_799.999_999_999_996), "28800.0");
        assert_eq!(s(0.012_345), "0.0123");
        assert_eq!(s(f64::INFINITY), "null");
    }

    #[test]
    fn num_writes_integers_when_integral() {
        let s = |v| serde_json::to_string(&Num(v)).unwrap();
        assert_eq!(s(12.0), "12");
        assert_eq!(s(-0.0), "0");
        assert_eq!(s(1.5), "1.5");
        assert_eq!(s(f64::NAN), "null");
        assert_eq!(s(1e300), "1e+300");
        assert_eq!(s(4_294_967_296.0), "4294967296");
    }

    #[test]
    fn document_shape() {
        let ar = archive();
        let an = analysis(vec![finding(2, Cause::Mutex), finding(1, Cause::ChanSend)]);
        let v = render(&ar, &an);
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["tool_version"], "0.1.0");
        assert_eq!(v["input"], "dumps");
        assert_eq!(v["verdict"], "leak");
        let f = &v["findings"];
        assert_eq!(f[0]["rank"], 1);
        assert_eq!(f[0]["cause"], "chan-send");
        assert_eq!(f[1]["cause"], "mutex");
        assert_eq!(f[0]["severity"], "leak");
        assert_eq!(f[0]["kind"], "goroutine");
        assert_eq!(f[0]["unit"], "goroutines");
        assert!(f[0]["last"].is_u64(), "{}", f[0]["last"]);
        assert_eq!(f[0]["last"], 1203);
        assert_eq!(f[0]["series"]["times"][1], "2026-11-18T12:06:40Z");
        assert_eq!(f[0]["series"]["values"][2], 1203);
        assert_eq!(f[0]["shape"], "growing");
        assert_eq!(f[0]["stack"][0], "main.produce /src/main.go:16");
        assert_eq!(f[0]["longest_wait_minutes"], Value::Null);
        assert_eq!(f[0]["created_by"], "main.start /src/main.go:40");
        assert_eq!(v["series"]["goroutines_total"]["values"][1], 20.5);
        assert_eq!(
            v["series"]["memory"]["num_gc"]["times"],
            serde_json::json!([])
        );
        assert_eq!(v["notes"], serde_json::json!(["n1", "n2"]));
        assert_eq!(v["counts"]["goroutineleak"], 0);
        assert_eq!(v["thresholds"]["min_goroutines"], 10);
        let inv: Value = serde_json::from_slice(&Inventory::new(&ar).to_json()).unwrap();
        assert_eq!(v["snapshots"], inv["snapshots"]);
        assert_eq!(v["skipped"], inv["skipped"]);
    }

    #[test]
    fn rendering_is_deterministic() {
        let ar = archive();
        let an = analysis(vec![finding(1, Cause::ChanSend)]);
        let meta = Meta::default();
        let input = ReportInput {
            archive: &ar,
            analysis: &an,
            meta: &meta,
            extras: None,
        };
        assert_eq!(
            JsonExporter.render(&input).unwrap(),
            JsonExporter.render(&input).unwrap()
        );
    }

    #[test]
    fn mismatched_series_lengths_are_cut() {
        let s = SeriesView::new(&Series {
            times: vec![T0, T0 + 1],
            values: vec![1.0],
        });
        assert_eq!(s.times.len(), 1);
        assert_eq!(s.values.len(), 1);
    }
}
