//! Many processes, one archive: each process (see
//! [`crate::ingest::identify_processes`]) is judged on its own, each run of
//! a process between two restarts is judged on its own, then the runs and
//! the processes are put together:
//!
//! - a culprit found in several runs of one process is one finding whose
//!   series spans the runs; when it grows in *every* run it is a leak
//!   (growth that starts again after a restart is stronger evidence, not
//!   weaker); the drop at a restart is never part of any series, so it is
//!   never read as a drain;
//! - a culprit found in several processes is one finding that lists them
//!   ("2 of 3 processes"); the verdict is the worst process's;
//! - the top-level timelines, tables and MemStats are the worst process's;
//!   [`ProcessInfo`] carries each process's own timelines for the overview.

use super::series::{SYNTHETIC_SPACING_NS, Segment, split_runs};
use super::types::{
    Analysis, Finding, FindingKind, IgnoreHit, KindCounts, MemorySeries, Options, ProcessInfo,
    RunInfo, Series, Severity, Verdict,
};
use super::{analyze_run, outlier_notes, verdict};
use crate::ingest::order::natural_cmp;
use crate::model::Archive;
use std::collections::BTreeMap;

/// Analyses every process of the archive and puts them together.
pub(crate) fn analyze_all(archive: &Archive, opts: &Options) -> Analysis {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in archive.snapshots.iter().enumerate() {
        groups.entry(s.process.name.as_str()).or_default().push(i);
    }
    let results: Vec<(ProcessInfo, Analysis)> = groups
        .into_iter()
        .map(|(name, idx)| analyze_process(archive, name, &idx, opts))
        .collect();
    combine_processes(results)
}

/// One process: its runs, each analysed on its own, then together.
fn analyze_process(
    archive: &Archive,
    name: &str,
    idx: &[usize],
    opts: &Options,
) -> (ProcessInfo, Analysis) {
    let (runs, outliers) = split_runs(archive, idx);
    let analyses: Vec<Analysis> = runs
        .iter()
        .map(|seg| analyze_run(archive, seg, opts))
        .collect();
    let run_verdicts: Vec<Verdict> = analyses.iter().map(|a| a.verdict).collect();
    let mut a = combine_runs(analyses, opts);
    let mut notes: Vec<String> = outlier_notes(archive, &outliers).collect();
    let first = idx.first().map(|&i| &archive.snapshots[i]);
    let display = if name.is_empty() {
        first
            .and_then(|s| s.process.binary.as_deref())
            .map(|b| b.rsplit(['/', '\\']).next().unwrap_or(b).to_string())
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| "process".to_string())
    } else {
        name.to_string()
    };
    let restart_times: Vec<i64> = a_run_starts(&a, &runs, archive);
    let restart_reasons: Vec<String> = runs
        .iter()
        .skip(1)
        .filter_map(|r| r.reason.clone())
        .collect();
    if runs.len() > 1 {
        notes.push(format!(
            "The process restarted {} ({}); each run is judged on its own, and the drop at a \
             restart is not read as a drain.",
            times(runs.len() - 1),
            restart_reasons.join("; ")
        ));
    }
    notes.append(&mut a.notes);
    a.notes = notes;
    let (t_first, t_last) = time_span(&a);
    let info = ProcessInfo {
        name: display.clone(),
        signal: first
            .map(|s| s.process.signal.name())
            .unwrap_or("single")
            .to_string(),
        verdict: Some(a.verdict),
        headline: a.headline.clone(),
        binary: runs.iter().find_map(|r| r.info.binary.clone()),
        build_id: runs.iter().find_map(|r| r.info.build_id.clone()),
        snapshots: runs.iter().map(|r| r.snaps.len()).sum(),
        first: t_first,
        last: t_last,
        restarts: runs.len().saturating_sub(1),
        restart_times,
        restart_reasons,
        runs: Vec::new(),
        findings: a.findings.len(),
        leaks: a
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Leak)
            .count(),
        goroutines: a.goroutines_total.clone(),
        heap_inuse: a.heap_inuse_total.clone(),
    };
    let mut info = info;
    info.runs = run_infos(&a, &runs, &run_verdicts, archive);
    for f in &mut a.findings {
        f.process.clone_from(&display);
        f.processes = vec![display.clone()];
    }
    (info, a)
}

/// "once", "2 times".
fn times(n: usize) -> String {
    if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    }
}

