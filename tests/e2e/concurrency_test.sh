#!/usr/bin/env bash
# One migration per database, end to end (docs/concurrency.md): the real binary
# (`serve --kubeconfig`) against the fake kube-apiserver. A second migration of a
# database is denied while the first runs and admitted once it completes; two
# server processes racing for the same database admit exactly one, round after
# round; a dry run takes no Lease; a freeze annotation added at runtime denies; a
# Lease API error follows failureMode. Prints "N passed, M failed"; about 30 s.
source "$(dirname "$0")/lib.sh"
require_tools python3 openssl curl
ROUNDS=${CONCURRENCY_ROUNDS:-30}
watchdog 240

# --- the fake apiserver (plain HTTP + token), the demo cluster, the lease namespace -------
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: schemagate\n' >"$WORK/ns.yaml"
start_fake fake --token s3cret --seed "$SRC/examples/cluster-state.yaml" --seed "$WORK/ns.yaml" \
  --kubeconfig-out "$WORK/kubeconfig" --max-lifetime 230 || { not_ok "fake apiserver starts"; finish; }
api() { # api METHOD PATH [curl args...]
  local m=$1 p=$2
  shift 2
  curl -s --max-time 5 -H 'Authorization: Bearer s3cret' -X "$m" "$@" "http://127.0.0.1:$FAKE$p"
}
fake() { curl -s --max-time 5 -X "$1" "http://127.0.0.1:$FAKE$2" "${@:3}"; }
merge() { api PATCH "$1" -H 'Content-Type: application/merge-patch+json' -d "$2" >/dev/null; }
LEASES=/apis/coordination.k8s.io/v1/namespaces/schemagate/leases

# tenant-acme owns the databases the rounds use (tenancy.require-owned-target).
dbs="orders"
for i in $(seq 0 $((ROUNDS - 1))); do dbs="$dbs,race$i"; done
dbs="$dbs,dry,frozen,broken,gen,resume"
merge /api/v1/namespaces/tenant-acme "{\"metadata\":{\"annotations\":{\"schemagate.io/databases\":\"$dbs\"}}}"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=sg \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
cp "$SRC/examples/policy.yaml" "$WORK/policy.yaml"

start_serve() { # start_serve LOG: sets PORT once /readyz is 200
  POD_NAMESPACE=schemagate "$BIN" serve --config "$WORK/policy.yaml" --kubeconfig "$WORK/kubeconfig" \
    --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" --listen 127.0.0.1:0 >/dev/null 2>"$1" &
  local pid=$!
  PIDS+=("$pid")
  PORT=""
  for _ in $(seq 150); do
    PORT=$(grep -o 'listening on https://127.0.0.1:[0-9]*' "$1" 2>/dev/null | grep -o '[0-9]*$' || true)
    if [ -n "$PORT" ] &&
      [ "$(curl -sk --max-time 2 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/readyz")" == 200 ]; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}
start_serve "$WORK/serve1.log" || { not_ok "server 1 ready" "$(cat "$WORK/serve1.log")"; finish; }
P1=$PORT
start_serve "$WORK/serve2.log" || { not_ok "server 2 ready" "$(cat "$WORK/serve2.log")"; finish; }
P2=$PORT
ok "two servers ready against the fake apiserver"

# mkreview OUT NAME DATABASE [dry]: the clean example Job, renamed, for another database.
mkreview() {
  python3 - "$SRC/examples/reviews/clean-create.json" "$@" <<'PY'
import json, sys, uuid
src, out, name, db = sys.argv[1:5]
d = json.load(open(src))
r = d["request"]
r["uid"] = str(uuid.uuid4())
r["name"] = name
r["dryRun"] = len(sys.argv) > 5
o = r["object"]
o["metadata"]["name"] = name
o["metadata"]["annotations"]["schemagate.io/database"] = db
for k in ("uid", "resourceVersion", "creationTimestamp", "generation"):
    o["metadata"].pop(k, None)
json.dump(d, open(out, "w"))
PY
}
review() { curl -sk --max-time 15 -X POST -H 'Content-Type: application/json' --data-binary "@$2" \
  "https://127.0.0.1:$1/validate"; }
allowed() { python3 -c 'import json,sys; print(str(json.load(sys.stdin)["response"]["allowed"]).lower())' <<<"$1" 2>/dev/null || echo "no-answer"; }
message() { python3 -c 'import json,sys; print(json.load(sys.stdin)["response"].get("status",{}).get("message",""))' <<<"$1" 2>/dev/null; }
holder() { api GET "$LEASES/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("spec",{}).get("holderIdentity","<none>"))' 2>/dev/null; }
create_job() { # create_job REVIEW_FILE: store the reviewed Job, as the apiserver would after admission
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["request"]["object"]))' "$1" |
    api POST /apis/batch/v1/namespaces/tenant-acme/jobs -H 'Content-Type: application/json' --data-binary @- >/dev/null
}
metric() { curl -sk --max-time 3 "https://127.0.0.1:$1/metrics" | awk -v m="$2" 'index($1, m) == 1 {s += $2} END {print s+0}'; }

