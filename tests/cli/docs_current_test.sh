#!/usr/bin/env bash
# The gate reference (docs/gates.md) and the README's gate table are generated from
# the registry; this fails when someone adds or changes a gate without regenerating
# them (scripts/gen-docs.sh).
set -uo pipefail
root=${SCHEMAGATE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SCHEMAGATE_BIN:-"$root/build/schemagate"}
pass=0
fail=0
check() {
  if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" gates --format reference >"$tmp/gates.md"
if cmp -s "$tmp/gates.md" "$root/docs/gates.md"; then check ok; else
  check no "docs/gates.md is out of date: run scripts/gen-docs.sh"; diff "$root/docs/gates.md" "$tmp/gates.md" | head -20
fi
"$bin" gates --format markdown >"$tmp/table.md"
python3 - "$root/README.md" "$tmp/table.md" <<'PY' && check ok || check no "README.md gate table is out of date: run scripts/gen-docs.sh"
import sys
text = open(sys.argv[1]).read()
table = open(sys.argv[2]).read()
begin, end = "<!-- gates:begin -->", "<!-- gates:end -->"
i, j = text.index(begin) + len(begin), text.index(end)
sys.exit(0 if text[i:j].strip() == table.strip() else 1)
PY
# Every gate listed has a section in the reference.
count=$("$bin" gates | wc -l)
sections=$(grep -c '^## [a-z]*\.' "$root/docs/gates.md")
if [ "$count" = "$sections" ]; then check ok; else check no "docs/gates.md has $sections gate sections for $count gates"; fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
