//! Hostile and broken input, end to end through the real `leakscope` binary.
//!
//! The adversarial corpus is generated here into temporary directories (no
//! big files are committed): gzip bombs, truncated and bit-flipped files,
//! random bytes, empty files, a 100,000-frame stack, a 64 MB line, invalid
//! UTF-8, CRLF and BOM variants, an HTML error page named `.pb.gz`, symlink
//! cycles, unreadable files, thousands of non-dump files, colliding and
//! backwards clocks, and dumps of two processes. It runs beside a copy of a
//! real sample archive (`samples/chan-send-leak`).
//!
//! Every run asserts: the documented exit code, no panic, bounded peak memory
//! (max RSS below [`RSS_BOUND_KIB`], measured with `/usr/bin/time -f %M`, or
//! by polling `/proc/PID/status` `VmHWM` when that is missing), every file of
//! the input either used or skipped with a reason, and the real archive's
//! verdict and findings unchanged next to junk. The limit tests back each
//! claim of `docs/limits.md`.

use crate::util::{BIN, gzip, sample};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Peak memory allowed for one run, in KiB (1 GiB).
const RSS_BOUND_KIB: u64 = 1 << 20;

/// `--max-decompressed-size` used with the gzip bombs (32 MiB).
const BOMB_LIMIT: u64 = 32 << 20;

/// The real archive run beside the junk.
const REAL: &str = "chan-send-leak";

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

/// One finished run of `leakscope`.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// The JSON summary (`report --json`) or inventory (`inspect --json`).
    json: Value,
    /// Peak resident memory in KiB, when it could be measured.
    max_rss_kib: Option<u64>,
    elapsed: Duration,
}

impl Run {
    /// Fails unless the run ended with `code` and did not panic.
    fn expect_code(&self, code: i32) -> &Self {
        assert!(
            !self.stderr.contains("panicked"),
            "leakscope panicked:\n{}",
            self.stderr
        );
        assert_eq!(
            self.code,
            Some(code),
            "exit status; stderr:\n{}",
            self.stderr
        );
        for s in self.json["skipped"].as_array().into_iter().flatten() {
            let reason = s["reason"].as_str().unwrap_or_default();
            assert!(!reason.trim().is_empty(), "empty skip reason: {s}");
            assert!(
                !reason.contains("internal error"),
                "a parser panicked on {}: {reason}",
                s["path"]
            );
        }
        self
    }

    /// Fails when the measured peak memory is over [`RSS_BOUND_KIB`].
    fn expect_rss_bounded(&self) -> &Self {
        match self.max_rss_kib {
            Some(kib) => assert!(
                kib < RSS_BOUND_KIB,
                "peak RSS {kib} KiB over the bound of {RSS_BOUND_KIB} KiB"
            ),
            None => eprintln!("note: peak RSS could not be measured"),
        }
        self
    }

    /// The skip reason of `path`, if it was skipped.
    fn reason(&self, path: &str) -> Option<&str> {
        self.json["skipped"]
            .as_array()?
            .iter()
            .find(|s| s["path"] == path)
            .and_then(|s| s["reason"].as_str())
    }

    /// The snapshot read from `path`, if it was used.
    fn snapshot(&self, path: &str) -> Option<&Value> {
        self.json["snapshots"]
            .as_array()?
            .iter()
            .find(|s| s["path"] == path)
    }

    /// Fails unless `path` was skipped with a reason containing `part`.
    fn expect_skipped(&self, path: &str, part: &str) -> &Self {
        let reason = self
            .reason(path)
            .unwrap_or_else(|| panic!("{path} was not skipped"));
        assert!(
            reason.contains(part),
            "{path} skipped for {reason:?}, expected {part:?}"
        );
        self
    }

    /// Every path the output accounts for: used or skipped.
    fn accounted(&self) -> BTreeSet<String> {
        ["snapshots", "skipped"]
            .iter()
            .flat_map(|k| self.json[*k].as_array().into_iter().flatten())
            .filter_map(|s| s["path"].as_str().map(str::to_owned))
            .collect()
    }

    /// Fails unless every file under `dir` is used or skipped.
    fn expect_every_file_accounted(&self, dir: &Path) -> &Self {
        let on_disk = files_in(dir);
        let accounted = self.accounted();
        let missing: Vec<&String> = on_disk.difference(&accounted).collect();
        assert!(
            missing.is_empty(),
            "{} file(s) neither used nor skipped, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        self
    }

    /// (kind, cause, function, severity) of every finding, in rank order.
    fn findings(&self) -> Vec<(String, String, String, String)> {
        self.json["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                (s("kind"), s("cause"), s("function"), s("severity"))
            })
            .collect()
    }

