//! Many processes in one archive: replicas in folders, a process that
//! restarts, a healthy one restarted once; each judged on its own and named
//! in every output; `merge` builds the fleet from the JSON summaries.

use crate::util::{leakscope, read_json, sample};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs `report` on `dir`, returning the JSON summary, the Markdown and the
/// HTML.
fn report(dir: &Path, extra: &[&str]) -> (Value, String, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (html, json, md) = (
        tmp.path().join("r.html"),
        tmp.path().join("r.json"),
        tmp.path().join("r.md"),
    );
    leakscope()
        .arg("report")
        .arg(dir)
        .arg("-o")
        .arg(&html)
        .arg("--json")
        .arg(&json)
        .arg("--markdown")
        .arg(&md)
        .arg("-q")
        .args(extra)
        .assert()
        .success();
    (
        read_json(&json),
        std::fs::read_to_string(&md).expect("markdown"),
        std::fs::read_to_string(&html).expect("html"),
    )
}

fn process<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no process {name}: {}", v["processes"]))
}

#[test]
fn replicas_in_two_folders_are_two_processes_judged_on_their_own() {
    let (v, md, html) = report(&sample("replicas-rwmutex"), &[]);
    let procs = v["processes"].as_array().expect("processes");
    assert_eq!(procs.len(), 2, "{procs:?}");
    // The worst first.
    assert_eq!(procs[0]["name"], "pod-b");
    let (a, b) = (process(&v, "pod-a"), process(&v, "pod-b"));
    assert_eq!(
        (a["signal"].as_str(), b["signal"].as_str()),
        (Some("dir"), Some("dir"))
    );
    assert_eq!(a["verdict"], "clean");
    assert_eq!(b["verdict"], "leak");
    assert_eq!(
        (a["snapshots"].as_u64(), b["snapshots"].as_u64()),
        (Some(18), Some(18))
    );
    assert_eq!(
        (a["restarts"].as_u64(), b["restarts"].as_u64()),
        (Some(0), Some(0))
    );
    // Each pod's own series: pod-a flat at 14, pod-b growing, never mixed.
    let a_g: Vec<f64> = a["series"]["goroutines_total"]["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert!(a_g.iter().all(|&x| x == 14.0), "{a_g:?}");
    assert_eq!(v["verdict"], "leak");
    let top = &v["findings"][0];
    assert_eq!(top["function"], "main.lookupRoute");
    assert_eq!(top["cause"], "mutex");
    assert_eq!(top["process"], "pod-b");
    assert_eq!(top["processes"], serde_json::json!(["pod-b"]));
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["processes"] == serde_json::json!(["pod-b"])),
        "pod-a has no finding"
    );
    // Every snapshot says which process wrote it, and why.
    for s in v["snapshots"].as_array().expect("snapshots") {
        let path = s["path"].as_str().expect("path");
        assert_eq!(s["process"].as_str(), path.split('/').next(), "{s}");
        assert_eq!(s["process_signal"], "dir");
    }
    // Named in the sentence, the Markdown and the HTML; overview first.
    assert!(
        top["sentence"]
            .as_str()
            .expect("sentence")
            .starts_with("In pod-b: ")
    );
    assert!(md.contains("## Processes"), "{md}");
    assert!(md.contains("In pod-b\\: "), "{md}");
    let overview = html.find("id=\"processes\"").expect("overview section");
    let findings = html.find("id=\"findings\"").expect("findings section");
    assert!(
        overview < findings,
        "the overview comes before the findings"
    );
    assert!(html.contains("In pod-b: "));
    // The heap profiles of the other pod are not "foreign" any more.
    let notes = v["notes"].to_string();
    assert!(!notes.contains("Left out"), "{notes}");
}

#[test]
fn group_by_none_puts_the_replicas_back_together() {
    let (v, _, _) = report(&sample("replicas-rwmutex"), &["--group-by", "none"]);
    assert_eq!(v["processes"].as_array().expect("processes").len(), 1);
    let out = leakscope()
        .args(["inspect", "--group-by", "dir"])
        .arg(sample("replicas-rwmutex"))
        .arg("-q")
        .assert()
        .success();
    let table = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(table.contains("process (decided by)"), "{table}");
    assert!(table.contains("pod-b (dir)"), "{table}");
}

