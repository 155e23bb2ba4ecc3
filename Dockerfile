# FerroLB image: the controller and the speaker (the manifests choose the entry point). Node runs the
# controller's TypeScript sources directly (type stripping); the speaker ships as one bundled JavaScript
# module (dist/speaker/main.mjs, esbuild: src/lab/speaker-bundle.ts) for a smaller resident set; only the
# small N-API addon is compiled.
#
#   docker build -t ferrolb:0.1.0 .            (or podman build; pulls the upstream base)
#   bash scripts/build-image.sh                (podman or docker; without registry access it makes the
#                                               base itself and passes it as NODE_BASE)
#
# NODE_BASE: Debian (glibc) with Node 24 at /usr/local/bin/node. The build stage installs python3, make
# and g++ with apt only when the base lacks them (scripts/image/local-base.sh makes a base that has them).
# The runtime stage is FROM scratch: the stripped node binary, the shared libraries it and the addon link
# (found with ldd, so any architecture works), the production node_modules, the addon and the sources, and
# the IPVS syncer's tools (ip, ipvsadm, ipset, iptables-nft: scripts/image/ipvs-tools.sh).
# No shell, no package manager, no headers, no compiler.
ARG NODE_BASE=docker.io/library/node:24-bookworm-slim

FROM ${NODE_BASE} AS build
WORKDIR /app
# iproute2, ipvsadm, ipset, iptables: the tools the speaker's IPVS syncer runs (src/ipvs); copied into the
# runtime below. Debian's iptables package defaults to the nft backend (iptables-nft), which the runtime uses.
RUN if ! command -v python3 >/dev/null || ! command -v make >/dev/null || ! command -v g++ >/dev/null \
      || ! command -v ip >/dev/null || ! command -v ipvsadm >/dev/null || ! command -v ipset >/dev/null \
      || ! command -v xtables-nft-multi >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends python3 make g++ iproute2 ipvsadm ipset iptables \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY package.json package-lock.json binding.gyp ./
COPY scripts/build-native.sh scripts/
COPY src/native src/native
# The lockfile's install (its node-gyp, node-api-headers and esbuild), the addon built by the project's own
# script with headers from the base or from node-api-headers (never downloaded); then, with the sources,
# the speaker bundle (`npm run build`) and only production packages.
# npm settings the build machine needs (registry, proxy, CA, token) come from the optional build secrets
# `npmrc` (an npm user config) and `npm_ca` (a CA bundle it may name as /run/secrets/npm_ca), so none of
# them stays in a layer. Not needed at run time: node-addon-api (build-time headers), esbuild, type
# declarations and @types packages, source maps, the packages' own tests (~60 MB together).
RUN --mount=type=secret,id=npmrc --mount=type=secret,id=npm_ca \
    set -e; \
    if [ -f /run/secrets/npmrc ]; then export NPM_CONFIG_USERCONFIG=/run/secrets/npmrc; fi; \
    export NPM_CONFIG_UPDATE_NOTIFIER=false; \
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn; \
    bash scripts/build-native.sh
COPY scripts/build-speaker.ts scripts/
COPY src src
COPY speaker speaker
RUN --mount=type=secret,id=npmrc --mount=type=secret,id=npm_ca \
    set -e; \
    if [ -f /run/secrets/npmrc ]; then export NPM_CONFIG_USERCONFIG=/run/secrets/npmrc; fi; \
    export NPM_CONFIG_UPDATE_NOTIFIER=false; \
    node scripts/build-speaker.ts; \
    rm dist/speaker/main.mjs.map; \
    npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=warn; \
    rm -rf node_modules/node-addon-api node_modules/.package-lock.json; \
    find node_modules -type d \( -name '@types' -o -name test -o -name tests -o -name __tests__ \) -prune -exec rm -rf {} +; \
    find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete
COPY scripts/image/ipvs-tools.sh scripts/image/
# The runtime root filesystem: node (stripped: its debug symbols are ~18 MB), the libraries node and the
# addon need (ldd), the IPVS syncer's tools with their libraries and data (ipvs-tools.sh checks each runs
# there), a passwd/group naming 65534 so tools show "nobody", and the compile cache's folder (65534's).
RUN set -e; \
    mkdir -p /rootfs/usr/local/bin /rootfs/etc /rootfs/tmp /rootfs/app/.node-compile-cache; \
    chown 65534:65534 /rootfs/app/.node-compile-cache; \
    cp /usr/local/bin/node /rootfs/usr/local/bin/node; \
    strip /rootfs/usr/local/bin/node; \
    for lib in $(ldd /usr/local/bin/node build/Release/ferrolb_native.node | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*[^:]$/ { print $1 }' | sort -u); do \
      cp -L --parents "$lib" /rootfs/; \
    done; \
    bash scripts/image/ipvs-tools.sh /rootfs; \
    echo 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >/rootfs/etc/passwd; \
    echo 'nogroup:x:65534:' >/rootfs/etc/group; \
    chmod 1777 /rootfs/tmp; \
    /rootfs/usr/local/bin/node --version

FROM scratch
COPY --from=build /rootfs/ /
ENV PATH=/usr/local/bin:/usr/sbin NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build/Release/ferrolb_native.node ./build/Release/ferrolb_native.node
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY controller ./controller
COPY speaker ./speaker
# The speaker bundle starts, as root (capabilities are only effective for root:
# manifests/07-speaker-daemonset.yaml) with manifests/07's NODE_OPTIONS and the V8 flags of its command:
# `--help` loads every module, then exits 0. It is plain JavaScript: no compile cache, no type stripping.
USER 0:0
ENV NODE_OPTIONS="--max-old-space-size=96 --max-semi-space-size=2"
RUN ["/usr/local/bin/node", "--jitless", "--optimize-for-size", "--expose-gc", "dist/speaker/main.mjs", "--help"]
# The controller's V8 compile cache, made at build time (start-up then compiles about a third less; at run
# time the cache is only read: read-only root). Node keys the cache by uid and by the V8 flags, so it is
# warmed by the user and with the NODE_OPTIONS manifests/04-controller-deployment.yaml runs it with:
# `controller/main.ts --help` loads every module, then exits 0 (the speaker's DaemonSet sets
# NODE_COMPILE_CACHE empty: its bundle needs no cache, and one would only cost memory). A pod
# run as another uid or with other flags just compiles as before (and, without the cache, loads Node's
# TypeScript stripper at every start: ~25 MiB more idle RSS).
USER 65534:65534
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
ENV NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=4"
RUN ["/usr/local/bin/node", "controller/main.ts", "--help"]
ENV NODE_OPTIONS=""
LABEL org.opencontainers.image.title=ferrolb \
      org.opencontainers.image.description="FerroLB controller and speaker" \
      org.opencontainers.image.licenses=Apache-2.0
ENTRYPOINT ["/usr/local/bin/node"]
CMD ["controller/main.ts"]
