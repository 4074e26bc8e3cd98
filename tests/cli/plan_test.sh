#!/usr/bin/env bash
# `schemagate plan` end to end: plan the example rollout, check its shape and that two
# runs are byte-identical, replay every generated Job as an AdmissionReview through
# `schemagate review` (cluster state = the tenant Namespaces + the plan's own
# objects) and expect each admitted; plan a dangerous migration and expect exit 1
# naming tenant and gate; when kubectl is present, apply the plan to the fake
# apiserver with real kubectl and read it back. Prints "N passed, M failed".
set -uo pipefail
root=${SCHEMAGATE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SCHEMAGATE_BIN:-$root/build/schemagate}
ex=$root/examples/plan
tmp=$(mktemp -d)
fake_pid=""
cleanup() {
  [[ -n "$fake_pid" ]] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [[ -n "${2:-}" ]] && printf '       %s\n' "$2" | head -20; }
check_eq() { if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1" "expected [$2] got [$3]"; fi; }
check_has() { if [[ "$3" == *"$2"* ]]; then pass "$1"; else fail "$1" "missing [$2] in: $3"; fi; }

plan() {
  "$bin" plan --job-template "$ex/job-template.yaml" --cluster-state "$ex/cluster-state.yaml" "$@"
}

# --- the example plan ---
plan --migrations "$ex/migrations" --waves canary=1,batch=2 >"$tmp/plan.yaml" 2>"$tmp/plan.err"
check_eq "plan exits 0" 0 $?
plan --migrations "$ex/migrations" --waves canary=1,batch=2 >"$tmp/plan2.yaml" 2>/dev/null
if cmp -s "$tmp/plan.yaml" "$tmp/plan2.yaml"; then pass "two runs are byte-identical"; else fail "two runs are byte-identical"; fi
summary=$(cat "$tmp/plan.err")
check_has "summary header" "TENANT    NAMESPACE        DATABASE  SCHEMA           WAVE  WARNINGS" "$summary"
check_has "acme is the canary, with its annotated schema" \
  "acme      tenant-acme      acme      acme_billing     1" "$summary"
check_has "umbrella in wave 3 with template names" \
  "umbrella  tenant-umbrella  umbrella  tenant_umbrella  3" "$summary"

# Objects per kind, read back with a YAML 1.1 reader like kubectl's (the repo's
# stdlib reader; PyYAML is not needed).
read_plan() {
  python3 - "$root/tests/chart" "$1" "$2" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import yaml_subset
docs = [d for d in yaml_subset.load_all(open(sys.argv[2]).read()) if d]
print(eval(sys.argv[3], {"docs": docs, "json": json}))
PY
}
check_eq "15 objects: ConfigMap, Job, rollback Job for 5 tenants" "True" \
  "$(read_plan "$tmp/plan.yaml" "[d['kind'] for d in docs] == ['ConfigMap', 'Job', 'Job'] * 5")"
check_eq "every Job hardened" "True" "$(read_plan "$tmp/plan.yaml" "all(d['spec']['backoffLimit'] == 0 and d['spec']['template']['spec']['restartPolicy'] == 'Never' and d['metadata']['labels']['schemagate.io/migration'] == 'true' and 'lock_timeout=5s' in [e for e in d['spec']['template']['spec']['containers'][0]['env'] if e['name'] == 'PGOPTIONS'][0]['value'] for d in docs if d['kind'] == 'Job')")"
check_eq "rollback Jobs suspended" "True" "$(read_plan "$tmp/plan.yaml" "all(d['spec'].get('suspend') is True for d in docs if d['metadata']['labels'].get('schemagate.io/rollback') == 'true') and sum(1 for d in docs if d['metadata']['labels'].get('schemagate.io/rollback') == 'true') == 5")"
check_eq "ConfigMap holds the migration files verbatim" "True" "$(read_plan "$tmp/plan.yaml" "docs[0]['data']['000001_create_invoices.up.sql'] == open('$ex/migrations/000001_create_invoices.up.sql').read()")"

# --- every generated Job admitted by `schemagate review` ---
cat "$ex/cluster-state.yaml" "$tmp/plan.yaml" >"$tmp/state.yaml"
python3 - "$root/tests/chart" "$tmp/plan.yaml" "$tmp" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import yaml_subset
docs = [d for d in yaml_subset.load_all(open(sys.argv[2]).read()) if d]
for i, d in enumerate(d for d in docs if d["kind"] == "Job"):
    gvk = {"group": "batch", "version": "v1", "kind": "Job"}
    gvr = {"group": "batch", "version": "v1", "resource": "jobs"}
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "plan-%02d" % i, "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr,
        "name": d["metadata"]["name"], "namespace": d["metadata"]["namespace"], "operation": "CREATE",
        "userInfo": {"username": "plan-test"}, "object": d, "oldObject": None, "dryRun": False}}
    with open("%s/review-%02d.json" % (sys.argv[3], i), "w") as f:
        json.dump(review, f)
