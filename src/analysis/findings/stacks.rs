//! Facts about one goroutine stack that several phases read.

use crate::analysis::cause::{FrameClass, FrameClasses};
use crate::analysis::series::GStack;
use crate::model::{FrameId, Tables};

/// The most common `created by` frame of a stack.
pub(super) fn top_created_by(st: &GStack) -> Option<FrameId> {
    st.created_by
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|c| c.0)
}

/// The entry of a goroutine: its outermost user frame, or for a goroutine
/// that runs only standard-library code its outermost frame outside the
/// runtime (`net/http.(*conn).serve`).
pub(super) fn entry_frame(
    tables: &Tables,
    classes: &mut FrameClasses,
    st: &GStack,
) -> Option<FrameId> {
    let frames = tables.stack(st.rep);
    frames
        .iter()
        .rev()
        .copied()
        .find(|&f| classes.get(tables, f) == FrameClass::User)
        .or_else(|| {
            frames.iter().rev().copied().find(|&f| {
                !matches!(
                    classes.get(tables, f),
                    FrameClass::Runtime | FrameClass::Sync
                )
            })
        })
}
