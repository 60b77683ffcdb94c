#!/usr/bin/env bash
# Re-vendors the charting library of the HTML report (vega, vega-lite, vega-embed) from the npm
# registry into third_party/vega/: the minified UMD builds and each package's LICENSE. Debian 12
# packages vega (libjs-vega, 5.22) but neither vega-lite nor vega-embed, so the three are vendored
# together at matching versions. The versions are those of third_party/vega/package.json; with its
# package-lock.json present, `npm ci` reproduces exactly the locked tree. To move to new versions:
# edit package.json, delete package-lock.json, run this script, rebuild, run the report tests.
# Needs node and npm (build machines do not: the vendored files are committed).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=third_party/vega
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$dest/package.json" "$tmp/"
[ -f "$dest/package-lock.json" ] && cp "$dest/package-lock.json" "$tmp/"
if [ -f "$tmp/package-lock.json" ]; then
  (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund)
else
  (cd "$tmp" && npm install --ignore-scripts --no-audit --no-fund)
fi
for p in vega vega-lite vega-embed; do
  cp "$tmp/node_modules/$p/build/$p.min.js" "$dest/$p.min.js"
  cp "$tmp/node_modules/$p/LICENSE" "$dest/LICENSE.$p"
  echo "update-vega: $p $(node -p "require('$tmp/node_modules/$p/package.json').version")" >&2
done
cp "$tmp/package-lock.json" "$dest/package-lock.json"
