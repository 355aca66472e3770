//! What is known about one goroutine group, gathered once from its stacks:
//! the evidence sources and the sentence read these facts.

use super::goroutine_keys::GKey;
use super::single::Rule;
use super::stacks::entry_frame;
use super::text::frame_text;
use crate::analysis::cause::{FrameClass, FrameClasses};
use crate::analysis::series::{GStack, GoroutineSeries, tally};
use crate::analysis::types::{Cause, GroupSnapshot, GrowthStats, Thresholds};
use crate::analysis::words::RateUnit;
use crate::model::{FrameId, StrId, Tables};

/// What the runtime proved about a group.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Proof {
    /// Goroutines marked leaked (goroutineleak profile or `(leaked)`).
    pub leaked: u64,
    /// The leaked goroutines come from a goroutineleak profile.
    pub in_leak_profile: bool,
    /// A nil-channel operation or empty select: blocks forever.
    pub forever: bool,
}

impl Proof {
    /// The runtime proved the leak.
    pub fn any(&self) -> bool {
        self.leaked > 0 || self.forever
    }

    /// What the runtime proved about the group's stacks.
    pub fn of(tables: &Tables, gs: &GoroutineSeries, key: &GKey) -> Proof {
        let leaked: u64 = key
            .stacks
            .iter()
            .fold(0u64, |acc, &i| acc.saturating_add(gs.stacks[i].leaked));
        let in_leak_profile = key.stacks.iter().any(|&i| gs.stacks[i].in_leak_profile);
        let culprit_fn = key.frame.map(|f| tables.frame_function(f)).unwrap_or("");
        let forever = key.stacks.iter().any(|&i| {
            let st = &gs.stacks[i];
            st.forever && !st.has_main_goroutine && culprit_fn != "main.main"
        });
        Proof {
            leaked,
            in_leak_profile,
            forever,
        }
    }
}

/// Facts about a goroutine group for its finding.
pub(super) struct GroupFacts<'a> {
    /// The group.
    pub key: &'a GKey,
    /// Growth statistics of its counts.
    pub stats: &'a GrowthStats,
    /// What the runtime proved.
    pub proof: Proof,
    /// Rate unit and span (hours) of the goroutine series.
    pub trend: (RateUnit, f64),
    /// Representative: the stack with the most goroutines at its largest point.
    pub rep_stack: Option<&'a GStack>,
    /// Entry frame of a standard-library group, when it differs from the culprit.
    pub std_entry: Option<FrameId>,
    /// `created by` frame with most goroutines over all stacks, as text.
    pub created_by: Option<String>,
    /// Labels (`key=value`), sorted.
    pub labels: Vec<String>,
    /// Most common wait reason.
    pub wait_reason: Option<String>,
    /// Longest wait in minutes.
    pub max_wait: Option<u32>,
    /// What the last dump shows of the group.
    pub snapshot: GroupSnapshot,
    /// The single-snapshot rule that made it a finding.
    pub rule: Option<Rule>,
    /// The series is too short for statistics: the one-dump evidence applies.
    pub single_mode: bool,
    /// The thresholds (for the evidence that names them).
    pub th: Thresholds,
}

/// The id with the largest tally; a tie goes to the smaller id.
fn most<T: Ord + Copy>(acc: &[(T, u64)]) -> Option<T> {
    acc.iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|&(id, _)| id)
}

impl<'a> GroupFacts<'a> {
    /// Gathers the facts of `key` from its stacks in `gs`.
    pub fn gather(
        tables: &Tables,
        classes: &mut FrameClasses,
        gs: &'a GoroutineSeries,
        (key, stats): (&'a GKey, &'a GrowthStats),
        proof: Proof,
        trend: (RateUnit, f64),
    ) -> GroupFacts<'a> {
        let rep_stack = key
            .stacks
            .iter()
            .copied()
            .max_by(|&a, &b| {
                let ma = gs.row(a).iter().copied().fold(0.0, f64::max);
                let mb = gs.row(b).iter().copied().fold(0.0, f64::max);
                ma.total_cmp(&mb).then(b.cmp(&a))
            })
            .map(|i| &gs.stacks[i]);
        let mut created: Vec<(FrameId, u64)> = Vec::new();
        let mut labels: Vec<String> = Vec::new();
        let mut reasons: Vec<(StrId, u64)> = Vec::new();
        let mut max_wait: Option<u32> = None;
        for &i in &key.stacks {
            let st = &gs.stacks[i];
            for &(f, c) in &st.created_by {
                tally(&mut created, f, c);
            }
            for &(k, v) in &st.labels {
                let kv = format!("{}={}", tables.str(k), tables.str(v));
                if !labels.contains(&kv) {
                    labels.push(kv);
                }
            }
            for &(r, c) in &st.reasons {
                tally(&mut reasons, r, c);
            }
            if let Some(w) = st.max_wait {
                max_wait = Some(max_wait.map_or(w, |m| m.max(w)));
            }
        }
        labels.sort();
        // A standard-library group is named by its innermost frame; say which
        // goroutine it is (`under net/http.(*conn).serve`).
        let std_entry = match (key.frame, rep_stack) {
            (Some(f), Some(st)) if classes.get(tables, f) != FrameClass::User => {
                entry_frame(tables, classes, st)
                    .filter(|&e| tables.frame(e).function != tables.frame(f).function)
            }
            _ => None,
        };
        GroupFacts {
            key,
            stats,
            proof,
            trend,
            rep_stack,
            std_entry,
            created_by: most(&created).map(|f| frame_text(tables, f)),
            labels,
            wait_reason: most(&reasons).map(|r| tables.str(r).to_string()),
            max_wait,
            snapshot: super::single::snapshot_of(tables, gs, key),
            rule: None,
            single_mode: false,
            th: Thresholds::default(),
        }
    }

    /// Goroutines now: the last count, or the leaked ones when no series.
    pub fn count_now(&self) -> f64 {
        if self.stats.last > 0.0 {
            self.stats.last
        } else {
            self.proof.leaked as f64
        }
    }

    /// The group blocks forever on a nil channel (not an empty select).
    pub fn nil_chan(&self) -> bool {
        self.key.cause == Cause::NilChan
    }
}
