#!/usr/bin/env bash
# Installs the dependencies, builds tallyscope, and runs the whole test suite: once optimised (gcc),
# once under AddressSanitizer + UndefinedBehaviorSanitizer (clang -O1; the browser tests, which
# only add Chromium's rendering to report code the suite already runs, are left out there), then
# builds the libFuzzer targets (the core library only) and runs each for a bounded time
# (FUZZ_SECONDS, default 60).
# Tests that need ../shared/data skip with a message when it is absent.
#
# Every stage is timed; the times go to stderr and build/ci-times.txt. A run over the budget of
# docs/ci.md (TALLYSCOPE_CI_BUDGET seconds, default 1800 = 30 minutes, setup included) fails
# loudly at the end, so that a slow change is seen before CI's hard limit is reached.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${TALLYSCOPE_CI_BUDGET:-1800}
start=$(date +%s)
times=()
stage() {  # stage NAME COMMAND...: runs a command and records its wall time
  local name=$1 t0 t1
  shift
  echo "== $name" >&2
  t0=$(date +%s)
  "$@"
  t1=$(date +%s)
  times+=("$(printf '%-22s %5d s' "$name" $((t1 - t0)))")
}
build() { cmake --preset "$1" >/dev/null && cmake --build --preset "$1" -j "$(nproc)"; }
run_tests() {
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset "$1" -j "$(nproc)"
}

stage setup bash scripts/setup.sh
ccache --zero-stats >/dev/null 2>&1 || true
stage "release build" build release
stage "release tests" run_tests release
stage "asan build" build asan
stage "asan tests" run_tests asan
stage "fuzz" bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
# Long functions are a warning, not a failure (docs/ci.md).
python3 scripts/long_functions.py --top 0 || true

total=$(($(date +%s) - start))
{
  printf '%s\n' "${times[@]}"
  printf '%-22s %5d s (budget %d s)\n' "total" "$total" "$budget"
  ccache --show-stats 2>/dev/null | grep -Ei "hits|misses" | head -3 || true
} | tee build/ci-times.txt >&2
if ((total > budget)); then
  echo "############################################################################" >&2
  echo "# CI BUDGET EXCEEDED: ${total} s against ${budget} s (docs/ci.md).            " >&2
  echo "# Find the slow stage above; build/*/.ninja_log has the time of every file.   " >&2
  echo "############################################################################" >&2
  exit 1
fi
