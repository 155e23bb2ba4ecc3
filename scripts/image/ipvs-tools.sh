#!/usr/bin/env bash
# Copies the tools the speaker's IPVS syncer runs (src/ipvs: `ip`, `ipvsadm`, `ipset`, `iptables`/`ip6tables`
# and their `-restore`/`-save`) into the runtime root filesystem ROOTFS, with the shared libraries they link
# (ldd) and the data they read at run time: iptables' extensions (xtables: the `set`, `mark`, `MARK`,
# `MASQUERADE`… matches and targets src/ipvs/setup.ts's rules use; the whole folder, ~2 MB, so a new rule
# needs no image change) and iproute2's tables in /etc/iproute2. Run in the Dockerfile's build stage, where
# Debian's iproute2, ipvsadm, ipset and iptables packages are installed.
#
# iptables: the nft backend (xtables-nft-multi, Debian's default since buster and what current distributions
# and kube-proxy's images use): its rules are nftables rules, so they sit beside whatever else the node
# runs through nft; the legacy backend (x_tables) is absent from some current kernels. One binary serves
# every name: it picks iptables/ip6tables and -restore/-save by the name it is called by.
#
#   usage: scripts/image/ipvs-tools.sh ROOTFS
set -euo pipefail
root=${1:?usage: scripts/image/ipvs-tools.sh ROOTFS}
die() { printf 'ipvs-tools: error: %s\n' "$*" >&2; exit 1; }

mkdir -p "$root/usr/sbin" "$root/etc"
bins=()
for tool in ip ipvsadm ipset xtables-nft-multi; do
  path=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$tool") || die "$tool is not installed in the build stage"
  cp -L "$path" "$root/usr/sbin/$tool"
  bins+=("$root/usr/sbin/$tool")
done
for name in iptables ip6tables iptables-restore ip6tables-restore iptables-save ip6tables-save; do
  ln -sf xtables-nft-multi "$root/usr/sbin/$name"
done

# xtables' extension folder: where libxtables (found through xtables-nft-multi's ldd) looks for it.
libxtables=$(ldd "$root/usr/sbin/xtables-nft-multi" | awk '$1 ~ /^libxtables\.so/ { print $3 }')
[[ -n $libxtables ]] || die "xtables-nft-multi links no libxtables"
xtdir=$(dirname "$(readlink -f "$libxtables")")/xtables
[[ -d $xtdir ]] || die "no xtables extensions folder at $xtdir"
mkdir -p "$root$xtdir"
cp -a "$xtdir/." "$root$xtdir/"
[[ ! -d /etc/iproute2 ]] || cp -a /etc/iproute2 "$root/etc/"

# The libraries of the tools and of the extensions (only those not already in ROOTFS).
for lib in $(ldd "${bins[@]}" "$xtdir"/*.so | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*[^:]$/ { print $1 }' | sort -u); do
  [[ -e $root$lib ]] || cp -L --parents "$lib" "$root/"
done

# Each tool starts inside ROOTFS (its libraries and loader are there). ipvsadm opens IPVS before it reads
# its arguments, so on a kernel without ip_vs even --version fails (exit 2): only "not runnable" (126/127,
# e.g. a missing library) counts as a failure for it.
runs() { local rc=0; chroot "$root" "$@" >/dev/null 2>&1 || rc=$?; echo "$rc"; }
for t in iptables ip6tables iptables-restore ip6tables-restore iptables-save ip6tables-save; do
  [[ $(runs "/usr/sbin/$t" --version) == 0 ]] || die "$t --version fails in $root"
done
[[ $(runs /usr/sbin/ip -V) == 0 ]] || die "ip -V fails in $root"
[[ $(runs /usr/sbin/ipset -h) == 0 ]] || die "ipset -h fails in $root"  # (`version` asks the kernel: needs NET_ADMIN)
rc=$(runs /usr/sbin/ipvsadm --version)
[[ $rc != 126 && $rc != 127 ]] || die "ipvsadm does not start in $root (exit $rc)"
