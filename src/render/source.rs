//! Source lines and links for findings (`--source DIR`, `--source-url
//! TEMPLATE`): the data the exporters show, and the pure functions that make
//! it from a file's text. Reading the checkout is the CLI's job
//! (`crate::source`); nothing here touches the file system.
//!
//! Everything here may come from a dump (function names, file paths) or from
//! a checkout that may not be the version that was built: links are only
//! ever `http`/`https` URLs whose path and revision are percent-encoded, and
//! an excerpt says when its line does not look like the frame it belongs to.

use serde::Serialize;

/// Lines shown above and below the marked line.
pub const CONTEXT_LINES: u32 = 3;

/// Source shown for one frame.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FrameSource {
    /// What the frame is to the finding (`leak site`, `created by`,
    /// `allocation site`).
    pub role: &'static str,
    /// The frame's function (from the dump).
    pub function: String,
    /// The frame's file as the build recorded it (from the dump).
    pub frame_file: String,
    /// The frame's line.
    pub line: u32,
    /// Path relative to the source directory, when the file was found there.
    pub repo_path: Option<String>,
    /// Link to the line (`--source-url`, or the Go source for the standard
    /// library when the Go version is known).
    pub url: Option<String>,
    /// The lines around `line`, when the file was read.
    pub excerpt: Option<Excerpt>,
    /// What a reader must know: the file is missing, the line is past the
    /// end, or it does not look like this frame (a checkout of another
    /// version).
    pub warning: Option<String>,
}

/// A few lines of a source file around one line, like `pprof list`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Excerpt {
    /// Number of the first line shown.
    pub first_line: u32,
    /// The lines (without line ends), from `first_line` on.
    pub lines: Vec<String>,
    /// The marked line's number.
    pub marked: u32,
    /// Name of the Go function whose body holds the marked line
    /// (`(*Store).streamItems`), when found.
    pub enclosing: Option<String>,
}

/// Source and links of one finding.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FindingSource {
    /// The culprit (leak site or allocation site).
    pub culprit: FrameSource,
    /// The `go` statement that started the goroutines, when known.
    pub created_by: Option<FrameSource>,
    /// A link per frame of the finding's representative stack (same order as
    /// `Finding::stack_text`), `None` where there is none.
    pub stack_urls: Vec<Option<String>>,
}

/// Source information of a whole report, one entry per finding in rank
/// order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SourceInfo {
    /// The `--source` directory as the user named it, when given.
    pub dir: Option<String>,
    /// Per finding, same order as `Analysis::findings`.
    pub findings: Vec<FindingSource>,
}

/// A `--source-url` template: `{path}`, `{line}` and `{rev}` are replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTemplate {
    template: String,
    rev: String,
}

impl LinkTemplate {
    /// Checks a template: it must be an `http://` or `https://` URL, and use
    /// `{rev}` only when a revision is given.
    pub fn new(template: &str, rev: Option<&str>) -> Result<LinkTemplate, String> {
        let lower = template.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(format!(
                "--source-url must start with https:// or http:// (got {:?})",
                crate::text::visible(template)
            ));
        }
        if template
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("--source-url must not contain spaces or control characters".into());
        }
        if !template.contains("{path}") {
            return Err("--source-url needs {path} (and usually {line})".into());
        }
        if template.contains("{rev}") && rev.is_none() {
            return Err("--source-url uses {rev}: give the revision with --rev".into());
        }
        Ok(LinkTemplate {
            template: template.to_owned(),
            rev: rev.unwrap_or("").to_owned(),
        })
    }

    /// The link to `path` (relative to the repository) at `line`.
    pub fn url(&self, path: &str, line: u32) -> String {
        self.template
            .replace("{rev}", &encode(&self.rev, false))
            .replace("{line}", &line.to_string())
            .replace("{path}", &encode(path, true))
    }
}

