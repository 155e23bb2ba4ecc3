#!/usr/bin/env bash
# Build (once) the membership benchmark's baseline: scripts/memberlist-baseline (hashicorp/memberlist
# v0.5.1, the version MetalLB pins) from the Go module proxy into the cache, like k8s-binaries.sh.
#
# Last line of stdout: the path of the built binary.
#   FERROLB_CACHE  cache root (default ~/.cache/ferrolb)
# Idempotent: rebuilt only when main.go, go.mod or go.sum change (their hash is in the binary's name).
set -euo pipefail
SRC=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/memberlist-baseline" && pwd)
CACHE_ROOT=${FERROLB_CACHE:-${HOME}/.cache/ferrolb}
HASH=$(cat "${SRC}/main.go" "${SRC}/go.mod" "${SRC}/go.sum" | sha256sum | cut -c1-12)
OUT="${CACHE_ROOT}/memberlist-baseline/memberlist-baseline-${HASH}"
if [[ -x "${OUT}" ]]; then
  printf '%s\n' "${OUT}"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "memberlist-baseline: go not found in PATH (needed to build the baseline)" >&2; exit 1; }
mkdir -p "$(dirname "${OUT}")"
echo "memberlist-baseline: building ${OUT} (hashicorp/memberlist v0.5.1 from the Go module proxy)" >&2
(cd "${SRC}" && go build -trimpath -o "${OUT}.tmp" .)
mv "${OUT}.tmp" "${OUT}"
printf '%s\n' "${OUT}"
