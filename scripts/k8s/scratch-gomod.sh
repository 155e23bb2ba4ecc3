#!/usr/bin/env bash
# Print the go.mod of a scratch module that builds k8s.io/kubernetes commands from the module proxy.
#
#   scratch-gomod.sh <k8s version, e.g. v1.36.3> <path to that release's go.mod>
#
# The release's go.mod replaces every k8s.io staging module by ./staging/src/<module>, a path that is
# not in the module download. Each of those is replaced here by its published release v0.<minor>.<patch>
# (the staging modules are tagged in lockstep with kubernetes v1.<minor>.<patch>). The list comes from
# the release's own go.mod, so it follows new or removed staging modules without hand edits.
set -euo pipefail

version=${1:?usage: scratch-gomod.sh <k8s version> <release go.mod>}
gomod=${2:?usage: scratch-gomod.sh <k8s version> <release go.mod>}
[[ "${version}" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "scratch-gomod: '${version}' is not a v1.X.Y release" >&2; exit 1; }
staging_version="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
[[ -r "${gomod}" ]] || { echo "scratch-gomod: cannot read ${gomod}" >&2; exit 1; }

go_directive=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "${gomod}" | head -n1)
[[ -n "${go_directive}" ]] || { echo "scratch-gomod: no 'go' directive in ${gomod}" >&2; exit 1; }

# Lines look like `k8s.io/api => ./staging/src/k8s.io/api` inside `replace ( ... )`, or
# `replace k8s.io/api => ./staging/src/k8s.io/api` on one line.
mapfile -t staging < <(awk '
  /=>[[:space:]]*\.\/staging\/src\// {
    sub(/^[[:space:]]*replace[[:space:]]+/, "")
    sub(/^[[:space:]]+/, "")
    split($0, f, /[[:space:]]+/)
    print f[1]
  }' "${gomod}" | sort -u)
(( ${#staging[@]} > 0 )) || { echo "scratch-gomod: found no ./staging/src replaces in ${gomod}" >&2; exit 1; }

printf 'module ferrolb.local/kube-apiserver-build\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "${go_directive}" "${version}"
for m in "${staging[@]}"; do
  printf '\t%s => %s %s\n' "${m}" "${m}" "${staging_version}"
done
printf ')\n'
