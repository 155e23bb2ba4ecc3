#!/usr/bin/env bash
# Installs the BGP daemons and tools the interop tests and the BGP benchmark need:
# BIRD 2, FRR, GoBGP (Debian package gobgpd holds daemon and client), ExaBGP, tcpdump, nftables, iproute2.
# None of them may run on the host: units the packages enable are disabled and stopped, and host-wide
# daemons a sysv start slipped through are stopped by their exact pid files (never by name).
set -euo pipefail
source "$(dirname "$0")/lib/debian-tools.sh"

declare -A NEED=(
  [bird]=bird2 [birdc]=bird2
  [/usr/lib/frr/bgpd]=frr [/usr/lib/frr/zebra]=frr [vtysh]=frr
  [gobgpd]=gobgpd [gobgp]=gobgpd
  [exabgp]=exabgp
  [tcpdump]=tcpdump [nft]=nftables [ip]=iproute2
)
UNITS=(bird.service frr.service gobgpd.service exabgp.service)
PIDFILES=(/run/bird/bird.pid /run/frr/bgpd.pid /run/frr/zebra.pid /run/frr/watchfrr.pid /run/frr/mgmtd.pid
  /run/frr/staticd.pid)
ensure_tools bgp-daemons
