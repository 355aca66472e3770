//! Untrusted text in dumps: one table of hostile names ([`PAYLOADS`]:
//! script and markup payloads, control characters, bidirectional overrides
//! and isolates, Markdown metacharacters, a very long name) placed in
//! function names, file paths and labels of real-format dumps (a `debug=2`
//! goroutine dump and a `debug=1` heap profile, written here by hand), run
//! through the real `leakscope report` binary, and given to the SVG charts
//! directly. Checks, for every payload:
//!
//! * the HTML holds no live payload and no raw control or bidi character,
//!   neither in the page nor in any flame graph document (`srcdoc` or
//!   gzip+base64 `data-gz`); those characters are shown as escapes;
//! * the SVG charts escape the names and show control and bidi characters
//!   as escapes;
//! * the Markdown holds no raw control or bidi character and, rendered,
//!   no live payload, link, image, emphasis or strikethrough made from a
//!   name; very long names are clipped;
//! * the JSON round-trips every payload exactly as a string (it is the
//!   machine-readable output: dump text stays raw there);
//! * in headless Chromium, no element was created from a payload and no
//!   payload script ran (the page and every flame graph document). Without
//!   Chromium the browser test fails when `CI=true` and is skipped otherwise.

use crate::util::{chromium, leakscope};
use base64::Engine;
use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// The hostile names, one table for every exporter. The two `data-pwned`
/// ones would mark the page if they ever ran, which the browser test looks
/// for; the last is a very long name (4,000 characters).
static PAYLOADS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut v: Vec<String> = SHORT_PAYLOADS.iter().map(|p| p.to_string()).collect();
    v.push(format!("long{}end", "0123456789abcdef".repeat(250)));
    v
});

/// The payloads of ordinary length.
const SHORT_PAYLOADS: &[&str] = &[
    "<img src=x onerror=alert(1)>",
    "\"><script>alert(1)</script>",
    "]]>",
    "-->",
    ";",
    "{{7*7}}",
    "javascript:alert(1)",
    "ctl\u{0}\u{7}\u{8}\u{b}\u{c}\u{1b}\u{7f}\u{85}\u{202e}end",
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
    "<script>document.body.setAttribute('data-pwned','script')</script>",
    "bidi\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}gnp.exe",
    "*em*_u_`tick`|pipe|~~del~~@team#1<https://evil.example>www.evil.example&amp;$x$",
];

