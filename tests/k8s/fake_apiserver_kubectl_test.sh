#!/usr/bin/env bash
# Fidelity of the fake kube-apiserver against REAL kubectl: the fake is started with TLS + bearer
# token and kubectl talks to it through the kubeconfig the fake writes. Every check can fail; the
# script prints "N passed, M failed" and exits non-zero on any failure.
# Runs under CTest (SCHEMAGATE_SOURCE_DIR set) or standalone. Skips (exit 0) when kubectl is absent.
set -uo pipefail
src=${SCHEMAGATE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KUBECTL=${KUBECTL:-$(command -v kubectl || true)}
if [[ -z "$KUBECTL" ]] || ! command -v python3 >/dev/null || ! command -v openssl >/dev/null; then
  echo "SKIP: kubectl, python3 and openssl are needed"; echo "0 passed, 0 failed"; exit 0
fi

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
# check NAME NEEDLE -- CMD...: CMD must exit 0 and print NEEDLE (stdout+stderr)
check() {
  local name=$1 needle=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -eq 0 && "$out" == *"$needle"* ]]; then pass "$name"; else fail "$name" "rc=$rc out=$out"; fi
}
# check_fails NAME NEEDLE -- CMD...: CMD must exit non-zero and print NEEDLE
check_fails() {
  local name=$1 needle=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -ne 0 && "$out" == *"$needle"* ]]; then pass "$name"; else fail "$name" "rc=$rc out=$out"; fi
}
# check_eq NAME EXPECTED ACTUAL
check_eq() { if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1" "expected [$2] got [$3]"; fi; }

bash "$src/tests/fake_apiserver/gen_certs.sh" "$tmp/certs" || { fail "make certificates"; echo "$passed passed, $failed failed"; exit 1; }
export HOME=$tmp KUBECONFIG=$tmp/kubeconfig KUBECACHEDIR=$tmp/kube-cache
python3 "$src/tests/fake_apiserver/fake_apiserver.py" --port 0 \
  --tls-cert "$tmp/certs/server.crt" --tls-key "$tmp/certs/server.key" --tls-ca "$tmp/certs/ca.crt" \
  --token "kubectl-test-token" --kubeconfig-out "$KUBECONFIG" --max-lifetime 300 >"$tmp/fake.out" 2>"$tmp/fake.err" &
fake_pid=$!
for _ in $(seq 50); do grep -q '^LISTENING ' "$tmp/fake.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/^LISTENING/ {print $2}' "$tmp/fake.out")
if [[ -z "$port" ]]; then fail "fake apiserver starts" "$(cat "$tmp/fake.err")"; echo "$passed passed, $failed failed"; exit 1; fi
pass "fake apiserver starts (LISTENING $port)"
k() { "$KUBECTL" --request-timeout=10s "$@"; }
fake() { curl -sk "https://127.0.0.1:$port/_fake/$1" "${@:2}"; }

# --- discovery, version, get ---
check "kubectl version sees the fake server" "Server Version: v1.33" -- k version
check "get namespaces" "kube-system" -- k get namespaces
check_fails "wrong token: Unauthorized" "Unauthorized" -- k --token=wrong get namespaces

# --- create / get -o json / label / annotate ---
check "create namespace (protobuf body from kubectl)" "namespace/acme created" -- k create namespace acme
ns_json=$(k get ns acme -o json 2>&1)
check_eq "get ns -o json: name and automatic metadata.name label" "acme acme Active" \
  "$(python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["metadata"]["name"], o["metadata"]["labels"]["kubernetes.io/metadata.name"], o["status"]["phase"])' <<<"$ns_json" 2>&1)"
check "label namespace" "namespace/acme labeled" -- k label ns acme schemagate.io/tenant=acme
check "annotate namespace" "namespace/acme annotated" -- k annotate ns acme schemagate.io/schemas=tenant_acme
check_eq "label and annotation stored" "acme tenant_acme" \
  "$(k get ns acme -o jsonpath='{.metadata.labels.schemagate\.io/tenant} {.metadata.annotations.schemagate\.io/schemas}' 2>&1)"
check "get ns with a label selector" "acme" -- k get ns -l schemagate.io/tenant -o name
check_fails "create namespace twice: AlreadyExists" 'namespaces "acme" already exists' -- k create namespace acme

# --- apply a ConfigMap and Jobs (client-side apply: GET, then POST, then PATCH) ---
cat >"$tmp/migration.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: migs
  namespace: acme
data:
  001_init.up.sql: |
    CREATE TABLE orders (id bigint primary key);
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  namespace: acme
  labels:
    schemagate.io/migration: "true"
  annotations:
    schemagate.io/database: orders
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: migrate/migrate:v4.17.0
        command: ["migrate", "-path", "/migrations", "up"]
        volumeMounts:
        - name: migs
          mountPath: /migrations
      volumes:
      - name: migs
        configMap:
          name: migs
---
apiVersion: batch/v1
kind: Job
metadata:
  name: report
  namespace: acme
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: report
        image: busybox
YAML
out=$(k apply -f "$tmp/migration.yaml" 2>&1)
if [[ "$out" == *"configmap/migs created"* && "$out" == *"job.batch/migrate created"* ]]; then pass "apply creates a ConfigMap and Jobs"; else fail "apply creates a ConfigMap and Jobs" "$out"; fi
check "apply again: unchanged" "job.batch/migrate unchanged" -- k apply -f "$tmp/migration.yaml"
sed -i 's/migrate:v4.17.0/migrate:v4.18.1/' "$tmp/migration.yaml"
check "apply a changed image: configured (strategic merge patch)" "job.batch/migrate configured" -- k apply -f "$tmp/migration.yaml"
check_eq "patched Job keeps command and mounts, generation 2" "migrate:v4.18.1|migrate -path /migrations up|/migrations|2" \
  "$(k get job migrate -n acme -o jsonpath='{.spec.template.spec.containers[0].image}|{.spec.template.spec.containers[0].command[*]}|{.spec.template.spec.containers[0].volumeMounts[0].mountPath}|{.metadata.generation}' 2>&1 | sed 's#^migrate/##')"
reqlog=$(fake requests)
if [[ "$reqlog" == *'"method":"PATCH","path":"/apis/batch/v1/namespaces/acme/jobs/migrate"'*'fieldValidation=Strict'* ]]; then
  pass "kubectl apply used a PATCH with server-side field validation"; else fail "kubectl apply used a PATCH with server-side field validation" "$(tail -c 600 <<<"$reqlog")"; fi
jobs_out=$(k get jobs -A -l schemagate.io/migration=true 2>&1)
if [[ "$jobs_out" == *"acme"*"migrate"* && "$jobs_out" != *"report"* ]]; then pass "get jobs -A -l schemagate.io/migration=true"; else fail "get jobs -A -l schemagate.io/migration=true" "$jobs_out"; fi
check "create configmap from literals (protobuf body)" "configmap/lits created" -- k create configmap lits -n acme --from-literal=a=1 --from-literal=b=2
check_eq "protobuf-created ConfigMap data" "1 2" "$(k get cm lits -n acme -o jsonpath='{.data.a} {.data.b}' 2>&1)"

# --- watch: ADDED then MODIFIED from concurrent changes ---
timeout 15 "$KUBECTL" get configmaps -n acme --watch-only --output-watch-events --request-timeout=8s >"$tmp/watch.out" 2>"$tmp/watch.err" &
watch_pid=$!
for _ in $(seq 50); do grep -q 'watch=true' <<<"$(fake requests)" && break; sleep 0.1; done
k create configmap watched -n acme --from-literal=k=v >/dev/null 2>&1
k label configmap watched -n acme schemagate.io/seen=yes >/dev/null 2>&1
for _ in $(seq 50); do grep -q 'MODIFIED' "$tmp/watch.out" && break; sleep 0.1; done
kill "$watch_pid" 2>/dev/null; wait "$watch_pid" 2>/dev/null
if grep -Eq '^ADDED +watched' "$tmp/watch.out" && grep -Eq '^MODIFIED +watched' "$tmp/watch.out" \
   && [[ $(grep -n -E '^ADDED +watched' "$tmp/watch.out" | cut -d: -f1) -lt $(grep -n -E '^MODIFIED +watched' "$tmp/watch.out" | cut -d: -f1) ]]; then
  pass "get --watch sees ADDED then MODIFIED"; else fail "get --watch sees ADDED then MODIFIED" "$(cat "$tmp/watch.out" "$tmp/watch.err")"; fi

# --- pagination: kubectl --chunk-size follows continue tokens ---
for i in 1 2 3 4; do k create configmap "page-$i" -n acme >/dev/null 2>&1; done
check_eq "get --chunk-size=2 lists every ConfigMap across pages" "7" "$(k get cm -n acme --chunk-size=2 -o name 2>&1 | wc -l | tr -d ' ')"
if [[ "$(fake requests)" == *'continue='* ]]; then pass "pagination used continue tokens"; else fail "pagination used continue tokens"; fi

# --- Lease from YAML, a conflicting replace with a stale resourceVersion ---
cat >"$tmp/lease.yaml" <<'YAML'
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: schemagate-db-orders
  namespace: acme
spec:
  holderIdentity: webhook-0
  leaseDurationSeconds: 30
YAML
check "create a Lease from YAML" "lease.coordination.k8s.io/schemagate-db-orders created" -- k create -f "$tmp/lease.yaml"
k get lease schemagate-db-orders -n acme -o yaml >"$tmp/stale.yaml" 2>&1
check "take the Lease over (merge patch)" "patched" -- k patch lease schemagate-db-orders -n acme --type=merge -p '{"spec":{"holderIdentity":"webhook-1"}}'
check_fails "replace with a stale resourceVersion: 409 Conflict" \
  'Operation cannot be fulfilled on leases.coordination.k8s.io "schemagate-db-orders": the object has been modified' -- k replace -f "$tmp/stale.yaml"
check_eq "the Lease keeps the winner" "webhook-1" "$(k get lease schemagate-db-orders -n acme -o jsonpath='{.spec.holderIdentity}' 2>&1)"

# --- server-side apply (approximated as create-or-merge) ---
cat >"$tmp/ssa.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: acme
data:
  k: v1
YAML
check "apply --server-side creates" "configmap/ssa serverside-applied" -- k apply --server-side -f "$tmp/ssa.yaml"
sed -i 's/k: v1/k: v2/' "$tmp/ssa.yaml"
k apply --server-side -f "$tmp/ssa.yaml" >/dev/null 2>&1
check_eq "apply --server-side updates" "v2" "$(k get cm ssa -n acme -o jsonpath='{.data.k}' 2>&1)"

# --- delete ---
check "delete a ConfigMap" 'configmap "migs" deleted' -- k delete configmap migs -n acme
check_fails "get the deleted ConfigMap: NotFound" 'configmaps "migs" not found' -- k get configmap migs -n acme
check "delete the namespace" 'namespace "acme" deleted' -- k delete namespace acme
check_eq "namespace deletion cascades to its Jobs" "" "$(k get jobs -A -o name 2>&1)"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
