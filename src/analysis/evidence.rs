//! Evidence as values: each source (runtime proof, the blocking operation,
//! the goroutine's origin, the trend over snapshots, retained heap, memory
//! statistics, …) adds [`Evidence`] values to a finding, and each value
//! knows its own line of text. A new source (say, wait time or concentration
//! in a single dump) adds variants and a function that produces them; no
//! existing source changes.

use super::cause::cause_phrase;
use super::phrases::rate_words;
use super::types::{Cause, Finding, GrowthStats, Shape};
use super::words::{RateUnit, bytes, count, signed_bytes};
use std::fmt;

/// One piece of evidence for a finding. Its text (`Display`) is the line
/// in the finding's `evidence` list.
#[derive(Clone, Debug, PartialEq)]
pub enum Evidence {
    /// Goroutines listed in a goroutineleak profile.
    LeakProfile(u64),
    /// Goroutines marked `(leaked)` in a dump.
    MarkedLeaked(u64),
    /// A nil-channel operation (`true`) or an empty select blocks forever.
    BlocksForever {
        /// The operation is on a nil channel.
        nil_chan: bool,
    },
    /// A debug=1 dump does not show the blocking operation.
    NotVisible,
    /// The frame the group blocks in, when it is not the culprit (`func (file:line)`).
    BlockedIn(String),
    /// The entry frame of a standard-library group.
    Entry(String),
    /// The runtime's wait reason.
    WaitReason(String),
    /// The `created by` frame.
    CreatedBy(String),
    /// The longest wait in minutes.
    LongestWait(u32),
    /// Goroutine labels (`key=value`).
    Labels(Vec<String>),
    /// Growth statistics over the snapshots.
    Trend {
        /// The statistics.
        stats: GrowthStats,
        /// Rate unit the slope is given in.
        unit: RateUnit,
        /// Span of the series in hours.
        span: f64,
        /// The series counts bytes.
        as_bytes: bool,
    },
    /// Heap growth (or heap in use, from a single profile) at allocation
    /// sites inside the group: `func (file:line): +3 MiB` parts.
    RetainsHeap {
        /// Growth over several profiles (`false`: in use in one).
        growth: bool,
        /// Up to three sites with their bytes.
        parts: Vec<String>,
    },
    /// Another goroutine group that grows in lockstep with this one.
    SameLeak {
        /// Its goroutine count.
        count: f64,
        /// Its cause.
        cause: Cause,
        /// Its culprit function.
        function: String,
        /// Its file and line, empty when unknown.
        file: String,
        /// Its line.
        line: u32,
    },
    /// The lockstep groups are net/http client connections.
    HttpClientConnections,
    /// Heap allocated by the runtime for goroutines grew alongside (bytes).
    RuntimeHeap(f64),
    /// MemStats StackInuse grew from … to … (bytes).
    StackInuse(f64, f64),
    /// An allocation site's callee that allocates (`func (file:line)`).
    AllocatedIn(String),
    /// Heap in use at a site: first, last, delta bytes and objects now.
    HeapInUse {
        /// First value.
        first: f64,
        /// Last value.
        last: f64,
        /// last − first.
        delta: f64,
        /// Objects in use now.
        objects: f64,
    },
    /// Number of allocation stacks in the function (more than one).
    AllocationStacks(usize),
    /// One dump: goroutines of the group and their share of all goroutines.
    InOneDump {
        /// Goroutines in the group.
        count: f64,
        /// Share of all goroutines (0..1).
        share: f64,
    },
    /// One dump: the spread of `N minutes` waits.
    WaitSpread {
        /// Goroutines whose header shows minutes.
        goroutines: u64,
        /// Shortest wait.
        min: u32,
        /// Median wait.
        median: u32,
        /// Longest wait.
        max: u32,
    },
    /// One dump: the goroutine ids show they were started after start-up.
    StartedLater {
        /// Smallest id.
        lo: u64,
        /// Largest id.
        hi: u64,
    },
    /// Goroutines whose wait is marked `(durable)`.
    Durable(u64),
    /// The single-snapshot rule that made the group a suspect.
    SingleRule {
        /// `pile-up`, `long-wait` or `client-connection`.
        rule: &'static str,
        /// Its threshold (goroutines for a pile-up, minutes otherwise).
        threshold: u64,
    },
    /// One snapshot cannot show growth; what a second dump would settle.
    OneSnapshot,
    /// The format records no wait reason; the cause comes from the frames.
    ReasonFromFrames,
    /// Trend of MemStats HeapInuse (no heap profile).
    MemStatsTrend {
        /// Mann–Kendall S.
        mk_s: i64,
        /// Mann–Kendall p.
        mk_p: f64,
        /// Shape.
        shape: Shape,
    },
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::LeakProfile(..)
            | Evidence::MarkedLeaked(..)
            | Evidence::BlocksForever { .. }
            | Evidence::NotVisible
            | Evidence::ReasonFromFrames => self.fmt_proof(f),
            Evidence::InOneDump { .. }
            | Evidence::WaitSpread { .. }
            | Evidence::StartedLater { .. }
            | Evidence::Durable(..)
            | Evidence::SingleRule { .. }
            | Evidence::OneSnapshot => self.fmt_single_dump(f),
            Evidence::BlockedIn(..)
            | Evidence::Entry(..)
            | Evidence::WaitReason(..)
            | Evidence::CreatedBy(..)
            | Evidence::LongestWait(..)
            | Evidence::Labels(..) => self.fmt_origin(f),
            Evidence::Trend { .. }
            | Evidence::RetainsHeap { .. }
            | Evidence::SameLeak { .. }
            | Evidence::HttpClientConnections
            | Evidence::RuntimeHeap(..)
            | Evidence::StackInuse(..) => self.fmt_trend(f),
            Evidence::AllocatedIn(..)
            | Evidence::HeapInUse { .. }
            | Evidence::AllocationStacks(..)
            | Evidence::MemStatsTrend { .. } => self.fmt_heap(f),
        }
    }
}

