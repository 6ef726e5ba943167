/** The suite's input reader: each reader's value, its fallback from the defaults table, and its error text. */
import { describe, expect, test } from '@jest/globals';
import { InputError } from './errors.js';
import {
  parseHttpUrl,
  readBoolean,
  readDuration,
  readEnum,
  readInteger,
  readList,
  readNumber,
  readRequired,
  splitList,
} from './inputs.js';

const reader = (inputs: Record<string, string>) => ({ getInput: (name: string) => inputs[name] ?? '' });
const none = reader({});

function errorOf(read: () => unknown): InputError {
  try {
    read();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('no error thrown');
}

describe('lists', () => {
  test('entries one a line or separated by commas, empty ones dropped', () => {
    expect(splitList('a, b\nc,,\n  d  ')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitList('')).toEqual([]);
    expect(readList(reader({ targets: 'http://a/metrics\nhttp://b/metrics' }), 'targets')).toEqual([
      'http://a/metrics',
      'http://b/metrics',
    ]);
    expect(readList(none, 'fail-on', 'rollback,inconclusive')).toEqual(['rollback', 'inconclusive']);
  });
});

describe('required inputs', () => {
  test('the value, or an error naming the input and what it holds', () => {
    expect(readRequired(reader({ url: 'http://x' }), 'url', 'the entry point')).toBe('http://x');
    expect(errorOf(() => readRequired(none, 'url', 'the URL of the entry point')).message).toBe(
      "Input 'url': expected the URL of the entry point.",
    );
  });
});

describe('integers', () => {
  test('with a fallback (a number, or the text of the defaults table) always a number', () => {
    const samples: number = readInteger(none, 'samples', { min: 1, fallback: '10' });
    expect(samples).toBe(10);
    expect(readInteger(none, 'samples', { fallback: 3 })).toBe(3);
    expect(readInteger(reader({ samples: '+7' }), 'samples', { fallback: '10' })).toBe(7);
    expect(readInteger(none, 'samples')).toBeUndefined();
  });

  test.each([
    [{ min: 1, max: 5 }, '9', 'a whole number from 1 to 5'],
    [{ min: 1 }, '0', 'a whole number of at least 1'],
    [{}, '1.5', 'a whole number'],
  ])('%j refuses %j: expected %s', (options, value, expected) => {
    expect(errorOf(() => readInteger(reader({ n: value }), 'n', options)).message).toBe(
      `Input 'n' is "${value}": expected ${expected}.`,
    );
  });

  test('a default its own reader refuses is a bug in the action, not an input error', () => {
    expect(() => readInteger(none, 'samples', { min: 1, fallback: '0' })).toThrow(
      'the default of input \'samples\' ("0") is not valid',
    );
    expect(() => readInteger(none, 'samples', { min: 1, fallback: '0' })).not.toThrow(InputError);
  });
});

describe('booleans and enums', () => {
  test('the fallback may be the text of the defaults table', () => {
    expect(readBoolean(none, 'dry-run', 'false')).toBe(false);
    expect(readBoolean(none, 'dry-run', 'true')).toBe(true);
    expect(readBoolean(reader({ 'dry-run': 'yes' }), 'dry-run', 'false')).toBe(true);
    expect(errorOf(() => readBoolean(reader({ 'dry-run': 'maybe' }), 'dry-run', false)).message).toBe(
      `Input 'dry-run' is "maybe": expected true or false.`,
    );
    expect(readEnum(reader({ mode: 'FAIL' }), 'mode', ['inconclusive', 'fail'], 'inconclusive')).toBe('fail');
  });
});

describe('decimal numbers', () => {
  test('within the range, or the expectation given', () => {
    const options = { min: 0.5, max: 0.9999, expected: 'a number between 0.5 and 0.9999, e.g. 0.99' };
    expect(readNumber(none, 'confidence', { ...options, fallback: '0.99' })).toBe(0.99);
    expect(readNumber(reader({ confidence: '0.95' }), 'confidence', { ...options, fallback: '0.99' })).toBe(
      0.95,
    );
    expect(
      errorOf(() => readNumber(reader({ confidence: '1' }), 'confidence', { ...options, fallback: '0.99' }))
        .message,
    ).toBe(`Input 'confidence' is "1": expected a number between 0.5 and 0.9999, e.g. 0.99.`);
  });
});

describe('durations', () => {
  test('milliseconds, the fallback from the defaults table, undefined when empty without one', () => {
    const timeout: number = readDuration(none, 'timeout', { fallback: '2s' });
    expect(timeout).toBe(2000);
    expect(readDuration(reader({ timeout: '1m30s' }), 'timeout', { fallback: '2s' })).toBe(90_000);
    expect(readDuration(none, 'rto-max')).toBeUndefined();
  });

  test('the error has the input, the value, the form expected with examples, and the range', () => {
    expect(
      errorOf(() => readDuration(reader({ timeout: 'soon' }), 'timeout', { examples: '500ms or 2s' }))
        .message,
    ).toBe(`Input 'timeout' is "soon": expected a duration such as 500ms or 2s.`);
    expect(errorOf(() => readDuration(reader({ interval: '30' }), 'interval', { min: 1000 })).message).toBe(
      `Input 'interval' is "30": expected a duration with its unit (ms, s, m or h) of at least 1s, such as 30s, 10m or 1m30s: a bare number like "30" has none.`,
    );
    expect(
      errorOf(() => readDuration(reader({ timeout: '20m' }), 'timeout', { min: 10, max: 600_000 })).message,
    ).toBe(`Input 'timeout' is "20m": expected a duration such as 30s, 10m or 1m30s from 10ms to 10m.`);
  });
});

test('http(s) URLs only', () => {
  expect(parseHttpUrl('http://127.0.0.1:9090/metrics')).toBe('http://127.0.0.1:9090/metrics');
  expect(parseHttpUrl('ftp://a')).toBeUndefined();
  expect(parseHttpUrl('not a url')).toBeUndefined();
});
