//! `leakscope capture`: fetch heap profiles and goroutine dumps from
//! running Go processes (net/http/pprof) on a fixed schedule.
//!
//! Each target gets a worker thread and its own folder `DIR/NAME`. Tick `k`
//! of every worker is due at `start + k × every` (no drift; a tick whose
//! slot passed while a slow fetch ran is skipped). A tick fetches the
//! chosen profiles one after the other and names all of them with the
//! tick's UTC time and number:
//! `heap-2026-12-01T22-16-54.123Z-NAME-0007.pb.gz`. The ingest stage reads
//! the time from the name and pairs the files of one tick by the shared
//! time and number. Files are written to a hidden temporary file and
//! renamed when complete. A failed fetch is logged and tried again at the
//! next tick; nothing stops the capture but `--count`, `--for`, Ctrl-C or
//! SIGTERM.

pub mod fetch;
pub mod target;

use crate::Outcome;
use crate::cli::{CaptureArgs, CaptureProfile};
use anyhow::{Context, Result, bail};
use fetch::{FetchCtx, Fetched, Kind, Temps};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
pub use target::{Target, parse_target};

/// Time limit when neither `--for` nor `--count` is given.
pub const DEFAULT_FOR: Duration = Duration::from_secs(2 * 3600);

/// How long an interrupted capture waits for fetches under way.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// Sleep slice while waiting, so Ctrl-C is seen quickly.
const POLL: Duration = Duration::from_millis(25);

/// Parses a duration: `0`, or humantime's `200ms`, `30s`, `5m`, `1h30m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(s).map_err(|e| format!("{e} (examples: 200ms, 30s, 5m, 1h30m)"))
}

/// When capture stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Time between ticks.
    pub every: Duration,
    /// No tick starts this long after the first (None: no time limit).
    pub limit: Option<Duration>,
    /// At most this many ticks per target.
    pub count: Option<u64>,
}

impl Schedule {
    /// From the command line: `--for 0` lifts the time limit; without
    /// `--for` and `--count` the limit is [`DEFAULT_FOR`].
    pub fn new(every: Duration, for_: Option<Duration>, count: Option<u64>) -> Schedule {
        let limit = match (for_, count) {
            (Some(d), _) if d.is_zero() => None,
            (Some(d), _) => Some(d),
            (None, Some(_)) => None,
            (None, None) => Some(DEFAULT_FOR),
        };
        Schedule {
            every,
            limit,
            count,
        }
    }

    /// Offset of tick `k` from the start, or None when tick `k` is beyond
    /// the count or the time limit.
    pub fn slot(&self, k: u64) -> Option<Duration> {
        if self.count.is_some_and(|c| k >= c) {
            return None;
        }
        let at = self
            .every
            .checked_mul(u32::try_from(k).ok()?)
            .unwrap_or(Duration::MAX);
        if self.limit.is_some_and(|l| k > 0 && at >= l) {
            return None;
        }
        Some(at)
    }

    /// The first tick whose slot is not before `elapsed` (a later tick
    /// than `k` when slots were missed).
    pub fn next_after(&self, k: u64, elapsed: Duration) -> u64 {
        let every = self.every.as_nanos().max(1);
        let due = elapsed.as_nanos().div_ceil(every);
        (k + 1).max(u64::try_from(due).unwrap_or(u64::MAX))
    }
}

/// A tick's UTC time as used in file names: `2026-12-01T22-16-54.123Z`
/// (RFC 3339 with `-` for `:` so it is a valid file name on every system).
pub fn name_stamp(t: jiff::Timestamp) -> String {
    let d = jiff::tz::Offset::UTC.to_datetime(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}-{:02}-{:02}.{:03}Z",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        d.subsec_nanosecond() / 1_000_000
    )
}

/// The file name of one dump.
pub fn file_name(kind: Kind, t: jiff::Timestamp, target: &str, seq: u64) -> String {
    format!(
        "{}-{}-{target}-{seq:04}.{}",
        kind.name(),
        name_stamp(t),
        kind.ext()
    )
}

