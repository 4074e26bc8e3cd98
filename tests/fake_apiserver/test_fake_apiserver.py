#!/usr/bin/env python3
"""Protocol-level tests of fake_apiserver.py (stdlib only).

Usage: test_fake_apiserver.py [CERT_DIR]   (CERT_DIR from gen_certs.sh; made in a temp dir when absent)
Prints one line per check and a final "N passed, M failed"; exits 1 when anything failed.
"""

import base64
import http.client
import json
import os
import select
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fake_apiserver as fa  # noqa: E402

TOKEN = "test-token-123"
PASSED, FAILED = 0, 0


def check(name, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print("ok   - %s" % name)
    else:
        FAILED += 1
        print("FAIL - %s %s" % (name, detail))
    sys.stdout.flush()
    return cond


class Fake:
    def __init__(self, *args, certs=None, tls=True, token=TOKEN):
        self.certs = certs
        cmd = [sys.executable, os.path.join(HERE, "fake_apiserver.py"), "--port", "0", "--bookmark-interval", "0.3",
               "--max-lifetime", "300"]
        if tls:
            cmd += ["--tls-cert", os.path.join(certs, "server.crt"), "--tls-key", os.path.join(certs, "server.key"),
                    "--tls-ca", os.path.join(certs, "ca.crt")]
        if token:
            cmd += ["--token", token]
        cmd += list(args)
        self.tls, self.token = tls, token
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        r, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline() if r else ""
        if not line.startswith("LISTENING "):
            self.proc.kill()
            raise RuntimeError("fake apiserver did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(line.split()[1])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def ctx(self, client_cert=False):
        ctx = ssl.create_default_context(cafile=os.path.join(self.certs, "ca.crt"))
        if client_cert:
            ctx.load_cert_chain(os.path.join(self.certs, "client.crt"), os.path.join(self.certs, "client.key"))
        return ctx

    def conn(self, timeout=10, client_cert=False):
        if self.tls:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                               context=self.ctx(client_cert))
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def req(self, method, path, body=None, ctype="application/json", token=True, conn=None, headers=None):
        c = conn or self.conn()
        h = dict(headers or {})
        if token and self.token:
            h["Authorization"] = "Bearer " + (token if isinstance(token, str) else self.token)
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h["Content-Type"] = ctype
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        try:
            obj = json.loads(raw) if raw else None
        except ValueError:
            obj = raw
        if conn is None:
            c.close()
        return r.status, obj, r

    def control(self, name, body=None):
        return self.req("POST", "/_fake/" + name, body or {}, token=False)[1]

    def watch(self, path, timeout=5):
        c = self.conn(timeout=timeout)
        c.request("GET", path, headers={"Authorization": "Bearer " + self.token} if self.token else {})
        r = c.getresponse()
        return Watch(c, r)


class Watch:
    def __init__(self, conn, resp):
        self.conn, self.resp = conn, resp
        self.status = resp.status
        self.ctype = resp.getheader("Content-Type")
        self.chunked = resp.getheader("Transfer-Encoding")

        self.buf = b""
        self.done = False

    def _chunk(self):
        """Read one HTTP chunk from the raw stream; b"" at the terminating chunk; raises if cut off."""
        fp = self.resp.fp
        size_line = fp.readline()
        if not size_line.strip():
            raise ConnectionError("watch stream cut off (no terminating chunk)")
        n = int(size_line.split(b";")[0], 16)
        if n == 0:
            fp.readline()
            return b""
        data = fp.read(n)
        if len(data) < n or fp.read(2) != b"\r\n":
            raise ConnectionError("watch stream cut off inside a chunk")
        return data

    def next(self):
        """Next event dict, None at a clean end of stream; raises on timeout or abrupt close."""
        while b"\n" not in self.buf:
            if self.done:
                return None
            data = self._chunk()
            if data == b"":
                self.done = True
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def until(self, pred, limit=50):
        seen = []
        for _ in range(limit):
            ev = self.next()
            if ev is None:
                break
            seen.append(ev)
            if pred(ev):
                return ev, seen
        return None, seen

    def close(self):
        self.conn.close()


def ns_obj(name, labels=None, annotations=None):
    md = {"name": name}
    if labels:
        md["labels"] = labels
    if annotations:
        md["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": md}


def cm_obj(name, ns, labels=None, data=None):
    md = {"name": name, "namespace": ns}
    if labels:
        md["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": data or {}}


def job_obj(name, ns, image="migrate/migrate:v4"):
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": ns, "labels": {"schemagate.io/migration": "true"}},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "m", "image": image, "command": ["migrate", "up"], "env": [{"name": "A", "value": "1"}]},
                {"name": "side", "image": "busybox"}]}}}}


