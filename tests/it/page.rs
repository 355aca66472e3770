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
    // Snapshot times are known: no rate is per snapshot (the method
    // section, which explains the units, aside).
    let body = &html[..html.find(r#"<section id="method">"#).expect("method")];
    assert!(!body.contains("per snapshot"));
    assert!(!body.contains("/snapshot"));
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

/// Measures the page in Chromium at 700 px: names in the growth tables stay
/// on one line, nothing makes the page scroll sideways, and the flame
/// graphs' 16-unit labels come out at 10 px or more.
#[test]
fn narrow_window_layout_in_chromium() {
    let Some(bin) = crate::util::chromium() else {
        return;
    };
    let html = page("mixed-broken");
    let probe = r#"<script>
addEventListener("load", function () {
  var r = { sites: 0, wrapped: 0 };
  document.querySelectorAll("td.site code").forEach(function (c) {
    if (!c.getClientRects().length) return;
    r.sites++;
    var fs = parseFloat(getComputedStyle(c).fontSize);
    if (c.getBoundingClientRect().height > fs * 2) r.wrapped++;
  });
  var d = document.documentElement;
  r.overflow = d.scrollWidth - d.clientWidth;
  var f = document.querySelector("iframe.flame-frame");
  r.flame = f ? f.getBoundingClientRect().width : 0;
  document.body.setAttribute("data-probe", JSON.stringify(r));
});
</script></body>"#;
    let html = html.replacen("</body>", probe, 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("narrow.html");
    std::fs::write(&file, html).expect("write");
    let run = crate::browser::run_chromium(
        &bin,
        &file,
        &[
            "--window-size=700,2000".to_string(),
            "--dump-dom".to_string(),
        ],
    );
    let at = run.stdout.find("data-probe=\"").expect("probe ran") + "data-probe=\"".len();
    let raw = &run.stdout[at..at + run.stdout[at..].find('"').expect("end")];
    let probe: serde_json::Value =
        serde_json::from_str(&raw.replace("&quot;", "\"")).expect("probe JSON");
    assert!(probe["sites"].as_u64().expect("sites") >= 2, "{probe}");
    assert_eq!(
        probe["wrapped"], 0,
        "a name wraps inside the Site column: {probe}"
    );
    assert!(
        probe["overflow"].as_f64().expect("overflow") <= 1.0,
        "{probe}"
    );
    let label_px = probe["flame"].as_f64().expect("flame") * 16.0 / 1000.0;
    assert!(
        label_px >= 10.0,
        "flame labels are {label_px:.1} px at 700 px: {probe}"
    );
}
