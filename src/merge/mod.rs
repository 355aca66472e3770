//! `leakscope merge A.json B.json …`: the fleet overview from per-archive
//! JSON summaries alone (no dump is read again). Each `report --json` can
//! run as its own job (a CI matrix, Kubernetes Jobs, GNU parallel); merge
//! then ranks every process of every archive by severity and lists the
//! culprits that leak in several of them.
//!
//! Pure functions: [`parse`] turns one document's bytes into an
//! [`ArchiveSummary`] (refusing another `schema_version`), [`Fleet::new`]
//! puts them together, and `to_json` / `to_markdown` / `to_html` render it.
//! The CLI reads and writes the files.

use crate::analysis::{ProcessInfo, RunInfo, Series, Verdict};
use crate::model::time::rfc3339;
use crate::render::RenderError;
use crate::render::html::chart::TimeAxis;
use crate::render::html::overview;
use crate::render::shared::SCHEMA_VERSION;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a document cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeError(pub String);

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MergeError {}

#[derive(Deserialize)]
struct SeriesDoc {
    #[serde(default)]
    times: Vec<String>,
    #[serde(default)]
    values: Vec<Option<f64>>,
}

#[derive(Deserialize)]
struct ProcessSeriesDoc {
    goroutines_total: SeriesDoc,
    heap_inuse_total: SeriesDoc,
}

#[derive(Deserialize)]
struct RunDoc {
    snapshots: usize,
    first: Option<String>,
    last: Option<String>,
    verdict: Option<String>,
}

#[derive(Deserialize)]
struct ProcessDoc {
    name: String,
    signal: String,
    verdict: Option<String>,
    headline: String,
    snapshots: usize,
    first: Option<String>,
    last: Option<String>,
    restarts: usize,
    restart_times: Vec<String>,
    restart_reasons: Vec<String>,
    runs: Vec<RunDoc>,
    findings: usize,
    leaks: usize,
    binary: Option<String>,
    build_id: Option<String>,
    series: ProcessSeriesDoc,
}

#[derive(Deserialize)]
struct FindingDoc {
    severity: String,
    kind: String,
    cause: String,
    function: String,
    sentence: String,
    confidence: Option<f64>,
    process: String,
    processes: Vec<String>,
}

#[derive(Deserialize)]
struct ReportDoc {
    input: String,
    verdict: String,
    headline: String,
    findings: Vec<FindingDoc>,
    processes: Vec<ProcessDoc>,
}

/// A finding of one archive, as merge needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingSummary {
    /// `leak` or `suspect`.
    pub severity: String,
    /// `goroutine` or `heap`.
    pub kind: String,
    /// Cause name.
    pub cause: String,
    /// Culprit function.
    pub function: String,
    /// The report's sentence.
    pub sentence: String,
    /// 0..1.
    pub confidence: f64,
    /// The processes (names inside the archive) it leaks in.
    pub processes: Vec<String>,
}

/// One archive's JSON summary, as merge needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchiveSummary {
    /// The `input` of the report.
    pub input: String,
    /// Its verdict.
    pub verdict: Option<Verdict>,
    /// Its headline.
    pub headline: String,
    /// Its processes.
    pub processes: Vec<ProcessInfo>,
    /// Its findings.
    pub findings: Vec<FindingSummary>,
}

fn verdict_of(s: &str) -> Option<Verdict> {
    match s {
        "leak" => Some(Verdict::Leak),
        "suspect" => Some(Verdict::Suspect),
        "clean" => Some(Verdict::Clean),
        "inconclusive" => Some(Verdict::Inconclusive),
        _ => None,
    }
}

fn verdict_name(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Leak) => "leak",
        Some(Verdict::Suspect) => "suspect",
        Some(Verdict::Clean) => "clean",
        Some(Verdict::Inconclusive) | None => "inconclusive",
    }
}

