import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Child-process plumbing shared by the test helpers (the service, redis-server): start a program, wait for a
 * line that says it is up, stop it with SIGTERM or SIGKILL and wait for the exit, and never leave one behind.
 */

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process printed so far (stdout and stderr, last 256 KiB), for failure messages. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  /** Resolves with the first output line that `match` accepts; rejects on exit or after `timeoutMs`. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. Resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

const OUTPUT_LIMIT = 256 * 1024;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export function startManagedProcess(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): ManagedProcess {
  installExitHook();
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  running.add(child);
  let output = '';
  let pending = '';
  const lineWaiters = new Set<(line: string) => void>();
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-OUTPUT_LIMIT);
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) for (const waiter of lineWaiters) waiter(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exitedFlag = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitedFlag = true;
      running.delete(child);
      resolve(code);
    });
  });
  const pid = child.pid;

  const waitForLine = (match: (line: string) => boolean, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const done = (finish: () => void) => {
        clearTimeout(timer);
        lineWaiters.delete(waiter);
        finish();
      };
      const waiter = (line: string) => {
        if (match(line)) done(() => resolve(line));
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(
                `${command} (pid ${pid}) printed no expected line within ${timeoutMs} ms:\n${output}`,
              ),
            ),
          ),
        timeoutMs,
      );
      lineWaiters.add(waiter);
      void exited.then((code) =>
        done(() =>
          reject(new Error(`${command} (pid ${pid}) exited with ${code} before it was ready:\n${output}`)),
        ),
      );
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> => {
    if (!exitedFlag) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  return { child, pid, output: () => output, exited, hasExited: () => exitedFlag, waitForLine, stop };
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Kills every process these helpers started that is still running (also done when the test process exits). */
export function killAllManagedProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killAllManagedProcesses);
}
