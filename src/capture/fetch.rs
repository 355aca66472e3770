//! One HTTP fetch of one profile: status and content checked, body
//! streamed to a hidden temporary file, renamed into place only when
//! complete and plausible.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A profile capture fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `/debug/pprof/heap`: gzip(profile.proto).
    Heap,
    /// `/debug/pprof/goroutine?debug=2`: text, every goroutine.
    Goroutine,
    /// `/debug/pprof/goroutineleak`: gzip(profile.proto).
    GoroutineLeak,
}

impl Kind {
    /// The file-name prefix and the profile name in logs.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Heap => "heap",
            Kind::Goroutine => "goroutine",
            Kind::GoroutineLeak => "goroutineleak",
        }
    }

    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Kind::Goroutine => "txt",
            Kind::Heap | Kind::GoroutineLeak => "pb.gz",
        }
    }

    /// Path and query below `/debug/pprof/`.
    pub fn path_and_query(self, gc: bool) -> &'static str {
        match self {
            Kind::Heap if gc => "heap?gc=1",
            Kind::Heap => "heap",
            Kind::Goroutine => "goroutine?debug=2",
            Kind::GoroutineLeak => "goroutineleak",
        }
    }

    /// Whether the first bytes of a response are this kind of dump; the
    /// reason when not. Never quotes the body.
    pub fn check_prefix(self, head: &[u8]) -> Result<(), &'static str> {
        if head.is_empty() {
            return Err("empty response");
        }
        let trimmed = head.trim_ascii_start();
        if trimmed.starts_with(b"<") {
            return Err("an HTML page, not a dump");
        }
        match self {
            Kind::Heap | Kind::GoroutineLeak if head.starts_with(&[0x1f, 0x8b]) => Ok(()),
            Kind::Heap | Kind::GoroutineLeak => Err("not a gzip-compressed profile"),
            Kind::Goroutine
                if head.starts_with(b"goroutine ")
                    && head.get(10).is_some_and(u8::is_ascii_digit) =>
            {
                Ok(())
            }
            Kind::Goroutine => Err("not a goroutine dump (debug=2)"),
        }
    }
}

/// How one fetch ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    /// Saved to the final path, this many bytes.
    Saved(u64),
    /// HTTP 404: the process does not serve this profile.
    NotFound,
    /// Failed; a short reason (status, timeout, …), never the body.
    Failed(String),
    /// No connection (refused, host not found, …): the other profiles of
    /// this tick are not tried either.
    Unreachable(String),
    /// Capture is stopping; nothing saved.
    Stopped,
}

/// Temporary files being written, so an interrupted capture removes them.
/// Once [`Temps::shutdown`] ran, no new temporary file is created and
/// unfinished ones are never renamed into place.
#[derive(Debug, Default)]
pub struct Temps {
    state: Mutex<TempState>,
}

#[derive(Debug, Default)]
struct TempState {
    stopped: bool,
    paths: HashSet<PathBuf>,
}

impl Temps {
    fn lock(&self) -> std::sync::MutexGuard<'_, TempState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Creates `path`, or None after shutdown.
    fn create(&self, path: &Path) -> Option<io::Result<File>> {
        let mut st = self.lock();
        if st.stopped {
            return None;
        }
        let file = File::create(path);
        if file.is_ok() {
            st.paths.insert(path.to_path_buf());
        }
        Some(file)
    }

    /// Renames a finished temporary file into place; false when it was
    /// removed by shutdown meanwhile.
    fn commit(&self, tmp: &Path, dest: &Path) -> io::Result<bool> {
        let mut st = self.lock();
        if !st.paths.remove(tmp) {
            return Ok(false);
        }
        std::fs::rename(tmp, dest).inspect_err(|_| {
            let _ = std::fs::remove_file(tmp);
        })?;
        Ok(true)
    }

    /// Removes a temporary file that will not be committed.
    fn discard(&self, tmp: &Path) {
        let mut st = self.lock();
        st.paths.remove(tmp);
        let _ = std::fs::remove_file(tmp);
    }

