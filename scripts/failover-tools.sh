#!/usr/bin/env bash
# Installs the failover benchmark's baseline, keepalived (VRRP); its probes (ping, arping) come from
# scripts/l2-tools.sh. keepalived never runs on the host: its unit is disabled and stopped after the install.
set -euo pipefail
source "$(dirname "$0")/lib/debian-tools.sh"

declare -A NEED=([keepalived]=keepalived)
UNITS=(keepalived.service)
PIDFILES=(/run/keepalived.pid)
ensure_tools failover-tools
