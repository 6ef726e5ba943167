import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import type { App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { StoreUnavailableError } from '../src/store/store.js';

/** Every route through fastify's inject(), on the embedded store with a clock the test moves. */

const T0 = Date.UTC(2030, 0, 1);
const built: App[] = [];
let clock = T0;

async function service(env: Record<string, string> = {}, store?: MemoryStore) {
  clock = T0;
  const config = loadConfig({
    REGION: 'eu-west-1',
    LIMIT_POLICIES: 'default:10:1,writes:3:0.5,bulk:1000:100',
    ...env,
  });
  const app = await buildApp({
    config,
    store: store ?? new MemoryStore({ region: config.region, eventTtlMs: config.eventTtlMs }),
    now: () => clock,
    logger: pino({ level: 'silent' }),
  });
  built.push(app);
  return app;
}

const rate = (app: App, subject: string, body: unknown) =>
  app.app.inject({ method: 'POST', url: `/v1/subjects/${subject}/ratings`, payload: body as object });

afterEach(async () => {
  await Promise.all(built.splice(0).map(({ app }) => app.close()));
});

describe('POST /v1/subjects/:subject/ratings', () => {
  it('records a rating and answers the new score with the rate-limit headers', async () => {
    const app = await service();
    const response = await rate(app, 'prod-1', { id: 'e1', actor: 'alice', stars: 5 });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      id: 'e1',
      subject: 'prod-1',
      count: 1,
      mean: 5,
      score: 3.1818,
      distribution: [0, 0, 0, 0, 1],
      updatedAt: new Date(T0).toISOString(),
    });
    expect(response.headers['ratelimit-policy']).toBe('"writes";q=3;w=6');
    expect(response.headers['ratelimit']).toBe('"writes";r=2;t=2');
  });

  it('answers a retry with the first result, marked as replayed, without counting it again', async () => {
    const app = await service();
    const first = await rate(app, 'prod-2', { id: 'e1', actor: 'alice', stars: 4 });
    clock += 5000;
    await rate(app, 'prod-2', { id: 'e2', actor: 'bob', stars: 2 });
    const retry = await rate(app, 'prod-2', { id: 'e1', actor: 'alice', stars: 4 });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    const read = await app.app.inject({ method: 'GET', url: '/v1/subjects/prod-2/rating' });
    expect(read.json()).toMatchObject({ count: 2, distribution: [0, 1, 0, 1, 0] });
  });

  it('refuses an event id reused for another rating with 409 naming body.id', async () => {
    const app = await service();
    await rate(app, 'prod-3', { id: 'e1', actor: 'alice', stars: 4 });
    const response = await rate(app, 'prod-3', { id: 'e1', actor: 'alice', stars: 1 });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: 'idempotency_conflict', field: 'body.id' });
  });

  it('limits writes per actor: 429 with Retry-After and the RateLimit headers, other actors unaffected', async () => {
    const app = await service();
    for (let i = 0; i < 3; i += 1)
      expect((await rate(app, 'prod-4', { id: `a${i}`, actor: 'spammer', stars: 1 })).statusCode).toBe(201);
    const limited = await rate(app, 'prod-4', { id: 'a3', actor: 'spammer', stars: 1 });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.headers['ratelimit-policy']).toBe('"writes";q=3;w=6');
    expect(limited.headers['ratelimit']).toBe('"writes";r=0;t=6');
    expect(limited.json()).toMatchObject({ error: 'rate_limited', field: 'body.actor' });
    expect((await rate(app, 'prod-4', { id: 'b0', actor: 'someone-else', stars: 5 })).statusCode).toBe(201);
    clock += 2000;
    expect((await rate(app, 'prod-4', { id: 'a3', actor: 'spammer', stars: 1 })).statusCode).toBe(201);
  });
});

