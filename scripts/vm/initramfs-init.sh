#!/bin/busybox sh
# /init of the FerroLB test VM's initramfs: load the virtio + 9p modules of the guest kernel, mount the host
# root read-only over virtfs (tag "hostroot"), then switch_root into it and run the guest init named on the
# kernel command line (ferrolb.init=/path/on/host). On any failure: say so on the console and power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
fail() { echo "ferrolb-vm: initramfs: $*"; poweroff -f; sleep 5; }
for m in $(cat /modules/order); do insmod "/modules/$m" || fail "insmod $m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /newroot || fail "mounting the host root failed"
ginit=
for a in $(cat /proc/cmdline); do case $a in ferrolb.init=*) ginit=${a#ferrolb.init=} ;; esac; done
[ -n "$ginit" ] || fail "no ferrolb.init= on the kernel command line"
for d in proc sys dev; do mount --move /$d /newroot/$d || fail "moving /$d into the new root failed"; done
exec switch_root /newroot /bin/sh "$ginit"
