#!/usr/bin/env bash
# `npm test`: everything CI checks, in one command on a fresh machine (after `npm ci`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
npm run -s lint
npm run -s typecheck
node scripts/docs.mjs --check
if [ $# -gt 0 ]; then
  node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"
  exit
fi
# The demo's end-to-end run starts a dozen processes and judges an identical canary's latency: beside other
# suites on a 2-core machine, CPU contention alone makes that canary's tail slower. It runs on its own, after.
node --experimental-vm-modules node_modules/jest/bin/jest.js --testPathIgnorePatterns /node_modules/ test/demo/demo.e2e.test.ts
node --experimental-vm-modules node_modules/jest/bin/jest.js test/demo/demo.e2e.test.ts
