import fp from 'fastify-plugin';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FaultSettings {
  /** Share of API requests (/v1/...) answered 500. */
  errorRate: number;
  /** Added to every request but /metrics. */
  latencyMs: number;
}

export function faultsActive(faults: FaultSettings): boolean {
  return faults.errorRate > 0 || faults.latencyMs > 0;
}

/**
 * Fault injection for drills and canary tests. Latency applies everywhere but /metrics (a slow region is slow
 * on its health check too); errors only on the API, so a canary with a bad code path still passes its health
 * check, as in real life.
 */
export const faultsPlugin = fp<{ faults: FaultSettings; random: () => number }>(
  async (app, { faults, random }) => {
    if (!faultsActive(faults)) return;
    app.log.warn({ faults }, 'fault injection active');
    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.url;
      if (route === '/metrics') return;
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (faults.errorRate > 0 && route?.startsWith('/v1/') && random() < faults.errorRate) {
        return reply.code(500).send({
          error: 'fault_injected',
          message: `Injected fault (FAULT_ERROR_RATE=${faults.errorRate}).`,
        });
      }
    });
  },
  { name: 'faults' },
);
