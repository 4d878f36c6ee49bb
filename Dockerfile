# syntax=docker/dockerfile:1
#
# The Tribe backend image. One image, two processes:
#   API     docker run ... tribe-backend                  (CMD: node --import tsx src/main.ts)
#   worker  docker run ... tribe-backend npm run worker    (or: node --import tsx src/worker.ts)
#   migrate docker run ... tribe-backend npm run migrate   (one shot; the API and worker also migrate at start)
#   jobs    docker compose exec worker npm run jobs        (queues, failures; `-- retry <queue> <id>`)
# There is no build step: tsx (a runtime dependency) transpiles the TypeScript as node loads it.
# docker-compose.yml runs the whole production topology from this image; docs/deployment.md.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- Stage 1: production dependencies -----------------------------------------------------------
# Installs exactly package-lock.json's runtime dependencies. sharp's libvips and esbuild come as
# prebuilt platform packages; argon2's install script (allowed in package.json "allowScripts")
# tests its prebuilt binary. Nothing of npm's cache or this stage's layers reaches the image.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force

# --- Stage 2: runtime ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# Set to true to install ffmpeg (video poster frames; without it videos get a placeholder thumbnail).
ARG WITH_FFMPEG=false
RUN if [ "$WITH_FFMPEG" = "true" ]; then \
      apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json package-lock.json tsconfig.json ./
COPY --chown=root:root migrations ./migrations
COPY --chown=root:root src ./src
COPY --chown=root:root scripts/migrate.ts scripts/jobs.ts ./scripts/
# The code is root's and read-only to the process; only DATA_DIR (mail files without SMTP, disk
# media without S3) and /tmp (uploads in flight, tsx's transpile cache) are writable.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8000
# Liveness only (the process answers); /readyz is for the load balancer. Slim images have no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# main.ts and worker.ts drain on SIGTERM (WebSockets closed 1001, in-flight requests finished).
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
