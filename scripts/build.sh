#!/usr/bin/env bash
# Configures and builds schemagate. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
# A unity build (16 sources per TU): about 3x faster from clean than one TU per
# source. Pass -DCMAKE_UNITY_BUILD=OFF for quick incremental edits of one file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-"$root/build"}
shift || true
# Ninja: a target's sources compile while the libraries it links are still building.
generator=(-G Ninja)
command -v ninja >/dev/null || generator=()
# A tree configured with another generator cannot switch: start its cache afresh.
if [ -f "$dir/CMakeCache.txt" ] && ! grep -q "^CMAKE_GENERATOR:INTERNAL=${generator[1]:-Unix Makefiles}$" "$dir/CMakeCache.txt"; then
  rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
fi
cmake -S "$root" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 "$@" >/dev/null
cmake --build "$dir" ${BUILD_TARGETS:+--target $BUILD_TARGETS} -j "$(nproc)"
