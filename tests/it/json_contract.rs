//! The JSON summary's contract (docs/json-schema.md), checked through the
//! crate's public API on a hand-built archive and analysis, plus the Markdown
//! summary's escaping end to end.

use leakscope::analysis::{
    Analysis, Cause, Finding, FindingKind, GrowthStats, IgnoreHit, KindCounts, MemorySeries,
    ProcessInfo, Series, Severity, Shape, Thresholds, TrackedSeries, Verdict,
};
use leakscope::model::{
    Archive, Format, GoroutineData, GoroutineGroup, HeapData, HeapSample, ProfileKind, Skipped,
    Snapshot, Tables, TimeSource,
};
use leakscope::render::inventory::Inventory;
use leakscope::render::json::JsonExporter;
use leakscope::render::markdown::{MarkdownExporter, plain_summary};
use leakscope::render::{Exporter, Meta, ReportInput};
use serde_json::Value;
use std::collections::BTreeSet;

const T0: i64 = 1_795_000_000_000_000_000; // 2026-11-18T11:06:40Z
const HOUR: i64 = 3_600_000_000_000;

/// Two goroutine dumps and two heap profiles an hour apart, one skipped file.
fn archive(evil: &str) -> Archive {
    let mut tables = Tables::new();
    let f_send = tables.intern_frame("runtime.chansend1", "/go/src/runtime/chan.go", 161);
    let f_prod = tables.intern_frame(evil, "/src/app/main.go", 16);
    let stack = tables.intern_stack(&[f_send, f_prod]);
    let f_alloc = tables.intern_frame("main.alloc", "/src/app/cache.go", 31);
    let heap_stack = tables.intern_stack(&[f_alloc]);
    let reason = tables.intern_str("chan send");
    let key = tables.intern_str("worker");
    let val = tables.intern_str(evil);

    let mut snapshots = Vec::new();
    for (i, count) in [3u64, 1203].into_iter().enumerate() {
        let mut g = Snapshot::new(Format::GoroutineDebug2, ProfileKind::Goroutine);
        g.path = format!("goroutine-{i}.txt");
        g.time = Some(T0 + i as i64 * HOUR);
        g.time_source = TimeSource::FileName;
        g.moment = i;
        g.file_size = 1000 + i as u64;
        g.goroutines = Some(GoroutineData {
            total: count + 9,
            groups: vec![GoroutineGroup {
                stack,
                count,
                wait_reason: Some(reason),
                leaked: if i == 1 { count } else { 0 },
                locked_to_thread: 0,
                max_wait_minutes: Some(12),
                created_by: Some(f_prod),
                labels: vec![(key, val)],
                elided: false,
                sample_ids: vec![1, 2],
                id_range: None,
                waits: Vec::new(),
            }],
            per_goroutine: true,
            max_goroutine_id: Some(5000),
            ..Default::default()
        });
        g.warnings = vec![format!("warning {evil}")];
        snapshots.push(g);

        let mut h = Snapshot::new(Format::Pprof, ProfileKind::Heap);
        h.path = format!("heap-{i}.pb.gz");
        h.gzip = true;
        h.time = Some(T0 + i as i64 * HOUR);
        h.time_source = TimeSource::Profile;
        h.moment = i;
        h.process.build_id = Some("abc123".into());
        h.process.binary = Some("app".into());
        h.heap = Some(HeapData {
            period: 512 * 1024,
            sample_types: vec!["inuse_space".into()],
            has_inuse: true,
            has_alloc: false,
            delta: false,
            samples: vec![HeapSample {
                stack: heap_stack,
                inuse_objects: 10 * (i as i64 + 1),
                inuse_bytes: (1 << 20) * (i as i64 + 1),
                alloc_objects: 0,
                alloc_bytes: 0,
                object_size: Some(4096),
            }]
            .into(),
        });
        snapshots.push(h);
    }
    Archive {
        tables,
        snapshots,
        skipped: vec![Skipped {
            path: format!("{evil}.bin"),
            reason: format!("not a Go dump: {evil}"),
        }],
        notes: vec![format!("archive note {evil}")],
    }
}

