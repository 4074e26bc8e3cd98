#!/usr/bin/env python3
"""fake_apiserver: a small, stdlib-only stand-in for kube-apiserver used by schemagate's tests.

It speaks enough of the Kubernetes REST and watch protocol for real kubectl and for schemagate's
C++ informer / Lease client: discovery, list (selectors, pagination), get, create, update (optimistic
concurrency), patch (merge, strategic-merge subset, JSON patch, apply-as-merge), delete, watch
(chunked newline-delimited JSON with resumption, bookmarks and 410 Expired), for namespaces,
configmaps, batch/v1 jobs (with /status) and coordination.k8s.io/v1 leases.

Fault injection lives under /_fake/ on the same port (see docs/testing-fake-apiserver.md).
On start it prints exactly one line "LISTENING <port>" to stdout.
"""

import argparse
import base64
import collections
import copy
import datetime
import http.server
import json
import os
import random
import re
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid

# ----------------------------------------------------------------------------------------------
# A tiny YAML subset loader (block maps, block sequences, plain/quoted scalars, |/> blocks,
# simple flow collections, comments, multi-document). Enough for simple Kubernetes manifests.
# ----------------------------------------------------------------------------------------------


class YamlError(ValueError):
    pass


_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def _plain_scalar(s):
    s = s.strip()
    if s in ("", "~", "null", "Null", "NULL"):
        return None
    if s in ("true", "True", "TRUE"):
        return True
    if s in ("false", "False", "FALSE"):
        return False
    if _INT_RE.match(s):
        return int(s)
    if _FLOAT_RE.match(s) and any(c.isdigit() for c in s):
        return float(s)
    return s


def _strip_comment(s):
    """Remove a trailing ' #...' comment that is outside quotes."""
    quote = None
    i = 0
    while i < len(s):
        c = s[i]
        if quote:
            if quote == '"' and c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'" and (i == 0 or s[i - 1] in " \t[{,:"):
            quote = c
        elif c == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].rstrip()
        i += 1
    return s.rstrip()


def _parse_quoted(s, i):
    """Parse a quoted scalar starting at s[i]; return (value, index after closing quote)."""
    q = s[i]
    out = []
    i += 1
    while i < len(s):
        c = s[i]
        if q == "'":
            if c == "'":
                if i + 1 < len(s) and s[i + 1] == "'":
                    out.append("'")
                    i += 2
                    continue
                return "".join(out), i + 1
            out.append(c)
        else:
            if c == "\\":
                i += 1
                if i >= len(s):
                    break
                e = s[i]
                simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "\\": "\\", "/": "/",
                          " ": " ", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "v": "\v"}
                if e in simple:
                    out.append(simple[e])
                elif e in "xuU":
                    n = {"x": 2, "u": 4, "U": 8}[e]
                    out.append(chr(int(s[i + 1:i + 1 + n], 16)))
                    i += n
                else:
                    raise YamlError("bad escape \\" + e)
            elif c == '"':
                return "".join(out), i + 1
            else:
                out.append(c)
        i += 1
    raise YamlError("unterminated quoted scalar: " + s)


def _parse_flow(s, i=0):
    """Parse a flow node at s[i]; return (value, index)."""
    def ws(j):
        while j < len(s) and s[j] in " \t":
            j += 1
        return j

    i = ws(i)
    if i >= len(s):
        return None, i
    c = s[i]
    if c == "[":
        items = []
        i = ws(i + 1)
        if i < len(s) and s[i] == "]":
            return items, i + 1
        while True:
            v, i = _parse_flow(s, i)
            items.append(v)
            i = ws(i)
            if i < len(s) and s[i] == ",":
                i = ws(i + 1)
                if i < len(s) and s[i] == "]":
                    return items, i + 1
                continue
            if i < len(s) and s[i] == "]":
                return items, i + 1
            raise YamlError("bad flow sequence: " + s)
    if c == "{":
        m = {}
        i = ws(i + 1)
        if i < len(s) and s[i] == "}":
            return m, i + 1
        while True:
            k, i = _parse_flow(s, i)
            i = ws(i)
            if i < len(s) and s[i] == ":":
                v, i = _parse_flow(s, i + 1)
            else:
                v = None
            m[str(k) if not isinstance(k, str) else k] = v
            i = ws(i)
            if i < len(s) and s[i] == ",":
                i = ws(i + 1)
                if i < len(s) and s[i] == "}":
                    return m, i + 1
                continue
            if i < len(s) and s[i] == "}":
                return m, i + 1
            raise YamlError("bad flow mapping: " + s)
    if c in "\"'":
        return _parse_quoted(s, i)
    j = i
    while j < len(s) and s[j] not in ",]}" and not (s[j] == ":" and (j + 1 == len(s) or s[j + 1] in " ,]}")):
        j += 1
    return _plain_scalar(s[i:j]), j


def _inline_value(rest):
    rest = _strip_comment(rest).strip()
    if rest == "":
        return None
    if rest[0] in "\"'":
        v, j = _parse_quoted(rest, 0)
        if rest[j:].strip():
            raise YamlError("trailing text after quoted scalar: " + rest)
        return v
    if rest[0] in "[{":
        v, j = _parse_flow(rest, 0)
        if rest[j:].strip():
            raise YamlError("trailing text after flow collection: " + rest)
        return v
    if rest.startswith(("&", "*")):
        raise YamlError("anchors and aliases are not supported: " + rest)
    if rest.startswith("!"):
        tag, _, rest2 = rest.partition(" ")
        v = _inline_value(rest2)
        return v if tag not in ("!!str",) or v is None else str(rest2.strip())
    return _plain_scalar(rest)


def _split_key(content):
    """Return (key, rest) if content is a mapping entry 'key: value' / 'key:', else None."""
    if content[0] in "\"'":
        try:
            k, j = _parse_quoted(content, 0)
        except YamlError:
            return None
        if j < len(content) and content[j] == ":" and (j + 1 == len(content) or content[j + 1] in " \t"):
            return k, content[j + 1:]
        return None
    if content[0] in "[{":
        return None
    m = re.search(r":(\s|$)", content)
    if not m:
        return None
    key = content[:m.start()].rstrip()
    if " #" in key or key.startswith("#"):
        return None
    return key, content[m.start() + 1:]