/// The highest tick number of capture files already in `dir`, so a new
/// capture into the same folder continues the numbering (files of one tick
/// are paired by it).
fn last_seq(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let known = [Kind::Heap, Kind::Goroutine, Kind::GoroutineLeak]
                .iter()
                .find(|k| name.starts_with(&format!("{}-", k.name())))?;
            let stem = name.strip_suffix(&format!(".{}", known.ext()))?;
            stem.rsplit_once('-')?.1.parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// Byte counts in logs: `812 B`, `1.2 KiB`, `3.4 MiB`.
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

/// Totals of one target.
#[derive(Debug, Default, Clone)]
struct Stats {
    ticks: u64,
    skipped_ticks: u64,
    saved: u64,
    failed: u64,
    bytes: u64,
}

/// Whether goroutineleak is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LeakProbe {
    /// Not answered yet.
    Unknown,
    /// Served at least once.
    Served,
    /// Answered 404 before ever serving it: no longer asked.
    Off,
}

/// Everything a worker shares with the others.
struct Shared {
    agent: ureq::Agent,
    timeout: Duration,
    max_bytes: u64,
    gc: bool,
    kinds: Vec<Kind>,
    quiet: bool,
    schedule: Schedule,
    start: Instant,
    stop: Arc<AtomicBool>,
    temps: Temps,
}

fn log_time() -> String {
    let d = jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::now());
    format!("{:02}:{:02}:{:02}", d.hour(), d.minute(), d.second())
}

/// Sleeps until `deadline`; false when capture stops first.
fn sleep_until(deadline: Instant, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        std::thread::sleep((deadline - now).min(POLL));
    }
}

/// One target's loop.
fn worker(sh: &Shared, target: &Target, dir: &Path, stats: &Mutex<Stats>) {
    let mut seq = last_seq(dir);
    let mut leak = LeakProbe::Unknown;
    let ctx = FetchCtx {
        agent: &sh.agent,
        timeout: sh.timeout,
        max_bytes: sh.max_bytes,
        stop: &sh.stop,
        temps: &sh.temps,
    };
    let mut k = 0;
    while let Some(offset) = sh.schedule.slot(k) {
        if !sleep_until(sh.start + offset, &sh.stop) {
            return;
        }
        seq += 1;
        let t = jiff::Timestamp::now();
        let mut parts = Vec::new();
        let mut any_failed = false;
        for &kind in &sh.kinds {
            if kind == Kind::GoroutineLeak && leak == LeakProbe::Off {
                continue;
            }
            let dest = dir.join(file_name(kind, t, &target.name, seq));
            let url = target.url(kind.path_and_query(sh.gc));
            let got = fetch::fetch(&ctx, &url, kind, &dest);
            let mut st = stats.lock().unwrap_or_else(|p| p.into_inner());
            match got {
                Fetched::Saved(n) => {
                    st.saved += 1;
                    st.bytes += n;
                    if kind == Kind::GoroutineLeak {
                        leak = LeakProbe::Served;
                    }
                    parts.push(format!("{} {}", kind.name(), human_bytes(n)));
                }
                Fetched::NotFound if kind == Kind::GoroutineLeak && leak == LeakProbe::Unknown => {
                    leak = LeakProbe::Off;
                    parts.push(
                        "goroutineleak not served (HTTP 404; it needs Go 1.27, or Go 1.26 built \
                         with GOEXPERIMENT=goroutineleakprofile), no longer asked"
                            .to_string(),
                    );
                }
                Fetched::NotFound => {
                    st.failed += 1;
                    any_failed = true;
                    parts.push(format!(
                        "{} failed (HTTP 404{})",
                        kind.name(),
                        if kind == Kind::GoroutineLeak {
                            ""
                        } else {
                            "; is net/http/pprof registered?"
                        }
                    ));
                }
                Fetched::Failed(why) => {
                    st.failed += 1;
                    any_failed = true;
                    parts.push(format!("{} failed ({why})", kind.name()));
                }
                Fetched::Unreachable(why) => {
                    st.failed += 1;
                    any_failed = true;
                    parts.push(format!("unreachable ({why})"));
                    break;
                }
                Fetched::Stopped => return,
            }
        }
        {
            let mut st = stats.lock().unwrap_or_else(|p| p.into_inner());
            st.ticks += 1;
        }
        if !sh.quiet || any_failed {
            eprintln!(
                "{} {} #{seq}: {}",
                log_time(),
                target.name,
                parts.join(", ")
            );
        }
        let next = sh.schedule.next_after(k, sh.start.elapsed());
        if next > k + 1 {
            let missed = next - k - 1;
            let still_due = sh.schedule.slot(k + 1).is_some();
            if still_due {
                stats
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .skipped_ticks += missed;
                eprintln!(
                    "{} {}: the fetches took longer than --every; {missed} tick(s) skipped",
                    log_time(),
                    target.name
                );
            }
        }
        k = next;
    }
}