    fn notes(&self) -> Vec<String> {
        self.json["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect()
    }
}

/// Runs `leakscope report INPUT --json OUT ARGS…` (HTML and Markdown written
/// too), measuring peak memory.
fn report(input: &Path, args: &[&str]) -> Run {
    let out = tempfile::tempdir().expect("output dir");
    let file = |name: &str| out.path().join(name).display().to_string();
    let head = [
        "report".to_string(),
        input.display().to_string(),
        "-o".into(),
        file("report.html"),
        "--markdown".into(),
        file("report.md"),
    ];
    run_with_json(&head, &out.path().join("summary.json"), args)
}

/// Runs `leakscope inspect INPUT --json OUT ARGS…`.
fn inspect(input: &Path, args: &[&str]) -> Run {
    let out = tempfile::tempdir().expect("output dir");
    let head = ["inspect".to_string(), input.display().to_string()];
    run_with_json(&head, &out.path().join("inventory.json"), args)
}

/// Runs the binary with `head`, `--json JSON` and `args`.
fn run_with_json(head: &[String], json: &Path, args: &[&str]) -> Run {
    let mut full = head.to_vec();
    full.extend(["--json".to_string(), json.display().to_string()]);
    full.extend(args.iter().map(|a| a.to_string()));
    run(&full, json)
}

/// Runs the binary with `args`; reads the JSON it wrote to `json`.
fn run(args: &[String], json: &Path) -> Run {
    let bin = BIN;
    let time = Path::new("/usr/bin/time");
    let rss_file = tempfile::NamedTempFile::new().expect("rss file");
    let mut cmd = if time.is_file() {
        let mut c = Command::new(time);
        c.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(rss_file.path())
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("start leakscope");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    // Without /usr/bin/time, poll the child's high-water mark.
    let mut polled: Option<u64> = None;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if !time.is_file()
            && let Some(kib) = vm_hwm_kib(child.id())
        {
            polled = Some(polled.map_or(kib, |p| p.max(kib)));
        }
        if start.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("leakscope did not finish in 300 s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&t_out.join().expect("stdout")).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().expect("stderr")).into_owned();
    let max_rss_kib = if time.is_file() {
        std::fs::read_to_string(rss_file.path())
            .ok()
            .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
    } else {
        polled
    };
    let json = std::fs::read(json)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    Run {
        code: status.code(),
        stdout,
        stderr,
        json,
        max_rss_kib,
        elapsed,
    }
}

/// `VmHWM` of a running process, in KiB (Linux).
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

// ---------------------------------------------------------------------------
// Corpus helpers
// ---------------------------------------------------------------------------

/// Copies the files of `src` (recursively) into `dst`.
fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for e in std::fs::read_dir(src).expect("read sample dir").flatten() {
        let to = dst.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).expect("copy sample");
        }
    }
}

/// Files of a sample archive whose name contains `part`, sorted.
fn sample_files(dir: &Path, part: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read sample dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.to_string_lossy().contains(part))
        .collect();
    v.sort();
    v
}

/// Every file under `dir` as a `/`-separated relative path, lossily decoded:
/// regular files and symlinks (not followed), leaving out `.git`.
fn files_in(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                if e.file_name() != ".git" {
                    walk(root, &p, out);
                }
                continue;
            }
            let rel = p.strip_prefix(root).expect("under root");
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.insert(parts.join("/"));
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// A small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// gunzip of `data` (all members).
fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// A gzip file that inflates to `total` zero bytes: one compressed member of
/// 1 MiB of zeros repeated (gzip allows concatenated members), so a 4 GiB
/// bomb costs about 4 MB and no time to build.
fn gzip_bomb(total: u64) -> Vec<u8> {
    let member = gzip(&vec![0u8; 1 << 20]);
    let n = (total >> 20) as usize;
    let mut out = Vec::with_capacity(member.len() * n);
    for _ in 0..n {
        out.extend_from_slice(&member);
    }
    out
}

/// Reads a protobuf varint at `*i`.
fn varint(b: &[u8], i: &mut usize) -> u64 {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = b[*i];
        *i += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            break;
        }
    }
    v
}

/// Appends a protobuf varint.
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The top-level fields of a protobuf message: (field number, the value
/// of a varint field, the bytes of the whole field).
fn top_fields(raw: &[u8]) -> Vec<(u64, Option<u64>, std::ops::Range<usize>)> {
    let mut fields = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let start = i;
        let key = varint(raw, &mut i);
        let (field, wire) = (key >> 3, key & 7);
        let mut value = None;
        match wire {
            0 => value = Some(varint(raw, &mut i)),
            1 => i += 8,
            2 => {
                let n = varint(raw, &mut i) as usize;
                i += n;
            }
            5 => i += 4,
            _ => panic!("unexpected wire type {wire} in a sample profile"),
        }
        fields.push((field, value, start..i));
    }
    fields
}

/// Reads `time_nanos` (field 9) of a gzip-compressed profile.
fn profile_time(gz: &[u8]) -> i64 {
    top_fields(&gunzip(gz))
        .into_iter()
        .find_map(|(field, value, _)| (field == 9).then_some(value).flatten())
        .expect("no time_nanos in the sample profile") as i64
}

/// A copy of a gzip-compressed profile with `time_nanos` (field 9) set to
/// `time`: every other top-level field is kept byte for byte.
fn with_profile_time(gz: &[u8], time: i64) -> Vec<u8> {
    let raw = gunzip(gz);
    let mut out = Vec::with_capacity(raw.len() + 12);
    for (field, _, bytes) in top_fields(&raw) {
        if field != 9 {
            out.extend_from_slice(&raw[bytes]);
        }
    }
    put_varint(&mut out, 9 << 3);
    put_varint(&mut out, time as u64);
    gzip(&out)
}

