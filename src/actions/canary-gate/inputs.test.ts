/** canary-gate's inputs: durations (units, the cap), SigV4 switch and region, and `decision: error` on a bad input. */
import { describe, expect, test } from '@jest/globals';
import type { ActionIO } from '../../common/io.js';
import { parseInputs } from './inputs.js';
import { run } from './main.js';

const reader = (inputs: Record<string, string>) => ({ getInput: (name: string) => inputs[name] ?? '' });
const PROM = {
  'prometheus-url': 'http://prometheus:9090',
  'canary-selector': 'a="1"',
  'baseline-selector': 'a="2"',
};
const AMP = 'https://aps-workspaces.eu-central-1.amazonaws.com/workspaces/ws-0123-abcd/';

describe('durations', () => {
  test('a duration gives whole intervals; iterations and duration share the cap of 1000', () => {
    expect(parseInputs(reader({ ...PROM, interval: '30s', duration: '10m' })).looks).toBe(20);
    expect(parseInputs(reader({ ...PROM, interval: '1s', duration: '1000s' })).looks).toBe(1000);
    expect(() => parseInputs(reader({ ...PROM, interval: '1s', duration: '2h' }))).toThrow(
      'Input \'duration\' is "2h": expected from one interval to 1000 intervals (1s to 16m40s with interval 1s), as for iterations.',
    );
    expect(() => parseInputs(reader({ ...PROM, iterations: '1001' }))).toThrow(/from 1 to 1000/);
  });

  test.each([
    [
      'duration',
      { duration: '600' },
      /a duration with its unit \(ms, s, m or h\), such as 10m or 1h: a bare number like "600" has none/,
    ],
    [
      'interval',
      { interval: '30', iterations: '3' },
      /a duration with its unit .* such as 30s, 10m or 1m30s: a bare number like "30"/,
    ],
    [
      'timeout',
      { timeout: '10', iterations: '3' },
      /Input 'timeout' is "10": expected a duration with its unit/,
    ],
    ['initial-delay', { 'initial-delay': '60', iterations: '3' }, /Input 'initial-delay' is "60"/],
  ])('a bare number in %s is refused with an example', (_name, extra, message) => {
    expect(() => parseInputs(reader({ ...PROM, ...extra }))).toThrow(message);
  });
});

describe('SigV4 for Amazon Managed Service for Prometheus', () => {
  test('inferred from an AMP workspace URL, region from its host', () => {
    expect(parseInputs(reader({ ...PROM, 'prometheus-url': AMP, iterations: '3' })).sigv4).toEqual({
      region: 'eu-central-1',
      service: 'aps',
    });
  });

  test('never inferred for another URL; on when asked, with aws-region', () => {
    expect(parseInputs(reader({ ...PROM, iterations: '3' })).sigv4).toBeUndefined();
    expect(
      parseInputs(reader({ ...PROM, iterations: '3', 'aws-sigv4': 'true', 'aws-region': 'us-west-2' })).sigv4,
    ).toEqual({ region: 'us-west-2', service: 'aps' });
    expect(
      parseInputs(reader({ ...PROM, 'prometheus-url': AMP, iterations: '3', 'aws-sigv4': 'false' })).sigv4,
    ).toBeUndefined();
    expect(
      parseInputs(reader({ ...PROM, 'prometheus-url': AMP, iterations: '3', 'aws-region': 'us-east-1' }))
        .sigv4?.region,
    ).toBe('us-east-1');
  });

  test('aws-sigv4 true without any region is an input error', () => {
    const saved = [process.env['AWS_REGION'], process.env['AWS_DEFAULT_REGION']];
    delete process.env['AWS_REGION'];
    delete process.env['AWS_DEFAULT_REGION'];
    try {
      expect(() => parseInputs(reader({ ...PROM, iterations: '3', 'aws-sigv4': 'true' }))).toThrow(
        /Input 'aws-region'/,
      );
    } finally {
      if (saved[0] !== undefined) process.env['AWS_REGION'] = saved[0];
      if (saved[1] !== undefined) process.env['AWS_DEFAULT_REGION'] = saved[1];
    }
    expect(() => parseInputs(reader({ ...PROM, iterations: '3', 'aws-sigv4': 'maybe' }))).toThrow(
      /one of auto, true, false/,
    );
  });
});

describe('decision on an input error', () => {
  test('is error, so a workflow can tell it from a rollback', async () => {
    const outputs: Record<string, string> = {};
    const io = {
      ...reader({ ...PROM, duration: '10' }),
      setOutput: (name: string, value: string) => void (outputs[name] = value),
    } as unknown as ActionIO;
    await expect(run(io)).rejects.toThrow(/Input 'duration' is "10"/);
    expect(outputs['decision']).toBe('error');
  });
});