/// Registers SIGINT and SIGTERM: the first sets `stop`, a second one
/// exits at once (status 130).
fn register_signals(stop: &Arc<AtomicBool>) -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for sig in [SIGINT, SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(stop))
            .context("cannot install the Ctrl-C handler")?;
        signal_hook::flag::register(sig, Arc::clone(stop))
            .context("cannot install the Ctrl-C handler")?;
    }
    Ok(())
}

/// Runs `leakscope capture`.
pub fn run(args: &CaptureArgs) -> Result<Outcome> {
    if args.every.is_zero() {
        bail!("--every must be longer than 0");
    }
    if args.timeout.is_zero() {
        bail!("--timeout must be longer than 0");
    }
    let mut targets: Vec<Target> = Vec::new();
    for spec in &args.targets {
        let t = parse_target(spec).map_err(anyhow::Error::msg)?;
        if let Some(prev) = targets.iter().find(|p| p.name == t.name) {
            bail!(
                "two targets would share the folder {:?} ({} and {}); name them: NAME=URL",
                t.name,
                prev.base,
                t.base
            );
        }
        targets.push(t);
    }
    let mut kinds = Vec::new();
    for p in &args.profiles {
        let k = match p {
            CaptureProfile::Heap => Kind::Heap,
            CaptureProfile::Goroutine => Kind::Goroutine,
            CaptureProfile::Goroutineleak => Kind::GoroutineLeak,
        };
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let mut dirs = Vec::new();
    for t in &targets {
        let d = args.dir.join(&t.name);
        std::fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
        dirs.push(d);
    }
    let schedule = Schedule::new(args.every, args.for_, args.count);
    let stop = Arc::new(AtomicBool::new(false));
    register_signals(&stop)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(args.timeout))
        .http_status_as_error(false)
        .user_agent(format!("leakscope/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let shared = Arc::new(Shared {
        agent,
        timeout: args.timeout,
        max_bytes: args.max_size,
        gc: !args.no_gc,
        kinds,
        quiet: args.quiet,
        schedule,
        start: Instant::now(),
        stop: Arc::clone(&stop),
        temps: Temps::default(),
    });
    if !args.quiet {
        let until = match (schedule.limit, schedule.count) {
            (Some(l), Some(c)) => {
                format!("for {} or {c} capture(s)", humantime::format_duration(l))
            }
            (Some(l), None) => format!("for {}", humantime::format_duration(l)),
            (None, Some(c)) => format!("{c} capture(s)"),
            (None, None) => "until Ctrl-C".to_string(),
        };
        eprintln!(
            "leakscope capture: every {}, {until} (Ctrl-C stops)",
            humantime::format_duration(schedule.every)
        );
        for (t, d) in targets.iter().zip(&dirs) {
            eprintln!("  {} -> {}", t.base, d.display());
        }
    }
    let stats: Vec<Arc<Mutex<Stats>>> = targets.iter().map(|_| Arc::default()).collect();
    let mut handles = Vec::new();
    for ((t, d), st) in targets.iter().zip(&dirs).zip(&stats) {
        let (sh, t, d, st) = (Arc::clone(&shared), t.clone(), d.clone(), Arc::clone(st));
        handles.push(
            std::thread::Builder::new()
                .name(format!("capture {}", t.name))
                .spawn(move || worker(&sh, &t, &d, &st))
                .context("cannot start a capture thread")?,
        );
    }
    let interrupted = loop {
        if handles.iter().all(|h| h.is_finished()) {
            break false;
        }
        if stop.load(Ordering::SeqCst) {
            break true;
        }
        std::thread::sleep(POLL);
    };
    if interrupted {
        let grace = Instant::now() + STOP_GRACE;
        while !handles.iter().all(|h| h.is_finished()) && Instant::now() < grace {
            std::thread::sleep(POLL);
        }
    }
    shared.temps.shutdown();
    for h in handles.into_iter().filter(|h| h.is_finished()) {
        let _ = h.join();
    }
    Ok(summarize(
        &targets,
        &dirs,
        &stats,
        interrupted,
        shared.start,
    ))
}