fn stats(first: f64, last: f64) -> GrowthStats {
    GrowthStats {
        first,
        last,
        delta: last - first,
        max: last,
        grew_intervals: 1,
        intervals: 1,
        slope_per_hour: last - first,
        mk_s: 1,
        mk_p: 0.3,
        last_third_grows: true,
        shape: Shape::Growing,
    }
}

fn series(values: &[f64]) -> Series {
    Series {
        times: (0..values.len() as i64).map(|i| T0 + i * HOUR).collect(),
        values: values.to_vec(),
    }
}

fn analysis(evil: &str) -> Analysis {
    let goroutine = Finding {
        rank: 1,
        severity: Severity::Leak,
        kind: FindingKind::Goroutine,
        cause: Cause::ChanSend,
        function: evil.into(),
        file: "/src/app/main.go".into(),
        line: 16,
        first: 3.0,
        last: 1203.0,
        delta: 1200.0,
        sentence: format!("1200 goroutines are blocked in chan send at {evil}."),
        evidence: vec![
            format!("label worker={evil}"),
            "1203 marked (leaked)".into(),
        ],
        series: series(&[3.0, 1203.0]),
        stats: stats(3.0, 1203.0),
        rate_per_hour: 1200.0,
        created_by: Some(format!("{evil} /src/app/main.go:40")),
        labels: vec![format!("worker={evil}")],
        retained_bytes: Some(4_915_200),
        longest_wait_minutes: Some(12),
        wait_reason: Some("chan send".into()),
        proof: true,
        confidence: 0.95,
        stack: None,
        stack_text: vec![format!("{evil} /src/app/main.go:16")],
        snapshot: None,
        process: String::new(),
        processes: Vec::new(),
    };
    let heap = Finding {
        rank: 2,
        severity: Severity::Suspect,
        kind: FindingKind::Heap,
        cause: Cause::HeapGrowth,
        function: "main.alloc".into(),
        file: "/src/app/cache.go".into(),
        line: 31,
        first: 1_048_576.0,
        last: 2_097_152.0,
        delta: 1_048_576.0,
        sentence: "In-use heap at main.alloc grew by 1.0 MiB.".into(),
        evidence: vec![],
        series: series(&[1_048_576.0, 2_097_152.0]),
        stats: stats(1_048_576.0, 2_097_152.0),
        rate_per_hour: 1_048_576.0,
        created_by: None,
        labels: vec![],
        retained_bytes: None,
        longest_wait_minutes: None,
        wait_reason: None,
        proof: false,
        confidence: 0.4,
        stack: None,
        stack_text: vec!["main.alloc /src/app/cache.go:31".into()],
        snapshot: None,
        process: String::new(),
        processes: Vec::new(),
    };
    Analysis {
        verdict: Verdict::Leak,
        headline: format!("1 goroutine leak at {evil}"),
        // Deliberately out of order: the JSON sorts by rank.
        findings: vec![heap, goroutine],
        goroutines_total: series(&[12.0, 1212.0]),
        heap_inuse_total: series(&[1_048_576.0, 2_097_152.0]),
        memory: MemorySeries {
            heap_inuse: series(&[2_000_000.0, 3_000_000.0]),
            num_gc: series(&[10.0, 20.0]),
            ..Default::default()
        },
        memory_note: None,
        synthetic_times: false,
        notes: vec![format!("analysis note {evil}")],
        heap_sites: vec![TrackedSeries {
            label: "main.alloc (cache.go:31)".into(),
            function: "main.alloc".into(),
            location: "/src/app/cache.go:31".into(),
            cause: Cause::HeapGrowth,
            series: series(&[1_048_576.0, 2_097_152.0]),
            stats: stats(1_048_576.0, 2_097_152.0),
            snapshot: None,
        }],
        goroutine_groups: vec![TrackedSeries {
            label: evil.into(),
            function: evil.into(),
            location: format!("{evil}:16"),
            cause: Cause::ChanSend,
            series: series(&[3.0, 1203.0]),
            stats: stats(3.0, 1203.0),
            snapshot: None,
        }],
        processes: vec![ProcessInfo {
            binary: Some("app".into()),
            build_id: Some("abc123".into()),
            snapshots: 2,
            ..ProcessInfo::default()
        }],
        ignored: vec![IgnoreHit {
            rule: "net/http.(*persistConn).*".into(),
            builtin: true,
            matched_groups: 0,
        }],
        thresholds: Thresholds::default(),
        counts: KindCounts {
            heap: 2,
            goroutine: 2,
            goroutineleak: 0,
            memstats: 0,
        },
    }
}

