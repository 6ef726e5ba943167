import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import type { PeerStatus } from '../replication/anti-entropy.js';
import type { Store } from '../store/store.js';
import { faultsActive } from './faults.js';
import type { Lifecycle } from './lifecycle.js';

export interface HealthOptions {
  config: Config;
  store: Store;
  lifecycle: Lifecycle;
  peers: () => PeerStatus[];
}

const STORE_PING_TIMEOUT_MS = 1000;

/** `GET /health`: 200 when this instance can serve, 503 while draining or when its store is unreachable. */
export const healthPlugin: FastifyPluginAsync<HealthOptions> = async (
  app,
  { config, store, lifecycle, peers },
) => {
  app.get(
    '/health',
    {
      schema: {
        response: {
          '2xx': healthResponseSchema,
          '5xx': healthResponseSchema,
        },
      },
    },
    async (_request, reply) => {
      const reachable = await pingWithin(store, STORE_PING_TIMEOUT_MS);
      const status = lifecycle.draining ? 'draining' : reachable ? 'ok' : 'store_unreachable';
      return reply.code(status === 'ok' ? 200 : 503).send({
        status,
        region: config.region,
        version: config.version,
        store: { kind: store.kind, reachable },
        faults: { active: faultsActive(config.faults), ...config.faults },
        peers: peers(),
      });
    },
  );
};

async function pingWithin(store: Store, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([store.ping().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const healthResponseSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'draining', 'store_unreachable'] },
    region: { type: 'string' },
    version: { type: 'string' },
    store: {
      type: 'object',
      properties: { kind: { type: 'string' }, reachable: { type: 'boolean' } },
    },
    faults: {
      type: 'object',
      properties: {
        active: { type: 'boolean' },
        errorRate: { type: 'number' },
        latencyMs: { type: 'number' },
      },
    },
    peers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          peer: { type: 'string' },
          lagSeconds: { type: 'number' },
          lastError: { type: 'string', nullable: true },
        },
      },
    },
  },
} as const;
