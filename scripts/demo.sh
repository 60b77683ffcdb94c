#!/usr/bin/env bash
# Installs the dependencies, builds tallyscope, and runs its main job on the embedded example,
# ending with the self-contained HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tallyscope
bin=build/release/tallyscope
example=examples/example-election.csv
spec=examples/example-election.toml
echo
echo "== tallyscope summary $example --spec $spec"
"$bin" summary "$example" --spec "$spec"
echo
echo "== tallyscope check $example --spec $spec"
set +e
"$bin" check "$example" --spec "$spec"
status=$?
set -e
# The example has a planted error, so `check` is expected to exit 1 (findings failed the gate).
if [ "$status" -ne 1 ]; then
  echo "demo: expected check to report the example's planted errors (exit 1), got exit $status" >&2
  exit 1
fi
echo
report=build/release/example-report.html
# Everything the example's files allow: the count, when each sheet arrived (progression, backtest,
# map), the count published at the cutoff (projection, and compared with the final count), and the
# previous election (baseline).
args=("$example" --spec "$spec"
      --arrival examples/example-arrival.csv --cutoff 2024-05-05T19:30:00-04:00
      --partial examples/example-partial.csv --compare-with examples/example-partial.csv
      --baseline examples/example-previous.csv --baseline-spec examples/example-previous.toml)
echo "== tallyscope report ${args[*]} -o $report --json-out ${report%.html}.json"
"$bin" report "${args[@]}" -o "$report" --json-out "${report%.html}.json"
echo
echo "demo: done (check exited 1 because the example has a planted error, as intended)"
echo "demo: the report is $(pwd)/$report: open it in any browser; it works offline"
