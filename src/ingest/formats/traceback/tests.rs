//! Tests of the traceback parser: hand-written variants from the reference
//! and the public dump corpus.

use super::*;
use crate::ingest::formats::textutil::testdata::public_dump;
use crate::testutil::xorshift;

fn data(p: &Parsed) -> &GoroutineData {
    p.snapshot.goroutines.as_ref().unwrap()
}

fn names(p: &Parsed, g: &GoroutineGroup) -> Vec<String> {
    p.tables
        .stack(g.stack)
        .iter()
        .map(|&f| p.tables.frame_function(f).to_string())
        .collect()
}

fn reason<'p>(p: &'p Parsed, g: &GoroutineGroup) -> &'p str {
    p.tables.str(g.wait_reason.unwrap())
}

fn group<'p>(p: &'p Parsed, top: &str) -> &'p GoroutineGroup {
    data(p)
        .groups
        .iter()
        .find(|g| names(p, g).first().map(String::as_str) == Some(top))
        .unwrap_or_else(|| panic!("no group with leaf {top}"))
}

const GO127: &str = r#"goroutine 1 [running]:
runtime/pprof.writeGoroutineStacks({0x7a4f20, 0x2df6c18a6000})
	/usr/local/go/src/runtime/pprof/pprof.go:845 +0x6a
main.main()
	/src/leaky/main.go:120 +0x1c5

goroutine 16 [chan send (leaked)]:
main.withArgs(0x2a, {0x0?, 0x0?}, {0x0, 0x0, 0x0, {0x0, 0x0}}, 0x0?, 0x2df6c1826230)
	/src/leaky/main.go:58 +0x25
created by main.startLeaks in goroutine 25
	/src/leaky/main.go:77 +0x3f1

goroutine 17 [chan send (leaked)]:
main.withArgs(0x2b, {0x0?, 0x0?}, {0x0, 0x0, 0x0, {0x0, 0x0}}, 0x0?, 0x2df6c1826231)
	/src/leaky/main.go:58 +0x25
created by main.startLeaks in goroutine 25
	/src/leaky/main.go:77 +0x3f1

goroutine 11 [sync.Mutex.Lock (leaked)]:
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
main.mutexWaiter(...)
	/src/leaky/main.go:48
created by main.startLeaks in goroutine 25
	/src/leaky/main.go:80 +0x3f1

goroutine 34 [chan receive (leaked)] {"req id": "a b", worker: w0}:
main.(*Box[...]).Send(...)
	/src/my app/box.go:7
main.worker()
	/src/leaky/main.go:90 +0x11
created by main.startLeaks in goroutine 25
	/src/leaky/main.go:85 +0x3f1

goroutine 35 [chan receive, 3 minutes, locked to thread] {worker: w1}:
main.(*Box[...]).Send(...)
	/src/my app/box.go:7
main.worker()
	/src/leaky/main.go:90 +0x11
created by main.startLeaks in goroutine 25
	/src/leaky/main.go:85 +0x3f1

goroutine 36 [chan receive, 7 minutes] {worker: w1}:
main.(*Box[...]).Send(...)
	/src/my app/box.go:7
main.worker()
	/src/leaky/main.go:90 +0x11
created by main.startLeaks in goroutine 25
	/src/leaky/main.go:85 +0x3f1
"#;

