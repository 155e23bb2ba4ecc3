#!/usr/bin/env bash
# Installs the failover benchmark's baseline, keepalived (VRRP); its probes (ping, arping) come from
# scripts/l2-tools.sh. Idempotent and fast when present; never starts a daemon on the host (policy-rc.d
# denies starts during the install; an enabled unit is stopped and disabled).
set -euo pipefail

declare -A NEED=([keepalived]=keepalived)
have() { command -v "$1" >/dev/null 2>&1; }
missing_pkgs() {
  local t out=()
  for t in "${!NEED[@]}"; do have "$t" || out+=("${NEED[$t]}"); done
  printf '%s\n' "${out[@]}" | sort -u | grep -v '^$' || true
}

pkgs=$(missing_pkgs)
if [[ -z $pkgs ]]; then echo "failover-tools: keepalived present"; exit 0; fi
if [[ $(id -u) -ne 0 ]]; then echo "failover-tools: missing: $(echo $pkgs) — run as root to install" >&2; exit 1; fi

exec 9>/var/lock/ferrolb-failover-tools.lock
flock -w 900 9 || { echo "failover-tools: timed out waiting for another install" >&2; exit 1; }
pkgs=$(missing_pkgs)
if [[ -z $pkgs ]]; then echo "failover-tools: all present (installed by a concurrent run)"; exit 0; fi
echo "failover-tools: installing: $(echo $pkgs)"
policy=/usr/sbin/policy-rc.d
restore_policy=
if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; restore_policy=1; fi
cleanup() { if [[ -n $restore_policy ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends $pkgs; then apt-get update; apt-get install -y --no-install-recommends $pkgs; fi
if [[ -d /run/systemd/system ]]; then systemctl disable --now keepalived.service >/dev/null 2>&1 || true; fi
if [[ -s /run/keepalived.pid ]]; then kill "$(cat /run/keepalived.pid)" 2>/dev/null || true; fi
left=$(missing_pkgs)
if [[ -n $left ]]; then echo "failover-tools: still missing after install: $(echo $left)" >&2; exit 1; fi
echo "failover-tools: installed"
