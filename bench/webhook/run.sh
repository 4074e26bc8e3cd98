#!/usr/bin/env bash
# Webhook benchmark over TLS keep-alive on loopback (docs/benchmarks.md, "Webhook").
#   1. max throughput: wrk -t2 -c32 POSTing a Job review whose ConfigMap holds 20 migrations
#   2. the floor: the same wrk run against nginx returning a fixed JSON over TLS
#   3. latency at a fixed 1,000 reviews/s: rate_client (percentiles from scheduled send times)
#   4. the server's peak RSS (VmHWM)
# Usage: bench/webhook/run.sh [--smoke]   (env SCHEMAGATE_BIN, DURATION, RATE, THREADS)
# --smoke: 2-second runs, to check the script itself; its numbers mean nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${SCHEMAGATE_BIN:-$root/build/schemagate}
DURATION=${DURATION:-20}
RATE=${RATE:-1000}
THREADS=${THREADS:-2}
if [ "${1:-}" == "--smoke" ]; then DURATION=2; fi
for tool in wrk nginx openssl g++ python3; do
  command -v $tool >/dev/null || { echo "run.sh: needs $tool (scripts/deps.sh installs it)"; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/schemagate-bench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

python3 "$root/bench/webhook/gen_fixture.py" "$root" "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
g++ -O2 -std=c++20 "$root/bench/webhook/rate_client.cpp" -o "$work/rate_client" -lssl -lcrypto -pthread

# schemagate serve (its decision log goes to a file, as it would to a log shipper)
"$BIN" serve --config "$root/examples/policy.yaml" --cluster-state "$work/cluster-state.yaml" \
  --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" --listen 127.0.0.1:0 --threads "$THREADS" 2>"$work/serve.log" &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 100); do
  port=$(grep -o 'listening on https://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/serve.log"; exit 1; }

# nginx: the floor, the same TLS and keep-alive, a fixed answer of the same size
reply=$(curl -sk -H 'Content-Type: application/json' --data-binary "@$work/review.json" "https://127.0.0.1:$port/validate")
nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes $THREADS;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/tls.crt;
    ssl_certificate_key $work/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 3m;
    location /validate { default_type application/json; return 200 '$reply'; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=("$!")
sleep 0.5

export BENCH_BODY="$work/review.json"
run_wrk() { wrk -t2 -c32 -d"${DURATION}s" --latency -s "$root/bench/webhook/post.lua" "https://127.0.0.1:$1/validate"; }
echo "== schemagate serve: wrk -t2 -c32 -d${DURATION}s (POST /validate, 20-migration ConfigMap)"
run_wrk "$port" | tee "$work/wrk-serve.txt"
echo "== nginx fixed JSON over TLS: wrk -t2 -c32 -d${DURATION}s"
run_wrk "$nginx_port" | tee "$work/wrk-nginx.txt"
echo "== the HTTPS edge alone: wrk -t2 -c32 -d${DURATION}s GET /healthz (no reviewer)"
wrk -t2 -c32 -d"${DURATION}s" --latency "https://127.0.0.1:$port/healthz" | tee "$work/wrk-healthz.txt"
echo "== schemagate serve at a fixed ${RATE}/s for ${DURATION}s (8 connections)"
"$work/rate_client" 127.0.0.1 "$port" /validate "$work/review.json" "$RATE" "$DURATION" 8 2 | tee "$work/rate.txt"

serve_rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk-serve.txt")
nginx_rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk-nginx.txt")
healthz_rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk-healthz.txt")
review_mean=$(curl -sk "https://127.0.0.1:$port/metrics" | awk '/^schemagate_review_duration_seconds_sum/ {s=$2}
  /^schemagate_review_duration_seconds_count/ {c=$2} END { printf "%.3f ms over %d reviews", 1000 * s / c, c }')
hwm=$(awk '/^VmHWM/ {print $2, $3}' "/proc/$serve_pid/status")
reviews=$(grep -c '"event":"review"' "$work/serve.log" || true)
echo "== summary"
echo "serve throughput:   $serve_rps req/s"
echo "nginx floor:        $nginx_rps req/s  (ratio $(awk -v a="$serve_rps" -v b="$nginx_rps" 'BEGIN { printf "%.2f", a / b }'))"
echo "edge alone:         $healthz_rps req/s (GET /healthz)"
echo "time in reviewer:   $review_mean (schemagate_review_duration_seconds)"
echo "fixed ${RATE}/s:     $(tail -n1 "$work/rate.txt")"
echo "server peak RSS:    $hwm (VmHWM) after $reviews reviews"
