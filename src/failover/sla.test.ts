/** SLA lines in k6's syntax: what is accepted, what is refused (with the accepted forms), and how it is measured. */
import { describe, expect, it } from '@jest/globals';
import { InputError } from '../common/errors.js';
import { sample } from '../../test/support/failover/samples.js';
import { evaluateSla, parseSla, parseSlaLine, quantile, slaErrorRateLimit, summarise } from './sla.js';

describe('parseSla', () => {
  it('accepts the k6 forms, one a line', () => {
    const parsed = parseSla(
      [
        'p(95)<150ms',
        'p(99.9)<=1s',
        'avg<100',
        'med < 80ms',
        'min>1ms',
        'max<2s',
        'error-rate<1%',
        'rate<0.01',
        'availability>=99.5%',
      ].join('\n'),
    );
    expect(parsed.map((a) => [a.statistic, a.op, a.limit])).toEqual([
      [{ kind: 'quantile', q: 95 }, '<', 150],
      [{ kind: 'quantile', q: 99.9 }, '<=', 1000],
      [{ kind: 'avg' }, '<', 100],
      [{ kind: 'med' }, '<', 80],
      [{ kind: 'min' }, '>', 1],
      [{ kind: 'max' }, '<', 2000],
      [{ kind: 'error-rate' }, '<', 0.01],
      [{ kind: 'error-rate' }, '<', 0.01],
      [{ kind: 'availability' }, '>=', 0.995],
    ]);
  });

  it('ignores blank lines and comments, and takes a pasted YAML list', () => {
    expect(
      parseSla('\n# latency\n- "p(95)<150ms"  # the main one\n- error-rate<1%\n\n').map((a) => a.line),
    ).toEqual(['p(95)<150ms', 'error-rate<1%']);
    expect(parseSla('')).toEqual([]);
  });

  it.each([
    'p95 is fast',
    'p(0)<10ms',
    'p(101)<10ms',
    'p(95)<fast',
    'p(95)<150 parsecs',
    'error-rate<150%',
    'latency<100ms',
    'p(95)=100ms',
    'avg<-1ms',
  ])('refuses %j, naming the input and showing the accepted forms', (line) => {
    let error: unknown;
    try {
      parseSla(`p(99)<300ms\n${line}`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toContain(`Input 'sla' is ${JSON.stringify(line)}`);
    expect(message).toContain('p(95)<150ms, p(99.9)<=1s, avg<100ms');
    expect(message).toContain('error-rate<1%');
  });
});

describe('quantile (linear interpolation between the nearest ranks, as k6)', () => {
  it('matches hand-computed values', () => {
    const xs = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(quantile(xs, 50)).toBeCloseTo(55);
    expect(quantile(xs, 95)).toBeCloseTo(95.5); // h = 8.55: 90 + 0.55 × 10
    expect(quantile(xs, 99)).toBeCloseTo(99.1);
    expect(quantile(xs, 100)).toBe(100);
    expect(quantile([7], 95)).toBe(7);
    expect(quantile([], 95)).toBeNaN();
  });
});

describe('evaluateSla', () => {
  it('measures latency over successful samples only and counts failures in error-rate', () => {
    const samples = [
      ...Array.from({ length: 8 }, (_, i) => sample(true, 10 + i)),
      sample(false, 1),
      sample(false, 2000),
    ];
    const stats = summarise(samples);
    expect(stats).toMatchObject({ samples: 10, succeeded: 8, failed: 2, errorRate: 0.2 });
    const results = evaluateSla(parseSla('max<20ms\nerror-rate<1%\navailability>=80%\nmin>5ms'), stats);
    expect(results.map((r) => [r.pass, r.note])).toEqual([
      [true, 'max = 17ms over 8 successful samples'],
      [false, 'error-rate = 20% (2 of 10)'],
      [true, 'availability = 80% (8 of 10)'],
      [true, 'min = 10ms over 8 successful samples'],
    ]);
  });

  it('fails a latency line when nothing succeeded, rather than passing it on no data', () => {
    const [result] = evaluateSla(parseSla('p(95)<150ms'), summarise([sample(false, 1), sample(false, 1)]));
    expect(result).toMatchObject({ pass: false, note: 'no successful samples' });
  });

  it('breaks p(95) when one in ten samples is slow enough', () => {
    const samples = [...Array.from({ length: 9 }, () => sample(true, 20)), sample(true, 400)];
    const [p95, p50] = evaluateSla(parseSla('p(95)<150ms\np(50)<150ms'), summarise(samples));
    expect(p95!.pass).toBe(false);
    expect(p95!.actual).toBeCloseTo(20 + 0.55 * 380);
    expect(p50!.pass).toBe(true);
  });

  it('gives the error-rate limit the SLA sets, the strictest of several', () => {
    expect(slaErrorRateLimit(parseSla('p(95)<1s'))).toBeUndefined();
    expect(slaErrorRateLimit(parseSla('error-rate<5%\navailability>=99%'))).toBeCloseTo(0.01);
  });

  it('parses a single line or refuses it', () => {
    expect(parseSlaLine('P(90) < 200')).toMatchObject({ statistic: { kind: 'quantile', q: 90 }, limit: 200 });
    expect(parseSlaLine('p(90) < ')).toBeUndefined();
  });
});