    /// Removes every unfinished temporary file and refuses new ones.
    pub fn shutdown(&self) {
        let mut st = self.lock();
        st.stopped = true;
        for p in st.paths.drain() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// What one fetch needs besides the URL.
#[derive(Debug)]
pub struct FetchCtx<'a> {
    /// The HTTP client (its timeout bounds the whole fetch, body included).
    pub agent: &'a ureq::Agent,
    /// The configured timeout, for messages.
    pub timeout: Duration,
    /// Largest body saved.
    pub max_bytes: u64,
    /// Set when capture stops.
    pub stop: &'a AtomicBool,
    /// Temporary files in flight.
    pub temps: &'a Temps,
}

/// Fetches `url` as `kind` into `dest` (atomically, via a hidden
/// temporary file next to it).
pub fn fetch(ctx: &FetchCtx<'_>, url: &str, kind: Kind, dest: &Path) -> Fetched {
    let resp = match ctx.agent.get(url).call() {
        Ok(r) => r,
        Err(e @ ureq::Error::Timeout(_)) => return Fetched::Failed(describe_ureq(&e, ctx.timeout)),
        Err(e) => return Fetched::Unreachable(describe_ureq(&e, ctx.timeout)),
    };
    let status = resp.status().as_u16();
    if status == 404 {
        return Fetched::NotFound;
    }
    if status != 200 {
        return Fetched::Failed(format!("HTTP {status}"));
    }
    let html = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"));
    if html {
        return Fetched::Failed("an HTML page, not a dump".into());
    }
    let mut body = resp.into_body().into_reader();
    let mut head = [0u8; 16];
    let head_len = match read_up_to(&mut body, &mut head) {
        Ok(n) => n,
        Err(e) => return Fetched::Failed(describe_io(&e, ctx.timeout)),
    };
    if let Err(why) = kind.check_prefix(&head[..head_len]) {
        return Fetched::Failed(why.to_string());
    }
    if ctx.stop.load(Ordering::SeqCst) {
        return Fetched::Stopped;
    }
    let tmp = temp_path(dest);
    let mut file = match ctx.temps.create(&tmp) {
        None => return Fetched::Stopped,
        Some(Ok(f)) => f,
        Some(Err(e)) => return Fetched::Failed(format!("cannot write {}: {e}", tmp.display())),
    };
    match copy_body(ctx, &head[..head_len], &mut body, &mut file) {
        Ok(Some(n)) => {
            drop(file);
            match ctx.temps.commit(&tmp, dest) {
                Ok(true) => Fetched::Saved(n),
                Ok(false) => Fetched::Stopped,
                Err(e) => Fetched::Failed(format!("cannot rename into {}: {e}", dest.display())),
            }
        }
        Ok(None) => {
            ctx.temps.discard(&tmp);
            Fetched::Stopped
        }
        Err(why) => {
            ctx.temps.discard(&tmp);
            Fetched::Failed(why)
        }
    }
}

/// `dir/.name.part`: hidden, so a report run during capture skips it.
fn temp_path(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.part"))
}

/// Reads until `buf` is full or the body ends.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Copies the body to `out`; Some(bytes) when complete, None when capture
/// stopped, Err(reason) on failure or when over the size limit.
fn copy_body(
    ctx: &FetchCtx<'_>,
    head: &[u8],
    body: &mut impl Read,
    out: &mut File,
) -> Result<Option<u64>, String> {
    let write_err = |e: io::Error| format!("cannot write the dump: {e}");
    out.write_all(head).map_err(write_err)?;
    let mut total = head.len() as u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if ctx.stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        let k = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(describe_io(&e, ctx.timeout)),
        };
        total += k as u64;
        if total > ctx.max_bytes {
            return Err(format!(
                "larger than --max-size ({} bytes); not saved",
                ctx.max_bytes
            ));
        }
        out.write_all(&buf[..k]).map_err(write_err)?;
    }
    out.flush().map_err(write_err)?;
    Ok(Some(total))
}

fn timed_out(timeout: Duration) -> String {
    format!(
        "timed out after {} (--timeout)",
        humantime::format_duration(timeout)
    )
}

/// A short reason for a failed request.
fn describe_ureq(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => timed_out(timeout),
        ureq::Error::Io(io) => describe_io(io, timeout),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        other => first_line(&other.to_string()),
    }
}

/// A short reason for a failed read.
fn describe_io(e: &io::Error, timeout: Duration) -> String {
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
        return describe_ureq(inner, timeout);
    }
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => timed_out(timeout),
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::ConnectionReset => "connection reset".into(),
        io::ErrorKind::UnexpectedEof => "connection closed before the end of the response".into(),
        _ => first_line(&e.to_string()),
    }
}

/// At most 200 characters of the first line.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(Kind::Heap.check_prefix(&[0x1f, 0x8b, 8, 0]), Ok(()));
        assert!(Kind::Heap.check_prefix(b"heap profile: 1: 2").is_err());
        assert_eq!(
            Kind::Goroutine.check_prefix(b"  <!DOCTYPE html>"),
            Err("an HTML page, not a dump")
        );
        assert_eq!(
            Kind::Goroutine.check_prefix(b"goroutine 1 [running]:"),
            Ok(())
        );
        assert!(
            Kind::Goroutine
                .check_prefix(b"goroutine profile: total 3")
                .is_err()
        );
        assert_eq!(Kind::GoroutineLeak.check_prefix(b""), Err("empty response"));
        assert!(
            Kind::GoroutineLeak
                .check_prefix(b"Unknown profile")
                .is_err()
        );
    }

    #[test]
    fn paths() {
        assert_eq!(Kind::Heap.path_and_query(true), "heap?gc=1");
        assert_eq!(Kind::Heap.path_and_query(false), "heap");
        assert_eq!(Kind::Goroutine.path_and_query(true), "goroutine?debug=2");
        assert_eq!(
            temp_path(Path::new("d/heap-x.pb.gz")),
            Path::new("d/.heap-x.pb.gz.part")
        );
    }

    #[test]
    fn temps_after_shutdown() {
        let dir = tempfile::tempdir().expect("tempdir");
        let temps = Temps::default();
        let a = dir.path().join(".a.part");
        let file = temps.create(&a).expect("not stopped").expect("created");
        drop(file);
        temps.shutdown();
        assert!(!a.exists(), "shutdown removes unfinished files");
        assert!(temps.create(&dir.path().join(".b.part")).is_none());
        assert!(!temps.commit(&a, &dir.path().join("a")).expect("no error"));
        assert!(!dir.path().join("a").exists());
    }
}
