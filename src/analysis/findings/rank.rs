//! Phase 9: ranking by impact × confidence, leaks before suspects.

use crate::analysis::types::{Finding, FindingKind};

/// Rough memory per leaked goroutine (stack and descriptor), used only to
/// rank goroutine findings against heap findings.
const BYTES_PER_GOROUTINE: f64 = 8192.0;

/// The impact of a finding in bytes: heap growth, or goroutines (grown,
/// or all of them when proven) at a rough size plus the heap they retain.
fn impact(f: &Finding) -> f64 {
    match f.kind {
        FindingKind::Heap => f.delta.max(0.0),
        FindingKind::Goroutine => {
            let n_g = f.delta.max(if f.proof { f.last } else { 0.0 });
            n_g * BYTES_PER_GOROUTINE + f.retained_bytes.unwrap_or(0).max(0) as f64
        }
    }
}

/// Sorts the findings (severity, impact × confidence, then kind, function
/// and line for a stable order) and numbers them from 1.
pub(super) fn rank(findings: Vec<Finding>) -> Vec<Finding> {
    let mut scored: Vec<(f64, Finding)> = findings
        .into_iter()
        .map(|f| (impact(&f) * f.confidence, f))
        .collect();
    scored.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then(b.0.total_cmp(&a.0))
            .then(a.1.kind.cmp(&b.1.kind))
            .then(a.1.function.cmp(&b.1.function))
            .then(a.1.line.cmp(&b.1.line))
    });
    scored
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut f))| {
            f.rank = i + 1;
            f
        })
        .collect()
}
