import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { killAllManagedProcesses, startRedisServer, startServiceProcess } from '../testing/process.js';
import type { RedisServer, ServiceProcess } from '../testing/process.js';
import { waitFor } from './support/wait.js';

let redis: RedisServer;
let service: ServiceProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  service = await startServiceProcess({
    env: { REDIS_URL: redis.url, LIMIT_POLICIES: 'default:100:10,writes:100000:10000' },
  });
});

afterAll(async () => {
  await service?.stop();
  await redis?.stop();
  killAllManagedProcesses();
});

interface Outcome {
  status: number | 'network-error';
  error?: string;
}

/** Load from `workers` clients until `until()` or `maxRequests`, each request bounded by a timeout. */
async function load(
  phase: string,
  until: () => boolean,
  maxRequests: number,
  workers = 8,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let sent = 0;
  const worker = async (w: number) => {
    while (!until() && sent < maxRequests) {
      const n = sent++;
      const write = n % 2 === 0;
      try {
        const response = await fetch(
          write
            ? `${service.url}/v1/subjects/s${n % 7}/ratings`
            : `${service.url}/v1/subjects/s${n % 7}/rating`,
          {
            method: write ? 'POST' : 'GET',
            headers: write ? { 'content-type': 'application/json' } : {},
            body: write
              ? JSON.stringify({ id: `${phase}-${n}`, actor: `w${w}`, stars: (n % 5) + 1 })
              : undefined,
            signal: AbortSignal.timeout(5000),
          },
        );
        const body = (await response.json()) as { error?: string };
        outcomes.push({ status: response.status, error: body.error });
      } catch {
        outcomes.push({ status: 'network-error' });
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return outcomes;
}

const failed = (outcome: Outcome) => outcome.status !== 200 && outcome.status !== 201;

describe('Redis killed under load', () => {
  it('answers 503 on /health and cleanly on the API while Redis is down, and recovers when it returns', async () => {
    const before = await load('before', () => false, 300);
    expect(before.filter(failed)).toEqual([]);

    let phase: 'down' | 'done' = 'down';
    const during = load('during', () => phase === 'done', 20_000);
    await redis.kill();
    await waitFor(
      '/health to turn 503',
      async () => {
        const response = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(3000) });
        const body = (await response.json()) as { status: string };
        return response.status === 503 && body.status === 'store_unreachable' ? true : undefined;
      },
      { timeoutMs: 5000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await redis.restart();
    await waitFor(
      '/health to turn 200 again',
      async () => ((await fetch(`${service.url}/health`)).ok ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    phase = 'done';
    const outcomes = await during;

    const unavailable = outcomes.filter((outcome) => outcome.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(unavailable.every((outcome) => outcome.error === 'store_unavailable')).toBe(true);
    expect(outcomes.filter((outcome) => outcome.status !== 503 && failed(outcome))).toEqual([]);

    const after = await load('after', () => false, 200);
    expect(after.filter(failed)).toEqual([]);
    expect(service.output()).toContain('store disconnected');
    expect(
      service
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":50')),
    ).toEqual([]);
  });
});