class _YamlDoc:
    def __init__(self, lines):
        self.lines = [ln.rstrip("\r\n") for ln in lines]

    @staticmethod
    def _indent(line):
        return len(line) - len(line.lstrip(" "))

    def _blank(self, i):
        s = self.lines[i].strip()
        return s == "" or s.startswith("#")

    def _next(self, i):
        while i < len(self.lines) and self._blank(i):
            i += 1
        return i

    def parse(self):
        i = self._next(0)
        if i >= len(self.lines):
            return None
        v, i = self._node(i, self._indent(self.lines[i]))
        i = self._next(i)
        if i < len(self.lines):
            raise YamlError("unexpected content at line %d: %r" % (i + 1, self.lines[i]))
        return v

    def _is_seq(self, content):
        return content == "-" or content.startswith("- ")

    def _node(self, i, ind):
        content = self.lines[i][ind:]
        if self._is_seq(content):
            return self._seq(i, ind)
        if _split_key(content) is not None:
            return self._map(i, ind)
        # a lone scalar (possibly a flow collection)
        return _inline_value(content), i + 1

    def _value_after(self, i, ind, rest, in_seq=False):
        """Value for a key/dash at line i with indentation ind whose inline text is rest."""
        r = _strip_comment(rest).strip()
        if r.startswith(("|", ">")):
            return self._block_scalar(i + 1, ind, r)
        if r == "":
            j = self._next(i + 1)
            if j < len(self.lines):
                jind = self._indent(self.lines[j])
                if jind > ind or (not in_seq and jind == ind and self._is_seq(self.lines[j][jind:])):
                    return self._node(j, jind)
            return None, i + 1
        return _inline_value(rest), i + 1

    def _map(self, i, ind):
        out = {}
        while True:
            i = self._next(i)
            if i >= len(self.lines):
                return out, i
            line = self.lines[i]
            lind = self._indent(line)
            if lind < ind:
                return out, i
            if lind > ind:
                raise YamlError("bad indentation at line %d: %r" % (i + 1, line))
            content = line[ind:]
            if self._is_seq(content):
                return out, i
            kv = _split_key(content)
            if kv is None:
                raise YamlError("expected 'key: value' at line %d: %r" % (i + 1, line))
            key, rest = kv
            if isinstance(key, str) and not (content[0] in "\"'"):
                key = key.strip()
            v, i = self._value_after(i, ind, rest)
            out[key] = v

    def _seq(self, i, ind):
        out = []
        while True:
            i = self._next(i)
            if i >= len(self.lines):
                return out, i
            line = self.lines[i]
            lind = self._indent(line)
            content = line[lind:]
            if lind != ind or not self._is_seq(content):
                if lind > ind:
                    raise YamlError("bad indentation at line %d: %r" % (i + 1, line))
                return out, i
            rest = content[1:]
            stripped = rest.lstrip(" ")
            sub = ind + 1 + (len(rest) - len(stripped))
            if stripped == "" or stripped.startswith("#"):
                v, i = self._value_after(i, ind, "", in_seq=True)
            elif self._is_seq(stripped) or (_split_key(stripped) is not None
                                             and not stripped.startswith(("|", ">"))):
                # "- key: value" or "- - x": the rest is a node at column `sub`
                self.lines[i] = " " * sub + stripped
                v, i = self._node(i, sub)
            else:
                v, i = self._value_after(i, ind, stripped, in_seq=True)
            out.append(v)

    def _block_scalar(self, i, ind, header):
        style = header[0]
        chomp = "clip"
        explicit = None
        for ch in header[1:]:
            if ch == "-":
                chomp = "strip"
            elif ch == "+":
                chomp = "keep"
            elif ch.isdigit():
                explicit = int(ch)
            elif ch in " \t":
                break
        raw = []
        block_ind = ind + explicit if explicit else None
        while i < len(self.lines):
            line = self.lines[i]
            if line.strip() == "":
                raw.append("")
                i += 1
                continue
            lind = self._indent(line)
            if block_ind is None:
                if lind <= ind:
                    break
                block_ind = lind
            if lind < block_ind:
                break
            raw.append(line[block_ind:])
            i += 1
        # trailing blank lines belong to chomping
        body = raw
        trailing = 0
        while body and body[-1] == "":
            body = body[:-1]
            trailing += 1
        if style == "|":
            text = "\n".join(body)
        else:
            parts = []
            for k, ln in enumerate(body):
                if k == 0:
                    parts.append(ln)
                elif ln == "" or ln.startswith(" "):
                    parts.append("\n" + ln)
                elif body[k - 1] == "" or body[k - 1].startswith(" "):
                    parts.append("\n" + ln) if body[k - 1].startswith(" ") else parts.append(ln)
                else:
                    parts.append(" " + ln)
            text = "".join(parts)
        if not body:
            text = ""
        if chomp == "strip":
            pass
        elif chomp == "clip":
            text = text + "\n" if body else ""
        else:
            text = text + "\n" * (1 + trailing) if body else "\n" * trailing
        return text, i


def load_yaml_all(text):
    """Parse a (multi-document) YAML text of the supported subset; return the list of documents."""
    docs, cur = [], []
    for line in text.splitlines():
        if re.match(r"^---(\s|$)", line):
            docs.append(cur)
            cur = []
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                cur.append(rest)
        elif re.match(r"^\.\.\.(\s|$)", line):
            docs.append(cur)
            cur = []
        elif line.startswith("%"):
            continue
        else:
            cur.append(line)
    docs.append(cur)
    out = []
    for d in docs:
        v = _YamlDoc(d).parse()
        if v is not None:
            out.append(v)
    return out


def load_objects(text):
    """Objects from a JSON (object, list, {"items":[...]}) or YAML (multi-document) text."""
    s = text.lstrip()
    if s.startswith(("{", "[")):
        try:
            data = json.loads(s)
            docs = data if isinstance(data, list) else [data]
        except ValueError:
            docs = load_yaml_all(text)
    else:
        docs = load_yaml_all(text)
    out = []
    for d in docs:
        if isinstance(d, list):
            out.extend(load_objects(json.dumps(d)))
        elif isinstance(d, dict) and d.get("kind", "").endswith("List") and "items" in d:
            out.extend(d["items"] or [])
        elif isinstance(d, dict) and "items" in d and "kind" not in d:
            out.extend(d["items"] or [])
        elif isinstance(d, dict):
            out.append(d)
    return out


# ----------------------------------------------------------------------------------------------
# Resource model
# ----------------------------------------------------------------------------------------------


class Resource:
    def __init__(self, group, version, plural, kind, namespaced, short=(), singular=None, status=False,
                 has_generation=False, cluster_list=True):
        self.group, self.version, self.plural, self.kind = group, version, plural, kind
        self.namespaced = namespaced
        self.short = list(short)
        self.singular = singular or kind.lower()
        self.status = status
        self.has_generation = has_generation
        self.api_version = version if group == "" else group + "/" + version

    @property
    def qualified(self):
        return self.plural if self.group == "" else self.plural + "." + self.group


RESOURCES = [
    Resource("", "v1", "namespaces", "Namespace", False, short=["ns"], status=True),
    Resource("", "v1", "configmaps", "ConfigMap", True, short=["cm"]),
    Resource("batch", "v1", "jobs", "Job", True, status=True, has_generation=True),
    Resource("coordination.k8s.io", "v1", "leases", "Lease", True),
]
BY_GV_PLURAL = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_APIVERSION_KIND = {(r.api_version, r.kind): r for r in RESOURCES}
GROUPS = collections.OrderedDict()
for _r in RESOURCES:
    if _r.group:
        GROUPS.setdefault(_r.group, []).append(_r)

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details
        self.headers = headers or {}

    def status(self):
        return status_object(self.code, self.reason, self.message, self.details)


def status_object(code, reason, message, details=None, success=False):
    st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success" if success else "Failure"}
    if message:
        st["message"] = message
    if reason:
        st["reason"] = reason
    if details is not None:
        st["details"] = details
    st["code"] = code
    return st


def _details(res, name):
    d = {"name": name}
    if res.group:
        d["group"] = res.group
    d["kind"] = res.plural
    return d


def not_found(res, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (res.qualified, name), _details(res, name))


def conflict(res, name, why="the object has been modified; please apply your changes to the latest version "
                            "and try again"):
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s' % (res.qualified, name, why),
                    _details(res, name))


def bad_request(msg):
    return ApiError(400, "BadRequest", msg)


def invalid(res, name, msg):
    d = _details(res, name)
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (res.kind, name, msg), d)


def expired(msg):
    return ApiError(410, "Expired", msg)


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----------------------------------------------------------------------------------------------
# Selectors
# ----------------------------------------------------------------------------------------------

_LABEL_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_LABEL_VAL = r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?"


def _split_top(s):
    parts, depth, cur = [], 0, []
    for c in s:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_label_selector(s):
    """Return a list of (key, op, values) requirements; raises ApiError 400 on syntax errors."""
    reqs = []
    if not s:
        return reqs
    for p in _split_top(s):
        m = re.match(r"^(?P<key>%s)\s+(?P<op>in|notin)\s*\((?P<vals>.*)\)$" % _LABEL_KEY, p)
        if m:
            vals = [v.strip() for v in m.group("vals").split(",") if v.strip()]
            for v in vals:
                if not re.match("^%s$" % _LABEL_VAL, v):
                    raise bad_request("unable to parse requirement: invalid label value: %r" % v)
            reqs.append((m.group("key"), m.group("op"), set(vals)))
            continue
        m = re.match(r"^(?P<key>%s)\s*(?P<op>==|=|!=)\s*(?P<val>%s)$" % (_LABEL_KEY, _LABEL_VAL), p)
        if m:
            op = {"=": "=", "==": "=", "!=": "!="}[m.group("op")]
            reqs.append((m.group("key"), op, {m.group("val")}))
            continue
        m = re.match(r"^!\s*(?P<key>%s)$" % _LABEL_KEY, p)
        if m:
            reqs.append((m.group("key"), "!", set()))
            continue
        m = re.match(r"^(?P<key>%s)$" % _LABEL_KEY, p)
        if m:
            reqs.append((m.group("key"), "exists", set()))
            continue
        raise bad_request("unable to parse requirement: %r" % p)
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    for key, op, vals in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "=" and not (has and v in vals):
            return False
        if op == "!=" and has and v in vals:
            return False
        if op == "in" and not (has and v in vals):
            return False
        if op == "notin" and has and v in vals:
            return False
        if op == "exists" and not has:
            return False
        if op == "!" and has:
            return False
    return True


def parse_field_selector(s):
    reqs = []
    if not s:
        return reqs
    for p in _split_top(s):
        m = re.match(r"^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$", p)
        if not m:
            raise bad_request('invalid selector: \'%s\'; can\'t understand \'%s\'' % (s, p))
        field = m.group(1)
        if field not in ("metadata.name", "metadata.namespace"):
            raise bad_request('field label not supported: %s' % field)
        reqs.append((field, "!=" if m.group(2) == "!=" else "=", m.group(3)))
    return reqs


