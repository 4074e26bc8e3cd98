#!/usr/bin/env bash
# `schemagate serve` over real TLS: malformed and unusual AdmissionReviews, the HTTP
# edge (413, 415, 404, 405, plain HTTP), TLS versions, /readyz and /metrics, and
# that `serve` and `review` give byte-identical answers.
source "$(dirname "$0")/lib.sh"

gen_cert "$WORK/cert" 4096
start_server "$WORK/server.log" --tls-cert "$WORK/cert/tls.crt" --tls-key "$WORK/cert/tls.key" \
  --max-body-bytes 65536 || finish

# --- AdmissionReview errors answered with 400 and a Status -------------------------
printf 'not json {' >"$WORK/bad.json"
r=$(post_json "$WORK/bad.json")
expect "not JSON: 400" "$(status_of "$r")" 400
expect_match "not JSON: says why" "$(body_of "$r")" '"message":"request body is not valid JSON"'

echo '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}' >"$WORK/v1beta1.json"
r=$(post_json "$WORK/v1beta1.json")
expect "wrong apiVersion: 400" "$(status_of "$r")" 400
expect_match "wrong apiVersion: says why" "$(body_of "$r")" 'apiVersion'

echo '{"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"x"}}' >"$WORK/kind.json"
r=$(post_json "$WORK/kind.json")
expect "wrong kind: 400" "$(status_of "$r")" 400
expect_match "wrong kind: says why" "$(body_of "$r")" 'kind'

echo '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}' >"$WORK/norequest.json"
r=$(post_json "$WORK/norequest.json")
expect "missing request: 400" "$(status_of "$r")" 400
expect_match "missing request: says why" "$(body_of "$r")" 'no request'

echo '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}' >"$WORK/nouid.json"
r=$(post_json "$WORK/nouid.json")
expect "missing uid: 400" "$(status_of "$r")" 400
expect_match "missing uid: says why" "$(body_of "$r")" 'no uid'

# --- real reviews ------------------------------------------------------------------
r=$(post_json "$SRC/examples/reviews/not-a-job.json")
expect "not a Job: 200" "$(status_of "$r")" 200
expect_match "not a Job: admitted, skipped" "$(body_of "$r")" '"allowed":true.*"decision":"skip"'

r=$(post_json "$SRC/examples/reviews/missing-configmap-create.json")
expect "missing ConfigMap: 200" "$(status_of "$r")" 200
expect_match "missing ConfigMap: denied with 403" "$(body_of "$r")" '"allowed":false,"status":\{"code":403'

r=$(post_json "$SRC/examples/reviews/dangerous-create.json")
expect_match "dangerous Job: denied, uid echoed" "$(body_of "$r")" '"uid":"7f2d9c41-5a6b-4c8d-9e0f-1a2b3c4d5e6f","allowed":false'

# --- the HTTP edge ------------------------------------------------------------------
head -c 70000 /dev/zero | tr '\0' ' ' >"$WORK/big.json"
r=$(post_json "$WORK/big.json")
expect "body over --max-body-bytes: 413" "$(status_of "$r")" 413
r=$(https POST /validate -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
  --data-binary "@$WORK/big.json")
expect "chunked body over the limit: 413" "$(status_of "$r")" 413

r=$(https POST /validate -H 'Content-Type: text/plain' --data-binary "@$SRC/examples/reviews/clean-create.json")
expect "wrong content type: 415" "$(status_of "$r")" 415
r=$(https POST /validate --data-binary "@$SRC/examples/reviews/clean-create.json")
expect "form content type (curl's default): 415" "$(status_of "$r")" 415

expect "unknown path: 404" "$(status_of "$(https GET /nope)")" 404
r=$(curl -sk --max-time 10 -D - -o /dev/null "https://127.0.0.1:$PORT/validate")
expect_match "GET /validate: 405" "$r" '^HTTP/1.1 405'
expect_match "GET /validate: Allow: POST" "$r" 'Allow: POST'
expect "POST /healthz: 405" "$(status_of "$(https POST /healthz -H 'Content-Type: application/json' -d '{}')")" 405

r=$(curl -s --max-time 5 -w '\n%{http_code}' "http://127.0.0.1:$PORT/healthz")
expect "plain HTTP to the TLS port: 400" "$(status_of "$r")" 400
expect_match "plain HTTP to the TLS port: says so" "$(body_of "$r")" 'speaks HTTPS'
expect "still healthy after plain HTTP" "$(status_of "$(https GET /healthz)")" 200

# Keep-alive: several requests on one connection (curl reuses it for repeated URLs).
n=$(curl -sk --max-time 10 -w '%{num_connects}\n' -o /dev/null -o /dev/null -o /dev/null \
  "https://127.0.0.1:$PORT/healthz" "https://127.0.0.1:$PORT/readyz" "https://127.0.0.1:$PORT/healthz" |
  awk '{ n += $1 } END { print n }')
