#!/usr/bin/env bash
# Builds the N-API addon (build/Release/ferrolb_native.node) with node-gyp, never downloading Node
# headers (the build must work offline). The addon uses only Node-API, which is ABI-stable, so any
# Node >= 18 headers do. Header directory ("nodedir"), first match wins:
#   1. $npm_config_nodedir (e.g. nodedir=/usr in ~/.npmrc) when it holds include/node/node_api.h
#   2. /usr or /usr/local with include/node/node_api.h (NodeSource / Debian Node packages ship them)
#   3. the node-api-headers npm package, laid out as a nodedir under ~/.cache/ferrolb/node-api-nodedir
#   0. the headers of the npm `node` package this project runs on (node_modules/node/node_modules/node-<os>-<arch>)
# Every candidate must also have libuv's uv.h (the packet socket watches its fd with uv_poll).
# Idempotent; safe to run again. Usage: bash scripts/build-native.sh
# FERROLB_NODEDIR_SEARCH="dir ..." replaces the search list of 1–2 (e.g. "" to exercise 3).
set -euo pipefail
cd "$(dirname "$0")/.."

has_headers() { [[ -n ${1:-} && -f $1/include/node/node_api.h && -f $1/include/node/js_native_api.h && -f $1/include/node/uv.h ]]; }

nodedir=
npm_node_dirs=$(ls -d "$PWD"/node_modules/node/node_modules/node-*/ 2>/dev/null || true)
for d in ${FERROLB_NODEDIR_SEARCH-$npm_node_dirs "${npm_config_nodedir:-}" /usr /usr/local}; do
  if has_headers "$d" && [[ -f $d/include/node/common.gypi ]]; then nodedir=$d; break; fi
done

if [[ -z $nodedir ]]; then
  if headers=$(node -p "require('path').dirname(require.resolve('node-api-headers/package.json'))" 2>/dev/null); then
    nodedir="${XDG_CACHE_HOME:-$HOME/.cache}/ferrolb/node-api-nodedir"
    mkdir -p "$nodedir/include/node"
    cp "$headers"/include/*.h "$nodedir/include/node/"
    # node-api-headers has no libuv headers: take them from any Node install that has them.
    for u in $npm_node_dirs /usr /usr/local; do
      if [[ -f $u/include/node/uv.h ]]; then cp -r "$u"/include/node/uv.h "$u"/include/node/uv "$nodedir/include/node/"; break; fi
    done
    # node-gyp includes <nodedir>/include/node/common.gypi; addon.gypi supplies everything an addon needs.
    cat >"$nodedir/include/node/common.gypi" <<'GYPI'
{
  'target_defaults': {
    'default_configuration': 'Release',
    'configurations': { 'Release': { 'cflags': ['-O2'] }, 'Debug': { 'cflags': ['-g', '-O0'] } }
  }
}
GYPI
  else
    echo "build-native: no Node headers found (looked in \$npm_config_nodedir, /usr, /usr/local) and the" >&2
    echo "  node-api-headers package is not installed. Install Node's headers (e.g. Debian libnode-dev)" >&2
    echo "  or add node-api-headers to devDependencies, then run: bash scripts/build-native.sh" >&2
    exit 1
  fi
fi

gyp=node_modules/.bin/node-gyp
[[ -x $gyp ]] || { echo "build-native: $gyp missing: run npm ci first" >&2; exit 1; }
echo "build-native: node-gyp rebuild with headers from $nodedir"
# Pass nodedir on the command line (npm 11 warns that nodedir in .npmrc will stop working).
env -u npm_config_nodedir -u NPM_CONFIG_NODEDIR "$gyp" rebuild --nodedir="$nodedir" --loglevel=warn
test -f build/Release/ferrolb_native.node
echo "build-native: built build/Release/ferrolb_native.node"
