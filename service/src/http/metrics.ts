import type { FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BucketPolicy, TakeResult } from '../domain/token-bucket.js';

/**
 * Every metric the service exports, in one registry per app. Label values are never user-supplied: routes are
 * templates, policies and peers come from the configuration, outcomes are fixed sets.
 */
export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'code'>;
  httpDuration: Histogram<'route'>;
  ratings: Counter<'outcome'>;
  limitTakes: Counter<'policy' | 'outcome'>;
  bucketFill: Gauge<'policy'>;
  replicationLag: Gauge<'peer'>;
  /** Where `replication_lag_seconds` reads its values at each scrape. */
  setReplicationLagSource(source: () => { peer: string; lagSeconds: number }[]): void;
  replicationPulls: Counter<'peer' | 'outcome'>;
}

/** Fine enough for p50/p95/p99 anywhere from 1 ms to 2 s. */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10,
];

export function createMetrics(info: { region: string; version: string; store: string }): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const buildInfo = new Gauge({
    name: 'rating_service_build_info',
    help: 'Always 1; labels: version, region, store kind and Node.js version of this process',
    labelNames: ['version', 'region', 'store', 'node_version'],
    registers: [registry],
  });
  buildInfo.set({ ...info, node_version: process.version }, 1);
  let lagSource: () => { peer: string; lagSeconds: number }[] = () => [];
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route template, method and status code',
      labelNames: ['route', 'method', 'code'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to sending its response, by route template',
      labelNames: ['route'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    ratings: new Counter({
      name: 'ratings_total',
      help: 'Rating writes by outcome: recorded, replayed (same event id), conflict (event id reused), rate_limited',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    limitTakes: new Counter({
      name: 'limit_takes_total',
      help: 'Token-bucket takes by policy and outcome (allowed, denied), rating writes included',
      labelNames: ['policy', 'outcome'],
      registers: [registry],
    }),
    bucketFill: new Gauge({
      name: 'token_bucket_fill_ratio',
      help: 'Tokens left over capacity (0 to 1) in the bucket of the latest take, by policy',
      labelNames: ['policy'],
      registers: [registry],
    }),
    replicationLag: new Gauge({
      name: 'replication_lag_seconds',
      help: "Age of this region's view of each peer: time since the start of the latest pull that read the peer's feed to its end",
      labelNames: ['peer'],
      registers: [registry],
      collect() {
        for (const { peer, lagSeconds } of lagSource()) this.set({ peer }, lagSeconds);
      },
    }),
    setReplicationLagSource(source) {
      lagSource = source;
    },
    replicationPulls: new Counter({
      name: 'replication_pulls_total',
      help: 'Anti-entropy pulls from each peer, by outcome (ok, error)',
      labelNames: ['peer', 'outcome'],
      registers: [registry],
    }),
  };
}

/** Counts a token-bucket take and records the fill it left. */
export function observeTake(metrics: ServiceMetrics, policy: BucketPolicy, take: TakeResult): void {
  metrics.limitTakes.inc({ policy: policy.name, outcome: take.allowed ? 'allowed' : 'denied' });
  metrics.bucketFill.set({ policy: policy.name }, Math.min(1, take.remaining / policy.capacity));
}

/** Requests that match no route are counted under this route label. */
const UNMATCHED_ROUTE = 'unmatched';

/** Counts and times every response (including errors and 404s), and serves `GET /metrics`. */
export const metricsPlugin = fp<{ metrics: ServiceMetrics }>(
  async (app, { metrics }) => {
    const observe = (route: string, request: FastifyRequest, reply: FastifyReply) => {
      metrics.httpRequests.inc({ route, method: request.method, code: String(reply.statusCode) });
      metrics.httpDuration.observe({ route }, reply.elapsedTime / 1000);
    };
    // Each route counts its own responses under its template, captured here: request.routeOptions builds a
    // new object on every read, which cost about half a microsecond a request.
    app.addHook('onRoute', (route) => {
      const template = route.url;
      const hook: onResponseHookHandler = (request, reply, done) => {
        observe(template, request, reply);
        done();
      };
      route.onResponse = [...[route.onResponse ?? []].flat(), hook];
    });
    // What no route matched (404s, and requests refused before routing).
    app.addHook('onResponse', (request, reply, done) => {
      if (request.is404) observe(UNMATCHED_ROUTE, request, reply);
      done();
    });
    app.get('/metrics', async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'metrics' },
);
