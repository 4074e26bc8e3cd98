#!/usr/bin/env bash
# gen_certs.sh DIR — make a throw-away CA, a server cert for 127.0.0.1/localhost and a client cert,
# for running fake_apiserver.py with TLS (and client-cert auth) in tests.
# Writes DIR/{ca.crt,ca.key,server.crt,server.key,client.crt,client.key}.
set -euo pipefail
dir=${1:?usage: gen_certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
  -subj "/CN=fake-apiserver-ca" >/dev/null 2>&1
cat > ext.cnf <<'CNF'
[server]
subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth
[client]
extendedKeyUsage=clientAuth
CNF
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" >/dev/null 2>&1
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 \
  -extfile ext.cnf -extensions server >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=schemagate-test/O=system:masters" \
  >/dev/null 2>&1
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 \
  -extfile ext.cnf -extensions client >/dev/null 2>&1
rm -f server.csr client.csr ext.cnf ca.srl
