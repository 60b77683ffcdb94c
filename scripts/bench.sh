#!/usr/bin/env bash
# End-to-end timings of whole commands (process start to exit), best and median of N runs.
# Usage: scripts/bench.sh [runs]   (needs a release build and ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
bin=build/release/tallyscope
data=../shared/data
[ -x "$bin" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
[ -d "$data" ] || { echo "../shared/data is absent: nothing to time" >&2; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
zcat "$data/russia-2018/2018.csv.gz" > "$tmp/russia-2018.csv"

time_cmd() {  # label, command...
  local label=$1; shift
  local t=()
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s%N)
    t+=($(( (e - s) / 1000000 )))
  done
  local sorted
  sorted=$(printf '%s\n' "${t[@]}" | sort -n)
  printf '%-58s best %5d ms   median %5d ms\n' "$label" "$(echo "$sorted" | head -1)" \
    "$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "runs: $runs"
time_cmd "summary russia-2018 (gzip, 3.0 MB -> 33 MB)" "$bin" summary "$data/russia-2018/2018.csv.gz"
time_cmd "summary russia-2018 (plain CSV, 33 MB)" "$bin" summary "$tmp/russia-2018.csv"
time_cmd "check russia-2018 (plain CSV)" "$bin" check "$tmp/russia-2018.csv"
time_cmd "summary bolivia-2019 final count (gzip)" "$bin" summary "$data/bolivia-2019/computo-final.csv.gz"
time_cmd "check bolivia-2019 final count (gzip)" "$bin" check "$data/bolivia-2019/computo-final.csv.gz"
time_cmd "compare bolivia-2019 TREP 21 Oct vs final (gzip)" "$bin" compare \
  "$data/bolivia-2019/trep-2019-10-21T18-29-53.csv.gz" "$data/bolivia-2019/computo-final.csv.gz"