CM = "/api/v1/namespaces/%s/configmaps"
JOBS = "/apis/batch/v1/namespaces/%s/jobs"
LEASES = "/apis/coordination.k8s.io/v1/namespaces/%s/leases"


# --------------------------------------------------------------------------------------------------

def test_yaml():
    docs = fa.load_yaml_all("""# leading comment
apiVersion: v1
kind: Namespace
metadata:
  name: acme   # trailing comment
  labels:
    schemagate.io/tenant: "acme"
    n: '01'
  annotations: {schemagate.io/schemas: "tenant_acme,shared", empty: ""}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: m
spec:
  backoffLimit: 0
  suspend: false
  template:
    spec:
      containers:
      - name: c
        args: ["-path", "/m", 'it''s']
        env:
          - name: X
            value: "a: b # not a comment"
      volumes: []
data:
  up.sql: |
    CREATE TABLE t (id int);

    -- comment # kept
    SELECT 1;
  stripped: |-
    one
    two
  folded: >
    a
    b
  nothing:
  url: http://x:80/y
...
""")
    check("yaml: two documents", len(docs) == 2, docs)
    n = docs[0]["metadata"]
    check("yaml: quoted scalars stay strings", n["labels"] == {"schemagate.io/tenant": "acme", "n": "01"}, n)
    check("yaml: flow mapping", n["annotations"] == {"schemagate.io/schemas": "tenant_acme,shared", "empty": ""}, n)
    j = docs[1]
    c = j["spec"]["template"]["spec"]["containers"][0]
    check("yaml: typed plain scalars", j["spec"]["backoffLimit"] == 0 and j["spec"]["suspend"] is False, j["spec"])
    check("yaml: flow sequence + '' escape", c["args"] == ["-path", "/m", "it's"], c)
    check("yaml: indented block sequence of maps",
          c["env"] == [{"name": "X", "value": "a: b # not a comment"}], c)
    check("yaml: empty flow sequence", j["spec"]["template"]["spec"]["volumes"] == [])
    d = j["data"]
    check("yaml: literal block keeps blank lines and '#'",
          d["up.sql"] == "CREATE TABLE t (id int);\n\n-- comment # kept\nSELECT 1;\n", repr(d["up.sql"]))
    check("yaml: |- strips the final newline", d["stripped"] == "one\ntwo", repr(d["stripped"]))
    check("yaml: > folds lines", d["folded"] == "a b\n", repr(d["folded"]))
    check("yaml: empty value is null, colon inside plain scalar",
          d["nothing"] is None and d["url"] == "http://x:80/y", d)
    bad = False
    try:
        fa.load_yaml_all("a:\n  b: 1\n c: 2\n")
    except fa.YamlError:
        bad = True
    check("yaml: bad indentation is an error", bad)
    objs = fa.load_objects(json.dumps({"items": [ns_obj("a"), ns_obj("b")]}))
    check("seed: JSON {items:[...]} accepted", [o["metadata"]["name"] for o in objs] == ["a", "b"], objs)


def test_selectors():
    r = fa.parse_label_selector("a=b,c in (x,y),!d,e,f!=g")
    check("selector: parse", [x[1] for x in r] == ["=", "in", "!", "exists", "!="], r)
    check("selector: match", fa.labels_match(r, {"a": "b", "c": "y", "e": "", "f": "h"}))
    check("selector: in mismatch", not fa.labels_match(r, {"a": "b", "c": "z", "e": ""}))
    check("selector: !d", not fa.labels_match(r, {"a": "b", "c": "x", "e": "", "d": "1"}))
    check("selector: notin", fa.labels_match(fa.parse_label_selector("k notin (a)"), {"k": "b"})
          and not fa.labels_match(fa.parse_label_selector("k notin (a)"), {"k": "a"}))
    try:
        fa.parse_label_selector("a==")
        ok = True
    except fa.ApiError:
        ok = False
    check("selector: 'a==' means empty value", ok)