/// A character no human output may carry raw: C0 controls other than
/// newline, tab and carriage return (page layout), DEL, C1 controls, and the
/// bidirectional formatting characters. Written out here, independently of
/// the crate's own list.
fn hidden(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && !matches!(c, '\n' | '\t' | '\r'))
        || (0x7f..=0x9f).contains(&u)
        || matches!(u, 0x061c | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

/// Fails when `doc` holds a raw control or bidi character.
fn assert_no_hidden(what: &str, doc: &str) {
    let bad: Vec<String> = doc
        .chars()
        .filter(|&c| hidden(c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(bad.is_empty(), "{what} holds raw characters {bad:?}");
}

/// Snapshot times: 05:00, 05:10, 05:20, 05:30 on 2026-11-27.
const STAMPS: &[&str] = &[
    "2026-11-27T05-00-00Z",
    "2026-11-27T05-10-00Z",
    "2026-11-27T05-20-00Z",
    "2026-11-27T05-30-00Z",
];

/// Function name carrying payload `i` (distinct per payload).
fn func(i: usize) -> String {
    format!("main.p{i}{}", PAYLOADS[i])
}

/// Allocating function carrying payload `i` (heap profile).
fn hfunc(i: usize) -> String {
    format!("main.h{i}{}", PAYLOADS[i])
}

/// Source directory carrying payload `i`.
fn file(i: usize) -> String {
    format!("/src/{}/p{i}.go", PAYLOADS[i])
}

/// Label value carrying payload `i`.
fn label(i: usize) -> String {
    format!("v{i}{}", PAYLOADS[i])
}

/// Go's `%q` quoting, as the runtime prints label values.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if hidden(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Indices of every payload.
fn all_payloads() -> Vec<usize> {
    (0..PAYLOADS.len()).collect()
}

/// A `debug=2` goroutine dump: per payload, a group of goroutines blocked in
/// `chan send` whose count grows with `tick`.
fn goroutine_dump(tick: usize, payloads: &[usize]) -> String {
    let mut s =
        String::from("goroutine 1 [running]:\nmain.main()\n\t/src/app/main.go:10 +0x1d\n\n");
    let mut id = 100;
    for &i in payloads {
        let n = 2 + 15 * tick;
        for _ in 0..n {
            id += 1;
            s += &format!(
                "goroutine {id} [chan send, {tick} minutes] {{worker: {}}}:\n",
                go_quote(&label(i))
            );
            s += &format!("{}(0xc000010000, 0x{i:x})\n", func(i));
            s += &format!("\t{}:{} +0x7a\n", file(i), 81 + i);
            s += &format!("created by {} in goroutine 1\n", func(i));
            s += &format!("\t{}:{} +0x7f\n\n", file(i), 64 + i);
        }
    }
    s
}

/// A `debug=1` heap profile: per payload, an allocation site of 1 MiB
/// objects whose count grows with `tick`.
fn heap_text(tick: usize) -> String {
    const MIB: u64 = 1 << 20;
    let counts: Vec<u64> = (0..PAYLOADS.len()).map(|_| 2 + 8 * tick as u64).collect();
    let objs: u64 = counts.iter().sum();
    let mut s = format!(
        "heap profile: {objs}: {} [{objs}: {}] @ heap/524288\n",
        objs * MIB,
        objs * MIB
    );
    for (i, &c) in counts.iter().enumerate() {
        let pc = 0x4a0000 + 0x100 * i as u64;
        s += &format!(
            "{c}: {} [{c}: {}] @ {:#x} 0x4b0000\n",
            c * MIB,
            c * MIB,
            pc + 1
        );
        s += &format!("#\t{pc:#x}\t{}+0x2b\t{}:{}\n", hfunc(i), file(i), 31 + i);
        s += "#\t0x4affff\tmain.main+0x1f\t/src/app/main.go:12\n\n";
    }
    s
}

/// The report of the hostile archive: (html, markdown, json).
struct Outputs {
    html: String,
    markdown: String,
    json: Value,
    dir: tempfile::TempDir,
}

/// Writes the dumps into a fresh temporary directory and runs
/// `leakscope report` on them.
fn outputs() -> Outputs {
    {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("dumps");
        std::fs::create_dir(&input).expect("mkdir");
        for (tick, stamp) in STAMPS.iter().enumerate() {
            std::fs::write(
                input.join(format!("goroutine-{stamp}.txt")),
                goroutine_dump(tick, &all_payloads()),
            )
            .expect("write dump");
            std::fs::write(input.join(format!("heap-{stamp}.txt")), heap_text(tick))
                .expect("write heap");
        }
        let html = dir.path().join("report.html");
        let md = dir.path().join("report.md");
        let json = dir.path().join("report.json");
        let out = leakscope()
            .arg("report")
            .arg(&input)
            .arg("-o")
            .arg(&html)
            .arg("--json")
            .arg(&json)
            .arg("--markdown")
            .arg(&md)
            .arg("--quiet")
            .output()
            .expect("run leakscope");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "leakscope panicked: {stderr}");
        assert_eq!(out.status.code(), Some(0), "exit status; stderr: {stderr}");
        let json: Value =
            serde_json::from_slice(&std::fs::read(&json).expect("read json")).expect("valid JSON");
        Outputs {
            html: std::fs::read_to_string(&html).expect("read html"),
            markdown: std::fs::read_to_string(&md).expect("read markdown"),
            json,
            dir,
        }
    }
}

/// Decodes the entities an attribute value may hold.
fn html_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Values of attribute `name` on every tag of `html`.
fn attr_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        let v = &rest[i + needle.len()..];
        let end = v.find('"').unwrap_or(v.len());
        out.push(html_unescape(&v[..end]));
        rest = &v[end..];
    }
    out
}

/// The flame graph documents embedded in a report page: `srcdoc` values and
/// inflated `data-gz` values.
fn embedded_documents(html: &str) -> Vec<String> {
    let mut docs = attr_values(html, "srcdoc");
    for gz in attr_values(html, "data-gz") {
        if gz.is_empty() {
            continue;
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(gz.trim())
            .expect("data-gz is base64");
        let mut doc = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut doc)
            .expect("data-gz is gzip of UTF-8");
        docs.push(doc);
    }
    docs
}

