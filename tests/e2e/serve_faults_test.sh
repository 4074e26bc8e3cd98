#!/usr/bin/env bash
# `schemagate serve` under faults, over real TLS: stalled clients and the read
# deadline, connection floods and --max-connections, certificate rotation (in-place
# rewrite, a broken pair, and the Kubernetes `..data` symlink swap), and SIGTERM
# with a request in flight.
source "$(dirname "$0")/lib.sh"
CLIENT="python3 $HERE/tls_client.py"
json_field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print("" if v is None else v)' "$1" "$2"; }
serial_of_server() {
  echo | timeout 5 openssl s_client -connect "127.0.0.1:$PORT" 2>/dev/null | openssl x509 -noout -serial 2>/dev/null |
    cut -d= -f2
}

# --- the read deadline: half a header / half a body, while others are served --------------
gen_cert "$WORK/a" 1
start_server "$WORK/stall.log" --tls-cert "$WORK/a/tls.crt" --tls-key "$WORK/a/tls.key" --read-timeout 1 || finish
r=$($CLIENT stall "$PORT" --limit 5)
for part in header body; do
  expect "stalled $part: another client is served meanwhile" "$(json_field "$r" "${part}_other_status")" 200
  other=$(json_field "$r" "${part}_other_seconds")
  closed=$(json_field "$r" "${part}_closed_after")
  expect "stalled $part: other client not held up" "$(awk -v s="$other" 'BEGIN { print (s < 0.5) }')" 1
  expect "stalled $part: closed after the 1 s read deadline" \
    "$(awk -v s="$closed" 'BEGIN { print (s != "" && s >= 0.9 && s < 3) }')" 1
done

# --- connection floods ------------------------------------------------------------------------
rss_before=$(rss_kib "$SERVER_PID")
r=$($CLIENT flood "$PORT" --count 1000 --batch 200 --seconds 60)
expect "1,000 connections opened and dropped" "$(json_field "$r" opened)" 1000
expect "healthy after the flood" "$(status_of "$(https GET /healthz)")" 200
r=$(post_json "$SRC/examples/reviews/clean-create.json")
expect "reviews after the flood" "$(status_of "$r")" 200
rss_after=$(rss_kib "$SERVER_PID")
echo "  RSS before ${rss_before} KiB, after ${rss_after} KiB"
expect "RSS sane after the flood (< 150 MiB, grew < 64 MiB)" \
  "$(((rss_after < 150 * 1024) && (rss_after - rss_before < 64 * 1024)))" 1
active=$(https GET /metrics | grep '^schemagate_connections_active ' | cut -d' ' -f2)
expect_match "flood connections were released" "$active" '^[12]$'
kill -TERM "$SERVER_PID"
wait_exit "$SERVER_PID" 10
expect "stall server exits 0 on SIGTERM" "$WAIT_RC" 0

start_server "$WORK/max.log" --tls-cert "$WORK/a/tls.crt" --tls-key "$WORK/a/tls.key" --max-connections 3 || finish
r=$($CLIENT maxconn "$PORT" --n 3)
closed=$(json_field "$r" extra_closed_after)
expect "connection beyond --max-connections closed at once" "$(awk -v s="$closed" 'BEGIN { print (s != "" && s < 1) }')" 1
expect_match "rejections counted" "$(https GET /metrics)" 'schemagate_connections_rejected_total [1-9]'
kill -TERM "$SERVER_PID"
wait_exit "$SERVER_PID" 10

# --- certificate rotation ------------------------------------------------------------------------
# Kubernetes layout: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/ (kubelet swaps ..data).
mkdir -p "$WORK/secret/..v1"
cp "$WORK/a/tls.crt" "$WORK/a/tls.key" "$WORK/secret/..v1/"
ln -s ..v1 "$WORK/secret/..data"
ln -s ..data/tls.crt "$WORK/secret/tls.crt"
ln -s ..data/tls.key "$WORK/secret/tls.key"
start_server "$WORK/rotate.log" --tls-cert "$WORK/secret/tls.crt" --tls-key "$WORK/secret/tls.key" || finish
expect "serves the first certificate" "$(serial_of_server)" 01

