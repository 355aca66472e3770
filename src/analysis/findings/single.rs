//! Phase 3b: what one snapshot can say (issue 10). A single goroutine dump
//! cannot show growth, but it shows how many goroutines wait on one
//! operation, their share of all goroutines, how long they have waited
//! (`, N minutes` in debug=2 headers) and, through their ids, whether they
//! were started at start-up or later, while the process served work.
//!
//! The rule (also in docs/single-dump.md). While the goroutine series has
//! fewer than `--min-snapshots` points, a group that the statistics cannot
//! judge becomes a `suspect` (never a `leak`: proof stays the only way to a
//! leak from one dump) when its wait is *leak-prone* — chan send/receive,
//! select, nil chan, mutex, WaitGroup, Cond; I/O wait only for an HTTP
//! client connection's loops — and one of:
//!
//! * **pile-up**: at least `--min-pileup` goroutines (default 100) in the
//!   group (a hidden debug=1 wait counts as leak-prone here: a crowd that
//!   large on one stack is worth a look whatever it waits on);
//! * **long wait**: the longest wait is at least `--min-wait` minutes
//!   (default 30) and every goroutine of the group was started after
//!   start-up (smallest id ≥ [`STARTUP_IDS`]);
//! * **client connection**: an HTTP client connection's read or write loop
//!   parked at least `--min-wait` minutes (the default Transport closes idle
//!   connections after 90 s; a loop parked for longer is a connection nobody
//!   releases), or at least `--min-goroutines` read loops parked in their
//!   `select` for a minute or more (each waits for a response body that
//!   nobody reads or closes; an idle keep-alive connection's read loop
//!   waits in I/O instead).
//!
//! Not flagged: a fixed pool receiving in a loop (chan receive or select,
//! ids in one dense block: started together), a lone long wait of a
//! goroutine started at start-up (id below [`STARTUP_IDS`]: tickers,
//! service loops), sleeps, syscalls,
//! runtime waits, server and pooled connections in I/O wait (idle by
//! design), and anything the built-in ignore list already removed. A share
//! of all goroutines of at least `--min-share` raises a pile-up's
//! confidence; long waits alone prove nothing.

use super::goroutine_keys::GKey;
use crate::analysis::evidence::Evidence;
use crate::analysis::series::{GoroutineSeries, tally};
use crate::analysis::types::{Cause, GroupSnapshot, Thresholds};
use crate::model::Tables;

/// Goroutine ids below this were (most likely) started while the process
/// started up: the runtime hands out ids in order, and a Go service starts
/// its fixed pools, tickers and listeners within its first few hundred.
pub const STARTUP_IDS: u64 = 1000;

/// The single-snapshot rule that fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rule {
    /// Many goroutines on one leak-prone wait.
    Pileup,
    /// Started after start-up and parked long on a leak-prone wait.
    LongWait,
    /// An HTTP client connection loop parked long.
    ClientConnection,
}

impl Rule {
    /// The rule's name in the JSON (`snapshot.rule`).
    pub fn name(self) -> &'static str {
        match self {
            Rule::Pileup => "pile-up",
            Rule::LongWait => "long-wait",
            Rule::ClientConnection => "client-connection",
        }
    }
}

