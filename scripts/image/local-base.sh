#!/usr/bin/env bash
# Makes the image's build base locally, for machines that cannot pull docker.io/library/node (no
# registry access): a Debian root filesystem made by debootstrap from Debian's own packages (with the
# compiler the addon needs), plus Node (binary and headers) from the npm registry's `node-linux-<arch>`
# package at the version package-lock.json pins for `node`, and npm from the registry's `npm` package,
# laid out under /usr/local as in the upstream node image. Imports it into the container engine and prints its
# name (last line of stdout). Cached in $FERROLB_CACHE/image (default ~/.cache/ferrolb/image): the
# rootfs tarball and the Node package are made once; a later run only re-imports when the engine lost
# the image.
#
#   usage: scripts/image/local-base.sh podman|docker
#   FERROLB_DEBIAN_MIRROR  Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   FERROLB_DEBIAN_SUITE   Debian suite (default bookworm, the suite of the upstream node:24-bookworm-slim)
set -euo pipefail
cd "$(dirname "$0")/../.."

engine=${1:?usage: scripts/image/local-base.sh podman|docker}
suite=${FERROLB_DEBIAN_SUITE:-bookworm}
mirror=${FERROLB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${FERROLB_CACHE:-$HOME/.cache/ferrolb}/image
log() { printf 'local-base: %s\n' "$*" >&2; }
die() { printf 'local-base: error: %s\n' "$*" >&2; exit 1; }

node_version=$(node -p "require('./package-lock.json').packages['node_modules/node']?.version ?? ''")
[[ -n $node_version ]] || die "package-lock.json pins no version of the 'node' package"
case $(uname -m) in
  x86_64) node_arch=x64 ;;
  aarch64) node_arch=arm64 ;;
  *) die "no node-linux-* package for $(uname -m)" ;;
esac
# The package list is part of the tag, so changing it makes a new base instead of reusing a stale one.
# iproute2, ipvsadm, ipset and iptables: the tools the speaker's IPVS syncer runs (src/ipvs); the Dockerfile
# copies them into the runtime root filesystem.
packages=python3,make,g++,iproute2,ipvsadm,ipset,iptables
# npm for the build stage's `npm ci` (node-linux-* carries no npm): an npm 11, the line Node 24 ships.
npm_version=11.19.1
stamp="$suite $mirror $packages node-linux-$node_arch@$node_version npm@$npm_version"
# The rootfs and the tag are named by a hash of the stamp too, so two package lists (e.g. two branches) each
# keep their own cached base instead of remaking each other's.
key=$(printf '%s' "$stamp" | sha256sum | cut -c1-8)
tag="localhost/ferrolb-node-base:$node_version-$suite-$key"
mkdir -p "$cache"
exec 9>"$cache/.local-base.lock"
flock 9   # one maker at a time; the second finds it made

if [[ $($engine image inspect --format '{{index .Labels "ferrolb.base"}}' "$tag" 2>/dev/null) == "$stamp" ]]; then
  printf '%s\n' "$tag"
  exit 0
fi

rootfs_tar="$cache/debian-$suite-build-rootfs-$(printf '%s' "$suite $mirror $packages" | sha256sum | cut -c1-8).tar"
if [[ ! -f $rootfs_tar || $(cat "$rootfs_tar.stamp" 2>/dev/null) != "$suite $mirror $packages" ]]; then
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  [[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
  work=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'umount -R "$work/root/proc" "$work/root/sys" 2>/dev/null || true; rm -rf "$work"' EXIT
  log "debootstrap $suite from $mirror with $packages (once; a few minutes)"
  start=$(date +%s)
  debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
  rm -rf "$work/root"/var/cache/apt/archives/*.deb "$work/root"/var/lib/apt/lists/* "$work/root"/var/log/*.log
  tar -C "$work/root" --numeric-owner -cf "$rootfs_tar.partial" .
  mv "$rootfs_tar.partial" "$rootfs_tar"
  printf '%s\n' "$suite $mirror $packages" >"$rootfs_tar.stamp"
  rm -rf "$work"
  trap - EXIT
  log "rootfs made in $(( $(date +%s) - start ))s: $(du -h "$rootfs_tar" | cut -f1)"
fi

# registry_pack NAME VERSION → the package tarball, fetched once with npm into the cache
registry_pack() {
  local tgz="$cache/$1-$2.tgz" tmp
  if [[ ! -f $tgz ]]; then
    log "fetching $1@$2 from the npm registry"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
    mv "$tmp"/*.tgz "$tgz"
    rm -rf "$tmp"
  fi
  printf '%s\n' "$tgz"
}
node_tgz=$(registry_pack "node-linux-$node_arch" "$node_version")
npm_tgz=$(registry_pack npm "$npm_version")

# The base: the rootfs plus node, its headers and npm under /usr/local, where the upstream image has them.
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/usr/local/bin" "$ctx/usr/local/lib/node_modules/npm"
tar -C "$ctx/usr/local" --strip-components=1 -xzf "$node_tgz" package/bin/node package/include
tar -C "$ctx/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$npm_tgz"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr/local/bin/npx"
cat >"$ctx/Containerfile" <<CF
FROM scratch
ADD rootfs.tar /
COPY usr/ /usr/
LABEL ferrolb.base="$stamp"
CMD ["/usr/local/bin/node"]
CF
ln "$rootfs_tar" "$ctx/rootfs.tar" 2>/dev/null || cp "$rootfs_tar" "$ctx/rootfs.tar"
log "importing $tag"
$engine build --network=none -q -t "$tag" -f "$ctx/Containerfile" "$ctx" >/dev/null
printf '%s\n' "$tag"
