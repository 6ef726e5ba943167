/**
 * Runs the drill's inject and recover commands as a workflow `run:` step would: `bash -e -o pipefail -c` in the
 * workspace, with the step's environment, stdout and stderr captured as one stream (in the order written) and
 * streamed line by line, the exit code checked by the caller. Bounded by a timeout: past it the whole process group gets SIGTERM, then SIGKILL.
 */
import { spawn } from 'node:child_process';

export interface ShellResult {
  command: string;
  /** null when killed by a signal or not started. */
  exitCode: number | null;
  signal?: string;
  timedOut: boolean;
  /** Could not be started at all (no bash): the message. */
  spawnError?: string;
  startedAt: number;
  durationMs: number;
  /** stdout and stderr interleaved as they came (the last 1 MiB). */
  output: string;
}

export interface ShellOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Each complete line of output as it arrives. */
  onLine?: (line: string) => void;
}

export interface ShellRunner {
  run(command: string, options: ShellOptions): Promise<ShellResult>;
}

export function shellSucceeded(result: ShellResult): boolean {
  return result.exitCode === 0 && !result.timedOut;
}

/** `exit code 0 after 1.2s`, `timed out after 30s`, `killed by SIGKILL`. */
export function describeShellResult(result: ShellResult): string {
  const after = `after ${+(result.durationMs / 1000).toFixed(2)}s`;
  if (result.spawnError) return `could not start: ${result.spawnError}`;
  if (result.timedOut) return `timed out ${after} (the process group was stopped)`;
  if (result.exitCode === null) return `killed by ${result.signal ?? 'a signal'} ${after}`;
  return `exit code ${result.exitCode} ${after}`;
}

const OUTPUT_LIMIT = 1024 * 1024;
/** After the shell exits, how long to wait for stdio to close (a background child may hold it open). */
const STDIO_GRACE_MS = 500;
const KILL_GRACE_MS = 2000;

export const bashRunner: ShellRunner = {
  run(command, options) {
    return new Promise((resolve) => {
      const startedAt = Date.now();
      let output = '';
      let pending = '';
      let timedOut = false;
      let settled = false;
      // stderr joins stdout inside the shell, so the log keeps the order in which lines were written
      const script = `exec 2>&1\n${command}`;
      const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', script], {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        output = (output + text).slice(-OUTPUT_LIMIT);
        if (!options.onLine) return;
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) options.onLine(line.replace(/\r$/, ''));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const killGroup = (signal: NodeJS.Signals) => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      };
      let killTimer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      }, options.timeoutMs);
      const finish = (exitCode: number | null, signal: string | null, spawnError?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        if (pending && options.onLine) options.onLine(pending);
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({
          command,
          exitCode,
          ...(signal ? { signal } : {}),
          timedOut,
          ...(spawnError ? { spawnError } : {}),
          startedAt,
          durationMs: Date.now() - startedAt,
          output,
        });
      };
      child.on('error', (error) => finish(null, null, error.message));
      child.on('exit', (code, signal) => {
        // let the pipes drain; a background process that keeps them open does not hold the step
        const grace = setTimeout(() => finish(code, signal), STDIO_GRACE_MS);
        child.on('close', () => {
          clearTimeout(grace);
          finish(code, signal);
        });
      });
    });
  },
};