def test_patches():
    cur = job_obj("j", "n")
    smp = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "m"}, {"name": "side"}],
                                          "containers": [{"name": "m", "image": "migrate/migrate:v5"}]}}}}
    out = fa.strategic_merge_patch(cur, smp)
    cs = out["spec"]["template"]["spec"]["containers"]
    check("smp: merges containers by name",
          len(cs) == 2 and cs[0]["image"] == "migrate/migrate:v5" and cs[0]["command"] == ["migrate", "up"], cs)
    out = fa.strategic_merge_patch(cur, {"spec": {"template": {"spec": {"containers": [
        {"name": "side", "$patch": "delete"}]}}}})
    check("smp: $patch delete of a list element", len(out["spec"]["template"]["spec"]["containers"]) == 1)
    out = fa.merge_patch({"a": {"b": 1, "c": 2}, "l": [1, 2]}, {"a": {"b": None, "d": 3}, "l": [3]})
    check("merge patch: RFC 7386", out == {"a": {"c": 2, "d": 3}, "l": [3]}, out)
    out = fa.json_patch({"a": [1, 2], "b": {"c": 1}}, [{"op": "add", "path": "/a/-", "value": 3},
                                                       {"op": "replace", "path": "/b/c", "value": 2},
                                                       {"op": "test", "path": "/b/c", "value": 2},
                                                       {"op": "remove", "path": "/a/0"}])
    check("json patch: RFC 6902", out == {"a": [2, 3], "b": {"c": 2}}, out)


def test_auth_and_basics(f):
    st, body, _ = f.req("GET", "/api/v1/namespaces", token=False)
    check("auth: 401 without token", st == 401 and body.get("kind") == "Status" and body.get("reason") ==
          "Unauthorized" and body.get("code") == 401, (st, body))
    st, body, _ = f.req("GET", "/api/v1/namespaces", token="wrong")
    check("auth: 401 with a wrong token", st == 401, st)
    st, body, r = f.req("GET", "/version", token=False)
    check("version: unauthenticated, JSON", st == 200 and body.get("major") == "1" and
          r.getheader("Content-Type") == "application/json", (st, body))
    for p in ("/api", "/api/v1", "/apis", "/apis/batch/v1", "/apis/coordination.k8s.io/v1"):
        st, body, r = f.req("GET", p)
        check("discovery: %s" % p, st == 200 and r.getheader("Content-Type") == "application/json"
              and body.get("kind") in ("APIVersions", "APIResourceList", "APIGroupList"), (st, body))
    st, body, _ = f.req("GET", "/api/v1")
    names = {x["name"]: x for x in body["resources"]}
    check("discovery: namespaces cluster-scoped, configmaps namespaced, short names",
          names["namespaces"]["namespaced"] is False and names["configmaps"]["namespaced"] is True and
          names["configmaps"]["shortNames"] == ["cm"], names)
    st, body, _ = f.req("GET", "/apis/batch/v1")
    check("discovery: jobs/status subresource", any(x["name"] == "jobs/status" for x in body["resources"]))
    st, body, _ = f.req("GET", "/api/v1/nosuch")
    check("404 for unknown paths, as a Status", st == 404 and body.get("kind") == "Status", (st, body))
    st, body, _ = f.req("GET", "/openapi/v2")
    check("openapi v2: 404", st == 404, st)
    # keep-alive: two requests on one connection
    c = f.conn()
    s1, _, r1 = f.req("GET", "/api/v1/namespaces/default", conn=c)
    s2, _, _ = f.req("GET", "/api/v1/namespaces/kube-system", conn=c)
    check("HTTP/1.1 keep-alive: two requests on one connection", s1 == s2 == 200 and r1.version == 11)
    c.close()


