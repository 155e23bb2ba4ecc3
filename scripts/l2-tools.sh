#!/usr/bin/env bash
# Installs the tools the Layer 2 fixture capture, integration tests and benchmark use as real Linux
# neighbours: arping (Debian package arping), ndisc6 (ndisc6), ping (iputils-ping), tcpdump, ip (iproute2).
set -euo pipefail
source "$(dirname "$0")/lib/debian-tools.sh"

declare -A NEED=([arping]=arping [ndisc6]=ndisc6 [ping]=iputils-ping [tcpdump]=tcpdump [ip]=iproute2)
ensure_tools l2-tools