fn time_of(s: &str) -> Option<i64> {
    let ts: jiff::Timestamp = s.parse().ok()?;
    i64::try_from(ts.as_nanosecond()).ok()
}

fn series_of(d: &SeriesDoc) -> Series {
    let mut out = Series::default();
    for (t, v) in d.times.iter().zip(&d.values) {
        if let (Some(t), Some(v)) = (time_of(t), v) {
            out.times.push(t);
            out.values.push(*v);
        }
    }
    out
}

/// Reads one `report --json` document. `label` names it in errors (its
/// path). Refuses another `schema_version` and documents that are not a
/// report summary (an `inspect` inventory, a fleet document).
pub fn parse(label: &str, bytes: &[u8]) -> Result<ArchiveSummary, MergeError> {
    let v: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| MergeError(format!("{label}: not JSON ({e})")))?;
    let version = v.get("schema_version").and_then(serde_json::Value::as_u64);
    match version {
        Some(x) if x == u64::from(SCHEMA_VERSION) => {}
        Some(x) => {
            return Err(MergeError(format!(
                "{label}: schema_version {x}, but this leakscope reads schema_version \
                 {SCHEMA_VERSION}; write every summary with the same leakscope version \
                 (`leakscope report --json`)"
            )));
        }
        None => {
            return Err(MergeError(format!(
                "{label}: no schema_version: not a leakscope report summary \
                 (`leakscope report --json`)"
            )));
        }
    }
    if v.get("kind").and_then(serde_json::Value::as_str) == Some("fleet") {
        return Err(MergeError(format!(
            "{label}: a fleet document (written by merge); merge the per-archive summaries instead"
        )));
    }
    if v.get("verdict").is_none() {
        return Err(MergeError(format!(
            "{label}: not a report summary (an `inspect` inventory?); use `leakscope report --json`"
        )));
    }
    let doc: ReportDoc = serde_json::from_value(v).map_err(|e| {
        MergeError(format!(
            "{label}: not a report summary of this version ({e})"
        ))
    })?;
    let processes = doc
        .processes
        .iter()
        .map(|p| ProcessInfo {
            name: p.name.clone(),
            signal: p.signal.clone(),
            verdict: p.verdict.as_deref().and_then(verdict_of),
            headline: p.headline.clone(),
            binary: p.binary.clone(),
            build_id: p.build_id.clone(),
            snapshots: p.snapshots,
            first: p.first.as_deref().and_then(time_of),
            last: p.last.as_deref().and_then(time_of),
            restarts: p.restarts,
            restart_times: p.restart_times.iter().filter_map(|t| time_of(t)).collect(),
            restart_reasons: p.restart_reasons.clone(),
            runs: p
                .runs
                .iter()
                .map(|r| RunInfo {
                    snapshots: r.snapshots,
                    first: r.first.as_deref().and_then(time_of),
                    last: r.last.as_deref().and_then(time_of),
                    verdict: r.verdict.as_deref().and_then(verdict_of),
                })
                .collect(),
            findings: p.findings,
            leaks: p.leaks,
            goroutines: series_of(&p.series.goroutines_total),
            heap_inuse: series_of(&p.series.heap_inuse_total),
        })
        .collect();
    let findings = doc
        .findings
        .into_iter()
        .map(|f| FindingSummary {
            severity: f.severity,
            kind: f.kind,
            cause: f.cause,
            function: f.function,
            sentence: f.sentence,
            confidence: f.confidence.unwrap_or(0.0),
            processes: if f.processes.is_empty() {
                vec![f.process]
            } else {
                f.processes
            },
        })
        .collect();
    Ok(ArchiveSummary {
        input: doc.input,
        verdict: verdict_of(&doc.verdict),
        headline: doc.headline,
        processes,
        findings,
    })
}

/// A process of the fleet.
#[derive(Clone, Debug)]
pub struct FleetProcess {
    /// Its name in the fleet: the archive's name, plus the process's name
    /// when the archive holds several (`soak-3/pod-b`).
    pub name: String,
    /// The archive it came from.
    pub archive: String,
    /// The process as its report described it (name replaced).
    pub info: ProcessInfo,
}

