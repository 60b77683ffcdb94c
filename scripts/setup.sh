#!/usr/bin/env bash
# Installs every build and test dependency of tallyscope from Debian 12's archive.
# Shared by the README's two commands and by .ci/run; safe to run again.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git time ccache
  libeigen3-dev libboost-dev libboost-math-dev libcli11-dev nlohmann-json3-dev
  libfmt-dev zlib1g-dev libsqlite3-dev libfast-float-dev libtomlplusplus-dev libssl-dev libicu-dev
  libzip-dev libexpat1-dev  # XLSX: the zip container and the XML inside
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang libclang-rt-14-dev
  python3 python3-numpy python3-pandas python3-scipy python3-statsmodels
  chromium  # renders the HTML report in the report's browser test (headless)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
