//! The overall verdict and its one-line headline.

use super::cause::cause_phrase;
use super::types::{Finding, FindingKind, KindCounts, Severity, Verdict};
use super::words::{RateUnit, count, rate_in, short_file, signed_bytes, signed_count};

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

/// The short culprit text of a finding for the headline: `main.produce`.
pub fn headline_of(f: &Finding, synthetic: bool) -> String {
    let level = match f.severity {
        Severity::Leak => "Leak",
        Severity::Suspect => "Suspect",
    };
    let span = match (f.series.times.first(), f.series.times.last()) {
        (Some(a), Some(b)) => (b - a) as f64 / 3.6e12,
        _ => 0.0,
    };
    let unit = RateUnit::for_span(span, synthetic);
    let rate = rate_in(unit, f.rate_per_hour, span, f.stats.intervals);
    match f.kind {
        FindingKind::Goroutine => {
            let what = format!(
                "goroutines {} in {}",
                cause_phrase(
                    f.cause,
                    f.evidence.iter().any(|e| e.contains("not visible"))
                ),
                f.function
            );
            if f.stats.intervals > 0 && f.delta > 0.0 && rate > 0.0 {
                format!(
                    "{level}: {what} grow by {} {}",
                    signed_count(rate),
                    unit.words()
                )
            } else if f.proof {
                format!("{level}: {} {what}, proven leaked", count(f.last))
            } else {
                format!("{level}: {what}")
            }
        }
        FindingKind::Heap => format!(
            "{level}: heap held by {} ({}) grows by {} {}",
            f.function,
            short_file(&f.file),
            signed_bytes(rate),
            unit.words()
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
