//! The per-process overview: one row per process, the worst first, with
//! small multiples of its goroutine and in-use heap timelines (restarts
//! marked). Shown before the findings when an archive holds more than one
//! process, and as the whole page of `leakscope merge` (the fleet).

use super::chart::{self, Line, TimeAxis};
use crate::analysis::{ProcessInfo, Verdict};
use crate::model::time::rfc3339;
use crate::units::{self, Quantity};
use serde::Serialize;

/// Processes drawn as small multiples; the rest are listed in a table.
pub const MAX_CHARTS: usize = 24;

/// One process in the overview.
#[derive(Clone, Debug, Serialize)]
pub struct OverviewRow {
    /// 1-based rank by severity.
    pub rank: usize,
    /// Process name (`pod-b`).
    pub name: String,
    /// The archive it came from (fleet pages), else empty.
    pub source: String,
    /// `Leak`, `Suspect`, `Clean`, `Inconclusive`.
    pub verdict_word: &'static str,
    /// CSS class of the verdict.
    pub verdict_class: &'static str,
    /// Its headline.
    pub headline: String,
    /// Snapshots.
    pub snapshots: usize,
    /// Restarts.
    pub restarts: usize,
    /// Findings (leaks and suspects).
    pub findings: usize,
    /// `first → last`, or empty.
    pub span: String,
    /// What told it apart (`dir`, `name`, …).
    pub signal: String,
    /// Goroutines chart (markup, escaped at construction); empty when not drawn.
    pub goroutines_svg: String,
    /// In-use heap chart (markup); empty when not drawn.
    pub heap_svg: String,
}

/// The words and CSS class of a verdict.
pub fn verdict_words(v: Option<Verdict>) -> (&'static str, &'static str) {
    match v {
        Some(Verdict::Leak) => ("Leak", "leak"),
        Some(Verdict::Suspect) => ("Suspect", "suspect"),
        Some(Verdict::Clean) => ("Clean", "clean"),
        Some(Verdict::Inconclusive) | None => ("Inconclusive", "inconclusive"),
    }
}

/// The overview rows of some processes, already in severity order;
/// `source` names the archive of each (empty inside one report). Only the
/// first [`MAX_CHARTS`] get charts.
pub fn rows<'a>(
    processes: impl IntoIterator<Item = (&'a str, &'a ProcessInfo)>,
    axis: TimeAxis,
) -> Vec<OverviewRow> {
    processes
        .into_iter()
        .enumerate()
        .map(|(i, (source, p))| {
            let (verdict_word, verdict_class) = verdict_words(p.verdict);
            let draw = i < MAX_CHARTS;
            let chart = |title: &str, unit, name, color, series| {
                if !draw {
                    return String::new();
                }
                chart::line_chart_marked(
                    &format!("{title}: {}", p.name),
                    unit,
                    axis,
                    &[Line {
                        name,
                        color,
                        series,
                    }],
                    &p.restart_times,
                )
                .unwrap_or_default()
            };
            OverviewRow {
                rank: i + 1,
                name: p.name.clone(),
                source: source.to_string(),
                verdict_word,
                verdict_class,
                headline: p.headline.clone(),
                snapshots: p.snapshots,
                restarts: p.restarts,
                findings: p.findings,
                span: match (p.first, p.last) {
                    (Some(a), Some(b)) if axis == TimeAxis::Clock => format!(
                        "{} → {} ({})",
                        rfc3339(a),
                        rfc3339(b),
                        units::duration(b.saturating_sub(a))
                    ),
                    _ => String::new(),
                },
                signal: p.signal.clone(),
                goroutines_svg: chart(
                    "Goroutines",
                    Quantity::Count,
                    "goroutines",
                    "#16a085",
                    &p.goroutines,
                ),
                heap_svg: chart(
                    "In-use heap",
                    Quantity::Bytes,
                    "in-use heap",
                    "#c0392b",
                    &p.heap_inuse,
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Series;

    #[test]
    fn rows_draw_restarts_and_stop_drawing_after_the_limit() {
        let t0 = 1_795_000_000_000_000_000i64;
        let s = 1_000_000_000i64;
        let p = ProcessInfo {
            name: "pod-<b>".into(),
            verdict: Some(Verdict::Leak),
            restarts: 1,
            restart_times: vec![t0 + 3 * s],
            goroutines: Series {
                times: (0..6).map(|i| t0 + i * s).collect(),
                values: vec![7.0, 13.0, 19.0, 7.0, 13.0, 19.0],
            },
            ..ProcessInfo::default()
        };
        let many: Vec<(&str, &ProcessInfo)> = (0..MAX_CHARTS + 1).map(|_| ("", &p)).collect();
        let rows = rows(many, TimeAxis::Clock);
        assert!(rows[0].goroutines_svg.contains("class=\"restart\""));
        assert!(rows[0].goroutines_svg.contains("pod-&lt;b&gt;"));
        assert!(rows[0].heap_svg.is_empty(), "no heap points, no chart");
        assert!(rows[MAX_CHARTS].goroutines_svg.is_empty());
        assert_eq!(rows[MAX_CHARTS].rank, MAX_CHARTS + 1);
    }
}
