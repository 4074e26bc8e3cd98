#!/usr/bin/env bash
# Live cluster scale benchmark (docs/benchmarks.md, "Live cluster scale"):
#   1. seed the fake kube-apiserver (TLS, token) with NS tenant namespaces, JOBS migration
#      Jobs (JOBS/NS per namespace) and a ConfigMap with SQL (and a non-SQL key) in every
#      CM_EVERY-th namespace, plus the demo cluster (the reviewed Job's namespace and ConfigMap)
#   2. start `serve --kubeconfig`, time until /readyz is 200 (initial sync), read RSS
#   3. review latency at a fixed RATE/s with bench/webhook/rate_client, live vs --cluster-state
# Usage: bench/k8s/run.sh [--smoke]   (env SCHEMAGATE_BIN, NS, JOBS, CM_EVERY, RATE, DURATION, REVIEW)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${SCHEMAGATE_BIN:-$root/build/schemagate}
NS=${NS:-5000}
JOBS=${JOBS:-20000}
CM_EVERY=${CM_EVERY:-10}
RATE=${RATE:-200}
DURATION=${DURATION:-10}
if [ "${1:-}" == "--smoke" ]; then NS=50 JOBS=200 DURATION=2; fi
for tool in openssl g++ python3 curl; do
  command -v $tool >/dev/null || { echo "run.sh: needs $tool"; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/schemagate-bench-k8s.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$work/seed.json" "$NS" "$JOBS" "$CM_EVERY" <<'EOF'
import json, sys
out, ns_n, jobs_n, cm_every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
items = []
for i in range(ns_n):
    t = "t%05d" % i
    items.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "tenant-" + t, "labels": {"schemagate.io/tenant": t},
        "annotations": {"schemagate.io/schemas": "tenant_" + t, "schemagate.io/databases": "app"}}})
    if i % cm_every == 0:
        items.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-migrations", "namespace": "tenant-" + t},
                      "data": {"001_init.up.sql": "CREATE TABLE tenant_%s.t (id bigint PRIMARY KEY);\n" % t,
                               "README.md": "x" * 2000}})
per_ns = max(1, jobs_n // max(1, ns_n))
for j in range(jobs_n):
    t = "t%05d" % ((j // per_ns) % ns_n)
    items.append({"apiVersion": "batch/v1", "kind": "Job", "metadata": {
        "name": "migrate-%06d" % j, "namespace": "tenant-" + t,
        "labels": {"schemagate.io/migration": "true"},
        "annotations": {"schemagate.io/database": "app", "schemagate.io/migrations": "app-migrations"}},
        "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [
            {"name": "migrate", "image": "migrate/migrate:v4.17.0", "args": ["up"]}]}}},
        "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}})
json.dump({"items": items}, open(out, "w"))
EOF
bash "$root/tests/fake_apiserver/gen_certs.sh" "$work/certs" >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
g++ -O2 -std=c++20 "$root/bench/webhook/rate_client.cpp" -o "$work/rate_client" -lssl -lcrypto -pthread

t0=$(date +%s.%N)
python3 "$root/tests/fake_apiserver/fake_apiserver.py" --port 0 --tls-cert "$work/certs/server.crt" \
  --tls-key "$work/certs/server.key" --tls-ca "$work/certs/ca.crt" --token bench --history 100000 \
  --seed "$work/seed.json" --seed "$root/examples/cluster-state.yaml" --kubeconfig-out "$work/kubeconfig" \
  --max-lifetime 900 >"$work/fake.out" 2>"$work/fake.err" &
pids+=("$!")
for _ in $(seq 600); do grep -q LISTENING "$work/fake.out" 2>/dev/null && break; sleep 0.1; done
grep -q LISTENING "$work/fake.out" || { cat "$work/fake.err"; exit 1; }
fake_port=$(grep -o '[0-9]*$' "$work/fake.out")
echo "fake apiserver seeded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"

start_serve() { # start_serve LOG FLAGS...: sets port and serve_pid
  local log=$1
  shift
  "$BIN" serve --config "$root/examples/policy.yaml" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
    --listen 127.0.0.1:0 --threads 2 "$@" 2>"$log" &
  serve_pid=$!
  pids+=("$serve_pid")
  port=""
  for _ in $(seq 100); do
    port=$(grep -o 'listening on https://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  cat "$log"
  exit 1
}
# REVIEW: the AdmissionReview to time; dry-run.json takes no Lease (no API write per review).
review=${REVIEW:-$root/examples/reviews/clean-create.json}

# --- live: initial sync -------------------------------------------------------------
seq0=$(curl -s "https://127.0.0.1:$fake_port/_fake/requests" -k | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')
s0=$(date +%s.%N)
start_serve "$work/live.log" --kubeconfig "$work/kubeconfig"
for _ in $(seq 3000); do
  [ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/readyz")" == 200 ] && break
  sleep 0.05
done
sync_s=$(awk -v a="$s0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
rss_sync=$(awk '/^VmRSS/ {print $2}' "/proc/$serve_pid/status")
pages=$(curl -sk "https://127.0.0.1:$fake_port/_fake/requests?since=$seq0" | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["requests"] if "watch=" not in r["query"]))')
curl -sk "https://127.0.0.1:$port/metrics" | grep '^schemagate_informer_objects'
echo "== live: synced in ${sync_s} s (${pages} list pages), RSS ${rss_sync} KiB"
# The Python fake alone: one list page of 500 Jobs (the informer needs JOBS/500 of them).
p0=$(date +%s.%N)
curl -sk -o /dev/null -H 'Authorization: Bearer bench' "https://127.0.0.1:$fake_port/apis/batch/v1/jobs?limit=500"
echo "== the fake alone: one page of 500 Jobs takes $(awk -v a="$p0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}') s"
echo "== live: single reviews (curl, s):"
for _ in 1 2 3 4 5; do
  curl -sk -o /dev/null -w '%{time_total} ' -H 'Content-Type: application/json' --data-binary "@$review" \
    "https://127.0.0.1:$port/validate"
done
echo
echo "== live: ${RATE}/s for ${DURATION}s (4 connections)"
timeout $((DURATION * 6 + 30)) "$work/rate_client" 127.0.0.1 "$port" /validate "$review" "$RATE" "$DURATION" 4 1 |
  tee "$work/rate-live.txt" || echo "(rate run did not finish)"
rss_live=$(awk '/^VmHWM/ {print $2}' "/proc/$serve_pid/status")
kill "$serve_pid"
wait "$serve_pid" 2>/dev/null || true

# --- static: the demo cluster file, same review -------------------------------------------
start_serve "$work/static.log" --cluster-state "$root/examples/cluster-state.yaml"
sleep 0.5
echo "== static: ${RATE}/s for ${DURATION}s (4 connections)"
"$work/rate_client" 127.0.0.1 "$port" /validate "$review" "$RATE" "$DURATION" 4 1 | tee "$work/rate-static.txt"
rss_static=$(awk '/^VmHWM/ {print $2}' "/proc/$serve_pid/status")

echo "== summary ($NS namespaces, $JOBS migration Jobs, a ConfigMap in every ${CM_EVERY}th namespace)"
echo "initial sync:       ${sync_s} s until /readyz 200"
echo "live RSS:           ${rss_sync} KiB after sync, peak ${rss_live} KiB after the rate run"
echo "static RSS:         peak ${rss_static} KiB"
echo "live ${RATE}/s:      $(tail -n1 "$work/rate-live.txt")"
echo "static ${RATE}/s:    $(tail -n1 "$work/rate-static.txt")"
