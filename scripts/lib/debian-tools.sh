# Sourced by the scripts that install what the tests and benchmarks need from Debian (bgp-daemons.sh,
# l2-tools.sh, failover-tools.sh). The caller declares:
#   NEED      associative array: tool (a command name or an absolute path) → Debian package
#   UNITS     optional array: systemd units the packages may enable, disabled and stopped after the install
#   PIDFILES  optional array: pid files of host-wide daemons the packages may have started (sysv), killed
# and then calls `ensure_tools LABEL`. Idempotent: when every tool is there it only checks (well under a
# second). Test workers may call it at the same time on a fresh machine: one installs, the others wait.
# Maintainer scripts never start daemons on the host: a policy-rc.d denying every start is in place
# during the install.

have_tool() {
  if [[ $1 == /* ]]; then [[ -x $1 ]]; else command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 || -x /usr/bin/$1 ]]; fi
}

missing_pkgs() {
  local t out=()
  for t in "${!NEED[@]}"; do have_tool "$t" || out+=("${NEED[$t]}"); done
  printf '%s\n' "${out[@]}" | sort -u | grep -v '^$' || true
}

ensure_tools() {
  local label=$1 pkgs all
  all=$(printf '%s\n' "${NEED[@]}" | sort -u | tr '\n' ' ')
  pkgs=$(missing_pkgs)
  if [[ -z $pkgs ]]; then echo "$label: all present (${all% })"; return 0; fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "$label: missing packages: $(echo $pkgs) — run this script as root to install them" >&2
    return 1
  fi
  exec 9>"/var/lock/ferrolb-$label.lock"
  flock -w 900 9 || { echo "$label: timed out waiting for another install to finish" >&2; return 1; }
  pkgs=$(missing_pkgs)
  if [[ -z $pkgs ]]; then echo "$label: all present (installed by a concurrent run)"; return 0; fi
  echo "$label: installing: $(echo $pkgs)"
  local policy=/usr/sbin/policy-rc.d restore_policy=
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; restore_policy=1; fi
  export DEBIAN_FRONTEND=noninteractive
  local ok=1
  if ! apt-get install -y --no-install-recommends $pkgs; then
    apt-get update && apt-get install -y --no-install-recommends $pkgs || ok=
  fi
  if [[ -n $restore_policy ]]; then rm -f "$policy"; fi
  local u f
  if [[ -d /run/systemd/system ]]; then
    for u in ${UNITS[@]+"${UNITS[@]}"}; do systemctl disable --now "$u" >/dev/null 2>&1 || true; done
  fi
  for f in ${PIDFILES[@]+"${PIDFILES[@]}"}; do
    if [[ -s $f ]]; then kill "$(cat "$f")" 2>/dev/null || true; fi
  done
  local left
  left=$(missing_pkgs)
  if [[ -z $ok || -n $left ]]; then
    echo "$label: still missing after install: $(echo $left)" >&2
    for t in "${!NEED[@]}"; do have_tool "$t" || echo "  missing tool: $t (package ${NEED[$t]})" >&2; done
    return 1
  fi
  echo "$label: installed"
}
