"""A small YAML reader for what Helm renders, stdlib only.

PyYAML is not guaranteed on the machines the chart tests run on, so this reads the subset of YAML
that `helm template` produces from our templates and from `toYaml`: block mappings and sequences
(including sequences at their parent key's indentation, as toYaml writes them), `- key: value`
compact mappings, plain / single-quoted / double-quoted scalars (also when folded over several
lines), literal and folded block scalars with chomping and indentation indicators, simple flow
collections (`[a, "b"]`, `{k: v}`), comments and `---` document separators.

Anything outside that subset (anchors, aliases, tags, complex keys, directives) raises
YamlError instead of being read wrongly: a test that cannot read the output must fail loudly.

Scalars resolve like Kubernetes' YAML reader (YAML 1.1 as sigs.k8s.io/yaml does): null/~,
true/false, decimal, 0x hex and leading-0 octal integers (so `defaultMode: 0440` is 288), floats.
"""

import json
import re

__all__ = ["YamlError", "load", "load_all"]


class YamlError(ValueError):
    pass


_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_OCT_RE = re.compile(r"^[-+]?0[0-7_]+$")
_OCT12_RE = re.compile(r"^0o[0-7]+$")
_HEX_RE = re.compile(r"^[-+]?0x[0-9a-fA-F_]+$")
_FLOAT_RE = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_BLOCK_RE = re.compile(r"^([|>])([1-9]?)([-+]?)([1-9]?)$")


def _resolve_plain(text):
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT_RE.match(text):
        return int(text.replace("_", ""))
    if _OCT_RE.match(text):
        return int(text.replace("_", ""), 8)
    if _OCT12_RE.match(text):
        return int(text[2:], 8)
    if _HEX_RE.match(text):
        return int(text.replace("_", ""), 16)
    if _FLOAT_RE.match(text) and any(c.isdigit() for c in text):
        return float(text.replace("_", ""))
    if text in (".inf", "+.inf", ".Inf", "+.Inf"):
        return float("inf")
    if text in ("-.inf", "-.Inf"):
        return float("-inf")
    if text in (".nan", ".NaN"):
        return float("nan")
    if text[0] in "&*!%@`":
        raise YamlError("unsupported YAML syntax in scalar: %r" % text)
    return text


_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
            "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
            "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}