/// The (possibly synthetic) times of a run's snapshots on the combined
/// axis: the real times when known, else the run's slice of the series.
fn run_span(archive: &Archive, seg: &Segment) -> (Option<i64>, Option<i64>) {
    let t = seg.snaps.iter().filter_map(|&i| archive.snapshots[i].time);
    (t.clone().min(), t.max())
}

/// When each later run starts.
fn a_run_starts(a: &Analysis, runs: &[Segment], archive: &Archive) -> Vec<i64> {
    if a.synthetic_times {
        // The series of run k start after the k-th gap (see `shift`).
        return run_offsets(a, runs.len());
    }
    runs.iter()
        .skip(1)
        .filter_map(|r| run_span(archive, r).0)
        .collect()
}

/// With synthetic times, the start of each later run on the combined axis:
/// the first goroutine or heap time after a gap of two spacings.
fn run_offsets(a: &Analysis, runs: usize) -> Vec<i64> {
    let mut t: Vec<i64> = a
        .goroutines_total
        .times
        .iter()
        .chain(&a.heap_inuse_total.times)
        .copied()
        .collect();
    t.sort_unstable();
    t.dedup();
    t.windows(2)
        .filter(|w| w[1] - w[0] > SYNTHETIC_SPACING_NS)
        .map(|w| w[1])
        .take(runs.saturating_sub(1))
        .collect()
}

fn run_infos(
    a: &Analysis,
    runs: &[Segment],
    verdicts: &[Verdict],
    archive: &Archive,
) -> Vec<RunInfo> {
    let starts = a_run_starts(a, runs, archive);
    runs.iter()
        .enumerate()
        .map(|(k, r)| {
            let (first, last) = if a.synthetic_times {
                (
                    if k == 0 {
                        Some(0)
                    } else {
                        starts.get(k - 1).copied()
                    },
                    None,
                )
            } else {
                run_span(archive, r)
            };
            RunInfo {
                snapshots: r.snaps.len(),
                first,
                last,
                verdict: verdicts.get(k).copied(),
            }
        })
        .collect()
}

/// Earliest and latest time on the process's timelines.
fn time_span(a: &Analysis) -> (Option<i64>, Option<i64>) {
    let all = a
        .goroutines_total
        .times
        .iter()
        .chain(&a.heap_inuse_total.times)
        .chain(&a.memory.heap_inuse.times);
    (all.clone().min().copied(), all.max().copied())
}

/// Every time list of an analysis, to shift a run along the axis.
fn for_each_times(a: &mut Analysis, mut f: impl FnMut(&mut Vec<i64>)) {
    for x in &mut a.findings {
        f(&mut x.series.times);
    }
    f(&mut a.goroutines_total.times);
    f(&mut a.heap_inuse_total.times);
    for s in memory_fields(&mut a.memory) {
        f(&mut s.times);
    }
    for t in a.heap_sites.iter_mut().chain(a.goroutine_groups.iter_mut()) {
        f(&mut t.series.times);
    }
}

fn memory_fields(m: &mut MemorySeries) -> [&mut Series; 8] {
    [
        &mut m.sys,
        &mut m.heap_sys,
        &mut m.heap_alloc,
        &mut m.heap_inuse,
        &mut m.heap_idle,
        &mut m.heap_released,
        &mut m.stack_inuse,
        &mut m.num_gc,
    ]
}

fn append(into: &mut Series, from: &Series) {
    into.times.extend_from_slice(&from.times);
    into.values.extend_from_slice(&from.values);
}

/// The culprit of a finding: the same culprit in two runs or two processes
/// is one finding.
/// The culprit plus its occurrence within one run or process (two groups
/// with the same culprit in one run stay two findings).
type Key = (FindingKind, super::types::Cause, String, usize);

/// The keys of one run's or process's findings, in order.
fn keys(findings: &[Finding]) -> Vec<Key> {
    let mut seen: BTreeMap<(FindingKind, super::types::Cause, &str), usize> = BTreeMap::new();
    findings
        .iter()
        .map(|f| {
            let n = seen.entry((f.kind, f.cause, &f.function)).or_default();
            *n += 1;
            (f.kind, f.cause, f.function.clone(), *n)
        })
        .collect()
}

/// Stronger first: severity, proof, confidence, then the rank it had.
fn stronger(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then(b.proof.cmp(&a.proof))
        .then(b.confidence.total_cmp(&a.confidence))
        .then(a.rank.cmp(&b.rank))
}