/// Prints the one-line summary (and the report command) and decides the
/// outcome: no dump at all from some target → [`Outcome::NoInput`].
fn summarize(
    targets: &[Target],
    dirs: &[PathBuf],
    stats: &[Arc<Mutex<Stats>>],
    interrupted: bool,
    start: Instant,
) -> Outcome {
    let stats: Vec<Stats> = stats
        .iter()
        .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).clone())
        .collect();
    let per: Vec<String> = targets
        .iter()
        .zip(&stats)
        .map(|(t, s)| {
            let mut line = format!(
                "{}: {} tick(s), {} dump(s) ({}), {} failed",
                t.name,
                s.ticks,
                s.saved,
                human_bytes(s.bytes),
                s.failed
            );
            if s.skipped_ticks > 0 {
                line.push_str(&format!(", {} tick(s) skipped", s.skipped_ticks));
            }
            line
        })
        .collect();
    let secs = start.elapsed().as_secs();
    eprintln!(
        "leakscope capture {} after {}: {}",
        if interrupted { "interrupted" } else { "done" },
        humantime::format_duration(Duration::from_secs(secs)),
        per.join("; ")
    );
    let empty: Vec<&str> = targets
        .iter()
        .zip(&stats)
        .filter(|(_, s)| s.saved == 0)
        .map(|(t, _)| t.name.as_str())
        .collect();
    for (d, s) in dirs.iter().zip(&stats) {
        if s.saved > 0 {
            eprintln!("  leakscope report {}", d.display());
        }
    }
    if empty.is_empty() {
        Outcome::Ok
    } else {
        eprintln!("leakscope capture: no dump saved from {}", empty.join(", "));
        Outcome::NoInput
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("200ms"), Ok(Duration::from_millis(200)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("30").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn schedule_bounds() {
        let s = Schedule::new(Duration::from_secs(30), None, None);
        assert_eq!(s.limit, Some(DEFAULT_FOR));
        assert_eq!(s.slot(239), Some(Duration::from_secs(239 * 30)));
        assert_eq!(s.slot(240), None, "2h at 30s is 240 ticks");
        let s = Schedule::new(Duration::from_secs(30), None, Some(3));
        assert_eq!(s.limit, None);
        assert_eq!(s.slot(2), Some(Duration::from_secs(60)));
        assert_eq!(s.slot(3), None);
        let s = Schedule::new(Duration::from_secs(30), Some(Duration::ZERO), None);
        assert_eq!((s.limit, s.count), (None, None));
        assert!(s.slot(1_000_000).is_some());
        let s = Schedule::new(Duration::from_secs(60), Some(Duration::from_secs(1)), None);
        assert_eq!(
            s.slot(0),
            Some(Duration::ZERO),
            "the first tick always runs"
        );
        assert_eq!(s.slot(1), None);
    }

    #[test]
    fn missed_slots_are_skipped() {
        let s = Schedule::new(Duration::from_secs(10), None, None);
        assert_eq!(s.next_after(0, Duration::from_secs(3)), 1);
        assert_eq!(s.next_after(0, Duration::from_secs(10)), 1);
        assert_eq!(s.next_after(0, Duration::from_millis(10_001)), 2);
        assert_eq!(s.next_after(4, Duration::from_secs(75)), 8);
    }

    #[test]
    fn names_carry_time_and_order() {
        let t: jiff::Timestamp = "2026-12-01T22:16:54.123456Z".parse().expect("time");
        let name = file_name(Kind::Heap, t, "10.0.0.5_6060", 7);
        assert_eq!(
            name,
            "heap-2026-12-01T22-16-54.123Z-10.0.0.5_6060-0007.pb.gz"
        );
        // The ingest stage reads the time (with the milliseconds) back and
        // takes the tick number as the sequence number, not the port.
        let now = 4_000_000_000 * 1_000_000_000;
        let nt = crate::ingest::order::find_name_time(&name, now).expect("time found");
        assert_eq!(nt.time, 1_796_163_414_123_000_000);
        assert_eq!(
            crate::ingest::order::find_sequence(&name, Some(nt.span)),
            Some(7)
        );
        let g = file_name(Kind::Goroutine, t, "pod-a", 12);
        assert_eq!(g, "goroutine-2026-12-01T22-16-54.123Z-pod-a-0012.txt");
    }

    #[test]
    fn numbering_continues() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(last_seq(dir.path()), 0);
        for n in [
            "heap-2026-12-01T22-16-54.123Z-h_1-0007.pb.gz",
            "goroutine-2026-12-01T22-16-54.123Z-h_1-0012.txt",
            "notes-99.txt",
            ".heap-x-0050.pb.gz.part",
        ] {
            std::fs::write(dir.path().join(n), b"x").expect("write");
        }
        assert_eq!(last_seq(dir.path()), 12);
    }

    #[test]
    fn byte_units() {
        assert_eq!(human_bytes(812), "812 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
