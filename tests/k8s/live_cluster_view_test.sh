#!/usr/bin/env bash
# `schemagate serve --kubeconfig` against the fake kube-apiserver (TLS + bearer token):
# readiness follows the informers' first list; reviews see Namespaces from the watch;
# a tenant label change takes effect without a restart; 410 after compaction relists;
# an outage shorter than cache.maxStalenessSeconds is ridden out, a longer one turns
# /readyz 503 and applies failureMode, and recovery makes it ready again; no API call
# per review with a warm cache except the ConfigMap GET on a miss; SIGTERM stops the
# informers; client-certificate auth works (and its absence fails closed). Prints
# "N passed, M failed"; about 60 s.
source "$SCHEMAGATE_SOURCE_DIR/tests/e2e/lib.sh"
require_tools python3 openssl curl

# --- the fake apiserver: TLS, token, the demo cluster ------------------------------------
bash "$SRC/tests/fake_apiserver/gen_certs.sh" "$WORK/certs" >/dev/null 2>&1 || { not_ok "certificates"; finish; }
start_fake fake --tls-cert "$WORK/certs/server.crt" --tls-key "$WORK/certs/server.key" \
  --tls-ca "$WORK/certs/ca.crt" --token s3cret --seed "$SRC/examples/cluster-state.yaml" \
  --kubeconfig-out "$WORK/kubeconfig" --max-lifetime 150 || { not_ok "fake apiserver starts"; finish; }
api() { # api METHOD PATH [curl args...]: the fake's API with the token
  local m=$1 p=$2
  shift 2
  curl -s --max-time 5 --cacert "$WORK/certs/ca.crt" -H 'Authorization: Bearer s3cret' -X "$m" "$@" \
    "https://127.0.0.1:$FAKE$p"
}
fake() { curl -s --max-time 5 --cacert "$WORK/certs/ca.crt" -X "$1" "https://127.0.0.1:$FAKE$2" "${@:3}"; }

# A short staleness bound so the outage cases fit in seconds.
sed 's/^failureMode: closed.*/failureMode: closed/' "$SRC/examples/policy.yaml" >"$WORK/policy.yaml"
printf 'cache:\n  maxStalenessSeconds: 4\n' >>"$WORK/policy.yaml"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=sg \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null

