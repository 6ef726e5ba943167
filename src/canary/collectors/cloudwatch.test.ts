/**
 * The CloudWatch provider against the local CloudWatch double (test/cloudwatch-double), which validates every
 * request and response against CloudWatch's Smithy model and applies CloudWatch's own rules. The collector is
 * built with `CloudWatchCollector.create`, as the action builds it: the SDK finds the double through
 * AWS_ENDPOINT_URL_CLOUDWATCH and its credentials in the environment.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { ActionError } from '../../common/errors.js';
import type { LookWindow } from './collector.js';
import { parseMetrics } from '../metrics-config.js';
import { CloudWatchDouble } from '../../../test/cloudwatch-double/server.js';
import { alignToPeriod, CloudWatchCollector, isCloudWatchPeriod } from './cloudwatch.js';

const METRICS = `
- name: errors
  failures: SELECT SUM(Errors) FROM SCHEMA("OpenClaw/Rating", Track) WHERE {{selector}}
  total: SELECT SUM(Requests) FROM SCHEMA("OpenClaw/Rating", Track) WHERE {{selector}}
- name: latency
  query: SELECT AVG(LatencyP99) FROM SCHEMA("OpenClaw/Rating", Track) WHERE {{selector}}
`;
const SELECTORS = { canary: "Track = 'canary'", baseline: "Track = 'baseline'" };
const q = (what: string, arm: 'canary' | 'baseline') =>
  `SELECT ${what} FROM SCHEMA("OpenClaw/Rating", Track) WHERE Track = '${arm}'`;
const EXPR = {
  canaryErrors: q('SUM(Errors)', 'canary'),
  canaryRequests: q('SUM(Requests)', 'canary'),
  baselineErrors: q('SUM(Errors)', 'baseline'),
  baselineRequests: q('SUM(Requests)', 'baseline'),
  canaryLatency: q('AVG(LatencyP99)', 'canary'),
  baselineLatency: q('AVG(LatencyP99)', 'baseline'),
};
// on CloudWatch's period grid, so the collector's alignment leaves the windows as they are
const T0 = Date.parse('2026-01-01T12:00:00.000Z');
const INTERVAL = 30_000;
const windowOf = (look: number): LookWindow => ({
  look,
  start: new Date(T0 + (look - 1) * INTERVAL),
  end: new Date(T0 + look * INTERVAL),
  range: '30s',
});

const ENV = ['AWS_ENDPOINT_URL_CLOUDWATCH', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
let saved: Record<string, string | undefined>;
let cw: CloudWatchDouble;

function pointAt(url: string): void {
  process.env['AWS_ENDPOINT_URL_CLOUDWATCH'] = url;
}

/** A collector made by `create`, as the action makes it. */
function collector(metrics = METRICS, timeoutMs = 2000): CloudWatchCollector {
  return CloudWatchCollector.create('us-east-1', timeoutMs, parseMetrics(metrics, 'metrics'), SELECTORS);
}

const collectLook = (look: number, metrics = METRICS, timeoutMs = 2000) =>
  collector(metrics, timeoutMs).collect(windowOf(look));

/** Steady traffic: 100 requests/s per arm, 2 errors/s in the canary and 1/s in the baseline; p99 250 vs 200 ms. */
function steadyTraffic(): void {
  cw.defineSeries(EXPR.canaryRequests, { perSecond: 100 })
    .defineSeries(EXPR.baselineRequests, { perSecond: 100 })
    .defineSeries(EXPR.canaryErrors, { perSecond: 2 })
    .defineSeries(EXPR.baselineErrors, { perSecond: 1 })
    .defineSeries(EXPR.canaryLatency, { constant: 0.25 })
    .defineSeries(EXPR.baselineLatency, { constant: 0.2 });
}

beforeEach(async () => {
  saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIDEXAMPLE';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  cw = await CloudWatchDouble.start({ region: 'us-east-1' });
  pointAt(cw.url);
});