/// A culprit of the fleet: one (kind, cause, function) and where it leaks.
#[derive(Clone, Debug, Serialize)]
pub struct FleetFinding {
    /// 1-based rank.
    pub rank: usize,
    /// `leak` if it is a leak anywhere, else `suspect`.
    pub severity: String,
    /// `goroutine` or `heap`.
    pub kind: String,
    /// Cause name.
    pub cause: String,
    /// Culprit function.
    pub function: String,
    /// Fleet process names it leaks in.
    pub processes: Vec<String>,
    /// The sentence of its strongest occurrence.
    pub sentence: String,
}

/// The fleet: every process of every archive, the worst first.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// The archives, in the order given.
    pub archives: Vec<ArchiveSummary>,
    /// Every process, the worst first.
    pub processes: Vec<FleetProcess>,
    /// Culprits, those in the most processes and leaks first.
    pub findings: Vec<FleetFinding>,
    /// The worst verdict.
    pub verdict: Verdict,
}

impl Fleet {
    /// Puts the archives together. Archive names that repeat get `#2`, `#3`.
    pub fn new(mut archives: Vec<ArchiveSummary>) -> Fleet {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for a in &mut archives {
            let n = seen.entry(a.input.clone()).or_default();
            *n += 1;
            if *n > 1 {
                a.input = format!("{}#{}", a.input, n);
            }
        }
        let mut processes: Vec<FleetProcess> = Vec::new();
        for a in &archives {
            let several = a.processes.len() > 1;
            for p in &a.processes {
                let name = if several {
                    format!("{}/{}", a.input, p.name)
                } else {
                    a.input.clone()
                };
                let mut info = p.clone();
                info.name.clone_from(&name);
                processes.push(FleetProcess {
                    name,
                    archive: a.input.clone(),
                    info,
                });
            }
        }
        processes.sort_by(|a, b| {
            b.info
                .verdict
                .cmp(&a.info.verdict)
                .then(b.info.leaks.cmp(&a.info.leaks))
                .then(b.info.findings.cmp(&a.info.findings))
                .then_with(|| crate::ingest::order::natural_cmp(&a.name, &b.name))
        });
        let fleet_name = |a: &ArchiveSummary, p: &str| {
            if a.processes.len() > 1 {
                format!("{}/{p}", a.input)
            } else {
                a.input.clone()
            }
        };
        type Key = (String, String, String);
        let mut by: BTreeMap<Key, (FleetFinding, f64)> = BTreeMap::new();
        for a in &archives {
            for f in &a.findings {
                let key = (f.kind.clone(), f.cause.clone(), f.function.clone());
                let names: Vec<String> = f.processes.iter().map(|p| fleet_name(a, p)).collect();
                let strength = if f.severity == "leak" { 2.0 } else { 1.0 } + f.confidence;
                let e = by.entry(key).or_insert_with(|| {
                    (
                        FleetFinding {
                            rank: 0,
                            severity: f.severity.clone(),
                            kind: f.kind.clone(),
                            cause: f.cause.clone(),
                            function: f.function.clone(),
                            processes: Vec::new(),
                            sentence: f.sentence.clone(),
                        },
                        strength,
                    )
                });
                e.0.processes.extend(names);
                if strength > e.1 {
                    e.0.sentence.clone_from(&f.sentence);
                    e.1 = strength;
                }
                if f.severity == "leak" {
                    e.0.severity = "leak".into();
                }
            }
        }
        let mut findings: Vec<FleetFinding> = by
            .into_values()
            .map(|(mut f, _)| {
                f.processes
                    .sort_by(|a, b| crate::ingest::order::natural_cmp(a, b));
                f.processes.dedup();
                f
            })
            .collect();
        findings.sort_by(|a, b| {
            (b.severity == "leak")
                .cmp(&(a.severity == "leak"))
                .then(b.processes.len().cmp(&a.processes.len()))
                .then_with(|| a.function.cmp(&b.function))
        });
        for (i, f) in findings.iter_mut().enumerate() {
            f.rank = i + 1;
        }
        let verdict = processes
            .iter()
            .filter_map(|p| p.info.verdict)
            .chain(archives.iter().filter_map(|a| a.verdict))
            .max()
            .unwrap_or(Verdict::Inconclusive);
        Fleet {
            archives,
            processes,
            findings,
            verdict,
        }
    }