def fields_match(reqs, obj):
    md = obj.get("metadata", {})
    for field, op, val in reqs:
        actual = md.get("name" if field == "metadata.name" else "namespace", "") or ""
        if (actual == val) != (op == "="):
            return False
    return True


# ----------------------------------------------------------------------------------------------
# Patches
# ----------------------------------------------------------------------------------------------


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# Lists merged by key in a strategic merge patch (the subset of Kubernetes' patchMergeKey tags that
# matters for Jobs/ConfigMaps/Namespaces/Leases); other lists are replaced.
_SMP_MERGE_KEYS = {"containers": "name", "initContainers": "name", "ephemeralContainers": "name",
                   "env": "name", "volumes": "name", "volumeMounts": "mountPath", "imagePullSecrets": "name",
                   "ports": "containerPort", "volumeDevices": "devicePath", "hostAliases": "ip",
                   "ownerReferences": "uid", "conditions": "type"}


def strategic_merge_patch(target, patch):
    """A subset of Kubernetes strategic merge patch: maps merge (with $patch: replace/delete), lists of
    objects with a known merge key merge by key (with $patch: delete items), others are replaced; the
    $setElementOrder/, $retainKeys and $deleteFromPrimitiveList/ directives are accepted and ignored."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if not k.startswith("$")}
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith("$"):
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            merged = strategic_merge_patch(out.get(k), v)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        elif isinstance(v, list) and k in _SMP_MERGE_KEYS and isinstance(out.get(k), list) and \
                all(isinstance(e, dict) for e in v):
            key = _SMP_MERGE_KEYS[k]
            cur = [copy.deepcopy(e) for e in out[k]]
            for e in v:
                if e.get("$patch") == "replace":
                    cur = []
                    continue
                idx = next((n for n, c in enumerate(cur) if isinstance(c, dict) and c.get(key) == e.get(key)),
                           None)
                if e.get("$patch") == "delete":
                    if idx is not None:
                        del cur[idx]
                elif idx is None:
                    cur.append(strategic_merge_patch({}, e))
                else:
                    cur[idx] = strategic_merge_patch(cur[idx], e)
            out[k] = cur
        else:
            out[k] = strategic_merge_patch(None, v) if isinstance(v, dict) else copy.deepcopy(
                [strategic_merge_patch(None, e) if isinstance(e, dict) else e for e in v]
                if isinstance(v, list) else v)
    return out


def _ptr_tokens(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request("invalid JSON pointer %r" % path)
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def json_patch(doc, ops):
    """RFC 6902 JSON patch."""
    doc = copy.deepcopy(doc)
    if not isinstance(ops, list):
        raise bad_request("json patch must be a list of operations")

    def parent(tokens):
        cur = doc
        for t in tokens[:-1]:
            if isinstance(cur, list):
                cur = cur[int(t)]
            elif isinstance(cur, dict) and t in cur:
                cur = cur[t]
            else:
                raise ApiError(422, "Invalid", "the server rejected our request due to an error in our request: "
                               "doc is missing path: %s" % "/".join(tokens))
        return cur

    def get(path):
        cur = doc
        for t in _ptr_tokens(path):
            try:
                cur = cur[int(t)] if isinstance(cur, list) else cur[t]
            except (KeyError, IndexError, ValueError, TypeError):
                raise ApiError(422, "Invalid", "doc is missing path: %s" % path)
        return cur

    def add(path, value):
        nonlocal doc
        tokens = _ptr_tokens(path)
        if not tokens:
            doc = value
            return
        p = parent(tokens)
        t = tokens[-1]
        if isinstance(p, list):
            if t == "-":
                p.append(value)
            else:
                p.insert(int(t), value)
        else:
            p[t] = value

    def remove(path):
        tokens = _ptr_tokens(path)
        p = parent(tokens)
        t = tokens[-1]
        try:
            if isinstance(p, list):
                return p.pop(int(t))
            return p.pop(t)
        except (KeyError, IndexError, ValueError):
            raise ApiError(422, "Invalid", "doc is missing path: %s" % path)

    for op in ops:
        kind = op.get("op")
        path = op.get("path", "")
        if kind == "add":
            add(path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            remove(path)
        elif kind == "replace":
            remove(path)
            add(path, copy.deepcopy(op.get("value")))
        elif kind == "move":
            v = remove(op.get("from", ""))
            add(path, v)
        elif kind == "copy":
            add(path, copy.deepcopy(get(op.get("from", ""))))
        elif kind == "test":
            if get(path) != op.get("value"):
                raise ApiError(422, "Invalid", "the server rejected our request due to an error in our request: "
                               "testing value %s failed" % path)
        else:
            raise bad_request("unknown json patch operation %r" % kind)
    return doc


# ----------------------------------------------------------------------------------------------
# Kubernetes protobuf request bodies (kubectl's typed clients, e.g. `kubectl create namespace`, send
# application/vnd.kubernetes.protobuf). Only Namespace, ConfigMap and Lease bodies are decoded.
# ----------------------------------------------------------------------------------------------


def _pb_fields(buf):
    """Decode protobuf wire format into a list of (field number, wire type, value)."""
    out, i = [], 0

    def varint():
        nonlocal i
        shift = result = 0
        while True:
            if i >= len(buf):
                raise ValueError("truncated varint")
            b = buf[i]
            i += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    while i < len(buf):
        key = varint()
        num, wt = key >> 3, key & 7
        if wt == 0:
            out.append((num, wt, varint()))
        elif wt == 1:
            out.append((num, wt, buf[i:i + 8]))
            i += 8
        elif wt == 2:
            n = varint()
            out.append((num, wt, buf[i:i + n]))
            i += n
        elif wt == 5:
            out.append((num, wt, buf[i:i + 4]))
            i += 4
        else:
            raise ValueError("unsupported wire type %d" % wt)
    return out


def _pb_map(entries):
    m = {}
    for e in entries:
        kv = {n: v for n, _, v in _pb_fields(e)}
        m[kv.get(1, b"").decode()] = kv.get(2, b"").decode()
    return m


def _pb_object_meta(buf):
    md, labels, annotations, finalizers = {}, [], [], []
    names = {1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion"}
    for n, wt, v in _pb_fields(buf):
        if n in names and wt == 2:
            if v:
                md[names[n]] = v.decode()
        elif n == 7 and wt == 0 and v:
            md["generation"] = v
        elif n == 11:
            labels.append(v)
        elif n == 12:
            annotations.append(v)
        elif n == 14:
            finalizers.append(v.decode())
    if labels:
        md["labels"] = _pb_map(labels)
    if annotations:
        md["annotations"] = _pb_map(annotations)
    if finalizers:
        md["finalizers"] = finalizers
    return md


def _pb_micro_time(buf):
    f = {n: v for n, _, v in _pb_fields(buf)}
    secs, nanos = f.get(1, 0), f.get(2, 0)
    t = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (nanos // 1000)


def decode_k8s_protobuf(raw):
    if not raw.startswith(b"k8s\x00"):
        raise bad_request("protobuf body without the k8s envelope")
    env = {n: v for n, _, v in _pb_fields(raw[4:])}
    tm = {n: v.decode() for n, _, v in _pb_fields(env.get(1, b""))}
    api_version, kind = tm.get(1, ""), tm.get(2, "")
    obj = {"apiVersion": api_version, "kind": kind}
    fields = _pb_fields(env.get(2, b""))
    for n, wt, v in fields:
        if n == 1:
            obj["metadata"] = _pb_object_meta(v)
    if kind == "Namespace":
        fins = []
        for n, _, v in fields:
            if n == 2:
                fins += [fv.decode() for fn, _, fv in _pb_fields(v) if fn == 1]
        if fins:
            obj["spec"] = {"finalizers": fins}
    elif kind == "ConfigMap":
        data = _pb_map([v for n, _, v in fields if n == 2])
        binary = {}
        for n, _, v in fields:
            if n == 3:
                kv = {fn: fv for fn, _, fv in _pb_fields(v)}
                binary[kv.get(1, b"").decode()] = base64.b64encode(kv.get(2, b"")).decode()
            if n == 4:
                obj["immutable"] = bool(v)
        if data:
            obj["data"] = data
        if binary:
            obj["binaryData"] = binary
    elif kind == "Lease":
        spec = {}
        for n, _, v in fields:
            if n != 2:
                continue
            for fn, _, fv in _pb_fields(v):
                if fn in (1, 6, 7):
                    spec[{1: "holderIdentity", 6: "strategy", 7: "preferredHolder"}[fn]] = fv.decode()
                elif fn in (2, 5):
                    spec[{2: "leaseDurationSeconds", 5: "leaseTransitions"}[fn]] = fv
                elif fn in (3, 4):
                    spec[{3: "acquireTime", 4: "renewTime"}[fn]] = _pb_micro_time(fv)
        obj["spec"] = spec
    else:
        raise ApiError(415, "UnsupportedMediaType", "fake-apiserver decodes protobuf only for Namespace, ConfigMap "
                                                    "and Lease; send %s %s as application/json" % (api_version, kind))
    return obj


# ----------------------------------------------------------------------------------------------
# Store
# ----------------------------------------------------------------------------------------------

Event = collections.namedtuple("Event", "rv res type obj prev")

_GEN_CHARS = "bcdfghjklmnpqrstvwxz2456789"


class Store:
    def __init__(self, history=10000):
        self.cond = threading.Condition()
        self.rv = 1
        self.objects = {}          # (plural, namespace, name) -> obj
        self.history = collections.deque()
        self.history_limit = history
        self.compacted = 1         # resumption from an RV below this is 410 Expired
        self.watch_epoch = 0       # bumped to drop every open watch
        self.bookmark_interval = 1.0

    # --- helpers (caller holds self.cond) ---
    def _bump(self):
        self.rv += 1
        return self.rv

    def _record(self, res, etype, obj, prev):
        self.history.append(Event(self.rv, res.plural, etype, copy.deepcopy(obj),
                                  copy.deepcopy(prev) if prev is not None else None))
        while len(self.history) > self.history_limit:
            self.history.popleft()
        self.cond.notify_all()

    def window_start(self):
        """Smallest RV from which a watch/list can resume (events after it are all known)."""
        oldest = self.history[0].rv - 1 if self.history else self.rv
        return max(self.compacted, oldest)

    def compact(self):
        with self.cond:
            self.compacted = self.rv
            self.history.clear()
            self.cond.notify_all()

    def drop_watches(self):
        with self.cond:
            self.watch_epoch += 1
            self.cond.notify_all()

    def check_fresh(self, rv):
        if rv < self.window_start():
            raise expired("too old resource version: %d (%d)" % (rv, self.window_start() + 1))

    def items(self, res, ns=None, label_reqs=(), field_reqs=(), objects=None):
        src = self.objects if objects is None else objects
        out = []
        for (plural, ons, name), obj in src.items():
            if plural != res.plural:
                continue
            if ns is not None and ons != ns:
                continue
            if not labels_match(label_reqs, obj.get("metadata", {}).get("labels")):
                continue
            if not fields_match(field_reqs, obj):
                continue
            out.append(obj)
        out.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        return out

    def snapshot_at(self, rv):
        """The object map as it was at resource version rv (rolled back through history)."""
        self.check_fresh(rv)
        objs = dict(self.objects)
        for ev in reversed(self.history):
            if ev.rv <= rv:
                break
            md = ev.obj["metadata"]
            key = (ev.res, md.get("namespace", ""), md["name"])
            if ev.type == "ADDED":
                objs.pop(key, None)
            else:
                objs[key] = ev.prev
        return objs

    # --- mutations ---
    def create(self, res, ns, obj, check_ns=True):
        with self.cond:
            md = obj.setdefault("metadata", {})
            if not isinstance(md, dict):
                raise bad_request("metadata must be an object")
            name = md.get("name")
            if not name:
                gen = md.get("generateName")
                if not gen:
                    raise invalid(res, "", "metadata.name: Required value: name or generateName is required")
                for _ in range(100):
                    name = gen + "".join(random.choice(_GEN_CHARS) for _ in range(5))
                    if (res.plural, ns or "", name) not in self.objects:
                        break
                md["name"] = name
            if not re.match(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", name) or len(name) > 253:
                raise invalid(res, name, "metadata.name: Invalid value: %r: a lowercase RFC 1123 subdomain must "
                                         "consist of lower case alphanumeric characters, '-' or '.', and must start "
                                         "and end with an alphanumeric character" % name)
            if res.namespaced:
                if md.get("namespace") and md["namespace"] != ns:
                    raise bad_request("the namespace of the provided object does not match the namespace sent on "
                                      "the request")
                md["namespace"] = ns
                if check_ns and ("namespaces", "", ns) not in self.objects:
                    raise ApiError(404, "NotFound", 'namespaces "%s" not found' % ns,
                                   {"name": ns, "kind": "namespaces"})
            else:
                md.pop("namespace", None)
            key = (res.plural, ns or "", name)
            if key in self.objects:
                raise ApiError(409, "AlreadyExists", '%s "%s" already exists' % (res.qualified, name),
                               _details(res, name))
            obj["kind"], obj["apiVersion"] = res.kind, res.api_version
            md["uid"] = str(uuid.uuid4())
            md["creationTimestamp"] = now_rfc3339()
            md.pop("deletionTimestamp", None)
            md.pop("managedFields", None)
            if res.has_generation:
                md["generation"] = 1
            else:
                md.pop("generation", None)
            if res.plural == "namespaces":
                md.setdefault("labels", {})
                md["labels"] = dict(md["labels"] or {})
                md["labels"]["kubernetes.io/metadata.name"] = name
                obj.setdefault("spec", {"finalizers": ["kubernetes"]})
                obj["status"] = {"phase": "Active"}
            if res.plural == "jobs" and "status" not in obj:
                obj["status"] = {}
            md["resourceVersion"] = str(self._bump())
            self.objects[key] = obj
            self._record(res, "ADDED", obj, None)
            return copy.deepcopy(obj)

    def get(self, res, ns, name):
        with self.cond:
            obj = self.objects.get((res.plural, ns or "", name))
            if obj is None:
                raise not_found(res, name)
            return copy.deepcopy(obj)

    def update(self, res, ns, name, obj, subresource=None, mutate=None):
        """Replace an object (PUT) or, with mutate, apply fn(current)->new (PATCH), under the lock."""
        if obj is not None:
            md = obj.get("metadata") if isinstance(obj, dict) else None
            if isinstance(md, dict) and md.get("name", name) != name:
                raise bad_request('the name of the object (%s) does not match the name on the URL (%s)'
                                  % (md.get("name"), name))
        with self.cond:
            key = (res.plural, ns or "", name)
            cur = self.objects.get(key)
            if cur is None:
                raise not_found(res, name)
            if mutate is not None:
                obj = mutate(copy.deepcopy(cur))
            if not isinstance(obj, dict):
                raise bad_request("object must be a JSON object")
            md = obj.get("metadata")
            if not isinstance(md, dict):
                md = obj["metadata"] = {}
            if md.get("name", name) != name:
                raise bad_request('the name of the object (%s) does not match the name on the URL (%s)'
                                  % (md.get("name"), name))
            if res.namespaced and md.get("namespace", ns) not in (ns, "", None):
                raise bad_request("the namespace of the provided object does not match the namespace sent on "
                                  "the request")
            rv = md.get("resourceVersion")
            if rv not in (None, "") and str(rv) != cur["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            new = copy.deepcopy(obj)
            nmd = new["metadata"]
            # immutable / server-owned metadata
            for f in ("uid", "creationTimestamp", "name", "namespace", "deletionTimestamp", "generateName"):
                if f in cur["metadata"]:
                    nmd[f] = cur["metadata"][f]
                else:
                    nmd.pop(f, None)
            nmd.pop("managedFields", None)
            new["kind"], new["apiVersion"] = res.kind, res.api_version
            if res.status:
                if subresource == "status":
                    # only status changes through /status
                    keep = copy.deepcopy(cur)
                    keep["status"] = new.get("status", {})
                    new = keep
                    nmd = new["metadata"]
                else:
                    if "status" in cur:
                        new["status"] = copy.deepcopy(cur["status"])
                    else:
                        new.pop("status", None)
            if res.plural == "namespaces":
                nmd["labels"] = dict(nmd.get("labels") or {})
                nmd["labels"]["kubernetes.io/metadata.name"] = name
            if res.has_generation:
                gen = cur["metadata"].get("generation", 1)
                nmd["generation"] = gen + 1 if new.get("spec") != cur.get("spec") else gen
            nmd["resourceVersion"] = cur["metadata"]["resourceVersion"]
            if new == cur:
                return copy.deepcopy(cur)   # no-op updates do not bump the RV (like the real apiserver)
            nmd["resourceVersion"] = str(self._bump())
            self.objects[key] = new
            self._record(res, "MODIFIED", new, cur)
            return copy.deepcopy(new)

    def delete(self, res, ns, name, preconditions=None):
        with self.cond:
            key = (res.plural, ns or "", name)
            cur = self.objects.get(key)
            if cur is None:
                raise not_found(res, name)
            pre = preconditions or {}
            if pre.get("uid") and pre["uid"] != cur["metadata"]["uid"]:
                raise conflict(res, name, "Precondition failed: UID in precondition: %s, UID in object meta: %s"
                               % (pre["uid"], cur["metadata"]["uid"]))
            if pre.get("resourceVersion") and pre["resourceVersion"] != cur["metadata"]["resourceVersion"]:
                raise conflict(res, name, "Precondition failed: ResourceVersion in precondition: %s, "
                                          "ResourceVersion in object meta: %s"
                               % (pre["resourceVersion"], cur["metadata"]["resourceVersion"]))
            if res.plural == "namespaces":
                # cascade: delete every namespaced object in it
                for k in sorted(k for k in self.objects if k[1] == name and k[0] != "namespaces"):
                    o = self.objects.pop(k)
                    r = next(r for r in RESOURCES if r.plural == k[0])
                    gone = copy.deepcopy(o)
                    gone["metadata"]["resourceVersion"] = str(self._bump())
                    self._record(r, "DELETED", gone, o)
            del self.objects[key]
            gone = copy.deepcopy(cur)
            gone["metadata"]["resourceVersion"] = str(self._bump())
            self._record(res, "DELETED", gone, cur)
            return copy.deepcopy(cur)


# ----------------------------------------------------------------------------------------------
# Faults and request log
# ----------------------------------------------------------------------------------------------


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.outage_until = 0.0
        self.outage_mode = "503"
        self.delay_ms = 0
        self.failures = []      # list of dicts {method, path, code, count, reason, message}
        self.requests = []
        self.seq = 0

    def in_outage(self):
        with self.lock:
            return self.outage_mode if time.monotonic() < self.outage_until else None

    def log(self, method, path, query, headers):
        with self.lock:
            self.seq += 1
            self.requests.append({"seq": self.seq, "time": time.time(), "method": method, "path": path,
                                  "query": query, "userAgent": headers.get("User-Agent", ""),
                                  "contentType": headers.get("Content-Type", ""),
                                  "accept": headers.get("Accept", "")})
            if len(self.requests) > 100000:
                del self.requests[:50000]

    def take_failure(self, method, path):
        with self.lock:
            for f in self.failures:
                if f.get("method") and f["method"].upper() != method:
                    continue
                if f.get("path") and f["path"] not in path:
                    continue
                if f["count"] == 0:
                    continue
                if f["count"] > 0:
                    f["count"] -= 1
                return f
        return None


# ----------------------------------------------------------------------------------------------
# Discovery documents
# ----------------------------------------------------------------------------------------------


def _resource_list(group, version):
    res = [r for r in RESOURCES if r.group == group and r.version == version]
    gv = version if group == "" else group + "/" + version
    out = []
    for r in res:
        e = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
             "verbs": VERBS if r.plural != "namespaces" else
             ["create", "delete", "get", "list", "patch", "update", "watch"],
             "storageVersionHash": base64.b64encode(r.plural.encode())[:11].decode()}
        if r.short:
            e["shortNames"] = r.short
        if r.plural == "jobs":
            e["categories"] = ["all"]
        out.append(e)
        if r.status:
            out.append({"name": r.plural + "/status", "singularName": "", "namespaced": r.namespaced,
                        "kind": r.kind, "verbs": ["get", "patch", "update"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}


def _group_list():
    groups = []
    for g, rs in GROUPS.items():
        versions = sorted({r.version for r in rs})
        gvs = [{"groupVersion": g + "/" + v, "version": v} for v in versions]
        groups.append({"name": g, "versions": gvs, "preferredVersion": gvs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def _openapi_v3_root():
    paths = {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=0"}}
    for g, rs in GROUPS.items():
        for v in sorted({r.version for r in rs}):
            paths["apis/%s/%s" % (g, v)] = {"serverRelativeURL": "/openapi/v3/apis/%s/%s?hash=0" % (g, v)}
    return {"paths": paths}


def _openapi_v3_gv(group, version):
    """A minimal OpenAPI v3 document: enough for kubectl to learn that PATCH supports fieldValidation."""
    paths = {}
    schemas = {}
    for r in RESOURCES:
        if r.group != group or r.version != version:
            continue
        gvk = {"group": group, "version": version, "kind": r.kind}
        schema_name = "io.fake.%s.%s.%s" % (group or "core", version, r.kind)
        schemas[schema_name] = {"type": "object", "x-kubernetes-group-version-kind": [gvk],
                                "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                                               "metadata": {"type": "object"}}}
        prefix = "/api/v1" if group == "" else "/apis/%s/%s" % (group, version)
        coll = prefix + ("/namespaces/{namespace}/" if r.namespaced else "/") + r.plural
        params = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                  {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                  {"name": "fieldManager", "in": "query", "schema": {"type": "string"}}]
        op = {"x-kubernetes-group-version-kind": gvk, "parameters": params,
              "responses": {"200": {"description": "OK"}}}
        paths[coll] = {"post": dict(op, **{"x-kubernetes-action": "post"})}
        paths[coll + "/{name}"] = {"put": dict(op, **{"x-kubernetes-action": "put"}),
                                   "patch": dict(op, **{"x-kubernetes-action": "patch"})}
    return {"openapi": "3.0.0", "info": {"title": "fake-apiserver", "version": "v0"}, "paths": paths,
            "components": {"schemas": schemas}}


# ----------------------------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------------------------


class WatchAbort(Exception):
    pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-apiserver/1"

    # silence default logging unless --verbose
    def log_message(self, fmt, *args):
        if self.server.cfg.verbose:
            sys.stderr.write("fake-apiserver: %s %s\n" % (self.address_string(), fmt % args))

    @property
    def store(self):
        return self.server.store

    @property
    def faults(self):
        return self.server.faults

    # --- low-level output ---
    def send_json(self, code, obj, headers=None):
        body = (json.dumps(obj, separators=(",", ":")) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def send_error_status(self, err):
        self.send_json(err.code, err.status(), err.headers)

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def abort_connection(self):
        """Close the socket abruptly (RST), without finishing the HTTP exchange."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def client_gone(self):
        """True when the peer closed its side (peek at the raw TCP socket, TLS or not)."""
        try:
            data = socket.socket.recv(self.connection, 1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True
        return data == b""

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks = []
            while True:
                line = self.rfile.readline()
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(n))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def json_body(self, raw):
        if not raw.strip():
            raise bad_request("the request body is empty")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype == "application/vnd.kubernetes.protobuf":
            try:
                return decode_k8s_protobuf(raw)
            except (ValueError, IndexError, UnicodeDecodeError) as e:
                raise bad_request("cannot decode protobuf body: %s" % e)
        try:
            return json.loads(raw)
        except ValueError:
            if "yaml" in ctype:
                try:
                    docs = load_yaml_all(raw.decode())
                    if len(docs) == 1:
                        return docs[0]
                except (YamlError, UnicodeDecodeError):
                    pass
            raise bad_request("the body of the request was in an unknown format - accepted media types include: "
                              "application/json, application/yaml")

    # --- dispatch ---
    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def dispatch(self):
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        query = parsed.query
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        try:
            raw = self.read_body() if self.command in ("POST", "PUT", "PATCH", "DELETE") else b""
        except (ValueError, OSError):
            self.close_connection = True
            return
        if path.startswith("/_fake/"):
            try:
                self.control(path, params, raw)
            except ApiError as e:
                self.send_error_status(e)
            return
        self.faults.log(self.command, path, query, self.headers)
        mode = self.faults.in_outage()
        if mode == "refuse":
            self.abort_connection()
            return
        if mode == "503":
            self.close_connection = True
            self.send_json(503, status_object(503, "ServiceUnavailable", "the server is currently unable to "
                                                                         "handle the request (fake outage)"),
                           {"Retry-After": "1", "Connection": "close"})
            return
        delay = self.faults.delay_ms
        if delay:
            time.sleep(delay / 1000.0)
        try:
            if path not in ("/version", "/healthz", "/readyz", "/livez"):
                self.authenticate()
            fail = self.faults.take_failure(self.command, path)
            if fail is not None:
                if fail.get("code", 0) == 0:
                    self.abort_connection()
                    return
                raise ApiError(int(fail["code"]), fail.get("reason") or "InternalError",
                               fail.get("message") or "injected failure")
            self.route(path, params, raw)
        except ApiError as e:
            self.send_error_status(e)
        except WatchAbort:
            self.abort_connection()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # pragma: no cover - report, never hang the client
            sys.stderr.write("fake-apiserver: internal error on %s %s: %r\n" % (self.command, self.path, e))
            import traceback
            traceback.print_exc()
            try:
                self.send_json(500, status_object(500, "InternalError", "internal error: %r" % e))
            except OSError:
                pass

    def authenticate(self):
        cfg = self.server.cfg
        if not cfg.token and not cfg.client_ca:
            return
        if cfg.client_ca and isinstance(self.connection, ssl.SSLSocket):
            try:
                if self.connection.getpeercert():
                    return
            except (ValueError, OSError):
                pass
        auth = self.headers.get("Authorization", "")
        if cfg.token and auth == "Bearer " + cfg.token:
            return
        raise ApiError(401, "Unauthorized", "Unauthorized")

    # --- control plane of the fake ---
    def control(self, path, params, raw):
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise bad_request("control body must be JSON")
        f, st = self.faults, self.store
        name = path[len("/_fake/"):].strip("/")
        if name == "health":
            return self.send_json(200, {"ok": True})
        if name == "requests":
            if self.command == "DELETE":
                with f.lock:
                    f.requests = []
                return self.send_json(200, {"ok": True})
            since = int(params.get("since", "0") or 0)
            with f.lock:
                reqs = [r for r in f.requests if r["seq"] > since]
                seq = f.seq
            return self.send_json(200, {"seq": seq, "requests": reqs})
        if self.command != "POST" and name not in ("state",):
            raise ApiError(405, "MethodNotAllowed", "use POST for /_fake/%s" % name)
        if name == "outage":
            secs = float(body.get("seconds", 5))
            mode = body.get("mode", "503")
            if mode not in ("503", "refuse"):
                raise bad_request('mode must be "503" or "refuse"')
            with f.lock:
                f.outage_until = time.monotonic() + secs
                f.outage_mode = mode
            if secs > 0:
                st.drop_watches()
            return self.send_json(200, {"ok": True, "seconds": secs, "mode": mode})
        if name == "expire":
            st.compact()
            with st.cond:
                rv = st.rv
            return self.send_json(200, {"ok": True, "compactedAt": str(rv)})
        if name == "drop-watches":
            st.drop_watches()
            return self.send_json(200, {"ok": True})
        if name == "delay":
            f.delay_ms = int(body.get("ms", 0))
            return self.send_json(200, {"ok": True, "ms": f.delay_ms})
        if name == "bookmarks":
            with st.cond:
                st.bookmark_interval = float(body.get("interval", 1.0))
                st.cond.notify_all()
            return self.send_json(200, {"ok": True, "interval": st.bookmark_interval})
        if name == "fail":
            entry = {"method": body.get("method", ""), "path": body.get("path", ""),
                     "code": int(body.get("code", 500)), "count": int(body.get("count", 1)),
                     "reason": body.get("reason", ""), "message": body.get("message", "")}
            with f.lock:
                if body.get("clear"):
                    f.failures = []
                else:
                    f.failures.append(entry)
            return self.send_json(200, {"ok": True})
        if name == "state":
            with st.cond:
                objs = [copy.deepcopy(o) for o in st.objects.values()]
                rv = st.rv
                ws = st.window_start()
            return self.send_json(200, {"resourceVersion": str(rv), "windowStart": str(ws), "items": objs})
        raise ApiError(404, "NotFound", "unknown control endpoint /_fake/%s" % name)

    # --- routing of the API ---
    def route(self, path, params, raw):
        segs = [s for s in path.split("/") if s]
        m = self.command
        if path == "/version":
            return self.send_json(200, self.server.cfg.version_info)
        if path in ("/healthz", "/readyz", "/livez"):
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:%d" % self.server.server_address[1]}]})
        if path == "/apis":
            return self.send_json(200, _group_list())
        if path == "/api/v1":
            return self.send_json(200, _resource_list("", "v1"))
        if len(segs) == 2 and segs[0] == "apis" and segs[1] in GROUPS:
            g = _group_list()["groups"]
            return self.send_json(200, dict(next(x for x in g if x["name"] == segs[1]), kind="APIGroup",
                                            apiVersion="v1"))
        if len(segs) == 3 and segs[0] == "apis" and any(r.group == segs[1] and r.version == segs[2]
                                                          for r in RESOURCES):
            return self.send_json(200, _resource_list(segs[1], segs[2]))
        if path == "/openapi/v3" and self.server.cfg.openapi:
            return self.send_json(200, _openapi_v3_root())
        if segs[:2] == ["openapi", "v3"] and self.server.cfg.openapi:
            rest = segs[2:]
            if rest == ["api", "v1"]:
                return self.send_json(200, _openapi_v3_gv("", "v1"))
            if len(rest) == 3 and rest[0] == "apis" and rest[1] in GROUPS:
                return self.send_json(200, _openapi_v3_gv(rest[1], rest[2]))
        # resource paths
        if segs and segs[0] == "api" and len(segs) >= 3 and segs[1] == "v1":
            group, version, rest = "", "v1", segs[2:]
        elif segs and segs[0] == "apis" and len(segs) >= 4:
            group, version, rest = segs[1], segs[2], segs[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        ns = None
        if (len(rest) >= 3 and rest[0] == "namespaces" and (group, version, rest[2]) in BY_GV_PLURAL
                and BY_GV_PLURAL[(group, version, rest[2])].namespaced):
            ns = rest[1]
            res = BY_GV_PLURAL[(group, version, rest[2])]
            rest = rest[3:]
        elif rest and (group, version, rest[0]) in BY_GV_PLURAL:
            res = BY_GV_PLURAL[(group, version, rest[0])]
            rest = rest[1:]
            if res.namespaced and rest:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        name = rest[0] if rest else None
        sub = rest[1] if len(rest) > 1 else None
        if len(rest) > 2 or (sub is not None and not (sub == "status" and res.status)):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")

        if name is None:
            if m in ("GET", "HEAD"):
                if params.get("watch") in ("1", "true", "True"):
                    return self.watch(res, ns, params)
                return self.list(res, ns, params)
            if m == "POST":
                if res.namespaced and ns is None:
                    raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the "
                                                            "requested resource")
                obj = self.json_body(raw)
                self.check_kind(res, obj)
                if params.get("dryRun"):
                    return self.send_json(201, self.dry_run_create(res, ns, obj))
                return self.send_json(201, self.store.create(res, ns, obj))
            if m == "DELETE":
                return self.delete_collection(res, ns, params)
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                                                    "resource")
        if m in ("GET", "HEAD"):
            if params.get("watch") in ("1", "true"):
                params = dict(params, fieldSelector="metadata.name=" + name)
                return self.watch(res, ns, params)
            return self.send_json(200, self.store.get(res, ns, name))
        if m == "PUT":
            obj = self.json_body(raw)
            self.check_kind(res, obj)
            if params.get("dryRun"):
                self.store.get(res, ns, name)
                return self.send_json(200, obj)
            return self.send_json(200, self.store.update(res, ns, name, obj, subresource=sub))
        if m == "PATCH":
            return self.patch(res, ns, name, sub, params, raw)
        if m == "DELETE" and sub is None:
            opts = {}
            if raw.strip():
                try:
                    opts = json.loads(raw)
                except ValueError:
                    raise bad_request("invalid DeleteOptions body")
            if params.get("dryRun") or opts.get("dryRun"):
                return self.send_json(200, self.store.get(res, ns, name))
            gone = self.store.delete(res, ns, name, opts.get("preconditions"))
            if res.plural in ("namespaces", "jobs"):
                if res.plural == "namespaces":
                    gone.setdefault("metadata", {})["deletionTimestamp"] = now_rfc3339()
                    gone["status"] = {"phase": "Terminating"}
                return self.send_json(200, gone)
            return self.send_json(200, status_object(200, "", "", {"name": name, "group": res.group,
                                                                    "kind": res.plural,
                                                                    "uid": gone["metadata"]["uid"]},
                                                     success=True))
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def check_kind(self, res, obj):
        if not isinstance(obj, dict):
            raise bad_request("the object must be a JSON object")
        kind, av = obj.get("kind"), obj.get("apiVersion")
        if kind and kind != res.kind or av and av != res.api_version:
            raise bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                              % (av, res.api_version) if av != res.api_version else
                              "the kind in the data (%s) does not match the expected kind (%s)" % (kind, res.kind))

    def dry_run_create(self, res, ns, obj):
        with self.store.cond:
            md = obj.setdefault("metadata", {})
            if md.get("name") and (res.plural, ns or "", md["name"]) in self.store.objects:
                raise ApiError(409, "AlreadyExists", '%s "%s" already exists' % (res.qualified, md["name"]),
                               _details(res, md["name"]))
        obj["kind"], obj["apiVersion"] = res.kind, res.api_version
        if res.namespaced:
            md["namespace"] = ns
        return obj

    def patch(self, res, ns, name, sub, params, raw):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        body = self.json_body(raw)
        if ctype == "application/merge-patch+json":
            fn = lambda cur: merge_patch(cur, body)
        elif ctype == "application/strategic-merge-patch+json":
            fn = lambda cur: strategic_merge_patch(cur, body)
        elif ctype == "application/json-patch+json":
            fn = lambda cur: json_patch(cur, body)
        elif ctype == "application/apply-patch+yaml":
            # server-side apply, approximated as "create if absent, else merge patch"
            if not isinstance(body, dict):
                raise bad_request("apply patch must be an object")
            if not params.get("fieldManager"):
                raise ApiError(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required "
                                               "value: is required for apply patch")
            try:
                cur = self.store.get(res, ns, name)
            except ApiError:
                cur = None
            if cur is None and sub is None:
                self.check_kind(res, body)
                obj = copy.deepcopy(body)
                obj.setdefault("metadata", {})["name"] = name
                if params.get("dryRun"):
                    return self.send_json(201, self.dry_run_create(res, ns, obj))
                return self.send_json(201, self.store.create(res, ns, obj))
            fn = lambda cur: merge_patch(cur, {k: v for k, v in body.items() if k not in ("kind", "apiVersion")})
        else:
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                                        "accepted media types include: application/json-patch+json, "
                                                        "application/merge-patch+json, "
                                                        "application/apply-patch+yaml")

        def mutate(cur):
            cur_rv = cur["metadata"]["resourceVersion"]
            new = fn(cur)
            if not isinstance(new, dict):
                raise bad_request("patch result is not an object")
            nrv = (new.get("metadata") or {}).get("resourceVersion")
            # a patch that names a resourceVersion is a precondition (like the real apiserver)
            if ctype != "application/json-patch+json" and isinstance(body, dict) and \
                    (body.get("metadata") or {}).get("resourceVersion") not in (None, "") and nrv != cur_rv:
                raise conflict(res, name)
            new.setdefault("metadata", {})["resourceVersion"] = nrv if nrv else cur_rv
            return new

        if params.get("dryRun"):
            cur = self.store.get(res, ns, name)
            return self.send_json(200, mutate(cur))
        return self.send_json(200, self.store.update(res, ns, name, None, subresource=sub, mutate=mutate))

    def delete_collection(self, res, ns, params):
        lr = parse_label_selector(params.get("labelSelector", ""))
        fr = parse_field_selector(params.get("fieldSelector", ""))
        if res.namespaced and ns is None:
            raise ApiError(405, "MethodNotAllowed", "deletecollection needs a namespace")
        with self.store.cond:
            victims = self.store.items(res, ns, lr, fr)
        gone = []
        for o in victims:
            try:
                gone.append(self.store.delete(res, ns, o["metadata"]["name"]))
            except ApiError:
                pass
        with self.store.cond:
            rv = self.store.rv
        return self.send_json(200, {"kind": res.kind + "List", "apiVersion": res.api_version,
                                    "metadata": {"resourceVersion": str(rv)}, "items": gone})

    # --- list ---
    def list(self, res, ns, params):
        lr = parse_label_selector(params.get("labelSelector", ""))
        fr = parse_field_selector(params.get("fieldSelector", ""))
        limit = int(params.get("limit") or 0)
        cont = params.get("continue", "")
        rv_param = params.get("resourceVersion", "")
        match = params.get("resourceVersionMatch", "")
        if match and match not in ("Exact", "NotOlderThan"):
            raise bad_request("resourceVersionMatch: Unsupported value: %r" % match)
        if match and rv_param == "":
            raise ApiError(422, "Invalid", "resourceVersionMatch is forbidden unless resourceVersion is provided")
        if cont and rv_param not in ("", "0"):
            raise bad_request("specifying resource version is not allowed when using continue")
        start_after = None
        st = self.store
        with st.cond:
            if cont:
                try:
                    tok = json.loads(base64.urlsafe_b64decode(cont.encode() + b"==="))
                    list_rv, start_after = int(tok["rv"]), tuple(tok["start"])
                except (ValueError, KeyError, TypeError):
                    raise bad_request("continue key is not valid")
                if list_rv < st.window_start():
                    raise ApiError(410, "Expired", "The provided continue parameter is too old to display a "
                                   "consistent list result. You can start a new list without the continue "
                                   "parameter, or use the continue token in this response to retrieve the "
                                   "remainder of the results. Continuing with the provided token results in an "
                                   "inconsistent list - objects that were created, modified, or deleted between the "
                                   "time the first chunk was returned and now may show up in the list.")
                objs = st.snapshot_at(list_rv)
            elif rv_param not in ("", "0"):
                try:
                    want = int(rv_param)
                except ValueError:
                    raise bad_request("invalid resource version %r" % rv_param)
                if want > st.rv:
                    deadline = time.monotonic() + 3
                    while st.rv < want and time.monotonic() < deadline:
                        st.cond.wait(deadline - time.monotonic())
                    if st.rv < want:
                        raise ApiError(504, "Timeout", "Too large resource version: %d, current: %d"
                                       % (want, st.rv), {"causes": [{"reason": "ResourceVersionTooLarge",
                                                                     "message": "Too large resource version"}],
                                                         "retryAfterSeconds": 1})
                if match == "Exact":
                    objs = st.snapshot_at(want)
                    list_rv = want
                else:
                    objs = None
                    list_rv = st.rv
            else:
                objs = None
                list_rv = st.rv
            items = st.items(res, ns, lr, fr, objects=objs)
            items = [copy.deepcopy(o) for o in items]
        if start_after is not None:
            items = [o for o in items if (o["metadata"].get("namespace", ""), o["metadata"]["name"]) > start_after]
        meta = {"resourceVersion": str(list_rv)}
        if limit and len(items) > limit:
            last = items[limit - 1]["metadata"]
            tok = {"rv": list_rv, "start": [last.get("namespace", ""), last["name"]]}
            meta["continue"] = base64.urlsafe_b64encode(json.dumps(tok).encode()).decode().rstrip("=")
            meta["remainingItemCount"] = len(items) - limit
            items = items[:limit]
        self.send_json(200, {"kind": res.kind + "List", "apiVersion": res.api_version, "metadata": meta,
                             "items": items})

    # --- watch ---
    def watch(self, res, ns, params):
        lr = parse_label_selector(params.get("labelSelector", ""))
        fr = parse_field_selector(params.get("fieldSelector", ""))
        rv_param = params.get("resourceVersion", "")
        bookmarks = params.get("allowWatchBookmarks") in ("true", "1", "True")
        send_initial = params.get("sendInitialEvents") in ("true", "1")
        timeout = params.get("timeoutSeconds")
        deadline = time.monotonic() + float(timeout) if timeout else None
        st = self.store

        def visible(o):
            return o is not None and (ns is None or o["metadata"].get("namespace") == ns) and \
                labels_match(lr, o["metadata"].get("labels")) and fields_match(fr, o)

        error = None
        with st.cond:
            epoch = st.watch_epoch
            if rv_param in ("", "0") or send_initial:
                initial = [copy.deepcopy(o) for o in st.items(res, ns, lr, fr)]
                cursor = st.rv
                if send_initial and rv_param not in ("", "0"):
                    try:
                        st.check_fresh(int(rv_param))
                    except ApiError as e:
                        error = e
            else:
                initial = []
                try:
                    cursor = int(rv_param)
                except ValueError:
                    raise bad_request("invalid resource version %r" % rv_param)
                try:
                    st.check_fresh(cursor)
                except ApiError as e:
                    error = e
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()

        def emit(etype, obj):
            self.write_chunk((json.dumps({"type": etype, "object": obj}, separators=(",", ":")) + "\n").encode())

        def bookmark(rv, initial_end=False):
            md = {"resourceVersion": str(rv)}
            if initial_end:
                md["annotations"] = {"k8s.io/initial-events-end": "true"}
            emit("BOOKMARK", {"kind": res.kind, "apiVersion": res.api_version, "metadata": md})

        def finish():
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        if error is not None:
            emit("ERROR", error.status())
            finish()
            return
        for o in initial:
            emit("ADDED", o)
        if send_initial and bookmarks:
            bookmark(cursor, initial_end=True)
        next_bm = time.monotonic() + st.bookmark_interval
        while True:
            with st.cond:
                while True:
                    if st.watch_epoch != epoch:
                        raise WatchAbort()
                    if st.rv > cursor:
                        break
                    now = time.monotonic()
                    if deadline is not None and now >= deadline:
                        break
                    if bookmarks and now >= next_bm:
                        break
                    wait = 0.5
                    if deadline is not None:
                        wait = min(wait, deadline - now)
                    if bookmarks:
                        wait = min(wait, max(0.0, next_bm - now))
                    st.cond.wait(max(0.01, wait))
                    if self.client_gone():
                        raise WatchAbort()
                events = []
                gap = False
                if st.rv > cursor:
                    if st.history and st.history[0].rv > cursor + 1 or not st.history:
                        gap = True     # fell out of the window (history trimmed or compacted)
                    else:
                        events = [e for e in st.history if e.rv > cursor and e.res == res.plural]
                    new_cursor = st.rv
                else:
                    new_cursor = cursor
                interval = st.bookmark_interval
            if gap:
                emit("ERROR", expired("too old resource version: %d (%d)" % (cursor, new_cursor)).status())
                finish()
                return
            for e in events:
                now_vis, was_vis = visible(e.obj), visible(e.prev)
                if e.type == "ADDED" and now_vis:
                    emit("ADDED", e.obj)
                elif e.type == "DELETED" and (now_vis or was_vis):
                    emit("DELETED", e.obj)
                elif e.type == "MODIFIED":
                    if now_vis and was_vis:
                        emit("MODIFIED", e.obj)
                    elif now_vis:
                        emit("ADDED", e.obj)
                    elif was_vis:
                        emit("DELETED", e.obj)
            cursor = new_cursor
            now = time.monotonic()
            if bookmarks and now >= next_bm:
                bookmark(cursor)
                next_bm = now + interval
            if deadline is not None and now >= deadline:
                finish()
                return


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, cfg, store, faults, ssl_ctx=None):
        self.cfg, self.store, self.faults, self.ssl_ctx = cfg, store, faults, ssl_ctx
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ssl_ctx is not None:
            # the handshake happens lazily in the handler thread (do_handshake_on_connect=False)
            sock = self.ssl_ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(10)
                request.do_handshake()
                request.settimeout(None)
            except (ssl.SSLError, OSError) as e:
                if self.cfg.verbose:
                    sys.stderr.write("fake-apiserver: TLS handshake failed from %s: %s\n" % (client_address, e))
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        if self.cfg.verbose:
            super().handle_error(request, client_address)


