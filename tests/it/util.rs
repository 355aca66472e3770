//! Helpers shared by the test modules: where the crate's sample archives
//! and the public dump corpus are, the `leakscope` binary, gzip, JSON
//! field access.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The crate root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `samples/`: real Go programs' dumps, their ground truth
/// (`expected.json`) and `go tool pprof` oracle outputs. Committed with
/// the crate, so its absence is a failure, not a skip.
pub fn samples_dir() -> PathBuf {
    let dir = root().join("samples");
    assert!(
        dir.join("expected.json").is_file() && dir.join("oracle").is_dir(),
        "samples/ (with expected.json and oracle/) is committed with the crate: {}",
        dir.display()
    );
    dir
}

/// One sample archive, `samples/<name>`.
pub fn sample(name: &str) -> PathBuf {
    let dir = samples_dir().join(name);
    assert!(dir.is_dir(), "no sample archive {}", dir.display());
    dir
}

/// The public dump corpus beside the repository
/// (`../shared/public-dumps`), or `None` with a note when it is not there
/// (it is not part of the crate).
pub fn public_dumps_dir() -> Option<PathBuf> {
    let dir = root().join("../shared/public-dumps");
    if dir.join("expected.json").is_file() {
        Some(dir)
    } else {
        eprintln!("note: {} not present; skipped", dir.display());
        None
    }
}

/// Path of the `leakscope` binary built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_leakscope");

/// A command running the `leakscope` binary.
pub fn leakscope() -> assert_cmd::Command {
    assert_cmd::Command::new(BIN)
}

/// gzip of `data` (one member).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).expect("gzip to memory");
    enc.finish().expect("gzip to memory")
}

/// `v[key]` as a string; fails the test when it is not one.
pub fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string: {v}"))
}

/// Reads and parses a JSON file.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Chromium, or `None` (skip) outside CI; panics in CI.
pub fn chromium() -> Option<PathBuf> {
    match find_chromium() {
        Some(p) => Some(p),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("chromium is required in CI (CI=true) but was not found")
        }
        None => {
            eprintln!("note: chromium not found; browser test skipped");
            None
        }
    }
}

/// Every dump file of every sample archive (`samples/*/…`; not the Go
/// sources, tools, oracle outputs or hidden files), in path order.
pub fn sample_files() -> Vec<PathBuf> {
    walkdir::WalkDir::new(samples_dir())
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !name.starts_with('.')
                && (e.depth() != 1 || !matches!(name.as_ref(), "oracle" | "src" | "tools"))
        })
        .filter_map(Result::ok)
        .filter(|e| e.depth() >= 2 && e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect()
}