/// `\n` → `\r\n`.
fn crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 20);
    for &b in text {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// A `debug=2` dump with one goroutine whose stack has `depth` frames.
fn deep_stack_dump(depth: usize) -> Vec<u8> {
    let mut s = String::with_capacity(depth * 48 + 200);
    s.push_str("goroutine 1 [running]:\n");
    for i in 0..depth {
        s.push_str("main.recurse(0x");
        s.push_str(&format!("{:x}", i));
        s.push_str(")\n\t/src/app/recurse.go:12 +0x2f\n");
    }
    s.push_str("main.main()\n\t/src/app/main.go:8 +0x1d\n\n");
    s.push_str("goroutine 2 [chan receive]:\nmain.worker()\n\t/src/app/main.go:20 +0x10\n");
    s.push_str("created by main.main in goroutine 1\n\t/src/app/main.go:9 +0x25\n");
    s.into_bytes()
}

/// The reference result of the real archive on its own.
fn baseline(real: &Path) -> (String, Vec<(String, String, String, String)>) {
    let r = report(real, &[]);
    r.expect_code(0);
    (
        r.json["verdict"].as_str().unwrap_or_default().to_owned(),
        r.findings(),
    )
}

/// Writes the junk part of the corpus under `dir` (every file here must be
/// skipped): returns (relative path, expected part of the skip reason).
fn write_junk(dir: &Path, real: Option<&Path>) -> Vec<(String, &'static str)> {
    let mut expect: Vec<(String, &'static str)> = Vec::new();
    let mut put = |rel: &str, bytes: &[u8], reason: &'static str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write junk");
        if !reason.is_empty() {
            expect.push((rel.to_owned(), reason));
        }
    };
    let mut rng = Rng(0x5eed_1234_abcd_ef01);

    // gzip bombs: 4 GiB of zeros in concatenated members, and a bomb
    // wrapped in a second gzip layer.
    let bomb = gzip_bomb(4 << 30);
    put("bombs/heap-bomb.pb.gz", &bomb, "--max-decompressed-size");
    put(
        "bombs/nested-bomb.pb.gz",
        &gzip(&gzip_bomb(256 << 20)),
        "--max-decompressed-size",
    );

    // Empty files.
    put("empty/goroutine.txt", b"", "empty file");
    put("empty/heap.pb.gz", b"", "empty file");

    // Random bytes, and random bytes behind a gzip header.
    for i in 0..8 {
        let n = 1 + rng.below(64 << 10);
        let mut b = rng.bytes(n);
        if i % 2 == 1 {
            b[0] = 0x1f;
            if b.len() > 1 {
                b[1] = 0x8b;
            }
        }
        let reason = if i % 2 == 1 {
            "gzip"
        } else {
            "not a Go profile"
        };
        put(&format!("random/blob-{i}.bin"), &b, reason);
    }

    // An HTML error page saved as a profile, and a plain HTTP error body.
    put(
        "http/heap.pb.gz",
        b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
        "HTML",
    );
    put(
        "http/goroutineleak.txt",
        b"Unknown profile\n",
        "Unknown profile",
    );

    // A 64 MB line: over the default --max-line-length (16 MiB).
    let mut line = b"goroutine 1 [running]:\nmain.f(".to_vec();
    line.resize(64 << 20, b'a');
    line.extend_from_slice(b")\n\t/src/x.go:1 +0x1\n");
    put("long/goroutine-line.txt", &line, "--max-line-length");

    // Thousands of non-dump files.
    for i in 0..3000 {
        put(
            &format!("notes/{:02}/note-{i:04}.txt", i % 30),
            format!("meeting notes {i}: nothing to see\n").as_bytes(),
            "",
        );
    }

    // Derived from real dumps: truncated and bit-flipped gzip profiles.
    if let Some(real) = real {
        let heaps = sample_files(real, "heap-");
        let heap = std::fs::read(&heaps[heaps.len() - 1]).expect("read real heap");
        for k in 0..16 {
            let cut = 2 + rng.below(heap.len() - 3);
            put(
                &format!("truncated/heap-cut-{k:02}.pb.gz"),
                &heap[..cut],
                "gzip",
            );
        }
        for k in 0..16 {
            let mut b = heap.clone();
            // Flip bytes past the 10-byte gzip header: the CRC catches it.
            for _ in 0..1 + rng.below(4) {
                let at = 10 + rng.below(b.len() - 18);
                b[at] ^= 1 << rng.below(8);
            }
            put(&format!("flipped/heap-flip-{k:02}.pb.gz"), &b, "gzip");
        }
    }

    // A symlink cycle and links that loop into each other.
    #[cfg(unix)]
    {
        let links = dir.join("links");
        std::fs::create_dir_all(&links).expect("mkdir");
        std::os::unix::fs::symlink("..", links.join("up")).expect("symlink");
        std::os::unix::fs::symlink("b.pb.gz", links.join("a.pb.gz")).expect("symlink");
        std::os::unix::fs::symlink("a.pb.gz", links.join("b.pb.gz")).expect("symlink");
        std::os::unix::fs::symlink("missing.txt", links.join("dangling.txt")).expect("symlink");
    }
    expect
}

// ---------------------------------------------------------------------------
// End-to-end runs
// ---------------------------------------------------------------------------

/// The real archive beside every kind of junk: junk is skipped with the
/// right reasons, every file is accounted for, memory stays bounded, and the
/// real archive's verdict and findings are exactly those it has alone.
#[test]
fn junk_beside_a_real_archive_changes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let input = tmp.path().join("input");
    let real_src = Some(sample(REAL));
    let base = real_src.as_deref().map(|src| {
        let alone = tmp.path().join("alone");
        copy_dir(src, &alone);
        baseline(&alone)
    });
    if let Some(src) = &real_src {
        copy_dir(src, &input.join("real"));
    }
    let expect = write_junk(&input, real_src.as_deref());
    let limit = BOMB_LIMIT.to_string();
    let r = report(&input, &["--max-decompressed-size", &limit]);
    r.expect_code(if real_src.is_some() { 0 } else { 2 })
        .expect_rss_bounded()
        .expect_every_file_accounted(&input);
    eprintln!(
        "junk run: {} files, {:.1} s, peak RSS {:?} KiB",
        files_in(&input).len(),
        r.elapsed.as_secs_f64(),
        r.max_rss_kib
    );
    for (path, part) in &expect {
        r.expect_skipped(path, part);
    }
    // Nothing but the real archive was used.
    for s in r.json["snapshots"].as_array().into_iter().flatten() {
        let p = s["path"].as_str().unwrap_or_default();
        assert!(p.starts_with("real/"), "junk file {p} was used as a dump");
    }
    if let Some((verdict, findings)) = base {
        assert_eq!(
            r.json["verdict"],
            verdict.as_str(),
            "verdict changed by junk"
        );
        assert_eq!(r.findings(), findings, "findings changed by junk");
        assert!(!findings.is_empty(), "the real archive has no finding");
    }
}

