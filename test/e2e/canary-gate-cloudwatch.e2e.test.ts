/**
 * canary-gate end to end with `provider: cloudwatch`: the built bundle run as the Actions runner runs it, the
 * AWS SDK inside it pointed at the CloudWatch double by AWS_ENDPOINT_URL_CLOUDWATCH, with credentials and
 * region from the environment as the configure-aws-credentials step leaves them. The double validates every
 * request and answer against CloudWatch's Smithy model and serves, for whatever window the action asks, the
 * traffic configured per second, so the outcome does not depend on the wall clock.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchDouble } from '../cloudwatch-double/server.js';
import { runAction, type RunResult } from '../harness/runner.js';

const METRICS = `
- name: http-errors
  failures: SELECT SUM(Errors) FROM SCHEMA("OpenClaw/Rating", Track) WHERE {{selector}}
  total: SELECT SUM(Requests) FROM SCHEMA("OpenClaw/Rating", Track) WHERE {{selector}}
- name: checkout-errors
  failures: SELECT SUM(CheckoutFailures) FROM SCHEMA("OpenClaw/Rating", Track) WHERE {{selector}}
  total: SELECT SUM(Checkouts) FROM SCHEMA("OpenClaw/Rating", Track) WHERE {{selector}}
`;
const expr = (what: string, arm: 'canary' | 'baseline') =>
  `SELECT SUM(${what}) FROM SCHEMA("OpenClaw/Rating", Track) WHERE Track = '${arm}'`;

interface Traffic {
  requests: number;
  errors: number;
  checkouts: number;
  checkoutFailures: number;
}

let cw: CloudWatchDouble;
let runnerTemp: string;

beforeEach(async () => {
  cw = await CloudWatchDouble.start({ region: 'us-east-1' });
  runnerTemp = mkdtempSync(join(tmpdir(), 'canary-gate-cloudwatch-'));
});

afterEach(async () => {
  await cw.stop();
  rmSync(runnerTemp, { recursive: true, force: true });
  expect(cw.violations).toEqual([]);
  expect(cw.rejections).toEqual([]);
});

/** Each arm's traffic, per second: the double sums it over whatever window the action asks for. */
function serve(canary: Traffic, baseline: Traffic): void {
  for (const [arm, t] of [
    ['canary', canary],
    ['baseline', baseline],
  ] as const) {
    cw.defineSeries(expr('Requests', arm), { perSecond: t.requests })
      .defineSeries(expr('Errors', arm), { perSecond: t.errors })
      .defineSeries(expr('Checkouts', arm), { perSecond: t.checkouts })
      .defineSeries(expr('CheckoutFailures', arm), { perSecond: t.checkoutFailures });
  }
}

function gate(inputs: Record<string, string> = {}): Promise<RunResult> {
  return runAction({
    action: 'canary-gate',
    inputs: {
      provider: 'cloudwatch',
      metrics: METRICS,
      'canary-selector': "Track = 'canary'",
      'baseline-selector': "Track = 'baseline'",
      interval: '1s',
      iterations: '4',
      timeout: '2s',
      ...inputs,
    },
    env: {
      AWS_ENDPOINT_URL_CLOUDWATCH: cw.url,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      RUNNER_TEMP: runnerTemp,
    },
    timeoutMs: 40_000,
  });
}

interface Report {
  decision: string;
  looksTaken: number;
  providerProblems: string[];
  queries: { metric: string; arm: string; part: string; query: string; value?: number; problem?: string }[];
}

function report(result: RunResult): Report {
  const path = result.outputs['report'];
  expect(path).toBeDefined();
  expect(path!.startsWith(runnerTemp)).toBe(true);
  return JSON.parse(readFileSync(path!, 'utf8')) as Report;
}

