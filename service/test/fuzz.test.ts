import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { killAllManagedProcesses, startServiceProcess } from '../testing/process.js';
import type { ServiceProcess } from '../testing/process.js';

/**
 * Thousands of generated bad requests against a running instance (a real process, so Node's HTTP parser and
 * fastify's body parsing are in the path): every answer is below 500, is JSON, and every 4xx names a field.
 */
const RUNS = 3000;

let service: ServiceProcess;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  service = await startServiceProcess({
    env: { LIMIT_POLICIES: 'default:1000000:10000,writes:1000000:10000' },
  });
});

afterAll(async () => {
  agent.destroy();
  await service?.stop();
  killAllManagedProcesses();
});

interface Sent {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string | undefined;
}

function send({
  method,
  path,
  contentType,
  body,
}: Sent): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const req = request(
      { host: '127.0.0.1', port: service.port, method, path, headers, agent, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Percent-encodes every byte but unreserved ASCII, so any string or byte sequence (invalid UTF-8 too) is a legal path. */
const encodeBytes = (bytes: Uint8Array) =>
  [...bytes]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');

const pathSegment = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((text) => encodeBytes(Buffer.from(text, 'utf8'))),
  fc.string({ unit: 'binary', maxLength: 40 }).map((text) => encodeBytes(Buffer.from(text, 'utf8'))),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map(encodeBytes),
  fc.integer({ min: 129, max: 3000 }).map((length) => 'a'.repeat(length)),
  fc.constantFrom('%', '%E0%A4%A', '%zz', '%C0%AF', '..', '%2e%2e', 'a%2Fb', '%00', 'ok-subject'),
);

const field = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.integer(),
  fc.double(),
);
const ratingLike = fc.record(
  { id: field, actor: field, stars: field, extra: field, __proto__: field },
  { requiredKeys: [] },
);
const takeLike = fc.record({ cost: field, policy: field, extra: field }, { requiredKeys: [] });

const body = fc.oneof(
  ratingLike.map((value) => JSON.stringify(value)),
  takeLike.map((value) => JSON.stringify(value)),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc
    .tuple(
      ratingLike.map((value) => JSON.stringify(value)),
      fc.nat(),
    )
    .map(([text, cut]) => text.slice(0, cut % Math.max(text.length, 1))),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .integer({ min: 4097, max: 20_000 })
    .map((size) => JSON.stringify({ id: 'x', actor: 'y', stars: 1, pad: 'p'.repeat(size) })),
  fc.constant(''),
  fc.constant(undefined),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  undefined,
);

const route = fc.constantFrom(
  { method: 'POST', template: '/v1/subjects/{}/ratings' },
  { method: 'GET', template: '/v1/subjects/{}/rating' },
  { method: 'POST', template: '/v1/limits/{}/take' },
  { method: 'PUT', template: '/v1/subjects/{}/ratings' },
  { method: 'DELETE', template: '/v1/limits/{}/take' },
  { method: 'POST', template: '/v1/subjects/{}' },
  { method: 'GET', template: '/internal/v1/replication/changes?since={}' },
);

const badRequest = fc
  .record({ route, segment: pathSegment, contentType, body })
  .map(({ route, segment, contentType, body }): Sent => ({
    method: route.method,
    path: route.template.replace('{}', segment),
    contentType: body === undefined ? undefined : contentType,
    body: route.method === 'GET' ? undefined : body,
  }));

describe('fuzz', () => {
  it(`answers ${RUNS} generated bad requests with a 4xx JSON error naming the field, never a 5xx`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(badRequest, async (sent) => {
        const response = await send(sent);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status).toBeLessThan(500);
        expect(response.type).toContain('application/json');
        const parsed = JSON.parse(response.text) as { error?: unknown; field?: unknown; message?: unknown };
        if (response.status >= 400) {
          expect(typeof parsed.error).toBe('string');
          expect(typeof parsed.message).toBe('string');
          expect(parsed.field).toEqual(expect.stringMatching(/^(url|body|params|querystring|headers)(\.|$)/));
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000), verbose: true },
    );
    // Mostly refusals, as intended; the service is still up and healthy afterwards.
    const refused = [...statuses].filter(([status]) => status >= 400).reduce((sum, [, n]) => sum + n, 0);
    expect(refused).toBeGreaterThan(RUNS * 0.9);
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    expect(service.output()).not.toContain('"level":50');
  });
});