/// Numbers of a value in a finding's unit.
fn fmt(f: &Finding, v: f64) -> String {
    f.unit().quantity().format(v)
}

/// Puts the runs of one process together (see the module doc).
fn combine_runs(mut runs: Vec<Analysis>, opts: &Options) -> Analysis {
    if runs.len() <= 1 {
        return runs
            .pop()
            .unwrap_or_else(|| super::empty(opts, "Inconclusive: no usable snapshot".to_string()));
    }
    let n = runs.len();
    lay_end_to_end(&mut runs);
    let run_verdicts: Vec<Verdict> = runs.iter().map(|a| a.verdict).collect();
    let mut findings: Vec<Finding> = group_by_culprit(runs.iter_mut())
        .into_iter()
        .map(|list| merge_run_finding(&list, n))
        .collect();
    rerank(&mut findings);
    let mut out = runs.pop().expect("at least two runs");
    let mut totals = RunTotals::default();
    for (r, a) in runs.iter().chain(std::iter::once(&out)).enumerate() {
        totals.add(r, a);
    }
    let synthetic = runs.iter().any(|a| a.synthetic_times) || out.synthetic_times;
    let memory_note = out
        .memory_note
        .take()
        .or_else(|| runs.iter().rev().find_map(|a| a.memory_note.clone()));
    let verdict = runs_verdict(&findings, &run_verdicts);
    let th = &opts.thresholds;
    let counts = totals.counts;
    let points = counts.heap.max(counts.goroutine).max(counts.memstats);
    let headline = verdict::headline(
        verdict,
        &findings,
        &counts,
        points,
        th.min_snapshots,
        synthetic,
    );
    out.verdict = verdict;
    out.headline = headline;
    out.findings = findings;
    out.goroutines_total = totals.goroutines;
    out.heap_inuse_total = totals.heap;
    out.memory = totals.memory;
    out.memory_note = memory_note;
    out.counts = counts;
    out.ignored = totals.ignored;
    out.synthetic_times = synthetic;
    out.notes = totals
        .notes
        .into_iter()
        .map(|(text, rs)| {
            if rs.len() == n {
                text
            } else {
                let which: Vec<String> = rs.iter().map(usize::to_string).collect();
                format!("Run {}: {text}", which.join(", "))
            }
        })
        .collect();
    out
}

/// Synthetic axes start at 0 in every run: lays them end to end with a gap
/// of two spacings so the restart shows.
fn lay_end_to_end(runs: &mut [Analysis]) {
    let mut end: Option<i64> = None;
    for a in runs {
        if a.synthetic_times {
            let offset = end.map_or(0, |e| e + 2 * SYNTHETIC_SPACING_NS);
            for_each_times(a, |t| t.iter_mut().for_each(|x| *x += offset));
        }
        let mut last = None;
        for_each_times(a, |t| last = last.max(t.iter().max().copied()));
        end = end.max(last);
    }
}

/// Takes the findings out of each analysis and groups them by culprit
/// ([`Key`]), groups in order of first appearance; each finding carries the
/// index of the analysis it came from.
fn group_by_culprit<'a>(
    analyses: impl Iterator<Item = &'a mut Analysis>,
) -> Vec<Vec<(usize, Finding)>> {
    let mut order: Vec<Key> = Vec::new();
    let mut by: BTreeMap<Key, Vec<(usize, Finding)>> = BTreeMap::new();
    for (r, a) in analyses.enumerate() {
        let ks = keys(&a.findings);
        for (f, k) in std::mem::take(&mut a.findings).into_iter().zip(ks) {
            if !by.contains_key(&k) {
                order.push(k.clone());
            }
            by.entry(k).or_default().push((r, f));
        }
    }
    order.iter().filter_map(|k| by.remove(k)).collect()
}

/// Sorts put-together findings in rank order and numbers them from 1.
fn rerank(findings: &mut [Finding]) {
    findings.sort_by(stronger_for_rank);
    for (i, f) in findings.iter_mut().enumerate() {
        f.rank = i + 1;
    }
}

/// Adds one analysis's snapshot counts to a running total.
fn add_counts(into: &mut KindCounts, from: &KindCounts) {
    into.heap += from.heap;
    into.goroutine += from.goroutine;
    into.goroutineleak += from.goroutineleak;
    into.memstats += from.memstats;
}

