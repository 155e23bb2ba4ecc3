#!/usr/bin/env bash
# `npm test`: every tier, on a fresh machine. Installs or builds what the tiers need first (Debian
# packages, pinned kube-apiserver + etcd, cached under ~/.cache/ferrolb so a second run is fast), then
# lints (a layer violation fails the run), type-checks, and runs the unit tier followed by the
# integration tier in one vitest run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "npm test: THE INTEGRATION TIER NEEDS ROOT (network namespaces, nftables, apt-get); run as root." >&2
  exit 1
fi

echo "== prerequisites"
bash scripts/bgp-daemons.sh
bash scripts/l2-tools.sh
echo "IPVS test VM (qemu, Debian kernel, initramfs): $(bash scripts/vm/prepare.sh | tail -n 1)"
KUBEBUILDER_ASSETS=$(bash scripts/k8s-binaries.sh | tail -n 1)
export KUBEBUILDER_ASSETS
echo "kube-apiserver and etcd: $KUBEBUILDER_ASSETS"
helm=$(bash scripts/helm.sh | tail -n 1)
echo "helm: $helm"
engine=$(bash scripts/image/engine.sh | tr '\n' ' ')
echo "container engine (the image test builds the image with it): $engine"

echo "== lint (layers, pure cores, correctness: eslint.config.js)"
eslint --max-warnings 0 .
echo "== format (prettier --check: npm run format rewrites)"
prettier --check --log-level warn . || { echo "npm test: the files above are not formatted: run npm run format" >&2; exit 1; }

echo "== typecheck"
tsc --noEmit -p .

echo "== tests"
vitest run "$@"
