#!/usr/bin/env bash
# Chart tests: installs helm (scripts/tools.sh), then tests/chart/chart_checks.py runs
# `helm lint --strict` and `helm template` over the option matrix and asserts on the rendered
# objects. Prints `N passed, M failed` last; exits non-zero on any failure.
# Env (set by CTest): SCHEMAGATE_SOURCE_DIR; SCHEMAGATE_BIN, when set (or <repo>/build/schemagate
# when it exists), must accept the policy files the chart renders.
set -euo pipefail
root=${SCHEMAGATE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

if ! helm=$(bash "$root/scripts/tools.sh" | tail -n 1) || [ ! -x "$helm" ]; then
  echo "chart_test: could not install helm with scripts/tools.sh"
  echo "0 passed, 1 failed"
  exit 1
fi

# Keep helm away from the user's config, cache and repositories.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HELM_CONFIG_HOME="$home/config" HELM_CACHE_HOME="$home/cache" HELM_DATA_HOME="$home/data"
export HELM="$helm" SCHEMAGATE_SOURCE_DIR="$root"
echo "chart_test: $("$helm" version --short)"
exec python3 "$root/tests/chart/chart_checks.py"
