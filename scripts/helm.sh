#!/usr/bin/env bash
# Builds (once) a pinned helm from the Go module proxy for the Helm chart's tests (charts/ferrolb).
# Last line of stdout: the helm binary. Cached in $FERROLB_CACHE/helm (default ~/.cache/ferrolb/helm);
# a second run only prints the path. Progress on stderr; the build log next to the binary.
#
#   --check   only locate it, never build (exit 1 saying how to build it)
set -euo pipefail

HELM_VERSION=v3.22.0

cache=${FERROLB_CACHE:-$HOME/.cache/ferrolb}
out=$cache/helm/$HELM_VERSION
log() { printf 'helm: %s\n' "$*" >&2; }
die() { printf 'helm: error: %s\n' "$*" >&2; exit 1; }
ok() { [[ -x $out/helm ]] && "$out/helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; }

if ok; then printf '%s\n' "$out/helm"; exit 0; fi
[[ ${1:-} == --check ]] && die "helm $HELM_VERSION is not built in $out: run scripts/helm.sh (builds it with Go, a few minutes)"
[[ -z ${1:-} ]] || { printf 'usage: %s [--check]\n' "$0" >&2; exit 2; }

command -v go >/dev/null || die "go not found in PATH (needed to build helm $HELM_VERSION from the Go module proxy)"
mkdir -p "$cache/helm"
exec 9>"$cache/helm/.build.lock"
flock 9   # one build at a time; the second finds it built
if ok; then printf '%s\n' "$out/helm"; exit 0; fi

stage=$out.partial
rm -rf "$stage"
mkdir -p "$stage"
log "building helm $HELM_VERSION (once; a few minutes)"
start=$(date +%s)
export GOCACHE=$cache/go-build CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
GOBIN=$stage nice -n 10 go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >"$stage/build.log" 2>&1 \
  || { tail -n 30 "$stage/build.log" >&2; die "go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION failed"; }
rm -rf "$out"
mv "$stage" "$out"
ok || die "the built helm does not report $HELM_VERSION: $("$out/helm" version --short 2>&1)"
log "built in $(( $(date +%s) - start ))s"
printf '%s\n' "$out/helm"
