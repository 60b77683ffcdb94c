#!/usr/bin/env bash
# Scale run: simulates N tally sheets (default 1,000,000), then times `summary`, `check` and
# (when the command exists) `forensics` on the file, each under /usr/bin/time -v: wall time,
# peak resident memory, and the file's size. Not run in CI by default (a million sheets takes
# a while on two shared cores); `scripts/scale.sh 100000` is the quick version.
# Usage: scripts/scale.sh [units] [--gzip]   (needs a release build: cmake --build --preset release)
set -euo pipefail
cd "$(dirname "$0")/.."
units=${1:-1000000}
suffix=.csv
[ "${2:-}" = "--gzip" ] && suffix=.csv.gz
bin=build/release/tallyscope
[ -x "$bin" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: bash scripts/setup.sh installs it" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
file="$tmp/simulated-$units$suffix"

measure() {  # label, command...
  local label=$1; shift
  local rc=0
  /usr/bin/time -v "$@" >"$tmp/out" 2>"$tmp/time" || rc=$?
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$tmp/time" | sed 's/.*): //')
  rss=$(grep "Maximum resident set size" "$tmp/time" | awk '{print $NF}')
  local user sys
  user=$(grep "User time" "$tmp/time" | awk '{print $NF}')
  sys=$(grep "System time" "$tmp/time" | awk '{print $NF}')
  printf '%-30s exit %d   wall %9s   user %6ss   sys %5ss   peak RSS %7.1f MB\n' "$label" "$rc" "$wall" "$user" "$sys" \
    "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
  if [ "$rc" -gt 2 ]; then cat "$tmp/time" >&2; exit 1; fi
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
measure "simulate --units $units" "$bin" simulate --units "$units" --seed 1 --fraud-share 0.02 \
  --round-share 0.02 --late-bias 0.05 --out "$file" --json
bytes=$(stat -c %s "$file")
echo "file: $file, $bytes bytes ($(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}') MiB)"
measure "summary" "$bin" summary "$file" --json
measure "check" "$bin" check "$file" --json
if "$bin" --help 2>/dev/null | grep -qw forensics; then
  measure "forensics" "$bin" forensics "$file" --json
else
  echo "forensics: not in this build"
fi
