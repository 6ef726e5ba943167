/**
 * The Smithy validator, on the vendored CloudWatch model: it accepts what the model allows and names, with a
 * path, everything it does not. The GetMetricData closure in the fixture is checked to be complete.
 */
import { describe, expect, test } from '@jest/globals';
import { SmithyValidator, type SmithyModel } from './smithy.js';

const NS = 'com.amazonaws.cloudwatch#';
const v = new SmithyValidator();
const input = (queries: unknown[], extra: Record<string, unknown> = {}) => ({
  MetricDataQueries: queries,
  StartTime: 1767268800,
  EndTime: 1767268830.5,
  ...extra,
});

describe('the vendored model', () => {
  test('holds GetMetricData, its whole closure and the service protocol traits', () => {
    const op = v.shape(`${NS}GetMetricData`);
    expect(op.input?.target).toBe(`${NS}GetMetricDataInput`);
    expect(op.output?.target).toBe(`${NS}GetMetricDataOutput`);
    expect(op.errors?.map((e) => e.target)).toEqual([`${NS}InvalidNextToken`]);
    // every target of every shape resolves
    for (const [id, shape] of Object.entries(v.model.shapes)) {
      const refs = [
        shape.input,
        shape.output,
        ...(shape.errors ?? []),
        ...(shape.operations ?? []),
        ...Object.values(shape.members ?? {}),
        shape.member,
        shape.key,
        shape.value,
      ].filter((r) => r !== undefined);
      for (const r of refs) expect(`${id} → ${r.target}: ${v.shape(r.target).type}`).toMatch(/: [a-zA-Z]+$/);
    }
    const { id, shape } = v.service();
    expect(id).toBe(`${NS}GraniteServiceVersion20100801`);
    expect(shape.traits).toMatchObject({
      'aws.protocols#awsJson1_0': {},
      'aws.protocols#awsQueryCompatible': {},
      'aws.auth#sigv4': { name: 'monitoring' },
    });
    expect(v.errorByQueryCode('InvalidParameterValue')).toMatchObject({
      id: `${NS}InvalidParameterValueException`,
      httpStatus: 400,
      fault: 'client',
    });
    expect(v.errorByQueryCode('InternalServiceError')).toMatchObject({ httpStatus: 500, fault: 'server' });
  });

  test('documentation traits were dropped, constraint traits kept', () => {
    const text = JSON.stringify(v.model.shapes);
    expect(text).not.toContain('smithy.api#documentation');
    expect(v.shape(`${NS}Namespace`).traits).toEqual({
      'smithy.api#length': { min: 1, max: 255 },
      'smithy.api#pattern': '^[^:]',
    });
  });
});

describe('valid values pass', () => {
  test('a GetMetricData input as the SDK sends it', () => {
    expect(
      v.validate(
        `${NS}GetMetricDataInput`,
        input(
          [
            {
              Id: 'm0_canary_total',
              Expression: 'SELECT SUM(Requests) FROM x',
              Period: 30,
              ReturnData: true,
            },
            {
              Id: 'b',
              MetricStat: {
                Metric: {
                  Namespace: 'OpenClaw/Rating',
                  MetricName: 'Errors',
                  Dimensions: [{ Name: 'Track', Value: 'canary' }],
                },
                Period: 60,
                Stat: 'Sum',
                Unit: 'Count',
              },
            },
          ],
          { ScanBy: 'TimestampAscending', MaxDatapoints: 10, LabelOptions: { Timezone: '+0130' } },
        ),
      ),
    ).toEqual([]);
  });

  test('an output with NaN and infinities written as AWS JSON writes them', () => {
    expect(
      v.validate(`${NS}GetMetricDataOutput`, {
        MetricDataResults: [
          {
            Id: 'a',
            Label: 'a',
            Timestamps: [1767268800, 1767268830],
            Values: [1.5, 'NaN'],
            StatusCode: 'Complete',
          },
          { Id: 'b', Values: ['Infinity', '-Infinity'], Timestamps: [1, 2], StatusCode: 'PartialData' },
        ],
        Messages: [{ Code: 'X', Value: 'y' }],
        NextToken: 'abc',
      }),
    ).toEqual([]);
  });
});