#[test]
fn a_restarted_leaking_process_leaks_in_both_runs() {
    let (v, md, html) = report(&sample("restart-leak"), &[]);
    let procs = v["processes"].as_array().expect("processes");
    assert_eq!(procs.len(), 1);
    let p = &procs[0];
    assert_eq!(p["signal"], "single");
    assert_eq!(p["restarts"], 1);
    let runs = p["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r["verdict"] == "leak"), "{runs:?}");
    assert_eq!(
        runs.iter()
            .map(|r| r["snapshots"].as_u64().unwrap_or(0))
            .sum::<u64>(),
        p["snapshots"].as_u64().unwrap_or(1)
    );
    assert_eq!(p["restart_times"].as_array().map(Vec::len), Some(1));
    assert!(
        p["restart_reasons"][0]
            .as_str()
            .expect("reason")
            .contains("NumGC went down")
    );
    assert_eq!(v["verdict"], "leak");
    let top = &v["findings"][0];
    assert_eq!(
        (top["function"].as_str(), top["cause"].as_str()),
        (Some("main.publishEvent"), Some("chan-send"))
    );
    assert_eq!(top["severity"], "leak");
    assert!(
        top["evidence"][0]
            .as_str()
            .expect("evidence")
            .starts_with("grows again in each of the 2 runs"),
        "{}",
        top["evidence"]
    );
    // The restart is marked on the timelines, and the drop is no drain.
    assert!(html.contains("class=\"restart\""));
    assert!(!md.to_lowercase().contains("drained"), "{md}");
}

#[test]
fn a_healthy_service_restarted_once_stays_clean() {
    let (v, _, html) = report(&sample("restart-clean"), &[]);
    assert_eq!(v["verdict"], "clean", "{}", v["headline"]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0));
    let p = &v["processes"][0];
    assert_eq!(p["restarts"], 1);
    assert!(
        p["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .all(|r| r["verdict"] == "clean")
    );
    assert!(html.contains("class=\"restart\""));
}

#[test]
fn the_same_culprit_in_several_replicas_is_one_finding() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for pod in ["pod-1", "pod-2", "pod-3"] {
        copy_dir(&sample("chan-send-leak"), &tmp.path().join(pod));
    }
    let (v, _, _) = report(tmp.path(), &[]);
    assert_eq!(v["processes"].as_array().map(Vec::len), Some(3));
    let f: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["function"] == "main.produce" && f["kind"] == "goroutine")
        .collect();
    assert_eq!(f.len(), 1, "one finding for the three pods");
    assert_eq!(
        f[0]["processes"],
        serde_json::json!(["pod-1", "pod-2", "pod-3"])
    );
    assert!(
        f[0]["sentence"]
            .as_str()
            .expect("sentence")
            .starts_with("In 3 of 3 processes"),
        "{}",
        f[0]["sentence"]
    );
}

#[test]
fn the_same_archive_gives_the_same_answer_every_time() {
    let dir = sample("replicas-rwmutex");
    let (a, _, _) = report(&dir, &[]);
    let (b, _, _) = report(&dir, &[]);
    assert_eq!(a, b);
    // A fresh copy (new modification times, new order on disk).
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&dir, tmp.path());
    let (c, _, _) = report(tmp.path(), &[]);
    assert_eq!(a["processes"], c["processes"]);
    assert_eq!(a["findings"], c["findings"]);
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).sort_by_file_name() {
        let e = e.expect("walk");
        let rel = e.path().strip_prefix(from).expect("prefix");
        let dest: PathBuf = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

fn write_summary(dir: &Path, archive: &str, out: &Path) {
    leakscope()
        .arg("report")
        .arg(sample(archive))
        .arg("-o")
        .arg(dir.join(format!("{archive}.html")))
        .arg("--json")
        .arg(out)
        .arg("-q")
        .assert()
        .success();
}

#[test]
fn merge_builds_the_fleet_from_report_json() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut inputs = Vec::new();
    for a in ["restart-clean", "replicas-rwmutex", "restart-leak"] {
        let p = tmp.path().join(format!("{a}.json"));
        write_summary(tmp.path(), a, &p);
        inputs.push(p);
    }
    let (html, json) = (tmp.path().join("fleet.html"), tmp.path().join("fleet.json"));
    leakscope()
        .arg("merge")
        .args(&inputs)
        .arg("-o")
        .arg(&html)
        .arg("--json")
        .arg(&json)
        .arg("-q")
        .assert()
        .success();
    let v = read_json(&json);
    assert_eq!(v["kind"], "fleet");
    assert_eq!(v["verdict"], "leak");
    let names: Vec<&str> = v["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    // Ranked by severity: the two leaking processes first.
    let verdicts: Vec<&str> = v["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .map(|p| p["verdict"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(verdicts, ["leak", "leak", "clean", "clean"], "{names:?}");
    assert!(names[..2].contains(&"replicas-rwmutex/pod-b") && names[..2].contains(&"restart-leak"));
    let restart = v["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .find(|p| p["name"] == "restart-clean")
        .expect("restart-clean");
    assert_eq!(restart["restarts"], 1);
    let culprits: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["function"].as_str().unwrap_or_default())
        .collect();
    assert!(culprits.contains(&"main.lookupRoute") && culprits.contains(&"main.publishEvent"));
    let page = std::fs::read_to_string(&html).expect("fleet html");
    assert!(page.contains("replicas-rwmutex/pod-b"));
    assert!(
        page.contains("class=\"restart\""),
        "restarts marked on the fleet page"
    );
    // Deterministic.
    let again = tmp.path().join("again.json");
    leakscope()
        .arg("merge")
        .args(&inputs)
        .arg("-o")
        .arg(tmp.path().join("again.html"))
        .arg("--json")
        .arg(&again)
        .arg("-q")
        .assert()
        .success();
    assert_eq!(std::fs::read(&json).ok(), std::fs::read(&again).ok());
}

#[test]
fn merge_refuses_another_schema_version() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let p = tmp.path().join("a.json");
    write_summary(tmp.path(), "restart-leak", &p);
    let mut v = read_json(&p);
    v["schema_version"] = serde_json::json!(99);
    let old = tmp.path().join("old.json");
    std::fs::write(&old, serde_json::to_vec(&v).expect("json")).expect("write");
    let out = leakscope()
        .arg("merge")
        .arg(&p)
        .arg(&old)
        .arg("-o")
        .arg(tmp.path().join("f.html"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("schema_version 99"), "{err}");
    assert!(err.contains("old.json"), "{err}");
    assert!(
        !tmp.path().join("f.html").exists(),
        "nothing written on refusal"
    );
}
