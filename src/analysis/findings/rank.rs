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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::types::{Cause, GrowthStats, Place, Series, Severity, Shape};

    fn finding(kind: FindingKind, sev: Severity, delta: f64, name: &str) -> Finding {
        let stats = GrowthStats {
            first: 0.0,
            last: delta,
            delta,
            max: delta,
            grew_intervals: 1,
            intervals: 1,
            slope_per_hour: delta,
            mk_s: 1,
            mk_p: 0.5,
            last_third_grows: false,
            shape: Shape::Growing,
        };
        let place = Place {
            function: name.into(),
            ..Place::default()
        };
        Finding::new(
            kind,
            Cause::Other,
            place,
            (sev, 1.0),
            Series::default(),
            stats,
        )
    }

    #[test]
    fn leaks_first_then_impact_with_goroutines_weighed_in_bytes() {
        let ranked = rank(vec![
            finding(FindingKind::Heap, Severity::Suspect, 1e9, "a"),
            finding(FindingKind::Heap, Severity::Leak, 100_000.0, "b"),
            // 20 goroutines ≈ 160 KiB: more than 100 kB of heap.
            finding(FindingKind::Goroutine, Severity::Leak, 20.0, "c"),
        ]);
        let names: Vec<(&str, usize)> = ranked
            .iter()
            .map(|f| (f.function.as_str(), f.rank))
            .collect();
        assert_eq!(names, vec![("c", 1), ("b", 2), ("a", 3)]);
    }
}
