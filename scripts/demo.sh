#!/usr/bin/env bash
# The README's main command: installs, builds, and runs schemagate on the bundled
# examples.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh --build-only
SCHEMAGATE_TESTS=OFF
scripts/build.sh "$root/build" -DSCHEMAGATE_TESTS=OFF
echo "== schemagate check examples/migrations"
set +e
build/schemagate check examples/migrations
code=$?
set -e
echo "== exit code $code (0 clean, 1 denied, 2 bad input)"
