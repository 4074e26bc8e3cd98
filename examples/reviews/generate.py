#!/usr/bin/env python3
"""Regenerates examples/reviews/*.json from examples/jobs/*.yaml (needs PyYAML).

The JSON files are committed: the demo and the tests read them and need no Python
packages. Each is a complete admission.k8s.io/v1 AdmissionReview request, shaped like
kubernetes' staging/src/k8s.io/api/testdata/HEAD/admission.k8s.io.v1.AdmissionReview.json,
with the defaults the apiserver fills in before validating admission.
"""
import copy
import json
import pathlib

import yaml

HERE = pathlib.Path(__file__).resolve().parent
JOBS = HERE.parent / "jobs"

USER = {
    "username": "system:serviceaccount:argocd:argocd-application-controller",
    "uid": "4d1f9c2e-8a7b-4c1e-9f0a-2b3c4d5e6f70",
    "groups": ["system:serviceaccounts", "system:serviceaccounts:argocd", "system:authenticated"],
}


def as_stored(job, uid, rv="1"):
    """The object as the apiserver hands it to admission: defaults and server fields set."""
    obj = copy.deepcopy(job)
    meta = obj["metadata"]
    meta.update({"uid": uid, "resourceVersion": rv, "generation": 1,
                 "creationTimestamp": "2024-06-01T10:00:00Z"})
    spec = obj["spec"]
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    pod = spec["template"]["spec"]
    pod.setdefault("dnsPolicy", "ClusterFirst")
    pod.setdefault("schedulerName", "default-scheduler")
    pod.setdefault("terminationGracePeriodSeconds", 30)
    pod.setdefault("securityContext", {})
    for c in pod.get("containers", []):
        c.setdefault("imagePullPolicy", "IfNotPresent")
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("resources", {})
    for v in pod.get("volumes", []):
        if "configMap" in v:
            v["configMap"].setdefault("defaultMode", 420)
    return obj


def review(uid, obj, operation="CREATE", old=None, dry_run=False,
           gvk=("batch", "v1", "Job"), resource="jobs"):
    group, version, kind = gvk
    options = {"kind": "CreateOptions" if operation == "CREATE" else "UpdateOptions",
               "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-client-side-apply"}
    if dry_run:
        options["dryRun"] = ["All"]
    request = {
        "uid": uid,
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": resource},
        "requestKind": {"group": group, "version": version, "kind": kind},
        "requestResource": {"group": group, "version": version, "resource": resource},
        "name": obj["metadata"]["name"],
        "namespace": obj["metadata"]["namespace"],
        "operation": operation,
        "userInfo": USER,
        "object": obj,
        "oldObject": old,
        "dryRun": dry_run,
        "options": options,
    }
    return {"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": request}


def job(name):
    return yaml.safe_load((JOBS / f"{name}.yaml").read_text())


def write(name, doc):
    (HERE / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")


def main():
    clean = as_stored(job("orders-migrate-v3"), "9a3c1f6e-1b2d-4e5f-8a9b-0c1d2e3f4a5b")
    write("clean-create", review("0c5e1b7a-3f4d-4a8e-9b1c-2d3e4f5a6b7c", clean))

    dangerous = as_stored(job("billing-migrate-v7"), "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9")
    write("dangerous-create", review("7f2d9c41-5a6b-4c8d-9e0f-1a2b3c4d5e6f", dangerous))
    write("dry-run", review("b8e1d2c3-4f5a-4b6c-8d7e-9f0a1b2c3d4e", dangerous, dry_run=True))

    warnings = as_stored(job("inventory-migrate-v2"), "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e")
    write("warnings-create", review("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", warnings))

    missing = as_stored(job("orders-migrate-v4"), "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d")
    write("missing-configmap-create", review("4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a", missing))

    # Status moves on while the Job runs: an UPDATE that changes nothing gated.
    old = copy.deepcopy(clean)
    new = copy.deepcopy(clean)
    new["metadata"]["resourceVersion"] = "2"
    new["metadata"].setdefault("labels", {})["batch.kubernetes.io/controller-uid"] = clean["metadata"]["uid"]
    old["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] = clean["metadata"]["uid"]
    new["status"] = {"active": 1, "ready": 1, "startTime": "2024-06-01T10:00:02Z",
                     "uncountedTerminatedPods": {}}
    old["status"] = {}
    update = review("6e7f8a9b-0c1d-4e2f-9a3b-4c5d6e7f8a9b", new, operation="UPDATE", old=old)
    write("update-no-change", update)

    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "psql-debug", "namespace": "tenant-acme",
                     "uid": "8f9a0b1c-2d3e-4f4a-8b5c-6d7e8f9a0b1c", "creationTimestamp": "2024-06-01T10:00:00Z"},
        "spec": {"restartPolicy": "Never",
                 "containers": [{"name": "psql", "image": "postgres:15", "command": ["sleep", "3600"]}]},
    }
    write("not-a-job", review("a0b1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d", pod, gvk=("", "v1", "Pod"),
                             resource="pods"))


if __name__ == "__main__":
    main()
