//! Golden-file tests: the real binary's HTML, JSON and Markdown for every
//! bundled sample archive, compared byte for byte with `tests/golden/`.
//!
//! A refactor must leave every byte of every output as it was; a change of
//! output is deliberate and shows in the diff of `tests/golden/`. To accept
//! a change, run `UPDATE_GOLDEN=1 cargo test --test it golden::` and review the
//! diff before committing it.

use crate::util::{leakscope, root, samples_dir};
use std::path::Path;

/// Every sample archive (a folder under `samples/` with dumps in it).
fn sample_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(samples_dir())
        .expect("samples/ is committed")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !matches!(n.as_str(), "src" | "oracle" | "tools"))
        .collect();
    names.sort();
    assert!(names.len() >= 19, "samples missing: {names:?}");
    names
}

/// The first line where `want` and `got` differ, for the failure message.
fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            let cut = |s: &str| s.chars().take(300).collect::<String>();
            return format!("line {}:\n  want: {}\n  got:  {}", i + 1, cut(w), cut(g));
        }
    }
    format!(
        "one is a prefix of the other ({} vs {} lines)",
        want.lines().count(),
        got.lines().count()
    )
}

fn check(golden: &Path, got: &[u8], failures: &mut Vec<String>) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(golden, got).unwrap();
        return;
    }
    let want = std::fs::read(golden)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", golden.display()));
    if want != got {
        failures.push(format!(
            "{} differs at {}",
            golden.display(),
            first_difference(
                &String::from_utf8_lossy(&want),
                &String::from_utf8_lossy(got)
            )
        ));
    }
}

#[test]
fn every_sample_output_matches_its_golden_file() {
    let out = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for name in sample_names() {
        let (html, json, md) = (
            out.path().join(format!("{name}.html")),
            out.path().join(format!("{name}.json")),
            out.path().join(format!("{name}.md")),
        );
        let o = leakscope()
            .current_dir(root())
            .args(["report", &format!("samples/{name}"), "--quiet", "-o"])
            .arg(&html)
            .arg("--json")
            .arg(&json)
            .arg("--markdown")
            .arg(&md)
            .output()
            .expect("runs");
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{name}: exit {:?}: {}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
        let golden = root().join("tests/golden");
        for (file, ext) in [(&html, "html"), (&json, "json"), (&md, "md")] {
            let got = std::fs::read(file).unwrap();
            check(&golden.join(format!("{name}.{ext}")), &got, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The "from finding to fix" outputs (`--baseline`, `--source`,
/// `--source-url`, `--sarif`) of the fix-cycle archives, in
/// `tests/golden/fix-cycle/`.
#[test]
fn fix_cycle_outputs_match_their_golden_files() {
    let out = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    // (name, after, baseline, source checkout)
    let cases = [
        ("halved-vs-before", "fix-halved", "fix-before", "halved"),
        ("newleak-vs-before", "fix-new-leak", "fix-before", "newleak"),
        (
            "before-abs-on-after-checkout",
            "fix-before-abs",
            "fix-before",
            "after",
        ),
    ];
    for (name, after, before, src) in cases {
        let file = |ext: &str| out.path().join(format!("{name}.{ext}"));
        let o = leakscope()
            .current_dir(root())
            .args(["report", &format!("samples/{after}"), "--quiet"])
            .args(["--baseline", &format!("samples/{before}")])
            .args(["--source", &format!("samples/src/fixcycle/{src}")])
            .args([
                "--source-url",
                "https://github.com/acme/orders/blob/{rev}/{path}#L{line}",
                "--rev",
                "0123abc",
                "--go-version",
                "go1.27.3",
            ])
            .arg("-o")
            .arg(file("html"))
            .arg("--json")
            .arg(file("json"))
            .arg("--markdown")
            .arg(file("md"))
            .arg("--sarif")
            .arg(file("sarif"))
            .output()
            .expect("runs");
        assert!(
            o.status.code().is_some_and(|c| c <= 1),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        for ext in ["html", "json", "md", "sarif"] {
            let golden = root().join(format!("tests/golden/fix-cycle/{name}.{ext}"));
            check(&golden, &std::fs::read(file(ext)).unwrap(), &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