/// Everything at once, including odd but valid dumps (truncated text, bit
/// flips in text, CRLF/BOM copies, a deep stack, invalid UTF-8, colliding
/// and backwards clocks, another process): no panic, bounded memory, every
/// file accounted for, and the real leak still found.
#[test]
fn everything_at_once_is_survived() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let input = tmp.path().join("input");
    let real = sample(REAL);
    copy_dir(&real, &input.join("real"));
    write_junk(&input, Some(&real));
    let mut rng = Rng(42);
    // Truncated and bit-flipped copies of a real debug=2 dump, and CRLF/BOM
    // copies of real text dumps.
    let dumps = sample_files(&real, "goroutine-");
    let text = std::fs::read(&dumps[dumps.len() - 1]).expect("read real dump");
    let odd = input.join("odd");
    std::fs::create_dir_all(&odd).expect("mkdir");
    for k in 0..12 {
        let cut = rng.below(text.len());
        std::fs::write(odd.join(format!("cut-{k:02}.txt")), &text[..cut]).expect("write");
        let mut b = text.clone();
        for _ in 0..1 + rng.below(8) {
            let at = rng.below(b.len());
            b[at] = rng.next() as u8;
        }
        std::fs::write(odd.join(format!("flip-{k:02}.txt")), &b).expect("write");
    }
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(&crlf(&text));
    std::fs::write(odd.join("crlf-bom.txt"), &bom).expect("write");
    std::fs::write(odd.join("deep.txt"), deep_stack_dump(100_000)).expect("write");
    let mut bad_utf8 =
        b"goroutine 1 [chan send]:\nmain.\xff\xfebad(0x1)\n\t/src/\xc3(/x.go:3 +0x1\n".to_vec();
    bad_utf8.extend_from_slice(b"created by main.main in goroutine 1\n\t/src/x.go:9 +0x2\n");
    std::fs::write(odd.join("utf8.txt"), &bad_utf8).expect("write");
    let limit = BOMB_LIMIT.to_string();
    let r = report(&input, &["--max-decompressed-size", &limit]);
    r.expect_code(0)
        .expect_rss_bounded()
        .expect_every_file_accounted(&input);
    eprintln!(
        "everything run: {} files, {:.1} s, peak RSS {:?} KiB",
        files_in(&input).len(),
        r.elapsed.as_secs_f64(),
        r.max_rss_kib
    );
    let (_, base) = baseline(&real);
    let real_leak = &base[0];
    assert!(
        r.findings()
            .iter()
            .any(|f| (f.0.as_str(), f.1.as_str(), f.2.as_str())
                == (&real_leak.0, &real_leak.1, &real_leak.2)),
        "the real leak {real_leak:?} is no longer found: {:?}",
        r.findings()
    );
}

// ---------------------------------------------------------------------------
// One hostile case at a time
// ---------------------------------------------------------------------------

/// A 4 GiB gzip bomb stops at `--max-decompressed-size`, quickly, with a
/// skip that names the flag; memory stays near the limit.
#[test]
fn gzip_bomb_stops_at_the_decompressed_size_limit() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("heap.pb.gz"), gzip_bomb(4 << 30)).expect("write bomb");
    let r = inspect(tmp.path(), &["--max-decompressed-size", "8388608"]);
    r.expect_code(2).expect_rss_bounded();
    r.expect_skipped(
        "heap.pb.gz",
        "decompressed size over the limit of 8388608 bytes",
    );
    r.expect_skipped("heap.pb.gz", "--max-decompressed-size");
    assert!(
        r.elapsed < Duration::from_secs(30),
        "the bomb took {:?}",
        r.elapsed
    );
    if let Some(kib) = r.max_rss_kib {
        // The file (4 MB) plus at most the limit (8 MiB) plus the program.
        assert!(kib < 256 << 10, "peak RSS {kib} KiB for an 8 MiB limit");
    }
}

