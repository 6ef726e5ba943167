import { connect } from 'node:net';
import { afterAll, describe, expect, it } from '@jest/globals';
import { killAllManagedProcesses, startServiceProcess } from '../testing/process.js';

afterAll(() => killAllManagedProcesses());

/** Resolves true when a TCP connection to the port is refused. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('SIGTERM', () => {
  it('turns /health 503, finishes the requests in flight, refuses new connections and exits 0', async () => {
    // Every request takes 1 s (FAULT_LATENCY_MS), the listener closes 0.5 s after the signal.
    const service = await startServiceProcess({
      env: { FAULT_LATENCY_MS: '1000', SHUTDOWN_DRAIN_DELAY_MS: '500', SHUTDOWN_TIMEOUT_MS: '8000' },
    });
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      fetch(`${service.url}/v1/subjects/drain/ratings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `e${i}`, actor: `a${i}`, stars: 4 }),
        signal: AbortSignal.timeout(8000),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { count: number },
      })),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exit = service.stop(10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const health = fetch(`${service.url}/health`, { signal: AbortSignal.timeout(8000) }).then(
      async (response) => ({
        status: response.status,
        body: await response.json(),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await connectionRefused(service.port)).toBe(true);

    const results = await Promise.all(inFlight);
    expect(results.map((result) => result.status)).toEqual(Array(20).fill(201));
    expect(results.map((result) => result.body.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(await health).toMatchObject({ status: 503, body: { status: 'draining' } });
    expect(await exit).toBe(0);
    expect(service.output()).toContain('"msg":"stopped"');
  });

  it('exits 1 once SHUTDOWN_TIMEOUT_MS has passed with requests still running', async () => {
    const service = await startServiceProcess({
      env: { FAULT_LATENCY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '300' },
      waitFor: 'listening',
    });
    const stuck = fetch(`${service.url}/health`, { signal: AbortSignal.timeout(8000) }).then(
      (response) => `answered ${response.status}`,
      (error: Error) => `failed: ${error.message}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await service.stop(5000)).toBe(1);
    expect(service.output()).toContain('shutdown timed out');
    expect(await stuck).toMatch(/^failed/);
  });
});
