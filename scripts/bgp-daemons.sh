#!/usr/bin/env bash
# Installs the BGP daemons and tools the interop tests and the BGP benchmark need:
# BIRD 2, FRR, GoBGP (Debian package gobgpd holds daemon and client), ExaBGP, tcpdump, nftables, iproute2.
# Idempotent: when every tool is already present it only checks and exits in well under a second.
# Packages' systemd/sysv units must not start daemons on the host: a policy-rc.d that denies every
# start is in place during the install, and any unit that got enabled is stopped and disabled.
set -euo pipefail

# tool → Debian package
declare -A NEED=(
  [bird]=bird2 [birdc]=bird2
  [/usr/lib/frr/bgpd]=frr [/usr/lib/frr/zebra]=frr [vtysh]=frr
  [gobgpd]=gobgpd [gobgp]=gobgpd
  [exabgp]=exabgp
  [tcpdump]=tcpdump [nft]=nftables [ip]=iproute2
)

have() { if [[ $1 == /* ]]; then [[ -x $1 ]]; else command -v "$1" >/dev/null 2>&1; fi; }

missing_pkgs() {
  local t out=()
  for t in "${!NEED[@]}"; do have "$t" || out+=("${NEED[$t]}"); done
  printf '%s\n' "${out[@]}" | sort -u | grep -v '^$' || true
}

pkgs=$(missing_pkgs)
if [[ -z $pkgs ]]; then
  echo "bgp-daemons: all present (bird2 frr gobgpd exabgp tcpdump nftables iproute2)"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "bgp-daemons: missing packages: $(echo $pkgs) — run this script as root to install them" >&2
  exit 1
fi

# Test workers may call this at the same time on a fresh machine: one installs, the others wait.
exec 9>/var/lock/ferrolb-bgp-daemons.lock
flock -w 900 9 || { echo "bgp-daemons: timed out waiting for another install to finish" >&2; exit 1; }
pkgs=$(missing_pkgs)
if [[ -z $pkgs ]]; then
  echo "bgp-daemons: all present (installed by a concurrent run)"
  exit 0
fi
echo "bgp-daemons: installing: $(echo $pkgs)"
# Keep maintainer scripts from starting daemons on the host.
policy=/usr/sbin/policy-rc.d
restore_policy=
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; restore_policy=1
fi
cleanup() { if [[ -n $restore_policy ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends $pkgs; then
  apt-get update
  apt-get install -y --no-install-recommends $pkgs
fi

# If systemd is running here, make sure none of the package units run or start at boot.
if [[ -d /run/systemd/system ]]; then
  for u in bird.service frr.service gobgpd.service exabgp.service; do
    systemctl disable --now "$u" >/dev/null 2>&1 || true
  done
fi
# Belt and braces for sysv-style starts that slipped through (no systemd): stop host-wide daemons
# the packages may have started, matched by their exact pid files (never by name).
for pidf in /run/bird/bird.pid /run/frr/bgpd.pid /run/frr/zebra.pid /run/frr/watchfrr.pid \
            /run/frr/mgmtd.pid /run/frr/staticd.pid; do
  if [[ -s $pidf ]]; then kill "$(cat "$pidf")" 2>/dev/null || true; fi
done

left=$(missing_pkgs)
if [[ -n $left ]]; then
  echo "bgp-daemons: still missing after install: $(echo $left)" >&2
  for t in "${!NEED[@]}"; do have "$t" || echo "  missing tool: $t (package ${NEED[$t]})" >&2; done
  exit 1
fi
echo "bgp-daemons: installed"
