# syntax=docker/dockerfile:1
#
# One image for every Herald process; only the command changes:
#   API              node dist/api/main.js        (default)
#   worker           node dist/worker/main.js     (loads the prebuilt dist/workflow-bundle.js)
#   migrations       herald migrate               (one-shot, before the API and workers start)
#   sandbox vendor   node dist/sandbox/main.js
#   demo seed        node dist/db/seed-cli.js
# The build stage compiles; the runtime stage holds the built JavaScript, the
# SQL migrations and the production dependencies: no TypeScript, no tests, no
# benchmarks, no tsx, no pino-pretty, no UI build tools (the ops console is
# built here into dist/console, which the API serves under /console).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------
# build: every dependency, the Prisma client, `npm run build` (tsc + workflow bundle + console).
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

COPY package.json package-lock.json ./
# No install scripts: package.json's allowScripts needs none (the platform binaries come from the
# lockfile's optional packages); the Prisma client is generated explicitly, offline, below.
RUN npm ci --ignore-scripts

COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY prisma ./prisma
COPY scripts/prisma-generate.js ./scripts/
RUN node scripts/prisma-generate.js && test -f src/generated/prisma/client.ts

COPY src ./src
COPY console ./console
RUN npm run build && test -f dist/api/main.js && test -f dist/workflow-bundle.js && test -f dist/console/index.html

# ---------------------------------------------------------------------------
# runtime: production dependencies and the build, run as the non-root `node` user.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# MALLOC_ARENA_MAX: two glibc malloc arenas instead of up to 8 per core; the worker's burst of workflow
# starts left up to 290 MB more resident with the default (docs/deployment.md, "Worker memory").
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    API_PORT=3000 \
    WORKER_METRICS_PORT=9464 \
    SANDBOX_VENDOR_PORT=4010

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
COPY bin/herald.js ./bin/
RUN ln -s /app/bin/herald.js /usr/local/bin/herald

# Code and dependencies stay root-owned and read-only to the runtime user.
USER node

EXPOSE 3000 9464 4010

CMD ["node", "dist/api/main.js"]
