//! Phase 6: one finding per leak. A goroutine finding whose culprit is
//! standard-library code (no user frame of its own) and whose count equals
//! another finding's at every snapshot is the same leak seen from another
//! goroutine (an HTTP client connection has a read loop and a write loop;
//! the server side has a connection goroutine). It is folded into the
//! finding it moves in lockstep with, preferring one that names user code,
//! as evidence.

use super::goroutine_keys::GKey;
use crate::analysis::cause::{FrameClass, classify_function};
use crate::analysis::evidence::Evidence;
use crate::analysis::types::Finding;

/// Orders the goroutine findings (after folding, so retained memory adds
/// up; the finding holding the most memory stays in front) and merges the
/// ones that move in lockstep.
pub(super) fn merge(g_findings: &mut Vec<(usize, Finding)>, keys: &[GKey]) {
    g_findings.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then(b.1.retained_bytes.cmp(&a.1.retained_bytes))
            .then(b.1.last.total_cmp(&a.1.last))
            .then(a.0.cmp(&b.0))
    });
    let merged_into = partners(g_findings, keys);
    let mut companions: Vec<Vec<Finding>> = vec![Vec::new(); g_findings.len()];
    let mut kept = Vec::with_capacity(g_findings.len());
    for (i, (k, f)) in std::mem::take(g_findings).into_iter().enumerate() {
        // Follow chains (a → b → c) to the finding that stays.
        let mut target = i;
        while let Some(t) = merged_into[target] {
            target = t;
        }
        if target == i {
            kept.push((i, (k, f)));
        } else {
            companions[target].push(f);
        }
    }
    for (i, (k, mut f)) in kept {
        absorb(&mut f, std::mem::take(&mut companions[i]));
        g_findings.push((k, f));
    }
}

fn is_std(f: &Finding) -> bool {
    classify_function(&f.function) != FrameClass::User
}

/// For each finding, the finding it merges into, if any.
fn partners(g_findings: &[(usize, Finding)], keys: &[GKey]) -> Vec<Option<usize>> {
    let grows = |k: usize| {
        let c = &keys[k].counts;
        c.first().zip(c.last()).is_some_and(|(a, b)| b > a)
    };
    let mut merged_into: Vec<Option<usize>> = vec![None; g_findings.len()];
    for i in 0..g_findings.len() {
        let (ki, fi) = (&g_findings[i].0, &g_findings[i].1);
        if !is_std(fi) || !grows(*ki) {
            continue;
        }
        let candidates = (0..g_findings.len()).filter(|&j| {
            j != i
                && merged_into[j].is_none()
                && g_findings[j].1.severity >= fi.severity
                && lockstep(&keys[g_findings[j].0].counts, &keys[*ki].counts)
        });
        // Prefer a partner in user code; else the first in rank order, unless
        // this finding itself comes first.
        let mut best: Option<usize> = None;
        for j in candidates {
            let user = !is_std(&g_findings[j].1);
            match best {
                None => best = Some(j),
                Some(b) if user && is_std(&g_findings[b].1) => best = Some(j),
                _ => {}
            }
        }
        let Some(j) = best else { continue };
        if is_std(&g_findings[j].1) && j > i {
            continue; // the later one is folded into this one instead
        }
        merged_into[i] = Some(j);
    }
    merged_into
}

/// Folds the findings `others` into `f`: evidence, retained bytes, sentence.
fn absorb(f: &mut Finding, others: Vec<Finding>) {
    if others.is_empty() {
        return;
    }
    let client = |f: &Finding| f.function.starts_with("net/http.(*persistConn).");
    let http_client = client(f) || others.iter().any(client);
    for o in &others {
        f.add_evidence([Evidence::SameLeak {
            count: o.last,
            cause: o.cause,
            function: o.function.clone(),
            file: o.file.clone(),
            line: o.line,
        }]);
        f.retained_bytes = match (f.retained_bytes, o.retained_bytes) {
            (Some(a), Some(b)) => Some(a.saturating_add(b)),
            (a, b) => a.or(b),
        };
    }
    if http_client {
        f.add_evidence([Evidence::HttpClientConnections]);
    }
    let names: Vec<&str> = others.iter().map(|o| o.function.as_str()).collect();
    f.sentence = format!(
        "{}; in lockstep with {}.",
        f.sentence.trim_end_matches('.'),
        names.join(" and ")
    );
}

/// Two count series move together: at every snapshot they differ by at most
/// 2 goroutines or 10 % (dumps are not atomic; a connection can be half set up).
fn lockstep(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 2f64.max(0.1 * x.abs().max(y.abs())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockstep_allows_two_goroutines_or_ten_percent() {
        assert!(lockstep(&[10.0, 50.0, 100.0], &[12.0, 48.0, 109.0]));
        assert!(!lockstep(&[10.0, 50.0, 100.0], &[13.0, 50.0, 100.0]));
        assert!(!lockstep(&[10.0, 50.0, 100.0], &[10.0, 50.0, 112.0]));
        assert!(!lockstep(&[10.0, 50.0], &[10.0, 50.0, 100.0]));
    }
}
