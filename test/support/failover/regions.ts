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

export async function startRegion(options: {
  name: string;
  host: string;
  port: number;
  env?: Record<string, string>;
}): Promise<Region> {
  const service: ServiceProcess = await startServiceProcess({
    port: options.port,
    env: { REGION: options.name, HOST: options.host, ...options.env },
  });
  const url = service.url;
  return {
    name: options.name,
    host: options.host,
    port: options.port,
    url,
    get pid() {
      return service.pid;
    },
    kill: () => service.kill(),
    restart: () => service.restart(),
    async stop() {
      await service.stop();
    },
    output: () => service.output(),
  };
}
