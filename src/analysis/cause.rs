//! Why goroutines are blocked, and whose code is to blame.
//!
//! Wait reasons (`debug=2` headers) map to the cause vocabulary directly.
//! Where a format hides them (protobuf keeps the runtime frames, `debug=1`
//! drops the leading runtime frames) the blocking frames tell. The culprit of
//! a stack is its innermost frame in the user's code; standard-library frames
//! in between are kept as evidence ("blocked in net/http…").

use super::types::Cause;
use crate::model::{FrameId, Tables};

/// What a frame's package is, for culprit selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameClass {
    /// `runtime.*`, or a standard-library `internal/...` package: the
    /// mechanism, never the culprit.
    Runtime,
    /// The `sync` package (and `sync/atomic`): blocking mechanism for
    /// goroutines, an ordinary standard-library package for heap sites.
    Sync,
    /// Another standard-library package (`net/http`, `time`, `bytes`…).
    Std,
    /// The user's code (anything whose import path starts with a dotted
    /// host, `main`, or a module without a dot that is not standard).
    User,
}

/// Top-level standard-library package names (Go 1.27). A function whose
/// import path's first element is one of these is standard library.
const STD_ROOTS: &[&str] = &[
    "archive",
    "bufio",
    "bytes",
    "cmp",
    "compress",
    "container",
    "context",
    "crypto",
    "database",
    "debug",
    "embed",
    "encoding",
    "errors",
    "expvar",
    "flag",
    "fmt",
    "go",
    "hash",
    "html",
    "image",
    "index",
    "internal",
    "io",
    "iter",
    "log",
    "maps",
    "math",
    "mime",
    "net",
    "os",
    "path",
    "plugin",
    "reflect",
    "regexp",
    "runtime",
    "slices",
    "sort",
    "strconv",
    "strings",
    "structs",
    "sync",
    "syscall",
    "testing",
    "text",
    "time",
    "unicode",
    "unique",
    "unsafe",
    "vendor",
    "weak",
];

/// The import path of a Go function name: everything before the first `.`
/// after the last `/` (`net/http.(*conn).serve` → `net/http`,
/// `main.main.func1` → `main`).
pub fn package_path(function: &str) -> &str {
    let slash = function.rfind('/').map(|i| i + 1).unwrap_or(0);
    match function[slash..].find('.') {
        Some(dot) => &function[..slash + dot],
        None => function,
    }
}

/// Classifies a function name by its package.
pub fn classify_function(function: &str) -> FrameClass {
    let pkg = package_path(function);
    if pkg == "runtime" || pkg.starts_with("runtime/") || pkg.starts_with("internal/") {
        // runtime/pprof, runtime/trace are ordinary std packages.
        if pkg == "runtime" || pkg.starts_with("internal/") {
            return FrameClass::Runtime;
        }
        return FrameClass::Std;
    }
    if pkg == "sync" || pkg == "sync/atomic" {
        return FrameClass::Sync;
    }
    let root = pkg.split('/').next().unwrap_or(pkg);
    if !root.contains('.') && STD_ROOTS.contains(&root) {
        return FrameClass::Std;
    }
    FrameClass::User
}

/// Per-frame class cache, indexed by `FrameId`.
#[derive(Debug, Default)]
pub struct FrameClasses {
    classes: Vec<Option<FrameClass>>,
}

impl FrameClasses {
    /// The class of a frame (computed once per frame).
    pub fn get(&mut self, tables: &Tables, frame: FrameId) -> FrameClass {
        let i = frame.0 as usize;
        if i >= self.classes.len() {
            self.classes.resize(i + 1, None);
        }
        if let Some(c) = self.classes[i] {
            return c;
        }
        let c = classify_function(tables.frame_function(frame));
        self.classes[i] = Some(c);
        c
    }
}

/// The culprit of a stack (leaf first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Culprit {
    /// The frame to blame.
    pub frame: FrameId,
    /// The innermost standard-library frame between the mechanism and the
    /// culprit (`net/http.(*persistConn).readLoop`, `bytes.growSlice`), kept
    /// as evidence; `None` when the culprit is that frame itself.
    pub via: Option<FrameId>,
}

