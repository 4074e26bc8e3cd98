#!/usr/bin/env python3
"""Chart tests: helm lint --strict, then helm template over the option matrix, with assertions on
the rendered objects (fields and values), schema rejections, and a check that the assertions
themselves catch a broken render.

Run through tests/chart/chart_test.sh, which installs helm. Env: HELM (the binary),
SCHEMAGATE_SOURCE_DIR (repository root). Prints `N passed, M failed` last; exits 1 on a failure.
"""

import base64
import copy
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yaml_subset  # noqa: E402

ROOT = os.environ.get("SCHEMAGATE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
CHART = os.path.join(ROOT, "charts", "schemagate")
HELM = os.environ.get("HELM") or os.path.join(ROOT, ".tools", "bin", "helm")
RELEASE = "sg"
NAMESPACE = "schemagate-system"
FULLNAME = "sg-schemagate"
WEBHOOK = "jobs.schemagate.io"
UID = 65532
ARGS = ["serve", "--config", "/etc/schemagate/policy.yaml",
        "--tls-cert", "/etc/schemagate/tls/tls.crt",
        "--tls-key", "/etc/schemagate/tls/tls.key", "--listen", ":8443"]
CLUSTER_READ = {(g, r, v) for g, r in (("", "namespaces"), ("", "configmaps"), ("batch", "jobs"))
                for v in ("get", "list", "watch")}
LEASE_VERBS = {"get", "list", "watch", "create", "update", "delete"}
NAMESPACED_KINDS = {"Deployment", "Service", "ServiceAccount", "ConfigMap", "Secret", "Role",
                    "RoleBinding", "PodDisruptionBudget", "Certificate", "Issuer", "ServiceMonitor",
                    "NetworkPolicy"}


class Suite:
    def __init__(self, quiet=False):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.quiet = quiet

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(name)
            if not self.quiet:
                print("FAIL %s%s" % (name, (": " + detail) if detail else ""))
        return ok

    def eq(self, name, got, want):
        return self.check(name, got == want, "got %s, want %s" % (_show(got), _show(want)))


def _show(v):
    try:
        text = json.dumps(v, sort_keys=True)
    except TypeError:
        text = repr(v)
    return text if len(text) <= 300 else text[:300] + "..."


def get(obj, path, default=None):
    """get(doc, "spec.template.spec") — dotted path through dicts; ints index lists."""
    cur = obj
    for part in path.split("."):
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return default
    return cur


def deep_merge(base, override):
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


# -- helm ------------------------------------------------------------------------------------

class Helm:
    def __init__(self, workdir):
        self.workdir = workdir
        self.count = 0

    def values_file(self, values):
        # JSON is YAML: the values given are written exactly, no --set string coercion.
        self.count += 1
        path = os.path.join(self.workdir, "values-%d.json" % self.count)
        with open(path, "w") as f:
            json.dump(values, f)
        return path

    def run(self, *args, values=None):
        cmd = [HELM] + list(args)
        if values is not None:
            cmd += ["-f", self.values_file(values)]
        p = subprocess.run(cmd, capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    def template(self, values=None, release=RELEASE, namespace=NAMESPACE):
        return self.run("template", release, CHART, "--namespace", namespace, values=values)

    def lint(self, values=None):
        return self.run("lint", "--strict", CHART, "--namespace", NAMESPACE, values=values)


class Render:
    """The objects of one `helm template`, indexed by kind and name."""

    def __init__(self, docs, values, release=RELEASE, namespace=NAMESPACE, fullname=FULLNAME):
        self.docs = docs
        self.values = values  # effective values: chart defaults merged with the overrides
        self.release = release
        self.namespace = namespace
        self.fullname = fullname

    def of_kind(self, kind):
        return [d for d in self.docs if d.get("kind") == kind]

    def one(self, kind, name=None):
        found = [d for d in self.of_kind(kind) if name is None or get(d, "metadata.name") == name]
        return found[0] if len(found) == 1 else None


# -- assertions on one render ----------------------------------------------------------------

def check_render(s, r, label):
    v = r.values
    t = lambda name: "%s: %s" % (label, name)  # noqa: E731
    tls_mode = v["tls"]["mode"]
    own_ca = tls_mode == "certManager" and not v["tls"]["certManager"]["issuerRef"]["name"]

    # Exactly the expected objects, nothing more.
    want_kinds = {"Deployment": 1, "Service": 1, "ConfigMap": 1,
                  "ValidatingWebhookConfiguration": 1}
    if v["serviceAccount"]["create"]:
        want_kinds["ServiceAccount"] = 1
    if v["rbac"]["create"]:
        want_kinds.update(ClusterRole=1, ClusterRoleBinding=1, Role=1, RoleBinding=1)
    if v["podDisruptionBudget"]["enabled"]:
        want_kinds["PodDisruptionBudget"] = 1
    if tls_mode == "generate":
        want_kinds["Secret"] = 1
    if tls_mode == "certManager":
        want_kinds["Certificate"] = 2 if own_ca else 1
        if own_ca:
            want_kinds["Issuer"] = 2
    if v["serviceMonitor"]["enabled"]:
        want_kinds["ServiceMonitor"] = 1
    if v["networkPolicy"]["enabled"]:
        want_kinds["NetworkPolicy"] = 1
    got_kinds = {}
    for d in r.docs:
        got_kinds[d.get("kind")] = got_kinds.get(d.get("kind"), 0) + 1
    s.eq(t("object kinds"), got_kinds, want_kinds)

    for d in r.docs:
        name = "%s/%s" % (d.get("kind"), get(d, "metadata.name"))
        if d.get("kind") in NAMESPACED_KINDS:
            s.eq(t(name + " namespace"), get(d, "metadata.namespace"), r.namespace)
        else:
            s.check(t(name + " is cluster-scoped"), get(d, "metadata.namespace") is None)
        labels = get(d, "metadata.labels", {})
        s.check(t(name + " standard labels"),
                labels.get("app.kubernetes.io/instance") == r.release
                and labels.get("app.kubernetes.io/name") == "schemagate"
                and labels.get("app.kubernetes.io/managed-by") == "Helm", _show(labels))

    dep = r.one("Deployment", r.fullname)
    if not s.check(t("Deployment exists"), dep is not None):
        return
    pod = get(dep, "spec.template.spec", {})
    pod_labels = get(dep, "spec.template.metadata.labels", {})
    selector = get(dep, "spec.selector.matchLabels", {})
    s.check(t("deployment selector matches pod labels"),
            selector and all(pod_labels.get(k) == val for k, val in selector.items()))
    replicas = get(dep, "spec.replicas")
    s.check(t("replicas >= 2"), isinstance(replicas, int) and replicas >= 2, _show(replicas))
    s.eq(t("replicas as configured"), replicas, v["replicaCount"])
    s.eq(t("rolling update keeps capacity"), get(dep, "spec.strategy.rollingUpdate.maxUnavailable"), 0)

    psc = pod.get("securityContext", {})
    s.eq(t("pod runAsNonRoot"), psc.get("runAsNonRoot"), True)
    s.eq(t("pod runAsUser"), psc.get("runAsUser"), UID)
    s.eq(t("pod seccompProfile"), get(psc, "seccompProfile.type"), "RuntimeDefault")
    s.check(t("no host namespaces"),
            not any(pod.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")))
    if v["serviceAccount"]["create"]:
        s.eq(t("pod service account"), pod.get("serviceAccountName"), r.fullname)
    s.check(t("service account token mounted (in-cluster config)"),
            pod.get("automountServiceAccountToken") is not False)

    anti = get(pod, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution")
    if v["affinity"]:
        s.eq(t("affinity override replaces default"), pod.get("affinity"), v["affinity"])
    elif s.check(t("preferred podAntiAffinity"), isinstance(anti, list) and len(anti) == 1, _show(anti)):
        term = anti[0].get("podAffinityTerm", {})
        s.eq(t("anti-affinity by hostname"), term.get("topologyKey"), "kubernetes.io/hostname")
        s.eq(t("anti-affinity selects own pods"), get(term, "labelSelector.matchLabels"), selector)
        s.check(t("anti-affinity is not required"),
                get(pod, "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution") is None)

    containers = pod.get("containers", [])
    if not s.eq(t("one container"), len(containers), 1):
        return
    c = containers[0]
    s.eq(t("container args"), c.get("args"), ARGS)
    s.check(t("no --kubeconfig"), "--kubeconfig" not in json.dumps(c))
    s.check(t("no command override (image ENTRYPOINT)"), "command" not in c)
    tag = v["image"]["tag"] or "0.1.0"
    want_image = ("%s@%s" % (v["image"]["repository"], v["image"]["digest"]) if v["image"]["digest"]
                  else "%s:%s" % (v["image"]["repository"], tag))
    s.eq(t("image"), c.get("image"), want_image)
    csc = c.get("securityContext", {})
    s.eq(t("readOnlyRootFilesystem"), csc.get("readOnlyRootFilesystem"), True)
    s.eq(t("allowPrivilegeEscalation"), csc.get("allowPrivilegeEscalation"), False)
    s.eq(t("capabilities drop ALL, add none"), csc.get("capabilities"), {"drop": ["ALL"]})
    s.eq(t("container runAsNonRoot"), csc.get("runAsNonRoot"), True)
    s.eq(t("container runAsUser"), csc.get("runAsUser"), UID)
    s.check(t("not privileged"), csc.get("privileged") in (None, False))
    s.eq(t("container seccompProfile"), get(csc, "seccompProfile.type"), "RuntimeDefault")
    s.eq(t("container ports"), c.get("ports"),
         [{"name": "https", "containerPort": 8443, "protocol": "TCP"}])
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        s.eq(t(probe), {k: get(c, probe + ".httpGet." + k) for k in ("path", "port", "scheme")},
             {"path": path, "port": "https", "scheme": "HTTPS"})
    env = {e.get("name"): e for e in c.get("env", [])}
    s.eq(t("env POD_NAMESPACE from fieldRef"), get(env.get("POD_NAMESPACE", {}), "valueFrom.fieldRef.fieldPath"),
         "metadata.namespace")
    s.check(t("resources requests and limits"),
            get(c, "resources.requests.cpu") and get(c, "resources.requests.memory")
            and get(c, "resources.limits.memory"), _show(c.get("resources")))

    # Volumes: the policy ConfigMap and the TLS Secret, read-only, at the paths the args name.
    mounts = {m.get("name"): m for m in c.get("volumeMounts", [])}
    volumes = {vol.get("name"): vol for vol in pod.get("volumes", [])}
    files = {}  # path inside the container -> (kind, object name, key)
    for name, m in mounts.items():
        vol = volumes.get(name, {})
        base = m.get("mountPath", "").rstrip("/")
        sources = []
        if "projected" in vol:
            sources = vol["projected"].get("sources", [])
        elif "configMap" in vol:
            sources = [{"configMap": vol["configMap"]}]
        elif "secret" in vol:
            sources = [{"secret": dict(vol["secret"], name=vol["secret"].get("secretName"))}]
        for src in sources:
            for kind in ("configMap", "secret"):
                if kind in src:
                    for item in src[kind].get("items", []):
                        files[base + "/" + item["path"]] = (kind, src[kind].get("name"), item["key"],
                                                            m.get("readOnly") is True)
    tls_secret = v["tls"]["secret"]["name"] if tls_mode == "secret" else r.fullname + "-tls"
    s.eq(t("policy file from the ConfigMap, read-only"), files.get("/etc/schemagate/policy.yaml"),
         ("configMap", r.fullname + "-policy", "policy.yaml", True))
    s.eq(t("tls.crt from the Secret, read-only"), files.get("/etc/schemagate/tls/tls.crt"),
         ("secret", tls_secret, "tls.crt", True))
    s.eq(t("tls.key from the Secret, read-only"), files.get("/etc/schemagate/tls/tls.key"),
         ("secret", tls_secret, "tls.key", True))
    writable = [m.get("mountPath") for m in c.get("volumeMounts", []) if not m.get("readOnly")]
    s.check(t("only emptyDir mounts are writable"),
            all("emptyDir" in volumes.get(m.get("name"), {}) for m in c.get("volumeMounts", [])
                if not m.get("readOnly")), _show(writable))
    checksum = get(dep, "spec.template.metadata.annotations", {}).get("checksum/policy", "")
    s.check(t("policy checksum annotation"), len(checksum) == 64 and all(ch in "0123456789abcdef" for ch in checksum),
            _show(checksum))

    # Policy ConfigMap parses back to the values given.
    cm = r.one("ConfigMap", r.fullname + "-policy")
    if s.check(t("policy ConfigMap exists"), cm is not None):
        s.eq(t("policy ConfigMap keys"), sorted(get(cm, "data", {})), ["policy.yaml"])
        try:
            policy = yaml_subset.load(get(cm, "data", {}).get("policy.yaml", ""))
        except yaml_subset.YamlError as e:
            policy = "unparsable: %s" % e
        s.eq(t("policy.yaml round-trips the values"), policy, v["policy"])

    # Service.
    svc = r.one("Service", r.fullname)
    if s.check(t("Service exists"), svc is not None):
        s.eq(t("service ports"), get(svc, "spec.ports"),
             [{"name": "https", "port": v["service"]["port"], "targetPort": "https", "protocol": "TCP"}])
        s.eq(t("service selects the pods"), get(svc, "spec.selector"), selector)

    # PodDisruptionBudget.
    if v["podDisruptionBudget"]["enabled"]:
        pdb = r.one("PodDisruptionBudget", r.fullname)
        if s.check(t("PDB exists"), pdb is not None):
            s.eq(t("PDB minAvailable"), get(pdb, "spec.minAvailable"), 1)
            s.eq(t("PDB selects the pods"), get(pdb, "spec.selector.matchLabels"), selector)
            s.eq(t("PDB apiVersion"), pdb.get("apiVersion"), "policy/v1")

    if v["rbac"]["create"]:
        check_rbac(s, r, t)
    check_webhook(s, r, t, tls_mode, own_ca, tls_secret)
    if v["serviceMonitor"]["enabled"]:
        check_service_monitor(s, r, t, tls_secret, selector)
    if v["networkPolicy"]["enabled"]:
        check_network_policy(s, r, t, selector)


def rule_triples(rules):
    out = set()
    for rule in rules or []:
        for g in rule.get("apiGroups", []):
            for res in rule.get("resources", []):
                for verb in rule.get("verbs", []):
                    out.add((g, res, verb))
    return out


def check_rbac(s, r, t):
    sa = r.values["serviceAccount"]["name"] or r.fullname
    roles = r.of_kind("ClusterRole")
    all_cluster = set()
    for cr in roles:
        all_cluster |= rule_triples(cr.get("rules"))
    s.eq(t("ClusterRole rules exact"), sorted(all_cluster), sorted(CLUSTER_READ))
    s.check(t("no wildcard in RBAC"), "*" not in json.dumps([d.get("rules") for d in r.of_kind("ClusterRole") + r.of_kind("Role")]))
    s.check(t("leases not cluster-wide"), not any(res == "leases" for _, res, _ in all_cluster))
    role = r.one("Role")
    if s.check(t("Role exists"), role is not None):
        s.eq(t("Role namespace"), get(role, "metadata.namespace"), r.namespace)
        s.eq(t("Role rules exact (leases only)"), sorted(rule_triples(role.get("rules"))),
             sorted(("coordination.k8s.io", "leases", verb) for verb in LEASE_VERBS))
    for kind, role_kind, target in (("ClusterRoleBinding", "ClusterRole", roles[0] if roles else None),
                                    ("RoleBinding", "Role", role)):
        b = r.one(kind)
        if s.check(t(kind + " exists"), b is not None and target is not None):
            s.eq(t(kind + " roleRef"), b.get("roleRef"),
                 {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": get(target, "metadata.name")})
            s.eq(t(kind + " subject"), b.get("subjects"),
                 [{"kind": "ServiceAccount", "name": sa, "namespace": r.namespace}])


def pem_certs(text):
    return text.count("-----BEGIN CERTIFICATE-----")


def check_webhook(s, r, t, tls_mode, own_ca, tls_secret):
    v = r.values
    vwc = r.one("ValidatingWebhookConfiguration", r.fullname)
    if not s.check(t("ValidatingWebhookConfiguration exists"), vwc is not None):
        return
    hooks = vwc.get("webhooks", [])
    if not s.eq(t("one webhook"), [h.get("name") for h in hooks], [WEBHOOK]):
        return
    h = hooks[0]
    s.eq(t("webhook rules"), h.get("rules"), [{
        "apiGroups": ["batch"], "apiVersions": ["v1"], "resources": ["jobs"],
        "operations": ["CREATE", "UPDATE"], "scope": "Namespaced"}])
    s.eq(t("failurePolicy"), h.get("failurePolicy"), v["webhook"]["failurePolicy"])
    s.eq(t("sideEffects"), h.get("sideEffects"), "NoneOnDryRun")
    s.eq(t("timeoutSeconds"), h.get("timeoutSeconds"), v["webhook"]["timeoutSeconds"])
    s.eq(t("matchPolicy"), h.get("matchPolicy"), "Equivalent")
    s.eq(t("admissionReviewVersions"), h.get("admissionReviewVersions"), ["v1"])
    s.check(t("no objectSelector"), "objectSelector" not in h, _show(h.get("objectSelector")))
    s.check(t("no matchConditions"), "matchConditions" not in h)
    s.eq(t("clientConfig.service"), get(h, "clientConfig.service"),
         {"name": r.fullname, "namespace": r.namespace, "path": "/validate", "port": v["service"]["port"]})
    s.check(t("no clientConfig.url"), get(h, "clientConfig.url") is None)
    ns_sel = h.get("namespaceSelector", {})
    s.eq(t("namespaceSelector has only matchExpressions"), sorted(ns_sel), ["matchExpressions"])
    exprs = ns_sel.get("matchExpressions", [])
    if s.eq(t("one namespace expression"), len(exprs), 1):
        e = exprs[0]
        s.eq(t("namespace expression key/operator"), (e.get("key"), e.get("operator")),
             ("kubernetes.io/metadata.name", "NotIn"))
        excluded = e.get("values", [])
        s.check(t("excludes kube-system"), "kube-system" in excluded, _show(excluded))
        s.check(t("excludes the release namespace"), r.namespace in excluded, _show(excluded))
        want = ["kube-system", r.namespace]
        for extra in v["webhook"]["excludedNamespaces"]:
            if extra not in want:
                want.append(extra)
        s.eq(t("excluded namespaces exact"), excluded, want)

    ann = get(vwc, "metadata.annotations") or {}
    ca_bundle = get(h, "clientConfig.caBundle")
    service_dns = "%s.%s.svc" % (r.fullname, r.namespace)
    if tls_mode == "generate":
        sec = r.one("Secret", tls_secret)
        if s.check(t("generated TLS Secret"), sec is not None):
            data = sec.get("data", {})
            s.eq(t("generated Secret type"), sec.get("type"), "kubernetes.io/tls")
            s.eq(t("generated Secret keys"), sorted(data), ["ca.crt", "tls.crt", "tls.key"])
            s.eq(t("caBundle is the generated CA"), ca_bundle, data.get("ca.crt"))
            try:
                ca = base64.b64decode(data.get("ca.crt", ""), validate=True).decode()
                crt = base64.b64decode(data.get("tls.crt", ""), validate=True).decode()
                key = base64.b64decode(data.get("tls.key", ""), validate=True).decode()
            except ValueError as exc:
                ca = crt = key = "bad base64: %s" % exc
            s.check(t("CA is one PEM certificate"), pem_certs(ca) == 1)
            s.check(t("tls.crt is one PEM certificate"), pem_certs(crt) == 1)
            s.check(t("tls.key is a PEM private key"), "PRIVATE KEY-----" in key)
            verify_chain(s, t, ca, crt, service_dns)
        s.check(t("no cert-manager annotation"), "cert-manager.io/inject-ca-from" not in ann)
    elif tls_mode == "certManager":
        cert_name = r.fullname + "-serving"
        s.eq(t("inject-ca-from annotation"), ann.get("cert-manager.io/inject-ca-from"),
             "%s/%s" % (r.namespace, cert_name))
        s.check(t("no static caBundle with cert-manager"), ca_bundle is None)
        cert = r.one("Certificate", cert_name)
        if s.check(t("serving Certificate"), cert is not None):
            s.eq(t("Certificate secretName is the mounted Secret"), get(cert, "spec.secretName"), tls_secret)
            s.check(t("Certificate dnsNames include the service"), service_dns in get(cert, "spec.dnsNames", []),
                    _show(get(cert, "spec.dnsNames")))
            ref = get(cert, "spec.issuerRef", {})
            if own_ca:
                s.eq(t("Certificate signed by the chart CA"), ref,
                     {"name": r.fullname + "-ca", "kind": "Issuer", "group": "cert-manager.io"})
                ca_cert = r.one("Certificate", r.fullname + "-ca")
                s.check(t("CA Certificate isCA"), ca_cert is not None and get(ca_cert, "spec.isCA") is True)
                s.eq(t("CA Certificate issued by the self-signed Issuer"), get(ca_cert, "spec.issuerRef.name"),
                     r.fullname + "-selfsigned")
                self_signed = r.one("Issuer", r.fullname + "-selfsigned")
                s.check(t("self-signed Issuer"), self_signed is not None and get(self_signed, "spec.selfSigned") == {})
                ca_issuer = r.one("Issuer", r.fullname + "-ca")
                s.eq(t("CA Issuer uses the CA Secret"), get(ca_issuer, "spec.ca.secretName"), r.fullname + "-ca")
            else:
                s.eq(t("Certificate uses the named issuer"), ref, v["tls"]["certManager"]["issuerRef"])
    else:
        s.eq(t("caBundle is the one given"), ca_bundle, v["tls"]["secret"]["caBundle"])
        s.check(t("no cert-manager annotation"), "cert-manager.io/inject-ca-from" not in ann)


def verify_chain(s, t, ca_pem, crt_pem, dns):
    openssl = shutil.which("openssl")
    if not openssl:
        print("note: openssl not found; skipping certificate chain checks")
        return
    with tempfile.TemporaryDirectory() as d:
        ca_path, crt_path = os.path.join(d, "ca.pem"), os.path.join(d, "crt.pem")
        with open(ca_path, "w") as f:
            f.write(ca_pem)
        with open(crt_path, "w") as f:
            f.write(crt_pem)
        p = subprocess.run([openssl, "verify", "-purpose", "sslserver", "-CAfile", ca_path, crt_path],
                           capture_output=True, text=True)
        s.check(t("serving certificate verifies against the CA"), p.returncode == 0, p.stdout + p.stderr)
        p = subprocess.run([openssl, "x509", "-noout", "-ext", "subjectAltName", "-in", crt_path],
                           capture_output=True, text=True)
        s.check(t("serving certificate SAN has %s" % dns), ("DNS:%s," % dns) in (p.stdout.replace("\n", ",") + ","),
                p.stdout + p.stderr)


def check_service_monitor(s, r, t, tls_secret, selector):
    sm = r.one("ServiceMonitor", r.fullname)
    if not s.check(t("ServiceMonitor exists"), sm is not None):
        return
    s.eq(t("ServiceMonitor apiVersion"), sm.get("apiVersion"), "monitoring.coreos.com/v1")
    s.eq(t("ServiceMonitor selects the Service"), get(sm, "spec.selector.matchLabels"), selector)
    s.eq(t("ServiceMonitor namespace selector"), get(sm, "spec.namespaceSelector.matchNames"), [r.namespace])
    ep = get(sm, "spec.endpoints", [])
    if s.eq(t("one endpoint"), len(ep), 1):
        e = ep[0]
        s.eq(t("scrape endpoint"), (e.get("port"), e.get("scheme"), e.get("path")), ("https", "https", "/metrics"))
        s.eq(t("scrape CA from the serving Secret"), get(e, "tlsConfig.ca.secret"), {"name": tls_secret, "key": "ca.crt"})
        s.eq(t("scrape server name"), get(e, "tlsConfig.serverName"), "%s.%s.svc" % (r.fullname, r.namespace))
        s.check(t("scrape verifies TLS"), get(e, "tlsConfig.insecureSkipVerify") is not True)


def check_network_policy(s, r, t, selector):
    np = r.one("NetworkPolicy", r.fullname)
    if not s.check(t("NetworkPolicy exists"), np is not None):
        return
    spec = np.get("spec", {})
    s.eq(t("NetworkPolicy selects the pods"), get(spec, "podSelector.matchLabels"), selector)
    s.eq(t("NetworkPolicy types"), sorted(spec.get("policyTypes", [])), ["Egress", "Ingress"])
    s.eq(t("ingress only to 8443"), [rule.get("ports") for rule in spec.get("ingress", [])],
         [[{"port": 8443, "protocol": "TCP"}]])
    egress_ports = sorted((p.get("protocol"), p.get("port")) for rule in spec.get("egress", [])
                          for p in rule.get("ports", []))
    s.eq(t("egress ports: apiserver and DNS only"), egress_ports,
         sorted([("TCP", 443), ("TCP", 6443), ("UDP", 53), ("TCP", 53)]))
    dns_rules = [rule for rule in spec.get("egress", []) if any(p.get("port") == 53 for p in rule.get("ports", []))]
    s.check(t("DNS egress only to kube-system DNS pods"),
            len(dns_rules) == 1 and get(dns_rules[0], "to.0.namespaceSelector.matchLabels") ==
            {"kubernetes.io/metadata.name": "kube-system"}
            and get(dns_rules[0], "to.0.podSelector.matchLabels") == {"k8s-app": "kube-dns"},
            _show(dns_rules))
    api_rules = [rule for rule in spec.get("egress", []) if rule not in dns_rules]
    cidrs = r.values["networkPolicy"]["apiServer"]["cidrs"]
    want_to = [{"ipBlock": {"cidr": c}} for c in cidrs] if cidrs else None
    s.check(t("apiserver egress destinations"), len(api_rules) == 1 and api_rules[0].get("to") == want_to,
            _show(api_rules))


def check_policy_with_binary(s, helm, custom):
    """Feeds rendered policy.yaml files to `schemagate check --config`; skipped without a binary."""
    bin_env = os.environ.get("SCHEMAGATE_BIN")
    binary = bin_env or os.path.join(ROOT, "build", "schemagate")
    if not bin_env and not os.path.exists(binary):
        print("SKIP policy accepted by the binary: SCHEMAGATE_BIN is unset and %s does not exist" % binary)
        return
    if not s.check("binary %s is executable" % binary, os.path.isfile(binary) and os.access(binary, os.X_OK)):
        return
    with tempfile.TemporaryDirectory() as d:
        # A clean golang-migrate pair, so the only reason to fail is the policy itself.
        sql = os.path.join(d, "0001_noop.up.sql")
        with open(sql, "w") as f:
            f.write("SELECT 1;\n")
        with open(os.path.join(d, "0001_noop.down.sql"), "w") as f:
            f.write("SELECT 1;\n")
        for name, overrides in (("defaults", {}), ("audit", {"policy": {"mode": "audit"}}), ("custom", custom)):
            rc, out, err = helm.template(overrides)
            docs = yaml_subset.load_all(out) if rc == 0 else []
            cms = [x for x in docs if x.get("kind") == "ConfigMap"]
            text = get(cms[0], "data", {}).get("policy.yaml", "") if cms else ""
            path = os.path.join(d, "policy-%s.yaml" % name)
            with open(path, "w") as f:
                f.write(text)
            p = subprocess.run([binary, "check", "--config", path, d], capture_output=True, text=True)
            s.check("binary accepts the rendered %s policy" % name, bool(text) and p.returncode == 0,
                    "rc=%d %s" % (p.returncode, (p.stdout + p.stderr).strip()[-500:]))
            if name == "defaults":
                bad = os.path.join(d, "policy-bad.yaml")
                with open(bad, "w") as f:
                    f.write(text + "unknownKey: 1\n")
                p = subprocess.run([binary, "check", "--config", bad, sql], capture_output=True, text=True)
                s.check("binary rejects the policy with an unknown key", p.returncode == 2,
                        "rc=%d %s" % (p.returncode, (p.stdout + p.stderr).strip()[-500:]))


# -- the suite -------------------------------------------------------------------------------

def parse_render(s, label, rc, out, err):
    if not s.check("%s: helm template succeeds" % label, rc == 0, err.strip()[-2000:]):
        return None
    try:
        return yaml_subset.load_all(out)
    except yaml_subset.YamlError as e:
        s.check("%s: rendered YAML parses" % label, False, str(e))
        return None


def leaf_paths(values, schema, prefix=""):
    """Value paths down to where the schema stops naming properties (free-form maps are leaves)."""
    out = []
    props = schema.get("properties") if isinstance(schema, dict) else None
    for k, val in values.items():
        path = prefix + k
        sub = (props or {}).get(k, {})
        if isinstance(val, dict) and val and sub.get("properties"):
            out += leaf_paths(val, sub, path + ".")
        else:
            out.append(path)
    return out


def main():
    s = Suite()
    problems = yaml_subset.self_test()
    for name, problem in problems:
        s.check("yaml reader: " + name, False, problem)
    s.check("yaml reader self-test", not problems)

    if not os.access(HELM, os.X_OK):
        s.check("helm binary present at %s" % HELM, False)
        print("%d passed, %d failed" % (s.passed, s.failed))
        return 1
    with open(os.path.join(CHART, "values.yaml")) as f:
        defaults = yaml_subset.load(f.read())
    with open(os.path.join(CHART, "values.schema.json")) as f:
        schema = json.load(f)
    with open(os.path.join(CHART, "README.md")) as f:
        readme = f.read()
    with open(os.path.join(CHART, "Chart.yaml")) as f:
        chart = yaml_subset.load(f.read())
    s.eq("Chart.yaml apiVersion", chart.get("apiVersion"), "v2")
    s.eq("Chart.yaml name", chart.get("name"), "schemagate")
    for p in ("values.yaml", "values.schema.json", "README.md", "templates/_helpers.tpl", "templates/NOTES.txt"):
        s.check("chart has " + p, os.path.isfile(os.path.join(CHART, p)))

    # Every value is documented in the chart README, and the schema knows every value.
    for path in leaf_paths(defaults, schema):
        s.check("README documents %s" % path, ("`%s`" % path) in readme or ("`%s." % path) in readme)
    s.eq("schema covers exactly the values", sorted(k for k in schema["properties"] if k != "global"),
         sorted(defaults))
    s.eq("schema forbids unknown top-level keys", schema.get("additionalProperties"), False)
    s.eq("schema forbids unknown policy keys", get(schema, "properties.policy.additionalProperties"), False)

    work = tempfile.mkdtemp(prefix="schemagate-chart-")
    try:
        helm = Helm(work)

        # helm lint --strict, defaults and option values.
        lint_cases = {
            "defaults": None,
            "certManager+monitoring+netpol": {"tls": {"mode": "certManager"}, "serviceMonitor": {"enabled": True},
                                              "networkPolicy": {"enabled": True}},
            "secret+ignore+audit": {"tls": {"mode": "secret", "secret": {"name": "corp-tls", "caBundle": "Q0E="}},
                                    "webhook": {"failurePolicy": "Ignore"}, "policy": {"mode": "audit"}},
        }
        for name, vals in lint_cases.items():
            rc, out, err = helm.lint(vals)
            s.check("helm lint --strict (%s)" % name, rc == 0, (out + err).strip()[-2000:])

        # The option matrix.
        tls_options = {
            "generate": {"mode": "generate"},
            "certManager": {"mode": "certManager"},
            "certManager-issuer": {"mode": "certManager",
                                   "certManager": {"issuerRef": {"name": "corp-ca", "kind": "ClusterIssuer",
                                                                 "group": "cert-manager.io"}}},
            "secret": {"mode": "secret", "secret": {"name": "corp-webhook-tls", "caBundle": "Q0EgYnVuZGxl"}},
        }
        matrix = itertools.product(tls_options, (False, True), (False, True), ("Fail", "Ignore"), ("enforce", "audit"))
        renders = 0
        for tls_name, sm, np, fp, mode in matrix:
            overrides = {"tls": tls_options[tls_name], "serviceMonitor": {"enabled": sm},
                         "networkPolicy": {"enabled": np}, "webhook": {"failurePolicy": fp},
                         "policy": {"mode": mode}}
            label = "tls=%s sm=%s np=%s fp=%s mode=%s" % (tls_name, sm, np, fp, mode)
            docs = parse_render(s, label, *helm.template(overrides))
            if docs is not None:
                check_render(s, Render(docs, deep_merge(defaults, overrides)), label)
                renders += 1
        s.eq("matrix renders", renders, 64)

        # Single-option cases.
        cases = {
            "defaults": {},
            "custom policy": {"policy": {
                "postgresVersion": 16, "failureMode": "open",
                "tenancy": {"model": "shared-schema", "tenantColumn": "org_id", "sharedSchemas": ["public", "ref"],
                            "unlabeledNamespace": "allow", "schemaTemplate": "t_{tenant}"},
                "concurrency": {"maxConcurrentMigrations": 3, "leaseDurationSeconds": 60},
                "gates": {"lint.require-concurrent-index": "warning", "lint.unused-suppression": {"severity": "off"}},
                "namespaces": {"legacy-billing": {"gates": {"lint.require-concurrent-index": "info"}}},
                "exemptNamespaces": ["batch-reports"]}},
            "excluded namespaces": {"webhook": {"excludedNamespaces": ["legacy", "kube-system", "ci-runners"],
                                                "timeoutSeconds": 10}},
            "three replicas, digest": {"replicaCount": 3, "image": {
                "repository": "registry.example/schemagate", "digest": "sha256:" + "a" * 64}},
            "single replica without PDB": {"replicaCount": 1, "podDisruptionBudget": {"enabled": False}},
            "no rbac, existing service account": {"rbac": {"create": False},
                                                   "serviceAccount": {"create": False, "name": "platform-sa"}},
            "affinity override": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "pool", "operator": "In", "values": ["system"]}]}]}}}},
            "netpol with apiserver cidrs": {"networkPolicy": {"enabled": True,
                                                              "apiServer": {"cidrs": ["10.0.0.1/32", "10.0.0.2/32"]}}},
        }
        for name, overrides in cases.items():
            vals = deep_merge(defaults, overrides)
            if name == "single replica without PDB":
                # replicas >= 2 is the chart's default, not a hard rule; the check below expects 1.
                docs = parse_render(s, name, *helm.template(overrides))
                if docs is not None:
                    dep = Render(docs, vals).one("Deployment", FULLNAME)
                    s.eq("%s: replicas" % name, get(dep, "spec.replicas"), 1)
                    s.check("%s: no PDB" % name, not Render(docs, vals).of_kind("PodDisruptionBudget"))
                continue
            docs = parse_render(s, name, *helm.template(overrides))
            if docs is not None:
                check_render(s, Render(docs, vals), name)

        # Release named like the chart: the full name is the release name.
        docs = parse_render(s, "release schemagate", *helm.template(release="schemagate", namespace="platform"))
        if docs is not None:
            check_render(s, Render(docs, defaults, release="schemagate", namespace="platform",
                                   fullname="schemagate"), "release schemagate")

        # The policy checksum follows the policy and nothing else.
        def checksum(overrides):
            rc, out, err = helm.template(overrides)
            docs = yaml_subset.load_all(out) if rc == 0 else []
            dep = [d for d in docs if d.get("kind") == "Deployment"]
            return get(dep[0], "spec.template.metadata.annotations.checksum/policy") if dep else None
        base = checksum({"tls": {"mode": "certManager"}})
        s.check("checksum stable across renders", base is not None and base == checksum({"tls": {"mode": "certManager"}}))
        s.check("checksum changes with the policy", base != checksum({"tls": {"mode": "certManager"},
                                                                      "policy": {"gates": {"lint.require-concurrent-index": "off"}}}))

        # Invalid values are refused, naming the offending value.
        bad = [
            ({"policy": {"mode": "bogus"}}, "/policy/mode"),
            ({"policy": {"failureMode": "maybe"}}, "/policy/failureMode"),
            ({"policy": {"tenancy": {"model": "table-per-tenant"}}}, "/policy/tenancy/model"),
            ({"policy": {"tenancy": {"unlabeledNamespace": "sometimes"}}}, "/policy/tenancy/unlabeledNamespace"),
            ({"policy": {"postgresVersion": "15"}}, "/policy/postgresVersion"),
            ({"policy": {"postgresVersion": 18}}, "/policy/postgresVersion"),
            ({"policy": {"exemptNamespace": ["x"]}}, "/policy"),
            ({"policy": {"gates": {"lint.require-concurrent-index": "deny"}}},
             "/policy/gates/lint.require-concurrent-index"),
            ({"policy": {"gates": {"Lint_Require": "error"}}}, "Lint_Require"),
            ({"policy": {"namespaces": {"team-a": {"gates": {"lint.x": "loud"}}}}}, "/policy/namespaces/team-a"),
            ({"policy": {"namespaces": {"team-a": {"severity": "error"}}}}, "/policy/namespaces/team-a"),
            ({"tls": {"mode": "selfSigned"}}, "/tls/mode"),
            ({"tls": {"mode": "secret"}}, "/tls"),
            ({"webhook": {"failurePolicy": "Never"}}, "/webhook/failurePolicy"),
            ({"webhook": {"timeoutSeconds": 31}}, "/webhook/timeoutSeconds"),
            ({"webhook": {"objectSelector": {"matchLabels": {"a": "b"}}}}, "/webhook"),
            ({"replicas": 3}, "replicas"),
            ({"tls": {"certManager": {"issuerRef": {"kind": "Vault"}}}}, "/tls/certManager/issuerRef/kind"),
        ]
        for overrides, path in bad:
            rc, out, err = helm.template(overrides)
            s.check("schema rejects %s" % json.dumps(overrides), rc != 0 and path in err,
                    "rc=%d err=%s" % (rc, err.strip()[-500:]))
        rc, out, err = helm.template({"replicaCount": 1})
        s.check("single replica with the PDB on is refused", rc != 0 and "minAvailable" in err, err.strip()[-300:])

        # NOTES.txt (rendered by a client-side dry-run install, which needs no cluster).
        for fp in ("Fail", "Ignore"):
            rc, out, err = helm.run("install", RELEASE, CHART, "--namespace", NAMESPACE, "--dry-run=client",
                                    values={"webhook": {"failurePolicy": fp}})
            notes = out.split("\nNOTES:\n", 1)[1] if "\nNOTES:\n" in out else ""
            s.check("NOTES render (failurePolicy %s)" % fp, rc == 0 and FULLNAME in notes, err.strip()[-500:])
            bypass = "kubectl delete validatingwebhookconfiguration %s" % FULLNAME
            s.eq("NOTES emergency bypass shown only under Fail (%s)" % fp, bypass in notes, fp == "Fail")

        # The rendered policy is one the binary accepts (its parser rejects unknown keys too).
        check_policy_with_binary(s, helm, cases["custom policy"])

        # The assertions can fail: a render broken on purpose must be caught.
        rc, out, err = helm.template({})
        docs = yaml_subset.load_all(out) if rc == 0 else []
        mutations = {
            "failurePolicy flipped": lambda d: d["kind"] == "ValidatingWebhookConfiguration"
            and d["webhooks"][0].update(failurePolicy="Ignore"),
            "objectSelector added": lambda d: d["kind"] == "ValidatingWebhookConfiguration"
            and d["webhooks"][0].update(objectSelector={"matchLabels": {"schemagate.io/migration": "true"}}),
            "leases in ClusterRole": lambda d: d["kind"] == "ClusterRole"
            and d["rules"].append({"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get"]}),
            "root filesystem writable": lambda d: d["kind"] == "Deployment"
            and d["spec"]["template"]["spec"]["containers"][0]["securityContext"].update(readOnlyRootFilesystem=False),
            "policy edited": lambda d: d["kind"] == "ConfigMap"
            and d["data"].update({"policy.yaml": d["data"]["policy.yaml"].replace("enforce", "audit")}),
            "release namespace not excluded": lambda d: d["kind"] == "ValidatingWebhookConfiguration"
            and d["webhooks"][0]["namespaceSelector"]["matchExpressions"][0].update(values=["kube-system"]),
        }
        for name, mutate in mutations.items():
            broken = copy.deepcopy(docs)
            for d in broken:
                mutate(d)
            scratch = Suite(quiet=True)
            if docs:
                check_render(scratch, Render(broken, defaults), "mutant")
            s.check("assertions catch: %s" % name, scratch.failed > 0)
        clean = Suite(quiet=True)
        if docs:
            check_render(clean, Render(docs, defaults), "clean")
        s.check("assertions pass the unmodified render", docs and clean.failed == 0, _show(clean.failures))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("%d passed, %d failed" % (s.passed, s.failed))
    return 1 if s.failed else 0


if __name__ == "__main__":
    sys.exit(main())
