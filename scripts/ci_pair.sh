#!/usr/bin/env bash
# Measures CI as docs/ci.md records it: two consecutive `CI=true bash .ci/run` on fresh clones of
# a repository's committed main, at the same path, with a compiler cache of their own that is empty
# before the first (cold) run and kept for the second (warm) one.
#   scripts/ci_pair.sh [REPO] [ROOT]   (REPO: this clone; ROOT: /tmp/ci-pair)
# ../shared is linked beside the clones when it is beside REPO. Logs, stage times and the commit
# of each run are left in ROOT (run1.log, run1.times, run1.commit, ...).
set -u
repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
root=${2:-/tmp/ci-pair}
rm -rf "$root"
mkdir -p "$root"
[ -d "$repo/../shared" ] && ln -s "$(cd "$repo/../shared" && pwd)" "$root/shared"
export CCACHE_DIR=$root/ccache
for run in 1 2; do
  rm -rf "$root/tallyscope"
  git clone -q "$repo" "$root/tallyscope"
  git -C "$root/tallyscope" log --oneline -1 > "$root/run$run.commit"
  (cd "$root/tallyscope" && time CI=true bash .ci/run) > "$root/run$run.log" 2>&1
  echo "rc=$?" >> "$root/run$run.log"
  cp "$root/tallyscope/build/ci-times.txt" "$root/run$run.times" 2>/dev/null
  echo "run $run: $(tail -n 1 "$root/run$run.log"); $(grep total "$root/run$run.times" 2>/dev/null)" >&2
done
