#!/usr/bin/env bash
# Regenerates the gate reference (docs/gates.md) and the README's gate table from
# the registry. Usage: scripts/gen-docs.sh [path/to/schemagate]
# tests/cli/docs_current_test.sh fails when these are out of date.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-"$root/build/schemagate"}
"$bin" gates --format reference >"$root/docs/gates.md"
table=$("$bin" gates --format markdown)
python3 - "$root/README.md" "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
begin, end = "<!-- gates:begin -->", "<!-- gates:end -->"
i, j = text.index(begin) + len(begin), text.index(end)
open(path, "w").write(text[:i] + "\n" + table + "\n" + text[j:])
PY