# --- a second migration of a database waits for the first ----------------------------------
mkreview "$WORK/a.json" orders-migrate-a orders
r=$(review "$P1" "$WORK/a.json")
expect "first migration of acme/orders is admitted" "$(allowed "$r")" true
expect "its Lease names the Job" "$(holder schemagate-db-acme-orders)" tenant-acme/orders-migrate-a
expect "a retry of the same review keeps the Lease (idempotent)" "$(allowed "$(review "$P2" "$WORK/a.json")")" true
create_job "$WORK/a.json"
mkreview "$WORK/b.json" orders-migrate-b orders
r=$(review "$P2" "$WORK/b.json")
expect "a second migration of acme/orders is denied while the first runs" "$(allowed "$r")" false
m=$(message "$r")
expect "the denial is under concurrency.one-migration-per-database" \
  "$(grep -c '^\[concurrency.one-migration-per-database\]' <<<"$m")" 1
expect "and names the running Job" "$(grep -c 'orders-migrate-a' <<<"$m")" 1
# The first Job completes: the informer sees it, the gate goes silent, the Lease is taken over.
api PATCH /apis/batch/v1/namespaces/tenant-acme/jobs/orders-migrate-a/status \
  -H 'Content-Type: application/merge-patch+json' \
  -d '{"status":{"succeeded":1,"conditions":[{"type":"Complete","status":"True"}]}}' >/dev/null
got=false
for _ in $(seq 50); do
  mkreview "$WORK/b.json" orders-migrate-b orders
  got=$(allowed "$(review "$P2" "$WORK/b.json")")
  [ "$got" == true ] && break
  sleep 0.1
done
expect "once the first Job completes the second is admitted" "$got" true
expect "the Lease was taken over by the second Job" "$(holder schemagate-db-acme-orders)" tenant-acme/orders-migrate-b

# --- dry run takes no Lease ----------------------------------------------------------------
mkreview "$WORK/dry.json" dry-migrate dry dry
expect "a dry-run migration is admitted" "$(allowed "$(review "$P1" "$WORK/dry.json")")" true
expect "and takes no Lease" "$(api GET "$LEASES/schemagate-db-acme-dry" -o /dev/null -w '%{http_code}')" 404
mkreview "$WORK/dry.json" dry-migrate dry
expect "the same review for real takes it" "$(allowed "$(review "$P1" "$WORK/dry.json")")/$(holder schemagate-db-acme-dry)" \
  true/tenant-acme/dry-migrate

# --- a suspended Job takes no Lease; resuming it (an UPDATE) takes it ------------------------
# mkresume OUT NAME DATABASE SUSPEND_OLD SUSPEND_NEW: an UPDATE of the example Job.
mkresume() {
  python3 - "$SRC/examples/reviews/clean-create.json" "$@" <<'PY'
import copy, json, sys, uuid
src, out, name, db, old_s, new_s = sys.argv[1:7]
d = json.load(open(src))
r = d["request"]
r["uid"] = str(uuid.uuid4())
r["name"] = name
o = r["object"]
o["metadata"]["name"] = name
o["metadata"]["annotations"]["schemagate.io/database"] = db
for k in ("uid", "resourceVersion", "creationTimestamp", "generation"):
    o["metadata"].pop(k, None)
old = copy.deepcopy(o)
old["spec"]["suspend"] = old_s == "true"
o["spec"]["suspend"] = new_s == "true"
if old_s == "none":
    r["operation"] = "CREATE"
    r.pop("oldObject", None)
else:
    r["operation"] = "UPDATE"
    r["oldObject"] = old
json.dump(d, open(out, "w"))
PY
}
mkresume "$WORK/s1.json" resume-a resume none true
expect "a suspended migration Job is admitted" "$(allowed "$(review "$P1" "$WORK/s1.json")")" true
expect "and takes no Lease" "$(api GET "$LEASES/schemagate-db-acme-resume" -o /dev/null -w '%{http_code}')" 404
mkresume "$WORK/s1.json" resume-a resume true false
expect "resuming it (UPDATE suspend true -> false) is admitted" "$(allowed "$(review "$P2" "$WORK/s1.json")")" true
expect "and takes the Lease" "$(holder schemagate-db-acme-resume)" tenant-acme/resume-a
create_job "$WORK/s1.json"
mkresume "$WORK/s2.json" resume-b resume true false
r=$(review "$P1" "$WORK/s2.json")
expect "resuming a second Job for the database is denied while the first holds the Lease" "$(allowed "$r")" false
expect "the denial names the holder" "$(grep -c 'resume-a' <<<"$(message "$r")")" 1
mkresume "$WORK/s2.json" resume-b resume false false
expect "an UPDATE that does not resume takes no Lease" \
  "$(allowed "$(review "$P1" "$WORK/s2.json")")/$(holder schemagate-db-acme-resume)" true/tenant-acme/resume-a

