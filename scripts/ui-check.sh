#!/usr/bin/env bash
# The UI's checks, in order: types, lint, component tests (Vitest + mockIPC), production
# build, then the headless-Chromium check of the built UI (10,000-item fake vault,
# screenshots of every screen, search timing). Needs no Rust build.
#
#   scripts/ui-check.sh [OUT_DIR]     # screenshots + search-timing.json, default ui/e2e/out
set -euo pipefail
cd "$(dirname "$0")/../ui"
OUT=${1:-e2e/out}

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

step() { printf '\n==> %s\n' "$*"; }
step "typecheck";        npm run --silent typecheck
step "lint";             npm run --silent lint
step "component tests";  npm run --silent test
step "build";            npm run --silent build
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  step "headless Chromium check"
  npm run --silent check:browser -- "$OUT"
else
  echo "ui-check.sh: ${CHROMIUM:-/usr/bin/chromium} is missing (apt-get install -y chromium); skipped the browser check" >&2
  exit 1
fi
