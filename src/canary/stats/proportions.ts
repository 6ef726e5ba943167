/**
 * Tests on counts: canary failures out of requests against baseline failures out of requests.
 *
 * Harm (for rollback): H0: p_canary ≤ θ·p_baseline, with θ = 1 + allowed increase. The statistic is the
 * Farrington-Manning score z, whose variance is taken under H0 at the restricted maximum-likelihood estimates
 * (Farrington & Manning, Statistics in Medicine 9, 1990; the closed form for the ratio is their eq. 7). Unlike the
 * Wald z it stays well behaved with few failures, which is when canaries are judged.
 *
 * Non-inferiority (for promotion): the upper confidence bound of p_canary − θ·p_baseline, by the MOVER method
 * with Wilson bounds (Newcombe, Statistics in Medicine 17, 1998; Donner & Zou 2012), must be below the absolute
 * tolerance. It keeps its coverage with zero failures in either arm.
 */
import { normalQuantile, wilsonBounds } from './distributions.js';

export interface Counts {
  /** Failures (errors, slow requests, ...). */
  events: number;
  /** All requests. */
  total: number;
}

/** Farrington-Manning score z for H0: p1 ≤ θ·p0 (positive when the canary looks worse). 0 when undefined. */
export function harmZ(canary: Counts, baseline: Counts, theta: number): number {
  const { events: x1, total: n1 } = canary;
  const { events: x0, total: n0 } = baseline;
  if (n1 <= 0 || n0 <= 0) return 0;
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  // restricted MLE of p0 under p1 = θ p0
  const a = theta * (n1 + n0);
  const b = -(theta * n1 + x1 + n0 + theta * x0);
  const c = x1 + x0;
  const disc = Math.max(0, b * b - 4 * a * c);
  const r0 = a === 0 ? 0 : (-b - Math.sqrt(disc)) / (2 * a);
  const r1 = Math.min(1, theta * r0);
  const variance = (r1 * (1 - r1)) / n1 + (theta * theta * r0 * (1 - r0)) / n0;
  if (!(variance > 0)) return 0;
  return (p1 - theta * p0) / Math.sqrt(variance);
}

/** Upper (1 − α) confidence bound of p_canary − θ·p_baseline (MOVER with Wilson bounds). */
export function differenceUpperBound(canary: Counts, baseline: Counts, theta: number, alpha: number): number {
  const z = normalQuantile(1 - alpha);
  const p1 = canary.total > 0 ? canary.events / canary.total : 0;
  const p0 = baseline.total > 0 ? baseline.events / baseline.total : 0;
  const w1 = wilsonBounds(canary.events, canary.total, z);
  const w0 = wilsonBounds(baseline.events, baseline.total, z);
  const estimate = p1 - theta * p0;
  return estimate + Math.sqrt((w1.upper - p1) ** 2 + theta * theta * (p0 - w0.lower) ** 2);
}

export function rate(c: Counts): number {
  return c.total > 0 ? c.events / c.total : NaN;
}

export function addCounts(a: Counts, b: Counts): Counts {
  return { events: a.events + b.events, total: a.total + b.total };
}

/**
 * The design effect of two arms' counts gathered over intervals: how much more the intervals' counts vary than
 * independent requests would let them. Requests are not independent when a process stalls (a GC pause, a CPU it
 * does not get on a busy machine): one pause delays every request in flight at once, and a binomial test then
 * takes two stalls for strong evidence. The estimate is the quasi-binomial dispersion of the intervals' counts
 * (McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989, §4.5.2): Pearson's X² of each interval's
 * count against its arm's pooled rate, over its 2(k − 1) degrees of freedom, one dispersion for both arms (they
 * run the same way; an arm that happened not to stall shows no clustering of its own to estimate). Dividing both
 * arms' counts by it gives counts with the variance the data show, as Rao & Scott's adjustment for clustered
 * binary data does (Biometrics 48, 1992).
 *
 * It is used only when the intervals are shown overdispersed: X² beyond the 99th percentile of χ² with 2(k − 1)
 * degrees of freedom (Wilson-Hilferty), so binomial data keep their counts (and the tests their power) in 99
 * runs of 100. 1 otherwise, and with fewer than 3 intervals or no events.
 */
export function designEffect(intervals: readonly { canary: Counts; baseline: Counts }[]): number {
  const used = intervals.filter((i) => i.canary.total > 0 && i.baseline.total > 0);
  const k = used.length;
  if (k < 3) return 1;
  let pearson = 0;
  for (const arm of ['canary', 'baseline'] as const) {
    const x = used.reduce((s, i) => s + i[arm].events, 0);
    const n = used.reduce((s, i) => s + i[arm].total, 0);
    const p = x / n;
    if (!(p > 0 && p < 1)) continue;
    for (const i of used) pearson += (i[arm].events - p * i[arm].total) ** 2 / (i[arm].total * p * (1 - p));
  }
  const df = 2 * (k - 1);
  if (!(pearson > 0)) return 1;
  const wilsonHilferty = (Math.cbrt(pearson / df) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  if (wilsonHilferty <= OVERDISPERSION_Z) return 1;
  return Math.max(1, pearson / df);
}

/** z₀.₉₉: the dispersion test's level. */
const OVERDISPERSION_Z = 2.3263478740408408;

/** Counts with their effective sample size: both divided by the design effect. */
export function effectiveCounts(c: Counts, designEffect: number): Counts {
  return designEffect > 1 ? { events: c.events / designEffect, total: c.total / designEffect } : c;
}