/// What the last dump shows of `key`'s goroutines.
pub(super) fn snapshot_of(tables: &Tables, gs: &GoroutineSeries, key: &GKey) -> GroupSnapshot {
    let count = key.counts.last().copied().unwrap_or(0.0);
    let total = gs.totals.last().copied().unwrap_or(0.0);
    let mut waits: Vec<(u32, u64)> = Vec::new();
    let mut ids: Option<(u64, u64)> = None;
    let mut durable = 0u64;
    let mut reasons: Vec<(crate::model::StrId, u64)> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut leaked = 0u64;
    for &i in &key.stacks {
        let st = &gs.stacks[i];
        for &(m, c) in &st.now.waits {
            tally(&mut waits, m, c);
        }
        if let Some((lo, hi)) = st.now.id_range {
            ids = Some(match ids {
                Some((a, b)) => (a.min(lo), b.max(hi)),
                None => (lo, hi),
            });
        }
        durable = durable.saturating_add(st.now.durable);
        for &(r, c) in &st.reasons {
            tally(&mut reasons, r, c);
        }
        for &(k, v) in &st.labels {
            let kv = format!("{}={}", tables.str(k), tables.str(v));
            if !labels.contains(&kv) {
                labels.push(kv);
            }
        }
        leaked = leaked.saturating_add(st.now.leaked);
    }
    labels.sort();
    waits.sort_unstable();
    let with_minutes: u64 = waits.iter().fold(0u64, |a, w| a.saturating_add(w.1));
    let median = (with_minutes > 0).then(|| {
        let half = with_minutes.div_ceil(2);
        let mut seen = 0u64;
        waits
            .iter()
            .find(|w| {
                seen = seen.saturating_add(w.1);
                seen >= half
            })
            .map_or(0, |w| w.0)
    });
    let wait_reason = reasons
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|&(r, _)| tables.str(r).to_string());
    GroupSnapshot {
        count,
        share: if total > 0.0 { count / total } else { 0.0 },
        wait_reason,
        with_minutes,
        wait_min_minutes: waits.first().map(|w| w.0),
        wait_median_minutes: median,
        wait_max_minutes: waits.last().map(|w| w.0),
        leaked,
        durable,
        labels,
        ids,
        rule: None,
    }
}

/// Facts of the whole last dump that one group's judgement needs.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct DumpFacts {
    /// HTTP client read loops parked in their select for a minute or more:
    /// connections whose response body nobody reads or closes.
    pub bodies_open: f64,
}

impl DumpFacts {
    /// Gathers the facts from every key of the series.
    pub fn of(tables: &Tables, gs: &GoroutineSeries, keys: &[GKey]) -> DumpFacts {
        let mut out = DumpFacts::default();
        for key in keys {
            let f = key.frame.map(|f| tables.frame_function(f)).unwrap_or("");
            if key.cause == Cause::Select && f.ends_with("net/http.(*persistConn).readLoop") {
                let snap = snapshot_of(tables, gs, key);
                if snap.with_minutes > 0 {
                    out.bodies_open += snap.count;
                }
            }
        }
        out
    }
}

/// An HTTP client connection's loop (`net/http.(*persistConn).readLoop` /
/// `writeLoop`, also under a vendored path).
pub(super) fn is_client_connection(function: &str) -> bool {
    function.ends_with("net/http.(*persistConn).readLoop")
        || function.ends_with("net/http.(*persistConn).writeLoop")
}

/// A wait that only ends when another goroutine acts: what leaks are made of.
fn leak_prone(cause: Cause) -> bool {
    matches!(
        cause,
        Cause::ChanSend
            | Cause::ChanReceive
            | Cause::Select
            | Cause::NilChan
            | Cause::Mutex
            | Cause::Waitgroup
            | Cause::Cond
    )
}