/// Fails when `doc` holds a payload as live markup.
fn assert_no_live_payload(what: &str, doc: &str) {
    let lower = doc.to_ascii_lowercase();
    for bad in [
        "<img src=x",
        "<script>alert",
        "<script>document",
        "href=\"javascript:",
        "src=\"javascript:",
        "href='javascript:",
    ] {
        assert!(!lower.contains(bad), "{what} holds live payload {bad:?}");
    }
    // A payload `-->` or `]]>` must not close a comment or CDATA section
    // that the document itself opened.
    assert!(
        lower.matches("-->").count() <= lower.matches("<!--").count(),
        "{what}: a `-->` without its `<!--`"
    );
    assert!(
        lower.matches("]]>").count() <= lower.matches("<![cdata[").count(),
        "{what}: a `]]>` without its `<![CDATA[`"
    );
}

#[test]
fn html_page_holds_no_live_payload() {
    let o = &outputs();
    assert_no_live_payload("the HTML page", &o.html);
    assert_no_hidden("the HTML page", &o.html);
    // Control and bidi characters are shown, as escapes.
    for shown in [
        "ctl\\x00\\x07",
        "\\x1b\\x7f\\u0085\\u202eend",
        "bidi\\u202a\\u202b",
    ] {
        assert!(o.html.contains(shown), "{shown:?} is not shown on the page");
    }
    // The template engine did not evaluate the payload.
    assert!(
        o.html.contains("{{7*7}}"),
        "`{{7*7}}` is not shown literally"
    );
    // Every payload function is named on the page (escaped).
    for i in 0..PAYLOADS.len() {
        let escaped = func(i)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let prefix = escaped.split('"').next().unwrap_or(&escaped);
        assert!(
            o.html.contains(prefix) || o.html.contains(&format!("main.p{i}")),
            "payload function {i} is not on the page"
        );
    }
}

#[test]
fn flame_graph_documents_hold_no_live_payload() {
    let o = &outputs();
    let docs = embedded_documents(&o.html);
    assert!(!docs.is_empty(), "the report embeds no flame graph");
    for (n, doc) in docs.iter().enumerate() {
        assert_no_live_payload(&format!("flame graph document {n}"), doc);
        assert_no_hidden(&format!("flame graph document {n}"), doc);
    }
    // Frame names show control and bidi characters as escapes.
    assert!(
        docs.iter().any(|d| d.contains("bidi\\u202a\\u202b")),
        "no flame graph names the bidi payload visibly"
    );
}

#[test]
fn charts_escape_every_payload() {
    use leakscope::render::html::chart::{Line, TimeAxis, line_chart, sparkline};
    use leakscope::units::Quantity;
    let series = leakscope::analysis::Series {
        times: vec![1_795_000_000_000_000_000, 1_795_000_600_000_000_000],
        values: vec![3.0, 1203.0],
    };
    for (i, p) in PAYLOADS.iter().enumerate() {
        let svg = line_chart(
            p,
            Quantity::Count,
            TimeAxis::Clock,
            &[Line {
                name: p,
                color: "#000",
                series: &series,
            }],
        )
        .expect("a chart");
        let what = format!("chart of payload {i}");
        assert_no_live_payload(&what, &svg);
        assert_no_hidden(&what, &svg);
        // Only the chart's own elements: every `<` opens a known SVG tag.
        for tag in svg.split('<').skip(1) {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            assert!(
                ["svg", "title", "line", "text", "path", "circle", "rect"].contains(&name.as_str()),
                "{what}: unexpected element <{name}"
            );
        }
        assert!(svg.contains(">1,203<") || svg.contains("1,203"), "{what}");
        let spark = sparkline(&series, Quantity::Count).expect("a sparkline");
        assert!(spark.contains("3 → 1,203 over 2 points"), "{spark}");
    }
}

