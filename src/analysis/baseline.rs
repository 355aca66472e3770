//! `--baseline BEFORE`: compares the findings of two runs (the soak test
//! before a fix and after it) and says whether the fix worked.
//!
//! Findings are matched by what leaks, never by where the file sits or by
//! rank: the key is (kind, cause, culprit function). File paths differ
//! between a `-trimpath` build and a plain one, and a fix moves lines (the
//! `go` statement of a goroutine moves when code is added above it), while
//! the function and the reason it blocks stay. Two findings with the same
//! key in one run (different stacks) are paired in rank order.
//!
//! Rates are compared per hour of real time (per snapshot when either run has
//! no real times), with a tolerance: snapshot times from file names have a
//! resolution of one second, so two runs of the same leak never give exactly
//! the same slope.

use super::types::{Analysis, Cause, Finding, FindingKind, Series, Severity, Verdict};
use serde::Serialize;

/// Ratio of the after rate to the before rate within which a leak counts as
/// `unchanged` (1/1.25 … 1.25).
pub const RATE_TOLERANCE: f64 = 1.25;

/// What became of one finding between the two runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// In the baseline, gone after.
    Fixed,
    /// In both, at a clearly different rate (see `worse`).
    StillLeaking,
    /// Only after.
    New,
    /// In both, at about the same rate.
    Unchanged,
}

impl Status {
    /// Words for tables (`still leaking`).
    pub fn words(self) -> &'static str {
        match self {
            Status::Fixed => "fixed",
            Status::StillLeaking => "still leaking",
            Status::New => "new",
            Status::Unchanged => "unchanged",
        }
    }
}

/// The overall answer of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every baseline finding is gone and nothing new appeared.
    FixWorked,
    /// Something of the baseline still leaks (slower, faster or the same
    /// with other findings fixed), nothing new.
    StillLeaking,
    /// Every baseline finding leaks as before; nothing fixed, nothing new.
    Unchanged,
    /// New findings, none of the baseline fixed (or a clean baseline).
    NewLeak,
    /// Baseline findings fixed, and new ones appeared.
    OldFixedNewLeak,
    /// No finding in either run.
    Clean,
}

impl Outcome {
    /// Short words (`fix worked`, `old leak fixed, new leak`).
    pub fn words(self) -> &'static str {
        match self {
            Outcome::FixWorked => "fix worked",
            Outcome::StillLeaking => "still leaking",
            Outcome::Unchanged => "unchanged",
            Outcome::NewLeak => "new leak",
            Outcome::OldFixedNewLeak => "old leak fixed, new leak",
            Outcome::Clean => "clean",
        }
    }
}

/// One finding of either run and its status.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// Fixed, still leaking, new or unchanged.
    pub status: Status,
    /// Goroutine or heap.
    pub kind: FindingKind,
    /// Cause.
    pub cause: Cause,
    /// Culprit function (the matching key with kind and cause).
    pub function: String,
    /// Rank in the baseline run.
    pub rank_before: Option<usize>,
    /// Rank in the current run.
    pub rank_after: Option<usize>,
    /// Severity in the current run (`None` when fixed).
    pub severity_after: Option<Severity>,
    /// Growth per hour before (per snapshot when `per_snapshot`); 0 when new.
    pub rate_before: f64,
    /// Growth per hour after; 0 when fixed.
    pub rate_after: f64,
    /// after / before, when both are known and the before rate is positive.
    pub rate_ratio: Option<f64>,
    /// Worse than the baseline: new, grows clearly faster, or became a leak
    /// from a suspect. What `--fail-on regression` fails on.
    pub regression: bool,
    /// The baseline's series (empty when new).
    pub series_before: Series,
    /// The current series (empty when fixed).
    pub series_after: Series,
    /// The sentence of the current finding (of the baseline when fixed).
    pub sentence: String,
}

/// The comparison of a run with its baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The overall answer.
    pub outcome: Outcome,
    /// One sentence saying whether the fix worked.
    pub headline: String,
    /// Verdict of the baseline run.
    pub verdict_before: Verdict,
    /// Verdict of the current run.
    pub verdict_after: Verdict,
    /// Rates are per snapshot, not per hour (a run without real times).
    pub per_snapshot: bool,
    /// Baseline findings first (in baseline rank order), then new ones (in
    /// current rank order).
    pub entries: Vec<Entry>,
}

impl Comparison {
    /// Something is new or worse than the baseline.
    pub fn has_regression(&self) -> bool {
        self.entries.iter().any(|e| e.regression)
    }

    /// How many entries have this status.
    pub fn count(&self, status: Status) -> usize {
        self.entries.iter().filter(|e| e.status == status).count()
    }
}

fn key(f: &Finding) -> (FindingKind, Cause, &str) {
    (f.kind, f.cause, f.function.as_str())
}

/// Growth per hour, or per snapshot interval when `per_snapshot`.
fn rate(f: &Finding, per_snapshot: bool) -> f64 {
    if per_snapshot {
        if f.stats.intervals == 0 {
            0.0
        } else {
            f.delta / f.stats.intervals as f64
        }
    } else {
        f.rate_per_hour
    }
}