/// One culprit's findings across the runs of `n` (run index, finding) as
/// one finding: the strongest, with the series and intervals of all runs and
/// a first evidence line that tells in which runs it grew.
fn merge_run_finding(list: &[(usize, Finding)], n: usize) -> Finding {
    let mut best = list
        .iter()
        .min_by(|a, b| stronger(&a.1, &b.1))
        .map(|x| x.1.clone())
        .expect("a group is never empty");
    let mut series = Series::default();
    for (_, f) in list {
        append(&mut series, &f.series);
    }
    best.series = series;
    // The series spans the runs: so do the intervals (the restart
    // itself is not an interval of any run).
    best.stats.intervals = list.iter().map(|x| x.1.stats.intervals).sum();
    best.stats.grew_intervals = list.iter().map(|x| x.1.stats.grew_intervals).sum();
    let mut seen: Vec<usize> = list.iter().map(|x| x.0 + 1).collect();
    seen.dedup();
    let per_run: Vec<String> = list
        .iter()
        .map(|(r, f)| format!("run {}: {} → {}", r + 1, fmt(f, f.first), fmt(f, f.last)))
        .collect();
    if seen.len() == n {
        best.severity = Severity::Leak;
        best.evidence.insert(
            0,
            format!(
                "grows again in each of the {n} runs between restarts ({})",
                per_run.join("; ")
            ),
        );
        best.sentence.push_str(&format!(
            " It grows again after each restart, in all {n} runs of the process."
        ));
    } else {
        let which: Vec<String> = seen.iter().map(usize::to_string).collect();
        best.evidence.insert(
            0,
            format!(
                "seen in run {} of {n} (the process restarted {}; {})",
                which.join(", "),
                times(n - 1),
                per_run.join("; ")
            ),
        );
    }
    best
}

/// The timelines, counts, notes and ignore hits of the runs, end to end.
#[derive(Default)]
struct RunTotals {
    goroutines: Series,
    heap: Series,
    memory: MemorySeries,
    counts: KindCounts,
    /// Each note with the (1-based) runs that have it.
    notes: Vec<(String, Vec<usize>)>,
    ignored: Vec<IgnoreHit>,
}

impl RunTotals {
    /// Adds run `r` (0-based).
    fn add(&mut self, r: usize, a: &Analysis) {
        append(&mut self.goroutines, &a.goroutines_total);
        append(&mut self.heap, &a.heap_inuse_total);
        let mut m = memory_fields(&mut self.memory);
        let mut src = a.memory.clone();
        for (into, from) in m.iter_mut().zip(memory_fields(&mut src)) {
            append(into, from);
        }
        add_counts(&mut self.counts, &a.counts);
        for note in &a.notes {
            match self.notes.iter_mut().find(|x| &x.0 == note) {
                Some(x) => x.1.push(r + 1),
                None => self.notes.push((note.clone(), vec![r + 1])),
            }
        }
        for h in &a.ignored {
            match self.ignored.iter_mut().find(|x| x.rule == h.rule) {
                Some(x) => x.matched_groups = x.matched_groups.max(h.matched_groups),
                None => self.ignored.push(h.clone()),
            }
        }
    }
}

/// The verdict of put-together runs: leak or suspect from the findings,
/// else clean when any run was clean.
fn runs_verdict(findings: &[Finding], run_verdicts: &[Verdict]) -> Verdict {
    if findings.iter().any(|f| f.severity == Severity::Leak) {
        Verdict::Leak
    } else if findings.iter().any(|f| f.severity == Severity::Suspect) {
        Verdict::Suspect
    } else if run_verdicts.contains(&Verdict::Clean) {
        Verdict::Clean
    } else {
        Verdict::Inconclusive
    }
}

/// Rank order of put-together findings: leaks first, then the most
/// processes, then the strongest.
fn stronger_for_rank(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then(b.processes.len().cmp(&a.processes.len()))
        .then_with(|| stronger(a, b))
}

/// Severity order of processes: worst verdict, most leaks, most findings,
/// then name.
fn process_order(a: &ProcessInfo, b: &ProcessInfo) -> std::cmp::Ordering {
    b.verdict
        .cmp(&a.verdict)
        .then(b.leaks.cmp(&a.leaks))
        .then(b.findings.cmp(&a.findings))
        .then_with(|| natural_cmp(&a.name, &b.name))
}

/// "pod-a, pod-b and 3 more".
fn name_list(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    if names.len() > SHOWN {
        format!("{} and {} more", shown.join(", "), names.len() - SHOWN)
    } else {
        shown.join(", ")
    }
}

