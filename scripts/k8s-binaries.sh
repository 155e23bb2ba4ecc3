#!/usr/bin/env bash
# Build (once) pinned kube-apiserver + etcd (for the lab and the integration tests) and kubectl of the same
# release with the same Go build (so the lab's printed commands work on a machine without kubectl).
#
# Last line of stdout: the folder holding `kube-apiserver`, `etcd` and `kubectl`.
# Progress goes to stderr: each step ([n/N] what) and, every FERROLB_PROGRESS_SECONDS (default 30) while a
# build runs, the elapsed time and the number of Go packages compiled so far. The Go build output goes to
# <cache>/k8s/build-<stamp>.log. The first build takes 10-15 minutes on 2 cores (most of it kube-apiserver);
# later runs print the folder at once.
#
#   --check             only locate kube-apiserver and etcd, never build (exit 1 with the reason if they are
#                       missing); the lab uses this so a test never starts a long build
#   KUBEBUILDER_ASSETS  if set and it holds both binaries, it is used as is (envtest convention)
#   FERROLB_CACHE       cache root (default ~/.cache/ferrolb)
#
# Idempotent: when the cache folder holds both binaries and a matching VERSION stamp it only prints
# the folder. Exits non-zero with a message naming exactly what is missing otherwise.
set -euo pipefail

# Pinned versions. etcd matches the etcd client that k8s.io/kubernetes ${K8S_VERSION} requires
# (go.etcd.io/etcd/client/v3 v3.6.8 in its go.mod); Debian bookworm only has etcd 3.4.23.
K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.8

CHECK_ONLY=0
case "${1:-}" in
  '') ;;
  --check) CHECK_ONLY=1 ;;
  *) printf 'usage: %s [--check]\n' "$0" >&2; exit 2 ;;
esac

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
CACHE_ROOT=${FERROLB_CACHE:-${HOME}/.cache/ferrolb}
STAMP="kube-apiserver ${K8S_VERSION} etcd ${ETCD_VERSION}"
OUT="${CACHE_ROOT}/k8s/${K8S_VERSION}-etcd-${ETCD_VERSION}"

log() { printf 'k8s-binaries: %s\n' "$*" >&2; }
die() { printf 'k8s-binaries: error: %s\n' "$*" >&2; exit 1; }

has_both() { [[ -x "$1/kube-apiserver" && -x "$1/etcd" ]]; }
stamped() { has_both "$1" && [[ -f "$1/VERSION" ]] && [[ "$(head -n1 "$1/VERSION")" == "${STAMP}" ]]; }

# 1. envtest convention.
if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if has_both "${KUBEBUILDER_ASSETS}"; then
    log "using KUBEBUILDER_ASSETS=${KUBEBUILDER_ASSETS}"
    printf '%s\n' "${KUBEBUILDER_ASSETS}"
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=${KUBEBUILDER_ASSETS} does not hold executable kube-apiserver and etcd; using the cache instead"
fi

# 2. Cached build (kubectl too, unless only checking).
if stamped "${OUT}" && { (( CHECK_ONLY )) || [[ -x "${OUT}/kubectl" ]]; }; then
  printf '%s\n' "${OUT}"
  exit 0
fi

if (( CHECK_ONLY )); then
  die "kube-apiserver ${K8S_VERSION} and etcd ${ETCD_VERSION} are not built: ${OUT} lacks them or their VERSION stamp, and KUBEBUILDER_ASSETS does not name a folder holding both. Run scripts/k8s-binaries.sh first (builds them with Go into the cache; a few minutes to an hour the first time, depending on the machine)."

fi

# 3. Build. Check the tools first so a machine that cannot build says why.
command -v go >/dev/null 2>&1 || die "go not found in PATH (need Go >= 1.26 to build kube-apiserver ${K8S_VERSION}; install Go or set KUBEBUILDER_ASSETS to a folder holding kube-apiserver and etcd)"
go_ver=$(go env GOVERSION 2>/dev/null || true)
[[ "${go_ver}" =~ ^go([0-9]+)\.([0-9]+) ]] || die "cannot read the Go version from 'go env GOVERSION' (got '${go_ver}')"
if (( BASH_REMATCH[1] < 1 || (BASH_REMATCH[1] == 1 && BASH_REMATCH[2] < 26) )); then
  die "${go_ver} is too old: k8s.io/kubernetes ${K8S_VERSION} needs Go >= 1.26 (or set KUBEBUILDER_ASSETS)"