#[test]
fn go127_dump_groups_and_fields() {
    assert!(sniff_dump(GO127.as_bytes()));
    let p = parse_dump(GO127.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(p.snapshot.format, Format::GoroutineDebug2);
    assert_eq!(p.snapshot.kind, ProfileKind::Goroutine);
    assert!(p.snapshot.warnings.is_empty(), "{:?}", p.snapshot.warnings);
    let d = data(&p);
    assert_eq!(d.total, 7);
    assert!(d.per_goroutine && !d.leak_profile && !d.truncated);
    assert_eq!(d.max_goroutine_id, Some(36));
    assert_eq!(d.groups.len(), 5);

    let g = group(&p, "main.withArgs");
    assert_eq!((g.count, g.leaked), (2, 2));
    assert_eq!(reason(&p, g), "chan send");
    assert_eq!(g.sample_ids, vec![16, 17]);
    let cb = g.created_by.unwrap();
    assert_eq!(p.tables.frame_function(cb), "main.startLeaks");
    assert_eq!(p.tables.frame_file(cb), "/src/leaky/main.go");
    assert_eq!(p.tables.frame(cb).line, 77);

    let g = group(&p, "internal/sync.runtime_SemacquireMutex");
    assert_eq!(reason(&p, g), "sync.Mutex.Lock");
    assert_eq!(
        names(&p, g),
        vec![
            "internal/sync.runtime_SemacquireMutex",
            "sync.(*Mutex).Lock",
            "main.mutexWaiter"
        ]
    );
    let inl = p.tables.stack(g.stack)[1];
    assert_eq!(p.tables.frame(inl).line, 46);

    // Same stack, different labels or reason: separate groups.
    let boxes: Vec<_> = d
        .groups
        .iter()
        .filter(|g| names(&p, g)[0] == "main.(*Box[...]).Send")
        .collect();
    assert_eq!(boxes.len(), 2);
    let w1 = boxes.iter().find(|g| g.count == 2).unwrap();
    assert_eq!(reason(&p, w1), "chan receive");
    assert_eq!((w1.leaked, w1.locked_to_thread), (0, 1));
    assert_eq!(w1.max_wait_minutes, Some(7));
    assert_eq!(w1.sample_ids, vec![35, 36]);
    let labels: Vec<_> = w1
        .labels
        .iter()
        .map(|&(k, v)| (p.tables.str(k), p.tables.str(v)))
        .collect();
    assert_eq!(labels, vec![("worker", "w1")]);
    let w0 = boxes.iter().find(|g| g.count == 1).unwrap();
    assert_eq!(w0.leaked, 1);
    assert_eq!(w0.labels.len(), 2);
    let f = p.tables.stack(w0.stack)[0];
    assert_eq!(p.tables.frame_file(f), "/src/my app/box.go");

    let g = group(&p, "runtime/pprof.writeGoroutineStacks");
    assert_eq!(reason(&p, g), "running");
    assert!(g.created_by.is_none());
    // Sorted by count, largest first.
    assert!(d.groups.windows(2).all(|w| w[0].count >= w[1].count));
}

#[test]
fn crlf_bom_and_missing_final_newline_change_nothing() {
    let a = parse_dump(GO127.as_bytes(), &Limits::default()).unwrap();
    let crlf = format!("\u{feff}{}", GO127.replace('\n', "\r\n"));
    let b = parse_dump(crlf.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(data(&a).groups.len(), data(&b).groups.len());
    assert_eq!(data(&a).total, data(&b).total);
    assert!(b.snapshot.warnings.is_empty());
    let c = parse_dump(GO127.trim_end().as_bytes(), &Limits::default()).unwrap();
    assert!(!data(&c).truncated);
    assert_eq!(data(&c).total, 7);
    assert!(sniff_dump(crlf.as_bytes()));
}

const SIGQUIT: &str = "SIGQUIT: quit
PC=0x4af424 m=0 sigcode=0

goroutine 0 gp=0x5a1e80 m=0 mp=0x5a2700 [idle]:
runtime.futex(0x5a2840, 0x80, 0x0, 0x0, 0x0, 0x0)
\t/usr/local/go/src/runtime/sys_linux_amd64.s:557 +0x21 fp=0x7ffc sp=0x7ffc pc=0x4717e1

goroutine 17 gp=0x2f54b53843c0 m=0 mp=0x59c6a0 [running]:
main.spin()
\t/src/crash/main.go:21 +0x4 fp=0x2f54b539c7e0 sp=0x2f54b539c7d8 pc=0x4af424
created by main.main in goroutine 1
\t/src/crash/main.go:30 +0x25 fp=0x2f54b539c7e8 sp=0x2f54b539c7e0 pc=0x4af425

goroutine 2 gp=0x2c850642780 m=nil [force gc (idle)]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:460 +0xce fp=0x1 sp=0x2 pc=0x3
runtime.goexit({})
\t/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1 fp=0x1 sp=0x2 pc=0x3

goroutine 3 gp=0x1 m=nil [GC sweep wait]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:460 +0xce fp=0x1 sp=0x2 pc=0x3
runtime.goexit({})
\t/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1 fp=0x1 sp=0x2 pc=0x3

rax    0x1b55c3dcf
rip    0x4af424
rflags 0x206
-----

goroutine 0 gp=0x5a1e80 m=1 mp=0x5a2800 [idle]:
runtime.futex(0x5a2840, 0x80, 0x0, 0x0, 0x0, 0x0)
\t/usr/local/go/src/runtime/sys_linux_amd64.s:557 +0x21 fp=0x7ffc sp=0x7ffc pc=0x4717e1
";

#[test]
fn sigquit_crash_with_registers_and_several_idle_g0() {
    assert!(!sniff_dump(SIGQUIT.as_bytes()));
    assert!(sniff_crash(SIGQUIT.as_bytes()));
    let p = parse_crash(SIGQUIT.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(p.snapshot.format, Format::Crash);
    assert_eq!(
        p.snapshot.warnings,
        vec![
            "2 thread stack(s) (`goroutine 0`, an OS thread's g0) left out: they are not goroutines"
        ]
    );
    let d = data(&p);
    // goroutine 0 of two Ms is neither a second dump nor a goroutine.
    assert_eq!(d.total, 3);
    let g = group(&p, "main.spin");
    assert_eq!(reason(&p, g), "running");
    assert_eq!(p.tables.frame(g.created_by.unwrap()).line, 30);
    assert!(
        d.groups
            .iter()
            .all(|g| names(&p, g).first().map(String::as_str) != Some("runtime.futex"))
    );
    let gc: Vec<_> = d
        .groups
        .iter()
        .filter(|g| names(&p, g)[0] == "runtime.gopark")
        .map(|g| reason(&p, g))
        .collect();
    assert_eq!(gc.len(), 2);
    assert!(gc.contains(&"force gc (idle)") && gc.contains(&"GC sweep wait"));
}

const PANIC_LOG: &str = "2024-01-02T15:04:05.100Z stdout F starting server
2024-01-02T15:04:05.2Z stderr F panic: boom [recovered]
2024-01-02T15:04:05.2Z stderr F \tpanic: again
2024-01-02T15:04:05.2Z stderr F 
2024-01-02T15:04:05.21Z stderr F goroutine 1 [running]:
2024-01-02T15:04:05.21Z stderr F main.main.func1()
2024-01-02T15:04:05.21Z stderr F         /src/crash/main.go:12 +0x25
2024-01-02T15:04:05.215Z stderr F panic({0x4a0a60?, 0x4ddb40?})
2024-01-02T15:04:05.215Z stderr F     /usr/local/go/src/runtime/panic.go:792 +0x132
2024-01-02T15:04:05.215Z stderr F main.main()
2024-01-02T15:04:05.215Z stderr F \t/src/crash/main.go:15 +0x4e
2024-01-02T15:04:05.216Z stderr F 
2024-01-02T15:04:05.216Z stderr F goroutine 7 [select, 2 minutes]:
2024-01-02T15:04:05.216Z stderr F main.loop(0xc000010000)
2024-01-02T15:04:05.216Z stderr F \t/src/crash/main.go:40 +0x99
2024-01-02T15:04:05.216Z stderr F created by main.main in goroutine 1
2024-01-02T15:04:05.216Z stderr F \t/src/crash/main.go:14 +0x77
2024-01-02T15:04:05.3Z stdout F exit status 2
";

#[test]
fn crash_in_a_container_log_strips_the_prefix() {
    assert!(sniff_crash(PANIC_LOG.as_bytes()));
    assert!(!sniff_dump(PANIC_LOG.as_bytes()));
    let p = parse_crash(PANIC_LOG.as_bytes(), &Limits::default()).unwrap();
    assert!(p.snapshot.warnings.is_empty(), "{:?}", p.snapshot.warnings);
    let d = data(&p);
    assert_eq!(d.total, 2);
    let g = group(&p, "main.main.func1");
    assert_eq!(names(&p, g), vec!["main.main.func1", "panic", "main.main"]);
    let f = p.tables.stack(g.stack)[1];
    assert_eq!(p.tables.frame_file(f), "/usr/local/go/src/runtime/panic.go");
    let g = group(&p, "main.loop");
    assert_eq!(g.max_wait_minutes, Some(2));
    assert_eq!(p.tables.frame(g.created_by.unwrap()).line, 14);
}

#[test]
fn runtime_stack_sections_are_skipped() {
    let t = "fatal error: all goroutines are asleep - deadlock!

runtime stack:
runtime.fatal({0x4b47e3, 0x25})
\t/usr/local/go/src/runtime/panic.go:1267 +0x74 fp=0x1 sp=0x2 pc=0x3
runtime.checkdead()
\t/usr/local/go/src/runtime/proc.go:6519 +0x23a fp=0x1 sp=0x2 pc=0x3

goroutine 1 gp=0x1 m=nil [select (no cases)]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:474 +0xca fp=0x1 sp=0x2 pc=0x3
main.main()
\t/tmp/crashgen/main.go:38 +0x3be fp=0x1 sp=0x2 pc=0x3
runtime stack:
runtime.systemstack_switch()
\t/usr/local/go/src/runtime/asm_amd64.s:479 fp=0x1 sp=0x2 pc=0x3
";
    let p = parse_crash(t.as_bytes(), &Limits::default()).unwrap();
    // The fatal error is the runtime's proof that every goroutine is stuck.
    assert_eq!(p.snapshot.warnings.len(), 1, "{:?}", p.snapshot.warnings);
    assert!(p.snapshot.warnings[0].contains("all goroutines are asleep"));
    let d = data(&p);
    assert_eq!(d.total, 1);
    let g = group(&p, "runtime.gopark");
    assert_eq!(names(&p, g), vec!["runtime.gopark", "main.main"]);
    assert_eq!(reason(&p, g), "select (no cases)");
    assert_eq!(g.leaked, 1);
}

#[test]
fn two_dumps_in_one_log_keep_the_last() {
    let one = "goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\ngoroutine 5 [select]:\nmain.a()\n\t/a.go:5 +0x1\n";
    let two = "goroutine 9 [chan send]:\nmain.b()\n\t/a.go:9 +0x1\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:2 +0x1\n";
    let log = format!("log: first dump\n{one}\nlog: second dump\n{two}");
    let p = parse_crash(log.as_bytes(), &Limits::default()).unwrap();
    let d = data(&p);
    assert_eq!(d.total, 2);
    assert_eq!(d.max_goroutine_id, Some(9));
    assert!(group(&p, "main.b").count == 1);
    assert!(d.groups.iter().all(|g| names(&p, g)[0] != "main.a"));
    assert_eq!(p.snapshot.warnings.len(), 1);
    assert!(p.snapshot.warnings[0].contains("2 goroutine dumps"));
    // Back to back, without any line between: split at the repeated id.
    let p = parse_dump(format!("{one}\n{one}").as_bytes(), &Limits::default()).unwrap();
    assert_eq!(data(&p).total, 2);
}

#[test]
fn trailers_ancestors_elision_and_unavailable_stacks() {
    let t = "goroutine 25 [chan receive]:
main.bar(0x140000a4060, 0x0)
\t/x/ancestors.go:57 +0x11c
...3 frames elided...
main.root()
\t/x/ancestors.go:20 +0x1
created by main.d1
\t/x/ancestors.go:69 +0x34
[originating from goroutine 24]:
main.d1(...)
\t/x/ancestors.go:70 +0x34
created by main.d0
\t/x/ancestors.go:60 +0x34
...additional frames elided...

goroutine 8 [running]:
\tgoroutine running on other thread; stack unavailable
created by main.main
\t/x/main.go:9 +0x1

goroutine 9 [syscall, locked to thread]:
non-Go function at pc=0x7f12
non-Go function at pc=0x7f34
main._Cfunc_sleep(0x1)
\t_cgo_gotypes.go:56 +0x45

goroutine 10 [select]:
main.deep()
\t/x/main.go:1 +0x1
...additional frames elided...
";
    let p = parse_dump(t.as_bytes(), &Limits::default()).unwrap();
    assert!(p.snapshot.warnings.is_empty(), "{:?}", p.snapshot.warnings);
    let d = data(&p);
    assert_eq!(d.total, 4);
    let g = group(&p, "main.bar");
    assert!(g.elided);
    assert_eq!(names(&p, g), vec!["main.bar", "main.root"]);
    assert_eq!(p.tables.frame_function(g.created_by.unwrap()), "main.d1");
    let g = d.groups.iter().find(|g| g.sample_ids == vec![8]).unwrap();
    assert!(p.tables.stack(g.stack).is_empty());
    assert_eq!(p.tables.frame_function(g.created_by.unwrap()), "main.main");
    let g = group(&p, "0x7f12");
    assert_eq!(names(&p, g), vec!["0x7f12", "0x7f34", "main._Cfunc_sleep"]);
    assert_eq!(g.locked_to_thread, 1);
    assert!(group(&p, "main.deep").elided);
}

#[test]
fn old_go_names_and_headers() {
    let t = "goroutine 16 [chan receive]:\nmain.func\u{b7}001()\n\t/tmp/x.go:5 +0x2b\ncreated by main.main\n\t/tmp/x.go:4 +0x3e\n\ngoroutine 17 [runnable]:\nruntime.goexit()\n\t/usr/lib/go/src/runtime/asm_amd64.s:2232\n";
    let p = parse_dump(t.as_bytes(), &Limits::default()).unwrap();
    assert!(p.snapshot.warnings.is_empty(), "{:?}", p.snapshot.warnings);
    assert_eq!(data(&p).total, 2);
    group(&p, "main.func\u{b7}001");
    group(&p, "runtime.goexit");
}

#[test]
fn truncated_dumps() {
    let cut_mid_line = "goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\ngoroutine 2 [select]:\nmain.loop()\n\t/src/lea";
    let p = parse_dump(cut_mid_line.as_bytes(), &Limits::default()).unwrap();
    let d = data(&p);
    assert!(d.truncated);
    assert_eq!(d.total, 2);
    assert!(p.snapshot.warnings.iter().any(|w| w.contains("cut off")));
    group(&p, "main.loop");

    let cut_after_func = "goroutine 2 [select]:\nmain.loop()\n";
    let p = parse_dump(cut_after_func.as_bytes(), &Limits::default()).unwrap();
    assert!(data(&p).truncated);

    let cut_mid_header = "goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\ngoroutine 2 [sel";
    let p = parse_dump(cut_mid_header.as_bytes(), &Limits::default()).unwrap();
    assert!(data(&p).truncated);
    assert_eq!(data(&p).total, 1);
}

#[test]
fn malformed_lines_warn() {
    let t = "goroutine 1 [running]:\nmain.main)(\n\t/a.go:1 +0x1\nwhat\n\ngoroutine 2 [running]:\nmain.f()\n\ngoroutine 3 [running]:\nmain.g()\n\t/a.go:3 +0x1\ncreated by main.main\n\ngarbage between\ngoroutine 4 [running]:\nmain.h()\n\t/a.go:4\n";
    let p = parse_dump(t.as_bytes(), &Limits::default()).unwrap();
    let d = data(&p);
    assert_eq!(d.total, 4);
    assert!(!d.truncated);
    let w = p.snapshot.warnings.join("\n");
    assert!(w.contains("2× unrecognised line"), "{w}");
    assert!(w.contains("file line without a function line"), "{w}");
    assert!(w.contains("function line without a file line"), "{w}");
    assert!(w.contains("`created by` without a file line"), "{w}");
    assert!(w.contains("line outside any goroutine block"), "{w}");
    assert!(w.contains("1 goroutine header(s) without any frame"), "{w}");
    let g = group(&p, "main.f");
    assert_eq!(p.tables.frame_file(p.tables.stack(g.stack)[0]), "");
    let g = group(&p, "main.g");
    assert_eq!(p.tables.frame_function(g.created_by.unwrap()), "main.main");
}

#[test]
fn limits_and_non_dumps() {
    let l = Limits {
        max_line_bytes: 20,
        ..Limits::default()
    };
    assert!(matches!(
        parse_dump(GO127.as_bytes(), &l),
        Err(SkipReason::TooLarge { what: "line", .. })
    ));
    let l = Limits {
        max_stack_depth: 1,
        ..Limits::default()
    };
    let p = parse_dump(GO127.as_bytes(), &l).unwrap();
    let g = group(&p, "internal/sync.runtime_SemacquireMutex");
    assert_eq!(names(&p, g).len(), 1);
    assert!(g.elided);
    assert!(
        p.snapshot
            .warnings
            .iter()
            .any(|w| w.contains("deeper than 1"))
    );
    assert!(matches!(
        parse_crash(b"panic: boom\n\nexit status 2\n", &Limits::default()),
        Err(SkipReason::NotAProfile(_))
    ));
    assert!(parse_dump(b"", &Limits::default()).is_err());
    assert!(!sniff_crash(
        b"panic: boom\n[originating from goroutine 1]:\n"
    ));
    assert!(!sniff_dump(b"heap profile: 1: 2 [3: 4] @ heap/2\n"));
}

#[test]
fn invalid_utf8_is_lossy_not_a_panic() {
    let t = b"goroutine 1 [chan \xff]:\nmain.\xfe()\n\t/\xfd.go:1 +0x1\n";
    let p = parse_dump(t, &Limits::default()).unwrap();
    let g = &data(&p).groups[0];
    assert_eq!(reason(&p, g), "chan \u{fffd}");
    assert_eq!(names(&p, g), vec!["main.\u{fffd}"]);
}

/// Every DataDog/gostackparse fixture: goroutine count = header count, plus
/// specific facts from the fixtures.
#[test]
fn gostackparse_fixtures() {
    let dir = "DataDog-gostackparse/test-fixtures";
    let expect: &[(&str, u64, bool)] = &[
        ("ancestors.txt", 3, false),
        ("cgo.txt", 3, false),
        ("empty_stack.txt", 2, true),
        ("errorhandling.txt", 3, false),
        ("frameselided.txt", 1, false),
        ("frameselided_goroutine.txt", 2, false),
        ("go121_createdby.txt", 2, false),
        ("lockedm.txt", 1, false),
        ("partial_createdby.txt", 2, true),
        ("partial_stack.txt", 2, true),
        ("waitsince.txt", 9, false),
        ("windows.txt", 1, false),
    ];
    for &(f, total, truncated) in expect {
        let Some(b) = public_dump(&format!("{dir}/{f}")) else {
            return;
        };
        assert!(sniff_dump(&b), "{f}");
        let p = parse_dump(&b, &Limits::default()).unwrap();
        let d = data(&p);
        assert_eq!(d.total, total, "{f}");
        assert_eq!(d.groups.iter().map(|g| g.count).sum::<u64>(), total, "{f}");
        assert_eq!(d.truncated, truncated, "{f}: {:?}", p.snapshot.warnings);
        let malformed = matches!(
            f,
            "empty_stack.txt" | "errorhandling.txt" | "partial_createdby.txt" | "partial_stack.txt"
        );
        assert_eq!(
            p.snapshot.warnings.is_empty(),
            !malformed,
            "{f}: {:?}",
            p.snapshot.warnings
        );
        match f {
            "ancestors.txt" => {
                // Ancestor frames are not part of the stack.
                let g = group(&p, "main.bar");
                assert_eq!(names(&p, g), vec!["main.bar", "main.foo.func2"]);
            }
            "cgo.txt" => {
                let g = group(&p, "time.Sleep");
                assert_eq!(g.locked_to_thread, 1);
                assert_eq!(reason(&p, g), "sleep");
                let g = group(&p, "main._Cfunc_c_sleep_loop");
                assert_eq!(
                    p.tables.frame_file(p.tables.stack(g.stack)[0]),
                    "_cgo_gotypes.go"
                );
            }
            "frameselided.txt" => {
                let g = &d.groups[0];
                assert!(g.elided);
                assert_eq!(p.tables.stack(g.stack).len(), 100);
            }
            "go121_createdby.txt" => {
                let g = group(&p, "main.printStack");
                let cb = g.created_by.unwrap();
                assert_eq!(p.tables.frame_function(cb), "main.main");
                assert_eq!(p.tables.frame(cb).line, 14);
                assert_eq!(
                    reason(&p, group(&p, "sync.runtime_Semacquire")),
                    "semacquire"
                );
            }
            "lockedm.txt" => {
                let g = &d.groups[0];
                assert_eq!(g.locked_to_thread, 1);
                assert!(names(&p, g).iter().any(|n| n == "panic"));
            }
            "waitsince.txt" => {
                let minutes: Vec<_> = d.groups.iter().filter_map(|g| g.max_wait_minutes).collect();
                assert!(!minutes.is_empty() && minutes.iter().all(|&m| m == 1));
            }
            "windows.txt" => {
                let f = p.tables.stack(d.groups[0].stack)[0];
                assert_eq!(p.tables.frame_file(f), "C:/Users/felixge/pprof.go");
                assert_eq!(p.tables.frame(f).line, 693);
            }
            _ => {}
        }
    }
    if let Some(b) = public_dump(&format!("{dir}/empty_input.txt")) {
        assert!(parse_dump(&b, &Limits::default()).is_err());
    }
}

#[test]
fn panicparse_static_panicweb() {
    let Some(b) = public_dump("maruel-panicparse/internal/internaltest/static_panicweb.txt") else {
        return;
    };
    let p = parse_dump(&b, &Limits::default()).unwrap();
    assert!(p.snapshot.warnings.is_empty(), "{:?}", p.snapshot.warnings);
    let d = data(&p);
    assert_eq!(d.total, 71);
    let count = |r: &str| -> u64 {
        d.groups
            .iter()
            .filter(|g| reason(&p, g) == r)
            .map(|g| g.count)
            .sum()
    };
    assert_eq!(count("IO wait"), 28);
    assert_eq!(count("chan receive"), 15);
    assert_eq!(count("select"), 26);
    assert_eq!(count("syscall"), 1);
    assert_eq!(count("running"), 1);
    let locked: u64 = d.groups.iter().map(|g| g.locked_to_thread).sum();
    assert_eq!(locked, 1);
    assert!(d.groups.iter().any(|g| g.max_wait_minutes == Some(2)));
}

/// Throughput on a large synthetic dump (run with
/// `cargo test --release --lib traceback::tests::throughput -- --ignored --nocapture`).
#[test]
#[ignore]
fn throughput() {
    let mut text = String::new();
    let mut id = 1u64;
    while text.len() < 100 << 20 {
        for block in GO127.split("\n\n") {
            let rest = block.split_once(' ').unwrap().1;
            let rest = rest.split_once(' ').unwrap().1;
            text.push_str(&format!("goroutine {id} {rest}\n\n"));
            id += 1;
        }
    }
    let start = std::time::Instant::now();
    let p = parse_dump(text.as_bytes(), &Limits::default()).unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} MB, {} goroutines, {} groups: {:.0} MB/s",
        text.len() >> 20,
        data(&p).total,
        data(&p).groups.len(),
        text.len() as f64 / secs / 1e6
    );
    assert_eq!(data(&p).total, id - 1);
}

/// Prints a summary of every file named in `LEAKSCOPE_PARSE_FILES`
/// (space-separated), parsed as crash output. For exploring real dumps:
/// `LEAKSCOPE_PARSE_FILES="a.txt b.log" cargo test --lib parse_files_from_env -- --ignored --nocapture`.
#[test]
#[ignore]
fn parse_files_from_env() {
    let files = std::env::var("LEAKSCOPE_PARSE_FILES").unwrap_or_default();
    for f in files.split_whitespace() {
        let text = std::fs::read(f).unwrap();
        match parse_crash(&text, &Limits::default()) {
            Err(e) => println!("{f}: {e}"),
            Ok(p) => {
                let d = data(&p);
                println!(
                    "{f}: total {} groups {} truncated {} warnings {:?}",
                    d.total,
                    d.groups.len(),
                    d.truncated,
                    p.snapshot.warnings
                );
                for g in &d.groups {
                    let labels: Vec<_> = g
                        .labels
                        .iter()
                        .map(|&(k, v)| format!("{}={}", p.tables.str(k), p.tables.str(v)))
                        .collect();
                    println!(
                        "  {} × [{}] leaked {} {:?} {}",
                        g.count,
                        reason(&p, g),
                        g.leaked,
                        labels,
                        names(&p, g).first().map(String::as_str).unwrap_or("-")
                    );
                }
            }
        }
    }
}

/// Sets a byte of `t` (not empty) picked by `next` to one of `bytes`, or,
/// one time in `bytes.len() + 1`, to a random byte.
fn flip_byte(t: &mut [u8], next: &mut impl FnMut() -> u64, bytes: &[u8]) {
    let i = (next() as usize) % t.len();
    let k = (next() % (bytes.len() as u64 + 1)) as usize;
    t[i] = match bytes.get(k) {
        Some(&b) => b,
        None => next() as u8,
    };
}

/// Cheap deterministic mutation run: truncations and byte flips of real-
/// shaped inputs never panic any text parser, and goroutine totals always
/// equal the sum of group counts.
#[test]
fn mutated_inputs_never_panic() {
    use crate::ingest::formats::{expvar, goroutine_debug1, heap_text};
    let seeds: [&[u8]; 5] = [
        GO127.as_bytes(),
        SIGQUIT.as_bytes(),
        PANIC_LOG.as_bytes(),
        b"goroutine profile: total 3\n2 @ 0x1 0x2\n# labels: {\"a\":\"b\\x41\"}\n#\t0x0\tmain.f+0x1\t/a.go:1\n\n1 @ 0x3\n",
        b"heap profile: 1: 10 [2: 20] @ heap/1048576\n1: 10 [2: 20] @ 0x10 0x20\n#\t0xf\tmain.f+0x1\t\t/a b.go:3\n\n# runtime.MemStats\n# Alloc = 5\n# Stack = 1 / 2\n# PauseNs = [1 2]\n",
    ];
    let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
    let limits = Limits {
        max_stack_depth: 3,
        ..Limits::default()
    };
    let mut parsed = 0;
    for seed in seeds {
        for _ in 0..300 {
            let mut t = seed.to_vec();
            let cut = (next() as usize) % (t.len() + 1);
            t.truncate(cut.max(t.len() / 2));
            for _ in 0..(next() % 4) {
                if t.is_empty() {
                    break;
                }
                flip_byte(&mut t, &mut next, b"\n\t(\"\xff");
            }
            for p in [
                parse_dump(&t, &limits),
                parse_crash(&t, &limits),
                goroutine_debug1::parse(&t, &limits),
            ]
            .into_iter()
            .flatten()
            {
                parsed += 1;
                let d = data(&p);
                if d.per_goroutine {
                    assert_eq!(d.groups.iter().map(|g| g.count).sum::<u64>(), d.total);
                }
            }
            if let Ok(p) = heap_text::parse(&t, &limits) {
                parsed += 1;
                assert!(p.snapshot.heap.is_some());
            }
            let _ = expvar::parse(&t, &limits);
        }
    }
    assert!(parsed > 1000, "{parsed}");
}

#[test]
fn cut_inside_a_header_line_is_truncated() {
    let text =
        b"goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\n\ngoroutine 7 [chan se";
    let p = parse_dump(text, &Limits::default()).expect("parses");
    let g = p.snapshot.goroutines.as_ref().unwrap();
    assert!(g.truncated);
    assert!(
        p.snapshot
            .warnings
            .iter()
            .any(|w| w.contains("cut goroutine header")),
        "{:?}",
        p.snapshot.warnings
    );
}

/// A GOTRACEBACK=crash log: the goroutine list, then one section per OS
/// thread (`-----`, `SIGQUIT: quit`, the thread's g0 stack, the goroutine
/// running on it printed again, registers).
const THREAD_SECTIONS: &str = "SIGQUIT: quit
PC=0x4717e1 m=0 sigcode=0

goroutine 21 gp=0x1 m=2 mp=0x2 [running]:
main.busy()
\t/src/app/main.go:10 +0x4 fp=0x1 sp=0x2 pc=0x3
created by main.main in goroutine 1
\t/src/app/main.go:30 +0x25 fp=0x1 sp=0x2 pc=0x3

goroutine 22 gp=0x1 m=nil [chan receive, 3 minutes]:
main.wait()
\t/src/app/main.go:12 +0x4 fp=0x1 sp=0x2 pc=0x3

goroutine 23 gp=0x1 m=nil [chan receive, 5 minutes]:
main.wait()
\t/src/app/main.go:12 +0x4 fp=0x1 sp=0x2 pc=0x3

rax    0x1
rip    0x4717e1
-----

SIGQUIT: quit
PC=0x4717e1 m=2 sigcode=0

goroutine 0 gp=0x5 m=2 mp=0x6 [idle]:
runtime.futex(0x0)
\t/usr/local/go/src/runtime/sys_linux_amd64.s:557 +0x21 fp=0x1 sp=0x2 pc=0x3

goroutine 21 gp=0x1 m=2 mp=0x2 [running]:
main.busy()
\t/src/app/main.go:10 +0x4 fp=0x1 sp=0x2 pc=0x3
created by main.main in goroutine 1
\t/src/app/main.go:30 +0x25 fp=0x1 sp=0x2 pc=0x3

rax    0x2
rip    0x4717e1
";

#[test]
fn thread_sections_of_a_crash_log_are_not_a_second_dump() {
    let p = parse_crash(THREAD_SECTIONS.as_bytes(), &Limits::default()).unwrap();
    let d = data(&p);
    // Every goroutine of the list kept; the g0 stack and the goroutine
    // printed again on its thread not counted.
    assert_eq!(d.total, 3, "{:?}", p.snapshot.warnings);
    assert_eq!(group(&p, "main.busy").count, 1);
    let w = group(&p, "main.wait");
    assert_eq!(w.count, 2);
    assert_eq!(w.waits, vec![(3, 1), (5, 1)]);
    assert_eq!(w.id_range, Some((22, 23)));
    assert!(
        !p.snapshot
            .warnings
            .iter()
            .any(|x| x.contains("goroutine dumps"))
    );
    assert!(
        p.snapshot
            .warnings
            .iter()
            .any(|x| x.contains("printed again"))
    );
}

#[test]
fn a_header_that_lost_its_g_is_read() {
    let t = "oroutine 1482 [chan send, 47 minutes]:\nmain.f()\n\t/a.go:3 +0x1\n\ngoroutine 7 [chan send, 2 minutes]:\nmain.f()\n\t/a.go:3 +0x1\n";
    assert!(sniff_dump(t.as_bytes()));
    let p = parse_dump(t.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(data(&p).total, 2);
    assert_eq!(group(&p, "main.f").max_wait_minutes, Some(47));
}

#[test]
fn a_goleak_report_is_read_as_leaked_goroutines() {
    let t = "    x_test.go:9: found unexpected goroutines:\n        [Goroutine 13 in state chan send, 1 minutes, with main.f on top of the stack:\n        main.f()\n        \t/src/x.go:141 +0xcd\n        created by main.g in goroutine 12\n        \t/src/x.go:136 +0x2c6\n        ]\n--- FAIL: TestX (1.00s)\n";
    assert!(sniff_goleak(t.as_bytes()));
    let p = parse_goleak(t.as_bytes(), &Limits::default()).unwrap();
    let g = group(&p, "main.f");
    assert_eq!((g.count, g.leaked), (1, 1));
    assert_eq!(reason(&p, g), "chan send");
}

#[test]
fn log_lines_before_a_dump_leave_it_a_dump() {
    let t = "2018/09/03 11:20:06.150 [info] === Got signal [user defined signal 1] to thread dump===\n*** goroutine dump...\ngoroutine 1 [sleep, 10 minutes]:\ntime.Sleep(0x1)\n\t/go/src/runtime/time.go:102 +0x166\n";
    assert_eq!(dump_after_preamble(t.as_bytes()).map(|x| x.1), Some(2));
    let p = parse_dump_after_preamble(t.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(p.snapshot.format, Format::GoroutineDebug2);
    assert_eq!(data(&p).total, 1);
    assert!(p.snapshot.warnings[0].starts_with("2 line(s) of text before the dump ignored"));
    // Crash output stays crash output.
    assert!(dump_after_preamble(b"panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n").is_none());
    // A plain dump needs no preamble handling.
    assert!(dump_after_preamble(b"goroutine 1 [running]:\nmain.main()\n").is_none());
}

/// Everything a parse gives, with ids resolved, for comparing two parses.
fn resolved(p: &Parsed) -> String {
    let mut out = format!(
        "{:?}\n{:?}\n",
        p.snapshot.warnings,
        (p.snapshot.format, p.snapshot.kind, &p.snapshot.process)
    );
    let g = data(p);
    out.push_str(&format!(
        "total {} truncated {} max id {:?} leak {} per goroutine {}\n",
        g.total, g.truncated, g.max_goroutine_id, g.leak_profile, g.per_goroutine
    ));
    for grp in &g.groups {
        let created = grp
            .created_by
            .map(|f| p.tables.frame_function(f).to_string());
        let labels: Vec<(&str, &str)> = grp
            .labels
            .iter()
            .map(|&(k, v)| (p.tables.str(k), p.tables.str(v)))
            .collect();
        let mut plain = grp.clone();
        plain.stack = StackId(0);
        plain.wait_reason = None;
        plain.created_by = None;
        plain.labels.clear();
        out.push_str(&format!(
            "{:?} {:?} {created:?} {labels:?} {plain:?}\n",
            names(p, grp),
            grp.wait_reason.map(|r| p.tables.str(r)),
        ));
    }
    out
}

/// The text files of the sample archives and of the single-dump corpus
/// that are plain `debug=2` dumps.
fn plain_dumps() -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["samples", "tests/data/single-dumps"] {
        for e in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let Ok(e) = e else { continue };
            if !e.file_type().is_file() || e.path().components().any(|c| c.as_os_str() == "src") {
                continue;
            }
            let Ok(bytes) = std::fs::read(e.path()) else {
                continue;
            };
            if crate::ingest::formats::sniff::is_plain_dump(&bytes) {
                out.push((e.path().display().to_string(), bytes));
            }
        }
    }
    out
}

/// Edge cases for stretches: several dumps in one file, a cut-off end,
/// labels, a BOM, CRLF line ends, a block longer than a stretch, lines
/// outside blocks, a file without a final newline.
fn stream_edge_cases() -> Vec<(String, Vec<u8>)> {
    let block = |id: u32, f: &str| {
        format!(
            "goroutine {id} [chan receive, {id} minutes] {{\"k\": \"v{}\"}}:\nmain.{f}(0x{id:x})\n\t/src/m.go:{id} +0x1\nmain.main()\n\t/src/m.go:9 +0x2\ncreated by main.main in goroutine 1\n\t/src/m.go:3 +0x3\n\n",
            id % 3
        )
    };
    let many: String = (1..200)
        .map(|i| block(i, if i % 5 == 0 { "b" } else { "a" }))
        .collect();
    let mut deep = String::from("goroutine 7 [select]:\n");
    for i in 0..400 {
        deep.push_str(&format!("main.f{i}(...)\n\t/src/deep.go:{i}\n"));
    }
    deep.push('\n');
    vec![
        ("many".into(), many.clone().into_bytes()),
        ("twice".into(), format!("{many}{many}").into_bytes()),
        ("cut".into(), many.as_bytes()[..many.len() - 40].to_vec()),
        (
            "bom".into(),
            [&b"\xEF\xBB\xBF"[..], many.as_bytes()].concat(),
        ),
        ("crlf".into(), many.replace('\n', "\r\n").into_bytes()),
        (
            "deep".into(),
            format!("{}{deep}{}", block(1, "a"), block(2, "a")).into_bytes(),
        ),
        (
            "outside".into(),
            format!("{}stray text\n\n{}", block(1, "a"), block(2, "b")).into_bytes(),
        ),
        (
            "no-final-newline".into(),
            many.trim_end().as_bytes().to_vec(),
        ),
    ]
}

#[test]
fn streamed_parse_equals_whole_parse() {
    let limits = Limits::default();
    let mut cases = plain_dumps();
    assert!(cases.len() >= 5, "only {} plain dumps found", cases.len());
    cases.extend(stream_edge_cases());
    let mut buf = Vec::new();
    for (name, text) in &cases {
        let whole = parse_dump(text, &limits);
        for chunk in [1, 64, 700, 4096, 1 << 20] {
            let head = &text[..text.len().min(100)];
            let mut rest = &text[head.len()..];
            let streamed = parse_dump_chunked(
                head,
                &mut rest,
                &limits,
                Tables::new(),
                &mut buf,
                u64::MAX,
                chunk,
            );
            match (&whole, &streamed) {
                (Ok(w), Ok((s, read))) => {
                    assert_eq!(*read, text.len() as u64, "{name} at {chunk}");
                    assert_eq!(resolved(w), resolved(s), "{name} at {chunk}");
                    assert_eq!(w.tables.sizes(), s.tables.sizes(), "{name} at {chunk}");
                }
                (Err(w), Err(s)) => assert_eq!(w, s, "{name} at {chunk}"),
                _ => panic!(
                    "{name} at {chunk}: {:?} vs {:?}",
                    whole.is_ok(),
                    streamed.is_ok()
                ),
            }
        }
    }
}

#[test]
fn streamed_parse_refuses_more_than_the_limit() {
    let text = b"goroutine 1 [running]:\nmain.main()\n\t/m.go:1 +0x1\n\n".repeat(100);
    let mut rest = &text[10..];
    let got = parse_dump_chunked(
        &text[..10],
        &mut rest,
        &Limits::default(),
        Tables::new(),
        &mut Vec::new(),
        1000,
        64,
    );
    assert!(
        matches!(got, Err(SkipReason::TooLarge { .. })),
        "{:?}",
        got.err()
    );
}

/// A dump of a few goroutine kinds whose arguments and creators vary from
/// goroutine to goroutine, as in real dumps.
fn varied_dump(n: u32) -> String {
    let mut out = String::new();
    for id in 1..=n {
        let (f, file) = match id % 4 {
            0 => ("main.(*Pool).worker", "pool.go"),
            1 => ("main.produce[...]", "prod.go"),
            2 => ("net/http.(*conn).serve", "server.go"),
            _ => ("main.produce[...]", "other.go"),
        };
        out.push_str(&format!(
            "goroutine {id} [chan send, {} minutes]:\n{f}(0xc{id:06x}, {{0x{:x}?, 0x8}}, ...)\n\t/src/{file}:{} +0x1d\nmain.run(...)\n\t/src/main.go:40\ncreated by main.main in goroutine {}\n\t/src/main.go:12 +0x5f\n\n",
            id % 7,
            id * 13,
            10 + id % 3,
            id % 5 + 1,
        ));
    }
    out
}

/// Reusing the skeleton of a body read before gives what reading the body
/// again gives: on the sample dumps, the stretch edge cases, a dump whose
/// arguments vary, and thousands of mutations of it (bytes flipped to the
/// characters the skeletons treat specially, lines cut, a low line limit).
#[test]
fn skeletons_change_no_result() {
    let mut cases = plain_dumps();
    cases.extend(stream_edge_cases());
    let varied = varied_dump(60);
    cases.push(("varied".into(), varied.clone().into_bytes()));
    // Hand-made changes to later blocks (the first of each kind is read
    // and remembered; the later ones are recalled).
    let edits: [(&str, &str); 8] = [
        ("in goroutine 2\n", "in goroutine \n"),
        ("in goroutine 2\n", "in goroutine 12345678901234567890\n"),
        ("in goroutine 2\n", "in goroutine 2 \n"),
        ("main.run(...)\n", "main.run(...) \n"),
        ("main.run(...)\n", "main.run(.(.)\n"),
        ("main.run(...)\n", "main.run(...)\r\n"),
        (", ...)\n", ", ...\n"),
        ("+0x1d\n", "+0x1d\n\n"),
    ];
    for (i, (from, to)) in edits.iter().enumerate() {
        for nth in [1, 5, 9] {
            let at = varied.match_indices(from).nth(nth).expect("occurs").0;
            let t = format!("{}{to}{}", &varied[..at], &varied[at + from.len()..]);
            cases.push((format!("edit {i} at {nth}"), t.into_bytes()));
        }
    }
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
    for m in 0..3000 {
        let mut t = varied.clone().into_bytes();
        for _ in 0..1 + next() % 3 {
            flip_byte(&mut t, &mut next, b"\n()\r \t7x");
        }
        cases.push((format!("mutation {m}"), t));
    }
    let mut hits = 0;
    for (name, text) in &cases {
        for limits in [
            Limits::default(),
            Limits {
                max_line_bytes: 60,
                max_stack_depth: 2,
                ..Limits::default()
            },
        ] {
            for crash in [false, true] {
                let with = parse_blocks_memo(text, &limits, crash, Tables::new(), true);
                let without = parse_blocks_memo(text, &limits, crash, Tables::new(), false);
                match (&with, &without) {
                    (Ok(w), Ok(o)) => {
                        assert_eq!(resolved(w), resolved(o), "{name} crash={crash}");
                        assert_eq!(w.tables.sizes(), o.tables.sizes(), "{name}");
                        hits += 1;
                    }
                    (Err(w), Err(o)) => assert_eq!(w, o, "{name}"),
                    _ => panic!("{name}: {:?} vs {:?}", with.is_ok(), without.is_ok()),
                }
            }
        }
    }
    assert!(hits > 10_000, "{hits}");
}

#[test]
fn a_dump_of_few_kinds_keeps_few_skeletons() {
    let text = varied_dump(400);
    let mut r = Reader::new(Limits::default(), false, Tables::new());
    let mut lines = Lines::new(text.as_bytes());
    let mut block = None;
    let mut st = LoopState::default();
    r.read_lines(&mut lines, &mut block, &mut st)
        .expect("reads");
    // Twelve kinds of body (four functions by three lines), whatever
    // their arguments and creators.
    assert_eq!(r.kept.memo.len(), 12);
    let p = r.end(block, &lines, &st).expect("parses");
    assert_eq!(data(&p).total, 400);
    assert_eq!(data(&p).groups.len(), 12);
}

/// Header texts that come back after others (a churned dump prints its
/// pools interleaved) say what they said the first time: reason, marks,
/// minutes, labels, and an unreadable label set warns once.
#[test]
fn interleaved_headers_keep_their_facts() {
    let tails = [
        " [chan receive, 3 minutes] {worker: w1}:",
        " [select (leaked), locked to thread]:",
        " [sync.Mutex.Lock] {bad labels:",
        " [sync.Mutex.Lock] {bad labels}:",
    ];
    let funcs = ["main.recv", "main.sel", "main.never", "main.lock"];
    let order = [0, 1, 0, 3, 1, 1, 3, 0, 2, 0, 3, 1];
    let mut text = String::new();
    for (i, &k) in order.iter().enumerate() {
        text.push_str(&format!(
            "goroutine {}{}\n{}(0x{i:x})\n\t/src/m.go:{}\n\n",
            i + 1,
            tails[k],
            funcs[k],
            k + 1
        ));
    }
    let p = parse_dump(text.as_bytes(), &Limits::default()).unwrap();
    let d = data(&p);
    // The header with a cut label set is not a header: its lines warn.
    assert_eq!(d.total, 11);
    let g = group(&p, "main.recv");
    assert_eq!(g.count, 4);
    assert_eq!(reason(&p, g), "chan receive");
    assert_eq!(g.max_wait_minutes, Some(3));
    assert_eq!(g.labels.len(), 1);
    let g = group(&p, "main.sel");
    assert_eq!((g.count, g.leaked, g.locked_to_thread), (4, 4, 4));
    assert_eq!(reason(&p, g), "select");
    assert_eq!(g.max_wait_minutes, None);
    let g = group(&p, "main.lock");
    assert_eq!(g.count, 3);
    assert_eq!(reason(&p, g), "sync.Mutex.Lock");
    assert!(g.labels.is_empty());
    let unreadable = p
        .snapshot
        .warnings
        .iter()
        .filter(|w| w.contains("unreadable goroutine labels"))
        .count();
    assert_eq!(unreadable, 1, "{:?}", p.snapshot.warnings);
}

/// More distinct header texts than are kept: the later ones are parsed
/// each time, and say the same as the kept ones.
#[test]
fn header_texts_past_the_kept_ones_are_parsed_each_time() {
    let n = MAX_HEADER_TEXTS + 10;
    let mut text = String::new();
    for (id, i) in (1..).zip((0..n).chain([5, n - 1, n - 1])) {
        text.push_str(&format!(
            "goroutine {id} [select] {{n: {i}}}:\nmain.f()\n\t/src/m.go:1\n\n"
        ));
    }
    let p = parse_dump(text.as_bytes(), &Limits::default()).unwrap();
    let d = data(&p);
    assert_eq!(d.total, n as u64 + 3);
    assert_eq!(d.groups.len(), n);
    let count_of = |v: &str| {
        d.groups
            .iter()
            .find(|g| g.labels.iter().any(|&(_, x)| p.tables.str(x) == v))
            .map(|g| g.count)
    };
    assert_eq!(count_of("5"), Some(2));
    assert_eq!(count_of(&(n - 1).to_string()), Some(3));
    assert_eq!(count_of("6"), Some(1));
}
