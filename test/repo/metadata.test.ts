/**
 * What is generated or bundled stays true to the sources: dist/ is what the sources build to, the root
 * action.yml and the README tables are what scripts/docs.mjs generates, and every input default in action.yml
 * is the one the code applies.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ACTIONS } from '../../src/actions/registry.js';
import { ROOT } from '../harness/runner.js';

const node = process.execPath;

describe('dist/', () => {
  test('matches a fresh build of the sources (npm run check-dist)', () => {
    const result = spawnSync(node, [join(ROOT, 'scripts/check-dist.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);

  test('a stale bundle is caught', () => {
    const copy = mkdtempSync(join(tmpdir(), 'stale-dist-'));
    try {
      cpSync(join(ROOT, 'dist'), copy, { recursive: true });
      writeFileSync(
        join(copy, 'plan-comment', 'index.js'),
        readFileSync(join(copy, 'plan-comment', 'index.js'), 'utf8') + '\n// edited by hand\n',
      );
      const result = spawnSync(node, [join(ROOT, 'scripts/check-dist.mjs'), '--dist', copy], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('stale: dist/plan-comment/index.js');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('generated docs', () => {
  test('the root action.yml and README tables are up to date (npm run docs)', () => {
    expect(() =>
      execFileSync(node, [join(ROOT, 'scripts/docs.mjs'), '--check'], { cwd: ROOT, stdio: 'pipe' }),
    ).not.toThrow();
  });

  test('the root action offers every input and output of every action, and command', () => {
    const root = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
    expect(root.inputs.command.required).toBe(true);
    for (const name of Object.keys(ACTIONS)) {
      const meta = parse(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8'));
      expect(Object.keys(root.inputs)).toEqual(expect.arrayContaining(Object.keys(meta.inputs)));
      expect(Object.keys(root.outputs)).toEqual(expect.arrayContaining(Object.keys(meta.outputs)));
      expect(meta.runs).toEqual({ using: 'node24', main: `../../dist/${name}/index.js` });
    }
  });
});

describe.each(Object.entries(ACTIONS))('%s input defaults', (name, action) => {
  const meta = parse(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8'));
  const declared = Object.fromEntries(
    Object.entries<{ default?: unknown }>(meta.inputs)
      .filter(([, spec]) => spec.default !== undefined && !String(spec.default).includes('${{'))
      .map(([input, spec]) => [input, String(spec.default)]),
  );
  test('action.yml declares the defaults the code applies, and no others', () => {
    expect(declared).toEqual({ ...action.defaults });
  });
});
