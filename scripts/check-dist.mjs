#!/usr/bin/env node
// Fails when the committed dist/ is not what the sources build to: rebuilds into a temporary folder with the
// same script as `npm run build` and compares every file. Every JavaScript action runs from dist/, so a stale
// bundle would ship code nobody reviewed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// --dist DIR compares another folder (the test uses it to show a stale bundle is caught)
const distFlag = process.argv.indexOf('--dist');
const committed = distFlag > 0 ? resolve(process.argv[distFlag + 1]) : join(root, 'dist');
const temp = mkdtempSync(join(tmpdir(), 'check-dist-'));

function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  try {
    walk(dir);
  } catch {
    // a missing dist/ is reported as every file missing
  }
  return out.sort();
}

try {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--out', temp], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const expected = files(temp);
  const actual = new Set(files(committed));
  const problems = [];
  for (const file of expected) {
    if (!actual.has(file)) problems.push(`missing: dist/${file}`);
    else if (!readFileSync(join(temp, file)).equals(readFileSync(join(committed, file))))
      problems.push(`stale: dist/${file}`);
    actual.delete(file);
  }
  for (const file of actual) problems.push(`not built by the sources (remove it): dist/${file}`);
  if (problems.length > 0) {
    console.error(
      `dist/ does not match the sources:\n  ${problems.join('\n  ')}\nRun \`npm run build\` and commit dist/.`,
    );
    process.exitCode = 1;
  } else {
    console.log(`dist/ matches the sources (${expected.length} files).`);
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
