//! Directory walk (walkdir): recursive, deterministic, no symlink loops.

use super::Options;
use crate::model::Archive;
use std::path::Path;

/// See [`super::ingest`].
pub fn ingest_path(_path: &Path, _opts: &Options) -> std::io::Result<Archive> {
    Ok(Archive::default())
}