#[test]
fn markdown_renders_no_live_payload() {
    let o = &outputs();
    let mut rendered = String::new();
    pulldown_cmark::html::push_html(&mut rendered, pulldown_cmark::Parser::new(&o.markdown));
    assert_no_live_payload("the Markdown rendered to HTML", &rendered);
    // Raw HTML events are where a payload would become markup.
    for ev in pulldown_cmark::Parser::new(&o.markdown) {
        if let pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) = ev {
            let lower = h.to_ascii_lowercase();
            assert!(
                !lower.contains("<img") && !lower.contains("<script"),
                "Markdown passes raw HTML through: {h:?}"
            );
        }
    }
    // The names are there, escaped or in code spans.
    assert!(
        o.markdown.contains("main.p0"),
        "findings missing from the Markdown"
    );
    assert_no_hidden("the Markdown", &o.markdown);
    assert!(
        o.markdown.contains("\\u202e") && o.markdown.contains("\\x1b"),
        "control and bidi characters are not shown as escapes"
    );
    // No name made a link, image, emphasis or strikethrough: the only
    // emphasis is the footer, the only links none.
    let opts =
        pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
    let mut emphasis = 0;
    for ev in pulldown_cmark::Parser::new_ext(&o.markdown, opts) {
        use pulldown_cmark::{Event, Tag};
        match ev {
            Event::Start(Tag::Emphasis) => emphasis += 1,
            Event::Start(t @ (Tag::Link { .. } | Tag::Image { .. } | Tag::Strikethrough)) => {
                panic!("a name made {t:?}")
            }
            Event::InlineMath(m) | Event::DisplayMath(m) => panic!("a name made math {m:?}"),
            _ => {}
        }
    }
    assert_eq!(emphasis, 1, "emphasis made from a name");
    // The very long name is clipped.
    let longest = o
        .markdown
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    assert!(longest < 1500, "a Markdown line of {longest} characters");
    let long = PAYLOADS.last().expect("the long payload");
    assert!(
        !o.markdown.contains(long.as_str()),
        "long names are not clipped"
    );
    assert!(
        o.markdown.contains(&long[..200]),
        "the long name is missing from the Markdown"
    );
}

/// Every string anywhere in a JSON value.
fn json_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}

#[test]
fn json_round_trips_every_payload_exactly() {
    let o = &outputs();
    let findings = o.json["findings"].as_array().expect("findings array");
    let mut strings = Vec::new();
    json_strings(&o.json, &mut strings);
    for i in 0..PAYLOADS.len() {
        let f = func(i);
        let gor = findings
            .iter()
            .find(|x| x["function"] == f.as_str() && x["kind"] == "goroutine");
        let gor = gor.unwrap_or_else(|| panic!("no goroutine finding for {f:?}"));
        assert_eq!(gor["file"], file(i).as_str(), "file of {f:?}");
        let labels: Vec<&str> = gor["labels"]
            .as_array()
            .expect("labels")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            labels.contains(&format!("worker={}", label(i)).as_str()),
            "label of {f:?}: {labels:?}"
        );
        let created = gor["created_by"].as_str().unwrap_or_default();
        assert!(created.starts_with(&f), "created_by of {f:?}: {created:?}");
        let h = hfunc(i);
        let heap = findings
            .iter()
            .find(|x| x["function"] == h.as_str() && x["kind"] == "heap")
            .unwrap_or_else(|| panic!("no heap finding for {h:?}"));
        assert_eq!(heap["file"], file(i).as_str(), "file of {h:?}");
        assert!(
            strings.iter().any(|s| s.contains(&file(i))),
            "path {:?} not in the JSON",
            file(i)
        );
    }
}

#[test]
fn inputs_are_real_formats() {
    // The hand-written dumps parse as the formats they imitate.
    let limits = leakscope::ingest::Limits::default();
    let g = leakscope::ingest::parse_file_bytes(
        "g.txt",
        goroutine_dump(1, &all_payloads()).as_bytes(),
        &limits,
    )
    .expect("debug=2 dump parses");
    assert_eq!(g.snapshot.format, leakscope::model::Format::GoroutineDebug2);
    let groups = &g.snapshot.goroutines.as_ref().expect("goroutines").groups;
    assert_eq!(groups.len(), PAYLOADS.len() + 1);
    assert_eq!(
        g.snapshot.goroutine_count(),
        Some(1 + 17 * PAYLOADS.len() as u64)
    );
    let h = leakscope::ingest::parse_file_bytes("h.txt", heap_text(1).as_bytes(), &limits)
        .expect("heap text parses");
    assert_eq!(h.snapshot.format, leakscope::model::Format::HeapText);
    assert_eq!(
        h.snapshot.heap.as_ref().expect("heap").samples.len(),
        PAYLOADS.len()
    );
}