gen_cert "$WORK/b" 2
wait_serial() { # wait_serial WANT: up to 5 s for new connections to see it
  for _ in $(seq 50); do
    [ "$(serial_of_server)" == "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
# An open keep-alive connection survives an in-place rewrite of both files.
r=$($CLIENT keepalive "$PORT" --between "cp '$WORK/b/tls.crt' '$WORK/secret/..v1/tls.crt' &&
  cp '$WORK/b/tls.key' '$WORK/secret/..v1/tls.key' && sleep 2.5")
expect "open connection keeps working across the rotation" "$(json_field "$r" first),$(json_field "$r" second)" 200,200
expect "open connection still has the old certificate" "$(json_field "$r" serial_on_open_connection)" 01
if wait_serial 02; then ok "new connections see the rewritten certificate"; else not_ok "new connections see the rewritten certificate"; fi

# A broken pair (new cert, old key) keeps the previous context.
gen_cert "$WORK/c" 3
cp "$WORK/c/tls.crt" "$WORK/secret/..v1/tls.crt"
sleep 2.5
expect "a broken pair keeps the previous certificate" "$(serial_of_server)" 02
expect_match "the failed reload is counted" "$(https GET /metrics)" 'schemagate_tls_reloads_total\{result="failure"\} [1-9]'
expect_match "the failed reload is logged" "$(cat "$WORK/rotate.log")" 'TLS reload failed'

# The kubelet way: a new directory, then an atomic swap of the ..data symlink.
mkdir -p "$WORK/secret/..v2"
gen_cert "$WORK/d" 4
cp "$WORK/d/tls.crt" "$WORK/d/tls.key" "$WORK/secret/..v2/"
ln -s ..v2 "$WORK/secret/..data_tmp"
mv -T "$WORK/secret/..data_tmp" "$WORK/secret/..data"
if wait_serial 04; then ok "..data symlink swap picked up"; else not_ok "..data symlink swap picked up"; fi
expect_match "successful reloads counted" "$(https GET /metrics)" 'schemagate_tls_reloads_total\{result="success"\} [2-9]'
kill -TERM "$SERVER_PID"
wait_exit "$SERVER_PID" 10

# --- SIGTERM with a request in flight ----------------------------------------------------------
start_server "$WORK/term.log" --tls-cert "$WORK/a/tls.crt" --tls-key "$WORK/a/tls.key" --shutdown-grace 10 || finish
$CLIENT slow "$PORT" --body "$SRC/examples/reviews/dangerous-create.json" --pause 1.5 >"$WORK/slow.out" 2>&1 &
slow_pid=$!
PIDS+=("$slow_pid")
for _ in $(seq 100); do grep -q HALF "$WORK/slow.out" && break; sleep 0.05; done
kill -TERM "$SERVER_PID"
sleep 0.3
if curl -sk --max-time 2 "https://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
  not_ok "no new connections after SIGTERM"
else ok "no new connections after SIGTERM"; fi
wait_exit "$slow_pid" 20
expect "slow client finishes" "$WAIT_RC" 0
r=$(tail -n1 "$WORK/slow.out")
expect "in-flight request answered after SIGTERM" "$(json_field "$r" status)" 200
expect_match "in-flight request got its review" "$(json_field "$r" body)" '"uid":"7f2d9c41-5a6b-4c8d-9e0f-1a2b3c4d5e6f","allowed":false'
expect "and was told the connection closes" "$(json_field "$r" connection)" close
idle=$(json_field "$r" idle_closed_after)
expect "idle keep-alive connection closed at once" "$(awk -v s="$idle" 'BEGIN { print (s != "" && s < 1) }')" 1
wait_exit "$SERVER_PID" 15
expect "server exits 0 after draining" "$WAIT_RC" 0
expect_match "drain logged" "$(cat "$WORK/term.log")" 'all connections closed; exiting'

finish
