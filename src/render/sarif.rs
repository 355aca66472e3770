//! `--sarif PATH`: SARIF 2.1.0 for code scanning (GitHub, GitLab), so a
//! pull request shows the leak at the line that leaks.
//!
//! One result per finding: `ruleId` is the cause (`chan-send`, `select`,
//! `heap-growth`, …), `level` is `error` for a leak and `warning` for a
//! suspect, the message is the finding's sentence, and the location is the
//! culprit's file and line. With `--source` the file is the path inside the
//! checkout (`internal/store/store.go`, relative to `%SRCROOT%`), which is
//! what code scanning needs to annotate the line; without it the frame's
//! file as the build recorded it (the module-path form of a `-trimpath`
//! build, or the absolute build path as a `file://` URI). The culprit
//! function is also given as a logical location, and a `partialFingerprints`
//! entry made of kind, cause and function keeps a finding the same result
//! across runs even when its line moves.

use super::source::{FindingSource, encode};
use super::{RenderError, ReportInput, remedy};
use crate::analysis::{Cause, Finding, FindingKind, Severity};
use serde_json::{Value, json};

/// Where the SARIF 2.1.0 schema lives (the `$schema` of the output).
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders the SARIF log of a report.
pub fn render(input: &ReportInput<'_>) -> Result<Vec<u8>, RenderError> {
    let findings = &input.analysis.findings;
    let sources = input
        .extras
        .and_then(|e| e.source.as_ref())
        .map(|s| s.findings.as_slice())
        .unwrap_or(&[]);
    let mut causes: Vec<Cause> = Vec::new();
    for f in findings {
        if !causes.contains(&f.cause) {
            causes.push(f.cause);
        }
    }
    let rules: Vec<Value> = causes.iter().map(|&c| rule(c)).collect();
    let results: Vec<Value> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let rule_index = causes.iter().position(|&c| c == f.cause).unwrap_or(0);
            result(f, rule_index, sources.get(i))
        })
        .collect();
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "leakscope",
                    "semanticVersion": input.meta.tool_version,
                    "rules": rules,
                }
            },
            "automationDetails": { "id": "leakscope/" },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut out = serde_json::to_vec_pretty(&doc)
        .map_err(|e| RenderError(format!("cannot serialise the SARIF log: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

fn rule(cause: Cause) -> Value {
    let short = match cause {
        Cause::HeapGrowth => "Heap memory keeps growing at an allocation site".to_string(),
        c => format!("Goroutines blocked ({}) keep piling up", c.name()),
    };
    json!({
        "id": cause.name(),
        "name": rule_name(cause),
        "shortDescription": { "text": short },
        "fullDescription": { "text": remedy::gist(cause) },
        "help": { "text": remedy::gist(cause) },
        "defaultConfiguration": { "level": "error" },
    })
}

/// `chan-send` → `ChanSend` (SARIF rule names are identifiers).
fn rule_name(cause: Cause) -> String {
    cause
        .name()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The artifact location of a culprit: the checkout path when mapped, else
/// the frame file (absolute paths as `file://` URIs).
fn artifact(f: &Finding, src: Option<&FindingSource>) -> Option<Value> {
    if let Some(p) = src.and_then(|s| s.culprit.repo_path.as_deref()) {
        return Some(json!({ "uri": encode(p, true), "uriBaseId": "%SRCROOT%" }));
    }
    let file = f.file.replace('\\', "/");
    if file.is_empty() {
        return None;
    }
    if let Some(rest) = file.strip_prefix('/') {
        return Some(json!({ "uri": format!("file:///{}", encode(rest, true)) }));
    }
    if file.as_bytes().get(1) == Some(&b':') {
        // C:/build/… (a Windows build).
        return Some(
            json!({ "uri": format!("file:///{}", encode(&file, true).replacen("%3A", ":", 1)) }),
        );
    }
    Some(json!({ "uri": encode(&file, true) }))
}

fn result(f: &Finding, rule_index: usize, src: Option<&FindingSource>) -> Value {
    let mut physical = serde_json::Map::new();
    if let Some(a) = artifact(f, src) {
        physical.insert("artifactLocation".into(), a);
        if f.line > 0 {
            physical.insert("region".into(), json!({ "startLine": f.line }));
        }
    }
    let mut location = serde_json::Map::new();
    if !physical.is_empty() {
        location.insert("physicalLocation".into(), Value::Object(physical));
    }
    location.insert(
        "logicalLocations".into(),
        json!([{ "fullyQualifiedName": f.function, "kind": "function" }]),
    );
    let level = match f.severity {
        Severity::Leak => "error",
        Severity::Suspect => "warning",
    };
    let kind = match f.kind {
        FindingKind::Goroutine => "goroutine",
        FindingKind::Heap => "heap",
    };
    json!({
        "ruleId": f.cause.name(),
        "ruleIndex": rule_index,
        "level": level,
        "message": { "text": crate::text::visible(&f.sentence) },
        "locations": [Value::Object(location)],
        "partialFingerprints": {
            "leakscopeFinding/v1": fingerprint(&format!("{kind}\u{0}{}\u{0}{}", f.cause.name(), f.function)),
        },
        "properties": {
            "rank": f.rank,
            "kind": kind,
            "proof": f.proof,
            "confidence": (f.confidence * 100.0).round() / 100.0,
        },
    })
}

/// FNV-1a 64 of the finding's key, as hex: stable across runs and versions.
fn fingerprint(key: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(rule_name(Cause::ChanSend), "ChanSend");
        assert_eq!(rule_name(Cause::HeapGrowth), "HeapGrowth");
        assert_eq!(fingerprint("a"), fingerprint("a"));
        assert_ne!(fingerprint("a"), fingerprint("b"));
    }
}
