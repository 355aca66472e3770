//! Where `report` and `inspect` write: one document per stream, every
//! destination checked before the archive is read, files replaced
//! atomically, the step summary appended to, and Ctrl-C leaving nothing
//! half-written.

use crate::util::{BIN, leakscope, sample};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The entries of a directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn two_documents_on_stdout_are_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: [&[&str]; 4] = [
        &["-o", "-", "--json", "-"],
        &["-o", "-", "--markdown", "-"],
        &["--json", "-", "--markdown", "-"],
        &["-o", "r.html", "--json", "-", "--markdown", "-"],
    ];
    for args in cases {
        let o = leakscope()
            .current_dir(dir.path())
            .arg("report")
            .arg(sample("chan-send-leak"))
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("two documents to stdout"), "{args:?}: {err}");
        assert!(err.contains("Usage: leakscope report"), "{err}");
        assert!(o.stdout.is_empty(), "{args:?} wrote to stdout");
        assert!(names(dir.path()).is_empty(), "{args:?} wrote files");
    }
    // The same file twice, spelled differently.
    let o = leakscope()
        .current_dir(dir.path())
        .arg("report")
        .arg(sample("chan-send-leak"))
        .args(["-o", "x.html", "--markdown", "./x.html"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("same file"));
    assert!(names(dir.path()).is_empty());
}

#[test]
fn summary_goes_to_stderr_when_stdout_carries_a_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (flag, start) in [
        ("-o", "<!doctype html>"),
        ("--json", "{"),
        ("--markdown", "#"),
    ] {
        let mut cmd = leakscope();
        cmd.current_dir(dir.path())
            .arg("report")
            .arg(sample("chan-send-leak"));
        if flag != "-o" {
            cmd.args(["-o", "r.html"]);
        }
        let o = cmd.args([flag, "-"]).output().expect("runs");
        assert_eq!(o.status.code(), Some(0));
        let out = String::from_utf8(o.stdout).expect("utf-8");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            out.to_ascii_lowercase().starts_with(start),
            "{flag}: {}",
            &out[..out.len().min(80)]
        );
        // The document is the whole of stdout: it ends as that format ends.
        let tail = out.trim_end();
        match flag {
            "-o" => assert!(tail.ends_with("</html>"), "{flag}"),
            "--json" => {
                serde_json::from_str::<serde_json::Value>(&out).expect("stdout is one JSON");
            }
            _ => assert!(!out.contains("<html"), "{flag}"),
        }
        assert!(
            err.contains("\nreport: "),
            "{flag}: summary missing from stderr: {err}"
        );
        assert!(!out.contains("\nreport: "), "{flag}: summary on stdout");
    }
}

#[test]
fn unwritable_destinations_fail_before_the_archive_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An archive that does not exist: a check after reading would report
    // the archive; a check before reports the output.
    let missing_input = dir.path().join("no-such-archive");
    for args in [
        vec!["-o", "nope/r.html"],
        vec!["-o", "r.html", "--json", "nope/r.json"],
        vec!["-o", "r.html", "--markdown", "nope/r.md"],
    ] {
        let started = Instant::now();
        let o = leakscope()
            .current_dir(dir.path())
            .arg("report")
            .arg(&missing_input)
            .args(&args)
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("directory nope does not exist"), "{err}");
        assert!(
            !err.contains("no-such-archive"),
            "the archive was read: {err}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        // Nothing at all is written, not even the HTML whose path was fine.
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }
    let o = leakscope()
        .current_dir(dir.path())
        .arg("inspect")
        .arg(&missing_input)
        .args(["--json", "nope/i.json"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
    assert!(o.stdout.is_empty());
}

#[cfg(unix)]
#[test]
fn read_only_directory_fails_fast() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).expect("mkdir");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    // Root ignores directory permissions; then there is nothing to test.
    if std::fs::write(ro.join("probe"), "x").is_ok() {
        eprintln!("note: running as root; read-only check skipped");
        return;
    }
    let o = leakscope()
        .arg("report")
        .arg(dir.path().join("no-such-archive"))
        .arg("-o")
        .arg(ro.join("r.html"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot write"), "{err}");
    assert!(!err.contains("no-such-archive"), "{err}");
}

#[test]
fn a_failed_run_leaves_the_old_files_and_no_temporaries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("r.html");
    let json = dir.path().join("r.json");
    std::fs::write(&html, "old html").expect("write");
    std::fs::write(&json, "old json").expect("write");
    // A template that fails to render: the failure comes after every
    // temporary file was created.
    let tpl = dir.path().join("tpl");
    std::fs::create_dir(&tpl).expect("mkdir");
    std::fs::write(tpl.join("report.html"), "{{ undefined_fn() }}").expect("write");
    let o = leakscope()
        .arg("report")
        .arg(sample("chan-send-leak"))
        .arg("-o")
        .arg(&html)
        .arg("--json")
        .arg(&json)
        .arg("--templates")
        .arg(&tpl)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert_eq!(std::fs::read_to_string(&html).expect("read"), "old html");
    assert_eq!(std::fs::read_to_string(&json).expect("read"), "old json");
    assert_eq!(names(dir.path()), ["r.html", "r.json", "tpl"]);
    // A good run replaces both and leaves no temporary file.
    leakscope()
        .arg("report")
        .arg(sample("chan-send-leak"))
        .arg("-o")
        .arg(&html)
        .arg("--json")
        .arg(&json)
        .arg("-q")
        .assert()
        .code(0);
    assert!(
        std::fs::read_to_string(&html)
            .expect("read")
            .contains("main.produce")
    );
    assert_eq!(names(dir.path()), ["r.html", "r.json", "tpl"]);
}