def test_crud(f):
    st, ns, _ = f.req("POST", "/api/v1/namespaces", ns_obj("tenant-a", {"schemagate.io/tenant": "a"}))
    check("create namespace: 201", st == 201 and ns["metadata"]["uid"] and ns["metadata"]["creationTimestamp"] and
          ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "tenant-a", (st, ns))
    st, body, _ = f.req("POST", "/api/v1/namespaces", ns_obj("tenant-a"))
    check("create twice: 409 AlreadyExists Status", st == 409 and body["reason"] == "AlreadyExists" and
          body["details"] == {"name": "tenant-a", "kind": "namespaces"} and body["status"] == "Failure" and
          body["message"] == 'namespaces "tenant-a" already exists', body)
    st, body, _ = f.req("POST", CM % "nope", cm_obj("x", "nope"))
    check("create in a missing namespace: 404", st == 404 and body["reason"] == "NotFound", (st, body))
    st, cm, _ = f.req("POST", CM % "tenant-a", cm_obj("migs", "tenant-a", {"app": "x"}, {"a": "1"}))
    check("create configmap", st == 201 and cm["kind"] == "ConfigMap" and cm["metadata"]["namespace"] == "tenant-a")
    st, gen, _ = f.req("POST", CM % "tenant-a", {"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {"generateName": "mig-"}})
    check("generateName", st == 201 and gen["metadata"]["name"].startswith("mig-") and
          len(gen["metadata"]["name"]) == 9, gen)
    st, got, _ = f.req("GET", CM % "tenant-a" + "/migs")
    check("get", st == 200 and got == cm, got)
    st, body, _ = f.req("GET", "/apis/batch/v1/namespaces/tenant-a/jobs/nope")
    check("get missing job: 404 with group in details", st == 404 and body["details"] ==
          {"name": "nope", "group": "batch", "kind": "jobs"} and body["message"] == 'jobs.batch "nope" not found',
          body)
    # optimistic concurrency
    upd = json.loads(json.dumps(cm))
    upd["data"]["a"] = "2"
    st, new, _ = f.req("PUT", CM % "tenant-a" + "/migs", upd)
    check("update with current RV: 200, RV bumps", st == 200 and int(new["metadata"]["resourceVersion"]) >
          int(cm["metadata"]["resourceVersion"]) and new["metadata"]["uid"] == cm["metadata"]["uid"], new)
    upd["data"]["a"] = "3"
    st, body, _ = f.req("PUT", CM % "tenant-a" + "/migs", upd)
    check("update with stale RV: 409 Conflict", st == 409 and body["reason"] == "Conflict" and body["code"] == 409
          and "the object has been modified" in body["message"] and body["details"]["name"] == "migs", body)
    st, body, _ = f.req("PUT", CM % "tenant-a" + "/other", cm_obj("migs", "tenant-a"))
    check("update with a name mismatch: 400", st == 400 and body["reason"] == "BadRequest", body)
    noop = json.loads(json.dumps(new))
    st, same, _ = f.req("PUT", CM % "tenant-a" + "/migs", noop)
    check("no-op update keeps the RV", st == 200 and same["metadata"]["resourceVersion"] ==
          new["metadata"]["resourceVersion"], same)
    # patches
    st, p, _ = f.req("PATCH", "/api/v1/namespaces/tenant-a",
                     {"metadata": {"annotations": {"schemagate.io/freeze": "incident"}}},
                     ctype="application/merge-patch+json")
    check("merge patch adds an annotation", st == 200 and p["metadata"]["annotations"] ==
          {"schemagate.io/freeze": "incident"}, p)
    st, p, _ = f.req("PATCH", "/api/v1/namespaces/tenant-a", [
        {"op": "remove", "path": "/metadata/annotations/schemagate.io~1freeze"}],
        ctype="application/json-patch+json")
    check("json patch removes it", st == 200 and p["metadata"]["annotations"] == {}, p)
    st, body, _ = f.req("PATCH", "/api/v1/namespaces/tenant-a", {"metadata": {"resourceVersion": "1",
                                                                             "labels": {"x": "y"}}},
                        ctype="application/merge-patch+json")
    check("patch with a stale RV precondition: 409", st == 409 and body["reason"] == "Conflict", body)
    st, body, _ = f.req("PATCH", "/api/v1/namespaces/tenant-a", {"a": 1}, ctype="text/plain")
    check("patch with an unknown content type: 415", st == 415, st)
    # jobs: generation and the status subresource
    st, job, _ = f.req("POST", JOBS % "tenant-a", job_obj("migrate", "tenant-a"))
    check("create job: generation 1", st == 201 and job["metadata"]["generation"] == 1, job)
    st, job2, _ = f.req("PATCH", JOBS % "tenant-a" + "/migrate", {"spec": {"template": {"spec": {"containers": [
        {"name": "m", "image": "migrate/migrate:v5"}]}}}}, ctype="application/strategic-merge-patch+json")
    cs = job2["spec"]["template"]["spec"]["containers"]
    check("strategic merge patch over HTTP: generation 2, containers merged", st == 200 and
          job2["metadata"]["generation"] == 2 and len(cs) == 2 and cs[0]["command"] == ["migrate", "up"], job2)
    js = json.loads(json.dumps(job2))
    js["status"] = {"active": 1}
    js["spec"]["parallelism"] = 5
    st, job3, _ = f.req("PUT", JOBS % "tenant-a" + "/migrate/status", js)
    check("status update changes only status", st == 200 and job3["status"] == {"active": 1} and
          "parallelism" not in job3["spec"] and job3["metadata"]["generation"] == 2, job3)
    js = json.loads(json.dumps(job3))
    js["status"] = {"failed": 9}
    js["metadata"]["labels"]["extra"] = "1"
    st, job4, _ = f.req("PUT", JOBS % "tenant-a" + "/migrate", js)
    check("main update ignores status", st == 200 and job4["status"] == {"active": 1} and
          job4["metadata"]["labels"]["extra"] == "1", job4)
    # leases with optimistic concurrency (the concurrency gate's pattern)
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "db-orders", "namespace": "tenant-a"},
             "spec": {"holderIdentity": "pod-a", "leaseDurationSeconds": 30}}
    st, l1, _ = f.req("POST", LEASES % "tenant-a", lease)
    st2, _, _ = f.req("POST", LEASES % "tenant-a", lease)
    check("lease create; second create 409", st == 201 and st2 == 409, (st, st2))
    a, b = json.loads(json.dumps(l1)), json.loads(json.dumps(l1))
    a["spec"]["holderIdentity"] = "pod-b"
    b["spec"]["holderIdentity"] = "pod-c"
    sa, _, _ = f.req("PUT", LEASES % "tenant-a" + "/db-orders", a)
    sb, body, _ = f.req("PUT", LEASES % "tenant-a" + "/db-orders", b)
    check("lease takeover race: first wins, second 409", sa == 200 and sb == 409 and body["message"].startswith(
        'Operation cannot be fulfilled on leases.coordination.k8s.io "db-orders"'), (sa, sb, body))
    st, body, _ = f.req("DELETE", LEASES % "tenant-a" + "/db-orders",
                        {"preconditions": {"resourceVersion": l1["metadata"]["resourceVersion"]}})
    check("delete with a stale precondition: 409", st == 409, (st, body))
    st, body, _ = f.req("DELETE", LEASES % "tenant-a" + "/db-orders")
    check("delete: 200 Status Success", st == 200 and body["kind"] == "Status" and body["status"] == "Success",
          body)
    st, body, _ = f.req("DELETE", LEASES % "tenant-a" + "/db-orders")
    check("delete again: 404", st == 404, st)


