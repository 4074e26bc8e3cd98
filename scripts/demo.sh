#!/usr/bin/env bash
# The README's main command: installs what the build needs, builds schemagate, starts
# the webhook over TLS on the bundled examples, and replays example AdmissionReviews
# against it the way the Kubernetes apiserver would, printing what kubectl would show.
#
#   scripts/demo.sh                              # everything
#   SCHEMAGATE_DEMO_BIN=build-dev/schemagate scripts/demo.sh   # reuse a built binary
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ -t 1 ]; then
  bold=$'\e[1m' dim=$'\e[2m' red=$'\e[31m' yellow=$'\e[33m' green=$'\e[32m' cyan=$'\e[36m' reset=$'\e[0m'
else
  bold="" dim="" red="" yellow="" green="" cyan="" reset=""
fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }

bin=${SCHEMAGATE_DEMO_BIN:-}
if [ -z "$bin" ]; then
  step "Installing build dependencies (scripts/deps.sh --build-only) and openssl, curl, python3"
  scripts/deps.sh --build-only
  missing=()
  for tool in openssl curl python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" ca-certificates
  fi
  step "Building schemagate (build/, target schemagate only)"
  BUILD_TARGETS=schemagate scripts/build.sh build -DSCHEMAGATE_TESTS=OFF
  bin=build/schemagate
fi

tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

step "Generating a throw-away CA-less self-signed certificate (SAN localhost, 127.0.0.1)"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null
echo "${dim}$tmp/tls.crt${reset}"

port=${SCHEMAGATE_DEMO_PORT:-8443}
url=https://127.0.0.1:$port
step "Starting the webhook: $bin serve --listen 127.0.0.1:$port"
echo "${dim}  --config examples/policy.yaml --cluster-state examples/cluster-state.yaml${reset}"
"$bin" serve --config examples/policy.yaml --cluster-state examples/cluster-state.yaml \
  --tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key" --listen "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if curl -fsS --cacert "$tmp/tls.crt" "$url/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "${red}the server exited before it was ready:${reset}"; cat "$tmp/server.log"; exit 1
  fi
  sleep 0.1
done
curl -fsS --cacert "$tmp/tls.crt" "$url/readyz" >/dev/null || { echo "not ready after 10s"; cat "$tmp/server.log"; exit 1; }
echo "${green}ready${reset} ${dim}(GET /readyz: policy loaded, cluster state synced)${reset}"

# What kubectl prints for an admission answer (the apiserver wraps a denial as
# `admission webhook "<name>" denied the request: <message>`).
render() {  # render <reply.json> <verb> <manifest> <resource/name> <dry-run: yes|no>
  python3 - "$@" <<'PY'
import json, os, sys
reply, verb, manifest, obj, dry = sys.argv[1:6]
tty = os.isatty(1)
c = lambda code, s: f"\033[{code}m{s}\033[0m" if tty else s
r = json.load(open(reply))["response"]
for w in r.get("warnings", []):
    print(c("33", "Warning: ") + w)
if r["allowed"]:
    done = {"create": "created", "apply": "configured"}[verb]
    print(f"{obj} {done}" + (" (server dry run)" if dry == "yes" else ""))
else:
    s = r.get("status", {})
    kind = {403: "Forbidden", 500: "InternalError"}.get(s.get("code"), s.get("reason", ""))
    action = "creating" if verb == "create" else "applying patch"
    print(c("31", f"Error from server ({kind}): ") + f'error when {action} "{manifest}": admission webhook '
          f'"jobs.schemagate.io" denied the request: {s.get("message", "")}')
a = r.get("auditAnnotations", {})
print(c("2", "  audit: " + "  ".join(f"{k}={v[:16] + '…' if k == 'migration-hash' else v}" for k, v in sorted(a.items()))))
PY
}

replay() {  # replay <review> <verb> <manifest> <resource/name> <dry> <title>
  local review=$1 verb=$2 manifest=$3 obj=$4 dry=$5 title=$6
  local cmd="kubectl $verb -f $manifest"
  if [ "$dry" = yes ]; then cmd="$cmd --dry-run=server"; fi
  printf '\n%s%s%s  %s# %s%s\n' "$cyan" "\$ $cmd" "$reset" "$dim" "$title" "$reset"
  curl -fsS --cacert "$tmp/tls.crt" -H 'Content-Type: application/json' \
    --data-binary "@examples/reviews/$review.json" "$url/validate" >"$tmp/reply.json"
  render "$tmp/reply.json" "$verb" "$manifest" "$obj" "$dry"
}

step "Replaying AdmissionReviews (examples/reviews/*.json) as the apiserver would"
replay clean-create create examples/jobs/orders-migrate-v3.yaml job.batch/orders-migrate-v3 no \
  "tenant-acme: new table, nullable column, timeouts set"
replay warnings-create create examples/jobs/inventory-migrate-v2.yaml job.batch/inventory-migrate-v2 no \
  "tenant-initech: safe locks, but types that age badly and an image by tag"
replay dangerous-create create examples/jobs/billing-migrate-v7.yaml job.batch/billing-migrate-v7 no \
  "tenant-globex: blocking index, NOT NULL without default, DROP COLUMN"
replay dry-run create examples/jobs/billing-migrate-v7.yaml job.batch/billing-migrate-v7 yes \
  "the same Job, server-side dry run: judged the same, nothing written"
replay missing-configmap-create create examples/jobs/orders-migrate-v4.yaml job.batch/orders-migrate-v4 no \
  "tenant-acme: the Job was applied before its ConfigMap"
replay not-a-job create pod.yaml pod/psql-debug no "a Pod: not a Job, admitted at once"
replay update-no-change apply examples/jobs/orders-migrate-v3.yaml job.batch/orders-migrate-v3 no \
  "a status-only UPDATE of a running Job: nothing gated changed"

step "Metrics (GET /metrics, the reviewer's own lines)"
curl -fsS --cacert "$tmp/tls.crt" "$url/metrics" |
  grep -E '^schemagate_(clusterview_synced|policy_reloads_total|migration_cache_lookups_total)' || true
echo "${dim}(dangerous-create and dry-run share one ConfigMap: its SQL was parsed once)${reset}"

step "Stopping the webhook (SIGTERM)"
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
pid=""
if [ "$code" -eq 0 ]; then
  echo "${green}server exited 0 after draining${reset}"
else
  echo "${red}server exited $code${reset}"; cat "$tmp/server.log"; exit 1
fi
