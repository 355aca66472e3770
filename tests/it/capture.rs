//! End-to-end tests of `leakscope capture`: the real binary fetches from
//! real HTTP servers started in this process on 127.0.0.1, serving real
//! dump bytes from samples/ (heap and goroutineleak profiles re-stamped
//! with the current time, as a live process would write them), and servers
//! that fail, stall mid-body or return HTML. Every run is bounded by
//! `--count`; every server sleep is bounded.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/chan-send-leak");

/// What a test server does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// net/http/pprof with real dumps; `leak`: also serves goroutineleak.
    Good { leak: bool },
    /// HTTP 500 on everything.
    Fail,
    /// Headers and the first bytes of a real dump, then nothing for 3 s.
    Stall,
    /// Stalls on heap like `Stall`, serves goroutine dumps like `Good`.
    StallHeap,
    /// HTTP 200 with an HTML page (`text/html` for heap, `text/plain` for
    /// the others, so both the header and the body check are exercised).
    Html,
}

/// Sample files of one kind, in name order.
fn sample_files(prefix: &str) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(SAMPLE)
        .expect("sample dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no {prefix}* in {SAMPLE}");
    paths
        .iter()
        .map(|p| std::fs::read(p).expect("read sample"))
        .collect()
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn get_varint(b: &[u8], i: &mut usize) -> u64 {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = b[*i];
        *i += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
    }
    v
}

/// A gzip profile.proto with `time_nanos` (field 9) set to now, as the
/// live process would write it: the top-level fields are copied on the wire
/// level except field 9, which is written anew.
fn restamp(gz: &[u8]) -> Vec<u8> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut raw)
        .expect("sample is gzip");
    let mut out = Vec::with_capacity(raw.len() + 12);
    let mut i = 0;
    while i < raw.len() {
        let start = i;
        let key = get_varint(&raw, &mut i);
        match key & 7 {
            0 => {
                get_varint(&raw, &mut i);
            }
            1 => i += 8,
            2 => {
                let len = get_varint(&raw, &mut i) as usize;
                i += len;
            }
            5 => i += 4,
            w => panic!("wire type {w} in a sample profile"),
        }
        if key >> 3 != 9 {
            out.extend_from_slice(&raw[start..i]);
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos() as u64;
    put_varint(&mut out, 9 << 3);
    put_varint(&mut out, now);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&out).expect("gzip");
    enc.finish().expect("gzip")
}

/// A running test server.
struct Server {
    addr: SocketAddr,
    /// Request targets (path and query) in arrival order.
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

struct Dumps {
    heap: Vec<Vec<u8>>,
    goroutine: Vec<Vec<u8>>,
    leak: Vec<Vec<u8>>,
    next: AtomicUsize,
}

fn start(mode: Mode) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(Mutex::new(Vec::new()));
    let dumps = Arc::new(Dumps {
        heap: sample_files("heap-"),
        goroutine: sample_files("goroutine-"),
        leak: sample_files("goroutineleak-"),
        next: AtomicUsize::new(0),
    });
    let log = Arc::clone(&requests);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let (log, dumps) = (Arc::clone(&log), Arc::clone(&dumps));
            std::thread::spawn(move || handle(conn, mode, &log, &dumps));
        }
    });
    Server { addr, requests }
}

fn respond(conn: &mut TcpStream, status: &str, ctype: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(body);
    let _ = conn.flush();
}