/// Compares `after` (this run) with `before` (the baseline).
pub fn compare(before: &Analysis, after: &Analysis) -> Comparison {
    let per_snapshot = before.synthetic_times || after.synthetic_times;
    let mut used = vec![false; after.findings.len()];
    let mut entries = Vec::new();
    for b in &before.findings {
        let m = after
            .findings
            .iter()
            .enumerate()
            .find(|(i, a)| !used[*i] && key(a) == key(b))
            .map(|(i, a)| {
                used[i] = true;
                a
            });
        let rate_before = rate(b, per_snapshot);
        let e = match m {
            None => Entry {
                status: Status::Fixed,
                kind: b.kind,
                cause: b.cause,
                function: b.function.clone(),
                rank_before: Some(b.rank),
                rank_after: None,
                severity_after: None,
                rate_before,
                rate_after: 0.0,
                rate_ratio: (rate_before > 0.0).then_some(0.0),
                regression: false,
                series_before: b.series.clone(),
                series_after: Series::default(),
                sentence: b.sentence.clone(),
            },
            Some(a) => {
                let rate_after = rate(a, per_snapshot);
                let ratio = (rate_before > 0.0).then(|| rate_after / rate_before);
                let same = ratio
                    .is_some_and(|r| (1.0 / RATE_TOLERANCE..=RATE_TOLERANCE).contains(&r))
                    || (rate_before <= 0.0 && rate_after <= 0.0);
                let faster = match ratio {
                    Some(r) => r > RATE_TOLERANCE,
                    None => rate_after > 0.0,
                };
                Entry {
                    status: if same {
                        Status::Unchanged
                    } else {
                        Status::StillLeaking
                    },
                    kind: a.kind,
                    cause: a.cause,
                    function: a.function.clone(),
                    rank_before: Some(b.rank),
                    rank_after: Some(a.rank),
                    severity_after: Some(a.severity),
                    rate_before,
                    rate_after,
                    rate_ratio: ratio,
                    regression: faster || a.severity > b.severity,
                    series_before: b.series.clone(),
                    series_after: a.series.clone(),
                    sentence: a.sentence.clone(),
                }
            }
        };
        entries.push(e);
    }
    for (a, _) in after.findings.iter().zip(&used).filter(|(_, u)| !**u) {
        entries.push(Entry {
            status: Status::New,
            kind: a.kind,
            cause: a.cause,
            function: a.function.clone(),
            rank_before: None,
            rank_after: Some(a.rank),
            severity_after: Some(a.severity),
            rate_before: 0.0,
            rate_after: rate(a, per_snapshot),
            rate_ratio: None,
            regression: true,
            series_before: Series::default(),
            series_after: a.series.clone(),
            sentence: a.sentence.clone(),
        });
    }
    let mut c = Comparison {
        outcome: Outcome::Clean,
        headline: String::new(),
        verdict_before: before.verdict,
        verdict_after: after.verdict,
        per_snapshot,
        entries,
    };
    c.outcome = outcome(&c);
    c.headline = headline(&c);
    c
}

