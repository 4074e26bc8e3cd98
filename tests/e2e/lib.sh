# Shared helpers of the tests/e2e suites: a scratch dir, certificates, starting
# `schemagate serve` on a free loopback port, and pass/fail bookkeeping. Every
# server started here is killed on exit.
set -uo pipefail
BIN=${SCHEMAGATE_BIN:?set SCHEMAGATE_BIN to the schemagate binary}
SRC=${SCHEMAGATE_SOURCE_DIR:?set SCHEMAGATE_SOURCE_DIR to the source tree}
HERE="$SRC/tests/e2e"
POLICY="$SRC/examples/policy.yaml"
STATE="$SRC/examples/cluster-state.yaml"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/schemagate-e2e.XXXXXX")
PIDS=()
PASSED=0
FAILED=0

WATCHDOG=""

cleanup() {
  if [ -n "$WATCHDOG" ]; then kill "$WATCHDOG" 2>/dev/null; fi
  for p in "${PIDS[@]}"; do
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
not_ok() {
  FAILED=$((FAILED + 1))
  echo "FAIL $1${2:+: $2}"
}
# expect NAME GOT WANT
expect() { if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
# expect_match NAME TEXT REGEX
expect_match() { if [[ "$2" =~ $3 ]]; then ok "$1"; else not_ok "$1" "'${2:0:300}' does not match /$3/"; fi; }

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit $?
}

# require_tools TOOL...: skip the suite (passing) when a tool is missing.
require_tools() {
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      echo "SKIP: $* are needed"
      echo "0 passed, 0 failed"
      exit 0
    fi
  done
}

# watchdog SECONDS: a hard bound on the suite; whatever hangs, it ends (and the EXIT
# trap kills the rest).
watchdog() {
  local limit=$1 name
  name=$(basename "$0")
  trap 'exit 1' TERM INT
  (
    sleep "$limit" &
    s=$!
    trap 'kill $s 2>/dev/null; exit 0' TERM
    wait $s
    echo "TIMEOUT: $name ran over $limit s"
    kill -TERM $$
  ) >&2 </dev/null &
  WATCHDOG=$!
}

# start_fake NAME [fake_apiserver.py flags...]: starts tests/fake_apiserver on a free
# port (stdout/stderr in $WORK/NAME.out and .err); sets FAKE to its port.
start_fake() {
  local name=$1
  shift
  python3 "$SRC/tests/fake_apiserver/fake_apiserver.py" --port 0 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PIDS+=($!)
  FAKE=""
  for _ in $(seq 100); do
    FAKE=$(grep -o 'LISTENING [0-9]*' "$WORK/$name.out" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$FAKE" ] && return 0
    sleep 0.1
  done
  cat "$WORK/$name.err"
  return 1
}

# gen_cert DIR SERIAL: DIR/tls.crt and DIR/tls.key, a P-256 self-signed cert for 127.0.0.1.
gen_cert() {
  mkdir -p "$1"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -set_serial "$2" \
    -subj /CN=schemagate-e2e -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$1/tls.key" -out "$1/tls.crt" 2>/dev/null
}

# start_server LOG [flags...]: starts serve on 127.0.0.1 with a free port; sets
# SERVER_PID and PORT, and waits until /healthz answers (10 s at most).
start_server() {
  local log=$1
  shift
  "$BIN" serve --config "$POLICY" --cluster-state "$STATE" --listen 127.0.0.1:0 "$@" 2>"$log" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  PORT=""
  for _ in $(seq 100); do
    PORT=$(grep -o 'listening on https://127.0.0.1:[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$' || true)
    if [ -n "$PORT" ] && curl -sk --max-time 2 "https://127.0.0.1:$PORT/healthz" >/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "server did not start:"
  cat "$log"
  return 1
}

# https METHOD PATH [curl args...]: prints the body, then a last line with the status.
https() {
  local method=$1 path=$2
  shift 2
  curl -sk --max-time 10 -X "$method" -w '\n%{http_code}' "$@" "https://127.0.0.1:$PORT$path"
}

# post_json FILE: POST /validate with FILE as the body.
post_json() { https POST /validate -H 'Content-Type: application/json' --data-binary "@$1"; }

status_of() { tail -n1 <<<"$1"; }
body_of() { sed '$d' <<<"$1"; }

# wait_exit PID SECONDS: sets WAIT_RC to the exit status of PID (a child of this
# shell), or 124 when it is still running after SECONDS.
wait_exit() {
  local pid=$1 deadline=$((SECONDS + $2))
  WAIT_RC=124
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && return
    sleep 0.05
  done
  wait "$pid"
  WAIT_RC=$?
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
