//! End-to-end tests of `leakscope report`: the real binary on the bundled
//! sample archives in temporary output directories. Exit codes, the three
//! outputs, determinism, the JSON contract shared with `inspect`, ignore
//! rules and template overrides.

use crate::util::{leakscope, read_json, sample};
use serde_json::Value;
use std::path::Path;

/// Runs `report` on a sample into `out`, returns (exit code, stdout).
fn report(name: &str, out: &Path, extra: &[&str]) -> (i32, String) {
    let o = leakscope()
        .arg("report")
        .arg(sample(name))
        .arg("-o")
        .arg(out.join("r.html"))
        .arg("--json")
        .arg(out.join("r.json"))
        .arg("--markdown")
        .arg(out.join("r.md"))
        .args(extra)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        o.status.code().expect("exit code"),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn fail_on_gate_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(report("chan-send-leak", dir.path(), &[]).0, 0);
    assert_eq!(
        report("chan-send-leak", dir.path(), &["--fail-on", "never"]).0,
        0
    );
    assert_eq!(
        report("chan-send-leak", dir.path(), &["--fail-on", "leak"]).0,
        1
    );
    assert_eq!(
        report("chan-send-leak", dir.path(), &["--fail-on", "suspect"]).0,
        1
    );
    assert_eq!(
        report("idle-pool-clean", dir.path(), &["--fail-on", "suspect"]).0,
        0
    );
    assert_eq!(read_json(&dir.path().join("r.json"))["verdict"], "clean");
}

#[test]
fn usage_errors_and_empty_input_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    leakscope()
        .args(["report", "--fail-on", "sometimes"])
        .arg(dir.path())
        .assert()
        .code(2);
    leakscope()
        .args(["report", "/nonexistent/leakscope-input"])
        .assert()
        .code(2);
    std::fs::write(dir.path().join("notes.txt"), "nothing to see").unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = leakscope()
        .arg("report")
        .arg(dir.path())
        .arg("-o")
        .arg(out.path().join("r.html"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no usable Go dump"), "{err}");
    assert!(err.contains("notes.txt"), "{err}");
}

#[test]
fn writes_three_outputs_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout) = report("chan-send-leak", dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(stdout.contains("leak"), "{stdout}");
    assert!(stdout.contains("main.produce"), "{stdout}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.starts_with("<!doctype html>") || html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("main.produce"));
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.contains("main.produce"), "{md}");
    let j = read_json(&dir.path().join("r.json"));
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["verdict"], "leak");
    let f = &j["findings"][0];
    assert_eq!(f["rank"], 1);
    assert_eq!(f["kind"], "goroutine");
    assert_eq!(f["cause"], "chan-send");
    assert_eq!(f["function"], "main.produce");
    assert_eq!(f["unit"], "goroutines");
    assert!(f["delta"].as_f64().unwrap() > 50.0, "{f}");
}

#[test]
fn outputs_are_byte_identical_across_runs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    report("mixed-broken", a.path(), &[]);
    report("mixed-broken", b.path(), &[]);
    for f in ["r.html", "r.json", "r.md"] {
        let x = std::fs::read(a.path().join(f)).unwrap();
        let y = std::fs::read(b.path().join(f)).unwrap();
        assert!(x == y, "{f} differs between two runs");
    }
}

#[test]
fn report_json_repeats_the_inspect_inventory() {
    let dir = tempfile::tempdir().unwrap();
    report("mixed-broken", dir.path(), &[]);
    let rep = read_json(&dir.path().join("r.json"));
    let o = leakscope()
        .arg("inspect")
        .arg(sample("mixed-broken"))
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(inv["schema_version"], 1);
    assert_eq!(rep["snapshots"], inv["snapshots"]);
    assert_eq!(rep["skipped"], inv["skipped"]);
    assert!(!inv["skipped"].as_array().unwrap().is_empty());
    for s in inv["skipped"].as_array().unwrap() {
        assert!(!s["reason"].as_str().unwrap().is_empty());
    }
}

#[test]
fn ignore_rules_silence_known_background_work() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("ignore.txt");
    std::fs::write(
        &rules,
        "# known: pollers are stopped at shutdown\nmain.pollStatus\n",
    )
    .unwrap();
    report("ticker-leak", dir.path(), &[]);
    let before = read_json(&dir.path().join("r.json"));
    assert!(
        before["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["function"] == "main.pollStatus"),
        "{before}"
    );
    report(
        "ticker-leak",
        dir.path(),
        &["--ignore", rules.to_str().unwrap()],
    );
    let after = read_json(&dir.path().join("r.json"));
    assert!(
        !after["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["function"] == "main.pollStatus" && f["kind"] == "goroutine"),
        "{after}"
    );
    let ignored = after["ignored"].as_array().unwrap();
    assert!(
        ignored
            .iter()
            .any(|r| r["rule"] == "main.pollStatus" && r["builtin"] == false),
        "{after}"
    );
}

#[test]
fn templates_can_be_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("tpl");
    std::fs::create_dir(&tpl).unwrap();
    std::fs::write(
        tpl.join("report.html"),
        "<!doctype html><title>custom</title><p>verdict: {{ verdict }}</p>\n",
    )
    .unwrap();
    let (code, _) = report(
        "chan-send-leak",
        dir.path(),
        &["--templates", tpl.to_str().unwrap()],
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert_eq!(code, 0, "{html}");
    assert!(html.contains("custom"), "{html}");
}

/// `LEAKSCOPE_TIMINGS` prints each phase's time on stderr (for
/// benchmarks); without it nothing of the kind is printed.
#[test]
fn timings_go_to_stderr_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let run = |timings: Option<&str>| {
        let mut cmd = leakscope();
        cmd.arg("report")
            .arg(sample("chan-send-leak"))
            .arg("-o")
            .arg(dir.path().join("r.html"));
        cmd.env_remove("LEAKSCOPE_TIMINGS");
        if let Some(v) = timings {
            cmd.env("LEAKSCOPE_TIMINGS", v);
        }
        let o = cmd.output().expect("runs");
        assert_eq!(o.status.code(), Some(0));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let on = run(Some("1"));
    for phase in ["reading", "analysing", "rendering"] {
        let line = on
            .lines()
            .find(|l| l.starts_with(&format!("leakscope: {phase} took ")))
            .unwrap_or_else(|| panic!("no {phase} time in {on:?}"));
        let secs: f64 = line
            .trim_start_matches(&format!("leakscope: {phase} took "))
            .trim_end_matches(" s")
            .parse()
            .expect("seconds");
        assert!((0.0..60.0).contains(&secs), "{line}");
    }
    for off in [None, Some("0"), Some("")] {
        assert!(!run(off).contains(" took "), "{off:?}");
    }
}