fn outcome(c: &Comparison) -> Outcome {
    let (fixed, still, new, same) = (
        c.count(Status::Fixed),
        c.count(Status::StillLeaking),
        c.count(Status::New),
        c.count(Status::Unchanged),
    );
    if new > 0 {
        if fixed > 0 {
            Outcome::OldFixedNewLeak
        } else {
            Outcome::NewLeak
        }
    } else if still > 0 || (same > 0 && fixed > 0) {
        Outcome::StillLeaking
    } else if same > 0 {
        Outcome::Unchanged
    } else if fixed > 0 {
        Outcome::FixWorked
    } else {
        Outcome::Clean
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn headline(c: &Comparison) -> String {
    let fixed = c.count(Status::Fixed);
    let new = c.count(Status::New);
    let left = c.count(Status::StillLeaking) + c.count(Status::Unchanged);
    let slower = c
        .entries
        .iter()
        .filter(|e| e.status == Status::StillLeaking && !e.regression)
        .count();
    match c.outcome {
        Outcome::FixWorked => format!(
            "The fix worked: {} of the baseline {} gone and nothing new leaks.",
            plural(fixed, "finding", "findings"),
            if fixed == 1 { "is" } else { "are" }
        ),
        Outcome::StillLeaking if slower == left && fixed == 0 => format!(
            "Still leaking: {} of the baseline {} slower, but not gone.",
            plural(left, "finding", "findings"),
            if left == 1 { "grows" } else { "grow" }
        ),
        Outcome::StillLeaking => format!(
            "Still leaking: {} fixed, {} of the baseline still {}.",
            fixed,
            plural(left, "finding", "findings"),
            if left == 1 { "grows" } else { "grow" }
        ),
        Outcome::Unchanged => format!(
            "Unchanged: {} of the baseline {} at the same rate.",
            plural(left, "finding", "findings"),
            if left == 1 { "grows" } else { "grow" }
        ),
        Outcome::NewLeak => format!(
            "New leak: {} that the baseline did not have.",
            plural(new, "finding", "findings")
        ),
        Outcome::OldFixedNewLeak => format!(
            "The old leak is fixed ({} gone), but a new one appeared ({} new).",
            fixed, new
        ),
        Outcome::Clean => "No finding in either run.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::types::{GrowthStats, Options, Place, Shape};

    fn finding(function: &str, cause: Cause, rate: f64, rank: usize) -> Finding {
        let stats = GrowthStats {
            first: 8.0,
            last: 8.0 + rate / 3600.0 * 9.0,
            delta: rate / 3600.0 * 9.0,
            max: 80.0,
            grew_intervals: 9,
            intervals: 9,
            slope_per_hour: rate,
            mk_s: 45,
            mk_p: 0.0001,
            last_third_grows: true,
            shape: Shape::Growing,
        };
        let mut f = Finding::new(
            FindingKind::Goroutine,
            cause,
            Place {
                function: function.into(),
                file: format!("/build/{rank}/x.go"),
                line: rank as u32,
            },
            (Severity::Leak, 0.9),
            Series::default(),
            stats,
        );
        f.rank = rank;
        f
    }

    fn analysis(findings: Vec<Finding>) -> Analysis {
        let mut a = crate::analysis::empty(&Options::default(), String::new());
        a.verdict = if findings.is_empty() {
            Verdict::Clean
        } else {
            Verdict::Leak
        };
        a.findings = findings;
        a
    }

    const STREAM: &str = "example.com/acme/orders/internal/store.(*Store).streamItems";
    const POLL: &str = "example.com/acme/orders/internal/notify.(*Notifier).poll";

    #[test]
    fn gone_is_fixed_and_the_fix_worked() {
        let c = compare(
            &analysis(vec![finding(STREAM, Cause::ChanSend, 28800.0, 1)]),
            &analysis(vec![]),
        );
        assert_eq!(c.outcome, Outcome::FixWorked);
        assert_eq!(c.entries[0].status, Status::Fixed);
        assert!(!c.has_regression());
    }

    #[test]
    fn half_the_rate_is_still_leaking_with_both_rates() {
        let c = compare(
            &analysis(vec![finding(STREAM, Cause::ChanSend, 28800.0, 1)]),
            &analysis(vec![finding(STREAM, Cause::ChanSend, 14400.0, 1)]),
        );
        assert_eq!(c.outcome, Outcome::StillLeaking);
        let e = &c.entries[0];
        assert_eq!(e.status, Status::StillLeaking);
        assert_eq!((e.rate_before, e.rate_after), (28800.0, 14400.0));
        assert_eq!(e.rate_ratio, Some(0.5));
        assert!(!c.has_regression(), "slower is not a regression");
        assert!(c.headline.starts_with("Still leaking"), "{}", c.headline);
    }

    #[test]
    fn same_rate_other_function_is_fixed_plus_new_not_unchanged() {
        let c = compare(
            &analysis(vec![finding(STREAM, Cause::ChanSend, 28800.0, 1)]),
            &analysis(vec![finding(POLL, Cause::Select, 28800.0, 1)]),
        );
        let s: Vec<_> = c.entries.iter().map(|e| e.status).collect();
        assert_eq!(s, [Status::Fixed, Status::New]);
        assert_eq!(c.outcome, Outcome::OldFixedNewLeak);
        assert!(c.has_regression());
    }

    #[test]
    fn matching_ignores_file_line_and_rank_and_tolerates_rate_noise() {
        let mut after = finding(STREAM, Cause::ChanSend, 28800.0 * 1.1, 3);
        after.file = "example.com/acme/orders/internal/store/store.go".into();
        let c = compare(
            &analysis(vec![finding(STREAM, Cause::ChanSend, 28800.0, 1)]),
            &analysis(vec![finding(POLL, Cause::Select, 10.0, 1), after]),
        );
        assert_eq!(c.entries[0].status, Status::Unchanged);
        assert_eq!(c.entries[0].rank_after, Some(3));
        assert_eq!(c.entries[1].status, Status::New);
    }

    #[test]
    fn faster_is_a_regression() {
        let c = compare(
            &analysis(vec![finding(STREAM, Cause::ChanSend, 100.0, 1)]),
            &analysis(vec![finding(STREAM, Cause::ChanSend, 300.0, 1)]),
        );
        assert_eq!(c.entries[0].status, Status::StillLeaking);
        assert!(c.has_regression());
    }

    #[test]
    fn a_clean_baseline_makes_everything_new() {
        let c = compare(
            &analysis(vec![]),
            &analysis(vec![finding(POLL, Cause::Select, 28800.0, 1)]),
        );
        assert_eq!(c.outcome, Outcome::NewLeak);
        assert_eq!(
            compare(&analysis(vec![]), &analysis(vec![])).outcome,
            Outcome::Clean
        );
    }
}
