//! The Markdown summary (`--markdown`) for tickets and CI step summaries.

use super::{Exporter, RenderError, ReportInput};

/// Writes the Markdown summary.
pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn render(&self, input: &ReportInput<'_>) -> Result<Vec<u8>, RenderError> {
        let _ = input;
        Ok(Vec::new())
    }
}

/// The short plain-text summary `report` prints on stdout.
pub fn plain_summary(input: &ReportInput<'_>) -> String {
    format!("verdict: {:?}\n", input.analysis.verdict)
}