start_serve() { # start_serve LOG KUBECONFIG: sets SERVE_PID and PORT once /healthz answers
  "$BIN" serve --config "$WORK/policy.yaml" --kubeconfig "$2" --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" \
    --listen 127.0.0.1:0 2>"$1" &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
  PORT=""
  for _ in $(seq 100); do
    PORT=$(grep -o 'listening on https://127.0.0.1:[0-9]*' "$1" 2>/dev/null | grep -o '[0-9]*$' || true)
    if [ -n "$PORT" ] && curl -sk --max-time 2 "https://127.0.0.1:$PORT/healthz" >/dev/null; then return 0; fi
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}
readyz() { curl -sk --max-time 3 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/readyz"; }
wait_ready() { # wait_ready WANT SECONDS
  local deadline=$((SECONDS + $2)) got
  while :; do
    got=$(readyz)
    [ "$got" == "$1" ] && { echo "$got"; return; }
    [ $SECONDS -ge $deadline ] && { echo "$got"; return; }
    sleep 0.2
  done
}
review() { curl -sk --max-time 10 -X POST -H 'Content-Type: application/json' --data-binary "@$1" \
  "https://127.0.0.1:$PORT/validate"; }
metric() { curl -sk --max-time 3 "https://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 ~ "^"m {s += $2} END {print s+0}'; }
fires() { if grep -q "$2" <<<"$1"; then echo fires; else echo silent; fi; }
CLEAN="$SRC/examples/reviews/clean-create.json"
# The clean Job also naming a ConfigMap that exists nowhere: the one GET on a miss.
python3 - "$CLEAN" "$WORK/missing-cm.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["request"]["object"]["metadata"]["annotations"]["schemagate.io/migrations"] = "no-such-migrations"
json.dump(d, open(sys.argv[2], "w"))
EOF

# --- readiness follows the first list ----------------------------------------------------
fake POST /_fake/delay -d '{"ms": 1500}' >/dev/null
start_serve "$WORK/serve.log" "$WORK/kubeconfig" || { not_ok "serve starts" "$(cat "$WORK/serve.log")"; finish; }
expect "/readyz is 503 before the informers listed" "$(readyz)" 503
fake POST /_fake/delay -d '{"ms": 0}' >/dev/null
expect "/readyz turns 200 once every informer listed (token auth via kubeconfig)" "$(wait_ready 200 15)" 200

# --- a review sees the namespace; a label change applies without restart -----------------
r=$(review "$CLEAN")
expect "clean Job in tenant-acme is admitted (namespace seen)" "$(grep -o '"allowed":[a-z]*' <<<"$r")" '"allowed":true'
expect "tenancy.require-tenant-label silent while labelled" "$(fires "$r" tenancy.require-tenant-label)" silent
api PATCH /api/v1/namespaces/tenant-acme -H 'Content-Type: application/merge-patch+json' \
  -d '{"metadata":{"labels":{"schemagate.io/tenant":null}}}' >/dev/null
got=silent
for _ in $(seq 50); do
  got=$(fires "$(review "$CLEAN")" tenancy.require-tenant-label)
  [ "$got" == fires ] && break
  sleep 0.1
done
expect "tenant label removed on the apiserver -> require-tenant-label fires (no restart)" "$got" fires
api PATCH /api/v1/namespaces/tenant-acme -H 'Content-Type: application/merge-patch+json' \
  -d '{"metadata":{"labels":{"schemagate.io/tenant":"acme"}}}' >/dev/null
for _ in $(seq 50); do
  got=$(fires "$(review "$CLEAN")" tenancy.require-tenant-label)
  [ "$got" == silent ] && break
  sleep 0.1
done
expect "tenant label added back -> require-tenant-label stops firing" "$got" silent

# --- warm cache: no API call per review; one GET on a ConfigMap miss ----------------------
seq0=$(fake GET /_fake/requests | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')
for _ in 1 2 3 4 5; do review "$CLEAN" >/dev/null; done
calls=$(fake GET "/_fake/requests?since=$seq0" | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["requests"] if r["userAgent"] == "schemagate-webhook"))')
expect "5 reviews with a warm cache: 0 API calls" "$calls" 0
review "$WORK/missing-cm.json" >/dev/null
review "$WORK/missing-cm.json" >/dev/null
gets=$(fake GET "/_fake/requests?since=$seq0" | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["requests"]
          if r["userAgent"] == "schemagate-webhook" and r["method"] == "GET" and "/configmaps/no-such-migrations" in r["path"]))')
expect "a ConfigMap miss costs one GET, and the 404 is remembered" "$gets" 1
expect "schemagate_clusterview_configmap_gets_total{result=not_found}" \
  "$(metric 'schemagate_clusterview_configmap_gets_total\{result="not_found"\}')" 1

# --- 410: compaction + dropped watches -> relist, still correct ----------------------------
# Cut the watches, change something and compact before they come back (they wait
# 0.4-0.8 s): each informer resumes from an RV older than the compaction -> 410.
fake POST /_fake/drop-watches >/dev/null
api PATCH /api/v1/namespaces/tenant-acme -H 'Content-Type: application/merge-patch+json' \
  -d '{"metadata":{"labels":{"schemagate.io/tenant":null}}}' >/dev/null
fake POST /_fake/expire >/dev/null
relists=0
for _ in $(seq 60); do
  relists=$(metric schemagate_informer_relists_total)
  [ "$relists" -ge 4 ] && break
  sleep 0.2
done
expect "every informer relisted after 410 Expired" "$([ "$relists" -ge 4 ] && echo yes || echo "no ($relists)")" yes
expect "after the relist the change made meanwhile is seen" "$(fires "$(review "$CLEAN")" tenancy.require-tenant-label)" fires
api PATCH /api/v1/namespaces/tenant-acme -H 'Content-Type: application/merge-patch+json' \
  -d '{"metadata":{"labels":{"schemagate.io/tenant":"acme"}}}' >/dev/null
for _ in $(seq 50); do
  [ "$(fires "$(review "$CLEAN")" tenancy.require-tenant-label)" == silent ] && break
  sleep 0.1
done
expect "and the watch after the relist delivers changes" "$(fires "$(review "$CLEAN")" tenancy.require-tenant-label)" silent
restarts_before=$(metric schemagate_informer_watch_restarts_total)

# --- outages ---------------------------------------------------------------------------
fake POST /_fake/outage -d '{"seconds": 2, "mode": "refuse"}' >/dev/null
worst=200
for _ in $(seq 12); do
  s=$(readyz)
  [ "$s" != 200 ] && worst=$s
  sleep 0.2
done
expect "a 2 s outage (< maxStalenessSeconds 4): /readyz stays 200" "$worst" 200
expect "a review during a short outage still answers from the cache" \
  "$(grep -o '"allowed":[a-z]*' <<<"$(review "$CLEAN")")" '"allowed":true'
sleep 2
fake POST /_fake/outage -d '{"seconds": 9, "mode": "503"}' >/dev/null
expect "a 9 s outage: /readyz turns 503 past maxStalenessSeconds" "$(wait_ready 503 8)" 503
r=$(review "$CLEAN")
expect "a stale view: failureMode closed denies the migration Job" "$(grep -o '"allowed":[a-z]*' <<<"$r")" '"allowed":false'
expect "the answer says why" "$(grep -o 'cluster view is not synced' <<<"$r" | head -1)" "cluster view is not synced"
expect "schemagate_clusterview_age_seconds > 4 while stale" \
  "$(awk 'BEGIN {print ('"$(metric schemagate_clusterview_age_seconds)"' > 4) ? "yes" : "no"}')" yes
fake POST /_fake/outage -d '{"seconds": 0}' >/dev/null
expect "recovery: /readyz 200 again" "$(wait_ready 200 20)" 200
expect "recovery: the migration Job is admitted again" \
  "$(grep -o '"allowed":[a-z]*' <<<"$(review "$CLEAN")")" '"allowed":true'
expect "watch restarts were counted" \
  "$([ "$(metric schemagate_informer_watch_restarts_total)" -gt "$restarts_before" ] && echo yes || echo no)" yes

# --- SIGTERM stops the informers and exits 0 -------------------------------------------
kill -TERM "$SERVE_PID"
rc=124
for _ in $(seq 50); do
  if ! kill -0 "$SERVE_PID" 2>/dev/null; then
    wait "$SERVE_PID"
    rc=$?
    break
  fi
  sleep 0.1
done
expect "SIGTERM: informers joined, exit 0 within 5 s" "$rc" 0

# --- a wrong token: 401 on the list, never ready -----------------------------------------
sed 's/token: .*/token: "wrong"/' "$WORK/kubeconfig" >"$WORK/bad-kubeconfig"
start_serve "$WORK/bad.log" "$WORK/bad-kubeconfig" || not_ok "serve with a bad token starts"
sleep 1.5
expect "wrong token: /readyz stays 503" "$(readyz)" 503
expect "wrong token: the log says 401" "$(grep -o -m1 '401 Unauthorized' "$WORK/bad.log")" "401 Unauthorized"
kill -TERM "$SERVE_PID" 2>/dev/null

# --- client-certificate auth: a fake that requires a client cert and takes no token ------
MAIN_FAKE=$FAKE
start_fake fake-cert --tls-cert "$WORK/certs/server.crt" --tls-key "$WORK/certs/server.key" \
  --tls-ca "$WORK/certs/ca.crt" --client-ca "$WORK/certs/ca.crt" --kubeconfig-client-cert "$WORK/certs/client.crt" \
  --kubeconfig-client-key "$WORK/certs/client.key" --seed "$SRC/examples/cluster-state.yaml" \
  --kubeconfig-out "$WORK/cert-kubeconfig" --max-lifetime 60 || not_ok "the client-cert fake apiserver starts"
FAKE=$MAIN_FAKE
expect "the cert kubeconfig carries client-certificate-data, no token" \
  "$(grep -c 'client-certificate-data\|client-key-data' "$WORK/cert-kubeconfig")/$(grep -c 'token:' "$WORK/cert-kubeconfig")" "2/0"
start_serve "$WORK/cert.log" "$WORK/cert-kubeconfig" || not_ok "serve with a client certificate starts"
expect "client certificate: the informers list and /readyz turns 200" "$(wait_ready 200 20)" 200
expect "client certificate: a review sees the cluster" \
  "$(grep -o '"allowed":[a-z]*' <<<"$(review "$CLEAN")")" '"allowed":true'
kill -TERM "$SERVE_PID" 2>/dev/null
grep -v 'client-certificate-data\|client-key-data' "$WORK/cert-kubeconfig" | sed 's/^  user:$/  user: {}/' \
  >"$WORK/nocert-kubeconfig"
start_serve "$WORK/nocert.log" "$WORK/nocert-kubeconfig" || not_ok "serve without the client certificate starts"
sleep 1.5
expect "no client certificate: the TLS handshake fails, /readyz stays 503" "$(readyz)" 503
kill -TERM "$SERVE_PID" 2>/dev/null

# --- configuration errors name the file and field -----------------------------------------
printf 'apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts: []\n' >"$WORK/empty-kubeconfig"
out=$("$BIN" serve --config "$WORK/policy.yaml" --kubeconfig "$WORK/empty-kubeconfig" --tls-cert "$WORK/tls.crt" \
  --tls-key "$WORK/tls.key" --listen 127.0.0.1:0 2>&1)
expect "a kubeconfig without the context: the error names file and field" \
  "$(grep -c "empty-kubeconfig: contexts: no entry named 'x'" <<<"$out")" 1
finish