    /// Processes with this verdict.
    fn count(&self, v: Verdict) -> usize {
        self.processes
            .iter()
            .filter(|p| p.info.verdict == Some(v))
            .count()
    }

    /// One line: the verdict and how many processes have each.
    pub fn headline(&self) -> String {
        let n = self.processes.len();
        let (leak, suspect, clean, inc) = (
            self.count(Verdict::Leak),
            self.count(Verdict::Suspect),
            self.count(Verdict::Clean),
            self.count(Verdict::Inconclusive),
        );
        let word = overview::verdict_words(Some(self.verdict)).0;
        let mut s = format!(
            "{word}: {leak} of {n} processes leak, {suspect} suspect, {clean} clean, {inc} inconclusive ({} archives)",
            self.archives.len()
        );
        if let Some(f) = self.findings.first() {
            s.push_str(&format!(
                "; top culprit {} ({} {}) in {} of {n}",
                f.function,
                f.kind,
                f.cause,
                f.processes.len()
            ));
        }
        s
    }

    /// The fleet JSON document (`kind: "fleet"`).
    pub fn to_json(&self) -> Result<Vec<u8>, RenderError> {
        #[derive(Serialize)]
        struct SeriesOut {
            times: Vec<String>,
            values: Vec<f64>,
        }
        fn series(s: &Series) -> SeriesOut {
            SeriesOut {
                times: s.times.iter().map(|&t| rfc3339(t)).collect(),
                values: s.values.clone(),
            }
        }
        #[derive(Serialize)]
        struct ProcessOut<'a> {
            rank: usize,
            name: &'a str,
            archive: &'a str,
            process: &'a str,
            signal: &'a str,
            verdict: &'static str,
            headline: &'a str,
            snapshots: usize,
            first: Option<String>,
            last: Option<String>,
            restarts: usize,
            restart_times: Vec<String>,
            findings: usize,
            leaks: usize,
            goroutines_total: SeriesOut,
            heap_inuse_total: SeriesOut,
        }
        #[derive(Serialize)]
        struct ArchiveOut<'a> {
            input: &'a str,
            verdict: &'static str,
            headline: &'a str,
            processes: usize,
        }
        #[derive(Serialize)]
        struct Doc<'a> {
            schema_version: u32,
            kind: &'static str,
            tool_version: &'static str,
            verdict: &'static str,
            headline: String,
            archives: Vec<ArchiveOut<'a>>,
            processes: Vec<ProcessOut<'a>>,
            findings: &'a [FleetFinding],
        }
        let doc = Doc {
            schema_version: SCHEMA_VERSION,
            kind: "fleet",
            tool_version: env!("CARGO_PKG_VERSION"),
            verdict: verdict_name(Some(self.verdict)),
            headline: self.headline(),
            archives: self
                .archives
                .iter()
                .map(|a| ArchiveOut {
                    input: &a.input,
                    verdict: verdict_name(a.verdict),
                    headline: &a.headline,
                    processes: a.processes.len(),
                })
                .collect(),
            processes: self
                .processes
                .iter()
                .enumerate()
                .map(|(i, p)| ProcessOut {
                    rank: i + 1,
                    name: &p.name,
                    archive: &p.archive,
                    process: p
                        .name
                        .strip_prefix(&format!("{}/", p.archive))
                        .unwrap_or(""),
                    signal: &p.info.signal,
                    verdict: verdict_name(p.info.verdict),
                    headline: &p.info.headline,
                    snapshots: p.info.snapshots,
                    first: p.info.first.map(rfc3339),
                    last: p.info.last.map(rfc3339),
                    restarts: p.info.restarts,
                    restart_times: p.info.restart_times.iter().map(|&t| rfc3339(t)).collect(),
                    findings: p.info.findings,
                    leaks: p.info.leaks,
                    goroutines_total: series(&p.info.goroutines),
                    heap_inuse_total: series(&p.info.heap_inuse),
                })
                .collect(),
            findings: &self.findings,
        };
        let mut out = serde_json::to_vec_pretty(&doc)
            .map_err(|e| RenderError(format!("cannot serialise the fleet JSON: {e}")))?;
        out.push(b'\n');
        Ok(out)
    }

    /// The fleet as Markdown (untrusted text made visible and escaped).
    pub fn to_markdown(&self) -> String {
        let cell = |s: &str| {
            crate::text::visible(s)
                .replace('\\', "\\\\")
                .replace('|', "\\|")
                .replace('`', "'")
                .replace('<', "&lt;")
                .replace('\n', " ")
        };
        let mut s = format!("# leakscope fleet\n\n**{}**\n\n", cell(&self.headline()));
        s.push_str("| # | Process | Verdict | Snapshots | Restarts | Findings | Headline |\n");
        s.push_str("|---|---|---|---|---|---|---|\n");
        for (i, p) in self.processes.iter().enumerate() {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                i + 1,
                cell(&p.name),
                verdict_name(p.info.verdict),
                p.info.snapshots,
                p.info.restarts,
                p.info.findings,
                cell(&p.info.headline)
            ));
        }
        if !self.findings.is_empty() {
            s.push_str("\n## Culprits\n\n| # | Severity | Culprit | Cause | Processes |\n|---|---|---|---|---|\n");
            let n = self.processes.len();
            for f in &self.findings {
                s.push_str(&format!(
                    "| {} | {} | {} | {} {} | {} of {n}: {} |\n",
                    f.rank,
                    f.severity,
                    cell(&f.function),
                    f.kind,
                    f.cause,
                    f.processes.len(),
                    cell(&short_list(&f.processes))
                ));
            }
        }
        s
    }

    /// The fleet HTML page (template `fleet.html`, overridable like the
    /// report's).
    pub fn to_html(&self, templates: &[(String, String)]) -> Result<Vec<u8>, RenderError> {
        let synthetic = self
            .processes
            .iter()
            .all(|p| p.info.first.is_none_or(|t| t < 946_684_800_000_000_000));
        let axis = if synthetic {
            TimeAxis::Sequence
        } else {
            TimeAxis::Clock
        };
        let rows = overview::rows(
            self.processes.iter().map(|p| (p.archive.as_str(), &p.info)),
            axis,
        );
        #[derive(Serialize)]
        struct View<'a> {
            title: String,
            tool_version: &'static str,
            verdict_word: &'static str,
            verdict_class: &'static str,
            headline: String,
            archives: usize,
            overview: Vec<overview::OverviewRow>,
            findings: Vec<FindingRow<'a>>,
        }
        #[derive(Serialize)]
        struct FindingRow<'a> {
            rank: usize,
            severity: &'a str,
            kind: &'a str,
            cause: &'a str,
            function: &'a str,
            count: usize,
            processes: String,
            sentence: &'a str,
        }
        let (verdict_word, verdict_class) = overview::verdict_words(Some(self.verdict));
        let view = View {
            title: format!("leakscope fleet: {} processes", self.processes.len()),
            tool_version: env!("CARGO_PKG_VERSION"),
            verdict_word,
            verdict_class,
            headline: self.headline(),
            archives: self.archives.len(),
            overview: rows,
            findings: self
                .findings
                .iter()
                .map(|f| FindingRow {
                    rank: f.rank,
                    severity: &f.severity,
                    kind: &f.kind,
                    cause: &f.cause,
                    function: &f.function,
                    count: f.processes.len(),
                    processes: short_list(&f.processes),
                    sentence: &f.sentence,
                })
                .collect(),
        };
        let env = crate::render::html::environment(templates)?;
        let tmpl = env
            .get_template("fleet.html")
            .map_err(|e| RenderError(format!("template fleet.html: {e:#}")))?;
        let html = tmpl
            .render(minijinja::value::Serde(&view))
            .map_err(|e| RenderError(format!("cannot render the fleet page: {e:#}")))?;
        Ok(html.into_bytes())
    }
}

