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
USER 65534:65534
# The manifests choose the entry point (the controller Deployment runs `node controller/main.ts`).
ENTRYPOINT ["node"]
CMD ["controller/main.ts"]
