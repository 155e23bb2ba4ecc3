#!/bin/sh
# PID 1 of the FerroLB test VM, run from the host root (read-only over 9p) after switch_root. Gives the guest
# writable tmpfs, mounts the writable result share (tag "share") at the same
# path as on the host, runs `<share>/cmd.sh` with FERROLB_VM_MODULES naming the extracted kernel tree
# (for `modprobe -d`), writes its output to <share>/out and its exit code to <share>/rc, and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
# /proc, /sys and /dev come mounted from the initramfs.
mkdir -p /dev/pts /dev/shm 2>/dev/null
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs run /run
# The guest's /tmp is its own tmpfs, which covers the host's /tmp: when the checkout itself lives there
# (a CI clone may), it stays reachable at the same path through a bind mount of the host's /tmp.
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p /run/host-tmp && mount --bind /tmp /run/host-tmp
mount -t tmpfs tmp /tmp
case $repo in
  /tmp/*) mkdir -p "$repo" && mount --bind "/run/host-tmp/${repo#/tmp/}" "$repo" ;;
esac
mount -t tmpfs shm /dev/shm 2>/dev/null
share= modules=
for a in $(cat /proc/cmdline); do
  case $a in
    ferrolb.share=*) share=${a#ferrolb.share=} ;;
    ferrolb.modules=*) modules=${a#ferrolb.modules=} ;;
  esac
done
off() { sync; /bin/busybox poweroff -f; sleep 10; }
if [ -z "$share" ]; then echo "ferrolb-vm: no ferrolb.share= on the kernel command line"; off; fi
mkdir -p "$share"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share "$share"; then
  echo "ferrolb-vm: mounting the result share failed"; off
fi
ip link set lo up
# The kernel's own module requests (schedulers, nft chain types, xt matches) go to the extracted tree too.
if [ -n "$modules" ]; then
  printf '#!/bin/sh\nexec %s -d %s "$@"\n' "$(command -v modprobe)" "$modules" >/run/modprobe
  chmod +x /run/modprobe
  echo /run/modprobe >/proc/sys/kernel/modprobe
fi
export FERROLB_VM_MODULES="$modules" FERROLB_VM_SHARE="$share" FERROLB_IN_VM=1
echo "ferrolb-vm: running $share/cmd.sh"
sh "$share/cmd.sh" >"$share/out" 2>&1
echo $? >"$share/rc.tmp" && mv "$share/rc.tmp" "$share/rc"
echo "ferrolb-vm: done, rc=$(cat "$share/rc")"
off