describe('GET /v1/subjects/:subject/rating', () => {
  it('answers the prior for a subject nobody rated', async () => {
    const app = await service({ RATING_PRIOR_MEAN: '3.5' });
    const response = await app.app.inject({ method: 'GET', url: '/v1/subjects/never-rated/rating' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      subject: 'never-rated',
      count: 0,
      mean: null,
      score: 3.5,
      distribution: [0, 0, 0, 0, 0],
      updatedAt: null,
    });
  });

  it('ranks a thousand 4.8-ish ratings above a single 5', async () => {
    const app = await service({ LIMIT_POLICIES: 'default:10:1,writes:5000:100' });
    await rate(app, 'one-five', { id: 'solo', actor: 'a', stars: 5 });
    for (let i = 0; i < 1000; i += 1) {
      await rate(app, 'many', { id: `m${i}`, actor: `actor${i % 50}`, stars: i % 5 === 0 ? 4 : 5 });
    }
    const read = async (subject: string) =>
      (await app.app.inject({ method: 'GET', url: `/v1/subjects/${subject}/rating` })).json() as {
        score: number;
        mean: number;
      };
    const [one, many] = [await read('one-five'), await read('many')];
    expect(many.mean).toBe(4.8);
    expect(one.score).toBeLessThan(many.score);
  });
});

describe('POST /v1/limits/:key/take', () => {
  it('takes from the default policy until empty, then denies with the wait', async () => {
    const app = await service();
    const take = (payload: object) =>
      app.app.inject({ method: 'POST', url: '/v1/limits/user-7/take', payload });
    expect((await take({ cost: 7 })).json()).toEqual({
      allowed: true,
      remaining: 3,
      retryAfterMs: 0,
      policy: 'default',
      capacity: 10,
    });
    const denied = await take({ cost: 5 });
    expect(denied.statusCode).toBe(200);
    expect(denied.json()).toEqual({
      allowed: false,
      remaining: 3,
      retryAfterMs: 2000,
      policy: 'default',
      capacity: 10,
    });
    expect(denied.headers['ratelimit']).toBe('"default";r=3;t=7');
    expect((await take({})).json()).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('keeps a separate bucket per named policy', async () => {
    const app = await service();
    const response = await app.app.inject({
      method: 'POST',
      url: '/v1/limits/user-7/take',
      payload: { cost: 500, policy: 'bulk' },
    });
    expect(response.json()).toMatchObject({ allowed: true, remaining: 500, policy: 'bulk', capacity: 1000 });
    expect(response.headers['ratelimit-policy']).toBe('"bulk";q=1000;w=10');
  });

  it('refuses an unknown policy and a cost above the capacity, naming the field', async () => {
    const app = await service();
    const unknown = await app.app.inject({
      method: 'POST',
      url: '/v1/limits/k/take',
      payload: { policy: 'gold' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      field: 'body.policy',
      message: expect.stringContaining('default, writes, bulk'),
    });
    const tooBig = await app.app.inject({ method: 'POST', url: '/v1/limits/k/take', payload: { cost: 11 } });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json()).toMatchObject({ field: 'body.cost' });
  });
});

describe('bad input', () => {
  const valid = { id: 'e1', actor: 'alice', stars: 3 };
  it.each([
    ['stars as a string', 'ok', { ...valid, stars: '3' }, 'body.stars'],
    ['stars out of range', 'ok', { ...valid, stars: 6 }, 'body.stars'],
    ['stars zero', 'ok', { ...valid, stars: 0 }, 'body.stars'],
    ['stars fractional', 'ok', { ...valid, stars: 4.5 }, 'body.stars'],
    ['a missing field', 'ok', { id: 'e1', stars: 3 }, 'body.actor'],
    ['an unknown field', 'ok', { ...valid, weight: 2 }, 'body.weight'],
    ['an actor with spaces', 'ok', { ...valid, actor: 'a b' }, 'body.actor'],
    ['an overlong event id', 'ok', { ...valid, id: 'x'.repeat(129) }, 'body.id'],
    ['a body that is an array', 'ok', [valid], 'body'],
    ['an overlong subject', 's'.repeat(5000), valid, 'params.subject'],
    ['an odd Unicode subject', encodeURIComponent('prod\u202e\u0000🙂'), valid, 'params.subject'],
    ['a subject with a slash', encodeURIComponent('a/b'), valid, 'params.subject'],
  ])('answers 400 naming the field for %s', async (_name, subject, body, field) => {
    const app = await service();
    const response = await rate(app, subject, body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request', field });
  });

  it.each([
    ['malformed JSON', 'application/json', '{"id": "e1",', 400, 'body'],
    ['an empty JSON body', 'application/json', '', 400, 'body'],
    [
      'a body over 4 KiB',
      'application/json',
      JSON.stringify({ id: 'x', actor: 'y', stars: 1, pad: 'p'.repeat(5000) }),
      413,
      'body',
    ],
    ['an unsupported content type', 'application/xml', '<rating/>', 415, 'headers.content-type'],
    [
      'a prototype-poisoning body',
      'application/json',
      '{"__proto__": {"admin": true}, "id": "e", "actor": "a", "stars": 1}',
      400,
      'body',
    ],
  ])('answers a 4xx JSON error for %s', async (_name, contentType, payload, status, field) => {
    const app = await service();
    const response = await app.app.inject({
      method: 'POST',
      url: '/v1/subjects/s/ratings',
      headers: { 'content-type': contentType },
      payload,
    });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ error: 'invalid_request', field });
  });

  it('answers a malformed URL and an unknown route with a JSON error naming the url', async () => {
    const app = await service();
    const malformed = await app.app.inject({ method: 'GET', url: '/v1/subjects/%E0%A4%A/rating' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ field: 'url' });
    const unknown = await app.app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'not_found', field: 'url' });
  });
});