#[test]
fn markdown_appends_to_the_step_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("step_summary.md");
    std::fs::write(&summary, "# build\nok\n").expect("write");
    let run = |extra: &[&str], env: Option<&Path>| {
        let mut cmd = leakscope();
        cmd.current_dir(dir.path())
            .arg("report")
            .arg(sample("chan-send-leak"))
            .args(["-q", "-o", "r.html"])
            .args(extra)
            .env_remove("GITHUB_STEP_SUMMARY");
        if let Some(p) = env {
            cmd.env("GITHUB_STEP_SUMMARY", p);
        }
        cmd.assert().code(0);
    };
    // $GITHUB_STEP_SUMMARY, named the way the README recipe does.
    run(&["--markdown", "./step_summary.md"], Some(&summary));
    let text = std::fs::read_to_string(&summary).expect("read");
    assert!(text.starts_with("# build\nok\n"), "{text}");
    assert!(text.contains("main.produce"), "{text}");
    // --markdown-append for any other file.
    run(
        &["--markdown", "step_summary.md", "--markdown-append"],
        None,
    );
    let again = std::fs::read_to_string(&summary).expect("read");
    assert!(again.starts_with(&text) && again.len() > text.len());
    // Without either, the file is replaced.
    run(&["--markdown", "step_summary.md"], None);
    let replaced = std::fs::read_to_string(&summary).expect("read");
    assert!(!replaced.contains("# build"), "{replaced}");
}

/// A goroutine archive big enough that a debug build reads it for a
/// second or more (`files` dumps of 3,000 goroutines each).
fn big_archive(dir: &Path, files: usize) {
    let mut block = String::new();
    for i in 1..3000 {
        block.push_str(&format!(
            "goroutine {i} [chan send, 5 minutes]:\nmain.produce(0xc000{i:06x})\n\t/app/main.go:81 +0x45\ncreated by main.handleRequest in goroutine 1\n\t/app/main.go:60 +0x99\n\n"
        ));
    }
    for f in 0..files {
        std::fs::write(
            dir.join(format!(
                "goroutine-2026-11-27T05-{:02}-{:02}Z.txt",
                f / 60,
                f % 60
            )),
            &block,
        )
        .expect("write dump");
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_removes_temporaries() {
    let input = tempfile::tempdir().expect("tempdir");
    big_archive(input.path(), 150);
    let out = tempfile::tempdir().expect("tempdir");
    std::fs::write(out.path().join("r.json"), "old").expect("write");
    let mut child = Command::new(BIN)
        .arg("report")
        .arg(input.path())
        .arg("-o")
        .arg(out.path().join("r.html"))
        .arg("--json")
        .arg(out.path().join("r.json"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    // The temporary files appear before the archive is read, after the
    // Ctrl-C handler is installed.
    let started = Instant::now();
    while !names(out.path())
        .iter()
        .any(|n| n.ends_with(".leakscope-tmp"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no temporary file"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(50));
    let pid = child.id().to_string();
    // The shell's built-in kill: no procps needed.
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -INT {pid}")])
        .status()
        .expect("sh runs");
    assert!(killed.success());
    let waited = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if waited.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("no exit 20 s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let o = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        status.code(),
        Some(130),
        "finished before the signal? {err}"
    );
    assert_eq!(err.trim_end(), "leakscope: interrupted; no output written");
    assert!(o.stdout.is_empty());
    assert_eq!(names(out.path()), ["r.json"]);
    assert_eq!(
        std::fs::read_to_string(out.path().join("r.json")).expect("read"),
        "old"
    );
}
