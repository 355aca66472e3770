//! Phase 5: retained heap folded into goroutine findings. Heap growth at
//! allocation sites that run inside a goroutine group (the culprit, the
//! goroutine's entry, its creator) is memory those goroutines hold: it
//! becomes part of the goroutine finding instead of a heap finding.

use super::goroutine_keys::GKey;
use super::heap_candidates::HeapPhase;
use super::stacks::{entry_frame, top_created_by};
use super::text::frame_text;
use crate::analysis::cause::{FrameClass, FrameClasses, classify_function};
use crate::analysis::evidence::Evidence;
use crate::analysis::series::{GoroutineSeries, HeapSeries};
use crate::analysis::types::Finding;
use crate::analysis::words::{bytes, signed_bytes};
use crate::model::{StrId, Tables};
use std::collections::HashMap;

/// Folds heap growth into the goroutine findings that hold it, strongest
/// and largest finding first (each aggregate goes to one finding only).
/// Returns which aggregates were folded.
pub(super) fn fold(
    tables: &Tables,
    classes: &mut FrameClasses,
    (gs, keys): (&GoroutineSeries, &[GKey]),
    (hs, heap): (&HeapSeries, &HeapPhase),
    g_findings: &mut [(usize, Finding)],
) -> Vec<bool> {
    let mut folded = vec![false; hs.funcs.len()];
    g_findings.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then(b.1.last.total_cmp(&a.1.last))
            .then(a.0.cmp(&b.0))
    });
    let growth = hs.points.len() >= 2;
    let held: Vec<f64> = hs
        .funcs
        .iter()
        .enumerate()
        .map(|(a, agg)| {
            if growth {
                heap.deltas[a]
            } else {
                agg.bytes.last().copied().unwrap_or(0.0)
            }
        })
        .collect();
    // The aggregates whose sites' stacks run through each function, made at
    // the first finding with names: a finding then looks up its few names
    // instead of walking every frame of every site again.
    let mut by_function: Option<HashMap<StrId, Vec<usize>>> = None;
    for (k, f) in g_findings.iter_mut() {
        let names = match_names(tables, classes, gs, &keys[*k]);
        if names.is_empty() {
            continue;
        }
        let index = by_function.get_or_insert_with(|| aggregates_by_function(tables, hs, &held));
        let mut inside: Vec<usize> = names
            .iter()
            .filter_map(|n| index.get(n))
            .flatten()
            .copied()
            .collect();
        inside.sort_unstable();
        inside.dedup();
        let mut retained = 0.0;
        let mut parts: Vec<String> = Vec::new();
        for a in inside {
            if folded[a] {
                continue;
            }
            let (agg, held) = (&hs.funcs[a], held[a]);
            folded[a] = true;
            retained += held;
            if parts.len() < 3 {
                let at = agg
                    .frame
                    .map(|fr| frame_text(tables, fr))
                    .unwrap_or_default();
                parts.push(format!("{at}: {}", signed_bytes(held)));
            }
        }
        if retained > 0.0 {
            f.retained_bytes = Some(retained as i64);
            f.add_evidence([Evidence::RetainsHeap { growth, parts }]);
            f.sentence = format!(
                "{}; they retain {}.",
                f.sentence.trim_end_matches('.'),
                bytes(retained)
            );
        }
    }
    folded
}

/// Function → the aggregates (in order, each once) with something held
/// whose sites' stacks have a frame of that function.
fn aggregates_by_function(
    tables: &Tables,
    hs: &HeapSeries,
    held: &[f64],
) -> HashMap<StrId, Vec<usize>> {
    let mut index: HashMap<StrId, Vec<usize>> = HashMap::new();
    for (a, agg) in hs.funcs.iter().enumerate() {
        if held[a] <= 0.0 {
            continue;
        }
        for &s in &agg.sites {
            for &fr in tables.stack(hs.sites[s].stack) {
                let list = index.entry(tables.frame(fr).function).or_default();
                if list.last() != Some(&a) {
                    list.push(a);
                }
            }
        }
    }
    index
}

/// Function names that mark a heap site as running inside this goroutine
/// group: the culprit, the entry function (outermost user frame), and the
/// creator when it is user code other than `main.main` (or any creator when
/// the whole group is standard library, e.g. the connection loops that
/// `net/http.(*Transport).dialConn` starts and whose buffers it allocates).
fn match_names(
    tables: &Tables,
    classes: &mut FrameClasses,
    gs: &GoroutineSeries,
    key: &GKey,
) -> Vec<StrId> {
    let mut names: Vec<StrId> = Vec::new();
    let push = |id: StrId, names: &mut Vec<StrId>| {
        if tables.str(id) != "main.main" && !names.contains(&id) {
            names.push(id);
        }
    };
    if let Some(f) = key.frame
        && classes.get(tables, f) == FrameClass::User
    {
        push(tables.frame(f).function, &mut names);
    }
    for &i in &key.stacks {
        let st = &gs.stacks[i];
        if let Some(entry) = entry_frame(tables, classes, st) {
            push(tables.frame(entry).function, &mut names);
        }
        let std_group = st
            .culprit
            .is_some_and(|c| classes.get(tables, c.frame) != FrameClass::User);
        if let Some(cb) = top_created_by(st) {
            let name = tables.frame_function(cb);
            let class = classify_function(name);
            if class == FrameClass::User || (std_group && class == FrameClass::Std) {
                push(tables.frame(cb).function, &mut names);
            }
        }
    }
    names
}
