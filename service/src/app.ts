import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { errorsPlugin, sendFrameworkError } from './http/errors.js';
import { faultsPlugin } from './http/faults.js';
import { healthPlugin } from './http/health.js';
import { lifecyclePlugin } from './http/lifecycle.js';
import type { Lifecycle } from './http/lifecycle.js';
import { limitsPlugin } from './http/limits.js';
import { createMetrics, metricsPlugin } from './http/metrics.js';
import type { ServiceMetrics } from './http/metrics.js';
import { ratingsPlugin } from './http/ratings.js';
import { replicationPlugin } from './http/replication.js';
import { AntiEntropy } from './replication/anti-entropy.js';
import type { Store } from './store/store.js';

export interface AppOptions {
  config: Config;
  store: Store;
  /** Defaults to Date.now; tests pass a clock they move. */
  now?: () => number;
  /** Defaults to Math.random; decides which requests a FAULT_ERROR_RATE fails. */
  random?: () => number;
  /** Defaults to a JSON logger on stdout at the configured level. */
  logger?: FastifyBaseLogger;
}

export interface App {
  app: FastifyInstance;
  lifecycle: Lifecycle;
  metrics: ServiceMetrics;
  antiEntropy: AntiEntropy;
}

/**
 * Longest path parameter the router accepts. Longer ones would not match a route at all (a 404 that names no
 * field); up to this length they reach the schema, which answers 400 naming the parameter.
 */
const MAX_PARAM_LENGTH = 16_384;

/** The HTTP service: one plugin per concern, wired to a store. Anti-entropy runs from ready to close. */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config, store } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    ...(options.logger === undefined
      ? { logger: { level: config.logLevel } }
      : { loggerInstance: options.logger }),
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: sendFrameworkError,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false },
    },
    return503OnClosing: true,
  });
  const lifecycle: Lifecycle = { draining: false };
  const metrics = createMetrics({ region: config.region, version: config.version, store: store.kind });
  const antiEntropy = new AntiEntropy({
    peers: config.peers,
    store,
    intervalMs: config.replication.intervalMs,
    timeoutMs: config.replication.timeoutMs,
    token: config.replication.token,
    metrics,
    log: app.log,
    now,
  });

  await app.register(errorsPlugin);
  await app.register(metricsPlugin, { metrics });
  await app.register(lifecyclePlugin, { lifecycle });
  await app.register(faultsPlugin, { faults: config.faults, random: options.random ?? Math.random });
  await app.register(healthPlugin, { config, store, lifecycle, peers: () => antiEntropy.status() });
  await app.register(ratingsPlugin, { config, store, metrics, now });
  await app.register(limitsPlugin, { config, store, metrics, now });
  await app.register(replicationPlugin, { store, region: config.region, token: config.replication.token });

  app.addHook('onReady', async () => antiEntropy.start());
  app.addHook('onClose', async () => antiEntropy.stop());
  return { app, lifecycle, metrics, antiEntropy };
}
