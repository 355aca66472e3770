//! `--source DIR`: finds the files of a report's frames in the user's
//! checkout and reads the lines around them. This is the CLI's input side
//! (it reads files that are not dumps, only when asked to); the excerpts,
//! checks and links it builds are pure data for the exporters
//! ([`crate::render::source`]).
//!
//! A frame's file maps to the checkout in one of two ways:
//!
//! * `-trimpath` builds record `MODULE/PATH` (`example.com/acme/api/internal/store/store.go`):
//!   the module path read from `DIR/go.mod` is stripped and `DIR/PATH` read;
//! * other builds record the absolute build path
//!   (`/home/ci/src/api/internal/store/store.go`, `/go/src/…`, `/build/…`),
//!   which is unknown here: the longest path suffix of at least two
//!   components that exists under `DIR` is taken (`internal/store/store.go`).
//!   A one-component suffix (`proc.go`, `main.go`) is never enough.
//!
//! Standard-library frames never map to the checkout; they link to the Go
//! repository when the Go version is known (`--go-version`, or a versioned
//! GOROOT in the frames' paths).

use crate::analysis::{Analysis, Cause, Finding, FindingKind};
use crate::model::{Archive, FrameId, StackId};
use crate::render::source::{
    Expect, FindingSource, FrameSource, LinkTemplate, SourceInfo, excerpt, go_source_url,
    go_version_in_path, std_path,
};
use anyhow::{Context, Result, bail};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Largest source file read for an excerpt.
const MAX_SOURCE_BYTES: u64 = 8 << 20;

/// A checkout given with `--source`.
#[derive(Debug)]
pub struct SourceTree {
    root: PathBuf,
    label: String,
    module: Option<String>,
    texts: RefCell<HashMap<String, Option<String>>>,
}

impl SourceTree {
    /// Opens a checkout: `dir` must be a directory; its `go.mod` (if any)
    /// gives the module path.
    pub fn open(dir: &Path) -> Result<SourceTree> {
        if !dir.is_dir() {
            bail!("--source {}: not a directory", dir.display());
        }
        let module = match std::fs::read_to_string(dir.join("go.mod")) {
            Ok(text) => module_path(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read {}", dir.join("go.mod").display()));
            }
        };
        Ok(SourceTree {
            root: dir.to_path_buf(),
            label: dir.display().to_string(),
            module,
            texts: RefCell::new(HashMap::new()),
        })
    }

    /// The module path of the checkout's `go.mod`.
    pub fn module(&self) -> Option<&str> {
        self.module.as_deref()
    }

    fn is_file(&self, rel: &str) -> bool {
        self.root.join(rel).is_file()
    }

    /// The path inside the checkout of a frame's file, when it is there.
    pub fn map(&self, frame_file: &str) -> Option<String> {
        let file = frame_file.replace('\\', "/");
        let comps: Vec<&str> = file.split('/').filter(|c| !c.is_empty()).collect();
        if comps.iter().any(|c| *c == ".." || *c == ".") {
            return None;
        }
        if let Some(m) = &self.module
            && let Some(rest) = file.strip_prefix(&format!("{m}/"))
            && self.is_file(rest)
        {
            return Some(rest.to_string());
        }
        // Longest suffix first; never a single component.
        (0..comps.len().saturating_sub(1))
            .map(|start| comps[start..].join("/"))
            .find(|rel| self.is_file(rel))
    }

    /// The text of a file of the checkout (cached; lossy UTF-8).
    fn text(&self, rel: &str) -> Option<String> {
        if let Some(t) = self.texts.borrow().get(rel) {
            return t.clone();
        }
        let path = self.root.join(rel);
        let t = std::fs::metadata(&path)
            .ok()
            .filter(|m| m.len() <= MAX_SOURCE_BYTES)
            .and_then(|_| std::fs::read(&path).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        self.texts.borrow_mut().insert(rel.to_string(), t.clone());
        t
    }
}

/// The `module` line of a go.mod.
fn module_path(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let m = rest.split("//").next()?.trim().trim_matches('"');
        (!m.is_empty()).then(|| m.to_string())
    })
}

/// What a culprit line of this cause contains.
fn expect_for(f: &Finding) -> Option<Expect> {
    if f.kind == FindingKind::Heap {
        return None;
    }
    Some(match f.cause {
        Cause::ChanSend => (&["<-"][..], "a channel send"),
        Cause::ChanReceive => (&["<-", "range"][..], "a channel receive"),
        Cause::Select => (&["select"][..], "a select statement"),
        Cause::Mutex => (&["Lock"][..], "a Lock call"),
        Cause::Waitgroup => (&["Wait"][..], "a Wait call"),
        Cause::Cond => (&["Wait"][..], "a Wait call"),
        Cause::Sleep => (&["Sleep", "After", "Tick"][..], "a sleep"),
        _ => return None,
    })
}

