//! Shared helpers of the fuzz targets: small limits (so limit paths are hit
//! with small inputs) and an invariant check on every decoded snapshot.

#![allow(dead_code)]

use leakscope::ingest::{Limits, SkipReason};
use leakscope::model::Parsed;

/// Limits used by every target: small enough that the fuzzer reaches each
/// limit with inputs of a few kilobytes, large enough for real seeds.
pub fn limits() -> Limits {
    Limits {
        max_file_bytes: 1 << 20,
        max_decompressed_bytes: 1 << 20,
        max_line_bytes: 4096,
        max_stack_depth: 64,
    }
}

/// Checks what a parser returned: a snapshot whose every interned id
/// resolves in its own tables and whose stacks respect the depth limit, or a
/// skip whose reason renders to a non-empty message.
pub fn check(result: Result<Parsed, SkipReason>, limits: &Limits) {
    match result {
        Ok(parsed) => check_parsed(&parsed, limits),
        Err(reason) => assert!(!reason.to_string().is_empty()),
    }
}

/// See [`check`].
pub fn check_parsed(parsed: &Parsed, limits: &Limits) {
    let (n_str, n_frames, n_stacks) = parsed.tables.sizes();
    let t = &parsed.tables;
    let check_stack = |id: leakscope::model::StackId| {
        assert!(
            (id.0 as usize) < n_stacks,
            "stack id {} of {n_stacks}",
            id.0
        );
        let frames = t.stack(id);
        // A cut stack may keep a marker frame beyond the limit.
        assert!(
            frames.len() <= limits.max_stack_depth + 1,
            "stack of {} frames over the limit {}",
            frames.len(),
            limits.max_stack_depth
        );
        for f in frames {
            assert!((f.0 as usize) < n_frames, "frame id {} of {n_frames}", f.0);
            let fr = t.frame(*f);
            assert!((fr.function.0 as usize) < n_str);
            assert!((fr.file.0 as usize) < n_str);
        }
    };
    let s = &parsed.snapshot;
    if let Some(h) = &s.heap {
        for sample in &h.samples {
            check_stack(sample.stack);
        }
    }
    if let Some(g) = &s.goroutines {
        let mut sum: u64 = 0;
        for grp in &g.groups {
            check_stack(grp.stack);
            if let Some(r) = grp.wait_reason {
                assert!((r.0 as usize) < n_str);
            }
            if let Some(f) = grp.created_by {
                assert!((f.0 as usize) < n_frames);
            }
            for (k, v) in &grp.labels {
                assert!((k.0 as usize) < n_str && (v.0 as usize) < n_str);
            }
            assert!(
                grp.sample_ids.len() <= 8,
                "{} sample ids",
                grp.sample_ids.len()
            );
            sum = sum.saturating_add(grp.count);
        }
        let _ = sum;
    }
    // Everything that reaches a report must serialise.
    for w in &s.warnings {
        assert!(!w.is_empty());
    }
}
