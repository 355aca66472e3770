//! Capture targets: what the user typed (`URL`, `host:port`, `NAME=URL`)
//! turned into the pprof base URL and the folder name.

/// One process to capture from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Folder and file-name tag: `NAME` of `NAME=URL`, else `host_port`.
    pub name: String,
    /// The pprof base URL without a trailing slash, ending in
    /// `/debug/pprof` (`http://10.0.0.5:6060/debug/pprof`).
    pub base: String,
}

impl Target {
    /// The URL of one profile: `base` + `/` + `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}/{path_and_query}", self.base)
    }
}

/// Profile names a pasted URL may end with (`.../debug/pprof/heap`): the
/// base is then their parent.
const PROFILE_NAMES: [&str; 7] = [
    "heap",
    "allocs",
    "goroutine",
    "goroutineleak",
    "block",
    "mutex",
    "threadcreate",
];

/// Parses one target argument. Accepted: `http://host:port`,
/// `http://host:port/debug/pprof/` (a profile URL such as
/// `.../debug/pprof/heap` too), a path prefix before `/debug/pprof`
/// (`http://host/app/` → `http://host/app/debug/pprof`), a bare
/// `host:port` (http), `https://…` when built with the `https` feature, and
/// any of these as `NAME=URL`.
pub fn parse_target(spec: &str) -> Result<Target, String> {
    let (name, url) = match spec.split_once('=') {
        Some((n, u)) if !n.contains([':', '/']) => (Some(n), u),
        _ => (None, spec),
    };
    let url = url.trim();
    let with_scheme = if url.contains("://") {
        url.to_string()
    } else {
        format!("http://{url}")
    };
    let uri: ureq::http::Uri = with_scheme
        .parse()
        .map_err(|e| format!("{spec:?} is not a URL ({e})"))?;
    let scheme = uri.scheme_str().unwrap_or("").to_ascii_lowercase();
    match scheme.as_str() {
        "http" => {}
        "https" if cfg!(feature = "https") => {}
        "https" => {
            return Err(format!(
                "{spec:?}: this leakscope was built without the `https` feature; use http:// \
                 (or rebuild with `--features https`)"
            ));
        }
        other => {
            return Err(format!(
                "{spec:?}: only http:// and https:// URLs ({other}:// given)"
            ));
        }
    }
    let authority = uri
        .authority()
        .ok_or_else(|| format!("{spec:?} has no host"))?;
    if authority.as_str().contains('@') {
        return Err(format!("{spec:?}: credentials in URLs are not supported"));
    }
    if uri.query().is_some() {
        return Err(format!(
            "{spec:?}: give the base URL without a query (capture adds ?debug=2 and ?gc=1 itself)"
        ));
    }
    let host = authority.host();
    if host.is_empty() {
        return Err(format!("{spec:?} has no host"));
    }
    let port = authority
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    let mut path = uri.path().trim_end_matches('/').to_string();
    if let Some((parent, last)) = path.rsplit_once('/')
        && PROFILE_NAMES.contains(&last)
        && parent.ends_with("/debug/pprof")
    {
        path = parent.to_string();
    }
    if !path.ends_with("/debug/pprof") {
        path.push_str("/debug/pprof");
    }
    let base = format!("{scheme}://{}{path}", authority.as_str());
    let name = match name {
        Some(n) => check_name(n)?,
        None => sanitize(&format!("{}_{port}", host.trim_matches(['[', ']']))),
    };
    Ok(Target { name, base })
}

/// A `NAME` of `NAME=URL`: letters, digits, `.`, `_`, `-`; not hidden.
fn check_name(n: &str) -> Result<String, String> {
    let ok = !n.is_empty()
        && n.len() <= 100
        && !n.starts_with('.')
        && n.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
    if ok {
        Ok(n.to_string())
    } else {
        Err(format!(
            "target name {n:?}: use letters, digits, '.', '_' and '-' (not starting with '.')"
        ))
    }
}

/// `host_port` made safe as a folder name: anything but ASCII letters,
/// digits, `.` and `-` becomes `_`.
fn sanitize(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') {
        format!("_{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> (String, String) {
        let t = parse_target(s).unwrap_or_else(|e| panic!("{e}"));
        (t.name, t.base)
    }

    #[test]
    fn url_forms() {
        let want = (
            "10.0.0.5_6060".to_string(),
            "http://10.0.0.5:6060/debug/pprof".to_string(),
        );
        for s in [
            "http://10.0.0.5:6060",
            "http://10.0.0.5:6060/",
            "http://10.0.0.5:6060/debug/pprof",
            "http://10.0.0.5:6060/debug/pprof/",
            "http://10.0.0.5:6060/debug/pprof/heap",
            "10.0.0.5:6060",
            " HTTP://10.0.0.5:6060 ",
        ] {
            assert_eq!(t(s), want, "{s}");
        }
        assert_eq!(
            t("http://svc.local/app/"),
            (
                "svc.local_80".into(),
                "http://svc.local/app/debug/pprof".into()
            )
        );
        assert_eq!(
            t("http://[::1]:6060"),
            ("__1_6060".into(), "http://[::1]:6060/debug/pprof".into())
        );
        assert_eq!(
            t("pod-a=http://10.0.0.5:6060"),
            ("pod-a".into(), "http://10.0.0.5:6060/debug/pprof".into())
        );
        assert_eq!(
            t("pod-b=localhost:6061").1,
            "http://localhost:6061/debug/pprof"
        );
    }

    #[test]
    fn rejected() {
        for s in [
            "ftp://host:21",
            "http://host:6060/debug/pprof/heap?gc=1",
            "http://user:pw@host:6060",
            "../x=http://host:6060",
            ".hidden=http://host:6060",
            "http://",
        ] {
            assert!(parse_target(s).is_err(), "{s}");
        }
    }

    #[test]
    fn https_follows_the_feature() {
        let r = parse_target("https://host");
        if cfg!(feature = "https") {
            assert_eq!(r.map(|t| t.name), Ok("host_443".to_string()));
        } else {
            assert!(r.unwrap_err().contains("https"));
        }
    }

    #[test]
    fn profile_urls() {
        let target = parse_target("http://h:1").expect("parses");
        assert_eq!(
            target.url("goroutine?debug=2"),
            "http://h:1/debug/pprof/goroutine?debug=2"
        );
    }
}
