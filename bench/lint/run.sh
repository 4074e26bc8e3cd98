#!/usr/bin/env bash
# bench/lint: schemagate check vs squawk 2.66 vs a bare libpg_query parse, on a
# generated corpus of 2,000 migration files and on one ~5 MB file.
# Usage: bench/lint/run.sh [--runs N] [--skip-squawk-big]
# Prints one JSON line per measurement; docs/benchmarks.md records a run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
runs=5
squawk_big=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --skip-squawk-big) squawk_big=0; shift ;;
    *) echo "usage: $0 [--runs N] [--skip-squawk-big]" >&2; exit 2 ;;
  esac
done

scripts/deps.sh --build-only >/dev/null
build=${BUILD_DIR:-"$root/build-bench"}
scripts/build.sh "$build" -DSCHEMAGATE_TESTS=OFF >/dev/null

corpus="$root/bench/corpus"
if [ ! -f "$corpus/big/schema_dump.sql" ]; then
  python3 bench/lint/gen_corpus.py "$corpus"
fi

tools="$root/.tools/squawk"
if [ ! -x "$tools/node_modules/.bin/squawk" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --no-audit --no-fund --silent squawk-cli@2.66.0 >/dev/null)
fi
squawk="$tools/node_modules/.bin/squawk"

m() { python3 bench/lint/measure.py --runs "$runs" "$@"; }
files=("$corpus"/migrations/*.sql)
echo "# corpus: ${#files[@]} files, $(cat "${files[@]}" | wc -c) bytes; big: $(wc -c <"$corpus/big/schema_dump.sql") bytes"
echo "# $(nproc) cores; $(uname -r); squawk $("$squawk" --version 2>/dev/null || echo '?')"
m --label "corpus/bare-parse" -- "$build/bench_bare_parse" --tune-malloc "$corpus/migrations"
m --label "corpus/bare-parse-default-malloc" -- "$build/bench_bare_parse" "$corpus/migrations"
m --label "corpus/schemagate" -- "$build/schemagate" check "$corpus/migrations"
m --label "corpus/squawk" -- "$squawk" "${files[@]}"
m --label "big/bare-parse" -- "$build/bench_bare_parse" --tune-malloc "$corpus/big/schema_dump.sql"
m --label "big/bare-parse-default-malloc" -- "$build/bench_bare_parse" "$corpus/big/schema_dump.sql"
m --label "big/schemagate" -- "$build/schemagate" check "$corpus/big/schema_dump.sql"
if [ "$squawk_big" = 1 ]; then
  python3 bench/lint/measure.py --runs 1 --warmup 0 --label "big/squawk" -- "$squawk" "$corpus/big/schema_dump.sql"
fi
