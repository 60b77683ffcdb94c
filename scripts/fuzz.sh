#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a bounded time:
# first over the kept crash inputs in fuzz/regressions/<target>/ (each must now pass), then
# fuzzing from the seed corpus (plus the heads of the real files in ../shared/data, when present).
# Usage: scripts/fuzz.sh [seconds per target, default 60]
# The fuzz preset builds the core library (io, model) and the targets only.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-60}}
build=build/fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for target in csv spec timestamp xlsx long spec_struct; do
  bin=$build/fuzz_$target
  mapfile -t regressions < <(find fuzz/regressions/$target -type f ! -name .keep 2>/dev/null | sort)
  if ((${#regressions[@]})); then
    echo "== fuzz_$target: ${#regressions[@]} kept crash inputs" >&2
    "$bin" "${regressions[@]}" >/dev/null 2>"$work/$target.regress.log" || {
      cat "$work/$target.regress.log" >&2
      status=1
    }
  fi
  corpus="$work/corpus-$target"
  mkdir -p "$corpus"
  cp fuzz/seeds/$target/* "$corpus"/
  if [ "$target" = csv ] && [ -d ../shared/data ]; then
    for f in ../shared/data/*/*.gz; do
      zcat "$f" | head -c 8192 > "$corpus/shared-$(basename "$f" .gz)" || true
    done
  fi
  echo "== fuzz_$target: ${seconds}s" >&2
  if ! "$bin" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/crash-$target-" -print_final_stats=1 >"$work/$target.log" 2>&1; then
    tail -40 "$work/$target.log" >&2
    for crash in "$work"/crash-$target-*; do
      [ -e "$crash" ] || continue
      mkdir -p fuzz/regressions/$target
      cp "$crash" fuzz/regressions/$target/
      echo "fuzz: kept $(basename "$crash") in fuzz/regressions/$target/ (commit it as a regression test)" >&2
    done
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$work/$target.log" | tail -2 >&2 || true
  fi
done
exit $status
