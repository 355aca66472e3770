#!/usr/bin/env bash
# Runs every fuzz target in turn on the stable toolchain (no sanitizer) and
# prints the libFuzzer execution count of each. Usage:
#   fuzz/run-all.sh [SECONDS_PER_TARGET] [TARGET...]
# Logs go to fuzz/logs/<target>.log; new corpus entries to fuzz/corpus/<target>
# (seeded from fuzz/seeds/<target>), crashes to fuzz/artifacts/<target>.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
secs="${1:-120}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
mkdir -p logs
cargo fuzz build -s none >/dev/null
total=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    cargo fuzz run -s none "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -print_final_stats=1 >"logs/$t.log" 2>&1
    rc=$?
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "logs/$t.log" | grep -Eo '[0-9]+$' | tail -n 1)
    runs=${runs:-0}
    total=$((total + runs))
    printf '%-20s exit=%-3s execs=%s\n' "$t" "$rc" "$runs"
done
printf '%-20s execs=%s\n' total "$total"