def test_list(f):
    for n in ("t1", "t2"):
        f.req("POST", "/api/v1/namespaces", ns_obj(n, {"schemagate.io/tenant": n}))
        for i in range(3):
            f.req("POST", CM % n, cm_obj("cm%d" % i, n, {"idx": str(i), "tier": "db" if i else "web"}))
    st, lst, r = f.req("GET", "/api/v1/configmaps?labelSelector=idx")
    check("cluster-wide list with exists selector", st == 200 and lst["kind"] == "ConfigMapList" and
          lst["apiVersion"] == "v1" and len(lst["items"]) == 6 and all(i["kind"] == "ConfigMap"
                                                                       for i in lst["items"]), lst)
    check("list metadata.resourceVersion is the current RV", lst["metadata"]["resourceVersion"].isdigit())
    st, lst, _ = f.req("GET", CM % "t1" + "?labelSelector=idx%20in%20(0,2)")
    check("namespaced list with 'in' selector", [i["metadata"]["name"] for i in lst["items"]] == ["cm0", "cm2"],
          lst)
    st, lst, _ = f.req("GET", "/api/v1/configmaps?labelSelector=tier%3Ddb,idx!%3D1")
    check("equality and != selectors", sorted((i["metadata"]["namespace"], i["metadata"]["name"])
                                              for i in lst["items"]) == [("t1", "cm2"), ("t2", "cm2")], lst)
    st, lst, _ = f.req("GET", "/api/v1/configmaps?fieldSelector=metadata.name%3Dcm1")
    check("fieldSelector metadata.name", len(lst["items"]) == 2, lst)
    st, body, _ = f.req("GET", "/api/v1/configmaps?fieldSelector=spec.x%3D1")
    check("unsupported fieldSelector: 400", st == 400, st)
    st, body, _ = f.req("GET", "/api/v1/namespaces?labelSelector=schemagate.io%2Ftenant")
    check("namespaces list by tenant label", sorted(i["metadata"]["name"] for i in body["items"]) ==
          ["t1", "t2"] + (["tenant-a"] if any(i["metadata"]["name"] == "tenant-a" for i in body["items"]) else []),
          body)
    # pagination
    names, cont, pages = [], "", 0
    while True:
        st, page, _ = f.req("GET", "/api/v1/configmaps?labelSelector=idx&limit=4" + ("&continue=" + cont
                                                                                     if cont else ""))
        pages += 1
        names += [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in page["items"]]
        cont = page["metadata"].get("continue")
        if not cont or pages > 5:
            break
    check("limit/continue pagination", pages == 2 and len(names) == 6 and len(set(names)) == 6, (pages, names))
    # resourceVersionMatch=Exact serves an old state
    st, before, _ = f.req("GET", CM % "t1")
    rv0 = before["metadata"]["resourceVersion"]
    f.req("DELETE", CM % "t1" + "/cm0")
    st, old, _ = f.req("GET", CM % "t1" + "?resourceVersion=%s&resourceVersionMatch=Exact" % rv0)
    check("list resourceVersionMatch=Exact at an older RV", st == 200 and len(old["items"]) == 3 and
          old["metadata"]["resourceVersion"] == rv0, old)
    st, cur, _ = f.req("GET", CM % "t1" + "?resourceVersion=%s&resourceVersionMatch=NotOlderThan" % rv0)
    check("list NotOlderThan serves the current state", st == 200 and len(cur["items"]) == 2, cur)
    st, body, _ = f.req("GET", CM % "t1" + "?resourceVersion=999999&resourceVersionMatch=NotOlderThan")
    check("list with a future RV: 504 Timeout (after ~3 s)", st == 504, (st, body))