/// Judges one group from the last dump alone: the rule that fires and the
/// finding's confidence, or `None`.
pub(super) fn judge(
    th: &Thresholds,
    ctx: &DumpFacts,
    key: &GKey,
    snap: &GroupSnapshot,
    culprit_fn: &str,
) -> Option<(Rule, f64)> {
    let count = snap.count;
    // Nothing to name (a block cut before its first frame).
    if count <= 0.0 || key.frame.is_none() {
        return None;
    }
    let started_later = snap.ids.is_some_and(|(lo, _)| lo >= STARTUP_IDS);
    let long = snap.wait_max_minutes.is_some_and(|m| m >= th.min_wait);
    let dominant = snap.share >= th.min_share;
    let client = is_client_connection(culprit_fn);
    if client && long {
        return Some((Rule::ClientConnection, 0.5));
    }
    // A client connection's read loop waits in a select while the caller
    // has the response body; many of them parked for minutes are bodies
    // nobody reads or closes (an idle keep-alive connection waits in I/O).
    let parked_loops =
        key.cause == Cause::Select && count >= th.min_goroutines as f64 && snap.with_minutes > 0;
    if parked_loops
        && (culprit_fn.ends_with("net/http.(*persistConn).readLoop")
            // The write loop of the same connections.
            || (culprit_fn.ends_with("net/http.(*persistConn).writeLoop")
                && ctx.bodies_open >= th.min_goroutines as f64))
    {
        return Some((Rule::ClientConnection, 0.45));
    }
    let prone = leak_prone(key.cause);
    // A fixed pool receiving in a loop: started together (a dense block of
    // ids), waiting for work on a channel.
    let pool = matches!(key.cause, Cause::ChanReceive | Cause::Select)
        && count >= 2.0
        && snap
            .ids
            .is_some_and(|(lo, hi)| (hi - lo + 1) as f64 <= count * 1.25 + 8.0);
    if pool {
        return None;
    }
    if (prone || key.unknown) && count >= th.min_pileup as f64 {
        let mut conf: f64 = if key.unknown { 0.35 } else { 0.45 };
        if dominant {
            conf += 0.15;
        }
        if long {
            conf += 0.1;
        }
        return Some((Rule::Pileup, conf.min(0.7)));
    }
    if prone && long && started_later {
        let spread = snap.wait_min_minutes != snap.wait_max_minutes;
        return Some((Rule::LongWait, if spread { 0.5 } else { 0.4 }));
    }
    None
}