describe('invalid values are named with their path', () => {
  test('a member the structure does not have', () => {
    expect(v.validate(`${NS}GetMetricDataInput`, input([{ Id: 'a', Expression: 'x', Stat: 'Sum' }]))).toEqual(
      [`/MetricDataQueries/0/Stat: is not a member of ${NS}MetricDataQuery`],
    );
  });

  test('a missing or null required member', () => {
    expect(
      v.validate(`${NS}GetMetricDataInput`, { MetricDataQueries: [{ Expression: 'x' }], EndTime: 1 }),
    ).toEqual([
      `/MetricDataQueries/0/Id: required member is missing (${NS}MetricDataQuery)`,
      `/StartTime: required member is missing (${NS}GetMetricDataInput)`,
    ]);
    expect(v.validate(`${NS}Dimension`, { Name: 'Track', Value: null })).toEqual([
      `/Value: required member is null (${NS}Dimension)`,
    ]);
  });

  test('length, pattern, enum and range', () => {
    const problems = v.validate(
      `${NS}GetMetricDataInput`,
      input(
        [
          { Id: '', Expression: 'x'.repeat(2049), Period: 0 },
          {
            Id: 'b',
            MetricStat: {
              Metric: { Namespace: ':bad', Dimensions: Array(31).fill({ Name: 'a', Value: 'b' }) },
              Period: 60,
              Stat: 'Sum',
              Unit: 'Parsecs',
            },
          },
        ],
        { ScanBy: 'Newest' },
      ),
    );
    expect(problems).toEqual([
      `/MetricDataQueries/0/Id: 0 characters, fewer than the minimum 1 (${NS}MetricId)`,
      `/MetricDataQueries/0/Expression: 2049 characters, more than the maximum 2048 (${NS}MetricExpression)`,
      `/MetricDataQueries/0/Period: 0 is below the minimum 1 (${NS}Period)`,
      `/MetricDataQueries/1/MetricStat/Metric/Namespace: the string ":bad" does not match the pattern ^[^:] (${NS}Namespace)`,
      `/MetricDataQueries/1/MetricStat/Metric/Dimensions: 31 items, more than the maximum 30 (${NS}Dimensions)`,
      expect.stringMatching(
        /^\/MetricDataQueries\/1\/MetricStat\/Unit: the string "Parsecs" is not one of Seconds, .*Count\/Second, None/,
      ),
      expect.stringMatching(
        /^\/ScanBy: the string "Newest" is not one of TimestampDescending, TimestampAscending/,
      ),
    ]);
  });

  test('wrong types: integers, booleans, timestamps as epoch seconds, lists, doubles', () => {
    expect(
      v.validate(
        `${NS}GetMetricDataInput`,
        input([{ Id: 'a', Expression: 'x', Period: 1.5, ReturnData: 'yes' }], {
          StartTime: '2026-01-01T12:00:00Z',
          MaxDatapoints: 2 ** 31,
        }),
      ),
    ).toEqual([
      `/MetricDataQueries/0/ReturnData: expected a boolean, got the string "yes" (${NS}ReturnData)`,
      `/MetricDataQueries/0/Period: expected an integer, got number 1.5 (${NS}Period)`,
      `/StartTime: expected a timestamp in epoch seconds (a number), got the string "2026-01-01T12:00:00Z" (${NS}Timestamp)`,
      `/MaxDatapoints: 2147483648 is outside the integer range (${NS}GetMetricDataMaxDatapoints)`,
    ]);
    expect(
      v.validate(`${NS}GetMetricDataOutput`, {
        MetricDataResults: { Id: 'a' },
        Messages: [{ Code: 'a', Value: 'b' }, null],
      }),
    ).toEqual([
      `/MetricDataResults: expected an array, got an object (${NS}MetricDataResults)`,
      `/Messages/1: null in a list that is not @sparse (${NS}MetricDataResultMessages)`,
    ]);
    expect(
      v.validate(`${NS}MetricDataResult`, {
        Values: [1, 'one', Infinity],
        StatusCode: 'Done',
        Timestamps: ['x'],
      }),
    ).toEqual([
      `/Timestamps/0: expected a timestamp in epoch seconds (a number), got the string "x" (${NS}Timestamp)`,
      `/Values/1: expected a number, got the string "one" (${NS}DatapointValue)`,
      `/Values/2: expected a number, got number Infinity (${NS}DatapointValue)`,
      `/StatusCode: the string "Done" is not one of Complete, InternalError, PartialData, Forbidden (${NS}StatusCode)`,
    ]);
  });

  test('maps, unions, timestamp formats and member traits overriding target traits', () => {
    const model: SmithyModel = {
      smithy: '2.0',
      shapes: {
        'x#Map': {
          type: 'map',
          key: { target: 'x#Key' },
          value: { target: 'smithy.api#Integer' },
          traits: { 'smithy.api#length': { max: 2 } },
        },
        'x#Key': { type: 'string', traits: { 'smithy.api#pattern': '^[a-z]+$' } },
        'x#Choice': {
          type: 'union',
          members: { a: { target: 'smithy.api#String' }, b: { target: 'smithy.api#Long' } },
        },
        'x#Thing': {
          type: 'structure',
          members: {
            when: { target: 'smithy.api#Timestamp', traits: { 'smithy.api#timestampFormat': 'date-time' } },
            name: { target: 'x#Key', traits: { 'smithy.api#pattern': '^[A-Z]+$' } },
          },
        },
      },
    };
    const m = new SmithyValidator(model);
    expect(m.validate('x#Map', { ok: 1, Bad: 2, fine: 'x' })).toEqual([
      '/: 3 entries, more than the maximum 2 (x#Map)',
      '/Bad (key): the string "Bad" does not match the pattern ^[a-z]+$ (x#Key)',
      '/fine: expected an integer, got the string "x" (smithy.api#Integer)',
    ]);
    expect(m.validate('x#Choice', { a: 'x', b: 1 })).toEqual([
      '/: a union needs exactly one member set, got 2 (x#Choice)',
    ]);
    expect(m.validate('x#Thing', { when: 1767268800, name: 'ABC' })).toEqual([
      '/when: expected a date-time timestamp string, got number 1767268800 (smithy.api#Timestamp)',
    ]);
    expect(m.validate('x#Thing', { when: '2026-01-01T00:00:00Z', name: 'abc' })).toEqual([
      '/name: the string "abc" does not match the pattern ^[A-Z]+$ (x#Key)',
    ]);
    expect(() => m.validate('x#Nope', {})).toThrow(/x#Nope is not in the model/);
  });
});
