#!/usr/bin/env bash
# Installs the dependencies, builds tallyscope, and runs the whole test suite: once optimised,
# once under AddressSanitizer + UndefinedBehaviorSanitizer; then each libFuzzer target for a
# bounded time (FUZZ_SECONDS, default 60). Tests that need ../shared/data skip with a message
# when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)
for preset in release asan; do
  echo "== $preset: configure and build" >&2
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: tests" >&2
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset "$preset" -j "$jobs"
done
echo "== fuzz: ${FUZZ_SECONDS:-60}s per target" >&2
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