/// What the report needs to show source and links.
pub struct Sources<'a> {
    /// `--source DIR`.
    pub tree: Option<&'a SourceTree>,
    /// `--source-url` (with `--rev`).
    pub links: Option<&'a LinkTemplate>,
    /// `--go-version`.
    pub go_version: Option<&'a str>,
}

impl Sources<'_> {
    /// Source and links of every finding of `analysis`, in rank order.
    pub fn collect(&self, archive: &Archive, analysis: &Analysis) -> SourceInfo {
        let go_version = self
            .go_version
            .map(str::to_owned)
            .or_else(|| detect_go_version(archive, analysis));
        let findings = analysis
            .findings
            .iter()
            .map(|f| self.finding(archive, f, go_version.as_deref()))
            .collect();
        SourceInfo {
            dir: self.tree.map(|t| t.label.clone()),
            findings,
        }
    }

    fn finding(&self, archive: &Archive, f: &Finding, go: Option<&str>) -> FindingSource {
        let role = match f.kind {
            FindingKind::Goroutine => "leak site",
            FindingKind::Heap => "allocation site",
        };
        let culprit = self.frame(role, &f.function, &f.file, f.line, expect_for(f), go);
        let created_by = f
            .stack
            .and_then(|st| created_by_frame(archive, st))
            .map(|fr| {
                let t = &archive.tables;
                let frame = t.frame(fr);
                self.frame(
                    "created by",
                    t.str(frame.function),
                    t.str(frame.file),
                    frame.line,
                    Some((&["go "][..], "a go statement")),
                    go,
                )
            });
        let stack_urls = match f.stack {
            Some(st) => archive
                .tables
                .stack(st)
                .iter()
                .map(|&fr| {
                    let t = &archive.tables;
                    let frame = t.frame(fr);
                    self.url(t.str(frame.function), t.str(frame.file), frame.line, go)
                })
                .collect(),
            None => Vec::new(),
        };
        FindingSource {
            culprit,
            created_by,
            stack_urls,
        }
    }

    /// The checkout path of a frame (never for the standard library).
    fn map(&self, function: &str, file: &str) -> Option<String> {
        if std_path(function, file).is_some() {
            return None;
        }
        self.tree?.map(file)
    }

    fn url(&self, function: &str, file: &str, line: u32, go: Option<&str>) -> Option<String> {
        if let Some(p) = std_path(function, file) {
            return go.map(|v| go_source_url(v, &p, line));
        }
        let links = self.links?;
        self.map(function, file).map(|p| links.url(&p, line))
    }

    fn frame(
        &self,
        role: &'static str,
        function: &str,
        file: &str,
        line: u32,
        expect: Option<Expect>,
        go: Option<&str>,
    ) -> FrameSource {
        let repo_path = self.map(function, file);
        let mut fs = FrameSource {
            role,
            function: function.to_string(),
            frame_file: file.to_string(),
            line,
            repo_path: repo_path.clone(),
            url: self.url(function, file, line, go),
            excerpt: None,
            warning: None,
        };
        let Some(tree) = self.tree else {
            return fs;
        };
        if std_path(function, file).is_some() || file.is_empty() {
            return fs;
        }
        match repo_path.and_then(|p| tree.text(&p).map(|t| (p, t))) {
            Some((_, text)) => {
                let (ex, warning) = excerpt(&text, line, function, expect);
                fs.excerpt = ex;
                fs.warning = warning;
            }
            None => {
                fs.warning = Some(match tree.module() {
                    Some(m) => format!(
                        "no file in {} matches this frame's file (module {m})",
                        tree.label
                    ),
                    None => format!("no file in {} matches this frame's file", tree.label),
                });
            }
        }
        fs
    }
}

/// The `created by` frame of the goroutines on `stack`, from the latest
/// snapshot that has one.
fn created_by_frame(archive: &Archive, stack: StackId) -> Option<FrameId> {
    archive.snapshots.iter().rev().find_map(|s| {
        s.goroutines
            .as_ref()?
            .groups
            .iter()
            .find(|g| g.stack == stack && g.created_by.is_some())?
            .created_by
    })
}

/// A Go version written in a standard-library frame's path (a versioned
/// GOROOT), if any finding's stack has one.
fn detect_go_version(archive: &Archive, analysis: &Analysis) -> Option<String> {
    let t = &archive.tables;
    analysis
        .findings
        .iter()
        .filter_map(|f| f.stack)
        .flat_map(|st| t.stack(st).iter())
        .find_map(|&fr| {
            let frame = t.frame(fr);
            let file = t.str(frame.file);
            std_path(t.str(frame.function), file)?;
            go_version_in_path(file)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_line_of_go_mod() {
        assert_eq!(
            module_path("// c\nmodule example.com/acme/orders // x\n\ngo 1.27\n").as_deref(),
            Some("example.com/acme/orders")
        );
        assert_eq!(module_path("module \"a.b/c\"\n").as_deref(), Some("a.b/c"));
        assert_eq!(module_path("modules x\n"), None);
    }
}