describe('GET /health', () => {
  it('reports region, version, store and faults, 200 when it can serve', async () => {
    const app = await service({ SERVICE_VERSION: '2.0.0-canary' });
    const response = await app.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ok',
      region: 'eu-west-1',
      version: '2.0.0-canary',
      store: { kind: 'memory', reachable: true },
      faults: { active: false, errorRate: 0, latencyMs: 0 },
      peers: [],
    });
  });

  it('answers 503 while draining', async () => {
    const app = await service();
    app.lifecycle.draining = true;
    const response = await app.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'draining' });
  });

  it('answers 503 when the store is unreachable, and the API answers 503 with Retry-After', async () => {
    class UnreachableStore extends MemoryStore {
      override async ping(): Promise<void> {
        throw new StoreUnavailableError('down');
      }
      override async readRating(): Promise<never> {
        throw new StoreUnavailableError('down');
      }
    }
    const app = await service({}, new UnreachableStore({ region: 'eu-west-1', eventTtlMs: 1000 }));
    const health = await app.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'store_unreachable',
      store: { kind: 'memory', reachable: false },
    });
    const read = await app.app.inject({ method: 'GET', url: '/v1/subjects/x/rating' });
    expect(read.statusCode).toBe(503);
    expect(read.headers['retry-after']).toBe('1');
    expect(read.json()).toMatchObject({ error: 'store_unavailable' });
  });
});

