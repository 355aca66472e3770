//! The self-contained HTML report.

use super::{Exporter, RenderError, ReportInput};

/// Writes the HTML report.
pub struct HtmlExporter {
    /// Templates overriding the built-in ones (`--templates DIR`): (name, source).
    pub templates: Vec<(String, String)>,
}

impl Exporter for HtmlExporter {
    fn render(&self, input: &ReportInput<'_>) -> Result<Vec<u8>, RenderError> {
        let _ = input;
        Ok(b"<!doctype html>\n".to_vec())
    }
}
