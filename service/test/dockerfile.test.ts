/**
 * No Docker engine runs here, so the Dockerfile is checked, not built: the dockerfile-utils linter (the one
 * behind the Docker language server) finds no problem, and the image is multi-stage, runs as a non-root user,
 * and has a HEALTHCHECK on /health.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';

const text = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
const instructions = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('service/Dockerfile', () => {
  test('the linter reports nothing', () => {
    expect(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  test('is multi-stage and the runtime stage is a current Node LTS', () => {
    const froms = instructions.filter((l) => /^FROM\s/i.test(l));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/ARG NODE_IMAGE=node:24-/);
  });

  test('runs as a non-root user', () => {
    const users = instructions.filter((l) => /^USER\s/i.test(l));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)\b/i);
  });

  test('has a HEALTHCHECK on /health and stops on SIGTERM', () => {
    expect(instructions.find((l) => /^HEALTHCHECK\s/i.test(l))).toMatch(/\/health/);
    expect(instructions).toContain('STOPSIGNAL SIGTERM');
  });
});
