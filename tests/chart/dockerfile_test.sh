#!/usr/bin/env bash
# Checks the Dockerfile without a docker engine:
#  (a) its build stage runs the same scripts as .ci/run (scripts/deps.sh, scripts/build.sh), and
#      its runtime stage is slim, non-root and starts the binary;
#  (b) every shared library `ldd $SCHEMAGATE_BIN` resolves to belongs to a Debian package that the
#      runtime stage installs or that debian:12-slim already ships, and nothing else is installed.
# Env (set by CTest): SCHEMAGATE_SOURCE_DIR, SCHEMAGATE_BIN. When SCHEMAGATE_BIN is unset, the
# ldd part uses <repo>/build/schemagate if it exists and is skipped (with a message) otherwise;
# when it is set, it must be a working dynamic executable.
# Prints `N passed, M failed` last; exits non-zero on any failure.
set -euo pipefail
root=${SCHEMAGATE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export SCHEMAGATE_SOURCE_DIR="$root"
exec python3 - <<'PY'
import os
import re
import shlex
import subprocess
import sys

ROOT = os.environ["SCHEMAGATE_SOURCE_DIR"]
DOCKERFILE = os.path.join(ROOT, "Dockerfile")
BIN_PATH = "/usr/local/bin/schemagate"
UID = "65532"
# Packages debian:12-slim already has (Priority: required, or needed by its apt and dpkg), which
# a runtime stage need not install. Only C and C++ runtime families belong here.
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
# Sanitizer runtimes appear only in -DSCHEMAGATE_SANITIZE=ON builds, never in the image's.
SANITIZER_PACKAGE = re.compile(r"^lib(asan|ubsan|tsan|lsan)[0-9]*$")

passed = failed = skipped = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s%s" % (name, (": " + detail) if detail else ""))
    return ok


def skip(name, why):
    global skipped
    skipped += 1
    print("SKIP %s: %s" % (name, why))


def logical_lines(text):
    """Dockerfile lines with backslash continuations joined and comments dropped."""
    out, cur = [], ""
    for raw in text.split("\n"):
        if raw.strip().startswith("#") and not cur:
            continue
        if raw.strip().startswith("#"):
            continue  # a comment inside a continued RUN
        if raw.rstrip().endswith("\\"):
            cur += raw.rstrip()[:-1] + " "
            continue
        cur += raw
        if cur.strip():
            out.append(cur.strip())
        cur = ""
    if cur.strip():
        out.append(cur.strip())
    return out


def stages(lines):
    """[(from_line, [instructions])] in order."""
    result = []
    for line in lines:
        word = line.split(None, 1)[0].upper()
        if word == "FROM":
            result.append((line, []))
        elif result:
            result[-1][1].append(line)
    return result


def apt_installs(instructions):
    """Package names passed to apt-get install in RUN instructions."""
    pkgs = []
    for ins in instructions:
        if not ins.upper().startswith("RUN "):
            continue
        for command in re.split(r"&&|;|\|\|", ins[4:]):
            words = shlex.split(command)
            words = [w for w in words if not re.match(r"^[A-Z_]+=", w)]  # VAR=value prefixes
            if len(words) >= 2 and words[0] in ("apt-get", "apt") and "install" in words:
                after = words[words.index("install") + 1:]
                pkgs += [w for w in after if not w.startswith("-")]
    return pkgs


def runs(instructions):
    return [ins[4:].strip() for ins in instructions if ins.upper().startswith("RUN ")]


# -- (a) the Dockerfile -----------------------------------------------------------------------
text = open(DOCKERFILE).read() if os.path.isfile(DOCKERFILE) else ""
check("Dockerfile exists", bool(text))
st = stages(logical_lines(text))
check("Dockerfile is multi-stage", len(st) >= 2, "%d stages" % len(st))
build = next(((f, ins) for f, ins in st if re.match(r"(?i)^FROM\s+debian:12\s+AS\s+build$", f)), None)
runtime = st[-1] if st else ("", [])
runtime_pkgs = []
if check("build stage is FROM debian:12 AS build", build is not None, [f for f, _ in st].__repr__()):
    build_runs = runs(build[1])
    check("build stage runs scripts/deps.sh --build-only",
          any(re.search(r"(^|[\s/])scripts/deps\.sh --build-only$", r) for r in build_runs), repr(build_runs))
    check("build stage runs scripts/build.sh /src/build -DSCHEMAGATE_TESTS=OFF",
          any(re.search(r"(^|[\s/])scripts/build\.sh /src/build -DSCHEMAGATE_TESTS=OFF$", r) for r in build_runs),
          repr(build_runs))
    check("build stage installs no packages of its own (deps.sh is the single source)",
          not apt_installs(build[1]), repr(apt_installs(build[1])))
check("runtime stage is FROM debian:12-slim", re.match(r"(?i)^FROM\s+debian:12-slim(\s|$)", runtime[0]) is not None,
      runtime[0])
rt = runtime[1]
runtime_pkgs = apt_installs(rt)
check("runtime stage installs packages with --no-install-recommends",
      all("--no-install-recommends" in r for r in runs(rt) if "apt-get install" in r) and runtime_pkgs)
check("runtime stage installs no build tooling",
      not [p for p in runtime_pkgs if p.endswith("-dev") or p in ("build-essential", "cmake", "g++", "gcc")],
      repr(runtime_pkgs))
check("runtime stage drops apt lists", any("rm -rf /var/lib/apt/lists" in r for r in runs(rt)))
users = [ins.split(None, 1)[1].strip() for ins in rt if ins.upper().startswith("USER ")]
check("runtime runs as uid 65532 (numeric)", users and users[-1].split(":")[0] == UID, repr(users))
copies = [ins for ins in rt if ins.upper().startswith("COPY ")]
check("runtime copies the binary from the build stage",
      any(re.search(r"--from=build\s+/src/build/schemagate\s+%s$" % re.escape(BIN_PATH), c) for c in copies),
      repr(copies))
entry = [ins for ins in rt if ins.upper().startswith("ENTRYPOINT ")]
check("ENTRYPOINT is the binary (exec form)", entry and entry[-1] == 'ENTRYPOINT ["%s"]' % BIN_PATH, repr(entry))

# .dockerignore: small context, but nothing the build needs left out.
ignore_path = os.path.join(ROOT, ".dockerignore")
ignore = []
if check(".dockerignore exists", os.path.isfile(ignore_path)):
    ignore = [l.strip() for l in open(ignore_path) if l.strip() and not l.strip().startswith("#")]
    for p in (".git", ".tools"):
        check(".dockerignore excludes %s" % p, p in ignore)
    check(".dockerignore excludes build trees", any(re.match(r"^/?build", p) for p in ignore))
    for needed in ("CMakeLists.txt", "scripts", "scripts/deps.sh", "scripts/build.sh", "gates", "server", "k8s"):
        hit = [p for p in ignore if not p.startswith("!") and (p.rstrip("/") == needed or
               needed.startswith(p.rstrip("/") + "/") or p in ("*", "**"))]
        check(".dockerignore keeps %s" % needed, not hit, repr(hit))

# The same scripts in CI: .ci/run belongs to the CI owners; if it is not there yet, say so.
# It may delegate (.ci/run -> scripts/test.sh -> scripts/deps.sh): follow scripts/*.sh it runs.
ci = os.path.join(ROOT, ".ci", "run")


def invoked_scripts(path, seen):
    """scripts/<name>.sh invoked by a shell script, transitively (comments ignored)."""
    if path in seen or not os.path.isfile(path):
        return seen
    seen.add(path)
    code = "\n".join(l.split("#", 1)[0] for l in open(path).read().splitlines())
    for name in re.findall(r"scripts/([A-Za-z0-9_.-]+\.sh)", code):
        invoked_scripts(os.path.join(ROOT, "scripts", name), seen)
    return seen


if os.path.isfile(ci):
    chain = invoked_scripts(ci, set())
    names = {os.path.relpath(p, ROOT) for p in chain}
    check(".ci/run runs scripts/deps.sh", "scripts/deps.sh" in names, "runs %s" % sorted(names))
    check(".ci/run runs scripts/build.sh", "scripts/build.sh" in names, "runs %s" % sorted(names))
else:
    skip(".ci/run uses scripts/deps.sh and scripts/build.sh", ".ci/run does not exist yet")
deps = os.path.join(ROOT, "scripts", "deps.sh")
check("scripts/deps.sh supports --build-only", os.path.isfile(deps) and "--build-only" in open(deps).read())
check("scripts/build.sh exists", os.path.isfile(os.path.join(ROOT, "scripts", "build.sh")))

# -- (b) shared libraries -----------------------------------------------------------------------
bin_env = os.environ.get("SCHEMAGATE_BIN")
binary = bin_env or os.path.join(ROOT, "build", "schemagate")


def dpkg_owner(path):
    """The package owning a library path, trying the merged-/usr spellings dpkg may record."""
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        if p.startswith("/usr/"):
            candidates.append(p[4:])
        else:
            candidates.append("/usr" + p)
    for p in candidates:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            # "libssl3:amd64: /usr/lib/x86_64-linux-gnu/libssl.so.3"; diversions have no colon pkg.
            for line in r.stdout.splitlines():
                if ": " in line and not line.startswith("diversion"):
                    return line.split(": ", 1)[0].split(",")[0].split(":")[0].strip()
    return None


if not bin_env and not os.path.exists(binary):
    skip("runtime libraries match ldd", "SCHEMAGATE_BIN is unset and %s does not exist (build first)" % binary)
elif check("binary %s is executable" % binary, os.path.isfile(binary) and os.access(binary, os.X_OK)):
    r = subprocess.run(["ldd", binary], capture_output=True, text=True)
    out = r.stdout + r.stderr
    if "not a dynamic executable" in out:
        check("static binary needs no runtime libraries", True)
    elif check("ldd %s succeeds" % binary, r.returncode == 0, out.strip()):
        needed = {}  # package -> [sonames]
        for line in r.stdout.splitlines():
            line = line.strip()
            m = re.match(r"^(\S+)\s+=>\s+(\S+)", line)
            if m:
                soname, path = m.group(1), m.group(2)
            elif re.match(r"^/\S+\s+\(0x", line):  # the dynamic loader itself
                soname = path = line.split()[0]
            else:
                continue  # linux-vdso: provided by the kernel
            if not check("%s resolves" % soname, path.startswith("/"), line):
                continue
            check("libpg_query is linked statically, not %s" % soname, not soname.startswith("libpg_query"))
            pkg = dpkg_owner(path)
            if check("%s belongs to a Debian package" % path, pkg is not None):
                needed.setdefault(pkg, []).append(soname)
        for pkg, sonames in sorted(needed.items()):
            print("  %-18s <- %s" % (pkg, ", ".join(sorted(sonames))))
            if SANITIZER_PACKAGE.match(pkg):
                print("  note: %s is a sanitizer runtime; this binary is a -DSCHEMAGATE_SANITIZE=ON build" % pkg)
                continue
            check("runtime stage provides %s (for %s)" % (pkg, ", ".join(sonames)),
                  pkg in runtime_pkgs or pkg in BASE_IMAGE_PACKAGES,
                  "add it to the runtime stage's apt-get install list")
        for pkg in runtime_pkgs:
            check("runtime package %s is needed by the binary" % pkg, pkg in needed,
                  "ldd needs only %s" % sorted(needed))

print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed else 0)
PY
