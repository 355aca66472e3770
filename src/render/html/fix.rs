//! Template data for the report's "from finding to fix" parts: the
//! comparison with a baseline run (`--baseline`) and each finding's source
//! lines and links (`--source`, `--source-url`). Built from
//! [`crate::render::Extras`]; absent extras give empty views and the page
//! is unchanged.

use super::chart;
use crate::analysis::baseline::{Comparison, Entry, Status};
use crate::render::Extras;
use crate::render::shared::Per;
use crate::render::source::{FindingSource, FrameSource};
use serde::Serialize;

/// The "Before and after" section.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineView {
    /// `fix-worked`, `still-leaking`, … (CSS class).
    pub outcome: &'static str,
    /// Words for the outcome (`fix worked`).
    pub outcome_words: &'static str,
    /// The headline sentence.
    pub headline: String,
    /// The baseline as the user named it.
    pub before_name: String,
    /// Verdicts before and after.
    pub verdict_before: &'static str,
    /// This run's verdict.
    pub verdict_after: &'static str,
    /// One row per finding of either run.
    pub entries: Vec<BaselineRow>,
}

/// One finding in the comparison, with both runs' timelines.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineRow {
    /// `fixed`, `still leaking`, `new`, `unchanged`.
    pub status: &'static str,
    /// CSS class of the status.
    pub status_class: &'static str,
    /// New or worse than the baseline.
    pub regression: bool,
    /// Culprit function.
    pub function: String,
    /// `goroutine` / `heap`.
    pub kind: &'static str,
    /// Cause name.
    pub cause: &'static str,
    /// Anchor of the finding in this report (empty when fixed).
    pub anchor: String,
    /// Sparkline of the baseline run (markup; empty when new).
    pub spark_before: String,
    /// Sparkline of this run (markup; empty when fixed).
    pub spark_after: String,
    /// `8 → 80 · +28,800/h` or `not found`.
    pub numbers_before: String,
    /// The same for this run.
    pub numbers_after: String,
    /// `×0.5` (after / before), or empty.
    pub ratio: String,
}

fn numbers(e: &Entry, before: bool, per: Per, per_snapshot: bool) -> String {
    let (series, rate) = if before {
        (&e.series_before, e.rate_before)
    } else {
        (&e.series_after, e.rate_after)
    };
    let (Some(first), Some(last)) = (series.values.first(), series.values.last()) else {
        return "no finding".to_string();
    };
    let unit = e.kind.unit().quantity();
    let (r, label) = if per_snapshot {
        (rate, "snapshot")
    } else {
        (per.convert(rate, series), per.label())
    };
    format!(
        "{} → {} · {}/{label}",
        unit.format(*first),
        unit.format(*last),
        unit.signed(r)
    )
}

/// The section for a comparison.
pub fn baseline_view(c: &Comparison, before_name: &str, per: Per) -> BaselineView {
    let entries = c
        .entries
        .iter()
        .map(|e| {
            let unit = e.kind.unit().quantity();
            BaselineRow {
                status: e.status.words(),
                status_class: match e.status {
                    Status::Fixed => "fixed",
                    Status::StillLeaking => "still-leaking",
                    Status::New => "new",
                    Status::Unchanged => "unchanged",
                },
                regression: e.regression,
                function: e.function.clone(),
                kind: e.kind.name(),
                cause: e.cause.name(),
                anchor: e
                    .rank_after
                    .map(|r| format!("finding-{r}"))
                    .unwrap_or_default(),
                spark_before: chart::sparkline(&e.series_before, unit).unwrap_or_default(),
                spark_after: chart::sparkline(&e.series_after, unit).unwrap_or_default(),
                numbers_before: numbers(e, true, per, c.per_snapshot),
                numbers_after: numbers(e, false, per, c.per_snapshot),
                ratio: match (e.status, e.rate_ratio) {
                    (Status::StillLeaking | Status::Unchanged, Some(r)) => {
                        format!("×{}", crate::units::round_significant(r, 2))
                    }
                    _ => String::new(),
                },
            }
        })
        .collect();
    BaselineView {
        outcome: match c.outcome {
            crate::analysis::baseline::Outcome::FixWorked => "fix-worked",
            crate::analysis::baseline::Outcome::StillLeaking => "still-leaking",
            crate::analysis::baseline::Outcome::Unchanged => "unchanged",
            crate::analysis::baseline::Outcome::NewLeak => "new-leak",
            crate::analysis::baseline::Outcome::OldFixedNewLeak => "old-fixed-new-leak",
            crate::analysis::baseline::Outcome::Clean => "clean",
        },
        outcome_words: c.outcome.words(),
        headline: c.headline.clone(),
        before_name: before_name.to_string(),
        verdict_before: verdict_word(c.verdict_before),
        verdict_after: verdict_word(c.verdict_after),
        entries,
    }
}

