/**
 * The inputs of failover-check (inputs.ts): defaults, the regions list, and a clear error naming the input for
 * every mistake.
 */
import { describe, expect, it } from '@jest/globals';
import { INPUT_DEFAULTS, parseInputs } from './inputs.js';
import { InputError } from '../../common/errors.js';

const REGIONS = `
- name: us-east-1
  url: http://us-east-1.openclaw.test:8080
  expect-region: us-east-1
- { name: us-west-2, url: "http://us-west-2.openclaw.test:8080" }
`;

const reader = (inputs: Record<string, string>) => ({
  getInput: (name: string) => (inputs[name] ?? '').trim(),
});

/** What the runner passes: the action.yml defaults plus the step's inputs. */
const parse = (inputs: Record<string, string>) =>
  parseInputs(reader({ ...INPUT_DEFAULTS, regions: REGIONS, ...inputs }));

function errorOf(inputs: Record<string, string>): InputError {
  try {
    parse(inputs);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('parsed');
}

describe('parseInputs', () => {
  it('applies the defaults', () => {
    const inputs = parseInputs(reader({ regions: REGIONS }));
    expect(inputs).toMatchObject({
      regions: [
        { name: 'us-east-1', url: 'http://us-east-1.openclaw.test:8080/', expectRegion: 'us-east-1' },
        { name: 'us-west-2', url: 'http://us-west-2.openclaw.test:8080/' },
      ],
      healthPath: '/health',
      expectedStatus: { codes: [200], classes: [] },
      timeoutMs: 2000,
      samples: 10,
      concurrency: 16,
      sla: [],
      minHealthy: 2,
      headers: {},
    });
    expect(inputs.drill).toBeUndefined();
    expect(inputs.dns).toBeUndefined();
  });

  it('reads a drill, the DNS check and the rest', () => {
    const inputs = parse({
      'drill-inject': 'kill $(cat a.pid)',
      'drill-recover': './start-a.sh',
      'drill-url': 'http://rating.openclaw.test:8080',
      'drill-expect-region': 'us-west-2',
      'drill-interval': '200ms',
      'rto-max': '30s',
      'dns-name': 'rating.openclaw.test',
      'dns-resolver': '127.0.0.1:5353',
      'dns-expect': '127.0.0.2',
      headers: 'Authorization: Bearer x\nX-Tenant: a',
      'min-healthy': '1',
      'expected-status': '2xx',
      'body-match': '"status":"ok"',
    });
    expect(inputs.drill).toEqual({
      inject: 'kill $(cat a.pid)',
      recover: './start-a.sh',
      url: 'http://rating.openclaw.test:8080/',
      expectRegion: 'us-west-2',
      intervalMs: 200,
      stable: 5,
      timeoutMs: 300_000,
      rtoMaxMs: 30_000,
    });
    expect(inputs.dns).toEqual({ name: 'rating.openclaw.test', expect: ['127.0.0.2'] });
    expect(inputs.dnsResolver).toBe('127.0.0.1:5353');
    expect(inputs.headers).toEqual({ Authorization: 'Bearer x', 'X-Tenant': 'a' });
    expect(inputs.bodyMatch!.test('{"status":"ok"}')).toBe(true);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'no regions',
      { regions: '' },
      "Input 'regions': expected a YAML list of regions, each { name, url, expect-region? }",
    ],
    ['not YAML', { regions: '- name: [a' }, 'it is not valid YAML'],
    ['a map, not a list', { regions: 'name: a\nurl: http://a' }, 'expected a YAML list of regions'],
    [
      'a typo in a key',
      { regions: '- name: a\n  url: http://a\n  expect_region: a' },
      `Input 'regions' is "expect_region": expected keys name, url, expect-region only (entry 1 has the unknown key "expect_region")`,
    ],
    ['no url', { regions: '- name: a' }, `an absolute http(s) URL as the url of region "a" (entry 1)`],
    [
      'a bad url',
      { regions: '- name: a\n  url: ftp://a' },
      `Input 'regions' is "ftp://a": expected an absolute http(s) URL`,
    ],
    [
      'two regions of one name',
      { regions: '- {name: a, url: "http://a"}\n- {name: a, url: "http://b"}' },
      'entry 2 repeats "a"',
    ],
    ['no name', { regions: '- url: http://a' }, 'a name on every region (entry 1 has none)'],
    [
      'bad SLA',
      { sla: 'p(95)<150ms\np95 under 200' },
      `Input 'sla' is "p95 under 200": expected one assertion a line, in one of these forms: p(95)<150ms`,
    ],
    [
      'min-healthy above the regions',
      { 'min-healthy': '3' },
      `Input 'min-healthy' is "3": expected a whole number from 1 to 2`,
    ],
    ['a bad resolver', { 'dns-resolver': 'dns.google' }, `Input 'dns-resolver' is "dns.google"`],
    ['dns-expect alone', { 'dns-expect': '10.0.0.1' }, 'nothing unless dns-name is set'],
    [
      'a drill without recover',
      { 'drill-inject': 'kill 1', 'drill-url': 'http://x' },
      `Input 'drill-recover': expected the shell command that undoes the fault`,
    ],
    ['a drill without url', { 'drill-inject': 'kill 1', 'drill-recover': 'true' }, `Input 'drill-url'`],
    [
      'drill inputs without a drill',
      { 'drill-url': 'http://x' },
      `Input 'drill-url' is "http://x": expected nothing unless drill-inject is set`,
    ],
    ['a bad duration', { timeout: 'soon' }, `Input 'timeout' is "soon": expected a duration such as 500ms`],
    ['a bad status', { 'expected-status': 'ok' }, `Input 'expected-status' is "ok"`],
    [
      'a bad regex',
      { 'body-match': '(' },
      `Input 'body-match' is "(": expected a JavaScript regular expression`,
    ],
    [
      'samples out of range',
      { samples: '0' },
      `Input 'samples' is "0": expected a whole number from 1 to 1000`,
    ],
  ])('%s: a clear error', (_name, inputs, message) => {
    expect(errorOf(inputs).message).toContain(message);
  });

  it('never shows header values in its errors', () => {
    const error = errorOf({ headers: 'Authorization Bearer s3cret' });
    expect(error.message).toBe(
      `Input 'headers': expected lines of "Name: value" (a line has no valid header name before its colon).`,
    );
    expect(error.message).not.toContain('s3cret');
  });
});