fi

mkdir -p "${CACHE_ROOT}/k8s"
# One build at a time per cache (parallel CI jobs, two test runs): the second waits, then finds it built.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${CACHE_ROOT}/k8s/.build.lock"
  flock 9
  if stamped "${OUT}" && [[ -x "${OUT}/kubectl" ]]; then
    printf '%s\n' "${OUT}"
    exit 0
  fi
fi
BUILD_LOG="${CACHE_ROOT}/k8s/build-${K8S_VERSION}-etcd-${ETCD_VERSION}.log"
export GOCACHE="${CACHE_ROOT}/go-build"
export GOFLAGS=-mod=mod
export CGO_ENABLED=0
export GOTOOLCHAIN=local
# Downloaded modules stay in the user's normal GOMODCACHE (shared with other Go builds).

fail_build() {
  log "build failed: $1"
  log "last lines of ${BUILD_LOG}:"
  tail -n 30 "${BUILD_LOG}" >&2 || true
  exit 1
}

WORK="${CACHE_ROOT}/k8s/work-${K8S_VERSION}-etcd-${ETCD_VERSION}"
start_s=$(date +%s)
PROGRESS_SECONDS=${FERROLB_PROGRESS_SECONDS:-30}
STEP=0
STEPS=3

mmss() { printf '%dm%02ds' $(( $1 / 60 )) $(( $1 % 60 )); }

# run_step "what" cmd...: runs a build step with its output in the log; says "[n/N] what" when it starts
# and, every PROGRESS_SECONDS while it runs, the elapsed time and how many Go packages it compiled (-v).
run_step() {
  local what=$1
  shift
  STEP=$(( STEP + 1 ))
  local t0 lines0 pid next now
  t0=$(date +%s)
  lines0=$(wc -l <"${BUILD_LOG}")
  log "[${STEP}/${STEPS}] ${what} ($(mmss $(( t0 - start_s ))) elapsed)"
  "$@" >>"${BUILD_LOG}" 2>&1 &
  pid=$!
  next=$(( t0 + PROGRESS_SECONDS ))
  while kill -0 "${pid}" 2>/dev/null; do
    sleep 1
    now=$(date +%s)
    if (( now >= next )) && kill -0 "${pid}" 2>/dev/null; then
      log "[${STEP}/${STEPS}] ${what}: $(mmss $(( now - t0 ))) in this step, $(mmss $(( now - start_s ))) in all, $(( $(wc -l <"${BUILD_LOG}") - lines0 )) packages compiled"
      next=$(( now + PROGRESS_SECONDS ))
    fi
  done
  wait "${pid}"
}