/// A file larger than `--max-file-size` is skipped without being read.
#[test]
fn max_file_size_skips_with_the_flag_named() {
    let real = sample(REAL);
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&real, tmp.path());
    let dumps = sample_files(tmp.path(), "goroutine-");
    let big = dumps.last().expect("a dump");
    let size = std::fs::metadata(big).expect("stat").len();
    let name = big
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let limit = (size - 1).to_string();
    let r = report(tmp.path(), &["--max-file-size", &limit]);
    r.expect_code(0).expect_every_file_accounted(tmp.path());
    r.expect_skipped(&name, &format!("file size over the limit of {limit} bytes"));
    r.expect_skipped(&name, "--max-file-size");
    // Exactly the limit is still read.
    let exact = size.to_string();
    let r = report(tmp.path(), &["--max-file-size", &exact]);
    assert!(
        r.snapshot(&name).is_some(),
        "a file of exactly the limit was not used"
    );
}

/// A line over `--max-line-length` skips the file with the flag named (the
/// default limit, with a 64 MB line; and a low limit on a real dump).
#[test]
fn max_line_length_skips_with_the_flag_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut line = b"goroutine 1 [running]:\nmain.f(".to_vec();
    line.resize(64 << 20, b'x');
    line.extend_from_slice(b")\n\t/src/x.go:1 +0x1\n");
    std::fs::write(tmp.path().join("goroutine.txt"), &line).expect("write");
    drop(line);
    let r = inspect(tmp.path(), &[]);
    r.expect_code(2).expect_rss_bounded();
    r.expect_skipped(
        "goroutine.txt",
        &format!("line over the limit of {} bytes", 16 << 20),
    );
    r.expect_skipped("goroutine.txt", "--max-line-length");

    let real = sample(REAL);
    let dumps = sample_files(&real, "goroutine-");
    let text = std::fs::read(&dumps[0]).expect("read");
    let longest = text
        .split(|&b| b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("goroutine.txt"), &text).expect("write");
    let just_under = (longest - 1).to_string();
    inspect(tmp.path(), &["--max-line-length", &just_under])
        .expect_code(2)
        .expect_skipped("goroutine.txt", "--max-line-length");
    let exact = longest.to_string();
    let r = inspect(tmp.path(), &["--max-line-length", &exact]);
    r.expect_code(0);
    assert!(
        r.snapshot("goroutine.txt").is_some(),
        "a line of exactly the limit was refused"
    );
}

/// A 100,000-frame stack is cut at `--max-stack-depth` with a warning on the
/// snapshot (never silently), and the file is still used.
#[test]
fn deep_stack_is_cut_with_a_warning() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("goroutine.txt"), deep_stack_dump(100_000)).expect("write");
    let r = report(tmp.path(), &[]);
    r.expect_code(0).expect_rss_bounded();
    let s = r.snapshot("goroutine.txt").expect("the deep dump is used");
    assert_eq!(s["goroutines"], 2, "{s}");
    let warnings = s["warnings"].to_string();
    assert!(
        warnings.contains("4096") && warnings.contains("--max-stack-depth"),
        "no cut warning: {warnings}"
    );
    // A lower flag value is honoured and named.
    let r = report(tmp.path(), &["--max-stack-depth", "64"]);
    r.expect_code(0);
    let s = r.snapshot("goroutine.txt").expect("used");
    let warnings = s["warnings"].to_string();
    assert!(warnings.contains("64 frames"), "{warnings}");
    // A stack within the limit gets no warning. (5,000 frames: keeping all
    // 100,000 makes the HTML flame graph fold take a minute in a debug build.)
    std::fs::write(tmp.path().join("goroutine.txt"), deep_stack_dump(5_000)).expect("write");
    let r = report(tmp.path(), &["--max-stack-depth", "5001"]);
    r.expect_code(0);
    let s = r.snapshot("goroutine.txt").expect("used");
    assert_eq!(s["warnings"], serde_json::json!([]), "{s}");
}

/// Truncated gzip profiles and text dumps cut at many offsets: the gzip
/// ones are skipped as truncated, the text ones used or skipped, never lost.
#[test]
fn truncation_at_many_offsets() {
    let real = sample(REAL);
    let tmp = tempfile::tempdir().expect("temp dir");
    let heap = std::fs::read(sample_files(&real, "heap-").remove(0)).expect("read");
    let dumps = sample_files(&real, "goroutine-");
    let text = std::fs::read(dumps.last().expect("dump")).expect("read");
    let mut gz_names = Vec::new();
    for k in 1..40 {
        let cut = heap.len() * k / 40;
        let name = format!("heap-cut-{k:02}.pb.gz");
        std::fs::write(tmp.path().join(&name), &heap[..cut]).expect("write");
        gz_names.push(name);
        let cut = text.len() * k / 40;
        std::fs::write(
            tmp.path().join(format!("goroutine-cut-{k:02}.txt")),
            &text[..cut],
        )
        .expect("write");
    }
    let r = inspect(tmp.path(), &[]);
    r.expect_code(0).expect_every_file_accounted(tmp.path());
    for name in &gz_names {
        let reason = r.reason(name).unwrap_or_else(|| panic!("{name} was used"));
        assert!(
            reason.contains("gzip") || reason.contains("not a Go profile"),
            "{name}: {reason}"
        );
    }
}

