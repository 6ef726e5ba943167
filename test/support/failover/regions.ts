/**
 * Rating-service regions for the failover tests: real service processes, each on its own loopback address
 * (127.0.0.2, 127.0.0.3, ...: all of 127/8 reaches loopback on Linux) and the same port, so one DNS name can be
 * pointed at one region or the other without changing the URL.
 */
import { startServiceProcess, type ServiceProcess } from '../../../service/testing/process.js';

export interface Region {
  name: string;
  host: string;
  port: number;
  /** `http://<host>:<port>` */
  url: string;
  readonly pid: number;
  kill(): Promise<void>;
  /** Starts it again on the same address and port, and waits until /health answers 200. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

export async function waitHealthy(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      last = `${response.status}`;
      if (response.ok) return;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url}/health did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

export async function startRegion(options: {
  name: string;
  host: string;
  port: number;
  env?: Record<string, string>;
}): Promise<Region> {
  const url = `http://${options.host}:${options.port}`;
  // startServiceProcess waits for /health on 127.0.0.1: wait for the listening line, then check our own address
  const service: ServiceProcess = await startServiceProcess({
    port: options.port,
    waitFor: 'listening',
    env: { REGION: options.name, HOST: options.host, ...options.env },
  });
  await waitHealthy(url);
  return {
    name: options.name,
    host: options.host,
    port: options.port,
    url,
    get pid() {
      return service.pid;
    },
    kill: () => service.kill(),
    async restart() {
      await service.restart();
      await waitHealthy(url);
    },
    async stop() {
      await service.stop();
    },
    output: () => service.output(),
  };
}
