/**
 * The JSON report an action leaves for later steps (its `report` output): one new file per run of a step, in
 * RUNNER_TEMP (the runner empties it after the job), or the working directory outside a runner. The name says
 * which action wrote it and for which run, and never repeats: two steps of one job, or two runs of one step in
 * the same millisecond, each get a file of their own, and an existing file is never overwritten.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionError } from './errors.js';

/** At most this many names are tried; each has 48 random bits, so a second try is already unheard of. */
const ATTEMPTS = 5;

/**
 * Writes `report` as indented JSON to `<action>-report-<GITHUB_RUN_ID or local>-<epoch ms>-<random>.json` in
 * `env.RUNNER_TEMP` (created if missing), else in `cwd`, and returns the file's path.
 */
export function writeReportFile(
  action: string,
  report: unknown,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(action))
    throw new Error(
      `writeReportFile: the action name must be lower-case letters, digits and -, not "${action}"`,
    );
  const dir = env['RUNNER_TEMP'] || cwd;
  const text = JSON.stringify(report, null, 2);
  const run = (env['GITHUB_RUN_ID'] || 'local').replace(/[^\w.-]/g, '_');
  try {
    mkdirSync(dir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const path = join(dir, `${action}-report-${run}-${Date.now()}-${randomBytes(6).toString('hex')}.json`);
      try {
        writeFileSync(path, text, { flag: 'wx' });
        return path;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    throw new ActionError(
      `Cannot write the ${action} report in ${dir}: ${(error as Error).message ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
}
