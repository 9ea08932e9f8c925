# syntax=docker/dockerfile:1
#
# One image for every Herald process. The default command runs the API;
# the same image runs the other processes with a different command:
#   API              tsx src/api/main.ts        (default)
#   worker           tsx worker.ts
#   sandbox vendor   tsx src/sandbox/main.ts
#   migrations       tsx src/db/migrate-cli.ts
#   demo seed        tsx src/db/seed-cli.ts
# (node_modules/.bin is on PATH, so `tsx` is the project's own tsx.)

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------
# deps: install dependencies and generate the Prisma client (as root).
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

COPY package.json package-lock.json ./
# --ignore-scripts: no dependency install scripts run, and neither does our
# own postinstall. Newer npm versions may skip dependency install scripts
# anyway, so the Prisma client is generated explicitly in the next step.
# Skipping the scripts is safe: the platform binaries (esbuild, swc,
# Temporal core-bridge) come from the lockfile's optional packages, and
# @prisma/engines' postinstall would only download engines we do not use.
# Node 20 images ship npm 10, which accepts the current lockfile; npm 11
# rejects it (foreign-platform optional packages such as @swc/core-darwin-*
# are missing from it) until the lockfile is regenerated.
RUN npm --version && npm ci --ignore-scripts

# Prisma client generation (offline; see scripts/prisma-generate.js).
# Writes src/generated/prisma.
COPY prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN node scripts/prisma-generate.js \
 && test -f src/generated/prisma/client.ts

# The ops console (Preact + Chart.js, bundled by Vite, dev-only packages):
# built here into dist/console, which the API serves under /console.
COPY console ./console
RUN npm run build:console && test -f dist/console/index.html

# Drop dev-only packages (jest, eslint, vite, ...). tsx is a runtime dependency.
RUN npm prune --omit=dev --ignore-scripts

# ---------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    API_PORT=3000 \
    WORKER_METRICS_PORT=9464 \
    SANDBOX_VENDOR_PORT=4010

COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=deps /app/src/generated ./src/generated
COPY --from=deps /app/dist/console ./dist/console

# Code stays root-owned and read-only to the runtime user; only Herald's
# data directory (HERALD_DATA_DIR, default .herald) is writable. tsx caches
# compiled files under /tmp.
RUN mkdir -p /app/.herald && chown node:node /app/.herald

USER node

EXPOSE 3000 9464 4010

CMD ["tsx", "src/api/main.ts"]