def _yaml_str(s):
    return json.dumps(s)


def write_kubeconfig(path, cfg, port):
    scheme = "https" if cfg.tls_cert else "http"
    host = cfg.kubeconfig_host or "127.0.0.1"
    lines = ["apiVersion: v1", "kind: Config", "clusters:", "- name: fake", "  cluster:",
             "    server: %s" % _yaml_str("%s://%s:%d" % (scheme, host, port))]
    if cfg.tls_cert:
        ca_file = cfg.tls_ca or cfg.tls_cert
        with open(ca_file, "rb") as fh:
            lines.append("    certificate-authority-data: %s" % _yaml_str(base64.b64encode(fh.read()).decode()))
    lines += ["users:", "- name: fake", "  user:"]
    user = []
    if cfg.token:
        user.append("    token: %s" % _yaml_str(cfg.token))
    if cfg.kubeconfig_client_cert and cfg.kubeconfig_client_key:
        for key, f in (("client-certificate-data", cfg.kubeconfig_client_cert),
                       ("client-key-data", cfg.kubeconfig_client_key)):
            with open(f, "rb") as fh:
                user.append("    %s: %s" % (key, _yaml_str(base64.b64encode(fh.read()).decode())))
    if not user:
        lines[-1] = "  user: {}"
    lines += user
    lines += ["contexts:", "- name: fake", "  context:", "    cluster: fake", "    user: fake",
              "    namespace: default", "current-context: fake", ""]
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("\n".join(lines))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def seed(store, path):
    with open(path) as fh:
        objs = load_objects(fh.read())
    # namespaces first, so namespaced objects find theirs
    objs.sort(key=lambda o: 0 if o.get("kind") == "Namespace" else 1)
    for o in objs:
        res = BY_APIVERSION_KIND.get((o.get("apiVersion"), o.get("kind")))
        if res is None:
            raise SystemExit("fake-apiserver: --seed %s: unsupported object %s %s" % (path, o.get("apiVersion"),
                                                                                     o.get("kind")))
        ns = (o.get("metadata") or {}).get("namespace") or "default" if res.namespaced else None
        status = copy.deepcopy(o.get("status")) if res.status else None
        created = store.create(res, ns, copy.deepcopy(o), check_ns=False)
        if status and res.plural == "jobs":
            store.update(res, ns, created["metadata"]["name"], dict(created, status=status), subresource="status")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--tls-ca", help="CA bundle written to the kubeconfig (default: the server cert itself)")
    ap.add_argument("--client-ca", help="verify client certificates against this CA (they authenticate)")
    ap.add_argument("--token", help="require 'Authorization: Bearer TOKEN' (or a verified client cert)")
    ap.add_argument("--seed", action="append", default=[], help="JSON or YAML file of objects to create at start")
    ap.add_argument("--kubeconfig-out", help="write a kubeconfig pointing at this server")
    ap.add_argument("--kubeconfig-host", help="host name written in the kubeconfig (default 127.0.0.1)")
    ap.add_argument("--kubeconfig-client-cert", help="embed this client cert in the written kubeconfig")
    ap.add_argument("--kubeconfig-client-key", help="embed this client key in the written kubeconfig")
    ap.add_argument("--bookmark-interval", type=float, default=1.0)
    ap.add_argument("--history", type=int, default=10000, help="watch event history length")
    ap.add_argument("--no-default-namespaces", action="store_true",
                    help="do not create the 'default' and 'kube-system' namespaces")
    ap.add_argument("--no-openapi", action="store_true", help="answer 404 on /openapi/v3")
    ap.add_argument("--server-version", default="v1.33.1", help="gitVersion reported by /version")
    ap.add_argument("--max-lifetime", type=float, default=0,
                    help="exit after this many seconds (a guard against orphaned test servers; 0 = never)")
    ap.add_argument("--verbose", action="store_true")
    cfg = ap.parse_args(argv)
    if bool(cfg.tls_cert) != bool(cfg.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if cfg.client_ca and not cfg.tls_cert:
        ap.error("--client-ca needs TLS")
    cfg.openapi = not cfg.no_openapi
    m = re.match(r"^v(\d+)\.(\d+)", cfg.server_version)
    cfg.version_info = {"major": m.group(1) if m else "1", "minor": m.group(2) if m else "33",
                        "gitVersion": cfg.server_version, "gitCommit": "0" * 40, "gitTreeState": "clean",
                        "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.24.0", "compiler": "gc",
                        "platform": "linux/amd64"}

    store = Store(history=cfg.history)
    store.bookmark_interval = cfg.bookmark_interval
    if not cfg.no_default_namespaces:
        for n in ("default", "kube-system"):
            store.create(RESOURCES[0], None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}})
    try:
        for s in cfg.seed:
            seed(store, s)
    except (YamlError, ApiError, OSError, ValueError) as e:
        sys.stderr.write("fake-apiserver: cannot seed: %s\n" % e)
        return 2

    ctx = None
    if cfg.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cfg.tls_cert, cfg.tls_key)
        ctx.set_alpn_protocols(["http/1.1"])
        if cfg.client_ca:
            ctx.load_verify_locations(cfg.client_ca)
            ctx.verify_mode = ssl.CERT_OPTIONAL if cfg.token else ssl.CERT_REQUIRED
    faults = Faults()
    srv = Server((cfg.host, cfg.port), cfg, store, faults, ctx)
    port = srv.server_address[1]
    if cfg.kubeconfig_out:
        write_kubeconfig(cfg.kubeconfig_out, cfg, port)
    if cfg.max_lifetime > 0:
        t = threading.Timer(cfg.max_lifetime, lambda: os._exit(0))
        t.daemon = True
        t.start()
    sys.stdout.write("LISTENING %d\n" % port)
    sys.stdout.flush()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