/// Puts the processes together (see the module doc).
fn combine_processes(mut results: Vec<(ProcessInfo, Analysis)>) -> Analysis {
    results.sort_by(|a, b| process_order(&a.0, &b.0));
    if results.len() == 1 {
        let (info, mut a) = results.pop().expect("one process");
        a.processes = vec![info];
        return a;
    }
    let n = results.len();
    let mut findings: Vec<Finding> = group_by_culprit(results.iter_mut().map(|r| &mut r.1))
        .into_iter()
        .map(|list| merge_process_finding(list.into_iter().map(|x| x.1).collect(), n))
        .collect();
    rerank(&mut findings);
    let infos: Vec<ProcessInfo> = results.iter().map(|r| r.0.clone()).collect();
    let mut counts = KindCounts::default();
    let mut notes: Vec<(String, Vec<String>)> = Vec::new();
    for (info, a) in &results {
        add_counts(&mut counts, &a.counts);
        for note in &a.notes {
            match notes.iter_mut().find(|x| &x.0 == note) {
                Some(x) => x.1.push(info.name.clone()),
                None => notes.push((note.clone(), vec![info.name.clone()])),
            }
        }
    }
    let synthetic = results.iter().any(|r| r.1.synthetic_times);
    let (worst_info, mut out) = results.swap_remove(0);
    let verdict = infos
        .iter()
        .filter_map(|p| p.verdict)
        .max()
        .unwrap_or(Verdict::Inconclusive);
    out.headline = processes_headline(verdict, &worst_info, &infos);
    let mut all_notes = vec![format!(
        "The archive holds {n} processes (told apart by {}): {}. Each is judged on its own; \
         the timelines and tables show {}, the worst, and the overview shows every process.",
        signals(&infos),
        name_list(&infos.iter().map(|p| p.name.clone()).collect::<Vec<_>>()),
        worst_info.name
    )];
    all_notes.extend(notes.into_iter().map(|(text, names)| {
        if names.len() == n {
            text
        } else {
            format!("{}: {text}", name_list(&names))
        }
    }));
    out.verdict = verdict;
    out.findings = findings;
    out.notes = all_notes;
    out.counts = counts;
    out.synthetic_times = synthetic;
    out.processes = infos;
    out
}

/// One culprit's findings across `n` processes as one finding: the
/// strongest, naming the processes it was found in.
fn merge_process_finding(list: Vec<Finding>, n: usize) -> Finding {
    let mut best = list
        .iter()
        .min_by(|a, b| stronger(a, b))
        .cloned()
        .expect("a group is never empty");
    let mut names: Vec<String> = list.iter().map(|f| f.process.clone()).collect();
    names.sort_by(|a, b| natural_cmp(a, b));
    names.dedup();
    let who = if names.len() > 1 {
        best.evidence.insert(
            0,
            format!(
                "the same culprit leaks in {} of {n} processes: {}",
                names.len(),
                name_list(&names)
            ),
        );
        format!("{} of {n} processes ({})", names.len(), name_list(&names))
    } else {
        best.process.clone()
    };
    best.sentence = format!("In {who}: {}", best.sentence);
    best.processes = names;
    best
}

/// The headline of put-together processes: the worst process's, with how
/// many processes share its verdict.
fn processes_headline(verdict: Verdict, worst_info: &ProcessInfo, infos: &[ProcessInfo]) -> String {
    let n = infos.len();
    let bad = infos.iter().filter(|p| p.verdict == Some(verdict)).count();
    let snapshots: usize = infos.iter().map(|p| p.snapshots).sum();
    match verdict {
        Verdict::Clean => format!(
            "Clean: no goroutine group or allocation site grows beyond the thresholds in any of \
             the {n} processes ({snapshots} snapshots)"
        ),
        _ => format!(
            "{} (in {}; {bad} of {n} processes {})",
            worst_info.headline,
            worst_info.name,
            match verdict {
                Verdict::Leak => "leaking",
                Verdict::Suspect => "suspect",
                _ => "inconclusive",
            }
        ),
    }
}

/// The signals that told the processes apart, in words.
fn signals(infos: &[ProcessInfo]) -> String {
    let mut s: Vec<&str> = infos
        .iter()
        .map(|p| match p.signal.as_str() {
            "dir" => "folder",
            "name" => "name in the file names",
            "build-id" => "build id",
            "time" => "time",
            _ => "nothing",
        })
        .collect();
    s.sort_unstable();
    s.dedup();
    s.join(", ")
}
