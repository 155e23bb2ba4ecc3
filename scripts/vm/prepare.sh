#!/usr/bin/env bash
# Prepares everything the IPVS VM tier needs, cached under ~/.cache/ferrolb/vm so a second run is fast:
#  - Debian packages: qemu-system-x86 (TCG; nested KVM does not work here), busybox-static (the initramfs),
#    ipvsadm, ipset, nftables, iptables (xt_set rules over the ipsets), kmod (modprobe -d inside the guest), cpio (the initramfs archive), iproute2;
#  - Debian's linux-image-amd64 kernel (IPVS is a module there; this machine's kernel has none), fetched
#    with `apt-get download` and extracted with dpkg-deb -x, with depmod run over the extracted tree;
#  - a busybox initramfs that loads the virtio and 9p modules of exactly that kernel and hands over to
#    scripts/vm/guest-init.sh on the host root (mounted read-only over virtfs).
# Prints the cache folder (holding `kernel`, `vmlinuz`, `initrd.img`, `modules-root`) on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${FERROLB_CACHE:-$HOME/.cache/ferrolb}/vm
mkdir -p "$cache"

declare -A NEED=(
  [qemu-system-x86_64]=qemu-system-x86 [/bin/busybox]=busybox-static [ipvsadm]=ipvsadm [ipset]=ipset
  [nft]=nftables [iptables]=iptables [ip6tables]=iptables [depmod]=kmod [modprobe]=kmod [cpio]=cpio [ip]=iproute2
)
have() { if [[ $1 == /* ]]; then [[ -x $1 ]]; else command -v "$1" >/dev/null 2>&1; fi; }
missing_pkgs() {
  local t out=()
  for t in "${!NEED[@]}"; do have "$t" || out+=("${NEED[$t]}"); done
  printf '%s\n' "${out[@]}" | sort -u | grep -v '^$' || true
}

exec 9>/var/lock/ferrolb-vm-prepare.lock
flock -w 1200 9 || { echo "vm-prepare: timed out waiting for another run to finish" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
pkgs=$(missing_pkgs)
if [[ -n $pkgs ]]; then
  echo "vm-prepare: installing: $(echo $pkgs)" >&2
  if ! apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $pkgs >&2; then
    apt-get -o DPkg::Lock::Timeout=900 update >&2
    apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $pkgs >&2
  fi
  left=$(missing_pkgs)
  if [[ -n $left ]]; then echo "vm-prepare: still missing after install: $(echo $left)" >&2; exit 1; fi
fi

# The kernel: linux-image-amd64 is a metapackage; its Depends names the real image (linux-image-<ver>-amd64).
if [[ ! -s $cache/kernel ]]; then
  meta_dep() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1; }
  pkg=$(meta_dep)
  if [[ -z $pkg ]]; then apt-get -o DPkg::Lock::Timeout=900 update >&2; pkg=$(meta_dep); fi
  [[ -n $pkg ]] || { echo "vm-prepare: cannot resolve linux-image-amd64 to a kernel package" >&2; exit 1; }
  dl=$(mktemp -d "$cache/dl.XXXXXX")
  (cd "$dl" && apt-get download "$pkg" >&2) || { apt-get -o DPkg::Lock::Timeout=900 update >&2; (cd "$dl" && apt-get download "$pkg" >&2); }
  rm -rf "$cache/modules-root"
  dpkg-deb -x "$dl"/*.deb "$cache/modules-root"
  rm -rf "$dl"
  ver=$(ls "$cache/modules-root/lib/modules" | head -n1)
  [[ -n $ver && -f $cache/modules-root/boot/vmlinuz-$ver ]] || { echo "vm-prepare: no vmlinuz in $pkg" >&2; exit 1; }
  depmod -b "$cache/modules-root" "$ver"
  cp "$cache/modules-root/boot/vmlinuz-$ver" "$cache/vmlinuz"
  echo "$ver" >"$cache/kernel"
  rm -f "$cache/initrd.img"
fi
ver=$(cat "$cache/kernel")

# The initramfs: busybox, the virtio/9p modules with their dependencies (in load order), and /init.
stamp=$(sha256sum "$here/initramfs-init.sh" /bin/busybox | sha256sum | cut -c1-16)
if [[ ! -s $cache/initrd.img || $(cat "$cache/initrd.stamp" 2>/dev/null) != "$stamp" ]]; then
  work=$(mktemp -d "$cache/initrd.XXXXXX")
  mkdir -p "$work"/{bin,dev,proc,sys,newroot,modules}
  cp /bin/busybox "$work/bin/busybox"
  : >"$work/modules/order"
  for m in virtio_pci virtio_console 9pnet_virtio 9p; do
    modprobe -d "$cache/modules-root" -S "$ver" --show-depends "$m" | while read -r kind path _; do
      [[ $kind == insmod ]] || continue
      base=$(basename "$path")
      grep -qx "$base" "$work/modules/order" && continue
      case $path in
        *.ko.xz) xz -dc "$path" >"$work/modules/${base%.xz}"; base=${base%.xz} ;;
        *.ko.zst) zstd -qdc "$path" >"$work/modules/${base%.zst}"; base=${base%.zst} ;;
        *) cp "$path" "$work/modules/$base" ;;
      esac
      grep -qx "$base" "$work/modules/order" || echo "$base" >>"$work/modules/order"
    done
  done
  cp "$here/initramfs-init.sh" "$work/init"
  chmod +x "$work/init"
  (cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$cache/initrd.img.tmp"
  mv "$cache/initrd.img.tmp" "$cache/initrd.img"
  echo "$stamp" >"$cache/initrd.stamp"
  rm -rf "$work"
fi
echo "vm-prepare: kernel $ver, initramfs modules: $(gzip -dc "$cache/initrd.img" | cpio -t --quiet 2>/dev/null | grep -c '\.ko$')" >&2
echo "$cache"