fn handle(mut conn: TcpStream, mode: Mode, log: &Mutex<Vec<String>>, dumps: &Dumps) {
    conn.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&req);
    let target = text.split(' ').nth(1).unwrap_or("").to_string();
    log.lock().expect("lock").push(target.clone());
    let path = target.split('?').next().unwrap_or("");
    let n = dumps.next.fetch_add(1, Ordering::SeqCst);
    let pick = |v: &[Vec<u8>]| v[n % v.len()].clone();
    let octet = "application/octet-stream";
    match mode {
        Mode::Fail => respond(
            &mut conn,
            "500 Internal Server Error",
            "text/plain",
            b"boom",
        ),
        Mode::Html => {
            let page = b"<!DOCTYPE html>\n<html><body>Sign in</body></html>\n";
            let ctype = if path.ends_with("/heap") {
                "text/html; charset=utf-8"
            } else {
                "text/plain"
            };
            respond(&mut conn, "200 OK", ctype, page);
        }
        Mode::StallHeap if path == "/debug/pprof/goroutine" => respond(
            &mut conn,
            "200 OK",
            "text/plain; charset=utf-8",
            &pick(&dumps.goroutine),
        ),
        Mode::Stall | Mode::StallHeap => {
            let body = if path.ends_with("/goroutine") {
                pick(&dumps.goroutine)
            } else {
                pick(&dumps.heap)
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {octet}\r\nContent-Length: {}\r\n\r\n",
                body.len() + 100_000
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&body[..body.len().min(64)]);
            let _ = conn.flush();
            std::thread::sleep(Duration::from_secs(3));
        }
        Mode::Good { leak } => match path {
            "/debug/pprof/heap" => {
                respond(&mut conn, "200 OK", octet, &restamp(&pick(&dumps.heap)))
            }
            "/debug/pprof/goroutine" if target.contains("debug=2") => respond(
                &mut conn,
                "200 OK",
                "text/plain; charset=utf-8",
                &pick(&dumps.goroutine),
            ),
            "/debug/pprof/goroutineleak" if leak => {
                respond(&mut conn, "200 OK", octet, &restamp(&pick(&dumps.leak)))
            }
            _ => respond(
                &mut conn,
                "404 Not Found",
                "text/plain",
                b"Unknown profile\n",
            ),
        },
    }
}

fn leakscope() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leakscope"));
    for v in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        c.env_remove(v);
    }
    c
}