# --- two servers racing for the same database: exactly one admits ---------------------------
won_before=$(( $(metric "$P1" 'schemagate_leases_total{result="won"}') + $(metric "$P2" 'schemagate_leases_total{result="won"}') ))
bad=0
lease_denials=0
for i in $(seq 0 $((ROUNDS - 1))); do
  mkreview "$WORK/r1.json" "race-one-$i" "race$i"
  mkreview "$WORK/r2.json" "race-two-$i" "race$i"
  review "$P1" "$WORK/r1.json" >"$WORK/o1" &
  c1=$!
  review "$P2" "$WORK/r2.json" >"$WORK/o2" &
  c2=$!
  wait "$c1" "$c2"
  a1=$(allowed "$(cat "$WORK/o1")")
  a2=$(allowed "$(cat "$WORK/o2")")
  h=$(holder "schemagate-db-acme-race$i")
  case "$a1/$a2/$h" in
  true/false/tenant-acme/race-one-$i) loser=$WORK/o2 ;;
  false/true/tenant-acme/race-two-$i) loser=$WORK/o1 ;;
  *)
    bad=$((bad + 1))
    echo "  round $i: server1=$a1 server2=$a2 lease holder=$h"
    continue
    ;;
  esac
  grep -q "another migration of acme/race$i was admitted first (lease schemagate-db-acme-race$i held by $h)" \
    <<<"$(message "$(cat "$loser")")" && lease_denials=$((lease_denials + 1))
done
expect "$ROUNDS rounds of two concurrent reviews on two servers: exactly one admitted, and it holds the Lease" \
  "$bad" 0
expect "every loser is told which Job won the Lease" "$lease_denials" "$ROUNDS"
won_after=$(( $(metric "$P1" 'schemagate_leases_total{result="won"}') + $(metric "$P2" 'schemagate_leases_total{result="won"}') ))
expect "schemagate_leases_total{result=won} rose by $ROUNDS across both servers" "$((won_after - won_before))" "$ROUNDS"
lost=$(( $(metric "$P1" 'schemagate_leases_total{result="lost"}') + $(metric "$P2" 'schemagate_leases_total{result="lost"}') ))
expect "schemagate_leases_total{result=lost} counts the losers" "$([ "$lost" -ge "$ROUNDS" ] && echo yes || echo "no ($lost)")" yes

# --- a freeze added at runtime denies -----------------------------------------------------
merge /api/v1/namespaces/tenant-acme '{"metadata":{"annotations":{"schemagate.io/freeze":"restore in progress, ask #dba"}}}'
got=""
for _ in $(seq 50); do
  mkreview "$WORK/f.json" frozen-migrate frozen dry
  got=$(message "$(review "$P1" "$WORK/f.json")")
  grep -q '^\[concurrency.namespace-freeze\]' <<<"$got" && break
  sleep 0.1
done
expect "a freeze annotation added on the apiserver denies (no restart)" \
  "$(grep -c '^\[concurrency.namespace-freeze\] metadata.namespace: Namespace tenant-acme is frozen for migrations ("restore in progress, ask #dba")' <<<"$got")" 1
merge /api/v1/namespaces/tenant-acme '{"metadata":{"annotations":{"schemagate.io/freeze":null}}}'
for _ in $(seq 50); do
  mkreview "$WORK/f.json" frozen-migrate frozen dry
  got=$(allowed "$(review "$P1" "$WORK/f.json")")
  [ "$got" == true ] && break
  sleep 0.1
done
expect "lifting the freeze admits again" "$got" true

# --- a Lease API error follows failureMode (closed: deny, code 500) -----------------------
fake POST /_fake/fail -d '{"method":"POST","path":"/leases","code":500,"count":1}' >/dev/null
mkreview "$WORK/e.json" broken-migrate broken
r=$(review "$P2" "$WORK/e.json")
expect "a Lease create failing with 500: failureMode closed denies" "$(allowed "$r")" false
expect "and says the Lease was not taken" "$(grep -c 'database Lease for acme/broken not taken' <<<"$(message "$r")")" 1
expect "schemagate_leases_total{result=error}" "$(metric "$P2" 'schemagate_leases_total{result="error"}')" 1
expect "the retry, with the apiserver healthy, is admitted" "$(allowed "$(review "$P2" "$WORK/e.json")")" true

finish