describe('faults', () => {
  it('fails API requests at FAULT_ERROR_RATE but never /health or /metrics, and says so in /health', async () => {
    const app = await service({ FAULT_ERROR_RATE: '1' });
    const api = await app.app.inject({ method: 'GET', url: '/v1/subjects/x/rating' });
    expect(api.statusCode).toBe(500);
    expect(api.json()).toMatchObject({ error: 'fault_injected' });
    const health = await app.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ faults: { active: true, errorRate: 1, latencyMs: 0 } });
    expect((await app.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('fails only the configured share of requests', async () => {
    const draws = [0.1, 0.5, 0.29, 0.9];
    const config = loadConfig({ FAULT_ERROR_RATE: '0.3' });
    const app = await buildApp({
      config,
      store: new MemoryStore({ region: 'local', eventTtlMs: 1000 }),
      random: () => draws.shift() ?? 1,
      logger: pino({ level: 'silent' }),
    });
    built.push(app);
    const codes = [];
    for (let i = 0; i < 4; i += 1)
      codes.push((await app.app.inject({ method: 'GET', url: '/v1/subjects/x/rating' })).statusCode);
    expect(codes).toEqual([500, 200, 500, 200]);
  });

  it('delays every request but /metrics by FAULT_LATENCY_MS, /health included', async () => {
    const app = await service({ FAULT_LATENCY_MS: '300' });
    const timed = async (url: string) => {
      const started = performance.now();
      await app.app.inject({ method: 'GET', url });
      return performance.now() - started;
    };
    expect(await timed('/health')).toBeGreaterThanOrEqual(290);
    expect(await timed('/v1/subjects/x/rating')).toBeGreaterThanOrEqual(290);
    const metricsFirst = await Promise.race([
      app.app.inject({ method: 'GET', url: '/metrics' }).then(() => 'metrics'),
      new Promise((resolve) => setTimeout(() => resolve('delayed'), 290)),
    ]);
    expect(metricsFirst).toBe('metrics');
  });
});

describe('GET /metrics', () => {
  it('exports request counts and durations by route template, domain counters and build info, never user values', async () => {
    const app = await service({ PEERS: 'http://127.0.0.1:9' });
    await rate(app, 'secret-subject-42', { id: 'e1', actor: 'secret-actor', stars: 5 });
    await rate(app, 'secret-subject-42', { id: 'e1', actor: 'secret-actor', stars: 5 });
    await app.app.inject({ method: 'POST', url: '/v1/limits/secret-key/take', payload: { cost: 2 } });
    await app.app.inject({ method: 'GET', url: '/no/such/route' });
    const response = await app.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    expect(text).toContain(
      'http_requests_total{route="/v1/subjects/:subject/ratings",method="POST",code="201"} 2',
    );
    expect(text).toContain('http_requests_total{route="unmatched",method="GET",code="404"} 1');
    // One take was timed (whatever it took: the bucket it fell in depends on the machine).
    expect(text).toContain('http_request_duration_seconds_bucket{le="+Inf",route="/v1/limits/:key/take"} 1');
    expect(text).toContain('http_request_duration_seconds_count{route="/v1/limits/:key/take"} 1');
    for (const le of ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5']) {
      expect(text).toContain(`http_request_duration_seconds_bucket{le="${le}",route="/v1/limits/:key/take"}`);
    }
    expect(text).toContain('ratings_total{outcome="recorded"} 1');
    expect(text).toContain('ratings_total{outcome="replayed"} 1');
    expect(text).toContain('limit_takes_total{policy="default",outcome="allowed"} 1');
    expect(text).toContain('token_bucket_fill_ratio{policy="default"} 0.8');
    expect(text).toMatch(/replication_lag_seconds\{peer="http:\/\/127\.0\.0\.1:9"\} \d/);
    const buildInfo = text.split('\n').find((line) => line.startsWith('rating_service_build_info{'));
    expect(buildInfo).toMatch(/ 1$/);
    for (const label of ['region="eu-west-1"', 'store="memory"', 'version="', 'node_version="v'])
      expect(buildInfo).toContain(label);
    expect(text).not.toMatch(/secret-(subject|actor|key)/);
  });
});

describe('GET /internal/v1/replication/changes', () => {
  it('serves the change feed to peers holding the replication token', async () => {
    const app = await service({ REPLICATION_TOKEN: 'shared-secret-0123456789' });
    await rate(app, 'fed', { id: 'e1', actor: 'alice', stars: 5 });
    const url = '/internal/v1/replication/changes?since=0';
    expect((await app.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const response = await app.app.inject({
      method: 'GET',
      url,
      headers: { authorization: 'Bearer shared-secret-0123456789' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      region: 'eu-west-1',
      more: false,
      subjects: [{ subject: 'fed' }],
      buckets: [{ bucket: 'writes/alice' }],
      events: [{ id: 'e1', stars: 5 }],
    });
  });
});
