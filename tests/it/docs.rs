//! The documentation matches the binary: every skip message quoted in
//! docs/limits.md is one `leakscope` prints, and the README's JSON example
//! carries the numbers `report` writes for samples/chan-send-leak.

use crate::util::{gzip, leakscope, read_json, root, sample};
use serde_json::Value;

/// The skip messages docs/limits.md quotes: the first backticked text
/// after "skipped …:" on a line.
fn quoted_skip_messages(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in doc.lines() {
        let Some(at) = line.find("skipped") else {
            continue;
        };
        let rest = &line[at..];
        let Some(colon) = rest.find(": `") else {
            continue;
        };
        // Only when the quote follows the word in the same cell.
        if rest[..colon].contains('|') {
            continue;
        }
        let q = &rest[colon + 3..];
        if let Some(end) = q.find('`') {
            out.push(q[..end].to_string());
        }
    }
    out
}

/// True when `reason` fits a documented message, where `…` stands for any
/// text and a standalone `N` for a number.
fn fits(doc: &str, reason: &str) -> bool {
    fn go(pat: &[char], s: &[char]) -> bool {
        match pat.split_first() {
            None => s.is_empty(),
            Some(('…', rest)) => (0..=s.len()).any(|i| go(rest, &s[i..])),
            Some(('N', rest)) if s.first().is_some_and(char::is_ascii_digit) => {
                let digits = s
                    .iter()
                    .take_while(|c| c.is_ascii_digit() || **c == ',')
                    .count();
                (1..=digits).any(|i| go(rest, &s[i..]))
            }
            Some((c, rest)) => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    let pat: Vec<char> = doc.chars().collect();
    let s: Vec<char> = reason.chars().collect();
    go(&pat, &s)
}

#[test]
fn every_skip_message_in_limits_md_is_printed_by_the_binary() {
    let doc = std::fs::read_to_string(root().join("docs/limits.md")).expect("docs/limits.md");
    let quoted = quoted_skip_messages(&doc);
    assert!(quoted.len() >= 8, "too few quotes found: {quoted:?}");

    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let dump = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n\n".repeat(40);
    let gz = gzip(dump.as_bytes());
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("empty.txt", Vec::new()),
        ("cut.txt.gz", gz[..gz.len() / 2].to_vec()),
        (
            "heap.pb.gz",
            b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>".to_vec(),
        ),
        ("error.txt", b"Unknown profile\n".to_vec()),
        (
            "random.bin",
            (0u32..512)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
        ),
        ("notes.txt", b"owner=team-a\nrunbook=wiki\n".to_vec()),
        ("big.txt", vec![b'x'; 5000]),
        ("bomb.gz", gzip(&[0u8; 3000])),
        (
            "long-line.txt",
            format!("goroutine 1 [running]:\nmain.f({})\n", "x".repeat(1500)).into_bytes(),
        ),
    ];
    for (name, bytes) in files {
        std::fs::write(d.join(name), bytes).expect("write");
    }
    let o = leakscope()
        .arg("inspect")
        .arg(d)
        .args(["--json", "-", "--max-file-size", "4096"])
        .args([
            "--max-decompressed-size",
            "2048",
            "--max-line-length",
            "1KiB",
        ])
        .output()
        .expect("runs");
    let inv: Value = serde_json::from_slice(&o.stdout).expect("inventory JSON");
    let reasons: Vec<String> = inv["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| s["reason"].as_str().expect("reason").to_string())
        .collect();
    for q in &quoted {
        assert!(
            reasons.iter().any(|r| fits(q, r)),
            "docs/limits.md quotes `{q}`, which the binary does not print; it printed {reasons:#?}"
        );
    }
}

#[test]
fn the_pattern_matcher_is_strict() {
    assert!(fits("over N bytes (…)", "over 4,096 bytes (raise it)"));
    assert!(!fits("over N bytes", "over many bytes"));
    assert!(!fits("empty file", "empty file!"));
}

#[test]
fn readme_json_example_has_the_real_numbers() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("r.json");
    leakscope()
        .arg("report")
        .arg(sample("chan-send-leak"))
        .arg("-q")
        .arg("-o")
        .arg(dir.path().join("r.html"))
        .arg("--json")
        .arg(&json)
        .assert()
        .code(0);
    let j = read_json(&json);
    let f = &j["findings"][0];
    let facts = [
        format!("\"headline\": {}", j["headline"]),
        format!("\"inuse_bytes\": {}", j["snapshots"][0]["inuse_bytes"]),
        format!("\"time\": {}", j["snapshots"][0]["time"]),
        format!("\"retained_bytes\": {}", f["retained_bytes"]),
        format!(
            "\"first\": {}, \"last\": {}, \"delta\": {}",
            f["first"], f["last"], f["delta"]
        ),
        format!("\"line\": {}", f["line"]),
        format!(
            "\"rate_per_hour\": {}",
            f["rate_per_hour"].as_f64().expect("rate") as i64
        ),
    ];
    for fact in facts {
        assert!(readme.contains(&fact), "README's JSON example lacks {fact}");
    }
}
