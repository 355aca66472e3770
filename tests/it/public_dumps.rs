//! Dumps from other projects' public test data (`../shared/public-dumps`,
//! beside the repository; never copied into it) must give the facts listed
//! in its `expected.json`: goroutine counts, pprof's unsampled in-use totals,
//! and a skip for every non-Go or unused profile.

use crate::util::{leakscope, public_dumps_dir};
use serde_json::Value;
use std::collections::BTreeMap;

#[test]
fn public_dumps_reproduce_the_expected_facts() {
    let Some(root) = public_dumps_dir() else {
        eprintln!("note: ../shared/public-dumps is absent; nothing checked");
        return;
    };
    let expected: Vec<Value> =
        serde_json::from_slice(&std::fs::read(root.join("expected.json")).unwrap()).unwrap();
    let out = leakscope()
        .arg("inspect")
        .arg(&root)
        .args(["--json", "-"])
        .output()
        .unwrap();
    let inv: Value = serde_json::from_slice(&out.stdout).expect("inventory JSON");
    let used: BTreeMap<&str, &Value> = inv["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s))
        .collect();
    let skipped: BTreeMap<&str, &str> = inv["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    let mut checked = 0;
    for e in expected.iter().filter(|e| e["role"] == "input") {
        let path = e["path"].as_str().unwrap();
        let negative = e["negative_example"] == true || e["go_dump"] == false;
        match e["kind"].as_str().unwrap() {
            "goroutine" if !negative => {
                let s = used
                    .get(path)
                    .unwrap_or_else(|| panic!("{path} not used: {:?}", skipped.get(path)));
                assert_eq!(s["goroutines"], e["goroutines"], "{path}");
            }
            "heap" if !negative => {
                let s = used
                    .get(path)
                    .unwrap_or_else(|| panic!("{path} not used: {:?}", skipped.get(path)));
                assert_eq!(s["inuse_bytes"], e["inuse_space_total"], "{path}");
            }
            _ => {
                let reason = skipped
                    .get(path)
                    .unwrap_or_else(|| panic!("{path} should be skipped"));
                assert!(!reason.is_empty(), "{path}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} public dumps checked");
}