/// An HTML error page named `.pb.gz`, empty files and random bytes are
/// skipped with reasons; with nothing usable the exit status is 2.
#[test]
fn junk_alone_exits_2_with_every_file_skipped() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let expect = write_junk(tmp.path(), None);
    let limit = BOMB_LIMIT.to_string();
    let r = report(tmp.path(), &["--max-decompressed-size", &limit]);
    r.expect_code(2).expect_rss_bounded();
    // report writes no JSON without input; inspect lists every file.
    let r = inspect(tmp.path(), &["--max-decompressed-size", &limit]);
    r.expect_code(2).expect_every_file_accounted(tmp.path());
    for (path, part) in &expect {
        r.expect_skipped(path, part);
    }
    r.expect_skipped("http/heap.pb.gz", "HTML");
    #[cfg(unix)]
    {
        r.expect_skipped("links/up", "symlink loop");
        assert!(r.reason("links/a.pb.gz").is_some());
        assert!(r.reason("links/dangling.txt").is_some());
    }
}

/// Unreadable files (mode 000) are skipped with an I/O reason; as root they
/// are readable, and then they are simply used.
#[cfg(unix)]
#[test]
fn unreadable_files_are_skipped_or_read() {
    use std::os::unix::fs::PermissionsExt;
    let real = sample(REAL);
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&real, tmp.path());
    let dump = sample_files(tmp.path(), "goroutine-").remove(0);
    let name = dump
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let locked_dir = tmp.path().join("locked");
    std::fs::create_dir(&locked_dir).expect("mkdir");
    std::fs::write(locked_dir.join("inside.txt"), b"x").expect("write");
    std::fs::set_permissions(&dump, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let readable = std::fs::File::open(&dump).is_ok();
    let r = report(tmp.path(), &[]);
    // Give the temp dir back its permissions so it can be removed.
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    r.expect_code(0);
    if readable {
        eprintln!("note: running as root; mode 000 files are readable and get used");
        assert!(
            r.snapshot(&name).is_some(),
            "{name} neither used nor skipped"
        );
        r.expect_every_file_accounted(tmp.path());
    } else {
        r.expect_skipped(&name, "cannot read");
        assert!(
            r.reason("locked").is_some() || r.reason("locked/inside.txt").is_some(),
            "the unreadable directory is not listed"
        );
    }
}

/// Invalid UTF-8 in function names, file paths and file names: the dump is
/// used, the bad bytes shown as U+FFFD, the file listed by a lossy name.
#[cfg(unix)]
#[test]
fn invalid_utf8_names_are_kept_lossily() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut dump = Vec::new();
    for i in 0..3 {
        dump.extend_from_slice(format!("goroutine {} [chan send]:\n", 10 + i).as_bytes());
        dump.extend_from_slice(b"main.\xff\xfebad\xc3(0x1)\n\t/src/\xe2\x28\xa1/x.go:3 +0x1\n");
        dump.extend_from_slice(b"created by main.main in goroutine 1\n\t/src/x.go:9 +0x2\n\n");
    }
    let name = std::ffi::OsStr::from_bytes(b"goroutine-\xff\xfe.txt");
    std::fs::write(tmp.path().join(name), &dump).expect("write");
    let r = inspect(tmp.path(), &[]);
    r.expect_code(0).expect_every_file_accounted(tmp.path());
    let s = r
        .snapshot("goroutine-\u{fffd}\u{fffd}.txt")
        .expect("the dump is used");
    assert_eq!(s["goroutines"], 3, "{s}");
    let r = report(tmp.path(), &["--min-snapshots", "1"]);
    r.expect_code(0);
    let md = r.stdout;
    assert!(!md.contains('\u{0}'));
}

/// CRLF line endings and a UTF-8 BOM on every text dump of a real archive:
/// the same snapshots (counts, sizes, order) and the same findings.
#[test]
fn crlf_and_bom_copies_analyse_the_same() {
    let real = sample(REAL);
    let tmp = tempfile::tempdir().expect("temp dir");
    let variant = tmp.path().join("crlf");
    copy_dir(&real, &variant);
    for p in sample_files(&variant, ".txt") {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(&crlf(&std::fs::read(&p).expect("read")));
        std::fs::write(&p, b).expect("write");
    }
    let a = report(&real, &[]);
    let b = report(&variant, &[]);
    a.expect_code(0);
    b.expect_code(0);
    let key = |r: &Run| -> Vec<String> {
        r.json["snapshots"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                format!(
                    "{} {} {} {} {} {}",
                    s["path"],
                    s["kind"],
                    s["time"],
                    s["goroutines"],
                    s["inuse_bytes"],
                    s["samples"]
                )
            })
            .collect()
    };
    assert_eq!(key(&a), key(&b), "snapshots differ with CRLF + BOM");
    assert_eq!(
        a.findings(),
        b.findings(),
        "findings differ with CRLF + BOM"
    );
}

