#!/usr/bin/env bash
# Builds FerroLB's image (Dockerfile) with podman or docker and prints its size and build time.
#
#   usage: scripts/build-image.sh [--tag NAME] [--base auto|upstream|local] [--no-cache] [--measure]
#     --tag       image name (default localhost/ferrolb:<package.json version>)
#     --base      upstream: the Dockerfile's default NODE_BASE (docker.io/library/node:24-bookworm-slim);
#                 local: made here by scripts/image/local-base.sh (debootstrap + the npm registry's
#                 node-linux-<arch>), cached in ~/.cache/ferrolb/image; auto (default): upstream when the
#                 engine has it or can pull it, else local
#     --no-cache  build every layer again
#     --measure   a cold build (--no-cache), then a warm one after a source change (a file added to src/
#                 for that build: dependency layers cached), the image size,
#                 then the time from container start to /readyz (`npm run bench -- image`; needs the
#                 kube-apiserver/etcd of scripts/k8s-binaries.sh)
#   FERROLB_ENGINE=podman|docker picks the engine (scripts/image/engine.sh).
#
# npm inside the build uses this machine's npm settings (registry, CA file, proxies), handed over as
# build secrets (`npmrc`, `npm_ca`) that no layer keeps; FERROLB_NPMRC=FILE hands over that npmrc
# instead (e.g. one with a registry token). Last line of stdout: the image name.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

usage() { sed -n '2,19s/^# \{0,1\}//p' "$0"; }
tag=localhost/ferrolb:$(node -p "require('./package.json').version")
base=auto no_cache=() measure=0
while (($#)); do
  case $1 in
    --tag) tag=${2:?--tag needs a name}; shift ;;
    --base) base=${2:?--base needs auto, upstream or local}; shift ;;
    --no-cache) no_cache=(--no-cache) ;;
    --measure) measure=1 ;;
    -h|--help) usage; exit 0 ;;
    *) printf 'build-image: unknown argument "%s"\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case $base in auto|upstream|local) ;; *) printf 'build-image: --base %s: expected auto, upstream or local\n' "$base" >&2; exit 2 ;; esac

log() { printf 'build-image: %s\n' "$*" >&2; }
mapfile -t engine_lines < <(bash scripts/image/engine.sh)
((${#engine_lines[@]})) || exit 1
engine=() container_opts=()
for ((i = 0; i < ${#engine_lines[@]}; i++)); do
  [[ ${engine_lines[i]} == -- ]] && { container_opts=("${engine_lines[@]:i+1}"); break; }
  engine+=("${engine_lines[i]}")
done
upstream_base=$(sed -n 's/^ARG NODE_BASE=//p' Dockerfile)

# Build options this machine needs (engine.sh); with podman, RUN steps use the host's network (no CNI
# bridge is set up or needed).
build_opts=("${container_opts[@]}")
[[ ${engine[0]} != podman ]] || build_opts+=(--network=host)

# npm settings → build secrets.
secrets_dir=$(mktemp -d)
trap 'rm -rf "$secrets_dir"' EXIT
npm_get() { local v; v=$(npm config get "$1" 2>/dev/null) || return 0; [[ $v == null || $v == undefined ]] || printf '%s' "$v"; }
{
  for key in registry proxy https-proxy noproxy strict-ssl; do
    v=$(npm_get "$key")
    [[ -z $v ]] || printf '%s=%s\n' "$key" "$v"
  done
} >"$secrets_dir/npmrc"
build_opts+=(--secret "id=npmrc,src=${FERROLB_NPMRC:-$secrets_dir/npmrc}")
cafile=$(npm_get cafile)
if [[ -n $cafile && -f $cafile ]]; then
  printf 'cafile=/run/secrets/npm_ca\n' >>"$secrets_dir/npmrc"
  build_opts+=(--secret "id=npm_ca,src=$cafile")
fi

# The base.
node_base=
if [[ $base != local ]]; then
  if "${engine[@]}" image exists "$upstream_base" 2>/dev/null || "${engine[@]}" image inspect "$upstream_base" >/dev/null 2>&1; then
    node_base=$upstream_base
  elif timeout 120 "${engine[@]}" pull -q "$upstream_base" >/dev/null 2>&1; then
    node_base=$upstream_base
  elif [[ $base == upstream ]]; then
    log "cannot pull $upstream_base (and --base upstream was asked)"; exit 1
  else
    log "cannot pull $upstream_base: making a local base instead"
  fi
fi
if [[ -z $node_base ]]; then
  if ! command -v debootstrap >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing debootstrap (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >&2 \
      || { apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >&2; }
  fi
  node_base=$(bash scripts/image/local-base.sh "${engine[0]}" | tail -n 1)
fi
base_args=()
[[ $node_base == "$upstream_base" ]] || base_args=(--build-arg "NODE_BASE=$node_base")

# build CONTEXT [extra options...] → seconds on stdout
build() {
  local ctx=$1; shift
  local start end
  start=$(date +%s.%N)
  "${engine[@]}" build "${build_opts[@]}" "${base_args[@]}" "$@" -t "$tag" -f "$ctx/Dockerfile" "$ctx" >&2
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}
size_mb() { "${engine[@]}" image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.1f", $1 / 1e6 }'; }

log "${engine[*]} build -t $tag (base $node_base)"
if ((measure)); then
  cold=$(build . --no-cache)
  # Warm: a source change (an untracked file appears in src/, removed again at once), so the source layers
  # are rebuilt and the dependency layers come from the cache. (A copy of the context in another folder
  # would not do: podman 4.3 then misses the cache for every layer.)
  stamp=src/.build-image-measure
  trap 'rm -rf "$secrets_dir" "$stamp"' EXIT
  date +%s.%N >"$stamp"
  warm=$(build .)
  rm -f "$stamp"
  build . >/dev/null   # leave the image built from the real sources (all layers cached)
  printf 'image %s: %s MB; cold build %s s, warm build (source change) %s s; base %s; %s\n' \
    "$tag" "$(size_mb)" "$cold" "$warm" "$node_base" "${engine[*]}"
  FERROLB_IMAGE=$tag node_modules/.bin/node bench/run.ts image
else
  took=$(build . "${no_cache[@]}")
  printf 'image %s: %s MB, built in %s s (base %s, %s)\n' "$tag" "$(size_mb)" "$took" "$node_base" "${engine[*]}"
fi
printf '%s\n' "$tag"
