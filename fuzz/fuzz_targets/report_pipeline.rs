//! One file through the whole report: ingest, analysis, and the JSON,
//! Markdown and HTML exporters. The same snapshot is added three times (at
//! three moments) so the analysis has a series to work on.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use leakscope::analysis;
use leakscope::model::{Archive, TimeSource};
use leakscope::render::{Exporter, Meta, ReportInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = common::limits();
    let Ok(parsed) = leakscope::ingest::parse_file_bytes("dump", data, &limits) else {
        return;
    };
    common::check_parsed(&parsed, &limits);
    let mut archive = Archive::default();
    archive.add(parsed);
    let first = archive.snapshots[0].clone();
    archive.snapshots.clear();
    for i in 0..3i64 {
        let mut copy = first.clone();
        copy.path = format!("dump-{i}");
        copy.time = Some(1_700_000_000_000_000_000 + i * 60_000_000_000);
        copy.time_source = TimeSource::FileName;
        copy.moment = i as usize;
        archive.snapshots.push(copy);
    }
    let result = analysis::analyze(&archive, &analysis::Options::default());
    let meta = Meta {
        input_name: "fuzz".into(),
        tool_version: "0".into(),
    };
    let input = ReportInput {
        archive: &archive,
        analysis: &result,
        meta: &meta,
    };
    let json = leakscope::render::json::JsonExporter
        .render(&input)
        .expect("JSON renders");
    let _: serde_json::Value = serde_json::from_slice(&json).expect("JSON parses");
    leakscope::render::markdown::MarkdownExporter
        .render(&input)
        .expect("Markdown renders");
    leakscope::render::html::HtmlExporter {
        templates: Vec::new(),
    }
    .render(&input)
    .expect("HTML renders");
});
