//! Tests of the HTML exporter as a whole (templates, escaping, determinism).

use super::*;
use minijinja::{Value, context};

fn render(hostile: bool) -> String {
    let d = demo::build(hostile);
    HtmlExporter { templates: vec![] }
        .render_string(&d.input())
        .expect("renders")
}

#[test]
fn every_builtin_template_compiles_and_renders() {
    let names = builtin_template_names();
    for expected in [
        "base.html",
        "report.html",
        "style.css",
        "partials/finding.html",
        "partials/method.html",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    let env = environment(&[]).expect("env");
    let d = demo::build(false);
    // With a baseline and source lines, so the partials that show them
    // (baseline.html, source.html) have their data.
    let f0 = &d.analysis.findings[0];
    let culprit = crate::render::source::FrameSource {
        role: "leak site",
        function: f0.function.clone(),
        frame_file: f0.file.clone(),
        line: f0.line,
        repo_path: Some("main.go".into()),
        url: Some("https://example.com/main.go#L16".into()),
        excerpt: Some(crate::render::source::Excerpt {
            first_line: 15,
            lines: vec!["\tfor {".into(), "\t\tch <- r".into(), "\t}".into()],
            marked: 16,
            enclosing: Some("produce".into()),
        }),
        warning: Some("line 16 does not look like a channel send".into()),
    };
    let extras = crate::render::Extras {
        baseline: Some(crate::analysis::baseline::compare(&d.analysis, &d.analysis)),
        baseline_name: "before".into(),
        source: Some(crate::render::source::SourceInfo {
            dir: Some("src".into()),
            findings: vec![crate::render::source::FindingSource {
                culprit,
                created_by: None,
                stack_urls: vec![Some("https://example.com/x".into())],
            }],
        }),
    };
    let input = crate::render::ReportInput {
        extras: Some(&extras),
        ..d.input()
    };
    let mut view = context::build(&input);
    assert!(view.baseline.is_some() && view.findings[0].source.is_some());
    // The one-dump section only shows for a series too short for statistics.
    let mut one = d.analysis.clone();
    one.counts.goroutine = 1;
    one.goroutine_groups[0].snapshot = Some(crate::analysis::GroupSnapshot {
        count: 5.0,
        share: 0.5,
        ..Default::default()
    });
    view.one_dump = crate::render::one_dump::build(&one);
    assert!(view.one_dump.is_some());
    let finding = view.findings.first().expect("demo has findings").clone();
    let ctx = context! { f => Serde(&finding), ..Value::from(Serde(&view)) };
    for name in &names {
        let t = env.get_template(name).expect("template compiles");
        if name == "fleet.html" {
            // The fleet page has its own view (`leakscope merge`); the
            // merge module's tests render it.
            continue;
        }
        let out = t
            .render(ctx.clone())
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert!(!out.trim().is_empty(), "{name} rendered nothing");
    }
}

#[test]
fn report_has_every_section_in_order() {
    let html = render(false);
    let pos = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("missing {needle}"))
    };
    let order = [
        "class=\"verdict-badge\"",
        "id=\"findings\"",
        "id=\"memory\"",
        "id=\"flames\"",
        "id=\"tables\"",
        "id=\"method\"",
    ];
    for w in order.windows(2) {
        assert!(pos(w[0]) < pos(w[1]), "{} before {}", w[0], w[1]);
    }
    assert!(html.contains("header class=\"verdict-leak\""));
    assert!(html.contains(">Leak</p>"));
    assert!(html.contains("2026-11-18T11:06:40Z &rarr; 2026-11-18T11:56:40.001Z"));
    assert!(html.contains("(50m 00s)"));
    assert!(html.contains("6 goroutine, 6 heap"));
    assert!(html.contains("build id <code>3f2ad0c1e5b7</code>"));
    assert!(html.contains("Goroutine leak: 48 goroutines blocked sending"));
    assert!(html.contains("Memory the runtime keeps for reuse (not a leak):"));
    assert_eq!(html.matches("<iframe class=\"flame-frame\"").count(), 5);
    // Sys, HeapSys, HeapAlloc and HeapInuse; HeapInuse alone; goroutines; heap.
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 4);
    // Sparklines: two findings, two heap sites, three goroutine groups.
    assert_eq!(html.matches("<svg class=\"spark\"").count(), 7);
    assert!(html.contains("at least 10 goroutines and 50 %"));
}

#[test]
fn overrides_replace_builtins_by_name() {
    let d = demo::build(false);
    let out = HtmlExporter {
        templates: vec![
            (
                "partials/method.html".into(),
                "<section id=\"method\">MINE {{ thresholds.min_snapshots }}</section>".into(),
            ),
            ("notes.md".into(), "{% broken".into()),
        ],
    }
    .render_string(&d.input())
    .expect("renders");
    assert!(out.contains("MINE 3"));
    assert!(!out.contains("Theil–Sen slope (the median"));
}

#[test]
fn broken_override_and_undefined_values_are_errors() {
    let d = demo::build(false);
    let syntax = HtmlExporter {
        templates: vec![("report.html".into(), "{% if %}".into())],
    }
    .render_string(&d.input())
    .expect_err("syntax error");
    assert!(syntax.0.contains("report.html"), "{}", syntax.0);
    let undefined = HtmlExporter {
        templates: vec![("report.html".into(), "{{ no_such_value }}".into())],
    }
    .render_string(&d.input())
    .expect_err("strict undefined");
    assert!(undefined.0.contains("undefined"), "{}", undefined.0);
}

#[test]
fn no_findings_box_explains_what_was_checked() {
    let mut d = demo::build(false);
    d.analysis.findings.clear();
    d.analysis.verdict = crate::analysis::Verdict::Clean;
    d.analysis.headline.clear();
    let html = HtmlExporter { templates: vec![] }
        .render_string(&d.input())
        .expect("renders");
    assert!(html.contains("No leak found"));
    assert!(html.contains("6 goroutine dump(s): no group"));
    assert!(html.contains("6 heap profile(s)"));
    assert!(html.contains("header class=\"verdict-clean\""));
    assert!(html.contains("Nothing grows beyond the thresholds."));
}

#[test]
fn missing_memstats_teaches_where_they_come_from() {
    let mut d = demo::build(false);
    for s in &mut d.archive.snapshots {
        s.memstats = None;
    }
    d.analysis.memory = Default::default();
    let html = HtmlExporter { templates: vec![] }
        .render_string(&d.input())
        .expect("renders");
    assert!(html.contains("This archive has no MemStats"));
    assert!(html.contains("heap?debug=1"));
    assert!(html.contains("/debug/vars"));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 2);
    // Said once, in the callout, not again in an empty chart box.
    assert!(!html.contains("id=\"chart-memstats\""));
    assert_eq!(html.matches("/debug/vars").count(), 1);
}

#[test]
fn flame_graphs_drawn_beforehand_give_the_same_page() {
    // The CLI draws the flame graphs while the archive is analysed and
    // hands them over; the page must be the one drawn in one go.
    for hostile in [false, true] {
        let d = demo::build(hostile);
        let input = d.input();
        let exporter = HtmlExporter { templates: vec![] };
        let flames = flame::build_all(input.archive);
        assert!(flames.iter().any(|g| g.srcdoc.is_some() || g.gz.is_some()));
        let handed = exporter
            .render_with_flames(&input, flames)
            .expect("renders");
        assert_eq!(handed, render(hostile).into_bytes(), "hostile: {hostile}");
    }
}