impl Evidence {
    /// Writes an evidence line of one family:
    /// proof that goroutines can never wake up, or why none is visible.
    fn fmt_proof(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::LeakProfile(n) => write!(
                f,
                "{} goroutine{} listed in a goroutineleak profile: the runtime proved they can never wake up",
                count(*n as f64),
                plural(*n)
            ),
            Evidence::MarkedLeaked(n) => write!(
                f,
                "{} goroutine{} marked (leaked) by the runtime's leak detector",
                count(*n as f64),
                plural(*n)
            ),
            Evidence::BlocksForever { nil_chan: true } => {
                f.write_str("a send or receive on a nil channel blocks forever")
        }
        Evidence::BlocksForever { nil_chan: false } => {
            f.write_str("a select with no cases blocks forever")
        }
        Evidence::NotVisible => f.write_str(
            "wait reason not recorded (debug=1), and no frame shows the blocking operation",
        ),
        Evidence::ReasonFromFrames => f.write_str(
            "wait reason not recorded (debug=1): the cause is inferred from the innermost blocking frames",
        ),
            _ => unreachable!("fmt_proof called with {self:?}"),
        }
    }

    /// Writes an evidence line of one family:
    /// what one dump alone shows (the single-dump rules).
    fn fmt_single_dump(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::InOneDump { count: n, share } => write!(
                f,
                "{} goroutine{} in the last dump, {} of all goroutines",
                count(*n),
                if *n == 1.0 { "" } else { "s" },
                crate::units::percent(*share)
            ),
            Evidence::WaitSpread {
                goroutines,
                min,
                median,
                max,
            } => write!(
                f,
                "waiting {min} to {max} minutes (median {median}) among the {} goroutine{} whose wait the runtime recorded",
                count(*goroutines as f64),
                plural(*goroutines)
            ),
            Evidence::StartedLater { lo, hi } if lo == hi => write!(
                f,
                "goroutine id {}: started after start-up, while the process was serving work, and not finished",
                count(*lo as f64)
            ),
            Evidence::StartedLater { lo, hi } => write!(
                f,
                "goroutine ids {}–{}: started after start-up, while the process was serving work, and not finished",
                count(*lo as f64),
                count(*hi as f64)
            ),
            Evidence::Durable(n) => write!(
                f,
                "{} goroutine{} in a (durable) wait: the runtime expects it to last",
                count(*n as f64),
                plural(*n)
            ),
            Evidence::SingleRule { rule, threshold } => match *rule {
                "pile-up" => write!(
                    f,
                    "single-dump rule pile-up: at least {} goroutines (--min-pileup) on one wait that only another goroutine can end",
                    count(*threshold as f64)
                ),
                "client-connection" => write!(
                    f,
                    "single-dump rule client-connection: an HTTP client connection loop parked at least {threshold} minutes (--min-wait); the default Transport closes idle connections after 90 s"
                ),
                _ => write!(
                    f,
                    "single-dump rule long-wait: started after start-up and parked at least {threshold} minutes (--min-wait) on a wait that only another goroutine can end"
                ),
            },
            Evidence::OneSnapshot => f.write_str(
                "one snapshot cannot show growth: a second dump a few minutes later settles it (more goroutines here: a leak; the same ones with longer waits: stuck; fewer: a burst that drains)",
            ),
            _ => unreachable!("fmt_single_dump called with {self:?}"),
        }
    }

    /// Writes an evidence line of one family:
    /// where a goroutine group blocks and where it came from.
    fn fmt_origin(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::BlockedIn(at) => write!(f, "blocked in {at}"),
            Evidence::Entry(at) => write!(f, "goroutine entry: {at}"),
            Evidence::WaitReason(w) => write!(f, "wait reason: {w}"),
            Evidence::CreatedBy(cb) => write!(f, "created by {cb}"),
            Evidence::LongestWait(m) => {
                write!(f, "longest wait {}", crate::units::wait_minutes(*m))
            }
            Evidence::Labels(l) => write!(f, "labels: {}", l.join(", ")),
            _ => unreachable!("fmt_origin called with {self:?}"),
        }
    }

    /// Writes an evidence line of one family:
    /// growth over the snapshots and what grows with it.
    fn fmt_trend(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Trend {
                stats,
                unit,
                span,
                as_bytes,
            } => write!(
                f,
                "Theil–Sen slope {}; Mann–Kendall S = {}, {}; grew in {} of {} intervals; shape {}{}",
                rate_words(stats, *unit, *span, *as_bytes),
                stats.mk_s,
                crate::units::p_value(stats.mk_p),
                stats.grew_intervals,
                stats.intervals,
                stats.shape.name(),
                if stats.last_third_grows {
                    "; the last third still grows"
                } else {
                    ""
                }
            ),
            Evidence::RetainsHeap { growth, parts } => write!(
                f,
                "retains heap {} at {}",
                if *growth { "growth" } else { "in use" },
                parts.join(", ")
            ),
            Evidence::SameLeak {
                count,
                cause,
                function,
                file,
                line,
            } => {
                let at = if file.is_empty() {
                    String::new()
                } else {
                    format!(" ({file}:{line})")
                };
                write!(
                    f,
                    "the same leak: {} goroutines {} in {function}{at} grow in lockstep (about the same count at every snapshot)",
                    count.max(0.0).round() as u64,
                    cause_phrase(*cause, false),
                )
            }
            Evidence::HttpClientConnections => f.write_str(
                "net/http client connections are never released: typically response bodies \
                 that are not closed (defer resp.Body.Close()), or a new http.Client or \
                 Transport per request",
            ),
            Evidence::RuntimeHeap(b) => write!(
                f,
                "heap allocated by the runtime itself (goroutine structures, runtime.malg) grew by {} alongside",
                bytes(*b)
            ),
            Evidence::StackInuse(a, b) => write!(
                f,
                "goroutine stacks in use (MemStats StackInuse) grew from {} to {}",
                bytes(*a),
                bytes(*b)
            ),
            _ => unreachable!("fmt_trend called with {self:?}"),
        }
    }

    /// Writes an evidence line of one family:
    /// heap allocation sites.
    fn fmt_heap(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::AllocatedIn(at) => write!(f, "allocated in {at}"),
            Evidence::HeapInUse {
                first,
                last,
                delta,
                objects,
            } => write!(
                f,
                "in use: {} → {} ({}); {} objects now",
                bytes(*first),
                bytes(*last),
                signed_bytes(*delta),
                count(*objects)
            ),
            Evidence::AllocationStacks(n) => write!(f, "{n} allocation stacks in this function"),
            Evidence::MemStatsTrend { mk_s, mk_p, shape } => write!(
                f,
                "MemStats HeapInuse: Mann–Kendall S = {mk_s}, {}; shape {shape:?}",
                crate::units::p_value(*mk_p)
            ),
            _ => unreachable!("fmt_heap called with {self:?}"),
        }
    }
}

