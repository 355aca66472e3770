//! Render: pure functions from the archive and its analysis to bytes, one
//! exporter per output format (HTML, JSON, Markdown). Nothing here touches
//! the file system; the CLI writes what these return.
//!
//! Layers (a module imports only from the ones below it): [`shared`] and
//! [`remedy`] and [`one_dump`] at the bottom (with [`crate::units`] and [`crate::text`]
//! under all of them), then the exporters [`inventory`], [`json`],
//! [`markdown`] and [`html`], which never import from each other.

pub mod html;
pub mod inventory;
pub mod json;
pub mod markdown;
pub mod one_dump;
pub mod pprof_export;
pub mod remedy;
pub mod sarif;
pub mod shared;
pub mod source;

use crate::analysis::Analysis;
use crate::model::Archive;

/// Facts about the run that are not in the data (no wall-clock time, so
/// output is deterministic).
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// The input as the user named it (directory or file name, not an absolute path).
    pub input_name: String,
    /// leakscope's version.
    pub tool_version: String,
}

/// What every exporter reads.
#[derive(Clone, Copy, Debug)]
pub struct ReportInput<'a> {
    /// The ingested archive.
    pub archive: &'a Archive,
    /// Its analysis.
    pub analysis: &'a Analysis,
    /// Run facts.
    pub meta: &'a Meta,
    /// What `--baseline`, `--source` and `--source-url` add, if given.
    pub extras: Option<&'a Extras>,
}

/// Additions to a report from outside the archive: the comparison with a
/// baseline run and the source lines and links of the findings.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// `--baseline BEFORE`: this run compared with the baseline's.
    pub baseline: Option<crate::analysis::baseline::Comparison>,
    /// The baseline as the user named it (directory or file name).
    pub baseline_name: String,
    /// `--source DIR` / `--source-url`: per finding, in rank order.
    pub source: Option<source::SourceInfo>,
}

/// A render failure (a template error, typically with an overriding
/// `--templates` directory).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(pub String);

/// One output format.
pub trait Exporter {
    /// Renders the whole output.
    fn render(&self, input: &ReportInput<'_>) -> Result<Vec<u8>, RenderError>;
}
