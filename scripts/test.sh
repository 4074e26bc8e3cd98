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
scripts/build.sh "$root/build" -DSCHEMAGATE_TESTS=ON
(cd build && ctest --output-on-failure -j "$jobs" --timeout 900)

echo "== sanitizer build (ASan+UBSan): unit and lock-truth suites"
# Only the two suites it runs: the binary and benchmarks are already tested above.
# -O0 -g1: half the compile time of -O1, line numbers in reports, asserts on.
BUILD_TYPE=Debug BUILD_TARGETS="unit_tests pg_tests" scripts/build.sh "$root/build-asan" \
  -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DSCHEMAGATE_SANITIZE=ON -DSCHEMAGATE_BENCH=OFF -DSCHEMAGATE_TESTS=ON
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
# The unit suite in one process (ctest would start one per test case: 30x slower under ASan).
build-asan/unit_tests
(cd build-asan && ctest --output-on-failure -L pg --timeout 900)
