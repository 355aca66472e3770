//! Phase 2: goroutine keys — stacks grouped by cause and culprit frame,
//! with their summed counts per snapshot.

use crate::analysis::series::{GStack, GoroutineSeries};
use crate::analysis::types::Cause;
use crate::model::FrameId;
use std::collections::HashMap;

/// A goroutine group: stacks with the same cause and culprit frame.
pub(super) struct GKey {
    /// Resolved cause.
    pub cause: Cause,
    /// The blocking operation was not visible (debug=1 only).
    pub unknown: bool,
    /// Culprit frame.
    pub frame: Option<FrameId>,
    /// Frame the group blocks in below the culprit, when it differs.
    pub via: Option<FrameId>,
    /// Indexes of the stacks in the group.
    pub stacks: Vec<usize>,
    /// Goroutines per snapshot, summed over the stacks.
    pub counts: Vec<f64>,
}

/// Resolves the cause of a stack from the votes of every snapshot it was
/// seen in: a nil channel wins, then the most common known cause; unknown
/// only when no snapshot showed it.
fn resolve_cause(st: &GStack) -> (Cause, bool) {
    if st.cause_votes[Cause::NilChan as usize] > 0 {
        return (Cause::NilChan, false);
    }
    let mut best: Option<(usize, u64)> = None;
    for (i, &v) in st.cause_votes.iter().enumerate() {
        if v > 0 && best.is_none_or(|b| v > b.1) {
            best = Some((i, v));
        }
    }
    match best {
        Some((i, _)) => (Cause::ALL[i], false),
        None => (Cause::Other, st.unknown > 0),
    }
}

/// Groups the stacks not ignored into keys, in order of first appearance.
pub(super) fn group(gs: &GoroutineSeries, ignored: &[bool]) -> Vec<GKey> {
    let n = gs.points.len();
    let mut keys: Vec<GKey> = Vec::new();
    let mut key_ids: HashMap<(Cause, bool, Option<FrameId>), usize> = HashMap::new();
    for (i, st) in gs.stacks.iter().enumerate() {
        if ignored[i] {
            continue;
        }
        let (cause, unknown) = resolve_cause(st);
        let frame = st.culprit.map(|c| c.frame);
        let k = *key_ids.entry((cause, unknown, frame)).or_insert_with(|| {
            keys.push(GKey {
                cause,
                unknown,
                frame,
                via: st.culprit.and_then(|c| c.via),
                stacks: Vec::new(),
                counts: vec![0.0; n],
            });
            keys.len() - 1
        });
        keys[k].stacks.push(i);
        for (acc, v) in keys[k].counts.iter_mut().zip(gs.row(i)) {
            *acc += v;
        }
    }
    keys
}