def test_watch(f):
    f.req("POST", "/api/v1/namespaces", ns_obj("w"))
    st, a, _ = f.req("POST", CM % "w", cm_obj("a", "w", {"sel": "yes"}))
    rv_a = a["metadata"]["resourceVersion"]
    f.req("POST", CM % "w", cm_obj("b", "w", {"sel": "yes"}))
    f.req("PATCH", CM % "w" + "/a", {"data": {"k": "v"}}, ctype="application/merge-patch+json")
    w = f.watch(CM % "w" + "?watch=1&resourceVersion=%s" % rv_a)
    check("watch: 200, application/json, chunked", w.status == 200 and w.ctype == "application/json" and
          w.chunked == "chunked", (w.status, w.ctype, w.chunked))
    e1, e2 = w.next(), w.next()
    check("watch resumes strictly after the given RV",
          (e1["type"], e1["object"]["metadata"]["name"], e2["type"], e2["object"]["metadata"]["name"]) ==
          ("ADDED", "b", "MODIFIED", "a"), (e1, e2))
    f.req("DELETE", CM % "w" + "/b")
    e3 = w.next()
    check("watch: live DELETED event", e3["type"] == "DELETED" and e3["object"]["metadata"]["name"] == "b", e3)
    w.close()
    # initial state for RV unset, selectors, bookmarks
    w = f.watch(CM % "w" + "?watch=true&labelSelector=sel%3Dyes&allowWatchBookmarks=true")
    e = w.next()
    check("watch without RV starts with synthetic ADDED", e["type"] == "ADDED" and
          e["object"]["metadata"]["name"] == "a", e)
    f.req("POST", CM % "w", cm_obj("c", "w", {"sel": "no"}))
    f.req("PATCH", CM % "w" + "/a", {"metadata": {"labels": {"sel": "no"}}}, ctype="application/merge-patch+json")
    ev, seen = w.until(lambda ev: ev["type"] != "BOOKMARK")
    check("watch honours label selectors; leaving the selector is DELETED",
          ev is not None and ev["type"] == "DELETED" and ev["object"]["metadata"]["name"] == "a",
          seen)
    bm, seen = w.until(lambda ev: ev["type"] == "BOOKMARK")
    check("bookmarks arrive and carry only kind/apiVersion/metadata.resourceVersion",
          bm is not None and set(bm["object"]) == {"kind", "apiVersion", "metadata"} and
          list(bm["object"]["metadata"]) == ["resourceVersion"] and bm["object"]["kind"] == "ConfigMap", bm)
    w.close()
    # timeoutSeconds ends the stream cleanly
    t0 = time.time()
    w = f.watch(CM % "w" + "?watch=1&resourceVersion=%s&timeoutSeconds=1" % a["metadata"]["resourceVersion"])
    evs = []
    while True:
        ev = w.next()
        if ev is None:
            break
        evs.append(ev)
    check("timeoutSeconds ends the stream cleanly; no bookmarks unless asked", 0.8 < time.time() - t0 < 4 and
          not any(e["type"] == "BOOKMARK" for e in evs), (time.time() - t0, evs))
    w.close()
    # sendInitialEvents streaming list
    w = f.watch(CM % "w" + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&"
                "allowWatchBookmarks=true")
    ev, seen = w.until(lambda ev: ev["type"] == "BOOKMARK")
    check("sendInitialEvents ends with an initial-events-end bookmark",
          ev is not None and ev["object"]["metadata"].get("annotations") == {"k8s.io/initial-events-end": "true"}
          and [s["type"] for s in seen[:-1]] == ["ADDED"] * (len(seen) - 1) and len(seen) >= 2, seen)
    w.close()
    # 410 after compaction
    st, lst, _ = f.req("GET", CM % "w")
    old_rv = int(lst["metadata"]["resourceVersion"])
    live = f.watch(CM % "w" + "?watch=1&resourceVersion=%d" % old_rv)
    f.req("POST", CM % "w", cm_obj("d", "w"))
    f.control("expire")
    w = f.watch(CM % "w" + "?watch=1&resourceVersion=%d" % old_rv)
    e = w.next()
    check("watch from an RV older than the window after /_fake/expire: ERROR 410 Expired",
          e["type"] == "ERROR" and e["object"]["code"] == 410 and e["object"]["reason"] == "Expired" and
          "too old resource version" in e["object"]["message"], e)
    check("... and the stream ends", w.next() is None)
    w.close()
    ev = live.next()
    check("a live watch survives compaction", ev["type"] == "ADDED" and ev["object"]["metadata"]["name"] == "d", ev)
    live.close()
    st, body, _ = f.req("GET", CM % "w" + "?resourceVersion=%d&resourceVersionMatch=Exact" % old_rv)
    check("list Exact at a compacted RV: 410 Expired", st == 410 and body["reason"] == "Expired", (st, body))
    st, lst, _ = f.req("GET", CM % "w")
    w = f.watch(CM % "w" + "?watch=1&resourceVersion=%s" % lst["metadata"]["resourceVersion"])
    f.req("POST", CM % "w", cm_obj("e", "w"))
    e = w.next()
    check("watch from the new list RV works after expire", e["type"] == "ADDED", e)
    w.close()
    # drop-watches closes abruptly
    w = f.watch(CM % "w" + "?watch=1&resourceVersion=%s" % lst["metadata"]["resourceVersion"], timeout=5)
    f.control("drop-watches")
    abrupt = False
    try:
        while w.next() is not None:
            pass
    except (http.client.IncompleteRead, ConnectionError, ssl.SSLError, OSError, ValueError):
        abrupt = True
    check("/_fake/drop-watches closes open watches abruptly", abrupt)
    w.close()


