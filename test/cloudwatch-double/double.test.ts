/**
 * The double is only useful if it is as strict as CloudWatch: these tests show that it rejects what the model
 * or CloudWatch's rules reject, answers errors in the AWS JSON / query-compatible format the SDK parses, and
 * serves its series per period, in order, page by page.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  paginateGetMetricData,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchDouble } from './server.js';

const TARGET = 'GraniteServiceVersion20100801.GetMetricData';
const SIGNATURE =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=';
const T0 = Date.parse('2026-01-01T12:00:00Z');
const SELECT = 'SELECT SUM(Requests) FROM SCHEMA("OpenClaw/Rating", Track) WHERE Track = \'canary\'';
let cw: CloudWatchDouble;

beforeEach(async () => {
  cw = await CloudWatchDouble.start({ region: 'us-east-1' });
});

afterEach(async () => {
  await cw.stop();
});

const body = (queries: unknown[], extra: Record<string, unknown> = {}) => ({
  MetricDataQueries: queries,
  StartTime: T0 / 1000,
  EndTime: T0 / 1000 + 60,
  ...extra,
});

/** A raw request, shaped as the SDK sends it unless `headers` say otherwise (the signature is not checked). */
async function call(
  payload: unknown,
  headers: Record<string, string | undefined> = {},
  method = 'POST',
  path = '/',
) {
  const all: Record<string, string | undefined> = {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': TARGET,
    'x-amz-date': '20260101T120000Z',
    authorization: `${SIGNATURE}${'0a'.repeat(32)}`,
    ...headers,
  };
  const res = await fetch(`${cw.url}${path}`, {
    method,
    headers: Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >,
    ...(method === 'POST' ? { body: typeof payload === 'string' ? payload : JSON.stringify(payload) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    queryError: res.headers.get('x-amzn-query-error'),
    contentType: res.headers.get('content-type'),
    body: (text ? JSON.parse(text) : undefined) as Record<string, any>,
  };
}

function sdk(maxAttempts = 1): CloudWatchClient {
  return new CloudWatchClient({
    region: 'us-east-1',
    endpoint: cw.url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    maxAttempts,
  });
}

const send = (input: GetMetricDataCommandInput, client = sdk()) =>
  client.send(new GetMetricDataCommand(input));
const window = (seconds: number) => ({ StartTime: new Date(T0), EndTime: new Date(T0 + seconds * 1000) });

describe('the model is enforced', () => {
  test('a member the model does not describe is a violation, answered with ValidationError', async () => {
    const res = await call(body([{ Id: 'a', Expression: SELECT, Period: 60, Statistic: 'Sum' }]));
    expect(res.status).toBe(400);
    expect(res.queryError).toBe('ValidationError;Sender');
    expect(res.body['__type']).toBe('com.amazon.coral.validate#ValidationException');
    expect(res.body['message']).toMatch(
      /1 validation error detected: \/MetricDataQueries\/0\/Statistic: is not a member/,
    );
    expect(cw.violations).toEqual([
      expect.stringContaining(
        'request body/MetricDataQueries/0/Statistic: is not a member of com.amazonaws.cloudwatch#MetricDataQuery',
      ),
    ]);
  });

  test('a missing required member is a violation', async () => {
    const res = await call({ MetricDataQueries: [{ Id: 'a', Expression: SELECT }], EndTime: T0 / 1000 });
    expect(res.status).toBe(400);
    expect(cw.violations.join('\n')).toMatch(/\/StartTime: required member is missing/);
  });

  test('values outside the model’s constraints are violations (length, range, enum, type)', async () => {
    await call(
      body([{ Id: 'a', Expression: '', Period: 0 }], { ScanBy: 'Newest', EndTime: '2026-01-01T12:01:00Z' }),
    );
    const text = cw.violations.join('\n');
    expect(text).toMatch(/\/MetricDataQueries\/0\/Expression: 0 characters, fewer than the minimum 1/);
    expect(text).toMatch(/\/MetricDataQueries\/0\/Period: 0 is below the minimum 1/);
    expect(text).toMatch(/\/ScanBy: the string "Newest" is not one of/);
    expect(text).toMatch(/\/EndTime: expected a timestamp in epoch seconds/);
  });

  test('a wrong target, another operation, a wrong method or path are violations', async () => {
    const other = await call(body([]), { 'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData' });
    expect(other.status).toBe(400);
    expect(other.queryError).toBe('InvalidAction;Sender');
    await call(body([]), { 'x-amz-target': 'CloudWatch_20100801.GetMetricData' });
    await call(body([]), { 'x-amz-target': undefined });
    await call(undefined, {}, 'GET');
    await call(body([]), {}, 'POST', '/metrics');
    expect(cw.violations).toEqual([
      expect.stringContaining('GraniteServiceVersion20100801.PutMetricData is not implemented by the double'),
      expect.stringContaining('X-Amz-Target CloudWatch_20100801.GetMetricData does not name the service'),
      expect.stringContaining('X-Amz-Target is missing'),
      expect.stringContaining('awsJson1_0 requests are POST /, not GET /'),
      expect.stringContaining('not POST /metrics'),
    ]);
  });

  test('the awsJson1_0 content type, JSON, and a SigV4 signature for monitoring in the region are required', async () => {
    await call(body([{ Id: 'a', Expression: SELECT }]), { 'content-type': 'application/json' });
    await call('{not json', {});
    await call(body([{ Id: 'a', Expression: SELECT }]), { authorization: undefined });
    await call(body([{ Id: 'a', Expression: SELECT }]), { authorization: 'Bearer abc' });
    await call(body([{ Id: 'a', Expression: SELECT }]), {
      authorization: `${SIGNATURE.replace('/us-east-1/monitoring/', '/eu-west-1/s3/')}${'0a'.repeat(32)}`,
    });
    await call(body([{ Id: 'a', Expression: SELECT }]), { 'x-amz-date': '20251231T235959Z' });
    expect(cw.violations).toEqual([
      expect.stringContaining('Content-Type is application/json, not application/x-amz-json-1.0'),
      expect.stringContaining('the body is not JSON'),
      expect.stringContaining('no Authorization header'),
      expect.stringContaining('Authorization is not a SigV4 header'),
      expect.stringContaining('signed for service s3, not monitoring'),
      expect.stringContaining('signed for region eu-west-1, not us-east-1'),
      expect.stringContaining('X-Amz-Date 20251231T235959Z is not on the credential date 20260101'),
    ]);
  });

  test('requests the SDK sends pass, signed for monitoring, in query-compatible mode', async () => {
    cw.defineSeries(SELECT, { perSecond: 1 });
    await send({ ...window(60), MetricDataQueries: [{ Id: 'a', Expression: SELECT, Period: 60 }] });
    expect(cw.violations).toEqual([]);
    expect(cw.requests).toMatchObject([
      { status: 200, region: 'us-east-1', signingName: 'monitoring', queryMode: true, expressions: [SELECT] },
    ]);
  });
});

describe('CloudWatch’s own rules are applied', () => {
  test('an Id that does not start with a lowercase letter is rejected with ValidationError', async () => {
    const res = await call(body([{ Id: 'Canary-total', Expression: SELECT, Period: 60 }]));
    expect(res.status).toBe(400);
    expect(res.queryError).toBe('ValidationError;Sender');
    expect(cw.violations).toEqual([]); // the model allows it: CloudWatch does not
    expect(cw.rejections).toEqual([
      expect.stringMatching(/Canary-total for parameter MetricDataQueries.member.1.Id is not valid/),
    ]);
  });

  test('more than 500 queries, more than one Metrics Insights query, duplicate Ids', async () => {
    const many = Array.from({ length: 501 }, (_, i) => ({ Id: `m${i}`, Expression: `m0 * ${i}` }));
    expect((await call(body(many))).status).toBe(400);
    const two = [
      { Id: 'a', Expression: SELECT, Period: 60 },
      { Id: 'b', Expression: `  select ${SELECT.slice(7)}`, Period: 60 },
    ];
    expect((await call(body(two))).status).toBe(400);
    expect(
      (
        await call(
          body([
            { Id: 'a', Expression: 'a1' },
            { Id: 'a', Expression: 'a2' },
          ]),
        )
      ).status,
    ).toBe(400);
    expect((await call(body([{ Id: 'a', Expression: SELECT }], { EndTime: T0 / 1000 }))).status).toBe(400);
    expect(cw.rejections).toEqual([
      expect.stringContaining('must not have a size greater than 500'),
      expect.stringContaining('Maximum number of queries (1) exceeded'),
      expect.stringContaining('a for parameter MetricDataQueries.member.2.Id is not unique'),
      expect.stringContaining('StartTime must be less than the parameter EndTime'),
    ]);
    expect(cw.violations).toEqual([]);
  });
});

describe('answers like CloudWatch', () => {
  test('one datapoint per period from StartTime, newest first by default, oldest first when asked', async () => {
    cw.defineSeries(SELECT, { perSecond: 2 });
    cw.defineSeries('m_gauge', { constant: 0.25 });
    const q = [
      { Id: 'total', Expression: SELECT, Period: 20 },
      { Id: 'gauge', Expression: 'm_gauge', Period: 30 },
      { Id: 'nothing', Expression: "SUM(SEARCH('{X} MetricName=\"None\"', 'Sum'))", Period: 20 },
      { Id: 'hidden', Expression: 'm_gauge', Period: 30, ReturnData: false },
    ];
    const desc = await send({ ...window(50), MetricDataQueries: q });
    expect(desc.MetricDataResults).toEqual([
      {
        Id: 'total',
        Label: 'total',
        Timestamps: [new Date(T0 + 40_000), new Date(T0 + 20_000), new Date(T0)],
        Values: [20, 40, 40], // the last period is cut at EndTime: 10 s
        StatusCode: 'Complete',
      },
      {
        Id: 'gauge',
        Label: 'gauge',
        Timestamps: [new Date(T0 + 30_000), new Date(T0)],
        Values: [0.25, 0.25],
        StatusCode: 'Complete',
      },
      { Id: 'nothing', Label: 'nothing', Timestamps: [], Values: [], StatusCode: 'Complete' },
    ]);
    const asc = await send({ ...window(50), MetricDataQueries: q.slice(0, 1), ScanBy: 'TimestampAscending' });
    expect(asc.MetricDataResults?.[0]?.Values).toEqual([40, 40, 20]);
    expect(cw.violations).toEqual([]);
  });

  test('datapoints are aggregated per period by the statistic, NaN travels as "NaN"', async () => {
    const key = 'OpenClaw/Rating/Latency{Track=canary}:Average';
    cw.putDatapoint(key, T0 + 1_000, 0.1)
      .putDatapoint(key, T0 + 2_000, 0.3)
      .putDatapoint(key, T0 + 61_000, 1);
    cw.defineSeries('nan', { compute: () => NaN });
    const out = await send({
      ...window(120),
      MetricDataQueries: [
        {
          Id: 'lat',
          MetricStat: {
            Metric: {
              Namespace: 'OpenClaw/Rating',
              MetricName: 'Latency',
              Dimensions: [{ Name: 'Track', Value: 'canary' }],
            },
            Period: 60,
            Stat: 'Average',
          },
        },
        { Id: 'n', Expression: 'nan', Period: 120 },
      ],
      ScanBy: 'TimestampAscending',
    });
    expect(out.MetricDataResults?.[0]?.Values).toEqual([0.2, 1]);
    expect(out.MetricDataResults?.[1]?.Values).toEqual([NaN]);
    const raw = await call(body([{ Id: 'n', Expression: 'nan', Period: 60 }]));
    expect(raw.body['MetricDataResults'][0].Values).toEqual(['NaN']);
    expect(cw.violations).toEqual([]);
  });

  test('MaxDatapoints pages with NextToken, PartialData until a result is complete', async () => {
    cw.defineSeries('a1', { perSecond: 1 }).defineSeries('b1', { perSecond: 2 });
    const input: GetMetricDataCommandInput = {
      ...window(30),
      MaxDatapoints: 2,
      MetricDataQueries: [
        { Id: 'a', Expression: 'a1', Period: 10 },
        { Id: 'b', Expression: 'b1', Period: 10 },
      ],
    };
    const pages: GetMetricDataCommandOutput[] = [];
    for await (const page of paginateGetMetricData({ client: sdk() }, { ...input })) pages.push(page);
    expect(pages.map((p) => p.MetricDataResults?.map((r) => [r.Id, r.Values, r.StatusCode]))).toEqual([
      [
        ['a', [10, 10], 'PartialData'],
        ['b', [], 'PartialData'],
      ],
      [
        ['a', [10], 'Complete'],
        ['b', [20], 'PartialData'],
      ],
      [
        ['a', [], 'Complete'],
        ['b', [20, 20], 'Complete'],
      ],
    ]);
    expect(pages.at(-1)?.NextToken).toBeUndefined();
    // a token belongs to its request
    const token = (await send(input)).NextToken;
    expect(token).toEqual(expect.any(String));
    const error = await send({ ...input, StartTime: new Date(T0 - 1000), NextToken: token }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'InvalidNextToken', $metadata: { httpStatusCode: 400 } });
    expect(cw.violations).toEqual([]);
  });

  test('a Forbidden query answers its status and message; others are unaffected', async () => {
    cw.defineSeries('a1', { constant: 1 }).defineSeries('b1', { constant: 2 });
    cw.failQuery({ match: /^b/, status: 'Forbidden' });
    const out = await send({
      ...window(60),
      MetricDataQueries: [
        { Id: 'a', Expression: 'a1', Period: 60 },
        { Id: 'b', Expression: 'b1', Period: 60 },
      ],
    });
    expect(out.MetricDataResults).toEqual([
      expect.objectContaining({ Id: 'a', Values: [1], StatusCode: 'Complete' }),
      {
        Id: 'b',
        Label: 'b',
        Timestamps: [],
        Values: [],
        StatusCode: 'Forbidden',
        Messages: [{ Code: 'Forbidden', Value: 'Authentication too complex to retrieve cross region data' }],
      },
    ]);
    // the fault was for one request
    const again = await send({
      ...window(60),
      MetricDataQueries: [{ Id: 'b', Expression: 'b1', Period: 60 }],
    });
    expect(again.MetricDataResults?.[0]?.StatusCode).toBe('Complete');
  });
});

describe('errors, in the AWS JSON format with the query-compatible header', () => {
  test('InvalidParameterValue for a query: the modeled error, parsed by the SDK', async () => {
    cw.failQuery({ match: SELECT, error: 'InvalidParameterValue' });
    const raw = await call(body([{ Id: 'a', Expression: SELECT, Period: 60 }]));
    expect(raw).toMatchObject({
      status: 400,
      queryError: 'InvalidParameterValue;Sender',
      contentType: 'application/x-amz-json-1.0',
      body: {
        __type: 'com.amazonaws.cloudwatch#InvalidParameterValueException',
        message: `The value ${SELECT} for parameter MetricDataQueries.member.1.Expression is not valid.`,
      },
    });
    cw.failQuery({ match: SELECT, error: 'InvalidParameterValue' });
    const error = await send({
      ...window(60),
      MetricDataQueries: [{ Id: 'a', Expression: SELECT, Period: 60 }],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'InvalidParameterValueException',
      Code: 'InvalidParameterValue',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(cw.violations).toEqual([]);
  });

  test('throttling, access denied and internal errors, for a number of requests', async () => {
    cw.defineSeries('a1', { constant: 1 });
    const q = body([{ Id: 'a', Expression: 'a1', Period: 60 }]);
    cw.failRequests({ kind: 'throttling', times: 2 }).failRequests({ kind: 'access-denied' }).failRequests({
      kind: 'internal-error',
    });
    const answers = [await call(q), await call(q), await call(q), await call(q), await call(q)];
    expect(answers.map((a) => [a.status, a.queryError, a.body['__type']])).toEqual([
      [400, 'Throttling;Sender', 'com.amazon.coral.availability#ThrottlingException'],
      [400, 'Throttling;Sender', 'com.amazon.coral.availability#ThrottlingException'],
      [400, 'AccessDenied;Sender', 'com.amazon.coral.service#AccessDeniedException'],
      [500, 'InternalServiceError;Receiver', 'com.amazonaws.cloudwatch#InternalServiceFault'],
      [200, null, undefined],
    ]);
    expect(answers[3]?.body['Message']).toBe('Internal service error');
    // the SDK sees them as CloudWatch errors: throttling is retried
    cw.failRequests({ kind: 'throttling', times: 1 });
    const retried = await send(
      { ...window(60), MetricDataQueries: [{ Id: 'a', Expression: 'a1', Period: 60 }] },
      sdk(3),
    );
    expect(retried.$metadata.attempts).toBe(2);
    cw.failRequests({ kind: 'access-denied' });
    const denied = await send(
      { ...window(60), MetricDataQueries: [{ Id: 'a', Expression: 'a1', Period: 60 }] },
      sdk(3),
    ).catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'AccessDenied', $metadata: { attempts: 1 } });
    expect(cw.violations).toEqual([]);
  });

  test('a slow answer comes after the delay; a client that gives up is not answered', async () => {
    cw.defineSeries('a1', { constant: 1 });
    cw.failRequests({ kind: 'slow', delayMs: 300 });
    const started = Date.now();
    const res = await call(body([{ Id: 'a', Expression: 'a1', Period: 60 }]));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    cw.failRequests({ kind: 'slow', delayMs: 10_000 });
    const aborted = await fetch(`${cw.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': TARGET,
        'x-amz-date': '20260101T120000Z',
        authorization: `${SIGNATURE}${'0a'.repeat(32)}`,
      },
      body: JSON.stringify(body([{ Id: 'a', Expression: 'a1', Period: 60 }])),
      signal: AbortSignal.timeout(200),
    }).catch((e: unknown) => e);
    expect(aborted).toMatchObject({ name: 'TimeoutError' });
    expect(cw.violations).toEqual([]);
  });
});