# The scratch module requiring k8s.io/kubernetes, staging modules replaced by releases (kube-apiserver
# and kubectl are built from it).
k8s_module() {
  log "resolving k8s.io/kubernetes@${K8S_VERSION} (log: ${BUILD_LOG})"
  mkdir -p "${WORK}/kube-apiserver"
  k8s_gomod=$( (cd "${WORK}/kube-apiserver" && GOFLAGS= go mod download -json "k8s.io/kubernetes@${K8S_VERSION}") 2>>"${BUILD_LOG}" \
    | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p') || true
  [[ -n "${k8s_gomod}" && -f "${k8s_gomod}" ]] || fail_build "could not download k8s.io/kubernetes@${K8S_VERSION} from the Go module proxy ($(go env GOPROXY))"
  "${SCRIPT_DIR}/k8s/scratch-gomod.sh" "${K8S_VERSION}" "${k8s_gomod}" >"${WORK}/kube-apiserver/go.mod" \
    || fail_build "could not derive the scratch go.mod from ${k8s_gomod}"
  log "scratch go.mod replaces $(grep -c ' => ' "${WORK}/kube-apiserver/go.mod") staging modules with v0.${K8S_VERSION#v1.} releases"
}

minor_patch=${K8S_VERSION#v1.}
ldflags="-s -w"
for kv in "gitVersion=${K8S_VERSION}" "gitMajor=1" "gitMinor=${minor_patch%%.*}" "gitTreeState=clean"; do
  ldflags+=" -X k8s.io/component-base/version.${kv} -X k8s.io/client-go/pkg/version.${kv}"
done

build_k8s_cmd() { # <cmd> <output>
  (cd "${WORK}/kube-apiserver" && nice -n 10 go build -v -trimpath -ldflags="${ldflags}" -o "$2" "k8s.io/kubernetes/cmd/$1")
}

# A cache from before kubectl was added keeps its kube-apiserver and etcd and only gains kubectl.
if stamped "${OUT}"; then
  : >>"${BUILD_LOG}"
  STEPS=1
  [[ -f "${WORK}/kube-apiserver/go.mod" ]] || k8s_module
  log "kube-apiserver and etcd are built; building kubectl ${K8S_VERSION} once (a few minutes; log: ${BUILD_LOG})"
  rm -f "${OUT}/kubectl.partial"
  run_step "building kubectl ${K8S_VERSION}" build_k8s_cmd kubectl "${OUT}/kubectl.partial" \
    || fail_build "go build k8s.io/kubernetes/cmd/kubectl@${K8S_VERSION}"
  "${OUT}/kubectl.partial" version --client >>"${BUILD_LOG}" 2>&1 || fail_build "built kubectl does not run"
  mv "${OUT}/kubectl.partial" "${OUT}/kubectl"
  log "kubectl built in $(mmss $(( $(date +%s) - start_s ))): ${OUT}/kubectl"
  printf '%s\n' "${OUT}"
  exit 0
fi

: >"${BUILD_LOG}"
STAGE="${OUT}.partial"
rm -rf "${STAGE}"
mkdir -p "${WORK}/kube-apiserver" "${WORK}/etcd" "${STAGE}"
log "building kube-apiserver, kubectl and etcd once: 10-15 minutes on 2 cores (log: ${BUILD_LOG})"
k8s_module
run_step "building kube-apiserver ${K8S_VERSION} (the long one)" build_k8s_cmd kube-apiserver "${STAGE}/kube-apiserver" \
  || fail_build "go build k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}"
run_step "building kubectl ${K8S_VERSION}" build_k8s_cmd kubectl "${STAGE}/kubectl" \
  || fail_build "go build k8s.io/kubernetes/cmd/kubectl@${K8S_VERSION}"

# etcd: its own scratch module (its dependency versions must not mix with kubernetes').
cat >"${WORK}/etcd/go.mod" <<EOF
module ferrolb.local/etcd-build

go 1.26.0

require go.etcd.io/etcd/server/v3 ${ETCD_VERSION}
EOF
build_etcd() {
  (cd "${WORK}/etcd" && nice -n 10 go build -v -trimpath -ldflags="-s -w" -o "${STAGE}/etcd" go.etcd.io/etcd/server/v3)
}
run_step "building etcd ${ETCD_VERSION}" build_etcd || fail_build "go build go.etcd.io/etcd/server/v3@${ETCD_VERSION}"

"${STAGE}/kube-apiserver" --version >>"${BUILD_LOG}" 2>&1 || fail_build "built kube-apiserver does not run"
"${STAGE}/etcd" --version >>"${BUILD_LOG}" 2>&1 || fail_build "built etcd does not run"
"${STAGE}/kubectl" version --client >>"${BUILD_LOG}" 2>&1 || fail_build "built kubectl does not run"

{
  printf '%s\n' "${STAMP}"
  printf 'built %s with %s in %ss\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${go_ver}" "$(( $(date +%s) - start_s ))"
} >"${STAGE}/VERSION"
rm -rf "${OUT}"
mv "${STAGE}" "${OUT}"
log "built in $(( $(date +%s) - start_s ))s: $(du -sh "${OUT}" | cut -f1) in ${OUT}"
printf '%s\n' "${OUT}"
