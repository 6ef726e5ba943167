/**
 * writeReportFile: the JSON lands in RUNNER_TEMP (else the working directory), under a name that says which
 * action and run wrote it, a new file every time, and a folder it cannot write to is an error that says where.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ActionError } from './errors.js';
import { writeReportFile } from './report-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'report-file-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeReportFile', () => {
  it('writes indented JSON in RUNNER_TEMP, named after the action and the run, and returns its path', () => {
    const temp = join(dir, 'runner-temp');
    const path = writeReportFile(
      'failover-check',
      { passed: true, regions: ['a'] },
      {
        RUNNER_TEMP: temp,
        GITHUB_RUN_ID: '4242',
      },
    );
    expect(dirname(path)).toBe(temp); // created when missing
    expect(basename(path)).toMatch(/^failover-check-report-4242-\d{13}-[0-9a-f]{12}\.json$/);
    expect(readFileSync(path, 'utf8')).toBe('{\n  "passed": true,\n  "regions": [\n    "a"\n  ]\n}');
  });

  it('falls back to the working directory and the run "local" outside a runner', () => {
    const path = writeReportFile('canary-gate', { decision: 'promote' }, {}, dir);
    expect(dirname(path)).toBe(dir);
    expect(basename(path)).toMatch(/^canary-gate-report-local-\d+-[0-9a-f]{12}\.json$/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ decision: 'promote' });
    // an empty RUNNER_TEMP is no folder either
    expect(dirname(writeReportFile('canary-gate', {}, { RUNNER_TEMP: '' }, dir))).toBe(dir);
  });

  it('never reuses a name: many reports of one step in the same millisecond are all kept', () => {
    const env = { RUNNER_TEMP: dir, GITHUB_RUN_ID: '7' };
    const paths = Array.from({ length: 50 }, (_, i) => writeReportFile('failover-check', { i }, env));
    expect(new Set(paths).size).toBe(50);
    expect(readdirSync(dir)).toHaveLength(50);
    paths.forEach((path, i) => expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ i }));
  });

  it('keeps a hostile run id out of the path', () => {
    const path = writeReportFile('failover-check', {}, { RUNNER_TEMP: dir, GITHUB_RUN_ID: '../../etc/x' });
    expect(dirname(path)).toBe(dir);
    expect(basename(path)).toMatch(/^failover-check-report-\.\._\.\._etc_x-/);
  });

  it('a folder it cannot write to is an ActionError naming the folder', () => {
    const blocked = join(dir, 'file');
    writeFileSync(blocked, ''); // a file where the folder should be
    let thrown: unknown;
    try {
      writeReportFile('failover-check', {}, { RUNNER_TEMP: join(blocked, 'temp') });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ActionError);
    expect((thrown as Error).message).toMatch(
      new RegExp(`^Cannot write the failover-check report in ${join(blocked, 'temp')}: ENOTDIR`),
    );
  });

  it('refuses an action name that is not a plain name', () => {
    expect(() => writeReportFile('../x', {}, { RUNNER_TEMP: dir })).toThrow(/lower-case letters/);
  });
});
