//! Phase 1: ignore rules over goroutine stacks.

use super::stacks::top_created_by;
use crate::analysis::ignore::{Rule, Subject, first_match};
use crate::analysis::series::GoroutineSeries;
use crate::analysis::types::IgnoreHit;
use crate::model::Tables;

/// Which stacks of `gs` an ignore rule matches (by index), and the hits to
/// report: every rule that matched, and every user rule.
pub(super) fn apply(
    tables: &Tables,
    rules: &[Rule],
    gs: &GoroutineSeries,
) -> (Vec<bool>, Vec<IgnoreHit>) {
    let mut hits = vec![0usize; rules.len()];
    let mut ignored = vec![false; gs.stacks.len()];
    let mut chain: Vec<&str> = Vec::new();
    for (i, st) in gs.stacks.iter().enumerate() {
        let Some(c) = st.culprit else { continue };
        chain.clear();
        for &f in tables.stack(st.rep) {
            chain.push(tables.frame_function(f));
            if f == c.frame {
                break;
            }
        }
        let created = top_created_by(st).map(|f| tables.frame_function(f));
        let subject = Subject {
            culprit: tables.frame_function(c.frame),
            created_by: created,
            chain: &chain,
        };
        if let Some(r) = first_match(rules, &subject) {
            hits[r] += 1;
            ignored[i] = true;
        }
    }
    let report = rules
        .iter()
        .zip(&hits)
        .filter(|&(rule, &n)| n > 0 || !rule.builtin)
        .map(|(rule, &n)| IgnoreHit {
            rule: rule.text.clone(),
            builtin: rule.builtin,
            matched_groups: n,
        })
        .collect();
    (ignored, report)
}
