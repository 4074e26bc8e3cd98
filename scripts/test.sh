#!/usr/bin/env bash
# Installs, builds and runs every test: unit tests, PostgreSQL lock truth (a real
# PostgreSQL 15 the tests start themselves), end-to-end, chart and fake-apiserver
# suites, then the unit and lock-truth suites again under ASan+UBSan, and the
# format check. Usage: scripts/test.sh   (the README's test command; .ci/run calls it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)

echo "== installing dependencies"
scripts/deps.sh
scripts/tools.sh >/dev/null

echo "== format check (clang-format)"
files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find gates server k8s tests bench -name '*.[ch]pp')
clang-format --dry-run -Werror $files

echo "== release build and the full suite"
scripts/build.sh "$root/build"
(cd build && ctest --output-on-failure -j "$jobs" --timeout 900)

echo "== sanitizer build (ASan+UBSan): unit and lock-truth suites"
# Only the two suites it runs: the binary and benchmarks are already tested above.
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCHEMAGATE_SANITIZE=ON \
  -DSCHEMAGATE_BENCH=OFF >/dev/null
cmake --build "$root/build-asan" -j "$jobs" --target unit_tests pg_tests
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$jobs" -L 'unit|pg' --timeout 900)