def _unquote_double(body):
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(body):
            raise YamlError("dangling backslash in double-quoted scalar")
        e = body[i + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e in "xuU":
            n = {"x": 2, "u": 4, "U": 8}[e]
            out.append(chr(int(body[i + 2:i + 2 + n], 16)))
            i += 2 + n
        else:
            raise YamlError("unknown escape \\%s" % e)
    return "".join(out)


def _fold(lines):
    """Joins the lines of a multi-line flow scalar: a line break is a space, an empty line a newline."""
    out = ""
    pending_newlines = 0
    for n, line in enumerate(lines):
        line = line.strip()
        if n == 0:
            out = line
            continue
        if line == "":
            pending_newlines += 1
            continue
        out += ("\n" * pending_newlines) if pending_newlines else " "
        pending_newlines = 0
        out += line
    return out


def _find_quote_end(text, start, quote):
    """Index of the closing quote of a scalar opened at text[start], or -1."""
    i = start + 1
    while i < len(text):
        c = text[i]
        if quote == "'" and c == "'":
            if i + 1 < len(text) and text[i + 1] == "'":
                i += 2
                continue
            return i
        if quote == '"':
            if c == "\\":
                i += 2
                continue
            if c == '"':
                return i
        i += 1
    return -1


def _strip_comment(text):
    """Drops a trailing ` # comment` from a plain scalar."""
    m = re.search(r"(^|\s)#", text)
    return text[:m.start()].rstrip() if m else text.rstrip()


class _FlowParser:
    """Flow collections: [a, b], {k: v}, nested, with quoted or plain scalars."""

    def __init__(self, text):
        self.s = text
        self.i = 0

    def parse(self):
        v = self.value()
        self.ws()
        if self.i != len(self.s):
            raise YamlError("trailing characters in flow collection: %r" % self.s)
        return v

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in " \t\n":
            self.i += 1

    def value(self):
        self.ws()
        if self.i >= len(self.s):
            raise YamlError("unexpected end of flow collection: %r" % self.s)
        c = self.s[self.i]
        if c == "[":
            self.i += 1
            items = []
            self.ws()
            if self.s[self.i:self.i + 1] == "]":
                self.i += 1
                return items
            while True:
                items.append(self.value())
                self.ws()
                c = self.s[self.i:self.i + 1]
                self.i += 1
                if c == "]":
                    return items
                if c != ",":
                    raise YamlError("expected , or ] in %r" % self.s)
                self.ws()
                if self.s[self.i:self.i + 1] == "]":
                    self.i += 1
                    return items
        if c == "{":
            self.i += 1
            m = {}
            self.ws()
            if self.s[self.i:self.i + 1] == "}":
                self.i += 1
                return m
            while True:
                k = self.scalar(key=True)
                self.ws()
                if self.s[self.i:self.i + 1] != ":":
                    raise YamlError("expected : in flow mapping %r" % self.s)
                self.i += 1
                m[k] = self.value()
                self.ws()
                c = self.s[self.i:self.i + 1]
                self.i += 1
                if c == "}":
                    return m
                if c != ",":
                    raise YamlError("expected , or } in %r" % self.s)
                self.ws()
                if self.s[self.i:self.i + 1] == "}":
                    self.i += 1
                    return m
        return self.scalar()

    def scalar(self, key=False):
        self.ws()
        c = self.s[self.i]
        if c in "'\"":
            end = _find_quote_end(self.s, self.i, c)
            if end < 0:
                raise YamlError("unterminated quoted scalar in %r" % self.s)
            body = self.s[self.i + 1:end]
            self.i = end + 1
            return body.replace("''", "'") if c == "'" else _unquote_double(body)
        start = self.i
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch in ",]}" or (ch == ":" and (self.i + 1 == len(self.s) or self.s[self.i + 1] in " ,]}")):
                break
            self.i += 1
        text = self.s[start:self.i].strip()
        return text if key else _resolve_plain(text)


class _Line:
    __slots__ = ("no", "indent", "text")

    def __init__(self, no, indent, text):
        self.no, self.indent, self.text = no, indent, text


class _BlockParser:
    def __init__(self, raw_lines, first_line_no):
        self.raw = raw_lines
        self.base = first_line_no
        self.pos = 0  # index into raw
        self.override = None  # a virtual line for `- key: value` compact forms

    # -- line access -----------------------------------------------------------------------
    def err(self, msg, line=None):
        no = line.no if line else self.base + self.pos
        return YamlError("line %d: %s" % (no, msg))

    def peek(self):
        if self.override is not None:
            return self.override
        while self.pos < len(self.raw):
            raw = self.raw[self.pos]
            stripped = raw.strip()
            if stripped == "" or stripped.startswith("#"):
                self.pos += 1
                continue
            if "\t" in raw[:len(raw) - len(raw.lstrip())]:
                raise self.err("tab in indentation")
            indent = len(raw) - len(raw.lstrip(" "))
            return _Line(self.base + self.pos, indent, raw.strip(" ").rstrip())
        return None

    def advance(self):
        if self.override is not None:
            self.override = None
        else:
            self.pos += 1

    # -- nodes -----------------------------------------------------------------------------
    def parse_document(self):
        line = self.peek()
        if line is None:
            return None
        value = self.node(line.indent)
        rest = self.peek()
        if rest is not None:
            raise self.err("unexpected content (bad indentation?): %r" % rest.text, rest)
        return value

    def node(self, indent):
        line = self.peek()
        if line.text == "-" or line.text.startswith("- "):
            return self.sequence(line.indent)
        if self.key_split(line.text) is not None:
            return self.mapping(line.indent)
        # A lone scalar document or value.
        self.advance()
        return self.scalar_value(line.text, line, indent - 1)

    def sequence(self, indent):
        items = []
        while True:
            line = self.peek()
            if line is None or line.indent != indent or not (line.text == "-" or line.text.startswith("- ")):
                if line is not None and line.indent > indent:
                    raise self.err("unexpected indentation in sequence", line)
                return items
            rest = line.text[1:]
            self.advance()
            stripped = rest.lstrip(" ")
            if stripped == "" or stripped.startswith("#"):
                nxt = self.peek()
                if nxt is None or nxt.indent <= indent:
                    items.append(None)
                else:
                    items.append(self.node(nxt.indent))
                continue
            col = indent + 1 + (len(rest) - len(stripped))
            if stripped == "-" or stripped.startswith("- ") or self.key_split(stripped) is not None:
                # Compact nested collection: parse it as if it started on its own line at col.
                self.override = _Line(line.no, col, stripped)
                items.append(self.node(col))
            else:
                items.append(self.scalar_value(stripped, line, indent))

    def key_split(self, text):
        """(key, rest) when text is a mapping entry `key: rest` / `key:`, else None."""
        if text[0] in "'\"":
            end = _find_quote_end(text, 0, text[0])
            if end < 0:
                return None
            after = text[end + 1:]
            if after == ":" or after.startswith(": "):
                body = text[1:end]
                key = body.replace("''", "'") if text[0] == "'" else _unquote_double(body)
                return key, after[1:].strip()
            return None
        if text[0] in "[{&*!|>%@`?":
            return None
        m = re.search(r":( |$)", text)
        if not m:
            return None
        key = text[:m.start()]
        if " #" in key:
            return None
        return key, text[m.end():].strip()

    def mapping(self, indent):
        result = {}
        while True:
            line = self.peek()
            if line is None or line.indent < indent:
                return result
            if line.indent > indent:
                raise self.err("unexpected indentation in mapping", line)
            split = self.key_split(line.text)
            if split is None:
                return result if line.text.startswith("- ") else self._bad(line)
            key, rest = split
            if key in result:
                raise self.err("duplicate key %r" % key, line)
            self.advance()
            if rest == "" or rest.startswith("#"):
                nxt = self.peek()
                if nxt is not None and nxt.indent > indent:
                    result[key] = self.node(nxt.indent)
                elif nxt is not None and nxt.indent == indent and (nxt.text == "-" or nxt.text.startswith("- ")):
                    result[key] = self.sequence(indent)
                else:
                    result[key] = None
            else:
                result[key] = self.scalar_value(rest, line, indent)

    def _bad(self, line):
        raise self.err("expected a mapping entry, got %r" % line.text, line)

    def scalar_value(self, text, line, parent_indent):
        """A value written after `key:` or `- `; continuation lines are more indented than the parent."""
        if _BLOCK_RE.match(_strip_comment(text)):
            return self.block_scalar(_strip_comment(text), parent_indent)
        if text[0] in "[{":
            collected = [text]
            while True:
                try:
                    return _FlowParser("\n".join(collected)).parse()
                except (YamlError, IndexError):
                    nxt = self.peek()
                    if nxt is None or nxt.indent <= parent_indent:
                        raise self.err("unterminated flow collection %r" % text, line)
                    collected.append(nxt.text)
                    self.advance()
        if text[0] in "'\"":
            quote = text[0]
            pieces = [text]
            # Quoted scalars may span lines, blank ones included: read raw lines here.
            while _find_quote_end("\n".join(pieces), 0, quote) < 0:
                if self.pos >= len(self.raw):
                    raise self.err("unterminated quoted scalar", line)
                pieces.append(self.raw[self.pos].strip())
                self.pos += 1
            joined = "\n".join(pieces)
            end = _find_quote_end(joined, 0, quote)
            trailing = joined[end + 1:].strip()
            if trailing and not trailing.startswith("#"):
                raise self.err("characters after quoted scalar: %r" % trailing, line)
            body = _fold(joined[1:end].split("\n")) if "\n" in joined else joined[1:end]
            return body.replace("''", "'") if quote == "'" else _unquote_double(body)
        plain = [_strip_comment(text)]
        while True:
            nxt = self.peek()
            if nxt is None or nxt.indent <= parent_indent or self.override is not None:
                break
            plain.append(_strip_comment(nxt.text))
            self.advance()
        if len(plain) > 1:
            return _fold(plain)
        return _resolve_plain(plain[0])

    def block_scalar(self, header, parent_indent):
        m = _BLOCK_RE.match(header)
        style = m.group(1)
        indicator = m.group(2) or m.group(4)
        chomp = m.group(3)
        self.override = None
        lines = []
        while self.pos < len(self.raw):
            raw = self.raw[self.pos]
            if raw.strip() == "":
                lines.append("")
                self.pos += 1
                continue
            ind = len(raw) - len(raw.lstrip(" "))
            if ind <= parent_indent:
                break
            lines.append(raw)
            self.pos += 1
        # Trailing blank lines belong to the scalar only for chomping purposes.
        trailing_blank = False
        while lines and lines[-1] == "":
            lines.pop()
            trailing_blank = True
        if not lines:
            return ""
        if indicator:
            block_indent = parent_indent + int(indicator) if parent_indent >= 0 else int(indicator)
        else:
            block_indent = min(len(l) - len(l.lstrip(" ")) for l in lines if l)
        body = [l[block_indent:] if l else "" for l in lines]
        if style == "|":
            text = "\n".join(body)
        else:
            text = _fold(body) if body else ""
        if chomp == "-":
            return text
        if chomp == "+":
            return text + "\n" + ("\n" if trailing_blank else "")
        return text + "\n"


def load_all(text):
    """Parses a multi-document stream; empty documents (only comments) are dropped."""
    docs = []
    current = []
    start = 1
    lines = text.split("\n")
    for no, raw in enumerate(lines, 1):
        if raw.rstrip() == "---" or raw.startswith("--- "):
            if raw.startswith("--- ") and raw[4:].strip() and not raw[4:].strip().startswith("#"):
                raise YamlError("line %d: content after --- is not supported" % no)
            docs.append((start, current))
            current = []
            start = no + 1
            continue
        if raw.startswith("%"):
            raise YamlError("line %d: directives are not supported" % no)
        if raw.rstrip() == "...":
            continue
        current.append(raw)
    docs.append((start, current))
    out = []
    for start, doc_lines in docs:
        parser = _BlockParser(doc_lines, start)
        value = parser.parse_document()
        if value is not None:
            out.append(value)
    return out


def load(text):
    docs = load_all(text)
    if len(docs) > 1:
        raise YamlError("expected one document, got %d" % len(docs))
    return docs[0] if docs else None


def self_test():
    """Returns a list of (case, problem) for the reader's own fixtures; empty when all pass."""
    cases = [
        ("mapping and nesting", "a: 1\nb:\n  c: x\n  d: 'y'\n", {"a": 1, "b": {"c": "x", "d": "y"}}),
        ("toYaml sequence at key indent", "k:\n- a\n- b\nn: 2\n", {"k": ["a", "b"], "n": 2}),
        ("compact mapping in sequence", "l:\n  - name: x\n    v: [1, \"two\"]\n  - {}\n",
         {"l": [{"name": "x", "v": [1, "two"]}, {}]}),
        ("nested compact sequence", "- - a\n  - b\n- c\n", [["a", "b"], "c"]),
        ("literal block", "d:\n  p.yaml: |\n    a: 1\n    b:\n      - x\n\n  q: 2\n",
         {"d": {"p.yaml": "a: 1\nb:\n  - x\n", "q": 2}}),
        ("strip chomp", "a: |-\n  x\n  y\nb: >\n  f\n  g\n", {"a": "x\ny", "b": "f g\n"}),
        ("scalars", "a: true\nb: null\nc: 0440\nd: \"0440\"\ne: 1.5\nf: ':8443'\ng: x # c\nh: ~\n",
         {"a": True, "b": None, "c": 288, "d": "0440", "e": 1.5, "f": ":8443", "g": "x", "h": None}),
        ("escapes", "a: \"x\\ty\\u00e9\"\nb: 'it''s'\n", {"a": "x\ty\u00e9", "b": "it's"}),
        ("folded plain", "a: one\n  two\nb: 2\n", {"a": "one two", "b": 2}),
        ("comments", "# head\na: 1 # c\n  # indented comment\nb: 'x # not a comment'\n",
         {"a": 1, "b": "x # not a comment"}),
        ("empty flow", "a: []\nb: {}\nc: [x, y]\n", {"a": [], "b": {}, "c": ["x", "y"]}),
    ]
    problems = []
    for name, text, want in cases:
        try:
            got = load(text)
        except YamlError as e:
            problems.append((name, "raised %s" % e))
            continue
        if got != want:
            problems.append((name, "got %s want %s" % (json.dumps(got), json.dumps(want))))
    docs = load_all("---\n# only a comment\n---\na: 1\n---\nb: 2\n")
    if docs != [{"a": 1}, {"b": 2}]:
        problems.append(("documents", "got %r" % docs))
    for bad in ("a: &x 1\nb: *x\n", "a: !!str 1\n", "a:\n  b: 1\n c: 2\n", "a: 1\na: 2\n"):
        try:
            load(bad)
            problems.append(("rejects %r" % bad, "no error"))
        except YamlError:
            pass
    return problems