fn meta() -> Meta {
    Meta {
        input_name: "dumps".into(),
        tool_version: "0.1.0".into(),
    }
}

fn render_json(archive: &Archive, analysis: &Analysis) -> (Vec<u8>, Value) {
    let meta = meta();
    let input = ReportInput {
        archive,
        analysis,
        meta: &meta,
        extras: None,
    };
    let bytes = JsonExporter.render(&input).expect("renders");
    let value = serde_json::from_slice(&bytes).expect("valid JSON");
    (bytes, value)
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && s.ends_with('Z')
}

fn assert_series(v: &Value, integral: bool) {
    assert_eq!(keys(v), set(&["times", "values"]), "{v}");
    let times = v["times"].as_array().unwrap();
    let values = v["values"].as_array().unwrap();
    assert_eq!(times.len(), values.len(), "{v}");
    for t in times {
        assert!(is_rfc3339(t.as_str().unwrap()), "{t}");
    }
    for x in values {
        if integral {
            assert!(x.is_i64() || x.is_u64(), "not an integer: {x}");
        } else {
            assert!(x.is_number(), "{x}");
        }
    }
}

const EVIL: &str = "main.(*S).Run\n<img src=x onerror=alert(1)>[x](javascript:alert(1))|`b`";

#[test]
fn top_level_contract() {
    let ar = archive("main.produce");
    let an = analysis("main.produce");
    let (_, v) = render_json(&ar, &an);
    assert_eq!(
        keys(&v),
        set(&[
            "schema_version",
            "tool_version",
            "input",
            "verdict",
            "headline",
            "snapshots",
            "skipped",
            "findings",
            "memory_note",
            "notes",
            "processes",
            "ignored",
            "thresholds",
            "counts",
            "series",
            "goroutine_groups",
            "heap_sites",
            "baseline",
        ])
    );
    // No --baseline: the key is there, null.
    assert_eq!(v["baseline"], Value::Null);
    assert_eq!(v["schema_version"], 1);
    assert!(v["schema_version"].is_u64());
    assert_eq!(v["tool_version"], "0.1.0");
    assert_eq!(v["input"], "dumps");
    assert_eq!(v["verdict"], "leak");
    assert_eq!(v["headline"], "1 goroutine leak at main.produce");
    assert_eq!(v["memory_note"], Value::Null);
    assert_eq!(
        v["notes"],
        serde_json::json!(["archive note main.produce", "analysis note main.produce"])
    );
    assert_eq!(
        v["counts"],
        serde_json::json!({"heap": 2, "goroutine": 2, "goroutineleak": 0, "memstats": 0})
    );
    assert_eq!(v["thresholds"]["min_heap_bytes"], 1_048_576);
    assert_eq!(v["thresholds"]["min_goroutine_ratio"], 0.5);
    assert_eq!(v["processes"][0]["build_id"], "abc123");
    assert_eq!(v["ignored"][0]["builtin"], true);

    let s = &v["series"];
    assert_eq!(
        keys(s),
        set(&["goroutines_total", "heap_inuse_total", "memory"])
    );
    assert_series(&s["goroutines_total"], true);
    assert_eq!(
        s["goroutines_total"]["values"],
        serde_json::json!([12, 1212])
    );
    assert_eq!(
        s["goroutines_total"]["times"],
        serde_json::json!(["2026-11-18T11:06:40Z", "2026-11-18T12:06:40Z"])
    );
    assert_series(&s["heap_inuse_total"], true);
    assert_eq!(
        keys(&s["memory"]),
        set(&[
            "sys",
            "heap_sys",
            "heap_alloc",
            "heap_inuse",
            "heap_idle",
            "heap_released",
            "stack_inuse",
            "num_gc"
        ])
    );
    for (_, m) in s["memory"].as_object().unwrap() {
        assert_series(m, true);
    }
    assert_eq!(
        s["memory"]["heap_inuse"]["values"],
        serde_json::json!([2000000, 3000000])
    );

    for (name, unit) in [("goroutine_groups", "goroutines"), ("heap_sites", "bytes")] {
        let t = &v[name][0];
        assert_eq!(t["unit"], unit);
        assert!(t["delta"].is_u64(), "{t}");
        assert_series(&t["series"], true);
    }
}

