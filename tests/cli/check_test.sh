#!/usr/bin/env bash
# `schemagate check` on paths: a directory without migration files is a usage error that
# names it (a mistyped path must not pass CI with "0 files"), `check -f job.yaml` without
# paths works as before, the summary counts the files really checked (same base names in
# two folders included), ory/pop files for other databases are named as not checked, and
# a golang-migrate up named on its own brings its down along.
# Prints "N passed, M failed".
set -uo pipefail
root=${SCHEMAGATE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SCHEMAGATE_BIN:-$root/build/schemagate}
ex=$root/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [[ -n "${2:-}" ]] && printf '       %s\n' "$2" | head -20; }
check_eq() { if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1" "expected [$2] got [$3]"; fi; }
check_has() { if [[ "$3" == *"$2"* ]]; then pass "$1"; else fail "$1" "missing [$2] in: $3"; fi; }

# run <args...> -> $out (stdout), $err (stderr), $code
run() {
  out=$("$bin" check "$@" 2>"$tmp/stderr")
  code=$?
  err=$(cat "$tmp/stderr")
}

# --- a directory with nothing to check ---
mkdir -p "$tmp/empty" "$tmp/docs-only"
echo "# migrations" >"$tmp/docs-only/README.md"
run "$tmp/empty"
check_eq "empty directory: exit 2" 2 "$code"
check_eq "empty directory: the message names it" \
  "schemagate: no migration files (*.sql, goose *.go) under $tmp/empty" "$err"
check_eq "empty directory: nothing on stdout" "" "$out"
run "$tmp/docs-only"
check_eq "directory without .sql or .go: exit 2" 2 "$code"
run "$tmp/missing"
check_eq "missing path: exit 2" 2 "$code"
check_has "missing path: named" "$tmp/missing" "$err"

# --- check -f without paths is unchanged ---
run -f "$ex/jobs/orders-migrate-v3.yaml" --cluster-state "$ex/cluster-state.yaml" --config "$ex/policy.yaml"
check_eq "check -f without paths: exit 0" 0 "$code"
check_has "check -f without paths: the Job's ConfigMap is read" "in 4 files (13 statements)" "$out"

# --- the summary counts every file checked ---
mkdir -p "$tmp/temporal/v1.10" "$tmp/temporal/v1.21"
echo "CREATE TABLE a (id bigint);" >"$tmp/temporal/v1.10/task_queue.sql"
printf 'CREATE TABLE b (id bigint);\nCREATE TABLE c (id bigint);\n' >"$tmp/temporal/v1.21/task_queue.sql"
run "$tmp/temporal"
check_eq "same base name in two folders: exit 0" 0 "$code"
check_has "same base name in two folders: both counted" "in 2 files (3 statements)" "$out"
run "$tmp/temporal/v1.10/task_queue.sql" "$tmp/temporal/v1.21/task_queue.sql"
check_has "same base name given by name: both counted" "in 2 files (3 statements)" "$out"

# --- ory/pop files for other databases ---
mkdir -p "$tmp/pop"
echo "CREATE TABLE identities (id uuid);" >"$tmp/pop/20191100000001_identities.postgres.up.sql"
echo 'CREATE TABLE `identities` (`id` CHAR(36));' >"$tmp/pop/20191100000001_identities.mysql.up.sql"
echo 'CREATE TABLE identities (id TEXT);' >"$tmp/pop/20191100000001_identities.sqlite3.up.sql"
run "$tmp/pop"
check_has "pop: one file checked" "in 1 file (1 statement)" "$out"
check_eq "pop: the others named on the last line" \
  "not checked: 1 file for mysql (ory/pop dialect), 1 file for sqlite3 (ory/pop dialect)" "$(tail -n 1 <<<"$out")"
run --format json "$tmp/pop"
if python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$out" 2>/dev/null; then
  pass "pop: --format json stays JSON"
else
  fail "pop: --format json stays JSON" "$out"
fi

# --- an up named on its own brings its down ---
mkdir -p "$tmp/pair"
printf "SET lock_timeout = '2s';\nSET statement_timeout = '1min';\nCREATE TABLE posts (id bigint);\n" \
  >"$tmp/pair/000020_create_posts.up.sql"
printf "SET lock_timeout = '2s';\nSET statement_timeout = '1min';\nDROP TABLE posts;\n" \
  >"$tmp/pair/000020_create_posts.down.sql"
printf "CREATE TABLE tags (id bigint);\n" >"$tmp/pair/000021_create_tags.up.sql"
run "$tmp/pair/000020_create_posts.up.sql"
check_eq "up named alone, its down next to it: clean" 0 "$code"
check_has "up named alone: the down is read too" "in 2 files (6 statements)" "$out"
run "$tmp/pair/000021_create_tags.up.sql"
check_has "up named alone without a down: reported" "[rollback.require-down-migration]" "$out"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