def test_faults(f):
    c0 = f.req("GET", "/_fake/requests", token=False)[1]["seq"]
    f.req("GET", "/api/v1/namespaces?labelSelector=a%3Db")
    log = f.req("GET", "/_fake/requests?since=%d" % c0, token=False)[1]["requests"]
    check("/_fake/requests logs method, path and query", len(log) == 1 and log[0]["method"] == "GET" and
          log[0]["path"] == "/api/v1/namespaces" and log[0]["query"] == "labelSelector=a%3Db", log)
    f.control("delay", {"ms": 300})
    t0 = time.time()
    f.req("GET", "/api/v1/namespaces")
    dt = time.time() - t0
    f.control("delay", {"ms": 0})
    check("/_fake/delay slows answers", dt >= 0.3, dt)
    w = f.watch(CM % "default" + "?watch=1")
    f.control("outage", {"seconds": 1, "mode": "503"})
    st, body, r = f.req("GET", "/api/v1/namespaces")
    check("outage 503: Status 503", st == 503 and body["code"] == 503, (st, body))
    dropped = False
    try:
        while w.next() is not None:
            pass
    except (http.client.IncompleteRead, ConnectionError, ssl.SSLError, OSError, ValueError):
        dropped = True
    check("outage drops open watches", dropped)
    w.close()
    time.sleep(1.1)
    st, _, _ = f.req("GET", "/api/v1/namespaces")
    check("after the outage: 200 again", st == 200, st)
    f.control("outage", {"seconds": 1, "mode": "refuse"})
    refused = False
    try:
        f.req("GET", "/api/v1/namespaces")
    except (ConnectionError, http.client.RemoteDisconnected, ssl.SSLError, OSError):
        refused = True
    check("outage refuse: the connection is closed", refused)
    time.sleep(1.1)
    st, _, _ = f.req("GET", "/api/v1/namespaces")
    check("after the refuse outage: 200 again", st == 200, st)
    f.control("fail", {"method": "PUT", "path": "/leases/", "code": 500, "count": 1})
    f.req("POST", LEASES % "default", {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                       "metadata": {"name": "l"}, "spec": {}})
    st, l1, _ = f.req("GET", LEASES % "default" + "/l")
    s1, _, _ = f.req("PUT", LEASES % "default" + "/l", l1)
    s2, _, _ = f.req("PUT", LEASES % "default" + "/l", l1)
    check("/_fake/fail injects one 500 on a matching request", (s1, s2) == (500, 200), (s1, s2))