/// Two dumps with the same time, and file-name clocks that run backwards
/// against the profiles' own clocks: every dump is used, profile time wins,
/// and the archive notes say so.
#[test]
fn colliding_and_backwards_clocks() {
    let real = sample(REAL);
    let heaps = sample_files(&real, "heap-");
    let tmp = tempfile::tempdir().expect("temp dir");
    // Backwards: the file names count down while time_nanos counts up.
    let n = heaps.len();
    let mut expected_order = Vec::new();
    for (i, h) in heaps.iter().enumerate() {
        let name = format!("heap-2026-11-27T04-{:02}-00Z.pb.gz", 50 - i);
        std::fs::copy(h, tmp.path().join(&name)).expect("copy");
        expected_order.push(name);
    }
    // Colliding: the same profile twice under two names.
    std::fs::copy(&heaps[n - 1], tmp.path().join("copy-of-last.pb.gz")).expect("copy");
    let r = report(tmp.path(), &[]);
    r.expect_code(0).expect_every_file_accounted(tmp.path());
    let used: Vec<String> = r.json["snapshots"]
        .as_array()
        .expect("snapshots")
        .iter()
        .map(|s| s["path"].as_str().unwrap_or_default().to_owned())
        .filter(|p| p != "copy-of-last.pb.gz")
        .collect();
    assert_eq!(used, expected_order, "not in profile-time order");
    for s in r.json["snapshots"].as_array().expect("snapshots") {
        assert_eq!(s["time_source"], "profile", "{s}");
    }
    assert!(
        r.snapshot("copy-of-last.pb.gz").is_some() || r.reason("copy-of-last.pb.gz").is_some(),
        "the duplicate is lost"
    );
    let notes = r.notes().join("\n");
    assert!(
        notes.contains("collide") || notes.contains("same time") || notes.contains("duplicate"),
        "no note on the colliding times: {notes}"
    );
}

/// Dumps of two different processes in one directory (the other program's
/// profiles an hour earlier): both processes are reported, the real leak
/// is still found, and a note says which process was analysed.
#[test]
fn two_processes_in_one_directory() {
    let (real, other) = (sample(REAL), sample("cond-leak"));
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&real, tmp.path());
    let first_real =
        profile_time(&std::fs::read(sample_files(&real, "heap-").remove(0)).expect("read"));
    for (i, h) in sample_files(&other, "_heap_").iter().take(3).enumerate() {
        let t = first_real - 3_600_000_000_000 + i as i64 * 1_000_000_000;
        let gz = with_profile_time(&std::fs::read(h).expect("read"), t);
        std::fs::write(tmp.path().join(format!("other-heap-{i}.pb.gz")), gz).expect("write");
    }
    let r = report(tmp.path(), &[]);
    r.expect_code(0).expect_every_file_accounted(tmp.path());
    let processes = r.json["processes"].as_array().expect("processes");
    assert!(processes.len() >= 2, "one process reported: {processes:?}");
    let (_, base) = baseline(&real);
    let real_leak = &base[0];
    assert!(
        r.findings().contains(real_leak),
        "the real leak {real_leak:?} is not found: {:?}",
        r.findings()
    );
    let notes = r.notes().join("\n");
    assert!(
        notes.contains("process"),
        "no note about the processes: {notes}"
    );
    // Interleaved in time (the other process's own clock): no panic, both
    // processes still reported.
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&real, tmp.path());
    for h in sample_files(&other, "_heap_").iter().take(3) {
        std::fs::copy(h, tmp.path().join(h.file_name().expect("name"))).expect("copy");
    }
    let r = report(tmp.path(), &[]);
    r.expect_code(0).expect_every_file_accounted(tmp.path());
    assert!(r.json["processes"].as_array().expect("processes").len() >= 2);
}

/// The defaults documented in docs/limits.md are the ones the CLI uses.
#[test]
fn documented_limits_match_the_cli_defaults() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/limits.md"))
        .expect("docs/limits.md");
    let d = leakscope::ingest::Limits::default();
    for (flag, value) in [
        ("--max-file-size", d.max_file_bytes.to_string()),
        (
            "--max-decompressed-size",
            d.max_decompressed_bytes.to_string(),
        ),
        ("--max-line-length", d.max_line_bytes.to_string()),
        ("--max-stack-depth", d.max_stack_depth.to_string()),
    ] {
        let row = doc
            .lines()
            .find(|l| l.starts_with('|') && l.contains(&format!("`{flag}")))
            .unwrap_or_else(|| panic!("docs/limits.md has no table row for {flag}"));
        assert!(
            row.contains(&value),
            "{flag}: default {value} not in {row:?}"
        );
    }
    let help = Command::new(BIN)
        .args(["report", "--help"])
        .output()
        .expect("run --help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains(&format!("[default: {}]", d.max_decompressed_bytes)));
}

