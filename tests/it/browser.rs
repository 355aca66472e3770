//! The HTML report in a real browser (headless Chromium): no console
//! errors, every flame graph and chart present and non-empty, findings shown.
//!
//! Chromium is looked up as `$CHROMIUM`, then `chromium`, `chromium-browser`,
//! `google-chrome` on `PATH`. Without it the tests fail when `CI=true` and
//! are skipped with a note otherwise. `LEAKSCOPE_SCREENSHOT=1` also writes
//! `docs/report.png` (the README screenshot) from the hand-built report.

use crate::util::{BIN, chromium, sample};
use leakscope::render::Exporter;
use leakscope::render::html::{HtmlExporter, context, demo, flame};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Output of one headless run.
pub(crate) struct Run {
    pub(crate) stdout: String,
    pub(crate) console: Vec<String>,
}

/// Runs headless Chromium on a file with extra flags; collects console lines.
pub(crate) fn run_chromium(bin: &Path, page: &Path, extra: &[String]) -> Run {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start chromium");
    let start = Instant::now();
    // Drain the pipes on threads so a chatty browser cannot block.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    loop {
        match child.try_wait().expect("wait") {
            Some(_) => break,
            None if start.elapsed() > Duration::from_secs(120) => {
                let _ = child.kill();
                panic!("chromium did not finish in 120 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let stdout = t_out.join().expect("stdout thread");
    let stderr = t_err.join().expect("stderr thread");
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    Run { stdout, console }
}

/// Decodes attribute text as Chromium serialises it.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// srcdoc values of the flame graph iframes in a DOM dump.
fn flame_srcdocs(dom: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in dom.split("<iframe").skip(1) {
        let tag_end = part.find('>').unwrap_or(part.len());
        let tag = &part[..tag_end];
        if !tag.contains("flame-frame") {
            continue;
        }
        if let Some(i) = tag.find(" srcdoc=\"") {
            let v = &tag[i + 9..];
            let end = v.find('"').unwrap_or(v.len());
            out.push(unescape(&v[..end]));
        } else {
            out.push(String::new());
        }
    }
    out
}

/// Chart SVGs (class `chart`) in a DOM dump.
fn charts(dom: &str) -> Vec<&str> {
    dom.split("<svg class=\"chart\"")
        .skip(1)
        .map(|s| &s[..s.find("</svg>").unwrap_or(s.len())])
        .collect()
}

/// Checks common to every report; returns the number of flame graphs.
fn check_report(bin: &Path, page: &Path) -> (usize, usize) {
    let run = run_chromium(bin, page, &["--dump-dom".to_string()]);
    assert!(
        run.console.is_empty(),
        "console messages: {:#?}",
        run.console
    );
    let dom = run.stdout;
    assert!(dom.contains("id=\"findings\""), "no findings section");
    assert!(dom.contains("class=\"verdict-badge\""), "no verdict");
    assert!(dom.contains("id=\"method\""), "no method section");
    let docs = flame_srcdocs(&dom);
    for (i, d) in docs.iter().enumerate() {
        assert!(d.contains("<svg"), "flame graph {i} has no SVG");
        assert!(d.matches("<g").count() > 5, "flame graph {i} has no frames");
    }
    let cs = charts(&dom);
    for (i, c) in cs.iter().enumerate() {
        assert!(c.contains("<path d=\"M"), "chart {i} has no line");
        assert!(c.contains("<circle"), "chart {i} has no points");
    }
    (docs.len(), cs.len())
}

#[test]
fn hand_built_report_in_chromium() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let d = demo::build(false);
    let html = HtmlExporter { templates: vec![] }
        .render(&d.input())
        .expect("render");
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).expect("write");
    let (flames, charts) = check_report(&bin, &page);
    assert_eq!(flames, 5, "flame graphs");
    // Sys/HeapSys/HeapAlloc/HeapInuse, HeapInuse alone, goroutines, heap.
    assert_eq!(charts, 4, "charts");
    let text = String::from_utf8(html).expect("utf-8");
    assert!(text.contains("class=\"finding sev-leak\""));

    // The first flame graph on its own, plus a test-only script that uses
    // inferno's search after load: proves its script initialised and works.
    let dom = run_chromium(&bin, &page, &["--dump-dom".to_string()]).stdout;
    let first = flame_srcdocs(&dom)
        .into_iter()
        .next()
        .expect("a flame graph");
    let probe = r#"<script>addEventListener("load",function(){setTimeout(function(){search("main\\.produce");document.body.setAttribute("data-matched",matchedtxt.textContent);},200);});</script>"#;
    let alone = dir.path().join("flame.html");
    std::fs::write(&alone, format!("{first}{probe}")).expect("write flame");
    let run = run_chromium(&bin, &alone, &["--dump-dom".to_string()]);
    assert!(
        run.console.is_empty(),
        "console messages in flame graph: {:#?}",
        run.console
    );
    assert!(
        run.stdout.contains("data-matched=\"Matched: "),
        "search did not run: {}",
        &run.stdout[..run.stdout.len().min(600)]
    );
    assert!(run.stdout.contains("main.produce"));

    // The compressed embedding (used for big pages): the page's script
    // inflates every graph into its iframe.
    let mut view = context::build(&d.input());
    flame::compress(&mut view.flames);
    view.flames_gz = true;
    let gz_page = dir.path().join("report-gz.html");
    let gz_html = HtmlExporter { templates: vec![] }
        .render_view(&view)
        .expect("render gz");
    assert!(gz_html.contains("DecompressionStream"));
    std::fs::write(&gz_page, &gz_html).expect("write gz");
    let (flames, _) = check_report(&bin, &gz_page);
    assert_eq!(flames, 5, "inflated flame graphs");

    if std::env::var_os("LEAKSCOPE_SCREENSHOT").is_some() {
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.png");
        std::fs::create_dir_all(out.parent().expect("docs")).expect("docs dir");
        run_chromium(
            &bin,
            &page,
            &[
                format!("--screenshot={}", out.display()),
                "--window-size=1280,2400".to_string(),
            ],
        );
        let size = std::fs::metadata(&out).expect("screenshot written").len();
        assert!(size < 500 * 1024, "screenshot is {size} bytes");
    }
}

#[test]
fn sample_archive_report_in_chromium() {
    let samples = sample("chan-send-leak");
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let page = dir.path().join("report.html");
    let status = Command::new(BIN)
        .arg("report")
        .arg(&samples)
        .arg("-o")
        .arg(&page)
        .arg("--quiet")
        .status()
        .expect("run leakscope");
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "leakscope exited with {status}"
    );
    let (flames, _charts) = check_report(&bin, &page);
    assert!(
        flames >= 2,
        "expected heap and goroutine flame graphs, got {flames}"
    );
}