/// The evidence of a single-snapshot judgement, and the line every finding
/// of a one-dump series carries.
pub(super) fn evidence(snap: &GroupSnapshot, rule: Option<Rule>, th: &Thresholds) -> Vec<Evidence> {
    let mut out = vec![Evidence::InOneDump {
        count: snap.count,
        share: snap.share,
    }];
    if snap.with_minutes > 0 {
        out.push(Evidence::WaitSpread {
            goroutines: snap.with_minutes,
            min: snap.wait_min_minutes.unwrap_or(0),
            median: snap.wait_median_minutes.unwrap_or(0),
            max: snap.wait_max_minutes.unwrap_or(0),
        });
    }
    if let Some((lo, hi)) = snap.ids
        && lo >= STARTUP_IDS
    {
        out.push(Evidence::StartedLater { lo, hi });
    }
    if snap.durable > 0 {
        out.push(Evidence::Durable(snap.durable));
    }
    if let Some(r) = rule {
        out.push(Evidence::SingleRule {
            rule: r.name(),
            threshold: match r {
                Rule::Pileup => th.min_pileup,
                Rule::LongWait | Rule::ClientConnection => u64::from(th.min_wait),
            },
        });
    }
    out.push(Evidence::OneSnapshot);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(cause: Cause, unknown: bool) -> GKey {
        GKey {
            cause,
            unknown,
            frame: Some(crate::model::FrameId(0)),
            via: None,
            stacks: Vec::new(),
            counts: Vec::new(),
        }
    }

    fn snap(count: f64, ids: Option<(u64, u64)>, waits: Option<(u32, u32)>) -> GroupSnapshot {
        GroupSnapshot {
            count,
            share: count / 1000.0,
            with_minutes: if waits.is_some() { count as u64 } else { 0 },
            wait_min_minutes: waits.map(|w| w.0),
            wait_median_minutes: waits.map(|w| w.0),
            wait_max_minutes: waits.map(|w| w.1),
            ids,
            ..GroupSnapshot::default()
        }
    }

    fn rule(k: &GKey, s: &GroupSnapshot, f: &str) -> Option<Rule> {
        judge(&Thresholds::default(), &DumpFacts::default(), k, s, f).map(|r| r.0)
    }

    #[test]
    fn a_pile_up_on_a_leak_prone_wait_is_a_suspect() {
        let s = snap(4407.0, None, None);
        assert_eq!(
            rule(&key(Cause::Mutex, false), &s, "main.f"),
            Some(Rule::Pileup)
        );
        // A hidden debug=1 wait still makes a crowd worth a look.
        assert_eq!(
            rule(&key(Cause::Other, true), &s, "main.f"),
            Some(Rule::Pileup)
        );
        // Below --min-pileup, or on a wait that is not leak-prone: nothing.
        assert_eq!(
            rule(&key(Cause::Mutex, false), &snap(99.0, None, None), "main.f"),
            None
        );
        assert_eq!(rule(&key(Cause::IoWait, false), &s, "main.f"), None);
        assert_eq!(rule(&key(Cause::Sleep, false), &s, "main.f"), None);
    }

    #[test]
    fn a_fixed_pool_receiving_in_a_loop_is_quiet() {
        // 256 workers started together (ids 20..275) waiting for jobs.
        let s = snap(256.0, Some((20, 275)), Some((90, 300)));
        assert_eq!(
            rule(&key(Cause::ChanReceive, false), &s, "main.worker"),
            None
        );
        // The same crowd on a mutex is a pile-up whatever its ids.
        assert_eq!(
            rule(&key(Cause::Mutex, false), &s, "main.worker"),
            Some(Rule::Pileup)
        );
        // Receivers started over time (sparse ids): a pile-up.
        let spread = snap(256.0, Some((20, 90_000)), None);
        assert_eq!(
            rule(&key(Cause::ChanReceive, false), &spread, "main.worker"),
            Some(Rule::Pileup)
        );
    }

    #[test]
    fn a_long_wait_counts_only_for_goroutines_started_after_start_up() {
        let late = snap(1.0, Some((549_801, 549_801)), Some((553, 553)));
        assert_eq!(
            rule(&key(Cause::Select, false), &late, "main.fire"),
            Some(Rule::LongWait)
        );
        // A ticker loop started at start-up, parked for weeks: quiet.
        let early = snap(1.0, Some((487, 487)), Some((53_810, 53_810)));
        assert_eq!(
            rule(&key(Cause::Select, false), &early, "main.tickLoop"),
            None
        );
        // Below --min-wait: quiet.
        let short = snap(1.0, Some((5000, 5000)), Some((29, 29)));
        assert_eq!(rule(&key(Cause::Select, false), &short, "main.fire"), None);
    }

    #[test]
    fn http_client_connections_parked_long_or_holding_bodies() {
        let long = snap(1.0, Some((361, 361)), Some((106, 106)));
        let read = "net/http.(*persistConn).readLoop";
        assert_eq!(
            rule(&key(Cause::IoWait, false), &long, read),
            Some(Rule::ClientConnection)
        );
        // Idle keep-alive connections (I/O wait, short): quiet.
        let idle = snap(4.0, Some((92, 107)), Some((1, 1)));
        assert_eq!(rule(&key(Cause::IoWait, false), &idle, read), None);
        // Many read loops in their select for minutes: bodies never closed.
        let bodies = snap(78.0, Some((7, 396)), Some((1, 1)));
        assert_eq!(
            rule(&key(Cause::Select, false), &bodies, read),
            Some(Rule::ClientConnection)
        );
        let write = "net/http.(*persistConn).writeLoop";
        assert_eq!(rule(&key(Cause::Select, false), &bodies, write), None);
        let ctx = DumpFacts { bodies_open: 78.0 };
        assert_eq!(
            judge(
                &Thresholds::default(),
                &ctx,
                &key(Cause::Select, false),
                &bodies,
                write
            )
            .map(|r| r.0),
            Some(Rule::ClientConnection)
        );
    }
}