/// Percent-encodes everything but unreserved characters (and `/` in paths):
/// no quote, angle bracket, space, parenthesis or `#` of a dump's path can
/// leave the URL's path.
pub fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && b == b'/');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The import path of a function's package: `net/http` for
/// `net/http.(*conn).serve`.
pub fn package_of(function: &str) -> &str {
    let slash = function.rfind('/').map_or(0, |i| i + 1);
    match function[slash..].find('.') {
        Some(dot) => &function[..slash + dot],
        None => function,
    }
}

/// A standard-library frame's path inside `$GOROOT/src` (`runtime/chan.go`),
/// or `None` for a frame of any other module. The package is standard when
/// its first path element has no dot (and it is not `main`); the file is
/// then `runtime/chan.go` with `-trimpath`, or `…/src/runtime/chan.go`
/// without (not always in the function's own package: `internal/poll`
/// functions live in `runtime/netpoll.go`).
pub fn std_path(function: &str, file: &str) -> Option<String> {
    let pkg = package_of(function);
    let first = pkg.split('/').next().unwrap_or("");
    if pkg.is_empty() || first.contains('.') || pkg == "main" || first.starts_with("0x") {
        return None;
    }
    let file = file.replace('\\', "/");
    let absolute = file.starts_with('/') || file.as_bytes().get(1) == Some(&b':');
    let rest = if absolute {
        &file[file.rfind("/src/")? + 5..]
    } else {
        file.as_str()
    };
    let comps: Vec<&str> = rest.split('/').collect();
    let ok = comps.len() >= 2
        && !comps[0].contains('.')
        && comps
            .iter()
            .all(|c| !c.is_empty() && *c != ".." && *c != ".");
    ok.then(|| rest.to_string())
}

/// A Go release name such as `go1.27.3`, `go1.26` or `go1.27rc1`.
pub fn is_go_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("go1.") else {
        return false;
    };
    let (nums, rc) = match rest.split_once("rc") {
        Some((n, rc)) => (n, Some(rc)),
        None => (rest, None),
    };
    let parts: Vec<&str> = nums.split('.').collect();
    let digits = |p: &str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    (1..=2).contains(&parts.len())
        && parts.iter().all(|p| digits(p))
        && rc.is_none_or(|r| digits(r) && parts.len() == 1)
}

/// The Go version in a GOROOT path, as toolchain downloads and
/// `golang.org/dl` lay them out (`…/toolchain@v0.0.1-go1.27.3.linux-amd64/src/…`,
/// `…/sdk/go1.27.3/src/…`).
pub fn go_version_in_path(file: &str) -> Option<String> {
    let head = &file[..file.rfind("/src/")?];
    for comp in head.rsplit('/') {
        for piece in comp.split(['-', '@']) {
            // `go1.27.3.linux` splits into go1 / 27 / 3 / linux.
            let segs: Vec<&str> = piece.split('.').collect();
            for n in (2..=segs.len().min(3)).rev() {
                let v = segs[..n].join(".");
                if is_go_version(&v) {
                    return Some(v);
                }
            }
        }
    }
    None
}

/// Link to a standard-library line in the Go repository at a release.
pub fn go_source_url(version: &str, std_path: &str, line: u32) -> String {
    format!(
        "https://github.com/golang/go/blob/{}/src/{}#L{line}",
        encode(version, false),
        encode(std_path, true)
    )
}

/// The name a Go `func` declaration gives the frame's function:
/// `(*Store).streamItems` → `streamItems`, `main.main.func1` → `main`.
/// `None` for package-level closures (`glob..func1`) and inits.
pub fn declared_name(function: &str) -> Option<&str> {
    let pkg = package_of(function);
    let rest = function.get(pkg.len() + 1..)?;
    let mut name = None;
    for seg in rest.split('.') {
        let closure = seg.starts_with("func") && seg[4..].bytes().all(|b| b.is_ascii_digit())
            || seg.bytes().all(|b| b.is_ascii_digit());
        if closure && name.is_some() {
            break;
        }
        if seg.starts_with('(') {
            continue;
        }
        name = Some(seg.split('[').next().unwrap_or(seg));
    }
    name.filter(|n| !n.is_empty() && *n != "glob" && !n.starts_with("init"))
}

