/**
 * `npm ci` refuses a lockfile that leaves out any package some locked package depends on, optional platform
 * builds included ("Missing: @swc/core-darwin-arm64@ from lock file"). A registry mirror that serves only Linux
 * builds makes `npm install` drop the other platforms' entries, and CI then fails on a clean clone: this test
 * fails first, here.
 */
import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../harness/runner.js';

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  link?: boolean;
}

/** Where npm would find `name` for the package at `at`: its own node_modules, then each ancestor's, then the root's. */
function resolves(packages: Record<string, LockEntry>, at: string, name: string): boolean {
  let base = at;
  for (;;) {
    if (`${base ? `${base}/` : ''}node_modules/${name}` in packages) return true;
    if (base === '') return false;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

test('package-lock.json locks every dependency of every locked package, optional platform builds included', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const missing: string[] = [];
  for (const [at, entry] of Object.entries(lock.packages)) {
    if (entry.link) continue;
    const wanted = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const name of Object.keys(wanted)) {
      if (!resolves(lock.packages, at, name)) missing.push(`${name} (wanted by ${at || 'the root'})`);
    }
  }
  expect(missing).toEqual([]);
});
