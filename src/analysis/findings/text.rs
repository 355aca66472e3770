//! Frames and stacks as text, and series of the findings stage.

use crate::analysis::series::Points;
use crate::analysis::types::{Place, Series};
use crate::analysis::words::func_at;
use crate::model::{FrameId, StackId, Tables};

/// `func (file:line)` of a frame.
pub(super) fn frame_text(tables: &Tables, f: FrameId) -> String {
    let fr = tables.frame(f);
    func_at(tables.str(fr.function), tables.str(fr.file), fr.line)
}

/// A stack as `func file:line` lines, leaf first.
pub(super) fn stack_text(tables: &Tables, s: StackId) -> Vec<String> {
    tables
        .stack(s)
        .iter()
        .map(|&f| {
            let fr = tables.frame(f);
            let file = tables.str(fr.file);
            if file.is_empty() {
                tables.str(fr.function).to_string()
            } else {
                format!("{} {}:{}", tables.str(fr.function), file, fr.line)
            }
        })
        .collect()
}

/// A series over the stage's points.
pub(super) fn series_of(points: &Points, values: &[f64]) -> Series {
    Series {
        times: points.times.clone(),
        values: values.to_vec(),
    }
}

/// The function, `file:line` location and `func (file:line)` label of a
/// frame; `(unknown)` without one.
pub(super) fn frame_parts(tables: &Tables, frame: Option<FrameId>) -> (String, String, String) {
    match frame {
        Some(f) => {
            let fr = tables.frame(f);
            let function = tables.str(fr.function).to_string();
            let file = tables.str(fr.file);
            let location = if file.is_empty() {
                String::new()
            } else {
                format!("{file}:{}", fr.line)
            };
            let label = func_at(&function, file, fr.line);
            (function, location, label)
        }
        None => (
            "(unknown)".to_string(),
            String::new(),
            "(unknown)".to_string(),
        ),
    }
}

/// The place of a finding at a frame (function as in [`frame_parts`]; file
/// empty and line 0 without a frame), with the frame's label.
pub(super) fn place_of(tables: &Tables, frame: Option<FrameId>) -> (Place, String) {
    let (function, _, label) = frame_parts(tables, frame);
    let (file, line) = frame
        .map(|f| {
            let fr = tables.frame(f);
            (tables.str(fr.file).to_string(), fr.line)
        })
        .unwrap_or_default();
    (
        Place {
            function,
            file,
            line,
        },
        label,
    )
}
