import { pino } from 'pino';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { App } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import type { Config } from './config.js';
import { faultsActive } from './http/faults.js';
import { createStore } from './store/create-store.js';
import type { Store } from './store/store.js';

/**
 * The process: configuration from the environment, the store, the HTTP service, a graceful SIGTERM. Logs are
 * JSON lines on stdout; the `listening` line carries the bound port (useful with PORT=0).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = pino({ level: config.logLevel });
  const store = createStore(config, log);
  const service = await buildApp({ config, store, logger: log });
  process.once('SIGTERM', () => void shutdown('SIGTERM', config, service, store, log));
  process.once('SIGINT', () => void shutdown('SIGINT', config, service, store, log));
  await service.app.listen({ port: config.port, host: config.host });
  const address = service.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  log.info(
    {
      host: config.host,
      port,
      region: config.region,
      version: config.version,
      store: store.kind,
      peers: config.peers,
      faults: faultsActive(config.faults) ? config.faults : undefined,
    },
    'listening',
  );
}

function loadConfigOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`rating-service: ${error.message}`);
    process.exit(2);
  }
}

/**
 * SIGTERM: /health turns 503 at once; after SHUTDOWN_DRAIN_DELAY_MS (time for load balancers to notice) the
 * listener closes, so new connections are refused, while requests in flight finish; then the store closes
 * and the process exits 0. If that takes longer than SHUTDOWN_TIMEOUT_MS it exits 1 regardless.
 */
async function shutdown(
  signal: string,
  config: Config,
  service: App,
  store: Store,
  log: Logger,
): Promise<void> {
  service.lifecycle.draining = true;
  log.info({ signal, drainDelayMs: config.shutdown.drainDelayMs }, 'draining');
  setTimeout(() => {
    log.error({ timeoutMs: config.shutdown.timeoutMs }, 'shutdown timed out; exiting');
    process.exit(1);
  }, config.shutdown.timeoutMs).unref();
  await new Promise((resolve) => setTimeout(resolve, config.shutdown.drainDelayMs));
  await service.app.close();
  await store.close();
  log.info('stopped');
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error('rating-service: failed to start:', error);
  process.exit(1);
});