/// The name of the function declared by a `func` line (`func (s *Store)
/// streamItems(` → `streamItems`).
fn func_decl_name(line: &str) -> Option<&str> {
    let mut rest = line.strip_prefix("func")?;
    if !rest.starts_with([' ', '(']) {
        return None;
    }
    rest = rest.trim_start();
    if rest.starts_with('(') {
        let close = rest.find(')')?;
        rest = rest[close + 1..].trim_start();
    }
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The name of the top-level function whose body holds `line` (1-based), or
/// `None` when the line is outside every function (a closing `}` at column
/// 0 comes first) or no declaration is found.
fn enclosing_function<'a>(lines: &[&'a str], line: usize) -> Option<&'a str> {
    for (i, l) in lines[..line].iter().enumerate().rev() {
        if let Some(name) = func_decl_name(l) {
            return Some(name);
        }
        if i + 1 < line && l.starts_with('}') {
            return None;
        }
    }
    None
}

/// Words a line of this kind of statement contains, and what to call it.
pub type Expect = (&'static [&'static str], &'static str);

/// Builds the excerpt of `text` around `line` for a frame of `function`, and
/// a warning when the line is past the end, lies in another function, or
/// lacks every word of `expect` (e.g. a blocked send whose line has no
/// `<-`): the sign of a checkout that is not the version that ran.
pub fn excerpt(
    text: &str,
    line: u32,
    function: &str,
    expect: Option<Expect>,
) -> (Option<Excerpt>, Option<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len() as u32;
    if line == 0 || line > n {
        return (
            None,
            Some(format!(
                "line {line} is past the end of the file ({n} lines): the checkout is not the version that ran"
            )),
        );
    }
    let first = line.saturating_sub(CONTEXT_LINES).max(1);
    let last = (line + CONTEXT_LINES).min(n);
    let enclosing = enclosing_function(&lines, line as usize);
    let ex = Excerpt {
        first_line: first,
        lines: lines[(first - 1) as usize..last as usize]
            .iter()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect(),
        marked: line,
        enclosing: enclosing.map(str::to_owned),
    };
    let text_at = lines[(line - 1) as usize];
    let mut warning = None;
    if let (Some(want), Some(found)) = (declared_name(function), enclosing)
        && want != found
    {
        warning = Some(format!(
            "line {line} is in func {found}, not in {want}: the checkout is not the version that ran"
        ));
    } else if let Some((words, what)) = expect
        && !words.iter().any(|w| text_at.contains(w))
    {
        warning = Some(format!(
            "line {line} does not look like {what}: the checkout may not be the version that ran"
        ));
    }
    (Some(ex), warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_http_only_and_escape_what_comes_from_a_dump() {
        assert!(LinkTemplate::new("javascript:alert(1)//{path}", None).is_err());
        assert!(LinkTemplate::new("file:///{path}", None).is_err());
        assert!(LinkTemplate::new("https://x/{rev}/{path}", None).is_err());
        let t = LinkTemplate::new(
            "https://github.com/acme/api/blob/{rev}/{path}#L{line}",
            Some("v1.2"),
        )
        .unwrap();
        assert_eq!(
            t.url("internal/store/store.go", 70),
            "https://github.com/acme/api/blob/v1.2/internal/store/store.go#L70"
        );
        assert_eq!(
            t.url("a b/\"><script>(x)#.go", 1),
            "https://github.com/acme/api/blob/v1.2/a%20b/%22%3E%3Cscript%3E%28x%29%23.go#L1"
        );
    }

    #[test]
    fn standard_library_frames_and_their_go_links() {
        assert_eq!(
            std_path("runtime.gopark", "runtime/proc.go").as_deref(),
            Some("runtime/proc.go")
        );
        assert_eq!(
            std_path(
                "runtime.chansend1",
                "/tmp/leakscope-build/go/src/runtime/chan.go"
            )
            .as_deref(),
            Some("runtime/chan.go")
        );
        assert_eq!(
            std_path(
                "net/http.(*conn).serve",
                "/usr/local/go/src/net/http/server.go"
            )
            .as_deref(),
            Some("net/http/server.go")
        );
        assert_eq!(std_path("main.main", "/src/main.go"), None);
        assert_eq!(
            std_path("internal/poll.runtime_pollWait", "runtime/netpoll.go").as_deref(),
            Some("runtime/netpoll.go")
        );
        assert_eq!(std_path("runtime.gopark", "proc.go"), None);
        assert_eq!(
            std_path(
                "example.com/acme/orders/internal/store.(*Store).streamItems",
                "example.com/acme/orders/internal/store/store.go"
            ),
            None
        );
        assert_eq!(
            go_version_in_path(
                "/home/ci/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.27.3.linux-amd64/src/runtime/chan.go"
            )
            .as_deref(),
            Some("go1.27.3")
        );
        assert_eq!(
            go_version_in_path("/home/ci/sdk/go1.26/src/runtime/chan.go").as_deref(),
            Some("go1.26")
        );
        assert_eq!(
            go_version_in_path("/usr/local/go/src/runtime/chan.go"),
            None
        );
        assert!(is_go_version("go1.27.3") && is_go_version("go1.27rc1"));
        assert!(!is_go_version("go1.27.3/../x") && !is_go_version("1.27"));
        assert_eq!(
            go_source_url("go1.27.3", "runtime/chan.go", 123),
            "https://github.com/golang/go/blob/go1.27.3/src/runtime/chan.go#L123"
        );
    }

    #[test]
    fn declared_names_of_methods_closures_and_generics() {
        assert_eq!(
            declared_name("example.com/acme/orders/internal/store.(*Store).streamItems"),
            Some("streamItems")
        );
        assert_eq!(declared_name("main.main.func1"), Some("main"));
        assert_eq!(declared_name("main.(*T).run.func2.1"), Some("run"));
        assert_eq!(declared_name("example.com/x.Map[...]"), Some("Map"));
        assert_eq!(declared_name("main.glob..func1"), None);
    }

    const SRC: &str = "package store\n\nfunc (s *Store) streamItems(ch chan<- int) {\n\tfor i := 0; i < 3; i++ {\n\t\tch <- i\n\t}\n}\n\nfunc other() {\n\treturn\n}\n";

    #[test]
    fn excerpt_marks_the_line_and_checks_it_belongs_to_the_frame() {
        let send = Some((&["<-"][..], "a channel send"));
        let (ex, warn) = excerpt(SRC, 5, "x/store.(*Store).streamItems", send);
        let ex = ex.unwrap();
        assert_eq!((ex.first_line, ex.marked, ex.lines.len()), (2, 5, 7));
        assert_eq!(ex.lines[3], "\t\tch <- i");
        assert_eq!(ex.enclosing.as_deref(), Some("streamItems"));
        assert_eq!(warn, None);
        // Same function, but the line is not a send: another version.
        let (_, warn) = excerpt(SRC, 4, "x/store.(*Store).streamItems", send);
        assert!(warn.unwrap().contains("does not look like a channel send"));
        // Another function.
        let (_, warn) = excerpt(SRC, 10, "x/store.(*Store).streamItems", None);
        assert!(warn.unwrap().contains("in func other, not in streamItems"));
        let (ex, warn) = excerpt(SRC, 99, "x/store.(*Store).streamItems", None);
        assert!(ex.is_none() && warn.unwrap().contains("past the end"));
    }
}