expect "keep-alive: 3 requests, 1 connection" "$n" 1

# --- TLS versions ---------------------------------------------------------------------
for v in tls1_2 tls1_3; do
  out=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" "-$v" 2>&1)
  # TLS 1.3: s_client may exit (stdin closed) before it prints the session block,
  # but the "New, TLSv1.3, Cipher is ..." line is always there.
  expect_match "$v accepted" "$out" "(Protocol *: |New, )TLSv1\.[23]"
done
# SECLEVEL=0 lets the client offer TLS 1.1 at all; the refusal is then the server's.
out=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' 2>&1)
expect_match "TLS 1.1 refused by the server" "$out" 'alert protocol version|no protocols available'
out=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cipher 'AES128-SHA' 2>&1)
expect_match "TLS 1.2 without forward secrecy refused" "$out" 'handshake failure|alert'

# --- serve and review agree byte for byte ----------------------------------------------
agreed=0
total=0
for f in "$SRC"/examples/reviews/*.json "$WORK/bad.json" "$WORK/nouid.json"; do
  total=$((total + 1))
  curl -sk --max-time 10 -H 'Content-Type: application/json' --data-binary "@$f" \
    "https://127.0.0.1:$PORT/validate" >"$WORK/served"
  "$BIN" review --config "$POLICY" --cluster-state "$STATE" <"$f" >"$WORK/reviewed" 2>/dev/null
  # review ends its output with a newline for the terminal; the HTTP body has none.
  printf '\n' >>"$WORK/served"
  if cmp -s "$WORK/served" "$WORK/reviewed"; then agreed=$((agreed + 1)); else
    echo "  differs: $f"
    diff <(head -c 600 "$WORK/served") <(head -c 600 "$WORK/reviewed") | head -5
  fi
done
expect "serve and review agree byte for byte on $total reviews" "$agreed" "$total"

# --- /readyz, /metrics, decision log ------------------------------------------------------
expect "readyz" "$(status_of "$(https GET /readyz)")" 200
m=$(body_of "$(https GET /metrics)")
expect_match "metrics: reviews by decision" "$m" 'schemagate_reviews_total\{decision="deny"\} [1-9]'
expect_match "metrics: skips counted" "$m" 'schemagate_reviews_total\{decision="skip"\} [1-9]'
expect_match "metrics: findings by gate" "$m" 'schemagate_findings_total\{gate="[a-z]+\.[a-z-]+"\} [1-9]'
expect_match "metrics: duration histogram" "$m" 'schemagate_review_duration_seconds_bucket\{le="\+Inf"\} [1-9]'
expect_match "metrics: 413 counted" "$m" 'schemagate_http_requests_total\{code="413"\} 2'
expect_match "metrics: 415 counted" "$m" 'schemagate_http_requests_total\{code="415"\} 2'
expect_match "metrics: reviewer's own lines" "$m" 'schemagate_clusterview'
log=$(cat "$WORK/server.log")
expect_match "decision log: one JSON line per review" "$log" '\{"time":"[0-9T:.-]+Z","event":"review","uid":"7f2d9c41-5a6b-4c8d-9e0f-1a2b3c4d5e6f","namespace":"tenant-globex","job":"[a-z0-9-]+","operation":"CREATE","decision":"deny","gates":\['
if grep -qiE 'ALTER TABLE|CREATE TABLE|DROP ' "$WORK/server.log"; then
  not_ok "decision log carries no SQL"
else ok "decision log carries no SQL"; fi

# --- start-up errors exit 2 -----------------------------------------------------------------
"$BIN" serve --config "$POLICY" --tls-cert "$WORK/nope.crt" --tls-key "$WORK/cert/tls.key" --listen 127.0.0.1:0 2>"$WORK/e1"
expect "missing certificate: exit 2" "$?" 2
gen_cert "$WORK/other" 7
"$BIN" serve --config "$POLICY" --tls-cert "$WORK/cert/tls.crt" --tls-key "$WORK/other/tls.key" --listen 127.0.0.1:0 2>"$WORK/e2"
expect "key that does not match the certificate: exit 2" "$?" 2
expect_match "mismatch says so" "$(cat "$WORK/e2")" 'does not match|mismatch'
echo 'nonsense: [' >"$WORK/bad-policy.yaml"
"$BIN" serve --config "$WORK/bad-policy.yaml" --tls-cert "$WORK/cert/tls.crt" --tls-key "$WORK/cert/tls.key" --listen 127.0.0.1:0 2>"$WORK/e3"
expect "bad policy: exit 2" "$?" 2
"$BIN" serve --config "$POLICY" --tls-cert "$WORK/cert/tls.crt" --tls-key "$WORK/cert/tls.key" --listen 127.0.0.1:$PORT 2>"$WORK/e4"
expect "port in use: exit 2" "$?" 2

finish
