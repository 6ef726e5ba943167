/**
 * Latency from histograms must not flip on a bucket edge: an identical canary whose p99 sits on a bound of the
 * rating service's real buckets (DURATION_BUCKETS) is never judged worse beyond chance, and is promoted, whether
 * the bound the test reads (the baseline's p99 bucket) is the one at the edge or the one above it.
 */
import { describe, expect, test } from '@jest/globals';
import { DURATION_BUCKETS } from '../../service/src/http/metrics.js';
import { binomial, presetJudgements, LATENCY } from '../../test/support/canary-simulation.js';
import { mulberry32 } from '../../test/support/random.js';
import { CanaryAnalysis } from './analysis.js';
import { sequentialJudge } from './judges.js';
import type { LookData } from './model.js';
import { normalCdf } from './stats/distributions.js';

/** Latencies of `shift` seconds plus a lognormal(median, sigma), counted into the service's buckets. */
function histogram(
  n: number,
  latency: { shift: number; median: number; sigma: number },
  random: () => number,
): Map<number, number> {
  const cdf = (x: number) =>
    x <= latency.shift ? 0 : normalCdf(Math.log((x - latency.shift) / latency.median) / latency.sigma);
  const buckets = new Map<number, number>();
  let left = n;
  let below = 0;
  let previous = 0;
  for (const le of DURATION_BUCKETS) {
    const c = cdf(le);
    const p = previous >= 1 ? 0 : (c - previous) / (1 - previous);
    const k = binomial(left, Math.min(1, Math.max(0, p)), random);
    left -= k;
    below += k;
    previous = c;
    buckets.set(le, below);
  }
  buckets.set(Infinity, n);
  return buckets;
}

/** The lognormal median that puts the p99 of shift + lognormal exactly on `edge`. */
const medianForP99 = (edge: number, shift: number, sigma: number) =>
  (edge - shift) / Math.exp(2.3263478740408408 * sigma);

function runIdentical(latency: { shift: number; median: number; sigma: number }, n: number, seed: number) {
  const random = mulberry32(seed);
  const analysis = new CanaryAnalysis({
    metrics: presetJudgements().filter((m) => m.name === LATENCY),
    judge: sequentialJudge,
    looks: 10,
    confidence: 0.99,
    minRequests: 20,
    policy: { passScore: 95, marginalScore: 75, noData: 'inconclusive' },
  });
  for (let look = 1; look <= 10 && !analysis.done; look++) {
    const data: LookData = {
      look,
      at: '',
      kind: 'histogram',
      canary: histogram(n, latency, random),
      baseline: histogram(n, latency, random),
    };
    analysis.addLook(new Map([[LATENCY, data]]));
  }
  return analysis.finish();
}

describe('an identical canary with its p99 on a bucket bound', () => {
  test.each([
    // the demo's case: services answering 20 ms late, p99 on the 25 ms bound
    ['20 ms late, p99 on 25 ms', { shift: 0.02, median: medianForP99(0.025, 0.02, 0.6), sigma: 0.6 }],
    ['p99 on 50 ms', { shift: 0, median: medianForP99(0.05, 0, 0.5), sigma: 0.5 }],
    ['p99 on 100 ms', { shift: 0, median: medianForP99(0.1, 0, 0.5), sigma: 0.5 }],
    ['p99 on 250 ms', { shift: 0, median: medianForP99(0.25, 0, 0.5), sigma: 0.5 }],
  ])('%s: never judged worse beyond chance, and promoted', (_name, latency) => {
    const runs = 200;
    let worse = 0;
    let promoted = 0;
    for (let run = 0; run < runs; run++) {
      const r = runIdentical(latency, 1000, 31_000 + run);
      if (r.decision === 'rollback') worse++;
      if (r.decision === 'promote') promoted++;
    }
    // the latency metric alone has the whole 1%: at most 2 of 200 by chance
    expect(worse).toBeLessThanOrEqual(2);
    expect(promoted / runs).toBeGreaterThanOrEqual(0.95);
  });

  test('a canary slower as a whole (30 ms late against 80 ms late, as in the e2e test) is rolled back', () => {
    // the bound is the baseline's: read on both arms pooled, the p99 would move into the canary's own tail, to a
    // bound above which neither arm has much, and this canary would be promoted
    const random = mulberry32(5);
    let rolledBack = 0;
    for (let run = 0; run < 50; run++) {
      const analysis = new CanaryAnalysis({
        metrics: presetJudgements().filter((m) => m.name === LATENCY),
        judge: sequentialJudge,
        looks: 10,
        confidence: 0.99,
        minRequests: 20,
        policy: { passScore: 95, marginalScore: 75, noData: 'inconclusive' },
      });
      for (let look = 1; look <= 10 && !analysis.done; look++) {
        const data: LookData = {
          look,
          at: '',
          kind: 'histogram',
          canary: histogram(600, { shift: 0.08, median: 0.004, sigma: 0.8 }, random),
          baseline: histogram(600, { shift: 0.03, median: 0.004, sigma: 0.8 }, random),
        };
        analysis.addLook(new Map([[LATENCY, data]]));
      }
      if (analysis.finish().decision === 'rollback') rolledBack++;
    }
    expect(rolledBack).toBe(50);
  });
});
