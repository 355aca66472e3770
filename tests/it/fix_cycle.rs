//! From finding to fix, on the fix-cycle archives (one service module in
//! four versions, `samples/src/fixcycle/{before,after,halved,newleak}`;
//! `fix-before-abs` is `before` built without `-trimpath`). Ground truth:
//! `samples/expected-pending.json` → `issue12` (baseline statuses, source
//! lines, SARIF locations), checked here through the real binary and the
//! library.

use crate::util::{leakscope, root, sample, samples_dir};
use leakscope::analysis;
use leakscope::ingest;
use leakscope::render::source::SourceInfo;
use leakscope::source::{SourceTree, Sources};
use serde_json::Value;
use std::path::Path;

fn truth() -> Value {
    let text = std::fs::read_to_string(samples_dir().join("expected-pending.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["issue12"].clone()
}

fn run_json(args: &[&str]) -> (Value, i32) {
    let out = leakscope().args(args).output().unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (serde_json::from_slice(&out.stdout).unwrap(), code)
}

fn per_tick(series: &Value) -> f64 {
    let v = series["values"].as_array().unwrap();
    if v.len() < 2 {
        return 0.0;
    }
    (v[v.len() - 1].as_f64().unwrap() - v[0].as_f64().unwrap()) / (v.len() - 1) as f64
}

#[test]
fn baseline_statuses_match_the_ground_truth() {
    let cases = truth()["baseline"].as_array().unwrap().clone();
    assert!(cases.len() >= 6);
    for case in cases {
        let before = sample(case["before"].as_str().unwrap());
        let after = sample(case["after"].as_str().unwrap());
        let (doc, _) = run_json(&[
            "report",
            "-q",
            "-o",
            "/dev/null",
            "--json",
            "-",
            "--baseline",
            before.to_str().unwrap(),
            after.to_str().unwrap(),
        ]);
        let exp = &case["expect"];
        let label = format!("{} → {}", case["before"], case["after"]);
        let b = &doc["baseline"];
        let words = b["outcome"].as_str().unwrap().replace('-', " ");
        let want = exp["headline"].as_str().unwrap();
        let want_code = match want {
            "old leak fixed, new leak" => "old fixed new leak",
            w => w,
        };
        assert_eq!(words, want_code, "{label}: {}", b["headline"]);
        let verdicts: Vec<&str> = exp["after_verdict"].as_str().unwrap().split('|').collect();
        assert!(
            verdicts.contains(&b["verdict_after"].as_str().unwrap()),
            "{label}"
        );
        let entries = b["entries"].as_array().unwrap();
        let expected: Vec<&Value> = exp["findings"]
            .as_array()
            .unwrap()
            .iter()
            .chain(exp["new"].as_array().unwrap())
            .collect();
        for e in &expected {
            let m: Vec<&Value> = entries
                .iter()
                .filter(|x| x["function"] == e["function"] && x["cause"] == e["cause"])
                .collect();
            assert_eq!(m.len(), 1, "{label}: {} in {entries:#?}", e["function"]);
            let m = m[0];
            assert_eq!(
                m["status"].as_str().unwrap().replace('-', " "),
                e["status"].as_str().unwrap(),
                "{label}"
            );
            if let Some(t) = e["per_tick_before"].as_f64() {
                assert!((per_tick(&m["series_before"]) - t).abs() < 0.01, "{label}");
            }
            if let Some(t) = e["per_tick_after"].as_f64() {
                assert!((per_tick(&m["series_after"]) - t).abs() < 0.01, "{label}");
            }
            if let Some(acc) = e["rate_ratio_accept"].as_array() {
                let r = m["rate_ratio"].as_f64().unwrap();
                assert!(
                    r >= acc[0].as_f64().unwrap() && r <= acc[1].as_f64().unwrap(),
                    "{label}: ratio {r}"
                );
                assert!(m["rate_before"].as_f64().unwrap() > m["rate_after"].as_f64().unwrap());
            }
        }
        // Nothing beyond the ground truth is new, fixed or still leaking
        // (the main findings are all there is in these archives).
        let significant = entries.iter().filter(|x| x["kind"] == "goroutine").count();
        assert_eq!(significant, expected.len(), "{label}: {entries:#?}");
    }
}

#[test]
fn fail_on_regression_gates_only_on_new_or_worse() {
    let code = |before: &str, after: &str| {
        leakscope()
            .args([
                "report",
                "-q",
                "-o",
                "/dev/null",
                "--fail-on",
                "regression",
                "--baseline",
            ])
            .arg(sample(before))
            .arg(sample(after))
            .output()
            .unwrap()
            .status
            .code()
            .unwrap()
    };
    assert_eq!(code("fix-before", "fix-after"), 0, "fixed");
    assert_eq!(code("fix-before", "fix-halved"), 0, "slower, still leaking");
    assert_eq!(code("fix-before", "fix-before-abs"), 0, "unchanged");
    assert_eq!(code("fix-before", "fix-new-leak"), 1, "new leak");
    assert_eq!(code("fix-halved", "fix-before"), 1, "twice as fast");
    // Without a baseline the gate is a usage error.
    leakscope()
        .args(["report", "-q", "-o", "/dev/null", "--fail-on", "regression"])
        .arg(sample("fix-before"))
        .assert()
        .failure()
        .code(2);
}

fn sources(archive: &str, dir: &Path) -> (SourceTree, SourceInfo) {
    let a = ingest::ingest(&sample(archive), &ingest::Options::default(), &()).unwrap();
    let r = analysis::analyze(&a, &analysis::Options::default());
    let tree = SourceTree::open(dir).unwrap();
    let info = Sources {
        tree: Some(&tree),
        links: None,
        go_version: None,
    }
    .collect(&a, &r);
    (tree, info)
}

#[test]
fn source_lines_for_trimpath_and_absolute_builds() {
    for case in truth()["source"].as_array().unwrap() {
        let archive = case["archive"].as_str().unwrap();
        let dir = root().join(case["source_dir"].as_str().unwrap());
        let (tree, info) = sources(archive, &dir);
        assert_eq!(tree.module(), case["module"].as_str());
        let label = format!("{archive} on {}", case["source_dir"]);
        for fr in case["frames"].as_array().unwrap() {
            let file = fr["frame_file"].as_str().unwrap();
            let line = fr["line"].as_u64().unwrap() as u32;
            let want = fr["source_file"].as_str().unwrap();
            assert_eq!(tree.map(file).as_deref(), Some(want), "{label}: {file}");
            let role = fr["role"].as_str().unwrap();
            // The finding's culprit and created-by frames carry excerpts.
            let f = &info.findings[0];
            let shown = std::iter::once(&f.culprit)
                .chain(f.created_by.as_ref())
                .find(|x| x.line == line && x.frame_file == file);
            let text = fr["text"].as_str().unwrap();
            match shown {
                Some(x) => {
                    let ex = x.excerpt.as_ref().unwrap();
                    let got = &ex.lines[(ex.marked - ex.first_line) as usize];
                    assert_eq!(got.trim(), text, "{label}: {role}");
                    assert_eq!(x.repo_path.as_deref(), Some(want));
                    if role == "stale checkout" {
                        let w = x.warning.as_deref().unwrap_or_default();
                        assert!(w.contains("not be the version"), "{label}: {w:?}");
                    } else {
                        assert_eq!(x.warning, None, "{label}: {role}");
                    }
                }
                None => {
                    // The heap site (folded into the goroutine finding):
                    // mapped and read directly.
                    assert_eq!(role, "heap allocation site", "{label}");
                    let src = std::fs::read_to_string(dir.join(want)).unwrap();
                    let (ex, _) = leakscope::render::source::excerpt(&src, line, "", None);
                    let ex = ex.unwrap();
                    assert_eq!(ex.lines[(ex.marked - ex.first_line) as usize].trim(), text);
                }
            }
        }
        for u in case["unmapped"].as_array().into_iter().flatten() {
            assert_eq!(tree.map(u.as_str().unwrap()), None, "{label}: {u}");
        }
    }
}

#[test]
fn links_are_escaped_https_and_stdlib_links_need_a_go_version() {
    let out = tempfile::tempdir().unwrap();
    let md = out.path().join("r.md");
    leakscope()
        .args(["report", "-q", "-o"])
        .arg(out.path().join("r.html"))
        .arg("--markdown")
        .arg(&md)
        .arg("--source")
        .arg(root().join("samples/src/fixcycle/before"))
        .args([
            "--source-url",
            "https://github.com/acme/orders/blob/{rev}/{path}#L{line}",
            "--rev",
            "v1.0 rc",
        ])
        .arg(sample("fix-before-abs"))
        .assert()
        .success();
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains(
            "](https://github.com/acme/orders/blob/v1.0%20rc/internal/store/store.go#L70)"
        ),
        "{text}"
    );
    // minijinja escapes `/` in attributes as `&#x2f;`.
    let html = std::fs::read_to_string(out.path().join("r.html"))
        .unwrap()
        .replace("&#x2f;", "/");
    assert!(html.contains(
        "href=\"https://github.com/acme/orders/blob/v1.0%20rc/internal/store/store.go#L93\""
    ));
    // Only http(s) templates.
    leakscope()
        .args(["report", "-q", "-o", "/dev/null", "--source"])
        .arg(root().join("samples/src/fixcycle/before"))
        .args(["--source-url", "javascript:alert(1)//{path}"])
        .arg(sample("fix-before"))
        .assert()
        .failure()
        .code(2);
}

#[test]
fn stdlib_frames_link_to_the_go_release() {
    // A goroutine stack reaching into the standard library (runtime.gopark
    // runtime/proc.go …) with a known release.
    let a = ingest::ingest(&sample("cond-leak"), &ingest::Options::default(), &()).unwrap();
    let r = analysis::analyze(&a, &analysis::Options::default());
    let with = Sources {
        tree: None,
        links: None,
        go_version: Some("go1.27.3"),
    }
    .collect(&a, &r);
    let without = Sources {
        tree: None,
        links: None,
        go_version: None,
    }
    .collect(&a, &r);
    // Every std frame of every finding: a link with the version, none without.
    let t = &a.tables;
    let mut std_frames = 0;
    for (f, (w, wo)) in r
        .findings
        .iter()
        .zip(with.findings.iter().zip(&without.findings))
    {
        let Some(st) = f.stack else { continue };
        for (k, &fr) in t.stack(st).iter().enumerate() {
            let frame = t.frame(fr);
            let file = t.str(frame.file);
            if let Some(p) = leakscope::render::source::std_path(t.str(frame.function), file) {
                std_frames += 1;
                assert_eq!(
                    w.stack_urls[k].as_deref(),
                    Some(
                        format!(
                            "https://github.com/golang/go/blob/go1.27.3/src/{p}#L{}",
                            frame.line
                        )
                        .as_str()
                    )
                );
            }
            assert_eq!(wo.stack_urls[k], None);
        }
    }
    assert!(std_frames >= 2, "cond-leak's stack has runtime frames");
}

/// The SARIF 2.1.0 schema as OASIS published it (oasis-tcs/sarif-spec,
/// `Documents/CommitteeSpecifications/2.1.0/sarif-schema-2.1.0.json`),
/// committed as `tests/data/sarif-schema-2.1.0.json`.
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json"))
        .expect("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn sarif(archive: &str, source: Option<&str>) -> Value {
    let mut cmd = leakscope();
    cmd.args(["report", "-q", "-o", "/dev/null", "--sarif", "-"]);
    if let Some(s) = source {
        cmd.arg("--source").arg(root().join(s));
    }
    let out = cmd.arg(sample(archive)).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sarif_is_valid_and_points_at_the_leak_line() {
    let v = sarif_validator();
    let cases: &[(&str, Option<&str>, &str, &str, u64)] = &[
        (
            "fix-before",
            Some("samples/src/fixcycle/before"),
            "internal/store/store.go",
            "chan-send",
            70,
        ),
        (
            "fix-before-abs",
            Some("samples/src/fixcycle/before"),
            "internal/store/store.go",
            "chan-send",
            70,
        ),
        (
            "fix-before",
            None,
            "example.com/acme/orders/internal/store/store.go",
            "chan-send",
            70,
        ),
        (
            "fix-before-abs",
            None,
            "file:///tmp/leakscope-build/orders/internal/store/store.go",
            "chan-send",
            70,
        ),
        (
            "fix-new-leak",
            Some("samples/src/fixcycle/newleak"),
            "internal/notify/notify.go",
            "select",
            35,
        ),
    ];
    for &(archive, source, uri, rule, line) in cases {
        let doc = sarif(archive, source);
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{archive}: {errors:#?}");
        assert_eq!(doc["version"], "2.1.0");
        let results = doc["runs"][0]["results"].as_array().unwrap();
        let r = &results[0];
        assert_eq!(r["ruleId"], rule, "{archive}");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], uri, "{archive} {source:?}");
        assert_eq!(
            loc["artifactLocation"]["uriBaseId"].as_str().is_some(),
            source.is_some()
        );
        assert_eq!(loc["region"]["startLine"], line);
        let level = r["level"].as_str().unwrap();
        assert!(level == "error" || (archive == "fix-new-leak" && level == "warning"));
        assert!(
            r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("goroutines blocked in")
        );
        // One result per finding.
        let (json, _) = run_json(&[
            "report",
            "-q",
            "-o",
            "/dev/null",
            "--json",
            "-",
            sample(archive).to_str().unwrap(),
        ]);
        assert_eq!(results.len(), json["findings"].as_array().unwrap().len());
    }
    let clean = sarif("fix-after", None);
    assert!(v.is_valid(&clean));
    assert_eq!(clean["runs"][0]["results"].as_array().unwrap().len(), 0);
    // An invalid log is caught (the validator is not a no-op).
    let mut broken = sarif("fix-before", None);
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!v.is_valid(&broken));
}
