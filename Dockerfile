# Paddock server image (docs/operations.md, "Container image"). UNTESTED: this repository's CI
# machine has no container engine; the steps mirror .ci/run, which is tested.

# --- build: dependencies with native modules (better-sqlite3) and the esbuild bundle in dist/
FROM node:20-bookworm-slim AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
# `npm ci` runs the prepare script (scripts/build.mjs), which bundles src/ into dist/.
RUN npm ci && npm prune --omit=dev

# --- runtime: Node, bubblewrap and the host tools the bwrap sandbox driver uses
FROM node:20-bookworm-slim AS runtime
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      bubblewrap debootstrap ca-certificates git ripgrep socat gcc libc6-dev \
      nftables iproute2 util-linux e2fsprogs \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/package.json ./package.json
ENV NODE_ENV=production \
    PADDOCK_HOST=0.0.0.0 \
    PADDOCK_PORT=4000 \
    PADDOCK_DATA_DIR=/var/lib/paddock \
    PADDOCK_ROOTFS_DIR=/var/cache/paddock/rootfs
VOLUME ["/var/lib/paddock", "/var/cache/paddock"]
EXPOSE 4000
# Runs as root inside the container: bwrap maps each sandbox to an unprivileged uid range
# (PADDOCK_SANDBOX_UID, default 100000+) in its own user namespace. See docs/operations.md for
# the privileges the container itself needs (user namespaces, cgroups, loop devices, NET_ADMIN).
ENTRYPOINT ["node", "bin/paddock.js"]
CMD ["serve"]