/// Picks the culprit of a stack: the innermost user frame; else the
/// innermost frame outside runtime/internal (and outside `sync` for
/// goroutines, `sync_is_mechanism`); else the outermost frame. `None` for an
/// empty stack.
pub fn culprit(
    tables: &Tables,
    classes: &mut FrameClasses,
    frames: &[FrameId],
    sync_is_mechanism: bool,
) -> Option<Culprit> {
    let mut first_non_mech: Option<FrameId> = None;
    for &f in frames {
        match classes.get(tables, f) {
            FrameClass::User => {
                return Some(Culprit {
                    frame: f,
                    via: first_non_mech,
                });
            }
            FrameClass::Runtime => {}
            FrameClass::Sync if sync_is_mechanism => {}
            FrameClass::Sync | FrameClass::Std => {
                first_non_mech = first_non_mech.or(Some(f));
            }
        }
    }
    if let Some(f) = first_non_mech {
        // A network or file wait with no user frame: blame the code that
        // owns the connection (`net/http.(*persistConn).readLoop`,
        // `net/http.(*conn).serve`), not the plumbing it reads through
        // (`net.(*netFD).Read`, `bufio`, `crypto/tls`).
        if sync_is_mechanism && is_plumbing(tables.frame_function(f)) {
            let owner = frames.iter().copied().find(|&g| {
                classes.get(tables, g) == FrameClass::Std && !is_plumbing(tables.frame_function(g))
            });
            if let Some(o) = owner {
                return Some(Culprit {
                    frame: o,
                    via: Some(f),
                });
            }
        }
        return Some(Culprit {
            frame: f,
            via: None,
        });
    }
    // Only runtime frames (GC workers, or an unstarted goroutine): name it by
    // its outermost frame that is not `runtime.goexit`.
    let outer = frames
        .iter()
        .rev()
        .copied()
        .find(|&f| tables.frame_function(f) != "runtime.goexit")
        .or_else(|| frames.first().copied())?;
    Some(Culprit {
        frame: outer,
        via: None,
    })
}

/// Standard-library plumbing a connection's owner reads or writes
/// through: the `net`, `bufio`, `io`, `os`, `syscall`, `crypto/tls` and
/// `net/textproto` packages, and any std `Read`/`Write`-like method (the
/// `net/http.(*persistConn).Read` an HTTP client's read loop calls).
pub fn is_plumbing(function: &str) -> bool {
    let pkg = package_path(function);
    if matches!(
        pkg,
        "net" | "bufio" | "io" | "os" | "syscall" | "crypto/tls" | "net/textproto"
    ) {
        return true;
    }
    let method = function.rsplit('.').next().unwrap_or(function);
    matches!(
        method,
        "Read"
            | "Write"
            | "read"
            | "write"
            | "ReadFrom"
            | "WriteTo"
            | "ReadByte"
            | "ReadLine"
            | "ReadSlice"
            | "ReadString"
            | "Peek"
            | "fill"
            | "Flush"
    )
}

/// A cause with how it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CauseInfo {
    /// The cause.
    pub cause: Cause,
    /// Blocks forever by construction: a nil channel, or `select {}`.
    pub forever: bool,
    /// The cause could not be seen (a `debug=1` stack whose blocking
    /// runtime frames were dropped).
    pub unknown: bool,
    /// A runtime-internal wait (GC workers, finalizer…): never a leak.
    pub runtime_wait: bool,
}

impl CauseInfo {
    fn known(cause: Cause) -> Self {
        CauseInfo {
            cause,
            forever: false,
            unknown: false,
            runtime_wait: false,
        }
    }
}

/// Wait reasons of the runtime's own goroutines.
fn is_runtime_wait(reason: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "GC ",
        "garbage collection",
        "wait for GC",
        "force gc",
        "finalizer wait",
        "cleanup wait",
        "GOMAXPROCS updater",
        "trace ",
        "page trace",
        "dumping heap",
        "panicwait",
        "debug call",
        "stopping the world",
        "flushing proc caches",
    ];
    PREFIXES.iter().any(|p| reason.starts_with(p))
}

