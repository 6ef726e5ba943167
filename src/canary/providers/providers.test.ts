/** The Prometheus client on real API answers and against a local server; the exposition parser on prom-client output. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Histogram, Counter, Registry } from 'prom-client';
import { histogramBuckets, histogramQuantile, parseExposition, parseSelector, sumOf } from './exposition.js';
import { parseQueryResponse, parseSampleValue, PrometheusClient, PrometheusError } from './prometheus.js';
import { readSingleValue } from '../collectors/prometheus.js';

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/prometheus/${name}.json`, import.meta.url), 'utf8'),
  );

describe('real Prometheus answers', () => {
  test('a vector of one series', () => {
    const r = parseQueryResponse(fixture('vector-one'));
    expect(r.result.resultType).toBe('vector');
    expect(readSingleValue(r)).toMatchObject({ value: 1, series: 1 });
  });

  test('a vector of many series is kept per series, never flattened or "last wins"', () => {
    const r = parseQueryResponse(fixture('vector-many'));
    if (r.result.resultType !== 'vector') throw new Error('vector expected');
    expect(r.result.series.length).toBeGreaterThan(1);
    expect(new Set(r.result.series.map((s) => s.labels['handler'])).size).toBe(r.result.series.length);
    const reading = readSingleValue(r);
    expect(reading).toMatchObject({ series: r.result.series.length });
    expect('problem' in reading && reading.problem).toMatch(/series .*aggregate them/);
  });

  test('an empty vector is a problem, not zero', () => {
    expect(readSingleValue(parseQueryResponse(fixture('vector-empty')))).toMatchObject({
      problem: 'empty result (no series matched)',
      series: 0,
    });
  });

  test('NaN, +Inf and -Inf are parsed as Prometheus writes them', () => {
    expect(readSingleValue(parseQueryResponse(fixture('vector-nan')))).toMatchObject({
      problem: expect.stringMatching(/NaN/),
    });
    expect(readSingleValue(parseQueryResponse(fixture('scalar-nan')))).toMatchObject({
      problem: 'the result is NaN',
    });
    expect(readSingleValue(parseQueryResponse(fixture('scalar-inf')))).toMatchObject({ value: Infinity });
    expect(readSingleValue(parseQueryResponse(fixture('scalar-minus-inf')))).toMatchObject({
      value: -Infinity,
    });
    expect(readSingleValue(parseQueryResponse(fixture('scalar')))).toMatchObject({ value: 2 });
    expect([
      parseSampleValue('+Inf'),
      parseSampleValue('-Inf'),
      parseSampleValue('1e-3'),
      parseSampleValue(''),
    ]).toEqual([Infinity, -Infinity, 0.001, NaN]);
  });

  test('matrices keep every sample of every series', () => {
    const range = parseQueryResponse(fixture('matrix-range'));
    if (range.result.resultType !== 'matrix') throw new Error('matrix expected');
    expect(range.result.series[0]!.samples.length).toBeGreaterThan(1);
    expect(readSingleValue(parseQueryResponse(fixture('matrix-instant')))).toMatchObject({
      problem: expect.stringMatching(/range vector/),
    });
  });

  test('a string result is not a number', () => {
    expect(readSingleValue(parseQueryResponse(fixture('string')))).toMatchObject({
      problem: 'a string, not a number',
    });
  });

  test.each([
    [
      'error-bad-data',
      'bad_data',
      /Prometheus answered bad_data: invalid parameter "query": 1:8: parse error/,
    ],
    ['error-execution', 'execution', /Prometheus answered execution: found duplicate series/],
  ])('the error envelope %s becomes a clear message', (name, errorType, message) => {
    let caught: unknown;
    try {
      parseQueryResponse(fixture(name));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PrometheusError);
    expect(caught).toMatchObject({ kind: 'api', errorType });
    expect((caught as Error).message).toMatch(message);
  });

  test('warnings and infos are surfaced', () => {
    // the documented envelope (https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview)
    const r = parseQueryResponse({
      status: 'success',
      data: { resultType: 'scalar', result: [1, '3'] },
      warnings: ['remote read failed'],
      infos: ['PromQL info: metric might not be a counter'],
    });
    expect(r.warnings).toEqual(['remote read failed']);
    expect(r.infos).toEqual(['PromQL info: metric might not be a counter']);
  });
});

describe('the client against a local server', () => {
  let server: Server;
  let url: string;
  const seen: { body: string; headers: IncomingMessage['headers']; path: string }[] = [];
  let behaviour: 'ok' | 'slow' | 'html' | '503' = 'ok';

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      seen.push({ body, headers: req.headers, path: req.url ?? '' });
      if (behaviour === 'slow') return void setTimeout(() => res.end('{}'), 500);
      if (behaviour === 'html')
        return void res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
      if (behaviour === '503')
        return void res
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'TSDB not ready' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fixture('vector-one')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prometheus/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('queries go form-encoded in a POST body, under the path prefix, with the extra headers', async () => {
    behaviour = 'ok';
    const client = new PrometheusClient({
      url,
      headers: { Authorization: 'Bearer s3cret' },
      timeoutMs: 1000,
    });
    const query = 'sum(rate(http_requests_total{code=~"5..", route="/v1/a&b"}[30s])) / 2';
    await client.query(query, new Date(1_700_000_000_500));
    const last = seen.at(-1)!;
    expect(last.path).toBe('/prometheus/api/v1/query');
    expect(last.headers['authorization']).toBe('Bearer s3cret');
    const form = new URLSearchParams(last.body);
    expect(form.get('query')).toBe(query);
    expect(form.get('time')).toBe('1700000000.500');
  });

  test('a timeout, a refused connection, a non-JSON answer and an error status are clear errors', async () => {
    behaviour = 'slow';
    await expect(new PrometheusClient({ url, timeoutMs: 100 }).query('up', new Date())).rejects.toMatchObject(
      { kind: 'timeout', message: expect.stringMatching(/did not answer within 100 ms/) },
    );
    behaviour = 'html';
    await expect(
      new PrometheusClient({ url, timeoutMs: 1000 }).query('up', new Date()),
    ).rejects.toMatchObject({
      kind: 'http',
      message: expect.stringMatching(/HTTP 502 with non-JSON: <html>Bad Gateway/),
    });
    behaviour = '503';
    await expect(
      new PrometheusClient({ url, timeoutMs: 1000 }).query('up', new Date()),
    ).rejects.toMatchObject({ kind: 'api', message: 'Prometheus answered unavailable: TSDB not ready' });
    // a port nothing listens on (fetch refuses port 1 as a "bad port" before connecting)
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(
      new PrometheusClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 1000 }).query('up', new Date()),
    ).rejects.toMatchObject({
      kind: 'network',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});

describe('exposition text (from prom-client, as the rating service writes it)', () => {
  test('counters by label, histogram buckets and the quantile as histogram_quantile computes it', async () => {
    const registry = new Registry();
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'h',
      labelNames: ['route', 'method', 'code'],
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'h',
      labelNames: ['route'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    });
    requests.inc({ route: '/v1/a', method: 'GET', code: '200' }, 90);
    requests.inc({ route: '/v1/a', method: 'GET', code: '500' }, 7);
    requests.inc({ route: '/v1/b', method: 'POST', code: '503' }, 3);
    for (let i = 0; i < 100; i++) duration.observe({ route: '/v1/a' }, i < 50 ? 0.005 : i < 90 ? 0.07 : 0.3);
    const samples = parseExposition(await registry.metrics());
    expect(sumOf(samples, parseSelector('http_requests_total'))).toBe(100);
    expect(sumOf(samples, parseSelector('http_requests_total{code=~"5.."}'))).toBe(10);
    expect(sumOf(samples, parseSelector('http_requests_total{code=~"5..", method!="POST"}'))).toBe(7);
    const buckets = histogramBuckets(samples, parseSelector('http_request_duration_seconds'));
    expect([...buckets.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0.01, 50],
      [0.05, 50],
      [0.1, 90],
      [0.5, 100],
      [1, 100],
      [Infinity, 100],
    ]);
    // rank 99 of 100 lies in (0.1, 0.5] which holds 10: 0.1 + 0.4 × (99 − 90) / 10
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.46, 10);
    // rank 50: the first bucket, interpolated from 0
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.01, 10);
  });

  test('escaped label values, timestamps, NaN and +Inf values', () => {
    const samples = parseExposition(
      '# HELP x y\n# TYPE x gauge\nx{path="a\\"b\\\\c\\nd"} NaN 1700000000000\ny +Inf\nz{} -1.5e-3\n',
    );
    expect(samples[0]).toMatchObject({ name: 'x', labels: { path: 'a"b\\c\nd' } });
    expect(samples[0]!.value).toBeNaN();
    expect(samples[1]!.value).toBe(Infinity);
    expect(samples[2]!.value).toBe(-0.0015);
  });

  test('a malformed line and a malformed selector are errors that say where', () => {
    expect(() => parseExposition('ok 1\n{bad} 2\n')).toThrow(/line 2: no metric name/);
    expect(() => parseSelector('http_requests_total{code=5}')).toThrow(/malformed label matcher/);
  });

  test('the +Inf bucket answers with the highest finite bound; no observations is NaN', () => {
    expect(
      histogramQuantile(
        0.99,
        new Map([
          [0.1, 0],
          [1, 0],
          [Infinity, 10],
        ]),
      ),
    ).toBe(1);
    expect(
      histogramQuantile(
        0.99,
        new Map([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNaN();
  });
});
