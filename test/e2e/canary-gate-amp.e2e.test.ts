/**
 * canary-gate against Amazon Managed Service for Prometheus, end to end: the built bundle run as the Actions
 * runner runs it, with credentials in the environment as aws-actions/configure-aws-credentials leaves them
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, read by the SDK's default chain). Its queries go
 * to a local workspace endpoint that verifies each SigV4 signature with the SDK's own primitives and refuses a
 * wrong one with 403, in front of a real Prometheus scraping two rating-service processes under load.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startServiceProcess, type ServiceProcess } from '../../service/testing/process.js';
import { runAction, type RunResult } from '../harness/runner.js';
import { startLoad, type Load } from '../support/load.js';
import { startPrometheus, waitForScrapes, type PrometheusServer } from '../support/prometheus.js';
import { startSigV4Endpoint, TEST_CREDENTIALS, type SigV4Endpoint } from '../support/sigv4-endpoint.js';

let services: ServiceProcess[];
let prometheus: PrometheusServer;
let endpoint: SigV4Endpoint;
let load: Load;

beforeAll(async () => {
  services = await Promise.all(
    ['baseline', 'canary'].map(() =>
      startServiceProcess({ env: { REGION: 'us-east-1', FAULT_LATENCY_MS: '30' } }),
    ),
  );
  prometheus = await startPrometheus(
    services.map((s, i) => ({
      address: `127.0.0.1:${s.port}`,
      labels: { track: i === 0 ? 'baseline' : 'canary' },
    })),
  );
  endpoint = await startSigV4Endpoint({ upstream: prometheus.url, region: 'eu-west-1' });
  load = startLoad(
    services.flatMap((s) => ['a', 'b', 'c'].map((x) => `${s.url}/v1/subjects/item-${x}/rating`)),
    { ratePerSecond: 500, maxDurationMs: 90_000, workers: 24 },
  );
  await waitForScrapes(prometheus.url, 2, 3);
}, 60_000);

afterAll(async () => {
  await load?.stop();
  await endpoint?.stop();
  await prometheus?.stop();
  await Promise.all((services ?? []).map((s) => s.stop()));
});

function analyse(env: Record<string, string>, extra: Record<string, string> = {}): Promise<RunResult> {
  return runAction({
    action: 'canary-gate',
    eventName: 'workflow_dispatch',
    inputs: {
      'prometheus-url': endpoint.url,
      // the local endpoint's URL is not an AMP one, so signing is asked for, with the region
      'aws-sigv4': 'true',
      'aws-region': 'eu-west-1',
      'canary-selector': 'track="canary"',
      'baseline-selector': 'track="baseline"',
      interval: '3s',
      iterations: '8',
      'fail-on': 'rollback',
      ...extra,
    },
    env,
    timeoutMs: 60_000,
  });
}

const GOOD = {
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: TEST_CREDENTIALS.sessionToken,
  AWS_EC2_METADATA_DISABLED: 'true',
};

describe('canary-gate on an AMP workspace (SigV4)', () => {
  test('signs every query with the credentials of the default chain; the identical canary is judged', async () => {
    const before = endpoint.verified;
    const r = await analyse(GOOD);
    expect(endpoint.refused).toEqual([]);
    // judged on the data that came through the endpoint: promoted, or (on a busy machine, whose scheduling
    // noise lands in the p99) inconclusive with the traffic that would decide; never error or rollback
    if (r.outputs['decision'] !== 'promote') console.log(r.summary);
    expect(['promote', 'inconclusive']).toContain(r.outputs['decision']);
    if (r.outputs['decision'] === 'inconclusive')
      expect(Number(r.outputs['more-intervals'])).toBeGreaterThan(0);
    else expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.runnerTemp[r.outputs['report']!]!);
    // every query was answered through the verifying endpoint
    expect(endpoint.verified - before).toBe(report.queries.length);
    // (a query may still read no data, e.g. no 5xx series yet: never a refusal)
    expect(report.queries.filter((q: { problem?: string }) => /HTTP|sign/i.test(q.problem ?? ''))).toEqual(
      [],
    );
    expect(r.log).toContain('signed with SigV4 for aps in eu-west-1');
  }, 90_000);

  test('a wrong secret key is refused by the endpoint and the gate ends in error, not inconclusive', async () => {
    const refusedBefore = endpoint.refused.length;
    const r = await analyse({ ...GOOD, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect(endpoint.refused.length).toBeGreaterThan(refusedBefore);
    expect(endpoint.refused.at(-1)).toBe('the request signature does not match');
    expect(r.outputs['decision']).toBe('error');
    expect(r.exitCode).toBe(1);
    expect(r.annotations.at(-1)!.message).toMatch(/HTTP 403.*signature does not match/);
  }, 60_000);

  test('without signing the endpoint refuses the query: nothing is sent unsigned to a URL that needs it', async () => {
    const r = await analyse(GOOD, { 'aws-sigv4': 'false' });
    expect(endpoint.refused.at(-1)).toBe('no SigV4 Authorization header');
    expect(r.outputs['decision']).toBe('error');
  }, 60_000);
});