/// Maps a `debug=2` wait reason (or status) to a cause. `None` when the
/// reason needs the frames (`semacquire`, `waiting`, `leaked`).
pub fn cause_from_reason(reason: &str) -> Option<CauseInfo> {
    let base = reason.strip_suffix(" (durable)").unwrap_or(reason);
    let c = match base {
        "chan send" => CauseInfo::known(Cause::ChanSend),
        "chan receive" => CauseInfo::known(Cause::ChanReceive),
        "chan send (nil chan)" | "chan receive (nil chan)" => CauseInfo {
            forever: true,
            ..CauseInfo::known(Cause::NilChan)
        },
        "select" => CauseInfo::known(Cause::Select),
        "select (no cases)" => CauseInfo {
            forever: true,
            ..CauseInfo::known(Cause::Select)
        },
        "sync.Mutex.Lock" | "sync.RWMutex.RLock" | "sync.RWMutex.Lock" => {
            CauseInfo::known(Cause::Mutex)
        }
        "sync.WaitGroup.Wait" => CauseInfo::known(Cause::Waitgroup),
        "sync.Cond.Wait" => CauseInfo::known(Cause::Cond),
        "IO wait" => CauseInfo::known(Cause::IoWait),
        "sleep" => CauseInfo::known(Cause::Sleep),
        "semacquire" | "waiting" | "leaked" | "" => return None,
        r if is_runtime_wait(r) => CauseInfo {
            runtime_wait: true,
            ..CauseInfo::known(Cause::Other)
        },
        _ => CauseInfo::known(Cause::Other),
    };
    Some(c)
}

/// Infers the cause from the innermost telling frames. `None` when no frame
/// tells (a `debug=1` stack whose leaf is user code, or a running goroutine).
pub fn cause_from_frames(tables: &Tables, frames: &[FrameId]) -> Option<CauseInfo> {
    let mut generic_sema = false;
    let mut leaf = true;
    for &f in frames {
        let name = tables.frame_function(f);
        // Standard-library goroutines that park in their own `select`
        // (debug=1 drops the runtime frames that would show it).
        if leaf
            && classify_function(name) != FrameClass::Runtime
            && let Some(c) = parks_in_select(name)
        {
            return Some(CauseInfo::known(c));
        }
        leaf &= classify_function(name) == FrameClass::Runtime;
        let cause = match name {
            "runtime.chansend1" | "runtime.chansend" => Some(Cause::ChanSend),
            "runtime.chanrecv1" | "runtime.chanrecv2" | "runtime.chanrecv" => {
                Some(Cause::ChanReceive)
            }
            "runtime.selectgo" => Some(Cause::Select),
            "runtime.block" => {
                return Some(CauseInfo {
                    forever: true,
                    ..CauseInfo::known(Cause::Select)
                });
            }
            "internal/sync.runtime_SemacquireMutex"
            | "sync.runtime_SemacquireMutex"
            | "sync.runtime_SemacquireRWMutexR"
            | "sync.runtime_SemacquireRWMutex"
            | "sync.(*Mutex).Lock"
            | "sync.(*RWMutex).Lock"
            | "sync.(*RWMutex).RLock"
            | "internal/sync.(*Mutex).Lock"
            | "internal/sync.(*Mutex).lockSlow" => Some(Cause::Mutex),
            "sync.runtime_SemacquireWaitGroup" | "sync.(*WaitGroup).Wait" => Some(Cause::Waitgroup),
            "sync.runtime_notifyListWait" | "sync.(*Cond).Wait" => Some(Cause::Cond),
            "internal/poll.runtime_pollWait" | "runtime.netpollblock" => Some(Cause::IoWait),
            "time.Sleep" => Some(Cause::Sleep),
            "os/signal.signal_recv" => Some(Cause::Other),
            "sync.runtime_Semacquire" | "internal/poll.runtime_Semacquire" => {
                generic_sema = true;
                None
            }
            n if n.starts_with("syscall.")
                || n.starts_with("internal/runtime/syscall.")
                || n.starts_with("runtime.cgocall") =>
            {
                Some(Cause::Other)
            }
            _ => None,
        };
        if let Some(c) = cause {
            return Some(CauseInfo::known(c));
        }
        // Stop at the first user frame: what lies beyond it is the caller.
        if classify_function(name) == FrameClass::User {
            break;
        }
    }
    if generic_sema {
        return Some(CauseInfo::known(Cause::Other));
    }
    None
}

