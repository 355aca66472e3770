//! The HTML report from the outside: escaping of hostile dump content,
//! self-containment, determinism and size.

use leakscope::render::Exporter;
use leakscope::render::html::{HtmlExporter, demo};

fn render(hostile: bool) -> String {
    let d = demo::build(hostile);
    let bytes = HtmlExporter { templates: vec![] }
        .render(&d.input())
        .expect("renders");
    String::from_utf8(bytes).expect("utf-8")
}

/// Decodes the few entities an attribute value can hold here.
fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&amp;", "&")
}

/// Every `srcdoc="…"` value, decoded.
fn srcdocs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(" srcdoc=\"") {
        let after = &rest[i + 9..];
        let end = after.find('"').expect("closing quote");
        out.push(unescape_attr(&after[..end]));
        rest = &after[end..];
    }
    out
}

/// The page with every srcdoc value removed (what the host document parses as markup).
fn outside_srcdoc(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find(" srcdoc=\"") {
        out.push_str(&rest[..i + 9]);
        let after = &rest[i + 9..];
        let end = after.find('"').expect("closing quote");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn writes_demo_report_when_asked() {
    // Handy for looking at the report: LEAKSCOPE_DEMO_HTML=/tmp/r.html cargo test --test it html_report::
    if let Some(p) = std::env::var_os("LEAKSCOPE_DEMO_HTML") {
        std::fs::write(&p, render(false)).expect("write demo");
        let mut hp = std::path::PathBuf::from(p);
        hp.set_extension("hostile.html");
        std::fs::write(hp, render(true)).expect("write hostile demo");
    }
    assert!(render(false).starts_with("<!doctype html>"));
}

#[test]
fn hostile_names_stay_text_in_html_svg_and_srcdoc() {
    let full = render(true);
    let html = outside_srcdoc(&full);
    // Script tags: only our own (copy button), none from data.
    assert_eq!(
        html.matches("<script").count(),
        1,
        "unexpected <script in page"
    );
    assert!(!html.contains("<img"), "unescaped <img from data");
    assert!(!html.contains("onerror=alert(1)>"));
    assert!(
        !html.contains("\x07") && !html.contains("\x1b"),
        "control characters reached the page"
    );
    // The hostile names do appear, escaped.
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;")
            || html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
    );
    // Each iframe document: inferno's own script only, names escaped.
    let docs = srcdocs(&full);
    assert_eq!(docs.len(), 5);
    let mut saw_hostile = 0;
    for d in &docs {
        assert!(
            d.starts_with("<!doctype html>"),
            "{}",
            &d[..40.min(d.len())]
        );
        // The replaceState shim plus inferno's script.
        assert_eq!(d.matches("<script").count(), 2, "scripts in srcdoc");
        assert!(!d.contains("<img"));
        assert!(!d.contains("\"><script>alert"));
        assert!(!d.contains('\x07'));
        // Spaces in names become no-break spaces for the folded format.
        if d.contains("&lt;img\u{a0}src=x\u{a0}onerror=alert(1)&gt;") {
            saw_hostile += 1;
        }
        if d.contains("main.start&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
            saw_hostile += 1;
        }
    }
    assert!(
        saw_hostile >= 5,
        "hostile frame names should be drawn (escaped): {saw_hostile}"
    );
    // `;` in a name did not split the frame: it became `:`.
    assert!(
        docs[0].contains("main.handleRequesta:b\\x07\\x1b[...]"),
        "a;b was split"
    );
}

#[test]
fn loads_nothing_from_the_network() {
    for hostile in [false, true] {
        let full = render(hostile);
        let html = outside_srcdoc(&full);
        for bad in [
            "src=\"http",
            "src='http",
            "href=\"http",
            "url(http",
            "@import",
            "<link",
            "src=\"//",
        ] {
            assert!(!html.contains(bad), "found {bad}");
        }
        for d in srcdocs(&full) {
            for bad in ["src=\"http", "href=\"http", "url(http", "@import", "<link"] {
                assert!(!d.contains(bad), "srcdoc contains {bad}");
            }
        }
    }
}

#[test]
fn deterministic_output() {
    assert_eq!(render(false), render(false));
    assert_eq!(render(true), render(true));
}

#[test]
fn size_stays_small() {
    let html = render(false);
    assert!(html.len() < 1_500_000, "report is {} bytes", html.len());
    assert!(
        html.len() > 20_000,
        "report is suspiciously small: {} bytes",
        html.len()
    );
}
