import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startManagedProcess } from './child-process.js';
import type { ManagedProcess } from './child-process.js';

export { findFreePort, killAllManagedProcesses } from './child-process.js';
export { startRedisServer } from './redis.js';
export type { RedisServer } from './redis.js';

/**
 * Starts the rating service as a real child process, the way the other suites (canary-gate, failover-check)
 * meet it. Import it from any test by a relative path, e.g. `../../service/testing/process.js`:
 *
 *   const region = await startServiceProcess({ env: { REGION: 'eu-west-1' } });
 *   await fetch(`${region.url}/health`);
 *   await region.stop();
 *
 * The process runs `service/src/main.ts` through tsx (about half a second to start), or a compiled `entry`,
 * binds HOST (127.0.0.1 unless the test sets another) on the given port or a random one, and is killed when
 * the test process exits if the test did not stop it.
 */
export interface ServiceProcess {
  /** `http://<HOST>:<port>` (a wildcard HOST is reached on loopback), no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Everything it logged so far (JSON lines). */
  output(): string;
  /** SIGTERM, then wait for the exit (SIGKILL after `timeoutMs`). Resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same environment (after stop or kill; stops it first if needed). */
  restart(): Promise<void>;
}

export interface StartServiceOptions {
  /**
   * Environment on top of the defaults (HOST=127.0.0.1, LOG_LEVEL=info); nothing is inherited but PATH.
   * LOG_LEVEL must stay info or lower: the port is read from the `listening` line.
   */
  env?: Record<string, string>;
  /** Defaults to a port the OS picks (PORT=0), read back from the `listening` log line. */
  port?: number;
  /** Resolve once /health answers 200 (the default), once it answers at all, or once the port is open. */
  waitFor?: 'healthy' | 'answering' | 'listening';
  startTimeoutMs?: number;
  /**
   * A compiled main.js to run with plain node instead of src/main.ts through tsx, e.g. `service/dist/main.js`
   * after `npm run build -w service` (what the Dockerfile runs; bench:service measures that).
   */
  entry?: string;
}

const SERVICE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(SERVICE_DIR, 'src', 'main.ts');

export async function startServiceProcess(options: StartServiceOptions = {}): Promise<ServiceProcess> {
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  if (!['info', 'debug', 'trace'].includes(env.LOG_LEVEL)) {
    throw new Error(
      `startServiceProcess reads the port from the info-level "listening" line; LOG_LEVEL ${env.LOG_LEVEL} hides it`,
    );
  }
  const args = options.entry === undefined ? ['--import', 'tsx', MAIN] : [options.entry];
  let current = await launch(
    args,
    { ...env, PORT: String(options.port ?? 0) },
    options.waitFor ?? 'healthy',
    timeoutMs,
  );
  const port = current.port;
  return {
    url: baseUrl(env.HOST, port),
    port,
    get pid() {
      return current.process.pid;
    },
    output: () => current.process.output(),
    stop: (stopTimeoutMs?: number) => current.process.stop('SIGTERM', stopTimeoutMs),
    async kill() {
      await current.process.stop('SIGKILL');
    },
    async restart() {
      if (!current.process.hasExited()) await current.process.stop('SIGTERM');
      current = await launch(args, { ...env, PORT: String(port) }, options.waitFor ?? 'healthy', timeoutMs);
    },
  };
}

async function launch(
  args: string[],
  env: Record<string, string>,
  waitFor: 'healthy' | 'answering' | 'listening',
  timeoutMs: number,
): Promise<{ process: ManagedProcess; port: number }> {
  const child = startManagedProcess(process.execPath, args, { env, cwd: SERVICE_DIR });
  const deadline = Date.now() + timeoutMs;
  try {
    const line = await child.waitForLine((text) => text.includes('"msg":"listening"'), timeoutMs);
    const { port } = JSON.parse(line) as { port: number };
    if (waitFor !== 'listening') await waitForHealth(baseUrl(env.HOST!, port), waitFor, deadline, child);
    return { process: child, port };
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
}

/** Where a client reaches a service bound to `host`: a wildcard address means loopback. */
function baseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

async function waitForHealth(
  url: string,
  waitFor: 'healthy' | 'answering',
  deadline: number,
  child: ManagedProcess,
): Promise<void> {
  let last = 'no answer';
  while (Date.now() < deadline && !child.hasExited()) {
    try {
      const response = await fetch(`${url}/health`, {
        signal: AbortSignal.timeout(Math.max(deadline - Date.now(), 1)),
      });
      last = `${response.status} ${await response.text()}`;
      if (waitFor === 'answering' || response.ok) return;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `the service at ${url} was not ${waitFor} in time (last /health: ${last}):\n${child.output()}`,
  );
}