fn verdict_word(v: crate::analysis::Verdict) -> &'static str {
    match v {
        crate::analysis::Verdict::Leak => "leak",
        crate::analysis::Verdict::Suspect => "suspect",
        crate::analysis::Verdict::Clean => "clean",
        crate::analysis::Verdict::Inconclusive => "inconclusive",
    }
}

/// Source lines and links of one finding.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceView {
    /// The `--source` directory read, or empty.
    pub dir: String,
    /// Link for the culprit line, or empty.
    pub culprit_url: String,
    /// Culprit and created-by excerpts.
    pub frames: Vec<FrameView>,
    /// Per stack frame: a link or empty.
    pub stack_links: Vec<String>,
}

/// One frame's excerpt.
#[derive(Clone, Debug, Serialize)]
pub struct FrameView {
    /// `leak site`, `created by`, `allocation site`.
    pub role: &'static str,
    /// `internal/store/store.go:70` (checkout path when mapped).
    pub location: String,
    /// Link, or empty.
    pub url: String,
    /// `in func streamItems` or empty.
    pub enclosing: String,
    /// Warning, or empty.
    pub warning: String,
    /// The lines.
    pub lines: Vec<LineView>,
}

/// One excerpt line.
#[derive(Clone, Debug, Serialize)]
pub struct LineView {
    /// Line number.
    pub num: u32,
    /// Text (tabs as four spaces).
    pub text: String,
    /// The frame's line.
    pub marked: bool,
}

fn frame_view(f: &FrameSource) -> FrameView {
    let path = f.repo_path.as_deref().unwrap_or(&f.frame_file);
    FrameView {
        role: f.role,
        location: format!("{path}:{}", f.line),
        url: f.url.clone().unwrap_or_default(),
        enclosing: f
            .excerpt
            .as_ref()
            .and_then(|e| e.enclosing.as_deref())
            .map(|n| format!("in func {n}"))
            .unwrap_or_default(),
        warning: f.warning.clone().unwrap_or_default(),
        lines: f
            .excerpt
            .iter()
            .flat_map(|e| {
                e.lines.iter().enumerate().map(move |(i, l)| {
                    let num = e.first_line + i as u32;
                    LineView {
                        num,
                        text: l.replace('\t', "    "),
                        marked: num == e.marked,
                    }
                })
            })
            .collect(),
    }
}

/// The source view of finding `i` (whose stack shows `stack_len` frames),
/// when `--source`/`--source-url` gave anything for it.
pub fn source_view(extras: Option<&Extras>, i: usize, stack_len: usize) -> Option<SourceView> {
    let info = extras?.source.as_ref()?;
    let fs: &FindingSource = info.findings.get(i)?;
    let mut frames = Vec::new();
    for f in std::iter::once(&fs.culprit).chain(fs.created_by.as_ref()) {
        if f.excerpt.is_some() || f.warning.is_some() {
            frames.push(frame_view(f));
        }
    }
    // One entry per shown frame, whatever the lengths.
    let stack_links: Vec<String> = (0..stack_len)
        .map(|k| fs.stack_urls.get(k).cloned().flatten().unwrap_or_default())
        .collect();
    let culprit_url = fs.culprit.url.clone().unwrap_or_default();
    if frames.is_empty() && culprit_url.is_empty() && stack_links.iter().all(String::is_empty) {
        return None;
    }
    Some(SourceView {
        dir: info.dir.clone().unwrap_or_default(),
        culprit_url,
        frames,
        stack_links,
    })
}
