//! The single-dump corpus (`tests/data/single-dumps`, issue 10): real
//! goroutine dumps from public issue threads, one per file, each with the
//! cause the thread concluded. Every entry of its MANIFEST.json is run
//! through the binary: each leak must come out as a `leak` or `suspect`
//! finding with the right culprit (function or an accepted alternative)
//! and cause; each healthy dump must give neither a leak nor a suspect.
//! No entry is skipped: where the format hides the cause
//! (`cause_not_recorded`), the test asserts what leakscope says instead.

use crate::util::{leakscope, root};
use serde_json::Value;

fn strs(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Runs `report` on one file and returns its JSON summary.
fn report(path: &std::path::Path) -> Value {
    let out = leakscope()
        .arg("report")
        .arg(path)
        .args(["-q", "-o"])
        .arg(std::env::temp_dir().join("leakscope-single-dumps.html"))
        .args(["--json", "-"])
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: no JSON ({e}); stderr: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn every_corpus_dump_gets_the_threads_culprit_and_cause_and_healthy_ones_stay_quiet() {
    let dir = root().join("tests/data/single-dumps");
    let manifest: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("MANIFEST.json")).unwrap()).unwrap();
    assert!(manifest.len() >= 18, "the corpus lost entries");
    let mut failures: Vec<String> = Vec::new();
    let (mut leaks, mut named, mut healthy, mut quiet) = (0, 0, 0, 0);
    for e in &manifest {
        let file = e["file"].as_str().unwrap();
        let exp = &e["expected"];
        let j = report(&dir.join(file));
        assert!(
            j["skipped"].as_array().is_none_or(Vec::is_empty),
            "{file}: skipped: {}",
            j["skipped"]
        );
        let findings = j["findings"].as_array().cloned().unwrap_or_default();
        let verdict = j["verdict"].as_str().unwrap();
        if exp["verdict"] == "clean" {
            healthy += 1;
            if findings.is_empty() && !matches!(verdict, "leak" | "suspect") {
                quiet += 1;
            } else {
                failures.push(format!(
                    "{file}: healthy dump flagged: {verdict} {}",
                    findings[0]["sentence"]
                ));
            }
            continue;
        }
        leaks += 1;
        let allowed: Vec<&str> = exp["verdict"].as_str().unwrap().split('|').collect();
        if !allowed.contains(&verdict) {
            failures.push(format!("{file}: verdict {verdict}, expected {allowed:?}"));
            continue;
        }
        let mut names = vec![exp["function"].as_str().unwrap().to_owned()];
        names.extend(strs(exp, "function_alternatives"));
        let top = &findings[0];
        let top_fn = top["function"].as_str().unwrap();
        if !names.iter().any(|n| n == top_fn) {
            failures.push(format!(
                "{file}: top culprit {top_fn}, expected one of {names:?}"
            ));
            continue;
        }
        let cause = exp["cause"].as_str().unwrap();
        let ok = if exp.get("cause_not_recorded").is_some() {
            // The format hides the cause: leakscope must say so, not guess.
            top["cause"] == "other"
                && top["evidence"].as_array().unwrap().iter().any(|x| {
                    x.as_str()
                        .unwrap()
                        .starts_with("wait reason not recorded (debug=1)")
                })
        } else {
            findings
                .iter()
                .any(|f| f["cause"] == cause && names.iter().any(|n| f["function"] == n.as_str()))
        };
        if ok {
            named += 1;
        } else {
            failures.push(format!("{file}: cause {}, expected {cause}", top["cause"]));
        }
        // A one-dump finding says what carried it and what a second dump settles.
        let ev: Vec<&str> = top["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if top["severity"] == "suspect"
            && !ev
                .iter()
                .any(|x| x.starts_with("one snapshot cannot show growth"))
        {
            failures.push(format!(
                "{file}: suspect without the one-snapshot line: {ev:?}"
            ));
        }
        if top["snapshot"]["count"].as_f64().unwrap_or(0.0) < 1.0 {
            failures.push(format!("{file}: finding without its snapshot facts"));
        }
    }
    eprintln!("single dumps: {named}/{leaks} leaks named, {quiet}/{healthy} healthy dumps quiet");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fail_on_suspect_gates_a_single_dump_and_not_a_healthy_one() {
    let dir = root().join("tests/data/single-dumps");
    leakscope()
        .arg("report")
        .arg(dir.join("caddy-ratelimit-36-mutex-noheader.debug1.txt"))
        .args(["-q", "-o"])
        .arg(std::env::temp_dir().join("leakscope-single-gate.html"))
        .args(["--fail-on", "suspect"])
        .assert()
        .code(1);
    leakscope()
        .arg("report")
        .arg(dir.join("tidb-7587-signal-handler-healthy.debug2.txt"))
        .args(["-q", "-o"])
        .arg(std::env::temp_dir().join("leakscope-single-gate2.html"))
        .args(["--fail-on", "suspect"])
        .assert()
        .code(0);
    // The thresholds are flags: a pile-up threshold above the crowd lets it pass.
    leakscope()
        .arg("report")
        .arg(dir.join("caddy-ratelimit-36-mutex-noheader.debug1.txt"))
        .args(["-q", "-o"])
        .arg(std::env::temp_dir().join("leakscope-single-gate3.html"))
        .args(["--fail-on", "suspect", "--min-pileup", "10000"])
        .assert()
        .code(0);
}
