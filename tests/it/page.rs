//! The report page tells no contradictions: the header counts what was
//! skipped and what was cut off, growth tables hold growth, the statistics
//! line appears once, rates are per minute or hour when times are known,
//! and the page carries its 700 px and print rules.

use crate::util::{leakscope, sample};

/// The HTML report of a sample.
fn page(name: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("r.html");
    leakscope()
        .arg("report")
        .arg(sample(name))
        .arg("-q")
        .arg("-o")
        .arg(&out)
        .assert()
        .code(0);
    std::fs::read_to_string(out).expect("html")
}

/// The text of `html` between `from` and the next `until`.
fn section<'a>(html: &'a str, from: &str, until: &str) -> &'a str {
    let i = html.find(from).unwrap_or_else(|| panic!("no {from}"));
    let rest = &html[i..];
    &rest[..rest.find(until).unwrap_or(rest.len())]
}

#[test]
fn header_counts_skipped_and_cut_off_files() {
    let html = page("mixed-broken");
    let header = section(&html, "<header", "</header>");
    assert!(
        header.contains(r##"<a href="#skipped">9 files not used</a>"##),
        "{header}"
    );
    assert!(
        header.contains("1 from a file that looks cut off"),
        "{header}"
    );
    // A clean archive has no such line.
    let clean = page("idle-pool-clean");
    assert!(!section(&clean, "<header", "</header>").contains("not used</a>"));
}

#[test]
fn growth_tables_hold_only_growth() {
    let html = page("chan-send-leak");
    let growing = section(&html, r#"<h3 id="heap-sites">"#, "</table>");
    let rows = growing.matches("<tr><td class=\"site\">").count();
    assert_eq!(rows, 1, "{growing}");
    assert!(growing.contains("main.produce"));
    assert!(
        !growing.contains("runtime.systemstack"),
        "a flat row is listed as growth"
    );
    let others = section(&html, r#"id="heap-sites-other""#, "</details>");
    assert!(
        others.contains("Flat or shrinking allocation sites (2)"),
        "{others}"
    );
    assert!(others.contains("runtime.systemstack"));
    // Collapsed: the details element is not open.
    assert!(html.contains(r#"<details class="others" id="heap-sites-other">"#));
}

#[test]
fn one_statistics_line_one_p_value_format_rates_in_time() {
    let html = page("chan-send-leak");
    let finding = section(&html, r#"id="finding-1""#, "</article>");
    assert_eq!(finding.matches("Mann–Kendall").count(), 1, "{finding}");
    assert!(finding.contains("p &lt; 0.001"), "{finding}");
    // Snapshot times are known: no rate is per snapshot.
    assert!(!html.contains("per snapshot"));
    assert!(!html.contains("/snapshot"));
    assert!(finding.contains("per minute"), "{finding}");
}

#[test]
fn page_carries_narrow_and_print_rules_and_labelled_flames() {
    let html = page("chan-send-leak");
    assert!(html.contains("tab-size: 4"));
    assert!(html.contains("@media (max-width: 720px)"));
    let print = section(&html, "@media print", "\n}\n");
    for rule in [
        "break-before: page",
        "details::details-content",
        "position: static",
    ] {
        assert!(print.contains(rule), "print rules lack {rule}");
    }
    assert!(
        html.contains("beforeprint"),
        "collapsed sections do not open for printing"
    );
    // The root frame is labelled, the Search control is visible.
    assert!(html.contains(">all (4,428,697 bytes, 100%)</text>"));
    assert!(html.contains("svg #search{opacity:1"));
    // MemStats charts: HeapInuse gets its own panel when MemStats exist.
    let mixed = page("steady-server-clean");
    assert!(mixed.contains(r#"id="chart-heapinuse""#));
}