impl Finding {
    /// Adds evidence values, in order, as lines of the finding's evidence.
    pub fn add_evidence(&mut self, evidence: impl IntoIterator<Item = Evidence>) {
        self.evidence
            .extend(evidence.into_iter().map(|e| e.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_as_before() {
        assert_eq!(
            Evidence::LeakProfile(1).to_string(),
            "1 goroutine listed in a goroutineleak profile: the runtime proved they can never wake up"
        );
        assert_eq!(
            Evidence::MarkedLeaked(1200).to_string(),
            "1,200 goroutines marked (leaked) by the runtime's leak detector"
        );
        assert_eq!(
            Evidence::SameLeak {
                count: 12.4,
                cause: Cause::IoWait,
                function: "net/http.(*persistConn).readLoop".into(),
                file: String::new(),
                line: 0,
            }
            .to_string(),
            format!(
                "the same leak: 12 goroutines {} in net/http.(*persistConn).readLoop grow in lockstep (about the same count at every snapshot)",
                cause_phrase(Cause::IoWait, false)
            )
        );
        assert_eq!(
            Evidence::StackInuse(1048576.0, 3145728.0).to_string(),
            "goroutine stacks in use (MemStats StackInuse) grew from 1.0 MiB to 3.0 MiB"
        );
    }
}
