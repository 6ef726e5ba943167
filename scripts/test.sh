#!/usr/bin/env bash
# `npm test`: everything CI checks, in one command on a fresh machine (after `npm ci`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
npm run -s lint
npm run -s typecheck
node scripts/docs.mjs --check
node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"