/// Control characters from dumps never reach the terminal: the summary on
/// stdout and the messages on stderr hold no C0/C1 control character (they
/// could move the cursor or retitle the terminal) and no bidi override
/// (it could reorder what the reader sees).
#[test]
fn terminal_output_holds_no_control_characters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ctl = PAYLOADS
        .iter()
        .position(|p| p.starts_with("ctl"))
        .expect("control payload");
    for (tick, stamp) in STAMPS.iter().enumerate() {
        std::fs::write(
            dir.path().join(format!("goroutine-{stamp}.txt")),
            goroutine_dump(tick, &[ctl]),
        )
        .expect("write dump");
    }
    // A file whose name and first line carry control characters: skipped,
    // and named on stderr by `report` when nothing else is usable, and in
    // the `inspect` table.
    std::fs::write(
        dir.path().join("junk\u{1b}[31m\u{7}.txt"),
        "\u{1b}]0;owned\u{7}\u{1b}[2J not a dump\n",
    )
    .expect("write junk");
    let report = leakscope()
        .arg("report")
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().join("r.html"))
        .output()
        .expect("run report");
    assert_eq!(report.status.code(), Some(0), "{report:?}");
    let inspect = leakscope()
        .arg("inspect")
        .arg(dir.path())
        .output()
        .expect("run inspect");
    let only_junk = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        dir.path().join("junk\u{1b}[31m\u{7}.txt"),
        only_junk.path().join("junk\u{1b}[31m\u{7}.txt"),
    )
    .expect("copy junk");
    let nothing = leakscope()
        .arg("report")
        .arg(only_junk.path())
        .arg("-o")
        .arg(only_junk.path().join("r.html"))
        .output()
        .expect("run report");
    assert_eq!(nothing.status.code(), Some(2), "{nothing:?}");
    let summary = String::from_utf8_lossy(&report.stdout);
    assert!(
        summary.contains("main.p7ctl"),
        "the finding is not in the summary: {summary}"
    );
    for (what, bytes) in [
        ("report stdout", &report.stdout),
        ("report stderr", &report.stderr),
        ("inspect stdout", &inspect.stdout),
        ("inspect stderr", &inspect.stderr),
        ("report (no input) stderr", &nothing.stderr),
    ] {
        let text = String::from_utf8_lossy(bytes);
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| (c.is_control() && c != '\n' && c != '\t') || hidden(c))
            .collect();
        assert!(
            bad.is_empty(),
            "{what} holds control characters {bad:?}: {text}"
        );
    }
}

// ---------------------------------------------------------------------------
// Headless Chromium
// ---------------------------------------------------------------------------

/// The DOM of `page` after its scripts ran, as headless Chromium dumps it.
fn dump_dom(chromium: &Path, page: &Path) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(_) => break,
            None if start.elapsed() > Duration::from_secs(90) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish in 90 s (a payload alert() would block it)");
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    reader.join().expect("stdout reader")
}

/// Fails when a dumped DOM shows an element or attribute made by a payload.
fn assert_dom_clean(what: &str, dom: &str) {
    assert!(!dom.trim().is_empty(), "{what}: empty DOM dump");
    let lower = dom.to_ascii_lowercase();
    // The marker payloads set `data-pwned` on <body> if they ever run; as
    // text they only appear escaped (`&lt;img …`), never inside a tag.
    let body_tag = lower
        .find("<body")
        .map(|i| &lower[i..i + lower[i..].find('>').unwrap_or(0)])
        .unwrap_or("");
    assert!(
        !body_tag.contains("data-pwned"),
        "{what}: a payload script ran: {body_tag}"
    );
    assert!(
        !lower.contains("<img src=\"x\""),
        "{what}: an <img> element from a payload"
    );
    assert!(
        !lower.contains("<script>alert"),
        "{what}: a <script> element from a payload"
    );
    assert!(
        !lower.contains("<script>document.body"),
        "{what}: a <script> element from a payload"
    );
}

#[test]
fn browser_creates_no_element_from_a_payload() {
    let Some(chromium) = chromium() else { return };
    let o = &outputs();
    let page = o.dir.path().join("report.html");
    let dom = dump_dom(&chromium, &page);
    assert_dom_clean("report page", &dom);
    // The payload text is shown as text: the escaped form is in the DOM.
    assert!(
        dom.contains("main.p0&lt;img src=x onerror=alert(1)&gt;"),
        "the first payload is not shown as text"
    );
    // Each flame graph document, as the page set it up (srcdoc, or inflated
    // from data-gz by the page's script), in a browser of its own.
    let docs: Vec<String> = attr_values(&dom, "srcdoc")
        .into_iter()
        .chain(embedded_documents(&o.html))
        .filter(|d| d.contains("<svg"))
        .collect();
    for (n, doc) in docs.iter().enumerate() {
        let path = o.dir.path().join(format!("flame-{n}.html"));
        std::fs::write(&path, doc).expect("write flame document");
        let dom = dump_dom(&chromium, &path);
        assert_dom_clean(&format!("flame graph document {n}"), &dom);
    }
}