/// "a, b, c and 7 more".
fn short_list(names: &[String]) -> String {
    const SHOWN: usize = 8;
    let shown: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    if names.len() > SHOWN {
        format!("{} and {} more", shown.join(", "), names.len() - SHOWN)
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_another_schema_version_and_other_documents() {
        let e = parse("a.json", br#"{"schema_version": 99, "verdict": "leak"}"#).unwrap_err();
        assert!(e.0.contains("a.json: schema_version 99"), "{e}");
        let e = parse("b.json", br#"{"schema_version": 1, "snapshots": []}"#).unwrap_err();
        assert!(e.0.contains("not a report summary"), "{e}");
        let e = parse("c.json", b"nope").unwrap_err();
        assert!(e.0.contains("not JSON"), "{e}");
        let e = parse("d.json", br#"{"verdict": "leak"}"#).unwrap_err();
        assert!(e.0.contains("no schema_version"), "{e}");
    }

    fn archive(input: &str, verdict: Verdict, procs: &[(&str, Verdict)]) -> ArchiveSummary {
        ArchiveSummary {
            input: input.into(),
            verdict: Some(verdict),
            headline: String::new(),
            processes: procs
                .iter()
                .map(|(n, v)| ProcessInfo {
                    name: (*n).into(),
                    verdict: Some(*v),
                    leaks: usize::from(*v == Verdict::Leak),
                    ..ProcessInfo::default()
                })
                .collect(),
            findings: vec![FindingSummary {
                severity: "leak".into(),
                kind: "goroutine".into(),
                cause: "mutex".into(),
                function: "main.lookup".into(),
                sentence: "s".into(),
                confidence: 0.9,
                processes: procs
                    .iter()
                    .filter(|p| p.1 == Verdict::Leak)
                    .map(|p| p.0.to_string())
                    .collect(),
            }],
        }
    }

    #[test]
    fn fleet_ranks_processes_and_joins_culprits() {
        let f = Fleet::new(vec![
            archive("a", Verdict::Clean, &[("process", Verdict::Clean)]),
            archive(
                "b",
                Verdict::Leak,
                &[("pod-1", Verdict::Leak), ("pod-2", Verdict::Clean)],
            ),
            archive("a", Verdict::Leak, &[("process", Verdict::Leak)]),
        ]);
        let names: Vec<&str> = f.processes.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a#2", "b/pod-1", "a", "b/pod-2"]);
        assert_eq!(f.verdict, Verdict::Leak);
        assert_eq!(f.findings.len(), 1);
        assert_eq!(f.findings[0].processes, ["a#2", "b/pod-1"]);
        assert!(f.headline().starts_with("Leak: 2 of 4 processes leak"));
        let md = f.to_markdown();
        assert!(md.contains("| 1 | a#2 | leak |"), "{md}");
        let html = String::from_utf8(f.to_html(&[]).expect("fleet page")).expect("utf8");
        assert!(html.contains("pod-1") && html.contains("id=\"processes\""));
        let json: serde_json::Value =
            serde_json::from_slice(&f.to_json().expect("fleet json")).expect("json");
        assert_eq!(json["kind"], "fleet");
        assert_eq!(json["processes"][1]["process"], "pod-1");
    }
}
