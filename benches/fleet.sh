#!/usr/bin/env bash
# fleet.sh — the fleet benchmark (issue 11): many pods, one machine, and the
# many-jobs way (one report per pod, then merge).
#
# Usage: benches/fleet.sh [ROOT]                 (default: target/bench-fleet)
#
#   1. builds leakscope in release mode (unless NO_BUILD=1);
#   2. writes a fleet tree ROOT/tree/pod-NNN/… of PODS pods (default 200): each
#      pod is a copy of one of the real sample archives (dumps written by the
#      Go programs in samples/src: leaking and healthy ones, one that
#      restarts), 10–15 moments and 20–30 dumps per pod; the same archive
#      in several pods is several replicas of one binary, as in a soak test;
#   3. measures, with /usr/bin/time -v (wall time, peak RSS):
#        tree     leakscope report ROOT/tree (every pod, one process)
#        jobs     one leakscope report --json per pod, JOBS at a time
#                 (xargs -P, the stand-in for a CI matrix or Kubernetes Jobs)
#        merge    leakscope merge of the PODS JSON summaries
#   4. prints a table and checks: every pod is a process of its own in `tree`,
#      the tree and merge verdicts agree, and peak RSS stays under 1 GiB.
#
# Environment: PODS=200, JOBS=2, NO_BUILD=1, LEAKSCOPE=PATH (default
# target/release/leakscope). Everything is written under ROOT; the tree is
# rebuilt on every run. On a shared machine prefix with `nice -n 19`.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-$here/target/bench-fleet}
pods=${PODS:-200}
jobs=${JOBS:-2}
bin=${LEAKSCOPE:-$here/target/release/leakscope}

if [[ -z "${NO_BUILD:-}" ]]; then
    (cd "$here" && cargo build --release --locked --quiet)
fi
[[ -x "$bin" ]] || { echo "fleet.sh: no leakscope binary at $bin" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "fleet.sh: /usr/bin/time (GNU time) is needed" >&2; exit 2; }

archives=(chan-send-leak steady-server-clean mutex-leak churn-clean restart-leak
          warmup-plateau-clean ticker-leak idle-pool-clean replicas-rwmutex/pod-b
          replicas-rwmutex/pod-a restart-clean)

rm -rf "$root"
mkdir -p "$root/tree" "$root/json"
for ((i = 1; i <= pods; i++)); do
    a=${archives[$(( (i - 1) % ${#archives[@]} ))]}
    pod=$(printf 'pod-%03d' "$i")
    mkdir -p "$root/tree/$pod"
    cp -R "$here/samples/$a/." "$root/tree/$pod/"
done
files=$(find "$root/tree" -type f | wc -l)
bytes=$(du -sk "$root/tree" | cut -f1)

# measure NAME CMD...: wall seconds and peak RSS (KiB) from GNU time.
measure() {
    local name=$1; shift
    local log="$root/$name.time"
    /usr/bin/time -v -o "$log" "$@" >"$root/$name.out" 2>"$root/$name.err" || true
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    printf '%-8s %12s %12s MiB\n' "$name" "$wall" "$((rss / 1024))"
    echo "$rss" >"$root/$name.rss"
}

echo "fleet: $pods pods, $files dump files, $((bytes / 1024)) MiB (load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'))"
printf '%-8s %12s %12s\n' "step" "wall" "peak RSS"
measure tree "$bin" report "$root/tree" -q -o "$root/tree.html" --json "$root/tree.json"
# The many-jobs way: one report per pod (a CI matrix / Kubernetes Jobs /
# GNU parallel does the same), then merge.
export bin root
measure jobs bash -c 'ls "$root/tree" | xargs -P '"$jobs"' -I{} "$bin" report "$root/tree/{}" -q -o /dev/null --json "$root/json/{}.json"'
measure merge bash -c '"$bin" merge "$root"/json/*.json -q -o "$root/fleet.html" --json "$root/fleet.json"'

fail=0
check() { if eval "$2"; then echo "PASS  $1"; else echo "FAIL  $1"; fail=1; fi; }
procs=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["processes"]))' "$root/tree.json" 2>/dev/null || echo 0)
check "tree: every pod is a process of its own ($procs of $pods)" '[[ "$procs" == "$pods" ]]'
tv=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$root/tree.json" 2>/dev/null || echo '?')
fv=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$root/fleet.json" 2>/dev/null || echo '!')
check "tree and merge agree on the verdict ($tv / $fv)" '[[ "$tv" == "$fv" ]]'
for s in tree merge; do
    check "$s peak RSS < 1 GiB" '(( $(cat "$root/$s.rss") < 1048576 ))'
done
exit $fail