/** Every GetMetricData call asked for one 1-second look, with one Metrics Insights query (CloudWatch's limit). */
function expectOneSecondLooks(): void {
  const calls = cw.getMetricDataCalls();
  expect(calls.length).toBeGreaterThan(0);
  for (const call of calls) {
    const body = call.body as { StartTime: number; EndTime: number; MetricDataQueries: { Period: number }[] };
    expect(Math.round((body.EndTime - body.StartTime) * 1000)).toBe(1000);
    expect(body.MetricDataQueries).toHaveLength(1);
    expect(body.MetricDataQueries[0]!.Period).toBe(1);
  }
}

const STEADY: Traffic = { requests: 20_000, errors: 200, checkouts: 10_000, checkoutFailures: 50 };

describe('canary-gate with provider cloudwatch', () => {
  test('a canary with several times the baseline’s errors is rolled back', async () => {
    serve({ ...STEADY, errors: 1_000 }, STEADY);
    const result = await gate();
    expect(result.exitCode).toBe(1);
    expect(result.outputs['decision']).toBe('rollback');
    expect(JSON.parse(result.outputs['failed-metrics'] ?? '[]')).toContain('http-errors');
    const r = report(result);
    expect(r.decision).toBe('rollback');
    expect(r.providerProblems).toEqual([]);
    // the report lists every query sent, with the selector filled in and the value CloudWatch answered
    const firstLook = r.queries.slice(0, 8);
    expect(firstLook.map((q) => [q.metric, q.arm, q.part, q.query, q.value])).toEqual([
      ['http-errors', 'canary', 'failures', expr('Errors', 'canary'), 1_000],
      ['http-errors', 'canary', 'total', expr('Requests', 'canary'), 20_000],
      ['http-errors', 'baseline', 'failures', expr('Errors', 'baseline'), 200],
      ['http-errors', 'baseline', 'total', expr('Requests', 'baseline'), 20_000],
      ['checkout-errors', 'canary', 'failures', expr('CheckoutFailures', 'canary'), 50],
      ['checkout-errors', 'canary', 'total', expr('Checkouts', 'canary'), 10_000],
      ['checkout-errors', 'baseline', 'failures', expr('CheckoutFailures', 'baseline'), 50],
      ['checkout-errors', 'baseline', 'total', expr('Checkouts', 'baseline'), 10_000],
    ]);
    expect(r.queries).toHaveLength(8 * r.looksTaken);
    expect(result.summary).toMatch(/rollback/);
    expectOneSecondLooks();
  });

  test('a canary identical to its baseline is promoted', async () => {
    serve(STEADY, STEADY);
    const result = await gate();
    expect(result.exitCode).toBe(0);
    expect(result.outputs['decision']).toBe('promote');
    expect(result.outputs['score']).toBe('100');
    const r = report(result);
    expect(r.looksTaken).toBe(4);
    expect(r.queries).toHaveLength(32);
    expect(r.queries.every((q) => q.problem === undefined && typeof q.value === 'number')).toBe(true);
    expect(cw.getMetricDataCalls()).toHaveLength(32);
    expectOneSecondLooks();
  });

  test('CloudWatch throttling every request ends the run in error, never promote', async () => {
    serve(STEADY, STEADY); // the data would promote
    cw.failRequests({ kind: 'throttling', times: Infinity });
    const result = await gate();
    expect(result.outputs['decision']).toBe('error');
    expect(result.exitCode).toBe(1);
    const r = report(result);
    expect(r.providerProblems.length).toBeGreaterThan(0);
    expect(r.providerProblems.join('\n')).toMatch(/Throttling: Rate exceeded/);
    expect(
      result.annotations.some(
        (a) => a.level === 'warning' && /metrics provider failed: .*Throttling/.test(a.message),
      ),
    ).toBe(true);
    // the SDK retried: every call the double saw was answered Throttling, some looks more than once
    const calls = cw.getMetricDataCalls();
    expect(calls.every((c) => c.error === 'Throttling')).toBe(true);
    expect(calls.length).toBeGreaterThan(r.looksTaken);
  });
});
