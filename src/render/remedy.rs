//! Remedies per cause: Markdown files under `report-templates/remedies/`
//! (compiled in), rendered with pulldown-cmark.

use crate::analysis::Cause;

/// The remedy's Markdown source for a cause.
pub fn markdown(cause: Cause) -> &'static str {
    let _ = cause;
    ""
}

/// The remedy rendered to HTML (raw HTML in the Markdown is escaped).
pub fn html(cause: Cause) -> String {
    let _ = cause;
    String::new()
}

/// The remedy's one-line gist (its first paragraph, plain text).
pub fn gist(cause: Cause) -> String {
    let _ = cause;
    String::new()
}
