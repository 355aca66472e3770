//! The analysis against the real sample archives and their hand-written
//! ground truth (`samples/expected.json`): verdict, the top finding, and
//! every expected finding (a heap finding inside a leaking goroutine group
//! counts when it was folded into that group as retained bytes).

use crate::util::samples_dir;
use leakscope::analysis::{Analysis, Finding, FindingKind, Options, Verdict, analyze};
use leakscope::ingest;
use serde_json::Value;

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Clean => "clean",
        Verdict::Inconclusive => "inconclusive",
        Verdict::Suspect => "suspect",
        Verdict::Leak => "leak",
    }
}

fn kind_name(k: FindingKind) -> &'static str {
    match k {
        FindingKind::Goroutine => "goroutine",
        FindingKind::Heap => "heap",
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The finding matches the expectation's kind, cause (or an allowed
/// alternative) and function (or the user frame named for a rule that
/// lands in the standard library).
fn matches(f: &Finding, e: &Value) -> bool {
    let causes: Vec<&str> = std::iter::once(str_field(e, "cause"))
        .chain(
            e.get("cause_alternatives")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        )
        .collect();
    let functions = [str_field(e, "function"), str_field(e, "user_function")];
    kind_name(f.kind) == str_field(e, "kind")
        && causes.contains(&f.cause.name())
        && functions.iter().any(|x| !x.is_empty() && *x == f.function)
}

/// A heap expectation met by a goroutine finding that retains that heap, or
/// a goroutine expectation folded into another finding as the same leak
/// (goroutines moving in lockstep).
fn folded(a: &Analysis, e: &Value) -> bool {
    let function = str_field(e, "function");
    let same_leak = str_field(e, "kind") == "goroutine"
        && a.findings.iter().any(|f| {
            f.evidence
                .iter()
                .any(|x| x.starts_with("the same leak") && x.contains(function))
        });
    same_leak
        || str_field(e, "kind") == "heap"
            && a.findings.iter().any(|f| {
                f.kind == FindingKind::Goroutine
                    && f.retained_bytes.unwrap_or(0) > 0
                    && (f.function == str_field(e, "function")
                        || f.evidence
                            .iter()
                            .any(|x| x.contains(str_field(e, "function"))))
            })
}

#[test]
fn every_sample_archive_meets_its_ground_truth() {
    let root = samples_dir();
    let text = std::fs::read_to_string(root.join("expected.json"))
        .expect("samples/expected.json is committed with the crate");
    let expected: Value = serde_json::from_str(&text).expect("expected.json parses");
    let archives = expected.as_object().expect("an object of archives");
    let mut results = Vec::new();
    for (name, exp) in archives {
        let archive = ingest::ingest(&root.join(name), &ingest::Options::default(), &())
            .unwrap_or_else(|e| panic!("{name}: ingest failed: {e}"));
        let snapshots = archive.snapshots.len();
        results.push((name, exp, snapshots, analyze(&archive, &Options::default())));
    }
    assert!(
        results.iter().all(|r| r.2 > 0),
        "every sample archive yields snapshots"
    );
    let mut failures: Vec<String> = Vec::new();
    for (name, exp, snapshots, a) in &results {
        let allowed: Vec<&str> = str_field(exp, "verdict").split('|').collect();
        let got = verdict_name(a.verdict);
        if !allowed.contains(&got) {
            failures.push(format!(
                "{name}: verdict {got}, expected {} ({snapshots} snapshots; {})",
                allowed.join("|"),
                a.headline
            ));
            continue;
        }
        check_processes(name, exp, a, &mut failures);
        let findings: Vec<&Value> = exp
            .get("findings")
            .and_then(Value::as_array)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        if exp.get("findings").is_none() && exp.get("processes").is_some() {
            // The findings are expected per process (checked above).
            continue;
        }
        if findings.is_empty() {
            if !a.findings.is_empty() {
                failures.push(format!(
                    "{name}: expected no finding, got: {}",
                    a.findings[0].sentence
                ));
            }
            continue;
        }
        let Some(top) = a.findings.first() else {
            failures.push(format!("{name}: no finding"));
            continue;
        };
        if !findings.iter().any(|e| matches(top, e)) {
            failures.push(format!(
                "{name}: top finding {} {} {} matches no expected finding",
                kind_name(top.kind),
                top.cause.name(),
                top.function
            ));
        }
        if exp.get("proof").and_then(Value::as_bool) == Some(true) && !top.proof {
            failures.push(format!("{name}: expected proof on the top finding"));
        }
        for e in &findings {
            if !a.findings.iter().any(|f| matches(f, e)) && !folded(a, e) {
                failures.push(format!("{name}: expected finding {e} not reported"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `processes` (name → verdict and findings), `restarts` (over all
/// processes) and `runs` (verdict of each run of a single process) keys.
fn check_processes(name: &str, exp: &Value, a: &Analysis, failures: &mut Vec<String>) {
    if let Some(n) = exp.get("restarts").and_then(Value::as_u64) {
        let got: usize = a.processes.iter().map(|p| p.restarts).sum();
        if got as u64 != n {
            failures.push(format!("{name}: {got} restarts, expected {n}"));
        }
    }
    if let Some(runs) = exp.get("runs").and_then(Value::as_array) {
        let got = a
            .processes
            .first()
            .map(|p| p.runs.as_slice())
            .unwrap_or(&[]);
        if got.len() != runs.len() {
            failures.push(format!(
                "{name}: {} runs, expected {}",
                got.len(),
                runs.len()
            ));
        }
        for (r, e) in got.iter().zip(runs) {
            let allowed: Vec<&str> = str_field(e, "verdict").split('|').collect();
            let v = r.verdict.map_or("none", verdict_name);
            if !allowed.contains(&v) {
                failures.push(format!("{name}: a run judged {v}, expected {allowed:?}"));
            }
        }
    }
    let Some(procs) = exp.get("processes").and_then(Value::as_object) else {
        return;
    };
    if a.processes.len() != procs.len() {
        failures.push(format!(
            "{name}: {} processes, expected {}",
            a.processes.len(),
            procs.len()
        ));
    }
    for (pname, pexp) in procs {
        let Some(p) = a.processes.iter().find(|p| &p.name == pname) else {
            failures.push(format!("{name}: no process {pname}"));
            continue;
        };
        let allowed: Vec<&str> = str_field(pexp, "verdict").split('|').collect();
        let v = p.verdict.map_or("none", verdict_name);
        if !allowed.contains(&v) {
            failures.push(format!("{name}/{pname}: verdict {v}, expected {allowed:?}"));
        }
        let expected: Vec<&Value> = pexp
            .get("findings")
            .and_then(Value::as_array)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let mine: Vec<&Finding> = a
            .findings
            .iter()
            .filter(|f| f.processes.iter().any(|x| x == pname))
            .collect();
        if expected.is_empty() && !mine.is_empty() {
            failures.push(format!(
                "{name}/{pname}: expected no finding, got: {}",
                mine[0].sentence
            ));
        }
        for e in &expected {
            if !mine.iter().any(|f| matches(f, e)) {
                failures.push(format!("{name}/{pname}: expected finding {e} not reported"));
            }
        }
    }
}