PY
n=0
for f in "$tmp"/review-*.json; do
  n=$((n + 1))
  out=$("$bin" review --cluster-state "$tmp/state.yaml" <"$f" 2>&1)
  rc=$?
  allowed=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["response"]["allowed"])' <<<"$out" 2>/dev/null)
  if [[ $rc -eq 0 && "$allowed" == True ]]; then
    pass "review admits $(basename "$f") ($(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["request"]; print(r["namespace"] + "/" + r["name"])' "$f"))"
  else
    fail "review admits $(basename "$f")" "rc=$rc $out"
  fi
done
check_eq "10 Jobs replayed" 10 "$n"

# --- a dangerous migration fails the plan, naming tenant and gate ---
out=$(plan --migrations "$ex/dangerous" 2>&1 >"$tmp/bad.yaml")
check_eq "dangerous plan exits 1" 1 $?
check_eq "dangerous plan prints no YAML" 0 "$(wc -c <"$tmp/bad.yaml")"
check_has "names tenant and namespace" "tenant acme (namespace tenant-acme): Job migrate-billing-" "$out"
check_has "names the gate" "[lint.require-concurrent-index] configmap/migrate-billing-migrations-" "$out"
check_has "counts the denied Jobs" "would be denied; no plan printed" "$out"

# --- usage errors exit 2 ---
out=$(plan --migrations "$ex/migrations" --kubeconfig x 2>&1)
check_eq "--kubeconfig is refused (no live client yet)" 2 $?
check_has "--kubeconfig says what to do instead" "pass --cluster-state" "$out"
out=$(plan --migrations "$ex/migrations" --waves batch=0 2>&1)
check_eq "bad --waves exits 2" 2 $?

# --- real kubectl applies the plan (fake apiserver), when kubectl is here ---
KUBECTL=${KUBECTL:-$(command -v kubectl || true)}
if [[ -z "$KUBECTL" ]] || ! command -v openssl >/dev/null; then
  echo "skip - kubectl round trip (kubectl and openssl needed)"
else
  bash "$root/tests/fake_apiserver/gen_certs.sh" "$tmp/certs" >/dev/null 2>&1
  export HOME=$tmp KUBECONFIG=$tmp/kubeconfig KUBECACHEDIR=$tmp/kube-cache
  python3 "$root/tests/fake_apiserver/fake_apiserver.py" --port 0 \
    --tls-cert "$tmp/certs/server.crt" --tls-key "$tmp/certs/server.key" --tls-ca "$tmp/certs/ca.crt" \
    --token plan-test-token --kubeconfig-out "$KUBECONFIG" --max-lifetime 300 >"$tmp/fake.out" 2>"$tmp/fake.err" &
  fake_pid=$!
  for _ in $(seq 50); do grep -q '^LISTENING ' "$tmp/fake.out" 2>/dev/null && break; sleep 0.1; done
  k() { "$KUBECTL" --request-timeout=10s "$@"; }
  out=$(k apply -f "$ex/cluster-state.yaml" 2>&1) || fail "kubectl applies the tenant Namespaces" "$out"
  out=$(k apply -f "$tmp/plan.yaml" -l schemagate.io/wave=1 2>&1)
  check_eq "kubectl applies wave 1 (3 objects)" 3 "$(grep -c ' created' <<<"$out")"
  out=$(k apply -f "$tmp/plan.yaml" 2>&1)
  check_eq "kubectl applies the whole plan" 0 $?
  check_eq "12 more objects created" 12 "$(grep -c ' created' <<<"$out")"
  cm=$(read_plan "$tmp/plan.yaml" "docs[0]['metadata']['name']")
  got=$(k get configmap -n tenant-acme "$cm" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["000002_invoice_note.up.sql"], end="")')
  check_eq "ConfigMap SQL survives kubectl" "$(cat "$ex/migrations/000002_invoice_note.up.sql")" "$got"
  got=$(k get jobs -A -l schemagate.io/rollback=true -o json | python3 -c 'import json,sys; print(sorted({(j["spec"]["suspend"], j["metadata"]["labels"]["schemagate.io/migration"]) for j in json.load(sys.stdin)["items"]}))')
  check_eq "rollback Jobs stored suspended and labelled" "[(True, 'true')]" "$got"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
