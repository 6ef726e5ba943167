#!/usr/bin/env node
// Bundles every action with ncc: src/actions/<name>/index.ts -> <out>/<name>/index.js (+ licenses.txt and a
// package.json marking the bundle an ES module), and the root dispatcher src/index.ts -> <out>/index.js.
//
// The TypeScript sources are first transpiled by swc into .tmp/build/ (types are checked by `npm run
// typecheck`, not here), so a bundle depends only on the code it contains.
//
//   node scripts/build.mjs            # into dist/
//   node scripts/build.mjs --out DIR  # elsewhere (check-dist builds into a temporary folder)
import { mkdir, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from '@swc/core';
import ncc from '@vercel/ncc';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'dist');
// a fixed path: module ids in the bundle are derived from it, so every build must use the same one
const staging = join(root, '.tmp', 'build');

async function sources(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts'))
      found.push(path);
  }
  return found;
}

async function transpile() {
  for (const file of await sources(join(root, 'src'))) {
    const { code } = await transform(await readFile(file, 'utf8'), {
      filename: file,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
      sourceMaps: false,
    });
    const target = join(staging, relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, code);
  }
}

async function entries() {
  const names = (await readdir(join(root, 'src/actions'), { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return [
    ...names.map((name) => ({
      name,
      entry: join(staging, 'src/actions', name, 'index.js'),
      dir: join(out, name),
    })),
    { name: '(root)', entry: join(staging, 'src/index.js'), dir: out },
  ];
}

async function bundle({ name, entry, dir }) {
  const started = Date.now();
  const { code, assets } = await ncc(entry, {
    minify: false,
    sourceMap: false,
    license: 'licenses.txt',
    quiet: true,
    cache: false,
  });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'index.js'), code);
  for (const [file, asset] of Object.entries(assets ?? {})) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), asset.source);
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');
  console.log(
    `built ${name} -> ${relative(root, join(dir, 'index.js'))} (${(code.length / 1024).toFixed(0)} KiB, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

// one build at a time in a checkout: builds share the staging folder (check-dist and `npm run build` may overlap)
const lock = join(root, '.tmp', 'build.lock');
await mkdir(dirname(lock), { recursive: true });
const deadline = Date.now() + 300_000;
for (;;) {
  try {
    await writeFile(lock, String(process.pid), { flag: 'wx' });
    break;
  } catch {
    const holder = Number(await readFile(lock, 'utf8').catch(() => '0'));
    let alive;
    try {
      alive = holder > 0 && process.kill(holder, 0);
    } catch {
      alive = false;
    }
    if (!alive) await rm(lock, { force: true });
    else if (Date.now() > deadline) throw new Error(`another build (pid ${holder}) holds ${lock}`);
    else await new Promise((r) => setTimeout(r, 200));
  }
}

try {
  await transpile();
  await rm(out, { recursive: true, force: true });
  for (const target of await entries()) await bundle(target);
} finally {
  await rm(staging, { recursive: true, force: true });
  await rm(lock, { force: true });
}