def test_client_cert(certs):
    f = Fake("--client-ca", os.path.join(certs, "ca.crt"), certs=certs, token=None)
    try:
        st, body, _ = f.req("GET", "/api/v1/namespaces", conn=f.conn(client_cert=True))
        check("client-cert auth: verified cert accepted", st == 200, st)
        failed = False
        try:
            f.req("GET", "/api/v1/namespaces")
        except (ssl.SSLError, ConnectionError, OSError):
            failed = True
        check("client-cert auth: no cert, no access", failed)
    finally:
        f.stop()


def test_seed_and_kubeconfig(certs, tmp):
    seed = os.path.join(tmp, "seed.yaml")
    with open(seed, "w") as fh:
        fh.write("""apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  namespace: acme
  labels: {schemagate.io/migration: "true"}
spec:
  template:
    spec:
      containers:
      - name: m
        image: migrate/migrate
status:
  active: 1
---
apiVersion: v1
kind: Namespace
metadata:
  name: acme
  labels:
    schemagate.io/tenant: acme
""")
    kc = os.path.join(tmp, "kubeconfig")
    f = Fake("--seed", seed, "--kubeconfig-out", kc, certs=certs)
    try:
        st, body, _ = f.req("GET", "/apis/batch/v1/jobs?labelSelector=schemagate.io%2Fmigration%3Dtrue")
        check("seed from YAML (namespace after job in the file)", st == 200 and len(body["items"]) == 1 and
              body["items"][0]["status"] == {"active": 1}, body)
        text = open(kc).read()
        check("kubeconfig-out: server, CA data and token", ("https://127.0.0.1:%d" % f.port) in text and
              "certificate-authority-data" in text and TOKEN in text, text)
        parsed = fa.load_yaml_all(text)[0]
        check("kubeconfig-out parses as YAML", parsed["clusters"][0]["cluster"]["server"] ==
              "https://127.0.0.1:%d" % f.port and base64.b64decode(
                  parsed["clusters"][0]["cluster"]["certificate-authority-data"]).startswith(b"-----BEGIN"), parsed)
    finally:
        f.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="fake-apiserver-test-")
    certs = sys.argv[1] if len(sys.argv) > 1 else None
    if not certs:
        certs = os.path.join(tmp, "certs")
        subprocess.run(["bash", os.path.join(HERE, "gen_certs.sh"), certs], check=True)
    test_yaml()
    test_selectors()
    test_patches()
    f = Fake(certs=certs)
    try:
        for t in (test_auth_and_basics, test_crud, test_list, test_watch, test_faults):
            try:
                t(f)
            except Exception as e:  # a crash is a failure, not a silent pass
                import traceback
                traceback.print_exc()
                check("%s ran to completion" % t.__name__, False, repr(e))
    finally:
        f.stop()
    for t in (lambda: test_client_cert(certs), lambda: test_seed_and_kubeconfig(certs, tmp)):
        try:
            t()
        except Exception as e:
            import traceback
            traceback.print_exc()
            check("extra test ran to completion", False, repr(e))
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
