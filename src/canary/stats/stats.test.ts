/** The statistics against published values and against simulation. */
import { describe, expect, test } from '@jest/globals';
import { normalCdf, normalQuantile, studentTCdf, wilsonBounds } from './distributions.js';
import { alphaSpent, groupSequentialBoundaries, plannedBoundaries } from './group-sequential.js';
import { harmZ, differenceUpperBound } from './proportions.js';
import { harmZFromT, meanUpperBound, summarise, tQuantile } from './continuous.js';
import { mannWhitney } from './mann-whitney.js';
import { binomial } from '../../../test/support/canary-simulation.js';
import { mulberry32 } from '../../../test/support/random.js';

describe('distributions', () => {
  test.each([
    [0, 0.5],
    [1.959963984540054, 0.975],
    [-5, 2.866515718791939e-7],
    [0.3, 0.6179114221889526],
    [-1.5, 0.0668072012688581],
    [8, 0.9999999999999993],
  ])('Φ(%d) = %d', (x, p) => {
    expect(normalCdf(x)).toBeCloseTo(p, 14);
    expect(Math.abs(normalCdf(x) - p) / Math.max(p, 1e-300)).toBeLessThan(1e-12);
  });

  test.each([0.5, 0.975, 0.995, 1e-6, 1 - 1e-9, 0.3])('Φ⁻¹ inverts Φ at %d', (p) => {
    expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 12);
  });

  test.each([
    [2.228138851986274, 10, 0.975],
    [-1.5, 3, 0.1152919326224116],
    [1.8331129326536335, 9, 0.95],
    [0, 4, 0.5],
    [31.82051595377553, 1, 0.99],
  ])('Student t CDF(%d, df %d) = %d', (t, df, p) => {
    expect(studentTCdf(t, df)).toBeCloseTo(p, 10);
  });

  test('t quantile inverts the CDF', () => {
    expect(tQuantile(0.99, 9)).toBeCloseTo(2.821437925, 6);
  });

  test('Wilson bounds (Newcombe 1998, example: 0/10 and 81/263)', () => {
    const z = normalQuantile(0.975);
    const a = wilsonBounds(0, 10, z);
    expect(a.lower).toBe(0);
    expect(a.upper).toBeCloseTo(0.2775, 4);
    const b = wilsonBounds(81, 263, z);
    expect(b.lower).toBeCloseTo(0.2553, 4);
    expect(b.upper).toBeCloseTo(0.3662, 4);
  });
});

describe('group-sequential boundaries (Lan-DeMets)', () => {
  test("O'Brien-Fleming type, K = 5, one-sided α = 0.025, match Jennison & Turnbull", () => {
    const b = plannedBoundaries(0.025, 5);
    [4.877, 3.357, 2.68, 2.29, 2.031].forEach((expected, i) => expect(b[i]).toBeCloseTo(expected, 2));
  });

  test('Pocock type, K = 5, one-sided α = 0.025', () => {
    const b = plannedBoundaries(0.025, 5, 'pocock');
    [2.438, 2.427, 2.41, 2.397, 2.388].forEach((expected, i) => expect(b[i]).toBeCloseTo(expected, 2));
  });

  test('spending reaches α at the end and nothing at the start', () => {
    expect(alphaSpent(0.01, 1, 'obrien-fleming')).toBeCloseTo(0.01, 12);
    expect(alphaSpent(0.01, 0, 'obrien-fleming')).toBe(0);
    expect(alphaSpent(0.01, 1, 'pocock')).toBeCloseTo(0.01, 12);
  });

  test('the false-rejection rate over 10 looks of a Brownian motion stays at α', () => {
    const random = mulberry32(42);
    const K = 10;
    const b = plannedBoundaries(0.01, K);
    let rejected = 0;
    const runs = 100_000;
    for (let r = 0; r < runs; r++) {
      let s = 0;
      for (let k = 1; k <= K; k++) {
        const u = random() || 1e-12;
        s += Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
        if (s / Math.sqrt(k) >= b[k - 1]!) {
          rejected++;
          break;
        }
      }
    }
    // binomial standard error at 1% over 100,000 runs is 0.03%
    expect(rejected / runs).toBeGreaterThan(0.0088);
    expect(rejected / runs).toBeLessThan(0.0112);
  });

  test('looks at unequal information fractions still spend exactly α under H0 (one look = fixed test)', () => {
    expect(groupSequentialBoundaries(0.05, [1], 'obrien-fleming')[0]).toBeCloseTo(normalQuantile(0.95), 6);
  });
});

describe('counts', () => {
  test('the Farrington-Manning z is 0 for equal rates, grows with the canary rate, and respects the margin', () => {
    expect(harmZ({ events: 10, total: 1000 }, { events: 10, total: 1000 }, 1)).toBeCloseTo(0, 12);
    const z2 = harmZ({ events: 20, total: 1000 }, { events: 10, total: 1000 }, 1);
    const z3 = harmZ({ events: 30, total: 1000 }, { events: 10, total: 1000 }, 1);
    expect(z2).toBeGreaterThan(1.5);
    expect(z3).toBeGreaterThan(z2);
    expect(harmZ({ events: 20, total: 1000 }, { events: 10, total: 1000 }, 2)).toBeCloseTo(0, 1);
  });

  test('with no failures at all there is no evidence either way', () => {
    expect(harmZ({ events: 0, total: 1000 }, { events: 0, total: 1000 }, 1)).toBe(0);
  });

  test('matches the pooled two-proportion z when θ = 1', () => {
    const [x1, n1, x0, n0] = [30, 1000, 15, 1200];
    const p = (x1 + x0) / (n1 + n0);
    const pooled = (x1 / n1 - x0 / n0) / Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0));
    expect(harmZ({ events: x1, total: n1 }, { events: x0, total: n0 }, 1)).toBeCloseTo(pooled, 10);
  });

  test('the MOVER-Wilson bound covers the true difference at least at its nominal level, even with few failures', () => {
    const random = mulberry32(7);
    for (const [p1, p0, n] of [
      [0.001, 0.001, 2000],
      [0.01, 0.01, 500],
      [0.02, 0.01, 1000],
    ] as const) {
      let covered = 0;
      const runs = 4000;
      for (let r = 0; r < runs; r++) {
        const ub = differenceUpperBound(
          { events: binomial(n, p1, random), total: n },
          { events: binomial(n, p0, random), total: n },
          1,
          0.05,
        );
        if (p1 - p0 <= ub) covered++;
      }
      expect(covered / runs).toBeGreaterThan(0.94);
    }
  });
});

describe('continuous', () => {
  test('the t-based z is 0 at the margin and positive above it', () => {
    const s = summarise([0.1, 0.12, 0.08, 0.11, 0.09]);
    expect(harmZFromT(s, s.mean)).toBeCloseTo(0, 8);
    expect(harmZFromT(s, 0)).toBeGreaterThan(3);
    expect(harmZFromT(summarise([0.1, 0.2]), 0)).toBeNaN();
    expect(meanUpperBound(s, 0.01)).toBeGreaterThan(s.mean);
  });
});

describe('Mann-Whitney', () => {
  test('a textbook example: U and two-sided p', () => {
    // Canary clearly larger: all 8 canary values above the 8 baseline values
    const r = mannWhitney([11, 12, 13, 14, 15, 16, 17, 18], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.u).toBe(64);
    expect(r.direction).toBe(1);
    expect(r.p).toBeLessThan(0.001);
    const same = mannWhitney([1, 2, 3], [1, 2, 3]);
    expect(same.p).toBe(1);
  });
});
