#!/usr/bin/env bash
# `schemagate review` on every example AdmissionReview: decisions, exit codes, uid
# echo, and the shape the apiserver needs. Run by CTest with SCHEMAGATE_BIN set.
set -euo pipefail
root=${SCHEMAGATE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SCHEMAGATE_BIN:-$root/build/schemagate}
ex=$root/examples
fails=0

# review <file> -> sets $out (reply body) and $code (exit code)
review() {
  set +e
  out=$("$bin" review --config "$ex/policy.yaml" --cluster-state "$ex/cluster-state.yaml" < "$1")
  code=$?
  set -e
}

# field <python expression over r = reply["response"]>
field() {
  python3 -c 'import json,sys; r=json.load(sys.stdin)["response"]; print(eval(sys.argv[1]))' "$1" <<<"$out"
}

expect() {  # expect <what> <got> <want>
  if [ "$2" != "$3" ]; then
    echo "FAIL $name: $1: got '$2', want '$3'"
    fails=$((fails + 1))
  fi
}

# name exit allowed decision warnings(yes|no) first-gate-in-causes
cases=(
  "clean-create 0 True allow no -"
  "dangerous-create 1 False deny - lint.require-concurrent-index"
  "dry-run 1 False deny - lint.require-concurrent-index"
  "warnings-create 0 True allow yes -"
  "missing-configmap-create 1 False deny no job.require-migration-sql"
  "not-a-job 0 True skip no -"
  "update-no-change 0 True skip no -"
)
for c in "${cases[@]}"; do
  read -r name want_exit want_allowed want_decision want_warnings want_cause <<<"$c"
  file=$ex/reviews/$name.json
  review "$file"
  expect "exit code" "$code" "$want_exit"
  expect "apiVersion" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["apiVersion"])' <<<"$out")" \
    "admission.k8s.io/v1"
  expect "uid echoed" "$(field 'r["uid"]')" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"]["uid"])' "$file")"
  expect "allowed" "$(field 'r["allowed"]')" "$want_allowed"
  expect "decision" "$(field 'r["auditAnnotations"]["decision"]')" "$want_decision"
  expect "no patch" "$(field '"patch" in r or "patchType" in r')" "False"
  if [ "$want_warnings" = yes ]; then
    expect "has warnings" "$(field 'len(r.get("warnings", [])) > 0')" "True"
  elif [ "$want_warnings" = no ]; then
    expect "no warnings" "$(field 'len(r.get("warnings", []))')" "0"
  fi
  expect "warnings one line, <=256" \
    "$(field 'all("\n" not in w and len(w.encode()) <= 256 for w in r.get("warnings", []))')" "True"
  if [ "$want_cause" != - ]; then
    expect "cause" "$(field "'$want_cause' in [c['reason'] for c in r['status']['details']['causes']]")" "True"
    expect "code 403" "$(field 'r["status"]["code"]')" "403"
    expect "message lists the gate" "$(field "\"[$want_cause] \" in r[\"status\"][\"message\"]")" "True"
  fi
done

# The dry run and the real request get the same answer (but their own uid).
name=dry-run
review "$ex/reviews/dangerous-create.json"
wet=$(field 'r["status"]["message"]')
review "$ex/reviews/dry-run.json"
expect "dry run judged like a real create" "$(field 'r["status"]["message"]')" "$wet"

# Unreadable input: exit 2 and a Status body, never an AdmissionReview without a uid.
name=malformed
set +e
out=$(echo '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}' | "$bin" review)
code=$?
set -e
expect "exit code" "$code" "2"
expect "Status reason" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["reason"])' <<<"$out")" "BadRequest"

# A bad policy fails at start-up with exit 2.
name=bad-policy
set +e
echo 'mode: sometimes' > "${TMPDIR:-/tmp}/schemagate-bad-policy-$$.yaml"
"$bin" review --config "${TMPDIR:-/tmp}/schemagate-bad-policy-$$.yaml" < "$ex/reviews/clean-create.json" >/dev/null 2>&1
code=$?
rm -f "${TMPDIR:-/tmp}/schemagate-bad-policy-$$.yaml"
set -e
expect "exit code" "$code" "2"

# check -f judges the same Jobs offline the same way.
name=check-f
set +e
"$bin" check --config "$ex/policy.yaml" --cluster-state "$ex/cluster-state.yaml" -f "$ex/jobs/orders-migrate-v3.yaml" >/dev/null
code=$?
set -e
expect "clean Job exit" "$code" "0"
set +e
"$bin" check --config "$ex/policy.yaml" --cluster-state "$ex/cluster-state.yaml" -f "$ex/jobs/billing-migrate-v7.yaml" >/dev/null
code=$?
set -e
expect "dangerous Job exit" "$code" "1"

if [ "$fails" -gt 0 ]; then
  echo "review_test: $fails failure(s)"
  exit 1
fi
echo "review_test: all passed"
