# FerroLB controller and speaker image. Node runs the TypeScript sources directly (type stripping), so
# the image needs no build step for them; only the small N-API addon is compiled.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json binding.gyp ./
COPY src/native ./src/native
RUN npm ci --omit=dev --omit=optional --ignore-scripts && npx --yes node-gyp@11 rebuild

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY controller ./controller
# Node's compile cache, warmed here with the controller Deployment's NODE_OPTIONS (the cache is keyed by
# them): the controller then loads stripped, compiled modules and never the TypeScript stripper, about
# 30 MiB less RSS (bench/controller.ts measures with and without). Read-only at run time is fine.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
RUN NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=4" node controller/main.ts --help >/dev/null 2>&1; \
    test -n "$(ls -A /app/.node-compile-cache)"
USER 65534:65534
# The manifests choose the entry point (the controller Deployment runs `node controller/main.ts`).
ENTRYPOINT ["node"]
CMD ["controller/main.ts"]