afterEach(async () => {
  await cw.stop();
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('reading looks', () => {
  test('ratio and value metrics are read per look, each from its own window', async () => {
    steadyTraffic();
    // the canary's errors as datapoints: 7 in the first look, 3 in the second (and one just outside both)
    cw.defineSeries(EXPR.canaryErrors, { points: [] })
      .putDatapoint(EXPR.canaryErrors, T0 + 5_000, 4)
      .putDatapoint(EXPR.canaryErrors, T0 + 29_999, 3)
      .putDatapoint(EXPR.canaryErrors, T0 + 30_000, 3)
      .putDatapoint(EXPR.canaryErrors, T0 + 60_000, 100);
    const c = collector();
    const first = await c.collect(windowOf(1));
    const second = await c.collect(windowOf(2));

    expect(first.providerProblem).toBeUndefined();
    expect(first.data.get('errors')).toEqual({
      look: 1,
      at: windowOf(1).end.toISOString(),
      kind: 'ratio',
      canary: { events: 7, total: 3000 },
      baseline: { events: 30, total: 3000 },
    });
    expect(first.data.get('latency')).toMatchObject({ kind: 'value', canary: 0.25, baseline: 0.2 });
    expect(second.data.get('errors')).toMatchObject({
      kind: 'ratio',
      canary: { events: 3, total: 3000 },
      baseline: { events: 30, total: 3000 },
    });
    // every query is recorded for the report, with the selector filled in and the value read
    expect(first.queries.map((r) => [r.metric, r.arm, r.part, r.query, r.value])).toEqual([
      ['errors', 'canary', 'failures', EXPR.canaryErrors, 7],
      ['errors', 'canary', 'total', EXPR.canaryRequests, 3000],
      ['errors', 'baseline', 'failures', EXPR.baselineErrors, 30],
      ['errors', 'baseline', 'total', EXPR.baselineRequests, 3000],
      ['latency', 'canary', 'value', EXPR.canaryLatency, 0.25],
      ['latency', 'baseline', 'value', EXPR.baselineLatency, 0.2],
    ]);
    // each request asked for exactly the look's window, one period long
    const calls = cw.getMetricDataCalls();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      const body = call.body as {
        StartTime: number;
        EndTime: number;
        MetricDataQueries: { Period: number }[];
      };
      expect([T0, T0 + INTERVAL]).toContain(body.StartTime * 1000);
      expect(body.EndTime * 1000 - body.StartTime * 1000).toBe(INTERVAL);
      for (const query of body.MetricDataQueries) expect(query.Period).toBe(30);
    }
    expect(calls.every((call) => call.status === 200 && call.region === 'us-east-1')).toBe(true);
    expect(cw.violations).toEqual([]);
    expect(cw.rejections).toEqual([]);
  });

  test('a failures series with no datapoint while there was traffic counts as 0 failures', async () => {
    steadyTraffic();
    cw.defineSeries(EXPR.canaryErrors, { points: [] });
    const look = await collectLook(1);
    expect(look.data.get('errors')).toMatchObject({
      kind: 'ratio',
      canary: { events: 0, total: 3000 },
      baseline: { events: 30, total: 3000 },
    });
    expect(cw.violations).toEqual([]);
  });

  test('an empty total is no data, with the reason, never zero traffic', async () => {
    steadyTraffic();
    cw.defineSeries(EXPR.baselineRequests, { points: [] });
    const look = await collectLook(1);
    expect(look.data.get('errors')).toMatchObject({
      kind: 'none',
      problem: 'baseline total: no datapoint in the interval',
    });
    expect(look.data.get('latency')).toMatchObject({ kind: 'value' });
    expect(look.providerProblem).toBeUndefined();
  });

  test('PartialData is read, with a warning on the query', async () => {
    steadyTraffic();
    cw.failQuery({ match: EXPR.canaryRequests, status: 'PartialData' });
    const look = await collectLook(1);
    expect(look.data.get('errors')).toMatchObject({ kind: 'ratio', canary: { events: 60, total: 3000 } });
    const partial = look.queries.filter((r) => r.warnings?.length);
    expect(partial.map((r) => [r.arm, r.part, r.warnings])).toEqual([
      ['canary', 'total', ['CloudWatch returned partial data']],
    ]);
  });

  test('a Forbidden query makes its metric no data, with CloudWatch’s reason', async () => {
    steadyTraffic();
    cw.failQuery({ match: EXPR.baselineLatency, status: 'Forbidden' });
    const look = await collectLook(1);
    expect(look.data.get('latency')).toEqual({
      look: 1,
      at: windowOf(1).end.toISOString(),
      kind: 'none',
      problem: 'baseline value: Forbidden: Authentication too complex to retrieve cross region data',
    });
    expect(look.data.get('errors')).toMatchObject({ kind: 'ratio' });
    expect(look.providerProblem).toBeUndefined();
    expect(cw.violations).toEqual([]);
  });

  test('pagination with NextToken is followed, and a completed result carries no partial-data warning', async () => {
    // metric math expressions (not Metrics Insights) travel together in one request; one datapoint a page
    const search = (name: string, arm: string) =>
      `SUM(SEARCH('{OpenClaw/Rating,Track} MetricName="${name}" ${arm}', 'Sum', 30))`;
    const metrics = `
- name: errors
  failures: ${JSON.stringify(search('Errors', '{{selector}}'))}
  total: ${JSON.stringify(search('Requests', '{{selector}}'))}
`;
    cw.maxDatapointsPerPage = 1;
    cw.defineSeries(search('Errors', "Track = 'canary'"), { perSecond: 2 })
      .defineSeries(search('Requests', "Track = 'canary'"), { perSecond: 100 })
      .defineSeries(search('Errors', "Track = 'baseline'"), { perSecond: 1 })
      .defineSeries(search('Requests', "Track = 'baseline'"), { perSecond: 100 });
    const look = await collectLook(1, metrics);
    expect(look.data.get('errors')).toMatchObject({
      kind: 'ratio',
      canary: { events: 60, total: 3000 },
      baseline: { events: 30, total: 3000 },
    });
    const calls = cw.getMetricDataCalls();
    expect(calls).toHaveLength(4);
    const tokens = calls.map((c) => (c.body as { NextToken?: string }).NextToken);
    expect(tokens[0]).toBeUndefined();
    expect(tokens.slice(1).every((t) => typeof t === 'string')).toBe(true);
    expect(look.queries.flatMap((r) => r.warnings ?? [])).toEqual([]);
    expect(cw.violations).toEqual([]);
    expect(cw.rejections).toEqual([]);
  });
});

describe('CloudWatch failing', () => {
  test('throttling is retried by the SDK and the look succeeds', async () => {
    steadyTraffic();
    cw.failRequests({ kind: 'throttling', times: 2 });
    const look = await collectLook(1);
    expect(look.providerProblem).toBeUndefined();
    expect(look.data.get('errors')).toMatchObject({ kind: 'ratio', canary: { events: 60, total: 3000 } });
    const throttled = cw.getMetricDataCalls().filter((c) => c.error === 'Throttling');
    expect(throttled).toHaveLength(2);
    expect(cw.violations).toEqual([]);
  });

  test('throttling that lasts makes the look no data, with the provider problem set', async () => {
    steadyTraffic();
    cw.failRequests({ kind: 'throttling', times: Infinity });
    const look = await collectLook(1);
    expect(look.providerProblem).toMatch(/Throttling: Rate exceeded/);
    expect([...look.data.values()].map((d) => d.kind)).toEqual(['none', 'none']);
  });

  test('InvalidParameterValue stops the run with an ActionError naming the expressions', async () => {
    steadyTraffic();
    cw.failQuery({ match: EXPR.baselineErrors, error: 'InvalidParameterValue' });
    const error = await collectLook(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    const message = (error as Error).message;
    expect(message).toContain('InvalidParameterValue');
    expect(message).toContain(`errors baseline failures: ${EXPR.baselineErrors}`);
    expect(message).toMatch(/Check the metric expressions and selectors/);
    expect(cw.violations).toEqual([]);
  });

  test('access denied makes the look no data, not a configuration error', async () => {
    steadyTraffic();
    cw.failRequests({ kind: 'access-denied', times: Infinity });
    const look = await collectLook(1);
    expect(look.providerProblem).toMatch(
      /AccessDenied: .*not authorized to perform: cloudwatch:GetMetricData/,
    );
    expect(look.data.get('errors')).toMatchObject({ kind: 'none' });
  });

  test('CloudWatch down (connection refused) makes the look no data with the provider problem set', async () => {
    steadyTraffic();
    await cw.stop(); // the port is now closed
    const look = await collectLook(1);
    expect(look.providerProblem).toMatch(/ECONNREFUSED/);
    expect(look.data.get('errors')).toMatchObject({ kind: 'none', problem: look.providerProblem });
    expect(look.queries.every((r) => r.problem === look.providerProblem)).toBe(true);
  });

  test('a slow CloudWatch (request timeout) makes the look no data, within the retries’ time', async () => {
    steadyTraffic();
    cw.failRequests({ kind: 'slow', delayMs: 5_000, times: Infinity });
    const started = Date.now();
    const look = await collectLook(1, METRICS, 250);
    const elapsed = Date.now() - started;
    expect(look.providerProblem).toMatch(/timeout|timed out|TimeoutError/i);
    expect(look.data.get('latency')).toMatchObject({ kind: 'none' });
    // three attempts of 250 ms and their backoff, not the double's 5 s
    expect(elapsed).toBeLessThan(4_000);
  });
});

describe('windows on the period grid', () => {
  test('a window off the grid is moved back to the last whole period that ended within it', () => {
    const off = {
      look: 1,
      start: new Date('2026-01-01T12:00:07.400Z'),
      end: new Date('2026-01-01T12:01:07.400Z'),
      range: '60s',
    };
    expect(alignToPeriod(off)).toEqual({
      start: new Date('2026-01-01T12:00:00.000Z'),
      end: new Date('2026-01-01T12:01:00.000Z'),
    });
  });
  test.each([
    [1, true],
    [5, true],
    [30, true],
    [60, true],
    [300, true],
    [15, false],
    [45, false],
    [90, false],
  ])('a period of %d s is one CloudWatch accepts: %s', (seconds, ok) => {
    expect(isCloudWatchPeriod(seconds)).toBe(ok);
  });
});
