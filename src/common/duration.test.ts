/** Durations: every part carries its unit; a bare number is refused (one rule for every action). */
import { describe, expect, test } from '@jest/globals';
import { durationExpectation, formatDuration, isBareNumber, parseDuration } from './duration.js';

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    [' 10m ', 600_000],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['30', '0', '1.5', '', 'soon', '10 m', '5x', '1m30'])('%j is refused', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  test('the error text names the missing unit for a bare number, with examples', () => {
    expect(isBareNumber(' 30 ')).toBe(true);
    expect(isBareNumber('30s')).toBe(false);
    expect(durationExpectation('30')).toBe(
      'a duration with its unit (ms, s, m or h), such as 30s, 10m or 1m30s: a bare number like "30" has none',
    );
    expect(durationExpectation('soon', '2s or 5m')).toBe('a duration such as 2s or 5m');
    expect(durationExpectation('soon', '2s or 5m', ' of at least 1s')).toBe(
      'a duration such as 2s or 5m of at least 1s',
    );
    expect(durationExpectation('30', '2s or 5m', ' of at least 1s')).toBe(
      'a duration with its unit (ms, s, m or h) of at least 1s, such as 2s or 5m: a bare number like "30" has none',
    );
  });
});

test('formatDuration', () => {
  expect(formatDuration(90_000)).toBe('1m30s');
  expect(formatDuration(16 * 60_000 + 40_000)).toBe('16m40s');
  expect(formatDuration(500)).toBe('500ms');
});
