#!/usr/bin/env bash
# Protocol-level tests of the fake kube-apiserver (tests/fake_apiserver/fake_apiserver.py):
# auth (token, client certs), CRUD and 409s, selectors, pagination, watch resumption, bookmarks,
# 410 Expired after /_fake/expire, outages, request log, YAML seeding.
# Runs under CTest (SCHEMAGATE_SOURCE_DIR set) or standalone. Prints "N passed, M failed".
set -uo pipefail
src=${SCHEMAGATE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
if ! command -v python3 >/dev/null || ! command -v openssl >/dev/null; then
  echo "SKIP: python3 and openssl are needed"; echo "0 passed, 0 failed"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash "$src/tests/fake_apiserver/gen_certs.sh" "$tmp/certs" || { echo "cannot make certificates"; echo "0 passed, 1 failed"; exit 1; }
timeout 120 python3 "$src/tests/fake_apiserver/test_fake_apiserver.py" "$tmp/certs"
rc=$?
exit $rc
