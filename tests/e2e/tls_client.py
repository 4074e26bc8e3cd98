#!/usr/bin/env python3
"""Socket-level clients for the e2e suites: what curl cannot do (stall mid-request,
hold connections, keep one TLS connection across a certificate rotation, send a
request in two halves around a SIGTERM). Prints one JSON object; stdlib only."""
import argparse
import json
import socket
import ssl
import subprocess
import sys
import time

HOST = "127.0.0.1"


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def tls_connect(port, timeout=5.0):
    raw = socket.create_connection((HOST, port), timeout=timeout)
    return tls_context().wrap_socket(raw, server_hostname="localhost")


def peer_serial(sock):
    der = sock.getpeercert(binary_form=True)
    # Parse only what we need: the serial of the DER certificate, via openssl.
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der,
                         capture_output=True, check=True).stdout.decode()
    return out.strip().split("=", 1)[1]


def read_response(sock, deadline=10.0):
    """Reads one HTTP/1.1 response with a Content-Length; returns (status, headers, body)."""
    sock.settimeout(deadline)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("closed before the response header")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("closed inside the body")
        rest += chunk
    return status, headers, rest[:length]


def request(sock, method, path, body=b"", content_type="application/json"):
    head = f"{method} {path} HTTP/1.1\r\nHost: localhost\r\n"
    if body:
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    sock.sendall(head.encode() + b"\r\n" + body)
    return read_response(sock)


def wait_closed(sock, limit):
    """Seconds until the peer closes (recv returns EOF or an error), or None."""
    start = time.monotonic()
    sock.settimeout(limit)
    try:
        while True:
            if not sock.recv(4096):
                break
    except (socket.timeout, TimeoutError):
        return None
    except (OSError, ssl.SSLError):
        pass
    return time.monotonic() - start


def cmd_stall(a):
    """Half a request, then silence: the server must close it after the read
    deadline, and serve another client meanwhile."""
    out = {}
    for name, partial in (("header", b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Ty"),
                          ("body", b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                                   b"\r\nContent-Length: 1000\r\n\r\n{\"apiVersion\":")):
        stalled = tls_connect(a.port)
        start = time.monotonic()
        stalled.sendall(partial)
        time.sleep(0.2)
        other = tls_connect(a.port)
        t0 = time.monotonic()
        status, _, _ = request(other, "GET", "/healthz")
        out[name + "_other_status"] = status
        out[name + "_other_seconds"] = round(time.monotonic() - t0, 3)
        other.close()
        closed = wait_closed(stalled, a.limit)
        out[name + "_closed_after"] = None if closed is None else round(time.monotonic() - start, 3)
        stalled.close()
    print(json.dumps(out))


def cmd_flood(a):
    """Opens and drops connections in batches: half bare TCP, half after a TLS handshake."""
    opened = 0
    deadline = time.monotonic() + a.seconds
    while opened < a.count and time.monotonic() < deadline:
        batch = []
        for _ in range(min(a.batch, a.count - opened)):
            try:
                s = socket.create_connection((HOST, a.port), timeout=5)
                if opened % 2:
                    s = tls_context().wrap_socket(s, server_hostname="localhost")
                batch.append(s)
            except OSError:
                pass
            opened += 1
        for s in batch:
            s.close()
    print(json.dumps({"opened": opened}))


def cmd_maxconn(a):
    """Holds `n` TLS connections, then checks that one more is closed at once."""
    held = [tls_connect(a.port) for _ in range(a.n)]
    for s in held:
        request(s, "GET", "/healthz")
    start = time.monotonic()
    try:
        extra = socket.create_connection((HOST, a.port), timeout=5)
        closed = wait_closed(extra, 3.0)
    except ConnectionResetError:  # the reset raced the end of connect()
        closed = time.monotonic() - start
    for s in held:
        s.close()
    print(json.dumps({"extra_closed_after": closed}))


def cmd_keepalive(a):
    """One TLS connection across a rotation done by `--between` (a shell command)."""
    s = tls_connect(a.port)
    first = request(s, "GET", "/healthz")[0]
    serial_before = peer_serial(s)
    subprocess.run(a.between, shell=True, check=True)
    second = request(s, "GET", "/healthz")[0]
    print(json.dumps({"first": first, "second": second, "serial_on_open_connection": serial_before}))
    s.close()


def cmd_slow(a):
    """An idle keep-alive connection plus a request sent in two halves: the shell
    sends SIGTERM after HALF is printed; the idle one must be closed, the slow one
    answered."""
    body = open(a.body, "rb").read()
    idle = tls_connect(a.port)
    request(idle, "GET", "/healthz")
    s = tls_connect(a.port)
    head = (f"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    half = len(body) // 2
    s.sendall(head + body[:half])
    print("HALF", flush=True)
    idle_closed = wait_closed(idle, a.pause)
    time.sleep(max(0.0, a.pause - (idle_closed or a.pause)))
    s.sendall(body[half:])
    status, headers, resp = read_response(s)
    print(json.dumps({"idle_closed_after": idle_closed, "status": status,
                      "connection": headers.get("connection", ""), "body": resp.decode()}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stall"); s.add_argument("port", type=int); s.add_argument("--limit", type=float, default=5)
    s = sub.add_parser("flood"); s.add_argument("port", type=int); s.add_argument("--count", type=int, default=1000)
    s.add_argument("--batch", type=int, default=200); s.add_argument("--seconds", type=float, default=60)
    s = sub.add_parser("maxconn"); s.add_argument("port", type=int); s.add_argument("--n", type=int, default=3)
    s = sub.add_parser("keepalive"); s.add_argument("port", type=int); s.add_argument("--between", required=True)
    s = sub.add_parser("slow"); s.add_argument("port", type=int); s.add_argument("--body", required=True)
    s.add_argument("--pause", type=float, default=1.5)
    a = p.parse_args()
    {"stall": cmd_stall, "flood": cmd_flood, "maxconn": cmd_maxconn, "keepalive": cmd_keepalive,
     "slow": cmd_slow}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