/// The exact decompressed size is allowed, one byte less is refused; more
/// than three gzip layers are refused; UTF-16 text is bounded by the same
/// limit and otherwise read like UTF-8.
#[test]
fn decompressed_size_edges_layers_and_utf16() {
    let real = sample(REAL);
    let tmp = tempfile::tempdir().expect("temp dir");
    let heap = std::fs::read(sample_files(&real, "heap-").remove(0)).expect("read");
    let raw_len = gunzip(&heap).len();
    std::fs::write(tmp.path().join("heap.pb.gz"), &heap).expect("write");
    let exact = raw_len.to_string();
    let under = (raw_len - 1).to_string();
    let r = inspect(tmp.path(), &["--max-decompressed-size", &exact]);
    r.expect_code(0);
    assert!(
        r.snapshot("heap.pb.gz").is_some(),
        "exactly the limit was refused"
    );
    inspect(tmp.path(), &["--max-decompressed-size", &under])
        .expect_code(2)
        .expect_skipped("heap.pb.gz", "--max-decompressed-size");

    // Four gzip layers around a real profile: refused; three: used.
    let dir = tempfile::tempdir().expect("temp dir");
    let three = gzip(&gzip(&heap));
    std::fs::write(dir.path().join("three.pb.gz"), &three).expect("write");
    std::fs::write(dir.path().join("four.pb.gz"), gzip(&three)).expect("write");
    let r = inspect(dir.path(), &[]);
    r.expect_code(0)
        .expect_skipped("four.pb.gz", "compressed more than 3 times");
    assert!(
        r.snapshot("three.pb.gz").is_some(),
        "three gzip layers refused"
    );

    // UTF-16 (PowerShell `>`): read like the UTF-8 original, and bounded.
    let dumps = sample_files(&real, "goroutine-");
    let text = std::fs::read_to_string(dumps.last().expect("dump")).expect("read");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("utf8.txt"), &text).expect("write");
    std::fs::write(dir.path().join("utf16.txt"), &utf16).expect("write");
    let r = inspect(dir.path(), &[]);
    r.expect_code(0);
    let a = r.snapshot("utf8.txt").expect("utf8 used");
    let b = r.snapshot("utf16.txt").expect("utf16 used");
    assert_eq!(a["goroutines"], b["goroutines"]);
    assert_eq!(a["samples"], b["samples"]);
    let small = (text.len() / 2).to_string();
    inspect(dir.path(), &["--max-decompressed-size", &small])
        .expect_skipped("utf16.txt", "--max-decompressed-size");
}

/// Text dumps cut mid-line are used with a warning, never silently
/// (goroutine `debug=2`, heap text, goroutine `debug=1`).
#[test]
fn text_dumps_cut_mid_line_carry_a_warning() {
    let cases = [
        (REAL, "goroutine-"),
        ("chan-receive-leak", "heap."),
        ("chan-receive-leak", "goroutine."),
    ];
    for (archive, part) in cases {
        let dir = sample(archive);
        let file = sample_files(&dir, part).pop().expect("a dump");
        let text = std::fs::read(&file).expect("read");
        // Cut in the middle of the first line of 16+ bytes after the first
        // third (inside the goroutine blocks or heap records), so an entry
        // or block is left half-written.
        let third = text.len() / 3;
        let mut cut = 0;
        let mut start = 0;
        for (i, &b) in text.iter().enumerate() {
            if b == b'\n' {
                if start >= third && i - start >= 16 {
                    cut = start + (i - start) / 2;
                    break;
                }
                start = i + 1;
            }
        }
        assert!(cut > 0, "{archive}/{part}: no line to cut");
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::write(tmp.path().join("cut.txt"), &text[..cut]).expect("write");
        let r = inspect(tmp.path(), &[]);
        r.expect_code(0);
        let s = r.snapshot("cut.txt").unwrap_or_else(|| {
            panic!(
                "{archive}/{part} cut at {cut} not used: {:?}",
                r.reason("cut.txt")
            )
        });
        let w = s["warnings"].as_array().expect("warnings");
        assert!(!w.is_empty(), "{archive}/{part} cut at {cut}: no warning");
    }
}

/// Hidden files, version-control directories and second paths through a
/// symlink are accounted for, never silently dropped.
#[cfg(unix)]
#[test]
fn hidden_vcs_and_symlinked_duplicates_are_listed() {
    let real = sample(REAL);
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&real, tmp.path());
    let heap = sample_files(tmp.path(), "heap-").pop().expect("heap");
    let name = heap
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    std::os::unix::fs::symlink(&name, tmp.path().join("latest.pb.gz")).expect("symlink");
    std::fs::write(tmp.path().join(".hidden.txt"), b"x").expect("write");
    std::fs::create_dir_all(tmp.path().join(".git/objects")).expect("mkdir");
    std::fs::write(tmp.path().join(".git/objects/blob"), b"x").expect("write");
    let r = inspect(tmp.path(), &[]);
    r.expect_code(0).expect_every_file_accounted(tmp.path());
    r.expect_skipped("latest.pb.gz", &format!("same file as {name}"));
    r.expect_skipped(".hidden.txt", "hidden file");
    assert!(r.snapshot(&name).is_some());
    let notes = r.json["notes"].to_string();
    assert!(
        notes.contains(".git"),
        "no note on the .git directory: {notes}"
    );
}
