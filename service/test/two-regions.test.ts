import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findFreePort, killAllManagedProcesses, startServiceProcess } from '../testing/process.js';
import type { ServiceProcess } from '../testing/process.js';
import { waitFor } from './support/wait.js';

/**
 * Two regions as two real processes on the embedded store, each listing the other in PEERS. The replication
 * bound is REPLICATION_INTERVAL_MS + REPLICATION_TIMEOUT_MS (see service/README.md).
 */
const INTERVAL_MS = 200;
const TIMEOUT_MS = 1500;
const BOUND_MS = INTERVAL_MS + TIMEOUT_MS;

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.json() };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: await response.json() };
}

let east: ServiceProcess;
let west: ServiceProcess;

beforeAll(async () => {
  const [eastPort, westPort] = [await findFreePort(), await findFreePort()];
  const env = (region: string, peerPort: number) => ({
    REGION: region,
    PEERS: `http://127.0.0.1:${peerPort}`,
    REPLICATION_INTERVAL_MS: String(INTERVAL_MS),
    REPLICATION_TIMEOUT_MS: String(TIMEOUT_MS),
    LIMIT_POLICIES: 'default:5:0.01,writes:100:10',
  });
  [east, west] = await Promise.all([
    startServiceProcess({ port: eastPort, env: env('us-east-1', westPort) }),
    startServiceProcess({ port: westPort, env: env('us-west-2', eastPort) }),
  ]);
});

afterAll(async () => {
  await Promise.all([east?.stop(), west?.stop()]);
  killAllManagedProcesses();
});

const rating = (service: ServiceProcess, subject: string) =>
  getJson(`${service.url}/v1/subjects/${subject}/rating`);
const rate = (service: ServiceProcess, subject: string, body: object) =>
  postJson(`${service.url}/v1/subjects/${subject}/ratings`, body);

describe('two regions', () => {
  it('serves in each region under its own name', async () => {
    expect((await getJson(`${east.url}/health`)).body).toMatchObject({ status: 'ok', region: 'us-east-1' });
    expect((await getJson(`${west.url}/health`)).body).toMatchObject({ status: 'ok', region: 'us-west-2' });
  });

  it('shows a write in one region in the other within the replication bound', async () => {
    const written = await rate(east, 'lamp', { id: 'east-1', actor: 'ann', stars: 5 });
    expect(written.status).toBe(201);
    const seen = await waitFor(
      'the rating in the west',
      async () => {
        const read = await rating(west, 'lamp');
        return read.body.count === 1 ? read.body : undefined;
      },
      { timeoutMs: BOUND_MS },
    );
    const { id: _id, ...summary } = written.body;
    expect(seen).toEqual(summary);
  });

  it('does not give a key that spent its budget in one region a fresh budget in the other', async () => {
    for (let i = 0; i < 5; i += 1)
      expect((await postJson(`${east.url}/v1/limits/tenant-9/take`, { cost: 1 })).body.allowed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, BOUND_MS));
    expect((await postJson(`${west.url}/v1/limits/tenant-9/take`, { cost: 1 })).body).toMatchObject({
      allowed: false,
      remaining: 0,
    });
  });

  it('keeps serving the data of a region that was killed, and catches that region up when it returns', async () => {
    await rate(east, 'desk', { id: 'east-2', actor: 'bob', stars: 2 });
    await waitFor(
      'the east rating in the west',
      async () => ((await rating(west, 'desk')).body.count === 1 ? true : undefined),
      {
        timeoutMs: BOUND_MS,
      },
    );

    await east.kill();
    expect((await rating(west, 'desk')).body).toMatchObject({ count: 1, distribution: [0, 1, 0, 0, 0] });
    // A client retrying the east write against the west is answered from the replicated event.
    const retry = await rate(west, 'desk', { id: 'east-2', actor: 'bob', stars: 2 });
    expect(retry).toMatchObject({ status: 201, body: { count: 1 } });
    expect((await rate(west, 'desk', { id: 'west-1', actor: 'cy', stars: 4 })).status).toBe(201);
    const health = await waitFor(
      'the west to notice the east is gone',
      async () => {
        const body = (await getJson(`${west.url}/health`)).body;
        return body.peers[0]?.lastError ? body : undefined;
      },
      { timeoutMs: BOUND_MS * 2 },
    );
    expect(health.status).toBe('ok');

    await east.restart();
    const expected = (await rating(west, 'desk')).body;
    expect(expected).toMatchObject({ count: 2, distribution: [0, 1, 0, 1, 0] });
    await waitFor(
      'the east to converge with the west',
      async () => {
        const [eastView, westView] = [(await rating(east, 'desk')).body, (await rating(west, 'desk')).body];
        return JSON.stringify(eastView) === JSON.stringify(westView) ? true : undefined;
      },
      { timeoutMs: BOUND_MS * 2 },
    );
    expect((await rating(east, 'lamp')).body).toMatchObject({ count: 1 });

    // The returned region writes under a new replica id, and its writes reach the west.
    expect((await rate(east, 'desk', { id: 'east-3', actor: 'dee', stars: 5 })).status).toBe(201);
    await waitFor(
      'the new east write in the west',
      async () => ((await rating(west, 'desk')).body.count === 3 ? true : undefined),
      {
        timeoutMs: BOUND_MS,
      },
    );
  });
});
