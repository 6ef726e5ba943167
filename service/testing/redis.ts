import { findFreePort, startManagedProcess } from './child-process.js';
import type { ManagedProcess } from './child-process.js';

export interface RedisServer {
  url: string;
  port: number;
  readonly pid: number;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait: an outage. */
  kill(): Promise<void>;
  /** Starts again on the same port, empty (no persistence). */
  restart(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/** A throwaway `redis-server` on 127.0.0.1 and a free port, without persistence. */
export async function startRedisServer(options: { port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await findFreePort());
  let current = await launch(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return current.pid;
    },
    async stop() {
      await current.stop('SIGTERM');
    },
    async kill() {
      await current.stop('SIGKILL');
    },
    async restart() {
      if (!current.hasExited()) await current.stop('SIGTERM');
      current = await launch(port);
    },
  };
}

async function launch(port: number): Promise<ManagedProcess> {
  const server = startManagedProcess(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
    ],
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
  );
  await server.waitForLine((line) => line.includes('Ready to accept connections'), READY_TIMEOUT_MS);
  return server;
}