#[test]
fn findings_contract() {
    let ar = archive("main.produce");
    let an = analysis("main.produce");
    let (_, v) = render_json(&ar, &an);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let expected_keys = set(&[
        "rank",
        "severity",
        "kind",
        "cause",
        "function",
        "file",
        "line",
        "first",
        "last",
        "delta",
        "unit",
        "evidence",
        "sentence",
        "series",
        "rate_per_hour",
        "created_by",
        "labels",
        "retained_bytes",
        "longest_wait_minutes",
        "wait_reason",
        "proof",
        "confidence",
        "shape",
        "grew_intervals",
        "intervals",
        "stack",
        "process",
        "processes",
    ]);
    let causes = set(&[
        "chan-send",
        "chan-receive",
        "select",
        "nil-chan",
        "mutex",
        "waitgroup",
        "cond",
        "io-wait",
        "sleep",
        "heap-growth",
        "other",
    ]);
    for (i, f) in findings.iter().enumerate() {
        assert_eq!(keys(f), expected_keys, "{f}");
        assert_eq!(f["rank"], i as u64 + 1, "sorted by rank");
        assert!(["leak", "suspect"].contains(&f["severity"].as_str().unwrap()));
        assert!(["goroutine", "heap"].contains(&f["kind"].as_str().unwrap()));
        assert!(causes.contains(f["cause"].as_str().unwrap()));
        assert!(["goroutines", "bytes"].contains(&f["unit"].as_str().unwrap()));
        for k in [
            "first",
            "last",
            "delta",
            "line",
            "grew_intervals",
            "intervals",
        ] {
            assert!(
                f[k].is_u64() || f[k].is_i64(),
                "{k} not an integer: {}",
                f[k]
            );
        }
        assert!(f["rate_per_hour"].is_number());
        assert!(f["confidence"].is_f64());
        assert!(f["proof"].is_boolean());
        assert!(f["evidence"].is_array() && f["labels"].is_array() && f["stack"].is_array());
        assert_series(&f["series"], true);
    }
    let g = &findings[0];
    assert_eq!(g["kind"], "goroutine");
    assert_eq!(g["cause"], "chan-send");
    assert_eq!(g["unit"], "goroutines");
    assert_eq!(g["first"], 3);
    assert_eq!(g["last"], 1203);
    assert_eq!(g["delta"], 1200);
    assert_eq!(g["retained_bytes"], 4_915_200);
    assert_eq!(g["longest_wait_minutes"], 12);
    assert_eq!(g["wait_reason"], "chan send");
    assert_eq!(g["shape"], "growing");
    assert_eq!(g["series"]["values"], serde_json::json!([3, 1203]));
    let h = &findings[1];
    assert_eq!(h["kind"], "heap");
    assert_eq!(h["severity"], "suspect");
    assert_eq!(h["unit"], "bytes");
    assert_eq!(h["delta"], 1_048_576);
    assert_eq!(h["created_by"], Value::Null);
    assert_eq!(h["retained_bytes"], Value::Null);
}

