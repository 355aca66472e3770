//! What one snapshot can say (issue 10), for the HTML and Markdown pages:
//! when the goroutine series is too short for statistics, the page leads
//! with the biggest groups by count and share, the longest waits, their
//! causes and culprits, what is missing for a verdict on growth and what to
//! capture next. Pure: from the analysis to a view both exporters read.

use crate::analysis::{Analysis, GroupSnapshot, TrackedSeries, Verdict};
use crate::units;
use serde::Serialize;

/// Rows shown per table.
pub const ROWS: usize = 8;

/// One goroutine group as the last dump shows it (values formatted; text
/// from the dump is raw, each exporter escapes it).
#[derive(Clone, Debug, Serialize)]
pub struct GroupRow {
    /// Culprit function.
    pub function: String,
    /// file:line.
    pub location: String,
    /// Cause vocabulary.
    pub cause: &'static str,
    /// The runtime's wait reason, or `not recorded (debug=1)`.
    pub wait_reason: String,
    /// Goroutines.
    pub count: String,
    /// Share of all goroutines.
    pub share: String,
    /// `min / median / max` minutes, or empty.
    pub wait: String,
    /// The single-dump rule that flagged it, or empty.
    pub rule: String,
}

/// The one-dump section.
#[derive(Clone, Debug, Serialize)]
pub struct OneDump {
    /// Goroutine dumps in the series (fewer than `--min-snapshots`).
    pub dumps: usize,
    /// Goroutines in the last dump.
    pub total: String,
    /// Biggest groups (count and share).
    pub by_count: Vec<GroupRow>,
    /// Longest waits (groups with recorded minutes).
    pub by_wait: Vec<GroupRow>,
    /// What one snapshot cannot show.
    pub missing: String,
    /// What to capture next.
    pub next: String,
}

fn row(t: &TrackedSeries, s: &GroupSnapshot) -> GroupRow {
    let wait = match (
        s.wait_min_minutes,
        s.wait_median_minutes,
        s.wait_max_minutes,
    ) {
        (Some(a), Some(m), Some(b)) => format!("{a} / {m} / {b} min"),
        _ => String::new(),
    };
    GroupRow {
        function: t.function.clone(),
        location: t.location.clone(),
        cause: t.cause.name(),
        wait_reason: s
            .wait_reason
            .clone()
            .unwrap_or_else(|| "not recorded (debug=1)".to_string()),
        count: units::count(s.count),
        share: units::percent(s.share),
        wait,
        rule: s.rule.clone().unwrap_or_default(),
    }
}

/// The one-dump view, when the goroutine series is too short for a verdict
/// on growth and there are groups to show; `None` otherwise.
pub fn build(a: &Analysis) -> Option<OneDump> {
    let dumps = a.counts.goroutine;
    if dumps == 0 || dumps >= a.thresholds.min_snapshots {
        return None;
    }
    let mut groups: Vec<(&TrackedSeries, &GroupSnapshot)> = a
        .goroutine_groups
        .iter()
        .filter_map(|t| t.snapshot.as_ref().map(|s| (t, s)))
        .filter(|(_, s)| s.count > 0.0)
        .collect();
    if groups.is_empty() {
        return None;
    }
    groups.sort_by(|x, y| y.1.count.total_cmp(&x.1.count));
    let by_count = groups.iter().take(ROWS).map(|(t, s)| row(t, s)).collect();
    let mut waited: Vec<_> = groups
        .iter()
        .filter(|(_, s)| s.wait_max_minutes.is_some())
        .collect();
    waited.sort_by_key(|x| std::cmp::Reverse(x.1.wait_max_minutes));
    let by_wait = waited.iter().take(ROWS).map(|(t, s)| row(t, s)).collect();
    let total = a.goroutines_total.values.last().copied().unwrap_or(0.0);
    let needed = a.thresholds.min_snapshots;
    let verdict_words = match a.verdict {
        Verdict::Inconclusive => "No verdict on growth",
        _ => "These findings rest on one snapshot",
    };
    Some(OneDump {
        dumps,
        total: units::count(total),
        by_count,
        by_wait,
        missing: format!(
            "{verdict_words}: {} cannot show whether any group grows (a statistical verdict needs {needed}). \
             What one dump shows is how many goroutines wait on one operation, their share of all goroutines \
             and, in debug=2 dumps, how long they have waited and whether they were started after start-up.",
            if dumps == 1 {
                "one goroutine dump".to_string()
            } else {
                format!("{dumps} goroutine dumps")
            }
        ),
        next: format!(
            "Capture the same dump (goroutine?debug=2) again a few minutes later, and once more after that \
             ({needed} in all), from the same process without a restart: a group that grows is a leak, the same \
             goroutines with longer waits are stuck, fewer means a burst that drains. The capture command of leakscope \
             (leakscope capture URL DIR) takes them on a schedule."
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Cause, GrowthStats, Series, Shape, Thresholds};

    fn stats() -> GrowthStats {
        GrowthStats {
            first: 0.0,
            last: 0.0,
            delta: 0.0,
            max: 0.0,
            grew_intervals: 0,
            intervals: 0,
            slope_per_hour: 0.0,
            mk_s: 0,
            mk_p: 1.0,
            last_third_grows: false,
            shape: Shape::Insufficient,
        }
    }

    fn tracked(function: &str, count: f64, max_wait: Option<u32>) -> TrackedSeries {
        TrackedSeries {
            label: function.into(),
            function: function.into(),
            location: "x.go:1".into(),
            cause: Cause::Mutex,
            series: Series::default(),
            stats: stats(),
            snapshot: Some(GroupSnapshot {
                count,
                share: count / 100.0,
                wait_min_minutes: max_wait,
                wait_median_minutes: max_wait,
                wait_max_minutes: max_wait,
                ..GroupSnapshot::default()
            }),
        }
    }

    fn analysis(dumps: usize) -> Analysis {
        let mut a =
            crate::analysis::analyze(&crate::model::Archive::default(), &Default::default());
        a.counts.goroutine = dumps;
        a.thresholds = Thresholds::default();
        a.verdict = Verdict::Inconclusive;
        a.goroutine_groups = vec![
            tracked("main.small", 3.0, Some(500)),
            tracked("main.big", 90.0, None),
        ];
        a
    }

    #[test]
    fn leads_with_the_biggest_groups_and_the_longest_waits() {
        let v = build(&analysis(1)).expect("one dump");
        assert_eq!(v.by_count[0].function, "main.big");
        assert_eq!(v.by_count[0].share, "90 %");
        assert_eq!(v.by_count[0].wait_reason, "not recorded (debug=1)");
        assert_eq!(v.by_wait.len(), 1);
        assert_eq!(v.by_wait[0].wait, "500 / 500 / 500 min");
        assert!(
            v.missing
                .starts_with("No verdict on growth: one goroutine dump")
        );
        assert!(v.next.contains("a few minutes later"));
        assert!(build(&analysis(3)).is_none());
        assert!(build(&analysis(0)).is_none());
    }
}
