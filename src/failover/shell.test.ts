/** Drill commands run as a `run:` step would: bash -e -o pipefail, output in order, exit code, a bounded time. */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bashRunner, describeShellResult, shellSucceeded } from './shell.js';

const options = (extra = {}) => ({
  cwd: tmpdir(),
  env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  timeoutMs: 5000,
  ...extra,
});

describe('bashRunner', () => {
  it('captures stdout and stderr in order, streams lines, runs in the given folder with the given env', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failover-shell-'));
    try {
      const lines: string[] = [];
      const result = await bashRunner.run('echo one; echo two >&2; pwd; echo "$DRILL_TARGET"', {
        ...options({ cwd: dir, onLine: (l: string) => lines.push(l) }),
        env: { PATH: process.env['PATH'], DRILL_TARGET: 'us-east-1' },
      });
      expect(result.exitCode).toBe(0);
      expect(shellSucceeded(result)).toBe(true);
      expect(lines).toEqual(['one', 'two', dir, 'us-east-1']);
      expect(result.output).toBe(`one\ntwo\n${dir}\nus-east-1\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops at the first failing command (-e) and sees a failure inside a pipe (pipefail)', async () => {
    const errexit = await bashRunner.run('echo before; false; echo after', options());
    expect(errexit).toMatchObject({ exitCode: 1, output: 'before\n' });
    expect(describeShellResult(errexit)).toMatch(/^exit code 1 after \d/);
    expect((await bashRunner.run('exit 3 | cat', options())).exitCode).toBe(3);
  });

  it('stops the whole process group at the timeout', async () => {
    const started = Date.now();
    const result = await bashRunner.run('sleep 30 & sleep 30; echo never', options({ timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.timedOut).toBe(true);
    expect(shellSucceeded(result)).toBe(false);
    expect(describeShellResult(result)).toMatch(/^timed out after 0\.\d+s/);
  });

  it('does not wait for a background process that keeps running with its output redirected', async () => {
    const started = Date.now();
    const result = await bashRunner.run('(sleep 5) >/dev/null 2>&1 & echo started', options());
    expect(result).toMatchObject({ exitCode: 0, output: 'started\n' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
