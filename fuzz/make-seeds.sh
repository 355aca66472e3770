#!/usr/bin/env bash
# Rebuilds fuzz/seeds/<target>/ from the real sample archives (small files
# only, at most 10 per target). Usage: fuzz/make-seeds.sh [SAMPLES_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
samples="${1:-$here/../samples}"
seeds="$here/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"

# pick TARGET MODE FILE...: copies up to 10 of FILE that are under 20 KB
# (MODE gunzip stores them decompressed).
pick() {
    local target=$1 filter=$2
    shift 2
    mkdir -p "$seeds/$target"
    local n=0 f
    for f in "$@"; do
        [ -f "$f" ] || continue
        [ "$(stat -c %s "$f")" -lt 20480 ] || continue
        case "$filter" in
        gunzip) gunzip -c "$f" >"$seeds/$target/$(echo "${f#"$samples"/}" | tr / _ | sed 's/\.gz$//')" 2>/dev/null || continue ;;
        *) cp "$f" "$seeds/$target/$(echo "${f#"$samples"/}" | tr / _)" ;;
        esac
        n=$((n + 1))
        [ $n -lt 10 ] || break
    done
}

cd "$samples"
s="$samples"
pick pprof gunzip "$s"/chan-send-leak/heap-*.pb.gz "$s"/churn-clean/allocs_*.pb.gz \
    "$s"/cond-leak/*goroutineleak*.pb.gz "$s"/burst-drain-clean/goroutine-*.pb.gz \
    "$s"/mixed-broken/block.pb.gz "$s"/mixed-broken/pprof.svc.goroutine.004.pb.gz \
    "$s"/mutex-leak/heap.*.pprof "$s"/mixed-broken/pprof.svc.alloc_objects.*.001.pb.gz
pick gunzip copy "$s"/chan-send-leak/heap-*.pb.gz "$s"/cond-leak/*goroutineleak*.pb.gz \
    "$s"/mixed-broken/heap-truncated.pb.gz "$s"/mixed-broken/cpu.pprof \
    "$s"/mixed-broken/heap.pb.gz "$s"/burst-drain-clean/goroutine-*.pb.gz
pick heap_text copy "$s"/chan-receive-leak/heap.00[1-3].txt "$s"/burst-drain-clean/heap-*.txt \
    "$s"/conn-read-leak/heap-*.txt "$s"/mixed-broken/heap-cut.txt
pick goroutine_debug1 copy "$s"/chan-receive-leak/goroutine.00[1-3].txt "$s"/cond-leak/*goroutine_*.txt \
    "$s"/select-ctx-leak/goroutineleak_*.txt "$s"/waitgroup-leak/goroutineleak-*.txt
pick traceback_dump copy "$s"/chan-send-leak/goroutine-*.txt "$s"/crash-sigquit/goroutine-[1-3].txt \
    "$s"/nil-chan-leak/dump-0[1-3].txt "$s"/mutex-leak/goroutine.*.txt
pick expvar copy "$s"/chan-receive-leak/vars.*.json "$s"/steady-server-clean/*-vars.json
# Crash output: the real crash log is larger than 20 KB, so its head and its
# tail (cut at line boundaries) become two seeds.
mkdir -p "$seeds/traceback_crash"
if [ -f "$s/crash-sigquit/crash.log" ]; then
    head -n 200 "$s/crash-sigquit/crash.log" | head -c 16000 >"$seeds/traceback_crash/crash-head.log"
    tail -n 200 "$s/crash-sigquit/crash.log" | tail -c 16000 >"$seeds/traceback_crash/crash-tail.log"
fi
pick traceback_crash copy "$s"/mixed-broken/README.txt
# Whole-file ingest and the report pipeline: one file of every kind.
for t in parse_file_bytes report_pipeline; do
    mkdir -p "$seeds/$t"
    for d in gunzip heap_text goroutine_debug1 traceback_dump expvar traceback_crash; do
        ls "$seeds/$d" | head -n 2 | while read -r f; do cp "$seeds/$d/$f" "$seeds/$t/$d-$f"; done
    done
done
du -sh "$seeds"