fn run(args: &[&str]) -> Output {
    leakscope().args(args).output().expect("leakscope runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file (relative path) under `dir`, hidden ones included.
fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir)
        .iter()
        .map(|p| {
            p.strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn folder_name(s: &Server) -> String {
    format!("127.0.0.1_{}", s.addr.port())
}

/// The time in a capture file name (`…-2026-12-01T22-16-54.123Z-…`) as a
/// timestamp.
fn name_time(name: &str) -> jiff::Timestamp {
    let start = name.find("-20").expect("timestamp in name") + 1;
    let s = &name[start..start + 24];
    let fixed = format!("{}:{}:{}", &s[..13], &s[14..16], &s[17..]);
    fixed.parse().unwrap_or_else(|e| panic!("{fixed}: {e}"))
}

fn inspect(dir: &Path) -> Value {
    let out = run(&["inspect", dir.to_str().expect("utf8"), "--json", "-", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("inspect JSON")
}

#[test]
fn captures_replicas_into_one_folder_each_in_time_order() {
    let a = start(Mode::Good { leak: true });
    let b = start(Mode::Good { leak: false });
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("dumps");
    let out = run(&[
        "capture",
        &a.url(),
        &format!("{}/debug/pprof/", b.url()),
        dir.to_str().expect("utf8"),
        "--every",
        "500ms",
        "--count",
        "3",
        "--timeout",
        "10s",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("leakscope capture done"), "{err}");
    assert_eq!(
        err.matches("goroutineleak not served").count(),
        1,
        "said once: {err}"
    );

    let (fa, fb) = (folder_name(&a), folder_name(&b));
    let all = files(&dir);
    assert!(
        all.iter()
            .all(|f| f.starts_with(&format!("{fa}/")) || f.starts_with(&format!("{fb}/"))),
        "{all:?}"
    );
    assert!(
        !all.iter().any(|f| f.contains("/.")),
        "no temporary file left: {all:?}"
    );
    let count = |folder: &str, kind: &str| {
        all.iter()
            .filter(|f| f.starts_with(&format!("{folder}/{kind}-2")))
            .count()
    };
    assert_eq!(
        [
            count(&fa, "heap"),
            count(&fa, "goroutine"),
            count(&fa, "goroutineleak")
        ],
        [3, 3, 3],
        "{all:?}"
    );
    assert_eq!(
        [
            count(&fb, "heap"),
            count(&fb, "goroutine"),
            count(&fb, "goroutineleak")
        ],
        [3, 3, 0],
        "{all:?}"
    );
    // Heap fetched with a forced GC; goroutineleak asked once on b.
    assert!(a.requests().iter().any(|r| r == "/debug/pprof/heap?gc=1"));
    assert!(
        a.requests()
            .iter()
            .any(|r| r == "/debug/pprof/goroutine?debug=2")
    );
    assert_eq!(
        b.requests()
            .iter()
            .filter(|r| r.starts_with("/debug/pprof/goroutineleak"))
            .count(),
        1
    );

    // Names carry the folder's host tag, and name order is time order.
    for folder in [&fa, &fb] {
        let names: Vec<&str> = all
            .iter()
            .filter_map(|f| f.strip_prefix(&format!("{folder}/")))
            .filter(|n| n.starts_with("goroutine-"))
            .collect();
        assert!(
            names.iter().all(|n| n.contains(folder.as_str())),
            "{names:?}"
        );
        let times: Vec<_> = names.iter().map(|n| name_time(n)).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        let gap = times[2].duration_since(times[0]);
        assert!(
            gap >= jiff::SignedDuration::from_millis(500),
            "ticks 500ms apart: {gap:?}"
        );
    }

    // inspect reads every file; goroutine times come from the names, heap
    // times from the profiles; each tick is one moment.
    for folder in [&fa, &fb] {
        let inv = inspect(&dir.join(folder));
        let snaps = inv["snapshots"].as_array().expect("snapshots");
        let expected = if folder == &fa { 9 } else { 6 };
        assert_eq!(snaps.len(), expected, "{inv}");
        assert!(
            inv["skipped"].as_array().is_none_or(|s| s.is_empty()),
            "{inv}"
        );
        let mut moments: BTreeMap<String, u64> = BTreeMap::new();
        for s in snaps {
            let path = s["path"].as_str().expect("path");
            let source = s["time_source"].as_str().expect("source");
            let tick = path
                .rsplit('-')
                .next()
                .expect("tick")
                .split('.')
                .next()
                .expect("n");
            let m = s["moment"].as_u64().expect("moment");
            assert_eq!(
                *moments.entry(tick.to_string()).or_insert(m),
                m,
                "{path}: one moment per tick"
            );
            if path.starts_with("goroutine-") {
                assert_eq!(source, "file-name", "{s}");
                let t: jiff::Timestamp =
                    s["time"].as_str().expect("time").parse().expect("rfc3339");
                assert_eq!(t, name_time(path), "{s}");
            } else {
                assert_eq!(source, "profile", "{s}");
            }
            assert_eq!(s["warnings"].as_array().map(Vec::len), Some(0), "{s}");
        }
        let ordered: Vec<u64> = moments.values().copied().collect();
        assert_eq!(ordered, [0, 1, 2], "ticks in order: {moments:?}");
    }

    // And report works on a folder.
    let html = tmp.path().join("r.html");
    let rep = run(&[
        "report",
        dir.join(&fa).to_str().expect("utf8"),
        "-o",
        html.to_str().expect("utf8"),
        "--json",
        "-",
        "-q",
    ]);
    assert_eq!(rep.status.code(), Some(0), "{}", stderr(&rep));
    let json: Value = serde_json::from_slice(&rep.stdout).expect("report JSON");
    assert!(json.is_object());
    assert!(std::fs::metadata(&html).expect("report written").len() > 1000);

    // A second capture into the same folder continues the tick numbers.
    let again = run(&[
        "capture",
        &a.url(),
        dir.to_str().expect("utf8"),
        "--count",
        "1",
        "--profiles",
        "goroutine",
        "-q",
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let later = files(&dir.join(&fa));
    assert!(later.iter().any(|f| f.ends_with("-0004.txt")), "{later:?}");
}

#[test]
fn failures_are_logged_retried_and_never_saved() {
    let good = start(Mode::Good { leak: false });
    let fail = start(Mode::Fail);
    let stall = start(Mode::Stall);
    let html = start(Mode::Html);
    let gone = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("dumps");
    let out = run(&[
        "capture",
        &format!("ok={}", good.url()),
        &format!("fail={}", fail.url()),
        &format!("stall={}", stall.url()),
        &format!("html={}", html.url()),
        &format!("gone=http://{gone}"),
        dir.to_str().expect("utf8"),
        "--every",
        "1s",
        "--count",
        "3",
        "--timeout",
        "400ms",
        "--profiles",
        "heap,goroutine",
    ]);
    let err = stderr(&out);
    // Some targets gave nothing: exit 2, documented.
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no dump saved from fail, stall, html, gone"),
        "{err}"
    );
    assert!(err.contains("heap failed (HTTP 500)"), "{err}");
    assert!(err.contains("timed out after 400ms"), "{err}");
    assert!(err.contains("an HTML page, not a dump"), "{err}");
    assert!(
        err.contains("gone #3: unreachable (connection refused)"),
        "{err}"
    );
    assert!(
        !err.contains("Sign in") && !err.contains("boom"),
        "bodies never quoted: {err}"
    );
    // The failing server was asked again on every tick.
    let asked = fail
        .requests()
        .iter()
        .filter(|r| r.starts_with("/debug/pprof/heap"))
        .count();
    assert_eq!(asked, 3, "{:?}", fail.requests());
    assert_eq!(
        html.requests()
            .iter()
            .filter(|r| r.starts_with("/debug/pprof/goroutine"))
            .count(),
        3
    );

    let all = files(&dir);
    let ok: Vec<&String> = all.iter().filter(|f| f.starts_with("ok/")).collect();
    assert_eq!(ok.len(), 6, "{all:?}");
    assert_eq!(all.len(), 6, "nothing saved from the bad servers: {all:?}");
    for bad in ["fail", "stall", "html", "gone"] {
        assert!(dir.join(bad).is_dir(), "{bad} folder made");
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_removes_partial_files() {
    let stall = start(Mode::StallHeap);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("dumps");
    let mut child = leakscope()
        .args([
            "capture",
            &format!("stall={}", stall.url()),
            dir.to_str().expect("utf8"),
            "--every",
            "100ms",
            "--for",
            "0",
            "--timeout",
            "30s",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait until a dump is saved and the stalled fetch has its partial file.
    let t0 = Instant::now();
    loop {
        let all = if dir.exists() {
            files(&dir)
        } else {
            Vec::new()
        };
        let saved = all.iter().any(|f| f.starts_with("stall/goroutine-"));
        let partial = all
            .iter()
            .any(|f| f.starts_with("stall/.") && f.ends_with(".part"));
        if saved && partial {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "no progress: {all:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let t1 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if t1.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("capture did not stop after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    // Interrupting is the normal end of an open-ended capture: exit 0.
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("leakscope capture interrupted"), "{err}");
    let all = files(&dir);
    assert!(
        !all.iter().any(|f| f.contains("/.")),
        "partial file removed: {all:?}"
    );
    assert!(!all.iter().any(|f| f.starts_with("stall/heap-")), "{all:?}");
    assert!(
        all.iter().any(|f| f.starts_with("stall/goroutine-")),
        "{all:?}"
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path().to_str().expect("utf8");
    for args in [
        vec!["capture", "ftp://127.0.0.1:1", d],
        vec![
            "capture",
            "http://127.0.0.1:1",
            "http://127.0.0.1:1/debug/pprof",
            d,
        ],
        vec!["capture", "http://127.0.0.1:1", d, "--every", "0"],
        vec!["capture", "http://127.0.0.1:1", d, "--every", "soon"],
        vec!["capture", d],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(files(tmp.path()).is_empty(), "{args:?} wrote nothing");
    }
}