/// Standard-library functions known to block in their own `select` when
/// they are the innermost frame: an HTTP client connection's read loop
/// (waiting for the body to be read or closed) and write loop.
fn parks_in_select(function: &str) -> Option<Cause> {
    matches!(
        function,
        "net/http.(*persistConn).readLoop" | "net/http.(*persistConn).writeLoop"
    )
    .then_some(Cause::Select)
}

/// The cause of one goroutine group: the wait reason when it tells, else
/// the frames, else unknown (reported as `other`, with `unknown` set).
pub fn group_cause(tables: &Tables, reason: Option<&str>, frames: &[FrameId]) -> CauseInfo {
    if let Some(r) = reason
        && let Some(c) = cause_from_reason(r)
    {
        // A select (no cases) reason is already forever; frames cannot add more.
        return c;
    }
    if let Some(c) = cause_from_frames(tables, frames) {
        return c;
    }
    if let Some(r) = reason
        && matches!(r, "semacquire" | "leaked" | "waiting")
    {
        return CauseInfo::known(Cause::Other);
    }
    CauseInfo {
        unknown: true,
        ..CauseInfo::known(Cause::Other)
    }
}

/// Words for a cause in a sentence: "blocked in chan send".
pub fn cause_phrase(cause: Cause, unknown: bool) -> &'static str {
    if unknown {
        return "parked";
    }
    match cause {
        Cause::ChanSend => "blocked in chan send",
        Cause::ChanReceive => "blocked in chan receive",
        Cause::Select => "blocked in select",
        Cause::NilChan => "blocked forever on a nil channel",
        Cause::Mutex => "waiting for a mutex",
        Cause::Waitgroup => "waiting in WaitGroup.Wait",
        Cause::Cond => "waiting in Cond.Wait",
        Cause::IoWait => "waiting for I/O",
        Cause::Sleep => "sleeping",
        Cause::HeapGrowth => "holding heap",
        Cause::Other => "parked",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(t: &mut Tables, fns: &[&str]) -> Vec<FrameId> {
        fns.iter()
            .enumerate()
            .map(|(i, f)| t.intern_frame(f, "x.go", i as u32 + 1))
            .collect()
    }

    fn culprit_name(fns: &[&str], sync_mech: bool) -> (String, Option<String>) {
        let mut t = Tables::new();
        let s = stack(&mut t, fns);
        let mut cl = FrameClasses::default();
        let c = culprit(&t, &mut cl, &s, sync_mech).expect("culprit");
        (
            t.frame_function(c.frame).to_string(),
            c.via.map(|v| t.frame_function(v).to_string()),
        )
    }

    #[test]
    fn package_paths() {
        assert_eq!(package_path("net/http.(*conn).serve"), "net/http");
        assert_eq!(package_path("main.main.func1"), "main");
        assert_eq!(
            package_path("github.com/x/y/internal/z.F"),
            "github.com/x/y/internal/z"
        );
        assert_eq!(
            package_path("example.com/gen/foo%2ebar.Wait"),
            "example.com/gen/foo%2ebar"
        );
        assert_eq!(package_path("0x6e5046"), "0x6e5046");
    }

    #[test]
    fn classes() {
        assert_eq!(classify_function("runtime.gopark"), FrameClass::Runtime);
        assert_eq!(
            classify_function("internal/poll.runtime_pollWait"),
            FrameClass::Runtime
        );
        assert_eq!(
            classify_function("internal/sync.runtime_SemacquireMutex"),
            FrameClass::Runtime
        );
        assert_eq!(
            classify_function("runtime/pprof.writeGoroutineStacks"),
            FrameClass::Std
        );
        assert_eq!(
            classify_function("sync.(*WaitGroup).Wait"),
            FrameClass::Sync
        );
        assert_eq!(
            classify_function("net/http.(*persistConn).readLoop"),
            FrameClass::Std
        );
        assert_eq!(classify_function("time.Sleep"), FrameClass::Std);
        assert_eq!(classify_function("main.produce"), FrameClass::User);
        // A module path that merely contains /internal/ is the user's code.
        assert_eq!(
            classify_function("github.com/x/y/internal/z.F"),
            FrameClass::User
        );
        // A module without a dot that is not a std root is the user's code.
        assert_eq!(classify_function("leaky/worker.Run"), FrameClass::User);
        assert_eq!(
            classify_function("leakscope.samples/snap.Run"),
            FrameClass::User
        );
    }

    #[test]
    fn culprit_skips_runtime_sync_and_prefers_user() {
        let (f, via) = culprit_name(
            &[
                "runtime.gopark",
                "runtime.chansend1",
                "main.produce",
                "main.handle",
            ],
            true,
        );
        assert_eq!(f, "main.produce");
        assert_eq!(via, None);
        let (f, via) = culprit_name(
            &[
                "internal/sync.runtime_SemacquireMutex",
                "sync.(*Mutex).Lock",
                "github.com/x/y/internal/z.F",
            ],
            true,
        );
        assert_eq!(f, "github.com/x/y/internal/z.F");
        assert_eq!(via, None);
        let (f, via) = culprit_name(
            &[
                "internal/poll.runtime_pollWait",
                "internal/poll.(*FD).Read",
                "net.(*conn).Read",
                "main.fetchBanner",
            ],
            true,
        );
        assert_eq!(f, "main.fetchBanner");
        assert_eq!(via.as_deref(), Some("net.(*conn).Read"));
    }

    #[test]
    fn culprit_of_all_std_and_all_runtime_stacks() {
        let (f, via) = culprit_name(
            &[
                "runtime.gopark",
                "runtime.selectgo",
                "net/http.(*persistConn).readLoop",
            ],
            true,
        );
        assert_eq!(f, "net/http.(*persistConn).readLoop");
        assert_eq!(via, None);
        let (f, _) = culprit_name(
            &["runtime.gopark", "runtime.bgsweep", "runtime.goexit"],
            true,
        );
        assert_eq!(f, "runtime.bgsweep");
        let mut t = Tables::new();
        let mut cl = FrameClasses::default();
        assert!(culprit(&t, &mut cl, &[], true).is_none());
        let _ = t.intern_str("x");
    }

    #[test]
    fn network_waits_name_the_connection_owner_not_the_plumbing() {
        let io = [
            "internal/poll.runtime_pollWait",
            "internal/poll.(*FD).Read",
            "net.(*netFD).Read",
            "net.(*conn).Read",
        ];
        let client: Vec<&str> = io
            .iter()
            .copied()
            .chain([
                "net/http.(*persistConn).Read",
                "bufio.(*Reader).fill",
                "bufio.(*Reader).Peek",
                "net/http.(*persistConn).readLoop",
            ])
            .collect();
        let (f, via) = culprit_name(&client, true);
        assert_eq!(f, "net/http.(*persistConn).readLoop");
        assert_eq!(via.as_deref(), Some("net.(*netFD).Read"));
        let server: Vec<&str> = io
            .iter()
            .copied()
            .chain([
                "net/http.(*connReader).Read",
                "bufio.(*Reader).fill",
                "net/http.(*conn).serve",
            ])
            .collect();
        assert_eq!(culprit_name(&server, true).0, "net/http.(*conn).serve");
        // An application socket: the application function, as before.
        let app: Vec<&str> = io.iter().copied().chain(["main.fetchBanner"]).collect();
        assert_eq!(culprit_name(&app, true).0, "main.fetchBanner");
        // Only plumbing: the innermost of it.
        assert_eq!(culprit_name(&io, true).0, "net.(*netFD).Read");
        assert!(is_plumbing("crypto/tls.(*Conn).readRecord"));
        assert!(!is_plumbing("net/http.(*conn).serve"));
    }

    #[test]
    fn heap_culprit_prefers_user_over_std_helpers() {
        let (f, via) = culprit_name(
            &[
                "bytes.growSlice",
                "bytes.(*Buffer).grow",
                "bytes.(*Buffer).Write",
                "main.render",
            ],
            false,
        );
        assert_eq!(f, "main.render");
        assert_eq!(via.as_deref(), Some("bytes.growSlice"));
        // Heap: sync is an ordinary std package.
        let (f, _) = culprit_name(&["sync.(*Pool).Get"], false);
        assert_eq!(f, "sync.(*Pool).Get");
    }

    #[test]
    fn reasons_map_to_causes() {
        let c = |r| cause_from_reason(r).map(|c| c.cause);
        assert_eq!(c("chan send"), Some(Cause::ChanSend));
        assert_eq!(c("chan receive (durable)"), Some(Cause::ChanReceive));
        assert_eq!(c("select (durable)"), Some(Cause::Select));
        assert_eq!(c("sync.RWMutex.RLock"), Some(Cause::Mutex));
        assert_eq!(c("sync.WaitGroup.Wait (durable)"), Some(Cause::Waitgroup));
        assert_eq!(c("sync.Cond.Wait"), Some(Cause::Cond));
        assert_eq!(c("IO wait"), Some(Cause::IoWait));
        assert_eq!(c("sleep"), Some(Cause::Sleep));
        assert_eq!(c("syscall"), Some(Cause::Other));
        assert_eq!(c("semacquire"), None);
        let nil = cause_from_reason("chan receive (nil chan)").expect("nil");
        assert_eq!(nil.cause, Cause::NilChan);
        assert!(nil.forever);
        let sel = cause_from_reason("select (no cases)").expect("sel");
        assert_eq!(sel.cause, Cause::Select);
        assert!(sel.forever);
        assert!(
            cause_from_reason("GC worker (idle)")
                .expect("gc")
                .runtime_wait
        );
        assert!(
            cause_from_reason("finalizer wait")
                .expect("fin")
                .runtime_wait
        );
    }

    #[test]
    fn frames_map_to_causes() {
        let mut t = Tables::new();
        let cause = |t: &mut Tables, fns: &[&str]| {
            let s = stack(t, fns);
            group_cause(t, None, &s)
        };
        assert_eq!(
            cause(&mut t, &["runtime.gopark", "runtime.chansend1", "main.p"]).cause,
            Cause::ChanSend
        );
        assert_eq!(
            cause(&mut t, &["runtime.gopark", "runtime.chanrecv2", "main.p"]).cause,
            Cause::ChanReceive
        );
        assert_eq!(
            cause(&mut t, &["runtime.gopark", "runtime.selectgo", "main.p"]).cause,
            Cause::Select
        );
        let blk = cause(&mut t, &["runtime.gopark", "runtime.block", "main.p"]);
        assert!(blk.forever);
        // debug=1 keeps sync frames: the mechanism is visible.
        assert_eq!(
            cause(
                &mut t,
                &[
                    "sync.runtime_Semacquire",
                    "sync.(*WaitGroup).Wait",
                    "main.g"
                ]
            )
            .cause,
            Cause::Waitgroup
        );
        assert_eq!(
            cause(
                &mut t,
                &[
                    "internal/sync.runtime_SemacquireMutex",
                    "sync.(*Mutex).Lock",
                    "main.m"
                ]
            )
            .cause,
            Cause::Mutex
        );
        assert_eq!(
            cause(
                &mut t,
                &["sync.runtime_notifyListWait", "sync.(*Cond).Wait", "main.c"]
            )
            .cause,
            Cause::Cond
        );
        assert_eq!(
            cause(
                &mut t,
                &[
                    "internal/poll.runtime_pollWait",
                    "internal/poll.(*pollDesc).wait",
                    "main.r"
                ]
            )
            .cause,
            Cause::IoWait
        );
        assert_eq!(cause(&mut t, &["time.Sleep", "main.s"]).cause, Cause::Sleep);
        // debug=1 with a user leaf: cannot tell.
        let u = cause(&mut t, &["main.worker", "main.main.gowrap1"]);
        assert_eq!(u.cause, Cause::Other);
        assert!(u.unknown);
        // A wait reason wins over frames; semacquire defers to frames.
        let s = stack(
            &mut t,
            &[
                "sync.runtime_Semacquire",
                "sync.(*WaitGroup).Wait",
                "main.g",
            ],
        );
        assert_eq!(
            group_cause(&t, Some("semacquire"), &s).cause,
            Cause::Waitgroup
        );
        assert_eq!(
            group_cause(&t, Some("chan send"), &s).cause,
            Cause::ChanSend
        );
        let s = stack(&mut t, &["main.x"]);
        let c = group_cause(&t, Some("semacquire"), &s);
        assert_eq!(c.cause, Cause::Other);
        assert!(!c.unknown);
    }
}
