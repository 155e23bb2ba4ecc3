#!/usr/bin/env bash
# Installs the tools the Layer 2 fixture capture, integration tests and benchmark use as real Linux
# neighbours: arping (Debian package arping), ndisc6 (ndisc6), ping (iputils-ping), tcpdump, ip (iproute2).
# Idempotent: when every tool is already present it only checks and exits in well under a second.
set -euo pipefail

# tool → Debian package
declare -A NEED=(
  [arping]=arping [ndisc6]=ndisc6 [ping]=iputils-ping [tcpdump]=tcpdump [ip]=iproute2
)

have() { command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 || -x /usr/bin/$1 ]]; }

missing_pkgs() {
  local t out=()
  for t in "${!NEED[@]}"; do have "$t" || out+=("${NEED[$t]}"); done
  printf '%s\n' "${out[@]}" | sort -u | grep -v '^$' || true
}

pkgs=$(missing_pkgs)
if [[ -z $pkgs ]]; then
  echo "l2-tools: all present (arping ndisc6 iputils-ping tcpdump iproute2)"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "l2-tools: missing packages: $(echo $pkgs) — run this script as root to install them" >&2
  exit 1
fi
# Test workers may call this at the same time on a fresh machine: one installs, the others wait.
exec 9>/var/lock/ferrolb-l2-tools.lock
flock -w 900 9 || { echo "l2-tools: timed out waiting for another install to finish" >&2; exit 1; }
pkgs=$(missing_pkgs)
if [[ -z $pkgs ]]; then
  echo "l2-tools: all present (installed by a concurrent run)"
  exit 0
fi
echo "l2-tools: installing: $(echo $pkgs)"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends $pkgs; then
  apt-get update
  apt-get install -y --no-install-recommends $pkgs
fi
left=$(missing_pkgs)
if [[ -n $left ]]; then
  echo "l2-tools: still missing after install: $(echo $left)" >&2
  exit 1
fi
echo "l2-tools: installed"
