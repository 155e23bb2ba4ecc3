#!/usr/bin/env bash
# Prints the container engine command FerroLB's scripts and tests use, one argument per line: the
# engine and the global options this machine needs, then a line `--`, then the options every `build` and
# `run` needs here. Installs podman (Debian) when there is no engine.
#
#   FERROLB_ENGINE=podman|docker   choose (default: podman when installed, else a docker with a daemon,
#                                  else podman from Debian, installed here when running as root)
#
# podman 4.3 (Debian bookworm) with crun refuses a hybrid cgroup v1/v2 layout; runc works, so with
# podman on a host whose /sys/fs/cgroup is not pure cgroup v2, runc is the runtime (installed if missing).
# podman asks for open-files and process limits above what it may set on some hosts (here: nofile hard
# 20000, and podman's own nproc limit is 32768 below the shell's 96365), and runc then cannot start a
# container ("error setting rlimit type 7/6"): containers get the hard open-files limit and at most
# 32768 processes.
set -euo pipefail

die() { printf 'engine: error: %s\n' "$*" >&2; exit 1; }
apt_install() {
  [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null \
    || die "$* not installed, and cannot install it here (needs root and apt-get): install $* yourself"
  printf 'engine: installing %s (Debian)\n' "$*" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >&2
}

engine=${FERROLB_ENGINE:-}
if [[ -z $engine ]]; then
  if command -v podman >/dev/null; then engine=podman
  elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then engine=docker
  else apt_install podman runc; engine=podman
  fi
fi
case $engine in
  podman)
    command -v podman >/dev/null || apt_install podman runc
    printf '%s\n' podman
    if [[ $(stat -fc %T /sys/fs/cgroup) != cgroup2fs ]]; then
      command -v runc >/dev/null || apt_install runc
      printf '%s\n' --runtime runc
    fi
    nofile=$(ulimit -Hn)
    [[ $nofile == unlimited ]] && nofile=1048576
    nproc=$(ulimit -Hu)
    [[ $nproc == unlimited || $nproc -gt 32768 ]] && nproc=32768
    printf '%s\n' -- --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc"
    ;;
  docker)
    docker info >/dev/null 2>&1 || die "docker cannot reach its daemon (docker info failed)"
    printf '%s\n' docker --
    ;;
  *) die "FERROLB_ENGINE=$engine: expected podman or docker" ;;
esac
