//! The overall verdict and its one-line headline.

use super::findings::headline_of;
use super::{Finding, KindCounts, Severity, Verdict};

/// Leak if any finding is a leak; suspect if any is a suspect; inconclusive
/// when no kind has `min_snapshots` points (and nothing was proven); else
/// clean.
pub fn verdict(findings: &[Finding], points: usize, min_snapshots: usize) -> Verdict {
    if findings.iter().any(|f| f.severity == Severity::Leak) {
        return Verdict::Leak;
    }
    if findings.iter().any(|f| f.severity == Severity::Suspect) {
        return Verdict::Suspect;
    }
    if points < min_snapshots {
        return Verdict::Inconclusive;
    }
    Verdict::Clean
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The headline for a verdict.
pub fn headline(
    verdict: Verdict,
    findings: &[Finding],
    counts: &KindCounts,
    points: usize,
    min_snapshots: usize,
    synthetic: bool,
) -> String {
    match verdict {
        Verdict::Leak | Verdict::Suspect => findings
            .first()
            .map(|f| headline_of(f, synthetic))
            .unwrap_or_else(|| format!("{verdict:?}")),
        Verdict::Clean => format!(
            "Clean: no goroutine group or allocation site grows beyond the thresholds across {}",
            plural(points, "snapshot", "snapshots")
        ),
        Verdict::Inconclusive => format!(
            "Inconclusive: {}, {} and {}; at least {min_snapshots} of a kind are needed to see growth",
            plural(counts.heap, "heap profile", "heap profiles"),
            plural(counts.goroutine, "goroutine dump", "goroutine dumps"),
            plural(counts.memstats, "MemStats snapshot", "MemStats snapshots"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inconclusive_and_clean() {
        let c = KindCounts {
            heap: 1,
            goroutine: 2,
            goroutineleak: 0,
            memstats: 0,
        };
        assert_eq!(verdict(&[], 2, 3), Verdict::Inconclusive);
        assert_eq!(verdict(&[], 3, 3), Verdict::Clean);
        assert_eq!(
            headline(Verdict::Inconclusive, &[], &c, 2, 3, false),
            "Inconclusive: 1 heap profile, 2 goroutine dumps and 0 MemStats snapshots; at least 3 of a kind are needed to see growth"
        );
        assert_eq!(
            headline(Verdict::Clean, &[], &c, 12, 3, false),
            "Clean: no goroutine group or allocation site grows beyond the thresholds across 12 snapshots"
        );
    }
}