#[test]
fn snapshots_and_skipped_are_exactly_the_inventory() {
    let ar = archive(EVIL);
    let an = analysis(EVIL);
    let (_, v) = render_json(&ar, &an);
    let inv: Value = serde_json::from_slice(&Inventory::new(&ar).to_json()).unwrap();
    assert_eq!(v["snapshots"], inv["snapshots"]);
    assert_eq!(v["skipped"], inv["skipped"]);
    assert_eq!(v["snapshots"].as_array().unwrap().len(), 4);
    assert_eq!(v["snapshots"][2]["goroutines"], 1212);
    assert_eq!(v["snapshots"][2]["leaked_goroutines"], 1203);
    assert_eq!(v["snapshots"][3]["inuse_bytes"], 2_097_152);
    // Untrusted text survives JSON escaping intact.
    assert_eq!(v["skipped"][0]["path"], format!("{EVIL}.bin"));
    assert_eq!(v["findings"][0]["function"], EVIL);
}

#[test]
fn rendering_is_deterministic() {
    let ar = archive(EVIL);
    let an = analysis(EVIL);
    let (a, _) = render_json(&ar, &an);
    let (b, _) = render_json(&ar, &an);
    assert_eq!(a, b);
    assert_eq!(a.last(), Some(&b'\n'));
    // A second, separately built but equal input gives the same bytes.
    let (c, _) = render_json(&archive(EVIL), &analysis(EVIL));
    assert_eq!(a, c);
}

#[test]
fn every_key_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json-schema.md"))
        .expect("docs/json-schema.md");
    let (_, v) = render_json(&archive("main.f"), &analysis("main.f"));
    let mut missing = Vec::new();
    fn walk(v: &Value, doc: &str, missing: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if !doc.contains(&format!("`{k}`")) {
                        missing.push(k.clone());
                    }
                    walk(x, doc, missing);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, doc, missing)),
            _ => {}
        }
    }
    walk(&v, &doc, &mut missing);
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "undocumented keys: {missing:?}");
}

#[test]
fn markdown_escapes_untrusted_text_end_to_end() {
    let ar = archive(EVIL);
    let an = analysis(EVIL);
    let meta = meta();
    let input = ReportInput {
        archive: &ar,
        analysis: &an,
        meta: &meta,
        extras: None,
    };
    let md = String::from_utf8(MarkdownExporter.render(&input).unwrap()).unwrap();
    // Render as GitHub would (GFM tables) and look for anything active.
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(
            &md,
            pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH,
        ),
    );
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<img"), "{html}");
    assert!(!lower.contains("<a "), "{html}");
    assert!(!lower.contains("javascript:alert(1)\""), "{html}");
    // Overview, goroutine groups and heap sites; the goroutine table keeps
    // its nine cells despite the pipe in the name.
    assert_eq!(html.matches("<table>").count(), 3, "{html}");
    assert_eq!(html.matches("<td").count(), 7 + 9 + 9, "{html}");
    // The name is still readable, inside a code span.
    assert!(
        html.contains("<code>main.(*S).Run\\n&lt;img src=x onerror=alert(1)&gt;[x](javascript:alert(1))|`b`</code>"),
        "{html}"
    );
    // Nothing outside code spans or escapes starts a new block.
    assert!(!md.contains("\n<img"), "{md}");

    let plain = plain_summary(&input);
    assert!(
        plain.starts_with("leakscope: LEAK: 1 goroutine leak at main.(*S).Run\\n<img"),
        "{plain}"
    );
    assert!(!plain.contains("Run\n<img"), "{plain}");
    assert!(plain.contains("4 snapshot(s) (heap 2, goroutine 2, goroutineleak 0, memstats 0) over 1h 00m; 1 file(s) skipped; 2 finding(s)"), "{plain}");
}
